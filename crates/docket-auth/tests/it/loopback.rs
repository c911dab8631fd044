//! The loopback listener against real HTTP requests (raw TCP, so that the
//! Host header and the request line are exactly what a browser or an
//! attacker would send).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docket_auth::loopback::{AuthResponse, ListenError, LoopbackListener, RedirectConfig};
use docket_auth::{Auth, AuthConfig, Browser, PendingSignIn, SignInError};
use docket_text::Lang;

const STATE: &str = "k3J9vQ2mX8pL5tR1wY7uE4oI6aS0dF2gH9jK3lZ8xC1";

/// One HTTP/1.1 request; returns (status, body).
fn get(port: u16, target: &str, host: &str) -> (u16, String) {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test-browser\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

fn local(port: u16) -> String {
    format!("localhost:{port}")
}

fn listener() -> LoopbackListener {
    LoopbackListener::bind(&RedirectConfig::default())
        .expect("bind")
        .with_lang(Lang::En)
}

#[tokio::test]
async fn the_real_callback_completes_after_every_bad_one_was_refused() {
    let l = listener();
    let port = l.port();
    assert_eq!(l.redirect_uri(), format!("http://localhost:{port}/"));
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(20), std::future::pending())
            .await
    });
    let bad = tokio::task::spawn_blocking(move || {
        let h = local(port);
        let long = "x".repeat(20_000);
        vec![
            (
                "wrong path",
                get(port, &format!("/favicon.ico?code=c&state={STATE}"), &h),
            ),
            ("no state", get(port, "/?code=c", &h)),
            ("forged state", get(port, "/?code=c&state=forged", &h)),
            (
                "forged error",
                get(port, "/?error=access_denied&state=forged", &h),
            ),
            (
                "rebinding host",
                get(
                    port,
                    &format!("/?code=c&state={STATE}"),
                    &format!("evil.example:{port}"),
                ),
            ),
            (
                "oversized",
                get(port, &format!("/?code=c&state={STATE}&pad={long}"), &h),
            ),
            (
                "state twice",
                get(port, &format!("/?code=c&state={STATE}&state=x"), &h),
            ),
        ]
    })
    .await
    .expect("bad requests");
    for (what, (status, body)) in &bad {
        let expect = if *what == "oversized" { 414 } else { 400 };
        assert_eq!(*status, expect, "{what}: {body}");
        assert!(!body.contains("Sign-in complete"), "{what}");
    }
    assert!(!wait.is_finished(), "a bad request ended the wait");

    // The real browser callback (127.0.0.1 works as well as localhost).
    let browser = tokio::task::spawn_blocking(move || {
        get(
            port,
            &format!("/?code=the-real-code&state={STATE}&session_state=x"),
            &format!("127.0.0.1:{port}"),
        )
    });
    let callback = wait.await.expect("join").expect("callback");
    let AuthResponse::Code(code) = &callback.response else {
        panic!("expected a code, got {:?}", callback.response)
    };
    assert_eq!(code.expose_secret(), "the-real-code");
    assert!(!format!("{callback:?}").contains("the-real-code"));
    // The browser is still waiting: it is answered only now.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!browser.is_finished(), "browser answered before redemption");
    callback
        .responder
        .success("anna.berger@kanzlei-demo.onmicrosoft.com")
        .await;
    // Answered and closed: the port is free again.
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("port freed after the answer");
    let (status, body) = browser.await.expect("browser");
    assert_eq!(status, 200);
    assert!(body.contains("Sign-in complete"), "{body}");
    assert!(body.contains("anna.berger@kanzlei-demo.onmicrosoft.com"));
    assert!(body.contains("You can close this window"));
}

#[tokio::test]
async fn concurrent_callbacks_yield_exactly_one_code() {
    let l = listener();
    let port = l.port();
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(20), std::future::pending())
            .await
    });
    let browsers: Vec<_> = (0..5)
        .map(|i| {
            tokio::task::spawn_blocking(move || {
                get(
                    port,
                    &format!("/?code=code-{i}&state={STATE}"),
                    &local(port),
                )
            })
        })
        .collect();
    let callback = wait.await.expect("join").expect("callback");
    let AuthResponse::Code(code) = &callback.response else {
        panic!("expected a code")
    };
    let winner = code.expose_secret().to_string();
    // The four losers are answered "already received" while the winner's
    // browser waits for the redemption: wait until they are (a condition,
    // not a time; the bound only keeps a broken listener from hanging).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while browsers.iter().filter(|b| b.is_finished()).count() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the other callbacks were not answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    callback
        .responder
        .success("james.wright@kanzlei-demo.onmicrosoft.com")
        .await;
    let mut successes = 0;
    let mut refused = 0;
    for b in browsers {
        let (status, body) = b.await.expect("browser");
        match status {
            200 if body.contains("Sign-in complete") => successes += 1,
            400 if body.contains("already received") => refused += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((successes, refused), (1, 4), "winner {winner}");
}

#[tokio::test]
async fn timeout_gives_up_and_frees_the_port() {
    let l = listener();
    let port = l.port();
    let started = std::time::Instant::now();
    let r = l
        .wait(STATE, Duration::from_millis(300), std::future::pending())
        .await;
    assert!(matches!(r, Err(ListenError::TimedOut(_))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The port is free for the next sign-in (or another program).
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("port was freed");
}

#[tokio::test]
async fn shutdown_cancels_and_frees_the_port() {
    let l = listener();
    let port = l.port();
    let r = l
        .wait(
            STATE,
            Duration::from_secs(60),
            tokio::time::sleep(Duration::from_millis(100)),
        )
        .await;
    assert!(matches!(r, Err(ListenError::Cancelled)), "{r:?}");
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("port was freed");
}

#[test]
fn a_fixed_port_in_use_names_the_port_and_the_setting() {
    let busy = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = busy.local_addr().expect("addr").port();
    let err = LoopbackListener::bind(&RedirectConfig {
        port,
        path: "/authorize/".into(),
        ..RedirectConfig::default()
    })
    .expect_err("port is taken");
    assert!(matches!(err, ListenError::PortInUse { port: p } if p == port));
    let text = err.to_string();
    assert!(text.contains(&port.to_string()), "{text}");
    assert!(text.contains("microsoft.redirect_port"), "{text}");
}

#[test]
fn a_fixed_port_is_used_as_configured() {
    // Find a free port, release it, then ask for it explicitly (the Web
    // platform's `http://localhost:<port>/authorize/`).
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let cfg =
        RedirectConfig::from_uri(&format!("http://localhost:{port}/authorize/")).expect("uri");
    let l = LoopbackListener::bind(&cfg).expect("bind fixed");
    assert_eq!(
        l.redirect_uri(),
        format!("http://localhost:{port}/authorize/")
    );
    assert!(RedirectConfig::from_uri("https://localhost/x").is_err());
    assert!(RedirectConfig::from_uri("http://example.com:80/x").is_err());
}

/// Captures the URL instead of opening a browser.
#[derive(Default, Clone)]
struct Capture(Arc<Mutex<Option<String>>>);

impl Browser for Capture {
    fn open(&self, url: &str) -> std::io::Result<()> {
        *self.0.lock().expect("lock") = Some(url.to_string());
        Ok(())
    }
}

#[tokio::test]
async fn access_denied_ends_the_attempt_with_an_explanation_never_success() {
    let mut cfg = AuthConfig::new(
        "http://127.0.0.1:9",
        "kanzlei-demo.onmicrosoft.com",
        "0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01",
        &["openid", "profile", "offline_access", "Calendars.ReadWrite"],
    );
    cfg.sign_in_timeout = Duration::from_secs(20);
    // The caller chose German: the browser's page is German.
    cfg.lang = Lang::De;
    let auth = Auth::new(
        cfg,
        docket_auth::http::client(None).expect("http client"),
        Arc::new(NoStore),
    );
    let lock = tempfile::tempdir().expect("tempdir");
    let pending = PendingSignIn::start(&auth, None, lock.path().join("token.lock")).expect("start");
    let browser = Capture::default();
    pending.open_browser(&browser).expect("open");
    let url = url::Url::parse(&browser.0.lock().expect("lock").clone().expect("url")).expect("url");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["state"].len() >= 43, "state has 256 bits");
    assert!(!q.contains_key("prompt"));
    let redirect = url::Url::parse(&q["redirect_uri"]).expect("redirect");
    assert_eq!(redirect.host_str(), Some("localhost"));
    let port = redirect.port().expect("port");
    let state = q["state"].clone();
    let finish = tokio::spawn(pending.finish(std::future::pending()));
    let (status, body) = tokio::task::spawn_blocking(move || {
        get(
            port,
            &format!(
                "/?error=access_denied&error_description=AADSTS65004%3a+User+declined&state={state}"
            ),
            &local(port),
        )
    })
    .await
    .expect("browser");
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"de\">"), "{body}");
    assert!(body.contains("Anmeldung nicht abgeschlossen"), "{body}");
    assert!(body.contains("Anmeldung abgebrochen"), "{body}");
    assert!(body.contains("Was tun:</b> Erneut anmelden"), "{body}");
    assert!(!body.contains("Sign-in"), "{body}");
    let r = finish.await.expect("join");
    match r {
        Err(SignInError::Denied(p)) => assert_eq!(p.code, "reauth.cancelled"),
        other => panic!("expected Denied, got {other:?}"),
    }
}

/// The access_denied path never touches the store.
struct NoStore;

impl docket_secrets::SecretStore for NoStore {
    fn get(
        &self,
        _: &docket_secrets::EntryKey,
    ) -> Result<Option<docket_secrets::SecretString>, docket_secrets::StoreError> {
        panic!("store read")
    }
    fn set(
        &self,
        _: &docket_secrets::EntryKey,
        _: &docket_secrets::SecretString,
    ) -> Result<(), docket_secrets::StoreError> {
        panic!("store write")
    }
    fn delete(&self, _: &docket_secrets::EntryKey) -> Result<(), docket_secrets::StoreError> {
        panic!("store delete")
    }
}

// ---- A hostile or stalled local client (the hardening issue) ----------

/// A guard against hanging forever on a listener that is stuck: not a
/// speed assertion (the listener's own deadline is what must fire).
const HANG_GUARD: Duration = Duration::from_secs(30);

/// A local client that pipelines requests on one connection and never
/// reads an answer. Holds its socket open until the returned sender is
/// dropped. The receiver fires once the answers it does not read have
/// stopped arriving: the listener either closed the connection or is
/// stuck writing to it (the kernel's buffers are full).
fn pipelining_non_reader(
    port: u16,
) -> (std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>) {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    s.set_write_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let probe = s.try_clone().expect("clone");
    std::thread::spawn(move || {
        let one = format!("GET /nope HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n");
        let batch = one.repeat(10_000);
        // Write until the listener stops reading (or closes).
        while s.write_all(batch.as_bytes()).is_ok() {}
        let _ = stop_rx.recv();
        drop(s);
    });
    std::thread::spawn(move || {
        probe
            .set_read_timeout(Some(Duration::from_secs(1)))
            .expect("timeout");
        let mut buf = vec![0u8; 32 * 1024 * 1024];
        let (mut last, mut same) = (usize::MAX, 0);
        // Unchanged three times in a row (or the connection is gone).
        while same < 3 {
            std::thread::sleep(Duration::from_millis(300));
            match probe.peek(&mut buf) {
                Ok(n) if n == last => same += 1,
                Ok(n) => (last, same) = (n, 0),
                Err(_) => break,
            }
        }
        let _ = started_tx.send(());
    });
    (stop_tx, started_rx)
}

#[tokio::test]
async fn a_pipelining_client_that_never_reads_does_not_hold_up_the_real_callback() {
    let l = listener();
    let port = l.port();
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(20), std::future::pending())
            .await
    });
    let (_stop, started) = pipelining_non_reader(port);
    tokio::task::spawn_blocking(move || started.recv().expect("started"))
        .await
        .expect("join");
    let browser = tokio::task::spawn_blocking(move || {
        get(
            port,
            &format!("/?code=the-real-code&state={STATE}"),
            &local(port),
        )
    });
    let callback = tokio::time::timeout(HANG_GUARD, wait)
        .await
        .expect("the listener is stuck behind the pipelining client")
        .expect("join")
        .expect("the real callback, before the deadline");
    let AuthResponse::Code(code) = &callback.response else {
        panic!("expected a code, got {:?}", callback.response)
    };
    assert_eq!(code.expose_secret(), "the-real-code");
    callback.responder.success("anna@kanzlei.example").await;
    let (status, body) = browser.await.expect("browser");
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_300_mb_request_line_is_refused_without_being_read() {
    const TOTAL: usize = 300 * 1024 * 1024;
    let l = listener();
    let port = l.port();
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(60), std::future::pending())
            .await
    });
    let (written, error) = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        s.set_write_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        s.write_all(b"GET /?pad=").expect("write");
        let chunk = vec![b'a'; 64 * 1024];
        let mut written = 0usize;
        while written < TOTAL {
            match s.write(&chunk) {
                Ok(n) => written += n,
                Err(e) => return (written, Some(e.kind())),
            }
        }
        (written, None)
    })
    .await
    .expect("client");
    // The listener read its 16 KiB, answered and closed: the client's
    // writes fail once the kernel buffers (a few MB) are full. Reading it
    // all would have put 300 MB in memory.
    assert!(
        matches!(
            error,
            Some(
                std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
            )
        ),
        "the listener kept reading: {written} bytes accepted, then {error:?}"
    );
    assert!(written < 64 * 1024 * 1024, "{written} bytes accepted");
    // And it still serves the real callback.
    let browser = tokio::task::spawn_blocking(move || {
        get(port, &format!("/?code=c&state={STATE}"), &local(port))
    });
    let callback = tokio::time::timeout(HANG_GUARD, wait)
        .await
        .expect("stuck")
        .expect("join")
        .expect("callback");
    callback.responder.success("anna@kanzlei.example").await;
    assert_eq!(browser.await.expect("browser").0, 200);
}

/// Both loopback addresses are free again (the next sign-in, or another
/// program, can bind them).
fn assert_port_free(port: u16) {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("127.0.0.1 port freed");
    if ipv6_available() {
        TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, port)).expect("[::1] port freed");
    }
}

fn ipv6_available() -> bool {
    TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, 0)).is_ok()
}

#[tokio::test]
async fn the_deadline_fires_with_a_stalled_connection_open_and_frees_the_port() {
    let l = listener();
    let port = l.port();
    let (_stop, started) = pipelining_non_reader(port);
    // Longer than it takes the client to fill the socket buffers.
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(8), std::future::pending())
            .await
    });
    tokio::task::spawn_blocking(move || started.recv().expect("started"))
        .await
        .expect("join");
    // A second stalled connection that sends half a request line.
    let mut half = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    half.write_all(b"GET /?code=").expect("write");
    let r = tokio::time::timeout(HANG_GUARD, wait)
        .await
        .expect("the deadline never fired")
        .expect("join");
    assert!(matches!(r, Err(ListenError::TimedOut(_))), "{r:?}");
    assert_port_free(port);
}

#[tokio::test]
async fn cancel_ends_the_wait_with_a_stalled_connection_open_and_frees_the_port() {
    let l = listener();
    let port = l.port();
    let (_stop, started) = pipelining_non_reader(port);
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(300), async {
            let _ = cancel_rx.await;
        })
        .await
    });
    tokio::task::spawn_blocking(move || started.recv().expect("started"))
        .await
        .expect("join");
    cancel_tx.send(()).expect("cancel");
    let r = tokio::time::timeout(HANG_GUARD, wait)
        .await
        .expect("cancel was not seen")
        .expect("join");
    assert!(matches!(r, Err(ListenError::Cancelled)), "{r:?}");
    assert_port_free(port);
}

#[tokio::test]
async fn localhost_is_bound_on_ipv6_too_so_nobody_else_can_take_the_callback() {
    if !ipv6_available() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    let l = listener();
    let port = l.port();
    // Another local program tries to listen where a browser resolving
    // localhost to ::1 would connect.
    let squatter = TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, port));
    assert!(
        squatter.is_err(),
        "another program could bind [::1]:{port} and receive the sign-in"
    );
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(30), std::future::pending())
            .await
    });
    // The browser connects over IPv6.
    let browser = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect((std::net::Ipv6Addr::LOCALHOST, port)).expect("connect ::1");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            s,
            "GET /?code=v6-code&state={STATE} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        out
    });
    let callback = tokio::time::timeout(HANG_GUARD, wait)
        .await
        .expect("stuck")
        .expect("join")
        .expect("callback over ::1");
    let AuthResponse::Code(code) = &callback.response else {
        panic!("expected a code")
    };
    assert_eq!(code.expose_secret(), "v6-code");
    callback.responder.success("anna@kanzlei.example").await;
    let out = browser.await.expect("browser");
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("Sign-in complete"), "{out}");
}

#[test]
fn a_configured_127_0_0_1_redirect_keeps_its_host() {
    let cfg = RedirectConfig::from_uri("http://127.0.0.1/cb").expect("uri");
    let l = LoopbackListener::bind(&cfg).expect("bind");
    assert_eq!(
        l.redirect_uri(),
        format!("http://127.0.0.1:{}/cb", l.port())
    );
    assert_ne!(l.port(), 80, "no port means any free port, not 80");
}

/// A valid callback whose head (one long header) ends after 16 KiB is
/// refused, however the bytes arrive: it used to be taken, code and all,
/// when its blank line came in the read that crossed the limit.
#[tokio::test]
async fn a_callback_with_a_head_over_16_kib_is_refused_however_it_arrives() {
    let l = listener();
    let port = l.port();
    let wait = tokio::spawn(async move {
        l.wait(STATE, Duration::from_secs(20), std::future::pending())
            .await
    });
    let refused = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let pad = "a".repeat(17_000);
        write!(
            s,
            "GET /?code=padded&state={STATE} HTTP/1.1\r\nHost: localhost:{port}\r\nX-Pad: {pad}\r\n\r\n"
        )
        .expect("write");
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        String::from_utf8_lossy(&raw).to_string()
    })
    .await
    .expect("client");
    assert!(refused.starts_with("HTTP/1.1 431 "), "{refused}");
    assert!(!wait.is_finished(), "the padded callback ended the wait");
    let browser = tokio::task::spawn_blocking(move || {
        get(port, &format!("/?code=real&state={STATE}"), &local(port))
    });
    let callback = tokio::time::timeout(HANG_GUARD, wait)
        .await
        .expect("stuck")
        .expect("join")
        .expect("callback");
    let AuthResponse::Code(code) = &callback.response else {
        panic!("expected a code, got {:?}", callback.response)
    };
    assert_eq!(code.expose_secret(), "real");
    callback.responder.success("anna@kanzlei.example").await;
    assert_eq!(browser.await.expect("browser").0, 200);
}

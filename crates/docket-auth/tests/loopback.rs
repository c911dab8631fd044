//! The loopback listener against real HTTP requests (raw TCP, so that the
//! Host header and the request line are exactly what a browser or an
//! attacker would send).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docket_auth::loopback::{ListenError, LoopbackListener, Outcome, RedirectConfig};
use docket_auth::{Auth, AuthConfig, Browser, PendingSignIn, SignInError};

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
    LoopbackListener::bind(&RedirectConfig::default()).expect("bind")
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
    let Outcome::Code(code) = &callback.outcome else {
        panic!("expected a code, got {:?}", callback.outcome)
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
    assert!(body.contains("Sie können dieses Fenster schließen"));
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
    let Outcome::Code(code) = &callback.outcome else {
        panic!("expected a code")
    };
    let winner = code.expose_secret().to_string();
    // Give the losers time to be answered "already received".
    tokio::time::sleep(Duration::from_millis(300)).await;
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
    assert!(body.contains("Sign-in did not complete"), "{body}");
    assert!(body.contains("cancelled"), "{body}");
    assert!(body.contains("Anmeldung nicht abgeschlossen"), "{body}");
    assert!(!body.contains("Sign-in complete"), "{body}");
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

//! Refused callbacks are logged by path, never with their query (which
//! can carry an authorization code). Its own test binary, because it
//! installs a global log subscriber.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docket_auth::loopback::{LoopbackListener, RedirectConfig};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The one global subscriber (DEBUG and up) of this test binary, shared
/// by its tests; each test picks its own lines by the listener's port.
fn logs() -> Buffer {
    static LOGS: std::sync::OnceLock<Buffer> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Buffer::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .init();
        logs
    })
    .clone()
}

#[tokio::test]
async fn refused_callbacks_are_logged_without_the_code() {
    let logs = logs();

    let l = LoopbackListener::bind(&RedirectConfig {
        port: 0,
        path: "/callback".into(),
        ..RedirectConfig::default()
    })
    .expect("bind");
    let port = l.port();
    let wait = tokio::spawn(async move {
        l.wait(
            "expected-state",
            Duration::from_secs(1),
            std::future::pending(),
        )
        .await
    });
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        write!(
            s,
            "GET /callback?code=M.C507_SECRET_CODE&state=forged HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        assert!(out.starts_with("HTTP/1.1 400"), "{out}");
    })
    .await
    .expect("request");
    let _ = wait.await;
    let text = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf8");
    assert!(
        text.contains("rejected a request on the sign-in listener"),
        "{text}"
    );
    assert!(text.contains("/callback"), "{text}");
    assert!(text.contains("state does not belong"), "{text}");
    assert!(!text.contains("SECRET_CODE"), "{text}");
}

#[tokio::test]
async fn a_flood_of_bad_requests_yields_a_handful_of_warnings() {
    let logs = logs();
    let l = LoopbackListener::bind(&RedirectConfig::default()).expect("bind");
    let port = l.port();
    let wait = tokio::spawn(async move {
        l.wait(
            "expected-state",
            Duration::from_secs(120),
            std::future::pending(),
        )
        .await
    });
    tokio::task::spawn_blocking(move || {
        for i in 0..1000 {
            let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
            write!(
                s,
                "GET /flood-{i}?state=forged HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
            )
            .expect("write");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            assert!(out.starts_with("HTTP/1.1 400"), "{out}");
        }
        // The real callback still gets through.
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        write!(
            s,
            "GET /?code=c&state=expected-state HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
        )
        .expect("write");
        s
    })
    .await
    .expect("flood");
    let callback = wait.await.expect("join").expect("callback");
    callback.responder.success("anna@kanzlei.example").await;
    let text = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf8");
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(&format!("port={port}")) || l.contains("/flood-"))
        .collect();
    let warn = ours.iter().filter(|l| l.contains("WARN")).count();
    let debug = ours
        .iter()
        .filter(|l| l.contains("DEBUG") && l.contains("rejected a request"))
        .count();
    assert!(warn <= 5, "{warn} WARN lines:\n{}", ours.join("\n"));
    assert!(warn >= 1, "the flood was not reported at all");
    assert!(
        debug >= 990,
        "{debug} DEBUG lines: the rest must still be logged"
    );
    assert!(
        ours.iter()
            .any(|l| l.contains("WARN") && l.contains("1000")),
        "no summary with the count:\n{}",
        ours.iter()
            .filter(|l| l.contains("WARN"))
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

//! The admin API (`/_admin/*`) answers only requests addressed to the
//! emulator itself. A web page that rebinds its DNS name to 127.0.0.1 can
//! make the user's browser send requests to the emulator's port, but the
//! browser sends the page's own name as `Host`: such a request must not
//! change a password or mint a token.

use std::io::{Read, Write};
use std::net::TcpStream;

use m365_emulator::{EmulatorConfig, TestServer};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const ANNA_PW: &str = "Demo-Anna-2026!";

/// One HTTP/1.1 request with exactly these bytes, answer as (status, body).
fn raw(server: &TestServer, method: &str, path: &str, host: &str, body: &str) -> (u16, String) {
    let addr = server.base_url.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn anna_password_is(server: &TestServer, password: &str) -> bool {
    let world = server.shared.world();
    let (_, user) = world.user(ANNA).expect("anna");
    user.password.verify(password)
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_requests_with_a_foreign_host_are_refused_and_change_nothing() {
    let server = TestServer::start(EmulatorConfig::default()).await;
    let port = server.base_url.rsplit(':').next().unwrap().to_string();
    let server = std::sync::Arc::new(server);

    let s = server.clone();
    let (password, token, clock) = tokio::task::spawn_blocking(move || {
        let password = raw(
            &s,
            "POST",
            &format!("/_admin/users/{ANNA}/password"),
            "evil.example",
            r#"{"password":"Attacker-2026!"}"#,
        );
        let token = raw(
            &s,
            "POST",
            "/_admin/tokens",
            &format!("evil.example:{}", s.base_url.rsplit(':').next().unwrap()),
            &format!(r#"{{"upn":"{ANNA}"}}"#),
        );
        let clock = raw(&s, "GET", "/_admin/clock", "evil.example", "");
        (password, token, clock)
    })
    .await
    .unwrap();

    for (what, (status, body)) in [
        ("password change", &password),
        ("token", &token),
        ("clock", &clock),
    ] {
        assert_eq!(*status, 421, "{what}: {body}");
        assert!(
            body.contains("\"evil.example"),
            "{what}: the answer names the refused Host: {body}"
        );
        assert!(
            body.contains(&format!("127.0.0.1:{port}")),
            "{what}: the answer says which Host is accepted: {body}"
        );
        assert!(!body.contains("access_token"), "{what}: {body}");
    }
    assert!(
        anna_password_is(&server, ANNA_PW),
        "the refused request must not change the password"
    );

    // The emulator's own addresses still work, and the Entra and Graph
    // routes are not restricted (Microsoft's clients use them by name).
    let s = server.clone();
    let port2 = port.clone();
    let (own, named, discovery) = tokio::task::spawn_blocking(move || {
        let own = raw(
            &s,
            "POST",
            &format!("/_admin/users/{ANNA}/password"),
            &format!("127.0.0.1:{port2}"),
            r#"{"password":"Changed-2026!"}"#,
        );
        let named = raw(
            &s,
            "GET",
            "/_admin/clock",
            &format!("localhost:{port2}"),
            "",
        );
        let discovery = raw(
            &s,
            "GET",
            "/kanzlei-demo.onmicrosoft.com/v2.0/.well-known/openid-configuration",
            "evil.example",
            "",
        );
        (own, named, discovery)
    })
    .await
    .unwrap();
    assert_eq!(own.0, 200, "{}", own.1);
    assert_eq!(named.0, 200, "{}", named.1);
    assert_eq!(discovery.0, 200, "{}", discovery.1);
    assert!(anna_password_is(&server, "Changed-2026!"));
}

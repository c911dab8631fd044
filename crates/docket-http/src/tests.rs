//! The client builder against small local servers: user agent, redirects,
//! the extra CA, timeouts.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

/// A loopback server that answers `/moved` with a redirect to `to` (a
/// path, or a full URL) and anything else with 200; it keeps the request
/// heads it saw.
async fn server(to: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head).to_string();
            let moved = head.starts_with("GET /moved ");
            log.lock().unwrap().push(head);
            let answer = match (&to, moved) {
                (Some(to), true) => format!(
                    "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                ),
                _ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".into(),
            };
            let _ = sock.write_all(answer.as_bytes()).await;
        }
    });
    (base, seen)
}

fn opts(redirects: Redirects) -> Options<'static> {
    Options {
        connect_timeout: Duration::from_secs(10),
        timeout: Duration::from_secs(30),
        extra_ca_pem: None,
        redirects,
    }
}

#[tokio::test]
async fn requests_say_docketsync_and_follow_no_redirect_by_default() {
    let (base, seen) = server(Some("/elsewhere".into())).await;
    let http = client(&opts(Redirects::None)).unwrap();
    let resp = http.get(format!("{base}/moved")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "the redirect was not followed: {seen:?}");
    let ua = format!("user-agent: DocketSync/{}\r\n", env!("CARGO_PKG_VERSION"));
    assert!(
        seen[0]
            .to_ascii_lowercase()
            .contains(&ua.to_ascii_lowercase()),
        "{}",
        seen[0]
    );
}

#[tokio::test]
async fn same_origin_redirects_are_followed_and_others_are_not() {
    let (base, seen) = server(Some("/here".into())).await;
    let http = client(&opts(Redirects::SameOrigin { max: 5 })).unwrap();
    let resp = http.get(format!("{base}/moved")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(seen.lock().unwrap().len(), 2);

    let (other, other_seen) = server(None).await;
    let (base, seen) = server(Some(format!("{other}/taken"))).await;
    let resp = http.get(format!("{base}/moved")).send().await.unwrap();
    assert_eq!(
        resp.status().as_u16(),
        302,
        "another origin is not followed"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(other_seen.lock().unwrap().is_empty());
}

#[test]
fn an_extra_ca_file_without_certificates_is_refused_by_name() {
    let o = Options {
        extra_ca_pem: Some(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"),
        ..opts(Redirects::None)
    };
    let err = client(&o).unwrap_err();
    assert!(matches!(err, BuildError::ExtraCa(_)), "{err:?}");
    assert!(err.to_string().starts_with("extra CA file: "), "{err}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Accept and hold the connection, never answer.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let o = Options {
        timeout: Duration::from_millis(300),
        ..opts(Redirects::None)
    };
    let err = client(&o).unwrap().get(base).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[cfg(feature = "blocking")]
#[tokio::test(flavor = "multi_thread")]
async fn the_blocking_client_has_the_same_settings() {
    let (base, seen) = server(Some("/elsewhere".into())).await;
    let status = tokio::task::spawn_blocking(move || {
        let http = blocking_client(&opts(Redirects::None)).unwrap();
        http.get(format!("{base}/moved")).send().unwrap().status()
    })
    .await
    .unwrap();
    assert_eq!(status.as_u16(), 302);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0]
            .to_ascii_lowercase()
            .contains("user-agent: docketsync/"),
        "{}",
        seen[0]
    );
}

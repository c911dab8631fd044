//! The client builder against small local servers: user agent, redirects,
//! the extra CA, timeouts; and which failures are certificate errors,
//! against a local TLS server with a generated CA.

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

/// A generated CA (its PEM) and an HTTPS server on 127.0.0.1 that presents
/// a certificate for `names` signed by it and answers anything with 200;
/// the URL says `localhost`.
async fn tls_server(names: &[&str]) -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone(), ca_cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (base, ca_cert.pem())
}

/// A server that answers the TLS hello with plain HTTP at once.
async fn plain_http_on_tls() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = sock
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    base
}

async fn get_err(url: &str, o: &Options<'_>) -> reqwest::Error {
    client(o).unwrap().get(url).send().await.unwrap_err()
}

#[tokio::test]
async fn the_extra_ca_file_is_trusted_besides_the_platform_roots() {
    let (base, ca_pem) = tls_server(&["localhost"]).await;
    let o = Options {
        extra_ca_pem: Some(ca_pem.as_bytes()),
        ..opts(Redirects::None)
    };
    let resp = client(&o).unwrap().get(&base).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().await.unwrap(), "ok");
}

fn check(case: &str, e: &(dyn std::error::Error + 'static), expect: bool) {
    assert_eq!(is_certificate_error(e), expect, "{case}: {e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_errors_are_told_by_type_not_by_text() {
    use rustls::{AlertDescription, CertificateError};
    type Error = Box<dyn std::error::Error + Send + Sync>;

    let (untrusted, _) = tls_server(&["localhost"]).await;
    let (misnamed, misnamed_ca) = tls_server(&["elsewhere.example"]).await;
    let with_ca = Options {
        extra_ca_pem: Some(misnamed_ca.as_bytes()),
        ..opts(Redirects::None)
    };
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("https://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("https://127.0.0.1:{}", silent.local_addr().unwrap().port());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = silent.accept().await {
            held.push(sock);
        }
    });
    let quick = Options {
        timeout: Duration::from_millis(300),
        ..opts(Redirects::None)
    };

    let cases: Vec<(&str, Error, bool)> = vec![
        (
            "a certificate no trusted root vouches for",
            get_err(&untrusted, &opts(Redirects::None)).await.into(),
            true,
        ),
        (
            "a trusted certificate for another name",
            get_err(&misnamed, &with_ca).await.into(),
            true,
        ),
        (
            "a server that answers TLS with plain HTTP",
            get_err(&plain_http_on_tls().await, &opts(Redirects::None))
                .await
                .into(),
            false,
        ),
        (
            "a refused connection",
            get_err(&refused, &opts(Redirects::None)).await.into(),
            false,
        ),
        (
            "a server that never answers",
            get_err(&silent_url, &quick).await.into(),
            false,
        ),
        (
            "an error whose text names a certificate",
            std::io::Error::other("invalid peer certificate: UnknownIssuer").into(),
            false,
        ),
        (
            "an io error that wraps a certificate error",
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
            )
            .into(),
            true,
        ),
        (
            "a certificate error itself",
            rustls::Error::InvalidCertificate(CertificateError::Expired).into(),
            true,
        ),
        (
            "a refused handshake",
            rustls::Error::AlertReceived(AlertDescription::HandshakeFailure).into(),
            false,
        ),
    ];
    for (case, e, expect) in &cases {
        check(case, &**e, *expect);
    }
}

#[cfg(feature = "blocking")]
#[tokio::test(flavor = "multi_thread")]
async fn the_blocking_client_tells_an_untrusted_certificate_too() {
    let (untrusted, _) = tls_server(&["localhost"]).await;
    let e = tokio::task::spawn_blocking(move || {
        let http = blocking_client(&opts(Redirects::None)).unwrap();
        http.get(untrusted).send().unwrap_err()
    })
    .await
    .unwrap();
    check("the blocking client, no trusted root", &e, true);
}

//! HTTPS with the certificate authority the emulator generates at start:
//! a client that trusts that CA (and nothing else) completes sign-in,
//! refresh and Graph calls; a client that does not trust it — the system
//! roots, or another emulator's CA — cannot connect at all.

use crate::common;

use std::time::Instant;

use common::{ANNA, ANNA_PW};
use m365_emulator::tls::{run_tls, TlsMaterial};
use m365_emulator::{EmulatorConfig, Shared};
use serde_json::Value;
use tokio::net::TcpListener;

struct HttpsServer {
    base_url: String,
    ca_pem: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_https() -> HttpsServer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let started = Instant::now();
    let tls = TlsMaterial::generate().expect("TLS material");
    let generated = started.elapsed();
    let shared = Shared::new(EmulatorConfig::default()).expect("emulator");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let ca_pem = tls.ca_pem.clone();
    tokio::spawn(async move {
        let _ = run_tls(listener, shared, &tls, async {
            let _ = rx.await;
        })
        .await;
    });
    let server = HttpsServer {
        base_url: format!("https://localhost:{port}"),
        ca_pem,
        _stop: tx,
    };
    // Startup time (reported, not asserted): CA + certificate generation,
    // the demo world, and the first answered request over TLS.
    let http = trusting(&server.ca_pem);
    let resp = http
        .get(format!(
            "{}/common/v2.0/.well-known/openid-configuration",
            server.base_url
        ))
        .send()
        .await
        .expect("first request over TLS");
    assert_eq!(resp.status(), 200);
    eprintln!(
        "https emulator: TLS material {:?}, ready and answering {:?}",
        generated,
        started.elapsed()
    );
    server
}

/// A client whose only trust anchor is `ca_pem`.
fn trusting(ca_pem: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM");
    common::no_redirects(reqwest::Client::builder().tls_certs_only([ca]))
}

#[tokio::test]
async fn a_client_trusting_the_generated_ca_signs_in_refreshes_and_calls_graph_over_https() {
    let server = start_https().await;
    let base = &server.base_url;
    assert!(server.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let http = trusting(&server.ca_pem);

    // Discovery names https endpoints on the emulator's host.
    let disco: Value = http
        .get(format!(
            "{base}/{}/v2.0/.well-known/openid-configuration",
            m365_emulator::world::demo::TENANT_ID
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for key in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
    ] {
        let v = disco[key].as_str().unwrap();
        assert!(v.starts_with(base.as_str()), "{key}: {v}");
    }

    let tokens = common::sign_in(&http, base, ANNA, ANNA_PW).await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = common::refresh(&http, base, rt).await;
    assert_eq!(status, 200);
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"]);

    let resp = http
        .get(format!("{base}/v1.0/me"))
        .bearer_auth(refreshed["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["userPrincipalName"], ANNA);
    assert!(me["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{base}/v1.0/$metadata")));
}

#[tokio::test]
async fn a_client_not_trusting_the_generated_ca_cannot_connect() {
    let server = start_https().await;
    let url = format!("{}/v1.0/me", server.base_url);

    // The system's trust store does not know the emulator's CA.
    let system = reqwest::Client::builder().build().unwrap();
    let err = system.get(&url).send().await.expect_err("untrusted CA");
    assert!(err.is_connect(), "{err}");

    // Nor does a client that trusts another emulator's CA.
    let other = TlsMaterial::generate().unwrap();
    assert_ne!(other.ca_pem, server.ca_pem, "a fresh CA per start");
    let err = trusting(&other.ca_pem)
        .get(&url)
        .send()
        .await
        .expect_err("another CA");
    assert!(err.is_connect(), "{err}");
}

#[tokio::test]
async fn plain_http_start_up_answers_at_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let started = Instant::now();
    let server = m365_emulator::TestServer::start(EmulatorConfig::default()).await;
    let resp = reqwest::get(format!(
        "{}/common/v2.0/.well-known/openid-configuration",
        server.base_url
    ))
    .await
    .expect("first request");
    assert_eq!(resp.status(), 200);
    let disco: Value = resp.json().await.unwrap();
    assert!(disco["issuer"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    // Reported, not asserted: a debug build on a shared machine varies.
    eprintln!("http emulator: ready and answering {:?}", started.elapsed());
}

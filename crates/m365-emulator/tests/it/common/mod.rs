//! Helpers shared by the integration tests that need a real sign-in (the
//! authorization-code flow with PKCE through the emulator's HTML pages) or
//! a scratch directory. Each test file uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use base64::Engine;
use m365_emulator::world::demo;
use serde_json::Value;
use sha2::Digest;

pub const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
pub const ANNA_PW: &str = "Demo-Anna-2026!";
pub const REDIRECT: &str = "http://localhost:53123/";
pub const VERIFIER: &str = "Zr8qL2vN5xT0bW7cY4mK1pH9sD6fJ3gA8eU5iO2nQ7tV0wX";
pub const SCOPES: &str =
    "openid profile offline_access User.Read Calendars.ReadWrite Tasks.ReadWrite Contacts.ReadWrite";

/// Install the `ring` crypto provider for rustls (reqwest is built with
/// `rustls-no-provider`); call before building any client.
pub fn crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A directory under the system temp dir, removed on drop (never the
/// home directory).
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(prefix: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        ScratchDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A client that does not follow redirects (the code arrives in one).
pub fn no_redirects(builder: reqwest::ClientBuilder) -> reqwest::Client {
    builder
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

fn between<'a>(body: &'a str, start: &str) -> &'a str {
    let at = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not on the page: {body}"))
        + start.len();
    let rest = &body[at..];
    &rest[..rest.find('"').expect("closing quote")]
}

/// Sign in as `upn` on the demo tenant with the demo public client,
/// accept consent, and return the authorization code from the redirect.
pub async fn authorization_code(http: &reqwest::Client, base: &str, upn: &str, pw: &str) -> String {
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(VERIFIER));
    let client_id = demo::PUBLIC_CLIENT_ID.to_string();
    let mut url = url::Url::parse(&format!(
        "{base}/{}/oauth2/v2.0/authorize",
        demo::TENANT_DOMAIN
    ))
    .unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", &client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("response_mode", "query")
        .append_pair("scope", SCOPES)
        .append_pair("state", "s-1")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let page = http
        .get(url)
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .unwrap();
    let mut form = vec![
        ("flow", between(&page, r#"name="flow" value=""#).to_string()),
        ("login", upn.to_string()),
        ("passwd", pw.to_string()),
    ];
    let mut action = between(&page, r#"<form method="post" action=""#).to_string();
    let mut cookie: Option<String> = None;
    for _ in 0..4 {
        let mut req = http.post(format!("{base}{action}")).form(&form);
        if let Some(c) = &cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.expect("sign-in page");
        for sc in resp.headers().get_all("set-cookie") {
            let pair = sc.to_str().unwrap().split(';').next().unwrap();
            if pair.starts_with("ESTSAUTH=") && pair != "ESTSAUTH=" {
                cookie = Some(pair.to_string());
            }
        }
        if resp.status() == 302 {
            let loc = resp.headers()["location"].to_str().unwrap().to_string();
            let loc = url::Url::parse(&loc).unwrap();
            assert!(loc.as_str().starts_with(REDIRECT), "{loc}");
            return loc
                .query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_else(|| panic!("no code in {loc}"));
        }
        let body = resp.text().await.unwrap();
        assert!(
            body.contains("acceptConsent"),
            "consent page expected: {body}"
        );
        form = vec![
            ("flow", between(&body, r#"name="flow" value=""#).to_string()),
            ("acceptConsent", "true".to_string()),
        ];
        action = between(&body, r#"<form method="post" action=""#).to_string();
    }
    panic!("the sign-in did not end in a redirect");
}

/// POST a form to the demo tenant's token endpoint; status and JSON body.
pub async fn token(http: &reqwest::Client, base: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = http
        .post(format!("{base}/{}/oauth2/v2.0/token", demo::TENANT_DOMAIN))
        .form(form)
        .send()
        .await
        .expect("token request");
    (
        resp.status().as_u16(),
        resp.json().await.expect("token JSON"),
    )
}

/// Redeem `code` as the demo public client.
pub async fn redeem(http: &reqwest::Client, base: &str, code: &str) -> (u16, Value) {
    let client_id = demo::PUBLIC_CLIENT_ID.to_string();
    token(
        http,
        base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

/// Redeem a refresh token as the demo public client.
pub async fn refresh(http: &reqwest::Client, base: &str, rt: &str) -> (u16, Value) {
    let client_id = demo::PUBLIC_CLIENT_ID.to_string();
    token(
        http,
        base,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", rt),
        ],
    )
    .await
}

/// A full sign-in of `upn`: the token response of the code redemption.
pub async fn sign_in(http: &reqwest::Client, base: &str, upn: &str, pw: &str) -> Value {
    let code = authorization_code(http, base, upn, pw).await;
    let (status, body) = redeem(http, base, &code).await;
    assert_eq!(status, 200, "code redemption failed");
    body
}

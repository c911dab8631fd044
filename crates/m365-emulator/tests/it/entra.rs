//! The emulated Entra ID v2 endpoints, driven as a browser and an OAuth
//! client would drive Microsoft's: HTML forms with a cookie we carry
//! ourselves, and form-encoded token requests. Each expectation comes from
//! Microsoft's documentation (see docs/emulator-entra.md).

use std::collections::HashMap;

use base64::Engine;
use m365_emulator::world::demo;
use m365_emulator::TestServer;
use serde_json::{json, Value};
use sha2::Digest;

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const ANNA_PW: &str = "Demo-Anna-2026!";
const JAMES: &str = "james.wright@kanzlei-demo.onmicrosoft.com";
const JAMES_PW: &str = "Demo-James-2026!";
const REDIRECT: &str = "http://localhost:53123/";
const VERIFIER: &str = "j1T3dM0cQ6w3nZ2cM9bXQy7V1sF8kP4rL0aE5uH2gN6tR9yW";
const SCOPES: &str =
    "openid profile offline_access User.Read Calendars.ReadWrite Tasks.ReadWrite Contacts.ReadWrite";
const DAY: i64 = 86_400;

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

struct Emu {
    server: TestServer,
    http: reqwest::Client,
}

#[derive(Debug)]
struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Page {
    /// The flow id of the page's form.
    fn flow(&self) -> String {
        let at = self
            .body
            .find(r#"name="flow" value=""#)
            .unwrap_or_else(|| panic!("no flow id on page: {}", self.body));
        let rest = &self.body[at + r#"name="flow" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }

    /// The form's action path.
    fn action(&self) -> String {
        let at = self
            .body
            .find(r#"<form method="post" action=""#)
            .expect("a form");
        let rest = &self.body[at + r#"<form method="post" action=""#.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }

    fn has(&self, needle: &str) -> bool {
        self.body.contains(needle)
    }

    /// Query parameters of the redirect.
    fn redirect_params(&self) -> HashMap<String, String> {
        let loc = self
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("no redirect: {self:?}"));
        let url = url::Url::parse(loc).unwrap();
        url.query_pairs().into_owned().collect()
    }
}

/// A browser: follows nothing by itself, keeps the `ESTSAUTH` cookie.
struct Browser {
    cookie: Option<String>,
}

impl Emu {
    async fn start() -> Emu {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let server = TestServer::start(Default::default()).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Emu { server, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    fn advance_days(&self, days: i64) {
        self.server.shared.world().clock.offset_seconds += days * DAY;
    }

    fn advance_seconds(&self, s: i64) {
        self.server.shared.world().clock.offset_seconds += s;
    }

    /// An authorize URL with Docket Sync's defaults, `extra` replacing
    /// parameters (an empty value drops one).
    fn authorize_url(&self, extra: &[(&str, &str)]) -> String {
        let ch = challenge(VERIFIER);
        let client = demo::PUBLIC_CLIENT_ID.to_string();
        let defaults = [
            ("client_id", client.as_str()),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("response_mode", "query"),
            ("scope", SCOPES),
            ("state", "state-123"),
            ("nonce", "nonce-456"),
            ("code_challenge", ch.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let mut url =
            url::Url::parse(&self.url(&format!("/{}/oauth2/v2.0/authorize", demo::TENANT_DOMAIN)))
                .unwrap();
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in defaults {
                if !extra.iter().any(|(ek, _)| *ek == k) {
                    q.append_pair(k, v);
                }
            }
            for (k, v) in extra.iter().filter(|(_, v)| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        url.to_string()
    }

    async fn page(&self, req: reqwest::RequestBuilder, b: &mut Browser) -> Page {
        let req = match &b.cookie {
            Some(c) => req.header("cookie", c.clone()),
            None => req,
        };
        let resp = req.send().await.unwrap();
        for sc in resp.headers().get_all("set-cookie") {
            let sc = sc.to_str().unwrap();
            let pair = sc.split(';').next().unwrap();
            if pair.starts_with("ESTSAUTH=") {
                b.cookie = (pair != "ESTSAUTH=").then(|| pair.to_string());
            }
        }
        Page {
            status: resp.status().as_u16(),
            location: resp
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string()),
            body: resp.text().await.unwrap(),
        }
    }

    async fn get(&self, b: &mut Browser, url: &str) -> Page {
        self.page(self.http.get(url), b).await
    }

    /// Submit the form of `page` with `fields` (the flow id is added).
    async fn submit(&self, b: &mut Browser, page: &Page, fields: &[(&str, &str)]) -> Page {
        let flow = page.flow();
        let mut form: Vec<(&str, &str)> = vec![("flow", flow.as_str())];
        form.extend_from_slice(fields);
        let url = self.url(&page.action());
        self.page(self.http.post(url).form(&form), b).await
    }

    /// Sign-in page → credentials → consent page → Accept → code.
    async fn sign_in_and_consent(&self, b: &mut Browser, upn: &str, pw: &str) -> String {
        let page = self.get(b, &self.authorize_url(&[])).await;
        assert!(page.has(r#"id="i0116""#), "sign-in page expected: {page:?}");
        let consent = self
            .submit(b, &page, &[("login", upn), ("passwd", pw)])
            .await;
        assert!(consent.has("Permissions requested"), "{consent:?}");
        let done = self.submit(b, &consent, &[("acceptConsent", "true")]).await;
        assert_eq!(done.status, 302, "{done:?}");
        done.redirect_params()["code"].clone()
    }

    async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let resp = self
            .http
            .post(self.url(&format!("/{}/oauth2/v2.0/token", demo::TENANT_DOMAIN)))
            .form(form)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn redeem(&self, code: &str) -> (u16, Value) {
        let client = demo::PUBLIC_CLIENT_ID.to_string();
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_info", "1"),
        ])
        .await
    }

    async fn refresh(&self, rt: &str) -> (u16, Value) {
        let client = demo::PUBLIC_CLIENT_ID.to_string();
        self.token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", rt),
        ])
        .await
    }

    /// A fresh sign-in of `upn` and its refresh token.
    async fn signed_in(&self, upn: &str, pw: &str) -> (Browser, String) {
        let mut b = Browser { cookie: None };
        let code = self.sign_in_and_consent(&mut b, upn, pw).await;
        let (status, body) = self.redeem(&code).await;
        assert_eq!(status, 200, "{body}");
        (b, body["refresh_token"].as_str().unwrap().to_string())
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn admin_get(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[track_caller]
fn assert_entra_error(got: &(u16, Value), status: u16, error: &str, code: u64) {
    let (s, body) = got;
    assert_eq!(*s, status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let desc = body["error_description"].as_str().unwrap();
    assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} missing: {body}");
    }
    assert!(body["error_uri"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/error?code={code}")));
}

fn jwt_claims(token: &str, jwks: &Value) -> Value {
    let key = &jwks["keys"][0];
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let dk = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.validate_aud = false;
    v.validate_exp = false;
    jsonwebtoken::decode::<Value>(token, &dk, &v)
        .unwrap()
        .claims
}

#[tokio::test]
async fn code_flow_with_pkce_issues_tokens_and_id_token_verifies_against_discovered_jwks() {
    let emu = Emu::start().await;
    let disco = emu
        .admin_get(&format!(
            "/{}/v2.0/.well-known/openid-configuration",
            demo::TENANT_DOMAIN
        ))
        .await;
    let tid = demo::TENANT_ID.to_string();
    assert_eq!(disco["issuer"], emu.url(&format!("/{tid}/v2.0")));
    assert_eq!(
        disco["authorization_endpoint"],
        emu.url(&format!("/{tid}/oauth2/v2.0/authorize"))
    );
    assert_eq!(
        disco["token_endpoint"],
        emu.url(&format!("/{tid}/oauth2/v2.0/token"))
    );
    assert!(disco["code_challenge_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("S256")));
    let jwks: Value = emu
        .http
        .get(disco["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let mut b = Browser { cookie: None };
    let page = emu.get(&mut b, &emu.authorize_url(&[])).await;
    assert_eq!(page.status, 200);
    assert!(page.has(r#"id="i0118" name="passwd""#) && page.has(r#"id="idSIButton9""#));
    let consent = emu
        .submit(&mut b, &page, &[("login", ANNA), ("passwd", ANNA_PW)])
        .await;
    assert!(b.cookie.is_some(), "a session cookie is set at sign-in");
    for scope in [
        "Calendars.ReadWrite",
        "Tasks.ReadWrite",
        "Contacts.ReadWrite",
        "offline_access",
    ] {
        assert!(
            consent.has(&format!(r#"data-scope="{scope}""#)),
            "{scope} listed"
        );
    }
    let done = emu
        .submit(&mut b, &consent, &[("acceptConsent", "true")])
        .await;
    assert_eq!(done.status, 302);
    assert!(done.location.as_ref().unwrap().starts_with(REDIRECT));
    let params = done.redirect_params();
    assert_eq!(params["state"], "state-123");

    let (status, body) = emu.redeem(&params["code"]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert!(body["ext_expires_in"].is_number());
    assert!(body["scope"]
        .as_str()
        .unwrap()
        .contains("Calendars.ReadWrite"));
    assert!(body["refresh_token"].is_string());
    let id = jwt_claims(body["id_token"].as_str().unwrap(), &jwks);
    assert_eq!(id["aud"], demo::PUBLIC_CLIENT_ID.to_string());
    assert_eq!(id["iss"], disco["issuer"]);
    assert_eq!(id["tid"], tid);
    assert_eq!(id["nonce"], "nonce-456");
    assert_eq!(id["preferred_username"], ANNA);
    assert_eq!(id["name"], "Anna Berger");
    assert_eq!(id["ver"], "2.0");
    assert!(id["sub"].is_string() && id["oid"].is_string());
    let access = jwt_claims(body["access_token"].as_str().unwrap(), &jwks);
    assert!(access["scp"].as_str().unwrap().contains("Tasks.ReadWrite"));
    let info = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body["client_info"].as_str().unwrap())
        .unwrap();
    let info: Value = serde_json::from_slice(&info).unwrap();
    assert_eq!(info, json!({"uid": id["oid"], "utid": tid}));
}

#[tokio::test]
async fn discovery_for_common_leaves_the_tenant_open_and_unknown_tenants_fail() {
    let emu = Emu::start().await;
    let disco = emu
        .admin_get("/common/v2.0/.well-known/openid-configuration")
        .await;
    assert_eq!(disco["issuer"], emu.url("/{tenantid}/v2.0"));
    assert_eq!(disco["jwks_uri"], emu.url("/common/discovery/v2.0/keys"));
    let resp = emu
        .http
        .get(emu.url("/nosuch.example/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    let got = (resp.status().as_u16(), resp.json::<Value>().await.unwrap());
    assert_entra_error(&got, 400, "invalid_request", 90002);
}

#[tokio::test]
async fn refresh_rotates_and_a_rotated_out_token_is_refused_unless_rotation_is_lenient() {
    let emu = Emu::start().await;
    let (_, rt1) = emu.signed_in(ANNA, ANNA_PW).await;
    let (status, body) = emu.refresh(&rt1).await;
    assert_eq!(status, 200, "{body}");
    let rt2 = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    assert!(body["id_token"].is_string());
    assert_entra_error(&emu.refresh(&rt1).await, 400, "invalid_grant", 70000);
    let (status, _) = emu.refresh(&rt2).await;
    assert_eq!(status, 200);

    emu.admin(
        "/_admin/entra/settings",
        json!({"strict_refresh_token_rotation": false}),
    )
    .await;
    let (status, _) = emu.refresh(&rt1).await;
    assert_eq!(status, 200, "Entra itself keeps old refresh tokens valid");
}

#[tokio::test]
async fn password_change_revokes_refresh_tokens_and_ends_the_browser_session() {
    let emu = Emu::start().await;
    let (mut b, rt) = emu.signed_in(ANNA, ANNA_PW).await;
    let grants = emu.admin_get("/_admin/grants").await;
    let anna = |g: &Value| {
        g["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user_principal_name"] == ANNA)
            .unwrap()["live_refresh_tokens"]
            .clone()
    };
    assert_eq!(anna(&grants), 1);
    assert!(
        !grants.to_string().contains(&rt),
        "no token values in the listing"
    );

    emu.advance_seconds(5);
    emu.admin(
        &format!("/_admin/users/{ANNA}/password"),
        json!({"password": "New-Anna-2026!"}),
    )
    .await;
    let got = emu.refresh(&rt).await;
    assert_entra_error(&got, 400, "invalid_grant", 50173);
    assert!(got.1["error_description"]
        .as_str()
        .unwrap()
        .contains("TokensValidFrom"));
    assert_eq!(anna(&emu.admin_get("/_admin/grants").await), 0);

    // No single sign-on any more: the sign-in page again, old password refused.
    let page = emu.get(&mut b, &emu.authorize_url(&[])).await;
    assert!(page.has(r#"id="i0116""#), "{page:?}");
    let again = emu
        .submit(&mut b, &page, &[("login", ANNA), ("passwd", ANNA_PW)])
        .await;
    assert!(again.has("AADSTS50126"));
    let ok = emu
        .submit(
            &mut b,
            &again,
            &[("login", ANNA), ("passwd", "New-Anna-2026!")],
        )
        .await;
    assert_eq!(ok.status, 302, "consent was kept: {ok:?}");
}

#[tokio::test]
async fn admin_revoke_sign_in_sessions_fails_refresh_with_50173() {
    let emu = Emu::start().await;
    let (_, rt) = emu.signed_in(JAMES, JAMES_PW).await;
    emu.advance_seconds(5);
    emu.admin(&format!("/_admin/users/{JAMES}/revoke-sessions"), json!({}))
        .await;
    assert_entra_error(&emu.refresh(&rt).await, 400, "invalid_grant", 50173);
}

#[tokio::test]
async fn refresh_token_unused_for_90_days_expires_with_700082() {
    let emu = Emu::start().await;
    let (_, rt) = emu.signed_in(ANNA, ANNA_PW).await;
    emu.advance_days(89);
    let (status, body) = emu.refresh(&rt).await;
    assert_eq!(status, 200, "used within 90 days: {body}");
    let rt2 = body["refresh_token"].as_str().unwrap().to_string();
    emu.advance_days(90);
    emu.advance_seconds(1);
    let got = emu.refresh(&rt2).await;
    assert_entra_error(&got, 400, "invalid_grant", 700082);
}

#[tokio::test]
async fn web_client_secret_missing_wrong_expired() {
    let emu = Emu::start().await;
    let mut b = Browser { cookie: None };
    let web = demo::WEB_CLIENT_ID.to_string();
    let url = emu.authorize_url(&[
        ("client_id", &web),
        ("redirect_uri", demo::WEB_REDIRECT_URI),
    ]);
    let page = emu.get(&mut b, &url).await;
    let consent = emu
        .submit(&mut b, &page, &[("login", ANNA), ("passwd", ANNA_PW)])
        .await;
    let done = emu
        .submit(&mut b, &consent, &[("acceptConsent", "true")])
        .await;
    let code = done.redirect_params()["code"].clone();
    let redeem_with = |secret: Option<String>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", web.clone()),
            ("code", code.clone()),
            ("redirect_uri", demo::WEB_REDIRECT_URI.to_string()),
            ("code_verifier", VERIFIER.to_string()),
        ];
        form.extend(secret.map(|s| ("client_secret", s)));
        let emu = &emu;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            emu.token(&pairs).await
        }
    };
    assert_entra_error(&redeem_with(None).await, 401, "invalid_client", 7000218);
    assert_entra_error(
        &redeem_with(Some("not-the-secret".into())).await,
        401,
        "invalid_client",
        7000215,
    );

    let key_id = "5ec2e700-0000-4000-8000-000000000001";
    emu.admin(
        &format!("/_admin/apps/{web}/secrets/{key_id}/expire"),
        json!({}),
    )
    .await;
    let expired = redeem_with(Some(demo::WEB_CLIENT_SECRET.into())).await;
    assert_entra_error(&expired, 401, "invalid_client", 7000222);
    assert!(
        !expired.1.to_string().contains(demo::WEB_CLIENT_SECRET),
        "no secret echoed"
    );

    let fresh = emu
        .admin(&format!("/_admin/apps/{web}/secrets"), json!({}))
        .await;
    let (status, body) = redeem_with(fresh["value"].as_str().map(String::from)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn public_client_must_not_send_a_secret() {
    let emu = Emu::start().await;
    let client = demo::PUBLIC_CLIENT_ID.to_string();
    let got = emu
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", "x"),
            ("client_secret", "s"),
        ])
        .await;
    assert_entra_error(&got, 401, "invalid_client", 700025);
}

#[tokio::test]
async fn pkce_mismatch_redirect_mismatch_and_replayed_code() {
    let emu = Emu::start().await;
    let mut b = Browser { cookie: None };
    let code = emu.sign_in_and_consent(&mut b, ANNA, ANNA_PW).await;
    let client = demo::PUBLIC_CLIENT_ID.to_string();
    let base = |verifier: &'static str, redirect: &'static str| {
        vec![
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ]
    };
    let wrong_verifier = "a-verifier-that-is-not-the-one-the-challenge-was-made-of";
    assert_entra_error(
        &emu.token(&base(wrong_verifier, REDIRECT)).await,
        400,
        "invalid_grant",
        501481,
    );
    assert_entra_error(
        &emu.token(&base(VERIFIER, "http://localhost:53124/")).await,
        400,
        "invalid_grant",
        50011,
    );
    let (status, _) = emu.token(&base(VERIFIER, REDIRECT)).await;
    assert_eq!(status, 200);
    assert_entra_error(
        &emu.token(&base(VERIFIER, REDIRECT)).await,
        400,
        "invalid_grant",
        54005,
    );
}

#[tokio::test]
async fn plain_pkce_is_accepted_and_codes_expire_after_10_minutes() {
    let emu = Emu::start().await;
    let mut b = Browser { cookie: None };
    let page = emu
        .get(
            &mut b,
            &emu.authorize_url(&[
                (
                    "code_challenge",
                    "plain-verifier-0123456789-0123456789-0123456789",
                ),
                ("code_challenge_method", "plain"),
            ]),
        )
        .await;
    let consent = emu
        .submit(&mut b, &page, &[("login", ANNA), ("passwd", ANNA_PW)])
        .await;
    let code = emu
        .submit(&mut b, &consent, &[("acceptConsent", "true")])
        .await
        .redirect_params()["code"]
        .clone();
    let client = demo::PUBLIC_CLIENT_ID.to_string();
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", client.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        (
            "code_verifier",
            "plain-verifier-0123456789-0123456789-0123456789",
        ),
    ];
    emu.advance_seconds(10 * 60 + 1);
    assert_entra_error(&emu.token(&form).await, 400, "invalid_grant", 70008);

    // A second sign-in (single sign-on now) redeemed in time works.
    let page = emu
        .get(
            &mut b,
            &emu.authorize_url(&[
                (
                    "code_challenge",
                    "plain-verifier-0123456789-0123456789-0123456789",
                ),
                ("code_challenge_method", "plain"),
            ]),
        )
        .await;
    assert_eq!(page.status, 302, "SSO: no page at all");
    let code = page.redirect_params()["code"].clone();
    let form = [form[0], form[1], ("code", code.as_str()), form[3], form[4]];
    assert_eq!(emu.token(&form).await.0, 200);
}

#[tokio::test]
async fn authorize_errors_are_pages_without_redirect() {
    let emu = Emu::start().await;
    let mut b = Browser { cookie: None };
    let unknown_app = emu
        .get(
            &mut b,
            &emu.authorize_url(&[("client_id", "11111111-2222-3333-4444-555555555555")]),
        )
        .await;
    assert!(unknown_app.location.is_none());
    assert!(unknown_app.has("AADSTS700016"), "{unknown_app:?}");

    let bad_redirect = emu
        .get(
            &mut b,
            &emu.authorize_url(&[("redirect_uri", "https://evil.example/cb")]),
        )
        .await;
    assert!(bad_redirect.location.is_none());
    assert!(bad_redirect.has("AADSTS50011"));

    let url = emu
        .authorize_url(&[])
        .replace(demo::TENANT_DOMAIN, "no-such-tenant.example");
    let unknown_tenant = emu.get(&mut b, &url).await;
    assert!(unknown_tenant.location.is_none());
    assert!(unknown_tenant.has("AADSTS90002"));
}

#[tokio::test]
async fn localhost_redirect_matches_on_any_port() {
    let emu = Emu::start().await;
    let mut b = Browser { cookie: None };
    let page = emu
        .get(
            &mut b,
            &emu.authorize_url(&[("redirect_uri", "http://127.0.0.1:61999")]),
        )
        .await;
    let consent = emu
        .submit(&mut b, &page, &[("login", ANNA), ("passwd", ANNA_PW)])
        .await;
    let done = emu
        .submit(&mut b, &consent, &[("acceptConsent", "true")])
        .await;
    // Registered as http://127.0.0.1; no path → answered with a trailing slash.
    assert!(done
        .location
        .unwrap()
        .starts_with("http://127.0.0.1:61999/?code="));
}

#[tokio::test]
async fn wrong_password_shows_an_error_and_lets_the_user_retry_with_login_hint_prefilled() {
    let emu = Emu::start().await;
    let mut b = Browser { cookie: None };
    let page = emu
        .get(&mut b, &emu.authorize_url(&[("login_hint", JAMES)]))
        .await;
    assert!(
        page.has(&format!(r#"name="login" value="{JAMES}""#)),
        "{page:?}"
    );
    let wrong = emu
        .submit(&mut b, &page, &[("login", JAMES), ("passwd", "nope")])
        .await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.has("AADSTS50126") && wrong.has(r#"id="i0118""#));
    assert!(b.cookie.is_none(), "no session after a failed sign-in");
    let consent = emu
        .submit(&mut b, &wrong, &[("login", JAMES), ("passwd", JAMES_PW)])
        .await;
    assert!(consent.has("Permissions requested"));
}

#[tokio::test]
async fn cancel_on_consent_redirects_with_access_denied_and_a_finished_flow_cannot_be_replayed() {
    let emu = Emu::start().await;
    let mut b = Browser { cookie: None };
    let page = emu.get(&mut b, &emu.authorize_url(&[])).await;
    let consent = emu
        .submit(&mut b, &page, &[("login", ANNA), ("passwd", ANNA_PW)])
        .await;
    assert!(consent.has(r#"id="idBtn_Back""#));
    let cancelled = emu
        .submit(&mut b, &consent, &[("acceptConsent", "false")])
        .await;
    let p = cancelled.redirect_params();
    assert_eq!(p["error"], "access_denied");
    assert!(p["error_description"].starts_with("AADSTS65004"));
    assert_eq!(p["state"], "state-123");
    let replay = emu
        .submit(&mut b, &consent, &[("acceptConsent", "true")])
        .await;
    assert!(
        replay.location.is_none() && replay.has("AADSTS50089"),
        "{replay:?}"
    );
}

#[tokio::test]
async fn prompt_none_login_select_account_and_consent() {
    let emu = Emu::start().await;
    let mut fresh = Browser { cookie: None };
    let none = emu
        .get(&mut fresh, &emu.authorize_url(&[("prompt", "none")]))
        .await;
    let p = none.redirect_params();
    assert_eq!(p["error"], "login_required");
    assert_eq!(p["state"], "state-123");

    let (mut b, _) = emu.signed_in(ANNA, ANNA_PW).await;
    let silent = emu
        .get(&mut b, &emu.authorize_url(&[("prompt", "none")]))
        .await;
    assert!(silent.redirect_params().contains_key("code"), "{silent:?}");

    let login = emu
        .get(&mut b, &emu.authorize_url(&[("prompt", "login")]))
        .await;
    assert!(login.has(r#"id="i0118""#), "credentials forced: {login:?}");

    let consent = emu
        .get(&mut b, &emu.authorize_url(&[("prompt", "consent")]))
        .await;
    assert!(consent.has("Permissions requested"), "{consent:?}");

    let picker = emu
        .get(&mut b, &emu.authorize_url(&[("prompt", "select_account")]))
        .await;
    assert!(
        picker.has(&format!(r#"value="{ANNA}""#)) && picker.has(r#"id="otherTile""#),
        "{picker:?}"
    );
    let picked = emu.submit(&mut b, &picker, &[("account", ANNA)]).await;
    assert_eq!(picked.status, 302);
    let picker = emu
        .get(&mut b, &emu.authorize_url(&[("prompt", "select_account")]))
        .await;
    let other = emu.submit(&mut b, &picker, &[("account", "")]).await;
    assert!(
        other.has(r#"id="i0116""#),
        "use another account → sign-in page"
    );
}

#[tokio::test]
async fn revoked_consent_fails_refresh_with_65001() {
    let emu = Emu::start().await;
    let (_, rt) = emu.signed_in(ANNA, ANNA_PW).await;
    let client = demo::PUBLIC_CLIENT_ID;
    emu.admin(
        "/_admin/consents/revoke",
        json!({"client_id": client, "upn": ANNA, "scopes": ["Contacts.ReadWrite"]}),
    )
    .await;
    let got = emu.refresh(&rt).await;
    assert_entra_error(&got, 400, "invalid_grant", 65001);
    assert_eq!(got.1["suberror"], "consent_required");

    // Tenant-wide admin consent covers it again.
    emu.admin(
        "/_admin/consents",
        json!({"client_id": client, "scopes": ["Contacts.ReadWrite"]}),
    )
    .await;
    assert_eq!(emu.refresh(&rt).await.0, 200);
}

#[tokio::test]
async fn mfa_policy_fails_refresh_with_50076_and_the_mfa_page_fixes_it() {
    let emu = Emu::start().await;
    let (mut b, rt) = emu.signed_in(ANNA, ANNA_PW).await;
    emu.admin(
        &format!("/_admin/users/{ANNA}/policy"),
        json!({"require_mfa": true}),
    )
    .await;
    assert_entra_error(&emu.refresh(&rt).await, 400, "invalid_grant", 50076);

    let silent = emu
        .get(&mut b, &emu.authorize_url(&[("prompt", "none")]))
        .await;
    assert_eq!(silent.redirect_params()["error"], "interaction_required");

    let mfa = emu.get(&mut b, &emu.authorize_url(&[])).await;
    assert!(mfa.has(r#"id="idTxtBx_SAOTCC_OTC""#), "{mfa:?}");
    let wrong = emu.submit(&mut b, &mfa, &[("otc", "000000")]).await;
    assert!(wrong.has("expected verification code"));
    let done = emu
        .submit(&mut b, &wrong, &[("otc", m365_emulator::entra::MFA_CODE)])
        .await;
    let code = done.redirect_params()["code"].clone();
    let (status, body) = emu.redeem(&code).await;
    assert_eq!(status, 200);
    assert_eq!(
        emu.refresh(body["refresh_token"].as_str().unwrap()).await.0,
        200
    );
}

#[tokio::test]
async fn conditional_access_block_fails_refresh_with_53003_and_shows_the_block_page() {
    let emu = Emu::start().await;
    let (mut b, rt) = emu.signed_in(ANNA, ANNA_PW).await;
    emu.admin(
        &format!("/_admin/users/{ANNA}/policy"),
        json!({"blocked_by_conditional_access": true}),
    )
    .await;
    assert_entra_error(&emu.refresh(&rt).await, 400, "invalid_grant", 53003);
    let page = emu.get(&mut b, &emu.authorize_url(&[])).await;
    assert!(
        page.location.is_none() && page.has("AADSTS53003"),
        "{page:?}"
    );
}

#[tokio::test]
async fn sign_in_frequency_fails_refresh_with_70043_stating_the_lifetime() {
    let emu = Emu::start().await;
    let (_, rt) = emu.signed_in(ANNA, ANNA_PW).await;
    emu.admin(
        &format!("/_admin/users/{ANNA}/policy"),
        json!({"sign_in_frequency_seconds": 3600}),
    )
    .await;
    let (status, body) = emu.refresh(&rt).await;
    assert_eq!(status, 200, "within the hour: {body}");
    emu.advance_seconds(3601);
    let got = emu.refresh(body["refresh_token"].as_str().unwrap()).await;
    assert_entra_error(&got, 400, "invalid_grant", 70043);
    assert!(got.1["error_description"]
        .as_str()
        .unwrap()
        .contains("the maximum allowed lifetime for this request is 3600."));
}

#[tokio::test]
async fn admin_minted_token_and_lifetime_setting() {
    let emu = Emu::start().await;
    emu.admin(
        "/_admin/entra/settings",
        json!({"access_token_lifetime_seconds": 600}),
    )
    .await;
    let minted = emu
        .admin(
            "/_admin/tokens",
            json!({"upn": JAMES, "scopes": ["Calendars.ReadWrite"]}),
        )
        .await;
    assert_eq!(minted["expires_in"], 600);
    let jwks: Value = emu.admin_get("/common/discovery/v2.0/keys").await;
    let claims = jwt_claims(minted["access_token"].as_str().unwrap(), &jwks);
    assert_eq!(claims["upn"], JAMES);
    assert_eq!(claims["scp"], "Calendars.ReadWrite");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let (_, rt) = emu.signed_in(ANNA, ANNA_PW).await;
    assert_eq!(emu.refresh(&rt).await.1["expires_in"], 600);
}

#[tokio::test]
async fn admin_creates_tenant_web_app_and_user_that_can_sign_in() {
    let emu = Emu::start().await;
    let t = emu
        .admin(
            "/_admin/tenants",
            json!({"display_name": "Other LLP", "domain": "other-llp.onmicrosoft.com"}),
        )
        .await;
    let tid = t["id"].as_str().unwrap().to_string();
    let app = emu
        .admin(&format!("/_admin/tenants/{tid}/apps"), json!({"display_name": "Sync", "platform": "public_client", "redirect_uris": ["http://localhost"]}))
        .await;
    assert!(app["secret"].is_null());
    emu.admin(
        &format!("/_admin/tenants/{tid}/users"),
        json!({"user_principal_name": "zoe@other-llp.onmicrosoft.com", "password": "Zoe-2026!"}),
    )
    .await;
    let client = app["client_id"].as_str().unwrap().to_string();
    let mut b = Browser { cookie: None };
    let url = emu
        .authorize_url(&[("client_id", &client)])
        .replace(demo::TENANT_DOMAIN, "organizations");
    let page = emu.get(&mut b, &url).await;
    // /organizations: the user's tenant is decided at sign-in.
    let consent = emu
        .submit(
            &mut b,
            &page,
            &[
                ("login", "zoe@other-llp.onmicrosoft.com"),
                ("passwd", "Zoe-2026!"),
            ],
        )
        .await;
    let done = emu
        .submit(&mut b, &consent, &[("acceptConsent", "true")])
        .await;
    assert!(done.redirect_params().contains_key("code"), "{done:?}");
    // The app is unknown in the demo tenant.
    let page = emu
        .get(&mut b, &emu.authorize_url(&[("client_id", &client)]))
        .await;
    assert!(page.has("AADSTS700016"));
}

/// <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>:
/// AADSTS700016 "Application with identifier '{appIdentifier}' was not
/// found in the directory" and AADSTS90002 for a tenant that does not
/// exist, both at the token endpoint.
#[tokio::test]
async fn token_endpoint_refuses_unknown_applications_and_tenants() {
    let emu = Emu::start().await;
    let unknown = "3f2c1d0e-9b8a-4c7d-8e6f-5a4b3c2d1e0f";
    let got = emu
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", unknown),
            ("refresh_token", "whatever"),
        ])
        .await;
    assert_entra_error(&got, 400, "unauthorized_client", 700016);
    assert!(got.1["error_description"]
        .as_str()
        .unwrap()
        .contains(unknown));

    let resp = emu
        .http
        .post(emu.url("/no-such-tenant.example/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &demo::PUBLIC_CLIENT_ID.to_string()),
            ("refresh_token", "whatever"),
        ])
        .send()
        .await
        .unwrap();
    let got = (resp.status().as_u16(), resp.json::<Value>().await.unwrap());
    assert_entra_error(&got, 400, "invalid_request", 90002);
}

/// An app registered through the admin API as a confidential ("Web")
/// client with its own redirect URI and a short-lived secret: the secret is
/// shown once, works at the token endpoint, and once it has expired the
/// token endpoint answers AADSTS7000222 as Entra does.
#[tokio::test]
async fn admin_registered_web_app_uses_its_secret_until_it_expires() {
    let emu = Emu::start().await;
    let redirect = "https://app.kanzlei-demo.example/auth/callback";
    let app = emu
        .admin(
            &format!("/_admin/tenants/{}/apps", demo::TENANT_ID),
            json!({"display_name": "Docket Sync (server)", "platform": "web",
                   "redirect_uris": [redirect], "secret_lifetime_seconds": 3600}),
        )
        .await;
    let client = app["client_id"].as_str().unwrap().to_string();
    let secret = app["secret"]["value"]
        .as_str()
        .expect("secret shown once")
        .to_string();
    let info = emu.admin_get("/_admin/info").await;
    assert!(
        !info.to_string().contains(&secret),
        "the secret is not shown again"
    );

    let mut b = Browser { cookie: None };
    let url = emu.authorize_url(&[("client_id", &client), ("redirect_uri", redirect)]);
    let page = emu.get(&mut b, &url).await;
    let consent = emu
        .submit(&mut b, &page, &[("login", ANNA), ("passwd", ANNA_PW)])
        .await;
    let done = emu
        .submit(&mut b, &consent, &[("acceptConsent", "true")])
        .await;
    assert!(done.location.as_deref().unwrap().starts_with(redirect));
    let code = done.redirect_params()["code"].clone();
    let (status, tokens) = emu
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(status, 200, "{}", tokens["error_codes"]);
    let rt = tokens["refresh_token"].as_str().unwrap().to_string();

    // An hour later the secret has expired: refresh fails on the client
    // authentication, before the refresh token is looked at.
    emu.advance_seconds(3601);
    let got = emu
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("refresh_token", &rt),
        ])
        .await;
    assert_entra_error(&got, 401, "invalid_client", 7000222);
}

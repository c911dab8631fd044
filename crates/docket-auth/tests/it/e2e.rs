//! End to end against the emulator's Entra endpoints: the product code
//! signs in through the real HTML pages (a reqwest "browser" stands in for
//! the system browser through the injected opener), redeems, refreshes
//! with rotation, meets a password change, and re-authenticates.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docket_auth::loopback::RedirectConfig;
use docket_auth::problem::{Class, ReAuthReason};
use docket_auth::tokens::{Attempt, RefreshError};
use docket_auth::{
    Account, Auth, AuthConfig, Browser, ClientType, PendingSignIn, SignInError, SignedIn,
    TokenManager,
};
use docket_secrets::{EntryKey, SecretStore, SecretString, StoreError};
use m365_emulator::world::{demo, DOCKET_SCOPES};
use m365_emulator::{EmulatorConfig, TestServer};
use serde_json::{json, Value};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const ANNA_PW: &str = "Demo-Anna-2026!";
const JAMES: &str = "james.wright@kanzlei-demo.onmicrosoft.com";
const JAMES_PW: &str = "Demo-James-2026!";

/// The in-test secret store; writes can be made to fail.
#[derive(Default)]
struct MemoryStore {
    entries: Mutex<HashMap<EntryKey, SecretString>>,
    fail_writes: AtomicBool,
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &EntryKey) -> Result<Option<SecretString>, StoreError> {
        Ok(self.entries.lock().expect("lock").get(key).cloned())
    }
    fn set(&self, key: &EntryKey, value: &SecretString) -> Result<(), StoreError> {
        if self.fail_writes.load(Ordering::SeqCst) {
            return Err(StoreError::Locked {
                detail: "test: keyring locked".into(),
            });
        }
        self.entries
            .lock()
            .expect("lock")
            .insert(key.clone(), value.clone());
        Ok(())
    }
    fn delete(&self, key: &EntryKey) -> Result<(), StoreError> {
        self.entries.lock().expect("lock").remove(key);
        Ok(())
    }
}

impl MemoryStore {
    fn value(&self, key: &EntryKey) -> Option<String> {
        self.get(key)
            .expect("get")
            .map(|s| s.expose_secret().to_string())
    }
}

/// The injected opener: records the URL the product wanted to open.
#[derive(Default, Clone)]
struct Capture(Arc<Mutex<Option<String>>>);

impl Browser for Capture {
    fn open(&self, url: &str) -> std::io::Result<()> {
        *self.0.lock().expect("lock") = Some(url.to_string());
        Ok(())
    }
}

impl Capture {
    fn url(&self) -> String {
        self.0
            .lock()
            .expect("lock")
            .clone()
            .expect("browser was opened")
    }
}

/// A stand-in browser: fills Microsoft's forms, keeps the session cookie.
struct StandIn {
    http: reqwest::Client,
    cookie: Option<String>,
}

struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

fn between<'a>(body: &'a str, start: &str) -> Option<&'a str> {
    let at = body.find(start)? + start.len();
    let rest = &body[at..];
    Some(&rest[..rest.find('"')?])
}

impl StandIn {
    fn new() -> StandIn {
        StandIn {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookie: None,
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", c.clone()),
            None => req,
        };
        let resp = req.send().await.expect("browser request");
        for sc in resp.headers().get_all("set-cookie") {
            let pair = sc.to_str().expect("cookie").split(';').next().unwrap_or("");
            if pair.starts_with("ESTSAUTH=") {
                self.cookie = (pair != "ESTSAUTH=").then(|| pair.to_string());
            }
        }
        Page {
            status: resp.status().as_u16(),
            location: resp
                .headers()
                .get("location")
                .map(|l| l.to_str().expect("location").to_string()),
            body: resp.text().await.expect("body"),
        }
    }

    /// Sign in as `upn` starting at `url`, accept consent, follow the
    /// redirect to the loopback listener; returns what the listener showed.
    async fn sign_in(&mut self, base: &str, url: &str, upn: &str, pw: &str) -> String {
        let mut page = self.send(self.http.get(url)).await;
        for _ in 0..8 {
            if page.status == 302 {
                let loc = page.location.clone().expect("location");
                if loc.starts_with(base) {
                    page = self.send(self.http.get(&loc)).await;
                    continue;
                }
                // The loopback redirect: the real browser would go there.
                let resp = reqwest::get(&loc).await.expect("loopback");
                return resp.text().await.expect("loopback page");
            }
            assert_eq!(page.status, 200, "{}", page.body);
            let flow = between(&page.body, r#"name="flow" value=""#)
                .unwrap_or_else(|| panic!("no form: {}", page.body))
                .to_string();
            let action = between(&page.body, r#"<form method="post" action=""#)
                .expect("action")
                .to_string();
            let mut form = vec![("flow", flow)];
            if page.body.contains(r#"id="i0116""#) {
                form.push(("login", upn.to_string()));
                form.push(("passwd", pw.to_string()));
            } else if page.body.contains(r#"name="account""#) {
                let mine = page.body.contains(&format!(r#"data-test-id="{upn}""#));
                form.push((
                    "account",
                    if mine { upn.to_string() } else { String::new() },
                ));
            } else if page.body.contains("idSIButton9") && page.body.contains("acceptConsent") {
                form.push(("acceptConsent", "true".to_string()));
            } else {
                panic!("unexpected page: {}", page.body);
            }
            page = self
                .send(self.http.post(format!("{base}{action}")).form(&form))
                .await;
        }
        panic!("sign-in did not finish");
    }
}

struct Fixture {
    emu: TestServer,
    store: Arc<MemoryStore>,
    auth: Auth,
    dir: tempfile::TempDir,
    browser: StandIn,
}

impl Fixture {
    async fn start() -> Fixture {
        Self::start_with(ClientType::Public, RedirectConfig::default()).await
    }

    async fn start_with(client_type: ClientType, redirect: RedirectConfig) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let emu = TestServer::start(EmulatorConfig {
            record_file: Some(dir.path().join("requests.jsonl")),
            ..Default::default()
        })
        .await;
        let client_id = match client_type {
            ClientType::Public => demo::PUBLIC_CLIENT_ID,
            ClientType::Confidential => demo::WEB_CLIENT_ID,
        };
        let mut cfg = AuthConfig::new(
            &emu.base_url,
            demo::TENANT_DOMAIN,
            &client_id.to_string(),
            DOCKET_SCOPES,
        );
        cfg.client_type = client_type;
        cfg.redirect = redirect;
        cfg.sign_in_timeout = Duration::from_secs(30);
        // The pages' words are asserted in English, whatever the machine's
        // language.
        cfg.lang = docket_text::Lang::En;
        let store = Arc::new(MemoryStore::default());
        let auth = Auth::new(
            cfg,
            docket_auth::http::client(None).expect("http"),
            store.clone(),
        );
        Fixture {
            emu,
            store,
            auth,
            dir,
            browser: StandIn::new(),
        }
    }

    /// One interactive sign-in through the product's flow.
    async fn sign_in(
        &mut self,
        reauth: Option<&Account>,
        upn: &str,
        pw: &str,
    ) -> (Result<SignedIn, SignInError>, String, String) {
        let pending =
            PendingSignIn::start(&self.auth, reauth, self.dir.path().join("locks/token.lock"))
                .expect("start");
        let opener = Capture::default();
        pending.open_browser(&opener).expect("open");
        let url = opener.url();
        assert_eq!(url, pending.url());
        let finish = tokio::spawn(pending.finish(std::future::pending()));
        let base = self.emu.base_url.clone();
        let shown = self.browser.sign_in(&base, &url, upn, pw).await;
        (finish.await.expect("join"), shown, url)
    }

    fn manager(&self, signed_in: SignedIn) -> TokenManager {
        TokenManager::new(
            self.auth.clone(),
            signed_in.account,
            self.dir.path().join("locks/token.lock"),
        )
        .with_access_token(signed_in.access_token)
    }

    fn rt_key(&self, account: &Account) -> EntryKey {
        self.auth.config.refresh_token_key(account)
    }

    async fn admin(&self, path: &str, body: Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}{path}", self.emu.base_url))
            .json(&body)
            .send()
            .await
            .expect("admin");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
    }

    /// Redeem `rt` directly, as a second client would.
    async fn raw_refresh(&self, rt: &str) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(self.auth.config.token_url())
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", self.auth.config.client_id.as_str()),
                ("refresh_token", rt),
            ])
            .send()
            .await
            .expect("token");
        (resp.status().as_u16(), resp.json().await.expect("json"))
    }

    fn token_requests(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("requests.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("/oauth2/v2.0/token"))
            .count()
    }

    async fn graph_me(&self, token: &str) -> u16 {
        reqwest::Client::new()
            .get(format!("{}/v1.0/me", self.emu.base_url))
            .bearer_auth(token)
            .send()
            .await
            .expect("graph")
            .status()
            .as_u16()
    }
}

#[tokio::test]
async fn sign_in_refresh_with_rotation_password_change_and_reauth() {
    let mut fx = Fixture::start().await;
    let (result, shown, url) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let signed_in = result.expect("signed in");
    assert!(shown.contains("Sign-in complete"), "{shown}");
    assert!(shown.contains(ANNA), "{shown}");
    assert!(url.contains("code_challenge_method=S256"));
    let account = signed_in.account.clone();
    assert_eq!(account.username, ANNA);
    let key = fx.rt_key(&account);
    let first_rt = fx.store.value(&key).expect("refresh token stored");
    assert_eq!(
        fx.graph_me(signed_in.access_token.expose_secret()).await,
        200
    );

    // Refresh: the rotated token is persisted and the old one is spent.
    let tokens = fx.manager(signed_in);
    let r = tokens.refresh().await.expect("refresh");
    assert!(r.rotated);
    assert_eq!(tokens.last_good_refresh(), Some(r.at));
    let second_rt = fx.store.value(&key).expect("stored");
    // Compared without printing: tokens never reach test output.
    assert!(first_rt != second_rt, "rotated token persisted");
    let (status, body) = fx.raw_refresh(&first_rt).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(fx.graph_me(r.access_token.expose_secret()).await, 200);
    tokens
        .refresh()
        .await
        .expect("refresh with the persisted token");

    // The password changes: the next refresh is a classified re-auth.
    fx.admin(
        &format!("/_admin/users/{ANNA}/password"),
        json!({"password": "Neu-Anna-2026!"}),
    )
    .await;
    let err = tokens.refresh().await.expect_err("revoked");
    let p = err.problem().expect("classified");
    assert_eq!(p.code, "reauth.password_changed");
    assert_eq!(p.aadsts, Some(50173));
    assert_eq!(
        p.class(),
        Class::ReAuth(ReAuthReason::PasswordChangedOrRevoked)
    );
    assert!(p.needs_sign_in());

    // Re-authenticate: select_account + login_hint, same account.
    let (result, shown, url) = fx.sign_in(Some(&account), ANNA, "Neu-Anna-2026!").await;
    let again = result.expect("re-authenticated");
    assert!(shown.contains("Sign-in complete"), "{shown}");
    let q: HashMap<String, String> = url::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["prompt"], "select_account");
    assert_eq!(q["login_hint"], ANNA);
    assert!(again.account.same_user(&account));
    let tokens = fx.manager(again);
    tokens.refresh().await.expect("refresh after re-auth");
}

#[tokio::test]
async fn reauth_as_another_account_is_refused_and_keeps_the_stored_token() {
    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let anna = result.expect("signed in").account;
    let before = fx.store.value(&fx.rt_key(&anna)).expect("stored");
    let (result, shown, _) = fx.sign_in(Some(&anna), JAMES, JAMES_PW).await;
    match result {
        Err(SignInError::AccountMismatch { expected, got }) => {
            assert_eq!((expected.as_str(), got.as_str()), (ANNA, JAMES));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert!(shown.contains("Sign-in did not complete"), "{shown}");
    assert!(!shown.contains("Sign-in complete"), "{shown}");
    assert!(
        fx.store.value(&fx.rt_key(&anna)) == Some(before),
        "the stored token was replaced"
    );
    let james_key = EntryKey {
        user: JAMES.into(),
        ..fx.rt_key(&anna)
    };
    assert_eq!(
        fx.store.value(&james_key),
        None,
        "no token for the other mailbox"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let signed_in = result.expect("signed in");
    // A manager without a cached token: every caller needs a refresh.
    let tokens = Arc::new(TokenManager::new(
        fx.auth.clone(),
        signed_in.account,
        fx.dir.path().join("token.lock"),
    ));
    let before = fx.token_requests();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let t = tokens.clone();
            tokio::spawn(async move { t.access_token().await })
        })
        .collect();
    let mut secrets = Vec::new();
    for c in calls {
        secrets.push(
            c.await
                .expect("join")
                .expect("token")
                .expose_secret()
                .to_string(),
        );
    }
    secrets.dedup();
    assert_eq!(secrets.len(), 1, "all callers got the same token");
    assert_eq!(fx.token_requests() - before, 1, "exactly one refresh");
}

#[tokio::test]
async fn two_processes_sharing_the_store_never_burn_each_others_token() {
    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let account = result.expect("signed in").account;
    // The tray and the CLI: separate managers, same store and lock file.
    let lock = fx.dir.path().join("token.lock");
    let tray = TokenManager::new(fx.auth.clone(), account.clone(), &lock);
    let cli = TokenManager::new(fx.auth.clone(), account, &lock);
    for round in 0..3 {
        let (a, b) = tokio::join!(tray.refresh(), cli.refresh());
        a.unwrap_or_else(|e| panic!("tray, round {round}: {e}"));
        b.unwrap_or_else(|e| panic!("cli, round {round}: {e}"));
    }
}

#[tokio::test]
async fn a_failed_store_write_fails_the_refresh() {
    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let tokens = fx.manager(result.expect("signed in"));
    fx.store.fail_writes.store(true, Ordering::SeqCst);
    let err = tokens.refresh().await.expect_err("persist failed");
    assert!(matches!(err, RefreshError::Persist(_)), "{err:?}");
    assert!(err.to_string().contains("could not be saved"), "{err}");
    assert_eq!(tokens.last_good_refresh(), None);
}

#[tokio::test]
async fn graph_401_refreshes_exactly_once_and_retries() {
    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let tokens = fx.manager(result.expect("signed in"));
    // Our clock says the token is good; Microsoft's clock is two hours
    // ahead, so Graph refuses it (clock skew, or revoked access tokens).
    fx.emu.shared.world().clock.offset_seconds += 2 * 3600;
    let before = fx.token_requests();
    let attempts = AtomicUsize::new(0);
    let status = tokens
        .with_token(|t| {
            attempts.fetch_add(1, Ordering::SeqCst);
            let fx = &fx;
            async move {
                match fx.graph_me(t.expose_secret()).await {
                    401 => Attempt::Unauthorized,
                    s => Attempt::Done(s),
                }
            }
        })
        .await
        .expect("retried");
    assert_eq!(status, 200);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(fx.token_requests() - before, 1);

    // A token Graph keeps refusing: one refresh, then a clear error.
    let attempts = AtomicUsize::new(0);
    let before = fx.token_requests();
    let r: Result<(), _> = tokens
        .with_token(|_| {
            attempts.fetch_add(1, Ordering::SeqCst);
            async { Attempt::Unauthorized }
        })
        .await;
    assert!(matches!(r, Err(RefreshError::StillUnauthorized)), "{r:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(fx.token_requests() - before, 1);
}

#[tokio::test]
async fn inactivity_and_sign_in_frequency_are_classified_and_the_window_learned() {
    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let tokens = fx.manager(result.expect("signed in"));
    fx.admin(
        &format!("/_admin/users/{ANNA}/policy"),
        json!({"sign_in_frequency_seconds": 3600}),
    )
    .await;
    fx.emu.shared.world().clock.offset_seconds += 2 * 3600;
    let err = tokens.refresh().await.expect_err("sign-in frequency");
    let p = err.problem().expect("classified");
    assert_eq!(p.code, "reauth.sign_in_frequency", "{p}");
    assert_eq!(
        docket_auth::keepalive::learned_sign_in_frequency(p),
        Some(chrono::Duration::hours(1)),
        "window learned from AADSTS70043"
    );

    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, JAMES, JAMES_PW).await;
    let tokens = fx.manager(result.expect("signed in"));
    fx.emu.shared.world().clock.offset_seconds += 91 * 86_400;
    let err = tokens.refresh().await.expect_err("inactive");
    let p = err.problem().expect("classified");
    assert_eq!((p.code, p.aadsts), ("reauth.inactivity", Some(700082)));
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_transient_not_a_credentials_problem() {
    let mut fx = Fixture::start().await;
    let (result, _, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let signed_in = result.expect("signed in");
    // Nothing listens on this port any more.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_url = format!("http://{}", dead.local_addr().expect("addr"));
    drop(dead);
    let mut cfg = (*fx.auth.config).clone();
    cfg.authority_host = dead_url;
    let offline = Auth::new(cfg, fx.auth.http.clone(), fx.store.clone());
    let tokens = TokenManager::new(offline, signed_in.account.clone(), fx.dir.path().join("l"));
    let err = tokens.refresh().await.expect_err("offline");
    let p = err.problem().expect("classified");
    assert_eq!(p.code, "transient.network", "{p}");
    assert!(!p.needs_sign_in());
    // The stored refresh token is untouched.
    assert!(fx.store.value(&fx.rt_key(&signed_in.account)).is_some());
}

#[tokio::test]
async fn confidential_client_sends_the_stored_secret_on_a_fixed_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let redirect =
        RedirectConfig::from_uri(&format!("http://localhost:{port}/authorize/")).expect("redirect");
    let mut fx = Fixture::start_with(ClientType::Confidential, redirect).await;

    // No secret stored: a clear local error, and the browser is told.
    let (result, shown, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    assert!(
        matches!(result, Err(SignInError::ClientSecretNotStored)),
        "{result:?}"
    );
    assert!(shown.contains("Sign-in did not complete"), "{shown}");

    fx.store
        .set(
            &fx.auth.config.client_secret_key(),
            &SecretString::new(demo::WEB_CLIENT_SECRET),
        )
        .expect("store secret");
    let (result, shown, _) = fx.sign_in(None, ANNA, ANNA_PW).await;
    let signed_in = result.expect("signed in");
    assert!(shown.contains("Sign-in complete"), "{shown}");
    let tokens = fx.manager(signed_in);
    tokens.refresh().await.expect("refresh with secret");

    // A wrong secret is an admin problem, not a sign-in loop.
    fx.store
        .set(
            &fx.auth.config.client_secret_key(),
            &SecretString::new("not-the-secret"),
        )
        .expect("store secret");
    let err = tokens.refresh().await.expect_err("bad secret");
    let p = err.problem().expect("classified");
    assert_eq!(
        (p.code, p.aadsts),
        ("admin.client_secret_invalid", Some(7000215))
    );
    assert_eq!(p.action(), docket_text::Action::SetClientSecret);
    let body = docket_text::Texts::new(docket_text::Lang::En).attr(&p.message(), "body");
    assert!(body.is_some_and(|b| b.contains("Certificates & secrets")));
}

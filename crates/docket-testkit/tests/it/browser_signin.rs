//! Sign-in end to end with real components, at the library level
//! (`docket-auth` + `docket-secrets`): the product opens "the system
//! browser" through `BROWSER` (a script that records the URL), a real
//! headless Chromium goes through the emulator's Entra pages, the refresh
//! token lands in the real Secret Service (gnome-keyring in
//! `scripts/test.sh`), and Graph `/me` answers with the token.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use docket_auth::problem::{Class, ReAuthReason};
use docket_auth::{
    Account, Auth, AuthConfig, PendingSignIn, SignedIn, SystemBrowser, TokenManager,
};
use docket_secrets::{account_name, KeyringStore, SecretStore};
use docket_testkit::{
    available, entra_sign_in, opened_urls, recording_browser, secret_tool_read, Chrome,
};
use m365_emulator::world::{demo, DOCKET_SCOPES};
use m365_emulator::{EmulatorConfig, TestServer};
use serde_json::{json, Value};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const ANNA_PW: &str = "Demo-Anna-2026!";

/// `BROWSER` is process-wide: one browser test at a time per process.
static BROWSER_ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Fixture {
    emu: TestServer,
    auth: Auth,
    store: Arc<KeyringStore>,
    dir: tempfile::TempDir,
    chrome: Chrome,
    opened: usize,
}

impl Fixture {
    /// `None` (skip) or a panic when a component is missing.
    async fn start() -> Option<Fixture> {
        available("the Secret Service", docket_testkit::secret_service())?;
        let chrome = available("Chromium + chromedriver", Chrome::start().await)?;
        let dir = tempfile::tempdir().expect("tempdir");
        // Its own tenant: the keyring is shared with the other tests, and
        // entries are per tenant, client and user.
        let tenant = uuid::Uuid::new_v4();
        let emu = TestServer::start(EmulatorConfig {
            tenant_id: Some(tenant),
            ..EmulatorConfig::default()
        })
        .await;
        let mut cfg = AuthConfig::new(
            &emu.base_url,
            &tenant.to_string(),
            &demo::PUBLIC_CLIENT_ID.to_string(),
            DOCKET_SCOPES,
        );
        cfg.sign_in_timeout = Duration::from_secs(60);
        // Own service name per test: never the app's entries, no clashes.
        let service = format!(
            "DocketSyncE2E-{}-{}",
            std::process::id(),
            dir.path().file_name().expect("name").to_string_lossy()
        );
        let store = Arc::new(KeyringStore::with_service(service));
        let auth = Auth::new(
            cfg,
            docket_auth::http::client(None).expect("http client"),
            store.clone(),
        );
        std::env::set_var("BROWSER", recording_browser(dir.path()));
        Some(Fixture {
            emu,
            auth,
            store,
            dir,
            chrome,
            opened: 0,
        })
    }

    /// Start a sign-in as the product does and return it with the URL the
    /// system browser (the `BROWSER` script) was asked to open.
    async fn start_sign_in(&mut self, reauth: Option<&Account>) -> (PendingSignIn, String) {
        let pending = PendingSignIn::start(&self.auth, reauth, self.dir.path().join("token.lock"))
            .expect("start sign-in");
        pending.open_browser(&SystemBrowser).expect("run BROWSER");
        self.opened += 1;
        let urls = opened_urls(self.dir.path(), self.opened, Duration::from_secs(10)).await;
        let url = urls
            .get(self.opened - 1)
            .cloned()
            .expect("the BROWSER command was run with the sign-in URL");
        assert_eq!(url, pending.url(), "BROWSER got the whole URL");
        (pending, url)
    }

    fn keyring_value(&self, account: &Account) -> Option<String> {
        let name = account_name(&self.auth.config.refresh_token_key(account));
        secret_tool_read(self.store.service(), &name)
    }

    fn manager(&self, signed_in: SignedIn) -> TokenManager {
        TokenManager::new(
            self.auth.clone(),
            signed_in.account,
            self.dir.path().join("token.lock"),
        )
        .with_access_token(signed_in.access_token)
    }

    async fn me(&self, token: &str) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .get(format!("{}/v1.0/me", self.emu.base_url))
            .bearer_auth(token)
            .send()
            .await
            .expect("Graph /me");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn cleanup(self, account: &Account) {
        let _ = docket_secrets::delete_account(
            self.store.as_ref(),
            &self.auth.config.tenant,
            &self.auth.config.client_id,
            &account.username,
        );
        self.chrome.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_browser_sign_in_keyring_graph_then_password_change_and_reauth() {
    let _env = BROWSER_ENV.lock().await;
    let Some(mut fx) = Fixture::start().await else {
        return;
    };

    // 1. Sign in through the real browser.
    let (pending, url) = fx.start_sign_in(None).await;
    assert!(url.contains("code_challenge_method=S256"), "PKCE S256");
    let finish = tokio::spawn(pending.finish(std::future::pending()));
    let visit = entra_sign_in(&fx.chrome, &url, ANNA, ANNA_PW).await;
    let signed_in = finish.await.expect("join").expect("signed in");
    assert!(visit.shown.contains("Sign-in complete"), "{}", visit.shown);
    let account = signed_in.account.clone();
    assert_eq!(account.username, ANNA);

    // The refresh token is in the real Secret Service: secret-tool (not
    // our code) finds it, and it is the one the store hands back.
    let in_keyring = fx
        .keyring_value(&account)
        .expect("refresh token in the keyring");
    let via_store = fx
        .store
        .get(&fx.auth.config.refresh_token_key(&account))
        .expect("read the store")
        .expect("stored");
    assert!(
        in_keyring == via_store.expose_secret(),
        "secret-tool reads the stored refresh token"
    );

    // Graph /me with the sign-in's access token.
    let (status, me) = fx.me(signed_in.access_token.expose_secret()).await;
    assert_eq!(status, 200);
    assert_eq!(me["id"].as_str(), Some(account.object_id.as_str()));

    // A refresh with the keyring's token rotates it in the keyring.
    let tokens = fx.manager(signed_in);
    let refreshed = tokens.refresh().await.expect("refresh from the keyring");
    assert!(refreshed.rotated);
    let rotated = fx.keyring_value(&account).expect("still in the keyring");
    assert!(
        rotated != in_keyring,
        "the rotated refresh token replaced the old one"
    );
    assert_eq!(fx.me(refreshed.access_token.expose_secret()).await.0, 200);

    // 2. IT resets the password: the next refresh says "sign in again".
    let resp = reqwest::Client::new()
        .post(format!("{}/_admin/users/{ANNA}/password", fx.emu.base_url))
        .json(&json!({"password": "Neu-Anna-2026!"}))
        .send()
        .await
        .expect("admin");
    assert!(resp.status().is_success(), "{}", resp.status());
    let err = tokens
        .refresh()
        .await
        .expect_err("the refresh token was revoked");
    let problem = err.problem().expect("classified");
    assert_eq!(problem.code, "reauth.password_changed");
    assert_eq!(problem.aadsts, Some(50173));
    assert_eq!(
        problem.class,
        Class::ReAuth(ReAuthReason::PasswordChangedOrRevoked)
    );

    // Re-authenticate in the real browser: the page knows the user.
    let (pending, url) = fx.start_sign_in(Some(&account)).await;
    let q: HashMap<String, String> = url::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q.get("prompt").map(String::as_str), Some("select_account"));
    assert_eq!(q.get("login_hint").map(String::as_str), Some(ANNA));
    let finish = tokio::spawn(pending.finish(std::future::pending()));
    let visit = entra_sign_in(&fx.chrome, &url, ANNA, "Neu-Anna-2026!").await;
    let again = finish.await.expect("join").expect("re-authenticated");
    assert!(visit.shown.contains("Sign-in complete"), "{}", visit.shown);
    assert_eq!(
        visit.prefilled.as_deref(),
        Some(ANNA),
        "login_hint pre-filled the user"
    );
    assert!(
        again.account.same_user(&account),
        "the same account continues"
    );
    let (status, me) = fx.me(again.access_token.expose_secret()).await;
    assert_eq!(status, 200);
    assert_eq!(me["id"].as_str(), Some(account.object_id.as_str()));
    let after = fx
        .keyring_value(&account)
        .expect("new refresh token in the keyring");
    assert!(
        after != rotated,
        "re-authentication stored a new refresh token"
    );
    let tokens = fx.manager(again);
    tokens
        .refresh()
        .await
        .expect("refresh after re-authentication");

    fx.cleanup(&account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_callbacks_during_a_real_browser_sign_in_do_not_complete_it() {
    let _env = BROWSER_ENV.lock().await;
    let Some(mut fx) = Fixture::start().await else {
        return;
    };
    let (pending, url) = fx.start_sign_in(None).await;
    let redirect = url::Url::parse(pending.redirect_uri()).expect("redirect uri");
    let port = redirect.port().expect("loopback port");
    let state = url::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let finish = tokio::spawn(pending.finish(std::future::pending()));

    // A local attacker (another process, a web page) fires callbacks first.
    let http = reqwest::Client::new();
    let forged = [
        format!("http://127.0.0.1:{port}/?code=attacker-code&state=forged-state"),
        format!("http://127.0.0.1:{port}/?error=access_denied&state=forged-state"),
        // The real state on another path (Entra matches the path exactly).
        format!("http://127.0.0.1:{port}/evil?code=attacker-code&state={state}"),
    ];
    for f in &forged {
        let status = http.get(f).send().await.expect("listener answers").status();
        assert_eq!(status.as_u16(), 400, "a forged callback was refused");
    }
    assert!(!finish.is_finished(), "a forged callback ended the sign-in");

    // The real browser's callback still completes it.
    let visit = entra_sign_in(&fx.chrome, &url, ANNA, ANNA_PW).await;
    let signed_in = finish
        .await
        .expect("join")
        .expect("signed in despite the forgeries");
    assert!(visit.shown.contains("Sign-in complete"), "{}", visit.shown);
    assert_eq!(fx.me(signed_in.access_token.expose_secret()).await.0, 200);
    fx.cleanup(&signed_in.account).await;
}

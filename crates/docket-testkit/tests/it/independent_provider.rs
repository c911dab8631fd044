//! Our OAuth client against an authorization server nobody here wrote:
//! panva's `oidc-provider` (tests/oidc-provider), with its endpoints taken
//! from its discovery document. If docket-auth only worked because the
//! emulator was written to suit it, this is where it shows: sign-in in a
//! real Chromium (PKCE S256 enforced, loopback port matching per RFC 8252
//! §7.3), refresh-token rotation (a new one each time; replaying an old one
//! is refused and revokes the grant), RFC 7009 revocation, and the
//! classification of plain `invalid_grant` answers (no AADSTS numbers).

use std::sync::Arc;
use std::time::Duration;

use docket_auth::problem::Class;
use docket_auth::tokens::RefreshError;
use docket_auth::{Account, Auth, AuthConfig, Endpoints, PendingSignIn, TokenManager};
use docket_secrets::{account_name, KeyringStore};
use docket_testkit::{available, oidc_provider_sign_in, secret_tool_read, Chrome, OidcProvider};
use serde_json::Value;

const LOGIN: &str = "fee.earner@firm.example";

struct Fixture {
    op: OidcProvider,
    auth: Auth,
    store: Arc<KeyringStore>,
    dir: tempfile::TempDir,
    chrome: Chrome,
}

impl Fixture {
    async fn start() -> Option<Fixture> {
        available("the Secret Service", docket_testkit::secret_service())?;
        let op = available("oidc-provider", OidcProvider::start().await)?;
        let chrome = available("Chromium + chromedriver", Chrome::start().await)?;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cfg = AuthConfig::new(
            &op.issuer,
            "e2e-tenant",
            &op.client_id,
            // Not offline_access: oidc-provider honours it only with
            // prompt=consent (see tests/oidc-provider/server.mjs).
            &["openid", "profile"],
        );
        cfg.endpoints = Some(Endpoints {
            authorize: op.endpoint("authorization_endpoint"),
            token: op.endpoint("token_endpoint"),
        });
        cfg.sign_in_timeout = Duration::from_secs(60);
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
        Some(Fixture {
            op,
            auth,
            store,
            dir,
            chrome,
        })
    }

    /// One interactive sign-in in Chromium; returns a token manager.
    async fn sign_in(&self) -> TokenManager {
        let pending = PendingSignIn::start(&self.auth, None, self.dir.path().join("token.lock"))
            .expect("start sign-in");
        let url = pending.url().to_string();
        let finish = tokio::spawn(pending.finish(std::future::pending()));
        let shown = oidc_provider_sign_in(&self.chrome, &url, LOGIN).await;
        let signed_in = finish
            .await
            .expect("join")
            .expect("signed in at oidc-provider");
        assert!(shown.contains("Sign-in complete"), "{shown}");
        assert_eq!(signed_in.account.username, LOGIN);
        assert_eq!(
            self.userinfo(signed_in.access_token.expose_secret())
                .await
                .0,
            200
        );
        TokenManager::new(
            self.auth.clone(),
            signed_in.account,
            self.dir.path().join("token.lock"),
        )
        .with_access_token(signed_in.access_token)
    }

    fn keyring_value(&self, account: &Account) -> String {
        let name = account_name(&self.auth.config.refresh_token_key(account));
        secret_tool_read(self.store.service(), &name).expect("refresh token in the keyring")
    }

    async fn userinfo(&self, token: &str) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .get(self.op.endpoint("userinfo_endpoint"))
            .bearer_auth(token)
            .send()
            .await
            .expect("userinfo");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A token request made by someone else with `refresh_token`.
    async fn raw_refresh(&self, refresh_token: &str) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(self.auth.config.token_url())
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", self.op.client_id.as_str()),
                ("refresh_token", refresh_token),
            ])
            .send()
            .await
            .expect("token endpoint");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

#[track_caller]
fn assert_reauth_needed(result: Result<docket_auth::Refreshed, RefreshError>) {
    let err = result.expect_err("the refresh must fail");
    let problem = err
        .problem()
        .unwrap_or_else(|| panic!("not classified: {err}"));
    assert!(
        matches!(problem.class, Class::ReAuth(_)),
        "plain invalid_grant means: sign in again, got {problem}"
    );
    assert_eq!(problem.code, "reauth.required");
    assert_eq!(problem.aadsts, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_rotation_replay_and_revocation_at_oidc_provider() {
    let Some(fx) = Fixture::start().await else {
        return;
    };

    // Sign-in in the real browser; the refresh token is in the keyring.
    let tokens = fx.sign_in().await;
    let account = tokens.account().clone();
    let (_, claims) = fx
        .userinfo(tokens.access_token().await.expect("cached").expose_secret())
        .await;
    assert_eq!(claims["sub"].as_str(), Some(LOGIN));
    let first = fx.keyring_value(&account);

    // Each refresh rotates: a new refresh token each time, persisted.
    let r1 = tokens.refresh().await.expect("first refresh");
    assert!(r1.rotated);
    let second = fx.keyring_value(&account);
    assert!(second != first, "rotated after the first refresh");
    assert_eq!(fx.userinfo(r1.access_token.expose_secret()).await.0, 200);
    let r2 = tokens.refresh().await.expect("second refresh");
    assert!(r2.rotated);
    let third = fx.keyring_value(&account);
    assert!(
        third != second && third != first,
        "rotated after the second refresh"
    );

    // The replaced token is refused; oidc-provider then revokes the whole
    // grant (reuse detection), so our current token is dead too and the
    // next refresh says "sign in again" (plain invalid_grant, no AADSTS).
    let (status, body) = fx.raw_refresh(&first).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_reauth_needed(tokens.refresh().await);
    assert!(
        fx.keyring_value(&account) == third,
        "a failed refresh keeps the stored token"
    );

    // Sign in again, then revoke the refresh token (RFC 7009).
    let tokens = fx.sign_in().await;
    let current = fx.keyring_value(&account);
    assert!(
        current != third,
        "the new sign-in stored a new refresh token"
    );
    let resp = reqwest::Client::new()
        .post(fx.op.endpoint("revocation_endpoint"))
        .form(&[
            ("token", current.as_str()),
            ("token_type_hint", "refresh_token"),
            ("client_id", fx.op.client_id.as_str()),
        ])
        .send()
        .await
        .expect("revocation endpoint");
    assert_eq!(resp.status().as_u16(), 200, "RFC 7009 revocation accepted");
    assert_reauth_needed(tokens.refresh().await);

    let _ = docket_secrets::delete_account(
        fx.store.as_ref(),
        &fx.auth.config.tenant,
        &fx.auth.config.client_id,
        &account.username,
    );
    fx.chrome.close().await;
}

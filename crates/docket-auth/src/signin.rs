//! Interactive sign-in: authorization code + PKCE (S256) in the system
//! browser, received on the loopback listener (RFC 8252, RFC 7636,
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>).
//!
//! Order of events, each step failing closed:
//! 1. bind the listener (port in use → error naming `microsoft.redirect_port`);
//! 2. build the URL: fresh 256-bit `state`, PKCE S256 verifier, `nonce`,
//!    `response_mode=query`; for re-authentication `prompt=select_account`
//!    and `login_hint=<signed-in user>`;
//! 3. open the system browser (the URL is also handed to the caller to
//!    print, for copy-paste when no browser opens);
//! 4. wait for the one valid callback (or the timeout);
//! 5. redeem the code; read the id_token (nonce, audience, oid, tid,
//!    preferred_username); refuse a different account on re-auth;
//! 6. store the refresh token — replacing the old one only now, under the
//!    cross-process token lock (a refresh running in the tray must not
//!    overwrite it with its rotated token of the old grant); after a UPN
//!    rename the entry under the old name is removed;
//! 7. only then tell the browser "sign-in complete".
//!
//! The id_token's signature is not checked: it comes straight from the
//! token endpoint over TLS, which OpenID Connect Core §3.1.3.7 accepts in
//! place of signature validation; it is used to name the account, not to
//! authorize anything.

use std::future::Future;
use std::path::PathBuf;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use docket_secrets::StoreError;
use docket_text::{Action, Message, Who};
use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope};
use serde::Deserialize;

use crate::browser::Browser;
use crate::loopback::{AuthResponse, ListenError, LoopbackListener};
use crate::oauth::{self, ExchangeError};
use crate::problem::{classify_redirect_error, Problem};
use crate::tokens::{FileLock, RefreshError};
use crate::{AccessToken, Account, Auth};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Listen(#[from] ListenError),
    /// The browser came back with `error=` (e.g. cancelled).
    #[error("the sign-in was not completed: {0}")]
    Denied(Problem),
    /// Redeeming the code failed.
    #[error("the sign-in could not be completed: {0}")]
    Token(Problem),
    #[error(
        "you signed in as {got}, but Docket Sync is set up for {expected}; nothing was changed. \
         Sign in again as {expected}, or sign out first to switch accounts"
    )]
    AccountMismatch { expected: String, got: String },
    #[error(
        "Microsoft returned no refresh token; the scope offline_access is missing from microsoft.scopes \
         or was not granted"
    )]
    NoRefreshToken,
    #[error("Microsoft's id_token could not be used: {0}")]
    IdToken(String),
    #[error(
        "the app is set up as a confidential (Web) client but no client secret is stored for it; \
         store the secret from the Azure portal (App registrations → Certificates & secrets)"
    )]
    ClientSecretNotStored,
    #[error("the refresh token could not be saved in the secret store, so the sign-in was not kept: {0}")]
    Store(#[source] StoreError),
    #[error("invalid sign-in configuration: {0}")]
    Config(String),
    /// The cross-process token lock could not be taken to store the new
    /// sign-in (another Docket Sync process held it too long, or the lock
    /// file is unusable). Nothing was stored.
    #[error("the sign-in could not be saved: {0}")]
    TokenLock(#[source] RefreshError),
}

impl SignInError {
    /// The classified problem, when there is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            SignInError::Denied(p) | SignInError::Token(p) => Some(p),
            _ => None,
        }
    }

    /// A stable code (`docs/cli.md` lists them): the problem's, else one
    /// per kind of failure.
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::Denied(p) | SignInError::Token(p) => p.code,
            SignInError::Listen(e) => e.code(),
            SignInError::AccountMismatch { .. } => "signin.account_mismatch",
            SignInError::NoRefreshToken => "signin.no_refresh_token",
            SignInError::IdToken(_) => "signin.id_token",
            SignInError::ClientSecretNotStored => "client_secret.not_stored",
            SignInError::Store(_) => "keyring.write_failed",
            SignInError::Config(_) => "config.invalid",
            SignInError::TokenLock(_) => "refresh.lock_timeout",
        }
    }

    /// What happened, for a person: the headline and `.body`.
    pub fn message(&self) -> Message {
        match self {
            SignInError::Denied(p) | SignInError::Token(p) => p.message(),
            SignInError::Listen(e) => e.message(),
            SignInError::AccountMismatch { expected, got } => {
                Message::new("auth-signin-account-mismatch")
                    .text("expected", expected.clone())
                    .text("got", got.clone())
            }
            SignInError::NoRefreshToken => Message::new("auth-signin-no-refresh-token"),
            SignInError::IdToken(_) => Message::new("auth-signin-id-token"),
            SignInError::ClientSecretNotStored => {
                Message::new("auth-signin-client-secret-not-stored")
            }
            SignInError::Store(_) => Message::new("auth-signin-store"),
            SignInError::Config(detail) => {
                Message::new("auth-signin-config").text("detail", detail.clone())
            }
            SignInError::TokenLock(_) => Message::new("auth-signin-lock"),
        }
    }

    /// The fix, as something to do.
    pub fn action(&self) -> Action {
        match self {
            SignInError::Denied(p) | SignInError::Token(p) => p.action(),
            SignInError::Listen(e) => e.action(),
            SignInError::AccountMismatch { .. } | SignInError::TokenLock(_) => Action::SignIn,
            SignInError::NoRefreshToken | SignInError::IdToken(_) => Action::EditConfig {
                key: "microsoft.scopes".into(),
            },
            SignInError::ClientSecretNotStored => Action::SetClientSecret,
            SignInError::Store(e) => crate::keyring_action(e),
            SignInError::Config(_) => Action::AskAdmin,
        }
    }

    /// Who must act.
    pub fn who(&self) -> Who {
        match self.problem() {
            Some(p) => p.who(),
            None => self.action().who(),
        }
    }
}

impl From<ExchangeError> for SignInError {
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::Problem(p) => SignInError::Token(p),
            ExchangeError::ClientSecretNotStored => SignInError::ClientSecretNotStored,
            ExchangeError::Store(e) => SignInError::Store(e),
            ExchangeError::Config(m) => SignInError::Config(m),
        }
    }
}

/// A completed sign-in. The refresh token is already in the store.
#[derive(Debug)]
pub struct SignedIn {
    pub account: Account,
    pub access_token: AccessToken,
    /// When the sign-in completed: the caller persists it as the last
    /// interactive sign-in and the last good refresh.
    pub signed_in_at: DateTime<Utc>,
}

/// A sign-in whose listener is bound and whose URL is ready.
pub struct PendingSignIn {
    auth: Auth,
    listener: LoopbackListener,
    url: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    nonce: CsrfToken,
    redirect_uri: String,
    reauth: Option<Account>,
    token_lock: PathBuf,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl PendingSignIn {
    /// Bind the listener and build the authorize URL. `reauth`: the
    /// signed-in account to re-authenticate (same account enforced).
    /// `token_lock`: the cross-process lock file the token manager uses
    /// (from `docket-paths`); the refresh token is written under it.
    pub fn start(
        auth: &Auth,
        reauth: Option<&Account>,
        token_lock: impl Into<PathBuf>,
    ) -> Result<PendingSignIn, SignInError> {
        let listener = LoopbackListener::bind(&auth.config.redirect)?.with_lang(auth.config.lang);
        let redirect_uri = listener.redirect_uri();
        let client = oauth::client(auth).map_err(SignInError::from)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random_len(32);
        let redirect = RedirectUrl::new(redirect_uri.clone())
            .map_err(|e| SignInError::Config(e.to_string()))?;
        let mut request = client
            .authorize_url(|| CsrfToken::new_random_len(32))
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .set_pkce_challenge(challenge)
            .add_scopes(auth.config.scopes.iter().cloned().map(Scope::new))
            .add_extra_param("response_mode", "query")
            .add_extra_param("nonce", nonce.secret().clone());
        if let Some(account) = reauth {
            request = request
                .add_extra_param("prompt", "select_account")
                .add_extra_param("login_hint", account.username.clone());
        }
        let (url, state) = request.url();
        Ok(PendingSignIn {
            auth: auth.clone(),
            listener,
            url: url.to_string(),
            state,
            verifier,
            nonce,
            redirect_uri,
            reauth: reauth.cloned(),
            token_lock: token_lock.into(),
        })
    }

    /// The URL to open (and to print for copy-paste). It holds no secret:
    /// `state` and the PKCE challenge are useless without the listener
    /// and the verifier.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Open the URL in the system (or injected) browser.
    pub fn open_browser(&self, browser: &dyn Browser) -> std::io::Result<()> {
        browser.open(&self.url)
    }

    /// Wait for the browser, redeem, check and store; answer the browser.
    /// `cancel`: completing it ends the wait with
    /// [`ListenError::Cancelled`] and frees the port (the tray's Cancel).
    pub async fn finish(self, cancel: impl Future<Output = ()>) -> Result<SignedIn, SignInError> {
        let PendingSignIn {
            auth,
            listener,
            state,
            verifier,
            nonce,
            redirect_uri,
            reauth,
            token_lock,
            ..
        } = self;
        let callback = listener
            .wait(state.secret(), auth.config.sign_in_timeout, cancel)
            .await?;
        let responder = callback.responder;
        let code = match callback.response {
            AuthResponse::Code(code) => code,
            AuthResponse::Error { error, .. } => {
                let problem = classify_redirect_error(&error);
                tracing::info!(
                    code = problem.code,
                    "the browser returned an error to the sign-in"
                );
                responder.failure(&problem).await;
                return Err(SignInError::Denied(problem));
            }
        };
        let tokens =
            match oauth::redeem_code(&auth, code.expose_secret(), verifier, &redirect_uri).await {
                Ok(t) => t,
                Err(ExchangeError::Problem(p)) => {
                    responder.failure(&p).await;
                    return Err(SignInError::Token(p));
                }
                Err(e) => {
                    let e = SignInError::from(e);
                    responder
                        .failure_message(&e.message(), Some(&e.action()))
                        .await;
                    return Err(e);
                }
            };
        let now = Utc::now();
        let account = match tokens
            .id_token
            .as_deref()
            .ok_or_else(|| "no id_token (is openid in microsoft.scopes?)".to_string())
            .and_then(|t| account_from_id_token(t, &auth.config.client_id, nonce.secret()))
        {
            Ok(a) => a,
            Err(m) => {
                let e = SignInError::IdToken(m);
                responder
                    .failure_message(&e.message(), Some(&e.action()))
                    .await;
                return Err(e);
            }
        };
        if let Some(expected) = &reauth {
            if !expected.same_user(&account) {
                let e = SignInError::AccountMismatch {
                    expected: expected.username.clone(),
                    got: account.username,
                };
                responder
                    .failure_message(&e.message(), Some(&e.action()))
                    .await;
                return Err(e);
            }
        }
        let Some(refresh_token) = tokens.refresh_token else {
            let e = SignInError::NoRefreshToken;
            responder
                .failure_message(&e.message(), Some(&e.action()))
                .await;
            return Err(e);
        };
        // Under the token lock, as a refresh writes: otherwise a refresh
        // running in another process (read old token, redeem, write
        // rotated) could overwrite this sign-in's token with one of the
        // old grant, undoing a re-authentication.
        let file_lock = match FileLock::acquire(&token_lock, auth.config.lock_timeout).await {
            Ok(l) => l,
            Err(e) => {
                let e = SignInError::TokenLock(e);
                responder
                    .failure_message(&e.message(), Some(&e.action()))
                    .await;
                return Err(e);
            }
        };
        let key = auth.config.refresh_token_key(&account);
        if let Err(e) = auth.store.set(&key, &refresh_token) {
            drop(file_lock);
            let e = SignInError::Store(e);
            responder
                .failure_message(&e.message(), Some(&e.action()))
                .await;
            return Err(e);
        }
        // Same user, new sign-in name (UPN rename): the key follows the
        // name, so the old, still valid refresh token would stay in the
        // keyring under the old name. Remove it, only after the new one
        // is stored (a failure here costs a stale entry, not the sign-in).
        if let Some(old) = reauth.as_ref() {
            let old_key = auth.config.refresh_token_key(old);
            if old_key != key {
                match auth.store.delete(&old_key) {
                    Ok(()) => tracing::info!(
                        old = %old.username,
                        new = %account.username,
                        "the sign-in name changed; removed the refresh token stored under the old name"
                    ),
                    Err(e) => tracing::warn!(
                        error = %e,
                        old = %old.username,
                        "the sign-in name changed; the refresh token under the old name could not be removed"
                    ),
                }
            }
        }
        drop(file_lock);
        responder.success(&account.username).await;
        let expires_at = oauth::expires_at(now, tokens.lifetime);
        Ok(SignedIn {
            account,
            access_token: AccessToken::new(tokens.access_token, expires_at, 0),
            signed_in_at: now,
        })
    }
}

/// The whole flow: start, hand the URL to `on_url` (print it), open the
/// browser (a failure to open is logged, not fatal: the URL was printed),
/// finish. `cancel`: see [`PendingSignIn::finish`].
pub async fn sign_in(
    auth: &Auth,
    reauth: Option<&Account>,
    token_lock: impl Into<PathBuf>,
    browser: &dyn Browser,
    on_url: impl FnOnce(&str),
    cancel: impl Future<Output = ()>,
) -> Result<SignedIn, SignInError> {
    let pending = PendingSignIn::start(auth, reauth, token_lock)?;
    on_url(pending.url());
    if let Err(e) = pending.open_browser(browser) {
        tracing::warn!(error = %e, "could not open the browser; the sign-in URL was printed instead");
    }
    pending.finish(cancel).await
}

#[derive(Deserialize)]
struct IdClaims {
    aud: String,
    #[serde(default)]
    nonce: Option<String>,
    oid: String,
    tid: String,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    upn: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// The account named by an id_token (payload only; see the module docs).
fn account_from_id_token(jwt: &str, client_id: &str, nonce: &str) -> Result<Account, String> {
    let payload = jwt.split('.').nth(1).ok_or("not a JWT")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| format!("payload is not base64url: {e}"))?;
    let claims: IdClaims =
        serde_json::from_slice(&bytes).map_err(|e| format!("unexpected claims: {e}"))?;
    if !claims.aud.eq_ignore_ascii_case(client_id) {
        return Err("issued to another application (aud)".into());
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err("nonce does not match this sign-in".into());
    }
    let username = claims
        .preferred_username
        .or(claims.upn)
        .ok_or("no preferred_username (is profile in microsoft.scopes?)")?;
    Ok(Account {
        object_id: claims.oid,
        tenant_id: claims.tid,
        username,
        name: claims.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: serde_json::Value) -> String {
        let enc = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.sig",
            enc(br#"{"alg":"RS256","typ":"JWT"}"#),
            enc(claims.to_string().as_bytes())
        )
    }

    #[track_caller]
    fn check(claims: serde_json::Value, expect: &str) {
        let got = match account_from_id_token(&jwt(claims), "client-1", "n-1") {
            Ok(a) => format!("{} {} {}", a.object_id, a.tenant_id, a.username),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expect);
    }

    #[test]
    fn id_token_claims() {
        let ok = serde_json::json!({"aud":"client-1","nonce":"n-1","oid":"o-1","tid":"t-1",
            "preferred_username":"anna@kanzlei.example","name":"Anna"});
        check(ok.clone(), "o-1 t-1 anna@kanzlei.example");
        let mut other_app = ok.clone();
        other_app["aud"] = "client-2".into();
        check(other_app, "error: issued to another application (aud)");
        let mut replay = ok.clone();
        replay["nonce"] = "n-0".into();
        check(replay, "error: nonce does not match this sign-in");
        let mut no_name = ok;
        no_name
            .as_object_mut()
            .expect("object")
            .remove("preferred_username");
        check(
            no_name,
            "error: no preferred_username (is profile in microsoft.scopes?)",
        );
    }
}

//! Signing a fee-earner in to Microsoft Entra ID and keeping them signed in.
//!
//! - [`signin`]: authorization code + PKCE S256 in the system browser, the
//!   code received on a [`loopback`] listener (RFC 8252), redeemed with the
//!   `oauth2` crate; re-authentication for the same account.
//! - [`tokens`]: access tokens in memory only; refresh ahead of expiry,
//!   the rotated refresh token persisted *before* the new access token is
//!   handed out, one refresh at a time in the process (single-flight) and
//!   across processes (a lock file), and "401 → one refresh, one retry".
//! - [`keepalive`]: pure functions for the daily keep-alive, inactivity
//!   and sign-in-frequency warnings, and client-secret expiry notices.
//! - [`problem`]: the classifier that turns a token-endpoint failure into
//!   who must act + a stable code + a message and a fix as data
//!   (`docket-text`; the words are in `locales/{en,de}/auth.ftl`).
//!
//! `docs/sign-in.md` explains the design and lists every problem code.

pub mod browser;
pub mod http;
pub mod keepalive;
pub mod loopback;
mod oauth;
mod pages;
pub mod problem;
pub mod signin;
pub mod tokens;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_secrets::{EntryKey, SecretKind, SecretStore, SecretString};
use serde::{Deserialize, Serialize};

pub use browser::{Browser, SystemBrowser};
pub use loopback::RedirectConfig;
pub use problem::{classify, Class, Problem, Who};
pub use signin::{PendingSignIn, SignInError, SignedIn};
pub use tokens::{Attempt, RefreshError, Refreshed, TokenManager};

/// English texts for `Display` (logs and developer errors); people see
/// messages rendered in their language by the front end.
pub(crate) fn english() -> &'static docket_text::Texts {
    static EN: std::sync::OnceLock<docket_text::Texts> = std::sync::OnceLock::new();
    EN.get_or_init(|| docket_text::Texts::new(docket_text::Lang::En))
}

/// How the app is registered ("Authentication" blade).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    /// "Mobile and desktop applications": no secret.
    Public,
    /// "Web": sends the client secret kept in the store
    /// ([`SecretKind::ClientSecret`], user `""`).
    Confidential,
}

/// Everything the sign-in needs to know; holds no secrets.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Scheme + host (+ port), no trailing slash, e.g.
    /// `https://login.microsoftonline.com` or the emulator's base URL.
    pub authority_host: String,
    /// The tenant as configured: a GUID or a verified domain.
    pub tenant: String,
    pub client_id: String,
    /// Explicit endpoints, e.g. from another provider's discovery
    /// document; `None` (the default) derives Entra's v2.0 endpoints from
    /// `authority_host` and `tenant`.
    pub endpoints: Option<Endpoints>,
    pub client_type: ClientType,
    pub scopes: Vec<String>,
    pub redirect: RedirectConfig,
    /// How long to wait for the browser (default 5 minutes).
    pub sign_in_timeout: Duration,
    /// Refresh this long before the access token expires (default 5 min).
    pub refresh_margin: chrono::Duration,
    /// How long to wait for another process's refresh or sign-in
    /// (default [`tokens::LOCK_WAIT`], longer than a whole token request).
    pub lock_timeout: Duration,
}

impl AuthConfig {
    /// Defaults for everything but the registration.
    pub fn new(authority_host: &str, tenant: &str, client_id: &str, scopes: &[&str]) -> Self {
        AuthConfig {
            authority_host: authority_host.trim_end_matches('/').to_string(),
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
            endpoints: None,
            client_type: ClientType::Public,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            redirect: RedirectConfig::default(),
            sign_in_timeout: Duration::from_secs(5 * 60),
            refresh_margin: chrono::Duration::minutes(5),
            lock_timeout: tokens::LOCK_WAIT,
        }
    }

    /// The authorization endpoint: the explicit one, else
    /// `{authority_host}/{tenant}/oauth2/v2.0/authorize`.
    pub fn authorize_url(&self) -> String {
        match &self.endpoints {
            Some(e) => e.authorize.clone(),
            None => format!(
                "{}/{}/oauth2/v2.0/authorize",
                self.authority_host, self.tenant
            ),
        }
    }

    /// The token endpoint: the explicit one, else
    /// `{authority_host}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        match &self.endpoints {
            Some(e) => e.token.clone(),
            None => format!("{}/{}/oauth2/v2.0/token", self.authority_host, self.tenant),
        }
    }

    /// Where `account`'s refresh token lives in the store.
    pub fn refresh_token_key(&self, account: &Account) -> EntryKey {
        EntryKey {
            tenant: self.tenant.clone(),
            client_id: self.client_id.clone(),
            user: account.username.to_ascii_lowercase(),
            kind: SecretKind::RefreshToken,
        }
    }

    /// Where the confidential client's secret lives in the store.
    pub fn client_secret_key(&self) -> EntryKey {
        EntryKey {
            tenant: self.tenant.clone(),
            client_id: self.client_id.clone(),
            user: String::new(),
            kind: SecretKind::ClientSecret,
        }
    }
}

/// Authorization and token endpoint URLs given explicitly (RFC 8414 /
/// OpenID discovery `authorization_endpoint` and `token_endpoint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
}

/// The signed-in account, from the id_token. Not secret: the caller
/// persists it (state file) to know whom to refresh and re-authenticate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// `oid`: the user's object id, stable across renames.
    pub object_id: String,
    /// `tid`: the user's tenant id.
    pub tenant_id: String,
    /// `preferred_username`: the sign-in name (UPN), for display and
    /// `login_hint`.
    pub username: String,
    /// `name`, for display.
    #[serde(default)]
    pub name: Option<String>,
}

impl Account {
    /// Same mailbox? (Object id and tenant; a renamed UPN is the same user.)
    pub fn same_user(&self, other: &Account) -> bool {
        self.object_id == other.object_id && self.tenant_id == other.tenant_id
    }
}

/// An access token, in memory only. Redacted `Debug`, no `PartialEq`.
#[derive(Clone)]
pub struct AccessToken {
    secret: SecretString,
    expires_at: DateTime<Utc>,
    /// Which refresh produced it (single-flight bookkeeping).
    generation: u64,
}

impl AccessToken {
    pub(crate) fn new(secret: SecretString, expires_at: DateTime<Utc>, generation: u64) -> Self {
        AccessToken {
            secret,
            expires_at,
            generation,
        }
    }

    /// The bearer token. Only hand it to the Authorization header.
    pub fn expose_secret(&self) -> &str {
        self.secret.expose_secret()
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The sign-in's context: configuration, HTTP client and secret store.
/// Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    pub config: Arc<AuthConfig>,
    pub http: reqwest::Client,
    pub store: Arc<dyn SecretStore>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Auth {
    pub fn new(config: AuthConfig, http: reqwest::Client, store: Arc<dyn SecretStore>) -> Auth {
        Auth {
            config: Arc::new(config),
            http,
            store,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(endpoints: Option<Endpoints>, expect: [&str; 2]) {
        let mut cfg = AuthConfig::new("https://login.example/", "contoso.example", "c", &[]);
        cfg.endpoints = endpoints;
        assert_eq!([cfg.authorize_url(), cfg.token_url()], expect);
    }

    #[test]
    fn endpoints_default_to_entra_and_can_be_given() {
        check(
            None,
            [
                "https://login.example/contoso.example/oauth2/v2.0/authorize",
                "https://login.example/contoso.example/oauth2/v2.0/token",
            ],
        );
        check(
            Some(Endpoints {
                authorize: "http://127.0.0.1:9/auth".into(),
                token: "http://127.0.0.1:9/token".into(),
            }),
            ["http://127.0.0.1:9/auth", "http://127.0.0.1:9/token"],
        );
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let t = AccessToken::new(SecretString::new("eyJ-very-secret"), Utc::now(), 0);
        assert!(!format!("{t:?}").contains("very-secret"));
    }
}

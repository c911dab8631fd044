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
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_secrets::{EntryKey, SecretKind, SecretStore, SecretString};
use docket_text::Lang;
use serde::{Deserialize, Serialize};

pub use browser::{Browser, SystemBrowser};
pub use loopback::RedirectConfig;
pub use problem::{classify, Class, Problem};
pub use signin::{PendingSignIn, SignInError, SignedIn};
pub use tokens::{Attempt, RefreshError, Refreshed, TokenManager};

/// The catalogues of `lang`, loaded once (the browser pages).
pub(crate) fn texts(lang: Lang) -> &'static docket_text::Texts {
    static EN: OnceLock<docket_text::Texts> = OnceLock::new();
    static DE: OnceLock<docket_text::Texts> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::De => &DE,
    };
    cell.get_or_init(|| docket_text::Texts::new(lang))
}

/// English texts for `Display` (logs and developer errors); people see
/// messages rendered in their language by the front end.
pub(crate) fn english() -> &'static docket_text::Texts {
    texts(Lang::En)
}

/// The fix for a secret store that failed: unlock a locked keyring; a
/// stored sign-in that cannot be read back whole is replaced by signing in
/// again (the user's to do: the keyring works); otherwise IT provides a
/// keyring (or allows the token file).
pub(crate) fn keyring_action(e: &docket_secrets::StoreError) -> docket_text::Action {
    match e {
        docket_secrets::StoreError::Locked { .. } => docket_text::Action::UnlockKeyring,
        docket_secrets::StoreError::Corrupt { .. } => docket_text::Action::SignIn,
        _ => docket_text::Action::ProvideKeyring,
    }
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
    /// The language of the pages the browser shows after the sign-in
    /// (default: the system's, [`Lang::from_system`]).
    pub lang: Lang,
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
            lang: Lang::from_system(),
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

    /// One of every sign-in and refresh failure that is not a classified
    /// problem.
    fn failures() -> Vec<(&'static str, docket_text::Message, docket_text::Action)> {
        use crate::loopback::ListenError;
        use docket_secrets::StoreError;
        let locked = || StoreError::Locked { detail: "x".into() };
        let io = || std::io::Error::other("denied");
        let listen = [
            ListenError::PortInUse { port: 50993 },
            ListenError::Bind {
                port: 1,
                source: io(),
            },
            ListenError::BadRedirectUri {
                uri: "http://x/".into(),
                reason: "the host must be localhost or 127.0.0.1".into(),
            },
            ListenError::TimedOut(Duration::from_secs(300)),
            ListenError::Cancelled,
            ListenError::Server("x".into()),
        ];
        let refresh = || {
            vec![
                RefreshError::NotSignedIn {
                    user: "anna@kanzlei.example".into(),
                },
                RefreshError::Persist(locked()),
                RefreshError::Store(StoreError::Unavailable { detail: "x".into() }),
                RefreshError::LockTimeout {
                    path: "/tmp/token.lock".into(),
                    seconds: 60,
                },
                RefreshError::Lock {
                    path: "/tmp/token.lock".into(),
                    source: io(),
                },
                RefreshError::ClientSecretNotStored,
                RefreshError::Config("x".into()),
                RefreshError::StillUnauthorized,
            ]
        };
        let mut out = vec![];
        for e in listen {
            out.push((e.code(), e.message(), e.action()));
        }
        for e in refresh() {
            out.push((e.code(), e.message(), e.action()));
        }
        let signin = [
            SignInError::AccountMismatch {
                expected: "anna@kanzlei.example".into(),
                got: "anna@privat.example".into(),
            },
            SignInError::NoRefreshToken,
            SignInError::IdToken("x".into()),
            SignInError::ClientSecretNotStored,
            SignInError::Store(locked()),
            SignInError::Config("x".into()),
            SignInError::TokenLock(RefreshError::LockTimeout {
                path: "/tmp/token.lock".into(),
                seconds: 60,
            }),
        ];
        for e in signin {
            out.push((e.code(), e.message(), e.action()));
        }
        out
    }

    #[test]
    fn every_sign_in_failure_has_its_words_in_english_and_german() {
        for lang in docket_text::Lang::ALL {
            let t = docket_text::Texts::new(lang);
            for (code, m, action) in failures() {
                assert!(t.has(&m.id, None), "{lang}: {} ({code})", m.id);
                assert!(t.has(&m.id, Some("body")), "{lang}: {}.body ({code})", m.id);
                let all = format!("{} {:?}", t.render(&m), t.attr(&m, "body"));
                assert!(!all.contains("{$"), "{lang}: {all}");
                assert!(t.has(&action.label().id, None), "{lang}: {action:?}");
            }
        }
    }

    #[test]
    fn sign_in_failures_read_as_a_person_sees_them() {
        #[track_caller]
        fn check(lang: docket_text::Lang, code: &str, expect: [&str; 3]) {
            let t = docket_text::Texts::new(lang);
            let (_, m, action) = failures()
                .into_iter()
                .find(|(c, ..)| *c == code)
                .expect(code);
            let got = [
                t.render(&m),
                t.attr(&m, "body").unwrap_or_default(),
                t.render(&action.label()),
            ];
            assert_eq!(got, expect, "{lang} {code}");
        }
        use docket_text::Lang::{De, En};
        check(
            En,
            "signin.account_mismatch",
            [
                "Signed in with another account",
                "You signed in as anna@privat.example, but Docket Sync is set up for anna@kanzlei.example. Nothing was changed: sign in again as anna@kanzlei.example, or sign out first to switch accounts.",
                "Sign in again",
            ],
        );
        check(
            De,
            "signin.account_mismatch",
            [
                "Mit einem anderen Konto angemeldet",
                "Sie haben sich als anna@privat.example angemeldet, Docket Sync ist aber für anna@kanzlei.example eingerichtet. Es wurde nichts geändert: Melden Sie sich erneut als anna@kanzlei.example an, oder melden Sie sich zuerst ab, um das Konto zu wechseln.",
                "Erneut anmelden",
            ],
        );
        check(
            De,
            "signin.timed_out",
            [
                "Anmeldung nicht rechtzeitig abgeschlossen",
                "Die Anmeldung wurde nicht innerhalb von 5 Minuten im Browser abgeschlossen. Starten Sie die Anmeldung erneut und schließen Sie sie im Browser ab.",
                "Erneut anmelden",
            ],
        );
        check(
            En,
            "signin.port_in_use",
            [
                "Sign-in port in use",
                "Port 50993 on this computer is already in use by another program, so the sign-in cannot receive Microsoft's answer. Close the program using it, or IT sets microsoft.redirect_port (and the redirect URI registered for the app) to a free port.",
                "IT: change microsoft.redirect_port in the configuration file",
            ],
        );
        check(
            De,
            "keyring.write_failed",
            [
                "Erneuerte Anmeldung nicht gespeichert",
                "Microsoft hat die Anmeldung erneuert, der Schlüsselbund dieses Computers hat sie aber nicht angenommen; sie wurde daher nicht verwendet.",
                "Schlüsselbund des Systems entsperren (oder normal am Computer anmelden)",
            ],
        );
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let t = AccessToken::new(SecretString::new("eyJ-very-secret"), Utc::now(), 0);
        assert!(!format!("{t:?}").contains("very-secret"));
    }
}

//! Entra ID v2 endpoints, served under the same paths as
//! `login.microsoftonline.com` (only the host differs):
//!
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration`, `GET
//!   /{tenant}/discovery/v2.0/keys` (`discovery`);
//! - `GET /{tenant}/oauth2/v2.0/authorize` and the HTML sign-in, account
//!   picker, MFA and consent pages it leads to (`authorize`, `pages`);
//! - `POST /{tenant}/oauth2/v2.0/token` (`token`);
//! - `GET /{tenant}/oauth2/v2.0/logout`;
//! - `/_admin/...` identity control routes (`admin`).
//!
//! Decisions are pure and table-tested: which page comes next (`flow`),
//! whether a code or refresh token is still good (`grant`), whether a
//! redirect URI matches (`redirect`). The AADSTS catalogue is `errors`.
//!
//! Tokens, codes and session cookies are stored only as SHA-256 hashes,
//! so a persisted state file holds nothing a client could replay.

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use uuid::Uuid;

use crate::Shared;

pub mod admin;
mod authorize;
mod discovery;
pub mod errors;
mod flow;
mod grant;
mod pages;
pub mod redirect;
mod token;

pub use pages::MFA_CODE;

/// Authorization codes, refresh tokens, sign-in flows and browser sessions,
/// plus the Entra-side emulator settings.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Grants {
    #[serde(default)]
    pub settings: EntraSettings,
    /// Pending authorize flows by flow id (the id is in every form).
    #[serde(default)]
    pub(crate) flows: BTreeMap<String, Flow>,
    /// Authorization codes by SHA-256 of the code.
    #[serde(default)]
    pub(crate) codes: BTreeMap<String, AuthCode>,
    /// Refresh tokens by SHA-256 of the token, retired ones included (so
    /// that reuse is recognised).
    #[serde(default)]
    pub(crate) refresh_tokens: BTreeMap<String, RefreshGrant>,
    /// Browser sessions by SHA-256 of the session cookie.
    #[serde(default)]
    pub(crate) sessions: BTreeMap<String, BrowserSession>,
    /// Per user: tokens issued for a sign-in before this instant are
    /// revoked (Entra's `signInSessionsValidFromDateTime`).
    #[serde(default)]
    pub(crate) tokens_valid_from: BTreeMap<Uuid, DateTime<Utc>>,
}

/// Switches an admin can flip (`POST /_admin/entra/settings`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntraSettings {
    /// Access-token lifetime in seconds (`expires_in`). Entra's default is
    /// a random 60–90 minutes; the emulator uses a fixed 3600.
    pub access_token_lifetime_seconds: i64,
    /// Retire a refresh token as soon as it has been redeemed. Real Entra
    /// keeps the old one valid; strict mode catches clients that do not
    /// persist the rotated token.
    pub strict_refresh_token_rotation: bool,
}

impl Default for EntraSettings {
    fn default() -> Self {
        EntraSettings {
            access_token_lifetime_seconds: 3600,
            strict_refresh_token_rotation: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Prompt {
    Login,
    None,
    Consent,
    SelectAccount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Pkce {
    S256,
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// A validated authorize request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuthRequest {
    /// The `{tenant}` path segment as the client sent it.
    pub tenant_segment: String,
    pub client_id: Uuid,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<Pkce>,
    pub prompt: Option<Prompt>,
    pub login_hint: Option<String>,
    pub response_mode: ResponseMode,
}

/// The signed-in user of a flow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FlowUser {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    /// When the user last entered credentials.
    pub auth_time: DateTime<Utc>,
    pub mfa: bool,
}

/// One pending authorize flow: the request and how far the user got.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Flow {
    pub created_at: DateTime<Utc>,
    pub request: AuthRequest,
    pub user: Option<FlowUser>,
    /// With no user yet, show the account picker (prompt=select_account,
    /// or several session accounts) rather than the credentials page.
    pub picker: bool,
    pub consent_given: bool,
}

/// Flows left unfinished expire, as Entra's flow token does (AADSTS50089).
pub(crate) const FLOW_LIFETIME_MINUTES: i64 = 15;

/// An issued authorization code. Kept after redemption until it expires,
/// so that a replay is answered with AADSTS54005.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuthCode {
    pub issued_at: DateTime<Utc>,
    pub redeemed: bool,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub client_id: Uuid,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<Pkce>,
    pub auth_time: DateTime<Utc>,
    pub mfa: bool,
}

/// Authorization codes are valid for 10 minutes.
/// <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response>
pub(crate) const CODE_LIFETIME_MINUTES: i64 = 10;

/// A refresh token. `issued_at` is also its last use: every redemption
/// issues a new token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RefreshGrant {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub client_id: Uuid,
    pub scopes: Vec<String>,
    /// The interactive sign-in this grant descends from.
    pub auth_time: DateTime<Utc>,
    pub mfa: bool,
    pub issued_at: DateTime<Utc>,
    /// Set when it was redeemed and replaced by a new token.
    pub retired_at: Option<DateTime<Utc>>,
}

/// Refresh tokens expire after 90 days without use (`MaxInactiveTime`).
/// <https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-lifetime>
pub(crate) const REFRESH_MAX_INACTIVE_DAYS: i64 = 90;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BrowserSession {
    pub accounts: Vec<SessionAccount>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SessionAccount {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub auth_time: DateTime<Utc>,
    pub mfa: bool,
}

/// The session cookie's name (Entra's is `ESTSAUTH`).
pub(crate) const SESSION_COOKIE: &str = "ESTSAUTH";

/// A freshly minted bearer secret (code, refresh token, session cookie).
/// Debug is redacted; the value leaves only through `expose`.
pub(crate) struct Minted(String);

impl Minted {
    /// 256 random bits, base64url.
    pub fn new() -> Minted {
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(Uuid::new_v4().as_bytes());
        bytes.extend_from_slice(Uuid::new_v4().as_bytes());
        Minted(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hash(&self.0)
    }
}

impl std::fmt::Debug for Minted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Minted(<redacted>)")
    }
}

/// The storage key of a bearer value.
pub(crate) fn hash(value: &str) -> String {
    let digest = sha2::Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Scopes Entra treats as OpenID Connect scopes rather than Graph ones.
pub(crate) const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// Normalise a requested scope: Graph scopes may be written with the
/// resource prefix (`https://graph.microsoft.com/Calendars.ReadWrite`).
pub(crate) fn normalise_scope(scope: &str) -> String {
    scope
        .strip_prefix("https://graph.microsoft.com/")
        .unwrap_or(scope)
        .to_string()
}

/// Parse a space-separated `scope` parameter. `.default` expands to the
/// app registration's configured permissions.
pub(crate) fn parse_scopes(raw: &str, app_scopes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split_whitespace().map(normalise_scope) {
        if s == ".default" {
            for a in app_scopes {
                if !OIDC_SCOPES.contains(&a.as_str()) && !out.contains(a) {
                    out.push(a.clone());
                }
            }
        } else if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The scopes a user may get for an app: their own consent plus the
/// tenant's admin consent.
pub(crate) fn consented_scopes(
    tenant: &crate::world::Tenant,
    user: &crate::world::User,
    client_id: Uuid,
) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    if let Some(s) = user.consents.get(&client_id) {
        all.extend(s.iter().cloned());
    }
    if let Some(s) = tenant.admin_consents.get(&client_id) {
        all.extend(s.iter().cloned());
    }
    all
}

impl Grants {
    /// The instant before which a user's sign-ins no longer count: the
    /// later of their last password change and the last admin revocation.
    pub(crate) fn valid_from(&self, user: &crate::world::User) -> DateTime<Utc> {
        let revoked = self.tokens_valid_from.get(&user.id).copied();
        match revoked {
            Some(r) if r > user.password_changed_at => r,
            _ => user.password_changed_at,
        }
    }

    /// Drop flows and codes past any use.
    pub(crate) fn prune(&mut self, now: DateTime<Utc>) {
        self.flows
            .retain(|_, f| now - f.created_at < chrono::Duration::minutes(FLOW_LIFETIME_MINUTES));
        self.codes.retain(|_, c| {
            now - c.issued_at < chrono::Duration::minutes(CODE_LIFETIME_MINUTES * 6)
        });
    }
}

pub fn router(shared: Shared) -> Router {
    Router::new()
        .merge(discovery::router())
        .merge(authorize::router())
        .merge(token::router())
        .with_state(shared)
}

/// Admin routes for identities: tenants, apps, users, passwords, sessions,
/// policies, secrets.
pub fn admin_router(shared: Shared) -> Router {
    admin::router().with_state(shared)
}

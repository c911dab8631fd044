//! `/_admin/...` routes for identities. JSON in, JSON out; every change is
//! persisted. Secret values appear only in the response that creates them;
//! token values never appear in listings.
//!
//! | route | body | answer |
//! |---|---|---|
//! | `POST /_admin/tenants` | `{display_name, domain, id?}` | `{id, domains}` |
//! | `POST /_admin/tenants/{tenant}/apps` | `{display_name, platform: "public_client"\|"web", redirect_uris, required_scopes?, secret_lifetime_seconds?}` | `{client_id, secret?: {key_id, value, expires_at}}` |
//! | `POST /_admin/apps/{client_id}/secrets` | `{lifetime_seconds?}` | `{key_id, value, expires_at}` |
//! | `POST /_admin/apps/{client_id}/secrets/{key_id}/expire` | – | `{key_id, expires_at}` |
//! | `POST /_admin/tenants/{tenant}/users` | `{user_principal_name, password, display_name?, given_name?, surname?, preferred_language?}` | `{id, user_principal_name}` |
//! | `POST /_admin/users/{upn}/password` | `{password}` | `{password_changed_at}` |
//! | `POST /_admin/users/{upn}/revoke-sessions` | – | `{signInSessionsValidFromDateTime}` |
//! | `POST /_admin/users/{upn}/policy` | `{require_mfa?, blocked_by_conditional_access?, sign_in_frequency_seconds?}` (`null` clears the frequency) | the policy |
//! | `POST /_admin/consents` | `{client_id, scopes?, upn?}` (no `upn`: admin consent for the app's tenant) | `{client_id, scopes}` |
//! | `POST /_admin/consents/revoke` | same; no `scopes` revokes all | `{client_id, scopes}` |
//! | `GET`/`POST /_admin/entra/settings` | `{access_token_lifetime_seconds?, strict_refresh_token_rotation?}` | the settings |
//! | `POST /_admin/tokens` | `{upn, client_id?, scopes?}` | `{access_token, token_type, expires_in}` |
//! | `GET /_admin/grants` | – | `{users: [{user_principal_name, user_id, live_refresh_tokens}]}` |

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{redirect, EntraSettings, Minted, REFRESH_MAX_INACTIVE_DAYS};
use crate::world::{
    App, ClientSecret, Credential, Platform, Tenant, User, UserPolicy, World, DOCKET_SCOPES,
};
use crate::Shared;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/_admin/tenants", post(create_tenant))
        .route("/_admin/tenants/{tenant}/apps", post(create_app))
        .route("/_admin/tenants/{tenant}/users", post(create_user))
        .route("/_admin/apps/{client_id}/secrets", post(add_secret))
        .route(
            "/_admin/apps/{client_id}/secrets/{key_id}/expire",
            post(expire_secret),
        )
        .route("/_admin/users/{upn}/password", post(change_password))
        .route("/_admin/users/{upn}/revoke-sessions", post(revoke_sessions))
        .route("/_admin/users/{upn}/policy", post(set_policy))
        .route("/_admin/consents", post(grant_consent))
        .route("/_admin/consents/revoke", post(revoke_consent))
        .route(
            "/_admin/entra/settings",
            get(get_settings).post(set_settings),
        )
        .route("/_admin/tokens", post(mint_token))
        .route("/_admin/grants", get(grants))
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("tenant '{0}' not found")]
    TenantNotFound(String),
    #[error("user '{0}' not found")]
    UserNotFound(String),
    #[error("application '{0}' not found")]
    AppNotFound(String),
    #[error("client secret '{0}' not found")]
    SecretNotFound(String),
    #[error("{0}")]
    Invalid(String),
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let status = match self {
            AdminError::Invalid(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::NOT_FOUND,
        };
        (status, Json(json!({"error": self.to_string()}))).into_response()
    }
}

type AdminResult = Result<Json<Value>, AdminError>;

/// Run a change on the world, then persist it.
fn change<T>(
    shared: &Shared,
    f: impl FnOnce(&mut World, DateTime<Utc>) -> Result<T, AdminError>,
) -> Result<T, AdminError> {
    let out = {
        let mut world = shared.world();
        let now = world.clock.now();
        f(&mut world, now)
    };
    if out.is_ok() {
        shared.persist();
    }
    out
}

/// A client secret value in the style of Entra's (`xxx8Q~...`).
fn new_secret_value() -> String {
    let m = Minted::new();
    let v = m.expose();
    format!("{}8Q~{}", &v[..3], &v[3..40])
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTenant {
    display_name: String,
    domain: String,
    id: Option<Uuid>,
}

async fn create_tenant(State(shared): State<Shared>, Json(body): Json<NewTenant>) -> AdminResult {
    change(&shared, |world, _| {
        if world.tenant(&body.domain).is_some()
            || body
                .id
                .is_some_and(|id| world.tenant(&id.to_string()).is_some())
        {
            return Err(AdminError::Invalid(format!(
                "tenant '{}' exists",
                body.domain
            )));
        }
        let tenant = Tenant {
            id: body.id.unwrap_or_else(Uuid::new_v4),
            display_name: body.display_name,
            domains: vec![body.domain],
            apps: vec![],
            users: vec![],
            admin_consents: BTreeMap::new(),
        };
        let out = json!({"id": tenant.id, "domains": tenant.domains});
        world.tenants.push(tenant);
        Ok(Json(out))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewApp {
    display_name: String,
    platform: Platform,
    redirect_uris: Vec<String>,
    required_scopes: Option<Vec<String>>,
    /// For `web` apps: create a secret valid this long (default 180 days).
    secret_lifetime_seconds: Option<i64>,
}

/// The new secret, its value shown this once (only its hash is kept).
fn secret_json(s: &ClientSecret, value: &str) -> Value {
    json!({"key_id": s.key_id, "value": value, "expires_at": s.expires_at})
}

async fn create_app(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Json(body): Json<NewApp>,
) -> AdminResult {
    for uri in &body.redirect_uris {
        redirect::registrable(uri).map_err(AdminError::Invalid)?;
    }
    change(&shared, |world, now| {
        let t = world
            .tenant_mut(&tenant)
            .ok_or_else(|| AdminError::TenantNotFound(tenant.clone()))?;
        let value = new_secret_value();
        let secret = (body.platform == Platform::Web).then(|| ClientSecret {
            key_id: Uuid::new_v4(),
            value: Credential::new(&value),
            expires_at: now
                + Duration::seconds(body.secret_lifetime_seconds.unwrap_or(180 * 86400)),
        });
        let app = App {
            client_id: Uuid::new_v4(),
            display_name: body.display_name,
            platform: body.platform,
            redirect_uris: body.redirect_uris,
            secrets: secret.iter().cloned().collect(),
            required_scopes: body
                .required_scopes
                .unwrap_or_else(|| DOCKET_SCOPES.iter().map(|s| s.to_string()).collect()),
        };
        let out = json!({"client_id": app.client_id, "secret": secret.as_ref().map(|s| secret_json(s, &value))});
        t.apps.push(app);
        Ok(Json(out))
    })
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewSecret {
    lifetime_seconds: Option<i64>,
}

async fn add_secret(
    State(shared): State<Shared>,
    Path(client_id): Path<String>,
    body: Option<Json<NewSecret>>,
) -> AdminResult {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    change(&shared, |world, now| {
        let app = world
            .app_mut(&client_id)
            .ok_or_else(|| AdminError::AppNotFound(client_id.clone()))?;
        if app.platform != Platform::Web {
            return Err(AdminError::Invalid(
                "public clients have no client secrets".into(),
            ));
        }
        let value = new_secret_value();
        let secret = ClientSecret {
            key_id: Uuid::new_v4(),
            value: Credential::new(&value),
            expires_at: now + Duration::seconds(body.lifetime_seconds.unwrap_or(180 * 86400)),
        };
        let out = secret_json(&secret, &value);
        app.secrets.push(secret);
        Ok(Json(out))
    })
}

async fn expire_secret(
    State(shared): State<Shared>,
    Path((client_id, key_id)): Path<(String, String)>,
) -> AdminResult {
    change(&shared, |world, now| {
        let app = world
            .app_mut(&client_id)
            .ok_or_else(|| AdminError::AppNotFound(client_id.clone()))?;
        let secret = app
            .secrets
            .iter_mut()
            .find(|s| s.key_id.to_string() == key_id)
            .ok_or_else(|| AdminError::SecretNotFound(key_id.clone()))?;
        secret.expires_at = now - Duration::seconds(1);
        Ok(Json(
            json!({"key_id": secret.key_id, "expires_at": secret.expires_at}),
        ))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    user_principal_name: String,
    password: String,
    display_name: Option<String>,
    given_name: Option<String>,
    surname: Option<String>,
    preferred_language: Option<String>,
}

async fn create_user(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    Json(body): Json<NewUser>,
) -> AdminResult {
    change(&shared, |world, now| {
        if world.user(&body.user_principal_name).is_some() {
            return Err(AdminError::Invalid(format!(
                "user '{}' exists",
                body.user_principal_name
            )));
        }
        let t = world
            .tenant_mut(&tenant)
            .ok_or_else(|| AdminError::TenantNotFound(tenant.clone()))?;
        let local = body
            .user_principal_name
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string();
        let user = User {
            id: Uuid::new_v4(),
            display_name: body.display_name.unwrap_or_else(|| local.clone()),
            given_name: body.given_name.unwrap_or(local),
            surname: body.surname.unwrap_or_default(),
            preferred_language: body.preferred_language.unwrap_or_else(|| "en-GB".into()),
            password: Credential::new(&body.password),
            password_changed_at: now,
            consents: BTreeMap::new(),
            policy: UserPolicy::default(),
            user_principal_name: body.user_principal_name,
        };
        let out = json!({"id": user.id, "user_principal_name": user.user_principal_name});
        t.users.push(user);
        Ok(Json(out))
    })
}

/// Remove a user's accounts from every browser session.
fn end_sessions(world: &mut World, user_id: Uuid) {
    for s in world.grants.sessions.values_mut() {
        s.accounts.retain(|a| a.user_id != user_id);
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    password: String,
}

/// A password change revokes the user's refresh tokens (AADSTS50173 on
/// redemption) and ends their browser sessions.
/// <https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-revocation>
async fn change_password(
    State(shared): State<Shared>,
    Path(upn): Path<String>,
    Json(body): Json<NewPassword>,
) -> AdminResult {
    change(&shared, |world, now| {
        let user = world
            .user_mut(&upn)
            .ok_or_else(|| AdminError::UserNotFound(upn.clone()))?;
        user.password = Credential::new(&body.password);
        user.password_changed_at = now;
        let id = user.id;
        end_sessions(world, id);
        Ok(Json(json!({"password_changed_at": now})))
    })
}

/// Graph's `revokeSignInSessions`: refresh tokens and session cookies
/// issued before now stop working.
/// <https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions>
async fn revoke_sessions(State(shared): State<Shared>, Path(upn): Path<String>) -> AdminResult {
    change(&shared, |world, now| {
        let id = world
            .user(&upn)
            .map(|(_, u)| u.id)
            .ok_or_else(|| AdminError::UserNotFound(upn.clone()))?;
        world.grants.tokens_valid_from.insert(id, now);
        end_sessions(world, id);
        Ok(Json(json!({"signInSessionsValidFromDateTime": now})))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyChange {
    require_mfa: Option<bool>,
    blocked_by_conditional_access: Option<bool>,
    /// Absent: unchanged; `null`: no sign-in frequency; a number: seconds.
    #[serde(default, with = "double_option")]
    sign_in_frequency_seconds: Option<Option<i64>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        Option::<i64>::deserialize(d).map(Some)
    }
}

async fn set_policy(
    State(shared): State<Shared>,
    Path(upn): Path<String>,
    Json(body): Json<PolicyChange>,
) -> AdminResult {
    change(&shared, |world, _| {
        let user = world
            .user_mut(&upn)
            .ok_or_else(|| AdminError::UserNotFound(upn.clone()))?;
        let p = &mut user.policy;
        if let Some(v) = body.require_mfa {
            p.require_mfa = v;
        }
        if let Some(v) = body.blocked_by_conditional_access {
            p.blocked_by_conditional_access = v;
        }
        if let Some(v) = body.sign_in_frequency_seconds {
            p.sign_in_frequency_seconds = v;
        }
        Ok(Json(serde_json::to_value(&*p).unwrap_or_default()))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentChange {
    client_id: Uuid,
    scopes: Option<Vec<String>>,
    /// The user whose consent changes; absent: tenant-wide admin consent
    /// in the app's tenant.
    upn: Option<String>,
}

fn consent_change(shared: &Shared, body: ConsentChange, grant: bool) -> AdminResult {
    change(shared, |world, _| {
        let (tenant_id, app_scopes) = world
            .app(&body.client_id.to_string())
            .map(|(t, a)| (t.id, a.required_scopes.clone()))
            .ok_or_else(|| AdminError::AppNotFound(body.client_id.to_string()))?;
        let scopes: Vec<String> = body
            .scopes
            .as_deref()
            .map(|s| s.iter().map(|x| super::normalise_scope(x)).collect())
            .unwrap_or_else(|| if grant { app_scopes } else { vec![] });
        let set = match &body.upn {
            Some(upn) => {
                &mut world
                    .user_mut(upn)
                    .ok_or_else(|| AdminError::UserNotFound(upn.clone()))?
                    .consents
            }
            None => {
                &mut world
                    .tenant_mut(&tenant_id.to_string())
                    .ok_or_else(|| AdminError::TenantNotFound(tenant_id.to_string()))?
                    .admin_consents
            }
        };
        let entry = set.entry(body.client_id).or_default();
        match (grant, body.scopes.is_some()) {
            (true, _) => entry.extend(scopes),
            (false, true) => entry.retain(|s| !scopes.contains(s)),
            (false, false) => entry.clear(),
        }
        Ok(Json(
            json!({"client_id": body.client_id, "scopes": entry.iter().collect::<Vec<_>>()}),
        ))
    })
}

async fn grant_consent(
    State(shared): State<Shared>,
    Json(body): Json<ConsentChange>,
) -> AdminResult {
    consent_change(&shared, body, true)
}

async fn revoke_consent(
    State(shared): State<Shared>,
    Json(body): Json<ConsentChange>,
) -> AdminResult {
    consent_change(&shared, body, false)
}

async fn get_settings(State(shared): State<Shared>) -> Json<EntraSettings> {
    Json(shared.world().grants.settings.clone())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsChange {
    access_token_lifetime_seconds: Option<i64>,
    strict_refresh_token_rotation: Option<bool>,
}

async fn set_settings(
    State(shared): State<Shared>,
    Json(body): Json<SettingsChange>,
) -> Result<Json<EntraSettings>, AdminError> {
    if body.access_token_lifetime_seconds.is_some_and(|s| s <= 0) {
        return Err(AdminError::Invalid(
            "access_token_lifetime_seconds must be positive".into(),
        ));
    }
    change(&shared, |world, _| {
        let s = &mut world.grants.settings;
        if let Some(v) = body.access_token_lifetime_seconds {
            s.access_token_lifetime_seconds = v;
        }
        if let Some(v) = body.strict_refresh_token_rotation {
            s.strict_refresh_token_rotation = v;
        }
        Ok(Json(s.clone()))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    upn: String,
    client_id: Option<Uuid>,
    scopes: Option<Vec<String>>,
}

/// Mint an access token without a sign-in (for Graph-only tests).
async fn mint_token(State(shared): State<Shared>, Json(body): Json<TokenRequest>) -> AdminResult {
    let (tenant, user, lifetime) = {
        let world = shared.world();
        let (t, u) = world
            .user(&body.upn)
            .ok_or_else(|| AdminError::UserNotFound(body.upn.clone()))?;
        (
            t.clone(),
            u.clone(),
            world.grants.settings.access_token_lifetime_seconds,
        )
    };
    let client_id = body
        .client_id
        .unwrap_or(crate::world::demo::PUBLIC_CLIENT_ID);
    let scopes = body
        .scopes
        .map(|s| {
            s.iter()
                .map(|x| super::normalise_scope(x))
                .collect::<Vec<_>>()
        })
        .unwrap_or_else(|| DOCKET_SCOPES.iter().map(|s| s.to_string()).collect());
    let (token, _) =
        shared.issue_access_token(&tenant, &user, &client_id.to_string(), &scopes, lifetime);
    Ok(Json(
        json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime}),
    ))
}

/// Live refresh tokens per user: not rotated out, not revoked, not
/// expired by inactivity. Counts only, never values.
async fn grants(State(shared): State<Shared>) -> Json<Value> {
    let world = shared.world();
    let now = world.clock.now();
    let users: Vec<Value> = world
        .tenants
        .iter()
        .flat_map(|t| t.users.iter())
        .map(|u| {
            let valid_from = world.grants.valid_from(u);
            let live = world
                .grants
                .refresh_tokens
                .values()
                .filter(|g| g.user_id == u.id && g.retired_at.is_none())
                .filter(|g| g.auth_time >= valid_from)
                .filter(|g| now - g.issued_at <= Duration::days(REFRESH_MAX_INACTIVE_DAYS))
                .count();
            json!({"user_principal_name": u.user_principal_name, "user_id": u.id, "live_refresh_tokens": live})
        })
        .collect();
    Json(json!({"users": users}))
}

//! `POST /{tenant}/oauth2/v2.0/token`: `authorization_code` and
//! `refresh_token` grants.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token>
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token>

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::Digest;
use uuid::Uuid;

use super::authorize::{app_not_found, params};
use super::discovery::{tenant_not_found, TenantSegment};
use super::errors::{Aadsts, EntraError, ErrorContext};
use super::grant::{code_verdict, refresh_verdict, CodeRequest, RefreshRequest};
use super::{consented_scopes, hash, parse_scopes, Minted, RefreshGrant};
use crate::world::{Platform, Tenant, User, World};
use crate::Shared;

pub(crate) fn router() -> Router<Shared> {
    Router::new().route("/{tenant}/oauth2/v2.0/token", post(token))
}

/// What a successful grant leads to; tokens are signed after the world
/// lock is released (`Shared::issue_access_token` takes it itself).
struct Issue {
    tenant: Tenant,
    user: User,
    client_id: Uuid,
    scopes: Vec<String>,
    nonce: Option<String>,
    refresh_token: Option<Minted>,
    lifetime: i64,
    now: DateTime<Utc>,
}

async fn token(
    State(shared): State<Shared>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = shared.base_url();
    let p = params(&body);
    let (outcome, ctx) = {
        let mut world = shared.world();
        let now = world.clock.now();
        let ctx = ErrorContext::new(now, base.clone(), &headers);
        world.grants.prune(now);
        (grant(&mut world, now, &segment, &p, &headers), ctx)
    };
    shared.persist();
    match outcome {
        Err(e) => e.into_response(&ctx),
        Ok(issue) => {
            let want_client_info = p.get("client_info").map(String::as_str) == Some("1");
            success(&shared, &base, issue, want_client_info)
        }
    }
}

fn missing(name: &str) -> EntraError {
    EntraError::new(
        Aadsts::MissingParameter,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// Client id and secret from the body or from HTTP Basic authentication
/// (`client_secret_basic`, RFC 6749 §2.3.1).
fn client_credentials(
    p: &HashMap<String, String>,
    headers: &HeaderMap,
) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (id, secret) = s.split_once(':')?;
            let dec = |x: &str| {
                url::form_urlencoded::parse(format!("v={x}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
            };
            Some((dec(id)?, dec(secret)?))
        });
    let id = p
        .get("client_id")
        .filter(|v| !v.is_empty())
        .cloned()
        .or_else(|| basic.as_ref().map(|(id, _)| id.clone()));
    let secret = p
        .get("client_secret")
        .filter(|v| !v.is_empty())
        .cloned()
        .or_else(|| basic.map(|(_, s)| s));
    (id, secret)
}

fn grant(
    world: &mut World,
    now: DateTime<Utc>,
    segment: &str,
    p: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Issue, EntraError> {
    let tenant = TenantSegment::resolve(world, segment).ok_or_else(|| tenant_not_found(segment))?;
    let grant_type = p
        .get("grant_type")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing("grant_type"))?
        .clone();
    let (client_id, secret) = client_credentials(p, headers);
    let client_id = client_id.ok_or_else(|| missing("client_id"))?;
    let (_, app) = world
        .app(&client_id)
        .filter(|(t, _)| tenant.tenant_id().is_none_or(|id| id == t.id))
        .ok_or_else(|| app_not_found(&client_id, segment))?;
    // Client authentication.
    match (app.platform, &secret) {
        (Platform::PublicClient, Some(_)) => {
            return Err(EntraError::new(
                Aadsts::PublicClientWithCredential,
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
            ))
        }
        (Platform::PublicClient, None) => {}
        (Platform::Web, None) => {
            return Err(EntraError::new(
                Aadsts::ClientSecretMissing,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ))
        }
        (Platform::Web, Some(given)) => match app.secrets.iter().find(|s| s.value.verify(given)) {
            None => {
                return Err(EntraError::new(
                    Aadsts::InvalidClientSecret,
                    format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
                ))
            }
            Some(s) if s.expires_at <= now => {
                return Err(EntraError::new(
                    Aadsts::ClientSecretExpired,
                    format!("The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."),
                ))
            }
            Some(_) => {}
        },
    }
    let client_id = app.client_id;
    let app_name = app.display_name.clone();
    let app_scopes = app.required_scopes.clone();
    let settings = world.grants.settings.clone();
    let malformed = || {
        EntraError::new(
            Aadsts::MalformedRequest,
            "Invalid request. Request is malformed or invalid.",
        )
    };

    match grant_type.as_str() {
        "authorization_code" => {
            let code = p
                .get("code")
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("code"))?;
            let key = hash(code);
            let stored = world.grants.codes.get(&key).ok_or_else(malformed)?;
            code_verdict(
                stored,
                &CodeRequest {
                    now,
                    client_id,
                    redirect_uri: p.get("redirect_uri").map(String::as_str),
                    code_verifier: p.get("code_verifier").map(String::as_str),
                    tenant_id: tenant.tenant_id(),
                },
            )?;
            let stored = stored.clone();
            if let Some(c) = world.grants.codes.get_mut(&key) {
                c.redeemed = true;
            }
            let (t, u) = world
                .user(&stored.user_id.to_string())
                .map(|(t, u)| (t.clone(), u.clone()))
                .ok_or_else(malformed)?;
            let refresh_token = stored
                .scopes
                .iter()
                .any(|s| s == "offline_access")
                .then(|| {
                    mint_refresh(
                        world,
                        RefreshGrant {
                            tenant_id: stored.tenant_id,
                            user_id: stored.user_id,
                            client_id,
                            scopes: stored.scopes.clone(),
                            auth_time: stored.auth_time,
                            mfa: stored.mfa,
                            issued_at: now,
                            retired_at: None,
                        },
                    )
                });
            Ok(Issue {
                tenant: t,
                user: u,
                client_id,
                scopes: stored.scopes,
                nonce: stored.nonce,
                refresh_token,
                lifetime: settings.access_token_lifetime_seconds,
                now,
            })
        }
        "refresh_token" => {
            let rt = p
                .get("refresh_token")
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("refresh_token"))?;
            let key = hash(rt);
            let stored = world
                .grants
                .refresh_tokens
                .get(&key)
                .cloned()
                .ok_or_else(malformed)?;
            let (t, u) = world
                .user(&stored.user_id.to_string())
                .map(|(t, u)| (t.clone(), u.clone()))
                .ok_or_else(malformed)?;
            let requested = match p.get("scope").filter(|s| !s.trim().is_empty()) {
                Some(s) => parse_scopes(s, &app_scopes),
                None => stored.scopes.clone(),
            };
            let consented = consented_scopes(&t, &u, client_id);
            refresh_verdict(
                &stored,
                &RefreshRequest {
                    now,
                    client_id,
                    app_name: &app_name,
                    strict_rotation: settings.strict_refresh_token_rotation,
                    valid_from: world.grants.valid_from(&u),
                    policy: &u.policy,
                    requested_scopes: &requested,
                    consented: &consented,
                },
            )?;
            if let Some(old) = world.grants.refresh_tokens.get_mut(&key) {
                old.retired_at.get_or_insert(now);
            }
            let new = mint_refresh(
                world,
                RefreshGrant {
                    scopes: requested.clone(),
                    issued_at: now,
                    retired_at: None,
                    ..stored
                },
            );
            Ok(Issue {
                tenant: t,
                user: u,
                client_id,
                scopes: requested,
                nonce: None,
                refresh_token: Some(new),
                lifetime: settings.access_token_lifetime_seconds,
                now,
            })
        }
        other => Err(EntraError::new(
            Aadsts::UnsupportedGrantType,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn mint_refresh(world: &mut World, grant: RefreshGrant) -> Minted {
    let token = Minted::new();
    world.grants.refresh_tokens.insert(token.hash(), grant);
    token
}

/// The v2.0 ID token claims Entra sends by default.
/// <https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference>
#[derive(Debug, Serialize)]
struct IdClaims {
    aud: String,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    oid: String,
    preferred_username: String,
    sub: String,
    tid: String,
    ver: &'static str,
}

/// `sub` is pairwise: unique per user and app.
fn pairwise_sub(user: Uuid, client: Uuid) -> String {
    let mut h = sha2::Sha256::new();
    h.update(user.as_bytes());
    h.update(client.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&h.finalize()[..])
}

fn success(shared: &Shared, base: &str, issue: Issue, want_client_info: bool) -> Response {
    let (access_token, _) = shared.issue_access_token(
        &issue.tenant,
        &issue.user,
        &issue.client_id.to_string(),
        &issue.scopes,
        issue.lifetime,
    );
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "scope": issue.scopes.join(" "),
        "expires_in": issue.lifetime,
        "ext_expires_in": issue.lifetime,
        "access_token": access_token,
    });
    if let Some(rt) = &issue.refresh_token {
        body["refresh_token"] = rt.expose().into();
    }
    if issue.scopes.iter().any(|s| s == "openid") {
        let now = issue.now.timestamp();
        let claims = IdClaims {
            aud: issue.client_id.to_string(),
            iss: format!("{base}/{}/v2.0", issue.tenant.id),
            iat: now,
            nbf: now,
            exp: now + 3600,
            name: issue.user.display_name.clone(),
            nonce: issue.nonce.clone(),
            oid: issue.user.id.to_string(),
            preferred_username: issue.user.user_principal_name.clone(),
            sub: pairwise_sub(issue.user.id, issue.client_id),
            tid: issue.tenant.id.to_string(),
            ver: "2.0",
        };
        body["id_token"] = shared.keys.sign(&claims).into();
    }
    if want_client_info {
        let info = serde_json::json!({"uid": issue.user.id.to_string(), "utid": issue.tenant.id.to_string()});
        body["client_info"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(info.to_string())
            .into();
    }
    (
        [
            ("cache-control", "no-store, no-cache"),
            ("pragma", "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

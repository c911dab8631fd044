//! OpenID Connect discovery and the JWKS.
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri>

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::errors::{Aadsts, EntraError, ErrorContext};
use crate::Shared;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route("/{tenant}/discovery/keys", get(jwks))
}

/// How the `{tenant}` path segment resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TenantSegment {
    /// A tenant by GUID or verified domain.
    Tenant(uuid::Uuid),
    /// `common` or `organizations`: the user's tenant is decided at sign-in.
    Any(&'static str),
}

impl TenantSegment {
    pub(crate) fn resolve(world: &crate::World, segment: &str) -> Option<TenantSegment> {
        if segment.eq_ignore_ascii_case("common") {
            return Some(TenantSegment::Any("common"));
        }
        if segment.eq_ignore_ascii_case("organizations") {
            return Some(TenantSegment::Any("organizations"));
        }
        world.tenant(segment).map(|t| TenantSegment::Tenant(t.id))
    }

    pub(crate) fn tenant_id(&self) -> Option<uuid::Uuid> {
        match self {
            TenantSegment::Tenant(id) => Some(*id),
            TenantSegment::Any(_) => None,
        }
    }
}

/// The AADSTS90002 error for a tenant that does not exist.
pub(crate) fn tenant_not_found(segment: &str) -> EntraError {
    EntraError::new(
        Aadsts::InvalidTenantName,
        format!(
            "Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

async fn openid_configuration(
    State(shared): State<Shared>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (resolved, now) = {
        let world = shared.world();
        (TenantSegment::resolve(&world, &segment), world.clock.now())
    };
    let base = shared.base_url();
    let Some(resolved) = resolved else {
        let ctx = ErrorContext::new(now, base, &headers);
        return tenant_not_found(&segment).into_response(&ctx);
    };
    // Entra names the tenant GUID in endpoints of a specific tenant, and
    // keeps `common`/`organizations` with a `{tenantid}` issuer template.
    let (path_tenant, issuer_tenant) = match &resolved {
        TenantSegment::Tenant(id) => (id.to_string(), id.to_string()),
        TenantSegment::Any(name) => (name.to_string(), "{tenantid}".to_string()),
    };
    Json(serde_json::json!({
        "token_endpoint": format!("{base}/{path_tenant}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "jwks_uri": format!("{base}/{path_tenant}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{issuer_tenant}/v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{base}/{path_tenant}/oauth2/v2.0/authorize"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{path_tenant}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "name", "oid", "tid",
            "preferred_username", "ver"
        ],
        // Not in Entra's document, though Entra accepts both methods
        // (v2-oauth2-auth-code-flow); clients that look for it find it.
        "code_challenge_methods_supported": ["plain", "S256"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }))
    .into_response()
}

async fn jwks(
    State(shared): State<Shared>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (known, now) = {
        let world = shared.world();
        (
            TenantSegment::resolve(&world, &segment).is_some(),
            world.clock.now(),
        )
    };
    if !known {
        let ctx = ErrorContext::new(now, shared.base_url(), &headers);
        return tenant_not_found(&segment).into_response(&ctx);
    }
    Json(shared.keys.jwks()).into_response()
}

//! `/_admin/*`: the control API for tests and the demo. Each area owns its
//! routes (`entra::admin_router`, `graph::admin_router`,
//! `faults::admin_router`); this module adds the shared ones: the clock and
//! a summary of the world.
//!
//! The admin API is part of the emulator only; nothing like it exists at
//! Microsoft, and the product never calls it.
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::Shared;

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/_admin/clock", get(clock))
        .route("/_admin/clock/advance", post(advance_clock))
        .route("/_admin/info", get(info))
        .with_state(shared.clone())
        .merge(crate::entra::admin_router(shared.clone()))
        .merge(crate::graph::admin_router(shared.clone()))
        .merge(crate::faults::admin_router(shared))
}

#[derive(Debug, Deserialize)]
struct Advance {
    seconds: i64,
}

/// Move the emulator clock forward (never back: tokens and delta state
/// assume time does not run backwards).
async fn advance_clock(
    State(shared): State<Shared>,
    Json(body): Json<Advance>,
) -> Result<Json<serde_json::Value>, (axum::http::StatusCode, String)> {
    if body.seconds < 0 {
        return Err((
            axum::http::StatusCode::BAD_REQUEST,
            "seconds must not be negative: the emulator clock only moves forward".into(),
        ));
    }
    let now = {
        let mut world = shared.world();
        world.clock.offset_seconds += body.seconds;
        world.clock.now()
    };
    shared.persist();
    Ok(Json(serde_json::json!({ "now": now })))
}

async fn clock(State(shared): State<Shared>) -> Json<serde_json::Value> {
    let world = shared.world();
    Json(serde_json::json!({
        "now": world.clock.now(),
        "offset_seconds": world.clock.offset_seconds,
    }))
}

/// Tenants, apps (without secrets) and users (without passwords).
async fn info(State(shared): State<Shared>) -> Json<serde_json::Value> {
    let base = shared.base_url();
    let world = shared.world();
    let tenants: Vec<_> = world
        .tenants
        .iter()
        .map(|t| {
            serde_json::json!({
                "id": t.id,
                "displayName": t.display_name,
                "domains": t.domains,
                "authority": format!("{base}/{}", t.id),
                "apps": t.apps.iter().map(|a| serde_json::json!({
                    "clientId": a.client_id,
                    "displayName": a.display_name,
                    "platform": a.platform,
                    "redirectUris": a.redirect_uris,
                })).collect::<Vec<_>>(),
                "users": t.users.iter().map(|u| serde_json::json!({
                    "id": u.id,
                    "userPrincipalName": u.user_principal_name,
                    "displayName": u.display_name,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(serde_json::json!({
        "baseUrl": base,
        "graphBaseUrl": format!("{base}/v1.0"),
        "now": world.clock.now(),
        "tenants": tenants,
    }))
}

//! Microsoft Graph v1.0 endpoints.
//!
//! `resources` holds every `/v1.0/...` route except `$batch`, behind the
//! access-token check. `router` adds the throttling layer and `$batch`
//! (see `batch::wrap`), so each batch item passes through throttling on its
//! own, as Graph counts it.
//!
//! Layout:
//! - `auth`: bearer-token verification and per-route delegated scopes;
//! - `routes`: the `/v1.0/me/...` resources, one file per job (dispatch,
//!   CRUD, rendering, paging, calendar views, delta, extensions);
//! - `store`: the mailbox data (`Mailbox`), change counter, tombstones;
//! - `model`: per-resource writable properties, validation, defaults;
//! - `events`, `recur`, `tz`: event times, recurrence expansion, zones;
//! - `odata`: query options, `Prefer`, state tokens;
//! - `admin`: `/_admin/mailboxes/...`.
//!
//! What is emulated and the Microsoft source for each behaviour:
//! `docs/emulator-graph.md`.
use axum::routing::any;
use axum::Router;

use crate::Shared;

pub mod admin;
pub mod auth;
pub mod batch;
pub mod error;
pub mod events;
pub mod model;
pub mod odata;
pub mod recur;
pub mod routes;
pub mod store;
pub mod tz;

pub use store::Mailbox;

/// Every `/v1.0/...` resource route except `$batch`.
pub fn resources(shared: Shared) -> Router {
    Router::new()
        .route("/v1.0/me", any(routes::me))
        .route("/v1.0/me/{*rest}", any(routes::me))
        .route_layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            auth::layer,
        ))
        .with_state(shared)
}

/// Admin routes for mailboxes (`/_admin/mailboxes/...`, delta expiry).
pub fn admin_router(shared: Shared) -> Router {
    admin::router(shared)
}

pub fn router(shared: Shared) -> Router {
    batch::wrap(shared.clone(), resources(shared))
}

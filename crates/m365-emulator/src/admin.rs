//! `/_admin/*`: the control API for tests and the demo. Each area owns its
//! routes (`entra::admin_router`, `graph::admin_router`,
//! `faults::admin_router`); this module adds the shared ones.
use axum::Router;

use crate::Shared;

pub fn router(shared: Shared) -> Router {
    Router::new()
        .merge(crate::entra::admin_router(shared.clone()))
        .merge(crate::graph::admin_router(shared.clone()))
        .merge(crate::faults::admin_router(shared.clone()))
}

//! Entra ID v2 endpoints. (Filled in by the Entra work.)
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::Shared;

/// Authorization codes, refresh tokens and browser sessions.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Grants {}

pub fn router(shared: Shared) -> Router {
    Router::new().with_state(shared)
}

/// Admin routes for identities: tenants, apps, users, passwords, sessions,
/// policies, secrets.
pub fn admin_router(shared: Shared) -> Router {
    Router::new().with_state(shared)
}

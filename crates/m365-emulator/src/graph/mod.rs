//! Microsoft Graph v1.0 endpoints.
//!
//! `resources` holds every `/v1.0/...` route except `$batch`, behind the
//! access-token check. `router` adds the throttling layer and `$batch`
//! (see `batch::wrap`), so each batch item passes through throttling on its
//! own, as Graph counts it.
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::Shared;

pub mod batch;
pub mod error;

/// One user's mailbox: calendar events, To Do lists and tasks, contacts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Mailbox {}

/// Every `/v1.0/...` resource route except `$batch`.
pub fn resources(shared: Shared) -> Router {
    Router::new().with_state(shared)
}

/// Admin routes for mailboxes (`/_admin/mailboxes/...`, delta expiry).
pub fn admin_router(shared: Shared) -> Router {
    Router::new().with_state(shared)
}

pub fn router(shared: Shared) -> Router {
    batch::wrap(shared.clone(), resources(shared))
}

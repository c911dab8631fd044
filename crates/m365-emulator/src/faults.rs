//! Fault injection: admin-configured rules that make matching requests
//! slow, throttled, unavailable, cut off or garbled, so that client code
//! for those cases can be tested. Nothing here is Microsoft behaviour in
//! itself; each fault imitates a failure Microsoft documents:
//! - `too_many_requests`: 429 `TooManyRequests` with an optional
//!   `Retry-After` (<https://learn.microsoft.com/en-us/graph/throttling>);
//! - `service_unavailable`: 503 `serviceNotAvailable`, with or without
//!   `Retry-After` (<https://learn.microsoft.com/en-us/graph/errors>);
//! - `latency`: the request takes `ms` longer; on Graph routes it is spent
//!   holding the mailbox's concurrency slot (see `throttle::layer`);
//! - `connection_reset`: the connection closes without a response;
//! - `malformed_json`: 200 with a truncated JSON body;
//! - `sync_state_not_found`: 410 `SyncStateNotFound`, what a delta query
//!   answers when its state token has expired
//!   (<https://learn.microsoft.com/en-us/graph/delta-query-overview>,
//!   "Synchronization reset"), on any page of a round;
//! - `unauthorized`: 401 `InvalidAuthenticationToken`, what Graph answers
//!   for an access token that expired or was revoked in flight
//!   (<https://learn.microsoft.com/en-us/graph/errors>).
//!
//! `skip` lets the first matching requests pass before a rule fires, so a
//! fault can land on the second page of a walk or the fifth item of a
//! `$batch`.
//!
//! Rules match by method (optional) and path pattern: `*` matches any run
//! of characters (`/` included), `{name}` one path segment, anything else
//! itself; the query string is ignored. They apply to `$batch` items too
//! (matched against `/v1.0` + the item's url). `/_admin/*` is never
//! faulted, so a rule cannot lock the tests out of removing it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::graph::error::{format_retry_after, GraphError};
use crate::Shared;

/// What a matching request suffers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Wait `ms` milliseconds, then handle the request normally.
    Latency { ms: u64 },
    /// 429 with Graph's `TooManyRequests` body; `Retry-After` in seconds
    /// (fractional allowed) when given, else no header.
    TooManyRequests {
        #[serde(default)]
        retry_after: Option<f64>,
    },
    /// 503 with Graph's `serviceNotAvailable` body; `Retry-After` optional.
    ServiceUnavailable {
        #[serde(default)]
        retry_after: Option<f64>,
    },
    /// Close the connection without a response. With `after_handler` the
    /// request is handled first (a write happens) and only the response
    /// is lost.
    ConnectionReset {
        #[serde(default)]
        after_handler: bool,
    },
    /// 200 with a JSON body cut in half. With `after_handler` the real
    /// response (and its status) is cut; otherwise a fixed fragment.
    MalformedJson {
        #[serde(default)]
        after_handler: bool,
    },
    /// 410 with Graph's `SyncStateNotFound` body (an expired delta token).
    SyncStateNotFound,
    /// 401 with Graph's `InvalidAuthenticationToken` body.
    Unauthorized,
}

impl FaultKind {
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Latency { .. } => "latency",
            FaultKind::TooManyRequests { .. } => "too_many_requests",
            FaultKind::ServiceUnavailable { .. } => "service_unavailable",
            FaultKind::ConnectionReset { .. } => "connection_reset",
            FaultKind::MalformedJson { .. } => "malformed_json",
            FaultKind::SyncStateNotFound => "sync_state_not_found",
            FaultKind::Unauthorized => "unauthorized",
        }
    }
}

/// `POST /_admin/faults` body, e.g.
/// `{"method":"POST","path":"/v1.0/me/events*","kind":"too_many_requests","retry_after":2.5,"times":3}`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewRule {
    /// HTTP method to match (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern, see the module docs.
    pub path: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Fire on this many matching requests, then stop; forever when absent.
    #[serde(default)]
    pub times: Option<u64>,
    /// Let this many matching requests pass before the rule may fire.
    #[serde(default)]
    pub skip: u64,
    /// Fire on a matching request with this probability (0..=1; default 1),
    /// drawn from a generator seeded with `seed` (default 0), so a run is
    /// repeatable.
    #[serde(default)]
    pub probability: Option<f64>,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// A rule as `GET /_admin/faults` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: u64,
    pub method: Option<String>,
    pub path: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Firings left; `null` = forever.
    pub times_left: Option<u64>,
    /// Matching requests still let through before the rule may fire.
    pub skip_left: u64,
    pub probability: f64,
    pub seed: u64,
    /// Requests that matched method and path.
    pub matched: u64,
    /// Requests the fault was applied to.
    pub fired: u64,
}

#[derive(Debug)]
struct Rule {
    view: RuleView,
    rng: SplitMix64,
}

/// The configured rules, first match wins.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    next_id: AtomicU64,
}

impl Faults {
    /// Add a rule; returns its id.
    pub fn add(&self, new: NewRule) -> Result<RuleView, String> {
        if !(new.path.starts_with('/') || new.path.starts_with('*')) {
            return Err(format!("path {:?} must start with '/' or '*'", new.path));
        }
        let method = match &new.method {
            Some(m) => Some(
                Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                    .map_err(|_| format!("method {m:?} is not an HTTP method"))?
                    .to_string(),
            ),
            None => None,
        };
        let probability = new.probability.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&probability) {
            return Err(format!("probability {probability} must be within 0..=1"));
        }
        match &new.kind {
            FaultKind::TooManyRequests {
                retry_after: Some(s),
            }
            | FaultKind::ServiceUnavailable {
                retry_after: Some(s),
            } if !(s.is_finite() && *s >= 0.0) => {
                return Err(format!(
                    "retry_after {s} must be a non-negative number of seconds"
                ));
            }
            _ => {}
        }
        let seed = new.seed.unwrap_or(0);
        let view = RuleView {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            method,
            path: new.path,
            kind: new.kind,
            times_left: new.times,
            skip_left: new.skip,
            probability,
            seed,
            matched: 0,
            fired: 0,
        };
        lock(&self.rules).push(Rule {
            view: view.clone(),
            rng: SplitMix64(seed),
        });
        Ok(view)
    }

    pub fn list(&self) -> Vec<RuleView> {
        lock(&self.rules).iter().map(|r| r.view.clone()).collect()
    }

    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// Remove one rule; false if there is none with this id.
    pub fn remove(&self, id: u64) -> bool {
        let mut rules = lock(&self.rules);
        let before = rules.len();
        rules.retain(|r| r.view.id != id);
        rules.len() != before
    }

    /// The fault to apply to a request, if any, counting it as fired.
    pub fn decide(&self, method: &Method, path: &str) -> Option<FaultKind> {
        let mut rules = lock(&self.rules);
        for rule in rules.iter_mut() {
            let v = &mut rule.view;
            let method_matches = v.method.as_deref().is_none_or(|m| m == method.as_str());
            if !method_matches || !path_matches(&v.path, path) {
                continue;
            }
            v.matched += 1;
            if v.skip_left > 0 {
                v.skip_left -= 1;
                continue;
            }
            if v.times_left == Some(0) {
                continue;
            }
            if v.probability < 1.0 && rule.rng.next_f64() >= v.probability {
                continue;
            }
            if let Some(n) = v.times_left.as_mut() {
                *n -= 1;
            }
            v.fired += 1;
            return Some(v.kind.clone());
        }
        None
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Does `path` match `pattern`? `*` = any characters, `{x}` = one
/// non-empty segment, everything else literal.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), path.as_bytes());
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| path_matches(&pattern[1..], &path[i..])),
        Some(b'{') => match pattern.find('}') {
            Some(close) => {
                let seg_len = s.iter().position(|c| *c == b'/').unwrap_or(s.len());
                seg_len > 0 && path_matches(&pattern[close + 1..], &path[seg_len..])
            }
            None => s.first() == Some(&b'{') && path_matches(&pattern[1..], &path[1..]),
        },
        Some(c) => s.first() == Some(c) && path_matches(&pattern[1..], &path[1..]),
    }
}

/// SplitMix64: a tiny, well-known generator whose sequence for a seed is
/// fixed forever (unlike `rand`'s `StdRng`), so seeded runs are repeatable.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Injected latency handed from this layer to `throttle::layer`, which
/// spends it while holding the mailbox slot. Whatever is not taken there
/// (routes outside the throttle) this layer spends after the handler.
#[derive(Debug, Clone)]
pub struct Delay(Arc<AtomicU64>);

impl Delay {
    fn new(ms: u64) -> Delay {
        Delay(Arc::new(AtomicU64::new(ms)))
    }

    /// Take the delay (once).
    pub fn take(&self) -> Option<Duration> {
        match self.0.swap(0, Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }
}

/// Marks a response this layer made up, for the request log.
#[derive(Debug, Clone, Copy)]
pub struct Injected(pub &'static str);

/// The middleware over the whole app (and over each `$batch` item).
pub async fn layer(State(shared): State<Shared>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/_admin/") {
        return next.run(req).await;
    }
    let Some(kind) = shared.faults.decide(req.method(), path) else {
        return next.run(req).await;
    };
    let name = kind.name();
    tracing::debug!(fault = name, path, "injecting fault");
    let mut response = match kind {
        FaultKind::Latency { ms } => {
            let delay = Delay::new(ms);
            req.extensions_mut().insert(delay.clone());
            let response = next.run(req).await;
            if let Some(rest) = delay.take() {
                tokio::time::sleep(rest).await;
            }
            return response;
        }
        FaultKind::TooManyRequests { retry_after } => {
            let mut e = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
            );
            if let Some(s) = retry_after {
                e = e.header("Retry-After", format_retry_after(s));
            }
            e.into_response()
        }
        FaultKind::ServiceUnavailable { retry_after } => {
            let mut e = GraphError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable for maintenance or is overloaded. \
                 You may repeat the request after a delay, which may be specified in a \
                 Retry-After header.",
            );
            if let Some(s) = retry_after {
                e = e.header("Retry-After", format_retry_after(s));
            }
            e.into_response()
        }
        FaultKind::SyncStateNotFound => GraphError::new(
            StatusCode::GONE,
            "SyncStateNotFound",
            "The sync state generation is not found.",
        )
        .into_response(),
        FaultKind::Unauthorized => GraphError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        )
        .into_response(),
        FaultKind::ConnectionReset { after_handler } => {
            if after_handler {
                drop(next.run(req).await);
            }
            connection_reset()
        }
        FaultKind::MalformedJson { after_handler } => {
            if after_handler {
                let (parts, body) = next.run(req).await.into_parts();
                let bytes = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .unwrap_or_default();
                let cut = truncate(&bytes);
                let mut r = Response::from_parts(parts, Body::from(cut));
                r.headers_mut().remove(header::CONTENT_LENGTH);
                r
            } else {
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    r#"{"@odata.context":"$metadata#users('me')/events","value":[{"id":"AAMkAD"#,
                )
                    .into_response()
            }
        }
    };
    response.extensions_mut().insert(Injected(name));
    response
}

/// The first half of a body (at least one byte short of it), so that it
/// never parses as JSON.
fn truncate(bytes: &[u8]) -> Vec<u8> {
    let keep = (bytes.len() / 2).min(bytes.len().saturating_sub(1));
    bytes[..keep].to_vec()
}

/// A response whose body fails at once: hyper then closes the connection
/// before the buffered head is flushed, so the client sees the connection
/// end without a response.
pub fn connection_reset() -> Response {
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(FailingReader));
    let mut r = Response::new(body);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.extensions_mut().insert(Injected("connection_reset"));
    r
}

struct FailingReader;

impl tokio::io::AsyncRead for FailingReader {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        _buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        )))
    }
}

/// Admin routes for faults, throttling limits and the request statistics:
/// `POST/GET/DELETE /_admin/faults`, `DELETE /_admin/faults/{id}`,
/// `GET/POST /_admin/throttle`, `POST /_admin/throttle/reset`,
/// `GET /_admin/stats`, `POST /_admin/stats/reset`.
pub fn admin_router(shared: Shared) -> Router {
    Router::new()
        .route("/_admin/faults", get(list).post(add).delete(clear))
        .route("/_admin/faults/{id}", delete(remove))
        .with_state(shared.clone())
        .merge(crate::throttle::admin_routes(shared.clone()))
        .merge(crate::record::admin_routes(shared))
}

fn bad_request(message: String) -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": message })),
    )
}

async fn add(
    State(shared): State<Shared>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<RuleView>), (StatusCode, Json<serde_json::Value>)> {
    let new: NewRule = serde_json::from_slice(&body)
        .map_err(|e| bad_request(format!("invalid fault rule: {e}")))?;
    let view = shared.faults.add(new).map_err(bad_request)?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn list(State(shared): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "faults": shared.faults.list() }))
}

async fn clear(State(shared): State<Shared>) -> StatusCode {
    shared.faults.clear();
    StatusCode::NO_CONTENT
}

async fn remove(State(shared): State<Shared>, Path(id): Path<u64>) -> StatusCode {
    if shared.faults.remove(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(pattern: &str, path: &str, expect: bool) {
        assert_eq!(path_matches(pattern, path), expect, "{pattern} vs {path}");
    }

    #[test]
    fn path_patterns() {
        check("/v1.0/me", "/v1.0/me", true);
        check("/v1.0/me", "/v1.0/me/events", false);
        check("/v1.0/me/events*", "/v1.0/me/events", true);
        check("/v1.0/me/events*", "/v1.0/me/events/AAMk/extensions", true);
        check("/v1.0/me/events*", "/v1.0/me/calendarView", false);
        check(
            "/{tenant}/oauth2/v2.0/token",
            "/contoso.com/oauth2/v2.0/token",
            true,
        );
        check(
            "/{tenant}/oauth2/v2.0/token",
            "/a/b/oauth2/v2.0/token",
            false,
        );
        check("/{tenant}/oauth2/v2.0/token", "//oauth2/v2.0/token", false);
        check(
            "/v1.0/me/todo/lists/{id}/tasks",
            "/v1.0/me/todo/lists/L1/tasks",
            true,
        );
        check("*", "/anything/at/all", true);
        check("/v1.0/*/delta", "/v1.0/me/calendarView/delta", true);
    }

    fn rule(json: serde_json::Value) -> NewRule {
        serde_json::from_value(json).expect("rule")
    }

    #[test]
    fn times_limits_firings_and_method_filters() {
        let faults = Faults::default();
        faults
            .add(rule(serde_json::json!({
                "method": "post", "path": "/v1.0/me/events*",
                "kind": "too_many_requests", "retry_after": 2.5, "times": 2
            })))
            .unwrap();
        let fired: Vec<bool> = [Method::POST, Method::GET, Method::POST, Method::POST]
            .iter()
            .map(|m| faults.decide(m, "/v1.0/me/events").is_some())
            .collect();
        assert_eq!(fired, [true, false, true, false]);
        let view = &faults.list()[0];
        assert_eq!((view.matched, view.fired, view.times_left), (3, 2, Some(0)));
    }

    #[test]
    fn skip_lets_the_first_matches_through() {
        let faults = Faults::default();
        faults
            .add(rule(serde_json::json!({
                "path": "/v1.0/me/contacts/delta", "kind": "sync_state_not_found",
                "skip": 2, "times": 1
            })))
            .unwrap();
        let fired: Vec<Option<FaultKind>> = (0..4)
            .map(|_| faults.decide(&Method::GET, "/v1.0/me/contacts/delta"))
            .collect();
        assert_eq!(
            fired,
            [None, None, Some(FaultKind::SyncStateNotFound), None],
            "the third page of the walk, once"
        );
    }

    #[test]
    fn probability_is_repeatable_for_a_seed() {
        let run = |seed: u64| {
            let faults = Faults::default();
            faults
                .add(rule(serde_json::json!({
                    "path": "*", "kind": "service_unavailable",
                    "probability": 0.5, "seed": seed
                })))
                .unwrap();
            (0..64)
                .map(|_| faults.decide(&Method::GET, "/v1.0/me").is_some())
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let hits = a.iter().filter(|h| **h).count();
        assert!((16..=48).contains(&hits), "{hits} of 64 at p=0.5");
    }

    #[test]
    fn invalid_rules_are_refused() {
        let faults = Faults::default();
        for bad in [
            serde_json::json!({"path": "v1.0/me", "kind": "latency", "ms": 1}),
            serde_json::json!({"path": "/x", "kind": "latency", "ms": 1, "probability": 1.5}),
            serde_json::json!({"path": "/x", "kind": "too_many_requests", "retry_after": -1.0}),
            serde_json::json!({"path": "/x", "method": "GE T", "kind": "latency", "ms": 1}),
        ] {
            assert!(faults.add(rule(bad.clone())).is_err(), "{bad}");
        }
        assert!(faults.list().is_empty());
    }
}

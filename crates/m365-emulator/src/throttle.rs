//! Outlook-resource throttling per (app, mailbox), as Microsoft documents it
//! for calendar, contacts and tasks: at most 4 concurrent requests and
//! 10,000 requests per 10 minutes for one app in one mailbox; a mailbox's
//! limit does not affect another mailbox.
//! <https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits>
//!
//! - The key is (`appid`, `oid`) of the verified access token. Requests
//!   without a valid token are not throttled: the resource routes answer
//!   them with 401.
//! - Over the concurrency limit: 429 at once, code `ApplicationThrottled`,
//!   "Application is over its MailboxConcurrency limit." (the body Outlook
//!   sends in practice; Microsoft documents only the 429 and `Retry-After`).
//! - Over the budget: 429 `TooManyRequests` with `Retry-After` = the seconds
//!   until the window has room again, fractional to the millisecond
//!   (<https://learn.microsoft.com/en-us/graph/throttling>: "Retry-After: 2.128").
//! - Every request counts towards the budget, rejected ones too: "Microsoft
//!   Graph continues to log resource usage while a client is being
//!   throttled" (same page), so immediate retries push recovery out.
//!
//! Time is the emulator clock (`Shared::now`), so tests move it instead of
//! waiting. The deciding code (`Usage::admit`) is pure and takes `now`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::graph::error::{format_retry_after, GraphError};
use crate::keys::AccessClaims;
use crate::Shared;

/// The limits of one (app, mailbox) pair. Defaults are Outlook's documented
/// ones: 4 concurrent, 10,000 requests per 600 seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_concurrent: usize,
    pub budget: u64,
    pub window_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_concurrent: 4,
            budget: 10_000,
            window_seconds: 600,
        }
    }
}

impl Limits {
    /// Every limit must be at least 1: a zero would refuse everything.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_concurrent == 0 || self.budget == 0 || self.window_seconds == 0 {
            return Err("max_concurrent, budget and window_seconds must each be at least 1".into());
        }
        Ok(())
    }
}

/// The `Retry-After` sent with a MailboxConcurrency 429. Microsoft gives no
/// figure; a slot frees when any in-flight request ends, so one second.
pub const CONCURRENCY_RETRY_AFTER_SECONDS: f64 = 1.0;

/// Who is calling: from a verified, unexpired Graph access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub app_id: String,
    /// The user's object id: the mailbox.
    pub mailbox: String,
    pub upn: String,
}

/// The caller of a request, if it carries a valid `Authorization: Bearer`
/// token (signature by our key, not expired on the emulator clock).
pub fn caller(shared: &Shared, headers: &HeaderMap) -> Option<Caller> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let claims: AccessClaims = shared.keys.verify(token.trim())?;
    if claims.exp <= shared.now().timestamp() {
        return None;
    }
    Some(Caller {
        app_id: claims.appid,
        mailbox: claims.oid,
        upn: claims.upn,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    app_id: String,
    mailbox: String,
}

/// What the throttle decided for one arriving request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Admit,
    /// Over `max_concurrent`.
    Concurrency {
        retry_after: f64,
    },
    /// Over `budget` in the window; capacity returns in `retry_after` seconds.
    Budget {
        retry_after: f64,
    },
}

/// The usage of one (app, mailbox) pair.
#[derive(Debug, Default, Clone)]
struct Usage {
    in_flight: usize,
    /// Arrival times of the requests still inside the window, oldest first.
    log: VecDeque<DateTime<Utc>>,
}

impl Usage {
    /// Decide for a request arriving at `now` and record it. On `Admit` the
    /// caller holds a slot until it calls `release`.
    fn admit(&mut self, limits: &Limits, now: DateTime<Utc>) -> Decision {
        let window = Duration::seconds(limits.window_seconds as i64);
        while self.log.front().is_some_and(|t| *t + window <= now) {
            self.log.pop_front();
        }
        self.log.push_back(now);
        let budget = limits.budget.max(1) as usize;
        if self.log.len() > budget {
            // Room returns when the request that put the window over the
            // budget leaves it.
            let oldest_to_expire = self.log[self.log.len() - budget];
            let wait = oldest_to_expire + window - now;
            return Decision::Budget {
                retry_after: ceil_millis(wait),
            };
        }
        if self.in_flight >= limits.max_concurrent {
            return Decision::Concurrency {
                retry_after: CONCURRENCY_RETRY_AFTER_SECONDS,
            };
        }
        self.in_flight += 1;
        Decision::Admit
    }

    fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }
}

/// Seconds, rounded up to the millisecond so that a client that waits
/// exactly `Retry-After` finds room.
fn ceil_millis(d: Duration) -> f64 {
    let micros = d.num_microseconds().unwrap_or(i64::MAX).max(0);
    let millis = (micros + 999) / 1000;
    millis as f64 / 1000.0
}

#[derive(Debug)]
pub struct Throttle {
    limits: Mutex<Limits>,
    usage: Mutex<HashMap<Key, Usage>>,
}

impl Throttle {
    pub fn new(limits: Limits) -> Throttle {
        Throttle {
            limits: Mutex::new(limits),
            usage: Mutex::new(HashMap::new()),
        }
    }

    pub fn limits(&self) -> Limits {
        lock(&self.limits).clone()
    }

    /// Change the limits at runtime. Usage recorded so far is kept.
    pub fn set_limits(&self, limits: Limits) {
        *lock(&self.limits) = limits;
    }

    /// Forget all recorded usage (requests in flight stay counted).
    pub fn reset_usage(&self) {
        for usage in lock(&self.usage).values_mut() {
            usage.log.clear();
        }
    }

    /// Admit a request of `caller` at `now`, or the 429 to answer.
    pub fn acquire(
        self: &Arc<Self>,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<Slot, GraphError> {
        let key = Key {
            app_id: caller.app_id.clone(),
            mailbox: caller.mailbox.clone(),
        };
        let limits = self.limits();
        let decision = lock(&self.usage)
            .entry(key.clone())
            .or_default()
            .admit(&limits, now);
        match decision {
            Decision::Admit => Ok(Slot {
                throttle: self.clone(),
                key,
            }),
            Decision::Concurrency { retry_after } => Err(GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit.",
            )
            .header("Retry-After", format_retry_after(retry_after))),
            Decision::Budget { retry_after } => Err(GraphError::too_many_requests(retry_after)),
        }
    }

    fn snapshot(&self) -> Vec<serde_json::Value> {
        let usage = lock(&self.usage);
        let mut rows: Vec<_> = usage
            .iter()
            .map(|(k, u)| {
                serde_json::json!({
                    "app_id": k.app_id,
                    "mailbox": k.mailbox,
                    "in_flight": u.in_flight,
                    "requests_in_window": u.log.len(),
                })
            })
            .collect();
        rows.sort_by_key(|r| r.to_string());
        rows
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A held concurrency slot; dropping it frees the slot, also when the
/// request is cancelled.
#[derive(Debug)]
pub struct Slot {
    throttle: Arc<Throttle>,
    key: Key,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(u) = lock(&self.throttle.usage).get_mut(&self.key) {
            u.release();
        }
    }
}

/// Middleware around the Graph resource routes (and each `$batch` item).
/// Injected latency (`faults::Delay`) is spent while holding the slot, as
/// slow processing at Outlook would be.
pub async fn layer(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let delay = req
        .extensions()
        .get::<crate::faults::Delay>()
        .and_then(|d| d.take());
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .or_else(|| caller(&shared, req.headers()));
    let _slot = match caller {
        Some(caller) => match shared.throttle.acquire(&caller, shared.now()) {
            Ok(slot) => Some(slot),
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    next.run(req).await
}

/// A partial update of the limits: absent fields keep their value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsPatch {
    max_concurrent: Option<usize>,
    budget: Option<u64>,
    window_seconds: Option<u64>,
}

/// `GET /_admin/throttle`, `POST /_admin/throttle`, `POST /_admin/throttle/reset`.
pub(crate) fn admin_routes(shared: Shared) -> Router {
    Router::new()
        .route("/_admin/throttle", get(show).post(set))
        .route("/_admin/throttle/reset", post(reset))
        .with_state(shared)
}

async fn show(State(shared): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "limits": shared.throttle.limits(),
        "usage": shared.throttle.snapshot(),
    }))
}

async fn set(
    State(shared): State<Shared>,
    Json(patch): Json<LimitsPatch>,
) -> Result<Json<Limits>, (StatusCode, Json<serde_json::Value>)> {
    let mut limits = shared.throttle.limits();
    if let Some(v) = patch.max_concurrent {
        limits.max_concurrent = v;
    }
    if let Some(v) = patch.budget {
        limits.budget = v;
    }
    if let Some(v) = patch.window_seconds {
        limits.window_seconds = v;
    }
    limits.validate().map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": e })),
        )
    })?;
    shared.throttle.set_limits(limits.clone());
    Ok(Json(limits))
}

async fn reset(State(shared): State<Shared>) -> StatusCode {
    shared.throttle.reset_usage();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One step: a request at `at_ms` after t0, or `Release` of one slot.
    enum Step {
        At(i64),
        Release,
    }
    use Step::*;

    /// Run `steps` against fresh usage with `limits`; expect one line per
    /// request: `admit`, `concurrency <s>` or `budget <s>`.
    #[track_caller]
    fn check(limits: (usize, u64, u64), steps: &[Step], expect: &[&str]) {
        let limits = Limits {
            max_concurrent: limits.0,
            budget: limits.1,
            window_seconds: limits.2,
        };
        let t0 = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut usage = Usage::default();
        let mut got = vec![];
        for step in steps {
            match step {
                At(ms) => got.push(
                    match usage.admit(&limits, t0 + Duration::milliseconds(*ms)) {
                        Decision::Admit => "admit".to_string(),
                        Decision::Concurrency { retry_after } => {
                            format!("concurrency {}", format_retry_after(retry_after))
                        }
                        Decision::Budget { retry_after } => {
                            format!("budget {}", format_retry_after(retry_after))
                        }
                    },
                ),
                Release => usage.release(),
            }
        }
        assert_eq!(got, expect);
    }

    #[test]
    fn concurrency_limit_refuses_the_fifth_until_one_ends() {
        check(
            (4, 100, 600),
            &[At(0), At(1), At(2), At(3), At(4), Release, At(5)],
            &["admit", "admit", "admit", "admit", "concurrency 1", "admit"],
        );
    }

    #[test]
    fn budget_retry_after_is_when_the_window_has_room_again() {
        check(
            (10, 2, 10),
            &[At(0), Release, At(1500), Release, At(2250)],
            &["admit", "admit", "budget 9.250"],
        );
        // A client that waits exactly that long gets in.
        check(
            (10, 2, 10),
            &[At(0), Release, At(1500), Release, At(2250), At(11_500)],
            &["admit", "admit", "budget 9.250", "admit"],
        );
    }

    #[test]
    fn window_slides_and_capacity_returns_after_the_window() {
        check(
            (10, 1, 10),
            &[At(0), Release, At(10_000)],
            &["admit", "admit"],
        );
    }

    #[test]
    fn a_client_that_honours_retry_after_gets_in() {
        check(
            (10, 1, 10),
            &[At(0), Release, At(5_000), At(15_000)],
            &["admit", "budget 10", "admit"],
        );
    }

    #[test]
    fn rejected_requests_count_against_the_budget() {
        // The early retry at 10 s is logged too, so it is refused again;
        // only after both rejected requests left the window is there room.
        check(
            (10, 1, 10),
            &[At(0), Release, At(5_000), At(10_000), At(20_000)],
            &["admit", "budget 10", "budget 10", "admit"],
        );
    }
}

//! The request log and the request statistics.
//!
//! - `Recorder`: when a record file is configured, one JSON line per
//!   request (and per `$batch` item, marked with the batch's id): time on
//!   the emulator clock, method, path and query, status, request and
//!   response bodies (JSON as JSON, forms as objects, anything else only
//!   its type and size), duration. Secrets never reach the file: headers
//!   are not logged, and the values of `client_secret`, `refresh_token`,
//!   `code`, `code_verifier`, `password`/`passwd`, `access_token`,
//!   `id_token` (and any other key naming a secret, password or token, and
//!   any JWT-looking string) are replaced by `[REDACTED]`, in bodies and
//!   in the query string. `/_admin/*` is not logged.
//! - `Stats`: always on, in memory: how many Graph requests of which kind
//!   (`GET /_admin/stats`, `POST /_admin/stats/reset`), for benchmarks and
//!   tests that count what a sync costs.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;

use crate::throttle::Caller;
use crate::Shared;

/// Appends JSON lines to the record file.
#[derive(Debug)]
pub struct Recorder {
    file: Mutex<File>,
}

impl Recorder {
    pub fn create(path: &Path) -> std::io::Result<Recorder> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Recorder {
            file: Mutex::new(file),
        })
    }

    fn write(&self, line: &Value) {
        let mut text = line.to_string();
        text.push('\n');
        let mut file = lock(&self.file);
        if let Err(e) = file.write_all(text.as_bytes()) {
            tracing::warn!(error = %e, "could not append to the record file");
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The id this layer gives each request; `$batch` passes it to its items.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub uuid::Uuid);

/// Marks a request as an item of a `$batch` request.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub batch: uuid::Uuid,
    pub id: String,
}

/// Bodies larger than this are refused (Graph's own request limit is 4 MB).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The middleware over the whole app and over each `$batch` item: counts
/// the request in the statistics and writes the log line.
pub async fn layer(State(shared): State<Shared>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let path = req.uri().path().to_string();
    if path.starts_with("/_admin/") {
        return next.run(req).await;
    }
    let id = uuid::Uuid::new_v4();
    req.extensions_mut().insert(RequestId(id));
    let batch_item = req.extensions().get::<BatchItem>().cloned();
    let caller = crate::throttle::caller(&shared, req.headers());
    if let Some(c) = &caller {
        req.extensions_mut().insert(c.clone());
    }
    let method = req.method().clone();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());

    let Some(recorder) = shared.recorder.clone() else {
        let response = next.run(req).await;
        let reset = response
            .extensions()
            .get::<crate::faults::Injected>()
            .is_some_and(|i| i.0 == "connection_reset");
        if !reset {
            shared.stats.count(
                &method,
                &path,
                batch_item.is_some(),
                response.status(),
                caller.as_ref(),
            );
        }
        return response;
    };

    let (parts, body) = req.into_parts();
    let request_bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let request_body = body_for_log(&parts.headers, &request_bytes);
    let req = Request::from_parts(parts, Body::from(request_bytes));

    let response = next.run(req).await;
    let (parts, body) = response.into_parts();
    let injected = parts
        .extensions
        .get::<crate::faults::Injected>()
        .map(|i| i.0);
    let (status, response_body, response) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            let logged = body_for_log(&parts.headers, &bytes);
            let status = parts.status;
            (
                Some(status),
                logged,
                Response::from_parts(parts, Body::from(bytes)),
            )
        }
        // The response was cut off (an injected connection reset): keep it so.
        Err(_) => (None, Value::Null, crate::faults::connection_reset()),
    };
    if let Some(status) = status {
        shared.stats.count(
            &method,
            &path,
            batch_item.is_some(),
            status,
            caller.as_ref(),
        );
    }

    let mut line = serde_json::json!({
        "time": shared.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "id": id,
        "method": method.as_str(),
        "path": redact_query(&path_and_query),
        "status": status.map(|s| s.as_u16()),
        "duration_ms": started.elapsed().as_secs_f64() * 1000.0,
    });
    let obj = line.as_object_mut().expect("object");
    if !request_body.is_null() {
        obj.insert("request_body".into(), request_body);
    }
    if !response_body.is_null() {
        obj.insert("response_body".into(), response_body);
    }
    if let Some(item) = batch_item {
        obj.insert(
            "batch".into(),
            serde_json::json!({ "request": item.batch, "item": item.id }),
        );
    }
    if let Some(c) = &caller {
        obj.insert("mailbox".into(), Value::String(c.mailbox.clone()));
    }
    if let Some(fault) = injected {
        obj.insert("fault".into(), Value::String(fault.into()));
    }
    if status.is_none() {
        obj.insert("error".into(), Value::String("connection reset".into()));
    }
    recorder.write(&line);
    response
}

/// How a body appears in the log: JSON and forms redacted, anything else
/// only as its type and size (HTML pages may carry flow state).
fn body_for_log(headers: &HeaderMap, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.contains("json") {
        if let Ok(mut v) = serde_json::from_slice::<Value>(bytes) {
            redact(&mut v);
            return v;
        }
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut map = serde_json::Map::new();
        for (k, v) in url::form_urlencoded::parse(bytes) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        let mut v = Value::Object(map);
        redact(&mut v);
        return v;
    }
    serde_json::json!({ "omitted": content_type, "bytes": bytes.len() })
}

const REDACTED: &str = "[REDACTED]";

/// Is the value under this key a secret?
fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "authorization"
            | "client_secret"
            | "client_assertion"
            | "refresh_token"
            | "access_token"
            | "id_token"
            | "code"
            | "code_verifier"
            | "password"
            | "passwd"
            | "otc"
    ) || k.contains("password")
        || k.contains("secret")
        || k.ends_with("_token")
}

/// A compact JWS (`eyJ…​.…​.…`), whatever key it sits under.
fn looks_like_jwt(s: &str) -> bool {
    s.starts_with("eyJ") && s.matches('.').count() == 2
}

/// Replace secret values in a JSON value, recursively.
fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if secret_key(k) && !val.is_null() {
                    *val = Value::String(REDACTED.into());
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(s) if looks_like_jwt(s) => *s = REDACTED.into(),
        _ => {}
    }
}

/// Redact secret values in the query of a path-and-query.
fn redact_query(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_string();
    };
    let redacted: Vec<String> = query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = url::form_urlencoded::parse(k.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            let value = url::form_urlencoded::parse(format!("x={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            if secret_key(&key) || looks_like_jwt(&value) {
                format!("{k}={REDACTED}")
            } else {
                pair.to_string()
            }
        })
        .collect();
    format!("{path}?{}", redacted.join("&"))
}

/// Counts of requests, for benchmarks and tests. Graph meters each `$batch`
/// item as a request of its own, so `graph_requests` counts items and not
/// the `$batch` envelope, while `http_requests` counts what went over the
/// wire.
#[derive(Debug, Default)]
pub struct Stats(Mutex<StatsSnapshot>);

/// `GET /_admin/stats`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct StatsSnapshot {
    /// Graph HTTP requests received (`/v1.0/*`); a `$batch` counts once.
    pub http_requests: u64,
    /// `POST /v1.0/$batch` requests.
    pub batch_requests: u64,
    /// Items dispatched from batches (items failed with 424 are not run).
    pub batch_items: u64,
    /// Graph requests as Graph meters them: non-batch requests plus items.
    pub graph_requests: u64,
    /// `GET` (and `HEAD`) requests and items.
    pub reads: u64,
    /// `POST`, `PUT`, `PATCH`, `DELETE` requests and items (not `$batch`).
    pub writes: u64,
    /// 429 responses sent, items inside a batch included.
    pub throttled: u64,
    /// Requests outside Graph (Entra ID sign-in and token endpoints).
    pub other_requests: u64,
    /// By status code, Graph requests and items.
    pub by_status: BTreeMap<u16, u64>,
    /// By mailbox (user object id) of the access token.
    pub mailboxes: BTreeMap<String, MailboxStats>,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct MailboxStats {
    pub upn: String,
    pub requests: u64,
    pub reads: u64,
    pub writes: u64,
    pub throttled: u64,
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        lock(&self.0).clone()
    }

    pub fn reset(&self) {
        *lock(&self.0) = StatsSnapshot::default();
    }

    fn count(
        &self,
        method: &Method,
        path: &str,
        batch_item: bool,
        status: StatusCode,
        caller: Option<&Caller>,
    ) {
        let mut s = lock(&self.0);
        if !path.starts_with("/v1.0/") {
            s.other_requests += 1;
            return;
        }
        let is_batch = !batch_item && path == "/v1.0/$batch";
        if batch_item {
            s.batch_items += 1;
        } else {
            s.http_requests += 1;
        }
        if is_batch {
            s.batch_requests += 1;
        } else {
            s.graph_requests += 1;
        }
        let read = matches!(*method, Method::GET | Method::HEAD);
        let write = !is_batch && !read;
        let throttled = status == StatusCode::TOO_MANY_REQUESTS;
        s.reads += read as u64;
        s.writes += write as u64;
        s.throttled += throttled as u64;
        *s.by_status.entry(status.as_u16()).or_default() += 1;
        if let (Some(c), false) = (caller, is_batch) {
            let m = s.mailboxes.entry(c.mailbox.clone()).or_default();
            m.upn.clone_from(&c.upn);
            m.requests += 1;
            m.reads += read as u64;
            m.writes += write as u64;
            m.throttled += throttled as u64;
        }
    }
}

/// `GET /_admin/stats`, `POST /_admin/stats/reset`.
pub(crate) fn admin_routes(shared: Shared) -> Router {
    Router::new()
        .route("/_admin/stats", get(stats))
        .route("/_admin/stats/reset", post(reset_stats))
        .with_state(shared)
}

async fn stats(State(shared): State<Shared>) -> Json<StatsSnapshot> {
    Json(shared.stats.snapshot())
}

async fn reset_stats(State(shared): State<Shared>) -> StatusCode {
    shared.stats.reset();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(content_type: &str, body: &str, expect: Value) {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        assert_eq!(body_for_log(&headers, body.as_bytes()), expect);
    }

    #[test]
    fn token_request_form_is_redacted() {
        check(
            "application/x-www-form-urlencoded",
            "grant_type=authorization_code&code=0.AXk-secret&code_verifier=verif\
             &client_secret=s3cr3t&client_id=abc&redirect_uri=http%3A%2F%2Flocalhost",
            serde_json::json!({
                "grant_type": "authorization_code", "code": REDACTED,
                "code_verifier": REDACTED, "client_secret": REDACTED,
                "client_id": "abc", "redirect_uri": "http://localhost",
            }),
        );
        check(
            "application/x-www-form-urlencoded",
            "login=anna%40x.com&passwd=Demo-Anna-2026!",
            serde_json::json!({ "login": "anna@x.com", "passwd": REDACTED }),
        );
    }

    #[test]
    fn token_response_json_is_redacted() {
        check(
            "application/json; charset=utf-8",
            r#"{"token_type":"Bearer","expires_in":3600,"access_token":"eyJa.b.c",
                "refresh_token":"1.AXk","id_token":"eyJx.y.z","scope":"User.Read"}"#,
            serde_json::json!({
                "token_type": "Bearer", "expires_in": 3600, "access_token": REDACTED,
                "refresh_token": REDACTED, "id_token": REDACTED, "scope": "User.Read",
            }),
        );
    }

    #[test]
    fn nested_secrets_and_stray_jwts_are_redacted_graph_data_is_kept() {
        check(
            "application/json",
            r#"{"value":[{"subject":"Hearing","note":"eyJhbGciOi.eyJzdWIi.sig"}],
                "user":{"newPassword":"p"}}"#,
            serde_json::json!({
                "value": [{ "subject": "Hearing", "note": REDACTED }],
                "user": { "newPassword": REDACTED },
            }),
        );
    }

    #[test]
    fn other_bodies_are_only_described() {
        check(
            "text/html; charset=utf-8",
            "<html>flow</html>",
            serde_json::json!({ "omitted": "text/html; charset=utf-8", "bytes": 17 }),
        );
    }

    #[test]
    fn query_secrets_are_redacted() {
        assert_eq!(
            redact_query("/cb?code=0.AXk&state=s1&session_state=x"),
            "/cb?code=[REDACTED]&state=s1&session_state=x"
        );
        assert_eq!(
            redact_query("/v1.0/me/events?$top=5&$skip=5"),
            "/v1.0/me/events?$top=5&$skip=5"
        );
        assert_eq!(redact_query("/v1.0/me"), "/v1.0/me");
    }
}

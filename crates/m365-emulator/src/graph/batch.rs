//! JSON batching (`POST /v1.0/$batch`) and the throttling layer around the
//! resource routes.
//! <https://learn.microsoft.com/en-us/graph/json-batching>
//!
//! - At most 20 requests; each has a unique (case-insensitive) `id`, a
//!   `method`, a `url` relative to `/v1.0`, optional `headers`, `body`
//!   and `dependsOn`. A body needs a `Content-Type` in `headers`, and a
//!   write (POST/PUT/PATCH) needs both. Anything else malformed fails the
//!   whole batch with 400 `BadRequest`.
//! - The outer request's `Authorization` applies to every item.
//! - Each item goes through the same middleware as a request of its own
//!   (request log and statistics, faults, throttling), so it is metered
//!   and throttled individually: a throttled item is a 429 with its own
//!   `Retry-After` inside the 200 batch response ("Requests in a batch are
//!   evaluated individually against the applicable throttling limits").
//! - An item whose dependency failed (status >= 400) is not run and gets
//!   424 Failed Dependency.
//! - Responses come in completion order, not request order ("Individual
//!   responses might appear in a different order than the requests"), so
//!   clients must correlate by `id`.
//! - Concurrency: items without pending dependencies run in parallel, at
//!   most [`MAX_PARALLEL_ITEMS`] (4) at a time. A Microsoft answer states
//!   that "Microsoft Graph dispatches up to four individual requests from
//!   a batch to the Outlook service simultaneously"
//!   (<https://learn.microsoft.com/en-us/answers/questions/1660054/>). So a
//!   batch alone stays within Outlook's 4-concurrent limit per mailbox, but
//!   its items collide with the same mailbox's other in-flight requests
//!   (another batch, a delta page...) and get `MailboxConcurrency` 429s, as
//!   reported in practice. Items chained with `dependsOn` use one slot.
//!
//! Graph documents no exact messages for malformed batches; the emulator's
//! say what is wrong and clients must branch on the status and `code` only.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower::ServiceExt;

use crate::graph::error::GraphError;
use crate::record::{BatchItem, RequestId};
use crate::Shared;

/// Graph's limit on requests per batch.
pub const MAX_BATCH_REQUESTS: usize = 20;

/// Items of one batch dispatched at the same time (see the module docs).
pub const MAX_PARALLEL_ITEMS: usize = 4;

/// Put throttling around `resources` and add the `$batch` route, which
/// dispatches each item into the throttled resources router.
pub fn wrap(shared: Shared, resources: Router) -> Router {
    let throttled = resources.layer(from_fn_with_state(shared.clone(), crate::throttle::layer));
    let items = throttled
        .clone()
        .layer(from_fn_with_state(shared.clone(), crate::faults::layer))
        .layer(from_fn_with_state(shared, crate::record::layer));
    Router::new()
        .route("/v1.0/$batch", post(batch))
        .with_state(items)
        .merge(throttled)
}

/// One request of the batch as the client sent it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemSpec {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct BatchSpec {
    requests: Vec<ItemSpec>,
}

/// One validated item, ready to dispatch.
#[derive(Debug, Clone)]
struct Item {
    id: String,
    method: Method,
    /// `/v1.0` + the item's url.
    uri: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    /// Indices of the items this one depends on.
    depends_on: Vec<usize>,
}

/// One entry of `responses`.
#[derive(Debug, Serialize)]
struct ItemResponse {
    id: String,
    status: u16,
    headers: serde_json::Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
    /// The item's body claimed to be JSON but was not (an injected fault).
    #[serde(skip)]
    malformed: bool,
}

fn bad_request(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Parse and validate a batch body: the pure part of `$batch`.
fn plan(body: &[u8]) -> Result<Vec<Item>, GraphError> {
    let spec: BatchSpec = serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("Invalid batch payload format: {e}")))?;
    if spec.requests.len() > MAX_BATCH_REQUESTS {
        return Err(bad_request(format!(
            "The batch contains {} requests; the maximum is {MAX_BATCH_REQUESTS}.",
            spec.requests.len()
        )));
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, r) in spec.requests.iter().enumerate() {
        if r.id.is_empty() {
            return Err(bad_request("Every request in the batch needs an id."));
        }
        if index.insert(r.id.to_lowercase(), i).is_some() {
            return Err(bad_request(format!(
                "Batch request ids must be unique; '{}' is repeated.",
                r.id
            )));
        }
    }
    let mut items = Vec::with_capacity(spec.requests.len());
    for r in spec.requests {
        let method = match r.method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            _ => {
                return Err(bad_request(format!(
                    "Request id : {} has an invalid method '{}'.",
                    r.id, r.method
                )))
            }
        };
        let relative = r.url.trim();
        if relative.is_empty() || relative.contains("://") {
            return Err(bad_request(format!(
                "Request id : {} must have a url relative to the service root, e.g. /me/events.",
                r.id
            )));
        }
        let uri = if relative.starts_with('/') {
            format!("/v1.0{relative}")
        } else {
            format!("/v1.0/{relative}")
        };
        if uri.parse::<axum::http::Uri>().is_err() {
            return Err(bad_request(format!(
                "Request id : {} has an invalid url.",
                r.id
            )));
        }
        let mut headers = Vec::new();
        let mut content_type = None;
        for (k, v) in &r.headers {
            let name = HeaderName::from_bytes(k.as_bytes());
            let value = HeaderValue::from_str(v);
            let (Ok(name), Ok(value)) = (name, value) else {
                return Err(bad_request(format!(
                    "Request id : {} has an invalid header '{k}'.",
                    r.id
                )));
            };
            if name == header::CONTENT_TYPE {
                content_type = Some(v.to_ascii_lowercase());
            }
            if name != header::AUTHORIZATION {
                headers.push((name, value));
            }
        }
        let is_write = matches!(method, Method::POST | Method::PUT | Method::PATCH);
        if (is_write || r.body.is_some()) && (r.body.is_none() || content_type.is_none()) {
            return Err(bad_request(format!(
                "Write request id : {} does not contain Content-Type header or body.",
                r.id
            )));
        }
        let body = match (&r.body, content_type.as_deref()) {
            (None, _) => Bytes::new(),
            (Some(Value::String(s)), Some(ct)) if !ct.contains("json") => {
                // Non-JSON bodies are base64 (e.g. images).
                let engines = [
                    base64::engine::general_purpose::STANDARD,
                    base64::engine::general_purpose::URL_SAFE,
                ];
                engines
                    .iter()
                    .find_map(|e| e.decode(s.trim_end_matches('=')).ok())
                    .or_else(|| {
                        base64::engine::general_purpose::URL_SAFE_NO_PAD
                            .decode(s)
                            .ok()
                    })
                    .map(Bytes::from)
                    .unwrap_or_else(|| Bytes::from(s.clone()))
            }
            (Some(v), _) => Bytes::from(v.to_string()),
        };
        let mut depends_on = Vec::new();
        for d in &r.depends_on {
            match index.get(&d.to_lowercase()) {
                Some(&j) => depends_on.push(j),
                None => {
                    return Err(bad_request(format!(
                        "Request id : {} depends on '{d}', which is not in the batch.",
                        r.id
                    )))
                }
            }
        }
        items.push(Item {
            id: r.id,
            method,
            uri,
            headers,
            body,
            depends_on,
        });
    }
    if let Some(id) = cycle(&items) {
        return Err(bad_request(format!(
            "Request id : {id} is part of a dependency cycle."
        )));
    }
    Ok(items)
}

/// An item on a `dependsOn` cycle, if there is one.
fn cycle(items: &[Item]) -> Option<&str> {
    let mut done = vec![false; items.len()];
    loop {
        let ready: Vec<usize> = (0..items.len())
            .filter(|&i| !done[i] && items[i].depends_on.iter().all(|&d| done[d]))
            .collect();
        if ready.is_empty() {
            return (0..items.len())
                .find(|&i| !done[i])
                .map(|i| items[i].id.as_str());
        }
        for i in ready {
            done[i] = true;
        }
    }
}

/// The connection of the batch was cut by an injected fault on an item.
struct Reset;

async fn batch(State(items): State<Router>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return bad_request("Invalid batch payload format.").into_response();
    };
    let plan = match plan(&bytes) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let batch_id = parts
        .extensions
        .get::<RequestId>()
        .map(|r| r.0)
        .unwrap_or_else(uuid::Uuid::new_v4);
    let auth = parts.headers.get(header::AUTHORIZATION).cloned();
    let responses = match execute(items, plan, auth, batch_id).await {
        Ok(r) => r,
        Err(Reset) => return crate::faults::connection_reset(),
    };
    let malformed = responses.iter().any(|r| r.malformed);
    let json = serde_json::json!({ "responses": responses }).to_string();
    let body = if malformed {
        // An item's body was garbled: so is the batch response around it.
        json[..json.len() / 2].to_string()
    } else {
        json
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Progress {
    Waiting,
    Running,
    Done(u16),
}

/// Run the items: dependencies first, at most `MAX_PARALLEL_ITEMS` at once.
async fn execute(
    items: Router,
    plan: Vec<Item>,
    auth: Option<HeaderValue>,
    batch_id: uuid::Uuid,
) -> Result<Vec<ItemResponse>, Reset> {
    let n = plan.len();
    let mut progress = vec![Progress::Waiting; n];
    let mut out = Vec::with_capacity(n);
    let mut running = tokio::task::JoinSet::new();
    let mut task_item = HashMap::new();
    loop {
        for i in 0..n {
            if progress[i] != Progress::Waiting {
                continue;
            }
            let deps = &plan[i].depends_on;
            if deps
                .iter()
                .any(|&d| matches!(progress[d], Progress::Done(s) if s >= 400))
            {
                progress[i] = Progress::Done(424);
                out.push(failed_dependency(&plan[i].id));
                continue;
            }
            let ready = deps
                .iter()
                .all(|&d| matches!(progress[d], Progress::Done(_)));
            if ready && running.len() < MAX_PARALLEL_ITEMS {
                progress[i] = Progress::Running;
                let fut = dispatch(items.clone(), plan[i].clone(), auth.clone(), batch_id);
                let handle = running.spawn(fut);
                task_item.insert(handle.id(), i);
            }
        }
        // Nothing running but items still waiting: their dependencies just
        // got a 424 later in the list, so another pass settles them.
        if running.is_empty() {
            if progress.contains(&Progress::Waiting) {
                continue;
            }
            break;
        }
        let (i, response) = match running.join_next_with_id().await {
            Some(Ok((task, result))) => (task_item[&task], result?),
            Some(Err(e)) => {
                let i = task_item[&e.id()];
                let err = GraphError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "generalException",
                    "An internal error occurred while processing the request.",
                );
                (
                    i,
                    item_response(&plan[i].id, err.into_response(), None).await?,
                )
            }
            None => break,
        };
        progress[i] = Progress::Done(response.status);
        out.push(response);
    }
    Ok(out)
}

fn failed_dependency(id: &str) -> ItemResponse {
    let err = GraphError::new(
        StatusCode::FAILED_DEPENDENCY,
        "FailedDependency",
        "The request was not run because a request it depends on failed.",
    );
    let mut headers = serde_json::Map::new();
    headers.insert("Content-Type".into(), "application/json".into());
    ItemResponse {
        id: id.to_string(),
        status: 424,
        headers,
        body: Some(err.body()),
        malformed: false,
    }
}

/// Send one item through the item router and turn the answer into a
/// `responses` entry.
async fn dispatch(
    items: Router,
    item: Item,
    auth: Option<HeaderValue>,
    batch_id: uuid::Uuid,
) -> Result<ItemResponse, Reset> {
    let mut req = Request::new(Body::from(item.body));
    *req.method_mut() = item.method;
    *req.uri_mut() = item.uri.parse().expect("validated in plan");
    let headers = req.headers_mut();
    for (k, v) in item.headers {
        headers.append(k, v);
    }
    if let Some(auth) = auth {
        headers.insert(header::AUTHORIZATION, auth);
    }
    req.extensions_mut().insert(BatchItem {
        batch: batch_id,
        id: item.id.clone(),
    });
    let segment = item.uri.split('?').next().unwrap_or("").rsplit('/').next();
    let response = match items.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    item_response(&item.id, response, segment).await
}

async fn item_response(
    id: &str,
    response: Response,
    segment: Option<&str>,
) -> Result<ItemResponse, Reset> {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| Reset)?;
    if parts.status == StatusCode::NOT_FOUND && bytes.is_empty() {
        // No route: Graph answers an unknown path with 400 BadRequest.
        let err = bad_request(format!(
            "Resource not found for the segment '{}'.",
            segment.unwrap_or("")
        ));
        return Box::pin(item_response(id, err.into_response(), None)).await;
    }
    let mut headers = serde_json::Map::new();
    for (name, value) in &parts.headers {
        if name == header::CONTENT_LENGTH {
            continue;
        }
        if let Ok(v) = value.to_str() {
            headers.insert(canonical(name.as_str()), Value::String(v.to_string()));
        }
    }
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
    let mut malformed = false;
    let body = if bytes.is_empty() {
        None
    } else if is_json {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Some(v),
            Err(_) => {
                malformed = true;
                Some(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
            }
        }
    } else {
        match std::str::from_utf8(&bytes) {
            Ok(text) => Some(Value::String(text.to_string())),
            Err(_) => Some(Value::String(
                base64::engine::general_purpose::STANDARD.encode(&bytes),
            )),
        }
    };
    Ok(ItemResponse {
        id: id.to_string(),
        status: parts.status.as_u16(),
        headers,
        body,
        malformed,
    })
}

/// `retry-after` → `Retry-After`, as Graph writes header names in batches.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validate `body`; expect `Ok(n)` items or the start of the 400 message.
    #[track_caller]
    fn check(body: Value, expect: Result<usize, &str>) {
        let got = plan(body.to_string().as_bytes());
        match (got, expect) {
            (Ok(items), Ok(n)) => assert_eq!(items.len(), n),
            (Err(e), Err(msg)) => {
                assert_eq!(e.status, StatusCode::BAD_REQUEST);
                assert_eq!(e.code, "BadRequest");
                assert!(e.message.starts_with(msg), "{:?} vs {msg:?}", e.message);
            }
            (got, expect) => panic!("got {got:?}, expected {expect:?}"),
        }
    }

    fn get(id: &str) -> Value {
        serde_json::json!({ "id": id, "method": "GET", "url": "/me" })
    }

    #[test]
    fn batch_validation() {
        let twenty: Vec<Value> = (1..=20).map(|i| get(&i.to_string())).collect();
        check(serde_json::json!({ "requests": twenty }), Ok(20));
        let mut twenty_one = twenty.clone();
        twenty_one.push(get("21"));
        check(
            serde_json::json!({ "requests": twenty_one }),
            Err("The batch contains 21 requests; the maximum is 20."),
        );
        check(
            serde_json::json!({ "requests": [get("a"), get("A")] }),
            Err("Batch request ids must be unique"),
        );
        check(
            serde_json::json!({ "request": [] }),
            Err("Invalid batch payload format"),
        );
        check(
            serde_json::json!([get("1")]),
            Err("Invalid batch payload format"),
        );
        check(
            serde_json::json!({ "requests": [{ "id": "1", "url": "/me" }] }),
            Err("Invalid batch payload format"),
        );
        check(
            serde_json::json!({ "requests": [
                { "id": "1", "method": "POST", "url": "/me/events", "body": {} }
            ]}),
            Err("Write request id : 1 does not contain Content-Type header or body."),
        );
        check(
            serde_json::json!({ "requests": [
                { "id": "1", "method": "POST", "url": "/me/events",
                  "headers": { "Content-Type": "application/json" } }
            ]}),
            Err("Write request id : 1 does not contain Content-Type header or body."),
        );
        check(
            serde_json::json!({ "requests": [
                { "id": "1", "method": "POST", "url": "me/events", "body": {},
                  "headers": { "Content-Type": "application/json" } }
            ]}),
            Ok(1),
        );
        check(
            serde_json::json!({ "requests": [
                { "id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/me" }
            ]}),
            Err("Request id : 1 must have a url relative"),
        );
        check(
            serde_json::json!({ "requests": [
                { "id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"] }
            ]}),
            Err("Request id : 1 depends on '9'"),
        );
        check(
            serde_json::json!({ "requests": [
                { "id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"] },
                { "id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"] }
            ]}),
            Err("Request id : 1 is part of a dependency cycle."),
        );
        check(
            serde_json::json!({ "requests": [
                { "id": "1", "method": "TRACE", "url": "/me" }
            ]}),
            Err("Request id : 1 has an invalid method"),
        );
    }

    #[test]
    fn header_names_as_graph_writes_them() {
        assert_eq!(canonical("retry-after"), "Retry-After");
        assert_eq!(canonical("content-type"), "Content-Type");
        assert_eq!(canonical("etag"), "Etag");
    }
}

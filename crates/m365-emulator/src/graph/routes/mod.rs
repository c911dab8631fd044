//! The `/v1.0/me/...` resources: the request context and the entry point
//! (`me`), with one file per job:
//! - `dispatch`: which handler answers a path (Graph paths are
//!   case-insensitive) and method;
//! - `crud`: generic create/read/update/delete over the mailbox store;
//! - `render`: an item as Graph returns it, `$select`, `$expand`;
//! - `paging`: `$top`/`$skip`/`maxpagesize` pages and `$orderby`;
//! - `calendar`: `calendarView` and `instances`;
//! - `delta`: delta queries and their state tokens;
//! - `extensions`: open extensions and linked resources.

mod calendar;
mod crud;
mod delta;
mod dispatch;
mod extensions;
mod paging;
mod render;

pub use crud::{create, update};
pub use render::ext_id_eq;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::GraphError;
use super::model;
use super::odata::{Prefer, Query};
use super::store::Kind;
use super::tz::{self, Zone};
use crate::keys::AccessClaims;
use crate::Shared;

/// Default page size of Outlook collections when neither `$top` nor
/// `Prefer: odata.maxpagesize` is given.
const DEFAULT_PAGE: usize = 10;
/// Largest `$top` Outlook accepts.
const MAX_TOP: usize = 1000;
/// The page size of `contacts/delta`: its default and its cap, also when a
/// larger `odata.maxpagesize` is asked for.
const CONTACTS_DELTA_PAGE: usize = 200;

pub fn not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

fn bad_request(msg: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", msg)
}

fn segment_not_found(seg: &str) -> GraphError {
    bad_request(format!("Resource not found for the segment '{seg}'."))
}

/// What every handler needs to know about the request.
pub struct Ctx {
    pub base: String,
    pub oid: String,
    pub query: Query,
    pub raw_query: Option<String>,
    pub prefer: Prefer,
    pub zone: (String, Zone),
    pub zone_requested: bool,
    pub if_match: Option<String>,
    /// Path under `/v1.0`, e.g. `/me/events`.
    pub path: String,
    pub now: DateTime<Utc>,
}

impl Ctx {
    fn context(&self, fragment: &str) -> String {
        format!("{}/$metadata#users('{}')/{fragment}", self.base, self.oid)
    }
}

pub async fn me(
    State(shared): State<Shared>,
    Extension(claims): Extension<AccessClaims>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&shared, &claims, &method, &uri, &headers, &body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn handle(
    shared: &Shared,
    claims: &AccessClaims,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::parse(
        headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let zone = match &prefer.timezone {
        Some(name) => (
            name.clone(),
            tz::resolve(name).ok_or_else(|| model::time_zone_not_supported(name))?,
        ),
        None => ("UTC".to_string(), Zone::UTC),
    };
    let query = Query::parse(uri.query()).map_err(bad_request)?;
    let path = uri.path();
    let under = path
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("/v1.0"))
        .map(|_| &path[5..])
        .unwrap_or(path)
        .to_string();
    let ctx = Ctx {
        base: format!("{}/v1.0", shared.base_url()),
        oid: claims.oid.clone(),
        query,
        raw_query: uri.query().map(str::to_string),
        zone_requested: prefer.timezone.is_some(),
        prefer,
        zone,
        if_match: headers
            .get("if-match")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        path: under.clone(),
        now: shared.now(),
    };
    let segs: Vec<String> = under
        .trim_start_matches('/')
        .split('/')
        .skip(1) // "me"
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let user_id = Uuid::parse_str(&claims.oid).map_err(|_| not_found())?;
    let json_body = if matches!(*method, Method::POST | Method::PATCH | Method::PUT) {
        Some(parse_body(body)?)
    } else {
        None
    };
    let mut world = shared.world();
    let user = world
        .user(&claims.oid)
        .map(|(_, u)| u.clone())
        .ok_or_else(|| {
            GraphError::new(StatusCode::NOT_FOUND, "ResourceNotFound", "User not found")
        })?;
    let mb = world.mailbox_mut(user_id);
    mb.ensure_defaults(ctx.now);
    let before = mb.seq;
    let result = dispatch::dispatch(&ctx, mb, method, &segs, json_body.as_ref(), &user);
    let changed = mb.seq != before;
    drop(world);
    if changed {
        shared.persist();
    }
    result
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

fn parse_body(body: &Bytes) -> Result<Map<String, Value>, GraphError> {
    let malformed = || {
        bad_request("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
    };
    if body.is_empty() {
        return Err(bad_request("Empty Payload. JSON content expected."));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(malformed()),
    }
}

fn need(body: Option<&Map<String, Value>>) -> Result<&Map<String, Value>, GraphError> {
    body.ok_or_else(|| bad_request("Empty Payload. JSON content expected."))
}

fn method_not_allowed() -> GraphError {
    GraphError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    )
}

/// Where a collection lives: its kind and parent container id.
#[derive(Clone)]
struct Coll {
    kind: Kind,
    parent: String,
    /// `@odata.context` fragment of the collection, e.g. `events`.
    context: String,
}

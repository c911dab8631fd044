//! `/_admin/mailboxes/...`: read a whole mailbox, make changes as the user
//! would in Outlook (so they show up in delta like real user edits), and
//! expire a mailbox's delta tokens.
//!
//! - `GET    /_admin/mailboxes/{upn}` → the mailbox as stored (all items
//!   with `props`, `extended`, `extensions`, `linked_resources`, tombstones);
//! - `POST   /_admin/mailboxes/{upn}/items` `{"kind", "parentId"?, "props"}`
//!   → 201 `{"id", "changeKey"}`; `kind` is `event`, `task`, `contact`,
//!   `todoList`, `contactFolder` or `calendar`; `props` is a Graph body;
//! - `PATCH  /_admin/mailboxes/{upn}/items/{kind}/{id}` (Graph body) → 200 `{"id", "changeKey"}`;
//! - `DELETE /_admin/mailboxes/{upn}/items/{kind}/{id}` → 204;
//! - `POST   /_admin/mailboxes/{upn}/delta-tokens/expire` → 204: every
//!   delta/skip token issued so far answers 410 `SyncStateNotFound`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::error::GraphError;
use super::routes;
use super::store::{Kind, Mailbox};
use crate::Shared;

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/_admin/mailboxes/{upn}", get(read))
        .route("/_admin/mailboxes/{upn}/items", post(create))
        .route(
            "/_admin/mailboxes/{upn}/items/{kind}/{id}",
            patch(update).delete(delete),
        )
        .route("/_admin/mailboxes/{upn}/delta-tokens/expire", post(expire))
        .with_state(shared)
}

fn unknown_user(upn: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("No user '{upn}' in the emulator."),
    )
}

/// Run `f` on the user's mailbox (created with its default folders).
fn with_mailbox<T>(
    shared: &Shared,
    upn: &str,
    f: impl FnOnce(&mut Mailbox, chrono::DateTime<chrono::Utc>) -> Result<T, GraphError>,
) -> Result<T, GraphError> {
    let now = shared.now();
    let mut world = shared.world();
    let id: Uuid = world
        .user(upn)
        .map(|(_, u)| u.id)
        .ok_or_else(|| unknown_user(upn))?;
    let mb = world.mailbox_mut(id);
    mb.ensure_defaults(now);
    f(mb, now)
}

fn parse_kind(s: &str) -> Result<Kind, GraphError> {
    serde_json::from_value(json!(s)).map_err(|_| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Unknown kind '{s}': use event, task, contact, todoList, contactFolder or calendar."),
        )
    })
}

fn default_parent(mb: &Mailbox, kind: Kind) -> String {
    match kind {
        Kind::Event => mb.primary_calendar_id(),
        Kind::Task => mb
            .todo_lists
            .iter()
            .find(|l| l.str_prop("wellknownListName") == Some("defaultList"))
            .map(|l| l.id.clone())
            .unwrap_or_default(),
        Kind::Contact | Kind::ContactFolder => mb.default_contact_folder_id(),
        Kind::Calendar | Kind::TodoList => String::new(),
    }
}

async fn read(State(shared): State<Shared>, Path(upn): Path<String>) -> Response {
    match with_mailbox(&shared, &upn, |mb, _| {
        Ok(serde_json::to_value(&*mb).unwrap_or_default())
    }) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn create(
    State(shared): State<Shared>,
    Path(upn): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let result = with_mailbox(&shared, &upn, |mb, now| {
        let kind = parse_kind(body["kind"].as_str().unwrap_or_default())?;
        let parent = body["parentId"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| default_parent(mb, kind));
        let props: Map<String, Value> = body["props"].as_object().cloned().unwrap_or_default();
        let id = routes::create(mb, kind, &parent, &props, now, true)?;
        let item = mb.get(kind, &id).ok_or_else(routes::not_found)?;
        Ok(json!({"id": id, "changeKey": item.change_key}))
    });
    shared.persist();
    match result {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn update(
    State(shared): State<Shared>,
    Path((upn, kind, id)): Path<(String, String, String)>,
    Json(body): Json<Map<String, Value>>,
) -> Response {
    let result = with_mailbox(&shared, &upn, |mb, now| {
        let kind = parse_kind(&kind)?;
        routes::update(mb, kind, &id, &body, now, true)?;
        let item = mb.get(kind, &id).ok_or_else(routes::not_found)?;
        Ok(json!({"id": id, "changeKey": item.change_key}))
    });
    shared.persist();
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn delete(
    State(shared): State<Shared>,
    Path((upn, kind, id)): Path<(String, String, String)>,
) -> Response {
    let result = with_mailbox(&shared, &upn, |mb, now| {
        let kind = parse_kind(&kind)?;
        if mb.delete(kind, &id, now) {
            Ok(())
        } else {
            Err(routes::not_found())
        }
    });
    shared.persist();
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn expire(State(shared): State<Shared>, Path(upn): Path<String>) -> Response {
    let result = with_mailbox(&shared, &upn, |mb, _| {
        mb.expire_sync_state();
        Ok(())
    });
    shared.persist();
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

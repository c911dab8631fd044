//! Create, read, update and delete of items and collections (also used by
//! the admin routes for user-made changes), `If-Match`, and the inline
//! extended properties, open extensions and linked resources of a create.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::paging::page_response;
use super::render::{applied, check_expand, ext_id_eq, json_response, matches_filter, render};
use super::{bad_request, method_not_allowed, need, not_found, Coll, Ctx};
use crate::graph::error::GraphError;
use crate::graph::events;
use crate::graph::model;
use crate::graph::store::{ExtendedProperty, Item, Kind, Mailbox};

pub(super) fn collection(
    ctx: &Ctx,
    mb: &mut Mailbox,
    m: &Method,
    c: &Coll,
    body: Option<&Map<String, Value>>,
) -> Result<Response, GraphError> {
    check_expand(ctx, c.kind)?;
    match *m {
        Method::GET => {
            let values: Vec<Value> = mb
                .items(c.kind)
                .iter()
                .filter(|i| i.parent_id == c.parent)
                .filter(|i| {
                    ctx.query
                        .filter
                        .as_ref()
                        .is_none_or(|f| matches_filter(i, f))
                })
                .map(|i| render(ctx, c.kind, i, None))
                .collect();
            Ok(page_response(ctx, c.kind, ctx.context(&c.context), values))
        }
        Method::POST => {
            let body = need(body)?;
            let id = create(mb, c.kind, &c.parent, body, ctx.now, false)?;
            let item = mb.get(c.kind, &id).ok_or_else(not_found)?;
            let mut v = render(ctx, c.kind, item, None);
            v["@odata.context"] = json!(ctx.context(&format!("{}/$entity", c.context)));
            if c.kind == Kind::Task && body.contains_key("linkedResources") {
                v["linkedResources"] = json!(item.linked_resources);
            }
            Ok(json_response(
                StatusCode::CREATED,
                v,
                applied(ctx, c.kind, false, false),
            ))
        }
        _ => Err(method_not_allowed()),
    }
}

/// Create an item from a Graph body; returns its id. For events, a
/// `transactionId` already used in this mailbox returns that event instead
/// (<https://learn.microsoft.com/en-us/graph/api/resources/event>).
pub fn create(
    mb: &mut Mailbox,
    kind: Kind,
    parent: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
    user_made: bool,
) -> Result<String, GraphError> {
    if kind == Kind::Event {
        if let Some(tx) = body.get("transactionId").and_then(Value::as_str) {
            if let Some(existing) = mb
                .events
                .iter()
                .find(|e| e.str_prop("transactionId") == Some(tx))
            {
                return Ok(existing.id.clone());
            }
        }
    }
    let mut props = Map::new();
    model::apply(kind, &mut props, body, true)?;
    let extended = parse_extended(body)?;
    let exts = match body.get("extensions") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| new_extension(e.as_object().cloned().unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()?,
        _ => vec![],
    };
    let linked = match body.get("linkedResources") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| new_linked_resource(e.as_object().cloned().unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()?,
        _ => vec![],
    };
    if kind == Kind::Event {
        props.insert(
            "iCalUId".into(),
            json!(format!(
                "040000008200E00074C5B7101A82E008{}",
                Uuid::new_v4().simple()
            )
            .to_uppercase()),
        );
    }
    if kind == Kind::Task && props.get("status").and_then(Value::as_str) == Some("completed") {
        props.insert("completedDateTime".into(), completed(now));
    }
    let item = mb.insert(kind, parent, props, now);
    item.extended = extended;
    item.extensions = exts;
    item.linked_resources = linked;
    item.user_made = user_made;
    Ok(item.id.clone())
}

pub(super) fn completed(now: DateTime<Utc>) -> Value {
    json!({"dateTime": format!("{}T00:00:00.0000000", now.format("%Y-%m-%d")), "timeZone": "UTC"})
}

pub(super) fn parse_extended(
    body: &Map<String, Value>,
) -> Result<Vec<ExtendedProperty>, GraphError> {
    let Some(v) = body.get("singleValueExtendedProperties") else {
        return Ok(vec![]);
    };
    let arr = v
        .as_array()
        .ok_or_else(|| bad_request("singleValueExtendedProperties must be an array."))?;
    arr.iter()
        .map(|p| {
            let id = p["id"].as_str().filter(|s| !s.trim().is_empty());
            let value = match &p["value"] {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            };
            match (id, value) {
                (Some(id), Some(value)) => Ok(ExtendedProperty {
                    id: id.to_string(),
                    value,
                }),
                _ => Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidProperty",
                    "An extended property needs an id and a value.",
                )),
            }
        })
        .collect()
}

pub(super) fn new_extension(mut e: Map<String, Value>) -> Result<Map<String, Value>, GraphError> {
    let ty = e
        .get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if ty.trim_start_matches('#') != "microsoft.graph.openTypeExtension" {
        return Err(bad_request(
            "An open extension needs \"@odata.type\": \"microsoft.graph.openTypeExtension\".",
        ));
    }
    let name = e
        .get("extensionName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad_request("An open extension needs an extensionName."))?
        .to_string();
    e.insert(
        "@odata.type".into(),
        json!("#microsoft.graph.openTypeExtension"),
    );
    e.insert(
        "id".into(),
        json!(format!(
            "Microsoft.OutlookServices.OpenTypeExtension.{name}"
        )),
    );
    Ok(e)
}

pub(super) const LINKED_FIELDS: &[&str] =
    &["webUrl", "applicationName", "displayName", "externalId"];

pub(super) fn new_linked_resource(e: Map<String, Value>) -> Result<Map<String, Value>, GraphError> {
    let mut out = Map::new();
    for (k, v) in e {
        if k.starts_with('@') || k == "id" {
            continue;
        }
        if !LINKED_FIELDS.contains(&k.as_str()) {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "RequestBodyRead",
                format!("The property '{k}' does not exist on type 'microsoft.graph.linkedResource'. Make sure to only use property names that are defined by the type or mark the type as open type."),
            ));
        }
        out.insert(k, v);
    }
    out.insert("id".into(), json!(Uuid::new_v4().to_string()));
    Ok(out)
}

pub(super) fn check_if_match(ctx: &Ctx, item: &Item) -> Result<(), GraphError> {
    let Some(tag) = ctx.if_match.as_deref().map(str::trim) else {
        return Ok(());
    };
    let bare = |t: &str| t.trim_start_matches("W/").trim_matches('"').to_string();
    if tag == "*" || bare(tag) == item.change_key {
        Ok(())
    } else {
        Err(GraphError::new(
            StatusCode::PRECONDITION_FAILED,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
        ))
    }
}

pub(super) fn get_item(
    ctx: &Ctx,
    mb: &Mailbox,
    kind: Kind,
    id: &str,
    context: &str,
) -> Result<Response, GraphError> {
    check_expand(ctx, kind)?;
    if kind == Kind::Event && mb.get(kind, id).is_none() {
        // An occurrence of a series.
        if let Some((master, date)) = events::split_occurrence_id(id) {
            if let Some(m) = mb.get(kind, master) {
                if let Some(inst) = events::occurrence(m, date) {
                    let mut v = render(ctx, kind, m, Some(&inst));
                    v["@odata.context"] = json!(ctx.context(&format!("{context}/$entity")));
                    return Ok(json_response(
                        StatusCode::OK,
                        v,
                        applied(ctx, kind, false, false),
                    ));
                }
            }
        }
    }
    let item = mb.get(kind, id).ok_or_else(not_found)?;
    let mut v = render(ctx, kind, item, None);
    if let Value::Object(m) = &mut v {
        let mut with_ctx = Map::new();
        with_ctx.insert(
            "@odata.context".into(),
            json!(ctx.context(&format!("{context}/$entity"))),
        );
        with_ctx.extend(std::mem::take(m));
        *m = with_ctx;
    }
    Ok(json_response(
        StatusCode::OK,
        v,
        applied(ctx, kind, false, false),
    ))
}

pub(super) fn item(
    ctx: &Ctx,
    mb: &mut Mailbox,
    m: &Method,
    kind: Kind,
    id: &str,
    context: &str,
    body: Option<&Map<String, Value>>,
) -> Result<Response, GraphError> {
    match *m {
        Method::GET => get_item(ctx, mb, kind, id, context),
        Method::PATCH => {
            let body = need(body)?;
            let current = mb.get(kind, id).ok_or_else(not_found)?;
            check_if_match(ctx, current)?;
            update(mb, kind, id, body, ctx.now, false)?;
            if ctx.prefer.return_minimal {
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            get_item(ctx, mb, kind, id, context)
        }
        Method::DELETE => {
            let current = mb.get(kind, id).ok_or_else(not_found)?;
            check_if_match(ctx, current)?;
            if kind == Kind::Calendar
                && current.props.get("isDefaultCalendar") == Some(&Value::Bool(true))
                || kind == Kind::TodoList
                    && current.str_prop("wellknownListName") == Some("defaultList")
            {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidRequest",
                    "The default folder cannot be deleted.",
                ));
            }
            mb.delete(kind, id, ctx.now);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(method_not_allowed()),
    }
}

/// Apply a PATCH body: properties merge, extended properties upsert by id.
pub fn update(
    mb: &mut Mailbox,
    kind: Kind,
    id: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
    user_made: bool,
) -> Result<(), GraphError> {
    let current = mb.get(kind, id).ok_or_else(not_found)?;
    let mut props = current.props.clone();
    let was_completed = current.str_prop("status") == Some("completed");
    model::apply(kind, &mut props, body, false)?;
    if body.contains_key("linkedResources") {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "RequestBodyRead",
            "linkedResources can be set inline only on create; use the linkedResources collection.",
        ));
    }
    let extended = parse_extended(body)?;
    if kind == Kind::Task
        && !was_completed
        && props.get("status").and_then(Value::as_str) == Some("completed")
    {
        props.insert("completedDateTime".into(), completed(now));
    }
    let item = mb.touch(kind, id, now).ok_or_else(not_found)?;
    item.props = props;
    for p in extended {
        match item.extended.iter_mut().find(|e| ext_id_eq(&e.id, &p.id)) {
            Some(e) => e.value = p.value,
            None => item.extended.push(p),
        }
    }
    item.user_made = user_made;
    Ok(())
}

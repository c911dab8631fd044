//! Open extensions (`.../extensions`) and To Do linked resources
//! (`.../linkedResources`) as their own collections.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::crud::{new_extension, new_linked_resource};
use super::render::{extension_matches, json_response};
use super::{method_not_allowed, need, not_found, Ctx};
use crate::graph::error::GraphError;
use crate::graph::store::{Item, Kind, Mailbox};

pub(super) fn extensions(
    ctx: &Ctx,
    mb: &mut Mailbox,
    m: &Method,
    kind: Kind,
    parent: &str,
    ext: Option<&str>,
    body: Option<&Map<String, Value>>,
) -> Result<Response, GraphError> {
    let item = mb.get(kind, parent).ok_or_else(not_found)?;
    let context = ctx.context(&format!("{}('{parent}')/extensions", kind_segment(kind)));
    match (m.clone(), ext) {
        (Method::GET, None) => Ok(json_response(
            StatusCode::OK,
            json!({"@odata.context": context, "value": item.extensions}),
            None,
        )),
        (Method::GET, Some(e)) => {
            let x = item
                .extensions
                .iter()
                .find(|x| extension_matches(x, e))
                .ok_or_else(not_found)?;
            let mut v = json!({"@odata.context": format!("{context}/$entity")});
            for (k, val) in x {
                v[k] = val.clone();
            }
            Ok(json_response(StatusCode::OK, v, None))
        }
        (Method::POST, None) => {
            let new = new_extension(need(body)?.clone())?;
            let name = new["extensionName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if item.extensions.iter().any(|x| extension_matches(x, &name)) {
                return Err(GraphError::new(
                    StatusCode::CONFLICT,
                    "NameAlreadyExists",
                    "An open extension with this name already exists on the item.",
                ));
            }
            let it = mb.touch(kind, parent, ctx.now).ok_or_else(not_found)?;
            it.extensions.push(new.clone());
            let mut v = json!({"@odata.context": format!("{context}/$entity")});
            for (k, val) in new {
                v[k] = val;
            }
            Ok(json_response(StatusCode::CREATED, v, None))
        }
        (Method::PATCH, Some(e)) => {
            let body = need(body)?.clone();
            if !item.extensions.iter().any(|x| extension_matches(x, e)) {
                return Err(not_found());
            }
            let it = mb.touch(kind, parent, ctx.now).ok_or_else(not_found)?;
            let x = it
                .extensions
                .iter_mut()
                .find(|x| extension_matches(x, e))
                .ok_or_else(not_found)?;
            for (k, v) in body {
                if k != "id" && k != "extensionName" && !k.starts_with('@') {
                    x.insert(k, v);
                }
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (Method::DELETE, Some(e)) => {
            if !item.extensions.iter().any(|x| extension_matches(x, e)) {
                return Err(not_found());
            }
            let it = mb.touch(kind, parent, ctx.now).ok_or_else(not_found)?;
            it.extensions.retain(|x| !extension_matches(x, e));
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(method_not_allowed()),
    }
}

pub(super) fn kind_segment(kind: Kind) -> &'static str {
    match kind {
        Kind::Event => "events",
        Kind::Contact => "contacts",
        Kind::Task => "tasks",
        Kind::TodoList => "todo/lists",
        Kind::Calendar => "calendars",
        Kind::ContactFolder => "contactFolders",
    }
}

pub(super) fn linked_resources(
    ctx: &Ctx,
    mb: &mut Mailbox,
    m: &Method,
    task: &str,
    rid: Option<&str>,
    body: Option<&Map<String, Value>>,
) -> Result<Response, GraphError> {
    let item = mb.get(Kind::Task, task).ok_or_else(not_found)?;
    let context = ctx.context(&format!(
        "todo/lists('{}')/tasks('{task}')/linkedResources",
        item.parent_id
    ));
    let find = |it: &Item, r: &str| {
        it.linked_resources
            .iter()
            .position(|x| x["id"].as_str() == Some(r))
    };
    match (m.clone(), rid) {
        (Method::GET, None) => Ok(json_response(
            StatusCode::OK,
            json!({"@odata.context": context, "value": item.linked_resources}),
            None,
        )),
        (Method::GET, Some(r)) => {
            let pos = find(item, r).ok_or_else(not_found)?;
            let mut v = json!({"@odata.context": format!("{context}/$entity")});
            for (k, val) in &item.linked_resources[pos] {
                v[k] = val.clone();
            }
            Ok(json_response(StatusCode::OK, v, None))
        }
        (Method::POST, None) => {
            let new = new_linked_resource(need(body)?.clone())?;
            let it = mb.touch(Kind::Task, task, ctx.now).ok_or_else(not_found)?;
            it.linked_resources.push(new.clone());
            let mut v = json!({"@odata.context": format!("{context}/$entity")});
            for (k, val) in new {
                v[k] = val;
            }
            Ok(json_response(StatusCode::CREATED, v, None))
        }
        (Method::PATCH, Some(r)) => {
            let patch = new_linked_resource(need(body)?.clone())?;
            find(item, r).ok_or_else(not_found)?;
            let it = mb.touch(Kind::Task, task, ctx.now).ok_or_else(not_found)?;
            let pos = find(it, r).ok_or_else(not_found)?;
            let x = &mut it.linked_resources[pos];
            for (k, v) in patch {
                if k != "id" {
                    x.insert(k, v);
                }
            }
            let mut v = json!({"@odata.context": format!("{context}/$entity")});
            for (k, val) in x.clone() {
                v[k] = val;
            }
            Ok(json_response(StatusCode::OK, v, None))
        }
        (Method::DELETE, Some(r)) => {
            find(item, r).ok_or_else(not_found)?;
            let it = mb.touch(Kind::Task, task, ctx.now).ok_or_else(not_found)?;
            it.linked_resources.retain(|x| x["id"].as_str() != Some(r));
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(method_not_allowed()),
    }
}

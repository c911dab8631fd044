//! Rendering an item as Graph returns it: server-set properties, event
//! times and types, `$expand`ed navigations, `$select`, and the
//! `Preference-Applied` header.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::{bad_request, Ctx};
use crate::graph::error::GraphError;
use crate::graph::events::{self, Instance};
use crate::graph::model;
use crate::graph::odata::{AnyFilter, Nav};
use crate::graph::store::{ExtendedProperty, Item, Kind};

pub(super) fn json_response(status: StatusCode, body: Value, applied: Option<String>) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    if let Some(a) = applied.filter(|a| !a.is_empty()) {
        if let Ok(v) = HeaderValue::from_str(&a) {
            r.headers_mut().insert("Preference-Applied", v);
        }
    }
    r
}

/// The `Preference-Applied` value for this response.
pub(super) fn applied(ctx: &Ctx, kind: Kind, page: bool, delta: bool) -> Option<String> {
    let mut parts = vec![];
    if delta {
        parts.push("odata.track-changes".to_string());
    }
    if page {
        if let Some(n) = ctx.prefer.maxpagesize {
            parts.push(format!("odata.maxpagesize={n}"));
        }
    }
    if ctx.prefer.immutable_id && kind != Kind::TodoList && kind != Kind::Task {
        // Ids here never change while an item exists, so they are immutable
        // ids already (<https://learn.microsoft.com/en-us/graph/outlook-immutable-id>).
        parts.push("IdType=\"ImmutableId\"".to_string());
    }
    if ctx.zone_requested && kind == Kind::Event {
        parts.push(format!("outlook.timezone=\"{}\"", ctx.zone.0));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

pub(super) fn render_user(ctx: &Ctx, u: &crate::world::User) -> Value {
    json!({
        "@odata.context": format!("{}/$metadata#users/$entity", ctx.base),
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": u.given_name,
        "jobTitle": null,
        "mail": u.user_principal_name,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": u.preferred_language,
        "surname": u.surname,
        "userPrincipalName": u.user_principal_name,
        "id": u.id.to_string(),
    })
}

pub(super) fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Compare extended property ids: type and GUID case-insensitively, the
/// name exactly (named properties are case-sensitive by name).
pub fn ext_id_eq(a: &str, b: &str) -> bool {
    let ta: Vec<&str> = a.split_whitespace().collect();
    let tb: Vec<&str> = b.split_whitespace().collect();
    ta.len() == tb.len()
        && ta.iter().zip(&tb).enumerate().all(|(i, (x, y))| {
            if i + 1 == ta.len() && ta.len() == 4 {
                x == y
            } else {
                x.eq_ignore_ascii_case(y)
            }
        })
}

pub(super) fn extension_matches(ext: &Map<String, Value>, key: &str) -> bool {
    [ext.get("id"), ext.get("extensionName")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|v| v.eq_ignore_ascii_case(key))
}

pub(super) fn matches_filter(item: &Item, f: &AnyFilter) -> bool {
    match f.nav {
        Nav::ExtendedProperties => item.extended.iter().any(|p| {
            ext_id_eq(&p.id, &f.id) && f.value.as_ref().is_none_or(|t| t.matches(&p.value))
        }),
        Nav::Extensions => item.extensions.iter().any(|e| extension_matches(e, &f.id)),
        _ => false,
    }
}

/// Render one item as Graph returns it.
pub(super) fn render(ctx: &Ctx, kind: Kind, item: &Item, inst: Option<&Instance<'_>>) -> Value {
    let mut out = Map::new();
    out.insert("@odata.etag".into(), json!(item.etag()));
    out.insert(
        "id".into(),
        json!(inst.map(|i| i.id.clone()).unwrap_or(item.id.clone())),
    );
    if kind != Kind::TodoList && kind != Kind::ContactFolder && kind != Kind::Calendar {
        out.insert("createdDateTime".into(), json!(fmt_time(item.created)));
        out.insert(
            "lastModifiedDateTime".into(),
            json!(fmt_time(item.modified)),
        );
    }
    if kind.has_change_key() {
        out.insert("changeKey".into(), json!(item.change_key));
    }
    for (k, v) in model::defaults(kind) {
        out.insert(k, v);
    }
    for (k, v) in &item.props {
        out.insert(k.clone(), v.clone());
    }
    match kind {
        Kind::Event => {
            let series = events::is_series(item);
            out.insert(
                "type".into(),
                json!(match (inst.and_then(|i| i.occurrence), series) {
                    (Some(_), _) => "occurrence",
                    (None, true) => "seriesMaster",
                    (None, false) => "singleInstance",
                }),
            );
            out.insert(
                "seriesMasterId".into(),
                if inst.and_then(|i| i.occurrence).is_some() {
                    json!(item.id)
                } else {
                    Value::Null
                },
            );
            if let Some(d) = inst.and_then(|i| i.occurrence) {
                out.insert("recurrence".into(), Value::Null);
                let uid = item.str_prop("iCalUId").unwrap_or_default();
                out.insert(
                    "iCalUId".into(),
                    json!(format!("{uid}{}", d.format("%Y%m%d"))),
                );
            }
            events::render_times(&mut out, item, inst, &ctx.zone);
            let preview: String = out["body"]["content"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(255)
                .collect();
            out.insert("bodyPreview".into(), json!(preview));
        }
        Kind::Contact => {
            out.insert("parentFolderId".into(), json!(item.parent_id));
            if item.str_prop("displayName").unwrap_or_default().is_empty() {
                let name = [item.str_prop("givenName"), item.str_prop("surname")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.insert("displayName".into(), json!(name));
            }
        }
        Kind::ContactFolder => {
            out.insert("parentFolderId".into(), json!(item.parent_id));
            out.remove("isDefault");
        }
        _ => {}
    }
    // Navigations, only when expanded.
    if let Some(e) = ctx.query.expands(&Nav::ExtendedProperties) {
        let props: Vec<&ExtendedProperty> = item
            .extended
            .iter()
            .filter(|p| {
                e.ids
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|i| ext_id_eq(i, &p.id)))
            })
            .collect();
        out.insert("singleValueExtendedProperties".into(), json!(props));
    }
    if let Some(e) = ctx.query.expands(&Nav::Extensions) {
        let exts: Vec<&Map<String, Value>> = item
            .extensions
            .iter()
            .filter(|x| {
                e.ids
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|i| extension_matches(x, i)))
            })
            .collect();
        out.insert("extensions".into(), json!(exts));
    }
    if ctx.query.expands(&Nav::LinkedResources).is_some() {
        out.insert("linkedResources".into(), json!(item.linked_resources));
    }
    let mut v = Value::Object(out);
    if let Some(sel) = &ctx.query.select {
        v = select(v, sel);
    }
    v
}

pub(super) fn select(v: Value, sel: &[String]) -> Value {
    let Value::Object(m) = v else { return v };
    Value::Object(
        m.into_iter()
            .filter(|(k, _)| {
                k == "id"
                    || k == "@odata.etag"
                    || k == "singleValueExtendedProperties"
                    || k == "extensions"
                    || k == "linkedResources"
                    || sel.iter().any(|s| s.eq_ignore_ascii_case(k))
            })
            .collect(),
    )
}

/// Reject navigations a resource does not have (`$expand` on a todoTask
/// of singleValueExtendedProperties, for instance), as OData does.
pub(super) fn check_expand(ctx: &Ctx, kind: Kind) -> Result<(), GraphError> {
    for e in &ctx.query.expand {
        let ok = match &e.nav {
            Nav::ExtendedProperties => kind.has_extended_properties(),
            Nav::Extensions => matches!(
                kind,
                Kind::Event | Kind::Contact | Kind::Task | Kind::TodoList
            ),
            Nav::LinkedResources => kind == Kind::Task,
            Nav::Other(_) => false,
        };
        if !ok {
            let name = match &e.nav {
                Nav::ExtendedProperties => "singleValueExtendedProperties".to_string(),
                Nav::Extensions => "extensions".into(),
                Nav::LinkedResources => "linkedResources".into(),
                Nav::Other(s) => s.clone(),
            };
            return Err(bad_request(format!(
                "Could not find a property named '{name}' on type '{}'.",
                kind.type_name()
            )));
        }
    }
    if let Some(f) = &ctx.query.filter {
        if f.nav == Nav::ExtendedProperties && !kind.has_extended_properties() {
            return Err(bad_request(format!(
                "Could not find a property named 'singleValueExtendedProperties' on type '{}'.",
                kind.type_name()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_property_ids_compare_as_exchange_does() {
        let a = "String {66F5A359-4659-4830-9070-00047EC6AC6E} Name DocketSyncId";
        assert!(ext_id_eq(
            a,
            "string {66f5a359-4659-4830-9070-00047ec6ac6e} name DocketSyncId"
        ));
        assert!(!ext_id_eq(
            a,
            "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name docketsyncid"
        ));
        assert!(ext_id_eq("String 0x0037", "string 0x0037"));
    }
}

//! The `/v1.0/me/...` resources: one dispatcher over the path segments
//! (Graph paths are case-insensitive), generic create/read/update/delete,
//! paging and delta over the mailbox store, and the event-specific parts.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::error::GraphError;
use super::events::{self, Instance};
use super::model;
use super::odata::{self, AnyFilter, Nav, Prefer, Query};
use super::store::{ExtendedProperty, Item, Kind, Mailbox};
use super::tz::{self, Zone};
use crate::keys::AccessClaims;
use crate::Shared;

/// Default page size of Outlook collections when neither `$top` nor
/// `Prefer: odata.maxpagesize` is given.
const DEFAULT_PAGE: usize = 10;
/// Largest `$top` Outlook accepts.
const MAX_TOP: usize = 1000;

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
    let result = dispatch(&ctx, mb, method, &segs, json_body.as_ref(), &user);
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

fn dispatch(
    ctx: &Ctx,
    mb: &mut Mailbox,
    method: &Method,
    segs: &[String],
    body: Option<&Map<String, Value>>,
    user: &crate::world::User,
) -> Result<Response, GraphError> {
    let lc: Vec<String> = segs
        .iter()
        .map(|s| {
            let l = s.to_ascii_lowercase();
            if l == "delta()" {
                "delta".to_string()
            } else {
                l
            }
        })
        .collect();
    let l: Vec<&str> = lc.iter().map(String::as_str).collect();
    let id = |i: usize| segs[i].clone();
    let primary = mb.primary_calendar_id();
    let events_of = |cal: String| Coll {
        kind: Kind::Event,
        parent: cal,
        context: "events".into(),
    };
    let m = method.clone();
    match l.as_slice() {
        [] if m == Method::GET => Ok(json_response(StatusCode::OK, render_user(ctx, user), None)),
        ["calendar"] if m == Method::GET => {
            get_item(ctx, mb, Kind::Calendar, &primary, "calendars")
        }
        ["calendars"] => {
            let c = Coll {
                kind: Kind::Calendar,
                parent: String::new(),
                context: "calendars".into(),
            };
            collection(ctx, mb, &m, &c, body)
        }
        ["calendars", _] => item(ctx, mb, &m, Kind::Calendar, &id(1), "calendars", body),
        ["events"] | ["calendar", "events"] => collection(ctx, mb, &m, &events_of(primary), body),
        ["calendars", _, "events"] => {
            let cal = id(1);
            if mb.get(Kind::Calendar, &cal).is_none() {
                return Err(not_found());
            }
            collection(ctx, mb, &m, &events_of(cal), body)
        }
        ["events", _] | ["calendar", "events", _] | ["calendars", _, "events", _] => {
            let eid = id(segs.len() - 1);
            item(ctx, mb, &m, Kind::Event, &eid, "events", body)
        }
        ["events", _, "instances"] if m == Method::GET => instances(ctx, mb, &id(1)),
        ["events", _, "extensions"] => extensions(ctx, mb, &m, Kind::Event, &id(1), None, body),
        ["events", _, "extensions", _] => {
            extensions(ctx, mb, &m, Kind::Event, &id(1), Some(&id(3)), body)
        }
        ["calendarview"] | ["calendar", "calendarview"] if m == Method::GET => {
            calendar_view(ctx, mb, &primary)
        }
        ["calendarview", "delta"] if m == Method::GET => {
            let c = Coll {
                kind: Kind::Event,
                parent: primary,
                context: "events".into(),
            };
            delta(ctx, mb, &c)
        }
        ["todo", "lists"] => {
            let c = Coll {
                kind: Kind::TodoList,
                parent: String::new(),
                context: "todo/lists".into(),
            };
            collection(ctx, mb, &m, &c, body)
        }
        ["todo", "lists", "delta"] if m == Method::GET => {
            let c = Coll {
                kind: Kind::TodoList,
                parent: String::new(),
                context: "todo/lists".into(),
            };
            delta(ctx, mb, &c)
        }
        ["todo", "lists", _] => item(ctx, mb, &m, Kind::TodoList, &id(2), "todo/lists", body),
        ["todo", "lists", _, "tasks", ..] => {
            let list = id(2);
            if mb.get(Kind::TodoList, &list).is_none() {
                return Err(not_found());
            }
            let c = Coll {
                kind: Kind::Task,
                parent: list.clone(),
                context: format!("todo/lists('{list}')/tasks"),
            };
            match &l[4..] {
                [] => collection(ctx, mb, &m, &c, body),
                ["delta"] if m == Method::GET => delta(ctx, mb, &c),
                [_] => {
                    check_parent(mb, Kind::Task, &id(4), &list)?;
                    item(ctx, mb, &m, Kind::Task, &id(4), &c.context, body)
                }
                [_, "linkedresources"] => {
                    check_parent(mb, Kind::Task, &id(4), &list)?;
                    linked_resources(ctx, mb, &m, &id(4), None, body)
                }
                [_, "linkedresources", _] => {
                    check_parent(mb, Kind::Task, &id(4), &list)?;
                    linked_resources(ctx, mb, &m, &id(4), Some(&id(6)), body)
                }
                [_, "extensions"] => {
                    check_parent(mb, Kind::Task, &id(4), &list)?;
                    extensions(ctx, mb, &m, Kind::Task, &id(4), None, body)
                }
                [_, "extensions", _] => {
                    check_parent(mb, Kind::Task, &id(4), &list)?;
                    extensions(ctx, mb, &m, Kind::Task, &id(4), Some(&id(6)), body)
                }
                [_, nav, ..] => Err(segment_not_found(nav)),
            }
        }
        ["contacts"] => {
            let c = Coll {
                kind: Kind::Contact,
                parent: mb.default_contact_folder_id(),
                context: "contacts".into(),
            };
            collection(ctx, mb, &m, &c, body)
        }
        ["contacts", "delta"] if m == Method::GET => {
            let c = Coll {
                kind: Kind::Contact,
                parent: mb.default_contact_folder_id(),
                context: "contacts".into(),
            };
            delta(ctx, mb, &c)
        }
        ["contacts", _] => item(ctx, mb, &m, Kind::Contact, &id(1), "contacts", body),
        ["contacts", _, "extensions"] => extensions(ctx, mb, &m, Kind::Contact, &id(1), None, body),
        ["contacts", _, "extensions", _] => {
            extensions(ctx, mb, &m, Kind::Contact, &id(1), Some(&id(3)), body)
        }
        ["contactfolders"] => {
            let c = Coll {
                kind: Kind::ContactFolder,
                parent: mb.default_contact_folder_id(),
                context: "contactFolders".into(),
            };
            collection(ctx, mb, &m, &c, body)
        }
        ["contactfolders", _] => item(
            ctx,
            mb,
            &m,
            Kind::ContactFolder,
            &id(1),
            "contactFolders",
            body,
        ),
        ["contactfolders", _, "contacts", ..] => {
            let folder = id(1);
            if mb.get(Kind::ContactFolder, &folder).is_none() {
                return Err(not_found());
            }
            let c = Coll {
                kind: Kind::Contact,
                parent: folder.clone(),
                context: format!("contactFolders('{folder}')/contacts"),
            };
            match &l[3..] {
                [] => collection(ctx, mb, &m, &c, body),
                ["delta"] if m == Method::GET => delta(ctx, mb, &c),
                [_] => {
                    check_parent(mb, Kind::Contact, &id(3), &folder)?;
                    item(ctx, mb, &m, Kind::Contact, &id(3), &c.context, body)
                }
                _ => Err(segment_not_found(&segs[segs.len() - 1])),
            }
        }
        [.., last]
            if !matches!(
                m,
                Method::GET | Method::POST | Method::PATCH | Method::DELETE
            ) =>
        {
            let _ = last;
            Err(method_not_allowed())
        }
        [] => Err(method_not_allowed()),
        segs_l => {
            // Known path with the wrong method, or an unknown segment.
            let known = [
                "calendar",
                "calendars",
                "events",
                "calendarview",
                "todo",
                "contacts",
                "contactfolders",
            ];
            if known.contains(&segs_l[0]) && segs_l.len() <= 2 {
                Err(method_not_allowed())
            } else {
                Err(segment_not_found(
                    segs.last().map(String::as_str).unwrap_or(""),
                ))
            }
        }
    }
}

fn check_parent(mb: &Mailbox, kind: Kind, id: &str, parent: &str) -> Result<(), GraphError> {
    match mb.get(kind, id) {
        Some(i) if i.parent_id == parent => Ok(()),
        _ => Err(not_found()),
    }
}

fn json_response(status: StatusCode, body: Value, applied: Option<String>) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    if let Some(a) = applied.filter(|a| !a.is_empty()) {
        if let Ok(v) = HeaderValue::from_str(&a) {
            r.headers_mut().insert("Preference-Applied", v);
        }
    }
    r
}

/// The `Preference-Applied` value for this response.
fn applied(ctx: &Ctx, kind: Kind, page: bool, delta: bool) -> Option<String> {
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

fn render_user(ctx: &Ctx, u: &crate::world::User) -> Value {
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

fn fmt_time(t: DateTime<Utc>) -> String {
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

fn extension_matches(ext: &Map<String, Value>, key: &str) -> bool {
    [ext.get("id"), ext.get("extensionName")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|v| v.eq_ignore_ascii_case(key))
}

fn matches_filter(item: &Item, f: &AnyFilter) -> bool {
    match f.nav {
        Nav::ExtendedProperties => item.extended.iter().any(|p| {
            ext_id_eq(&p.id, &f.id) && f.value.as_ref().is_none_or(|t| t.matches(&p.value))
        }),
        Nav::Extensions => item.extensions.iter().any(|e| extension_matches(e, &f.id)),
        _ => false,
    }
}

/// Render one item as Graph returns it.
fn render(ctx: &Ctx, kind: Kind, item: &Item, inst: Option<&Instance<'_>>) -> Value {
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

fn select(v: Value, sel: &[String]) -> Value {
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
fn check_expand(ctx: &Ctx, kind: Kind) -> Result<(), GraphError> {
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

fn page_size(ctx: &Ctx) -> usize {
    ctx.query
        .top
        .or(ctx.prefer.maxpagesize)
        .unwrap_or(DEFAULT_PAGE)
        .clamp(1, MAX_TOP)
}

/// `nextLink` for `$skip` paging: the same request with `$skip` moved on.
fn next_skip_link(ctx: &Ctx, skip: usize, top: Option<usize>) -> String {
    let mut pairs: Vec<(String, String)> = ctx
        .raw_query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| {
                    !k.eq_ignore_ascii_case("$skip") && !k.eq_ignore_ascii_case("$top")
                })
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(t) = top {
        pairs.push(("$top".into(), t.to_string()));
    }
    pairs.push(("$skip".into(), skip.to_string()));
    let q = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{}{}?{q}", ctx.base, ctx.path)
}

fn sort_values(values: &mut [Value], orderby: &Option<(String, bool)>) {
    let Some((field, desc)) = orderby else { return };
    let ptr = format!("/{field}");
    let key = |v: &Value| -> String {
        match v.pointer(&ptr) {
            Some(Value::String(s)) => s.to_lowercase(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    };
    values.sort_by(|a, b| {
        let o = key(a).cmp(&key(b));
        if *desc {
            o.reverse()
        } else {
            o
        }
    });
}

fn page_response(ctx: &Ctx, kind: Kind, context: String, mut values: Vec<Value>) -> Response {
    sort_values(&mut values, &ctx.query.orderby);
    let size = page_size(ctx);
    let skip = ctx.query.skip;
    let total = values.len();
    let page: Vec<Value> = values.into_iter().skip(skip).take(size).collect();
    let mut body = json!({"@odata.context": context, "value": page});
    if skip + size < total {
        body["@odata.nextLink"] = json!(next_skip_link(ctx, skip + size, ctx.query.top));
    }
    json_response(
        StatusCode::OK,
        body,
        applied(ctx, kind, ctx.prefer.maxpagesize.is_some(), false),
    )
}

fn collection(
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

fn completed(now: DateTime<Utc>) -> Value {
    json!({"dateTime": format!("{}T00:00:00.0000000", now.format("%Y-%m-%d")), "timeZone": "UTC"})
}

fn parse_extended(body: &Map<String, Value>) -> Result<Vec<ExtendedProperty>, GraphError> {
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

fn new_extension(mut e: Map<String, Value>) -> Result<Map<String, Value>, GraphError> {
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

const LINKED_FIELDS: &[&str] = &["webUrl", "applicationName", "displayName", "externalId"];

fn new_linked_resource(e: Map<String, Value>) -> Result<Map<String, Value>, GraphError> {
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

fn check_if_match(ctx: &Ctx, item: &Item) -> Result<(), GraphError> {
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

fn get_item(
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

fn item(
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

fn instances(ctx: &Ctx, mb: &Mailbox, id: &str) -> Result<Response, GraphError> {
    let w = window(ctx)?;
    let master = mb.get(Kind::Event, id).ok_or_else(not_found)?;
    let values: Vec<Value> = events::instances(master, w)
        .iter()
        .map(|i| render(ctx, Kind::Event, master, Some(i)))
        .collect();
    Ok(page_response(
        ctx,
        Kind::Event,
        ctx.context("events"),
        values,
    ))
}

fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| tz::parse_local(s).map(|t| t.and_utc()))
}

fn window(ctx: &Ctx) -> Result<(DateTime<Utc>, DateTime<Utc>), GraphError> {
    let missing = || {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        )
    };
    let s = ctx.query.start_date_time.as_deref().ok_or_else(missing)?;
    let e = ctx.query.end_date_time.as_deref().ok_or_else(missing)?;
    match (parse_instant(s), parse_instant(e)) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidParameter",
            "The value of the StartDateTime or EndDateTime parameter is not a valid date and time.",
        )),
    }
}

fn calendar_view(ctx: &Ctx, mb: &Mailbox, calendar: &str) -> Result<Response, GraphError> {
    check_expand(ctx, Kind::Event)?;
    let w = window(ctx)?;
    let mut all: Vec<Instance<'_>> = mb
        .events
        .iter()
        .filter(|e| e.parent_id == calendar)
        .filter(|e| {
            ctx.query
                .filter
                .as_ref()
                .is_none_or(|f| matches_filter(e, f))
        })
        .flat_map(|e| events::instances(e, w))
        .collect();
    all.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    let values = all
        .iter()
        .map(|i| render(ctx, Kind::Event, i.item, Some(i)))
        .collect();
    Ok(page_response(
        ctx,
        Kind::Event,
        ctx.context("calendarView"),
        values,
    ))
}

// ----- delta -----

/// What a `$skiptoken`/`$deltatoken` encodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SyncState {
    /// Sync generation of the mailbox when issued.
    g: u64,
    k: Kind,
    p: String,
    /// Changes after this `seq` are reported; 0 = initial full sync.
    since: u64,
    /// Last `(seq, id)` returned in this round.
    #[serde(default)]
    cur: Option<(u64, String)>,
    /// calendarView window (Unix seconds).
    #[serde(default)]
    w: Option<(i64, i64)>,
    #[serde(default)]
    sel: Option<Vec<String>>,
}

fn sync_state_not_found(mb: &Mailbox, g: u64) -> GraphError {
    GraphError::new(
        StatusCode::GONE,
        "SyncStateNotFound",
        format!(
            "The sync state generation is not found; generation={g};[highest={}].",
            mb.sync_generation
        ),
    )
}

fn removed(kind: Kind, id: &str) -> Value {
    json!({"@odata.type": kind.odata_type(), "id": id, "@removed": {"reason": "deleted"}})
}

fn delta(ctx: &Ctx, mb: &Mailbox, c: &Coll) -> Result<Response, GraphError> {
    let token = ctx
        .query
        .skiptoken
        .as_deref()
        .or(ctx.query.deltatoken.as_deref());
    let state = match token {
        Some(t) => {
            let s: SyncState = odata::decode_token(t)
                .ok_or_else(|| bad_request("The delta or skip token is not valid."))?;
            if s.g != mb.sync_generation {
                return Err(sync_state_not_found(mb, s.g));
            }
            if s.k != c.kind || s.p != c.parent {
                return Err(bad_request("The token was issued for another collection."));
            }
            s
        }
        None => {
            if c.kind == Kind::Event {
                // v1.0 calendarView/delta supports no $select/$filter/$expand/$orderby.
                if ctx.query.select.is_some()
                    || ctx.query.filter.is_some()
                    || !ctx.query.expand.is_empty()
                    || ctx.query.orderby.is_some()
                {
                    return Err(bad_request(
                        "calendarView/delta does not support $select, $filter, $expand or $orderby.",
                    ));
                }
            }
            check_expand(ctx, c.kind)?;
            let w = if c.kind == Kind::Event {
                let (s, e) = window(ctx)?;
                Some((s.timestamp(), e.timestamp()))
            } else {
                None
            };
            SyncState {
                g: mb.sync_generation,
                k: c.kind,
                p: c.parent.clone(),
                since: 0,
                cur: None,
                w,
                sel: ctx.query.select.clone(),
            }
        }
    };
    let view_ctx;
    let ctx = if state.sel.is_some() && ctx.query.select.is_none() {
        view_ctx = Ctx {
            base: ctx.base.clone(),
            oid: ctx.oid.clone(),
            query: Query {
                select: state.sel.clone(),
                ..Query::default()
            },
            raw_query: None,
            prefer: ctx.prefer.clone(),
            zone: ctx.zone.clone(),
            zone_requested: ctx.zone_requested,
            if_match: None,
            path: ctx.path.clone(),
            now: ctx.now,
        };
        &view_ctx
    } else {
        ctx
    };
    let mut entries: Vec<(u64, String, Value)> = Vec::new();
    let incremental = state.since > 0;
    match state.w {
        Some((ws, we)) => {
            let w = (
                DateTime::from_timestamp(ws, 0).unwrap_or_default(),
                DateTime::from_timestamp(we, 0).unwrap_or_default(),
            );
            for e in mb
                .events
                .iter()
                .filter(|e| e.parent_id == c.parent && e.seq > state.since)
            {
                let inst = events::instances(e, w);
                if inst.is_empty() && incremental {
                    entries.push((e.seq, e.id.clone(), removed(Kind::Event, &e.id)));
                }
                for i in &inst {
                    entries.push((e.seq, i.id.clone(), render(ctx, Kind::Event, e, Some(i))));
                }
            }
            if incremental {
                for t in mb.tombstones.iter().filter(|t| {
                    t.kind == Kind::Event && t.seq > state.since && t.item.parent_id == c.parent
                }) {
                    let mut ids = vec![t.item.id.clone()];
                    if events::is_series(&t.item) {
                        ids = events::instances(&t.item, w)
                            .iter()
                            .map(|i| i.id.clone())
                            .collect();
                        ids.push(t.item.id.clone());
                    }
                    for id in ids {
                        entries.push((t.seq, id.clone(), removed(Kind::Event, &id)));
                    }
                }
            }
        }
        None => {
            for i in mb
                .items(c.kind)
                .iter()
                .filter(|i| i.parent_id == c.parent && i.seq > state.since)
            {
                entries.push((i.seq, i.id.clone(), render(ctx, c.kind, i, None)));
            }
            if incremental {
                for t in mb.tombstones.iter().filter(|t| {
                    t.kind == c.kind && t.seq > state.since && t.item.parent_id == c.parent
                }) {
                    entries.push((t.seq, t.item.id.clone(), removed(c.kind, &t.item.id)));
                }
            }
        }
    }
    entries.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    entries.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    if let Some((cs, cid)) = &state.cur {
        entries.retain(|(s, id, _)| (*s, id) > (*cs, cid));
    }
    let default = if c.kind == Kind::Contact {
        200
    } else {
        DEFAULT_PAGE
    };
    let size = ctx
        .prefer
        .maxpagesize
        .or(ctx.query.top)
        .unwrap_or(default)
        .clamp(1, MAX_TOP);
    let more = entries.len() > size;
    entries.truncate(size);
    let base = format!("{}{}", ctx.base, ctx.path);
    let mut body = json!({
        "@odata.context": format!("{}/$metadata#Collection({})", ctx.base, &c.kind.odata_type()[17..]),
    });
    if more {
        let last = entries.last().map(|(s, id, _)| (*s, id.clone()));
        let next = SyncState {
            cur: last,
            ..state.clone()
        };
        body["@odata.nextLink"] =
            json!(format!("{base}?$skiptoken={}", odata::encode_token(&next)));
    } else {
        let next = SyncState {
            since: mb.seq.max(1),
            cur: None,
            ..state.clone()
        };
        body["@odata.deltaLink"] =
            json!(format!("{base}?$deltatoken={}", odata::encode_token(&next)));
    }
    body["value"] = Value::Array(entries.into_iter().map(|(_, _, v)| v).collect());
    Ok(json_response(
        StatusCode::OK,
        body,
        applied(ctx, c.kind, true, true),
    ))
}

// ----- open extensions and linked resources -----

fn extensions(
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

fn kind_segment(kind: Kind) -> &'static str {
    match kind {
        Kind::Event => "events",
        Kind::Contact => "contacts",
        Kind::Task => "tasks",
        Kind::TodoList => "todo/lists",
        Kind::Calendar => "calendars",
        Kind::ContactFolder => "contactFolders",
    }
}

fn linked_resources(
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

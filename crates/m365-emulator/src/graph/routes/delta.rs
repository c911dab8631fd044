//! Delta queries (`calendarView/delta`, To Do lists and tasks, contacts):
//! state tokens, tombstones, paging by change sequence.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::calendar::window;
use super::render::{applied, check_expand, json_response, render};
use super::{bad_request, Coll, Ctx, CONTACTS_DELTA_PAGE, DEFAULT_PAGE, MAX_TOP};
use crate::graph::error::GraphError;
use crate::graph::events;
use crate::graph::odata::{self, Query};
use crate::graph::store::{Kind, Mailbox};

/// What a `$skiptoken`/`$deltatoken` encodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SyncState {
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

pub(super) fn sync_state_not_found(mb: &Mailbox, g: u64) -> GraphError {
    GraphError::new(
        StatusCode::GONE,
        "SyncStateNotFound",
        format!(
            "The sync state generation is not found; generation={g};[highest={}].",
            mb.sync_generation
        ),
    )
}

pub(super) fn removed(kind: Kind, id: &str) -> Value {
    json!({"@odata.type": kind.odata_type(), "id": id, "@removed": {"reason": "deleted"}})
}

pub(super) fn delta(ctx: &Ctx, mb: &Mailbox, c: &Coll) -> Result<Response, GraphError> {
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
    // Contacts: 200 by default and at most, whatever is asked for
    // (Microsoft Q&A, https://learn.microsoft.com/en-us/answers/a/2052165 ).
    let (default, max) = if c.kind == Kind::Contact {
        (CONTACTS_DELTA_PAGE, CONTACTS_DELTA_PAGE)
    } else {
        (DEFAULT_PAGE, MAX_TOP)
    };
    let size = ctx
        .prefer
        .maxpagesize
        .or(ctx.query.top)
        .unwrap_or(default)
        .clamp(1, max);
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

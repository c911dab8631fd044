//! The dispatcher: which handler answers a path under `/v1.0/me` (segments
//! compared case-insensitively) and a method.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::calendar::{calendar_view, instances};
use super::crud::{collection, get_item, item};
use super::delta::delta;
use super::extensions::{extensions, linked_resources};
use super::render::{json_response, render_user};
use super::{method_not_allowed, not_found, segment_not_found, Coll, Ctx};
use crate::graph::error::GraphError;
use crate::graph::store::{Kind, Mailbox};

pub(super) fn dispatch(
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

pub(super) fn check_parent(
    mb: &Mailbox,
    kind: Kind,
    id: &str,
    parent: &str,
) -> Result<(), GraphError> {
    match mb.get(kind, id) {
        Some(i) if i.parent_id == parent => Ok(()),
        _ => Err(not_found()),
    }
}

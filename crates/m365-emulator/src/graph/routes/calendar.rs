//! The event-specific reads: `calendarView` and `instances` over a time
//! window.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::paging::page_response;
use super::render::{check_expand, matches_filter, render};
use super::{not_found, Ctx};
use crate::graph::error::GraphError;
use crate::graph::events::{self, Instance};
use crate::graph::store::{Kind, Mailbox};
use crate::graph::tz;

pub(super) fn instances(ctx: &Ctx, mb: &Mailbox, id: &str) -> Result<Response, GraphError> {
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

pub(super) fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| tz::parse_local(s).map(|t| t.and_utc()))
}

pub(super) fn window(ctx: &Ctx) -> Result<(DateTime<Utc>, DateTime<Utc>), GraphError> {
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

pub(super) fn calendar_view(
    ctx: &Ctx,
    mb: &Mailbox,
    calendar: &str,
) -> Result<Response, GraphError> {
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

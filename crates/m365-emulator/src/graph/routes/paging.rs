//! Paging of plain collections: `$top`, `Prefer: odata.maxpagesize`,
//! `$skip` next links and `$orderby`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::render::{applied, json_response};
use super::{Ctx, DEFAULT_PAGE, MAX_TOP};
use crate::graph::store::Kind;

pub(super) fn page_size(ctx: &Ctx) -> usize {
    ctx.query
        .top
        .or(ctx.prefer.maxpagesize)
        .unwrap_or(DEFAULT_PAGE)
        .clamp(1, MAX_TOP)
}

/// `nextLink` for `$skip` paging: the same request with `$skip` moved on.
pub(super) fn next_skip_link(ctx: &Ctx, skip: usize, top: Option<usize>) -> String {
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

pub(super) fn sort_values(values: &mut [Value], orderby: &Option<(String, bool)>) {
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

pub(super) fn page_response(
    ctx: &Ctx,
    kind: Kind,
    context: String,
    mut values: Vec<Value>,
) -> Response {
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

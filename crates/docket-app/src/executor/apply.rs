//! Applying a plan: intents before creates, `$batch` envelopes, and every
//! answer recorded in the state database (or the item's failure).

use chrono::{DateTime, Utc};
use docket_export::{
    holdback::{Failure, Failures},
    CreateReason, Entry, ExportState, ItemKind, Op, Plan, SourceKey,
};
use docket_graph::{Error as GraphError, GraphClient, Request, TokenSource};
use docket_text::Message;
use serde_json::Value;

use super::adopt::{adopt_unconfirmed, find_by_tag};
use super::read::{item_url, version_of};
use super::report::{ExportReport, ItemFailure};
use super::store::ExportStore;
use super::{OnProgress, Progress, PROGRESS_EVERY};
use crate::AppError;

/// What applying the plan needs besides the plan.
pub(super) struct Ctx<'a> {
    pub(super) store: &'a ExportStore<'a>,
    pub(super) state: &'a ExportState,
    pub(super) failures: &'a Failures,
    pub(super) list_id: Option<&'a str>,
    pub(super) now: DateTime<Utc>,
}

impl Ctx<'_> {
    /// The item's request worked: it no longer counts as failing.
    pub(super) fn succeeded(&self, key: &SourceKey) -> Result<(), AppError> {
        if self.failures.contains_key(key) {
            self.store.clear_failure(key)?;
        }
        Ok(())
    }

    /// The item's request failed: report it, and when the error is about
    /// the item (not the network, the sign-in, permissions or throttling)
    /// count it for the item's backoff.
    pub(super) fn failed(
        &self,
        key: &SourceKey,
        error: &GraphError,
        report: &mut ExportReport,
    ) -> Result<(), AppError> {
        let failure = ItemFailure::graph(key, error);
        if about_the_item(error) {
            let stored = Failure::after(self.failures.get(key), failure.reason.clone(), self.now);
            self.store.put_failure(key, &stored)?;
        }
        report.failed.push(failure);
        Ok(())
    }
}

/// Whether a failed request says something about the item itself: any
/// HTTP error except the ones about the sign-in (401), permissions (403),
/// timing (408) or throttling (429). Transport errors carry no status.
pub(super) fn about_the_item(e: &GraphError) -> bool {
    matches!(e.status(), Some(s) if !matches!(s, 401 | 403 | 408 | 429))
}

/// A held-back operation's change must not be lost when the delta link
/// moves past what caused it: an update's entry forgets its hash (so the
/// next plan sees a difference), a re-create's entry forgets the deleted
/// item's id (so the next plan creates it again).
pub(super) fn remember_held(
    store: &ExportStore<'_>,
    state: &ExportState,
    op: &Op,
) -> Result<(), AppError> {
    match op {
        Op::Update(u) => resend_update(store, state, &u.key),
        Op::Create(c) if c.reason == CreateReason::Recreate => match state.get(&c.key) {
            Some(entry) => {
                let mut entry = entry.clone();
                entry.remote_id = None;
                entry.generation = c.generation;
                store.put(&c.key, &entry)
            }
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Make the next plan send the update of `key` again, whatever the delta
/// query reports by then: its entry forgets the hash of what was written.
pub(super) fn resend_update(
    store: &ExportStore<'_>,
    state: &ExportState,
    key: &SourceKey,
) -> Result<(), AppError> {
    match state.get(key) {
        Some(entry) => {
            let mut entry = entry.clone();
            entry.hash.clear();
            entry.fingerprint = None;
            store.put(key, &entry)
        }
        None => Ok(()),
    }
}

/// Apply the plan: record intents, send in batches, record answers.
pub(super) async fn apply<T: TokenSource>(
    graph: &GraphClient<T>,
    ctx: &Ctx<'_>,
    plan: &Plan,
    report: &mut ExportReport,
    progress: OnProgress<'_>,
) -> Result<(), AppError> {
    let (store, state, list_id) = (ctx.store, ctx.state, ctx.list_id);
    for key in &plan.forget {
        // An unconfirmed create of an item gone from the PMS may still have
        // reached Graph before a crash: find it by its tag and delete it,
        // or keep the row to try again next run.
        if let Some(e) = state.get(key).filter(|e| e.remote_id.is_none()) {
            match find_by_tag(graph, e.kind, key, e.container.as_deref().or(list_id)).await {
                Ok(ids) => {
                    let mut gone = true;
                    for id in ids {
                        let url = item_url(e.kind, &id, e.container.as_deref(), list_id);
                        match graph.send(&Request::delete(url)).await {
                            Ok(_) => report.deleted += 1,
                            Err(err) if err.status() == Some(404) => {}
                            Err(err) => {
                                gone = false;
                                report.failed.push(ItemFailure::graph(key, &err));
                            }
                        }
                    }
                    if !gone {
                        continue;
                    }
                }
                Err(err) => {
                    report.failed.push(ItemFailure::new(
                        key,
                        Message::new("sync-failed-request").message("error", err.message()),
                    ));
                    continue;
                }
            }
        }
        retire(store, state, key)?;
        store.delete(key)?;
    }
    // A key created again after its item was deleted must not reuse an
    // earlier creation's transactionId: Graph would hand back that event.
    let planned: Vec<Op> = plan
        .ops
        .iter()
        .map(|op| match op {
            Op::Create(c) if !state.contains_key(&c.key) => {
                let floor = store
                    .meta(&generation_name(&c.key))
                    .ok()
                    .flatten()
                    .and_then(|g| g.parse::<u32>().ok())
                    .unwrap_or(0);
                if floor > c.generation {
                    // The body (and an event's transactionId) follows.
                    let mut c = c.clone();
                    c.generation = floor;
                    Op::Create(c)
                } else {
                    op.clone()
                }
            }
            _ => op.clone(),
        })
        .collect();
    let plan_ops = &planned;
    let total = plan_ops.len();
    let mut done = 0;
    if total > 0 {
        progress(Progress { done, total });
    }
    // Creates of tasks and contacts that may already have happened (an
    // intent without an answer): adopt the tagged item instead.
    let adopted = adopt_unconfirmed(graph, plan, list_id).await?;

    let mut requests = vec![];
    let mut ops = vec![];
    // Creates that may have found an item made by an earlier, cut-off
    // attempt (its content can be older than what is wanted now): each is
    // followed by an update with the full body.
    let mut follow_ups: Vec<(&docket_export::Create, String)> = vec![];
    for op in plan_ops {
        let request = match op {
            Op::Create(c) => {
                let container = (c.kind == ItemKind::Task).then(|| list_id.unwrap_or_default());
                let intent = Entry {
                    kind: c.kind,
                    remote_id: None,
                    container: container.map(str::to_string),
                    hash: c.hash.clone(),
                    categories: c.categories.clone(),
                    user_categories: vec![],
                    version: None,
                    generation: c.generation,
                    fingerprint: None,
                };
                if let Some((id, _)) = adopted.get(&c.key) {
                    follow_ups.push((c, id.clone()));
                    continue;
                }
                // The intent goes to disk before the request goes out.
                docket_crash::point(docket_crash::BEFORE_INTENT);
                store.put(&c.key, &intent)?;
                match c.kind {
                    ItemKind::Event => Request::post("/me/events", c.body()).replay_safe(),
                    ItemKind::Contact => Request::post("/me/contacts", c.body()),
                    ItemKind::Task => Request::post(
                        format!("/me/todo/lists/{}/tasks", list_id.unwrap_or_default()),
                        c.body(),
                    ),
                }
            }
            Op::Update(u) => Request::patch(
                item_url(u.kind, &u.remote_id, u.container.as_deref(), list_id),
                u.body.clone(),
            ),
            Op::Delete(d) => Request::delete(item_url(
                d.kind,
                &d.remote_id,
                d.container.as_deref(),
                list_id,
            )),
        };
        requests.push(request);
        ops.push(op);
    }
    // In runs of PROGRESS_EVERY, each recorded before the next is sent.
    for (requests, ops) in requests
        .chunks(PROGRESS_EVERY)
        .zip(ops.chunks(PROGRESS_EVERY))
    {
        docket_crash::point(docket_crash::AFTER_INTENT);
        let results = graph.batch(requests).await;
        let mut sign_in_failed = None;
        for (&op, result) in ops.iter().zip(results) {
            // The n-th passage: n - 1 answers are recorded, the rest not.
            docket_crash::point(docket_crash::AFTER_ANSWER);
            // No access token (the sign-in was revoked mid-run): the
            // request was not carried out and its row stays as it is
            // (an intent is retried, an update or delete planned again).
            // The run stops once the other answers are recorded.
            let result = match result {
                Err(e @ GraphError::Token(_)) => {
                    sign_in_failed.get_or_insert(e);
                    continue;
                }
                result => result,
            };
            if let (Op::Create(c), Ok(resp)) = (op, &result) {
                // An event create retried with its transactionId returns
                // the event the cut-off attempt made, as it is now.
                if c.reason == CreateReason::Retry {
                    if let Some(id) = resp.body["id"].as_str() {
                        follow_ups.push((c, id.to_string()));
                        continue;
                    }
                }
            }
            record(ctx, op, result, report)?;
        }
        if let Some(e) = sign_in_failed {
            return Err(e.into());
        }
        done += ops.len();
        progress(Progress { done, total });
    }
    if !follow_ups.is_empty() {
        let requests: Vec<Request> = follow_ups
            .iter()
            .map(|(c, id)| Request::patch(item_url(c.kind, id, None, list_id), update_body(c)))
            .collect();
        let results = graph.batch(&requests).await;
        for ((c, id), result) in follow_ups.into_iter().zip(results) {
            match result {
                Ok(resp) => {
                    store.put(
                        &c.key,
                        &Entry {
                            kind: c.kind,
                            remote_id: Some(id),
                            container: (c.kind == ItemKind::Task)
                                .then(|| list_id.unwrap_or_default().to_string()),
                            hash: c.hash.clone(),
                            categories: c.categories.clone(),
                            user_categories: vec![],
                            version: version_of(&resp.body),
                            generation: c.generation,
                            fingerprint: c.fingerprint.clone(),
                        },
                    )?;
                    ctx.succeeded(&c.key)?;
                    count_create(report, c.reason);
                }
                Err(e) => {
                    // The intent stays; the next run finds the item again.
                    tracing::warn!(key = %c.key, error = %e, "completing a retried create failed");
                    ctx.failed(&c.key, &e, report)?;
                }
            }
        }
    }
    // The adopted creates, completed by their follow-up updates.
    if done < total {
        progress(Progress { done: total, total });
    }
    Ok(())
}

/// A create body as an update: without the fields only a create may carry.
pub(super) fn update_body(c: &docket_export::Create) -> Value {
    let mut body = c.body();
    if let Some(map) = body.as_object_mut() {
        map.remove("transactionId");
        map.remove("linkedResources");
    }
    body
}

pub(super) fn count_create(report: &mut ExportReport, reason: CreateReason) {
    match reason {
        CreateReason::Recreate => report.recreated += 1,
        CreateReason::KindChanged => report.moved += 1,
        CreateReason::New | CreateReason::Retry => report.created += 1,
    }
}

pub(super) fn record(
    ctx: &Ctx<'_>,
    op: &Op,
    result: Result<docket_graph::Response, GraphError>,
    report: &mut ExportReport,
) -> Result<(), AppError> {
    let (store, state, list_id) = (ctx.store, ctx.state, ctx.list_id);
    if result.is_ok() {
        ctx.succeeded(op.key())?;
    }
    match (op, result) {
        (Op::Create(c), Ok(resp)) => {
            let Some(id) = resp.body["id"].as_str() else {
                report
                    .failed
                    .push(ItemFailure::new(&c.key, Message::new("sync-failed-no-id")));
                return Ok(());
            };
            store.put(
                &c.key,
                &Entry {
                    kind: c.kind,
                    remote_id: Some(id.to_string()),
                    container: (c.kind == ItemKind::Task)
                        .then(|| list_id.unwrap_or_default().to_string()),
                    hash: c.hash.clone(),
                    categories: c.categories.clone(),
                    user_categories: vec![],
                    version: version_of(&resp.body),
                    generation: c.generation,
                    fingerprint: c.fingerprint.clone(),
                },
            )?;
            count_create(report, c.reason);
        }
        (Op::Update(u), Ok(resp)) => {
            let mut entry = state.get(&u.key).cloned().unwrap_or(Entry {
                kind: u.kind,
                remote_id: Some(u.remote_id.clone()),
                container: u.container.clone(),
                hash: String::new(),
                categories: vec![],
                user_categories: vec![],
                version: None,
                generation: u.generation,
                fingerprint: None,
            });
            entry.remote_id = Some(u.remote_id.clone());
            entry.hash = u.hash.clone();
            entry.categories = u.categories.clone();
            entry.user_categories = u.user_categories.clone();
            entry.version = version_of(&resp.body);
            entry.generation = u.generation;
            entry.fingerprint = u.fingerprint.clone();
            store.put(&u.key, &entry)?;
            report.updated += 1;
        }
        (Op::Delete(d), Ok(_)) => {
            forget_if_same(store, state, &d.key, &d.remote_id)?;
            report.deleted += 1;
        }
        (Op::Delete(d), Err(e)) if e.status() == Some(404) => {
            // Already gone: the goal is reached.
            forget_if_same(store, state, &d.key, &d.remote_id)?;
            report.deleted += 1;
        }
        (Op::Update(u), Err(e)) if e.status() == Some(404) => {
            // Deleted in Outlook since we looked: forget the id, so the
            // next run recreates the item.
            if let Some(mut entry) = state.get(&u.key).cloned() {
                entry.remote_id = None;
                entry.generation += 1;
                store.put(&u.key, &entry)?;
            }
            report.failed.push(ItemFailure::new(
                &u.key,
                Message::new("sync-failed-deleted-meanwhile"),
            ));
        }
        (op, Err(e)) => {
            // The intent of a create stays: the next run retries it (events
            // with the same transactionId, tasks and contacts after a
            // lookup by tag). A failed update forgets its hash, so that the
            // next run sends it again even if the delta link has moved past
            // the Outlook edit it was to overwrite.
            tracing::warn!(key = %op.key(), error = %e, "export request failed");
            if let Op::Update(u) = op {
                resend_update(store, state, &u.key)?;
            }
            ctx.failed(op.key(), &e, report)?;
        }
    }
    Ok(())
}

pub(super) fn forget_if_same(
    store: &ExportStore<'_>,
    state: &ExportState,
    key: &SourceKey,
    remote_id: &str,
) -> Result<(), AppError> {
    if state
        .get(key)
        .is_none_or(|e| e.remote_id.as_deref() == Some(remote_id))
    {
        retire(store, state, key)?;
        store.delete(key)?;
    }
    Ok(())
}

pub(super) fn generation_name(key: &SourceKey) -> String {
    format!("generation.{key}")
}

/// Before a key's row goes: remember the next creation generation, so that
/// a later create of the same key gets a transactionId never used before.
pub(super) fn retire(
    store: &ExportStore<'_>,
    state: &ExportState,
    key: &SourceKey,
) -> Result<(), AppError> {
    if let Some(e) = state.get(key) {
        store.set_meta(&generation_name(key), &(e.generation + 1).to_string())?;
    }
    Ok(())
}

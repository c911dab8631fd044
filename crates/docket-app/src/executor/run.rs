//! One export run from start to end: read each kind's remote side, plan,
//! hold back items that keep failing, apply, and keep the Graph budget
//! window between runs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use docket_export::{holdback, ExportState, ItemKind, PlanChoices, Remote};
use docket_graph::{GraphClient, TokenSource};
use docket_source::Snapshot;
use docket_text::{Action, Message, TimeStyle};

use super::apply::{apply, remember_held, Ctx};
use super::read::{delta_expired, delta_listing, full_listing, task_list};
use super::report::{settle_skip, BrakeReport, ExportReport, HeldBack};
use super::store::{delta_name, ExportStore};
use super::{ExportOptions, OnProgress, KINDS};
use crate::AppError;

/// How a kind's remote side was read this run.
pub(super) enum Read {
    /// Followed the stored delta link; this is the next one.
    Delta(String),
    /// Listed our tagged items; a new delta round starts after the writes.
    Full,
    /// The module is off: nothing read.
    Off,
}

/// How often a run stores the budget window while it sends, besides every
/// `docket_graph::pace::SAVE_WINDOW_EVERY` requests (a kill loses at most
/// the smaller of the two, plus what is in flight).
pub(super) const SAVE_PACE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// One export run. The Graph client first takes back the budget window
/// earlier runs stored (see `docket_graph::pace`), and the window is
/// stored again while the run sends and when it ends, also when it fails:
/// a run after a failed one, or after a restart of the process, inside
/// the same 10 minutes does not spend the mailbox's budget twice.
pub async fn export<T: TokenSource>(
    graph: &GraphClient<T>,
    store: &ExportStore<'_>,
    snapshot: &Snapshot,
    choices: &PlanChoices,
    options: ExportOptions,
    now: DateTime<Utc>,
    progress: OnProgress<'_>,
) -> Result<ExportReport, AppError> {
    let stored: Vec<docket_graph::pace::SentInSecond> = store
        .db()
        .pace_window()?
        .into_iter()
        .map(|(unix_second, requests)| docket_graph::pace::SentInSecond {
            unix_second,
            requests,
        })
        .collect();
    graph.remember_pace_window(&stored).await;
    let run = export_run(graph, store, snapshot, choices, options, now, progress);
    tokio::pin!(run);
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            () = tokio::time::sleep(SAVE_PACE_EVERY) => save_pace_window(graph, store).await,
            () = graph.window_grew() => save_pace_window(graph, store).await,
        }
    };
    save_pace_window(graph, store).await;
    result
}

/// Store the client's budget window; a failure to write it costs only
/// pacing memory, never the run.
pub(super) async fn save_pace_window<T: TokenSource>(
    graph: &GraphClient<T>,
    store: &ExportStore<'_>,
) {
    let window: Vec<(i64, u32)> = graph
        .pace_window()
        .await
        .into_iter()
        .map(|s| (s.unix_second, s.requests))
        .collect();
    if let Err(e) = store.db().set_pace_window(&window) {
        tracing::warn!(error = %e, "could not store the Graph budget window");
    }
}

pub(super) async fn export_run<T: TokenSource>(
    graph: &GraphClient<T>,
    store: &ExportStore<'_>,
    snapshot: &Snapshot,
    choices: &PlanChoices,
    options: ExportOptions,
    now: DateTime<Utc>,
    progress: OnProgress<'_>,
) -> Result<ExportReport, AppError> {
    let mut choices = choices.clone();
    choices.force = options.force;
    let window = choices.window(now);
    let calendar_view_delta = format!(
        "/me/calendarView/delta?startDateTime={}&endDateTime={}",
        window.start.format("%Y-%m-%dT%H:%M:%SZ"),
        window.end.format("%Y-%m-%dT%H:%M:%SZ"),
    );
    // The calendarView delta link keeps the window it started with: start a
    // new round each day so the window follows the calendar.
    let today = now.format("%Y-%m-%d").to_string();
    if store.meta("delta.event.day")?.as_deref() != Some(today.as_str()) {
        store.delete_meta(&delta_name(ItemKind::Event))?;
    }

    let list_id = if choices.tasks && choices.deadlines_to == docket_export::DeadlinesTo::Todo
        || has_kind(&store.load()?, ItemKind::Task)
    {
        Some(task_list(graph, store, options.dry_run).await?)
    } else {
        None
    };

    // 1. What changed remotely.
    let mut remote = Remote::default();
    let mut reads: BTreeMap<ItemKind, Read> = BTreeMap::new();
    for kind in KINDS {
        let on = match kind {
            ItemKind::Event => true, // appointments, and deadlines as events
            ItemKind::Task => list_id.is_some(),
            ItemKind::Contact => choices.contacts,
        };
        if !on {
            reads.insert(kind, Read::Off);
            continue;
        }
        let stored = store.meta(&delta_name(kind))?;
        let (listing, read) = match stored {
            Some(link) => match graph.collect_pages(&link).await {
                Ok((items, next)) => (
                    delta_listing(kind, &items, list_id.as_deref()),
                    Read::Delta(next.unwrap_or(link)),
                ),
                Err(e) if delta_expired(&e) => {
                    tracing::info!(
                        kind = kind.as_str(),
                        "delta token expired: listing our items"
                    );
                    (
                        full_listing(graph, kind, list_id.as_deref()).await?,
                        Read::Full,
                    )
                }
                Err(e) => return Err(e.into()),
            },
            None => (
                full_listing(graph, kind, list_id.as_deref()).await?,
                Read::Full,
            ),
        };
        match kind {
            ItemKind::Event => remote.events = listing,
            ItemKind::Task => remote.tasks = listing,
            ItemKind::Contact => remote.contacts = listing,
        }
        reads.insert(kind, read);
    }

    // 2. Plan, then hold back what keeps failing and is pausing.
    let state = store.load()?;
    let mut plan = docket_export::plan(snapshot, &state, &remote, &choices, now);
    let failures = store.failures()?;
    let held = holdback::hold_back(&mut plan, &failures, now, options.retry_now);
    let mut report = ExportReport {
        dry_run: options.dry_run,
        plan: Box::new(plan.summary()),
        unchanged: plan.unchanged,
        not_mapped: plan.not_mapped,
        // The plan's skips include the source's per-record problems.
        skipped: plan.skips.iter().cloned().map(settle_skip).collect(),
        notices: plan.notices.clone(),
        brake: plan.brake.as_ref().map(|b| {
            Box::new(BrakeReport {
                deletions: b.deletes,
                owned: b.owned,
                threshold: b.max_share,
                message: b.message(),
                fix: Action::AllowDeletions,
            })
        }),
        held_back: held
            .iter()
            .map(|h| HeldBack {
                key: h.op.key().to_string(),
                attempts: h.failure.attempts,
                until: h.next_try,
                reason: Message::new("sync-held-back")
                    .number("attempts", h.failure.attempts)
                    .message("error", h.failure.reason.clone())
                    .time("next", h.next_try, TimeStyle::DateTime),
                fix: Action::RetryHeldBack,
            })
            .collect(),
        pms_incomplete: !snapshot.complete,
        ..ExportReport::default()
    };
    if options.dry_run {
        report.requests = graph.counters().into();
        return Ok(report);
    }

    // 3. Apply. A held-back change must survive the delta link moving on:
    // its state entry is marked so that the next plan has it again.
    for h in &held {
        remember_held(store, &state, &h.op)?;
    }
    let ctx = Ctx {
        store,
        state: &state,
        failures: &failures,
        list_id: list_id.as_deref(),
        now,
    };
    apply(graph, &ctx, &plan, &mut report, progress).await?;
    // Unchanged items whose record's fingerprint is new (a new version, a
    // setting that changed nothing in Outlook): remembered, no request.
    for (key, fingerprint) in &plan.fingerprints {
        if let Some(entry) = state.get(key) {
            let mut entry = entry.clone();
            entry.fingerprint = fingerprint.clone();
            store.put(key, &entry)?;
        }
    }

    // 4. Delta links, only now that the writes are recorded.
    for (kind, read) in reads {
        match read {
            Read::Off => {}
            Read::Delta(next) => store.set_meta(&delta_name(kind), &next)?,
            Read::Full => {
                let start = match kind {
                    ItemKind::Event => calendar_view_delta.clone(),
                    ItemKind::Task => format!(
                        "/me/todo/lists/{}/tasks/delta",
                        list_id.as_deref().unwrap_or_default()
                    ),
                    ItemKind::Contact => "/me/contacts/delta".to_string(),
                };
                match graph.collect_pages(&start).await {
                    Ok((_, Some(link))) => store.set_meta(&delta_name(kind), &link)?,
                    Ok((_, None)) => {}
                    Err(e) => report.notices.push(
                        Message::new("sync-notice-no-change-tracking")
                            .text("kind", kind.as_str())
                            .message("error", crate::error::graph_reason(&e)),
                    ),
                }
            }
        }
    }
    store.set_meta("delta.event.day", &today)?;
    report.requests = graph.counters().into();
    Ok(report)
}

pub(super) fn has_kind(state: &ExportState, kind: ItemKind) -> bool {
    state.values().any(|e| e.kind == kind)
}

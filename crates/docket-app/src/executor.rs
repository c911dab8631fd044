//! The export engine's executor: the I/O half around `docket-export`'s pure
//! planner.
//!
//! One run: read what changed in Microsoft 365 (delta links; a full listing
//! of *our tagged* items on the first run, after a lost state database, or
//! when Graph answers `syncStateNotFound`), plan, apply the plan in `$batch`
//! envelopes, and record every answer in the state database.
//!
//! Crash safety (a kill at any moment, then a new run, must end with no
//! duplicate and no lost change):
//! - a create is recorded as an *intent* (a state row without a remote id)
//!   before it is sent; the planner turns an intent into a retry with the
//!   same creation generation;
//! - events carry a `transactionId` derived from key + generation, so Graph
//!   answers a repeated create with the first event;
//! - tasks and contacts have no idempotency key: before a retried create,
//!   the executor looks for an item carrying our tag and adopts it;
//! - delta links are saved only after the writes they precede are recorded.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use docket_export::{
    holdback::{self, Failure, Failures},
    key, CreateReason, Entry, ExportState, ItemKind, Listing, Op, Plan, PlanChoices, PlanSummary,
    Remote, RemoteItem, SourceKey,
};
use docket_graph::{Counts, Error as GraphError, GraphClient, Request, TokenSource};
use docket_source::Snapshot;
use docket_store::StateDb;
use docket_text::{Action, Message, TimeStyle};
use serde::Serialize;
use serde_json::{json, Value};

use crate::AppError;

/// The To Do list the app owns (tasks are created there, never elsewhere).
pub const TASK_LIST_NAME: &str = "Docket Sync";

const KINDS: [ItemKind; 3] = [ItemKind::Event, ItemKind::Task, ItemKind::Contact];

#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Plan and describe, send no write.
    pub dry_run: bool,
    /// Let a braked mass deletion through.
    pub force: bool,
    /// Try items that keep failing now, without waiting for their pause
    /// (see `docket_export::holdback`).
    pub retry_now: bool,
}

/// How far a run's writes are: `done` of the `total` creates, updates and
/// deletes of its plan have been sent and answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Told how far a run's writes are: once before the first is sent, then
/// after every [`PROGRESS_EVERY`] items, and when all are answered.
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// Items sent between two progress reports: ten `$batch` envelopes of 20
/// (an export of 10,000 items reports 51 times, not 10,000). A multiple of
/// 20, so that the envelopes are as full as without the reports.
pub const PROGRESS_EVERY: usize = 200;

/// What a run did, for the CLI summary and the tray: data, not prose.
/// Every text in it is a [`Message`] a front end renders in the reader's
/// language (`docket_text::Texts`); the fixes are [`Action`]s.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportReport {
    pub dry_run: bool,
    /// What the plan was to do, counted (a dry run shows this). Boxed:
    /// the report travels in events and outcomes by value.
    pub plan: Box<PlanSummary>,
    pub created: usize,
    pub recreated: usize,
    pub moved: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
    /// Of `unchanged`, the records the planner neither mapped nor hashed
    /// (their fingerprint was the one stored with their item).
    pub not_mapped: usize,
    /// Source records that could not be exported: file, record, reason.
    pub skipped: Vec<Skipped>,
    /// Items whose request failed this run; they are tried again next run.
    pub failed: Vec<ItemFailure>,
    /// Items that kept failing and pause before their next try.
    pub held_back: Vec<HeldBack>,
    /// What the user should know that costs no item.
    pub notices: Vec<Message>,
    /// Deletions held back by the brake.
    pub brake: Option<Box<BrakeReport>>,
    pub requests: RequestCounts,
}

/// A record the export skipped: `source` (the file), `record`, `reason`.
pub type Skipped = docket_export::Skip;

/// A skip whose fix edits a key the user may set is the user's
/// (`docket_config::settle`: the source does not know the table).
pub(crate) fn settle_skip(mut skip: Skipped) -> Skipped {
    skip.fix = skip.fix.map(docket_config::settle);
    skip
}

/// An item whose request failed this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemFailure {
    /// The item's source key (`appointment:<uid>`, …).
    pub key: String,
    pub reason: Message,
}

/// An item that kept failing and waits before its next try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldBack {
    pub key: String,
    /// Failed attempts in a row.
    pub attempts: u32,
    /// Not tried again before this.
    pub until: DateTime<Utc>,
    /// `sync-held-back`: attempts, the last error, the next try.
    pub reason: Message,
    /// Try it now anyway.
    pub fix: Action,
}

/// Deletions the brake held back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrakeReport {
    /// Deletions the plan would have made.
    pub deletions: usize,
    /// Our items in Microsoft 365 before the run.
    pub owned: usize,
    /// The share of `owned` a run may delete (policy).
    pub threshold: f64,
    /// `sync-brake` (with `.body`).
    pub message: Message,
    /// Let them go through.
    pub fix: Action,
}

/// The English catalogue, built once (the `Display` of report lines, for
/// logs and test messages).
fn english() -> &'static docket_text::Texts {
    static EN: std::sync::OnceLock<docket_text::Texts> = std::sync::OnceLock::new();
    EN.get_or_init(|| docket_text::Texts::new(docket_text::Lang::En))
}

/// `key: reason` in English, for logs.
impl std::fmt::Display for ItemFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, english().render(&self.reason))
    }
}

/// `key: reason` in English, for logs.
impl std::fmt::Display for HeldBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, english().render(&self.reason))
    }
}

/// The brake's headline in English, for logs.
impl std::fmt::Display for BrakeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&english().render(&self.message))
    }
}

impl ItemFailure {
    fn new(key: &SourceKey, reason: Message) -> ItemFailure {
        ItemFailure {
            key: key.to_string(),
            reason,
        }
    }

    /// A failed Graph request (its words are Microsoft's or the client's).
    fn graph(key: &SourceKey, error: &GraphError) -> ItemFailure {
        ItemFailure::new(
            key,
            Message::new("sync-failed-request").text("error", error.to_string()),
        )
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct RequestCounts {
    /// As Graph's budget counts them (each batch item is one).
    pub graph_requests: u64,
    pub http_requests: u64,
    pub reads: u64,
    pub writes: u64,
    pub batches: u64,
    pub throttled: u64,
}

impl From<Counts> for RequestCounts {
    fn from(c: Counts) -> Self {
        RequestCounts {
            graph_requests: c.budget_requests,
            http_requests: c.http_requests,
            reads: c.reads,
            writes: c.writes,
            batches: c.batches,
            throttled: c.throttled,
        }
    }
}

/// The state database as the executor uses it: every call is one short
/// transaction, so the lock is never held across an `.await`.
pub struct ExportStore<'a>(pub &'a Mutex<StateDb>);

impl ExportStore<'_> {
    fn db(&self) -> std::sync::MutexGuard<'_, StateDb> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The planner's state. A row that cannot be read (written by a newer
    /// version, or damaged) is dropped: its item is found again by its tag.
    fn load(&self) -> Result<ExportState, AppError> {
        let mut state = ExportState::new();
        for (k, json) in self.db().export_entries()? {
            match (k.parse::<SourceKey>(), serde_json::from_str::<Entry>(&json)) {
                (Ok(key), Ok(entry)) => {
                    state.insert(key, entry);
                }
                _ => tracing::warn!(key = %k, "unreadable export-state row dropped"),
            }
        }
        Ok(state)
    }

    fn put(&self, key: &SourceKey, entry: &Entry) -> Result<(), AppError> {
        let json = serde_json::to_string(entry).expect("entries serialize");
        Ok(self.db().put_export_entry(&key.to_string(), &json)?)
    }

    fn delete(&self, key: &SourceKey) -> Result<(), AppError> {
        Ok(self.db().delete_export_entry(&key.to_string())?)
    }

    /// Items whose last request failed. An unreadable row is dropped (its
    /// item is simply tried again).
    fn failures(&self) -> Result<Failures, AppError> {
        let mut out = Failures::new();
        for (k, json) in self.db().export_failures()? {
            if let (Ok(key), Ok(f)) = (k.parse::<SourceKey>(), serde_json::from_str(&json)) {
                out.insert(key, f);
            }
        }
        Ok(out)
    }

    fn put_failure(&self, key: &SourceKey, failure: &Failure) -> Result<(), AppError> {
        let json = serde_json::to_string(failure).expect("failures serialize");
        Ok(self.db().put_export_failure(&key.to_string(), &json)?)
    }

    fn clear_failure(&self, key: &SourceKey) -> Result<(), AppError> {
        Ok(self.db().delete_export_failure(&key.to_string())?)
    }

    fn meta(&self, name: &str) -> Result<Option<String>, AppError> {
        Ok(self.db().export_meta(name)?)
    }

    fn set_meta(&self, name: &str, value: &str) -> Result<(), AppError> {
        Ok(self.db().set_export_meta(name, value)?)
    }

    fn delete_meta(&self, name: &str) -> Result<(), AppError> {
        Ok(self.db().delete_export_meta(name)?)
    }
}

fn delta_name(kind: ItemKind) -> String {
    format!("delta.{}", kind.as_str())
}

/// How a kind's remote side was read this run.
enum Read {
    /// Followed the stored delta link; this is the next one.
    Delta(String),
    /// Listed our tagged items; a new delta round starts after the writes.
    Full,
    /// The module is off: nothing read.
    Off,
}

/// How often a run stores the budget window while it sends (a kill loses
/// at most this much of it).
const SAVE_PACE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

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
        }
    };
    save_pace_window(graph, store).await;
    result
}

/// Store the client's budget window; a failure to write it costs only
/// pacing memory, never the run.
async fn save_pace_window<T: TokenSource>(graph: &GraphClient<T>, store: &ExportStore<'_>) {
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

async fn export_run<T: TokenSource>(
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
                            .text("error", e.to_string()),
                    ),
                }
            }
        }
    }
    store.set_meta("delta.event.day", &today)?;
    report.requests = graph.counters().into();
    Ok(report)
}

fn has_kind(state: &ExportState, kind: ItemKind) -> bool {
    state.values().any(|e| e.kind == kind)
}

/// Also a stored or returned link that is not on the Graph origin: the
/// client drops it unsent (the token goes to Graph only), and it is read
/// in full like an expired token, never as "everything was deleted".
fn delta_expired(e: &GraphError) -> bool {
    matches!(e, GraphError::ForeignLink { .. })
        || e.status() == Some(410)
        || matches!(
            e.code(),
            Some(c) if c.eq_ignore_ascii_case("syncStateNotFound")
                || c.eq_ignore_ascii_case("resyncRequired")
        )
}

/// The owned To Do list: remembered, else found by name, else created.
async fn task_list<T: TokenSource>(
    graph: &GraphClient<T>,
    store: &ExportStore<'_>,
    dry_run: bool,
) -> Result<String, AppError> {
    if let Some(id) = store.meta("todo.list")? {
        return Ok(id);
    }
    let (lists, _) = graph.collect_pages("/me/todo/lists").await?;
    if let Some(id) = lists
        .iter()
        .find(|l| l["displayName"].as_str() == Some(TASK_LIST_NAME))
        .and_then(|l| l["id"].as_str())
    {
        store.set_meta("todo.list", id)?;
        return Ok(id.to_string());
    }
    if dry_run {
        // The list is created by the first real run.
        return Ok(String::new());
    }
    let created = graph
        .send(&Request::post(
            "/me/todo/lists",
            json!({ "displayName": TASK_LIST_NAME }),
        ))
        .await?;
    let id = created.body["id"]
        .as_str()
        .ok_or_else(|| AppError::Export("Graph created the To Do list without an id".into()))?
        .to_string();
    store.set_meta("todo.list", &id)?;
    Ok(id)
}

fn version_of(item: &Value) -> Option<String> {
    item["changeKey"]
        .as_str()
        .or_else(|| item["@odata.etag"].as_str())
        .map(str::to_string)
}

fn remote_item(item: &Value, container: Option<&str>) -> Option<RemoteItem> {
    // An occurrence of a series stands for its series master.
    let id = item["seriesMasterId"]
        .as_str()
        .filter(|_| item["type"].as_str() != Some("seriesMaster"))
        .or_else(|| item["id"].as_str())?;
    Some(RemoteItem {
        id: id.to_string(),
        version: version_of(item),
        categories: item["categories"].as_array().map(|c| {
            c.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        }),
        key: key::key_of(item),
        container: container.map(str::to_string),
    })
}

fn delta_listing(kind: ItemKind, items: &[Value], list_id: Option<&str>) -> Listing {
    let container = if kind == ItemKind::Task {
        list_id
    } else {
        None
    };
    let mut changed: Vec<RemoteItem> = vec![];
    let mut deleted = vec![];
    for item in items {
        if let Some(removed) = item.get("@removed") {
            // "changed": the item left the window, it was not deleted.
            if removed["reason"].as_str() != Some("changed") {
                if let Some(id) = item["id"].as_str() {
                    deleted.push(id.to_string());
                }
            }
        } else if let Some(r) = remote_item(item, container) {
            if r.id != item["id"].as_str().unwrap_or_default() {
                // An occurrence: its master's version is not known here.
                if changed.iter().any(|c| c.id == r.id) {
                    continue;
                }
                changed.push(RemoteItem { version: None, ..r });
            } else {
                changed.retain(|c| c.id != r.id);
                changed.push(r);
            }
        }
    }
    // An occurrence reported without a version must not look like an edit.
    changed.retain(|c| c.version.is_some());
    Listing::Delta { changed, deleted }
}

/// Every item of `kind` carrying our tag.
async fn full_listing<T: TokenSource>(
    graph: &GraphClient<T>,
    kind: ItemKind,
    list_id: Option<&str>,
) -> Result<Listing, AppError> {
    // The largest page Outlook lists serve: a lost state database over
    // 10,000 items costs 10 pages per collection, not 100.
    const PAGE: usize = docket_graph::PAGE_SIZE;
    let filter = url_encode(&key::owned_filter());
    let expand = url_encode(&key::tag_expand());
    let (url, container) = match kind {
        ItemKind::Event => (
            format!("/me/events?$filter={filter}&$expand={expand}&$top={PAGE}"),
            None,
        ),
        ItemKind::Contact => (
            format!("/me/contacts?$filter={filter}&$expand={expand}&$top={PAGE}"),
            None,
        ),
        ItemKind::Task => (
            format!(
                "/me/todo/lists/{}/tasks?$expand={}&$top={PAGE}",
                list_id.unwrap_or_default(),
                key::TASK_EXPAND
            ),
            list_id,
        ),
    };
    if kind == ItemKind::Task && list_id.is_none_or(str::is_empty) {
        return Ok(Listing::Full {
            items: vec![],
            complete: true,
        });
    }
    let (items, _) = graph.collect_pages(&url).await?;
    Ok(Listing::Full {
        items: items
            .iter()
            .filter_map(|i| remote_item(i, container))
            .filter(|r| r.key.is_some())
            .collect(),
        complete: true,
    })
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn item_url(kind: ItemKind, id: &str, container: Option<&str>, list_id: Option<&str>) -> String {
    match kind {
        ItemKind::Event => format!("/me/events/{id}"),
        ItemKind::Contact => format!("/me/contacts/{id}"),
        ItemKind::Task => format!(
            "/me/todo/lists/{}/tasks/{id}",
            container.or(list_id).unwrap_or_default()
        ),
    }
}

/// What applying the plan needs besides the plan.
struct Ctx<'a> {
    store: &'a ExportStore<'a>,
    state: &'a ExportState,
    failures: &'a Failures,
    list_id: Option<&'a str>,
    now: DateTime<Utc>,
}

impl Ctx<'_> {
    /// The item's request worked: it no longer counts as failing.
    fn succeeded(&self, key: &SourceKey) -> Result<(), AppError> {
        if self.failures.contains_key(key) {
            self.store.clear_failure(key)?;
        }
        Ok(())
    }

    /// The item's request failed: report it, and when the error is about
    /// the item (not the network, the sign-in, permissions or throttling)
    /// count it for the item's backoff.
    fn failed(
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
fn about_the_item(e: &GraphError) -> bool {
    matches!(e.status(), Some(s) if !matches!(s, 401 | 403 | 408 | 429))
}

/// A held-back operation's change must not be lost when the delta link
/// moves past what caused it: an update's entry forgets its hash (so the
/// next plan sees a difference), a re-create's entry forgets the deleted
/// item's id (so the next plan creates it again).
fn remember_held(store: &ExportStore<'_>, state: &ExportState, op: &Op) -> Result<(), AppError> {
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
fn resend_update(
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
async fn apply<T: TokenSource>(
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
                        Message::new("sync-failed-request").text("error", err.to_string()),
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
fn update_body(c: &docket_export::Create) -> Value {
    let mut body = c.body();
    if let Some(map) = body.as_object_mut() {
        map.remove("transactionId");
        map.remove("linkedResources");
    }
    body
}

fn count_create(report: &mut ExportReport, reason: CreateReason) {
    match reason {
        CreateReason::Recreate => report.recreated += 1,
        CreateReason::KindChanged => report.moved += 1,
        CreateReason::New | CreateReason::Retry => report.created += 1,
    }
}

fn record(
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

fn forget_if_same(
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

fn generation_name(key: &SourceKey) -> String {
    format!("generation.{key}")
}

/// Before a key's row goes: remember the next creation generation, so that
/// a later create of the same key gets a transactionId never used before.
fn retire(store: &ExportStore<'_>, state: &ExportState, key: &SourceKey) -> Result<(), AppError> {
    if let Some(e) = state.get(key) {
        store.set_meta(&generation_name(key), &(e.generation + 1).to_string())?;
    }
    Ok(())
}

/// The ids of the items carrying `key`'s tag.
async fn find_by_tag<T: TokenSource>(
    graph: &GraphClient<T>,
    kind: ItemKind,
    key: &SourceKey,
    list_id: Option<&str>,
) -> Result<Vec<String>, AppError> {
    let items = match kind {
        ItemKind::Task => match full_listing(graph, kind, list_id).await? {
            Listing::Full { items, .. } => items,
            Listing::Delta { .. } => vec![],
        },
        ItemKind::Event | ItemKind::Contact => {
            let collection = if kind == ItemKind::Event {
                "events"
            } else {
                "contacts"
            };
            let url = format!(
                "/me/{collection}?$filter={}&$expand={}",
                url_encode(&key::key_filter(key)),
                url_encode(&key::tag_expand())
            );
            let (items, _) = graph.collect_pages(&url).await?;
            items.iter().filter_map(|i| remote_item(i, None)).collect()
        }
    };
    Ok(items
        .into_iter()
        .filter(|i| i.key.as_ref() == Some(key))
        .map(|i| i.id)
        .collect())
}

/// For creates retried after an unanswered attempt (tasks and contacts have
/// no idempotency key), find an item that already carries the key's tag.
async fn adopt_unconfirmed<T: TokenSource>(
    graph: &GraphClient<T>,
    plan: &Plan,
    list_id: Option<&str>,
) -> Result<HashMap<SourceKey, (String, Option<String>)>, AppError> {
    let retries: Vec<_> = plan
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Create(c) if c.reason == CreateReason::Retry && c.kind != ItemKind::Event => {
                Some(c)
            }
            _ => None,
        })
        .collect();
    let mut found = HashMap::new();
    if retries.is_empty() {
        return Ok(found);
    }
    if retries.iter().any(|c| c.kind == ItemKind::Task) {
        if let Listing::Full { items, .. } = full_listing(graph, ItemKind::Task, list_id).await? {
            for item in items {
                if let Some(k) = item.key {
                    found.insert(k, (item.id, item.version));
                }
            }
        }
    }
    for c in retries.iter().filter(|c| c.kind == ItemKind::Contact) {
        let url = format!(
            "/me/contacts?$filter={}&$expand={}",
            url_encode(&key::key_filter(&c.key)),
            url_encode(&key::tag_expand())
        );
        let (items, _) = graph.collect_pages(&url).await?;
        if let Some(item) = items
            .iter()
            .find(|i| key::key_of(i).as_ref() == Some(&c.key))
        {
            if let Some(id) = item["id"].as_str() {
                found.insert(c.key.clone(), (id.to_string(), version_of(item)));
            }
        }
    }
    found.retain(|k, _| retries.iter().any(|c| &c.key == k));
    Ok(found)
}

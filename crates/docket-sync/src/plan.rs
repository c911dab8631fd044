//! The planner: a pure decision over (what the PMS says, what we wrote last
//! time, what Microsoft 365 told us) → the requests to make. The decision
//! table is in `docs/sync.md` ("Planner").

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use docket_source::Snapshot;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::key::{ItemKind, Module, SourceKey};
use crate::map::{map_snapshot, DeadlinesTo, Desired, MapContext, Mapping, Presence, Skip};
use crate::recur::Window;

/// A run may always delete this many items; above it the share counts.
pub const BRAKE_FLOOR: usize = 5;

/// The firm's and user's choices, and the per-run inputs, that the plan
/// depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `modules.calendar`: appointments.
    pub calendar: bool,
    /// `modules.tasks`: deadlines and follow-ups (wherever they go).
    pub tasks: bool,
    /// `modules.contacts`.
    pub contacts: bool,
    pub deadlines_to: DeadlinesTo,
    pub force_private: bool,
    /// `policy.max_delete_share`, 0..=1.
    pub max_delete_share: f64,
    /// The mailbox's zone (Graph `mailboxSettings/timeZone`, as IANA).
    pub mailbox_zone: Tz,
    /// Series Graph cannot express are expanded from `now - past_days`…
    pub past_days: u32,
    /// …to `now + future_days`.
    pub future_days: u32,
    /// The user confirmed: deletions above the brake go ahead, and an empty
    /// full listing is believed.
    pub force: bool,
}

impl Policy {
    /// The defaults of `docs/configuration.md`, for a mailbox in `zone`.
    pub fn new(mailbox_zone: Tz) -> Policy {
        Policy {
            calendar: true,
            tasks: true,
            contacts: true,
            deadlines_to: DeadlinesTo::Todo,
            force_private: false,
            max_delete_share: 0.2,
            mailbox_zone,
            past_days: 31,
            future_days: 366,
            force: false,
        }
    }

    fn module_on(&self, m: Module) -> bool {
        match m {
            Module::Appointment => self.calendar,
            Module::Deadline => self.tasks,
            Module::Contact => self.contacts,
        }
    }

    /// The expansion window at `now`.
    pub fn window(&self, now: DateTime<Utc>) -> Window {
        Window {
            start: now - Duration::days(i64::from(self.past_days)),
            end: now + Duration::days(i64::from(self.future_days)),
        }
    }
}

/// What we know about one item we exported (a row of the state DB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub kind: ItemKind,
    /// Graph's (immutable) id; `None` while a create is intended but not
    /// confirmed (written before the POST).
    pub remote_id: Option<String>,
    /// Calendar, To Do list or contact folder id (tasks need it in URLs).
    pub container: Option<String>,
    /// [`Desired::hash`] of what we wrote.
    pub hash: String,
    /// The categories we wrote (ours).
    pub categories: Vec<String>,
    /// Categories the user added in Outlook, kept on every update.
    pub user_categories: Vec<String>,
    /// `changeKey` (events, contacts) or `@odata.etag` (tasks) right after
    /// our write: a different one later means someone else edited it.
    pub version: Option<String>,
    /// Creation generation: 0 at first, +1 for each re-create.
    pub generation: u32,
}

/// The state DB's view: one entry per source key.
pub type State = BTreeMap<SourceKey, Entry>;

/// An item as Microsoft 365 reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteItem {
    /// For a series, the series master's id (the executor maps an
    /// occurrence reported by calendarView/delta to its `seriesMasterId`).
    pub id: String,
    pub version: Option<String>,
    /// The item's categories, when the response had them.
    pub categories: Option<Vec<String>>,
    /// Our tag, when read (full listings); `None` in delta responses.
    pub key: Option<SourceKey>,
    pub container: Option<String>,
}

/// What one collection told us this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Listing {
    /// Delta since the last run: items changed (by anyone), ids deleted
    /// (`@removed` with reason `deleted`; reason `changed` means "left the
    /// window", not deleted, and must not be passed here).
    Delta {
        changed: Vec<RemoteItem>,
        deleted: Vec<String>,
    },
    /// Every item carrying our tag (after an expired delta token or a lost
    /// state DB). `complete == false` when paging stopped early: then only
    /// what was found counts, never what was not.
    Full {
        items: Vec<RemoteItem>,
        complete: bool,
    },
}

impl Default for Listing {
    fn default() -> Listing {
        Listing::Delta {
            changed: Vec::new(),
            deleted: Vec::new(),
        }
    }
}

/// What Microsoft 365 told us, per kind of item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remote {
    pub events: Listing,
    pub tasks: Listing,
    pub contacts: Listing,
}

impl Remote {
    fn listing(&self, kind: ItemKind) -> &Listing {
        match kind {
            ItemKind::Event => &self.events,
            ItemKind::Task => &self.tasks,
            ItemKind::Contact => &self.contacts,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CreateReason {
    /// New in the PMS.
    New,
    /// The user deleted it in Outlook/To Do; the PMS still has it.
    Recreate,
    /// `deadlines_to` changed: the old kind is deleted, this replaces it.
    KindChanged,
    /// A create was started before and not confirmed: look for our tag
    /// first (tasks, contacts); events dedupe by `transactionId`.
    Retry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UpdateReason {
    /// Changed in the PMS.
    Changed,
    /// Edited by someone in Microsoft 365: the PMS leads, ours is written back.
    EditedByUser,
    /// Found by its tag in a full listing without (matching) state: written
    /// once so that the state is known again.
    Adopted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeleteReason {
    /// No longer in the PMS.
    DeletedInSource,
    /// STATUS:CANCELLED in the PMS.
    Cancelled,
    /// The contact is no longer subscribed.
    Unsubscribed,
    /// The series no longer has this occurrence (or is now one series).
    NotInSeries,
    /// `deadlines_to` changed: replaced by the other kind.
    KindChanged,
    /// A second copy of one of our items.
    Duplicate,
}

impl DeleteReason {
    /// Whether this deletion removes data rather than replacing it (counts
    /// for the brake).
    fn removes(self) -> bool {
        !matches!(self, DeleteReason::KindChanged | DeleteReason::Duplicate)
    }
}

/// POST a new item; on success record an [`Entry`] from these fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Create {
    pub key: SourceKey,
    pub kind: ItemKind,
    /// What to create; the body is made from it when the request is sent
    /// ([`Create::body`]), so planning copies nothing.
    pub item: Arc<Desired>,
    pub hash: String,
    pub categories: Vec<String>,
    pub generation: u32,
    pub reason: CreateReason,
}

impl Create {
    /// The POST body for this creation generation: our fields and
    /// categories, the tag, and for events the generation's
    /// `transactionId`.
    pub fn body(&self) -> Value {
        self.item.create_body(self.generation)
    }
}

/// PATCH the fields we manage.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub key: SourceKey,
    pub kind: ItemKind,
    pub remote_id: String,
    pub container: Option<String>,
    pub body: Value,
    pub hash: String,
    pub categories: Vec<String>,
    pub user_categories: Vec<String>,
    pub generation: u32,
    pub reason: UpdateReason,
}

/// DELETE (a soft delete: the user can recover it from Deleted Items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delete {
    pub key: SourceKey,
    pub kind: ItemKind,
    pub remote_id: String,
    pub container: Option<String>,
    pub reason: DeleteReason,
}

/// One request. For one key, a `Delete` comes before the `Create` that
/// replaces it (a `deadlines_to` switch); execute in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Create(Create),
    Update(Update),
    Delete(Delete),
}

impl Op {
    pub fn key(&self) -> &SourceKey {
        match self {
            Op::Create(c) => &c.key,
            Op::Update(u) => &u.key,
            Op::Delete(d) => &d.key,
        }
    }
}

/// Deletions held back because there were too many.
#[derive(Debug, Clone, PartialEq)]
pub struct Brake {
    /// Deletions the plan would make.
    pub deletes: usize,
    /// Items of ours in Microsoft 365 before this run.
    pub owned: usize,
    pub max_share: f64,
    /// The held deletions; a run with `force` makes them.
    pub held: Vec<Delete>,
    /// For the user: what happened and what to do.
    pub message: String,
}

/// What one run will do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub ops: Vec<Op>,
    /// State entries to drop without a request (gone on both sides, or a
    /// create that never happened).
    pub forget: Vec<SourceKey>,
    /// Records not exported, with the reason (source problems first).
    pub skips: Vec<Skip>,
    pub notices: Vec<String>,
    /// Items already as the PMS says: no request.
    pub unchanged: usize,
    /// Items of a switched-off module, or of records that could not be
    /// read this time: left as they are.
    pub left_alone: usize,
    pub brake: Option<Brake>,
}

/// The remote status of an item we know by id.
enum Seen<'a> {
    /// Nothing reported: as we left it.
    Quiet,
    Present(&'a RemoteItem),
    Gone,
}

struct RemoteIndex<'a> {
    changed: HashMap<(ItemKind, &'a str), &'a RemoteItem>,
    gone: HashSet<(ItemKind, &'a str)>,
    /// Kinds with a trusted full listing: absence means deleted.
    trusted_full: HashSet<ItemKind>,
    /// Our items found by tag in full listings.
    by_key: BTreeMap<&'a SourceKey, Vec<(ItemKind, &'a RemoteItem)>>,
}

impl<'a> RemoteIndex<'a> {
    fn new(
        remote: &'a Remote,
        state: &State,
        force: bool,
        notices: &mut Vec<String>,
    ) -> RemoteIndex<'a> {
        let mut ix = RemoteIndex {
            changed: HashMap::new(),
            gone: HashSet::new(),
            trusted_full: HashSet::new(),
            by_key: BTreeMap::new(),
        };
        for kind in [ItemKind::Event, ItemKind::Task, ItemKind::Contact] {
            match remote.listing(kind) {
                Listing::Delta { changed, deleted } => {
                    for i in changed {
                        ix.changed.insert((kind, i.id.as_str()), i);
                    }
                    for id in deleted {
                        ix.gone.insert((kind, id.as_str()));
                    }
                }
                Listing::Full { items, complete } => {
                    for i in items {
                        ix.changed.insert((kind, i.id.as_str()), i);
                        if let Some(k) = &i.key {
                            ix.by_key.entry(k).or_default().push((kind, i));
                        }
                    }
                    let tracked = state
                        .values()
                        .filter(|e| e.kind == kind && e.remote_id.is_some())
                        .count();
                    if !complete {
                        notices.push(format!(
                            "the listing of our {}s was incomplete: nothing is taken as deleted from it",
                            kind.as_str()
                        ));
                    } else if items.is_empty() && tracked > 0 && !force {
                        notices.push(format!(
                            "the listing found none of our {tracked} {}s: that is not taken to mean they were all deleted (run with --force to believe it)",
                            kind.as_str()
                        ));
                    } else {
                        ix.trusted_full.insert(kind);
                    }
                }
            }
        }
        ix
    }

    fn seen(&self, kind: ItemKind, id: &str) -> Seen<'a> {
        if self.gone.contains(&(kind, id)) {
            return Seen::Gone;
        }
        if let Some(i) = self.changed.get(&(kind, id)) {
            return Seen::Present(i);
        }
        if self.trusted_full.contains(&kind) {
            return Seen::Gone;
        }
        Seen::Quiet
    }
}

/// The instant an occurrence id stands for (floating read as UTC: only
/// used to tell past occurrences from current ones).
fn occurrence_start(id: &str) -> Option<DateTime<Utc>> {
    let id = id.strip_suffix('Z').unwrap_or(id);
    NaiveDateTime::parse_from_str(id, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(id, "%Y%m%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map(|t| t.and_utc())
}

/// `remote` minus `ours_before`, then `ours_now`, without duplicates.
pub fn merge_categories(
    remote: &[String],
    ours_before: &[String],
    ours_now: &[String],
) -> (Vec<String>, Vec<String>) {
    let user: Vec<String> = remote
        .iter()
        .filter(|c| !ours_before.contains(c) && !ours_now.contains(c))
        .cloned()
        .collect();
    let mut all = user.clone();
    for c in ours_now {
        if !all.contains(c) {
            all.push(c.clone());
        }
    }
    (all, user)
}

/// The current Microsoft 365 item for a key.
struct Current<'a> {
    kind: ItemKind,
    id: &'a str,
    container: Option<String>,
    seen: Option<&'a RemoteItem>,
    adopted: bool,
}

fn map_context(policy: &Policy, now: DateTime<Utc>) -> MapContext {
    MapContext {
        mailbox_zone: policy.mailbox_zone,
        force_private: policy.force_private,
        deadlines_to: policy.deadlines_to,
        window: policy.window(now),
    }
}

/// The source's per-record problems first, then what the mapping skipped.
fn all_skips(snapshot: &Snapshot, map_skips: Vec<Skip>) -> Vec<Skip> {
    let mut skips: Vec<Skip> = snapshot
        .problems
        .iter()
        .map(|p| Skip {
            record: p.record.clone(),
            source: Some(p.source.clone()),
            reason: p.problem.clone(),
        })
        .collect();
    skips.extend(map_skips);
    skips
}

/// What a run at `now` would skip (with file, record and reason) and
/// note, without asking Microsoft 365: exactly [`Plan::skips`] and
/// [`Plan::notices`] of that run, so that `doctor` and `sync --dry-run`
/// list the same records.
pub fn preview(
    snapshot: &Snapshot,
    policy: &Policy,
    now: DateTime<Utc>,
) -> (Vec<Skip>, Vec<String>) {
    let mapping = map_snapshot(snapshot, &map_context(policy, now));
    (all_skips(snapshot, mapping.skips), mapping.notices)
}

/// Plans one run. Pure: same inputs, same plan.
pub fn plan(
    snapshot: &Snapshot,
    state: &State,
    remote: &Remote,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Plan {
    let ctx = map_context(policy, now);
    let Mapping {
        mut desired,
        records,
        skips: map_skips,
        notices: map_notices,
    } = map_snapshot(snapshot, &ctx);

    let mut out = Plan {
        skips: all_skips(snapshot, map_skips),
        notices: map_notices,
        ..Plan::default()
    };

    let mut protected: HashSet<&str> = snapshot.unreadable_uids().collect();
    for ((_, uid), p) in &records {
        if *p == Presence::Unmappable {
            protected.insert(uid);
        }
    }
    // UIDs whose series is exported whole (its old occurrences must go).
    let whole: HashSet<&str> = desired
        .keys()
        .filter(|k| k.occurrence.is_none())
        .map(|k| k.uid.as_str())
        .collect();

    let ix = RemoteIndex::new(remote, state, policy.force, &mut out.notices);
    let mut keys: BTreeSet<&SourceKey> = desired.keys().collect();
    keys.extend(state.keys());
    keys.extend(ix.by_key.keys().copied());

    // Creates are noted by key and made after the loop, moving each item
    // out of `desired` instead of copying it.
    let mut steps: Vec<Step> = vec![];
    let mut owned = 0usize;
    let mut held_incomplete = 0usize;
    for key in keys {
        if !policy.module_on(key.module) {
            out.left_alone += 1;
            continue;
        }
        let d = desired.get(key);
        let e = state.get(key);
        let mut found: Vec<(ItemKind, &RemoteItem)> =
            ix.by_key.get(key).cloned().unwrap_or_default();

        // The item we hold for this key: the state's, unless it is gone;
        // else one found by its tag (preferring the kind we want).
        let mut gone = false;
        let mut current = None;
        if let Some((e, id)) = e.and_then(|e| e.remote_id.as_deref().map(|id| (e, id))) {
            match ix.seen(e.kind, id) {
                Seen::Gone => gone = true,
                seen => {
                    current = Some(Current {
                        kind: e.kind,
                        id,
                        container: e.container.clone(),
                        seen: match seen {
                            Seen::Present(i) => Some(i),
                            _ => None,
                        },
                        adopted: false,
                    })
                }
            }
            found.retain(|(k, i)| !(*k == e.kind && i.id == id));
        }
        if current.is_none() && !found.is_empty() {
            let want = d.map(|d| d.kind);
            let pick = found
                .iter()
                .position(|(k, _)| Some(*k) == want)
                .unwrap_or(0);
            let (kind, item) = found.remove(pick);
            current = Some(Current {
                kind,
                id: &item.id,
                container: item.container.clone(),
                seen: Some(item),
                adopted: true,
            });
        }
        if current.is_some() {
            owned += 1;
        }

        if protected.contains(key.uid.as_str()) && (e.is_some() || current.is_some()) {
            out.left_alone += 1;
            continue;
        }

        // Extra copies of our item (a create that was retried blindly).
        for (kind, item) in found {
            steps.push(Step::Op(Op::Delete(Delete {
                key: key.clone(),
                kind,
                remote_id: item.id.clone(),
                container: item.container.clone(),
                reason: DeleteReason::Duplicate,
            })));
        }

        let generation = e.map_or(0, |e| e.generation);
        match (d, current) {
            (Some(_), None) => {
                let (generation, reason) = match e {
                    None => (0, CreateReason::New),
                    Some(e) if e.remote_id.is_none() => (e.generation, CreateReason::Retry),
                    Some(e) if gone => (e.generation + 1, CreateReason::Recreate),
                    Some(e) => (e.generation + 1, CreateReason::New),
                };
                steps.push(Step::Create(key.clone(), generation, reason));
            }
            (Some(d), Some(c)) if c.kind != d.kind => {
                steps.push(Step::Op(Op::Delete(Delete {
                    key: key.clone(),
                    kind: c.kind,
                    remote_id: c.id.to_string(),
                    container: c.container,
                    reason: DeleteReason::KindChanged,
                })));
                steps.push(Step::Create(
                    key.clone(),
                    generation + 1,
                    CreateReason::KindChanged,
                ));
            }
            (Some(d), Some(c)) => {
                let edited = match (c.seen, e) {
                    (Some(i), Some(e)) => i.version != e.version,
                    _ => false,
                };
                let reason = if c.adopted {
                    UpdateReason::Adopted
                } else if e.is_some_and(|e| e.hash != d.hash) {
                    UpdateReason::Changed
                } else if edited {
                    UpdateReason::EditedByUser
                } else {
                    out.unchanged += 1;
                    continue;
                };
                let (ours_before, user_before) = match e {
                    Some(e) if !c.adopted => {
                        (e.categories.as_slice(), e.user_categories.as_slice())
                    }
                    _ => (d.categories.as_slice(), &[][..]),
                };
                let remote_categories = c.seen.and_then(|i| i.categories.as_deref());
                let (all, user) = match remote_categories {
                    Some(r) => merge_categories(r, ours_before, &d.categories),
                    None => merge_categories(user_before, &[], &d.categories),
                };
                steps.push(Step::Op(Op::Update(Update {
                    key: key.clone(),
                    kind: d.kind,
                    remote_id: c.id.to_string(),
                    container: c.container,
                    body: d.update_body(&all),
                    hash: d.hash.clone(),
                    categories: d.categories.clone(),
                    user_categories: user,
                    generation,
                    reason,
                })));
            }
            (None, None) => {
                if e.is_some() {
                    out.forget.push(key.clone());
                }
            }
            (None, Some(c)) => {
                let reason = match records.get(&(key.module, key.uid.clone())) {
                    Some(Presence::Cancelled) => DeleteReason::Cancelled,
                    Some(Presence::Unsubscribed) => DeleteReason::Unsubscribed,
                    Some(_) => {
                        let past = key
                            .occurrence
                            .as_deref()
                            .and_then(occurrence_start)
                            .is_some_and(|t| t < ctx.window.start);
                        if past && !whole.contains(key.uid.as_str()) {
                            // An expanded occurrence that slid out of the
                            // window: history, kept.
                            out.unchanged += 1;
                            continue;
                        }
                        DeleteReason::NotInSeries
                    }
                    None if !snapshot.complete => {
                        held_incomplete += 1;
                        continue;
                    }
                    None => DeleteReason::DeletedInSource,
                };
                steps.push(Step::Op(Op::Delete(Delete {
                    key: key.clone(),
                    kind: c.kind,
                    remote_id: c.id.to_string(),
                    container: c.container,
                    reason,
                })));
            }
        }
    }
    out.ops = steps
        .into_iter()
        .map(|step| match step {
            Step::Op(op) => op,
            Step::Create(key, generation, reason) => {
                let d = desired
                    .remove(&key)
                    .expect("a create is planned from a wanted item");
                create(d, generation, reason)
            }
        })
        .collect();
    if held_incomplete > 0 {
        out.left_alone += held_incomplete;
        out.notices.push(format!(
            "the PMS could not be read completely: {held_incomplete} item(s) missing from it were not deleted"
        ));
    }

    let removing = out
        .ops
        .iter()
        .filter(|o| matches!(o, Op::Delete(d) if d.reason.removes()))
        .count();
    let share = policy.max_delete_share.clamp(0.0, 1.0);
    if !policy.force && removing > BRAKE_FLOOR && removing as f64 > share * owned as f64 {
        let (held, kept): (Vec<Op>, Vec<Op>) = std::mem::take(&mut out.ops)
            .into_iter()
            .partition(|o| matches!(o, Op::Delete(d) if d.reason.removes()));
        out.ops = kept;
        let held: Vec<Delete> = held
            .into_iter()
            .filter_map(|o| match o {
                Op::Delete(d) => Some(d),
                _ => None,
            })
            .collect();
        out.brake = Some(Brake {
            deletes: removing,
            owned,
            max_share: share,
            message: format!(
                "Stopped before deleting {removing} of {owned} exported items ({:.0}%, more than the {:.0}% allowed). \
                 If the PMS really removed them, run `docketsync sync --force`; otherwise check the PMS export.",
                100.0 * removing as f64 / owned.max(1) as f64,
                100.0 * share
            ),
            held,
        });
    }
    out
}

/// A step of the plan in the making: an operation, or a create of the
/// wanted item with this key (made once the loop no longer borrows it).
enum Step {
    Op(Op),
    Create(SourceKey, u32, CreateReason),
}

fn create(d: Desired, generation: u32, reason: CreateReason) -> Op {
    Op::Create(Create {
        key: d.key.clone(),
        kind: d.kind,
        hash: d.hash.clone(),
        categories: d.categories.clone(),
        item: Arc::new(d),
        generation,
        reason,
    })
}

fn noun(module: Module, n: usize) -> &'static str {
    match (module, n == 1) {
        (Module::Appointment, true) => "appointment",
        (Module::Appointment, false) => "appointments",
        (Module::Deadline, true) => "deadline",
        (Module::Deadline, false) => "deadlines",
        (Module::Contact, true) => "contact",
        (Module::Contact, false) => "contacts",
    }
}

fn counts<'a>(keys: impl Iterator<Item = &'a SourceKey>) -> String {
    let mut by: BTreeMap<Module, usize> = BTreeMap::new();
    for k in keys {
        *by.entry(k.module).or_default() += 1;
    }
    by.into_iter()
        .map(|(m, n)| format!("{n} {}", noun(m, n)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Plan {
    /// Number of requests the plan makes.
    pub fn requests(&self) -> usize {
        self.ops.len()
    }

    /// The plan in plain words, for `docketsync sync --dry-run`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let creates = |r: CreateReason| {
            self.ops.iter().filter_map(move |o| match o {
                Op::Create(c) if c.reason == r => Some(&c.key),
                _ => None,
            })
        };
        let new: Vec<&SourceKey> = creates(CreateReason::New)
            .chain(creates(CreateReason::Retry))
            .collect();
        if !new.is_empty() {
            parts.push(format!("create {}", counts(new.into_iter())));
        }
        let updates: Vec<&Update> = self
            .ops
            .iter()
            .filter_map(|o| match o {
                Op::Update(u) => Some(u),
                _ => None,
            })
            .collect();
        if !updates.is_empty() {
            let edited = updates
                .iter()
                .filter(|u| u.reason == UpdateReason::EditedByUser)
                .count();
            let mut s = format!("update {}", counts(updates.iter().map(|u| &u.key)));
            if edited > 0 {
                s.push_str(&format!(" ({edited} edited in Outlook, the PMS wins)"));
            }
            parts.push(s);
        }
        let deletes: Vec<&Delete> = self
            .ops
            .iter()
            .filter_map(|o| match o {
                Op::Delete(d) if d.reason.removes() => Some(d),
                _ => None,
            })
            .collect();
        if !deletes.is_empty() {
            let mut why: BTreeMap<&str, usize> = BTreeMap::new();
            for d in &deletes {
                *why.entry(match d.reason {
                    DeleteReason::DeletedInSource => "gone from the PMS",
                    DeleteReason::Cancelled => "cancelled",
                    DeleteReason::Unsubscribed => "unsubscribed",
                    _ => "no longer in their series",
                })
                .or_default() += 1;
            }
            let why = why
                .into_iter()
                .map(|(w, n)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(", ");
            parts.push(format!(
                "delete {} ({why})",
                counts(deletes.iter().map(|d| &d.key))
            ));
        }
        let recreate: Vec<&SourceKey> = creates(CreateReason::Recreate).collect();
        if !recreate.is_empty() {
            parts.push(format!(
                "recreate {} deleted in Outlook",
                counts(recreate.into_iter())
            ));
        }
        let moved: Vec<&SourceKey> = creates(CreateReason::KindChanged).collect();
        if !moved.is_empty() {
            parts.push(format!(
                "move {} to the other place (deadlines_to changed)",
                counts(moved.into_iter())
            ));
        }
        let dups = self
            .ops
            .iter()
            .filter(|o| matches!(o, Op::Delete(d) if d.reason == DeleteReason::Duplicate))
            .count();
        if dups > 0 {
            parts.push(format!("remove {dups} duplicate(s)"));
        }
        if !self.skips.is_empty() {
            let shown: Vec<String> = self
                .skips
                .iter()
                .take(5)
                .map(|s| format!("{}: {}", s.record, s.reason))
                .collect();
            let more = self.skips.len().saturating_sub(shown.len());
            let mut s = format!("skip {}: {}", self.skips.len(), shown.join("; "));
            if more > 0 {
                s.push_str(&format!("; and {more} more"));
            }
            parts.push(s);
        }
        let mut text = if parts.is_empty() {
            "nothing to do".to_string()
        } else {
            parts.join(", ")
        };
        text.push_str(&format!(" ({} unchanged", self.unchanged));
        if self.left_alone > 0 {
            text.push_str(&format!(", {} left alone", self.left_alone));
        }
        text.push(')');
        if let Some(b) = &self.brake {
            text.push('\n');
            text.push_str(&b.message);
        }
        for n in &self.notices {
            text.push_str("\nnote: ");
            text.push_str(n);
        }
        text
    }
}

#[cfg(test)]
mod tests;

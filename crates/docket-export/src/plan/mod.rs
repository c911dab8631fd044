//! The planner: a pure decision over (what the PMS says, what we wrote last
//! time, what Microsoft 365 told us) → the requests to make. The decision
//! table is in `docs/export.md` ("Planner").
//!
//! [`plan`] runs these steps, one module each:
//! - map the snapshot (`crate::map`) and collect its skips and notices;
//! - index what Microsoft 365 reported (`remote`): present, gone or quiet,
//!   and our items found by tag;
//! - decide each source key (`key`): the item we hold for it, then create,
//!   update, delete, forget or leave alone;
//! - make the creates, moving each wanted item into its request;
//! - hold back mass deletions (`brake`).
//!
//! `input` and `output` hold the types a plan is made from and made of;
//! `describe` puts a plan in plain words.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use docket_source::Snapshot;
use docket_text::Message;

use crate::key::SourceKey;
use crate::map::{
    map_snapshot, map_snapshot_skipping, Desired, MapContext, Mapping, Presence, Skip,
};

mod brake;
mod describe;
mod input;
mod key;
mod output;
mod remote;

pub use brake::BRAKE_FLOOR;
pub use describe::{ModuleCounts, PlanSummary, WhyDeleted};
pub use input::{Entry, ExportState, Listing, PlanChoices, Remote, RemoteItem};
pub use key::merge_categories;
pub use output::{
    Brake, Create, CreateReason, Delete, DeleteReason, Op, Plan, Update, UpdateReason,
};
use remote::{RemoteIndex, Seen};

fn map_context(choices: &PlanChoices, now: DateTime<Utc>) -> MapContext {
    MapContext {
        mailbox_zone: choices.mailbox_zone,
        force_private: choices.force_private,
        deadlines_to: choices.deadlines_to,
        window: choices.window(now),
        lang: choices.lang,
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
            reason: p.reason.clone(),
            fix: p.fix.clone(),
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
    choices: &PlanChoices,
    now: DateTime<Utc>,
) -> (Vec<Skip>, Vec<Message>) {
    let mapping = map_snapshot(snapshot, &map_context(choices, now));
    (all_skips(snapshot, mapping.skips), mapping.notices)
}

/// Plans one run. Pure: same inputs, same plan.
pub fn plan(
    snapshot: &Snapshot,
    state: &ExportState,
    remote: &Remote,
    choices: &PlanChoices,
    now: DateTime<Utc>,
) -> Plan {
    let ctx = map_context(choices, now);
    let mut remote_notices = vec![];
    let ix = RemoteIndex::new(remote, state, choices.force, &mut remote_notices);
    // A record whose fingerprint is the one stored with its item, while
    // Microsoft 365 reported nothing about that item, is as we wrote it:
    // it is neither mapped nor hashed.
    let as_written = |key: &SourceKey, fingerprint: &str| {
        state.get(key).is_some_and(|e| {
            e.fingerprint.as_deref() == Some(fingerprint)
                && !e.hash.is_empty()
                && e.remote_id
                    .as_deref()
                    .is_some_and(|id| matches!(ix.seen(e.kind, id), Seen::Quiet))
        }) && !ix.by_key.contains_key(key)
    };
    let Mapping {
        mut desired,
        records,
        skips: map_skips,
        notices: map_notices,
        unchanged,
    } = map_snapshot_skipping(snapshot, &ctx, &as_written);

    let mut out = Plan {
        skips: all_skips(snapshot, map_skips),
        notices: map_notices,
        ..Plan::default()
    };
    out.notices.append(&mut remote_notices);
    out.not_mapped = unchanged.len();

    let protected = protected_uids(snapshot, &records);
    let mut whole = whole_series(&desired);
    whole.extend(
        unchanged
            .iter()
            .filter(|k| k.occurrence.is_none())
            .map(|k| k.uid.as_str()),
    );
    let unchanged: HashSet<&SourceKey> = unchanged.iter().collect();
    let mut keys: BTreeSet<&SourceKey> = desired.keys().collect();
    keys.extend(state.keys());
    keys.extend(ix.by_key.keys().copied());

    let inputs = key::Inputs {
        choices,
        state,
        desired: &desired,
        records: &records,
        ix: &ix,
        protected,
        whole,
        unchanged,
        complete: snapshot.complete,
        window_start: ctx.window.start,
    };
    let mut run = key::Run::default();
    for key in keys {
        inputs.decide(key, &mut run, &mut out);
    }
    let key::Run {
        steps,
        owned,
        held_incomplete,
    } = run;

    out.ops = make_ops(steps, &mut desired);
    if held_incomplete > 0 {
        out.left_alone += held_incomplete;
        out.notices
            .push(Message::new("sync-notice-pms-incomplete").number("n", held_incomplete));
    }
    brake::apply(&mut out, owned, choices);
    out
}

/// UIDs of records that could not be read or mapped: what we exported for
/// them before is left untouched.
fn protected_uids<'a>(
    snapshot: &'a Snapshot,
    records: &'a BTreeMap<(crate::key::Module, String), Presence>,
) -> HashSet<&'a str> {
    let mut protected: HashSet<&str> = snapshot.unreadable_uids().collect();
    for ((_, uid), p) in records {
        if *p == Presence::Unmappable {
            protected.insert(uid);
        }
    }
    protected
}

/// UIDs whose series is exported whole (its old occurrences must go).
fn whole_series(desired: &BTreeMap<SourceKey, Desired>) -> HashSet<&str> {
    desired
        .keys()
        .filter(|k| k.occurrence.is_none())
        .map(|k| k.uid.as_str())
        .collect()
}

/// The steps as requests, in order: each create takes its wanted item out
/// of `desired`.
fn make_ops(steps: Vec<Step>, desired: &mut BTreeMap<SourceKey, Desired>) -> Vec<Op> {
    steps
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
        .collect()
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
        fingerprint: d.fingerprint.clone(),
        item: Arc::new(d),
        generation,
        reason,
    })
}

#[cfg(test)]
mod tests;

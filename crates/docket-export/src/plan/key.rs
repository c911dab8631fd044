//! The decision for one source key: which Microsoft 365 item we hold for
//! it, and whether to create, update, delete, forget or leave it.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::remote::{Current, RemoteIndex};
use super::{
    CreateReason, Delete, DeleteReason, Entry, ExportState, Op, Plan, PlanChoices, Step, Update,
    UpdateReason,
};
use crate::key::{Module, SourceKey};
use crate::map::{Desired, Presence};

/// Everything the per-key decision reads.
pub(super) struct Inputs<'a> {
    pub(super) choices: &'a PlanChoices,
    pub(super) state: &'a ExportState,
    pub(super) desired: &'a BTreeMap<SourceKey, Desired>,
    pub(super) records: &'a BTreeMap<(Module, String), Presence>,
    pub(super) ix: &'a RemoteIndex<'a>,
    /// UIDs of records that could not be read or mapped: left untouched.
    pub(super) protected: HashSet<&'a str>,
    /// UIDs whose series is exported whole (its old occurrences must go).
    pub(super) whole: HashSet<&'a str>,
    /// Keys whose record was not mapped: as last written (fingerprint).
    pub(super) unchanged: HashSet<&'a SourceKey>,
    /// The snapshot is complete: missing means deleted.
    pub(super) complete: bool,
    /// Start of the expansion window.
    pub(super) window_start: DateTime<Utc>,
}

/// What the decisions so far add up to.
#[derive(Default)]
pub(super) struct Run {
    /// Creates are noted by key and made after the loop, moving each item
    /// out of `desired` instead of copying it.
    pub(super) steps: Vec<Step>,
    /// Items of ours in Microsoft 365 before this run (for the brake).
    pub(super) owned: usize,
    /// Deletions not made because the snapshot is incomplete.
    pub(super) held_incomplete: usize,
}

/// What becomes of an item we hold that the PMS no longer wants.
enum Unwanted {
    Delete(DeleteReason),
    /// An expanded occurrence that slid out of the window: history, kept.
    History,
    /// Missing from an incomplete snapshot: not deleted.
    Hold,
}

impl Inputs<'_> {
    /// Decide for `key`: steps go to `run`, counts and forgotten keys to
    /// `out`.
    pub(super) fn decide(&self, key: &SourceKey, run: &mut Run, out: &mut Plan) {
        if !self.choices.module_on(key.module) {
            out.left_alone += 1;
            return;
        }
        let d = self.desired.get(key);
        let e = self.state.get(key);
        let held = self.ix.held(key, e, d.map(|d| d.kind));
        let current = held.current;
        if current.is_some() {
            run.owned += 1;
        }

        if self.protected.contains(key.uid.as_str()) && (e.is_some() || current.is_some()) {
            out.left_alone += 1;
            return;
        }
        if d.is_none() && self.unchanged.contains(key) {
            out.unchanged += 1;
            return;
        }

        // Extra copies of our item (a create that was retried blindly).
        for (kind, item) in held.extra {
            run.steps.push(Step::Op(Op::Delete(Delete {
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
                let (generation, reason) = create_generation(e, held.gone);
                run.steps
                    .push(Step::Create(key.clone(), generation, reason));
            }
            (Some(d), Some(c)) if c.kind != d.kind => {
                run.steps.push(Step::Op(Op::Delete(Delete {
                    key: key.clone(),
                    kind: c.kind,
                    remote_id: c.id.to_string(),
                    container: c.container,
                    reason: DeleteReason::KindChanged,
                })));
                run.steps.push(Step::Create(
                    key.clone(),
                    generation + 1,
                    CreateReason::KindChanged,
                ));
            }
            (Some(d), Some(c)) => match update(key, d, c, e, generation) {
                Some(u) => run.steps.push(Step::Op(Op::Update(u))),
                None => {
                    out.unchanged += 1;
                    if d.fingerprint.is_some() && e.is_some_and(|e| e.fingerprint != d.fingerprint)
                    {
                        out.fingerprints.push((key.clone(), d.fingerprint.clone()));
                    }
                }
            },
            (None, None) => {
                if e.is_some() {
                    out.forget.push(key.clone());
                }
            }
            (None, Some(c)) => match self.unwanted(key) {
                Unwanted::Delete(reason) => run.steps.push(Step::Op(Op::Delete(Delete {
                    key: key.clone(),
                    kind: c.kind,
                    remote_id: c.id.to_string(),
                    container: c.container,
                    reason,
                }))),
                Unwanted::History => out.unchanged += 1,
                Unwanted::Hold => run.held_incomplete += 1,
            },
        }
    }

    /// Why an item we hold for `key` goes, or why it stays.
    fn unwanted(&self, key: &SourceKey) -> Unwanted {
        match self.records.get(&(key.module, key.uid.clone())) {
            Some(Presence::Cancelled) => Unwanted::Delete(DeleteReason::Cancelled),
            Some(Presence::Unsubscribed) => Unwanted::Delete(DeleteReason::Unsubscribed),
            Some(_) => {
                let past = key
                    .occurrence
                    .as_deref()
                    .and_then(occurrence_start)
                    .is_some_and(|t| t < self.window_start);
                if past && !self.whole.contains(key.uid.as_str()) {
                    Unwanted::History
                } else {
                    Unwanted::Delete(DeleteReason::NotInSeries)
                }
            }
            None if !self.complete => Unwanted::Hold,
            None => Unwanted::Delete(DeleteReason::DeletedInSource),
        }
    }
}

/// The generation and reason of a create for a key whose state is `e`
/// (`gone`: the state's item was deleted in Microsoft 365).
fn create_generation(e: Option<&Entry>, gone: bool) -> (u32, CreateReason) {
    match e {
        None => (0, CreateReason::New),
        Some(e) if e.remote_id.is_none() => (e.generation, CreateReason::Retry),
        Some(e) if gone => (e.generation + 1, CreateReason::Recreate),
        Some(e) => (e.generation + 1, CreateReason::New),
    }
}

/// The update of an item we hold and want, or `None` when it is as the
/// PMS says.
fn update(
    key: &SourceKey,
    d: &Desired,
    c: Current<'_>,
    e: Option<&Entry>,
    generation: u32,
) -> Option<Update> {
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
        return None;
    };
    let (ours_before, user_before) = match e {
        Some(e) if !c.adopted => (e.categories.as_slice(), e.user_categories.as_slice()),
        _ => (d.categories.as_slice(), &[][..]),
    };
    let remote_categories = c.seen.and_then(|i| i.categories.as_deref());
    let (all, user) = match remote_categories {
        Some(r) => merge_categories(r, ours_before, &d.categories),
        None => merge_categories(user_before, &[], &d.categories),
    };
    Some(Update {
        key: key.clone(),
        kind: d.kind,
        remote_id: c.id.to_string(),
        container: c.container,
        body: d.update_body(&all),
        hash: d.hash.clone(),
        categories: d.categories.clone(),
        fingerprint: d.fingerprint.clone(),
        user_categories: user,
        generation,
        reason,
    })
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

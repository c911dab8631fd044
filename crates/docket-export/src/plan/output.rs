//! What a plan is: the requests ([`Op`]) with their reasons, the
//! deletions held back by the [`Brake`], and the rest of the [`Plan`].

use std::sync::Arc;

use docket_text::Message;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::key::{ItemKind, SourceKey};
use crate::map::{Desired, Skip};

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
    pub(super) fn removes(self) -> bool {
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
    /// [`Entry::fingerprint`](super::Entry::fingerprint) to record.
    pub fingerprint: Option<String>,
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
    /// [`Entry::fingerprint`](super::Entry::fingerprint) to record.
    pub fingerprint: Option<String>,
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
}

impl Brake {
    /// For the user: what happened (`sync-brake`, with a `.body` saying
    /// what to do). The fix is [`docket_text::Action::AllowDeletions`].
    pub fn message(&self) -> Message {
        let percent = (100.0 * self.deletes as f64 / self.owned.max(1) as f64).round();
        Message::new("sync-brake")
            .number("deletes", self.deletes)
            .number("owned", self.owned)
            .number("percent", percent as i64)
            .number("allowed", (100.0 * self.max_share).round() as i64)
    }
}

/// What one run will do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub ops: Vec<Op>,
    /// Export-state entries to drop without a request (gone on both sides, or a
    /// create that never happened).
    pub forget: Vec<SourceKey>,
    /// Records not exported, with the reason (source problems first).
    pub skips: Vec<Skip>,
    /// What the user should know that costs no item.
    pub notices: Vec<Message>,
    /// Items already as the PMS says: no request.
    pub unchanged: usize,
    /// Unchanged items whose record's fingerprint is not the one stored
    /// (first run of a new version, a changed setting that changed nothing
    /// in Outlook): the executor records it in their entries, no request,
    /// so that the next run skips them.
    pub fingerprints: Vec<(SourceKey, Option<String>)>,
    /// Records neither mapped nor hashed this run: their fingerprint said
    /// they are as last written (counted in `unchanged` too).
    pub not_mapped: usize,
    /// Items of a switched-off module, or of records that could not be
    /// read this time: left as they are.
    pub left_alone: usize,
    pub brake: Option<Brake>,
}

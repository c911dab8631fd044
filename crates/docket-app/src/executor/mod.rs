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
//!
//! One job per file: `run` (one run from start to end), `read` (what
//! Microsoft 365 says: listings, the owned To Do list), `apply` (sending
//! a plan and recording every answer), `adopt` (tag lookups after a
//! crash), `store` (the state database as the executor uses it), `report`
//! (what a run did, as data). This file holds the options and progress
//! types they share.

mod adopt;
mod apply;
mod read;
mod report;
mod run;
mod store;

pub(crate) use report::settle_skip;
pub use report::{BrakeReport, ExportReport, HeldBack, ItemFailure, RequestCounts, Skipped};
pub use run::export;
pub use store::ExportStore;

use docket_export::ItemKind;
use serde::Serialize;

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

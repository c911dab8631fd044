//! The export engine, part 1: the **pure** mapping and planner.
//!
//! [`plan`] takes what the practice-management system said (a
//! [`docket_source::Snapshot`]), what we wrote last time ([`ExportState`]), what
//! Microsoft 365 told us since ([`Remote`]: delta changes or a full listing
//! of our tagged items), the [`PlanChoices`] and `now`, and returns a [`Plan`]:
//! the Graph requests to make, each with its JSON body, and the reasons.
//! No I/O happens here; the executor (later) sends the requests and
//! records the results in the state DB.
//!
//! - [`map`]: appointment → event, deadline → To Do task or event, contact
//!   → contact; recurrence as Graph's `patternedRecurrence` or expanded.
//! - [`key`]: the source key and the tag (`String {GUID} Name
//!   DocketSyncSourceId` on events and contacts, a `linkedResource` on
//!   tasks) that lets us find our own items without any local state.
//! - [`holdback`]: which items that keep failing sit out the next runs,
//!   and until when (per-item backoff across runs; a request's own
//!   retries are `docket_graph::retry`).
//! - [`delta`]: Graph's delta pages and listed items read into
//!   [`Listing`]s and [`RemoteItem`]s.
//! - [`hash`]: the content hash that makes an unchanged item cost nothing,
//!   and the deterministic `transactionId`.
//!
//! **Architecture invariants:** items without our tag never appear in a
//! plan; nothing is deleted because it is *missing* from an incomplete
//! snapshot or from an empty or partial listing; records the source could
//! not read are left untouched. Decisions and Graph limits: `docs/export.md`.
//!
//! Words: skip reasons, notices, the plan summary and the brake are data
//! ([`docket_text::Message`], area `sync`); `describe_in` renders them.

pub mod delta;
pub mod hash;
pub mod holdback;
pub mod key;
pub mod map;
mod plan;
pub mod recur;
pub mod zone;

pub use key::{ItemKind, Module, SourceKey};
pub use map::{DeadlinesTo, Desired, MapContext, Skip};
pub use plan::{
    merge_categories, plan, preview, Brake, Create, CreateReason, Delete, DeleteReason, Entry,
    ExportState, Listing, ModuleCounts, Op, Plan, PlanChoices, PlanSummary, Remote, RemoteItem,
    Update, UpdateReason, WhyDeleted, BRAKE_FLOOR,
};

/// The English catalogue, built once (logs and `Display`).
pub(crate) fn english() -> &'static docket_text::Texts {
    static EN: std::sync::OnceLock<docket_text::Texts> = std::sync::OnceLock::new();
    EN.get_or_init(|| docket_text::Texts::new(docket_text::Lang::En))
}

//! What a plan is made from, besides the snapshot: the [`PlanChoices`], the
//! state DB's view ([`ExportState`]) and what Microsoft 365 reported
//! ([`Remote`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::key::{ItemKind, Module, SourceKey};
use crate::map::DeadlinesTo;
use crate::recur::Window;

/// The firm's and user's choices, and the per-run inputs, that the plan
/// depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChoices {
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
    /// The user's language: the words we write into items (a contact's
    /// overflow notes) are in it.
    pub lang: docket_text::Lang,
}

impl PlanChoices {
    /// The defaults of `docs/configuration.md`, for a mailbox in `zone`.
    pub fn new(mailbox_zone: Tz) -> PlanChoices {
        PlanChoices {
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
            lang: docket_text::Lang::En,
        }
    }

    pub(super) fn module_on(&self, m: Module) -> bool {
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
    /// The fingerprint of the source record as it was when this item was
    /// last written or found unchanged ([`crate::hash::record_fingerprint`]):
    /// while the record's fingerprint is the same and Microsoft 365 reports
    /// nothing about the item, the planner neither maps nor hashes it.
    /// Written by versions that know it; `None` maps every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// The state DB's view: one entry per source key.
pub type ExportState = BTreeMap<SourceKey, Entry>;

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
    pub(super) fn listing(&self, kind: ItemKind) -> &Listing {
        match kind {
            ItemKind::Event => &self.events,
            ItemKind::Task => &self.tasks,
            ItemKind::Contact => &self.contacts,
        }
    }
}

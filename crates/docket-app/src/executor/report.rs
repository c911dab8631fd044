//! What a run did, as data (`ExportReport` and its rows), and the English
//! `Display` of its rows for logs; front ends render the `Message`s.

use crate::error::graph_reason;
use chrono::{DateTime, Utc};
use docket_export::{PlanSummary, SourceKey};
use docket_graph::{Counts, Error as GraphError};
use docket_text::{Action, Message};
use serde::Serialize;

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
    /// The PMS export could not be read whole (a file or feed failed):
    /// nothing missing from it was deleted, and what it could not give
    /// did not reach Outlook.
    pub pms_incomplete: bool,
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
pub(super) fn english() -> &'static docket_text::Texts {
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
    pub(super) fn new(key: &SourceKey, reason: Message) -> ItemFailure {
        ItemFailure {
            key: key.to_string(),
            reason,
        }
    }

    /// A failed Graph request: why, in our words (`graph-…`); what
    /// Microsoft or the system said is an argument. (Rows stored before
    /// this read `sync-failed-request` with the English text.)
    pub(super) fn graph(key: &SourceKey, error: &GraphError) -> ItemFailure {
        ItemFailure::new(
            key,
            Message::new("sync-failed-graph").message("reason", graph_reason(error)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use docket_export::Module;
    use docket_graph::{Error, Unreachable};
    use docket_text::{Lang, Texts};

    /// A failed item as the run's report lists it, in `lang`.
    fn line(lang: Lang, error: &GraphError) -> String {
        let failure = ItemFailure::graph(&SourceKey::new(Module::Appointment, "a1"), error);
        Texts::new(lang).render(
            &Message::new("sync-report-failed")
                .text("item", failure.key)
                .message("reason", failure.reason),
        )
    }

    /// A German reader of a failed item reads why in German; only what
    /// Microsoft or the system said stays as it came. (It read "Graph
    /// answered 503 …" and "could not reach Microsoft Graph: …", our own
    /// English, in the German report.)
    #[test]
    fn a_failed_item_reads_in_german_without_our_english() {
        let busy = Error::Api {
            status: 503,
            code: "ServiceUnavailable".into(),
            message: "The service is busy.".into(),
            body: serde_json::Value::Null,
        };
        let gone = Error::Transport(Unreachable::ConnectionFailed {
            detail: "Connection refused (os error 111)".into(),
        });
        let not_sent = Error::Transport(Unreachable::NotSent);
        let cases = [
            (
                &busy,
                "Failed (tried again next run): appointment:a1: Microsoft 365: status 503 ServiceUnavailable: The service is busy.",
                "Fehlgeschlagen (nächster Lauf versucht es erneut): appointment:a1: Microsoft 365: Status 503 ServiceUnavailable: The service is busy.",
            ),
            (
                &gone,
                "Failed (tried again next run): appointment:a1: Microsoft 365: no connection: Connection refused (os error 111)",
                "Fehlgeschlagen (nächster Lauf versucht es erneut): appointment:a1: Microsoft 365: keine Verbindung: Connection refused (os error 111)",
            ),
            (
                &not_sent,
                "Failed (tried again next run): appointment:a1: Microsoft 365: the request was not sent",
                "Fehlgeschlagen (nächster Lauf versucht es erneut): appointment:a1: Microsoft 365: die Anfrage wurde nicht gesendet",
            ),
        ];
        for (error, en, de) in cases {
            assert_eq!(line(Lang::En, error), en);
            let german = line(Lang::De, error);
            assert_eq!(german, de);
            // None of the English of our own Display (for logs) is in it.
            for ours in [
                "Graph answered",
                "could not reach",
                "not sent",
                "connection failed",
            ] {
                assert!(!german.contains(ours), "{german}");
            }
        }
    }
}

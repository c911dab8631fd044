//! Holding back items that keep failing: per-item backoff across runs.
//! Pure: takes `now`. (Retrying one request within a run is
//! `docket_graph::retry`.)
//!
//! When Graph refuses one item (a 400 for a body it will not take, a 5xx
//! that outlasted the client's own retries), the rest of the run goes on
//! and the item is recorded as a [`Failure`]. The next run tries it again;
//! if it keeps failing, later runs wait longer and longer before the next
//! try, so that one stubborn item costs a handful of requests a day rather
//! than one every run:
//!
//! | consecutive failures | next try no earlier than |
//! |---:|---|
//! | 1 | the next run |
//! | 2 | 15 minutes after the last failure |
//! | 3 | 1 hour after |
//! | 4 | 4 hours after |
//! | 5 or more | 12 hours after |
//!
//! A success forgets the failure. Errors that say nothing about the item
//! (network down, sign-in needed, throttling) are not counted: the
//! executor decides that and only records item failures.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use docket_text::Message;
use serde::{Deserialize, Serialize};

use crate::key::SourceKey;
use crate::plan::{Op, Plan};

/// An item whose last request failed (the item is the key it is kept
/// under in [`Failures`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// Consecutive failed attempts (at least 1).
    pub attempts: u32,
    pub last_at: DateTime<Utc>,
    /// What went wrong last time, as a catalogue message (`sync-failed-…`)
    /// a front end renders in the reader's language. A row written before
    /// this was data (`"error": "<text>"`) reads as `sync-failed-request`
    /// with that text.
    #[serde(alias = "error", deserialize_with = "reason_or_text")]
    pub reason: Message,
}

/// A stored reason: a [`Message`], or the plain text older rows hold.
fn reason_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Message, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Message(Message),
        Text(String),
    }
    Ok(match Stored::deserialize(d)? {
        Stored::Message(m) => m,
        Stored::Text(t) => Message::new("sync-failed-request").text("error", t),
    })
}

impl Failure {
    /// The failure after one more failed attempt at `now`.
    pub fn after(previous: Option<&Failure>, reason: Message, now: DateTime<Utc>) -> Failure {
        Failure {
            attempts: previous.map_or(0, |f| f.attempts).saturating_add(1),
            last_at: now,
            reason,
        }
    }

    /// When the item may be tried again.
    pub fn next_try(&self) -> DateTime<Utc> {
        self.last_at + pause(self.attempts)
    }
}

/// The pause after `attempts` consecutive failures (see the module table).
pub fn pause(attempts: u32) -> Duration {
    match attempts {
        0 | 1 => Duration::zero(),
        2 => Duration::minutes(15),
        3 => Duration::hours(1),
        4 => Duration::hours(4),
        _ => Duration::hours(12),
    }
}

/// The items' failures, by source key.
pub type Failures = BTreeMap<SourceKey, Failure>;

/// An operation not sent this run because its item is pausing.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub op: Op,
    pub failure: Failure,
    pub next_try: DateTime<Utc>,
}

/// Takes the operations of pausing items out of `plan` and returns them.
/// `retry_now` (a user asking for it) holds nothing back.
pub fn hold_back(
    plan: &mut Plan,
    failures: &Failures,
    now: DateTime<Utc>,
    retry_now: bool,
) -> Vec<Held> {
    if retry_now || failures.is_empty() {
        return vec![];
    }
    let mut held = vec![];
    plan.ops.retain(|op| match failures.get(op.key()) {
        Some(f) if f.next_try() > now => {
            held.push(Held {
                op: op.clone(),
                failure: f.clone(),
                next_try: f.next_try(),
            });
            false
        }
        _ => true,
    });
    held
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{ItemKind, Module};
    use crate::plan::{Delete, DeleteReason};
    use chrono::TimeZone;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    fn key(uid: &str) -> SourceKey {
        SourceKey {
            module: Module::Appointment,
            uid: uid.into(),
            occurrence: None,
        }
    }

    fn delete(uid: &str) -> Op {
        Op::Delete(Delete {
            key: key(uid),
            kind: ItemKind::Event,
            remote_id: format!("id-{uid}"),
            container: None,
            reason: DeleteReason::DeletedInSource,
        })
    }

    /// `failures`: (uid, attempts, minutes of the last failure); `now` in
    /// minutes; `expect`: the uids held back.
    fn check(failures: &[(&str, u32, i64)], now: i64, retry_now: bool, expect: &[&str]) {
        let failures: Failures = failures
            .iter()
            .map(|(uid, attempts, at)| {
                let f = Failure {
                    attempts: *attempts,
                    last_at: t(*at),
                    reason: Message::new("sync-failed-no-id"),
                };
                (key(uid), f)
            })
            .collect();
        let mut plan = Plan {
            ops: ["a", "b", "c"].map(delete).to_vec(),
            ..Plan::default()
        };
        let held = hold_back(&mut plan, &failures, t(now), retry_now);
        let held: Vec<&str> = held.iter().map(|h| h.op.key().uid.as_str()).collect();
        assert_eq!(held, expect, "failures {failures:?} at +{now} min");
        let sent: Vec<&str> = plan.ops.iter().map(|o| o.key().uid.as_str()).collect();
        let all = ["a", "b", "c"];
        let want: Vec<&str> = all.into_iter().filter(|u| !expect.contains(u)).collect();
        assert_eq!(sent, want, "what is left is sent, in order");
    }

    #[test]
    fn items_pause_longer_after_each_failure() {
        check(&[], 0, false, &[]);
        // One failure: tried again at the very next run.
        check(&[("a", 1, 0)], 0, false, &[]);
        check(&[("a", 1, 0)], 1, false, &[]);
        // Two: 15 minutes.
        check(&[("a", 2, 0)], 14, false, &["a"]);
        check(&[("a", 2, 0)], 15, false, &[]);
        // Three: an hour; four: four hours; then twice a day.
        check(&[("b", 3, 0)], 59, false, &["b"]);
        check(&[("b", 3, 0)], 60, false, &[]);
        check(&[("b", 4, 0)], 239, false, &["b"]);
        check(&[("c", 9, 0)], 60 * 12 - 1, false, &["c"]);
        check(&[("c", 9, 0)], 60 * 12, false, &[]);
        // Only the pausing item is held; the others go.
        check(&[("a", 2, 0), ("c", 1, 0)], 5, false, &["a"]);
        // The user asked to retry now: nothing is held.
        check(&[("a", 5, 0), ("b", 5, 0)], 1, true, &[]);
    }

    #[test]
    fn a_failure_counts_up_from_the_previous_one() {
        let first = Failure::after(None, Message::new("sync-failed-no-id"), t(0));
        assert_eq!(first.attempts, 1);
        assert_eq!(first.next_try(), t(0));
        let deleted = Message::new("sync-failed-deleted-meanwhile");
        let second = Failure::after(Some(&first), deleted.clone(), t(3));
        assert_eq!((second.attempts, &second.reason), (2, &deleted));
        assert_eq!(second.next_try(), t(18));
    }

    #[test]
    fn a_failure_is_stored_as_data_and_older_rows_still_read() {
        let failure = Failure::after(
            None,
            Message::new("sync-failed-request").text("error", "HTTP 400"),
            t(0),
        );
        let json = serde_json::to_string(&failure).unwrap();
        assert!(json.contains("\"id\":\"sync-failed-request\""), "{json}");
        assert_eq!(serde_json::from_str::<Failure>(&json).unwrap(), failure);
        // A row of an earlier version: the reason was English text.
        let old = r#"{"attempts":2,"last_at":"2026-12-01T08:00:00Z","error":"HTTP 400"}"#;
        let read: Failure = serde_json::from_str(old).unwrap();
        assert_eq!((read.attempts, read.reason), (2, failure.reason));
    }
}

//! The domain model the export engine consumes: plain data, no I/O.
//!
//! Every type here is what the practice-management system (PMS) *said*,
//! normalised but not yet adapted to Microsoft Graph: the model keeps every
//! e-mail address of a contact, the RRULE text of a series and the IANA zone
//! of a time. Graph's caps and quirks (three e-mail addresses, date-only To Do
//! due dates, representable recurrences) are the exporter's decisions.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use docket_text::{Action, Lang, Message, Texts};
use serde::{Deserialize, Serialize};

/// A wall-clock time in a zone, as the source wrote it.
///
/// The local time is kept (not only the instant) because recurring series
/// and Graph's `dateTimeTimeZone` need the wall time plus the zone name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZonedDateTime {
    /// The wall-clock time in `tz`.
    pub local: NaiveDateTime,
    /// The IANA zone (`UTC` for `...Z` values); `None` for a *floating*
    /// time (RFC 5545 §3.3.5 form #1), which means "this wall time wherever
    /// the user is": the exporter applies the mailbox's zone.
    pub tz: Option<Tz>,
}

impl ZonedDateTime {
    /// The instant this wall time denotes, or `None` for a floating time.
    ///
    /// Follows RFC 5545 §3.3.5: an ambiguous time (the repeated hour when
    /// DST ends) is the *first* occurrence; a nonexistent time (the skipped
    /// hour when DST starts) is read with the offset *before* the gap, so
    /// 02:30 on the spring-forward day in Berlin is 01:30 UTC (03:30 CEST).
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        let tz = self.tz?;
        match tz.from_local_datetime(&self.local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
            LocalResult::None => {
                // The offset in force just before the gap: look one day back,
                // well clear of any transition's neighbourhood.
                let before = self.local - chrono::Duration::days(1);
                let offset = tz.offset_from_local_datetime(&before).earliest()?;
                let fixed = chrono::Offset::fix(&offset);
                Some((self.local - fixed).and_utc())
            }
        }
    }
}

/// A point on the calendar: a whole day, or a wall time in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum Moment {
    /// A calendar date (`VALUE=DATE`).
    Date(NaiveDate),
    /// A date and time with its zone.
    DateTime(ZonedDateTime),
}

/// When an appointment takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Timing {
    /// Start and end wall times, each with its own zone (a flight may start
    /// and end in different zones). `end >= start` as instants.
    Timed {
        start: ZonedDateTime,
        end: ZonedDateTime,
    },
    /// Whole days. `end` is *exclusive*, as in iCalendar and in Graph: a
    /// one-day appointment on 6 June has `start = 06-06`, `end = 06-07`.
    AllDay { start: NaiveDate, end: NaiveDate },
}

/// A repeating series, kept as the source wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// The RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO`, without the `RRULE:`
    /// prefix. Whether Graph can express it is for the exporter to decide.
    pub rrule: String,
    /// Occurrences removed from the series (EXDATE), in their own zones.
    pub exdates: Vec<Moment>,
    /// Extra occurrences (RDATE); Graph has no equivalent. An RDATE
    /// period (`VALUE=PERIOD`) contributes its start here and its whole
    /// span to [`Recurrence::rdate_periods`].
    pub rdates: Vec<Moment>,
    /// RDATE periods: that occurrence starts and ends as the period says
    /// (RFC 5545 §3.8.5.2), not with the series' own length.
    #[serde(default)]
    pub rdate_periods: Vec<Timing>,
}

/// A calendar entry from a VEVENT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// The VEVENT's UID. Together with `recurrence_id` it is the item's key.
    pub uid: String,
    /// Set on an overridden occurrence of a series (RECURRENCE-ID); such a
    /// record shares the UID of its series master.
    pub recurrence_id: Option<Moment>,
    /// SUMMARY; empty when the source has none.
    pub summary: String,
    /// DESCRIPTION.
    pub description: Option<String>,
    /// LOCATION.
    pub location: Option<String>,
    /// DTSTART/DTEND (or DURATION).
    pub timing: Timing,
    /// RRULE + EXDATE + RDATE, when the appointment repeats.
    pub recurrence: Option<Recurrence>,
    /// Minutes before the start at which to remind, from the earliest
    /// VALARM whose TRIGGER is relative to the start.
    pub reminder_minutes: Option<u32>,
    /// CLASS:PRIVATE or CLASS:CONFIDENTIAL.
    pub private: bool,
    /// TRANSP:TRANSPARENT makes this `false` (shown as free).
    pub busy: bool,
    /// STATUS:CANCELLED.
    pub cancelled: bool,
    /// CATEGORIES, in order, without duplicates.
    pub categories: Vec<String>,
    /// LAST-MODIFIED.
    pub last_modified: Option<DateTime<Utc>>,
    /// The file (or URL, or DAV resource) the record came from, as
    /// [`ItemProblem::source`] names it: a skip raised later, while
    /// mapping, names the file too.
    #[serde(default)]
    pub source: String,
}

/// What kind of task a VTODO is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeadlineKind {
    /// A legal deadline ("Frist": e.g. Berufungsfrist, limitation date).
    Deadline,
    /// A resubmission / follow-up date ("Wiedervorlage").
    FollowUp,
}

/// Importance from the VTODO's PRIORITY (RFC 5545 §3.8.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Importance {
    /// PRIORITY 6–9.
    Low,
    /// PRIORITY 0 (undefined), 5, or none.
    Normal,
    /// PRIORITY 1–4.
    High,
}

/// Progress of a deadline, from the VTODO's STATUS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeadlineStatus {
    /// NEEDS-ACTION or no STATUS.
    Open,
    /// IN-PROCESS.
    InProgress,
    /// COMPLETED (or a COMPLETED date without STATUS).
    Completed,
    /// CANCELLED.
    Cancelled,
}

/// A deadline or follow-up from a VTODO with a DUE date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The VTODO's UID: the item's key.
    pub uid: String,
    /// SUMMARY; empty when the source has none.
    pub title: String,
    /// DESCRIPTION.
    pub notes: Option<String>,
    /// DUE: a date, or a wall time in a zone.
    pub due: Moment,
    /// Minutes before DUE at which to remind (earliest VALARM).
    pub reminder_minutes: Option<u32>,
    /// From PRIORITY.
    pub importance: Importance,
    /// From STATUS.
    pub status: DeadlineStatus,
    /// COMPLETED, when the source recorded it.
    pub completed: Option<DateTime<Utc>>,
    /// Decided by [`KindRule`](crate::KindRule).
    pub kind: DeadlineKind,
    /// CLASS:PRIVATE or CLASS:CONFIDENTIAL.
    pub private: bool,
    /// CATEGORIES, in order, without duplicates.
    pub categories: Vec<String>,
    /// LAST-MODIFIED.
    pub last_modified: Option<DateTime<Utc>>,
    /// Where the record came from (see [`Appointment::source`]).
    #[serde(default)]
    pub source: String,
}

/// The role of an e-mail address, phone number or postal address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Usage {
    /// TYPE=WORK.
    Work,
    /// TYPE=HOME.
    Home,
    /// Neither (or both unstated).
    Other,
}

/// An e-mail address of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub address: String,
    pub usage: Usage,
}

/// What kind of line a phone number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PhoneKind {
    /// TYPE=CELL.
    Mobile,
    /// TYPE=FAX.
    Fax,
    /// Anything else (VOICE, unstated, ...).
    Voice,
}

/// A phone number of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// As written, without a `tel:` prefix.
    pub number: String,
    pub kind: PhoneKind,
    pub usage: Usage,
}

/// A postal address (vCard ADR).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub usage: Usage,
    /// Street address; the "extended address" component, when present,
    /// follows on a new line.
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

/// A person or organisation from a vCard (3.0 or 4.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The vCard's UID: the item's key.
    pub uid: String,
    /// FN, or composed from N when FN is missing.
    pub display_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    /// Honorific prefix, e.g. "Dr.".
    pub title: Option<String>,
    pub suffix: Option<String>,
    /// First ORG component.
    pub company: Option<String>,
    /// Second ORG component.
    pub department: Option<String>,
    /// TITLE (the job title; vCard's TITLE is not the honorific).
    pub job_title: Option<String>,
    /// Every EMAIL, in order (Graph keeps three: the exporter's concern).
    pub emails: Vec<Email>,
    /// Every TEL, in order.
    pub phones: Vec<Phone>,
    /// Every ADR, in order.
    pub addresses: Vec<PostalAddress>,
    /// NOTE.
    pub notes: Option<String>,
    /// CATEGORIES, in order, without duplicates.
    pub categories: Vec<String>,
    /// Whether the fee-earner wants this contact in Outlook, decided by
    /// [`SubscriptionRule`](crate::SubscriptionRule).
    pub subscribed: bool,
    /// REV.
    pub last_modified: Option<DateTime<Utc>>,
    /// Where the record came from (see [`Appointment::source`]).
    #[serde(default)]
    pub source: String,
}

/// What went wrong with one record (or one file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProblemKind {
    /// The record's bytes are not UTF-8.
    InvalidUtf8,
    /// A date or time that does not exist on the calendar, or not a date.
    BadDate,
    /// A TZID that names no zone we know.
    UnknownTimeZone,
    /// No UID: the record has no identity to export under.
    MissingUid,
    /// The same UID (and RECURRENCE-ID) appeared before; the later one is skipped.
    DuplicateUid,
    /// A text or a file over a size limit.
    TooLarge,
    /// A required property is missing (DTSTART, DUE, a name).
    MissingProperty,
    /// Broken structure: unterminated component, unexpected END, a value
    /// the parser could not read.
    Malformed,
    /// A file or folder could not be read at all.
    Unreadable,
}

/// One skipped record (or unreadable file): which, and why, as data. The
/// reason is a [`Message`] (area `source`) that each front end renders in
/// the reader's language; [`ItemProblem::reason_en`] is the English line
/// for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemProblem {
    /// The file (or URL) the record came from, as the source names it.
    pub source: String,
    /// Which record: its UID, or `VEVENT at line 42` when it has none.
    pub record: String,
    /// The record's UID when one could be found, even in a broken record.
    /// The engine must leave items with these UIDs untouched (neither
    /// update nor delete them) until the record reads again.
    pub uid: Option<String>,
    pub kind: ProblemKind,
    /// What is wrong, for a person (`source-bad-date`: "bad date
    /// '2026-13-40' in DTSTART").
    pub reason: Message,
    /// What fixes it, when someone other than the PMS's data entry can
    /// (store the server's credential, correct a config key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Action>,
}

impl ItemProblem {
    /// A whole file that could not be read (`error`: the system's words).
    pub fn file_unreadable(source: impl Into<String>, error: impl ToString) -> ItemProblem {
        ItemProblem {
            source: source.into(),
            record: "(whole file)".into(),
            uid: None,
            kind: ProblemKind::Unreadable,
            reason: Message::new("source-file-unreadable").text("error", error.to_string()),
            fix: Some(Action::CheckSource),
        }
    }

    /// The reason in English, for logs and tests.
    pub fn reason_en(&self) -> String {
        english().render(&self.reason)
    }
}

/// How a person reads a record key ([`ItemProblem::record`], and the
/// export's skips, which keep it): `VEVENT at line 42` (the key of a record
/// without a UID) as `source-record-at-line` and `(whole file)` as
/// `source-record-whole-file`, in the reader's language; a UID or any other
/// key as given. The key itself stays as it is, since it is stored and
/// compared.
pub fn record_label(record: &str) -> docket_text::Arg {
    use docket_text::Arg;
    if record == "(whole file)" {
        return Arg::Message(Box::new(Message::new("source-record-whole-file")));
    }
    let at_line = record.rsplit_once(" at line ").and_then(|(name, line)| {
        let component = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        let line = line.parse::<i64>().ok().filter(|_| component)?;
        Some(
            Message::new("source-record-at-line")
                .text("component", name)
                .number("line", line),
        )
    });
    match at_line {
        Some(m) => Arg::Message(Box::new(m)),
        None => Arg::Text(record.to_owned()),
    }
}

/// The English catalogue, built once (logs and `Display`).
pub(crate) fn english() -> &'static Texts {
    static EN: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
    EN.get_or_init(|| Texts::new(Lang::En))
}

/// `file: record: reason` in English, for logs.
impl std::fmt::Display for ItemProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.source, self.record, self.reason_en())
    }
}

/// Everything one read of a source produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub appointments: Vec<Appointment>,
    pub deadlines: Vec<Deadline>,
    pub contacts: Vec<Contact>,
    /// Records skipped (and files not read), each with the reason.
    pub problems: Vec<ItemProblem>,
    /// `false` when something may be missing that we cannot name: a file or
    /// folder could not be read, or a broken record had no findable UID.
    /// **The engine must never delete anything on the strength of an
    /// incomplete snapshot.** Skipped records whose UID is known do not make
    /// a snapshot incomplete; they are listed by [`Snapshot::unreadable_uids`].
    pub complete: bool,
}

impl Snapshot {
    /// An empty, complete snapshot (the start of a read).
    pub fn empty() -> Snapshot {
        Snapshot {
            complete: true,
            ..Snapshot::default()
        }
    }

    /// UIDs of records that exist in the source but were skipped: the engine
    /// must neither update nor delete items with these UIDs.
    pub fn unreadable_uids(&self) -> impl Iterator<Item = &str> {
        self.problems.iter().filter_map(|p| p.uid.as_deref())
    }

    /// Appends another snapshot (e.g. of the next file).
    pub fn merge(&mut self, other: Snapshot) {
        self.appointments.extend(other.appointments);
        self.deadlines.extend(other.deadlines);
        self.contacts.extend(other.contacts);
        self.problems.extend(other.problems);
        self.complete &= other.complete;
    }
}

//! Mapping: PMS items → the Graph JSON we write. Pure; every decision is
//! documented in `docs/export.md` ("Mapping").

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use docket_source::{
    Appointment, Contact, Deadline, DeadlineStatus, Importance, Moment, PhoneKind, PostalAddress,
    Snapshot, Timing, Usage, ZonedDateTime,
};
use docket_text::{Action, Lang, Message, Texts};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::hash::{item_hash, record_fingerprint, transaction_id};
use crate::key::{occurrence_id, tag_json, ItemKind, Module, SourceKey};
use crate::recur::{expand, patterned, Rule, Window};
use crate::zone::{graph_zone, wall_time};

/// Where deadlines and follow-ups go (`policy.deadlines_to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeadlinesTo {
    /// Microsoft To Do tasks.
    Todo,
    /// Outlook calendar events.
    Calendar,
}

/// Most occurrences one expanded series may produce in the window.
pub const MAX_OCCURRENCES: u16 = 500;
/// Outlook keeps three e-mail addresses per contact.
pub const MAX_EMAILS: usize = 3;
/// Outlook keeps two business phone numbers per contact.
pub const MAX_BUSINESS_PHONES: usize = 2;
/// Two home numbers, as Outlook's form has (Graph documents no cap).
pub const MAX_HOME_PHONES: usize = 2;
/// How long a timed deadline shown in the calendar is: it *ends* at the
/// deadline.
pub const DEADLINE_EVENT_MINUTES: i64 = 30;

/// What the mapping needs besides the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapContext {
    /// The mailbox's zone: used for floating times, all-day items and
    /// date-only due dates.
    pub mailbox_zone: Tz,
    /// `policy.force_private`.
    pub force_private: bool,
    /// `policy.deadlines_to`.
    pub deadlines_to: DeadlinesTo,
    /// Series Graph cannot express are expanded inside this window.
    pub window: Window,
    /// The language of the words we write into items (a contact's
    /// overflow notes): the user's.
    pub lang: Lang,
}

impl MapContext {
    /// What a single record's mapping depends on besides the record (the
    /// window only matters to series, which are never skipped).
    fn fingerprint_context(&self) -> String {
        format!(
            "zone={};private={};deadlines={:?}",
            self.mailbox_zone.name(),
            self.force_private,
            self.deadlines_to
        ) + match self.lang {
            // English, the first language, adds nothing: the fingerprints
            // stored before the notes had a language stay valid.
            Lang::En => "",
            Lang::De => ";lang=de",
        }
    }
}

/// One item as we want it in Microsoft 365.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    pub key: SourceKey,
    pub kind: ItemKind,
    /// The fields we manage, except categories. An update PATCHes exactly
    /// these (plus categories); fields we do not manage are never sent.
    pub fields: Map<String, Value>,
    /// Our categories (the user's own are merged in at update time).
    pub categories: Vec<String>,
    /// [`content_hash`] of kind, fields and our categories.
    pub hash: String,
    /// A name for the item (subject, title or display name).
    pub title: String,
    /// The fingerprint of the one source record this item was mapped from
    /// alone ([`record_fingerprint`]), when the record can be skipped next
    /// time it is unchanged: a single (not recurring) appointment, a
    /// deadline or a contact whose mapping made this one item and raised no
    /// skip or notice. `None` otherwise: mapped every run.
    pub fingerprint: Option<String>,
}

impl Desired {
    fn new(
        key: SourceKey,
        kind: ItemKind,
        fields: Map<String, Value>,
        categories: Vec<String>,
        title: String,
    ) -> Desired {
        let hash = item_hash(kind.as_str(), &fields, &categories);
        Desired {
            key,
            kind,
            fields,
            categories,
            hash,
            title,
            fingerprint: None,
        }
    }

    /// The POST body: our fields and categories, the tag, and for events a
    /// deterministic `transactionId` for creation generation `generation`.
    pub fn create_body(&self, generation: u32) -> Value {
        let mut body = self.fields.clone();
        body.insert("categories".into(), json!(self.categories));
        let (name, tag) = tag_json(self.kind, &self.key, &self.title);
        body.insert(name.into(), tag);
        if self.kind == ItemKind::Event {
            body.insert(
                "transactionId".into(),
                json!(transaction_id(&self.key.to_string(), generation)),
            );
        }
        Value::Object(body)
    }

    /// The PATCH body: our fields, and `categories` (the user's plus ours).
    pub fn update_body(&self, categories: &[String]) -> Value {
        let mut body = self.fields.clone();
        body.insert("categories".into(), json!(categories));
        Value::Object(body)
    }
}

/// A record we could not export: which, from where, and why (a message
/// of area `source` or `sync`, rendered in the reader's language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// The record: a key, a UID or a "VEVENT at line 42".
    pub record: String,
    /// The file it came from, when the source said.
    pub source: Option<String>,
    pub reason: Message,
    /// What fixes it, when it is not the record's data (the PMS server's
    /// credential, a config key): the source's [`ItemProblem::fix`].
    ///
    /// [`ItemProblem::fix`]: docket_source::ItemProblem::fix
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Action>,
}

impl Skip {
    /// `file: record: reason` (or `record: reason` when no file is known),
    /// as `sync` and `doctor` list skipped records.
    pub fn line(&self) -> Message {
        let m = match &self.source {
            Some(source) => Message::new("sync-skip-line").text("file", source.as_str()),
            None => Message::new("sync-skip-line-nofile"),
        };
        m.arg("record", docket_source::record_label(&self.record))
            .message("reason", self.reason.clone())
    }
}

/// The skip line in English, for logs.
impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::english().render(&self.line()))
    }
}

/// What became of a record that was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Exported (one or more items).
    Exported,
    /// STATUS:CANCELLED: not exported; what we made for it is deleted.
    Cancelled,
    /// A contact not (or no longer) subscribed.
    Unsubscribed,
    /// Could not be mapped (see the skips): left untouched.
    Unmappable,
}

/// Everything mapped from one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    pub desired: BTreeMap<SourceKey, Desired>,
    /// Records read, by module and UID.
    pub records: BTreeMap<(Module, String), Presence>,
    pub skips: Vec<Skip>,
    /// Things the user should know that cost no item (data Outlook has no
    /// room for, a series cut at the occurrence limit).
    pub notices: Vec<Message>,
    /// Keys of records not mapped because their fingerprint says they are
    /// as last written (see [`map_snapshot_skipping`]); their record is in
    /// `records` as exported, their item is not in `desired`.
    pub unchanged: Vec<SourceKey>,
}

impl Mapping {
    /// A record that cannot be exported: skipped with `reason`, and what
    /// was exported for it before is left untouched.
    fn unmappable(&mut self, record: (Module, String), source: &str, reason: Message) {
        self.skips.push(Skip {
            record: record.1.clone(),
            source: (!source.is_empty()).then(|| source.to_owned()),
            reason,
            fix: None,
        });
        self.records.insert(record, Presence::Unmappable);
    }

    fn add(&mut self, d: Desired) {
        self.desired.entry(d.key.clone()).or_insert(d);
    }
}

fn dtz(local: NaiveDateTime, tz: Tz) -> Value {
    json!({"dateTime": wall_clock(local), "timeZone": graph_zone(tz)})
}

/// `YYYY-MM-DDTHH:MM:SS`, as Graph's `dateTimeTimeZone` wants it. Written
/// out by hand: chrono's `format` parses its pattern on every call, and the
/// planner formats two of these per event per run.
fn wall_clock(t: NaiveDateTime) -> String {
    use chrono::{Datelike as _, Timelike as _};
    if !(0..=9999).contains(&t.year()) {
        return t.format("%Y-%m-%dT%H:%M:%S").to_string();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

fn text_body(s: Option<&str>) -> Value {
    json!({"contentType": "text", "content": s.unwrap_or_default()})
}

fn sensitivity(private: bool, ctx: &MapContext) -> &'static str {
    if private || ctx.force_private {
        "private"
    } else {
        "normal"
    }
}

fn reminder(fields: &mut Map<String, Value>, minutes: Option<u32>) {
    fields.insert("isReminderOn".into(), json!(minutes.is_some()));
    if let Some(m) = minutes {
        fields.insert("reminderMinutesBeforeStart".into(), json!(m));
    }
}

/// Start, end and `isAllDay` of an event.
fn event_times(f: &mut Map<String, Value>, timing: &Timing, ctx: &MapContext) {
    match timing {
        Timing::Timed { start, end } => {
            let (s, sz) = wall_time(start, ctx.mailbox_zone);
            let (e, ez) = wall_time(end, ctx.mailbox_zone);
            f.insert("start".into(), dtz(s, sz));
            f.insert("end".into(), dtz(e, ez));
            f.insert("isAllDay".into(), json!(false));
        }
        Timing::AllDay { start, end } => {
            // Graph: midnight to midnight in one zone; end exclusive.
            let end = if end > start {
                *end
            } else {
                start.succ_opt().unwrap_or(*start)
            };
            f.insert("start".into(), dtz(midnight(*start), ctx.mailbox_zone));
            f.insert("end".into(), dtz(midnight(end), ctx.mailbox_zone));
            f.insert("isAllDay".into(), json!(true));
        }
    }
}

/// The fields of one event for `a` with `timing` (the appointment's own,
/// or one occurrence's) and `recurrence` (`null` for a single event).
fn appointment_fields(
    a: &Appointment,
    timing: &Timing,
    recurrence: Value,
    ctx: &MapContext,
) -> Map<String, Value> {
    let mut f = Map::new();
    f.insert("subject".into(), json!(a.summary));
    f.insert("body".into(), text_body(a.description.as_deref()));
    f.insert(
        "location".into(),
        json!({"displayName": a.location.as_deref().unwrap_or_default()}),
    );
    event_times(&mut f, timing, ctx);
    f.insert("recurrence".into(), recurrence);
    reminder(&mut f, a.reminder_minutes);
    f.insert("sensitivity".into(), json!(sensitivity(a.private, ctx)));
    f.insert("showAs".into(), json!(if a.busy { "busy" } else { "free" }));
    f
}

/// The event for a single (non-repeating) appointment or one override.
pub fn map_appointment(a: &Appointment, ctx: &MapContext) -> Desired {
    let key = match &a.recurrence_id {
        Some(rid) => SourceKey::occurrence(Module::Appointment, &a.uid, occurrence_id(rid)),
        None => SourceKey::new(Module::Appointment, &a.uid),
    };
    let fields = appointment_fields(a, &a.timing, Value::Null, ctx);
    Desired::new(
        key,
        ItemKind::Event,
        fields,
        a.categories.clone(),
        a.summary.clone(),
    )
}

/// The timing of the occurrence of `a` that starts at `occ` (same
/// length), or `None` when that would run off the calendar.
fn shifted(timing: &Timing, occ: &Moment) -> Option<Timing> {
    Some(match (timing, occ) {
        (Timing::AllDay { start, end }, Moment::Date(d)) => Timing::AllDay {
            start: *d,
            end: d.checked_add_signed(*end - *start)?,
        },
        (Timing::Timed { start, end }, Moment::DateTime(s)) => {
            // An occurrence whose wall time falls into the spring gap
            // starts after the gap and keeps its length from there.
            let begins =
                s.tz.and_then(|tz| Some(s.instant()?.with_timezone(&tz).naive_local()))
                    .unwrap_or(s.local);
            let same_length = || {
                Some(ZonedDateTime {
                    local: begins.checked_add_signed(end.local - start.local)?,
                    tz: end.tz,
                })
            };
            let end = if start.tz == end.tz {
                same_length()?
            } else {
                // Different zones (a flight): keep the real duration.
                match (start.instant(), end.instant(), s.instant(), end.tz) {
                    (Some(a), Some(b), Some(si), Some(ez)) => ZonedDateTime {
                        local: si
                            .checked_add_signed(b - a)?
                            .with_timezone(&ez)
                            .naive_local(),
                        tz: Some(ez),
                    },
                    _ => same_length()?,
                }
            };
            Timing::Timed { start: *s, end }
        }
        (t, _) => *t,
    })
}

fn day_of(m: &Moment) -> NaiveDate {
    match m {
        Moment::Date(d) => *d,
        Moment::DateTime(z) => z.local.date(),
    }
}

fn series_start(timing: &Timing) -> Moment {
    match timing {
        Timing::Timed { start, .. } => Moment::DateTime(*start),
        Timing::AllDay { start, .. } => Moment::Date(*start),
    }
}

/// Appointments by UID: the master (if any) and its overrides, in UID order.
type Series<'a> = (&'a str, Option<&'a Appointment>, Vec<&'a Appointment>);

fn series(appointments: &[Appointment]) -> Vec<Series<'_>> {
    let mut by_uid: BTreeMap<&str, (Option<&Appointment>, Vec<&Appointment>)> = BTreeMap::new();
    for a in appointments {
        let e = by_uid.entry(&a.uid).or_default();
        match a.recurrence_id {
            None if e.0.is_none() => e.0 = Some(a),
            None => {}
            Some(_) => e.1.push(a),
        }
    }
    by_uid
        .into_iter()
        .map(|(uid, (master, overrides))| (uid, master, overrides))
        .collect()
}

/// Maps one appointment UID: a single event, a series Graph can express,
/// or an expanded series (with its overrides in place).
fn map_series((uid, master, overrides): &Series<'_>, ctx: &MapContext, out: &mut Mapping) {
    let (uid, master) = (*uid, *master);
    let record = (Module::Appointment, uid.to_string());
    let Some(master) = master else {
        out.records.insert(record, Presence::Exported);
        for o in overrides.iter().filter(|o| !o.cancelled) {
            out.add(map_appointment(o, ctx));
        }
        return;
    };
    if master.cancelled {
        out.records.insert(record, Presence::Cancelled);
        return;
    }
    out.records.insert(record.clone(), Presence::Exported);
    let Some(rec) = &master.recurrence else {
        out.add(map_appointment(master, ctx));
        for o in overrides.iter().filter(|o| !o.cancelled) {
            out.add(map_appointment(o, ctx));
        }
        return;
    };
    let rule = match Rule::parse(&rec.rrule) {
        Ok(r) => r,
        Err(e) => {
            let reason = Message::new("sync-skip-rrule-unreadable")
                .text("rule", rec.rrule.as_str())
                .message("error", e.message());
            return out.unmappable(record, &master.source, reason);
        }
    };
    let start = series_start(&master.timing);
    let (start_date, start_zone) = match &start {
        Moment::Date(d) => (*d, ctx.mailbox_zone),
        Moment::DateTime(z) => {
            let (l, tz) = wall_time(z, ctx.mailbox_zone);
            (l.date(), tz)
        }
    };
    // A series with changed (overrides), removed (EXDATE) or extra
    // (RDATE) occurrences, or whose rule Graph's pattern cannot say, is
    // exported as its single occurrences below.
    let plain = overrides.is_empty()
        && rec.exdates.is_empty()
        && rec.rdates.is_empty()
        && rec.rdate_periods.is_empty();
    let expressible = if plain {
        patterned(&rule, start_date, start_zone).ok()
    } else {
        None
    };
    if let Some(pattern) = expressible {
        let fields = appointment_fields(master, &master.timing, pattern, ctx);
        let key = SourceKey::new(Module::Appointment, uid);
        out.add(Desired::new(
            key,
            ItemKind::Event,
            fields,
            master.categories.clone(),
            master.summary.clone(),
        ));
        return;
    }
    let (occurrences, cut) = match expand(
        &rule,
        &start,
        &rec.exdates,
        &rec.rdates,
        ctx.mailbox_zone,
        ctx.window,
        MAX_OCCURRENCES,
    ) {
        Ok(x) => x,
        Err(e) => {
            let reason = Message::new("sync-skip-rrule-unexpandable")
                .text("rule", rec.rrule.as_str())
                .text("error", e.to_string());
            return out.unmappable(record, &master.source, reason);
        }
    };
    if cut {
        out.notices.push(
            Message::new("sync-notice-series-cut")
                .text("title", master.summary.as_str())
                .text("uid", uid)
                .number("max", MAX_OCCURRENCES),
        );
    }
    let mut overrides: BTreeMap<String, &Appointment> = overrides
        .iter()
        .copied()
        .filter_map(|o| o.recurrence_id.as_ref().map(|r| (occurrence_id(r), o)))
        .collect();
    // RDATE periods bring their own length.
    let periods: BTreeMap<String, &Timing> = rec
        .rdate_periods
        .iter()
        .map(|p| (occurrence_id(&series_start(p)), p))
        .collect();
    for occ in occurrences {
        let id = occurrence_id(&occ);
        // A moved or cancelled occurrence replaces this one and the loop
        // goes on: every later occurrence is still exported.
        if let Some(o) = overrides.remove(&id) {
            if !o.cancelled {
                out.add(map_appointment(o, ctx));
            }
            continue;
        }
        let timing = match periods.get(&id) {
            Some(period) => **period,
            None => match shifted(&master.timing, &occ) {
                Some(t) => t,
                None => {
                    let reason = Message::new("sync-skip-occurrence-beyond-calendar")
                        .text("day", day_of(&occ).to_string());
                    out.skips.push(Skip {
                        record: format!("{uid} ({id})"),
                        source: (!master.source.is_empty()).then(|| master.source.clone()),
                        reason,
                        fix: None,
                    });
                    continue;
                }
            },
        };
        let fields = appointment_fields(master, &timing, Value::Null, ctx);
        let key = SourceKey::occurrence(Module::Appointment, uid, id);
        out.add(Desired::new(
            key,
            ItemKind::Event,
            fields,
            master.categories.clone(),
            master.summary.clone(),
        ));
    }
    // Overrides of occurrences outside the window (or moved into it).
    for o in overrides.into_values().filter(|o| !o.cancelled) {
        out.add(map_appointment(o, ctx));
    }
}

fn importance(i: Importance) -> &'static str {
    match i {
        Importance::Low => "low",
        Importance::Normal => "normal",
        Importance::High => "high",
    }
}

/// A deadline as a To Do task or a calendar event (per `deadlines_to`).
/// `None` for a cancelled deadline (not exported).
pub fn map_deadline(d: &Deadline, ctx: &MapContext) -> Option<Desired> {
    if d.status == DeadlineStatus::Cancelled {
        return None;
    }
    let key = SourceKey::new(Module::Deadline, &d.uid);
    // The due moment as a wall time in a zone; a date is its midnight.
    let (due, zone, dated) = match &d.due {
        Moment::Date(day) => (midnight(*day), ctx.mailbox_zone, true),
        Moment::DateTime(z) => {
            let (l, tz) = wall_time(z, ctx.mailbox_zone);
            (l, tz, false)
        }
    };
    let mut f = Map::new();
    let kind = match ctx.deadlines_to {
        DeadlinesTo::Todo => {
            f.insert("title".into(), json!(d.title));
            f.insert("body".into(), text_body(d.notes.as_deref()));
            // To Do keeps only the date of dueDateTime; the time goes into
            // the reminder.
            f.insert("dueDateTime".into(), dtz(midnight(due.date()), zone));
            let remind_at = match (d.reminder_minutes, dated) {
                (Some(m), _) => Some(due - Duration::minutes(i64::from(m))),
                (None, false) => Some(due),
                (None, true) => None,
            };
            f.insert("isReminderOn".into(), json!(remind_at.is_some()));
            f.insert(
                "reminderDateTime".into(),
                remind_at.map_or(Value::Null, |t| dtz(t, zone)),
            );
            f.insert("importance".into(), json!(importance(d.importance)));
            let status = match d.status {
                DeadlineStatus::Open | DeadlineStatus::Cancelled => "notStarted",
                DeadlineStatus::InProgress => "inProgress",
                DeadlineStatus::Completed => "completed",
            };
            f.insert("status".into(), json!(status));
            if let (DeadlineStatus::Completed, Some(c)) = (d.status, d.completed) {
                f.insert("completedDateTime".into(), dtz(c.naive_utc(), Tz::UTC));
            }
            ItemKind::Task
        }
        DeadlinesTo::Calendar => {
            let timing = if dated {
                Timing::AllDay {
                    start: due.date(),
                    end: due.date().succ_opt().unwrap_or(due.date()),
                }
            } else {
                let end = ZonedDateTime {
                    local: due,
                    tz: Some(zone),
                };
                let start = ZonedDateTime {
                    local: due - Duration::minutes(DEADLINE_EVENT_MINUTES),
                    tz: Some(zone),
                };
                Timing::Timed { start, end }
            };
            f.insert("subject".into(), json!(d.title));
            f.insert("body".into(), text_body(d.notes.as_deref()));
            f.insert("location".into(), json!({"displayName": ""}));
            event_times(&mut f, &timing, ctx);
            f.insert("recurrence".into(), Value::Null);
            reminder(&mut f, d.reminder_minutes);
            f.insert("importance".into(), json!(importance(d.importance)));
            f.insert("sensitivity".into(), json!(sensitivity(d.private, ctx)));
            f.insert("showAs".into(), json!("free"));
            ItemKind::Event
        }
    };
    Some(Desired::new(
        key,
        kind,
        f,
        d.categories.clone(),
        d.title.clone(),
    ))
}

/// The catalogue of `lang`, built once per process.
fn texts(lang: Lang) -> &'static Texts {
    static EN: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
    static DE: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| Texts::new(Lang::En)),
        Lang::De => DE.get_or_init(|| Texts::new(Lang::De)),
    }
}

/// One line of a contact's overflow notes (`sync-contact-overflow-line`):
/// `field` is `email`, `mobile`, `fax`, `phone` or `address`.
fn overflow_line(field: &str, u: Usage, value: &str) -> Message {
    Message::new("sync-contact-overflow-line")
        .text("field", field)
        .text("usage", usage(u))
        .text("value", value)
}

fn usage(u: Usage) -> &'static str {
    match u {
        Usage::Work => "work",
        Usage::Home => "home",
        Usage::Other => "other",
    }
}

fn address_json(a: &PostalAddress) -> Value {
    json!({
        "street": a.street,
        "city": a.city,
        "state": a.region,
        "postalCode": a.postal_code,
        "countryOrRegion": a.country,
    })
}

fn address_line(a: &PostalAddress) -> String {
    [
        a.street.replace('\n', ", "),
        format!("{} {}", a.postal_code, a.city).trim().to_string(),
        a.region.clone(),
        a.country.clone(),
    ]
    .into_iter()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// A contact as an Outlook contact, `None` when not subscribed. What does
/// not fit Outlook's fields is listed at the end of the notes and in the
/// second value (a notice).
pub fn map_contact(c: &Contact, lang: Lang) -> Option<(Desired, Option<Message>)> {
    if !c.subscribed {
        return None;
    }
    let key = SourceKey::new(Module::Contact, &c.uid);
    let mut f = Map::new();
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, |s| json!(s));
    f.insert("displayName".into(), json!(c.display_name));
    f.insert("givenName".into(), opt(&c.given_name));
    f.insert("middleName".into(), opt(&c.middle_name));
    f.insert("surname".into(), opt(&c.family_name));
    f.insert("title".into(), opt(&c.title));
    f.insert("generation".into(), opt(&c.suffix));
    f.insert("companyName".into(), opt(&c.company));
    f.insert("department".into(), opt(&c.department));
    f.insert("jobTitle".into(), opt(&c.job_title));

    let mut overflow: Vec<Message> = Vec::new();
    let mut dropped_emails = 0;
    let emails: Vec<Value> = c
        .emails
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            if i < MAX_EMAILS {
                Some(json!({"address": e.address, "name": c.display_name}))
            } else {
                dropped_emails += 1;
                overflow.push(overflow_line("email", e.usage, &e.address));
                None
            }
        })
        .collect();
    f.insert("emailAddresses".into(), json!(emails));

    let (mut business, mut home, mut mobile) = (Vec::new(), Vec::new(), None);
    for p in &c.phones {
        let placed = match (p.kind, p.usage) {
            (PhoneKind::Mobile, _) if mobile.is_none() => {
                mobile = Some(p.number.clone());
                true
            }
            (PhoneKind::Voice, Usage::Home) if home.len() < MAX_HOME_PHONES => {
                home.push(p.number.clone());
                true
            }
            (PhoneKind::Voice, Usage::Work | Usage::Other)
                if business.len() < MAX_BUSINESS_PHONES =>
            {
                business.push(p.number.clone());
                true
            }
            _ => false,
        };
        if !placed {
            let field = match p.kind {
                PhoneKind::Mobile => "mobile",
                PhoneKind::Fax => "fax",
                PhoneKind::Voice => "phone",
            };
            overflow.push(overflow_line(field, p.usage, &p.number));
        }
    }
    f.insert("businessPhones".into(), json!(business));
    f.insert("homePhones".into(), json!(home));
    f.insert(
        "mobilePhone".into(),
        mobile.map_or(Value::Null, Value::String),
    );

    let mut slots: [(&str, Option<&PostalAddress>); 3] = [
        ("businessAddress", None),
        ("homeAddress", None),
        ("otherAddress", None),
    ];
    for a in &c.addresses {
        let slot = match a.usage {
            Usage::Work => 0,
            Usage::Home => 1,
            Usage::Other => 2,
        };
        if slots[slot].1.is_none() {
            slots[slot].1 = Some(a);
        } else {
            overflow.push(overflow_line("address", a.usage, &address_line(a)));
        }
    }
    for (name, a) in slots {
        f.insert(name.into(), a.map_or(Value::Null, address_json));
    }

    let mut notes = c.notes.clone().unwrap_or_default();
    let notice = if overflow.is_empty() {
        None
    } else {
        if !notes.is_empty() {
            notes.push_str("\n\n");
        }
        let texts = texts(lang);
        notes.push_str(&texts.render(&Message::new("sync-contact-overflow")));
        for line in &overflow {
            notes.push('\n');
            notes.push_str(&texts.render(line));
        }
        let others = overflow.len() - dropped_emails;
        let id = match (dropped_emails > 0, others > 0) {
            (true, true) => "sync-notice-contact-both",
            (true, false) => "sync-notice-contact-emails",
            _ => "sync-notice-contact-fields",
        };
        Some(
            Message::new(id)
                .text("name", c.display_name.as_str())
                .text("uid", c.uid.as_str())
                .number("emails", dropped_emails)
                .number("max", MAX_EMAILS)
                .number("fields", others),
        )
    };
    f.insert(
        "personalNotes".into(),
        if notes.is_empty() {
            Value::Null
        } else {
            json!(notes)
        },
    );
    Some((
        Desired::new(
            key,
            ItemKind::Contact,
            f,
            c.categories.clone(),
            c.display_name.clone(),
        ),
        notice,
    ))
}

/// One independent piece of mapping work.
enum Unit<'a> {
    Series(Series<'a>),
    Deadline(&'a Deadline),
    Contact(&'a Contact),
}

fn map_unit(unit: &Unit<'_>, ctx: &MapContext, out: &mut Mapping) {
    match unit {
        Unit::Series(s) => map_series(s, ctx, out),
        Unit::Deadline(d) => {
            let record = (Module::Deadline, d.uid.clone());
            match map_deadline(d, ctx) {
                Some(x) => {
                    out.records.entry(record).or_insert(Presence::Exported);
                    out.add(x);
                }
                None => {
                    out.records.entry(record).or_insert(Presence::Cancelled);
                }
            }
        }
        Unit::Contact(c) => {
            let record = (Module::Contact, c.uid.clone());
            match map_contact(c, ctx.lang) {
                Some((x, notice)) => {
                    out.records.entry(record).or_insert(Presence::Exported);
                    out.notices.extend(notice);
                    out.add(x);
                }
                None => {
                    out.records.entry(record).or_insert(Presence::Unsubscribed);
                }
            }
        }
    }
}

impl Unit<'_> {
    /// The one key this unit maps to, when its mapping depends only on the
    /// record and the context (not on the window): a single appointment
    /// without overrides, a deadline, a contact. With its fingerprint.
    fn fingerprint(&self, context: &str) -> Option<(SourceKey, String)> {
        let (key, fp) = match self {
            Unit::Series((uid, Some(master), overrides))
                if master.recurrence.is_none() && overrides.is_empty() =>
            {
                (
                    SourceKey::new(Module::Appointment, *uid),
                    record_fingerprint(context, master),
                )
            }
            Unit::Series(_) => return None,
            Unit::Deadline(d) => (
                SourceKey::new(Module::Deadline, &d.uid),
                record_fingerprint(context, d),
            ),
            Unit::Contact(c) => (
                SourceKey::new(Module::Contact, &c.uid),
                record_fingerprint(context, c),
            ),
        };
        Some((key, fp?))
    }

    /// The record this unit maps, and the file it came from.
    fn record(&self) -> ((Module, String), &str) {
        match self {
            Unit::Series((uid, master, overrides)) => {
                let source = master
                    .or_else(|| overrides.first().copied())
                    .map_or("", |a| a.source.as_str());
                ((Module::Appointment, (*uid).to_owned()), source)
            }
            Unit::Deadline(d) => ((Module::Deadline, d.uid.clone()), &d.source),
            Unit::Contact(c) => ((Module::Contact, c.uid.clone()), &c.source),
        }
    }
}

/// Maps one unit so that nothing in it can cost another: what it produces
/// is kept only if it finished, and a panic (a bug in our mapping or in a
/// crate under it, on input nobody foresaw) becomes this record's skip.
/// Its earlier exports are then left untouched, as for any unmappable
/// record.
fn map_guarded(
    unit: &Unit<'_>,
    ctx: &MapContext,
    fingerprint: Option<(SourceKey, String)>,
    out: &mut Mapping,
) {
    let mut one = Mapping::default();
    let mapped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        map_unit(unit, ctx, &mut one);
    }));
    match mapped {
        Ok(()) => {
            // Only an item that is all its record made may be skipped later.
            if let Some((key, fp)) = fingerprint {
                if one.desired.len() == 1 && one.skips.is_empty() && one.notices.is_empty() {
                    if let Some(d) = one.desired.get_mut(&key) {
                        d.fingerprint = Some(fp);
                    }
                }
            }
            out.absorb(one)
        }
        Err(_) => {
            let (record, source) = unit.record();
            out.unmappable(record, source, Message::new("sync-skip-mapping-failed"));
        }
    }
}

impl Mapping {
    /// Takes in what one unit mapped (first key wins, as in [`Mapping::add`]).
    fn absorb(&mut self, one: Mapping) {
        for (_, d) in one.desired {
            self.add(d);
        }
        for (k, p) in one.records {
            self.records.entry(k).or_insert(p);
        }
        self.skips.extend(one.skips);
        self.notices.extend(one.notices);
        self.unchanged.extend(one.unchanged);
    }

    /// Appends what was mapped after `self`: the earlier mapping wins where
    /// both have a key, as if one loop had mapped both in order.
    fn merge(&mut self, mut later: Mapping) {
        later.desired.retain(|k, _| !self.desired.contains_key(k));
        self.desired.append(&mut later.desired);
        later.records.retain(|k, _| !self.records.contains_key(k));
        self.records.append(&mut later.records);
        self.skips.append(&mut later.skips);
        self.notices.append(&mut later.notices);
        self.unchanged.append(&mut later.unchanged);
    }
}

/// Below this many units a snapshot is mapped on the calling thread.
const PARALLEL_FROM: usize = 1024;

/// Maps a whole snapshot: appointments (by UID), then deadlines, then
/// contacts. Large snapshots are split into contiguous runs mapped on
/// scoped threads and merged in order, so the result is the same as one
/// loop's, whatever the number of cores. Still pure: no I/O, no shared
/// state; the threads only divide the work.
pub fn map_snapshot(snapshot: &Snapshot, ctx: &MapContext) -> Mapping {
    map_snapshot_skipping(snapshot, ctx, &|_: &SourceKey, _: &str| false)
}

/// [`map_snapshot`], except that a record for which `unchanged(key,
/// fingerprint)` says "as last written" is neither mapped nor hashed: its
/// key goes to [`Mapping::unchanged`]. Only records with a fingerprint
/// (see [`Desired::fingerprint`]) are asked about.
pub fn map_snapshot_skipping(
    snapshot: &Snapshot,
    ctx: &MapContext,
    unchanged: &(dyn Fn(&SourceKey, &str) -> bool + Sync),
) -> Mapping {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    map_on(snapshot, ctx, threads, unchanged)
}

/// Deadline and contact UIDs that more than one record carries.
fn shared_uids(snapshot: &Snapshot) -> std::collections::HashSet<(Module, &str)> {
    let mut seen = std::collections::HashSet::new();
    let mut shared = std::collections::HashSet::new();
    let uids = snapshot
        .deadlines
        .iter()
        .map(|d| (Module::Deadline, d.uid.as_str()))
        .chain(
            snapshot
                .contacts
                .iter()
                .map(|c| (Module::Contact, c.uid.as_str())),
        );
    for uid in uids {
        if !seen.insert(uid) {
            shared.insert(uid);
        }
    }
    shared
}

/// [`map_snapshot_skipping`] on at most `threads` threads.
fn map_on(
    snapshot: &Snapshot,
    ctx: &MapContext,
    threads: usize,
    unchanged: &(dyn Fn(&SourceKey, &str) -> bool + Sync),
) -> Mapping {
    let context = ctx.fingerprint_context();
    // A UID that two records share is mapped every run (the first record
    // wins, which only mapping both can tell).
    let shared = shared_uids(snapshot);
    let units: Vec<Unit<'_>> = series(&snapshot.appointments)
        .into_iter()
        .map(Unit::Series)
        .chain(snapshot.deadlines.iter().map(Unit::Deadline))
        .chain(snapshot.contacts.iter().map(Unit::Contact))
        .collect();
    let map_run = |run: &[Unit<'_>]| {
        let mut out = Mapping::default();
        for unit in run {
            let fingerprint = unit.fingerprint(&context);
            let fingerprint =
                fingerprint.filter(|(k, _)| !shared.contains(&(k.module, k.uid.as_str())));
            if let Some((key, fp)) = &fingerprint {
                if unchanged(key, fp) {
                    let (record, _) = unit.record();
                    out.records.entry(record).or_insert(Presence::Exported);
                    out.unchanged.push(key.clone());
                    continue;
                }
            }
            map_guarded(unit, ctx, fingerprint, &mut out);
        }
        out
    };
    if threads < 2 || units.len() < PARALLEL_FROM {
        return map_run(&units);
    }
    let per_thread = units.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let runs: Vec<_> = units
            .chunks(per_thread)
            .map(|run| scope.spawn(move || map_run(run)))
            .collect();
        let mut out = Mapping::default();
        for run in runs {
            match run.join() {
                Ok(mapped) => out.merge(mapped),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests;

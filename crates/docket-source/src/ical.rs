//! iCalendar (RFC 5545) components to [`Appointment`]s and [`Deadline`]s.
//!
//! Parsing is `calcard`'s; this module decides what the parsed values mean
//! for the model and turns every reason to skip a record into plain words.

use std::collections::HashMap;
use std::str::FromStr;

use calcard::common::timezone::Tz as CalTz;
use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendar, ICalendarClassification, ICalendarComponent, ICalendarComponentType,
    ICalendarDuration, ICalendarEntry, ICalendarParameterName, ICalendarParameterValue,
    ICalendarPeriod, ICalendarProperty, ICalendarRelated, ICalendarStatus, ICalendarTransparency,
    ICalendarValue, ICalendarValueType,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use docket_text::Message;

use crate::model::{
    Appointment, Deadline, DeadlineStatus, Importance, Moment, ProblemKind, Recurrence, Timing,
    ZonedDateTime,
};
use crate::options::ReadOptions;

/// Why a record is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skip {
    pub kind: ProblemKind,
    pub reason: Message,
}

impl Skip {
    pub fn new(kind: ProblemKind, reason: Message) -> Skip {
        Skip { kind, reason }
    }

    /// A reason without arguments.
    pub fn plain(kind: ProblemKind, id: &str) -> Skip {
        Skip::new(kind, Message::new(id))
    }
}

/// TZIDs defined by the file's VTIMEZONE components, resolved to IANA zones.
#[derive(Debug, Default)]
pub(crate) struct Zones {
    defined: HashMap<String, Tz>,
    /// VTIMEZONEs whose TZID we could not map to any IANA zone.
    unmapped: Vec<String>,
}

impl Zones {
    /// Learns one VTIMEZONE (`component`, with its STANDARD/DAYLIGHT
    /// sub-components in `ical`). `calcard` maps it by its TZID (IANA,
    /// Windows and Outlook display names), its `X-LIC-LOCATION`, or its
    /// `X-MICROSOFT-CDO-TZID`; failing that, `tzmatch::zone_of` by those
    /// names read leniently, then by its rules.
    pub fn learn(&mut self, ical: &ICalendar, component: &ICalendarComponent) {
        let Some(name) = component
            .property(&ICalendarProperty::Tzid)
            .and_then(|e| e.values.first())
            .and_then(ICalendarValue::as_text)
        else {
            return;
        };
        let by_calcard = component.timezone().and_then(|(_, tz)| iana(tz));
        match by_calcard.or_else(|| crate::tzmatch::zone_of(ical, component)) {
            Some(tz) => {
                self.defined.insert(name.to_owned(), tz);
            }
            None => self.unmapped.push(name.to_owned()),
        }
    }

    /// The IANA zone for a TZID parameter.
    pub fn resolve(&self, tzid: &str) -> Result<Tz, Skip> {
        let tzid = tzid.trim();
        if let Some(tz) = self.defined.get(tzid) {
            return Ok(*tz);
        }
        if let Some(tz) = CalTz::from_str(tzid).ok().and_then(iana) {
            return Ok(tz);
        }
        if let Some(tz) = crate::tzmatch::zone_named(tzid) {
            return Ok(tz);
        }
        let id = if self.unmapped.iter().any(|n| n == tzid) {
            "source-unknown-zone-unmatched"
        } else {
            "source-unknown-zone"
        };
        Err(Skip::new(
            ProblemKind::UnknownTimeZone,
            Message::new(id).text("tzid", tzid),
        ))
    }
}

/// A `calcard` zone as an IANA zone: fixed whole-hour offsets become
/// `Etc/GMT±N`; floating and odd offsets have none.
fn iana(tz: CalTz) -> Option<Tz> {
    match tz {
        CalTz::Tz(tz) => Some(tz),
        CalTz::Fixed(offset) => fixed_offset_zone(offset.local_minus_utc()),
        CalTz::Floating => None,
    }
}

fn fixed_offset_zone(seconds_east: i32) -> Option<Tz> {
    if seconds_east == 0 {
        return Some(chrono_tz::UTC);
    }
    if seconds_east % 3600 != 0 {
        return None;
    }
    // Etc/GMT zones have POSIX signs: Etc/GMT-1 is one hour *east* of UTC.
    let hours = seconds_east / 3600;
    let sign = if hours > 0 { '-' } else { '+' };
    Tz::from_str(&format!("Etc/GMT{sign}{}", hours.abs())).ok()
}

/// A property's name as the file spells it, for messages.
fn prop_name(prop: &ICalendarProperty) -> String {
    prop.as_str().to_ascii_uppercase()
}

fn first_text(c: &ICalendarComponent, prop: &ICalendarProperty) -> Option<String> {
    let text = c.property(prop)?.values.first()?.as_text()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn other_text(c: &ICalendarComponent, name: &str) -> Option<String> {
    c.entries.iter().find_map(|e| match &e.name {
        ICalendarProperty::Other(n) if n.eq_ignore_ascii_case(name) => {
            e.values.first()?.as_text().map(str::to_owned)
        }
        _ => None,
    })
}

fn categories(c: &ICalendarComponent) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for entry in c.properties(&ICalendarProperty::Categories) {
        for value in entry.values.iter().filter_map(ICalendarValue::as_text) {
            let value = value.trim();
            if !value.is_empty() && !out.iter().any(|c| c == value) {
                out.push(value.to_owned());
            }
        }
    }
    out
}

fn is_private(c: &ICalendarComponent) -> bool {
    matches!(
        c.property(&ICalendarProperty::Class)
            .and_then(|e| e.values.first()),
        Some(ICalendarValue::Classification(
            ICalendarClassification::Private | ICalendarClassification::Confidential
        ))
    )
}

/// DESCRIPTION, refused when over the size limit.
fn description(c: &ICalendarComponent, options: &ReadOptions) -> Result<Option<String>, Skip> {
    let text = first_text(c, &ICalendarProperty::Description);
    checked_text("description", text, options)
}

pub(crate) fn checked_text(
    what: &str,
    text: Option<String>,
    options: &ReadOptions,
) -> Result<Option<String>, Skip> {
    match text {
        Some(t) if t.len() > options.limits.max_text_bytes => Err(Skip::new(
            ProblemKind::TooLarge,
            Message::new("source-text-too-large")
                .text("field", what)
                .bytes("size", t.len() as u64)
                .bytes("limit", options.limits.max_text_bytes as u64),
        )),
        other => Ok(other),
    }
}

/// A UTC timestamp property (LAST-MODIFIED, COMPLETED). A value without a
/// zone is read as UTC; an invalid one is ignored (it is informational).
fn timestamp(c: &ICalendarComponent, prop: &ICalendarProperty) -> Option<DateTime<Utc>> {
    let value = c.property(prop)?.values.first()?.as_partial_date_time()?;
    utc_timestamp(value)
}

pub(crate) fn utc_timestamp(value: &PartialDateTime) -> Option<DateTime<Utc>> {
    let result = value.to_date_time()?;
    let offset = result.offset.map_or(0, |o| o.local_minus_utc());
    let utc = result
        .date_time
        .checked_sub_signed(Duration::seconds(offset.into()))?;
    Some(utc.and_utc())
}

/// `2026-13-40`, as written.
fn show_date(value: &PartialDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        value.year.unwrap_or(0),
        value.month.unwrap_or(0),
        value.day.unwrap_or(0)
    )
}

/// `25:61:00`, as written.
fn show_time(value: &PartialDateTime) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        value.hour.unwrap_or(0),
        value.minute.unwrap_or(0),
        value.second.unwrap_or(0)
    )
}

/// One date/date-time value of `entry` as a [`Moment`].
fn moment(entry: &ICalendarEntry, value: &ICalendarValue, zones: &Zones) -> Result<Moment, Skip> {
    let prop = prop_name(&entry.name);
    match value {
        ICalendarValue::PartialDateTime(value) => date_time(entry, value, zones),
        // A text the parser could not read as a date: show it as written.
        // Anything else (a period where a date belongs, a number) is named,
        // never dumped: the reason is for a person.
        ICalendarValue::Text(text) => Err(Skip::new(
            ProblemKind::BadDate,
            Message::new("source-bad-date")
                .text("value", text.as_str())
                .text("property", prop),
        )),
        ICalendarValue::Period(_) => Err(Skip::new(
            ProblemKind::BadDate,
            Message::new("source-period-not-date").text("property", prop),
        )),
        _ => Err(Skip::new(
            ProblemKind::BadDate,
            Message::new("source-not-a-date").text("property", prop),
        )),
    }
}

/// One date or date-time of `entry` (its TZID and VALUE parameters apply).
fn date_time(
    entry: &ICalendarEntry,
    value: &PartialDateTime,
    zones: &Zones,
) -> Result<Moment, Skip> {
    let prop = prop_name(&entry.name);
    let bad_date = || {
        Skip::new(
            ProblemKind::BadDate,
            Message::new("source-bad-date")
                .text("value", show_date(value))
                .text("property", prop.as_str()),
        )
    };
    let date = match (value.year, value.month, value.day) {
        (Some(y), Some(m), Some(d)) => {
            NaiveDate::from_ymd_opt(y.into(), m.into(), d.into()).ok_or_else(bad_date)?
        }
        _ => return Err(bad_date()),
    };
    let declared_date = entry
        .parameters(&ICalendarParameterName::Value)
        .any(|v| matches!(v, ICalendarParameterValue::Value(ICalendarValueType::Date)));
    let Some(hour) = value.hour.filter(|_| !declared_date) else {
        return Ok(Moment::Date(date));
    };
    let time = NaiveTime::from_hms_opt(
        hour.into(),
        value.minute.unwrap_or(0).into(),
        value.second.unwrap_or(0).into(),
    )
    .ok_or_else(|| {
        Skip::new(
            ProblemKind::BadDate,
            Message::new("source-bad-time")
                .text("value", show_time(value))
                .text("property", prop.as_str()),
        )
    })?;
    let local = date.and_time(time);

    let tz = if let Some(tz_hour) = value.tz_hour {
        // `Z` (or, leniently, a numeric offset written into the value).
        let seconds = i32::from(tz_hour) * 3600 + i32::from(value.tz_minute.unwrap_or(0)) * 60;
        let seconds = if value.tz_minus { -seconds } else { seconds };
        let unsupported = || {
            Skip::new(
                ProblemKind::UnknownTimeZone,
                Message::new("source-unsupported-offset").text("property", prop.as_str()),
            )
        };
        let zone = fixed_offset_zone(seconds).ok_or_else(unsupported)?;
        // The value is UTC-relative; keep the wall time in the chosen zone.
        let utc = local
            .checked_sub_signed(Duration::seconds(seconds.into()))
            .ok_or_else(bad_date)?;
        return Ok(Moment::DateTime(ZonedDateTime {
            local: utc.and_utc().with_timezone(&zone).naive_local(),
            tz: Some(zone),
        }));
    } else if let Some(tzid) = entry.tz_id() {
        Some(zones.resolve(tzid)?)
    } else {
        None
    };
    Ok(Moment::DateTime(ZonedDateTime { local, tz }))
}

/// The single value of a date property that must be present.
fn required_moment(
    c: &ICalendarComponent,
    prop: &ICalendarProperty,
    zones: &Zones,
    missing: &str,
) -> Result<Moment, Skip> {
    let entry = c
        .property(prop)
        .ok_or_else(|| Skip::plain(ProblemKind::MissingProperty, missing))?;
    let value = entry.values.first().ok_or_else(|| {
        Skip::new(
            ProblemKind::BadDate,
            Message::new("source-empty-property").text("property", prop_name(prop)),
        )
    })?;
    moment(entry, value, zones)
}

/// Every value of every `prop` entry (EXDATE, RDATE), and the periods
/// among them (`RDATE;VALUE=PERIOD`, RFC 5545 §3.3.9): a period's start
/// is the occurrence, and its end (or start plus duration) its end.
fn all_moments(
    c: &ICalendarComponent,
    prop: &ICalendarProperty,
    zones: &Zones,
) -> Result<(Vec<Moment>, Vec<Timing>), Skip> {
    let mut out = Vec::new();
    let mut periods = Vec::new();
    for entry in c.properties(prop) {
        for value in &entry.values {
            let ICalendarValue::Period(period) = value else {
                out.push(moment(entry, value, zones)?);
                continue;
            };
            let name = prop_name(prop);
            let not_a_span = || {
                Skip::new(
                    ProblemKind::BadDate,
                    Message::new("source-period-backwards").text("property", name.as_str()),
                )
            };
            let (start, end) = match period {
                ICalendarPeriod::Range { start, end } => (
                    date_time(entry, start, zones)?,
                    date_time(entry, end, zones)?,
                ),
                ICalendarPeriod::Duration { start, duration } => {
                    let start = date_time(entry, start, zones)?;
                    let length = checked_duration(duration).ok_or_else(not_a_span)?;
                    let end = match start {
                        Moment::DateTime(z) => Moment::DateTime(ZonedDateTime {
                            local: z.local.checked_add_signed(length).ok_or_else(not_a_span)?,
                            tz: z.tz,
                        }),
                        Moment::Date(_) => return Err(not_a_span()),
                    };
                    (start, end)
                }
            };
            match (start, end) {
                (Moment::DateTime(s), Moment::DateTime(e)) if instant_order(&s, &e) => {
                    out.push(start);
                    periods.push(Timing::Timed { start: s, end: e });
                }
                _ => return Err(not_a_span()),
            }
        }
    }
    Ok((out, periods))
}

/// A non-negative duration as a chrono duration, or `None` when it is
/// negative or beyond what a calendar can hold.
fn checked_duration(d: &ICalendarDuration) -> Option<Duration> {
    if d.neg {
        return None;
    }
    let seconds = i64::from(d.weeks)
        .checked_mul(604_800)?
        .checked_add(i64::from(d.days).checked_mul(86_400)?)?
        .checked_add(i64::from(d.hours).checked_mul(3_600)?)?
        .checked_add(i64::from(d.minutes).checked_mul(60)?)?
        .checked_add(i64::from(d.seconds))?;
    Duration::try_seconds(seconds)
}

fn uid(c: &ICalendarComponent) -> Result<String, Skip> {
    first_text(c, &ICalendarProperty::Uid)
        .ok_or_else(|| Skip::plain(ProblemKind::MissingUid, "source-missing-uid"))
}

/// Minutes before the reference time of the earliest alarm whose TRIGGER
/// is a duration before it. With `end_too`, TRIGGER;RELATED=END counts as
/// well (to-dos: both mean "before DUE"); absolute triggers are ignored.
fn reminder(ical: &ICalendar, c: &ICalendarComponent, end_too: bool) -> Option<u32> {
    c.component_ids
        .iter()
        .filter_map(|id| ical.components.get(*id as usize))
        .filter(|a| a.component_type == ICalendarComponentType::VAlarm)
        .filter_map(|alarm| {
            let trigger = alarm.property(&ICalendarProperty::Trigger)?;
            let related_end = trigger
                .parameters(&ICalendarParameterName::Related)
                .any(|v| matches!(v, ICalendarParameterValue::Related(ICalendarRelated::End)));
            if related_end && !end_too {
                return None;
            }
            match trigger.values.first()? {
                ICalendarValue::Duration(d) if d.neg || d.as_seconds() == 0 => {
                    u32::try_from(d.as_seconds().unsigned_abs() / 60).ok()
                }
                _ => None,
            }
        })
        .max()
}

fn instant_order(start: &ZonedDateTime, end: &ZonedDateTime) -> bool {
    match (start.instant(), end.instant()) {
        (Some(s), Some(e)) => e >= s,
        // Floating against floating (or mixed): compare wall times.
        _ => end.local >= start.local,
    }
}

fn timing(c: &ICalendarComponent, zones: &Zones) -> Result<Timing, Skip> {
    let start = required_moment(c, &ICalendarProperty::Dtstart, zones, "source-no-dtstart")?;
    let end = match c.property(&ICalendarProperty::Dtend) {
        // Present (checked just now): `missing` is never used.
        Some(_) => Some(required_moment(
            c,
            &ICalendarProperty::Dtend,
            zones,
            "source-empty-property",
        )?),
        None => None,
    };
    let duration = match c.property(&ICalendarProperty::Duration) {
        None => None,
        Some(e) => match e.values.first() {
            Some(ICalendarValue::Duration(d)) if !d.neg => Some(
                checked_duration(d)
                    .ok_or_else(|| Skip::plain(ProblemKind::BadDate, "source-duration-too-long"))?,
            ),
            _ => {
                return Err(Skip::plain(ProblemKind::Malformed, "source-bad-duration"));
            }
        },
    };
    // Every sum below is checked: a DURATION of a billion weeks must cost
    // its record, never the read (it used to overflow and panic).
    let past_the_calendar = || Skip::plain(ProblemKind::BadDate, "source-end-beyond-calendar");
    match (start, end) {
        (Moment::Date(s), Some(Moment::Date(e))) => {
            if e < s {
                return Err(Skip::new(
                    ProblemKind::BadDate,
                    Message::new("source-end-before-start")
                        .text("end", e.to_string())
                        .text("start", s.to_string()),
                ));
            }
            // DTEND equal to DTSTART: read as the one day it was meant to be.
            let e = if e == s {
                s.succ_opt().ok_or_else(past_the_calendar)?
            } else {
                e
            };
            Ok(Timing::AllDay { start: s, end: e })
        }
        (Moment::Date(s), None) => {
            let days = duration.map_or(1, |d| d.num_days().max(1));
            let end = u64::try_from(days)
                .ok()
                .and_then(|days| s.checked_add_days(chrono::Days::new(days)))
                .ok_or_else(past_the_calendar)?;
            Ok(Timing::AllDay { start: s, end })
        }
        (Moment::DateTime(s), Some(Moment::DateTime(e))) => {
            if !instant_order(&s, &e) {
                return Err(Skip::new(
                    ProblemKind::BadDate,
                    Message::new("source-end-before-start")
                        .text("end", e.local.to_string())
                        .text("start", s.local.to_string()),
                ));
            }
            Ok(Timing::Timed { start: s, end: e })
        }
        (Moment::DateTime(s), None) => {
            // Wall-clock arithmetic: a 1-hour meeting stays 09:00–10:00
            // on the day clocks change.
            let end = ZonedDateTime {
                local: s
                    .local
                    .checked_add_signed(duration.unwrap_or_default())
                    .ok_or_else(past_the_calendar)?,
                tz: s.tz,
            };
            Ok(Timing::Timed { start: s, end })
        }
        (Moment::Date(_), Some(Moment::DateTime(_))) => Err(Skip::plain(
            ProblemKind::Malformed,
            "source-date-start-timed-end",
        )),
        (Moment::DateTime(_), Some(Moment::Date(_))) => Err(Skip::plain(
            ProblemKind::Malformed,
            "source-timed-start-date-end",
        )),
    }
}

fn recurrence(c: &ICalendarComponent, zones: &Zones) -> Result<Option<Recurrence>, Skip> {
    let mut rules = c.properties(&ICalendarProperty::Rrule);
    let Some(rule) = rules.next() else {
        return Ok(None);
    };
    if rules.next().is_some() {
        return Err(Skip::plain(ProblemKind::Malformed, "source-several-rrules"));
    }
    let rrule = match rule.values.first() {
        Some(ICalendarValue::RecurrenceRule(r)) => r.to_string(),
        // An empty `RRULE:` (written by some holiday calendars on every
        // event): nothing repeats, so it is the single event it describes.
        None => return Ok(None),
        Some(ICalendarValue::Text(t)) if t.trim().is_empty() => return Ok(None),
        other => {
            let shown = other.and_then(|v| v.as_text()).unwrap_or_default();
            return Err(Skip::new(
                ProblemKind::Malformed,
                Message::new("source-bad-rrule").text("rule", shown),
            ));
        }
    };
    let (exdates, _) = all_moments(c, &ICalendarProperty::Exdate, zones)?;
    let (rdates, rdate_periods) = all_moments(c, &ICalendarProperty::Rdate, zones)?;
    Ok(Some(Recurrence {
        rrule,
        exdates,
        rdates,
        rdate_periods,
    }))
}

/// A VEVENT as an [`Appointment`].
pub(crate) fn appointment(
    ical: &ICalendar,
    c: &ICalendarComponent,
    zones: &Zones,
    options: &ReadOptions,
) -> Result<Appointment, Skip> {
    let uid = uid(c)?;
    let timing = timing(c, zones)?;
    let recurrence_id = match c.property(&ICalendarProperty::RecurrenceId) {
        Some(_) => Some(required_moment(
            c,
            &ICalendarProperty::RecurrenceId,
            zones,
            "source-empty-property",
        )?),
        None => None,
    };
    Ok(Appointment {
        uid,
        recurrence_id,
        summary: first_text(c, &ICalendarProperty::Summary).unwrap_or_default(),
        description: description(c, options)?,
        location: first_text(c, &ICalendarProperty::Location),
        timing,
        recurrence: recurrence(c, zones)?,
        reminder_minutes: reminder(ical, c, false),
        private: is_private(c),
        busy: !matches!(
            c.property(&ICalendarProperty::Transp)
                .and_then(|e| e.values.first()),
            Some(ICalendarValue::Transparency(
                ICalendarTransparency::Transparent
            ))
        ),
        cancelled: matches!(c.status(), Some(ICalendarStatus::Cancelled)),
        categories: categories(c),
        last_modified: timestamp(c, &ICalendarProperty::LastModified),
        source: String::new(),
    })
}

/// A VTODO as a [`Deadline`]; a VTODO without DUE is skipped.
pub(crate) fn deadline(
    ical: &ICalendar,
    c: &ICalendarComponent,
    zones: &Zones,
    options: &ReadOptions,
) -> Result<Deadline, Skip> {
    let uid = uid(c)?;
    let due = required_moment(c, &ICalendarProperty::Due, zones, "source-no-due")?;
    let categories = categories(c);
    let importance = match c
        .property(&ICalendarProperty::Priority)
        .and_then(|e| e.values.first())
        .and_then(ICalendarValue::as_integer)
    {
        Some(1..=4) => Importance::High,
        Some(6..=9) => Importance::Low,
        _ => Importance::Normal,
    };
    let completed = timestamp(c, &ICalendarProperty::Completed);
    let status = match c.status() {
        Some(ICalendarStatus::Completed) => DeadlineStatus::Completed,
        Some(ICalendarStatus::InProcess) => DeadlineStatus::InProgress,
        Some(ICalendarStatus::Cancelled) => DeadlineStatus::Cancelled,
        _ if completed.is_some() => DeadlineStatus::Completed,
        _ => DeadlineStatus::Open,
    };
    let kind = options.kind.decide(
        other_text(c, &options.kind.x_property).as_deref(),
        &categories,
    );
    Ok(Deadline {
        uid,
        title: first_text(c, &ICalendarProperty::Summary).unwrap_or_default(),
        notes: description(c, options)?,
        due,
        reminder_minutes: reminder(ical, c, true),
        importance,
        status,
        completed,
        kind,
        private: is_private(c),
        categories,
        last_modified: timestamp(c, &ICalendarProperty::LastModified),
        source: String::new(),
    })
}

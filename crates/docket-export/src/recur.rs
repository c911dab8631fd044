//! Recurrence: RRULE → Graph `patternedRecurrence` where Graph can say the
//! same thing, otherwise expansion into single occurrences (with the `rrule`
//! crate) inside the export window.
//!
//! The `rrule` crate reads the rule, once ([`Rule::parse`]); this module
//! only decides on what it read, and expands that same value. One part is
//! read here instead: **UNTIL**, because the crate reads a date or a
//! floating date-time in the computer's own time zone (a different rule on
//! every machine, refused where that zone skips or repeats the hour) and
//! keeps no trace of the form, while the form decides what UNTIL means (a
//! date ends a timed series after that day). The crate's `Display` must not
//! be fed back to it either: it writes the first Monday (`1MO`) as `MO`.
//!
//! Graph's six pattern types and three range types
//! (<https://learn.microsoft.com/en-us/graph/api/resources/patternedrecurrence>)
//! cover DAILY, WEEKLY (BYDAY), MONTHLY (one BYMONTHDAY, or one weekday with
//! an ordinal or BYSETPOS), YEARLY (one month with a day or an ordinal
//! weekday), with INTERVAL and COUNT/UNTIL/none. Everything else is
//! expanded; so is a day of month above 28 (RFC 5545 skips months without
//! that day, Outlook does not: we do not rely on either) and any rule whose
//! DTSTART is not itself an occurrence (RFC 5545 counts DTSTART anyway,
//! Graph starts at the first matching date).

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use docket_source::{Moment, ZonedDateTime};
use rrule::{Frequency, NWeekday, RRule, Unvalidated};
use serde_json::{json, Value};

use docket_text::Message;

use crate::key::occurrence_id;
use crate::zone::graph_zone;

/// Why an RRULE cannot be read ([`Rule::parse`]): data, worded by the
/// catalogue (`sync-rrule-…`, the reason in `sync-skip-rrule-unreadable`).
/// `Display` is English, for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// UNTIL is neither a date nor a date-time (the value as written).
    #[error("bad UNTIL '{0}'")]
    BadUntil(String),
    #[error("UNTIL is given twice")]
    UntilTwice,
    #[error("the rule is not plain ASCII text")]
    NotAscii,
    #[error("bad INTERVAL '0'")]
    ZeroInterval,
    #[error("bad COUNT '0'")]
    ZeroCount,
    #[error("both COUNT and UNTIL")]
    CountAndUntil,
    /// The `rrule` crate refused it: its own words, as it gave them.
    #[error("{0}")]
    Crate(String),
}

impl RuleError {
    /// The reason as a catalogue message (the crate's words as they came).
    pub fn message(&self) -> Message {
        match self {
            RuleError::BadUntil(value) => {
                Message::new("sync-rrule-bad-until").text("value", value.clone())
            }
            RuleError::UntilTwice => Message::new("sync-rrule-until-twice"),
            RuleError::NotAscii => Message::new("sync-rrule-not-ascii"),
            RuleError::ZeroInterval => Message::new("sync-rrule-zero-interval"),
            RuleError::ZeroCount => Message::new("sync-rrule-zero-count"),
            RuleError::CountAndUntil => Message::new("sync-rrule-count-and-until"),
            RuleError::Crate(detail) => {
                Message::new("sync-rrule-refused").text("detail", detail.clone())
            }
        }
    }
}

/// UNTIL as written: its form decides what it means (see [`expand`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    Date(NaiveDate),
    Floating(NaiveDateTime),
    Utc(NaiveDateTime),
}

/// An RRULE as the `rrule` crate reads it, with UNTIL read here (see the
/// module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Every part but UNTIL.
    rule: RRule<Unvalidated>,
    until: Option<Until>,
}

fn graph_day(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

fn parse_until(v: &str) -> Result<Until, RuleError> {
    let bad = || RuleError::BadUntil(v.to_string());
    if let Some(t) = v.strip_suffix('Z') {
        NaiveDateTime::parse_from_str(t, "%Y%m%dT%H%M%S")
            .map(Until::Utc)
            .map_err(|_| bad())
    } else if v.contains('T') {
        NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
            .map(Until::Floating)
            .map_err(|_| bad())
    } else {
        NaiveDate::parse_from_str(v, "%Y%m%d")
            .map(Until::Date)
            .map_err(|_| bad())
    }
}

/// `text` without its UNTIL part, and that part read. A key is matched
/// as the crate matches keys (any letter case, nothing trimmed).
fn take_until(text: &str) -> Result<(String, Option<Until>), RuleError> {
    let mut until = None;
    let mut rest = Vec::new();
    for part in text.split(';') {
        match part.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") => {
                if until
                    .replace(parse_until(&v.to_ascii_uppercase())?)
                    .is_some()
                {
                    return Err(RuleError::UntilTwice);
                }
            }
            _ => rest.push(part),
        }
    }
    Ok((rest.join(";"), until))
}

impl Rule {
    /// Reads an RRULE value (`FREQ=WEEKLY;BYDAY=MO`, an `RRULE:` prefix is
    /// dropped) with the `rrule` crate, UNTIL aside. Refused besides what
    /// the crate refuses: text that is not ASCII, `INTERVAL=0`, `COUNT=0`,
    /// COUNT with UNTIL.
    pub fn parse(text: &str) -> Result<Rule, RuleError> {
        let text = text.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        // The crate slices a BYDAY value at a byte offset: other text
        // could split a character (a panic). An RRULE is ASCII anyway.
        if !text.is_ascii() {
            return Err(RuleError::NotAscii);
        }
        let (rest, until) = take_until(text)?;
        let rule: RRule<Unvalidated> = rest
            .parse()
            .map_err(|e: rrule::RRuleError| RuleError::Crate(e.to_string()))?;
        if rule.get_interval() == 0 {
            return Err(RuleError::ZeroInterval);
        }
        if rule.get_count() == Some(0) {
            return Err(RuleError::ZeroCount);
        }
        if rule.get_count().is_some() && until.is_some() {
            return Err(RuleError::CountAndUntil);
        }
        Ok(Rule { rule, until })
    }

    /// BYDAY as (ordinal, weekday) pairs.
    fn by_day(&self) -> Vec<(Option<i32>, Weekday)> {
        self.rule
            .get_by_weekday()
            .iter()
            .map(|d| match *d {
                NWeekday::Every(d) => (None, d),
                NWeekday::Nth(n, d) => (Some(i32::from(n)), d),
            })
            .collect()
    }

    /// The first part Graph has no equivalent for, if any.
    fn unsupported(&self) -> Option<&'static str> {
        let r = &self.rule;
        [
            ("BYSECOND", r.get_by_second().is_empty()),
            ("BYMINUTE", r.get_by_minute().is_empty()),
            ("BYHOUR", r.get_by_hour().is_empty()),
            ("BYYEARDAY", r.get_by_year_day().is_empty()),
            ("BYWEEKNO", r.get_by_week_no().is_empty()),
        ]
        .into_iter()
        .find(|(_, unused)| !unused)
        .map(|(part, _)| part)
    }
}

/// Graph's `index` for an RFC 5545 ordinal: 1–4 and -1 (last).
fn index(n: i32) -> Option<&'static str> {
    Some(match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        -1 => "last",
        _ => return None,
    })
}

/// Whether `d` is the `n`th (or last, -1) of its weekday in its month.
fn is_nth_weekday(d: NaiveDate, n: i32) -> bool {
    if n == -1 {
        return d.checked_add_days(Days::new(7)).map(|x| x.month()) != Some(d.month());
    }
    (d.day0() / 7 + 1) as i32 == n
}

/// The one ordinal weekday of a MONTHLY/YEARLY rule: `BYDAY=2TU`, or
/// `BYDAY=TU;BYSETPOS=2`.
fn ordinal_weekday(rule: &Rule) -> Option<(i32, Weekday)> {
    match (rule.by_day().as_slice(), rule.rule.get_by_set_pos()) {
        ([(Some(n), d)], []) => Some((*n, *d)),
        ([(None, d)], [n]) => Some((*n, *d)),
        _ => None,
    }
}

/// Graph's `patternedRecurrence` for `rule` starting on the local date
/// `start` in `tz`, or why Graph cannot express it (the caller expands).
pub fn patterned(rule: &Rule, start: NaiveDate, tz: Tz) -> Result<Value, String> {
    if let Some(part) = rule.unsupported() {
        return Err(format!("the rule uses {part}"));
    }
    let not_first = || "the first date is not an occurrence of the rule".to_string();
    let by_day = rule.by_day();
    let r = &rule.rule;
    let (by_month_day, by_month, by_set_pos) =
        (r.get_by_month_day(), r.get_by_month(), r.get_by_set_pos());
    let interval = r.get_interval();
    let plain_days = by_day.iter().all(|(n, _)| n.is_none());
    let pattern = match r.get_freq() {
        Frequency::Secondly | Frequency::Minutely | Frequency::Hourly => {
            return Err("the rule repeats within a day".into())
        }
        Frequency::Daily if by_day.is_empty() => {
            if !(by_month_day.is_empty() && by_month.is_empty() && by_set_pos.is_empty()) {
                return Err("a daily rule with BYMONTH/BYMONTHDAY/BYSETPOS".into());
            }
            json!({"type": "daily", "interval": interval})
        }
        Frequency::Daily | Frequency::Weekly => {
            if !(by_month_day.is_empty()
                && by_month.is_empty()
                && by_set_pos.is_empty()
                && plain_days)
                || (r.get_freq() == Frequency::Daily && interval != 1)
            {
                return Err("a weekly rule Graph cannot express".into());
            }
            let mut days: Vec<Weekday> = by_day.iter().map(|(_, d)| *d).collect();
            if days.is_empty() {
                days.push(start.weekday());
            }
            if !days.contains(&start.weekday()) {
                return Err(not_first());
            }
            days.sort_by_key(|d| d.num_days_from_monday());
            days.dedup();
            json!({
                "type": "weekly",
                "interval": interval,
                "daysOfWeek": days.iter().map(|d| graph_day(*d)).collect::<Vec<_>>(),
                "firstDayOfWeek": graph_day(r.get_week_start()),
            })
        }
        Frequency::Monthly | Frequency::Yearly => {
            let yearly = r.get_freq() == Frequency::Yearly;
            let month = match (yearly, by_month) {
                (false, []) => None,
                (true, []) => Some(start.month()),
                (true, [m]) => Some(u32::from(*m)),
                _ => return Err("BYMONTH Graph cannot express".into()),
            };
            if month.is_some_and(|m| m != start.month()) {
                return Err(not_first());
            }
            if by_day.is_empty() && by_set_pos.is_empty() {
                let day = match by_month_day {
                    [] => start.day() as i32,
                    [d] => i32::from(*d),
                    _ => return Err("several BYMONTHDAY values".into()),
                };
                if !(1..=28).contains(&day) {
                    return Err(format!("day {day} of the month (not in every month)"));
                }
                if day != start.day() as i32 {
                    return Err(not_first());
                }
                match month {
                    None => {
                        json!({"type": "absoluteMonthly", "interval": interval, "dayOfMonth": day})
                    }
                    Some(m) => {
                        json!({"type": "absoluteYearly", "interval": interval, "dayOfMonth": day, "month": m})
                    }
                }
            } else {
                let (n, day) = match (ordinal_weekday(rule), by_month_day.is_empty()) {
                    (Some(x), true) => x,
                    _ => return Err("a weekday pattern Graph cannot express".into()),
                };
                let idx = index(n).ok_or_else(|| format!("the {n}th weekday of the month"))?;
                if start.weekday() != day || !is_nth_weekday(start, n) {
                    return Err(not_first());
                }
                match month {
                    None => {
                        json!({"type": "relativeMonthly", "interval": interval, "daysOfWeek": [graph_day(day)], "index": idx})
                    }
                    Some(m) => {
                        json!({"type": "relativeYearly", "interval": interval, "daysOfWeek": [graph_day(day)], "index": idx, "month": m})
                    }
                }
            }
        }
    };
    let start_date = start.format("%Y-%m-%d").to_string();
    let zone = graph_zone(tz);
    let range = match (r.get_count(), rule.until) {
        (Some(n), _) => {
            json!({"type": "numbered", "startDate": start_date, "numberOfOccurrences": n, "recurrenceTimeZone": zone})
        }
        (None, Some(u)) => {
            let end = match u {
                Until::Date(d) => d,
                Until::Floating(t) => t.date(),
                Until::Utc(t) => Utc.from_utc_datetime(&t).with_timezone(&tz).date_naive(),
            };
            if end < start {
                return Err("UNTIL is before the first date".into());
            }
            json!({"type": "endDate", "startDate": start_date, "endDate": end.format("%Y-%m-%d").to_string(), "recurrenceTimeZone": zone})
        }
        (None, None) => {
            json!({"type": "noEnd", "startDate": start_date, "recurrenceTimeZone": zone})
        }
    };
    Ok(json!({"pattern": pattern, "range": range}))
}

/// Occurrences in the margin around the window that [`expand`] may list
/// before dropping them (a rule that repeats every few seconds has more,
/// and is cut with a notice).
const EDGE_BUFFER: u16 = 4096;

/// The window in which series are expanded, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The occurrences of a series whose start lies in `window`, each as the
/// start of that occurrence in the series' own terms (a date for an
/// all-day series; a wall time in the DTSTART zone, floating stays
/// floating). EXDATEs remove occurrences (a date EXDATE removes that
/// day's), RDATEs add them. At most `limit`; the flag says more were cut.
pub fn expand(
    rule: &Rule,
    dtstart: &Moment,
    exdates: &[Moment],
    rdates: &[Moment],
    mailbox: Tz,
    window: Window,
    limit: u16,
) -> Result<(Vec<Moment>, bool), String> {
    // All-day series run in UTC at midnight: only their dates matter.
    let (zone, local, floating) = match dtstart {
        Moment::Date(d) => (Tz::UTC, d.and_time(NaiveTime::MIN), false),
        // The wall time as written, even in the spring gap: the rule
        // repeats it, only the gap day's occurrence moves (when sent).
        Moment::DateTime(z) => (z.tz.unwrap_or(mailbox), z.local, z.tz.is_none()),
    };
    // The rule runs on wall time (RFC 5545 §3.3.10): it is expanded in a
    // frame without clock changes, where the wall time is read as UTC, and
    // each occurrence is put into its zone afterwards. Expanding in the
    // zone itself would start a series whose DTSTART falls into the spring
    // gap (02:30) at 03:30, and every later occurrence with it.
    let frame = rrule::Tz::UTC;
    let start = frame.from_utc_datetime(&local);
    // UNTIL in the same frame: a UTC one as wall time in the zone, a date
    // as its last moment (its midnight for an all-day series).
    let mut parsed = rule.rule.clone();
    if let Some(until) = rule.until {
        let wall = match until {
            Until::Utc(t) => Utc.from_utc_datetime(&t).with_timezone(&zone).naive_local(),
            Until::Floating(t) => t,
            Until::Date(d) => match dtstart {
                Moment::Date(_) => d.and_time(NaiveTime::MIN),
                Moment::DateTime(_) => d.and_hms_opt(23, 59, 59).unwrap_or_default(),
            },
        };
        parsed = parsed.until(frame.from_utc_datetime(&wall));
    }
    // The window in wall time, with a margin for a clock change near its
    // edges (offsets change by at most a few hours); the exact window on
    // instants is applied below. The margin is kept narrow so that its
    // occurrences (they are listed, then dropped) cannot use up the limit:
    // up to EDGE_BUFFER of them are allowed for.
    let margin = chrono::Duration::hours(3);
    let wall = |t: DateTime<Utc>, pad: chrono::Duration| {
        let local = t.with_timezone(&zone).naive_local();
        let padded = local.checked_add_signed(pad).unwrap_or(local);
        frame.from_utc_datetime(&padded)
    };
    let set = parsed
        .build(start)
        .map_err(|e| e.to_string())?
        .after(wall(window.start, -margin))
        .before(wall(window.end, margin));
    let result = set.all(limit.saturating_add(EDGE_BUFFER));
    let as_moment = |t: DateTime<rrule::Tz>| match dtstart {
        Moment::Date(_) => Moment::Date(t.naive_utc().date()),
        Moment::DateTime(_) => Moment::DateTime(ZonedDateTime {
            local: t.naive_utc(),
            tz: (!floating).then_some(zone),
        }),
    };
    let in_window = |m: &Moment| {
        let t = match m {
            Moment::Date(d) => d.and_time(NaiveTime::MIN).and_utc(),
            Moment::DateTime(z) => z
                .instant()
                .unwrap_or_else(|| to_utc(mailbox, z.local).and_utc()),
        };
        t >= window.start && t <= window.end
    };
    let mut out: Vec<Moment> = result
        .dates
        .into_iter()
        .map(as_moment)
        .filter(|m| in_window(m))
        .collect();
    let mut cut = result.limited;
    if out.len() > usize::from(limit) {
        out.truncate(usize::from(limit));
        cut = true;
    }
    for r in rdates {
        let r = match (dtstart, r) {
            (Moment::DateTime(_), Moment::Date(d)) => Moment::DateTime(ZonedDateTime {
                local: d.and_time(local.time()),
                tz: (!floating).then_some(zone),
            }),
            _ => *r,
        };
        if in_window(&r) {
            out.push(r);
        }
    }
    let excluded = |m: &Moment| {
        exdates.iter().any(|x| match x {
            Moment::Date(d) => day_of(m) == *d,
            Moment::DateTime(_) => occurrence_id(x) == occurrence_id(m),
        })
    };
    out.retain(|m| !excluded(m));
    out.sort_by_key(occurrence_id);
    out.dedup_by_key(|m| occurrence_id(m));
    Ok((out, cut))
}

fn day_of(m: &Moment) -> NaiveDate {
    match m {
        Moment::Date(d) => *d,
        Moment::DateTime(z) => z.local.date(),
    }
}

fn to_utc(tz: Tz, local: NaiveDateTime) -> NaiveDateTime {
    ZonedDateTime {
        local,
        tz: Some(tz),
    }
    .instant()
    .map(|t| t.naive_utc())
    .unwrap_or(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rrule` starting at `start` (local date, Europe/Berlin): the Graph
    /// pattern + range as compact JSON, or `expand: <reason>`.
    fn check(rrule: &str, start: &str, expect: &str) {
        let start = NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
        let got = Rule::parse(rrule)
            .map_err(|e| e.to_string())
            .and_then(|r| patterned(&r, start, Tz::Europe__Berlin))
            .map(|v| {
                let mut v = v;
                v["range"]
                    .as_object_mut()
                    .map(|r| r.remove("recurrenceTimeZone"));
                v.to_string()
            })
            .unwrap_or_else(|e| format!("expand: {e}"));
        assert_eq!(got, expect, "{rrule} from {start}");
    }

    #[test]
    fn expressible_rules_become_patterned_recurrence() {
        check(
            "FREQ=DAILY;COUNT=5",
            "2026-11-02",
            r#"{"pattern":{"interval":1,"type":"daily"},"range":{"numberOfOccurrences":5,"startDate":"2026-11-02","type":"numbered"}}"#,
        );
        // Berlin local date of an UNTIL in UTC: 2027-06-28T07:00Z is the 28th.
        check(
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270628T070000Z",
            "2026-11-02",
            r#"{"pattern":{"daysOfWeek":["monday"],"firstDayOfWeek":"monday","interval":1,"type":"weekly"},"range":{"endDate":"2027-06-28","startDate":"2026-11-02","type":"endDate"}}"#,
        );
        // 23:30Z on the 29th is already the 30th in Berlin (CEST).
        check(
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T233000Z",
            "2026-11-03",
            r#"{"pattern":{"daysOfWeek":["tuesday"],"firstDayOfWeek":"monday","interval":1,"type":"weekly"},"range":{"endDate":"2027-06-30","startDate":"2026-11-03","type":"endDate"}}"#,
        );
        check(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO;WKST=SU",
            "2026-11-05",
            r#"{"pattern":{"daysOfWeek":["monday","thursday"],"firstDayOfWeek":"sunday","interval":2,"type":"weekly"},"range":{"startDate":"2026-11-05","type":"noEnd"}}"#,
        );
        check(
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
            "2026-11-02",
            r#"{"pattern":{"daysOfWeek":["monday","tuesday","wednesday","thursday","friday"],"firstDayOfWeek":"monday","interval":1,"type":"weekly"},"range":{"startDate":"2026-11-02","type":"noEnd"}}"#,
        );
        check(
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "2026-11-15",
            r#"{"pattern":{"dayOfMonth":15,"interval":1,"type":"absoluteMonthly"},"range":{"startDate":"2026-11-15","type":"noEnd"}}"#,
        );
        check(
            "FREQ=MONTHLY;BYDAY=1WE;COUNT=8",
            "2026-11-04",
            r#"{"pattern":{"daysOfWeek":["wednesday"],"index":"first","interval":1,"type":"relativeMonthly"},"range":{"numberOfOccurrences":8,"startDate":"2026-11-04","type":"numbered"}}"#,
        );
        check(
            "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1",
            "2026-11-27",
            r#"{"pattern":{"daysOfWeek":["friday"],"index":"last","interval":1,"type":"relativeMonthly"},"range":{"startDate":"2026-11-27","type":"noEnd"}}"#,
        );
        check(
            "FREQ=YEARLY",
            "2026-12-24",
            r#"{"pattern":{"dayOfMonth":24,"interval":1,"month":12,"type":"absoluteYearly"},"range":{"startDate":"2026-12-24","type":"noEnd"}}"#,
        );
        check(
            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "2027-03-28",
            r#"{"pattern":{"daysOfWeek":["sunday"],"index":"last","interval":1,"month":3,"type":"relativeYearly"},"range":{"startDate":"2027-03-28","type":"noEnd"}}"#,
        );
    }

    #[test]
    fn other_rules_are_expanded_with_a_reason() {
        check(
            "FREQ=HOURLY",
            "2026-11-02",
            "expand: the rule repeats within a day",
        );
        check(
            "FREQ=DAILY;BYHOUR=9,15",
            "2026-11-02",
            "expand: the rule uses BYHOUR",
        );
        check(
            "FREQ=MONTHLY;BYMONTHDAY=31",
            "2026-12-31",
            "expand: day 31 of the month (not in every month)",
        );
        check(
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "2026-11-30",
            "expand: day -1 of the month (not in every month)",
        );
        check(
            "FREQ=MONTHLY;BYDAY=1MO,3MO",
            "2026-11-02",
            "expand: a weekday pattern Graph cannot express",
        );
        check(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "2026-11-30",
            "expand: a weekday pattern Graph cannot express",
        );
        check(
            "FREQ=MONTHLY;BYDAY=5FR",
            "2027-01-29",
            "expand: the 5th weekday of the month",
        );
        check(
            "FREQ=WEEKLY;BYDAY=TU",
            "2026-11-02",
            "expand: the first date is not an occurrence of the rule",
        );
        check(
            "FREQ=YEARLY;BYMONTH=1,7",
            "2027-01-10",
            "expand: BYMONTH Graph cannot express",
        );
        check(
            "FREQ=YEARLY",
            "2028-02-29",
            "expand: day 29 of the month (not in every month)",
        );
        check(
            "FREQ=DAILY;COUNT=2;UNTIL=20270101",
            "2026-11-02",
            "expand: both COUNT and UNTIL",
        );
    }

    /// Where the `rrule` crate reads a rule otherwise than the parser it
    /// replaced did (docket-source hands over `calcard`'s canonical text,
    /// so from a file only RSCALE/SKIP reach the crate's refusal).
    #[test]
    fn the_crate_reads_the_rule() {
        // Letter case and an explicit `+` ordinal: as before.
        check(
            "freq=weekly;byday=mo;wkst=su",
            "2026-11-02",
            r#"{"pattern":{"daysOfWeek":["monday"],"firstDayOfWeek":"sunday","interval":1,"type":"weekly"},"range":{"startDate":"2026-11-02","type":"noEnd"}}"#,
        );
        check(
            "FREQ=MONTHLY;BYDAY=+1MO",
            "2026-11-02",
            r#"{"pattern":{"daysOfWeek":["monday"],"index":"first","interval":1,"type":"relativeMonthly"},"range":{"startDate":"2026-11-02","type":"noEnd"}}"#,
        );
        // UNTIL in all three forms, in any case (read here, not by the
        // crate: see the module docs).
        for until in [
            "20270628",
            "20270628T235959",
            "20270628t235959",
            "20270628T070000Z",
        ] {
            check(
                &format!("FREQ=WEEKLY;BYDAY=MO;UNTIL={until}"),
                "2026-11-02",
                r#"{"pattern":{"daysOfWeek":["monday"],"firstDayOfWeek":"monday","interval":1,"type":"weekly"},"range":{"endDate":"2027-06-28","startDate":"2026-11-02","type":"endDate"}}"#,
            );
        }
        check(
            "FREQ=WEEKLY;UNTIL=2027-06-28",
            "2026-11-02",
            "expand: bad UNTIL '2027-06-28'",
        );
        check(
            "FREQ=WEEKLY;UNTIL=20270628;UNTIL=20270705",
            "2026-11-02",
            "expand: UNTIL is given twice",
        );
        // The crate sorts and de-duplicates number lists: one day given
        // twice is one day (it used to count as several).
        check(
            "FREQ=MONTHLY;BYMONTHDAY=15,15",
            "2026-11-15",
            r#"{"pattern":{"dayOfMonth":15,"interval":1,"type":"absoluteMonthly"},"range":{"startDate":"2026-11-15","type":"noEnd"}}"#,
        );
        // Refused when read, where an unknown part used to be refused only
        // when expanded, and a repeated or space-padded part was taken.
        check(
            "FREQ=YEARLY;RSCALE=CHINESE",
            "2026-11-02",
            "expand: RRule parsing error: `RSCALE` is not a valid property parameter.",
        );
        check(
            "FREQ=WEEKLY;BYDAY=MO;BYDAY=MO",
            "2026-11-02",
            "expand: RRule parsing error: Found duplicate property for `BYDAY`, properties and parameters need to be unique.",
        );
        check(
            "FREQ=WEEKLY; BYDAY=MO",
            "2026-11-02",
            "expand: RRule parsing error: ` BYDAY` is not a valid property parameter.",
        );
        // Zero is no interval and no count (the crate would read both).
        check(
            "FREQ=WEEKLY;INTERVAL=0",
            "2026-11-02",
            "expand: bad INTERVAL '0'",
        );
        check("FREQ=WEEKLY;COUNT=0", "2026-11-02", "expand: bad COUNT '0'");
        // Not ASCII: refused before the crate, whose BYDAY reader would
        // panic on a split character.
        check(
            "FREQ=WEEKLY;BYDAY=Öa",
            "2026-11-02",
            "expand: the rule is not plain ASCII text",
        );
        // The crate's own leniencies: BYWEEKDAY is BYDAY, and an ordinal
        // that is no number is no ordinal (calcard refuses `XMO` before).
        check(
            "FREQ=WEEKLY;BYDAY=XMO",
            "2026-11-02",
            r#"{"pattern":{"daysOfWeek":["monday"],"firstDayOfWeek":"monday","interval":1,"type":"weekly"},"range":{"startDate":"2026-11-02","type":"noEnd"}}"#,
        );
        check(
            "FREQ=WEEKLY;BYWEEKDAY=MO",
            "2026-11-02",
            r#"{"pattern":{"daysOfWeek":["monday"],"firstDayOfWeek":"monday","interval":1,"type":"weekly"},"range":{"startDate":"2026-11-02","type":"noEnd"}}"#,
        );
    }

    /// `rrule` from `dtstart` (a wall time in Berlin, or a date), expanded
    /// in December 2026 to January 2027: the occurrences' local starts.
    fn check_expand(rrule: &str, dtstart: &str, expect: &[&str]) {
        let start = match NaiveDateTime::parse_from_str(dtstart, "%Y-%m-%d %H:%M") {
            Ok(local) => Moment::DateTime(ZonedDateTime {
                local,
                tz: Some(Tz::Europe__Berlin),
            }),
            Err(_) => Moment::Date(NaiveDate::parse_from_str(dtstart, "%Y-%m-%d").unwrap()),
        };
        let window = Window {
            start: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap(),
        };
        let rule = Rule::parse(rrule).unwrap();
        let (got, cut) = expand(&rule, &start, &[], &[], Tz::Europe__Berlin, window, 100).unwrap();
        assert!(!cut);
        let got: Vec<String> = got
            .iter()
            .map(|m| match m {
                Moment::Date(d) => d.to_string(),
                Moment::DateTime(z) => z.local.format("%Y-%m-%d %H:%M").to_string(),
            })
            .collect();
        assert_eq!(got, expect, "{rrule} from {dtstart}");
    }

    /// What UNTIL's form means, which is why it is read here: the crate
    /// reads a date as midnight and a floating time in the computer's own
    /// zone (refusing one that zone skips or repeats).
    #[test]
    fn until_ends_the_series_by_its_form() {
        // A date ends a timed series after that day's occurrence...
        check_expand(
            "FREQ=WEEKLY;UNTIL=20261214",
            "2026-11-30 09:00",
            &["2026-12-07 09:00", "2026-12-14 09:00"],
        );
        // ... a floating time at that wall time ...
        check_expand(
            "FREQ=WEEKLY;UNTIL=20261214T085959",
            "2026-11-30 09:00",
            &["2026-12-07 09:00"],
        );
        // ... a UTC time at that instant (08:00Z is 09:00 in Berlin) ...
        check_expand(
            "FREQ=WEEKLY;UNTIL=20261214T080000Z",
            "2026-11-30 09:00",
            &["2026-12-07 09:00", "2026-12-14 09:00"],
        );
        // ... and a date ends an all-day series on that day.
        check_expand(
            "FREQ=WEEKLY;UNTIL=20261214",
            "2026-11-30",
            &["2026-12-07", "2026-12-14"],
        );
    }
}

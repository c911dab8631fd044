//! Recurrence: RRULE → Graph `patternedRecurrence` where Graph can say the
//! same thing, otherwise expansion into single occurrences (with the `rrule`
//! crate) inside the export window.
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
use serde_json::{json, Value};

use crate::key::occurrence_id;
use crate::zone::graph_zone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freq {
    Secondly,
    Minutely,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    Date(NaiveDate),
    Floating(NaiveDateTime),
    Utc(NaiveDateTime),
}

/// An RRULE, split into the parts we reason about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    freq: Freq,
    interval: u32,
    count: Option<u32>,
    until: Option<Until>,
    by_day: Vec<(Option<i32>, Weekday)>,
    by_month_day: Vec<i32>,
    by_month: Vec<u32>,
    by_set_pos: Vec<i32>,
    wkst: Weekday,
    /// Parts Graph has no equivalent for (`BYHOUR`, `BYWEEKNO`, ...).
    unsupported: Vec<String>,
    /// The parts as written, to hand to the expander.
    parts: Vec<(String, String)>,
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
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

fn ints<T: std::str::FromStr>(v: &str) -> Result<Vec<T>, String> {
    v.split(',')
        .map(|x| x.trim().parse().map_err(|_| format!("bad number '{x}'")))
        .collect()
}

fn parse_until(v: &str) -> Result<Until, String> {
    let bad = || format!("bad UNTIL '{v}'");
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

impl Rule {
    /// Parses an RRULE value (`FREQ=WEEKLY;BYDAY=MO`, no `RRULE:` prefix).
    pub fn parse(text: &str) -> Result<Rule, String> {
        let text = text.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        let mut rule = Rule {
            freq: Freq::Daily,
            interval: 1,
            count: None,
            until: None,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_month: Vec::new(),
            by_set_pos: Vec::new(),
            wkst: Weekday::Mon,
            unsupported: Vec::new(),
            parts: Vec::new(),
        };
        let mut freq = None;
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("bad rule part '{part}'"))?;
            let k = k.trim().to_ascii_uppercase();
            let v = v.trim().to_ascii_uppercase();
            match k.as_str() {
                "FREQ" => {
                    freq = Some(match v.as_str() {
                        "SECONDLY" => Freq::Secondly,
                        "MINUTELY" => Freq::Minutely,
                        "HOURLY" => Freq::Hourly,
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        "YEARLY" => Freq::Yearly,
                        _ => return Err(format!("unknown FREQ '{v}'")),
                    })
                }
                "INTERVAL" => {
                    rule.interval = v
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("bad INTERVAL '{v}'"))?
                }
                "COUNT" => {
                    rule.count = Some(
                        v.parse()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| format!("bad COUNT '{v}'"))?,
                    )
                }
                "UNTIL" => rule.until = Some(parse_until(&v)?),
                "BYDAY" => {
                    for d in v.split(',') {
                        let d = d.trim();
                        let split = d.len().saturating_sub(2);
                        let (n, day) = d.split_at(split);
                        let day = weekday(day).ok_or_else(|| format!("bad BYDAY '{d}'"))?;
                        let n = if n.is_empty() {
                            None
                        } else {
                            let n = n.trim_start_matches('+');
                            Some(n.parse().map_err(|_| format!("bad BYDAY '{d}'"))?)
                        };
                        rule.by_day.push((n, day));
                    }
                }
                "BYMONTHDAY" => rule.by_month_day = ints(&v)?,
                "BYMONTH" => rule.by_month = ints(&v)?,
                "BYSETPOS" => rule.by_set_pos = ints(&v)?,
                "WKST" => rule.wkst = weekday(&v).ok_or_else(|| format!("bad WKST '{v}'"))?,
                _ => rule.unsupported.push(k.clone()),
            }
            rule.parts.push((k, v));
        }
        rule.freq = freq.ok_or("no FREQ")?;
        if rule.count.is_some() && rule.until.is_some() {
            return Err("both COUNT and UNTIL".into());
        }
        Ok(rule)
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
    match (rule.by_day.as_slice(), rule.by_set_pos.as_slice()) {
        ([(Some(n), d)], []) => Some((*n, *d)),
        ([(None, d)], [n]) => Some((*n, *d)),
        _ => None,
    }
}

/// Graph's `patternedRecurrence` for `rule` starting on the local date
/// `start` in `tz`, or why Graph cannot express it (the caller expands).
pub fn patterned(rule: &Rule, start: NaiveDate, tz: Tz) -> Result<Value, String> {
    if let Some(part) = rule.unsupported.first() {
        return Err(format!("the rule uses {part}"));
    }
    let not_first = || "the first date is not an occurrence of the rule".to_string();
    let plain_days = rule.by_day.iter().all(|(n, _)| n.is_none());
    let pattern = match rule.freq {
        Freq::Secondly | Freq::Minutely | Freq::Hourly => {
            return Err("the rule repeats within a day".into())
        }
        Freq::Daily if rule.by_day.is_empty() => {
            if !(rule.by_month_day.is_empty()
                && rule.by_month.is_empty()
                && rule.by_set_pos.is_empty())
            {
                return Err("a daily rule with BYMONTH/BYMONTHDAY/BYSETPOS".into());
            }
            json!({"type": "daily", "interval": rule.interval})
        }
        Freq::Daily | Freq::Weekly => {
            if !(rule.by_month_day.is_empty()
                && rule.by_month.is_empty()
                && rule.by_set_pos.is_empty()
                && plain_days)
                || (rule.freq == Freq::Daily && rule.interval != 1)
            {
                return Err("a weekly rule Graph cannot express".into());
            }
            let mut days: Vec<Weekday> = rule.by_day.iter().map(|(_, d)| *d).collect();
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
                "interval": rule.interval,
                "daysOfWeek": days.iter().map(|d| graph_day(*d)).collect::<Vec<_>>(),
                "firstDayOfWeek": graph_day(rule.wkst),
            })
        }
        Freq::Monthly | Freq::Yearly => {
            let yearly = rule.freq == Freq::Yearly;
            let month = match (yearly, rule.by_month.as_slice()) {
                (false, []) => None,
                (true, []) => Some(start.month()),
                (true, [m]) => Some(*m),
                _ => return Err("BYMONTH Graph cannot express".into()),
            };
            if month.is_some_and(|m| m != start.month()) {
                return Err(not_first());
            }
            if rule.by_day.is_empty() && rule.by_set_pos.is_empty() {
                let day = match rule.by_month_day.as_slice() {
                    [] => start.day() as i32,
                    [d] => *d,
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
                        json!({"type": "absoluteMonthly", "interval": rule.interval, "dayOfMonth": day})
                    }
                    Some(m) => {
                        json!({"type": "absoluteYearly", "interval": rule.interval, "dayOfMonth": day, "month": m})
                    }
                }
            } else {
                let (n, day) = match (ordinal_weekday(rule), rule.by_month_day.is_empty()) {
                    (Some(x), true) => x,
                    _ => return Err("a weekday pattern Graph cannot express".into()),
                };
                let idx = index(n).ok_or_else(|| format!("the {n}th weekday of the month"))?;
                if start.weekday() != day || !is_nth_weekday(start, n) {
                    return Err(not_first());
                }
                match month {
                    None => {
                        json!({"type": "relativeMonthly", "interval": rule.interval, "daysOfWeek": [graph_day(day)], "index": idx})
                    }
                    Some(m) => {
                        json!({"type": "relativeYearly", "interval": rule.interval, "daysOfWeek": [graph_day(day)], "index": idx, "month": m})
                    }
                }
            }
        }
    };
    let start_date = start.format("%Y-%m-%d").to_string();
    let zone = graph_zone(tz);
    let range = match (rule.count, rule.until) {
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
    let text = rule
        .parts
        .iter()
        .map(|(k, v)| {
            if k != "UNTIL" {
                return format!("{k}={v}");
            }
            let wall = match rule.until {
                Some(Until::Utc(t)) => Utc.from_utc_datetime(&t).with_timezone(&zone).naive_local(),
                Some(Until::Floating(t)) => t,
                Some(Until::Date(d)) => match dtstart {
                    Moment::Date(_) => d.and_time(NaiveTime::MIN),
                    Moment::DateTime(_) => d.and_hms_opt(23, 59, 59).unwrap_or_default(),
                },
                None => return format!("{k}={v}"),
            };
            format!("UNTIL={}Z", wall.format("%Y%m%dT%H%M%S"))
        })
        .collect::<Vec<_>>()
        .join(";");
    let parsed: rrule::RRule<rrule::Unvalidated> =
        text.parse().map_err(|e: rrule::RRuleError| e.to_string())?;
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
}

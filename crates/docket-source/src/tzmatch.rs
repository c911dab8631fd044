//! Naming the IANA zone of a sloppy `TZID` or of a `VTIMEZONE` that
//! `calcard` cannot name: the fallback of `Zones::learn` and
//! `Zones::resolve`.
//!
//! **Names.** A `TZID` that is an IANA name except for letter case
//! (`Europe/lisbon`) is that zone. A vendor-prefixed `TZID`
//! (`/freeassociation.sourceforge.net/Europe/Berlin`,
//! `/freeassociation.sourceforge.net/Tzfile/Europe/Berlin`,
//! `/mozilla.org/20050126_1/America/Argentina/Buenos_Aires`) loses leading
//! path segments until the rest names a zone; the first (longest) rest that
//! does wins, so `America/Argentina/Buenos_Aires` is not read as a zone
//! called `Argentina/Buenos_Aires` or `Buenos_Aires`.
//!
//! **Rules.** Otherwise a `VTIMEZONE` is matched by what it says the clocks
//! do. Its `STANDARD`/`DAYLIGHT` observances (`TZOFFSETFROM`, `TZOFFSETTO`,
//! `DTSTART`, a yearly `RRULE` or `RDATE`s) give the UTC offset at any
//! instant; a zone agrees when its offset is the same one hour before and
//! one hour after every transition in three sample years, and at noon UTC
//! on the 15th of every month of those years. The sample years are the
//! three years after the latest observance's `DTSTART` year, but no earlier
//! than 2025–2027 and no later than 2035–2037 (`chrono-tz` has explicit
//! transitions up to 2037): Outlook's `DTSTART:16010101T…` rules are compared
//! with 2025–2027.
//!
//! **Which zone, when several agree** (Berlin, Paris and Rome keep the same
//! clocks):
//! 1. a zone whose city is named in the `TZID` or `X-LIC-LOCATION` text
//!    (`… Paris …` → `Europe/Paris`);
//! 2. a fixed offset (the same offset at every sample) of whole hours is
//!    `Etc/GMT±N` (`UTC` for 0), as numeric offsets in values are elsewhere:
//!    the `VTIMEZONE` promises that offset for all time, and only the `Etc`
//!    zones keep that promise when a country changes its rules; a fixed
//!    offset of odd minutes (India's +05:30) has no `Etc` zone and goes on;
//! 3. a zone under a region (`Europe/`, `America/`, … never `Etc/`, `US/`
//!    or bare names like `CET`) that is the main zone of its Windows zone
//!    (CLDR's territory-001 zone, as `windows-timezones` gives it), the
//!    Windows zone with more IANA zones first, then the one whose display
//!    name lists more places (`Canberra, Melbourne, Sydney` before `Hobart`);
//!    then other region zones; ties in `chrono_tz::TZ_VARIANTS` order.
//!
//! So Berlin's rules give `Europe/Berlin`, US Eastern `America/New_York`,
//! Sydney's `Australia/Sydney`, +05:30 without DST `Asia/Calcutta` (CLDR's
//! name for `Asia/Kolkata`, which Windows names India Standard Time).
//!
//! **What is refused** (the `VTIMEZONE` stays unmapped, its items are
//! skipped with "unknown time zone"): no observance, or more than 200; an
//! observance without both offsets or with an offset beyond ±18 h; a
//! `DTSTART` that is not a valid date(-time) in the years 1583–9999; an
//! `RRULE` that is not `FREQ=YEARLY` with `BYMONTH`, `BYDAY` (±1…±5 or none)
//! and `BYMONTHDAY` only (plus `INTERVAL`, `UNTIL`, `COUNT`, `WKST`, and one
//! value each of `BYHOUR`, `BYMINUTE`, `BYSECOND`), or one without an end
//! that skips a sample year; an unreadable `RDATE`; an offset that the
//! observances leave undefined at a sample instant; and a definition no IANA
//! zone agrees with. A rule that has not occurred for 30 years before
//! an instant counts as ended there. Everything is checked arithmetic: no
//! input panics (a test feeds it thousands of random definitions).
//!
//! **No RRULE text is read here.** An observance's rule is `calcard`'s
//! parsed `ICalendarRecurrenceRule` (the reader has parsed the whole file);
//! `Rule::read` only decides whether it is the yearly subset above and
//! keeps what it needs. The `rrule` crate, which reads an event's rule in
//! `docket-export`, would be a second reading of the same text (through
//! `calcard`'s `Display`), and it reads a floating `UNTIL` in the computer's
//! own zone.
//!
//! Matching is pure and deterministic. It costs about 2 ms in a debug build
//! (see the `what_a_match_costs` test), and a folder may hold hundreds of
//! files with the same `VTIMEZONE`, so results are memoised by the parsed
//! `VTIMEZONE` (a bounded map; a hit returns what a match would).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{LazyLock, Mutex};

use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarFrequency, ICalendarPeriod,
    ICalendarProperty, ICalendarRecurrenceRule, ICalendarValue,
};
use chrono::{
    Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Timelike, Weekday,
};
use chrono_tz::{Tz, TZ_VARIANTS};
use windows_timezones::WindowsTimezone;

/// The zone a `TZID` (or `X-LIC-LOCATION`) text names, leniently: IANA
/// names in any letter case, after leading path segments if need be.
pub(crate) fn zone_named(text: &str) -> Option<Tz> {
    let text = text.trim();
    if let Some(tz) = by_lowercase_name(text) {
        return Some(tz);
    }
    // Longest rest first: the first segment dropped is the shortest prefix.
    let mut rest = text;
    while let Some((_, tail)) = rest.split_once('/') {
        if let Some(tz) = by_lowercase_name(tail) {
            return Some(tz);
        }
        rest = tail;
    }
    None
}

fn by_lowercase_name(name: &str) -> Option<Tz> {
    static NAMES: LazyLock<HashMap<String, Tz>> = LazyLock::new(|| {
        TZ_VARIANTS
            .iter()
            .map(|tz| (tz.name().to_ascii_lowercase(), *tz))
            .collect()
    });
    if name.is_empty() {
        return None;
    }
    NAMES.get(&name.to_ascii_lowercase()).copied()
}

/// The zone of `vtimezone` (a component of `ical`), by the lenient reading
/// of its `TZID` and `X-LIC-LOCATION`, else by its rules.
pub(crate) fn zone_of(ical: &ICalendar, vtimezone: &ICalendarComponent) -> Option<Tz> {
    let tzid = text_of(vtimezone, &ICalendarProperty::Tzid);
    let location = vtimezone.entries.iter().find_map(|e| match &e.name {
        ICalendarProperty::Other(n) if n.eq_ignore_ascii_case("X-LIC-LOCATION") => {
            e.values.first()?.as_text()
        }
        _ => None,
    });
    let hints: Vec<&str> = tzid.into_iter().chain(location).collect();
    if let Some(tz) = hints.iter().find_map(|h| zone_named(h)) {
        return Some(tz);
    }
    // Hundreds of files of one folder often carry the same VTIMEZONE: its
    // parsed form is the key (at most `MEMO_SIZE` of them are kept).
    let observances: Vec<&ICalendarComponent> = vtimezone
        .component_ids
        .iter()
        .filter_map(|id| ical.components.get(usize::try_from(*id).ok()?))
        .collect();
    let key = format!("{hints:?}{observances:?}");
    if let Some(known) = MEMO.lock().ok().and_then(|m| m.get(&key).copied()) {
        return known;
    }
    let found = Definition::read(ical, vtimezone).and_then(|d| matching_zone(&d, &hints));
    if let Ok(mut memo) = MEMO.lock() {
        if memo.len() >= MEMO_SIZE {
            memo.clear();
        }
        memo.insert(key, found);
    }
    found
}

/// VTIMEZONEs already matched (see [`zone_of`]).
static MEMO: LazyLock<Mutex<HashMap<String, Option<Tz>>>> = LazyLock::new(Mutex::default);
const MEMO_SIZE: usize = 256;

fn text_of<'a>(c: &'a ICalendarComponent, prop: &ICalendarProperty) -> Option<&'a str> {
    c.property(prop)?.values.first()?.as_text()
}

// ------------------------------------------------------------ the definition

/// Offsets beyond this are nonsense (real ones stay within ±14 h).
const MAX_OFFSET: i32 = 18 * 3600;
const MIN_YEAR: i32 = 1583;
const MAX_YEAR: i32 = 9999;
/// The first sample year, unless the definition starts later.
const FIRST_SAMPLE_YEAR: i32 = 2025;
/// The last first sample year: `chrono-tz` has explicit transitions up to
/// 2037.
const LAST_SAMPLE_YEAR: i32 = 2035;
const SAMPLE_YEARS: i32 = 3;
/// A rule that has not occurred for this many years before an instant
/// counts as ended there (real ones occur every year).
const RULE_LOOKBACK_YEARS: i32 = 30;
/// More observances than this are not a real definition (Mozilla's full
/// histories have a few dozen); refused, to bound the work.
const MAX_OBSERVANCES: usize = 200;

/// One STANDARD or DAYLIGHT sub-component.
#[derive(Debug)]
struct Observance {
    /// Offset before each onset (seconds east of UTC).
    from: i32,
    /// Offset from each onset on.
    to: i32,
    /// DTSTART, local time (in `from`).
    start: NaiveDateTime,
    rule: Option<Rule>,
    /// RDATEs (and a COUNT rule's occurrences), as UTC instants.
    dates: Vec<NaiveDateTime>,
}

/// The subset of RRULE that time zones use.
#[derive(Debug)]
struct Rule {
    interval: i32,
    /// 1–12; empty: DTSTART's month.
    months: Vec<u32>,
    /// (ordinal within the month, 0 for any; weekday).
    days: Vec<(i32, Weekday)>,
    /// ±1–31.
    month_days: Vec<i32>,
    /// The time of day of each onset: DTSTART's, or the one BYHOUR,
    /// BYMINUTE and BYSECOND give (Lotus Notes writes them).
    time: NaiveTime,
    until: Option<Until>,
}

#[derive(Debug, Clone, Copy)]
enum Until {
    Utc(NaiveDateTime),
    Local(NaiveDateTime),
}

/// A VTIMEZONE's observances.
#[derive(Debug)]
struct Definition {
    observances: Vec<Observance>,
}

impl Definition {
    fn read(ical: &ICalendar, vtimezone: &ICalendarComponent) -> Option<Definition> {
        let components: Vec<&ICalendarComponent> = vtimezone
            .component_ids
            .iter()
            .filter_map(|id| ical.components.get(usize::try_from(*id).ok()?))
            .filter(|c| {
                matches!(
                    c.component_type,
                    ICalendarComponentType::Standard | ICalendarComponentType::Daylight
                )
            })
            .collect();
        if components.is_empty() || components.len() > MAX_OBSERVANCES {
            return None;
        }
        let observances = components
            .into_iter()
            .map(Observance::read)
            .collect::<Option<Vec<_>>>()?;
        Some(Definition { observances })
    }

    /// The first sample year (see the module docs).
    fn first_sample_year(&self) -> i32 {
        let latest = self
            .observances
            .iter()
            .map(|o| o.start.year())
            .max()
            .unwrap_or(MIN_YEAR);
        latest
            .saturating_add(1)
            .clamp(FIRST_SAMPLE_YEAR, LAST_SAMPLE_YEAR)
    }

    /// The instants to compare, each with the offset this definition has
    /// there; `None` if it leaves one undefined.
    fn samples(&self) -> Option<Vec<(NaiveDateTime, i32)>> {
        let first = self.first_sample_year();
        let years = first..first + SAMPLE_YEARS;
        let hour = TimeDelta::hours(1);
        // Every onset from a year before the samples on, each with the offset
        // it brings, and the last one before that; in time order (a tie goes
        // to the later observance, as it would in a list read top down).
        let window = NaiveDate::from_ymd_opt(first.checked_sub(1)?, 1, 1)?.and_hms_opt(0, 0, 0)?;
        let mut timeline: Vec<(NaiveDateTime, i32)> = Vec::new();
        let mut transitions = Vec::new();
        for o in &self.observances {
            if let Some(rule) = o.rule.as_ref().filter(|r| r.until.is_none()) {
                // A rule without an end that skips a year is not a time
                // zone's.
                if years
                    .clone()
                    .any(|year| o.rule_onsets(rule, year).is_empty())
                {
                    return None;
                }
            }
            if let Some(before) = window.checked_sub_signed(TimeDelta::seconds(1)) {
                timeline.extend(o.last_onset(before).map(|at| (at, o.to)));
            }
            for year in first - 1..=first + SAMPLE_YEARS {
                let onsets = o.onsets_in(year);
                if years.contains(&year) {
                    transitions.extend(onsets.iter().copied());
                }
                timeline.extend(
                    onsets
                        .into_iter()
                        .filter(|at| *at >= window)
                        .map(|at| (at, o.to)),
                );
            }
        }
        timeline.sort_by_key(|(at, _)| *at);
        let offset_at = |t: NaiveDateTime| {
            let after = timeline.partition_point(|(at, _)| *at <= t);
            after
                .checked_sub(1)
                .and_then(|i| timeline.get(i))
                .map(|(_, to)| *to)
        };
        let mut instants = Vec::new();
        for year in years {
            for month in 1..=12 {
                instants.push(NaiveDate::from_ymd_opt(year, month, 15)?.and_hms_opt(12, 0, 0)?);
            }
        }
        for onset in transitions {
            instants.push(onset.checked_sub_signed(hour)?);
            instants.push(onset.checked_add_signed(hour)?);
        }
        instants.sort_unstable();
        instants.dedup();
        instants
            .into_iter()
            .map(|t| Some((t, offset_at(t)?)))
            .collect()
    }
}

impl Observance {
    fn read(c: &ICalendarComponent) -> Option<Observance> {
        let from = offset(c, &ICalendarProperty::Tzoffsetfrom)?;
        let to = offset(c, &ICalendarProperty::Tzoffsetto)?;
        let start = c
            .property(&ICalendarProperty::Dtstart)?
            .values
            .first()?
            .as_partial_date_time()
            .and_then(local_date_time)?;
        let mut dates = Vec::new();
        for entry in c.properties(&ICalendarProperty::Rdate) {
            for value in &entry.values {
                let at = match value {
                    ICalendarValue::PartialDateTime(p) => p,
                    ICalendarValue::Period(
                        ICalendarPeriod::Range { start, .. }
                        | ICalendarPeriod::Duration { start, .. },
                    ) => start,
                    _ => return None,
                };
                dates.push(instant(at, from)?);
            }
        }
        let mut rules = c.properties(&ICalendarProperty::Rrule);
        let rule = match (rules.next(), rules.next()) {
            (None, _) => None,
            (Some(entry), None) => match entry.values.first() {
                Some(ICalendarValue::RecurrenceRule(r)) => Some(r),
                _ => return None,
            },
            (Some(_), Some(_)) => return None,
        };
        let mut observance = Observance {
            from,
            to,
            start,
            rule: None,
            dates,
        };
        if let Some(r) = rule {
            let parsed = Rule::read(r, from, start.time())?;
            match r.count {
                None => observance.rule = Some(parsed),
                Some(count) => {
                    let occurrences = observance.counted(&parsed, count);
                    observance.dates.extend(occurrences);
                }
            }
        }
        Some(observance)
    }

    fn start_instant(&self) -> Option<NaiveDateTime> {
        self.start
            .checked_sub_signed(TimeDelta::seconds(self.from.into()))
    }

    /// The UTC instants of the rule's occurrences in `year` after DTSTART,
    /// in order, within UNTIL.
    fn rule_onsets(&self, rule: &Rule, year: i32) -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let Some(since) = year.checked_sub(self.start.year()) else {
            return out;
        };
        if since < 0 || since % rule.interval != 0 {
            return out;
        }
        let single = [self.start.month()];
        let months = if rule.months.is_empty() {
            &single[..]
        } else {
            &rule.months[..]
        };
        for &month in months {
            let Some(days) = days_in_month(year, month) else {
                continue;
            };
            for day in 1..=days {
                if !rule.matches(year, month, day, days, self.start.day()) {
                    continue;
                }
                let Some(local) =
                    NaiveDate::from_ymd_opt(year, month, day).map(|d| d.and_time(rule.time))
                else {
                    continue;
                };
                if local <= self.start {
                    continue;
                }
                let Some(at) = local.checked_sub_signed(TimeDelta::seconds(self.from.into()))
                else {
                    continue;
                };
                let within = match rule.until {
                    None => true,
                    Some(Until::Utc(u)) => at <= u,
                    Some(Until::Local(u)) => local <= u,
                };
                if within {
                    out.push(at);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// A COUNT rule's occurrences (DTSTART counts as the first), as far as
    /// they can matter.
    fn counted(&self, rule: &Rule, count: u32) -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let mut left = count.saturating_sub(1);
        let last_year = LAST_SAMPLE_YEAR + SAMPLE_YEARS;
        let mut year = self.start.year();
        while left > 0 && year <= last_year {
            for at in self.rule_onsets(rule, year) {
                if left == 0 {
                    break;
                }
                out.push(at);
                left -= 1;
            }
            year += 1;
        }
        out
    }

    /// Every onset in `year` (UTC instants).
    fn onsets_in(&self, year: i32) -> Vec<NaiveDateTime> {
        let mut out: Vec<NaiveDateTime> = self
            .start_instant()
            .into_iter()
            .chain(self.dates.iter().copied())
            .filter(|t| t.year() == year)
            .collect();
        if let Some(rule) = &self.rule {
            out.extend(self.rule_onsets(rule, year));
        }
        out
    }

    /// The latest onset at or before the UTC instant `t`.
    fn last_onset(&self, t: NaiveDateTime) -> Option<NaiveDateTime> {
        let fixed = self
            .start_instant()
            .into_iter()
            .chain(self.dates.iter().copied())
            .filter(|at| *at <= t)
            .max();
        let ruled = self.rule.as_ref().and_then(|rule| {
            // Local and UTC years differ by at most a day: start a year late.
            let mut newest = t.year().checked_add(1)?;
            if let Some(Until::Utc(u) | Until::Local(u)) = rule.until {
                newest = newest.min(u.year().checked_add(1)?);
            }
            let oldest = self
                .start
                .year()
                .max(newest.saturating_sub(RULE_LOOKBACK_YEARS));
            (oldest..=newest).rev().find_map(|year| {
                self.rule_onsets(rule, year)
                    .into_iter()
                    .rfind(|at| *at <= t)
            })
        });
        fixed.max(ruled)
    }
}

impl Rule {
    fn read(r: &ICalendarRecurrenceRule, from: i32, start: NaiveTime) -> Option<Rule> {
        let supported = r.freq == ICalendarFrequency::Yearly
            && r.bysecond.len() <= 1
            && r.byminute.len() <= 1
            && r.byhour.len() <= 1
            && r.byyearday.is_empty()
            && r.byweekno.is_empty()
            && r.bysetpos.is_empty()
            && r.rscale.is_none()
            && r.skip.is_none()
            // BYDAY without BYMONTH counts weekdays of the whole year.
            && (r.byday.is_empty() || !r.bymonth.is_empty());
        if !supported {
            return None;
        }
        let time = NaiveTime::from_hms_opt(
            r.byhour.first().map_or(start.hour(), |h| u32::from(*h)),
            r.byminute.first().map_or(start.minute(), |m| u32::from(*m)),
            r.bysecond.first().map_or(start.second(), |s| u32::from(*s)),
        )?;
        let interval = i32::from(r.interval.unwrap_or(1));
        if interval == 0 {
            return None;
        }
        let months = r
            .bymonth
            .iter()
            .map(|m| {
                let month = u32::from(m.month());
                (!m.is_leap() && (1..=12).contains(&month)).then_some(month)
            })
            .collect::<Option<Vec<_>>>()?;
        let days = r
            .byday
            .iter()
            .map(|d| {
                let n = i32::from(d.ordwk.unwrap_or(0));
                (-5..=5).contains(&n).then(|| (n, Weekday::from(d.weekday)))
            })
            .collect::<Option<Vec<_>>>()?;
        let month_days = r
            .bymonthday
            .iter()
            .map(|d| {
                let d = i32::from(*d);
                (d != 0 && (-31..=31).contains(&d)).then_some(d)
            })
            .collect::<Option<Vec<_>>>()?;
        let until = match &r.until {
            None => None,
            Some(u) if u.tz_hour.is_some() => Some(Until::Utc(instant(u, from)?)),
            Some(u) => Some(Until::Local(local_date_time_or_end_of_day(u)?)),
        };
        Some(Rule {
            interval,
            months,
            days,
            month_days,
            time,
            until,
        })
    }

    /// Whether `year-month-day` (`days` in the month) is an occurrence date.
    fn matches(&self, year: i32, month: u32, day: u32, days: u32, start_day: u32) -> bool {
        if self.days.is_empty() && self.month_days.is_empty() {
            return day == start_day;
        }
        let (Ok(d), Ok(len)) = (i32::try_from(day), i32::try_from(days)) else {
            return false;
        };
        let month_day_ok = self.month_days.is_empty()
            || self.month_days.iter().any(|&m| m == d || m == d - len - 1);
        let weekday = NaiveDate::from_ymd_opt(year, month, day).map(|date| date.weekday());
        let day_ok = self.days.is_empty()
            || self.days.iter().any(|&(n, wd)| {
                Some(wd) == weekday
                    && match n {
                        0 => true,
                        n if n > 0 => (d - 1) / 7 + 1 == n,
                        n => (len - d) / 7 + 1 == -n,
                    }
            });
        month_day_ok && day_ok
    }
}

/// A UTC-OFFSET value in seconds, within ±18 h.
fn offset(c: &ICalendarComponent, prop: &ICalendarProperty) -> Option<i32> {
    let value = c.property(prop)?.values.first()?.as_partial_date_time()?;
    let seconds = i32::from(value.tz_hour?) * 3600 + i32::from(value.tz_minute.unwrap_or(0)) * 60;
    let seconds = if value.tz_minus { -seconds } else { seconds };
    (seconds.abs() <= MAX_OFFSET && value.tz_minute.unwrap_or(0) < 60).then_some(seconds)
}

/// A date or date-time value as written (its time, if any, is local).
fn local_date_time(p: &PartialDateTime) -> Option<NaiveDateTime> {
    let date = date(p)?;
    let time = NaiveTime::from_hms_opt(
        p.hour.unwrap_or(0).into(),
        p.minute.unwrap_or(0).into(),
        p.second.unwrap_or(0).into(),
    )?;
    Some(date.and_time(time))
}

fn local_date_time_or_end_of_day(p: &PartialDateTime) -> Option<NaiveDateTime> {
    if p.hour.is_some() {
        local_date_time(p)
    } else {
        date(p)?.and_hms_opt(23, 59, 59)
    }
}

fn date(p: &PartialDateTime) -> Option<NaiveDate> {
    let year = i32::from(p.year?);
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, p.month?.into(), p.day?.into())
}

/// A date-time value as a UTC instant: `…Z` as written, a local one read
/// with `local_offset`.
fn instant(p: &PartialDateTime, local_offset: i32) -> Option<NaiveDateTime> {
    let local = local_date_time(p)?;
    let offset = match p.tz_hour {
        None => local_offset,
        Some(h) => {
            let s = i32::from(h) * 3600 + i32::from(p.tz_minute.unwrap_or(0)) * 60;
            if p.tz_minus {
                -s
            } else {
                s
            }
        }
    };
    local.checked_sub_signed(TimeDelta::seconds(offset.into()))
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    u32::try_from(next.signed_duration_since(first).num_days()).ok()
}

// ------------------------------------------------------------ the choice

/// The zone that agrees with `definition`, chosen as the module docs say;
/// `hints` are the TZID and X-LIC-LOCATION texts.
fn matching_zone(definition: &Definition, hints: &[&str]) -> Option<Tz> {
    let samples = definition.samples()?;
    let (&(_, first_offset), rest) = samples.split_first()?;
    let fixed = rest.iter().all(|(_, o)| *o == first_offset);
    let agrees = |tz: Tz| {
        samples
            .iter()
            .all(|(t, o)| tz.offset_from_utc_datetime(t).fix().local_minus_utc() == *o)
    };
    // Cheap filter first: the offsets at two samples half a year apart.
    let quick: Vec<(NaiveDateTime, i32)> = [0, 6]
        .iter()
        .filter_map(|i| {
            samples
                .iter()
                .find(|(t, _)| t.month() == i + 1 && t.day() == 15)
        })
        .copied()
        .collect();
    let plausible = |tz: &Tz| {
        quick
            .iter()
            .all(|(t, o)| tz.offset_from_utc_datetime(t).fix().local_minus_utc() == *o)
    };
    let hints: Vec<String> = hints.iter().map(|h| h.to_lowercase()).collect();
    let named = |tz: &Tz| hints.iter().any(|h| names_city(h, tz.name()));

    let mut first_agreeing = None;
    for tz in PREFERENCE.iter().filter(|tz| plausible(tz)) {
        if first_agreeing.is_some() && !named(tz) {
            continue;
        }
        if agrees(*tz) {
            if named(tz) {
                return Some(*tz);
            }
            first_agreeing = Some(*tz);
        }
    }
    if fixed && first_offset % 3600 == 0 {
        if let Some(tz) = fixed_zone(first_offset) {
            return Some(tz);
        }
    }
    first_agreeing
}

/// `Etc/GMT±N` (POSIX signs: `Etc/GMT-1` is one hour east), `UTC` for 0.
fn fixed_zone(seconds_east: i32) -> Option<Tz> {
    if seconds_east == 0 {
        return Some(chrono_tz::UTC);
    }
    let hours = seconds_east / 3600;
    let sign = if hours > 0 { '-' } else { '+' };
    Tz::from_str(&format!("Etc/GMT{sign}{}", hours.abs())).ok()
}

/// Whether `text` (in lower case) names the city of `zone` (its last
/// segment, `_` read as a space) as a whole word, in any letter case.
fn names_city(text: &str, zone: &str) -> bool {
    let city = zone
        .rsplit('/')
        .next()
        .unwrap_or(zone)
        .replace('_', " ")
        .to_lowercase();
    if city.is_empty() {
        return false;
    }
    text.match_indices(&city).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + city.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

const REGIONS: [&str; 10] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// Region zones in order of preference (rule 3 of the module docs).
static PREFERENCE: LazyLock<Vec<Tz>> = LazyLock::new(|| {
    let windows: Vec<Option<WindowsTimezone>> = TZ_VARIANTS
        .iter()
        .map(|tz| WindowsTimezone::try_from(*tz).ok())
        .collect();
    let members = |w: WindowsTimezone| windows.iter().filter(|x| **x == Some(w)).count();
    let places = |w: WindowsTimezone| {
        let description = w.description();
        let list = description.split_once(") ").map_or(description, |(_, l)| l);
        list.split(',').count()
    };
    let mut ranked: Vec<(usize, Tz, (bool, usize, usize))> = TZ_VARIANTS
        .iter()
        .zip(&windows)
        .enumerate()
        .filter(|(_, (tz, _))| {
            tz.name()
                .split_once('/')
                .is_some_and(|(region, _)| REGIONS.contains(&region))
        })
        .map(|(i, (tz, w))| {
            let rank = match w {
                Some(w) if Tz::from(*w) == *tz => (true, members(*w), places(*w)),
                _ => (false, 0, 0),
            };
            (i, *tz, rank)
        })
        .collect();
    ranked.sort_by(|(i, _, a), (j, _, b)| b.cmp(a).then(i.cmp(j)));
    ranked.into_iter().map(|(_, tz, _)| tz).collect()
});

#[cfg(test)]
mod tests {
    use super::*;
    use calcard::{Entry, Parser};

    /// `input` is a VTIMEZONE (lines separated by `\n`) or, if it does not
    /// start with `BEGIN:`, a TZID text; `expect` the zone's name.
    fn check(input: &str, expect: Option<&str>) {
        let got = if input.starts_with("BEGIN:") {
            let text = input.replace('\n', "\r\n");
            let Entry::ICalendar(ical) = Parser::new(&text).entry() else {
                panic!("{input}: not iCalendar");
            };
            let tz = ical.components.first().expect("a component");
            zone_of(&ical, tz)
        } else {
            zone_named(input)
        };
        assert_eq!(got.map(|tz| tz.name()), expect, "{input}");
    }

    fn vtimezone(tzid: &str, observances: &str) -> String {
        format!("BEGIN:VTIMEZONE\nTZID:{tzid}\n{observances}\nEND:VTIMEZONE")
    }

    /// Outlook's rules for (UTC+01:00) Amsterdam, Berlin, …
    const BERLIN: &str = "BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+0200\n\
        TZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n\
        BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n\
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT";
    const EASTERN: &str = "BEGIN:DAYLIGHT\nDTSTART:20070311T020000\nTZOFFSETFROM:-0500\n\
        TZOFFSETTO:-0400\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZNAME:EDT\nEND:DAYLIGHT\n\
        BEGIN:STANDARD\nDTSTART:20071104T020000\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\n\
        RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZNAME:EST\nEND:STANDARD";
    const SYDNEY: &str = "BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+1100\n\
        TZOFFSETTO:+1000\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4\nEND:STANDARD\n\
        BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+1000\nTZOFFSETTO:+1100\n\
        RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10\nEND:DAYLIGHT";
    const INDIA: &str = "BEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETFROM:+0530\n\
        TZOFFSETTO:+0530\nEND:STANDARD";

    #[test]
    fn names() {
        check("Europe/lisbon", Some("Europe/Lisbon"));
        check("EUROPE/BERLIN", Some("Europe/Berlin"));
        check(
            "/freeassociation.sourceforge.net/Europe/Berlin",
            Some("Europe/Berlin"),
        );
        check(
            "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
            Some("Europe/Berlin"),
        );
        check(
            "/mozilla.org/20050126_1/America/Argentina/Buenos_Aires",
            Some("America/Argentina/Buenos_Aires"),
        );
        check(
            "/freeassociation.sourceforge.net/America/Argentina/Buenos_Aires",
            Some("America/Argentina/Buenos_Aires"),
        );
        check(
            "/citadel.org/20250101_1/europe/vienna",
            Some("Europe/Vienna"),
        );
        check("Mars/Olympus", None);
        check("Europe/Berlin/", None);
        check("", None);
        check("/", None);
        check("Mitteleuropäische Zeit", None);
    }

    #[test]
    fn vtimezones_by_name() {
        check(&vtimezone("Europe/lisbon", ""), Some("Europe/Lisbon"));
        check(
            &vtimezone(
                "Kanzlei",
                "X-LIC-LOCATION:/freeassociation.sourceforge.net/Europe/Vienna",
            ),
            Some("Europe/Vienna"),
        );
    }

    #[test]
    fn vtimezones_by_rules() {
        check(
            &vtimezone("Customized Time Zone", BERLIN),
            Some("Europe/Berlin"),
        );
        check(
            &vtimezone("Mitteleuropäische Zeit", BERLIN),
            Some("Europe/Berlin"),
        );
        // A city in the name picks among the zones that agree.
        check(
            &vtimezone("(UTC+01:00) Brüssel, Kopenhagen, Madrid, Paris", BERLIN),
            Some("Europe/Paris"),
        );
        check(&vtimezone("Rome (Lotus)", BERLIN), Some("Europe/Rome"));
        // Lotus Notes gives the time of day in the rule.
        check(
            &vtimezone(
                "W. Europe Lotus",
                "BEGIN:STANDARD\nDTSTART:19501029T020000\nTZOFFSETFROM:+0200\n\
                 TZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=3;BYDAY=-1SU;BYMONTH=10\n\
                 END:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:19500326T020000\nTZOFFSETFROM:+0100\n\
                 TZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=2;BYDAY=-1SU;BYMONTH=3\n\
                 END:DAYLIGHT",
            ),
            Some("Europe/Berlin"),
        );
        // A named city whose clocks differ is not taken.
        check(&vtimezone("London", BERLIN), Some("Europe/Berlin"));
        check(&vtimezone("US-Ost", EASTERN), Some("America/New_York"));
        check(
            &vtimezone("Ostaustralien", SYDNEY),
            Some("Australia/Sydney"),
        );
        check(&vtimezone("Indien", INDIA), Some("Asia/Calcutta"));
        // The US rule written with BYMONTHDAY (second Sunday = 8th–14th).
        check(
            &vtimezone(
                "Eastern",
                &EASTERN.replace("BYDAY=2SU", "BYMONTHDAY=8,9,10,11,12,13,14;BYDAY=SU"),
            ),
            Some("America/New_York"),
        );
        // Rules as RDATEs (Mozilla's historic style), enough for the sample
        // years.
        check(
            &vtimezone(
                "Lotus CET",
                "BEGIN:DAYLIGHT\nDTSTART:20250330T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n\
                 RDATE:20260329T020000,20270328T020000,20280326T020000\nEND:DAYLIGHT\n\
                 BEGIN:STANDARD\nDTSTART:20241027T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n\
                 RDATE:20251026T030000,20261025T030000,20271031T030000,20281029T030000\n\
                 END:STANDARD",
            ),
            Some("Europe/Berlin"),
        );
        // One last transition (DST abolished in 2026): fixed from then on.
        check(
            &vtimezone(
                "Kein Sommer",
                "BEGIN:STANDARD\nDTSTART:20261025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n\
                 END:STANDARD",
            ),
            Some("Etc/GMT-1"),
        );
    }

    #[test]
    fn fixed_offsets() {
        let fixed = |offset: &str| {
            format!(
                "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:{offset}\n\
                 TZOFFSETTO:{offset}\nEND:STANDARD"
            )
        };
        // Whole hours: Etc, whose offset never changes, as the file says.
        check(&vtimezone("Plus Eins", &fixed("+0100")), Some("Etc/GMT-1"));
        check(&vtimezone("Minus Fünf", &fixed("-0500")), Some("Etc/GMT+5"));
        check(&vtimezone("Null", &fixed("+0000")), Some("UTC"));
        // ... unless the name says where.
        check(&vtimezone("Lagos", &fixed("+0100")), Some("Africa/Lagos"));
        check(&vtimezone("Nepal", &fixed("+0545")), Some("Asia/Katmandu"));
        // A DST zone's winter offset alone is not that zone.
        check(&vtimezone("Berlin", &fixed("+0100")), Some("Etc/GMT-1"));
        // No IANA zone has +01:17.
        check(&vtimezone("Seltsam", &fixed("+0117")), None);
    }

    #[test]
    fn nonsense_stays_unmapped() {
        for (tzid, observances) in [
            ("Leer", ""),
            ("Nur Text", "X-FOO:bar"),
            (
                "Neunundneunzig",
                "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\n\
                 TZOFFSETTO:+9900\nEND:STANDARD",
            ),
            (
                "Ohne Versatz",
                "BEGIN:STANDARD\nDTSTART:19700101T000000\nEND:STANDARD",
            ),
            (
                "Ohne Beginn",
                "BEGIN:STANDARD\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD",
            ),
            (
                "Jahr Null",
                "BEGIN:STANDARD\nDTSTART:00000101T000000\nTZOFFSETFROM:+0100\n\
                 TZOFFSETTO:+0100\nEND:STANDARD",
            ),
            (
                "Jahr Null mit Regel",
                &BERLIN.replace("16010101", "00000101"),
            ),
            ("Regelmüll", &BERLIN.replace("FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "FREQ=YEARLY;;BYDAY=SU99;BYMONTH=13")),
            ("Regeltext", &BERLIN.replace("RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "RRULE:jeden letzten Sonntag im März")),
            ("Monatlich", &BERLIN.replace("FREQ=YEARLY", "FREQ=MONTHLY")),
            ("Setpos", &BERLIN.replace("INTERVAL=1", "BYSETPOS=1")),
            ("Zwei Stunden", &BERLIN.replace("INTERVAL=1", "BYHOUR=1,2")),
            ("Stunde 25", &BERLIN.replace("INTERVAL=1", "BYHOUR=25")),
            ("Ordinal sechs", &BERLIN.replace("-1SU", "6SU")),
            ("Tag 31 Februar", &BERLIN.replace("BYDAY=-1SU;BYMONTH=3", "BYMONTHDAY=31;BYMONTH=2")),
            ("Zukunft", &BERLIN.replace("16010101", "22000101")),
            ("Zwei Regeln", &BERLIN.replace("RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4")),
            ("RDATE Müll", "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nRDATE:gestern\nEND:STANDARD"),
            ("Riesig", "BEGIN:STANDARD\nDTSTART:99991231T235959\nTZOFFSETFROM:-1800\nTZOFFSETTO:+1800\nRRULE:FREQ=YEARLY;COUNT=4294967295;UNTIL=99991231T235959Z\nEND:STANDARD"),
        ] {
            check(&vtimezone(tzid, observances), None);
        }
    }

    #[test]
    fn count_and_until_bound_the_rule() {
        // Summer time that ended (its DAYLIGHT rule bounded by COUNT or
        // UNTIL) before the sample years: the standard offset alone since.
        let ended = |bound: &str| {
            vtimezone(
                "Früher Sommer",
                &format!(
                    "BEGIN:STANDARD\nDTSTART:19961027T030000\nTZOFFSETFROM:+0200\n\
                     TZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n\
                     END:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:19970330T020000\n\
                     TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n\
                     RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3;{bound}\nEND:DAYLIGHT"
                ),
            )
        };
        check(&ended("COUNT=10"), Some("Etc/GMT-1"));
        check(&ended("UNTIL=20100101T000000Z"), Some("Etc/GMT-1"));
        check(&ended("COUNT=100"), Some("Europe/Berlin"));
        check(&ended("UNTIL=20990101T000000Z"), Some("Europe/Berlin"));
    }

    /// Not a timed assertion: prints what one match costs, which decided
    /// the memo (about 2 ms in a debug build; a memo hit some microseconds).
    #[test]
    fn what_a_match_costs() {
        let text = vtimezone("Customized Time Zone", BERLIN).replace('\n', "\r\n");
        let Entry::ICalendar(ical) = Parser::new(&text).entry() else {
            panic!("not iCalendar");
        };
        let tz = ical.components.first().expect("a component");
        let berlin = Some(chrono_tz::Europe::Berlin);
        assert_eq!(zone_of(&ical, tz), berlin); // builds the preference list
        let runs = 50;
        let started = std::time::Instant::now();
        for _ in 0..runs {
            let definition = Definition::read(&ical, tz).expect("a definition");
            assert_eq!(
                matching_zone(&definition, &["Customized Time Zone"]),
                berlin
            );
        }
        let matched = started.elapsed() / runs;
        let started = std::time::Instant::now();
        for _ in 0..runs {
            assert_eq!(zone_of(&ical, tz), berlin);
        }
        let memoised = started.elapsed() / runs;
        eprintln!("one match: {matched:?}; from the memo: {memoised:?}");
    }

    /// Random definitions (a fixed seed: the same ones every run) never
    /// panic, whatever their offsets, dates and rules.
    #[test]
    fn random_definitions_never_panic() {
        let mut state: u64 = 0x5eed_cafe;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        // Mostly sensible values, so that most definitions get to matching.
        let offsets = [
            "+0100", "+0200", "+0100", "+0200", "-0500", "-0400", "+0000", "+1000", "+1100",
            "+0100", "-0500", "+0530", "+9900", "-2400", "+0060", "0100", "+01",
        ];
        let dates = [
            "16010101T030000",
            "16010101T020000",
            "19700329T020000",
            "19701025T030000",
            "20251026T030000",
            "20270328T020000",
            "16010101T030000",
            "00000101T000000",
            "99991231T235959",
            "20270229T020000",
            "20261025T030000",
            "19700101",
            "2026",
            "20261325T250000",
        ];
        let rules = [
            "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1,29,30,31",
            "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYDAY=SU",
            "FREQ=YEARLY;BYMONTH=10;BYDAY=5SU;COUNT=4294967295",
            "FREQ=YEARLY;BYMONTH=10;BYDAY=-5MO;UNTIL=99991231T235959Z",
            "FREQ=YEARLY;INTERVAL=65535;BYMONTH=12;BYMONTHDAY=31",
            "FREQ=YEARLY;BYMONTH=3;BYDAY=1SU;UNTIL=00000101",
            "FREQ=DAILY;COUNT=1000000",
            "FREQ=YEARLY;BYDAY=53SU",
        ];
        for round in 0..2000 {
            let mut observances = String::new();
            for _ in 0..next(4) {
                let kind = ["STANDARD", "DAYLIGHT"][next(2) as usize];
                observances += &format!(
                    "BEGIN:{kind}\nDTSTART:{}\nTZOFFSETFROM:{}\nTZOFFSETTO:{}\n",
                    dates[next(dates.len() as u64) as usize],
                    offsets[next(offsets.len() as u64) as usize],
                    offsets[next(offsets.len() as u64) as usize],
                );
                if next(3) > 0 {
                    observances += &format!("RRULE:{}\n", rules[next(rules.len() as u64) as usize]);
                }
                if next(4) == 0 {
                    observances += &format!("RDATE:{}\n", dates[next(dates.len() as u64) as usize]);
                }
                observances += &format!("END:{kind}\n");
            }
            let text = vtimezone(&format!("Zufall {round}"), &observances).replace('\n', "\r\n");
            if let Entry::ICalendar(ical) = Parser::new(&text).entry() {
                if let Some(tz) = ical.components.first() {
                    let _ = zone_of(&ical, tz);
                }
            }
        }
    }
}

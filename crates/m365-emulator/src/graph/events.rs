//! Event times: where an event or an occurrence sits in time, expansion of
//! series into occurrences for `calendarView`, and rendering of `start`/`end`
//! in the zone the client asked for with `Prefer: outlook.timezone`.
//! <https://learn.microsoft.com/en-us/graph/api/user-list-calendarview>
//! <https://learn.microsoft.com/en-us/graph/api/event-get> (Prefer header)

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde_json::{json, Value};

use super::recur::Recurrence;
use super::store::Item;
use super::tz::{self, Zone};

/// One entry of a calendar view: a single event, or one occurrence of a series.
#[derive(Debug, Clone)]
pub struct Instance<'a> {
    pub item: &'a Item,
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The occurrence's date in the series' zone, for occurrences.
    pub occurrence: Option<NaiveDate>,
}

/// Stored wall time and zone of `start` or `end`.
pub fn local(item: &Item, key: &str) -> Option<(NaiveDateTime, Zone)> {
    let v = item.props.get(key)?;
    let t = tz::parse_local(v["dateTime"].as_str()?)?;
    let z = tz::resolve(v["timeZone"].as_str()?)?;
    Some((t, z))
}

pub fn is_all_day(item: &Item) -> bool {
    item.props.get("isAllDay") == Some(&Value::Bool(true))
}

pub fn is_series(item: &Item) -> bool {
    item.props.get("recurrence").is_some_and(|r| !r.is_null())
}

/// The occurrence id: the master id and the occurrence date. Real Graph ids
/// are opaque; these are too for clients, and stable.
pub fn occurrence_id(master: &str, date: NaiveDate) -> String {
    format!("{master}.{}", date.format("%Y%m%d"))
}

pub fn split_occurrence_id(id: &str) -> Option<(&str, NaiveDate)> {
    let (master, date) = id.rsplit_once('.')?;
    let date = NaiveDate::parse_from_str(date, "%Y%m%d").ok()?;
    Some((master, date))
}

fn span(item: &Item) -> Option<(NaiveDateTime, Zone, DateTime<Utc>, DateTime<Utc>)> {
    let (s, sz) = local(item, "start")?;
    let (e, ez) = local(item, "end")?;
    Some((s, sz, sz.to_utc(s), ez.to_utc(e)))
}

fn overlaps(start: DateTime<Utc>, end: DateTime<Utc>, w: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    if start == end {
        start >= w.0 && start < w.1
    } else {
        start < w.1 && end > w.0
    }
}

/// Every occurrence of a series (dates only), up to `until`.
fn occurrence_starts(
    item: &Item,
    until: NaiveDate,
) -> Vec<(NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let Some((s, zone, su, eu)) = span(item) else {
        return vec![];
    };
    let Some(rec) = item
        .props
        .get("recurrence")
        .and_then(|r| Recurrence::parse(r).ok())
    else {
        return vec![];
    };
    let duration: Duration = eu - su;
    rec.dates(until)
        .into_iter()
        .map(|d| {
            let start = zone.to_utc(d.and_time(s.time()));
            (d, start, start + duration)
        })
        .collect()
}

/// The instances of `item` that overlap the window `w`.
pub fn instances(item: &Item, w: (DateTime<Utc>, DateTime<Utc>)) -> Vec<Instance<'_>> {
    let Some((_, zone, su, eu)) = span(item) else {
        return vec![];
    };
    if !is_series(item) {
        return if overlaps(su, eu, w) {
            vec![Instance {
                item,
                id: item.id.clone(),
                start: su,
                end: eu,
                occurrence: None,
            }]
        } else {
            vec![]
        };
    }
    let until = zone.to_local(w.1).date() + Duration::days(1);
    occurrence_starts(item, until)
        .into_iter()
        .filter(|(_, s, e)| overlaps(*s, *e, w))
        .map(|(d, s, e)| Instance {
            item,
            id: occurrence_id(&item.id, d),
            start: s,
            end: e,
            occurrence: Some(d),
        })
        .collect()
}

/// The occurrence of `master` on `date`, if the series has one then.
pub fn occurrence(master: &Item, date: NaiveDate) -> Option<Instance<'_>> {
    occurrence_starts(master, date)
        .into_iter()
        .find(|(d, _, _)| *d == date)
        .map(|(d, s, e)| Instance {
            item: master,
            id: occurrence_id(&master.id, d),
            start: s,
            end: e,
            occurrence: Some(d),
        })
}

/// `start`/`end` as Graph returns them in the requested zone. All-day
/// events stay midnight-to-midnight whatever the zone (Microsoft:
/// <https://github.com/microsoftgraph/microsoft-graph-docs/issues/1802>).
pub fn render_times(
    out: &mut serde_json::Map<String, Value>,
    item: &Item,
    inst: Option<&Instance<'_>>,
    zone: &(String, Zone),
) {
    let Some((s, sz, su, eu)) = span(item) else {
        return;
    };
    let (start_utc, end_utc) = inst.map(|i| (i.start, i.end)).unwrap_or((su, eu));
    if is_all_day(item) {
        let (e, _) = local(item, "end").unwrap_or((s, sz));
        let days = e.date() - s.date();
        let first = inst.and_then(|i| i.occurrence).unwrap_or(s.date());
        let start = first.and_hms_opt(0, 0, 0).unwrap_or(s);
        let end = start + days;
        out.insert(
            "start".into(),
            json!({"dateTime": tz::format_local(start), "timeZone": zone.0}),
        );
        out.insert(
            "end".into(),
            json!({"dateTime": tz::format_local(end), "timeZone": zone.0}),
        );
    } else {
        out.insert(
            "start".into(),
            json!({"dateTime": tz::format_local(zone.1.to_local(start_utc)), "timeZone": zone.0}),
        );
        out.insert(
            "end".into(),
            json!({"dateTime": tz::format_local(zone.1.to_local(end_utc)), "timeZone": zone.0}),
        );
    }
    let original = |key: &str| {
        item.props
            .get(key)
            .and_then(|v| v["timeZone"].as_str())
            .unwrap_or("UTC")
            .to_string()
    };
    out.entry("originalStartTimeZone")
        .or_insert_with(|| json!(original("start")));
    out.entry("originalEndTimeZone")
        .or_insert_with(|| json!(original("end")));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(props: Value) -> Item {
        Item {
            id: "E1".into(),
            parent_id: String::new(),
            change_key: "ck".into(),
            created: Utc::now(),
            modified: Utc::now(),
            seq: 1,
            props: props.as_object().unwrap().clone(),
            extended: vec![],
            extensions: vec![],
            linked_resources: vec![],
            user_made: false,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        Utc.from_utc_datetime(&tz::parse_local(s).unwrap())
    }

    /// Instances of an event in a window → (id, start UTC).
    #[track_caller]
    fn check(props: Value, window: (&str, &str), expect: &[(&str, &str)]) {
        let item = event(props);
        let got: Vec<(String, String)> = instances(&item, (utc(window.0), utc(window.1)))
            .iter()
            .map(|i| (i.id.clone(), i.start.format("%Y-%m-%dT%H:%M").to_string()))
            .collect();
        let expect: Vec<(String, String)> = expect
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn calendar_view_instances() {
        let single = json!({"start": {"dateTime": "2024-06-06T09:00:00", "timeZone": "W. Europe Standard Time"},
                            "end": {"dateTime": "2024-06-06T10:00:00", "timeZone": "W. Europe Standard Time"}});
        check(
            single.clone(),
            ("2024-06-06T00:00:00", "2024-06-07T00:00:00"),
            &[("E1", "2024-06-06T07:00")],
        );
        check(single, ("2024-06-06T08:00:00", "2024-06-07T00:00:00"), &[]);
        // A weekly series crossing the DST change keeps 09:00 local.
        let weekly = json!({"start": {"dateTime": "2024-10-21T09:00:00", "timeZone": "Europe/Berlin"},
                            "end": {"dateTime": "2024-10-21T09:30:00", "timeZone": "Europe/Berlin"},
                            "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                                           "range": {"type": "numbered", "startDate": "2024-10-21", "numberOfOccurrences": 3}}});
        check(
            weekly,
            ("2024-10-01T00:00:00", "2024-12-01T00:00:00"),
            &[
                ("E1.20241021", "2024-10-21T07:00"),
                ("E1.20241028", "2024-10-28T08:00"),
                ("E1.20241104", "2024-11-04T08:00"),
            ],
        );
    }
}

//! Expansion of Graph's `patternedRecurrence` into occurrence dates, for
//! `calendarView`. Pure: the caller gives the last date of interest.
//! <https://learn.microsoft.com/en-us/graph/api/resources/patternedrecurrence>
//! <https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern>
//! <https://learn.microsoft.com/en-us/graph/api/resources/recurrencerange>

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Pattern {
    Daily,
    Weekly {
        days: Vec<Weekday>,
        first: Weekday,
    },
    AbsoluteMonthly {
        day: u32,
    },
    RelativeMonthly {
        days: Vec<Weekday>,
        index: Index,
    },
    AbsoluteYearly {
        day: u32,
        month: u32,
    },
    RelativeYearly {
        days: Vec<Weekday>,
        index: Index,
        month: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Index {
    Nth(u32),
    Last,
}

#[derive(Debug, Clone, PartialEq)]
enum End {
    Date(NaiveDate),
    Count(u32),
    Never,
}

/// A parsed, validated recurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    pattern: Pattern,
    interval: u32,
    start: NaiveDate,
    end: End,
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.to_ascii_lowercase().as_str() {
        "sunday" => Weekday::Sun,
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        _ => return None,
    })
}

fn days_of_week(p: &Value) -> Result<Vec<Weekday>, String> {
    let days: Vec<Weekday> = p["daysOfWeek"]
        .as_array()
        .ok_or("daysOfWeek is required for this pattern type")?
        .iter()
        .map(|d| {
            d.as_str()
                .and_then(weekday)
                .ok_or("invalid daysOfWeek value")
        })
        .collect::<Result<_, _>>()?;
    if days.is_empty() {
        return Err("daysOfWeek must not be empty".into());
    }
    Ok(days)
}

fn index(p: &Value) -> Result<Index, String> {
    Ok(match p["index"].as_str().unwrap_or("first") {
        "first" => Index::Nth(1),
        "second" => Index::Nth(2),
        "third" => Index::Nth(3),
        "fourth" => Index::Nth(4),
        "last" => Index::Last,
        _ => return Err("invalid index value".into()),
    })
}

fn uint(p: &Value, key: &str) -> Result<u32, String> {
    p[key]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{key} is required and must be a positive integer"))
}

fn date(v: &Value, key: &str) -> Result<NaiveDate, String> {
    v[key]
        .as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or_else(|| format!("{key} must be a date (yyyy-MM-dd)"))
}

impl Recurrence {
    /// Parse `{pattern, range}`; the message says what is wrong.
    pub fn parse(v: &Value) -> Result<Recurrence, String> {
        let p = &v["pattern"];
        let r = &v["range"];
        let interval = uint(p, "interval")?;
        let pattern = match p["type"].as_str().unwrap_or_default() {
            "daily" => Pattern::Daily,
            "weekly" => Pattern::Weekly {
                days: days_of_week(p)?,
                first: p["firstDayOfWeek"]
                    .as_str()
                    .map(|s| weekday(s).ok_or("invalid firstDayOfWeek"))
                    .transpose()?
                    .unwrap_or(Weekday::Sun),
            },
            "absoluteMonthly" => Pattern::AbsoluteMonthly {
                day: uint(p, "dayOfMonth")?,
            },
            "relativeMonthly" => Pattern::RelativeMonthly {
                days: days_of_week(p)?,
                index: index(p)?,
            },
            "absoluteYearly" => Pattern::AbsoluteYearly {
                day: uint(p, "dayOfMonth")?,
                month: uint(p, "month")?,
            },
            "relativeYearly" => Pattern::RelativeYearly {
                days: days_of_week(p)?,
                index: index(p)?,
                month: uint(p, "month")?,
            },
            other => return Err(format!("unsupported recurrence pattern type '{other}'")),
        };
        let start = date(r, "startDate")?;
        let end = match r["type"].as_str().unwrap_or_default() {
            "endDate" => End::Date(date(r, "endDate")?),
            "numbered" => End::Count(uint(r, "numberOfOccurrences")?),
            "noEnd" => End::Never,
            other => return Err(format!("unsupported recurrence range type '{other}'")),
        };
        Ok(Recurrence {
            pattern,
            interval,
            start,
            end,
        })
    }

    pub fn start_date(&self) -> NaiveDate {
        self.start
    }

    /// Occurrence dates from the range start up to and including `until`.
    pub fn dates(&self, until: NaiveDate) -> Vec<NaiveDate> {
        let last = match self.end {
            End::Date(d) => d.min(until),
            _ => until,
        };
        let max = match self.end {
            End::Count(n) => n as usize,
            _ => usize::MAX,
        };
        let mut out = Vec::new();
        let mut period = 0u32;
        // Each step is one period (day, week, month, year) × interval.
        while out.len() < max {
            let candidates = self.period_dates(period);
            let Some(first) = candidates
                .first()
                .copied()
                .or_else(|| self.period_start(period))
            else {
                break;
            };
            if first > last && candidates.iter().all(|d| *d > last) {
                break;
            }
            for d in candidates {
                if d >= self.start && d <= last && out.len() < max {
                    out.push(d);
                }
            }
            period += 1;
            if period > 200_000 {
                break;
            }
        }
        out
    }

    fn period_start(&self, period: u32) -> Option<NaiveDate> {
        let n = period.checked_mul(self.interval)?;
        match &self.pattern {
            Pattern::Daily => self.start.checked_add_days(Days::new(n.into())),
            Pattern::Weekly { first, .. } => {
                let back = (self.start.weekday().num_days_from_sunday() + 7
                    - first.num_days_from_sunday())
                    % 7;
                let week0 = self.start - Days::new(back.into());
                week0.checked_add_days(Days::new(u64::from(n) * 7))
            }
            Pattern::AbsoluteMonthly { .. } | Pattern::RelativeMonthly { .. } => {
                self.start.with_day(1)?.checked_add_months(Months::new(n))
            }
            Pattern::AbsoluteYearly { .. } | Pattern::RelativeYearly { .. } => self
                .start
                .with_day(1)?
                .checked_add_months(Months::new(n * 12)),
        }
    }

    fn period_dates(&self, period: u32) -> Vec<NaiveDate> {
        let Some(p0) = self.period_start(period) else {
            return vec![];
        };
        match &self.pattern {
            Pattern::Daily => vec![p0],
            Pattern::Weekly { days, .. } => {
                let mut v: Vec<NaiveDate> = (0..7u64)
                    .map(|i| p0 + Days::new(i))
                    .filter(|d| days.contains(&d.weekday()))
                    .collect();
                v.sort();
                v
            }
            Pattern::AbsoluteMonthly { day } => p0.with_day(*day).into_iter().collect(),
            Pattern::RelativeMonthly { days, index } => relative(p0, days, *index),
            Pattern::AbsoluteYearly { day, month } => {
                NaiveDate::from_ymd_opt(p0.year(), *month, *day)
                    .into_iter()
                    .collect()
            }
            Pattern::RelativeYearly { days, index, month } => {
                NaiveDate::from_ymd_opt(p0.year(), *month, 1)
                    .map(|m| relative(m, days, *index))
                    .unwrap_or_default()
            }
        }
    }
}

/// The `index`-th day of the month starting at `month_start` whose weekday
/// is one of `days`.
fn relative(month_start: NaiveDate, days: &[Weekday], index: Index) -> Vec<NaiveDate> {
    let matching: Vec<NaiveDate> = month_start
        .iter_days()
        .take_while(|d| d.month() == month_start.month())
        .filter(|d| days.contains(&d.weekday()))
        .collect();
    let pick = match index {
        Index::Nth(n) => matching.get(n as usize - 1),
        Index::Last => matching.last(),
    };
    pick.copied().into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(recurrence: Value, until: &str, expect: &[&str]) {
        let r = Recurrence::parse(&recurrence).expect("valid recurrence");
        let until = NaiveDate::parse_from_str(until, "%Y-%m-%d").unwrap();
        let got: Vec<String> = r.dates(until).iter().map(|d| d.to_string()).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn expands_the_documented_patterns_and_ranges() {
        // Daily, every 2 days, numbered.
        check(
            json!({"pattern":{"type":"daily","interval":2},
                   "range":{"type":"numbered","startDate":"2024-06-03","numberOfOccurrences":3}}),
            "2024-12-31",
            &["2024-06-03", "2024-06-05", "2024-06-07"],
        );
        // Weekly on Mon+Thu until an end date (inclusive).
        check(
            json!({"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday","thursday"],"firstDayOfWeek":"sunday"},
                   "range":{"type":"endDate","startDate":"2024-06-04","endDate":"2024-06-13"}}),
            "2024-12-31",
            &["2024-06-06", "2024-06-10", "2024-06-13"],
        );
        // Every other week on Monday, no end, cut at `until`.
        check(
            json!({"pattern":{"type":"weekly","interval":2,"daysOfWeek":["monday"]},
                   "range":{"type":"noEnd","startDate":"2024-06-03"}}),
            "2024-07-01",
            &["2024-06-03", "2024-06-17", "2024-07-01"],
        );
        // Monthly on the 31st skips short months.
        check(
            json!({"pattern":{"type":"absoluteMonthly","interval":1,"dayOfMonth":31},
                   "range":{"type":"numbered","startDate":"2024-01-31","numberOfOccurrences":3}}),
            "2025-12-31",
            &["2024-01-31", "2024-03-31", "2024-05-31"],
        );
        // Yearly on 29 February only in leap years.
        check(
            json!({"pattern":{"type":"absoluteYearly","interval":1,"dayOfMonth":29,"month":2},
                   "range":{"type":"endDate","startDate":"2024-02-29","endDate":"2029-01-01"}}),
            "2030-01-01",
            &["2024-02-29", "2028-02-29"],
        );
        // Last Friday of the month.
        check(
            json!({"pattern":{"type":"relativeMonthly","interval":1,"daysOfWeek":["friday"],"index":"last"},
                   "range":{"type":"numbered","startDate":"2024-06-01","numberOfOccurrences":2}}),
            "2025-01-01",
            &["2024-06-28", "2024-07-26"],
        );
    }

    #[test]
    fn rejects_incomplete_patterns() {
        let bad = json!({"pattern":{"type":"weekly","interval":1},
                         "range":{"type":"noEnd","startDate":"2024-06-03"}});
        assert!(Recurrence::parse(&bad).is_err());
        let bad = json!({"pattern":{"type":"hourly","interval":1},
                         "range":{"type":"noEnd","startDate":"2024-06-03"}});
        assert!(Recurrence::parse(&bad).is_err());
    }
}

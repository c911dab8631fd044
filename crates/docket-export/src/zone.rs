//! Time-zone names for Graph's `dateTimeTimeZone`.
//!
//! **Decision: we send Windows names** (`W. Europe Standard Time`), mapped
//! from the source's IANA zone by Unicode CLDR `windowsZones.xml` (the
//! `windows-timezones` crate). Graph documents that `timeZone` "can be set
//! to any of the time zones currently supported by Windows", plus a listed
//! subset of IANA names, and warns that create/update "might not support
//! all" of them
//! (<https://learn.microsoft.com/en-us/graph/api/resources/datetimetimezone>).
//! `Europe/Vienna` or `Europe/Zurich`, for example, are not on that list;
//! their Windows zone is. A zone CLDR does not map (rare) is sent by its
//! IANA name.

use std::borrow::Cow;

use chrono::{LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use docket_source::ZonedDateTime;
use windows_timezones::WindowsTimezone;

/// The `timeZone` value we send for `tz`.
pub fn graph_zone(tz: Tz) -> Cow<'static, str> {
    if let Ok(w) = WindowsTimezone::try_from(tz) {
        return Cow::Borrowed(w.name());
    }
    match tz {
        Tz::UTC | Tz::UCT | Tz::Universal | Tz::Zulu | Tz::Etc__UCT | Tz::Etc__Universal => {
            Cow::Borrowed("UTC")
        }
        other => Cow::Borrowed(other.name()),
    }
}

/// The wall time to send for `t`, and its zone: a floating time is read in
/// the mailbox's zone; a wall time that does not exist (the hour skipped
/// when DST starts) is moved to the instant RFC 5545 gives it (02:30 on the
/// spring-forward day in Berlin becomes 03:30).
pub fn wall_time(t: &ZonedDateTime, mailbox: Tz) -> (NaiveDateTime, Tz) {
    let tz = t.tz.unwrap_or(mailbox);
    match tz.from_local_datetime(&t.local) {
        LocalResult::None => {
            let fixed = ZonedDateTime {
                local: t.local,
                tz: Some(tz),
            };
            let local = fixed
                .instant()
                .map(|i| i.with_timezone(&tz).naive_local())
                .unwrap_or(t.local);
            (local, tz)
        }
        _ => (t.local, tz),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(tz: Tz, expect: &str) {
        assert_eq!(graph_zone(tz), expect, "{tz}");
    }

    #[test]
    fn windows_names_where_cldr_has_one() {
        check(Tz::Europe__Berlin, "W. Europe Standard Time");
        check(Tz::Europe__Vienna, "W. Europe Standard Time");
        check(Tz::Europe__London, "GMT Standard Time");
        check(Tz::America__New_York, "Eastern Standard Time");
        check(Tz::UTC, "UTC");
        check(Tz::Etc__UTC, "UTC");
    }
}

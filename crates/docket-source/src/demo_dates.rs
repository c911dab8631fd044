//! The sample firm's dates, moved to the current week.
//!
//! The bundled sample firm is written around the week of
//! [`SAMPLE_WEEK`]. Left as it is, it would age: every day the export's
//! window (30 days back) drops more of it, and a demo a year on would
//! export next to nothing. So the demo reads it moved on by whole weeks
//! (weekdays, and with them weekly rules, stay as written) to the week of
//! `today`: the firm looks the same in any week, and its earliest item
//! (2 November 2026 as written, 21 days before the sample week's Monday)
//! is inside the window on every day of the week.
//!
//! Moved are the dates of the properties that place an item in time
//! (DTSTART, DTEND, DUE, EXDATE, RDATE, RECURRENCE-ID and RRULE's UNTIL),
//! outside VTIMEZONE definitions, and only real dates from the year 2000
//! on: a deliberately broken date ('2026-13-40') stays broken, and time
//! zone rules keep their 1601/1970 anchors. The text is bytes (one sample
//! file is deliberately not UTF-8), and every date keeps its 8 digits, so
//! byte offsets in messages about the file stay as written. Pure.

use chrono::{Duration, NaiveDate};

/// The Monday of the week the sample firm was written for.
pub const SAMPLE_WEEK: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 23) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// Whole days from the sample's week to `today`'s (a multiple of 7).
pub fn shift_days(today: NaiveDate) -> i64 {
    (today - SAMPLE_WEEK).num_days().div_euclid(7) * 7
}

/// `text` (an iCalendar file) with its dates moved by `days`.
pub fn shift(text: &[u8], days: i64) -> Vec<u8> {
    if days == 0 {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut in_timezone = false;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with(b"BEGIN:VTIMEZONE") {
            in_timezone = true;
        } else if upper.starts_with(b"END:VTIMEZONE") {
            in_timezone = false;
        }
        let name_end = line
            .iter()
            .position(|&b| b == b';' || b == b':')
            .unwrap_or(line.len());
        let timed = matches!(
            &upper[..name_end],
            b"DTSTART" | b"DTEND" | b"DUE" | b"EXDATE" | b"RDATE" | b"RECURRENCE-ID" | b"RRULE"
        );
        match line.iter().position(|&b| b == b':') {
            Some(colon) if timed && !in_timezone => {
                out.extend_from_slice(&line[..=colon]);
                shift_value(&line[colon + 1..], days, &mut out);
            }
            _ => out.extend_from_slice(line),
        }
    }
    out
}

/// Every run of exactly eight digits that is a date from 2000 on, moved.
fn shift_value(value: &[u8], days: i64, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < value.len() {
        let run = value[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run == 0 {
            out.push(value[i]);
            i += 1;
            continue;
        }
        let digits = &value[i..i + run];
        match (run == 8).then(|| date(digits)).flatten() {
            Some(d) => out.extend_from_slice(
                (d + Duration::days(days))
                    .format("%Y%m%d")
                    .to_string()
                    .as_bytes(),
            ),
            None => out.extend_from_slice(digits),
        }
        i += run;
    }
}

fn date(digits: &[u8]) -> Option<NaiveDate> {
    let text = std::str::from_utf8(digits).ok()?;
    let d = NaiveDate::parse_from_str(text, "%Y%m%d").ok()?;
    (d >= NaiveDate::from_ymd_opt(2000, 1, 1)? && d.format("%Y%m%d").to_string() == text)
        .then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_weeks_from_the_sample_week() {
        #[track_caller]
        fn check(today: (i32, u32, u32), expect: i64) {
            let today = NaiveDate::from_ymd_opt(today.0, today.1, today.2).unwrap();
            assert_eq!(shift_days(today), expect, "{today}");
        }
        check((2026, 11, 23), 0);
        check((2026, 11, 29), 0);
        check((2026, 11, 30), 7);
        check((2026, 12, 3), 7);
        check((2027, 11, 24), 364);
        check((2026, 11, 22), -7);
    }

    #[test]
    fn the_dates_that_place_an_item_move_and_nothing_else() {
        #[track_caller]
        fn check(input: &str, days: i64, expect: &str) {
            let got = shift(input.as_bytes(), days);
            assert_eq!(String::from_utf8_lossy(&got), expect);
        }
        check(
            "DTSTART;TZID=Europe/Berlin:20261102T090000\r\n",
            7,
            "DTSTART;TZID=Europe/Berlin:20261109T090000\r\n",
        );
        check(
            "DUE;VALUE=DATE:20261231\r\n",
            7,
            "DUE;VALUE=DATE:20270107\r\n",
        );
        check(
            "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270101T000000Z;COUNT=10\r\n",
            14,
            "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270115T000000Z;COUNT=10\r\n",
        );
        check(
            "EXDATE;TZID=Europe/Berlin:20261109T090000,20261116T090000\r\n",
            -7,
            "EXDATE;TZID=Europe/Berlin:20261102T090000,20261109T090000\r\n",
        );
        // Not a date, or not one that places an item: as written.
        check(
            "DTSTART:20261340T090000\r\n",
            7,
            "DTSTART:20261340T090000\r\n",
        );
        check(
            "DTSTAMP:20261102T090000Z\r\n",
            7,
            "DTSTAMP:20261102T090000Z\r\n",
        );
        check(
            "SUMMARY:Frist 20261102\r\n",
            7,
            "SUMMARY:Frist 20261102\r\n",
        );
        check(
            "DTSTART:20261102T090000\r\n",
            0,
            "DTSTART:20261102T090000\r\n",
        );
        // Time zone rules keep their anchors.
        check(
            "BEGIN:VTIMEZONE\r\nDTSTART:20070311T020000\r\nEND:VTIMEZONE\r\nDTSTART:20261102\r\n",
            7,
            "BEGIN:VTIMEZONE\r\nDTSTART:20070311T020000\r\nEND:VTIMEZONE\r\nDTSTART:20261109\r\n",
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_and_their_offsets_stay() {
        let input = b"SUMMARY:M\xfcller\r\nDTSTART:20261102T090000\r\n";
        let got = shift(input, 7);
        assert_eq!(got.len(), input.len());
        assert_eq!(&got[..16], &input[..16]);
        assert_eq!(&got[16..], b"DTSTART:20261109T090000\r\n");
    }
}

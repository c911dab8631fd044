//! Finding records in raw bytes, before anything is decoded.
//!
//! A file is split into its records (the components inside each
//! `VCALENDAR`, and each top-level `VCARD`) by looking only at `BEGIN:` and
//! `END:` lines, which are ASCII. Each record is then decoded and parsed on
//! its own, so invalid UTF-8 or a broken structure costs one record, never
//! the file.

use docket_text::Message;

/// One record: a component inside a VCALENDAR, or a VCARD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    /// Upper-case component name: `VEVENT`, `VTODO`, `VTIMEZONE`, `VCARD`, ...
    pub name: String,
    /// From the `BEGIN:` line through the `END:` line.
    pub bytes: &'a [u8],
    /// 1-based line of the `BEGIN:` line.
    pub line: usize,
    /// Byte offset of the `BEGIN:` line in the file.
    pub offset: usize,
    /// Set when the structure is broken; the record must be skipped.
    pub damage: Option<Message>,
}

impl Record<'_> {
    /// `VEVENT at line 42`: how to name a record that has no UID.
    pub fn position(&self) -> String {
        format!("{} at line {}", self.name, self.line)
    }

    /// The UID, found without decoding the whole record (lossy, unfolded
    /// lines are not joined): good enough to name a broken record.
    pub fn sniff_uid(&self) -> Option<String> {
        lines(self.bytes).find_map(|(_, _, line)| {
            let upper = line.get(..4)?.to_ascii_uppercase();
            if upper != b"UID:" && upper != b"UID;" {
                return None;
            }
            let value = &line[line.iter().position(|&b| b == b':')? + 1..];
            let uid = String::from_utf8_lossy(value).trim().to_owned();
            (!uid.is_empty()).then_some(uid)
        })
    }
}

/// The lines of `bytes` as `(1-based line number, byte offset, line without
/// its line ending)`.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, usize, &[u8])> {
    let mut offset = 0;
    bytes
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .map(move |(i, raw)| {
            let start = offset;
            offset += raw.len();
            let line = raw.strip_suffix(b"\n").unwrap_or(raw);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            (i + 1, start, line)
        })
}

/// `Some(("BEGIN", "VEVENT"))` for a `BEGIN:VEVENT` line (any case, BOM
/// tolerated).
fn boundary(line: &[u8]) -> Option<(bool, String)> {
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    let colon = line.iter().position(|&b| b == b':')?;
    let (keyword, name) = (&line[..colon], line[colon + 1..].trim_ascii());
    let is_begin = if keyword.eq_ignore_ascii_case(b"BEGIN") {
        true
    } else if keyword.eq_ignore_ascii_case(b"END") {
        false
    } else {
        return None;
    };
    Some((is_begin, String::from_utf8_lossy(name).to_ascii_uppercase()))
}

/// Components that start a new record even when the previous one was not
/// closed (they never nest inside a record).
fn is_record_start(name: &str) -> bool {
    matches!(
        name,
        "VCALENDAR" | "VCARD" | "VEVENT" | "VTODO" | "VJOURNAL" | "VTIMEZONE" | "VFREEBUSY"
    )
}

/// Splits a file into records. Lines outside any record (calendar
/// properties, blank lines, stray text) are ignored; a component written
/// without a `VCALENDAR` around it is a record like any other.
#[cfg(test)]
pub(crate) fn split(bytes: &[u8]) -> Vec<Record<'_>> {
    split_file(bytes).0
}

/// [`split`], and the component the file ends inside of, if any (`VEVENT`
/// when it stops in the middle of a record, `VCALENDAR` when it stops
/// between records but before `END:VCALENDAR`): a file cut short, as an
/// export read while the PMS is still writing it. What followed the cut
/// is unknown.
pub(crate) fn split_file(bytes: &[u8]) -> (Vec<Record<'_>>, Option<String>) {
    struct Open {
        name: String,
        line: usize,
        offset: usize,
        /// Names of nested components currently open (e.g. VALARM).
        nested: Vec<String>,
    }

    let mut records = Vec::new();
    let mut in_calendar = false;
    let mut open: Option<Open> = None;

    let close = |open: Open, end: usize, damage: Option<Message>| Record {
        name: open.name,
        bytes: &bytes[open.offset..end],
        line: open.line,
        offset: open.offset,
        damage,
    };

    for (number, offset, line) in lines(bytes) {
        let end_of_line = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| offset + p + 1);
        let Some((is_begin, name)) = boundary(line) else {
            continue;
        };
        if let Some(mut current) = open.take() {
            if is_begin && is_record_start(&name) {
                records.push(close(
                    current,
                    offset,
                    Some(Message::new("source-begins-inside").text("component", name.as_str())),
                ));
                // Fall through: the new BEGIN is handled below.
            } else if is_begin {
                current.nested.push(name);
                open = Some(current);
                continue;
            } else if let Some(inner) = current.nested.pop() {
                if inner != name {
                    records.push(close(
                        current,
                        end_of_line,
                        Some(
                            Message::new("source-wrong-end")
                                .text("found", name.as_str())
                                .text("expected", inner),
                        ),
                    ));
                } else {
                    open = Some(current);
                }
                continue;
            } else if name == current.name {
                records.push(close(current, end_of_line, None));
                continue;
            } else {
                let damage = Message::new("source-wrong-end")
                    .text("found", name.as_str())
                    .text("expected", current.name.as_str());
                records.push(close(current, end_of_line, Some(damage)));
                if name == "VCALENDAR" {
                    in_calendar = false;
                }
                continue;
            }
        }
        match (is_begin, name.as_str()) {
            (true, "VCALENDAR") => in_calendar = true,
            (false, "VCALENDAR") => in_calendar = false,
            // A component outside any VCALENDAR is read as if it were
            // inside one: many tools write bare VEVENTs and VTODOs.
            (true, _) if in_calendar || is_record_start(&name) => {
                open = Some(Open {
                    name,
                    line: number,
                    offset,
                    nested: Vec::new(),
                });
            }
            // A stray END, or a nested component (VALARM) out of place: ignored.
            _ => {}
        }
    }
    let mut cut_inside = in_calendar.then(|| "VCALENDAR".to_owned());
    if let Some(current) = open {
        let damage = Message::new("source-not-terminated").text("component", current.name.as_str());
        cut_inside = Some(current.name.clone());
        records.push(close(current, bytes.len(), Some(damage)));
    }
    (records, cut_inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, line, damage)` of each record.
    fn check(input: &str, expect: &[(&str, usize, Option<&str>)]) {
        let en = crate::model::english();
        let got: Vec<(String, usize, Option<String>)> = split(input.as_bytes())
            .into_iter()
            .map(|r| (r.name, r.line, r.damage.map(|d| en.render(&d))))
            .collect();
        let expect: Vec<(String, usize, Option<String>)> = expect
            .iter()
            .map(|(n, l, d)| (n.to_string(), *l, d.map(str::to_owned)))
            .collect();
        assert_eq!(got, expect, "input:\n{input}");
    }

    #[test]
    fn finds_records_and_damage() {
        check(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nBEGIN:VALARM\r\n\
             END:VALARM\r\nEND:VEVENT\r\nbegin:vtodo\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
            &[("VEVENT", 3, None), ("VTODO", 8, None)],
        );
        check(
            "BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\nEND:VCARD\n",
            &[("VCARD", 1, None), ("VCARD", 4, None)],
        );
        check(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nEND:VCALENDAR\n",
            &[
                ("VEVENT", 2, Some("VEVENT begins before this record ended")),
                ("VEVENT", 4, None),
            ],
        );
        check(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VALARM\nEND:VEVENT\nBEGIN:VTODO\nEND:VTODO\n",
            &[
                (
                    "VEVENT",
                    2,
                    Some("END:VEVENT where END:VALARM was expected"),
                ),
                ("VTODO", 5, None),
            ],
        );
        check(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n",
            &[(
                "VEVENT",
                2,
                Some("VEVENT is not terminated (no END:VEVENT)"),
            )],
        );
        // Bare components, without a VCALENDAR around them, are records too.
        check(
            "BEGIN:VEVENT\nUID:a\nEND:VEVENT\nhello\nBEGIN:VTODO\nEND:VTODO\n",
            &[("VEVENT", 1, None), ("VTODO", 5, None)],
        );
        check("END:VEVENT\nBEGIN:VALARM\nEND:VALARM\nhello\n", &[]);
    }

    #[test]
    fn record_bytes_and_uid_survive_invalid_utf8() {
        let mut input = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x-1\nSUMMARY:M".to_vec();
        input.extend([0xFC]); // Latin-1 'ü'
        input.extend(b"ller\nEND:VEVENT\nEND:VCALENDAR\n");
        let records = split(&input);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].offset, 16);
        assert!(records[0].bytes.ends_with(b"END:VEVENT\n"));
        assert_eq!(records[0].sniff_uid().as_deref(), Some("x-1"));
    }
}

//! Every reason the source reader gives, in English and German: each
//! message id written in this crate exists in both catalogues, and
//! representative reasons read as a person sees them.

use docket_source::{read_bytes, ProblemKind, ReadOptions};
use docket_text::{Lang, Texts};

/// Every `"source-…"` id written in this crate's code.
fn ids_in_code() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for piece in text.split('"').skip(1).step_by(2) {
            let is_id = piece.starts_with("source-")
                && piece.len() > "source-".len()
                && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            if is_id && !ids.iter().any(|i| i == piece) {
                ids.push(piece.to_owned());
            }
        }
    }
    ids.sort();
    ids
}

#[test]
fn every_reason_in_the_code_has_english_and_german() {
    let ids = ids_in_code();
    assert!(ids.len() > 40, "the scan found too few ids: {ids:?}");
    for lang in [Lang::En, Lang::De] {
        let texts = Texts::new(lang);
        let missing: Vec<&String> = ids.iter().filter(|id| !texts.has(id, None)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

/// The one problem of reading `ics` as `file`: kind and the reason in
/// English and German.
fn check(ics: &str, kind: ProblemKind, en: &str, de: &str) {
    let s = read_bytes("kalender.ics", ics.as_bytes(), &ReadOptions::default());
    assert_eq!(s.problems.len(), 1, "{:#?}", s.problems);
    let p = &s.problems[0];
    assert_eq!(p.kind, kind);
    assert_eq!(Texts::new(Lang::En).render(&p.reason), en);
    assert_eq!(Texts::new(Lang::De).render(&p.reason), de);
    assert_eq!(p.reason_en(), en);
}

fn event(lines: &str) -> String {
    format!("BEGIN:VCALENDAR\nBEGIN:VEVENT\n{lines}\nEND:VEVENT\nEND:VCALENDAR\n")
}

#[test]
fn reasons_read_in_both_languages() {
    check(
        &event("UID:a\nDTSTART:20261340T090000Z"),
        ProblemKind::BadDate,
        "bad date '2026-13-40' in DTSTART",
        "ungültiges Datum „2026-13-40“ in DTSTART",
    );
    check(
        &event("UID:a\nDTSTART;TZID=Mars/Olympus:20261101T090000"),
        ProblemKind::UnknownTimeZone,
        "unknown time zone 'Mars/Olympus'",
        "unbekannte Zeitzone „Mars/Olympus“",
    );
    check(
        &event("DTSTART:20261101T090000Z"),
        ProblemKind::MissingUid,
        "missing UID",
        "UID fehlt",
    );
    check(
        &event("UID:a\nDTSTART:20261102T090000Z\nDTEND:20261101T090000Z"),
        ProblemKind::BadDate,
        "DTEND 2026-11-01 09:00:00 is before DTSTART 2026-11-02 09:00:00",
        "DTEND 2026-11-01 09:00:00 liegt vor DTSTART 2026-11-02 09:00:00",
    );
    check(
        "BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:t\nSUMMARY:Frist\nEND:VTODO\nEND:VCALENDAR\n",
        ProblemKind::MissingProperty,
        "no DUE date (only to-dos with a due date are deadlines)",
        "kein Fälligkeitsdatum (DUE); nur Aufgaben mit Fälligkeit sind Fristen",
    );
    // A file that stops inside a record: the record, and the file cut short.
    let s = read_bytes(
        "kalender.ics",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n",
        &ReadOptions::default(),
    );
    let read: Vec<(ProblemKind, String, String)> = s
        .problems
        .iter()
        .map(|p| {
            (
                p.kind,
                Texts::new(Lang::En).render(&p.reason),
                Texts::new(Lang::De).render(&p.reason),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (
                ProblemKind::Malformed,
                "VEVENT is not terminated (no END:VEVENT)".to_string(),
                "VEVENT ist nicht abgeschlossen (END:VEVENT fehlt)".to_string()
            ),
            (
                ProblemKind::Malformed,
                "the file ends before END:VEVENT: it may have been cut off while it was being \
                 written, so nothing is deleted in Outlook until it reads whole"
                    .to_string(),
                "die Datei endet vor END:VEVENT: sie wurde womöglich beim Schreiben \
                 abgeschnitten; in Outlook wird daher nichts gelöscht, bis sie vollständig \
                 gelesen wird"
                    .to_string()
            ),
        ]
    );
    check(
        &format!(
            "{}{}",
            event("UID:same\nDTSTART:20261101T090000Z"),
            event("UID:same\nDTSTART:20261102T090000Z")
        ),
        ProblemKind::DuplicateUid,
        "another appointment has the same UID; this one is skipped",
        "ein anderer Termin hat dieselbe UID; dieser wird übersprungen",
    );
    let text = event("UID:u\nDTSTART:20261101T090000Z\nSUMMARY:Mller");
    let at = text.find("Mller").unwrap() + 1;
    let mut latin1 = text.into_bytes();
    latin1.insert(at, 0xFC); // Latin-1 'ü'
    let s = read_bytes("kalender.ics", &latin1, &ReadOptions::default());
    let p = &s.problems[0];
    // Numbers are shown without grouping: a byte offset, not an amount.
    assert_eq!(
        Texts::new(Lang::De).render(&p.reason),
        format!("kein gültiges UTF-8 bei Byte {at} (Zeile 5)")
    );
}

#[test]
fn a_problem_in_logs_is_file_record_reason_in_english() {
    let s = read_bytes(
        "kalender.ics",
        event("UID:x-1\nDTSTART:20261340T090000Z").as_bytes(),
        &ReadOptions::default(),
    );
    assert_eq!(
        s.problems[0].to_string(),
        "kalender.ics: x-1: bad date '2026-13-40' in DTSTART"
    );
}

//! Every word the planner produces, in English and German: each `sync-…`
//! id written in this crate exists in both catalogues, and a skip line,
//! the plan, the brake and a notice read exactly as a person sees them.

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use docket_export::{plan, preview, Brake, ExportState, PlanChoices, Remote};
use docket_source::{read_bytes, ReadOptions};
use docket_text::{Lang, Texts};

/// Every `"sync-…"` id written in this crate's code (all of `src/`).
fn ids_in_code(dir: &std::path::Path, ids: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            ids_in_code(&path, ids);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for piece in text.split('"').skip(1).step_by(2) {
            let is_id = piece.starts_with("sync-")
                && piece.len() > "sync-".len()
                && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            if is_id && !ids.iter().any(|i| i == piece) {
                ids.push(piece.to_owned());
            }
        }
    }
}

#[test]
fn every_message_in_the_code_has_english_and_german() {
    let mut ids = Vec::new();
    ids_in_code(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut ids,
    );
    assert!(ids.len() > 25, "the scan found too few ids: {ids:?}");
    for lang in [Lang::En, Lang::De] {
        let texts = Texts::new(lang);
        let missing: Vec<&String> = ids.iter().filter(|id| !texts.has(id, None)).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        assert!(texts.has("sync-brake", Some("body")), "{lang:?}");
    }
}

fn texts(lang: Lang) -> Texts {
    Texts::new(lang).in_zone(Tz::Europe__Berlin)
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 15, 0, 0, 0).unwrap()
}

#[test]
fn a_skip_line_reads_file_record_reason_in_both_languages() {
    let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x-1\nDTSTART:20261340T090000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    let snapshot = read_bytes("pms/kalender.ics", ics.as_bytes(), &ReadOptions::default());
    let (skips, _) = preview(&snapshot, &PlanChoices::new(Tz::Europe__Berlin), now());
    assert_eq!(skips.len(), 1);
    assert_eq!(
        texts(Lang::En).render(&skips[0].line()),
        "pms/kalender.ics: x-1: bad date '2026-13-40' in DTSTART"
    );
    assert_eq!(
        texts(Lang::De).render(&skips[0].line()),
        "pms/kalender.ics: x-1: ungültiges Datum „2026-13-40“ in DTSTART"
    );
    assert_eq!(
        skips[0].to_string(),
        "pms/kalender.ics: x-1: bad date '2026-13-40' in DTSTART"
    );
}

/// A recurrence rule that cannot be read says why in the reader's
/// language (it was our own English, "bad INTERVAL '0'", inside the German
/// line); the rrule library's own words are passed on as they came.
#[test]
fn an_unreadable_recurrence_rule_says_why_in_both_languages() {
    #[track_caller]
    fn check(rrule: &str, en: &str, de: &str) {
        // The rule as the mapping gets it (the iCalendar reader writes
        // what it read back out, and mends some of these on the way).
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:r-1\nDTSTART:20261102T090000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\nEND:VCALENDAR\n";
        let mut snapshot = read_bytes("pms/k.ics", ics.as_bytes(), &ReadOptions::default());
        let recurrence = snapshot.appointments[0].recurrence.as_mut();
        recurrence.expect("a series").rrule = rrule.to_string();
        let (skips, _) = preview(&snapshot, &PlanChoices::new(Tz::Europe__Berlin), now());
        assert_eq!(skips.len(), 1, "{rrule}");
        assert_eq!(texts(Lang::En).render(&skips[0].line()), en, "{rrule}");
        assert_eq!(texts(Lang::De).render(&skips[0].line()), de, "{rrule}");
    }
    check(
        "FREQ=WEEKLY;INTERVAL=0",
        "pms/k.ics: r-1: cannot read the recurrence rule 'FREQ=WEEKLY;INTERVAL=0': INTERVAL is 0",
        "pms/k.ics: r-1: die Wiederholungsregel „FREQ=WEEKLY;INTERVAL=0“ ist nicht lesbar: INTERVAL ist 0",
    );
    check(
        "FREQ=WEEKLY;COUNT=0",
        "pms/k.ics: r-1: cannot read the recurrence rule 'FREQ=WEEKLY;COUNT=0': COUNT is 0",
        "pms/k.ics: r-1: die Wiederholungsregel „FREQ=WEEKLY;COUNT=0“ ist nicht lesbar: COUNT ist 0",
    );
    check(
        "FREQ=DAILY;COUNT=3;UNTIL=20270101",
        "pms/k.ics: r-1: cannot read the recurrence rule 'FREQ=DAILY;COUNT=3;UNTIL=20270101': it has both COUNT and UNTIL",
        "pms/k.ics: r-1: die Wiederholungsregel „FREQ=DAILY;COUNT=3;UNTIL=20270101“ ist nicht lesbar: sie hat sowohl COUNT als auch UNTIL",
    );
    check(
        "FREQ=DAILY;UNTIL=2027-01-01",
        "pms/k.ics: r-1: cannot read the recurrence rule 'FREQ=DAILY;UNTIL=2027-01-01': UNTIL '2027-01-01' is neither a date nor a time",
        "pms/k.ics: r-1: die Wiederholungsregel „FREQ=DAILY;UNTIL=2027-01-01“ ist nicht lesbar: UNTIL „2027-01-01“ ist weder ein Datum noch eine Uhrzeit",
    );
    check(
        "FREQ=DAILY;UNTIL=20270101;UNTIL=20270102",
        "pms/k.ics: r-1: cannot read the recurrence rule 'FREQ=DAILY;UNTIL=20270101;UNTIL=20270102': UNTIL is given twice",
        "pms/k.ics: r-1: die Wiederholungsregel „FREQ=DAILY;UNTIL=20270101;UNTIL=20270102“ ist nicht lesbar: UNTIL ist zweimal angegeben",
    );
    check(
        "FREQ=DAILY;BYDAY=MO\u{e9}",
        "pms/k.ics: r-1: cannot read the recurrence rule 'FREQ=DAILY;BYDAY=MO\u{e9}': it holds characters other than plain ASCII",
        "pms/k.ics: r-1: die Wiederholungsregel „FREQ=DAILY;BYDAY=MO\u{e9}“ ist nicht lesbar: sie enthält Zeichen außer einfachem ASCII",
    );
    // The library's own words, inside ours.
    check(
        "FREQ=SOMETIMES",
        "pms/k.ics: r-1: cannot read the recurrence rule 'FREQ=SOMETIMES': RRule parsing error: `SOMETIMES` is not a valid frequency.",
        "pms/k.ics: r-1: die Wiederholungsregel „FREQ=SOMETIMES“ ist nicht lesbar: RRule parsing error: `SOMETIMES` is not a valid frequency.",
    );
}

#[test]
fn the_plan_is_counts_and_reads_in_both_languages() {
    let ics = "BEGIN:VCALENDAR\n\
        BEGIN:VEVENT\nUID:a\nDTSTART:20261102T090000Z\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:b\nDTSTART:20261103T090000Z\nEND:VEVENT\n\
        END:VCALENDAR\n\
        BEGIN:VCARD\nVERSION:3.0\nUID:c\nFN:A\nCATEGORIES:Outlook\nEND:VCARD\n";
    let snapshot = read_bytes("pms.ics", ics.as_bytes(), &ReadOptions::default());
    let p = plan(
        &snapshot,
        &ExportState::new(),
        &Remote::default(),
        &PlanChoices::new(Tz::Europe__Berlin),
        now(),
    );
    let s = p.summary();
    assert_eq!(
        (s.create.appointments, s.create.contacts, s.create.total()),
        (2, 1, 3)
    );
    assert_eq!(
        s.describe_in(&texts(Lang::En)),
        "create 2 appointments, 1 contact (0 unchanged)"
    );
    assert_eq!(
        s.describe_in(&texts(Lang::De)),
        "2 Termine, 1 Kontakt anlegen (0 unverändert)"
    );
}

#[test]
fn the_brake_says_what_it_held_and_names_no_command() {
    let brake = Brake {
        deletes: 8,
        owned: 10,
        max_share: 0.5,
        held: vec![],
    };
    let (en, de) = (texts(Lang::En), texts(Lang::De));
    assert_eq!(
        en.render(&brake.message()),
        "Stopped before deleting 8 of 10 exported items (80%, more than the 50% allowed)"
    );
    assert_eq!(
        de.render(&brake.message()),
        "Vor dem Löschen von 8 der 10 übertragenen Einträge angehalten (80 %, mehr als die erlaubten 50 %)"
    );
    for t in [&en, &de] {
        let body = t.attr(&brake.message(), "body").unwrap();
        assert!(
            !body.contains("docketsync") && !body.contains("--force"),
            "{body}"
        );
    }
}

#[test]
fn a_notice_reads_in_both_languages() {
    let ics = "BEGIN:VCARD\nVERSION:3.0\nUID:c\nFN:Anna Berger\nEMAIL:1@x\nEMAIL:2@x\nEMAIL:3@x\nEMAIL:4@x\nEMAIL:5@x\nTEL;TYPE=FAX:1\nTEL;TYPE=FAX:2\nCATEGORIES:Outlook\nEND:VCARD\n";
    let snapshot = read_bytes("k.vcf", ics.as_bytes(), &ReadOptions::default());
    let (_, notices) = preview(&snapshot, &PlanChoices::new(Tz::Europe__Berlin), now());
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        texts(Lang::En).render(&notices[0]),
        "contact 'Anna Berger' (c): 2 e-mail addresses beyond Outlook's 3 and 2 phone numbers or addresses without a free Outlook field listed in its notes"
    );
    assert_eq!(
        texts(Lang::De).render(&notices[0]),
        "Kontakt „Anna Berger“ (c): 2 E-Mail-Adressen über die 3 hinaus, die Outlook aufnimmt, und 2 Telefonnummern oder Anschriften ohne freies Outlook-Feld stehen in seinen Notizen"
    );
}

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

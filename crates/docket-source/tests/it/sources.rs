//! The folder source and the bundled sample firm.

use std::path::Path;

use docket_source::demo_dates::SAMPLE_WEEK;
use docket_source::{
    DeadlineKind, DemoSource, FolderSource, Limits, ProblemKind, ReadOptions, Snapshot, Source,
    Timing, DEMO_USERS,
};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const JAMES: &str = "james.wright@kanzlei-demo.onmicrosoft.com";

fn sample_dir(user: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample")
        .join(user)
}

/// `BEGIN:<name>` lines in the user's sample files, counted without any
/// parser: what a correct reader must find, before subtracting the records
/// broken on purpose.
fn records_written(user: &str, name: &str) -> usize {
    let needle = format!("BEGIN:{name}\r\n");
    std::fs::read_dir(sample_dir(user))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .map(|bytes| {
            bytes
                .windows(needle.len())
                .filter(|w| *w == needle.as_bytes())
                .count()
        })
        .sum()
}

/// Where `needle` is in the raw file: the 1-based line of the `BEGIN:<begin>`
/// line of its record, its byte offset, and its own line.
fn locate(file: &str, needle: &[u8], begin: &str) -> (usize, usize, usize) {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{file} holds the broken record"));
    let begin = format!("BEGIN:{begin}");
    let record = bytes[..at]
        .windows(begin.len())
        .rposition(|w| w == begin.as_bytes())
        .unwrap();
    let line_of = |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    (line_of(record), at, line_of(at))
}

fn demo(upn: &str) -> Snapshot {
    DemoSource::new(upn, ReadOptions::default(), SAMPLE_WEEK)
        .unwrap()
        .read()
}

/// Problems as `(file, record, problem)`.
fn problems(s: &Snapshot) -> Vec<(String, String, String)> {
    s.problems
        .iter()
        .map(|p| (p.source.clone(), p.record.clone(), p.reason_en()))
        .collect()
}

fn owned(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    v.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn anna_reads_with_her_deliberately_broken_records_reported() {
    let s = demo(ANNA);
    let (_, at, line) = locate("sample/anna.berger/termine.ics", b"M\xfcller", "VEVENT");
    let latin1 = format!("not valid UTF-8 at byte {} (line {line})", at + 1);
    let (no_uid, _, _) = locate("sample/anna.berger/fristen.ics", b"Akte Neumann", "VTODO");
    let no_uid = format!("VTODO at line {no_uid}");
    assert_eq!(
        problems(&s),
        owned(&[
            (
                "sample/anna.berger/termine.ics",
                "anna-termin-broken-date",
                "bad date '2026-13-40' in DTSTART"
            ),
            (
                "sample/anna.berger/termine.ics",
                "anna-termin-broken-utf8",
                &latin1
            ),
            ("sample/anna.berger/fristen.ics", &no_uid, "missing UID"),
        ])
    );
    assert!(
        s.complete,
        "every skipped record is named or never had a UID"
    );
    assert_eq!(
        s.appointments.len(),
        records_written("anna.berger", "VEVENT") - 2
    );
    assert_eq!(
        s.deadlines.len(),
        records_written("anna.berger", "VTODO") - 1
    );
    assert_eq!(s.contacts.len(), records_written("anna.berger", "VCARD"));
    assert!(s.appointments.len() + s.deadlines.len() + s.contacts.len() > 140);
}

#[test]
fn james_reads_with_his_deliberately_broken_records_reported() {
    let s = demo(JAMES);
    let (no_uid, _, _) = locate(
        "sample/james.wright/contacts.vcf",
        b"FN:Rachel Green",
        "VCARD",
    );
    let no_uid = format!("VCARD at line {no_uid}");
    assert_eq!(
        problems(&s),
        owned(&[
            (
                "sample/james.wright/appointments.ics",
                "james-appt-broken-tz",
                "unknown time zone 'Europe/Londn'"
            ),
            ("sample/james.wright/contacts.vcf", &no_uid, "missing UID"),
        ])
    );
    assert!(s.complete);
    assert_eq!(
        s.appointments.len(),
        records_written("james.wright", "VEVENT") - 1
    );
    assert_eq!(s.deadlines.len(), records_written("james.wright", "VTODO"));
    assert_eq!(
        s.contacts.len(),
        records_written("james.wright", "VCARD") - 1
    );
}

#[test]
fn the_sample_firm_shows_every_feature() {
    for user in DEMO_USERS {
        let s = demo(user.upn);
        let home = if user.upn == ANNA {
            chrono_tz::Europe::Berlin
        } else {
            chrono_tz::Europe::London
        };
        let series: Vec<_> = s
            .appointments
            .iter()
            .filter(|a| a.recurrence.is_some())
            .collect();
        assert_eq!(series.len(), 3, "{}: three series", user.upn);
        assert!(
            series.iter().any(|a| a
                .recurrence
                .as_ref()
                .unwrap()
                .rrule
                .starts_with("FREQ=MONTHLY")),
            "{}: a monthly series",
            user.upn
        );
        let all_day = s
            .appointments
            .iter()
            .filter(|a| matches!(a.timing, Timing::AllDay { .. }))
            .count();
        assert!(all_day >= 3, "{}: all-day items", user.upn);
        assert!(
            s.appointments.iter().any(|a| matches!(a.timing,
                Timing::Timed { start, .. } if start.tz == Some(home))),
            "{}: appointments in {home}",
            user.upn
        );
        assert!(
            s.appointments.iter().any(|a| a.private),
            "{}: private items",
            user.upn
        );
        assert!(s.appointments.iter().any(|a| !a.private));
        let follow_ups = s
            .deadlines
            .iter()
            .filter(|d| d.kind == DeadlineKind::FollowUp)
            .count();
        assert!(follow_ups >= 10, "{}: follow-ups", user.upn);
        assert!(
            s.deadlines.len() - follow_ups >= 20,
            "{}: deadlines",
            user.upn
        );
        let subscribed = s.contacts.iter().filter(|c| c.subscribed).count();
        assert!(
            subscribed >= 10 && s.contacts.len() - subscribed >= 10,
            "{}: some contacts subscribed ({subscribed}), some not",
            user.upn
        );
        for a in &s.appointments {
            let (start, end) = match a.timing {
                Timing::Timed { start, end } => (start.local.date(), end.local.date()),
                Timing::AllDay { start, end } => (start, end),
            };
            assert!(
                start >= chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
                    && end <= chrono::NaiveDate::from_ymd_opt(2027, 7, 1).unwrap(),
                "{}: {} lies in the documented window",
                user.upn,
                a.uid
            );
        }
    }
    // Anna's Outlook-style VTIMEZONE with a Windows name resolves to Berlin.
    let anna = demo(ANNA);
    let referendare = anna
        .appointments
        .iter()
        .find(|a| a.uid == "anna-serie-referendare")
        .unwrap();
    assert!(matches!(referendare.timing,
        Timing::Timed { start, .. } if start.tz == Some(chrono_tz::Europe::Berlin)));
}

#[test]
fn unknown_demo_user_is_refused() {
    let err = DemoSource::new(
        "nobody@kanzlei-demo.onmicrosoft.com",
        ReadOptions::default(),
        SAMPLE_WEEK,
    )
    .unwrap_err();
    assert!(err
        .to_string()
        .contains("anna.berger@kanzlei-demo.onmicrosoft.com"));
    assert!(DemoSource::new(
        "Anna.Berger@Kanzlei-Demo.onmicrosoft.com",
        ReadOptions::default(),
        SAMPLE_WEEK,
    )
    .is_ok());
}

#[test]
fn a_folder_of_the_sample_files_reads_like_the_demo() {
    let mut folder = FolderSource::new(sample_dir("anna.berger"), ReadOptions::default()).read();
    let demo = demo(ANNA);
    // The same records; each names its file by the path it was read from.
    let file = |source: &str| {
        source
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(folder
        .appointments
        .iter()
        .all(|a| a.source.ends_with("termine.ics")));
    for a in &mut folder.appointments {
        a.source = format!("sample/anna.berger/{}", file(&a.source));
    }
    for d in &mut folder.deadlines {
        d.source = format!("sample/anna.berger/{}", file(&d.source));
    }
    for c in &mut folder.contacts {
        c.source = format!("sample/anna.berger/{}", file(&c.source));
    }
    assert_eq!(folder.appointments, demo.appointments);
    assert_eq!(folder.deadlines, demo.deadlines);
    assert_eq!(folder.contacts, demo.contacts);
    // Same problems; the folder names files by path and reads them sorted.
    let by_file = |s: &Snapshot| {
        let mut v: Vec<(String, String, String)> = s
            .problems
            .iter()
            .map(|p| {
                let file = Path::new(&p.source)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (file, p.record.clone(), p.reason_en())
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(by_file(&folder), by_file(&demo));
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e1\r\n\
    DTSTART:20261102T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Erika Muster\r\nEND:VCARD\r\n";

#[test]
fn folder_reads_ics_and_vcf_and_ignores_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ICS"), EVENT).unwrap();
    std::fs::write(dir.path().join("b.vcf"), CARD).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
    std::fs::write(dir.path().join(".hidden.ics"), "BEGIN:VCALENDAR\r\ngarbage").unwrap();
    std::fs::create_dir(dir.path().join("sub.ics")).unwrap();
    let s = FolderSource::new(dir.path(), ReadOptions::default()).read();
    assert_eq!(s.problems, vec![]);
    assert!(s.complete);
    assert_eq!(s.appointments.len(), 1);
    assert_eq!(s.contacts.len(), 1);
}

#[test]
fn a_folder_that_cannot_be_read_gives_an_incomplete_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("does-not-exist");
    let s = FolderSource::new(&missing, ReadOptions::default()).read();
    assert!(!s.complete, "nothing read: the engine must not delete");
    assert_eq!(s.problems.len(), 1);
    assert_eq!(s.problems[0].kind, ProblemKind::Unreadable);
    assert!(s.problems[0]
        .reason_en()
        .starts_with("cannot list the folder"));
}

#[test]
fn a_file_over_the_limit_is_not_read_and_the_snapshot_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.ics"), "X".repeat(2_600_000)).unwrap();
    std::fs::write(dir.path().join("small.vcf"), CARD).unwrap();
    let options = ReadOptions {
        limits: Limits {
            max_file_bytes: 2_000_000,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let s = FolderSource::new(dir.path(), options).read();
    assert!(!s.complete);
    assert_eq!(s.contacts.len(), 1, "the other file is still read");
    let p: Vec<(ProblemKind, String)> =
        s.problems.iter().map(|p| (p.kind, p.reason_en())).collect();
    assert_eq!(
        p,
        [(
            ProblemKind::TooLarge,
            "the file is 2.6 MB, over the 2 MB limit; not read".to_string()
        )]
    );
}

/// The sample firm does not age: read a year on (52 weeks), it has the
/// same records with the same problems (named the same way, byte offsets
/// and all), only its appointments start 364 days later, each on the same
/// weekday.
#[test]
fn the_sample_firm_moves_with_the_weeks() {
    let later = SAMPLE_WEEK + chrono::Duration::days(364 + 3);
    for user in docket_source::DEMO_USERS {
        let now = demo(user.upn);
        let then = DemoSource::new(user.upn, ReadOptions::default(), later)
            .unwrap()
            .read();
        let text = |s: &Snapshot| s.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(text(&then), text(&now), "{}", user.upn);
        assert_eq!(
            (
                then.appointments.len(),
                then.deadlines.len(),
                then.contacts.len()
            ),
            (
                now.appointments.len(),
                now.deadlines.len(),
                now.contacts.len()
            )
        );
        assert_eq!(then.contacts, now.contacts);
        for (a, b) in now.appointments.iter().zip(&then.appointments) {
            assert_eq!(a.uid, b.uid);
            assert_eq!(a.summary, b.summary);
            assert_ne!(a.timing, b.timing, "{} did not move", a.uid);
        }
    }
}

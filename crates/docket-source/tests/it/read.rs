//! Reading iCalendar and vCard bytes: what the engine gets, and what the
//! user is told about records that were skipped.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use docket_source::{
    read_bytes, read_files, Appointment, Contact, Deadline, DeadlineKind, DeadlineStatus,
    Importance, Moment, PhoneKind, ProblemKind, ReadOptions, Snapshot, Timing, Usage,
    ZonedDateTime,
};

/// A VCALENDAR around `body` (lines separated by `\n`), with CRLF endings.
fn cal(body: &str) -> Vec<u8> {
    format!("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{body}\nEND:VCALENDAR\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

fn event(uid: &str, lines: &str) -> String {
    format!("BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261001T120000Z\nSUMMARY:Termin {uid}\n{lines}\nEND:VEVENT")
}

fn read(bytes: &[u8]) -> Snapshot {
    read_bytes("test.ics", bytes, &ReadOptions::default())
}

fn only_appointment(body: &str) -> Appointment {
    let snapshot = read(&cal(body));
    assert_eq!(snapshot.problems, vec![], "unexpected problems");
    assert_eq!(snapshot.appointments.len(), 1, "one appointment expected");
    snapshot.appointments.into_iter().next().unwrap()
}

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

// ---------------------------------------------------------------- problems

/// What a read of `bytes` should yield: the UIDs read (any collection, in
/// order), each problem as `(record, kind, problem)`, and completeness.
struct Expect<'a> {
    read: &'a [&'a str],
    problems: &'a [(&'a str, ProblemKind, &'a str)],
    complete: bool,
}

fn check(bytes: &[u8], expect: Expect<'_>) {
    let s = read(bytes);
    let read: Vec<&str> = (s.appointments.iter().map(|a| a.uid.as_str()))
        .chain(s.deadlines.iter().map(|d| d.uid.as_str()))
        .chain(s.contacts.iter().map(|c| c.uid.as_str()))
        .collect();
    let reasons: Vec<String> = s.problems.iter().map(|p| p.reason_en()).collect();
    let problems: Vec<(&str, ProblemKind, &str)> = s
        .problems
        .iter()
        .zip(&reasons)
        .map(|(p, r)| (p.record.as_str(), p.kind, r.as_str()))
        .collect();
    let shown = String::from_utf8_lossy(bytes);
    assert_eq!(read, expect.read, "items read from:\n{shown}");
    assert_eq!(problems, expect.problems, "problems from:\n{shown}");
    assert_eq!(s.complete, expect.complete, "completeness of:\n{shown}");
    assert!(s.problems.iter().all(|p| p.source == "test.ics"));
}

const GOOD: &str = "BEGIN:VEVENT\nUID:good\nDTSTART:20261102T090000Z\nEND:VEVENT";

#[test]
fn each_broken_record_is_skipped_with_one_problem_and_the_rest_is_read() {
    use ProblemKind::*;
    check(
        &cal(&format!(
            "{GOOD}\n{}",
            event("bad-date", "DTSTART;TZID=Europe/Berlin:20261340T090000")
        )),
        Expect {
            read: &["good"],
            problems: &[("bad-date", BadDate, "bad date '2026-13-40' in DTSTART")],
            complete: true,
        },
    );
    check(
        &cal(&format!(
            "{}\n{GOOD}",
            event("bad-time", "DTSTART:20261102T256100")
        )),
        Expect {
            read: &["good"],
            problems: &[("bad-time", BadDate, "bad time '25:61:00' in DTSTART")],
            complete: true,
        },
    );
    check(
        &cal(&format!(
            "{}\n{GOOD}",
            event(
                "mars",
                "DTSTART;TZID=Mars/Olympus:20261102T090000\nDTEND;TZID=Mars/Olympus:20261102T100000"
            )
        )),
        Expect {
            read: &["good"],
            problems: &[("mars", UnknownTimeZone, "unknown time zone 'Mars/Olympus'")],
            complete: true,
        },
    );
    // A record without UID never had an identity: nothing exported can be
    // lost by skipping it, so the snapshot stays complete.
    check(
        &cal(&format!(
            "{GOOD}\nBEGIN:VEVENT\nSUMMARY:no uid\nDTSTART:20261102T090000Z\nEND:VEVENT"
        )),
        Expect {
            read: &["good"],
            problems: &[("VEVENT at line 8", MissingUid, "missing UID")],
            complete: true,
        },
    );
    check(
        &cal(&format!(
            "{GOOD}\nBEGIN:VTODO\nUID:no-due\nSUMMARY:Akte lesen\nEND:VTODO"
        )),
        Expect {
            read: &["good"],
            problems: &[(
                "no-due",
                MissingProperty,
                "no DUE date (only to-dos with a due date are deadlines)",
            )],
            complete: true,
        },
    );
    check(
        &cal(&format!("{GOOD}\n{}", event("no-start", "LOCATION:Saal 1"))),
        Expect {
            read: &["good"],
            problems: &[("no-start", MissingProperty, "no DTSTART")],
            complete: true,
        },
    );
    check(
        &cal(&format!(
            "{GOOD}\n{}",
            event(
                "backwards",
                "DTSTART:20261102T100000Z\nDTEND:20261102T090000Z"
            )
        )),
        Expect {
            read: &["good"],
            problems: &[(
                "backwards",
                BadDate,
                "DTEND 2026-11-02 09:00:00 is before DTSTART 2026-11-02 10:00:00",
            )],
            complete: true,
        },
    );
    // Broken structure: the next record begins before this one ended.
    check(
        &cal(&format!(
            "BEGIN:VEVENT\nUID:cut-off\nDTSTART:20261102T090000Z\n{GOOD}"
        )),
        Expect {
            read: &["good"],
            problems: &[(
                "cut-off",
                Malformed,
                "VEVENT begins before this record ended",
            )],
            complete: true,
        },
    );
    // ... and when not even a UID can be found, nobody can tell what was
    // lost: the snapshot is incomplete.
    check(
        &cal(&format!("BEGIN:VEVENT\nDTSTART:20261102T090000Z\n{GOOD}")),
        Expect {
            read: &["good"],
            problems: &[(
                "VEVENT at line 4",
                Malformed,
                "VEVENT begins before this record ended",
            )],
            complete: false,
        },
    );
    check(
        b"this is not a calendar\n",
        Expect {
            read: &[],
            problems: &[(
                "file at line 1",
                Malformed,
                "no iCalendar (BEGIN:VCALENDAR) or vCard (BEGIN:VCARD) data found",
            )],
            complete: false,
        },
    );
    check(
        &cal(&format!("{GOOD}\n{GOOD}")),
        Expect {
            read: &["good"],
            problems: &[(
                "good",
                DuplicateUid,
                "another appointment has the same UID; this one is skipped",
            )],
            complete: true,
        },
    );
}

#[test]
fn invalid_utf8_costs_only_its_record() {
    let mut bytes = cal(&format!(
        "{}\n{GOOD}",
        event("latin1", "DTSTART:20261102T090000Z\nLOCATION:M\u{1}ller")
    ));
    // Replace the marker with a Latin-1 'ü' (0xFC), invalid in UTF-8.
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xFC;
    let s = read(&bytes);
    assert_eq!(s.appointments.len(), 1);
    assert_eq!(s.appointments[0].uid, "good");
    assert_eq!(s.problems.len(), 1);
    let p = &s.problems[0];
    assert_eq!(
        (p.record.as_str(), p.uid.as_deref(), p.kind),
        ("latin1", Some("latin1"), ProblemKind::InvalidUtf8)
    );
    assert_eq!(
        p.reason_en(),
        format!("not valid UTF-8 at byte {at} (line 9)")
    );
    assert!(s.complete, "the broken record's UID is known");
    assert_eq!(s.unreadable_uids().collect::<Vec<_>>(), ["latin1"]);
}

#[test]
fn huge_description_is_refused_with_its_size() {
    let huge = "x".repeat(10_400_000);
    let s = read(&cal(&format!(
        "{}\n{GOOD}",
        event(
            "huge",
            &format!("DTSTART:20261102T090000Z\nDESCRIPTION:{huge}")
        )
    )));
    let problems: Vec<(&str, String)> = s
        .problems
        .iter()
        .map(|p| (p.record.as_str(), p.reason_en()))
        .collect();
    assert_eq!(
        problems,
        [(
            "huge",
            "description is 10.4 MB, over the 4 MB limit".to_string()
        )]
    );
    assert_eq!(s.appointments.len(), 1);
}

#[test]
fn duplicates_across_files_name_the_later_file() {
    let a = cal(GOOD);
    let b = cal(GOOD);
    let s = read_files(
        [("a.ics".to_owned(), &a[..]), ("b.ics".to_owned(), &b[..])],
        &ReadOptions::default(),
    );
    assert_eq!(s.appointments.len(), 1);
    assert_eq!(s.problems.len(), 1);
    assert_eq!(s.problems[0].source, "b.ics");
    assert_eq!(s.problems[0].kind, ProblemKind::DuplicateUid);
}

// ---------------------------------------------------------------- time

/// The start of the only appointment, and its instant (UTC) if any.
fn check_start(dtstart: &str, extra: &str, expect_tz: Option<Tz>, expect_utc: Option<&str>) {
    let a = only_appointment(&format!("{extra}\n{}", event("t", dtstart)));
    let Timing::Timed { start, .. } = a.timing else {
        panic!(
            "{dtstart}: expected a timed appointment, got {:?}",
            a.timing
        );
    };
    assert_eq!(start.tz, expect_tz, "{dtstart}: zone");
    let expect_utc = expect_utc.map(|s| Utc.from_utc_datetime(&dt(s)));
    assert_eq!(start.instant(), expect_utc, "{dtstart}: instant");
}

#[test]
fn time_zones() {
    let berlin = Some(chrono_tz::Europe::Berlin);
    let london = Some(chrono_tz::Europe::London);
    // Summer time (UTC+2) the day before clocks go back, winter time after.
    check_start(
        "DTSTART;TZID=Europe/Berlin:20261024T090000",
        "",
        berlin,
        Some("2026-10-24 07:00"),
    );
    check_start(
        "DTSTART;TZID=Europe/Berlin:20261026T090000",
        "",
        berlin,
        Some("2026-10-26 08:00"),
    );
    // 02:30 happens twice on 25 Oct 2026: the first (CEST) is meant.
    check_start(
        "DTSTART;TZID=Europe/Berlin:20261025T023000",
        "",
        berlin,
        Some("2026-10-25 00:30"),
    );
    // 02:30 does not exist on 28 Mar 2027: read with the offset before the gap.
    check_start(
        "DTSTART;TZID=Europe/Berlin:20270328T023000",
        "",
        berlin,
        Some("2027-03-28 01:30"),
    );
    check_start(
        "DTSTART;TZID=Europe/London:20270615T093000",
        "",
        london,
        Some("2027-06-15 08:30"),
    );
    // Floating: no zone, no instant; the exporter applies the mailbox zone.
    check_start("DTSTART:20261102T090000", "", None, None);
    check_start(
        "DTSTART:20261102T090000Z",
        "",
        Some(chrono_tz::UTC),
        Some("2026-11-02 09:00"),
    );
    // Windows and Outlook names, as Exchange/Outlook exports write them.
    check_start(
        "DTSTART;TZID=W. Europe Standard Time:20261102T090000",
        "",
        berlin,
        Some("2026-11-02 08:00"),
    );
    check_start(
        "DTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\":20261102T090000",
        "",
        berlin,
        Some("2026-11-02 08:00"),
    );
    check_start(
        "DTSTART;TZID=GMT Standard Time:20261102T090000",
        "",
        london,
        Some("2026-11-02 09:00"),
    );
    // A VTIMEZONE with a private name, identified by X-LIC-LOCATION.
    let vtimezone = "BEGIN:VTIMEZONE\nTZID:Kanzlei Zeit\nX-LIC-LOCATION:Europe/Berlin\n\
        BEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\n\
        END:VTIMEZONE";
    check_start(
        "DTSTART;TZID=Kanzlei Zeit:20261102T090000",
        vtimezone,
        berlin,
        Some("2026-11-02 08:00"),
    );
}

#[test]
fn a_vtimezone_we_cannot_map_is_named_in_the_problem() {
    let body = format!(
        "BEGIN:VTIMEZONE\nTZID:Hausformat\nBEGIN:STANDARD\nDTSTART:19701025T030000\n\
         TZOFFSETFROM:+0200\nTZOFFSETTO:+0117\nEND:STANDARD\nEND:VTIMEZONE\n{}",
        event("h", "DTSTART;TZID=Hausformat:20261102T090000")
    );
    let s = read(&cal(&body));
    assert_eq!(s.appointments, vec![]);
    assert_eq!(s.problems.len(), 1);
    assert_eq!(
        s.problems[0].reason_en(),
        "unknown time zone 'Hausformat' (its VTIMEZONE matches no IANA zone)"
    );
}

fn check_timing(lines: &str, expect: Timing) {
    let a = only_appointment(&event("t", lines));
    assert_eq!(a.timing, expect, "{lines}");
}

#[test]
fn timing_all_day_and_durations() {
    let berlin = Some(chrono_tz::Europe::Berlin);
    let zoned = |s: &str| ZonedDateTime {
        local: dt(s),
        tz: berlin,
    };
    let all_day = |s: &str, e: &str| Timing::AllDay {
        start: date(s),
        end: date(e),
    };
    check_timing(
        "DTSTART;VALUE=DATE:20261224",
        all_day("2026-12-24", "2026-12-25"),
    );
    check_timing(
        "DTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261227",
        all_day("2026-12-24", "2026-12-27"),
    );
    check_timing(
        "DTSTART;VALUE=DATE:20261224\nDURATION:P2D",
        all_day("2026-12-24", "2026-12-26"),
    );
    check_timing(
        "DTSTART;TZID=Europe/Berlin:20261102T090000\nDTEND;TZID=Europe/Berlin:20261102T103000",
        Timing::Timed {
            start: zoned("2026-11-02 09:00"),
            end: zoned("2026-11-02 10:30"),
        },
    );
    check_timing(
        "DTSTART;TZID=Europe/Berlin:20261102T090000\nDURATION:PT45M",
        Timing::Timed {
            start: zoned("2026-11-02 09:00"),
            end: zoned("2026-11-02 09:45"),
        },
    );
    // A flight: starts in London, ends in Berlin; compared as instants.
    check_timing(
        "DTSTART;TZID=Europe/London:20261102T090000\nDTEND;TZID=Europe/Berlin:20261102T113000",
        Timing::Timed {
            start: ZonedDateTime {
                local: dt("2026-11-02 09:00"),
                tz: Some(chrono_tz::Europe::London),
            },
            end: zoned("2026-11-02 11:30"),
        },
    );
}

#[test]
fn recurrence_is_kept_with_its_exceptions() {
    let a = only_appointment(&event(
        "weekly",
        "DTSTART;TZID=Europe/Berlin:20261102T090000\nDTEND;TZID=Europe/Berlin:20261102T100000\n\
         RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270628T070000Z\n\
         EXDATE;TZID=Europe/Berlin:20261228T090000,20270104T090000",
    ));
    let r = a.recurrence.expect("a recurrence");
    assert_eq!(r.rrule, "FREQ=WEEKLY;UNTIL=20270628T070000Z;BYDAY=MO");
    let berlin = |s: &str| {
        Moment::DateTime(ZonedDateTime {
            local: dt(s),
            tz: Some(chrono_tz::Europe::Berlin),
        })
    };
    assert_eq!(
        r.exdates,
        [berlin("2026-12-28 09:00"), berlin("2027-01-04 09:00")]
    );
    // The series' wall time is kept: 09:00 in winter and in summer alike.
    let Timing::Timed { start, .. } = a.timing else {
        panic!("timed")
    };
    assert_eq!(start.local, dt("2026-11-02 09:00"));

    let monthly = only_appointment(&event(
        "monthly",
        "DTSTART;VALUE=DATE:20261130\nRRULE:FREQ=MONTHLY;BYDAY=-1MO;COUNT=8",
    ));
    assert_eq!(
        monthly.recurrence.unwrap().rrule,
        "FREQ=MONTHLY;COUNT=8;BYDAY=-1MO"
    );
    assert_eq!(
        only_appointment(&event("once", "DTSTART:20261102T090000Z")).recurrence,
        None
    );
}

fn check_flags(lines: &str, expect_private: bool, expect_busy: bool, expect_cancelled: bool) {
    let a = only_appointment(&event("f", &format!("DTSTART:20261102T090000Z\n{lines}")));
    assert_eq!(
        (a.private, a.busy, a.cancelled),
        (expect_private, expect_busy, expect_cancelled),
        "{lines}"
    );
}

#[test]
fn private_busy_and_cancelled_flags() {
    check_flags("", false, true, false);
    check_flags("CLASS:PUBLIC", false, true, false);
    check_flags("CLASS:PRIVATE", true, true, false);
    check_flags("CLASS:CONFIDENTIAL", true, true, false);
    check_flags("TRANSP:TRANSPARENT", false, false, false);
    check_flags("STATUS:CANCELLED", false, true, true);
}

#[test]
fn appointment_fields() {
    let a = only_appointment(&event(
        "full",
        "DTSTART:20261102T090000Z\nLOCATION:Landgericht Berlin\\, Saal 4\n\
         DESCRIPTION:Akte 2026/117\\nMandant: Müller\nCATEGORIES:Gericht,Mandant\nCATEGORIES:Gericht\n\
         LAST-MODIFIED:20261015T081500Z\n\
         BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\n\
         BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-P1D\nEND:VALARM\n\
         BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=END:-PT5M\nEND:VALARM",
    ));
    assert_eq!(a.summary, "Termin full");
    assert_eq!(a.location.as_deref(), Some("Landgericht Berlin, Saal 4"));
    assert_eq!(
        a.description.as_deref(),
        Some("Akte 2026/117\nMandant: Müller")
    );
    assert_eq!(a.categories, ["Gericht", "Mandant"]);
    assert_eq!(
        a.reminder_minutes,
        Some(24 * 60),
        "the earliest start-relative alarm"
    );
    assert_eq!(
        a.last_modified,
        Some(Utc.from_utc_datetime(&dt("2026-10-15 08:15")))
    );
    assert_eq!(a.recurrence_id, None);
}

// ---------------------------------------------------------------- deadlines

fn only_deadline(lines: &str) -> Deadline {
    let s = read(&cal(&format!(
        "BEGIN:VTODO\nUID:d\nSUMMARY:Berufungsfrist\n{lines}\nEND:VTODO"
    )));
    assert_eq!(s.problems, vec![]);
    assert_eq!(s.deadlines.len(), 1);
    s.deadlines.into_iter().next().unwrap()
}

fn check_kind(lines: &str, expect: DeadlineKind) {
    let d = only_deadline(&format!("DUE;VALUE=DATE:20261201\n{lines}"));
    assert_eq!(d.kind, expect, "{lines}");
}

#[test]
fn deadline_or_follow_up() {
    check_kind("", DeadlineKind::Deadline);
    check_kind("CATEGORIES:Frist", DeadlineKind::Deadline);
    check_kind("CATEGORIES:Wiedervorlage", DeadlineKind::FollowUp);
    check_kind("CATEGORIES:Follow-up", DeadlineKind::FollowUp);
    check_kind(
        "X-DOCKET-KIND:followup\nCATEGORIES:Frist",
        DeadlineKind::FollowUp,
    );
    check_kind(
        "X-DOCKET-KIND:deadline\nCATEGORIES:Wiedervorlage",
        DeadlineKind::Deadline,
    );
}

#[test]
fn deadline_fields() {
    let d = only_deadline(
        "DUE;TZID=Europe/Berlin:20261201T235900\nPRIORITY:1\nSTATUS:IN-PROCESS\nCLASS:CONFIDENTIAL\n\
         DESCRIPTION:Urteil zugestellt am 1.11.\n\
         BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=END:-P7D\nEND:VALARM",
    );
    assert_eq!(d.title, "Berufungsfrist");
    assert_eq!(
        d.due,
        Moment::DateTime(ZonedDateTime {
            local: dt("2026-12-01 23:59"),
            tz: Some(chrono_tz::Europe::Berlin)
        })
    );
    assert_eq!(d.importance, Importance::High);
    assert_eq!(d.status, DeadlineStatus::InProgress);
    assert!(d.private);
    assert_eq!(d.notes.as_deref(), Some("Urteil zugestellt am 1.11."));
    assert_eq!(d.reminder_minutes, Some(7 * 24 * 60));

    let done = only_deadline("DUE;VALUE=DATE:20261201\nPRIORITY:9\nCOMPLETED:20261130T101500Z");
    assert_eq!(done.due, Moment::Date(date("2026-12-01")));
    assert_eq!(done.importance, Importance::Low);
    assert_eq!(done.status, DeadlineStatus::Completed);
    assert_eq!(
        done.completed,
        Some(Utc.from_utc_datetime(&dt("2026-11-30 10:15")))
    );
    assert_eq!(
        only_deadline("DUE:20261201T120000Z\nPRIORITY:5").importance,
        Importance::Normal
    );
}

// ---------------------------------------------------------------- contacts

fn contacts(vcf: &str) -> (Vec<Contact>, Vec<String>) {
    let s = read_bytes(
        "test.vcf",
        vcf.replace('\n', "\r\n").as_bytes(),
        &ReadOptions::default(),
    );
    (
        s.contacts,
        s.problems
            .into_iter()
            .map(|p| format!("{}: {}", p.record, p.reason_en()))
            .collect(),
    )
}

#[test]
fn vcard_3_and_4_map_to_contacts() {
    let (cs, problems) = contacts(
        "BEGIN:VCARD\nVERSION:3.0\nUID:c-1\nFN:Dr. Max Müller\nN:Müller;Max;;Dr.;\n\
         ORG:Müller Bau GmbH;Rechtsabteilung\nTITLE:Geschäftsführer\n\
         EMAIL;TYPE=INTERNET,WORK:max.mueller@mueller-bau.de\nEMAIL;TYPE=INTERNET,HOME:max@example.de\n\
         TEL;TYPE=WORK,VOICE:+49 30 1234567\nTEL;TYPE=CELL:+49 170 1234567\nTEL;TYPE=WORK,FAX:+49 30 1234568\n\
         ADR;TYPE=WORK:;;Hauptstraße 1;Berlin;;10115;Deutschland\nNOTE:Mandant seit 2019\n\
         CATEGORIES:Mandant,Outlook\nREV:20261001T090000Z\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:4.0\nUID:urn:uuid:6f1c0e4e-2a8b-4c38-9d0e-9a4b7c1d2e3f\nFN:Jane Doe\n\
         N:Doe;Jane;;;\nTEL;VALUE=uri;TYPE=\"voice,work\":tel:+44-20-7946-0000\n\
         EMAIL;TYPE=home:jane@example.co.uk\nX-DOCKET-SUBSCRIBED:FALSE\nCATEGORIES:Outlook\nEND:VCARD\n",
    );
    assert_eq!(problems, Vec::<String>::new());
    let [max, jane] = &cs[..] else {
        panic!("two contacts, got {cs:?}")
    };
    assert_eq!(max.uid, "c-1");
    assert_eq!(max.display_name, "Dr. Max Müller");
    assert_eq!(
        (max.given_name.as_deref(), max.family_name.as_deref()),
        (Some("Max"), Some("Müller"))
    );
    assert_eq!(max.title.as_deref(), Some("Dr."));
    assert_eq!(max.company.as_deref(), Some("Müller Bau GmbH"));
    assert_eq!(max.department.as_deref(), Some("Rechtsabteilung"));
    assert_eq!(max.job_title.as_deref(), Some("Geschäftsführer"));
    let emails: Vec<(&str, Usage)> = max
        .emails
        .iter()
        .map(|e| (e.address.as_str(), e.usage))
        .collect();
    assert_eq!(
        emails,
        [
            ("max.mueller@mueller-bau.de", Usage::Work),
            ("max@example.de", Usage::Home)
        ]
    );
    let phones: Vec<(&str, PhoneKind, Usage)> = max
        .phones
        .iter()
        .map(|p| (p.number.as_str(), p.kind, p.usage))
        .collect();
    assert_eq!(
        phones,
        [
            ("+49 30 1234567", PhoneKind::Voice, Usage::Work),
            ("+49 170 1234567", PhoneKind::Mobile, Usage::Other),
            ("+49 30 1234568", PhoneKind::Fax, Usage::Work),
        ]
    );
    let adr = &max.addresses[0];
    assert_eq!(
        (
            adr.street.as_str(),
            adr.city.as_str(),
            adr.postal_code.as_str(),
            adr.country.as_str(),
            adr.usage
        ),
        (
            "Hauptstraße 1",
            "Berlin",
            "10115",
            "Deutschland",
            Usage::Work
        )
    );
    assert_eq!(max.notes.as_deref(), Some("Mandant seit 2019"));
    assert!(max.subscribed, "category Outlook subscribes");
    assert_eq!(
        max.last_modified,
        Some(Utc.from_utc_datetime(&dt("2026-10-01 09:00")))
    );

    assert_eq!(jane.uid, "urn:uuid:6f1c0e4e-2a8b-4c38-9d0e-9a4b7c1d2e3f");
    assert_eq!(jane.phones[0].number, "+44-20-7946-0000");
    assert_eq!(jane.phones[0].usage, Usage::Work);
    assert!(
        !jane.subscribed,
        "an explicit X-DOCKET-SUBSCRIBED:FALSE wins over the category"
    );
}

#[test]
fn broken_vcards_are_skipped_one_by_one() {
    let (cs, problems) = contacts(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ohne UID\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nUID:nameless\nEMAIL:x@example.de\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nUID:n-only\nN:Schmidt;Erika;;;\nEND:VCARD\n",
    );
    assert_eq!(
        problems,
        [
            "VCARD at line 1: missing UID",
            "nameless: no name (neither FN nor N)"
        ]
    );
    let names: Vec<&str> = cs.iter().map(|c| c.display_name.as_str()).collect();
    assert_eq!(names, ["Erika Schmidt"], "a display name composed from N");
}

// ---------------------------------------------------------------- lenient zones

#[test]
fn tzids_in_any_letter_case_or_with_a_vendor_prefix_name_their_zone() {
    let berlin = Some(chrono_tz::Europe::Berlin);
    check_start(
        "DTSTART;TZID=Europe/lisbon:20270615T093000",
        "",
        Some(chrono_tz::Europe::Lisbon),
        Some("2027-06-15 08:30"),
    );
    for tzid in [
        "/freeassociation.sourceforge.net/Europe/Berlin",
        "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
        "/mozilla.org/20050126_1/Europe/Berlin",
        "/FreeAssociation.sourceforge.net/europe/berlin",
    ] {
        check_start(
            &format!("DTSTART;TZID={tzid}:20270615T090000"),
            "",
            berlin,
            Some("2027-06-15 07:00"),
        );
    }
    // The longest rest that names a zone: not "Argentina/Buenos_Aires".
    for tzid in [
        "/freeassociation.sourceforge.net/America/Argentina/Buenos_Aires",
        "/mozilla.org/20050126_1/America/Argentina/Buenos_Aires",
    ] {
        check_start(
            &format!("DTSTART;TZID={tzid}:20270615T090000"),
            "",
            Some(Tz::America__Argentina__Buenos_Aires),
            Some("2027-06-15 12:00"),
        );
    }
    // A VTIMEZONE named so, without X-LIC-LOCATION: the name wins.
    let vtimezone = "BEGIN:VTIMEZONE\nTZID:/freeassociation.sourceforge.net/Europe/Vienna\n\
        BEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n\
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\nBEGIN:DAYLIGHT\n\
        DTSTART:19700329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n\
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\nEND:VTIMEZONE";
    check_start(
        "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Vienna:20270115T090000",
        vtimezone,
        Some(chrono_tz::Europe::Vienna),
        Some("2027-01-15 08:00"),
    );
}

/// A VTIMEZONE called `tzid` with these observances.
fn custom_zone(tzid: &str, observances: &str) -> String {
    format!("BEGIN:VTIMEZONE\nTZID:{tzid}\n{observances}\nEND:VTIMEZONE")
}

/// Outlook's definition of (UTC+01:00) Amsterdam, Berlin, …
const OUTLOOK_BERLIN: &str = "BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+0200\n\
    TZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n\
    BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n\
    RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT";

#[test]
fn a_vtimezone_with_a_private_name_is_the_zone_whose_rules_it_has() {
    // (zone name, observances, the zone expected, 09:00 on 15 Jan and on
    // 15 Jul 2027 in UTC)
    let cases = [
        (
            "Customized Time Zone",
            OUTLOOK_BERLIN,
            chrono_tz::Europe::Berlin,
            ["2027-01-15 08:00", "2027-07-15 07:00"],
        ),
        (
            "Mitteleuropäische Zeit",
            OUTLOOK_BERLIN,
            chrono_tz::Europe::Berlin,
            ["2027-01-15 08:00", "2027-07-15 07:00"],
        ),
        (
            "US-Ostküste",
            "BEGIN:DAYLIGHT\nDTSTART:20070311T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\n\
             RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZNAME:EDT\nEND:DAYLIGHT\n\
             BEGIN:STANDARD\nDTSTART:20071104T020000\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\n\
             RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZNAME:EST\nEND:STANDARD",
            chrono_tz::America::New_York,
            ["2027-01-15 14:00", "2027-07-15 13:00"],
        ),
        (
            // Southern hemisphere: summer time from October to April.
            "Ostaustralien",
            "BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+1100\nTZOFFSETTO:+1000\n\
             RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4\nEND:STANDARD\nBEGIN:DAYLIGHT\n\
             DTSTART:16010101T020000\nTZOFFSETFROM:+1000\nTZOFFSETTO:+1100\n\
             RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=10\nEND:DAYLIGHT",
            chrono_tz::Australia::Sydney,
            ["2027-01-14 22:00", "2027-07-14 23:00"],
        ),
        (
            "Indien",
            "BEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETFROM:+0530\nTZOFFSETTO:+0530\n\
             END:STANDARD",
            chrono_tz::Asia::Calcutta,
            ["2027-01-15 03:30", "2027-07-15 03:30"],
        ),
    ];
    for (tzid, observances, zone, [january, july]) in cases {
        let vtimezone = custom_zone(tzid, observances);
        for (day, utc) in [("20270115", january), ("20270715", july)] {
            check_start(
                &format!("DTSTART;TZID={tzid}:{day}T090000"),
                &vtimezone,
                Some(zone),
                Some(utc),
            );
        }
    }
}

#[test]
fn a_nonsense_vtimezone_stays_unknown_and_costs_only_its_items() {
    let cases = [
        ("Leer", String::new()),
        (
            "Neunundneunzig",
            "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+9900\n\
             END:STANDARD"
                .to_owned(),
        ),
        (
            "Ohne Versatz",
            "BEGIN:STANDARD\nDTSTART:19700101T000000\nEND:STANDARD".to_owned(),
        ),
        (
            "Regelmüll",
            OUTLOOK_BERLIN.replace(
                "FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3",
                "FREQ=YEARLY;;BYDAY=SU99;BYMONTH=13",
            ),
        ),
        (
            "Regeltext",
            OUTLOOK_BERLIN.replace(
                "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3",
                "RRULE:jeden letzten Sonntag im März",
            ),
        ),
        ("Jahr Null", OUTLOOK_BERLIN.replace("16010101", "00000101")),
        ("Jahr 9999", OUTLOOK_BERLIN.replace("16010101", "99991231")),
    ];
    for (tzid, observances) in &cases {
        let body = format!(
            "{}\n{}\n{}",
            custom_zone(tzid, observances),
            event("bad", &format!("DTSTART;TZID={tzid}:20270115T090000")),
            event("good", "DTSTART;TZID=Europe/Berlin:20270115T090000"),
        );
        let s = read(&cal(&body));
        let read: Vec<&str> = s.appointments.iter().map(|a| a.uid.as_str()).collect();
        assert_eq!(read, ["good"], "{tzid}");
        let problems: Vec<String> = s.problems.iter().map(|p| p.reason_en()).collect();
        assert_eq!(
            problems,
            [format!(
                "unknown time zone '{tzid}' (its VTIMEZONE matches no IANA zone)"
            )],
            "{tzid}"
        );
    }
}

// ------------------------------------------- records that used to stop a read

/// Durations and dates beyond what a calendar holds cost their record, with
/// a reason a person can read; the read goes on. (A DURATION of a billion
/// weeks used to overflow the date arithmetic and panic the whole read.)
#[test]
fn absurd_durations_and_dates_cost_only_their_record() {
    for duration in [
        "P999999999999999999W",
        "P4294967295W",
        "P4294967295W4294967295D",
    ] {
        let body = format!(
            "{}\n{}\n{GOOD}",
            event(
                "huge",
                &format!("DTSTART:20261102T090000Z\nDURATION:{duration}")
            ),
            event(
                "huge-day",
                &format!("DTSTART;VALUE=DATE:20261102\nDURATION:{duration}")
            ),
        );
        let s = read(&cal(&body));
        let read: Vec<&str> = s.appointments.iter().map(|a| a.uid.as_str()).collect();
        assert_eq!(read, ["good"], "{duration}");
        assert_eq!(s.problems.len(), 2, "{duration}: {:?}", s.problems);
        for p in &s.problems {
            assert!(p.record.starts_with("huge"), "{p:?}");
            assert!(
                !p.reason_en().contains('{') && !p.reason_en().contains("Duration("),
                "a readable reason, not a dump: {p:?}"
            );
        }
        assert!(
            s.complete,
            "the skipped records are named: nothing else is missing"
        );
    }
    // The far end of the calendar: year 9999 plus a day still reads.
    let last = only_appointment(&event("last", "DTSTART;VALUE=DATE:99991231"));
    assert_eq!(
        last.timing,
        Timing::AllDay {
            start: date("9999-12-31"),
            end: NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
        }
    );
}

/// Components written without `BEGIN:VCALENDAR` around them (many tools do)
/// are read, never "OK, 0 appointments".
#[test]
fn bare_components_without_a_calendar_are_read() {
    let bare = "BEGIN:VEVENT\r\nUID:bare-1\r\nDTSTART:20261102T090000Z\r\nEND:VEVENT\r\n\
                BEGIN:VTODO\r\nUID:bare-2\r\nDUE;VALUE=DATE:20261215\r\nEND:VTODO\r\n\
                BEGIN:VEVENT\r\nDTSTART:20261103T090000Z\r\nEND:VEVENT\r\n";
    let s = read(bare.as_bytes());
    assert_eq!(s.appointments.len(), 1);
    assert_eq!(s.appointments[0].uid, "bare-1");
    assert_eq!(s.deadlines.len(), 1);
    assert_eq!(s.deadlines[0].uid, "bare-2");
    let problems: Vec<(&str, String)> = s
        .problems
        .iter()
        .map(|p| (p.record.as_str(), p.reason_en()))
        .collect();
    assert_eq!(problems, [("VEVENT at line 9", "missing UID".to_string())]);
}

/// `RDATE;VALUE=PERIOD` (RFC 5545 §3.3.9): the start of each period is an
/// occurrence and the period gives its length. It used to skip the whole
/// event with a Rust debug dump as the reason.
#[test]
fn rdate_periods_are_occurrences_with_their_own_length() {
    let a = only_appointment(&event(
        "p",
        "DTSTART;TZID=Europe/Berlin:20261102T090000\nDTEND;TZID=Europe/Berlin:20261102T100000\n\
         RRULE:FREQ=WEEKLY;COUNT=3\n\
         RDATE;VALUE=PERIOD;TZID=Europe/Berlin:20261104T140000/20261104T163000\n\
         RDATE;VALUE=PERIOD:20261106T080000Z/PT45M",
    ));
    let r = a.recurrence.expect("a recurrence");
    let berlin = |s: &str| ZonedDateTime {
        local: dt(s),
        tz: Some(chrono_tz::Europe::Berlin),
    };
    let utc = |s: &str| ZonedDateTime {
        local: dt(s),
        tz: Some(chrono_tz::UTC),
    };
    assert_eq!(
        r.rdates,
        [
            Moment::DateTime(berlin("2026-11-04 14:00")),
            Moment::DateTime(utc("2026-11-06 08:00"))
        ]
    );
    assert_eq!(
        r.rdate_periods,
        [
            Timing::Timed {
                start: berlin("2026-11-04 14:00"),
                end: berlin("2026-11-04 16:30"),
            },
            Timing::Timed {
                start: utc("2026-11-06 08:00"),
                end: utc("2026-11-06 08:45"),
            }
        ]
    );
    // A period that runs backwards is the record's problem, in words.
    let s = read(&cal(&event(
        "back",
        "DTSTART:20261102T090000Z\nRRULE:FREQ=DAILY\nRDATE;VALUE=PERIOD:20261104T140000Z/20261104T120000Z",
    )));
    assert_eq!(s.problems.len(), 1);
    assert_eq!(
        s.problems[0].reason_en(),
        "a period in RDATE that does not run forward in time"
    );
}

/// An empty `RRULE:` (a real German public-holiday calendar has one on
/// every event) is the single event it describes.
#[test]
fn an_empty_rrule_is_a_single_event() {
    let a = only_appointment(&event(
        "feiertag",
        "DTSTART;VALUE=DATE:20261225\nDTEND;VALUE=DATE:20261226\nRRULE:",
    ));
    assert_eq!(a.recurrence, None);
}

/// Every record knows the file it came from, so that a skip raised later,
/// while mapping, names the file too.
#[test]
fn every_item_names_its_file() {
    let s = read_files(
        [
            (
                "a.ics".to_string(),
                &cal(&event("x", "DTSTART:20261102T090000Z"))[..],
            ),
            (
                "b.vcf".to_string(),
                &b"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c1\r\nFN:Anna\r\nEND:VCARD\r\n"[..],
            ),
        ],
        &ReadOptions::default(),
    );
    assert_eq!(s.appointments[0].source, "a.ics");
    assert_eq!(s.contacts[0].source, "b.vcf");
}

/// An export read while the PMS is still writing it stops part-way, between
/// two records or inside one. What followed the cut is unknown, so the
/// snapshot is incomplete (the engine then deletes nothing) and the file
/// is named; the whole file reads complete.
#[test]
fn an_export_cut_short_while_it_is_written_is_incomplete() {
    use ProblemKind::*;
    let whole = cal(&format!(
        "{GOOD}\n{}",
        event("second", "DTSTART:20261103T090000Z")
    ));
    let at = String::from_utf8_lossy(&whole)
        .find("BEGIN:VEVENT\r\nUID:second")
        .expect("second record");
    let cut = "the file ends before END:VCALENDAR: it may have been cut off while it was \
               being written, so nothing is deleted in Outlook until it reads whole";
    check(
        &whole[..at],
        Expect {
            read: &["good"],
            problems: &[("(whole file)", Malformed, cut)],
            complete: false,
        },
    );
    check(
        &whole[..at + 30],
        Expect {
            read: &["good"],
            problems: &[
                (
                    "second",
                    Malformed,
                    "VEVENT is not terminated (no END:VEVENT)",
                ),
                (
                    "(whole file)",
                    Malformed,
                    &cut.replace("END:VCALENDAR", "END:VEVENT"),
                ),
            ],
            complete: false,
        },
    );
    check(
        &whole,
        Expect {
            read: &["good", "second"],
            problems: &[],
            complete: true,
        },
    );
}

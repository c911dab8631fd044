//! Mapping table-tested: source records in, the Outlook items (or the
//! skip with its reason) out.

use super::*;
use chrono::TimeZone;
use docket_source::{read_bytes, ReadOptions};

/// The window used throughout: 2026-10-01 to 2027-11-02.
fn ctx() -> MapContext {
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    MapContext {
        mailbox_zone: Tz::Europe__Berlin,
        force_private: false,
        deadlines_to: DeadlinesTo::Todo,
        lang: docket_text::Lang::En,
        window: Window {
            start: now - Duration::days(31),
            end: now + Duration::days(366),
        },
    }
}

use chrono::{Duration, Utc};

/// Reads `records` (VEVENT/VTODO components, or vCards) through
/// `docket-source`, maps them with `ctx`, and compares: the keys produced
/// (in order) and, for each, the listed fields of its body (`kind` and
/// `categories` are checked too when listed).
fn check(records: &str, ctx: MapContext, expect: &[(&str, Value)]) {
    let text = if records.trim_start().starts_with("BEGIN:VCARD") {
        records.to_string()
    } else {
        format!("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\n{records}\nEND:VCALENDAR\n")
    };
    let snapshot = read_bytes("test", text.as_bytes(), &ReadOptions::default());
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);
    let m = map_snapshot(&snapshot, &ctx);
    let keys: Vec<String> = m.desired.keys().map(|k| k.to_string()).collect();
    let want: Vec<&str> = expect.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, want, "keys from:\n{records}");
    for (k, fields) in expect {
        let d = &m.desired[&k.parse::<SourceKey>().unwrap()];
        for (name, v) in fields.as_object().unwrap() {
            let got = match name.as_str() {
                "kind" => json!(d.kind.as_str()),
                "categories" => json!(d.categories),
                _ => d.fields.get(name).cloned().unwrap_or(json!("<absent>")),
            };
            assert_eq!(&got, v, "{k}: field {name} from:\n{records}");
        }
    }
}

fn berlin(dt: &str) -> Value {
    json!({"dateTime": dt, "timeZone": "W. Europe Standard Time"})
}

#[test]
fn appointments_keep_wall_time_and_zone() {
    // Berlin, as written.
    check(
        "BEGIN:VEVENT\nUID:a\nSUMMARY:Mandant\nDESCRIPTION:<b>not html</b>\nLOCATION:Raum 2\nDTSTART;TZID=Europe/Berlin:20261102T090000\nDTEND;TZID=Europe/Berlin:20261102T100000\nEND:VEVENT",
        ctx(),
        &[(
            "appointment:a",
            json!({
                "kind": "event",
                "subject": "Mandant",
                "body": {"contentType": "text", "content": "<b>not html</b>"},
                "location": {"displayName": "Raum 2"},
                "start": berlin("2026-11-02T09:00:00"),
                "end": berlin("2026-11-02T10:00:00"),
                "isAllDay": false,
                "recurrence": null,
                "isReminderOn": false,
                "reminderMinutesBeforeStart": "<absent>",
                "sensitivity": "normal",
                "showAs": "busy",
            }),
        )],
    );
    // London, UTC, and a flight that starts in one zone and ends in another.
    check(
        "BEGIN:VEVENT\nUID:l\nDTSTART;TZID=Europe/London:20261102T090000\nDTEND;TZID=Europe/London:20261102T093000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:u\nDTSTART:20261102T090000Z\nDTEND:20261102T093000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:x\nDTSTART;TZID=Europe/London:20261102T070000\nDTEND;TZID=Europe/Berlin:20261102T100000\nEND:VEVENT",
        ctx(),
        &[
            ("appointment:l", json!({"start": {"dateTime": "2026-11-02T09:00:00", "timeZone": "GMT Standard Time"}})),
            ("appointment:u", json!({"start": {"dateTime": "2026-11-02T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-11-02T09:30:00", "timeZone": "UTC"}})),
            ("appointment:x", json!({"start": {"dateTime": "2026-11-02T07:00:00", "timeZone": "GMT Standard Time"}, "end": berlin("2026-11-02T10:00:00")})),
        ],
    );
    // Floating: the mailbox's zone (here London).
    let london = MapContext {
        mailbox_zone: Tz::Europe__London,
        ..ctx()
    };
    check(
        "BEGIN:VEVENT\nUID:f\nDTSTART:20261102T090000\nDTEND:20261102T100000\nEND:VEVENT",
        london,
        &[(
            "appointment:f",
            json!({"start": {"dateTime": "2026-11-02T09:00:00", "timeZone": "GMT Standard Time"}}),
        )],
    );
    // DST starts 2027-03-28 02:00 in Berlin: 02:30 does not exist and is
    // sent as 03:30 (RFC 5545 §3.3.5); the day after is plain CEST.
    check(
        "BEGIN:VEVENT\nUID:gap\nDTSTART;TZID=Europe/Berlin:20270328T023000\nDTEND;TZID=Europe/Berlin:20270328T040000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:next\nDTSTART;TZID=Europe/Berlin:20270329T090000\nDTEND;TZID=Europe/Berlin:20270329T100000\nEND:VEVENT",
        ctx(),
        &[
            ("appointment:gap", json!({"start": berlin("2027-03-28T03:30:00"), "end": berlin("2027-03-28T04:00:00")})),
            ("appointment:next", json!({"start": berlin("2027-03-29T09:00:00")})),
        ],
    );
}

#[test]
fn all_day_is_midnight_to_midnight_in_the_mailbox_zone() {
    check(
        "BEGIN:VEVENT\nUID:one\nSUMMARY:Fortbildung\nDTSTART;VALUE=DATE:20261106\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:leave\nSUMMARY:Urlaub\nDTSTART;VALUE=DATE:20261221\nDTEND;VALUE=DATE:20270102\nTRANSP:TRANSPARENT\nEND:VEVENT",
        ctx(),
        &[
            ("appointment:leave", json!({"isAllDay": true, "start": berlin("2026-12-21T00:00:00"), "end": berlin("2027-01-02T00:00:00"), "showAs": "free"})),
            ("appointment:one", json!({"isAllDay": true, "start": berlin("2026-11-06T00:00:00"), "end": berlin("2026-11-07T00:00:00")})),
        ],
    );
}

#[test]
fn privacy_reminders_and_categories() {
    let events =
        "BEGIN:VEVENT\nUID:p\nCLASS:PRIVATE\nCATEGORIES:Privat,Arzt\nDTSTART:20261102T090000Z\n\
                  BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT30M\nEND:VALARM\nEND:VEVENT\n\
                  BEGIN:VEVENT\nUID:q\nDTSTART:20261102T090000Z\nEND:VEVENT";
    check(
        events,
        ctx(),
        &[
            (
                "appointment:p",
                json!({"sensitivity": "private", "isReminderOn": true, "reminderMinutesBeforeStart": 30, "categories": ["Privat", "Arzt"]}),
            ),
            (
                "appointment:q",
                json!({"sensitivity": "normal", "categories": []}),
            ),
        ],
    );
    let forced = MapContext {
        force_private: true,
        ..ctx()
    };
    check(
        events,
        forced,
        &[
            ("appointment:p", json!({"sensitivity": "private"})),
            ("appointment:q", json!({"sensitivity": "private"})),
        ],
    );
}

#[test]
fn series_graph_can_express_stay_one_series_across_dst() {
    // Weekly on Mondays 09:00 Berlin across the DST change of 28 March
    // 2027: one series in the local zone, so Outlook keeps 09:00.
    check(
        "BEGIN:VEVENT\nUID:w\nDTSTART;TZID=Europe/Berlin:20270315T090000\nDTEND;TZID=Europe/Berlin:20270315T100000\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\nEND:VEVENT",
        ctx(),
        &[(
            "appointment:w",
            json!({
                "start": berlin("2027-03-15T09:00:00"),
                "recurrence": {
                    "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
                    "range": {"type": "numbered", "startDate": "2027-03-15", "numberOfOccurrences": 4, "recurrenceTimeZone": "W. Europe Standard Time"},
                },
            }),
        )],
    );
}

#[test]
fn series_with_exdates_overrides_or_odd_rules_are_expanded() {
    // EXDATE on 22 March: expanded; the occurrences before and after the
    // DST change all start at 09:00 wall time (08:00Z, then 07:00Z).
    check(
        "BEGIN:VEVENT\nUID:w\nDTSTART;TZID=Europe/Berlin:20270315T090000\nDTEND;TZID=Europe/Berlin:20270315T100000\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\nEXDATE;TZID=Europe/Berlin:20270322T090000\nEND:VEVENT",
        ctx(),
        &[
            ("appointment@20270315T080000Z:w", json!({"start": berlin("2027-03-15T09:00:00"), "end": berlin("2027-03-15T10:00:00"), "recurrence": null})),
            ("appointment@20270329T070000Z:w", json!({"start": berlin("2027-03-29T09:00:00"), "end": berlin("2027-03-29T10:00:00")})),
            ("appointment@20270405T070000Z:w", json!({"start": berlin("2027-04-05T09:00:00")})),
        ],
    );
    // An override moves one occurrence; a cancelled override removes one.
    check(
        "BEGIN:VEVENT\nUID:s\nSUMMARY:Sprechstunde\nDTSTART;TZID=Europe/Berlin:20261104T140000\nDTEND;TZID=Europe/Berlin:20261104T150000\nRRULE:FREQ=MONTHLY;BYDAY=1WE;COUNT=3\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/Berlin:20261202T140000\nSUMMARY:Sprechstunde (verlegt)\nDTSTART;TZID=Europe/Berlin:20261203T160000\nDTEND;TZID=Europe/Berlin:20261203T170000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/Berlin:20270106T140000\nSTATUS:CANCELLED\nDTSTART;TZID=Europe/Berlin:20270106T140000\nEND:VEVENT",
        ctx(),
        &[
            ("appointment@20261104T130000Z:s", json!({"subject": "Sprechstunde", "start": berlin("2026-11-04T14:00:00")})),
            ("appointment@20261202T130000Z:s", json!({"subject": "Sprechstunde (verlegt)", "start": berlin("2026-12-03T16:00:00")})),
        ],
    );
    // Day 31 of the month: RFC 5545 skips short months; expanded in the
    // window (2026-10-01 to 2027-11-02), so only months with a 31st.
    check(
        "BEGIN:VEVENT\nUID:m\nDTSTART;VALUE=DATE:20261031\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4\nEND:VEVENT",
        ctx(),
        &[
            ("appointment@20261031:m", json!({"isAllDay": true, "start": berlin("2026-10-31T00:00:00"), "end": berlin("2026-11-01T00:00:00")})),
            ("appointment@20261231:m", json!({"start": berlin("2026-12-31T00:00:00")})),
            ("appointment@20270131:m", json!({})),
            ("appointment@20270331:m", json!({})),
        ],
    );
    // An open-ended daily series is cut at the window's end.
    let snapshot = read_bytes(
        "t",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:d\nDTSTART:20261101T120000Z\nRRULE:FREQ=DAILY;BYHOUR=12\nEND:VEVENT\nEND:VCALENDAR\n",
        &ReadOptions::default(),
    );
    let m = map_snapshot(&snapshot, &ctx());
    let last = m.desired.keys().last().unwrap().to_string();
    assert_eq!(
        (m.desired.len(), last.as_str()),
        (366, "appointment@20271101T120000Z:d")
    );
}

#[test]
fn deadlines_become_tasks_with_the_time_in_the_reminder() {
    let records = "BEGIN:VTODO\nUID:frist\nSUMMARY:Berufungsfrist\nDESCRIPTION:Az. 12/26\nPRIORITY:1\nCATEGORIES:Frist\nDUE;TZID=Europe/Berlin:20261215T140000\n\
                   BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-P7D\nEND:VALARM\nEND:VTODO\n\
                   BEGIN:VTODO\nUID:wv\nSUMMARY:Wiedervorlage\nDUE;VALUE=DATE:20261120\nSTATUS:COMPLETED\nCOMPLETED:20261118T101500Z\nEND:VTODO\n\
                   BEGIN:VTODO\nUID:t\nSUMMARY:Termin um 9\nDUE;TZID=Europe/London:20261120T090000\nEND:VTODO\n\
                   BEGIN:VTODO\nUID:gone\nSUMMARY:abgesagt\nDUE;VALUE=DATE:20261120\nSTATUS:CANCELLED\nEND:VTODO";
    check(
        records,
        ctx(),
        &[
            (
                "deadline:frist",
                json!({
                    "kind": "task",
                    "title": "Berufungsfrist",
                    "body": {"contentType": "text", "content": "Az. 12/26"},
                    "dueDateTime": berlin("2026-12-15T00:00:00"),
                    "isReminderOn": true,
                    "reminderDateTime": berlin("2026-12-08T14:00:00"),
                    "importance": "high",
                    "status": "notStarted",
                    "categories": ["Frist"],
                }),
            ),
            (
                "deadline:t",
                json!({"dueDateTime": {"dateTime": "2026-11-20T00:00:00", "timeZone": "GMT Standard Time"}, "reminderDateTime": {"dateTime": "2026-11-20T09:00:00", "timeZone": "GMT Standard Time"}}),
            ),
            (
                "deadline:wv",
                json!({
                    "dueDateTime": berlin("2026-11-20T00:00:00"),
                    "isReminderOn": false,
                    "reminderDateTime": null,
                    "status": "completed",
                    "completedDateTime": {"dateTime": "2026-11-18T10:15:00", "timeZone": "UTC"},
                    "importance": "normal",
                }),
            ),
        ],
    );
    let calendar = MapContext {
        deadlines_to: DeadlinesTo::Calendar,
        force_private: true,
        ..ctx()
    };
    check(
        records,
        calendar,
        &[
            (
                "deadline:frist",
                json!({"kind": "event", "subject": "Berufungsfrist", "start": berlin("2026-12-15T13:30:00"), "end": berlin("2026-12-15T14:00:00"), "isAllDay": false, "reminderMinutesBeforeStart": 10080, "showAs": "free", "sensitivity": "private"}),
            ),
            (
                "deadline:t",
                json!({"end": {"dateTime": "2026-11-20T09:00:00", "timeZone": "GMT Standard Time"}}),
            ),
            (
                "deadline:wv",
                json!({"kind": "event", "isAllDay": true, "start": berlin("2026-11-20T00:00:00"), "end": berlin("2026-11-21T00:00:00")}),
            ),
        ],
    );
}

#[test]
fn contacts_fit_outlook_and_the_rest_goes_to_the_notes() {
    check(
        "BEGIN:VCARD\nVERSION:3.0\nUID:c1\nFN:Dr. Eva Schmidt\nN:Schmidt;Eva;Maria;Dr.;\nORG:Schmidt GmbH;Recht\nTITLE:Geschäftsführerin\n\
         EMAIL;TYPE=work:eva@schmidt.de\nEMAIL;TYPE=home:eva@home.de\nEMAIL:e3@x.de\nEMAIL:e4@x.de\nEMAIL;TYPE=work:e5@x.de\n\
         TEL;TYPE=work,voice:+49 30 1\nTEL;TYPE=work,voice:+49 30 2\nTEL;TYPE=work,voice:+49 30 3\nTEL;TYPE=cell:+49 170 1\nTEL;TYPE=home:+49 30 9\nTEL;TYPE=work,fax:+49 30 5\n\
         ADR;TYPE=work:;;Unter den Linden 1;Berlin;;10117;Deutschland\nADR;TYPE=work:;;Friedrichstr. 2;Berlin;;10117;Deutschland\n\
         NOTE:Mandantin seit 2019\nCATEGORIES:Outlook,Mandant\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nUID:c2\nFN:Not Subscribed\nEND:VCARD\n",
        ctx(),
        &[(
            "contact:c1",
            json!({
                "kind": "contact",
                "displayName": "Dr. Eva Schmidt",
                "givenName": "Eva",
                "middleName": "Maria",
                "surname": "Schmidt",
                "title": "Dr.",
                "companyName": "Schmidt GmbH",
                "department": "Recht",
                "jobTitle": "Geschäftsführerin",
                "emailAddresses": [
                    {"address": "eva@schmidt.de", "name": "Dr. Eva Schmidt"},
                    {"address": "eva@home.de", "name": "Dr. Eva Schmidt"},
                    {"address": "e3@x.de", "name": "Dr. Eva Schmidt"},
                ],
                "businessPhones": ["+49 30 1", "+49 30 2"],
                "homePhones": ["+49 30 9"],
                "mobilePhone": "+49 170 1",
                "businessAddress": {"street": "Unter den Linden 1", "city": "Berlin", "state": "", "postalCode": "10117", "countryOrRegion": "Deutschland"},
                "homeAddress": null,
                "personalNotes": "Mandantin seit 2019\n\nAlso in the PMS (no room in Outlook):\nE-mail (other): e4@x.de\nE-mail (work): e5@x.de\nPhone (work): +49 30 3\nFax (work): +49 30 5\nAddress (work): Friedrichstr. 2, 10117 Berlin, Deutschland",
                "categories": ["Outlook", "Mandant"],
            }),
        )],
    );
}

/// A German user's contact notes are German (they were English for
/// everyone): the heading and every line, from the catalogue.
#[test]
fn the_overflow_notes_are_in_the_users_language() {
    let card = "BEGIN:VCARD\nVERSION:3.0\nUID:c1\nFN:Eva\nNOTE:Mandantin\n\
         EMAIL:e1@x.de\nEMAIL:e2@x.de\nEMAIL:e3@x.de\nEMAIL;TYPE=work:e4@x.de\n\
         TEL;TYPE=work,fax:+49 30 5\nTEL;TYPE=cell:+49 170 1\nTEL;TYPE=cell:+49 170 2\n\
         ADR;TYPE=home:;;A 1;Berlin;;10117;DE\nADR;TYPE=home:;;B 2;Berlin;;10117;DE\nCATEGORIES:Outlook\nEND:VCARD\n";
    let german = MapContext {
        lang: docket_text::Lang::De,
        ..ctx()
    };
    check(
        card,
        german,
        &[(
            "contact:c1",
            json!({"personalNotes": "Mandantin\n\nAußerdem in der Kanzleisoftware (in Outlook kein Platz):\n\
                E-Mail (geschäftlich): e4@x.de\nFax (geschäftlich): +49 30 5\nMobil (sonstige): +49 170 2\nAdresse (privat): B 2, 10117 Berlin, DE"}),
        )],
    );
    check(
        card,
        ctx(),
        &[(
            "contact:c1",
            json!({"personalNotes": "Mandantin\n\nAlso in the PMS (no room in Outlook):\n\
                E-mail (work): e4@x.de\nFax (work): +49 30 5\nMobile (other): +49 170 2\nAddress (home): B 2, 10117 Berlin, DE"}),
        )],
    );
}

#[test]
fn overflow_is_reported_as_a_notice() {
    let snapshot = read_bytes(
        "t",
        b"BEGIN:VCARD\nVERSION:3.0\nUID:c\nFN:A\nEMAIL:1@x\nEMAIL:2@x\nEMAIL:3@x\nEMAIL:4@x\nCATEGORIES:Outlook\nEND:VCARD\n",
        &ReadOptions::default(),
    );
    let m = map_snapshot(&snapshot, &ctx());
    let en = docket_text::Texts::new(docket_text::Lang::En);
    let de = docket_text::Texts::new(docket_text::Lang::De);
    assert_eq!(m.notices.len(), 1);
    assert_eq!(
        en.render(&m.notices[0]),
        "contact 'A' (c): 1 e-mail address beyond Outlook's 3 listed in its notes"
    );
    assert_eq!(
        de.render(&m.notices[0]),
        "Kontakt „A“ (c): 1 E-Mail-Adresse über die 3 hinaus, die Outlook aufnimmt, steht in seinen Notizen"
    );
}

#[test]
fn create_body_carries_the_tag_and_a_transaction_id() {
    let snapshot = read_bytes(
        "t",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20261102T090000Z\nCATEGORIES:Mandant\nEND:VEVENT\nBEGIN:VTODO\nUID:f\nSUMMARY:Frist\nDUE;VALUE=DATE:20261120\nEND:VTODO\nEND:VCALENDAR\n",
        &ReadOptions::default(),
    );
    let m = map_snapshot(&snapshot, &ctx());
    let event = &m.desired[&"appointment:a".parse().unwrap()];
    let body = event.create_body(0);
    assert_eq!(
        body["singleValueExtendedProperties"],
        json!([{"id": crate::key::TAG_PROPERTY_ID, "value": "appointment:a"}])
    );
    assert_eq!(
        body["transactionId"],
        json!(transaction_id("appointment:a", 0))
    );
    assert_eq!(body["categories"], json!(["Mandant"]));
    assert_ne!(event.create_body(1)["transactionId"], body["transactionId"]);
    let task = m.desired[&"deadline:f".parse().unwrap()].create_body(0);
    assert_eq!(
        task["linkedResources"],
        json!([{"applicationName": "Docket Sync", "displayName": "Frist", "externalId": "deadline:f"}])
    );
    assert_eq!(task.get("transactionId"), None);
    assert_eq!(task.get("singleValueExtendedProperties"), None);
    // An update sends exactly our fields plus the merged categories.
    let patch = event.update_body(&["Mine".into(), "Mandant".into()]);
    let mut names: Vec<&String> = patch.as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "body",
            "categories",
            "end",
            "isAllDay",
            "isReminderOn",
            "location",
            "recurrence",
            "sensitivity",
            "showAs",
            "start",
            "subject"
        ]
    );
}

/// A large snapshot is mapped on several threads: the result must be the
/// one loop's, including which record wins when a UID is repeated far
/// apart (the first), series with overrides, and cancelled records.
#[test]
fn mapping_on_threads_gives_the_one_loop_result() {
    let mut ics = String::from("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\n");
    for i in 0..1500 {
        let day = 1 + i % 28;
        ics += &format!(
            "BEGIN:VEVENT\nUID:e{i}\nSUMMARY:Termin {i}\nDTSTART;TZID=Europe/Berlin:202612{day:02}T090000\nDTEND;TZID=Europe/Berlin:202612{day:02}T100000\nEND:VEVENT\n"
        );
        if i % 100 == 0 {
            // A weekly series with one moved occurrence: expanded.
            ics += &format!(
                "BEGIN:VEVENT\nUID:s{i}\nSUMMARY:Serie {i}\nRRULE:FREQ=WEEKLY;COUNT=4\nDTSTART;TZID=Europe/Berlin:20261201T080000\nDTEND;TZID=Europe/Berlin:20261201T083000\nEND:VEVENT\nBEGIN:VEVENT\nUID:s{i}\nRECURRENCE-ID;TZID=Europe/Berlin:20261208T080000\nSUMMARY:Serie {i} verlegt\nDTSTART;TZID=Europe/Berlin:20261209T080000\nDTEND;TZID=Europe/Berlin:20261209T083000\nEND:VEVENT\n"
            );
        }
        if i % 250 == 0 {
            ics += &format!("BEGIN:VEVENT\nUID:x{i}\nSUMMARY:Abgesagt\nSTATUS:CANCELLED\nDTSTART:20261203T080000Z\nEND:VEVENT\n");
            ics += &format!("BEGIN:VEVENT\nUID:r{i}\nSUMMARY:Kaputt\nRRULE:FREQ=SOMETIMES\nDTSTART:20261203T080000Z\nEND:VEVENT\n");
        }
    }
    for i in 0..600 {
        // d7 appears twice, far apart: the first one wins.
        let uid = if i == 590 { 7 } else { i };
        ics += &format!(
            "BEGIN:VTODO\nUID:d{uid}\nSUMMARY:Frist {i}\nCATEGORIES:Frist\nDUE;VALUE=DATE:20261215\nEND:VTODO\n"
        );
    }
    ics += "END:VCALENDAR\n";
    let snapshot = read_bytes("big.ics", ics.as_bytes(), &ReadOptions::default());
    let one = map_on(&snapshot, &ctx(), 1, &|_: &SourceKey, _: &str| false);
    assert!(one.desired.len() > 2000, "{}", one.desired.len());
    assert_eq!(
        one.records[&(Module::Appointment, "x250".to_string())],
        Presence::Cancelled
    );
    let d7 = &one.desired[&SourceKey::new(Module::Deadline, "d7")];
    assert_eq!(d7.title, "Frist 7", "the first of a repeated UID wins");
    for threads in [2, 3, 8] {
        assert!(
            map_on(&snapshot, &ctx(), threads, &|_: &SourceKey, _: &str| false) == one,
            "{threads} threads"
        );
    }
}

/// A skip line names the record in the reader's language: a record
/// without a UID by its component and line, a whole file as such, a UID as
/// given; the stored key stays `VTODO at line 681`.
#[test]
fn skip_lines_name_the_record_in_the_readers_language() {
    use docket_text::Lang::{self, De, En};
    #[track_caller]
    fn check(lang: Lang, record: &str, expect: &str) {
        let skip = Skip {
            record: record.to_owned(),
            source: Some("fristen.ics".into()),
            reason: Message::new("source-missing-uid"),
            fix: None,
        };
        assert_eq!(docket_text::Texts::new(lang).render(&skip.line()), expect);
        assert_eq!(skip.record, record);
    }
    check(
        En,
        "VTODO at line 681",
        "fristen.ics: VTODO at line 681: missing UID",
    );
    check(
        De,
        "VTODO at line 681",
        "fristen.ics: VTODO in Zeile 681: UID fehlt",
    );
    check(En, "(whole file)", "fristen.ics: (whole file): missing UID");
    check(De, "(whole file)", "fristen.ics: (ganze Datei): UID fehlt");
    check(En, "f-12", "fristen.ics: f-12: missing UID");
    check(De, "f-12", "fristen.ics: f-12: UID fehlt");
    check(
        De,
        "Termin at line x",
        "fristen.ics: Termin at line x: UID fehlt",
    );
}

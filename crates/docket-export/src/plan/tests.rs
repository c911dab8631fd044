//! The planner table-tested: source, state and remote in, the plan out.

use super::*;
use chrono::{Duration, TimeZone};
use chrono_tz::Tz;
use docket_source::{read_bytes, ReadOptions};

use crate::map::DeadlinesTo;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

const EVENT_A: &str = "BEGIN:VEVENT\nUID:a\nSUMMARY:Mandant A\nCATEGORIES:Mandant\nDTSTART;TZID=Europe/Berlin:20261102T090000\nDTEND;TZID=Europe/Berlin:20261102T100000\nEND:VEVENT\n";
const EVENT_B: &str = "BEGIN:VEVENT\nUID:b\nSUMMARY:Gericht\nDTSTART;TZID=Europe/Berlin:20261103T090000\nEND:VEVENT\n";
const TODO_F: &str =
    "BEGIN:VTODO\nUID:f\nSUMMARY:Berufungsfrist\nDUE;VALUE=DATE:20261120\nEND:VTODO\n";
const CARD_C: &str =
    "BEGIN:VCARD\nVERSION:3.0\nUID:c\nFN:Eva Schmidt\nCATEGORIES:Outlook\nEND:VCARD\n";

/// A snapshot of iCalendar components and vCards, read by `docket-source`.
fn snap(ics: &str, vcf: &str) -> Snapshot {
    let mut s = read_bytes(
        "pms.ics",
        format!("BEGIN:VCALENDAR\nVERSION:2.0\n{ics}END:VCALENDAR\n").as_bytes(),
        &ReadOptions::default(),
    );
    s.merge(read_bytes(
        "pms.vcf",
        vcf.as_bytes(),
        &ReadOptions::default(),
    ));
    s
}

fn base() -> Snapshot {
    snap(&format!("{EVENT_A}{EVENT_B}{TODO_F}"), CARD_C)
}

/// Plays the executor: records every op as if Graph had said yes. Ids are
/// `id:<key>:<generation>`, versions `v1` after a create, `v2` after an update.
fn execute(state: &mut ExportState, p: &Plan) {
    for op in &p.ops {
        match op {
            Op::Create(c) => {
                state.insert(
                    c.key.clone(),
                    Entry {
                        kind: c.kind,
                        remote_id: Some(format!("id:{}:{}", c.key, c.generation)),
                        container: None,
                        hash: c.hash.clone(),
                        categories: c.categories.clone(),
                        user_categories: Vec::new(),
                        version: Some("v1".into()),
                        generation: c.generation,
                        fingerprint: c.fingerprint.clone(),
                    },
                );
            }
            Op::Update(u) => {
                let e = state.entry(u.key.clone()).or_insert_with(|| Entry {
                    kind: u.kind,
                    remote_id: Some(u.remote_id.clone()),
                    container: u.container.clone(),
                    hash: String::new(),
                    categories: Vec::new(),
                    user_categories: Vec::new(),
                    version: None,
                    generation: u.generation,
                    fingerprint: None,
                });
                e.remote_id = Some(u.remote_id.clone());
                e.hash = u.hash.clone();
                e.categories = u.categories.clone();
                e.user_categories = u.user_categories.clone();
                e.version = Some("v2".into());
                e.fingerprint = u.fingerprint.clone();
            }
            Op::Delete(d) => {
                if state.get(&d.key).and_then(|e| e.remote_id.as_deref())
                    == Some(d.remote_id.as_str())
                {
                    state.remove(&d.key);
                }
            }
        }
    }
    for k in &p.forget {
        state.remove(k);
    }
    for (k, fp) in &p.fingerprints {
        if let Some(e) = state.get_mut(k) {
            e.fingerprint = fp.clone();
        }
    }
}

/// The state after a first, successful run over `s`.
fn exported(s: &Snapshot, choices: &PlanChoices) -> ExportState {
    let first = plan(s, &ExportState::new(), &Remote::default(), choices, now());
    let mut state = ExportState::new();
    execute(&mut state, &first);
    state
}

fn id(key: &str, generation: u32) -> String {
    format!("id:{key}:{generation}")
}

fn item(key: &str, version: &str, categories: Option<&[&str]>) -> RemoteItem {
    RemoteItem {
        id: id(key, 0),
        version: Some(version.into()),
        categories: categories.map(|c| c.iter().map(|s| s.to_string()).collect()),
        key: Some(key.parse().unwrap()),
        container: None,
    }
}

struct Case {
    snapshot: Snapshot,
    state: ExportState,
    remote: Remote,
    choices: PlanChoices,
    now: DateTime<Utc>,
}

impl Case {
    /// Exported with `before`, then the PMS says `after`.
    fn new(before: &Snapshot, after: Snapshot) -> Case {
        let choices = PlanChoices::new(Tz::Europe__Berlin);
        Case {
            state: exported(before, &choices),
            snapshot: after,
            remote: Remote::default(),
            choices,
            now: now(),
        }
    }
}

/// The plan in one line per decision.
fn render(p: &Plan) -> String {
    let mut lines = Vec::new();
    for op in &p.ops {
        lines.push(match op {
            Op::Create(c) => format!(
                "create {} {} {:?} gen {}",
                c.key,
                c.kind.as_str(),
                c.reason,
                c.generation
            ),
            Op::Update(u) => format!(
                "update {} {} {:?} categories {:?}",
                u.key,
                u.remote_id,
                u.reason,
                u.body["categories"].as_array().unwrap()
            ),
            Op::Delete(d) => format!("delete {} {} {:?}", d.key, d.remote_id, d.reason),
        });
    }
    lines.extend(p.forget.iter().map(|k| format!("forget {k}")));
    if let Some(b) = &p.brake {
        lines.push(format!(
            "brake {} of {} held {}",
            b.deletes,
            b.owned,
            b.held.len()
        ));
    }
    lines.push(format!(
        "unchanged {}, left alone {}",
        p.unchanged, p.left_alone
    ));
    lines.join("\n")
}

fn check(case: Case, expect: &str) {
    let p = plan(
        &case.snapshot,
        &case.state,
        &case.remote,
        &case.choices,
        case.now,
    );
    assert_eq!(render(&p), expect.trim(), "\n{}", p.describe());
}

#[test]
fn new_items_are_created_and_unchanged_ones_cost_nothing() {
    check(
        Case::new(&Snapshot::empty(), base()),
        "create appointment:a event New gen 0\n\
         create appointment:b event New gen 0\n\
         create deadline:f task New gen 0\n\
         create contact:c contact New gen 0\n\
         unchanged 0, left alone 0",
    );
    check(Case::new(&base(), base()), "unchanged 4, left alone 0");
}

#[test]
fn changes_in_the_pms_update_and_deletions_delete() {
    let changed = snap(
        &format!(
            "{}{EVENT_B}{TODO_F}",
            EVENT_A.replace("Mandant A", "Mandant A (neu)")
        ),
        CARD_C,
    );
    check(
        Case::new(&base(), changed),
        "update appointment:a id:appointment:a:0 Changed categories [String(\"Mandant\")]\n\
         unchanged 3, left alone 0",
    );
    let without_b = snap(&format!("{EVENT_A}{TODO_F}"), CARD_C);
    check(
        Case::new(&base(), without_b),
        "delete appointment:b id:appointment:b:0 DeletedInSource\nunchanged 3, left alone 0",
    );
    // Cancelled and unsubscribed are deletions too.
    let cancelled = snap(
        &format!(
            "{EVENT_A}{}{TODO_F}",
            EVENT_B.replace("END:VEVENT", "STATUS:CANCELLED\nEND:VEVENT")
        ),
        &CARD_C.replace("CATEGORIES:Outlook\n", ""),
    );
    check(
        Case::new(&base(), cancelled),
        "delete appointment:b id:appointment:b:0 Cancelled\n\
         delete contact:c id:contact:c:0 Unsubscribed\n\
         unchanged 2, left alone 0",
    );
}

#[test]
fn nothing_is_deleted_on_an_incomplete_or_unreadable_read() {
    let mut incomplete = snap(&format!("{EVENT_A}{TODO_F}"), CARD_C);
    incomplete.complete = false;
    let case = Case::new(&base(), incomplete);
    let p = plan(
        &case.snapshot,
        &case.state,
        &case.remote,
        &case.choices,
        case.now,
    );
    assert!(
        p.notices
            .iter()
            .any(|n| n.id == "sync-notice-pms-incomplete"),
        "{:?}",
        p.notices
    );
    check(case, "unchanged 3, left alone 1");
    // The record of `b` is there but broken: `b` is left as it is, even
    // though its content would differ; `a` still updates.
    let broken = snap(
        &format!(
            "{}{TODO_F}BEGIN:VEVENT\nUID:b\nDTSTART;TZID=Europe/Berlin:20261340T090000\nEND:VEVENT\n",
            EVENT_A.replace("Mandant A", "Mandant A2")
        ),
        CARD_C,
    );
    assert!(broken.complete);
    check(
        Case::new(&base(), broken),
        "update appointment:a id:appointment:a:0 Changed categories [String(\"Mandant\")]\n\
         unchanged 2, left alone 1",
    );
}

#[test]
fn remote_deletions_and_edits_are_overwritten_by_the_pms() {
    // Deleted in Outlook, still in the PMS: re-created, new generation.
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Delta {
        changed: vec![],
        deleted: vec![id("appointment:a", 0)],
    };
    check(
        case,
        "create appointment:a event Recreate gen 1\nunchanged 3, left alone 0",
    );
    // Deleted on both sides: only the state row goes.
    let mut case = Case::new(&base(), snap(&format!("{EVENT_B}{TODO_F}"), CARD_C));
    case.remote.events = Listing::Delta {
        changed: vec![],
        deleted: vec![id("appointment:a", 0)],
    };
    check(case, "forget appointment:a\nunchanged 3, left alone 0");
    // Edited in Outlook (new changeKey) with a category of the user's own:
    // ours is written back, the user's category stays.
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Delta {
        changed: vec![item("appointment:a", "user-1", Some(&["Mine", "Mandant"]))],
        deleted: vec![],
    };
    check(
        case,
        "update appointment:a id:appointment:a:0 EditedByUser categories [String(\"Mine\"), String(\"Mandant\")]\n\
         unchanged 3, left alone 0",
    );
    // Our own write coming back through delta (same changeKey): nothing.
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Delta {
        changed: vec![item("appointment:a", "v1", Some(&["Mandant"]))],
        deleted: vec![],
    };
    check(case, "unchanged 4, left alone 0");
    // Items the user made (unknown ids) never appear in a plan.
    let mut case = Case::new(&base(), base());
    let mut foreign = item("appointment:a", "x", None);
    foreign.id = "users-own".into();
    foreign.key = None;
    case.remote.events = Listing::Delta {
        changed: vec![foreign],
        deleted: vec!["users-other".into()],
    };
    check(case, "unchanged 4, left alone 0");
}

#[test]
fn user_categories_survive_a_change_of_ours() {
    let before = snap(EVENT_A, "");
    let after = snap(
        &EVENT_A.replace("CATEGORIES:Mandant", "CATEGORIES:Gericht"),
        "",
    );
    let mut case = Case::new(&before, after);
    case.remote.events = Listing::Delta {
        changed: vec![item("appointment:a", "user-1", Some(&["Mandant", "Mine"]))],
        deleted: vec![],
    };
    check(
        case,
        "update appointment:a id:appointment:a:0 Changed categories [String(\"Mine\"), String(\"Gericht\")]\n\
         unchanged 0, left alone 0",
    );
    // Learned once, kept on later updates that delta says nothing about.
    let mut state = exported(&before, &PlanChoices::new(Tz::Europe__Berlin));
    state
        .get_mut(&"appointment:a".parse().unwrap())
        .unwrap()
        .user_categories = vec!["Mine".into()];
    let after = snap(&EVENT_A.replace("Mandant A", "Neu"), "");
    let case = Case {
        state,
        ..Case::new(&before, after)
    };
    check(
        case,
        "update appointment:a id:appointment:a:0 Changed categories [String(\"Mine\"), String(\"Mandant\")]\n\
         unchanged 0, left alone 0",
    );
    assert_eq!(
        merge_categories(
            &["Mandant".into(), "Mine".into()],
            &["Mandant".into()],
            &["Gericht".into()]
        ),
        (
            vec!["Mine".to_string(), "Gericht".to_string()],
            vec!["Mine".to_string()]
        )
    );
}

#[test]
fn switched_off_modules_are_left_alone() {
    let mut case = Case::new(&base(), snap(TODO_F, CARD_C));
    case.choices.calendar = false;
    check(case, "unchanged 2, left alone 2");
    let mut case = Case::new(&Snapshot::empty(), base());
    case.choices.contacts = false;
    case.choices.tasks = false;
    check(case, "create appointment:a event New gen 0\ncreate appointment:b event New gen 0\nunchanged 0, left alone 2");
}

#[test]
fn switching_deadlines_to_the_calendar_moves_them_without_orphans() {
    let mut case = Case::new(&base(), base());
    case.choices.deadlines_to = DeadlinesTo::Calendar;
    check(
        case,
        "delete deadline:f id:deadline:f:0 KindChanged\n\
         create deadline:f event KindChanged gen 1\n\
         unchanged 3, left alone 0",
    );
}

#[test]
fn a_full_listing_recovers_without_duplicates() {
    // The state DB was lost: every item is found by its tag and adopted
    // (written once), none is created; a second copy is removed.
    let listing = [
        item("appointment:a", "k", Some(&["Mandant", "Mine"])),
        item("appointment:b", "k", None),
        RemoteItem {
            id: "copy".into(),
            ..item("appointment:b", "k", None)
        },
        item("deadline:f", "k", None),
    ];
    let mut case = Case::new(&Snapshot::empty(), base());
    case.remote.events = Listing::Full {
        items: listing[..3].to_vec(),
        complete: true,
    };
    case.remote.tasks = Listing::Full {
        items: listing[3..].to_vec(),
        complete: true,
    };
    case.remote.contacts = Listing::Full {
        items: vec![],
        complete: true,
    };
    check(
        case,
        "update appointment:a id:appointment:a:0 Adopted categories [String(\"Mine\"), String(\"Mandant\")]\n\
         delete appointment:b copy Duplicate\n\
         update appointment:b id:appointment:b:0 Adopted categories []\n\
         update deadline:f id:deadline:f:0 Adopted categories []\n\
         create contact:c contact New gen 0\n\
         unchanged 0, left alone 0",
    );
    // Delta token expired, state intact: a listing where all is as we left
    // it costs nothing; one missing from a complete listing is re-created.
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Full {
        items: vec![item("appointment:a", "v1", None)],
        complete: true,
    };
    check(
        case,
        "create appointment:b event Recreate gen 1\nunchanged 3, left alone 0",
    );
    // An empty or partial listing is never read as "all deleted".
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Full {
        items: vec![],
        complete: true,
    };
    check(case, "unchanged 4, left alone 0");
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Full {
        items: vec![item("appointment:a", "v1", None)],
        complete: false,
    };
    check(case, "unchanged 4, left alone 0");
    // ... unless the user confirms.
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Full {
        items: vec![],
        complete: true,
    };
    case.choices.force = true;
    check(case, "create appointment:a event Recreate gen 1\ncreate appointment:b event Recreate gen 1\nunchanged 2, left alone 0");
    // A tagged item the PMS no longer has and the state forgot: deleted,
    // but only when the snapshot is complete.
    let mut case = Case::new(&base(), base());
    case.remote.events = Listing::Full {
        items: vec![
            item("appointment:a", "v1", None),
            item("appointment:b", "v1", None),
            item("appointment:old", "k", None),
        ],
        complete: true,
    };
    check(
        case,
        "delete appointment:old id:appointment:old:0 DeletedInSource\nunchanged 4, left alone 0",
    );
}

#[test]
fn an_unconfirmed_create_is_retried_with_the_same_transaction_id() {
    let choices = PlanChoices::new(Tz::Europe__Berlin);
    let first = plan(
        &base(),
        &ExportState::new(),
        &Remote::default(),
        &choices,
        now(),
    );
    let mut state = ExportState::new();
    for op in &first.ops {
        if let Op::Create(c) = op {
            // Intent written, POST never answered.
            state.insert(
                c.key.clone(),
                Entry {
                    remote_id: None,
                    version: None,
                    ..exported(&base(), &choices)[&c.key].clone()
                },
            );
        }
    }
    let retry = plan(&base(), &state, &Remote::default(), &choices, now());
    assert_eq!(
        render(&retry).lines().next(),
        Some("create appointment:a event Retry gen 0")
    );
    let tx = |p: &Plan| match &p.ops[0] {
        Op::Create(c) => c.body()["transactionId"].clone(),
        _ => unreachable!(),
    };
    assert_eq!(tx(&retry), tx(&first));
}

#[test]
fn the_brake_holds_back_mass_deletions() {
    let many: String = (0..10)
        .map(|i| EVENT_B.replace("UID:b", &format!("UID:e{i}")))
        .collect();
    let before = snap(&many, "");
    let six_gone: String = (6..10)
        .map(|i| EVENT_B.replace("UID:b", &format!("UID:e{i}")))
        .collect();
    let after = snap(&format!("{six_gone}{EVENT_A}"), "");
    // 6 of 10 (60% > 20%): deletions held, the create still goes.
    check(
        Case::new(&before, after.clone()),
        "create appointment:a event New gen 0\nbrake 6 of 10 held 6\nunchanged 4, left alone 0",
    );
    let mut case = Case::new(&before, after);
    case.choices.force = true;
    let p = plan(
        &case.snapshot,
        &case.state,
        &case.remote,
        &case.choices,
        case.now,
    );
    assert_eq!((p.brake.is_none(), p.ops.len()), (true, 7));
    // Up to BRAKE_FLOOR deletions always go (3 of 4 here).
    let few: String = (0..4)
        .map(|i| EVENT_B.replace("UID:b", &format!("UID:e{i}")))
        .collect();
    let p = {
        let c = Case::new(
            &snap(&few, ""),
            snap(&EVENT_B.replace("UID:b", "UID:e3"), ""),
        );
        plan(&c.snapshot, &c.state, &c.remote, &c.choices, c.now)
    };
    assert_eq!((p.brake.is_none(), p.ops.len()), (true, 3));
    // An emptied PMS export is braked.
    check(
        Case::new(&before, snap("", "")),
        "brake 10 of 10 held 10\nunchanged 0, left alone 0",
    );
}

#[test]
fn expanded_occurrences_that_slide_into_the_past_are_kept() {
    let series = "BEGIN:VEVENT\nUID:w\nDTSTART;TZID=Europe/Berlin:20261102T090000\nDTEND;TZID=Europe/Berlin:20261102T100000\nRRULE:FREQ=WEEKLY;BYDAY=MO\nEXDATE;TZID=Europe/Berlin:20261109T090000\nEND:VEVENT\n";
    let mut case = Case::new(&snap(series, ""), snap(series, ""));
    // 40 days on, the first occurrences are before the window: kept;
    // the Mondays from 8 November to 6 December 2027 enter at the far end.
    case.now = now() + Duration::days(40);
    let p = plan(
        &case.snapshot,
        &case.state,
        &case.remote,
        &case.choices,
        case.now,
    );
    assert!(
        p.ops
            .iter()
            .all(|o| matches!(o, Op::Create(c) if c.reason == CreateReason::New)),
        "{}",
        render(&p)
    );
    assert_eq!(p.ops.len(), 5);
    // 53 Mondays from 2 November 2026 to 1 November 2027, less the EXDATE.
    assert_eq!(case.state.len(), 52);
    // Removing the EXDATE makes it one series: the occurrences go, all of them.
    let mut case = Case::new(
        &snap(series, ""),
        snap(
            &series.replace("EXDATE;TZID=Europe/Berlin:20261109T090000\n", ""),
            "",
        ),
    );
    case.now = now() + Duration::days(40);
    case.choices.force = true;
    let p = plan(
        &case.snapshot,
        &case.state,
        &case.remote,
        &case.choices,
        case.now,
    );
    let deletes = p
        .ops
        .iter()
        .filter(|o| matches!(o, Op::Delete(d) if d.reason == DeleteReason::NotInSeries))
        .count();
    assert_eq!(deletes, case.state.len());
    assert!(render(&p).starts_with("create appointment:w event New gen 0"));
}

#[test]
fn ten_thousand_items_plan() {
    let events: String = (0..10_000)
        .map(|i| format!("BEGIN:VEVENT\nUID:e{i}\nSUMMARY:Termin {i}\nDTSTART;TZID=Europe/Berlin:20261102T090000\nEND:VEVENT\n"))
        .collect();
    let s = snap(&events, "");
    let choices = PlanChoices::new(Tz::Europe__Berlin);
    let first = plan(&s, &ExportState::new(), &Remote::default(), &choices, now());
    assert_eq!(first.ops.len(), 10_000);
    let mut state = ExportState::new();
    execute(&mut state, &first);
    let again = plan(&s, &state, &Remote::default(), &choices, now());
    assert_eq!((again.ops.len(), again.unchanged), (0, 10_000));
    assert_eq!(again.not_mapped, 10_000, "a no-op costs a lookup per item");
}

/// The state with every fingerprint forgotten: the planner maps every
/// record, as before fingerprints existed.
fn without_fingerprints(state: &ExportState) -> ExportState {
    state
        .iter()
        .map(|(k, e)| {
            let mut e = e.clone();
            e.fingerprint = None;
            (k.clone(), e)
        })
        .collect()
}

/// Plans `case` twice, with the fingerprints the last run stored and
/// without any, and asserts that skipping unchanged records changed
/// nothing in the plan; returns it rendered, and how many were skipped.
fn check_skipping(case: &Case) -> (String, usize) {
    let fast = plan(
        &case.snapshot,
        &case.state,
        &case.remote,
        &case.choices,
        case.now,
    );
    let full = plan(
        &case.snapshot,
        &without_fingerprints(&case.state),
        &case.remote,
        &case.choices,
        case.now,
    );
    assert_eq!(full.not_mapped, 0);
    assert_eq!(fast.ops, full.ops, "{}", render(&fast));
    assert_eq!(
        (
            &fast.forget,
            &fast.skips,
            &fast.notices,
            fast.unchanged,
            fast.left_alone,
            &fast.brake
        ),
        (
            &full.forget,
            &full.skips,
            &full.notices,
            full.unchanged,
            full.left_alone,
            &full.brake
        ),
    );
    (render(&fast), fast.not_mapped)
}

/// A record is skipped only while it, the settings its mapping reads, the
/// program and its item in Microsoft 365 are all as when it was written:
/// every change below is planned exactly as without fingerprints.
#[test]
fn unchanged_records_are_skipped_and_changed_ones_never() {
    let floating = "BEGIN:VEVENT\nUID:fl\nSUMMARY:Floating\nDTSTART:20261104T090000\nDTEND:20261104T100000\nEND:VEVENT\n";
    let weekly = "BEGIN:VEVENT\nUID:w\nSUMMARY:Jour fixe\nDTSTART;TZID=Europe/Berlin:20261102T090000\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n";
    let ics = format!("{EVENT_A}{EVENT_B}{TODO_F}{floating}{weekly}");
    let before = snap(&ics, CARD_C);
    let choices = PlanChoices::new(Tz::Europe__Berlin);
    // The exported state after a first run and a quiet one (which records
    // fingerprints the first run could not know yet, if any).
    let exported_quiet = || {
        let mut state = exported(&before, &choices);
        let quiet = plan(&before, &state, &Remote::default(), &choices, now());
        execute(&mut state, &quiet);
        state
    };
    let case = |after: Snapshot| Case {
        state: exported_quiet(),
        snapshot: after,
        remote: Remote::default(),
        choices: choices.clone(),
        now: now(),
    };

    // Nothing changed: every single record skipped, the series mapped.
    let (r, skipped) = check_skipping(&case(before.clone()));
    assert_eq!((r.as_str(), skipped), ("unchanged 6, left alone 0", 5));

    // A changed record.
    let edited = snap(&ics.replace("Mandant A", "Mandant A (verlegt)"), CARD_C);
    let (r, skipped) = check_skipping(&case(edited));
    assert!(
        r.starts_with("update appointment:a id:appointment:a:0 Changed"),
        "{r}"
    );
    assert_eq!(skipped, 4);

    // A cancelled appointment, an unsubscribed contact, a completed task.
    let changed = snap(
        &ics.replace("SUMMARY:Gericht\n", "SUMMARY:Gericht\nSTATUS:CANCELLED\n")
            .replace(
                "SUMMARY:Berufungsfrist\n",
                "SUMMARY:Berufungsfrist\nSTATUS:COMPLETED\n",
            ),
        &CARD_C.replace("END:VCARD", "X-DOCKET-SUBSCRIBED:FALSE\nEND:VCARD"),
    );
    let (r, skipped) = check_skipping(&case(changed));
    assert!(
        r.contains("delete appointment:b id:appointment:b:0 Cancelled"),
        "{r}"
    );
    assert!(r.contains("update deadline:f"), "{r}");
    assert_eq!(skipped, 2, "{r}");

    // Settings the mapping reads: force_private, the mailbox zone (the
    // floating event moves), deadlines to the calendar.
    for change in [
        (|p: &mut PlanChoices| p.force_private = true) as fn(&mut PlanChoices),
        |p| p.mailbox_zone = Tz::Europe__London,
        |p| p.deadlines_to = DeadlinesTo::Calendar,
    ] {
        let mut c = case(before.clone());
        change(&mut c.choices);
        let (r, skipped) = check_skipping(&c);
        assert_eq!(
            skipped, 0,
            "a setting changed: every record mapped again\n{r}"
        );
        assert!(r.contains("update") || r.contains("create"), "{r}");
    }

    // Microsoft 365 reports an edit, a deletion; a full listing.
    let mut c = case(before.clone());
    c.remote.events = Listing::Delta {
        changed: vec![item("appointment:a", "edited", Some(&["Mandant"]))],
        deleted: vec![id("appointment:b", 0)],
    };
    let (r, skipped) = check_skipping(&c);
    assert!(
        r.contains("update appointment:a id:appointment:a:0 EditedByUser"),
        "{r}"
    );
    assert!(
        r.contains("create appointment:b event Recreate gen 1"),
        "{r}"
    );
    assert_eq!(skipped, 3);
    let mut c = case(before.clone());
    c.remote.contacts = Listing::Full {
        items: vec![],
        complete: true,
    };
    c.choices.force = true;
    let (r, _) = check_skipping(&c);
    assert!(r.contains("create contact:c contact Recreate"), "{r}");

    // Another program version: its fingerprints differ, and so may its
    // mapping (here: every hash).
    let mut c = case(before.clone());
    for e in c.state.values_mut() {
        e.fingerprint = Some("fp:written-by-another-version".into());
        e.hash = format!("{}-old", e.hash);
    }
    let (r, skipped) = check_skipping(&c);
    assert_eq!((r.matches("Changed").count(), skipped), (6, 0), "{r}");

    // An update that failed or is held back forgets its hash: sent again.
    let mut c = case(before.clone());
    c.state
        .get_mut(&"appointment:a".parse().unwrap())
        .unwrap()
        .hash
        .clear();
    let (r, skipped) = check_skipping(&c);
    assert!(r.starts_with("update appointment:a"), "{r}");
    assert_eq!(skipped, 4);
}

#[test]
fn describe_speaks_plainly() {
    let mut case = Case::new(
        &base(),
        snap(
            &format!(
                "{}{TODO_F}BEGIN:VEVENT\nUID:n\nDTSTART:20261105T090000Z\nEND:VEVENT\n",
                EVENT_A.replace("Mandant A", "X")
            ),
            "",
        ),
    );
    case.snapshot.problems.push(docket_source::ItemProblem {
        source: "pms.ics".into(),
        record: "VEVENT at line 9".into(),
        uid: None,
        kind: docket_source::ProblemKind::MissingUid,
        reason: docket_text::Message::new("source-missing-uid"),
        fix: None,
    });
    case.remote.tasks = Listing::Delta {
        changed: vec![],
        deleted: vec![id("deadline:f", 0)],
    };
    let p = plan(
        &case.snapshot,
        &case.state,
        &case.remote,
        &case.choices,
        case.now,
    );
    assert_eq!(
        p.describe(),
        "create 1 appointment, update 1 appointment, delete 1 appointment, 1 contact (2 gone from the PMS), \
         recreate 1 deadline deleted in Outlook, skip 1: VEVENT at line 9: missing UID (0 unchanged)"
    );
}

#[test]
fn the_sample_firm_maps_without_new_problems() {
    use docket_source::{DemoSource, Source, DEMO_USERS};
    for user in DEMO_USERS {
        let week = docket_source::demo_dates::SAMPLE_WEEK;
        let s = DemoSource::new(user.upn, ReadOptions::default(), week)
            .unwrap()
            .read();
        // 2026-10-15: the whole sample (to 2027-06-30) lies in the window.
        let at = Utc.with_ymd_and_hms(2026, 10, 15, 0, 0, 0).unwrap();
        let p = plan(
            &s,
            &ExportState::new(),
            &Remote::default(),
            &PlanChoices::new(Tz::Europe__Berlin),
            at,
        );
        assert_eq!(
            p.skips.len(),
            s.problems.len(),
            "{}: {:?}",
            user.upn,
            p.skips
        );
        assert!(p
            .ops
            .iter()
            .all(|o| matches!(o, Op::Create(c) if c.reason == CreateReason::New)));
        let expressed = p
            .ops
            .iter()
            .filter(|o| matches!(o, Op::Create(c) if !c.body()["recurrence"].is_null()))
            .count();
        assert!(
            expressed > 0,
            "{}: some series are sent as Graph series",
            user.upn
        );
    }
}

/// The same property over random firms and random changes: a record of
/// 12 (events, a weekly series, deadlines, contacts) edited, cancelled,
/// removed or left alone, settings switched, items edited or deleted in
/// Microsoft 365; planning with the stored fingerprints always gives the
/// plan that mapping every record gives.
mod skipping_property {
    use super::*;
    use crate::key::ItemKind;
    use proptest::prelude::*;

    fn record(i: usize, change: u8) -> (String, String) {
        let edit = if change == 1 { " (neu)" } else { "" };
        let cancel = if change == 2 {
            "STATUS:CANCELLED\n"
        } else {
            ""
        };
        if change == 3 {
            return (String::new(), String::new());
        }
        match i % 4 {
            0 => (format!("BEGIN:VEVENT\nUID:e{i}\nSUMMARY:Termin {i}{edit}\n{cancel}DTSTART;TZID=Europe/Berlin:20261110T090000\nDTEND;TZID=Europe/Berlin:20261110T100000\nEND:VEVENT\n"), String::new()),
            1 => (format!("BEGIN:VEVENT\nUID:s{i}\nSUMMARY:Serie {i}{edit}\n{cancel}DTSTART:20261103T090000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20261104T090000\nEND:VEVENT\n"), String::new()),
            2 => (format!("BEGIN:VTODO\nUID:d{i}\nSUMMARY:Frist {i}{edit}\n{cancel}DUE;VALUE=DATE:20261120\nEND:VTODO\n"), String::new()),
            _ => {
                let sub = if change == 2 { "FALSE" } else { "TRUE" };
                (String::new(), format!("BEGIN:VCARD\nVERSION:4.0\nUID:c{i}\nFN:Kontakt {i}{edit}\nX-DOCKET-SUBSCRIBED:{sub}\nEND:VCARD\n"))
            }
        }
    }

    fn firm(changes: &[u8]) -> Snapshot {
        let (mut ics, mut vcf) = (String::new(), String::new());
        for (i, c) in changes.iter().enumerate() {
            let (a, b) = record(i, *c);
            ics.push_str(&a);
            vcf.push_str(&b);
        }
        snap(&ics, &vcf)
    }

    proptest! {
        #[test]
        fn skipping_never_changes_the_plan(
            changes in proptest::collection::vec(0u8..6, 12),
            remote in proptest::collection::vec(0u8..4, 12),
            setting in 0u8..5,
        ) {
            let choices = PlanChoices::new(Tz::Europe__Berlin);
            let before = firm(&[0; 12]);
            let mut state = exported(&before, &choices);
            let quiet = plan(&before, &state, &Remote::default(), &choices, now());
            execute(&mut state, &quiet);
            // 0..=2 unchanged (more weight), 3 edited... as `record` reads them.
            let changes: Vec<u8> = changes.iter().map(|c| c.saturating_sub(2)).collect();
            let mut case = Case {
                state,
                snapshot: firm(&changes),
                remote: Remote::default(),
                choices,
                now: now(),
            };
            match setting {
                1 => case.choices.force_private = true,
                2 => case.choices.mailbox_zone = Tz::America__New_York,
                3 => case.choices.deadlines_to = DeadlinesTo::Calendar,
                _ => {}
            }
            let (mut changed, mut deleted) = (vec![], vec![]);
            for (i, r) in remote.iter().enumerate() {
                let kind = match i % 4 { 2 => ItemKind::Task, 3 => ItemKind::Contact, _ => ItemKind::Event };
                let ids: Vec<String> = case
                    .state
                    .values()
                    .filter(|e| e.kind == kind)
                    .filter_map(|e| e.remote_id.clone())
                    .filter(|id| id.contains(&format!(":{}{i}", ["e", "s", "d", "c"][i % 4])))
                    .collect();
                for id in ids {
                    match r {
                        1 => changed.push((kind, RemoteItem { id, version: Some("edited".into()), categories: None, key: None, container: None })),
                        2 => deleted.push((kind, id)),
                        _ => {}
                    }
                }
            }
            for kind in [ItemKind::Event, ItemKind::Task, ItemKind::Contact] {
                let listing = Listing::Delta {
                    changed: changed.iter().filter(|(k, _)| *k == kind).map(|(_, i)| i.clone()).collect(),
                    deleted: deleted.iter().filter(|(k, _)| *k == kind).map(|(_, i)| i.clone()).collect(),
                };
                match kind {
                    ItemKind::Event => case.remote.events = listing,
                    ItemKind::Task => case.remote.tasks = listing,
                    ItemKind::Contact => case.remote.contacts = listing,
                }
            }
            check_skipping(&case);
        }
    }
}

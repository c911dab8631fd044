//! The snapshot as a user reads it: tray state, status line, problems
//! with their fix, in both languages.

use chrono_tz::Tz;

use super::fixtures::{at, input, status};
use super::*;

fn run(ok: bool, error: Option<AppErrorKind>) -> LastExport {
    LastExport {
        at: at(13, 32),
        ok,
        created: if ok { 12 } else { 0 },
        updated: if ok { 3 } else { 0 },
        deleted: 0,
        recreated: 0,
        failed: 0,
        held_back: 0,
        skipped: if ok { 1 } else { 0 },
        error: error.map(|k| k.described()),
        records: if ok {
            vec![docket_text::Message::new("sync-report-skipped").message(
                "line",
                docket_text::Message::new("sync-skip-line")
                    .text("file", "termine.ics")
                    .text("record", "UID-7")
                    .message("reason", docket_text::Message::new("source-missing-uid")),
            )]
        } else {
            vec![]
        },
        braked: None,
        module_problems: vec![],
        pms_incomplete: false,
    }
}

/// A good run whose brake held back 30 of 100 deletions.
fn braked_run() -> LastExport {
    LastExport {
        braked: Some(crate::status::Braked {
            deletions: 30,
            owned: 100,
            message: docket_text::Message::new("sync-brake")
                .number("deletes", 30)
                .number("owned", 100)
                .number("percent", 30)
                .number("allowed", 20),
        }),
        ..run(true, None)
    }
}

#[derive(Clone, Copy)]
enum AppErrorKind {
    Network,
    SignIn,
}

impl AppErrorKind {
    fn described(self) -> Described {
        match self {
            AppErrorKind::Network => crate::AppError::Graph(docket_graph::Error::Transport(
                docket_graph::Unreachable::ConnectionFailed {
                    detail: "connection refused".into(),
                },
            ))
            .describe(),
            AppErrorKind::SignIn => crate::AppError::NotSignedIn.describe(),
        }
    }
}

#[test]
fn tray_states() {
    #[track_caller]
    fn check(status: Status, activity: Activity, last: Option<LastExport>, expect: TrayState) {
        assert_eq!(tray_state(&status, &activity, last.as_ref()), expect);
    }
    let idle = Activity::Idle {
        next_run: at(14, 0),
    };
    check(
        status(SignInState::SignedOut, false),
        idle,
        None,
        TrayState::SignedOut,
    );
    check(
        status(SignInState::Ok, true),
        idle,
        Some(run(true, None)),
        TrayState::InStep,
    );
    // Signed in, no export yet: not in step (it said so with every
    // module at 0 items); the first export is on its way.
    check(
        status(SignInState::Ok, true),
        idle,
        None,
        TrayState::NotExported,
    );
    // No loop runs (the CLI's status right after signing in): nothing is
    // exporting, and saying so would be false.
    check(
        status(SignInState::Ok, true),
        Activity::NotRunning,
        None,
        TrayState::NotExported,
    );
    // The PMS export could not be read whole (its server answered 500, a
    // file is gone): not in step, and IT's to look at. It used to read
    // "In step" with every module green.
    check(
        status(SignInState::Ok, true),
        idle,
        Some(LastExport {
            pms_incomplete: true,
            ..run(true, None)
        }),
        TrayState::NeedsAdmin,
    );
    check(
        status(SignInState::Ok, true),
        Activity::Exporting {
            since: at(14, 0),
            progress: None,
        },
        None,
        TrayState::Exporting,
    );
    check(
        status(SignInState::Ok, true),
        Activity::Paused,
        None,
        TrayState::Paused,
    );
    // Signing in again outranks everything but being signed out.
    check(
        status(SignInState::SignInRequired, true),
        Activity::Paused,
        None,
        TrayState::NeedsUser,
    );
    check(
        status(SignInState::AdminActionRequired, true),
        idle,
        None,
        TrayState::NeedsAdmin,
    );
    check(
        status(SignInState::Ok, true),
        Activity::BackingOff {
            until: at(14, 2),
            failures: 2,
        },
        None,
        TrayState::Retrying,
    );
    // The last run failed for a network reason: retrying, not a credential alarm.
    check(
        status(SignInState::Ok, true),
        idle,
        Some(run(false, Some(AppErrorKind::Network))),
        TrayState::Retrying,
    );
    check(
        status(SignInState::Ok, true),
        idle,
        Some(run(false, Some(AppErrorKind::SignIn))),
        TrayState::NeedsUser,
    );
    // Deletions held back by the brake wait for the user: not in step.
    check(
        status(SignInState::Ok, true),
        idle,
        Some(braked_run()),
        TrayState::NeedsUser,
    );
}

/// `sync-brake` in German for 30 of 100 deletions, 20 % allowed.
const GERMAN_BRAKE: &str =
    "Vor dem Löschen von 30 der 100 übertragenen Einträge angehalten (30 %, mehr als die erlaubten 20 %)";

fn texts(lang: Lang) -> Texts {
    Texts::new(lang).in_zone(Tz::Europe__Berlin)
}

#[test]
fn what_the_user_reads() {
    #[track_caller]
    fn check(lang: Lang, input: Input, line: &str, problems: &[(&str, &str)]) {
        let s = decide(input, &texts(lang), at(15, 0));
        assert_eq!(s.status_line, line);
        let got: Vec<(&str, &str)> = s
            .problems
            .iter()
            .map(|p| (p.headline.as_str(), p.action.label.as_str()))
            .collect();
        assert_eq!(got, problems);
    }
    let idle = Activity::Idle {
        next_run: at(15, 15),
    };
    check(
        Lang::En,
        input(status(SignInState::Ok, true), idle, vec![run(true, None)]),
        "In step · 14:32",
        &[],
    );
    check(
        Lang::De,
        input(status(SignInState::Ok, true), idle, vec![run(true, None)]),
        "Aktuell · 14:32",
        &[],
    );
    // Signed in, nothing exported yet: said so, not "In step".
    check(
        Lang::En,
        input(status(SignInState::Ok, true), idle, vec![]),
        "Not exported yet",
        &[],
    );
    check(
        Lang::De,
        input(status(SignInState::Ok, true), Activity::NotRunning, vec![]),
        "Noch nicht exportiert",
        &[],
    );
    check(
        Lang::En,
        input(
            status(SignInState::Ok, true),
            Activity::Exporting {
                since: at(14, 59),
                progress: None,
            },
            vec![],
        ),
        "Exporting…",
        &[],
    );
    check(
        Lang::En,
        input(status(SignInState::SignedOut, false), idle, vec![]),
        "Not signed in",
        &[("Not signed in", "Sign in again")],
    );
    check(
        Lang::De,
        input(
            status(SignInState::Ok, true),
            idle,
            vec![run(false, Some(AppErrorKind::Network)), run(true, None)],
        ),
        "Neuer Versuch in Kürze · 14:32",
        &[(
            "Microsoft 365 ist nicht erreichbar",
            "Netzwerkverbindung prüfen",
        )],
    );
    check(
        Lang::En,
        input(status(SignInState::Ok, true), idle, vec![braked_run()]),
        "Deletions wait for you · 14:32",
        &[(
            "Stopped before deleting 30 of 100 exported items (30%, more than the 20% allowed)",
            "Allow these deletions",
        )],
    );
    check(
        Lang::De,
        input(status(SignInState::Ok, true), idle, vec![braked_run()]),
        "Löschungen warten auf Sie · 14:32",
        &[(GERMAN_BRAKE, "Diese Löschungen zulassen")],
    );
}

#[test]
fn modules_and_runs() {
    let s = decide(
        input(
            status(SignInState::Ok, true),
            Activity::Idle {
                next_run: at(15, 15),
            },
            vec![run(true, None)],
        ),
        &texts(Lang::De),
        at(15, 0),
    );
    let rows: Vec<(&str, &str, bool, usize, bool)> = s
        .modules
        .iter()
        .map(|m| (m.module, m.name.as_str(), m.enabled, m.in_step, m.ok))
        .collect();
    assert_eq!(
        rows,
        [
            ("calendar", "Kalender", true, 40, true),
            ("tasks", "Fristen und Wiedervorlagen", true, 7, true),
            ("contacts", "Kontakte", false, 0, false),
        ]
    );
    assert_eq!(s.modules[0].next_run, Some(at(15, 15)));
    assert_eq!(
        s.runs[0].summary,
        "12 angelegt, 3 geändert, 1 Eintrag übersprungen"
    );
    // The skipped record itself, with its reason, in the reader's words.
    assert_eq!(
        s.runs[0].left_out,
        ["Übersprungen: termine.ics: UID-7: UID fehlt"]
    );
    assert_eq!(
        run_summary(
            &texts(Lang::En),
            &LastExport {
                created: 0,
                updated: 0,
                skipped: 0,
                ..run(true, None)
            }
        ),
        "Nothing to do: Outlook was in step"
    );
    // The JSON a script reads has the codes next to the words.
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["tray"], "in_step");
    assert_eq!(json["activity"]["state"], "idle");
    assert_eq!(json["modules"][0]["module"], "calendar");
}

fn hm(t: DateTime<Utc>) -> String {
    t.with_timezone(&Tz::Europe__Berlin)
        .format("%H:%M")
        .to_string()
}

/// A finished run whose items `failed` and `held` (source keys) did not
/// go through, as the export remembers it.
fn run_with(failed: &[&str], held: &[&str]) -> LastExport {
    use crate::executor::{ExportReport, HeldBack, ItemFailure};
    let reason = |why: &str| Message::new("sync-failed-request").text("error", why);
    let report = ExportReport {
        created: 2,
        failed: failed
            .iter()
            .map(|k| ItemFailure {
                key: k.to_string(),
                reason: reason("Internal Server Error"),
            })
            .collect(),
        held_back: held
            .iter()
            .map(|k| HeldBack {
                key: k.to_string(),
                attempts: 3,
                until: at(18, 0),
                reason: reason("Bad Request"),
                fix: Action::RetryHeldBack,
            })
            .collect(),
        ..ExportReport::default()
    };
    crate::last_export_of(Ok(&report), at(13, 32))
}

/// Each module's row (its mark, next run and last problem) and the next
/// run, as the window and `status` show them.
#[test]
fn module_rows_and_the_next_run() {
    #[track_caller]
    fn check(lang: Lang, input: Input, now: DateTime<Utc>, rows: &[&str], next: &str) {
        let s = decide(input, &texts(lang), now);
        let got: Vec<String> = s
            .modules
            .iter()
            .map(|m| {
                format!(
                    "{} ok={} next={} problem={}",
                    m.module,
                    m.ok,
                    m.next_run.map_or("-".into(), hm),
                    m.problem.as_ref().map_or("-".into(), |p| format!(
                        "{} {:?} | {} | {}",
                        p.code, p.who, p.headline, p.body
                    )),
                )
            })
            .collect();
        assert_eq!(got, rows);
        let next_run = s.next_run.map_or("-".into(), |n| {
            format!(
                "{} retry={} planned={}",
                hm(n.at),
                n.after_failures,
                n.planned_at.map_or("-".into(), hm)
            )
        });
        assert_eq!(next_run, next);
    }
    let ok = || status(SignInState::Ok, true);
    let idle = Activity::Idle {
        next_run: at(14, 15),
    };
    // One appointment failed: the calendar's problem, not the tasks'.
    check(
        Lang::En,
        input(ok(), idle, vec![run_with(&["appointment:t0"], &[])]),
        at(14, 0),
        &[
            "calendar ok=false next=15:15 problem=export.items_failed Nobody | \
             1 item could not be exported | appointment:t0: Internal Server Error. \
             Docket Sync tries again at the next run.",
            "tasks ok=true next=15:15 problem=-",
            "contacts ok=false next=- problem=-",
        ],
        "15:15 retry=false planned=-",
    );
    check(
        Lang::De,
        input(
            ok(),
            idle,
            vec![run_with(&["appointment:t0", "appointment:t1"], &[])],
        ),
        at(14, 0),
        &[
            "calendar ok=false next=15:15 problem=export.items_failed Nobody | \
             2 Einträge konnten nicht exportiert werden | appointment:t0: Internal Server Error. \
             Docket Sync versucht es beim nächsten Lauf erneut.",
            "tasks ok=true next=15:15 problem=-",
            "contacts ok=false next=- problem=-",
        ],
        "15:15 retry=false planned=-",
    );
    // A deadline that pauses outranks one that failed this run; the
    // contacts are off, so theirs is not shown.
    check(
        Lang::En,
        input(
            ok(),
            idle,
            vec![run_with(&["deadline:d1", "contact:c1"], &["deadline:d2"])],
        ),
        at(14, 0),
        &[
            "calendar ok=true next=15:15 problem=-",
            "tasks ok=false next=15:15 problem=export.items_held_back Nobody | \
             1 item pauses after repeated failures | deadline:d2: Bad Request.",
            "contacts ok=false next=- problem=-",
        ],
        "15:15 retry=false planned=-",
    );
    // The last run stopped: every module that is on has its problem; the
    // loop backs off.
    let stopped = {
        let d = AppErrorKind::Network.described();
        let t = texts(Lang::En);
        let body = t.attr(&d.message, "body").unwrap_or_default();
        format!("{} {:?} | {} | {body}", d.code, d.who, t.render(&d.message))
    };
    assert!(stopped.starts_with("graph.unreachable Nobody | Microsoft 365 cannot be reached"));
    check(
        Lang::En,
        input(
            ok(),
            Activity::BackingOff {
                until: at(14, 2),
                failures: 1,
            },
            vec![run(false, Some(AppErrorKind::Network)), run(true, None)],
        ),
        at(14, 0),
        &[
            &format!("calendar ok=false next=15:02 problem={stopped}"),
            &format!("tasks ok=false next=15:02 problem={stopped}"),
            "contacts ok=false next=- problem=-",
        ],
        "15:02 retry=true planned=-",
    );
    // No loop in this process: the tray's plan, with the time it was made,
    // while it can still be true; a plan well past its time is no plan.
    let planned = |input: Input| Input {
        planned: Some(PlannedRun {
            at: at(14, 15),
            after_failures: false,
            planned_at: Some(at(14, 0)),
        }),
        ..input
    };
    let cli = |runs| planned(input(ok(), Activity::NotRunning, runs));
    check(
        Lang::En,
        cli(vec![run(true, None)]),
        at(14, 10),
        &[
            "calendar ok=true next=15:15 problem=-",
            "tasks ok=true next=15:15 problem=-",
            "contacts ok=false next=- problem=-",
        ],
        "15:15 retry=false planned=15:00",
    );
    check(
        Lang::En,
        cli(vec![run(true, None)]),
        at(14, 17),
        &[
            "calendar ok=true next=15:15 problem=-",
            "tasks ok=true next=15:15 problem=-",
            "contacts ok=false next=- problem=-",
        ],
        "15:15 retry=false planned=15:00",
    );
    check(
        Lang::En,
        cli(vec![run(true, None)]),
        at(14, 18),
        &[
            "calendar ok=true next=- problem=-",
            "tasks ok=true next=- problem=-",
            "contacts ok=false next=- problem=-",
        ],
        "-",
    );
    // Paused (the tray was), or no run yet: nothing planned, no mark.
    check(
        Lang::En,
        planned(input(ok(), Activity::Paused, vec![])),
        at(14, 10),
        &[
            "calendar ok=false next=- problem=-",
            "tasks ok=false next=- problem=-",
            "contacts ok=false next=- problem=-",
        ],
        "-",
    );
    // A summary from an older version: failed items, module unknown.
    check(
        Lang::En,
        input(
            ok(),
            idle,
            vec![LastExport {
                failed: 1,
                ..run(true, None)
            }],
        ),
        at(14, 0),
        &[
            "calendar ok=false next=15:15 problem=-",
            "tasks ok=false next=15:15 problem=-",
            "contacts ok=false next=- problem=-",
        ],
        "15:15 retry=false planned=-",
    );
}

/// The recent runs as stored: the newest first, at most ten, an entry
/// this version cannot read left out; a database from before the list
/// reads its last export as the list.
#[test]
fn recent_runs_as_stored() {
    use crate::export::{push_recent, read_recent};
    #[track_caller]
    fn check(recent: Option<&str>, last: Option<&str>, expect: &[u32]) {
        let got: Vec<u32> = read_recent(recent, last)
            .iter()
            .map(|r| r.created as u32)
            .collect();
        assert_eq!(got, expect);
    }
    let created = |n| LastExport {
        created: n,
        ..run(true, None)
    };
    let json = |r: &LastExport| serde_json::to_string(r).unwrap();
    let last = json(&created(7));
    check(None, None, &[]);
    check(None, Some(&last), &[7]);
    check(Some("garbage"), Some(&last), &[7]);
    let list = push_recent(None, Some(&last), &created(8));
    check(Some(&list), Some(&last), &[8, 7]);
    let mut list = list;
    for n in 9..25 {
        list = push_recent(Some(&list), None, &created(n));
    }
    check(Some(&list), None, &[24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    let damaged = format!("[{}, {{\"at\": 5}}, {last}]", json(&created(1)));
    check(Some(&damaged), None, &[1, 7]);
}

/// A plan another process stored before the field's rename (`retry`)
/// still reads as a try again after failures: the CLI's status and a
/// tray of the new version share the state database with an old tray.
#[test]
fn a_plan_stored_by_an_older_version_still_reads() {
    let old: PlannedRun = serde_json::from_str(
        r#"{"at":"2026-12-01T14:00:00Z","retry":true,"planned_at":"2026-12-01T13:58:00Z"}"#,
    )
    .expect("the old form");
    assert!(old.after_failures);
    assert_eq!(old.at, at(14, 0));
    let new = serde_json::to_value(old).unwrap();
    assert_eq!(new["after_failures"], true);
}

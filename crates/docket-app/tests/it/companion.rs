//! The companion as the tray uses it, with the real `App` against the
//! emulator: the first export runs at once and the snapshot turns "in
//! step" with the right counts; a change in the watched PMS folder arrives
//! without waiting for the interval; a pause holds across a restart and a
//! resume exports what changed meanwhile; stop returns; the snapshot and
//! the events a front end sees carry no token.

use std::time::Duration;

use docket_app::companion::{Companion, Event, StartOptions};
use docket_app::snapshot::{Activity, Snapshot, TrayState};
use docket_app::{App, Lang};
use support::{ics, mailbox, names, PagesBrowser, SignedIn};

use crate::support;

/// Wait (up to a minute) until the snapshot satisfies `f`.
async fn until(c: &Companion, what: &str, f: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let mut rx = c.watch();
    let got = tokio::time::timeout(Duration::from_secs(60), rx.wait_for(|s| f(s))).await;
    match got {
        Ok(Ok(s)) => s.clone(),
        _ => panic!("{what}: not reached; the snapshot is {:#?}", c.snapshot()),
    }
}

/// Nothing in what a front end sees looks like a token.
fn assert_no_token(json: &str) {
    for marker in ["eyJ", "refresh_token", "access_token", "Bearer "] {
        assert!(!json.contains(marker), "{marker} in {json}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_companion_exports_watches_pauses_and_stops() {
    let pms_dir = tempfile::tempdir().unwrap();
    let file = pms_dir.path().join("termine.ics");
    std::fs::write(&file, ics(&["Mandant Huber"])).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n[source]\nkind = \"ics\"\npath = \"{}\"",
        pms_dir.path().display()
    ))
    .await;
    let (base, upn) = (fx.base.clone(), fx.upn);
    let open = || fx.reopen();
    let options = || StartOptions {
        browser: std::sync::Arc::new(PagesBrowser {
            base: base.clone(),
            upn: upn.into(),
            password: "unused".into(),
        }),
        lang: Some(Lang::En),
        ..StartOptions::default()
    };

    // 1. The first export runs at once; the tray turns "in step".
    let c = Companion::start(open(), options());
    let mut events = c.events();
    let s = until(&c, "first export", |s| {
        s.tray == TrayState::InStep && s.modules[0].in_step == 1
    })
    .await;
    assert!(s.status_line.starts_with("In step · "), "{}", s.status_line);
    assert!(s.modules[0].ok && !s.modules[1].enabled, "{:?}", s.modules);
    assert_eq!(s.runs[0].summary, "1 created");
    assert_eq!(
        names(&mailbox(&base, upn).await, "events"),
        ["Mandant Huber"]
    );

    // 2. The PMS writes its export again: it arrives without waiting for
    // the 15-minute interval.
    std::fs::write(&file, ics(&["Mandant Huber", "Gerichtstermin"])).unwrap();
    until(&c, "the watched change", |s| s.modules[0].in_step == 2).await;
    assert_eq!(
        names(&mailbox(&base, upn).await, "events"),
        ["Gerichtstermin", "Mandant Huber"]
    );

    // 3. Pause, and the pause outlives a restart.
    c.pause();
    assert_eq!(c.snapshot().tray, TrayState::Paused);
    c.stop().await;
    let c = Companion::start(open(), options());
    assert_eq!(c.snapshot().tray, TrayState::Paused);
    std::fs::write(
        &file,
        ics(&["Mandant Huber", "Gerichtstermin", "Besprechung"]),
    )
    .unwrap();
    c.export_now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        c.snapshot().modules[0].in_step,
        2,
        "nothing exports while paused"
    );

    // 4. Resume: what changed meanwhile arrives.
    let mut events_2 = c.events();
    c.resume();
    until(&c, "resumed", |s| {
        s.modules[0].in_step == 3 && s.tray == TrayState::InStep
    })
    .await;
    let mut seen = vec![];
    while let Ok(e) = events_2.try_recv() {
        let json = serde_json::to_value(&e).unwrap();
        seen.push(json["event"].as_str().unwrap_or_default().to_string());
    }
    assert!(
        seen.contains(&"run_started".into()) && seen.contains(&"run_finished".into()),
        "{seen:?}"
    );

    // What a front end sees: no token anywhere, and no alarm when all is well.
    assert_no_token(&serde_json::to_string(&c.snapshot()).unwrap());
    while let Ok(e) = events.try_recv() {
        assert_no_token(&serde_json::to_string(&e).unwrap());
        assert!(
            !matches!(e, Event::NotificationDue { .. }),
            "no trouble, no notification: {e:?}"
        );
    }

    // 5. Stop returns.
    tokio::time::timeout(Duration::from_secs(30), c.stop())
        .await
        .expect("stop returns");
}

/// A PMS export of `n` appointments half an hour apart from 10 December
/// 2026, 08:00 (UIDs p0, p1 …).
fn many(n: usize) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pms//EN\r\n");
    for i in 0..n {
        let at = start + chrono::Duration::minutes(30 * i as i64);
        let end = at + chrono::Duration::minutes(20);
        s += &format!(
            "BEGIN:VEVENT\r\nUID:p{i}\r\nSUMMARY:Termin {i}\r\n\
             DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\nEND:VEVENT\r\n",
            at.format("%Y%m%dT%H%M%S"),
            end.format("%Y%m%dT%H%M%S"),
        );
    }
    s + "END:VCALENDAR\r\n"
}

/// A large export says how far it is: a few progress events (one per 200
/// items, not one per item), each with the plan's total, `done` never
/// going back and ending at the total; the snapshot's activity carries it
/// while the export runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_export_reports_its_progress_a_few_times() {
    const N: usize = 450;
    let pms_dir = tempfile::tempdir().unwrap();
    let file = pms_dir.path().join("termine.ics");
    std::fs::write(&file, many(0)).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n[source]\nkind = \"ics\"\npath = \"{}\"",
        pms_dir.path().display()
    ))
    .await;
    let app = fx.reopen();
    let c = Companion::start(
        app,
        StartOptions {
            watch_source: false,
            lang: Some(Lang::En),
            ..StartOptions::default()
        },
    );
    until(&c, "the first (empty) export", |s| {
        s.tray == TrayState::InStep && !s.runs.is_empty()
    })
    .await;

    let mut events = c.events();
    std::fs::write(&file, many(N)).unwrap();
    c.export_now();
    let mut progress = vec![];
    let finished = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            match events.recv().await.expect("events") {
                Event::Progress { done, total } => {
                    progress.push((done, total));
                    // Published before the event: while the export runs,
                    // the snapshot shows at least this far.
                    if let Activity::Exporting { progress: p, .. } = c.snapshot().activity {
                        let p = p.expect("the exporting activity carries the progress");
                        assert_eq!(p.total, N);
                        assert!(p.done >= done, "{p:?} after {done}");
                    }
                }
                Event::RunFinished { run } => return run,
                _ => {}
            }
        }
    })
    .await
    .expect("the export finished");
    assert_eq!(finished.summary, format!("{N} created"));
    assert_eq!(progress, [(0, N), (200, N), (400, N), (N, N)]);
    until(&c, "all in step", |s| s.modules[0].in_step == N).await;
    c.stop().await;
}

/// A setting changed in the companion applies without a restart: a module
/// switched off is not exported at the next run (its items are left
/// alone), and the snapshot says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_switched_off_in_the_settings_is_not_exported_at_the_next_run() {
    use docket_app::settings::UserSetting;
    let pms_dir = tempfile::tempdir().unwrap();
    let file = pms_dir.path().join("termine.ics");
    std::fs::write(&file, ics(&["Mandant Huber"])).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n[source]\nkind = \"ics\"\npath = \"{}\"",
        pms_dir.path().display()
    ))
    .await;
    let (base, upn) = (fx.base.clone(), fx.upn);
    // Opened from the firm file, as the tray opens it: settings are
    // written to the user's overrides and merged with it.
    let app = App::open_with(fx.firm_file.clone(), fx.paths.clone()).expect("app");
    let c = Companion::start(
        app,
        StartOptions {
            watch_source: false,
            lang: Some(Lang::En),
            ..StartOptions::default()
        },
    );
    until(&c, "first export", |s| s.modules[0].in_step == 1).await;

    c.set_setting(&UserSetting::Module {
        module: "calendar".into(),
        on: false,
    })
    .expect("the user may switch the calendar off");
    assert!(
        !c.snapshot().modules[0].enabled,
        "{:?}",
        c.snapshot().modules
    );
    assert!(!c.snapshot().settings.user.calendar);

    let mut events = c.events();
    std::fs::write(&file, ics(&["Mandant Huber", "Gerichtstermin"])).unwrap();
    c.export_now();
    let run = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Event::RunFinished { run } = events.recv().await.expect("events") {
                return run;
            }
        }
    })
    .await
    .expect("the next run");
    assert!(run.run.ok, "{run:?}");
    assert_eq!(run.run.created, 0, "{run:?}");
    assert_eq!(
        names(&mailbox(&base, upn).await, "events"),
        ["Mandant Huber"],
        "the calendar is off: nothing new, nothing deleted"
    );
    c.stop().await;
}

/// A browser that never comes back (the user walked away).
struct WalkedAway;

impl docket_app::Browser for WalkedAway {
    fn open(&self, _url: &str) -> std::io::Result<()> {
        Ok(())
    }
}

async fn sign_in_finished(events: &mut tokio::sync::broadcast::Receiver<Event>) -> bool {
    let wait = async {
        loop {
            if let Ok(Event::SignInFinished { ok, .. }) = events.recv().await {
                return ok;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("the sign-in finished")
}

/// The tray calls the controls from its GUI thread, which has no tokio
/// runtime: signing in and cancelling work from there (they used to panic,
/// which aborted the whole tray at the first click on "Sign in").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_cancel_work_from_a_thread_without_a_runtime() {
    let pms_dir = tempfile::tempdir().unwrap();
    std::fs::write(pms_dir.path().join("termine.ics"), ics(&["Mandant Huber"])).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n[source]\nkind = \"ics\"\npath = \"{}\"",
        pms_dir.path().display()
    ))
    .await;
    let password = m365_emulator::world::demo::USERS[0].5;
    let open = || fx.reopen();

    let c = Companion::start(
        open(),
        StartOptions {
            browser: std::sync::Arc::new(PagesBrowser {
                base: fx.base.clone(),
                upn: fx.upn.into(),
                password: password.into(),
            }),
            lang: Some(Lang::En),
            ..StartOptions::default()
        },
    );
    let mut events = c.events();
    let gui = c.clone();
    std::thread::spawn(move || gui.sign_in())
        .join()
        .expect("sign_in from a plain thread");
    assert!(sign_in_finished(&mut events).await, "the sign-in succeeded");
    c.stop().await;

    let c = Companion::start(
        open(),
        StartOptions {
            browser: std::sync::Arc::new(WalkedAway),
            lang: Some(Lang::En),
            ..StartOptions::default()
        },
    );
    let mut events = c.events();
    let gui = c.clone();
    std::thread::spawn(move || gui.sign_in())
        .join()
        .expect("sign_in from a plain thread");
    until(&c, "waiting for the browser", |s| s.signing_in).await;
    let gui = c.clone();
    std::thread::spawn(move || gui.cancel_sign_in())
        .join()
        .expect("cancel_sign_in from a plain thread");
    assert!(
        !sign_in_finished(&mut events).await,
        "the sign-in was cancelled"
    );
    c.stop().await;
}

/// The PMS drops most appointments at once (a half-written export, or a
/// real clean-up): the brake holds the deletions back, and the tray says
/// so instead of "in step", with "Allow these deletions" as the fix. The
/// user's click lets exactly those through, and the tray is in step again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_back_mass_deletion_waits_for_the_user_and_goes_through_on_their_click() {
    let pms_dir = tempfile::tempdir().unwrap();
    let file = pms_dir.path().join("termine.ics");
    std::fs::write(&file, many(10)).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n[source]\nkind = \"ics\"\npath = \"{}\"",
        pms_dir.path().display()
    ))
    .await;
    let (base, upn) = (fx.base.clone(), fx.upn);
    let c = Companion::start(
        fx.reopen(),
        StartOptions {
            watch_source: false,
            lang: Some(Lang::En),
            ..StartOptions::default()
        },
    );
    until(&c, "the first export", |s| {
        s.tray == TrayState::InStep && s.modules[0].in_step == 10
    })
    .await;

    // 7 of 10 gone from the PMS: more than the 20 % a run may delete.
    std::fs::write(&file, many(3)).unwrap();
    c.export_now();
    let s = until(&c, "the brake shown", |s| {
        s.problems.iter().any(|p| p.code == "export.brake")
    })
    .await;
    assert_eq!(
        s.tray,
        TrayState::NeedsUser,
        "not in step while deletions wait"
    );
    assert!(
        s.status_line.starts_with("Deletions wait for you"),
        "{}",
        s.status_line
    );
    let p = s
        .problems
        .iter()
        .find(|p| p.code == "export.brake")
        .unwrap();
    assert!(p.headline.contains("7 of 10"), "{}", p.headline);
    assert_eq!(p.action.label, "Allow these deletions");
    assert!(p.action.invocable);
    assert_eq!(names(&mailbox(&base, upn).await, "events").len(), 10);

    // A plain "Export now" keeps holding them back.
    let mut events = c.events();
    c.export_now();
    tokio::time::timeout(Duration::from_secs(60), async {
        while !matches!(events.recv().await, Ok(Event::RunFinished { .. })) {}
    })
    .await
    .expect("the run finishes");
    assert_eq!(names(&mailbox(&base, upn).await, "events").len(), 10);
    assert!(c
        .snapshot()
        .problems
        .iter()
        .any(|p| p.code == "export.brake"));

    // The user's click lets them through; in step again.
    c.allow_deletions();
    until(&c, "the deletions made", |s| {
        s.tray == TrayState::InStep && s.modules[0].in_step == 3 && s.problems.is_empty()
    })
    .await;
    assert_eq!(
        names(&mailbox(&base, upn).await, "events"),
        ["Termin 0", "Termin 1", "Termin 2"]
    );
    c.stop().await;
}

/// The recent runs as a front end lists them: when and how each went.
fn runs(s: &Snapshot) -> Vec<(chrono::DateTime<chrono::Utc>, String)> {
    s.runs
        .iter()
        .map(|r| (r.run.at, r.summary.clone()))
        .collect()
}

/// What `docketsync status` shows while the tray runs (another process,
/// with no loop of its own): `App::snapshot` on the same home.
fn status_elsewhere(fx: &SignedIn) -> Snapshot {
    fx.reopen()
        .snapshot(&docket_app::Texts::new(Lang::En), chrono::Utc::now())
        .expect("the status")
}

/// The recent runs are the state database's, not the tray's memory: after
/// a restart the tray still lists them, and so does the status of another
/// process (the CLI's), which also shows the tray's next run with the
/// time it was planned, and none once the tray has stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_the_recent_runs_are_still_shown_and_elsewhere_the_next_run() {
    let pms_dir = tempfile::tempdir().unwrap();
    let file = pms_dir.path().join("termine.ics");
    std::fs::write(&file, ics(&["Mandant Huber"])).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n[source]\nkind = \"ics\"\npath = \"{}\"",
        pms_dir.path().display()
    ))
    .await;
    let options = || StartOptions {
        watch_source: false,
        lang: Some(Lang::En),
        ..StartOptions::default()
    };
    let idle = |s: &Snapshot| matches!(s.activity, Activity::Idle { .. });
    let c = Companion::start(fx.reopen(), options());
    until(&c, "the first export", |s| s.runs.len() == 1 && idle(s)).await;
    std::fs::write(&file, ics(&["Mandant Huber", "Gerichtstermin"])).unwrap();
    c.export_now();
    let s = until(&c, "the second export", |s| s.runs.len() == 2 && idle(s)).await;
    let before = runs(&s);
    assert_eq!(
        before.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["1 created", "1 created"]
    );

    // Meanwhile, elsewhere: the same runs, and the tray's plan.
    let Activity::Idle { next_run } = s.activity else {
        unreachable!()
    };
    let cli = status_elsewhere(&fx);
    assert_eq!(runs(&cli), before);
    assert_eq!(cli.activity, Activity::NotRunning);
    let planned = cli.next_run.expect("the tray's next run");
    assert_eq!(planned.at, next_run);
    assert!(
        planned.planned_at.is_some_and(|t| t <= chrono::Utc::now()),
        "{planned:?}"
    );
    assert_eq!(cli.modules[0].next_run, Some(next_run));
    let json = serde_json::to_value(&cli).unwrap();
    assert_eq!(
        json["next_run"]["at"],
        serde_json::to_value(next_run).unwrap()
    );

    // The tray stops: no loop plans a run any more.
    c.stop().await;
    let cli = status_elsewhere(&fx);
    assert_eq!(cli.next_run, None);
    assert_eq!(cli.modules[0].next_run, None);
    assert_eq!(runs(&cli), before);

    // It starts again: the runs are there before its first export, and
    // stay under the new one.
    let c = Companion::start(fx.reopen(), options());
    assert_eq!(runs(&c.snapshot())[..2], before[..]);
    let s = until(&c, "the export after the restart", |s| {
        s.runs.len() == 3 && idle(s)
    })
    .await;
    assert_eq!(runs(&s)[1..], before[..]);
    assert_eq!(s.runs[0].summary, "Nothing to do: Outlook was in step");
    c.stop().await;
}

/// A module whose items failed in the last run shows that problem in its
/// row (code, words, when), the other modules do not; `docketsync status`
/// shows the same; the next good run clears it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_whose_last_run_failed_shows_its_problem() {
    let pms_dir = tempfile::tempdir().unwrap();
    let file = pms_dir.path().join("termine.ics");
    std::fs::write(&file, ics(&["Mandant Huber"])).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = true\ncontacts = false\n[source]\nkind = \"ics\"\npath = \"{}\"",
        pms_dir.path().display()
    ))
    .await;
    let faults = format!("{}/_admin/faults", fx.base);
    let http = reqwest::Client::new();
    http.post(&faults)
        .json(&serde_json::json!({
            "method": "POST", "path": "/v1.0/me/events",
            "kind": "service_unavailable", "retry_after": 0.01
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .expect("fault set");
    let c = Companion::start(
        fx.reopen(),
        StartOptions {
            watch_source: false,
            lang: Some(Lang::En),
            ..StartOptions::default()
        },
    );
    let idle = |s: &Snapshot| matches!(s.activity, Activity::Idle { .. });
    let s = until(&c, "the first export", |s| s.runs.len() == 1 && idle(s)).await;
    assert_eq!(s.runs[0].run.failed, 1, "{:?}", s.runs[0]);
    for s in [s.clone(), status_elsewhere(&fx)] {
        let json = serde_json::to_value(&s).unwrap();
        let calendar = &json["modules"][0];
        assert_eq!(calendar["ok"], false, "{calendar}");
        assert_eq!(
            calendar["problem"]["code"], "export.items_failed",
            "{calendar}"
        );
        assert_eq!(calendar["problem"]["who"], "nobody", "{calendar}");
        assert_eq!(
            calendar["problem"]["headline"], "1 item could not be exported",
            "{calendar}"
        );
        let body = calendar["problem"]["body"].as_str().unwrap_or_default();
        assert!(
            body.starts_with("appointment:") && body.ends_with("tries again at the next run."),
            "{body}"
        );
        assert_eq!(
            calendar["problem"]["at"],
            serde_json::to_value(s.runs[0].run.at).unwrap()
        );
        // The tasks had nothing that failed: their mark stays green.
        let tasks = &json["modules"][1];
        assert_eq!(tasks["ok"], true, "{tasks}");
        assert!(tasks.get("problem").is_none(), "{tasks}");
    }

    http.delete(&faults).send().await.unwrap();
    c.export_now();
    let s = until(&c, "the next export", |s| s.runs.len() == 2 && idle(s)).await;
    assert_eq!(s.runs[0].summary, "1 created");
    assert!(
        s.modules[0].ok && s.modules[0].problem.is_none(),
        "{:?}",
        s.modules[0]
    );
    c.stop().await;
}

//! The companion as the tray uses it, with the real `App` against the
//! emulator: the first export runs at once and the snapshot turns "in
//! step" with the right counts; a change in the watched PMS folder arrives
//! without waiting for the interval; a pause holds across a restart and a
//! resume exports what changed meanwhile; stop returns; the snapshot and
//! the events a front end sees carry no token.

use std::time::Duration;

use docket_app::companion::{Companion, Event, StartOptions};
use docket_app::snapshot::{Snapshot, TrayState};
use docket_app::{App, Lang};
use support::{ics, mailbox, names, PagesBrowser, SignedIn};

mod support;

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
    let open = || App::with_config(fx.app.config().clone(), fx.paths.clone()).expect("app");
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
    let open = || App::with_config(fx.app.config().clone(), fx.paths.clone()).expect("app");

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

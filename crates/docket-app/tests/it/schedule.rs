//! The background loop with the real `App` against the emulator, in real
//! time: it exports at once; after a password change the next run stops,
//! tells the user once (English and German, with the fix) and waits; once
//! the user has signed in again it exports by itself, without a restart,
//! and the PMS change made meanwhile arrives; the same problem later is
//! told again.

use std::time::Duration as StdDuration;

use chrono::Duration;
use docket_app::schedule::{self, Control, Memory, Notification, Observer, RunOutcome, Timing};
use docket_app::{Lang, Texts, Who};
use support::{ics, mailbox, names, SignedIn};
use tokio::sync::mpsc;

use crate::support;

#[derive(Debug)]
enum Event {
    Exported,
    Failed(Who, String),
    Notified(Notification),
}

struct Events(mpsc::UnboundedSender<Event>);

impl Observer for Events {
    fn ran(&self, outcome: &RunOutcome, _: &Memory) {
        let _ = self.0.send(match outcome {
            RunOutcome::Exported(_) => Event::Exported,
            RunOutcome::Failed(e) => Event::Failed(e.who(), e.code().to_string()),
        });
    }

    fn notify(&self, n: &Notification) {
        let _ = self.0.send(Event::Notified(n.clone()));
    }
}

async fn next_event(rx: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(StdDuration::from_secs(60), rx.recv())
        .await
        .expect("the loop did something within a minute")
        .expect("the loop is running")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_password_change_syncing_resumes_by_itself_once_the_user_signs_in_again() {
    let pms_dir = tempfile::tempdir().unwrap();
    let pms = pms_dir.path().join("termine.ics");
    std::fs::write(&pms, ics(&["Mandant Huber"])).unwrap();
    let fx = SignedIn::start(&format!(
        "[modules]\ntasks = false\ncontacts = false\n\
         [source]\nkind = \"ics\"\npath = \"{}\"",
        pms.display()
    ))
    .await;
    let (app, base, upn) = (&fx.app, fx.base.as_str(), fx.upn);

    let (tx, mut rx) = mpsc::unbounded_channel();
    let observer = Events(tx);
    let control = Control::default();
    let timing = Timing {
        every: Duration::minutes(15),
        keep_alive: Duration::hours(24),
    };
    let user = async {
        // 1. The loop exports at once.
        assert!(matches!(next_event(&mut rx).await, Event::Exported));
        assert_eq!(
            names(&mailbox(base, upn).await, "events"),
            ["Mandant Huber"]
        );

        // 2. The fee-earner changes the password; the PMS changes too.
        let resp = reqwest::Client::new()
            .post(format!("{base}/_admin/users/{upn}/password"))
            .json(&serde_json::json!({"password": "Neu-Anna-2026!"}))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
        // The loop keeps its access token, which (as at Microsoft) stays
        // valid after a password change until it expires: an hour later.
        advance_clock(base, 2 * 3600).await;
        std::fs::write(&pms, ics(&["Mandant Huber", "Gerichtstermin"])).unwrap();
        control.export_now();
        match next_event(&mut rx).await {
            Event::Failed(Who::User, code) => assert_eq!(code, "reauth.password_changed"),
            other => panic!("expected a sign-in problem, got {other:?}"),
        }
        // Told once, in both languages, with the fix.
        let Event::Notified(n) = next_event(&mut rx).await else {
            panic!("no notification")
        };
        assert_eq!(n.key, "problem:reauth.password_changed");
        let (en, de) = (Texts::new(Lang::En), Texts::new(Lang::De));
        assert_eq!(en.render(&n.title), "Docket Sync: please sign in again");
        assert_eq!(de.render(&n.title), "Docket Sync: bitte erneut anmelden");
        for t in [&en, &de] {
            assert!(
                t.attr(&n.message, "body").is_some_and(|b| !b.is_empty()),
                "{n:?}"
            );
        }
        assert_eq!(n.action, docket_app::Action::SignIn);
        // The status window says the last export did not finish, and why.
        let last = app.status(chrono::Utc::now()).unwrap().last_export;
        let last = last.expect("the last export is remembered");
        assert!(!last.ok);
        let error = last.error.expect("why it stopped");
        assert_eq!(error.code, "reauth.password_changed");
        assert_eq!(
            (error.who, error.action),
            (Who::User, docket_app::Action::SignIn)
        );
        // Asking again changes nothing while the user has not signed in:
        // no export is tried, nothing new is told.
        control.export_now();
        if let Ok(Some(e)) = tokio::time::timeout(StdDuration::from_secs(2), rx.recv()).await {
            assert!(
                matches!(e, Event::Failed(Who::User, _)),
                "only the same sign-in problem, and no second notification: {e:?}"
            );
        }

        // 3. "Re-authenticate": the user signs in again; the loop goes on by
        // itself and brings the PMS change.
        // "Re-authenticate".
        fx.sign_in("Neu-Anna-2026!").await;
        control.export_now();
        loop {
            match next_event(&mut rx).await {
                Event::Exported => break,
                Event::Failed(Who::User, _) => continue,
                other => panic!("expected the export to resume, got {other:?}"),
            }
        }
        assert_eq!(
            names(&mailbox(base, upn).await, "events"),
            ["Gerichtstermin", "Mandant Huber"]
        );
        let status = app.status(chrono::Utc::now()).unwrap();
        assert!(status.problem.is_none(), "{status:?}");
        let last = status.last_export.expect("remembered");
        assert!(last.ok && last.created == 1, "{last:?}");

        // 4. Weeks later the password changes again: told again.
        let resp = reqwest::Client::new()
            .post(format!("{base}/_admin/users/{upn}/password"))
            .json(&serde_json::json!({"password": "Noch-neuer-2027!"}))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
        advance_clock(base, 2 * 3600).await;
        control.export_now();
        assert!(matches!(
            next_event(&mut rx).await,
            Event::Failed(Who::User, _)
        ));
        let Event::Notified(n) = next_event(&mut rx).await else {
            panic!("the same problem coming back is told again")
        };
        assert_eq!(n.key, "problem:reauth.password_changed");
        control.stop();
    };
    tokio::join!(
        schedule::run(app, timing, &schedule::WallClock, &observer, &control),
        user
    );
    app.sign_out().unwrap();
}

/// Moves the emulator's clock `seconds` forward (`/_admin/clock/advance`).
async fn advance_clock(base: &str, seconds: i64) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/_admin/clock/advance"))
        .json(&serde_json::json!({ "seconds": seconds }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

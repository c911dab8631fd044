//! The loop's deciding parts table-tested, and the loop itself on tokio's
//! paused clock with a scripted worker.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::*;
use crate::status::{decide, Input, SecretStoreInfo, TokenState};
use docket_store::{AccountRecord, ProblemRecord};

use docket_text::{Lang, Texts};

/// Everything a notification says, as the user reads it in `lang`.
fn words(n: &Notification, lang: Lang) -> String {
    let t = Texts::new(lang);
    format!(
        "{} | {} | {}",
        t.render(&n.title),
        t.render(&n.message),
        t.attr(&n.message, "body").unwrap_or_default()
    )
}

fn t0() -> DateTime<Utc> {
    "2026-12-01T08:00:00Z".parse().unwrap()
}

fn minutes(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}

const TIMING: Timing = Timing {
    every: Duration::minutes(15),
    keep_alive: Duration::hours(24),
};

/// `memory` → what comes next, at `now`.
#[track_caller]
fn check(memory: Memory, now: DateTime<Utc>, expect: Next) {
    assert_eq!(next(&memory, &TIMING, now), expect, "{memory:?}");
}

#[test]
fn when_the_next_run_is() {
    // Never ran: at once.
    check(Memory::default(), minutes(0), Next::ExportAt(minutes(0)));
    let ran = |failures, waiting| Memory {
        last_run: Some(minutes(0)),
        failures,
        failing_since: (failures > 0).then(minutes_zero),
        waiting_for_user: waiting,
        offline: false,
        told_failing: false,
    };
    // Worked: the interval later.
    check(ran(0, false), minutes(3), Next::ExportAt(minutes(15)));
    // Temporary failures: 1, 2, 4, 8 minutes, then never beyond the interval.
    check(ran(1, false), minutes(0), Next::ExportAt(minutes(1)));
    check(ran(2, false), minutes(0), Next::ExportAt(minutes(2)));
    check(ran(3, false), minutes(0), Next::ExportAt(minutes(4)));
    check(ran(4, false), minutes(0), Next::ExportAt(minutes(8)));
    check(ran(5, false), minutes(0), Next::ExportAt(minutes(15)));
    check(ran(60, false), minutes(0), Next::ExportAt(minutes(15)));
    // Only the user can help: no export, a look at the status each interval.
    check(ran(0, true), minutes(1), Next::LookAt(minutes(15)));
}

fn minutes_zero() -> DateTime<Utc> {
    minutes(0)
}

#[test]
fn what_a_run_leaves_behind() {
    let mut m = Memory::default();
    remember(
        &mut m,
        &RunOutcome::Failed(AppError::Export(crate::ExportFailure::TaskListWithoutId)),
        minutes(0),
    );
    remember(
        &mut m,
        &RunOutcome::Failed(AppError::Export(crate::ExportFailure::TaskListWithoutId)),
        minutes(1),
    );
    assert_eq!((m.failures, m.failing_since), (2, Some(minutes(0))));
    // IT must act: no fast retries, no count towards the alarm.
    remember(
        &mut m,
        &RunOutcome::Failed(AppError::PublicClient),
        minutes(3),
    );
    assert_eq!((m.failures, m.waiting_for_user), (0, false));
    // The user must sign in: wait.
    remember(
        &mut m,
        &RunOutcome::Failed(AppError::NotSignedIn),
        minutes(4),
    );
    assert!(m.waiting_for_user);
    remember(
        &mut m,
        &RunOutcome::Exported(ExportReport::default()),
        minutes(20),
    );
    assert_eq!(
        m,
        Memory {
            last_run: Some(minutes(20)),
            ..Memory::default()
        }
    );
}

/// A scripted worker: each export takes the next outcome (`Ok` when the
/// script is empty) and notes the time it ran.
#[derive(Default)]
struct Script {
    outcomes: Mutex<VecDeque<Result<(), AppError>>>,
    ran_at: Mutex<Vec<DateTime<Utc>>>,
    /// Each run's options: (force, retry_now).
    asked: Mutex<Vec<(bool, bool)>>,
    /// What the status says (`None`: it cannot be read).
    status: Mutex<Option<Status>>,
    notified: Mutex<Vec<String>>,
    clock: Option<TokioClock>,
    /// When Microsoft answers again (`None`: it always does).
    network_back_at: Option<DateTime<Utc>>,
    probes: Mutex<usize>,
}

impl Script {
    fn new(outcomes: Vec<Result<(), AppError>>) -> Script {
        Script {
            outcomes: Mutex::new(outcomes.into()),
            clock: Some(TokioClock::starting_at(t0())),
            ..Script::default()
        }
    }

    fn runs(&self) -> Vec<i64> {
        self.ran_at
            .lock()
            .unwrap()
            .iter()
            .map(|t| (*t - t0()).num_minutes())
            .collect()
    }
}

impl Worker for Script {
    async fn export(
        &self,
        now: DateTime<Utc>,
        options: ExportOptions,
        _progress: crate::executor::OnProgress<'_>,
    ) -> Result<ExportReport, AppError> {
        self.ran_at.lock().unwrap().push(now);
        self.asked
            .lock()
            .unwrap()
            .push((options.force, options.retry_now));
        match self.outcomes.lock().unwrap().pop_front() {
            Some(Err(e)) => Err(e),
            _ => Ok(ExportReport::default()),
        }
    }

    async fn refresh(&self, _: DateTime<Utc>) -> Result<(), AppError> {
        Ok(())
    }

    fn status(&self, _: DateTime<Utc>) -> Result<Status, AppError> {
        self.status
            .lock()
            .unwrap()
            .clone()
            .ok_or(AppError::NotSignedIn)
    }

    fn mark_notified(&self, keys: &[String]) -> Result<(), AppError> {
        self.notified.lock().unwrap().push(keys.join("\n"));
        Ok(())
    }

    async fn reachable(&self) -> bool {
        *self.probes.lock().unwrap() += 1;
        let now = self.clock.as_ref().map_or_else(t0, |c| c.now());
        self.network_back_at.is_none_or(|back| now >= back)
    }
}

#[derive(Default)]
struct Seen {
    notifications: Mutex<Vec<Notification>>,
    runs: Mutex<usize>,
}

impl Observer for Seen {
    fn ran(&self, _: &RunOutcome, _: &Memory) {
        *self.runs.lock().unwrap() += 1;
    }

    fn notify(&self, n: &Notification) {
        self.notifications.lock().unwrap().push(n.clone());
    }
}

impl Seen {
    fn keys(&self) -> Vec<String> {
        self.notifications
            .lock()
            .unwrap()
            .iter()
            .map(|n| n.key.clone())
            .collect()
    }
}

/// Runs the loop for `for_minutes` of (paused) time with `control`,
/// while `during` plays the user.
async fn run_for(
    script: &Script,
    seen: &Seen,
    control: &Control,
    for_minutes: u64,
    during: impl std::future::Future<Output = ()>,
) {
    let clock = script.clock.as_ref().unwrap();
    let stopper = control.clone();
    tokio::join!(run(script, TIMING, clock, seen, control), during, async {
        tokio::time::sleep(std::time::Duration::from_secs(60 * for_minutes)).await;
        stopper.stop();
    });
}

#[tokio::test(start_paused = true)]
async fn exports_every_interval() {
    let script = Script::new(vec![]);
    let seen = Seen::default();
    run_for(&script, &seen, &Control::default(), 50, async {}).await;
    assert_eq!(script.runs(), [0, 15, 30, 45]);
    assert!(seen.keys().is_empty(), "no trouble, no notification");
}

/// A new interval (the user's setting) applies to the loop as it runs,
/// from the last run, without starting an export by itself.
#[tokio::test(start_paused = true)]
async fn a_new_interval_applies_without_a_restart() {
    let script = Script::new(vec![]);
    let seen = Seen::default();
    let control = Control::default();
    run_for(&script, &seen, &control, 48, async {
        tokio::time::sleep(std::time::Duration::from_secs(60 * 20)).await;
        control.retime(Timing {
            every: Duration::minutes(5),
            ..TIMING
        });
    })
    .await;
    // 15 minutes until the change at 20; then every 5 from the run at 15.
    assert_eq!(script.runs(), [0, 15, 20, 25, 30, 35, 40, 45]);
}

#[tokio::test(start_paused = true)]
async fn temporary_failures_back_off_and_only_the_third_is_told() {
    let fail = || Err(AppError::Export(crate::ExportFailure::TaskListWithoutId));
    let script = Script::new(vec![fail(), fail(), fail(), fail(), Ok(())]);
    let seen = Seen::default();
    run_for(&script, &seen, &Control::default(), 40, async {}).await;
    // Failed at 0, 1, 3, 7; worked at 15; then the interval.
    assert_eq!(script.runs(), [0, 1, 3, 7, 15, 30]);
    let keys = seen.keys();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("repeated_failure:"), "{keys:?}");
    let n = seen.notifications.lock().unwrap()[0].clone();
    assert!(words(&n, Lang::En).contains("sent no id for it"), "{n:?}");
    assert!(words(&n, Lang::De).contains("nacheinander"), "{n:?}");
}

#[tokio::test(start_paused = true)]
async fn waits_for_the_user_and_resumes_at_once_after_a_new_sign_in() {
    let script = Script::new(vec![Ok(()), Err(AppError::NotSignedIn)]);
    let seen = Seen::default();
    let control = Control::default();
    let c = control.clone();
    run_for(&script, &seen, &control, 101, async move {
        // The run at 15 finds the sign-in gone; an hour passes without a run;
        // then the user signs in again (the front end says so).
        tokio::time::sleep(std::time::Duration::from_secs(60 * 70)).await;
        c.export_now();
    })
    .await;
    // 0 worked, 15 failed (sign in), nothing until 70, then every 15.
    assert_eq!(script.runs(), [0, 15, 70, 85, 100]);
}

/// "Allow the deletions" and "Try again now" from the window run at once,
/// with what was asked, and for that run only.
#[tokio::test(start_paused = true)]
async fn what_the_user_asks_applies_to_the_next_run_only() {
    let script = Script::new(vec![]);
    let seen = Seen::default();
    let control = Control::default();
    let c = control.clone();
    run_for(&script, &seen, &control, 50, async move {
        tokio::time::sleep(std::time::Duration::from_secs(60 * 5)).await;
        c.allow_deletions();
        tokio::time::sleep(std::time::Duration::from_secs(60 * 20)).await;
        c.retry_held_back();
    })
    .await;
    assert_eq!(script.runs(), [0, 5, 20, 25, 40]);
    assert_eq!(
        *script.asked.lock().unwrap(),
        [
            (false, false),
            (true, false),
            (false, false),
            (false, true),
            (false, false)
        ]
    );
}

fn signed_in(problem: Option<&str>) -> Status {
    let account = AccountRecord {
        tenant: "t".into(),
        client_id: "c".into(),
        username: "anna@kanzlei.example".into(),
        object_id: "o".into(),
        tenant_id: "tid".into(),
        display_name: None,
        signed_in_at: t0(),
        last_good_refresh_at: Some(t0()),
        sign_in_frequency_seconds: None,
        last_problem: problem.map(|code| ProblemRecord {
            code: code.into(),
            aadsts: Some(50173),
            at: t0(),
        }),
        notified: None,
    };
    decide(
        Input {
            account: Some(account),
            token: TokenState::Present,
            keep_alive_every: Duration::hours(24),
            confidential: None,
            client_secret_stored: false,
            secret_store: SecretStoreInfo {
                kind: "keyring",
                location: docket_text::Message::new("secrets-location-memory"),
            },
            last_export: None,
        },
        t0(),
    )
}

#[tokio::test(start_paused = true)]
async fn a_sign_in_made_elsewhere_is_noticed_at_the_next_look() {
    let script = Script::new(vec![Err(AppError::NotSignedIn)]);
    *script.status.lock().unwrap() = Some(signed_in(Some("reauth.password_changed")));
    let seen = Seen::default();
    let status = &script.status;
    run_for(&script, &seen, &Control::default(), 50, async {
        // At 20 minutes the user signs in with the CLI (another process).
        tokio::time::sleep(std::time::Duration::from_secs(60 * 20)).await;
        *status.lock().unwrap() = Some(signed_in(None));
    })
    .await;
    // Failed at 0; the look at 15 still finds the problem; the look at 30
    // finds the new sign-in and exports; then every 15.
    assert_eq!(script.runs(), [0, 30, 45]);
    // The problem was told once, with its fix, in English and German.
    let n = seen.notifications.lock().unwrap().clone();
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].key, "problem:reauth.password_changed");
    assert!(words(&n[0], Lang::De).contains("erneut anmelden"), "{n:?}");
    assert_eq!(n[0].action, docket_text::Action::SignIn);
    assert_eq!(
        *script.notified.lock().unwrap(),
        ["problem:reauth.password_changed"]
    );
}

#[test]
fn a_warning_is_told_in_english_and_german() {
    let mut status = signed_in(None);
    status.warnings = vec![crate::status::Warning::ClientSecretExpiring {
        threshold: 14,
        days_left: 10,
    }];
    status.notify = vec!["client_secret_expiring:14".into()];
    let n = notifications_for(&status);
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].key, "client_secret_expiring:14");
    assert!(
        words(&n[0], Lang::En).contains("expires in 10 days"),
        "{n:?}"
    );
    assert!(words(&n[0], Lang::De).contains("in 10 Tagen ab"), "{n:?}");
    // Nothing wanted, nothing told.
    assert_eq!(notifications_for(&signed_in(None)), vec![]);
}

#[test]
fn notification_slots() {
    #[track_caller]
    fn check(key: &str, expect: &str) {
        assert_eq!(notification_slot(key), expect, "{key}");
    }
    check("problem:reauth.password_changed", "export");
    check("problem:admin.consent_missing", "export");
    check("repeated_failure:1796354918", "export");
    check("back_in_step", "export");
    check("client_secret_expiring:30", "client_secret_expiring");
    check("client_secret_expiring:14", "client_secret_expiring");
    check("client_secret_expired", "client_secret_expired");
    check("inactivity_expiry:2026-05-30", "inactivity_expiry");
    check("sign_in_required:2026-03-02", "sign_in_required");
    check("", "");
}

/// Two conditions standing at once are both told, each under its own key
/// (the tray replaces a shown notification by key, so they do not stack
/// up on a second look). Only the first used to be told, the second not
/// until the first had gone.
#[test]
fn two_standing_warnings_are_both_told() {
    let mut status = signed_in(Some("reauth.password_changed"));
    status.warnings = vec![
        crate::status::Warning::ClientSecretExpiring {
            threshold: 14,
            days_left: 10,
        },
        crate::status::Warning::InactivityExpiry {
            on: t0() + Duration::days(80),
        },
    ];
    status.notify = vec![
        "problem:reauth.password_changed".into(),
        "client_secret_expiring:14".into(),
        status.warnings[1].notification_key(),
    ];
    let keys: Vec<String> = notifications_for(&status)
        .into_iter()
        .map(|n| n.key)
        .collect();
    assert_eq!(keys, status.notify);
}

#[test]
fn a_computer_slept_when_the_wall_clock_ran_ahead_of_the_nap() {
    #[track_caller]
    fn check(wall_secs: i64, napped_secs: u64, expect: bool) {
        assert_eq!(
            slept(
                Duration::seconds(wall_secs),
                std::time::Duration::from_secs(napped_secs)
            ),
            expect,
            "wall {wall_secs} s, napped {napped_secs} s"
        );
    }
    check(60, 60, false); // awake
    check(61, 60, false); // a busy machine is late, not asleep
    check(179, 60, false); // within the slack (a clock that was set)
    check(181, 60, true); // slept
    check(8 * 3600, 60, true); // a night with the lid closed
    check(-3600, 60, false); // the clock was set back: no run for that
}

/// The wall clock of a laptop: tokio's (paused) time plus the time it
/// spent asleep, which the monotonic timers never see.
struct Laptop {
    awake: TokioClock,
    asleep: Mutex<Duration>,
}

impl Clock for Laptop {
    fn now(&self) -> DateTime<Utc> {
        self.awake.now() + *self.asleep.lock().unwrap()
    }
}

#[tokio::test(start_paused = true)]
async fn a_computer_that_wakes_from_sleep_exports_at_once() {
    let script = Script::new(vec![]);
    let seen = Seen::default();
    let laptop = Laptop {
        awake: TokioClock::starting_at(t0()),
        asleep: Mutex::new(Duration::zero()),
    };
    let control = Control::default();
    let stopper = control.clone();
    tokio::join!(run(&script, TIMING, &laptop, &seen, &control), async {
        // Two and a half minutes after the first run the lid closes
        // for five minutes: the wall clock says 8 minutes at the next
        // look, before the 15-minute interval is up.
        tokio::time::sleep(std::time::Duration::from_secs(150)).await;
        *laptop.asleep.lock().unwrap() = Duration::minutes(5);
        tokio::time::sleep(std::time::Duration::from_secs(60 * 18)).await;
        stopper.stop();
    });
    // Ran at 0, at once on waking (8), then the interval from there.
    assert_eq!(script.runs(), [0, 8, 23]);
}

#[tokio::test(start_paused = true)]
async fn the_network_coming_back_exports_without_waiting_out_the_backoff() {
    let mut script = Script::new(vec![offline(), offline(), offline(), offline()]);
    script.network_back_at = Some(minutes(10));
    let seen = Seen::default();
    run_for(&script, &seen, &Control::default(), 30, async {}).await;
    // Failed at 0, 1, 3, 7 (backoff 1, 2, 4); the next try was due at 15,
    // but the network is back at 10: exported then, the interval after.
    assert_eq!(script.runs(), [0, 1, 3, 7, 10, 25]);
    let probes = *script.probes.lock().unwrap();
    // Every 30 s while offline, not more: 0–10 minutes is at most 20 looks.
    assert!((1..=20).contains(&probes), "{probes} looks");
}

#[tokio::test(start_paused = true)]
async fn a_failure_that_is_not_the_network_asks_nothing() {
    let script = Script::new(vec![Err(AppError::Export(
        crate::ExportFailure::TaskListWithoutId,
    ))]);
    let seen = Seen::default();
    run_for(&script, &seen, &Control::default(), 20, async {}).await;
    assert_eq!(script.runs(), [0, 1, 16]);
    assert_eq!(*script.probes.lock().unwrap(), 0, "no look for the network");
}

fn offline() -> Result<(), AppError> {
    Err(AppError::Graph(docket_graph::Error::Transport(
        docket_graph::Unreachable::ConnectionFailed {
            detail: "connection refused".into(),
        },
    )))
}

#[tokio::test(start_paused = true)]
async fn a_network_gone_for_hours_is_told_once_and_a_short_loss_never() {
    // Three hours without a network (a train): failures, no notification.
    let mut script = Script::new((0..40).map(|_| offline()).collect());
    script.network_back_at = Some(minutes(100_000));
    let seen = Seen::default();
    run_for(&script, &seen, &Control::default(), 180, async {}).await;
    assert!(script.runs().len() > 10, "{:?}", script.runs());
    assert!(seen.keys().is_empty(), "{:?}", seen.keys());

    // Five hours: one notification, after four hours, saying how often.
    let mut script = Script::new((0..60).map(|_| offline()).collect());
    script.network_back_at = Some(minutes(100_000));
    let seen = Seen::default();
    run_for(&script, &seen, &Control::default(), 300, async {}).await;
    let told = seen.notifications.lock().unwrap().clone();
    assert_eq!(told.len(), 1, "{told:?}");
    // Told at the first failure four hours after the first one.
    let runs = script.runs();
    let runs_by_then = runs
        .iter()
        .position(|m| *m >= 240)
        .expect("a run after 4 h")
        + 1;
    assert!(
        words(&told[0], Lang::En).contains(&format!("{runs_by_then} times")),
        "{}",
        words(&told[0], Lang::En)
    );
}

#[tokio::test(start_paused = true)]
async fn an_answer_at_the_first_look_is_not_the_network_coming_back() {
    // The export failed on the network, but Microsoft answers at once (a
    // reset mid-batch): no run every 30 s, the backoff holds, one look.
    let script = Script::new(vec![offline(), offline()]);
    let seen = Seen::default();
    run_for(&script, &seen, &Control::default(), 20, async {}).await;
    assert_eq!(script.runs(), [0, 1, 3, 18]);
    assert_eq!(*script.probes.lock().unwrap(), 2, "one look per wait");
}

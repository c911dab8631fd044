//! The background loop: export on a schedule, keep the sign-in alive,
//! stop and wait when only the fee-earner can help, resume by itself once
//! they have, and raise a notification only for real trouble.
//!
//! The deciding part is [`next`], a pure function of what the loop
//! remembers ([`Memory`]), the [`Timing`] and `now`, table-tested. The
//! loop ([`run`]) only sleeps, asks a [`Worker`] to act and tells an
//! [`Observer`]; the tray, `docketsync run` and the tests each bring their
//! own observer, and the tests a scripted worker on tokio's paused clock.
//!
//! | after a run that… | the next run |
//! |---|---|
//! | worked | `every` later (`policy.sync_interval_minutes`) |
//! | failed for a temporary reason (network, Graph, a lock) | 1, 2, 4, 8 … minutes later, never later than `every`; after 3 in a row a notification (a network that is gone: only after 4 hours) |
//! | needs the user (sign in again) | waits: woken by a new sign-in or "export now"; the status is looked at every `every` in case the user signed in elsewhere (the CLI) |
//! | needs IT (consent, secret, configuration) | `every` later (IT may have fixed it meanwhile) |
//!
//! Two things bring a run forward: a computer that wakes from sleep (the
//! wall clock moved on further than the loop napped: [`slept`]) exports at
//! once, and while the network is gone ([`Memory::offline`]) the loop looks
//! every [`PROBE_EVERY`] whether Microsoft answers again and then exports at
//! once instead of waiting out the backoff.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{watch, Notify};

use crate::executor::{ExportOptions, ExportReport};
use crate::status::{SignInState, Status};
use crate::{App, AppError};
use docket_text::{Action, Message, Who};

/// How often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Between two exports (`policy.sync_interval_minutes`).
    pub every: Duration,
    /// The longest pause between two good sign-in refreshes
    /// (`policy.keep_alive_hours`).
    pub keep_alive: Duration,
}

impl Timing {
    pub fn from_config(config: &docket_config::Config) -> Timing {
        Timing {
            every: Duration::minutes(i64::from(config.policy.sync_interval_minutes)),
            keep_alive: Duration::hours(i64::from(config.policy.keep_alive_hours)),
        }
    }
}

/// What the last runs left behind. Kept in memory by the loop: after a
/// restart the first run is at once, which is what a user expects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// When the last run ended.
    pub last_run: Option<DateTime<Utc>>,
    /// Temporary failures in a row.
    pub failures: u32,
    /// When the first of those failed.
    pub failing_since: Option<DateTime<Utc>>,
    /// Only the user can help (a new sign-in).
    pub waiting_for_user: bool,
    /// The last run failed because Microsoft could not be reached (the
    /// network, or a proxy, is gone).
    pub offline: bool,
    /// The user was told about the current run of failures.
    pub told_failing: bool,
}

/// What the loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Export at this time (now or in the past: at once).
    ExportAt(DateTime<Utc>),
    /// Waiting for the user; look at the status again at this time.
    LookAt(DateTime<Utc>),
}

/// Temporary failures in a row before the user is told.
pub const NOTIFY_AFTER_FAILURES: u32 = 3;

/// A network that is gone is not trouble to tell about until it has been
/// gone this long (a train, a café, a laptop just woken before its Wi-Fi):
/// the loop resumes by itself when it is back.
pub const NOTIFY_OFFLINE_AFTER: Duration = Duration::hours(4);

/// Whether the failures so far are worth a notification now (once per run
/// of failures). Pure.
pub fn tell_failing(memory: &Memory, now: DateTime<Utc>) -> bool {
    if memory.told_failing || memory.failures == 0 {
        return false;
    }
    if memory.offline {
        memory
            .failing_since
            .is_some_and(|since| now - since >= NOTIFY_OFFLINE_AFTER)
    } else {
        memory.failures >= NOTIFY_AFTER_FAILURES
    }
}

/// The pause after `failures` temporary failures in a row: 1, 2, 4, 8 …
/// minutes, never longer than `every`.
pub fn backoff(failures: u32, every: Duration) -> Duration {
    let minutes = 1i64 << failures.saturating_sub(1).min(20);
    Duration::minutes(minutes).min(every)
}

/// When to act next. Pure.
pub fn next(memory: &Memory, timing: &Timing, now: DateTime<Utc>) -> Next {
    let Some(last) = memory.last_run else {
        return Next::ExportAt(now);
    };
    if memory.waiting_for_user {
        return Next::LookAt(last + timing.every);
    }
    if memory.failures > 0 {
        return Next::ExportAt(last + backoff(memory.failures, timing.every));
    }
    Next::ExportAt(last + timing.every)
}

/// What one run came to.
#[derive(Debug)]
pub enum RunOutcome {
    Exported(ExportReport),
    Failed(AppError),
}

/// Records a run's outcome at `now`. Pure.
pub fn remember(memory: &mut Memory, outcome: &RunOutcome, now: DateTime<Utc>) {
    memory.last_run = Some(now);
    memory.offline = matches!(outcome, RunOutcome::Failed(e) if e.action() == Action::CheckNetwork);
    match outcome {
        RunOutcome::Exported(_) => {
            memory.failures = 0;
            memory.failing_since = None;
            memory.told_failing = false;
            memory.waiting_for_user = false;
        }
        RunOutcome::Failed(e) => match e.who() {
            Who::User => {
                memory.waiting_for_user = true;
                memory.failures = 0;
                memory.failing_since = None;
                memory.told_failing = false;
            }
            // IT must act: try again at the normal pace, no alarm from
            // here (the status and its notification say what IT must do).
            Who::Admin => {
                memory.failures = 0;
                memory.failing_since = None;
                memory.told_failing = false;
            }
            Who::Nobody => {
                memory.failures += 1;
                memory.failing_since.get_or_insert(now);
            }
        },
    }
}

/// A notification for the desktop: only for trouble the user should know
/// about, each once. Data: the front end renders it in the user's
/// language (`title` is short, `message` is a headline with a `.body`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Notification {
    /// Stable, e.g. `problem:reauth.password_changed` or `repeated_failure:…`;
    /// a front end replaces a shown notification with the same key.
    pub key: String,
    pub who: Who,
    pub title: Message,
    pub message: Message,
    /// The fix; a button where the platform has notification actions.
    pub action: Action,
}

/// The slot a notification with `key` takes on screen: a new notification
/// replaces the one shown in its slot. The export's state (a problem to
/// act on, failures that persist, back in step) is one slot, so "back in
/// step" replaces "export keeps failing"; each kind of warning has its
/// own (`client_secret_expiring:14` replaces `…:30`), so a warning never
/// hides a sign-in that is needed, nor the other way round.
pub fn notification_slot(key: &str) -> &str {
    match key.split(':').next().unwrap_or(key) {
        "problem" | "repeated_failure" | "back_in_step" => "export",
        kind => kind,
    }
}

/// The notifications a status wants shown ([`Status::notify`]), the
/// problem's first.
pub fn notifications_for(status: &Status) -> Vec<Notification> {
    status
        .notify
        .iter()
        .filter_map(|key| notification_for(status, key))
        .collect()
}

/// The notification `key` of `status` stands for.
fn notification_for(status: &Status, key: &str) -> Option<Notification> {
    let key = key.to_string();
    if let Some(p) = status
        .problem
        .as_ref()
        .filter(|_| key.starts_with("problem:"))
    {
        let title = match p.who {
            Who::Admin => "notify-admin-must-act",
            _ => "notify-sign-in-again",
        };
        return Some(Notification {
            key,
            who: p.who,
            title: Message::new(title),
            message: p.message.clone(),
            action: p.action.clone(),
        });
    }
    let warning = status
        .warnings
        .iter()
        .find(|w| w.notification_key() == key)?;
    Some(Notification {
        key,
        who: warning.action().who(),
        title: Message::new("notify-act-soon"),
        message: warning.message(),
        action: warning.action(),
    })
}

/// The notification for `failures` temporary failures in a row since
/// `since` ([`tell_failing`] says when).
pub fn repeated_failure(error: &AppError, failures: u32, since: DateTime<Utc>) -> Notification {
    Notification {
        key: format!("repeated_failure:{}", since.timestamp()),
        who: error.who(),
        title: Message::new("notify-export-failing"),
        message: Message::new("notify-export-failing-detail")
            .number("times", failures)
            .time("since", since, docket_text::TimeStyle::DateTime)
            .message("reason", error.message()),
        action: error.action(),
    }
}

/// What the loop needs done. [`App`] is the real one.
#[allow(async_fn_in_trait)]
pub trait Worker {
    /// One export with `options` (what the user asked for this run:
    /// deletions the brake held back let through, paused items tried now);
    /// `progress` is told how far its writes are.
    async fn export(
        &self,
        now: DateTime<Utc>,
        options: ExportOptions,
        progress: crate::executor::OnProgress<'_>,
    ) -> Result<ExportReport, AppError>;
    /// Refresh the sign-in now (keep-alive when no export refreshed it).
    async fn refresh(&self, now: DateTime<Utc>) -> Result<(), AppError>;
    fn status(&self, now: DateTime<Utc>) -> Result<Status, AppError>;
    /// Remember `keys` as the notifications shown (and standing).
    fn mark_notified(&self, keys: &[String]) -> Result<(), AppError>;
    /// Whether Microsoft answers again (asked only while offline).
    async fn reachable(&self) -> bool;
}

impl Worker for App {
    async fn export(
        &self,
        now: DateTime<Utc>,
        options: ExportOptions,
        progress: crate::executor::OnProgress<'_>,
    ) -> Result<ExportReport, AppError> {
        App::export_with_progress(self, options, now, progress).await
    }

    async fn refresh(&self, now: DateTime<Utc>) -> Result<(), AppError> {
        self.check(now).await.map(drop)
    }

    fn status(&self, now: DateTime<Utc>) -> Result<Status, AppError> {
        App::status(self, now)
    }

    fn mark_notified(&self, keys: &[String]) -> Result<(), AppError> {
        App::mark_notified(self, keys)
    }

    /// Any HTTP answer from Graph's host, through the app's own client
    /// (its proxy and extra CA), counts: the network is back.
    async fn reachable(&self) -> bool {
        self.auth
            .http
            .head(&self.config().microsoft.graph_base_url)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .is_ok()
    }
}

/// Told what happens, to show it (tray icon, log, terminal).
pub trait Observer: Send + Sync {
    /// A run starts.
    fn started(&self, _now: DateTime<Utc>) {}
    /// How far the running export's writes are (a few times a run, see
    /// [`crate::executor::PROGRESS_EVERY`]).
    fn progress(&self, _progress: crate::executor::Progress) {}
    /// A run ended.
    fn ran(&self, outcome: &RunOutcome, memory: &Memory);
    /// Nothing runs until `next` (or, when paused, until resumed).
    fn waiting(&self, _next: Next, _paused: bool, _memory: &Memory) {}
    /// Trouble the user should know about (each key once).
    fn notify(&self, notification: &Notification);
}

/// The time: the wall clock in production; tests use tokio's paused clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// `Utc::now`.
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Wall time that moves with tokio's clock (paused in tests).
pub struct TokioClock {
    start: DateTime<Utc>,
    at: tokio::time::Instant,
}

impl TokioClock {
    pub fn starting_at(start: DateTime<Utc>) -> TokioClock {
        TokioClock {
            start,
            at: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.at;
        self.start + Duration::from_std(elapsed).unwrap_or(Duration::zero())
    }
}

/// The loop's levers, shared with the front end: "export now" (also after a
/// new sign-in), pause and resume, and stop.
#[derive(Clone)]
pub struct Control {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    paused: watch::Sender<bool>,
    /// A new [`Timing`] (the user changed the interval).
    timing: watch::Sender<Option<Timing>>,
    /// What the user asked of the next run (taken when it starts).
    asked: Arc<std::sync::Mutex<ExportOptions>>,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            wake: Arc::new(Notify::new()),
            stop: watch::channel(false).0,
            paused: watch::channel(false).0,
            timing: watch::channel(None).0,
            asked: Arc::default(),
        }
    }
}

impl Control {
    /// Run now: the user asked, or has just signed in again.
    pub fn export_now(&self) {
        self.wake.notify_one();
    }

    /// Run now, letting through the deletions the brake held back (the
    /// user confirmed them).
    pub fn allow_deletions(&self) {
        self.ask(|o| o.force = true);
    }

    /// Run now, trying the items that keep failing without waiting out
    /// their pause.
    pub fn retry_held_back(&self) {
        self.ask(|o| o.retry_now = true);
    }

    fn ask(&self, f: impl FnOnce(&mut ExportOptions)) {
        f(&mut self.asked.lock().unwrap_or_else(|e| e.into_inner()));
        self.wake.notify_one();
    }

    /// The options for the run that starts now; the next asks afresh.
    fn take_asked(&self) -> ExportOptions {
        std::mem::take(&mut *self.asked.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// End the loop now: a running export is abandoned at its next
    /// `.await` (the executor's crash safety covers that: every answer is
    /// recorded as it arrives, a create is an intent before it is sent).
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// No new run starts until [`Control::resume`] (a running one ends
    /// normally).
    pub fn pause(&self) {
        self.paused.send_replace(true);
    }

    /// Runs start again; the next one at once if it is due.
    pub fn resume(&self) {
        self.paused.send_replace(false);
        self.wake.notify_one();
    }

    /// Plan with `timing` from now on (the next run is due by the new
    /// interval, counted from the last run); starts no export by itself.
    pub fn retime(&self, timing: Timing) {
        self.timing.send_replace(Some(timing));
    }

    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }
}

/// The longest single sleep: a computer that slept through a run time
/// notices within this much after it wakes (monotonic timers stand still
/// while it sleeps; the wall clock does not).
const MAX_NAP: std::time::Duration = std::time::Duration::from_secs(60);

/// While offline: how often the loop looks whether the network is back.
pub const PROBE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Whether the computer slept during a nap: the wall clock moved `wall`
/// while the monotonic timer counted `napped` (it stands still in sleep),
/// with two minutes' slack for a clock that was set. Pure.
pub fn slept(wall: Duration, napped: std::time::Duration) -> bool {
    let napped = Duration::from_std(napped).unwrap_or(Duration::MAX);
    wall > napped
        .checked_add(&Duration::minutes(2))
        .unwrap_or(Duration::MAX)
}

/// Runs until [`Control::stop`].
pub async fn run<W: Worker>(
    worker: &W,
    mut timing: Timing,
    clock: &dyn Clock,
    observer: &dyn Observer,
    control: &Control,
) {
    let mut memory = Memory::default();
    // While offline: whether a look since the last run found Microsoft
    // unreachable (only then is a later answer "the network is back"),
    // and whether to look at all (not when the first look got an answer:
    // the failure was not the network's).
    let mut unreachable_seen = false;
    let mut probing = true;
    let mut stop = control.stop.subscribe();
    let mut paused = control.paused.subscribe();
    let mut retimed = control.timing.subscribe();
    loop {
        if *stop.borrow() {
            return;
        }
        if let Some(t) = *retimed.borrow_and_update() {
            timing = t;
        }
        let now = clock.now();
        let planned = next(&memory, &timing, now);
        if *paused.borrow_and_update() {
            observer.waiting(planned, true, &memory);
            tokio::select! {
                _ = paused.changed() => {}
                _ = stop.changed() => return,
            }
            continue;
        }
        let (at, look_only) = match planned {
            Next::ExportAt(t) => (t, false),
            Next::LookAt(t) => (t, true),
        };
        let mut woken = false;
        if at > now {
            observer.waiting(planned, false, &memory);
            let mut nap = (at - now).to_std().unwrap_or_default().min(MAX_NAP);
            if memory.offline {
                nap = nap.min(PROBE_EVERY);
            }
            tokio::select! {
                _ = tokio::time::sleep(nap) => {}
                _ = control.wake.notified() => woken = true,
                _ = paused.changed() => continue,
                _ = retimed.changed() => continue,
                _ = stop.changed() => return,
            }
            let early = !woken
                && if slept(clock.now() - now, nap) {
                    tracing::info!("the computer woke up: looking now");
                    true
                } else if memory.offline && probing && clock.now() < at {
                    let answers = worker.reachable().await;
                    let back = answers && unreachable_seen;
                    if back {
                        tracing::info!("Microsoft answers again: exporting now");
                    }
                    unreachable_seen |= !answers;
                    probing = !answers || back;
                    back
                } else {
                    false
                };
            if !woken && !early && clock.now() < at {
                continue;
            }
        }
        if *paused.borrow() {
            continue;
        }
        let now = clock.now();
        if look_only && !woken {
            // Did the user sign in again elsewhere (the CLI)?
            match worker.status(now) {
                Ok(s) if s.state == SignInState::Ok => memory.waiting_for_user = false,
                _ => {
                    memory.last_run = Some(now);
                    continue;
                }
            }
        }
        observer.started(now);
        let progress = |p| observer.progress(p);
        // Stop does not wait for a long export: the run is dropped at its
        // next `.await`, which loses nothing (see `Control::stop`).
        let outcome = tokio::select! {
            r = worker.export(now, control.take_asked(), &progress) => match r {
                Ok(report) => RunOutcome::Exported(report),
                Err(e) => RunOutcome::Failed(e),
            },
            _ = stop.changed() => return,
        };
        let now = clock.now();
        remember(&mut memory, &outcome, now);
        unreachable_seen = false;
        probing = true;
        observer.ran(&outcome, &memory);
        if let RunOutcome::Failed(e) = &outcome {
            tracing::warn!(
                code = e.code(),
                failures = memory.failures,
                "export run failed"
            );
            if tell_failing(&memory, now) {
                memory.told_failing = true;
                let since = memory.failing_since.unwrap_or(now);
                observer.notify(&repeated_failure(e, memory.failures, since));
            }
        }
        after_run(worker, &timing, observer, &outcome, now).await;
    }
}

/// Keep the sign-in alive when exports did not, and raise the status's
/// notification (once).
async fn after_run<W: Worker>(
    worker: &W,
    timing: &Timing,
    observer: &dyn Observer,
    outcome: &RunOutcome,
    now: DateTime<Utc>,
) {
    let Ok(status) = worker.status(now) else {
        return;
    };
    let stale = status
        .last_good_refresh_at
        .or(status.signed_in_at)
        .is_some_and(|t| now - t >= timing.keep_alive);
    let status = if stale && matches!(outcome, RunOutcome::Failed(e) if e.who() != Who::User) {
        let _ = worker.refresh(now).await;
        match worker.status(now) {
            Ok(s) => s,
            Err(_) => return,
        }
    } else {
        status
    };
    for n in notifications_for(&status) {
        observer.notify(&n);
    }
    if let Some(keys) = &status.remember_notified {
        if let Err(e) = worker.mark_notified(keys) {
            tracing::warn!(code = e.code(), "cannot remember the shown notifications");
        }
    }
}

#[cfg(test)]
mod tests;

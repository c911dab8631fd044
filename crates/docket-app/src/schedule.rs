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
//! | failed for a temporary reason (network, Graph, a lock) | 1, 2, 4, 8 … minutes later, never later than `every`; after 3 in a row a notification |
//! | needs the user (sign in again) | waits: woken by a new sign-in or "sync now"; the status is looked at every `every` in case the user signed in elsewhere (the CLI) |
//! | needs IT (consent, secret, configuration) | `every` later (IT may have fixed it meanwhile) |

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{watch, Notify};

use crate::status::{State, Status};
use crate::sync::{SyncOptions, SyncReport};
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
}

/// What the loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Export at this time (now or in the past: at once).
    SyncAt(DateTime<Utc>),
    /// Waiting for the user; look at the status again at this time.
    LookAt(DateTime<Utc>),
}

/// Temporary failures in a row before the user is told.
pub const NOTIFY_AFTER_FAILURES: u32 = 3;

/// The pause after `failures` temporary failures in a row: 1, 2, 4, 8 …
/// minutes, never longer than `every`.
pub fn backoff(failures: u32, every: Duration) -> Duration {
    let minutes = 1i64 << failures.saturating_sub(1).min(20);
    Duration::minutes(minutes).min(every)
}

/// When to act next. Pure.
pub fn next(memory: &Memory, timing: &Timing, now: DateTime<Utc>) -> Next {
    let Some(last) = memory.last_run else {
        return Next::SyncAt(now);
    };
    if memory.waiting_for_user {
        return Next::LookAt(last + timing.every);
    }
    if memory.failures > 0 {
        return Next::SyncAt(last + backoff(memory.failures, timing.every));
    }
    Next::SyncAt(last + timing.every)
}

/// What one run came to.
#[derive(Debug)]
pub enum Outcome {
    Exported(SyncReport),
    Failed(AppError),
}

/// Records a run's outcome at `now`. Pure.
pub fn remember(memory: &mut Memory, outcome: &Outcome, now: DateTime<Utc>) {
    memory.last_run = Some(now);
    match outcome {
        Outcome::Exported(_) => {
            memory.failures = 0;
            memory.failing_since = None;
            memory.waiting_for_user = false;
        }
        Outcome::Failed(e) => match e.who() {
            Who::User => {
                memory.waiting_for_user = true;
                memory.failures = 0;
                memory.failing_since = None;
            }
            // IT must act: try again at the normal pace, no alarm from
            // here (the status and its notification say what IT must do).
            Who::Admin => {
                memory.failures = 0;
                memory.failing_since = None;
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

/// The notification for a status that wants one ([`Status::notify`]).
pub fn notification_for(status: &Status) -> Option<Notification> {
    let key = status.notify.clone()?;
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

/// The notification after [`NOTIFY_AFTER_FAILURES`] temporary failures.
pub fn repeated_failure(error: &AppError, since: DateTime<Utc>) -> Notification {
    Notification {
        key: format!("repeated_failure:{}", since.timestamp()),
        who: error.who(),
        title: Message::new("notify-export-failing"),
        message: Message::new("notify-export-failing-detail")
            .number("times", NOTIFY_AFTER_FAILURES)
            .time("since", since, docket_text::TimeStyle::DateTime)
            .message("reason", error.message()),
        action: error.action(),
    }
}

/// What the loop needs done. [`App`] is the real one.
#[allow(async_fn_in_trait)]
pub trait Worker {
    /// One export; `progress` is told how far its writes are.
    async fn sync(
        &self,
        now: DateTime<Utc>,
        progress: crate::sync::OnProgress<'_>,
    ) -> Result<SyncReport, AppError>;
    /// Refresh the sign-in now (keep-alive when no export refreshed it).
    async fn refresh(&self, now: DateTime<Utc>) -> Result<(), AppError>;
    fn status(&self, now: DateTime<Utc>) -> Result<Status, AppError>;
    fn mark_notified(&self, key: &str) -> Result<(), AppError>;
}

impl Worker for App {
    async fn sync(
        &self,
        now: DateTime<Utc>,
        progress: crate::sync::OnProgress<'_>,
    ) -> Result<SyncReport, AppError> {
        App::sync_with_progress(self, SyncOptions::default(), now, progress).await
    }

    async fn refresh(&self, now: DateTime<Utc>) -> Result<(), AppError> {
        self.check(now).await.map(drop)
    }

    fn status(&self, now: DateTime<Utc>) -> Result<Status, AppError> {
        App::status(self, now)
    }

    fn mark_notified(&self, key: &str) -> Result<(), AppError> {
        App::mark_notified(self, key)
    }
}

/// Told what happens, to show it (tray icon, log, terminal).
pub trait Observer: Send + Sync {
    /// A run starts.
    fn started(&self, _now: DateTime<Utc>) {}
    /// How far the running export's writes are (a few times a run, see
    /// [`crate::sync::PROGRESS_EVERY`]).
    fn progress(&self, _progress: crate::sync::Progress) {}
    /// A run ended.
    fn ran(&self, outcome: &Outcome, memory: &Memory);
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

/// The loop's levers, shared with the front end: "sync now" (also after a
/// new sign-in), pause and resume, and stop.
#[derive(Clone)]
pub struct Control {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    paused: watch::Sender<bool>,
    /// A new [`Timing`] (the user changed the interval).
    timing: watch::Sender<Option<Timing>>,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            wake: Arc::new(Notify::new()),
            stop: watch::channel(false).0,
            paused: watch::channel(false).0,
            timing: watch::channel(None).0,
        }
    }
}

impl Control {
    /// Run now: the user asked, or has just signed in again.
    pub fn sync_now(&self) {
        self.wake.notify_one();
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

/// Runs until [`Control::stop`].
pub async fn run<W: Worker>(
    worker: &W,
    mut timing: Timing,
    clock: &dyn Clock,
    observer: &dyn Observer,
    control: &Control,
) {
    let mut memory = Memory::default();
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
            Next::SyncAt(t) => (t, false),
            Next::LookAt(t) => (t, true),
        };
        let mut woken = false;
        if at > now {
            observer.waiting(planned, false, &memory);
            let nap = (at - now).to_std().unwrap_or_default().min(MAX_NAP);
            tokio::select! {
                _ = tokio::time::sleep(nap) => {}
                _ = control.wake.notified() => woken = true,
                _ = paused.changed() => continue,
                _ = retimed.changed() => continue,
                _ = stop.changed() => return,
            }
            if !woken && clock.now() < at {
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
                Ok(s) if s.state == State::Ok => memory.waiting_for_user = false,
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
            r = worker.sync(now, &progress) => match r {
                Ok(report) => Outcome::Exported(report),
                Err(e) => Outcome::Failed(e),
            },
            _ = stop.changed() => return,
        };
        let now = clock.now();
        remember(&mut memory, &outcome, now);
        observer.ran(&outcome, &memory);
        if let Outcome::Failed(e) = &outcome {
            tracing::warn!(
                code = e.code(),
                failures = memory.failures,
                "export run failed"
            );
            if memory.failures == NOTIFY_AFTER_FAILURES {
                let since = memory.failing_since.unwrap_or(now);
                observer.notify(&repeated_failure(e, since));
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
    outcome: &Outcome,
    now: DateTime<Utc>,
) {
    let Ok(status) = worker.status(now) else {
        return;
    };
    let stale = status
        .last_good_refresh_at
        .or(status.signed_in_at)
        .is_some_and(|t| now - t >= timing.keep_alive);
    let status = if stale && matches!(outcome, Outcome::Failed(e) if e.who() != Who::User) {
        let _ = worker.refresh(now).await;
        match worker.status(now) {
            Ok(s) => s,
            Err(_) => return,
        }
    } else {
        status
    };
    if let Some(n) = notification_for(&status) {
        observer.notify(&n);
        if let Err(e) = worker.mark_notified(&n.key) {
            tracing::warn!(code = e.code(), "cannot remember a shown notification");
        }
    }
}

#[cfg(test)]
mod tests;

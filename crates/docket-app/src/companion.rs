//! The running companion: the background export loop with its state
//! published for any front end, and the levers a front end pulls.
//!
//! A front end (the tray, `docketsync run`) starts one [`Companion`] and
//! then only reads and asks:
//!
//! - [`Companion::watch`]: the latest [`Snapshot`] on a `watch` channel
//!   (the tray re-renders its icon and menu from it);
//! - [`Companion::events`]: [`Event`]s on a `broadcast` channel (run
//!   started / progress / finished, problem raised / cleared, a
//!   notification due, sign-in started / finished), `Serialize + Clone`;
//! - control: [`Companion::export_now`], [`Companion::pause`] /
//!   [`Companion::resume`] (persisted across restarts),
//!   [`Companion::sign_in`] / [`Companion::cancel_sign_in`],
//!   [`Companion::set_setting`], [`Companion::stop`] (prompt, even in
//!   the middle of an export).
//!
//! The loop is `schedule::run`; this module only keeps the view of it.
//! The recent runs are the ones the state database keeps (every process's
//! runs, also after a restart); the loop's next planned export is kept
//! there too ([`NEXT_RUN`]) while it waits for it, so that a process
//! without a loop (the CLI's status) can show it with the time it was
//! planned. It is dropped when the loop starts the run, pauses, waits for
//! the user or stops; a loop that ended without stopping (killed) leaves
//! it, and a reader ignores it shortly after its time
//! ([`snapshot::still_planned`]).
//! For a file or folder source a watcher (`notify`, debounced) asks for a
//! run when the PMS export changes.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use docket_auth::Browser;
use docket_text::{Lang, Texts};
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use crate::schedule::{self, Clock, Control, Memory, Next, Notification, Observer, RunOutcome};
use crate::settings::UserSetting;
use crate::snapshot::{
    self, ActionView, Activity, InStep, PlannedRun, ProblemView, RunView, Snapshot, TrayState,
};
use crate::status::LastExport;
use crate::{App, AppError};

/// The `export_meta` name that remembers a pause across restarts.
const PAUSED: &str = "paused";

/// The `export_meta` name of the loop's next planned export (a
/// [`PlannedRun`] as JSON, `null` or absent: none).
pub(crate) const NEXT_RUN: &str = "loop.next_run";

/// A notification, rendered for the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationView {
    /// Stable per condition.
    pub key: String,
    /// A front end shows one notification per slot: a new one replaces
    /// the one shown in its slot instead of stacking
    /// ([`crate::schedule::notification_slot`]).
    pub slot: String,
    pub title: String,
    pub body: String,
    pub action: ActionView,
}

/// What happened, for a front end that reacts (notifications, a log view).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        at: DateTime<Utc>,
    },
    RunFinished {
        run: Box<RunView>,
    },
    ProblemRaised {
        problem: ProblemView,
    },
    ProblemCleared {
        code: String,
    },
    NotificationDue {
        notification: NotificationView,
    },
    /// The browser was asked to open this address (the window can offer
    /// it as a link if no browser appeared).
    SignInStarted {
        url: String,
    },
    SignInFinished {
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        problem: Option<ProblemView>,
    },
    /// How far the running export's writes are: `done` of `total` items
    /// (a few times a run: per run of `executor::PROGRESS_EVERY` items).
    Progress {
        done: usize,
        total: usize,
    },
}

/// How to start.
pub struct StartOptions {
    pub clock: Arc<dyn Clock>,
    /// Opens the sign-in page (the system browser in production).
    pub browser: Arc<dyn Browser>,
    /// Watch a file or folder source for changes (default on).
    pub watch_source: bool,
    /// The language; `None`: the user's setting, else the system's.
    pub lang: Option<Lang>,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions {
            clock: Arc::new(schedule::WallClock),
            browser: Arc::new(docket_auth::SystemBrowser),
            watch_source: true,
            lang: None,
        }
    }
}

/// The view the loop keeps of itself.
struct View {
    activity: Activity,
    /// The most recent first.
    runs: Vec<LastExport>,
    /// Another process's plan ([`App::snapshot`] only; a loop knows its
    /// own from its activity).
    planned: Option<PlannedRun>,
    in_step: InStep,
    signing_in: bool,
    /// A problem notification was shown and the problem is not over yet:
    /// when it is, "back in step" is due.
    trouble_notified: bool,
}

struct Inner {
    app: Arc<App>,
    control: Control,
    clock: Arc<dyn Clock>,
    browser: Arc<dyn Browser>,
    texts: Mutex<Arc<Texts>>,
    view: Mutex<View>,
    snapshot: watch::Sender<Snapshot>,
    events: broadcast::Sender<Event>,
    cancel_sign_in: Mutex<Option<watch::Sender<bool>>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The runtime the companion was started on: its controls spawn there,
    /// so a front end may call them from any thread (a GUI's main thread
    /// has no tokio runtime of its own).
    runtime: tokio::runtime::Handle,
    _watcher: Mutex<Option<crate::source_watch::SourceWatch>>,
}

/// The running companion. Cheap to clone; all clones are the same one.
#[derive(Clone)]
pub struct Companion {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Companion {
    /// Start the loop on the current tokio runtime (it must be called
    /// within one). The controls may then be called from any thread.
    pub fn start(app: App, options: StartOptions) -> Companion {
        // The sign-in keeps time on the loop's clock.
        app.use_clock(options.clock.clone());
        let app = Arc::new(app);
        let lang = options
            .lang
            .unwrap_or_else(|| Lang::choose(app.config().app.language.as_deref()));
        let texts = Arc::new(Texts::new(lang));
        let control = Control::default();
        if app.meta(PAUSED).as_deref() == Some("1") {
            control.pause();
        }
        // A plan left by a loop that did not stop (killed) is not this one's.
        app.plan_next_run(None);
        let view = View {
            activity: if control.is_paused() {
                Activity::Paused
            } else {
                Activity::Starting
            },
            runs: app.recent_runs(),
            planned: None,
            in_step: app.in_step().unwrap_or_default(),
            signing_in: false,
            trouble_notified: false,
        };
        let now = options.clock.now();
        let first = build(&app, &view, &texts, now).unwrap_or_else(|e| {
            tracing::warn!(code = e.code(), "the first snapshot could not be made");
            empty_snapshot(&app, &texts, now)
        });
        let inner = Arc::new(Inner {
            app,
            control,
            clock: options.clock,
            browser: options.browser,
            texts: Mutex::new(texts),
            view: Mutex::new(view),
            snapshot: watch::channel(first).0,
            events: broadcast::channel(64).0,
            cancel_sign_in: Mutex::new(None),
            task: Mutex::new(None),
            runtime: tokio::runtime::Handle::current(),
            _watcher: Mutex::new(None),
        });
        let companion = Companion { inner };
        if options.watch_source {
            if let Some(path) = companion.inner.app.watched_source() {
                let control = companion.inner.control.clone();
                match crate::source_watch::SourceWatch::start(&path, move || control.export_now()) {
                    Ok(w) => *lock(&companion.inner._watcher) = Some(w),
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "cannot watch the source")
                    }
                }
            }
        }
        let inner = companion.inner.clone();
        let task = tokio::spawn(async move {
            let timing = schedule::Timing::from_config(&inner.app.config());
            let observer = Watcher(inner.clone());
            schedule::run(
                &*inner.app,
                timing,
                inner.clock.as_ref(),
                &observer,
                &inner.control,
            )
            .await;
        });
        *lock(&companion.inner.task) = Some(task);
        companion
    }

    pub fn snapshot(&self) -> Snapshot {
        self.inner.snapshot.borrow().clone()
    }

    pub fn watch(&self) -> watch::Receiver<Snapshot> {
        self.inner.snapshot.subscribe()
    }

    pub fn events(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// The app (paths, config) for front ends that show them.
    pub fn app(&self) -> &App {
        &self.inner.app
    }

    /// Export now (the menu's "Export now", a network that came back, a
    /// computer that woke up).
    pub fn export_now(&self) {
        self.inner.control.export_now();
    }

    /// Export now and let through the deletions the brake held back (the
    /// fix [`docket_text::Action::AllowDeletions`]).
    pub fn allow_deletions(&self) {
        self.inner.control.allow_deletions();
    }

    /// Export now and try the items that keep failing without waiting out
    /// their pause (the fix [`docket_text::Action::RetryHeldBack`]).
    pub fn retry_held_back(&self) {
        self.inner.control.retry_held_back();
    }

    /// Stop exporting until resumed, also after a restart.
    pub fn pause(&self) {
        self.inner.app.set_meta(PAUSED, "1");
        self.inner.app.plan_next_run(None);
        self.inner.control.pause();
        lock(&self.inner.view).activity = Activity::Paused;
        self.inner.publish();
    }

    pub fn resume(&self) {
        self.inner.app.set_meta(PAUSED, "0");
        lock(&self.inner.view).activity = Activity::Starting;
        self.inner.control.resume();
        self.inner.publish();
    }

    /// Sign in in the browser, in the background: the snapshot says
    /// `signing_in` meanwhile, [`Event::SignInFinished`] says how it
    /// ended, and a good sign-in starts an export at once. A second call
    /// while one is waiting does nothing.
    pub fn sign_in(&self) {
        let (tx, mut rx) = watch::channel(false);
        {
            let mut slot = lock(&self.inner.cancel_sign_in);
            if slot.is_some() {
                return;
            }
            *slot = Some(tx);
        }
        lock(&self.inner.view).signing_in = true;
        self.inner.publish();
        let inner = self.inner.clone();
        self.inner.runtime.spawn(async move {
            let events = inner.events.clone();
            let result = inner
                .app
                .sign_in_cancellable(
                    inner.browser.as_ref(),
                    |url| {
                        let _ = events.send(Event::SignInStarted {
                            url: url.to_string(),
                        });
                    },
                    async move {
                        let _ = rx.wait_for(|c| *c).await;
                    },
                )
                .await;
            *lock(&inner.cancel_sign_in) = None;
            lock(&inner.view).signing_in = false;
            let problem = match &result {
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(code = e.code(), "sign-in did not complete");
                    let texts = inner.texts();
                    Some(snapshot::problem_view(&texts, &e.describe(), None))
                }
            };
            let _ = inner.events.send(Event::SignInFinished {
                ok: result.is_ok(),
                problem,
            });
            inner.publish();
            if result.is_ok() {
                inner.control.export_now();
            }
        });
    }

    /// Cancel a sign-in that waits for the browser.
    pub fn cancel_sign_in(&self) {
        if let Some(tx) = lock(&self.inner.cancel_sign_in).as_ref() {
            tx.send_replace(true);
        }
    }

    /// Change one of the user's settings (within what the firm allows).
    /// It applies without a restart: the language at once, the modules at
    /// the next export, the interval to the next run time.
    pub fn set_setting(&self, setting: &UserSetting) -> Result<(), AppError> {
        let config = self.inner.app.write_setting(setting)?;
        if let UserSetting::Language(lang) = setting {
            let lang = Lang::choose(lang.as_deref());
            *lock(&self.inner.texts) = Arc::new(Texts::new(lang));
        }
        self.inner.app.note_config(config);
        self.inner
            .control
            .retime(schedule::Timing::from_config(&self.inner.app.config()));
        self.inner.publish();
        Ok(())
    }

    /// Stop the loop now (a running export is abandoned, losing nothing)
    /// and wait for it to end.
    pub async fn stop(&self) {
        self.cancel_sign_in();
        self.inner.control.stop();
        let task = lock(&self.inner.task).take();
        if let Some(task) = task {
            let _ = task.await;
        }
        // No loop will keep the plan.
        self.inner.app.plan_next_run(None);
        *lock(&self.inner._watcher) = None;
    }
}

impl Inner {
    fn texts(&self) -> Arc<Texts> {
        lock(&self.texts).clone()
    }

    /// Make and publish a new snapshot; raise events for problems that
    /// appeared or went away. Returns the old and new tray state.
    fn publish(&self) -> Option<(TrayState, TrayState)> {
        let texts = self.texts();
        let now = self.clock.now();
        let new = {
            let view = lock(&self.view);
            match build(&self.app, &view, &texts, now) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(code = e.code(), "cannot make the status snapshot");
                    return None;
                }
            }
        };
        let old = self.snapshot.send_replace(new.clone());
        for p in new
            .problems
            .iter()
            .filter(|p| !old.problems.iter().any(|o| o.code == p.code))
        {
            let _ = self
                .events
                .send(Event::ProblemRaised { problem: p.clone() });
        }
        for o in old
            .problems
            .iter()
            .filter(|o| !new.problems.iter().any(|p| p.code == o.code))
        {
            let _ = self.events.send(Event::ProblemCleared {
                code: o.code.clone(),
            });
        }
        Some((old.tray, new.tray))
    }

    fn notify(&self, n: &Notification) {
        let texts = self.texts();
        let head = texts.render(&n.message);
        let body = match texts.attr(&n.message, "body") {
            Some(b) if !b.is_empty() => format!("{head}. {b}"),
            _ => head,
        };
        let view = NotificationView {
            key: n.key.clone(),
            slot: crate::schedule::notification_slot(&n.key).to_string(),
            title: texts.render(&n.title),
            body,
            action: snapshot::action_view(&texts, &n.action),
        };
        let _ = self
            .events
            .send(Event::NotificationDue { notification: view });
    }
}

/// The loop's observer: keeps the view and publishes.
struct Watcher(Arc<Inner>);

impl Observer for Watcher {
    fn started(&self, now: DateTime<Utc>) {
        self.0.app.plan_next_run(None);
        lock(&self.0.view).activity = Activity::Exporting {
            since: now,
            progress: None,
        };
        let _ = self.0.events.send(Event::RunStarted { at: now });
        self.0.publish();
    }

    fn progress(&self, progress: crate::executor::Progress) {
        {
            let mut view = lock(&self.0.view);
            if let Activity::Exporting { since, .. } = view.activity {
                view.activity = Activity::Exporting {
                    since,
                    progress: Some(progress),
                };
            }
        }
        // The snapshot first: whoever reacts to the event sees it there.
        self.0.publish();
        let _ = self.0.events.send(Event::Progress {
            done: progress.done,
            total: progress.total,
        });
    }

    fn ran(&self, outcome: &RunOutcome, _memory: &Memory) {
        let now = self.0.clock.now();
        let run = match outcome {
            RunOutcome::Exported(r) => crate::last_export_of(Ok(r), now),
            RunOutcome::Failed(e) => crate::last_export_of(Err(e), now),
        };
        {
            // The runs as the state database keeps them: this one (the
            // export remembered it) and any other process ran meanwhile.
            let stored = self.0.app.recent_runs();
            let mut view = lock(&self.0.view);
            if !stored.is_empty() {
                view.runs = stored;
            } else if !matches!(outcome, RunOutcome::Failed(AppError::NotSignedIn)) {
                // The database could not be read (logged): this one at
                // least. Before anyone signed in nothing was tried: not a
                // run to list (the window's first-run section asks for the
                // sign-in).
                view.runs.insert(0, run.clone());
                view.runs.truncate(crate::export::RECENT_RUNS);
            }
            if let Ok(n) = self.0.app.in_step() {
                view.in_step = n;
            }
        }
        let texts = self.0.texts();
        let _ = self.0.events.send(Event::RunFinished {
            run: Box::new(snapshot::run_view(&texts, &run)),
        });
    }

    fn waiting(&self, next: Next, paused: bool, memory: &Memory) {
        let activity = match (paused, next) {
            (true, _) => Activity::Paused,
            (false, Next::LookAt(t)) => Activity::WaitingForUser { next_look: t },
            (false, Next::ExportAt(t)) if memory.failures > 0 => Activity::BackingOff {
                until: t,
                failures: memory.failures,
            },
            (false, Next::ExportAt(t)) => Activity::Idle { next_run: t },
        };
        let changed = {
            let mut view = lock(&self.0.view);
            let changed = view.activity != activity;
            view.activity = activity;
            changed
        };
        if !changed {
            return;
        }
        let now = self.0.clock.now();
        self.0
            .app
            .plan_next_run(activity.planned_run().map(|p| PlannedRun {
                planned_at: Some(now),
                ..p
            }));
        if let Some((old, new)) = self.0.publish() {
            let back = new == TrayState::InStep && old != TrayState::InStep;
            let mut view = lock(&self.0.view);
            if back && view.trouble_notified {
                view.trouble_notified = false;
                drop(view);
                self.0.notify(&Notification {
                    key: "back_in_step".into(),
                    who: docket_text::Who::Nobody,
                    title: docket_text::Message::new("notify-back-in-step"),
                    message: docket_text::Message::new("notify-back-in-step-detail"),
                    action: docket_text::Action::OpenStatus,
                });
            }
        }
    }

    fn notify(&self, n: &Notification) {
        lock(&self.0.view).trouble_notified = true;
        self.0.notify(n);
    }
}

impl App {
    /// Keep the loop's next planned export for other processes (`None`:
    /// none is planned). A failure to write it costs only their view
    /// (logged).
    fn plan_next_run(&self, plan: Option<PlannedRun>) {
        let json = serde_json::to_string(&plan).expect("serializes");
        self.set_meta(NEXT_RUN, &json);
    }

    /// The snapshot without a running loop in this process (the CLI's
    /// `status`): the activity is [`Activity::NotRunning`] (or paused,
    /// when the tray was paused), the runs are the recent ones remembered
    /// (whichever process ran them), the next run is the one a loop in
    /// another process planned, with the time it planned it, while that
    /// can still be true (see the module's header).
    pub fn snapshot(&self, texts: &Texts, now: DateTime<Utc>) -> Result<Snapshot, AppError> {
        let view = View {
            activity: if self.meta(PAUSED).as_deref() == Some("1") {
                Activity::Paused
            } else {
                Activity::NotRunning
            },
            runs: self.recent_runs(),
            planned: self
                .meta(NEXT_RUN)
                .and_then(|json| serde_json::from_str(&json).ok()),
            in_step: self.in_step()?,
            signing_in: false,
            trouble_notified: false,
        };
        build(self, &view, texts, now)
    }
}

fn build(app: &App, view: &View, texts: &Texts, now: DateTime<Utc>) -> Result<Snapshot, AppError> {
    let config = app.config();
    Ok(snapshot::decide(
        snapshot::Input {
            status: app.status(now)?,
            activity: view.activity,
            signing_in: view.signing_in,
            runs: view.runs.clone(),
            in_step: view.in_step,
            modules: (
                config.modules.calendar,
                config.modules.tasks,
                config.modules.contacts,
            ),
            settings: app.settings_view(),
            planned: view.planned,
        },
        texts,
        now,
    ))
}

/// A snapshot when the state cannot be read (the database is broken): the
/// problem is in the log; the tray shows signed out rather than nothing.
fn empty_snapshot(app: &App, texts: &Texts, now: DateTime<Utc>) -> Snapshot {
    let status = crate::status::decide(
        crate::status::Input {
            account: None,
            token: crate::status::TokenState::None,
            keep_alive_every: chrono::Duration::hours(24),
            confidential: None,
            client_secret_stored: false,
            secret_store: crate::status::SecretStoreInfo {
                kind: "keyring",
                location: docket_text::Message::new("secrets-location-unnamed"),
            },
            last_export: None,
        },
        now,
    );
    snapshot::decide(
        snapshot::Input {
            status,
            activity: Activity::Starting,
            signing_in: false,
            runs: vec![],
            in_step: InStep::default(),
            modules: (false, false, false),
            settings: app.settings_view(),
            planned: None,
        },
        texts,
        now,
    )
}

//! The status snapshot: everything a UI shows, as one serializable value.
//!
//! [`decide`] is pure: the sign-in [`Status`], what the loop is doing
//! ([`Activity`]), the modules' counts, recent runs and settings, and
//! `now` go in; a [`Snapshot`] comes out, with its texts rendered in the
//! reader's language next to the stable codes they belong to (a UI shows
//! the texts and switches on the codes, never on the texts).
//! `docketsync status --json` prints it; the tray renders it.
//!
//! The next run is known only where a loop plans it: in its own process
//! (the activity), and in another process (the CLI's status) through the
//! plan that loop keeps in the state database ([`PlannedRun`]), shown
//! with the time it was made and only while it can still be true (see
//! [`still_planned`]); with no loop running, there is no next run.

use chrono::{DateTime, Utc};
use docket_text::{Action, Lang, Message, Texts, TimeStyle, Who};
use serde::{Deserialize, Serialize};

use crate::status::{LastExport, ModuleId, SignInState, Status};
use crate::Described;

/// The tray icon's state: the one thing a glance must tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrayState {
    /// Outlook matches the PMS (as of the last run).
    InStep,
    /// An export is running.
    Exporting,
    /// Signed in, and no export has finished yet: Outlook is not in step
    /// yet, but nothing is wrong and no export may be running (the CLI's
    /// `status` right after `signin`). It said `exporting` then.
    NotExported,
    /// Only the fee-earner can fix it (sign in again).
    NeedsUser,
    /// Only IT can fix it.
    NeedsAdmin,
    /// A temporary failure; Docket Sync tries again by itself.
    Retrying,
    SignedOut,
    Paused,
}

/// What the background loop is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Activity {
    /// No loop in this process (the CLI's `status`).
    NotRunning,
    /// Starting; the first run comes shortly.
    Starting,
    /// Waiting for the next run.
    Idle {
        next_run: DateTime<Utc>,
    },
    Exporting {
        since: DateTime<Utc>,
        /// How far the writes are (`None` until the plan is made).
        #[serde(skip_serializing_if = "Option::is_none")]
        progress: Option<crate::executor::Progress>,
    },
    /// Waiting for the user to sign in again (looks again at `next_look`).
    WaitingForUser {
        next_look: DateTime<Utc>,
    },
    /// After temporary failures: the next try.
    BackingOff {
        until: DateTime<Utc>,
        failures: u32,
    },
    Paused,
}

impl TrayState {
    /// The icon of whoever must act on a problem: the user's, IT's, or
    /// nobody's (it passes by itself).
    pub fn of_who(who: Who) -> TrayState {
        match who {
            Who::User => TrayState::NeedsUser,
            Who::Admin => TrayState::NeedsAdmin,
            Who::Nobody => TrayState::Retrying,
        }
    }
}

impl Activity {
    /// The next export this activity waits for, if it waits for one
    /// (`planned_at`: `None`, the plan of this process's loop).
    pub fn planned_run(&self) -> Option<PlannedRun> {
        let (at, after_failures) = match *self {
            Activity::Idle { next_run } => (next_run, false),
            Activity::BackingOff { until, .. } => (until, true),
            _ => return None,
        };
        Some(PlannedRun {
            at,
            after_failures,
            planned_at: None,
        })
    }
}

/// An action with its words, for a button or an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionView {
    #[serde(flatten)]
    pub action: Action,
    pub label: String,
    /// A front end can do it with one click (else it is an instruction).
    pub invocable: bool,
}

/// A problem or warning as a person reads it, with its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemView {
    pub code: String,
    pub who: Who,
    pub headline: String,
    pub body: String,
    pub action: ActionView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
}

/// One module's row (calendar, tasks, contacts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleRow {
    /// `calendar`, `tasks` or `contacts`.
    pub module: &'static str,
    pub name: String,
    pub enabled: bool,
    /// Items of this module in Outlook that Docket Sync keeps in step.
    pub in_step: usize,
    /// The last run that finished without an error.
    pub last_good_run: Option<DateTime<Utc>>,
    pub next_run: Option<DateTime<Utc>>,
    /// The last run ended well for this module (its green mark): it
    /// finished, and none of this module's items failed or paused.
    pub ok: bool,
    /// What went wrong for this module in the last run (the run stopped,
    /// or some of its items failed or pause), with its code and fix;
    /// `None` when it went well, or the module is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<ProblemView>,
}

/// The next export, as the loop that will run it planned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRun {
    pub at: DateTime<Utc>,
    /// A try again after failures (the loop backs off), not the interval.
    /// Stored as `retry` before 2026-12-03 (the state database may hold it).
    #[serde(alias = "retry")]
    pub after_failures: bool,
    /// When the plan was made, if by a loop in another process (the
    /// tray), read from the state database: its plan as of then. `None`:
    /// this process's own loop, whose plan is current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_at: Option<DateTime<Utc>>,
}

/// How long after its time another process's plan still counts: a loop
/// that is alive starts the run by then (and drops the plan when it
/// starts), so an older plan is one no loop will keep (it stopped without
/// saying so). The same margin as the loop's own `schedule::slept`.
pub const PLAN_GRACE_MINUTES: i64 = 2;

/// Whether another process's stored plan can still be true at `now`. Pure.
pub fn still_planned(plan: &PlannedRun, now: DateTime<Utc>) -> bool {
    plan.at + chrono::Duration::minutes(PLAN_GRACE_MINUTES) >= now
}

/// One finished run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunView {
    #[serde(flatten)]
    pub run: LastExport,
    /// "12 created, 3 updated, 1 deleted" / "nothing to do".
    pub summary: String,
    /// The records the run left out, with the reason, one line each in
    /// the reader's words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<ProblemView>,
}

/// The account as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    pub username: String,
    pub display_name: Option<String>,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub last_good_refresh_at: Option<DateTime<Utc>>,
    pub next_required_sign_in: Option<DateTime<Utc>>,
}

/// Everything a UI shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub at: DateTime<Utc>,
    pub lang: Lang,
    pub tray: TrayState,
    /// The tray's first line / tooltip: "In step · 14:32".
    pub status_line: String,
    /// Who must act now (`None`: nobody, all is well or it heals itself).
    pub who_must_act: Option<Who>,
    pub activity: Activity,
    /// The next export: this process's loop's, or the plan of a loop in
    /// another process (with `planned_at`); `None` when none is planned
    /// (no loop runs, it is paused, exporting or waiting for the user).
    pub next_run: Option<PlannedRun>,
    pub signing_in: bool,
    pub account: Option<AccountView>,
    /// Whether "Export now" can do anything: not before the first sign-in
    /// (there is no mailbox to export to; the click ran an export that
    /// ended "not signed in"). A front end greys the control out.
    pub can_export: bool,
    /// What is wrong now, most important first; each with its fix.
    pub problems: Vec<ProblemView>,
    /// What will need doing soon.
    pub warnings: Vec<ProblemView>,
    pub modules: Vec<ModuleRow>,
    /// The most recent first.
    pub runs: Vec<RunView>,
    pub settings: crate::settings::SettingsView,
    /// The sign-in status as data, for scripts (`docketsync status --json`).
    pub sign_in: Status,
}

/// Counts of items in step, per module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InStep {
    pub calendar: usize,
    pub tasks: usize,
    pub contacts: usize,
}

/// What [`decide`] looks at.
#[derive(Debug, Clone)]
pub struct Input {
    pub status: Status,
    pub activity: Activity,
    pub signing_in: bool,
    /// Most recent first.
    pub runs: Vec<LastExport>,
    pub in_step: InStep,
    pub modules: (bool, bool, bool),
    pub settings: crate::settings::SettingsView,
    /// The plan a loop in another process stored (read only when this
    /// process has none: [`Activity::NotRunning`]).
    pub planned: Option<PlannedRun>,
}

/// The tray state. Pure; the table is tested in `tests::tray_states`.
pub fn tray_state(status: &Status, activity: &Activity, last: Option<&LastExport>) -> TrayState {
    if status.account.is_none() {
        return TrayState::SignedOut;
    }
    match status.state {
        SignInState::SignInRequired => return TrayState::NeedsUser,
        SignInState::AdminActionRequired => return TrayState::NeedsAdmin,
        _ => {}
    }
    match activity {
        Activity::Paused => return TrayState::Paused,
        Activity::Exporting { .. } => return TrayState::Exporting,
        Activity::WaitingForUser { .. } => return TrayState::NeedsUser,
        Activity::BackingOff { .. } => return TrayState::Retrying,
        _ => {}
    }
    if status.state == SignInState::Retrying {
        return TrayState::Retrying;
    }
    // Signed in, and no export has run yet: Outlook is not in step yet.
    // It said "In step" with every module at 0 items, and later
    // "exporting" while none ran.
    if last.is_none() {
        return TrayState::NotExported;
    }
    match last.and_then(|l| l.error.as_ref()).map(|e| e.who) {
        Some(who) => TrayState::of_who(who),
        // Deletions wait for the user: Outlook is not in step until then.
        None if last.is_some_and(|l| l.braked.is_some()) => TrayState::NeedsUser,
        // The PMS export could not be read whole: what it could not give
        // is not in Outlook, and its server or folder is IT's.
        None if last.is_some_and(|l| l.pms_incomplete) => TrayState::NeedsAdmin,
        None => TrayState::InStep,
    }
}

/// Render an action.
pub fn action_view(texts: &Texts, action: &Action) -> ActionView {
    ActionView {
        action: action.clone(),
        label: texts.render(&action.label()),
        invocable: action.invocable(),
    }
}

/// Render a described failure.
pub fn problem_view(texts: &Texts, d: &Described, at: Option<DateTime<Utc>>) -> ProblemView {
    view(texts, &d.code, d.who, &d.message, &d.action, at)
}

fn view(
    texts: &Texts,
    code: &str,
    who: Who,
    message: &Message,
    action: &Action,
    at: Option<DateTime<Utc>>,
) -> ProblemView {
    ProblemView {
        code: code.to_string(),
        who,
        headline: texts.render(message),
        body: texts.attr(message, "body").unwrap_or_default(),
        action: action_view(texts, action),
        at,
    }
}

/// A run as the window lists it.
pub fn run_view(texts: &Texts, run: &LastExport) -> RunView {
    RunView {
        summary: run_summary(texts, run),
        left_out: run.records.iter().map(|m| texts.render(m)).collect(),
        problem: run
            .error
            .as_ref()
            .map(|e| problem_view(texts, e, Some(run.at))),
        run: run.clone(),
    }
}

/// "12 created, 3 updated" in the reader's words.
pub fn run_summary(texts: &Texts, run: &LastExport) -> String {
    if !run.ok {
        return texts.word("run-stopped");
    }
    let parts: Vec<String> = [
        ("run-created", run.created),
        ("run-updated", run.updated),
        ("run-deleted", run.deleted),
        ("run-recreated", run.recreated),
        ("run-failed", run.failed),
        ("run-held-back", run.held_back),
        ("run-skipped", run.skipped),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(id, n)| texts.render(&Message::new(id).number("n", n)))
    .collect();
    if parts.is_empty() {
        texts.word("run-nothing-to-do")
    } else {
        parts.join(", ")
    }
}

/// The snapshot at `now`. Pure.
pub fn decide(input: Input, texts: &Texts, now: DateTime<Utc>) -> Snapshot {
    let status = input.status;
    let last = input.runs.first();
    let tray = tray_state(&status, &input.activity, last);
    let last_good = input.runs.iter().find(|r| r.ok).map(|r| r.at);
    let clock = |at: DateTime<Utc>| {
        let same_day = at.with_timezone(&texts.zone()).date_naive()
            == now.with_timezone(&texts.zone()).date_naive();
        texts.time(
            at,
            if same_day {
                TimeStyle::Clock
            } else {
                TimeStyle::DateTime
            },
        )
    };
    // The user must act, and it is not the sign-in: it is the deletions.
    let braked_only = tray == TrayState::NeedsUser
        && status.state == SignInState::Ok
        && last.is_some_and(|l| l.error.is_none() && l.braked.is_some());
    let status_line = {
        let id = match tray {
            TrayState::InStep => "state-in-step",
            TrayState::Exporting => "state-exporting",
            TrayState::NotExported => "state-not-exported",
            TrayState::NeedsUser if braked_only => "state-deletions-wait",
            TrayState::NeedsUser => "state-needs-user",
            TrayState::NeedsAdmin => "state-needs-admin",
            TrayState::Retrying => "state-retrying",
            TrayState::SignedOut => "state-signed-out",
            TrayState::Paused => "state-paused",
        };
        let state = texts.word(id);
        match last_good.filter(|_| tray != TrayState::SignedOut) {
            Some(at) => texts.render(
                &Message::new("state-line")
                    .text("state", state)
                    .text("time", clock(at)),
            ),
            None => state,
        }
    };
    let mut problems = vec![];
    if let Some(p) = &status.problem {
        problems.push(view(
            texts,
            &p.code,
            p.who,
            &p.message,
            &p.action,
            Some(p.at),
        ));
    }
    if let Some(e) = last.and_then(|l| l.error.as_ref()) {
        if !problems.iter().any(|p| p.code == e.code) {
            problems.push(problem_view(texts, e, last.map(|l| l.at)));
        }
    }
    if let Some(b) = last.and_then(|l| l.braked.as_ref()) {
        problems.push(view(
            texts,
            "export.brake",
            Who::User,
            &b.message,
            &Action::AllowDeletions,
            last.map(|l| l.at),
        ));
    }
    if last.is_some_and(|l| l.error.is_none() && l.pms_incomplete) {
        problems.push(view(
            texts,
            "export.pms_incomplete",
            Who::Admin,
            &Message::new("error-pms-incomplete"),
            &Action::CheckSource,
            last.map(|l| l.at),
        ));
    }
    if status.account.is_none() {
        problems.push(view(
            texts,
            "signin.none",
            Who::User,
            &Message::new("error-signin-none"),
            &Action::SignIn,
            None,
        ));
    }
    let warnings = status
        .warnings
        .iter()
        .map(|w| {
            let code = w.notification_key();
            let action = w.action();
            view(texts, &code, action.who(), &w.message(), &action, None)
        })
        .collect();
    let who_must_act = match tray {
        TrayState::NeedsUser | TrayState::SignedOut => Some(Who::User),
        TrayState::NeedsAdmin => Some(Who::Admin),
        _ => None,
    };
    let next_run = match input.activity {
        Activity::NotRunning => input.planned.filter(|p| still_planned(p, now)),
        activity => activity.planned_run(),
    };
    let row = |id: ModuleId, enabled: bool, in_step: usize| {
        let module = id.as_str();
        let problem = last.filter(|_| enabled).and_then(|l| match &l.error {
            Some(e) => Some(problem_view(texts, e, Some(l.at))),
            None => l
                .module_problems
                .iter()
                .find(|p| p.module == id)
                .map(|p| problem_view(texts, &p.problem, Some(l.at))),
        });
        ModuleRow {
            module,
            name: texts.word(&format!("module-{module}")),
            enabled,
            in_step,
            last_good_run: last_good.filter(|_| enabled),
            next_run: next_run.map(|n| n.at).filter(|_| enabled),
            // A summary from before the per-module problems: its failed
            // items may be any module's.
            ok: enabled
                && last.is_some_and(|l| l.ok && (l.failed == 0 || !l.module_problems.is_empty()))
                && problem.is_none(),
            problem,
        }
    };
    let (cal, tasks, contacts) = input.modules;
    let modules = vec![
        row(ModuleId::Calendar, cal, input.in_step.calendar),
        row(ModuleId::Tasks, tasks, input.in_step.tasks),
        row(ModuleId::Contacts, contacts, input.in_step.contacts),
    ];
    let runs = input.runs.iter().map(|r| run_view(texts, r)).collect();
    let account = status.account.as_ref().map(|a| AccountView {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        signed_in_at: status.signed_in_at,
        last_good_refresh_at: status.last_good_refresh_at,
        next_required_sign_in: status
            .keep_alive
            .as_ref()
            .and_then(|k| k.next_required_sign_in),
    });
    Snapshot {
        at: now,
        lang: texts.lang(),
        tray,
        status_line,
        who_must_act,
        activity: input.activity,
        next_run,
        signing_in: input.signing_in,
        can_export: account.is_some(),
        account,
        problems,
        warnings,
        modules,
        runs,
        settings: input.settings,
        sign_in: status,
    }
}

#[cfg(any(test, feature = "fixtures"))]
#[doc(hidden)]
pub mod fixtures;
#[cfg(test)]
mod tests;

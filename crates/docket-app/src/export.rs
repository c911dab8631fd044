//! One export run of the signed-in account ([`App::export`]): the export
//! lock, the mailbox's claim on the export state, the keep-alive refresh,
//! the executor (`executor`), and what the status remembers of the run; the
//! planner's choices from the configuration.

use chrono::{DateTime, Utc};
use docket_config::Config;
use docket_graph::{GraphClient, Options};

use crate::account::Tokens;
use crate::{executor, export_lock, snapshot, status, App, AppError};

/// The `export_meta` name of the last export's summary.
pub(crate) const LAST_EXPORT: &str = "last_export";

/// The `export_meta` name of the recent runs' summaries: a JSON array of
/// [`status::LastExport`], the most recent first, at most [`RECENT_RUNS`]
/// (in `export_meta` like the last one, so a sign-out or another mailbox's
/// claim drops them with the export state; no schema change). A database
/// from before it has only [`LAST_EXPORT`], which then is the list.
pub(crate) const RECENT: &str = "recent_runs";

/// How many finished runs are remembered (and the snapshot lists).
pub(crate) const RECENT_RUNS: usize = 10;

/// A run's summary as the status keeps it.
pub(crate) fn last_export_of(
    result: Result<&executor::ExportReport, &AppError>,
    now: DateTime<Utc>,
) -> status::LastExport {
    match result {
        Ok(r) => status::LastExport {
            at: now,
            ok: true,
            created: r.created,
            updated: r.updated,
            deleted: r.deleted,
            recreated: r.recreated,
            failed: r.failed.len(),
            held_back: r.held_back.len(),
            skipped: r.skipped.len(),
            error: None,
            records: record_lines(r),
            braked: r.brake.as_ref().map(|b| status::Braked {
                deletions: b.deletions,
                owned: b.owned,
                message: b.message.clone(),
            }),
            module_problems: module_problems(r),
            pms_incomplete: r.pms_incomplete,
        },
        Err(e) => status::LastExport {
            at: now,
            ok: false,
            created: 0,
            updated: 0,
            deleted: 0,
            recreated: 0,
            failed: 0,
            held_back: 0,
            skipped: 0,
            error: Some(e.describe()),
            records: vec![],
            braked: None,
            module_problems: vec![],
            pms_incomplete: false,
        },
    }
}

/// The lines for a run's left-out records: skipped, failed, paused.
fn record_lines(r: &executor::ExportReport) -> Vec<docket_text::Message> {
    use docket_text::Message;
    let skipped = r
        .skipped
        .iter()
        .map(|k| Message::new("sync-report-skipped").message("line", k.line()));
    let failed = r.failed.iter().map(|f| {
        Message::new("sync-report-failed")
            .text("item", f.key.as_str())
            .message("reason", f.reason.clone())
    });
    let paused = r.held_back.iter().map(|h| {
        Message::new("sync-report-paused")
            .text("item", h.key.as_str())
            .message("reason", h.reason.clone())
    });
    skipped
        .chain(failed)
        .chain(paused)
        .take(status::RECORDS_KEPT)
        .collect()
}

/// Per module, what went wrong for it in a finished run: items that pause
/// after repeated failures (`export.items_held_back`: the user may try
/// them now) before items whose request failed this run
/// (`export.items_failed`: tried again next run). The message counts them
/// and names the first one with its reason. Pure.
pub(crate) fn module_problems(r: &executor::ExportReport) -> Vec<status::ModuleProblem> {
    use docket_text::{Action, Message, Who};
    let module = |key: &str| {
        key.parse::<docket_export::SourceKey>()
            .ok()
            .map(|k| status::ModuleId::of(k.module))
    };
    let problem = |code: &str, id: &str, items: &[(&str, &Message)], action: Action| {
        let (item, reason) = items[0];
        crate::Described {
            code: code.into(),
            who: Who::Nobody,
            message: Message::new(id)
                .number("n", items.len())
                .text("item", item)
                .message("reason", reason.clone()),
            action,
            aadsts: None,
        }
    };
    status::ModuleId::ALL
        .into_iter()
        .filter_map(|m| {
            let held: Vec<(&str, &Message)> = r
                .held_back
                .iter()
                .filter(|h| module(&h.key) == Some(m))
                .map(|h| (h.key.as_str(), &h.reason))
                .collect();
            let failed: Vec<(&str, &Message)> = r
                .failed
                .iter()
                .filter(|f| module(&f.key) == Some(m))
                .map(|f| (f.key.as_str(), &f.reason))
                .collect();
            let p = if !held.is_empty() {
                problem(
                    "export.items_held_back",
                    "module-items-held-back",
                    &held,
                    Action::RetryHeldBack,
                )
            } else if !failed.is_empty() {
                problem(
                    "export.items_failed",
                    "module-items-failed",
                    &failed,
                    Action::Wait,
                )
            } else {
                return None;
            };
            Some(status::ModuleProblem {
                module: m,
                problem: p,
            })
        })
        .collect()
}

/// The recent runs as stored, the most recent first (pure): an entry this
/// version cannot read is left out, not the list; without a list, the
/// last export alone (a database from before the list).
pub(crate) fn read_recent(recent: Option<&str>, last: Option<&str>) -> Vec<status::LastExport> {
    let Some(list) = recent.and_then(|j| serde_json::from_str::<Vec<serde_json::Value>>(j).ok())
    else {
        return last
            .and_then(|j| serde_json::from_str(j).ok())
            .into_iter()
            .collect();
    };
    list.into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .take(RECENT_RUNS)
        .collect()
}

/// The stored list with `run` in front (pure; see [`read_recent`]).
pub(crate) fn push_recent(
    recent: Option<&str>,
    last: Option<&str>,
    run: &status::LastExport,
) -> String {
    let mut runs = read_recent(recent, last);
    runs.insert(0, run.clone());
    runs.truncate(RECENT_RUNS);
    serde_json::to_string(&runs).expect("serializes")
}

/// Where the mailbox's time zone came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ZoneOrigin {
    /// `policy.mailbox_time_zone` in the config.
    Config,
    /// The zone of the computer Docket Sync runs on.
    Computer,
    /// Neither was available: UTC.
    Fallback,
}

/// The zone used for floating times, all-day items and date-only due
/// dates, and where it came from. IT's `policy.mailbox_time_zone` wins;
/// otherwise the computer's zone, which is the fee-earner's own on a
/// laptop (a terminal server in another zone needs the pin). Graph's
/// `mailboxSettings` would need one more delegated permission
/// (`MailboxSettings.Read`) and a new admin consent in every firm: see
/// `docs/export.md`.
pub(crate) fn mailbox_zone(config: &Config) -> (chrono_tz::Tz, ZoneOrigin) {
    if let Some(tz) = config.policy.mailbox_time_zone {
        return (tz, ZoneOrigin::Config);
    }
    match iana_time_zone::get_timezone()
        .ok()
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
    {
        Some(tz) => (tz, ZoneOrigin::Computer),
        None => (chrono_tz::Tz::UTC, ZoneOrigin::Fallback),
    }
}

/// The planner's choices from the firm configuration.
pub fn plan_choices(config: &Config) -> docket_export::PlanChoices {
    let (zone, _) = mailbox_zone(config);
    let mut choices = docket_export::PlanChoices::new(zone);
    choices.calendar = config.modules.calendar;
    choices.tasks = config.modules.tasks;
    choices.contacts = config.modules.contacts;
    choices.deadlines_to = match config.policy.deadlines_to {
        docket_config::DeadlinesTo::Todo => docket_export::DeadlinesTo::Todo,
        docket_config::DeadlinesTo::Calendar => docket_export::DeadlinesTo::Calendar,
    };
    choices.force_private = config.policy.force_private;
    choices.max_delete_share = config.policy.max_delete_share;
    // The words written into items (contact notes) are in the user's language.
    choices.lang = docket_text::Lang::choose(config.app.language.as_deref());
    choices
}

impl App {
    /// The recent runs' summaries, the most recent first (at most
    /// [`RECENT_RUNS`]), as stored by whichever process ran them.
    pub(crate) fn recent_runs(&self) -> Vec<status::LastExport> {
        read_recent(
            self.meta(RECENT).as_deref(),
            self.meta(LAST_EXPORT).as_deref(),
        )
    }

    /// How many items of each module Outlook holds in step (the state
    /// rows with an Outlook id).
    pub(crate) fn in_step(&self) -> Result<snapshot::InStep, AppError> {
        use docket_export::key::Module;
        let mut n = snapshot::InStep::default();
        for (k, json) in self.db().export_entries()? {
            let (Ok(key), Ok(entry)) = (
                k.parse::<docket_export::SourceKey>(),
                serde_json::from_str::<docket_export::Entry>(&json),
            ) else {
                continue;
            };
            if entry.remote_id.is_none() {
                continue;
            }
            match key.module {
                Module::Appointment => n.calendar += 1,
                Module::Deadline => n.tasks += 1,
                Module::Contact => n.contacts += 1,
            }
        }
        Ok(n)
    }

    /// One export run for the signed-in account: read the source, read
    /// what changed in Microsoft 365, plan, and (unless `dry_run`) apply.
    pub async fn export(
        &self,
        options: executor::ExportOptions,
        now: DateTime<Utc>,
    ) -> Result<executor::ExportReport, AppError> {
        self.export_with_progress(options, now, &|_| {}).await
    }

    /// [`App::export`], telling `progress` how far the writes are (see
    /// [`executor::OnProgress`]).
    pub async fn export_with_progress(
        &self,
        options: executor::ExportOptions,
        now: DateTime<Utc>,
        progress: executor::OnProgress<'_>,
    ) -> Result<executor::ExportReport, AppError> {
        let result = self.export_once(options, now, progress).await;
        // Nothing to remember for a dry run, or without an account.
        if !options.dry_run && !matches!(result, Err(AppError::NotSignedIn)) {
            self.remember_export(&result, now);
        }
        result
    }

    /// Keep how the run went for the status (a failure to write it only
    /// costs the status line).
    pub(crate) fn remember_export(
        &self,
        result: &Result<executor::ExportReport, AppError>,
        now: DateTime<Utc>,
    ) {
        let last = last_export_of(result.as_ref(), now);
        let json = serde_json::to_string(&last).expect("serializes");
        let db = self.db();
        // The list first: it reads the last export of a database from
        // before the list, which the next line replaces.
        let listed = db.update_export_meta(RECENT, |recent| {
            let old = db.export_meta(LAST_EXPORT).ok().flatten();
            push_recent(recent.as_deref(), old.as_deref(), &last)
        });
        if let Err(e) = listed.and_then(|_| db.set_export_meta(LAST_EXPORT, &json)) {
            tracing::warn!(error = %e, "cannot remember the last export");
        }
    }

    pub(crate) async fn export_once(
        &self,
        options: executor::ExportOptions,
        now: DateTime<Utc>,
        progress: executor::OnProgress<'_>,
    ) -> Result<executor::ExportReport, AppError> {
        let record = self.current_account()?.ok_or(AppError::NotSignedIn)?;
        // One export of this user at a time (the loop or the tray, and a
        // `docketsync sync` in a terminal): held until the run ends.
        let _lock =
            export_lock::ExportLock::acquire(self.paths.export_lock_file(), self.export_wait)
                .await?;
        // Another mailbox's (or another Graph address's) export state is
        // dropped, never updated or deleted against.
        let claim = self.db().claim_export(&self.owner_of(&record))?;
        if claim == docket_store::Claim::Cleared {
            tracing::warn!("the export state was another mailbox's: starting afresh");
        }
        let snapshot = self.read_source(&record.username).await?;
        let tokens = self.manager(&record);
        // The access token is kept between runs; the refresh token is
        // still used at least every policy.keep_alive_hours.
        let keep_alive = chrono::Duration::hours(i64::from(self.config().policy.keep_alive_hours));
        let last = tokens.last_good_refresh().or(record.last_good_refresh_at);
        if last.is_none_or(|t| now - t >= keep_alive) {
            if let Err(e) = tokens.refresh().await {
                let err = AppError::Refresh(e);
                self.record_sign_in_problem(&err, now)?;
                return Err(err);
            }
        }
        let graph = GraphClient::new(
            self.auth.http.clone(),
            Options::new(self.config().microsoft.graph_base_url.clone()),
            Tokens(&tokens),
        );
        let choices = plan_choices(&self.config());
        let report = match executor::export(
            &graph,
            &executor::ExportStore(&self.db),
            &snapshot,
            &choices,
            options,
            now,
            progress,
        )
        .await
        {
            Ok(report) => report,
            Err(e) => {
                // A sign-in that stopped working shows in the status, with
                // its fix, as after `check`.
                self.record_sign_in_problem(&e, now)?;
                return Err(e);
            }
        };
        // A finished run used the sign-in successfully: a problem recorded
        // before is over. The time kept is that of the last real refresh
        // (the access token may have come from memory), so the status
        // never shows a refresh that did not happen.
        let refreshed = tokens
            .last_good_refresh()
            .or(record.last_good_refresh_at)
            .unwrap_or(now);
        self.db().record_good_refresh(refreshed)?;
        tracing::info!(
            created = report.created,
            updated = report.updated,
            deleted = report.deleted,
            recreated = report.recreated,
            failed = report.failed.len(),
            requests = report.requests.graph_requests,
            dry_run = report.dry_run,
            "export finished"
        );
        Ok(report)
    }
}

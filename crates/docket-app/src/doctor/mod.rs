//! `doctor` as data: can Docket Sync work on this computer, with this
//! configuration? A [`DoctorReport`] holds one [`Check`] per question —
//! a stable id, pass/warn/fail/skip, who must act, the finding as a
//! catalogue [`Message`] (value = headline, `.body` = explanation) and the
//! fix as an [`Action`]. Front ends render it in their own words
//! (`docketsync doctor`, the tray's diagnostics); nothing here is a
//! sentence.
//!
//! The checks that look at the machine (ports, files, the keyring, the
//! network) are thin; what they conclude from what they saw is decided by
//! pure functions, table-tested in each file: [`config`] (the
//! configuration, the client secret's expiry, the mailbox zone),
//! [`local`] (port, keyring, credentials, CA file, folders), [`source`]
//! (the PMS read as the next export would), [`authority`] (Microsoft's
//! sign-in service). Failures are classified from error types and
//! variants, never from their text.

mod authority;
mod config;
mod local;
mod source;

pub(crate) use config::problem_detail;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use docket_paths::Paths;
use docket_text::{Action, Message, Who};
use serde::Serialize;

use crate::{App, AppError};

/// What one check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// Not run: it needs something an earlier check found missing (a
    /// valid configuration).
    Skip,
}

impl CheckStatus {
    /// The status's word (`doctor-status-pass` …).
    pub fn label(self) -> Message {
        Message::new(match self {
            CheckStatus::Pass => "doctor-status-pass",
            CheckStatus::Warn => "doctor-status-warn",
            CheckStatus::Fail => "doctor-status-fail",
            CheckStatus::Skip => "doctor-status-skip",
        })
    }
}

/// One check: its stable id (`config`, `keyring`, `authority` …), what it
/// found, who must act and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable; scripts may match on it. Its name for people is the
    /// message `doctor-check-<id>` ([`Check::name`]).
    pub id: &'static str,
    pub status: CheckStatus,
    /// Who must act: the fix's performer; [`Who::Nobody`] when it passed.
    pub who: Who,
    /// The finding: the value is the headline, `.body` (when the message
    /// has one) the explanation.
    pub message: Message,
    /// Lines under the headline: each configuration problem, each skipped
    /// record, the system's own error text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Detail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

/// One line under a check's headline, with its own explanation (the
/// message's `.body`, when it has one) and fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// Where it is: a file, line and key (`firm.toml:3:1: microsoft.tenant`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

impl Detail {
    pub(crate) fn of(message: Message) -> Detail {
        Detail {
            place: None,
            message,
            action: None,
        }
    }
}

impl Check {
    fn new(id: &'static str, status: CheckStatus, message: Message) -> Check {
        Check {
            id,
            status,
            who: Who::Nobody,
            message,
            details: vec![],
            action: None,
        }
    }

    pub(crate) fn pass(id: &'static str, message: Message) -> Check {
        Check::new(id, CheckStatus::Pass, message)
    }

    /// A warning; who must act is the action's performer.
    pub(crate) fn warn(id: &'static str, message: Message, action: Action) -> Check {
        Check::new(id, CheckStatus::Warn, message).action(action)
    }

    /// A failure; who must act is the action's performer.
    pub(crate) fn fail(id: &'static str, message: Message, action: Action) -> Check {
        Check::new(id, CheckStatus::Fail, message).action(action)
    }

    pub(crate) fn skip(id: &'static str) -> Check {
        Check::new(id, CheckStatus::Skip, Message::new("doctor-skipped"))
    }

    fn action(mut self, action: Action) -> Check {
        self.who = action.who();
        self.action = Some(action);
        self
    }

    /// Someone else acts than the action's performer says.
    pub(crate) fn who(mut self, who: Who) -> Check {
        self.who = who;
        self
    }

    /// A detail line in the catalogue's words.
    pub(crate) fn detail(mut self, message: Message) -> Check {
        self.details.push(Detail::of(message));
        self
    }

    /// A detail line as the system or a server said it.
    pub(crate) fn detail_text(mut self, text: impl Into<String>) -> Check {
        self.details
            .push(Detail::of(Message::new("doctor-detail").text("text", text)));
        self
    }

    /// The check's name for people (`doctor-check-<id>`).
    pub fn name(&self) -> Message {
        Message::new(format!("doctor-check-{}", self.id))
    }
}

/// Every check, in the order they ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorReport {
    pub checks: Vec<Check>,
}

impl DoctorReport {
    pub fn count(&self, status: CheckStatus) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// Who must act first: the first failing check's (the checks run from
    /// the configuration outwards, so the first failure is the one to fix
    /// first); `None` when nothing failed.
    pub fn who_must_act(&self) -> Option<Who> {
        self.checks
            .iter()
            .find(|c| c.status == CheckStatus::Fail)
            .map(|c| c.who)
    }

    /// The summary line's message (`doctor-summary`).
    pub fn summary(&self) -> Message {
        Message::new("doctor-summary")
            .number("checks", self.checks.len())
            .number("failed", self.count(CheckStatus::Fail))
            .number("warnings", self.count(CheckStatus::Warn))
    }
}

/// The checks that need a valid configuration, skipped without one.
const NEED_CONFIG: [&str; 5] = [
    "redirect-port",
    "keyring",
    "mailbox-zone",
    "pms-source",
    "authority",
];

/// Run every check for the firm configuration at `config_file` (default:
/// the platform's) and the user's overrides, at `now`. This works when
/// the configuration does not: then its problems are the first check,
/// and the checks that need it are skipped.
pub async fn run(
    config_file: Option<PathBuf>,
    now: DateTime<Utc>,
) -> Result<DoctorReport, AppError> {
    let paths = Paths::from_env()?;
    let firm = config_file.unwrap_or_else(|| paths.firm_config_file.clone());
    Ok(run_with(&firm, &paths, now).await)
}

impl App {
    /// Every check for the configuration this app was opened with (it is
    /// valid, or the app would not have opened).
    pub async fn doctor(&self, now: DateTime<Utc>) -> DoctorReport {
        run_on(
            Some(docket_config::Config::clone(&self.config())),
            config::opened(),
            &self.paths,
            now,
        )
        .await
    }
}

async fn run_with(config_file: &Path, paths: &Paths, now: DateTime<Utc>) -> DoctorReport {
    let (config, first) = config::load(config_file, paths);
    run_on(config, first, paths, now).await
}

async fn run_on(
    config: Option<docket_config::Config>,
    first: Check,
    paths: &Paths,
    now: DateTime<Utc>,
) -> DoctorReport {
    let mut checks = vec![first];
    match &config {
        Some(config) => {
            checks.extend(config::client_secret(config, now));
            checks.push(local::redirect_port(config));
            checks.push(local::keyring(config, paths));
            checks.extend(local::source_credential(config, paths));
            checks.extend(local::source_address(config));
            if let Some(ca) = &config.microsoft.extra_ca_file {
                checks.push(local::ca_file(ca));
            }
        }
        None => checks.extend(NEED_CONFIG[..2].iter().map(|id| Check::skip(id))),
    }
    checks.push(local::folder("data-folder", &paths.data_dir));
    checks.push(local::folder("log-folder", &paths.log_dir));
    match &config {
        Some(config) => {
            checks.push(config::zone(config));
            checks.push(source::pms(config, paths, now).await);
            checks.push(authority::check(config).await);
        }
        None => checks.extend(NEED_CONFIG[2..].iter().map(|id| Check::skip(id))),
    }
    DoctorReport { checks }
}

#[cfg(test)]
mod tests;

//! The sign-in status: a pure function of what is stored and `now`.
//!
//! The JSON form (`docketsync status --json`) is for scripts: states,
//! codes and timestamps are stable; the English/German texts next to
//! each code are for people and may change. `docs/cli.md` shows it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use docket_auth::keepalive::{self, SecretExpiry, SignInClock};
use docket_auth::problem::catalogue;
use docket_store::AccountRecord;
use docket_text::{Action, Message, TimeStyle, Who};
use serde::Serialize;

/// The sign-in state: whether the account can export without a person
/// (the loop's activity is `snapshot::Activity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInState {
    /// Nobody is signed in.
    SignedOut,
    /// Signed in; the last refresh worked (or none failed since sign-in).
    Ok,
    /// The user must sign in again (a re-auth problem, or the stored
    /// refresh token is gone).
    SignInRequired,
    /// IT must change something; signing in again would not help.
    AdminActionRequired,
    /// The last attempt failed for a temporary reason; retried by itself.
    Retrying,
}

/// Whether the refresh token is in the secret store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    /// No account is signed in, so no token is expected.
    None,
    Present,
    Missing,
    /// The store could not be read (locked keyring...).
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountInfo {
    pub username: String,
    pub display_name: Option<String>,
    pub object_id: String,
    pub tenant_id: String,
}

/// The last classified sign-in problem, as data (its words are in the
/// catalogue: `message` is a headline with a `.body`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemInfo {
    /// Stable code, e.g. `reauth.password_changed`.
    pub code: String,
    pub aadsts: Option<u32>,
    pub at: DateTime<Utc>,
    pub who: Who,
    pub message: Message,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeepAliveInfo {
    /// A keep-alive refresh is due now.
    pub refresh_due: bool,
    pub next_refresh_at: DateTime<Utc>,
    /// The sign-in dies by inactivity at this time unless a refresh works.
    pub inactivity_deadline: DateTime<Utc>,
    /// Learned from AADSTS70043: the next interactive sign-in required.
    pub next_required_sign_in: Option<DateTime<Utc>>,
}

/// A warning, keyed by a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    /// Refreshes have been failing; the sign-in dies on `on`.
    InactivityExpiry {
        on: DateTime<Utc>,
    },
    /// The organisation requires a new sign-in on `on`.
    SignInRequired {
        on: DateTime<Utc>,
    },
    /// The confidential client's secret expires in `days_left` days.
    ClientSecretExpiring {
        threshold: i64,
        days_left: i64,
    },
    ClientSecretExpired,
    /// A confidential client without a stored secret.
    ClientSecretMissing,
}

impl Warning {
    /// The key of the notification this warning raises (once per step).
    pub fn notification_key(&self) -> String {
        match self {
            Warning::InactivityExpiry { on } => format!("inactivity_expiry:{}", on.date_naive()),
            Warning::SignInRequired { on } => format!("sign_in_required:{}", on.date_naive()),
            Warning::ClientSecretExpiring { threshold, .. } => {
                format!("client_secret_expiring:{threshold}")
            }
            Warning::ClientSecretExpired => "client_secret_expired".into(),
            Warning::ClientSecretMissing => "client_secret_missing".into(),
        }
    }

    /// What the warning says (headline + `.body`).
    pub fn message(&self) -> Message {
        match self {
            Warning::InactivityExpiry { on } => {
                Message::new("warning-inactivity-expiry").time("on", *on, TimeStyle::Date)
            }
            Warning::SignInRequired { on } => {
                Message::new("warning-sign-in-required").time("on", *on, TimeStyle::DateTime)
            }
            Warning::ClientSecretExpiring { days_left, .. } => {
                Message::new("warning-client-secret-expiring").number("days", *days_left)
            }
            Warning::ClientSecretExpired => Message::new("warning-client-secret-expired"),
            Warning::ClientSecretMissing => Message::new("warning-client-secret-missing"),
        }
    }

    /// What to do about it.
    pub fn action(&self) -> Action {
        match self {
            Warning::InactivityExpiry { .. } => Action::CheckNetwork,
            Warning::SignInRequired { .. } => Action::SignIn,
            Warning::ClientSecretExpiring { .. }
            | Warning::ClientSecretExpired
            | Warning::ClientSecretMissing => Action::SetClientSecret,
        }
    }
}

/// How the last export went (kept in the state database by `App::export`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LastExport {
    pub at: DateTime<Utc>,
    /// The run finished (items may still have failed: `failed`).
    pub ok: bool,
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub recreated: usize,
    /// Items whose request failed (tried again next run).
    pub failed: usize,
    /// Items pausing after repeated failures.
    pub held_back: usize,
    /// Source records that could not be exported.
    pub skipped: usize,
    /// When the run did not finish: what stopped it, as data. (Summaries
    /// stored by older versions had English strings; they read as none.)
    #[serde(default)]
    pub error: Option<crate::Described>,
    /// The records behind `skipped`, `failed` and `held_back`, one line
    /// each, as data (the first [`RECORDS_KEPT`]; the counts say the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<docket_text::Message>,
    /// Deletions the brake held back (`policy.max_delete_share`): they wait
    /// until the user lets them through ([`Action::AllowDeletions`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub braked: Option<Braked>,
    /// What went wrong for one module in a run that finished: its items
    /// that failed or pause (one entry per module that had any; a run that
    /// stopped has its `error` instead, which is every module's). Records
    /// the PMS export could not give are the run's (`skipped`), not a
    /// module's: a record that cannot be read has no known module.
    /// (Summaries stored by older versions have none.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub module_problems: Vec<ModuleProblem>,
    /// The PMS export could not be read whole (`ExportReport::pms_incomplete`):
    /// Outlook is not in step with it until it reads again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pms_incomplete: bool,
}

/// A module as the status names it (`modules.calendar`, `.tasks`,
/// `.contacts`): its stable code in JSON is `calendar`, `tasks`, `contacts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModuleId {
    /// Appointments → Outlook calendar.
    Calendar,
    /// Deadlines and follow-ups → To Do (or the calendar).
    Tasks,
    Contacts,
}

impl ModuleId {
    pub const ALL: [ModuleId; 3] = [ModuleId::Calendar, ModuleId::Tasks, ModuleId::Contacts];

    pub fn as_str(self) -> &'static str {
        match self {
            ModuleId::Calendar => "calendar",
            ModuleId::Tasks => "tasks",
            ModuleId::Contacts => "contacts",
        }
    }

    /// The module of an export item (a deadline is `tasks` also when
    /// `policy.deadlines_to` puts it into the calendar: `modules.tasks`
    /// governs it).
    pub fn of(module: docket_export::key::Module) -> ModuleId {
        use docket_export::key::Module;
        match module {
            Module::Appointment => ModuleId::Calendar,
            Module::Deadline => ModuleId::Tasks,
            Module::Contact => ModuleId::Contacts,
        }
    }
}

/// One module's problem in a run, as data: a stable code
/// (`export.items_failed`, `export.items_held_back`), who acts, the
/// message (headline + `.body`) and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ModuleProblem {
    pub module: ModuleId,
    #[serde(flatten)]
    pub problem: crate::Described,
}

/// A mass deletion the brake held back in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Braked {
    /// Deletions the run would have made.
    pub deletions: usize,
    /// Our items in Microsoft 365 before the run.
    pub owned: usize,
    /// `sync-brake` (with `.body`): what was held back and why.
    pub message: docket_text::Message,
}

/// How many record lines a run's summary keeps.
pub const RECORDS_KEPT: usize = 50;

/// Where secrets are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretStoreInfo {
    /// `keyring` or `plaintext_file`: a stable code.
    pub kind: &'static str,
    /// Where, as a message (`secrets-location-*`) rendered in the
    /// reader's language.
    pub location: docket_text::Message,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub state: SignInState,
    pub account: Option<AccountInfo>,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub last_good_refresh_at: Option<DateTime<Utc>>,
    pub token: TokenState,
    pub problem: Option<ProblemInfo>,
    pub keep_alive: Option<KeepAliveInfo>,
    pub warnings: Vec<Warning>,
    /// The notifications to show now: the standing problem when someone
    /// must act, and each standing warning, less those already shown.
    pub notify: Vec<String>,
    /// What to remember as shown once `notify` is shown: every key that
    /// stands now, so that a condition that ended and comes back is told
    /// again. `None` when that is what is remembered already.
    #[serde(skip)]
    pub remember_notified: Option<Vec<String>>,
    pub secret_store: SecretStoreInfo,
    pub last_export: Option<LastExport>,
}

/// Everything [`decide`] looks at.
#[derive(Debug, Clone)]
pub struct Input {
    /// The account row, only if it belongs to the configured tenant and
    /// client id.
    pub account: Option<AccountRecord>,
    pub token: TokenState,
    pub keep_alive_every: Duration,
    /// `Some` for confidential clients: the configured expiry date.
    pub confidential: Option<Option<NaiveDate>>,
    pub client_secret_stored: bool,
    pub secret_store: SecretStoreInfo,
    pub last_export: Option<LastExport>,
}

fn problem_info(p: &docket_store::ProblemRecord) -> ProblemInfo {
    let known = catalogue().into_iter().find(|c| c.code == p.code);
    ProblemInfo {
        code: p.code.clone(),
        aadsts: p.aadsts,
        at: p.at,
        // A code this version does not know: ask for a sign-in, the one
        // thing that can fix most problems.
        who: known.as_ref().map_or(Who::User, |k| k.who()),
        message: match &known {
            Some(k) => k.message(),
            None => Message::new("error-unknown-problem").text("code", p.code.clone()),
        },
        action: known.as_ref().map_or(Action::SignIn, |k| k.action()),
    }
}

/// Decide the status for `now`.
pub fn decide(input: Input, now: DateTime<Utc>) -> Status {
    let mut warnings = vec![];
    let mut keep_alive = None;
    let problem = input
        .account
        .as_ref()
        .and_then(|a| a.last_problem.as_ref())
        .map(problem_info);
    if let Some(a) = &input.account {
        let last_good = a.last_good_refresh_at.unwrap_or(a.signed_in_at);
        let k = keepalive::keep_alive(
            SignInClock {
                last_good_refresh: last_good,
                last_interactive_sign_in: a.signed_in_at,
                sign_in_frequency: a.sign_in_frequency_seconds.and_then(Duration::try_seconds),
            },
            now,
        );
        let next_refresh_at = last_good + input.keep_alive_every;
        keep_alive = Some(KeepAliveInfo {
            refresh_due: now >= next_refresh_at,
            next_refresh_at,
            inactivity_deadline: k.inactivity_deadline,
            next_required_sign_in: k.next_required_sign_in,
        });
        warnings.extend(k.warnings.into_iter().map(|w| match w {
            keepalive::Warning::InactivityExpiry { on } => Warning::InactivityExpiry { on },
            keepalive::Warning::SignInRequired { on } => Warning::SignInRequired { on },
        }));
    }
    if let Some(expires) = input.confidential {
        if !input.client_secret_stored {
            warnings.push(Warning::ClientSecretMissing);
        }
        match expires.and_then(|d| keepalive::client_secret_expiry(d, now)) {
            Some(SecretExpiry::Soon {
                threshold,
                days_left,
            }) => warnings.push(Warning::ClientSecretExpiring {
                threshold,
                days_left,
            }),
            Some(SecretExpiry::Expired) => warnings.push(Warning::ClientSecretExpired),
            None => {}
        }
    }
    let state = match (&input.account, input.token, &problem) {
        (None, _, _) => SignInState::SignedOut,
        (Some(_), _, Some(p)) if p.who == Who::Admin => SignInState::AdminActionRequired,
        (Some(_), _, Some(p)) if p.who == Who::User => SignInState::SignInRequired,
        (Some(_), TokenState::Missing, _) => SignInState::SignInRequired,
        (Some(_), _, Some(_)) => SignInState::Retrying,
        (Some(_), _, None) => SignInState::Ok,
    };
    // Notifications are remembered in the account row (one key a line):
    // none without one. Each standing condition is told once, so a second
    // warning standing beside the first is told too.
    let told: Vec<String> = input
        .account
        .as_ref()
        .and_then(|a| a.notified.as_deref())
        .map(|t| {
            t.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut wanted: Vec<String> = vec![];
    if input.account.is_some() {
        if let Some(p) = problem.as_ref().filter(|p| p.who != Who::Nobody) {
            wanted.push(format!("problem:{}", p.code));
        }
        wanted.extend(warnings.iter().map(Warning::notification_key));
    }
    let notify: Vec<String> = wanted
        .iter()
        .filter(|w| !told.contains(w))
        .cloned()
        .collect();
    // Remembered: what stands now, and, while any problem stands (a
    // network failure between two runs that need IT, say), the problems
    // already told, so that a problem is told again only after a good run.
    let mut remember = wanted;
    if problem.is_some() {
        for key in told.iter().filter(|k| k.starts_with("problem:")) {
            if !remember.contains(key) {
                remember.push(key.clone());
            }
        }
    }
    let remember_notified = {
        let (mut a, mut b) = (remember.clone(), told.clone());
        a.sort();
        b.sort();
        (input.account.is_some() && a != b).then_some(remember)
    };
    Status {
        state,
        signed_in_at: input.account.as_ref().map(|a| a.signed_in_at),
        last_good_refresh_at: input.account.as_ref().and_then(|a| a.last_good_refresh_at),
        account: input.account.map(|a| AccountInfo {
            username: a.username,
            display_name: a.display_name,
            object_id: a.object_id,
            tenant_id: a.tenant_id,
        }),
        token: input.token,
        problem,
        keep_alive,
        warnings,
        notify,
        remember_notified,
        secret_store: input.secret_store,
        last_export: input.last_export,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_store::ProblemRecord;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    fn anna(last_good: &str) -> AccountRecord {
        AccountRecord {
            tenant: "t".into(),
            client_id: "c".into(),
            username: "anna@kanzlei.example".into(),
            object_id: "o".into(),
            tenant_id: "tid".into(),
            display_name: None,
            signed_in_at: at("2026-03-01T08:00:00Z"),
            last_good_refresh_at: Some(at(last_good)),
            sign_in_frequency_seconds: None,
            last_problem: None,
            notified: None,
        }
    }

    fn input(account: Option<AccountRecord>, token: TokenState) -> Input {
        Input {
            account,
            token,
            keep_alive_every: Duration::hours(24),
            confidential: None,
            client_secret_stored: false,
            secret_store: SecretStoreInfo {
                kind: "keyring",
                location: docket_text::Message::new("secrets-location-memory"),
            },
            last_export: None,
        }
    }

    fn problem(code: &str) -> Option<ProblemRecord> {
        Some(ProblemRecord {
            code: code.into(),
            aadsts: None,
            at: at("2026-03-02T08:00:00Z"),
        })
    }

    /// `state refresh_due problem-who warnings notify`, compactly.
    #[track_caller]
    fn check(input: Input, now: &str, expect: &str) {
        let s = decide(input, at(now));
        let json = serde_json::to_value(&s).expect("json");
        let warnings: Vec<String> = s.warnings.iter().map(Warning::notification_key).collect();
        let got = format!(
            "{} due={} problem={} warnings=[{}] notify={}",
            json["state"].as_str().unwrap_or("?"),
            s.keep_alive
                .as_ref()
                .map_or("-".into(), |k| k.refresh_due.to_string()),
            s.problem
                .as_ref()
                .map_or("-".into(), |p| format!("{}/{}", p.code, p.who)),
            warnings.join(","),
            if s.notify.is_empty() {
                "-".to_string()
            } else {
                s.notify.join(",")
            },
        );
        assert_eq!(got, expect);
    }

    #[test]
    fn status_table() {
        check(
            input(None, TokenState::None),
            "2026-03-01T09:00:00Z",
            "signed_out due=- problem=- warnings=[] notify=-",
        );
        let now = "2026-03-01T09:00:00Z";
        check(
            input(Some(anna("2026-03-01T08:00:00Z")), TokenState::Present),
            now,
            "ok due=false problem=- warnings=[] notify=-",
        );
        // A day without a good refresh: the keep-alive is due.
        check(
            input(Some(anna("2026-03-01T08:00:00Z")), TokenState::Present),
            "2026-03-02T08:00:00Z",
            "ok due=true problem=- warnings=[] notify=-",
        );
        check(
            input(Some(anna("2026-03-01T08:00:00Z")), TokenState::Missing),
            now,
            "sign_in_required due=false problem=- warnings=[] notify=-",
        );
        let with = |code: &str, notified: Option<&str>| AccountRecord {
            last_problem: problem(code),
            notified: notified.map(str::to_string),
            ..anna("2026-03-01T08:00:00Z")
        };
        check(
            input(
                Some(with("reauth.password_changed", None)),
                TokenState::Present,
            ),
            now,
            "sign_in_required due=false problem=reauth.password_changed/user warnings=[] \
             notify=problem:reauth.password_changed",
        );
        // Notified once: not again.
        check(
            input(
                Some(with(
                    "reauth.password_changed",
                    Some("problem:reauth.password_changed"),
                )),
                TokenState::Present,
            ),
            now,
            "sign_in_required due=false problem=reauth.password_changed/user warnings=[] notify=-",
        );
        check(
            input(
                Some(with("admin.consent_missing", None)),
                TokenState::Present,
            ),
            now,
            "admin_action_required due=false problem=admin.consent_missing/admin warnings=[] \
             notify=problem:admin.consent_missing",
        );
        // Offline: retried by itself, nobody is bothered.
        check(
            input(Some(with("transient.network", None)), TokenState::Present),
            now,
            "retrying due=false problem=transient.network/nobody warnings=[] notify=-",
        );
        // A code from a newer version: ask for a sign-in.
        check(
            input(
                Some(with("reauth.something_new", None)),
                TokenState::Present,
            ),
            now,
            "sign_in_required due=false problem=reauth.something_new/user warnings=[] \
             notify=problem:reauth.something_new",
        );
        // Offline for 80 days: the inactivity warning.
        check(
            input(Some(anna("2026-03-01T08:00:00Z")), TokenState::Present),
            "2026-05-20T08:00:00Z",
            "ok due=true problem=- warnings=[inactivity_expiry:2026-05-30] \
             notify=inactivity_expiry:2026-05-30",
        );
        // Learned daily sign-in frequency: warned 6 h ahead.
        check(
            input(
                Some(AccountRecord {
                    sign_in_frequency_seconds: Some(86_400),
                    ..anna("2026-03-01T20:00:00Z")
                }),
                TokenState::Present,
            ),
            "2026-03-02T03:00:00Z",
            "ok due=false problem=- warnings=[sign_in_required:2026-03-02] \
             notify=sign_in_required:2026-03-02",
        );
        // A sign-in frequency beyond any clock (a damaged state database)
        // is no frequency, not a panic.
        check(
            input(
                Some(AccountRecord {
                    sign_in_frequency_seconds: Some(i64::MAX),
                    ..anna("2026-03-01T20:00:00Z")
                }),
                TokenState::Present,
            ),
            "2026-03-02T03:00:00Z",
            "ok due=false problem=- warnings=[] notify=-",
        );
        // Confidential client: secret missing, and expiring in 14 days.
        let mut conf = input(None, TokenState::None);
        conf.confidential = Some(Some(NaiveDate::from_ymd_opt(2026, 3, 15).expect("date")));
        check(
            conf.clone(),
            now,
            "signed_out due=- problem=- warnings=[client_secret_missing,client_secret_expiring:14] \
             notify=-",
        );
        conf.client_secret_stored = true;
        conf.account = Some(anna("2026-03-01T08:00:00Z"));
        conf.token = TokenState::Present;
        check(
            conf.clone(),
            now,
            "ok due=false problem=- warnings=[client_secret_expiring:14] \
             notify=client_secret_expiring:14",
        );
        // A problem and a warning standing at once: both told, each once;
        // the problem told before is not told again, the warning still is
        // (it used to wait until the problem had gone).
        let mut both = conf.clone();
        both.account = Some(with("reauth.password_changed", None));
        check(
            both.clone(),
            now,
            "sign_in_required due=false problem=reauth.password_changed/user \
             warnings=[client_secret_expiring:14] \
             notify=problem:reauth.password_changed,client_secret_expiring:14",
        );
        both.account = Some(with(
            "reauth.password_changed",
            Some("problem:reauth.password_changed"),
        ));
        check(
            both.clone(),
            now,
            "sign_in_required due=false problem=reauth.password_changed/user \
             warnings=[client_secret_expiring:14] notify=client_secret_expiring:14",
        );
        // What is remembered is what stands: once the sign-in is fixed, the
        // problem's key goes, so a later password change is told again.
        let told = decide(both, at(now));
        assert_eq!(
            told.remember_notified,
            Some(vec![
                "problem:reauth.password_changed".to_string(),
                "client_secret_expiring:14".to_string()
            ])
        );
        // A network failure between two runs that need the user: the
        // told problem stays told, so it is not told again after it.
        let mut offline = conf.clone();
        offline.account = Some(with(
            "transient.network",
            Some("problem:reauth.password_changed\nclient_secret_expiring:14"),
        ));
        let offline = decide(offline, at(now));
        assert_eq!(offline.notify, Vec::<String>::new());
        assert_eq!(offline.remember_notified, None);
        let mut fixed = conf.clone();
        fixed.account = Some(AccountRecord {
            notified: Some("problem:reauth.password_changed\nclient_secret_expiring:14".into()),
            ..anna("2026-03-01T08:00:00Z")
        });
        let fixed = decide(fixed, at(now));
        assert_eq!(fixed.notify, Vec::<String>::new());
        assert_eq!(
            fixed.remember_notified,
            Some(vec!["client_secret_expiring:14".to_string()])
        );
        check(
            conf,
            "2026-03-15T00:00:00Z",
            "ok due=true problem=- warnings=[client_secret_expired] notify=client_secret_expired",
        );
    }
}

//! Docket Sync's configuration: one firm-managed TOML file, plus a per-user
//! overrides TOML file merged over it.
//!
//! - [`validate`] is the pure heart: it takes the two files' text and
//!   returns a [`Config`] or *every* [`Problem`] at once, each naming the
//!   dotted key, the reason (a [`Message`] of `docket-text`'s `config.ftl`,
//!   English and German) and the fix (an [`Action`]). Unknown keys get the
//!   nearest valid key as a suggestion; TOML syntax errors get line and
//!   column. [`Kind`] lists every kind of problem.
//! - [`load`] reads the files (locations from `docket-paths`) and calls it.
//! - [`notices`] turns a valid config and today's date into warnings that
//!   depend on time (the client secret's expiry).
//!
//! **Invariant:** no secret is ever read from a config file. A
//! `client_secret` (or a password) key in any file is rejected with a
//! message that says where the secret goes instead (this computer's
//! keyring) and the action to store it ([`Action::SetClientSecret`],
//! [`Action::SetSourceCredential`]).
//!
//! Which keys a user may override is decided in one table, [`user_may_set`]:
//! `[modules]`, `[logging]`, `[app]` and `policy.sync_interval_minutes`. Everything
//! else is firm-only. The reference is `docs/configuration.md`.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use docket_text::{Action, Lang, Message, Texts, Who};
use uuid::Uuid;

mod reason;
mod validate;

pub use reason::{Kind, WORDS};
pub use validate::{fix_for_key, settle, user_may_set, validate};

/// The default authority host (Microsoft's global cloud).
pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";
/// The default Microsoft Graph base URL.
pub const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.microsoft.com/v1.0";
/// The scopes Docket Sync asks for unless the firm config says otherwise.
pub const DEFAULT_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "offline_access",
    "User.Read",
    "Calendars.ReadWrite",
    "Tasks.ReadWrite",
    "Contacts.ReadWrite",
];

/// A validated configuration. Holds no secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub microsoft: Microsoft,
    pub source: Source,
    pub modules: Modules,
    pub policy: FirmPolicy,
    pub logging: Logging,
    pub storage: Storage,
    pub conventions: Conventions,
    pub app: AppPrefs,
}

/// `[app]`: the desktop app's own preferences (a user may set both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPrefs {
    /// `language`: `"en"` or `"de"`; `None` (`"system"`, the default)
    /// follows the system's language.
    pub language: Option<String>,
    /// `start_at_login` (default `true`): the tray starts when the user
    /// signs in to the computer.
    pub start_at_login: bool,
}

/// `[conventions]`: how the firm's PMS marks deadlines versus follow-ups
/// (an extension property, else categories) and which contacts a
/// fee-earner subscribed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conventions {
    /// An X- property whose value names the kind (`deadline`/`followup` or
    /// one of the category names below).
    pub kind_property: String,
    pub deadline_categories: Vec<String>,
    pub followup_categories: Vec<String>,
    /// The kind of a to-do that nothing above decides.
    pub default_kind: DeadlineKind,
    /// An X- property with a yes/no value (TRUE, YES, JA, 1 / FALSE, NO, NEIN, 0).
    pub subscribed_property: String,
    /// Contacts in any of these categories are subscribed.
    pub subscribed_categories: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    Deadline,
    FollowUp,
}

impl Default for Conventions {
    fn default() -> Conventions {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect();
        Conventions {
            kind_property: "X-DOCKET-KIND".into(),
            deadline_categories: v(&["Frist", "Deadline"]),
            followup_categories: v(&["Wiedervorlage", "Follow-up", "followup"]),
            default_kind: DeadlineKind::Deadline,
            subscribed_property: "X-DOCKET-SUBSCRIBED".into(),
            subscribed_categories: v(&["Outlook"]),
        }
    }
}

/// `[microsoft]`: the Entra ID app registration and the endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Microsoft {
    pub tenant: Tenant,
    pub client_id: Uuid,
    /// Scheme, host and port only, without a trailing slash,
    /// e.g. `https://login.microsoftonline.com`.
    pub authority_host: String,
    /// Without a trailing slash, e.g. `https://graph.microsoft.com/v1.0`.
    pub graph_base_url: String,
    pub client_type: ClientType,
    /// When the confidential client's secret expires (drives warnings).
    pub client_secret_expires: Option<NaiveDate>,
    /// 0: the OS picks a free port at each sign-in.
    pub redirect_port: u16,
    pub redirect_path: String,
    /// An explicit loopback redirect URI; overrides port and path.
    pub redirect_uri: Option<String>,
    /// Absolute path of a PEM file trusted in addition to the system roots.
    pub extra_ca_file: Option<PathBuf>,
    pub scopes: Vec<String>,
}

impl Microsoft {
    /// `{authority_host}/{tenant}`, the authority MSAL-style clients use.
    pub fn authority(&self) -> String {
        format!("{}/{}", self.authority_host, self.tenant)
    }

    /// The OpenID Connect discovery document of the tenant.
    pub fn discovery_url(&self) -> String {
        format!("{}/v2.0/.well-known/openid-configuration", self.authority())
    }
}

/// The firm's tenant: its directory (tenant) id or a verified domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tenant {
    Id(Uuid),
    Domain(String),
}

impl fmt::Display for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tenant::Id(id) => write!(f, "{id}"),
            Tenant::Domain(d) => f.write_str(d),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    /// "Mobile and desktop applications" registration: no secret.
    Public,
    /// "Web" registration: a client secret, kept in the OS keyring.
    Confidential,
}

/// `[source]`: where appointments, deadlines and contacts come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Built-in demo data.
    Demo,
    /// An iCalendar/vCard file, or a folder of .ics and .vcf files, on disk.
    IcsFile { path: PathBuf },
    /// An iCalendar (or vCard) file over HTTP(S); the password or token
    /// lives in the keyring.
    IcsUrl {
        url: String,
        auth: SourceAuth,
        username: Option<String>,
    },
    /// CalDAV/CardDAV collections; the password or token lives in the
    /// keyring.
    CalDav {
        /// The CalDAV calendar collection (appointments, and deadlines
        /// unless `tasks_url` is set).
        url: String,
        /// A separate CalDAV collection of to-dos (deadlines).
        tasks_url: Option<String>,
        /// A CardDAV address book (contacts).
        contacts_url: Option<String>,
        auth: SourceAuth,
        username: Option<String>,
    },
}

/// `source.auth`: how Docket Sync proves itself to the PMS's web server.
/// The password or token itself is never in a file: it lives in the OS
/// keyring (`docketsync source-credential set`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceAuth {
    /// No credential.
    None,
    /// HTTP Basic with `source.username` and a password.
    Basic,
    /// `Authorization: Bearer` with a token.
    Bearer,
}

/// `[modules]`: what is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modules {
    pub calendar: bool,
    pub tasks: bool,
    pub contacts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlinesTo {
    Todo,
    Calendar,
}

/// `[policy]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmPolicy {
    pub deadlines_to: DeadlinesTo,
    pub force_private: bool,
    /// Largest share (0..=1) of exported items one run may delete.
    pub max_delete_share: f64,
    pub sync_interval_minutes: u32,
    /// Refresh the sign-in at least this often even with nothing to export.
    pub keep_alive_hours: u32,
    /// `mailbox_time_zone`: the mailbox's zone (IANA name), pinned by IT.
    /// `None`: the zone of the machine Docket Sync runs on.
    pub mailbox_time_zone: Option<chrono_tz::Tz>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// `[logging]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logging {
    pub level: LogLevel,
    pub keep_days: u32,
}

/// `[storage]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Storage {
    /// Allow a plaintext token file where no OS keyring exists.
    pub allow_plaintext_tokens: bool,
}

/// One config file's path and text, the input of [`validate`].
#[derive(Debug, Clone, Copy)]
pub struct FileText<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// Which of the two files a problem is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based line and column, when known (syntax errors).
    pub line_col: Option<(usize, usize)>,
}

/// One thing wrong with the configuration: which key, why, and what to
/// do, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the offending key (or syntax error) is in; `None` when the
    /// problem is a missing key of the merged configuration.
    pub location: Option<Location>,
    /// Dotted key, e.g. `microsoft.tenant`; `None` for syntax errors.
    pub key: Option<String>,
    /// What is wrong: the headline, and `.body` with the explanation and
    /// how to correct it (`config.ftl`).
    pub reason: Message,
    /// The fix: mostly [`Action::EditConfig`] of the key; a secret's key
    /// says where the secret goes instead.
    pub fix: Action,
}

impl Problem {
    /// A file that cannot be read (`detail`: the system's error).
    pub fn unreadable(file: &Path, detail: &str) -> Problem {
        Problem {
            location: Some(Location {
                file: file.to_path_buf(),
                line_col: None,
            }),
            key: None,
            reason: Kind::Unreadable
                .message()
                .text("path", file.display().to_string())
                .text("detail", detail),
            fix: Action::AskAdmin,
        }
    }

    /// A file that cannot be written (the user's overrides, saved from the
    /// app); nothing was changed.
    pub fn unwritable(file: &Path, detail: &str) -> Problem {
        Problem {
            location: Some(Location {
                file: file.to_path_buf(),
                line_col: None,
            }),
            key: None,
            reason: Kind::Unwritable
                .message()
                .text("path", file.display().to_string())
                .text("detail", detail),
            fix: Action::AskAdmin,
        }
    }

    /// A file that is not valid TOML, where no line is known.
    pub fn syntax(file: &Path, detail: &str) -> Problem {
        Problem {
            location: Some(Location {
                file: file.to_path_buf(),
                line_col: None,
            }),
            key: None,
            reason: Kind::SyntaxUnplaced.message().text("detail", detail),
            fix: Action::AskAdmin,
        }
    }

    /// `key` (dotted) is firm-only but `file` (the user's overrides) sets
    /// it, or a user tried to set it.
    pub fn firm_only(file: &Path, key: &str) -> Problem {
        Problem {
            location: Some(Location {
                file: file.to_path_buf(),
                line_col: None,
            }),
            key: Some(key.to_string()),
            reason: Kind::FirmOnly.message(),
            fix: Action::EditConfig {
                key: key.to_string(),
            },
        }
    }

    /// Who must act: whoever performs the fix (IT, for the files).
    pub fn who(&self) -> Who {
        self.fix.who()
    }

    /// The reason's headline and explanation in English (logs).
    fn reason_en(&self) -> String {
        let t = english();
        match t.attr(&self.reason, "body") {
            Some(body) => format!("{}: {body}", t.render(&self.reason)),
            None => t.render(&self.reason),
        }
    }

    /// The fix's label in English (logs).
    fn fix_en(&self) -> String {
        english().render(&self.fix.label())
    }
}

/// English texts for `Display` (logs); people see the messages in their
/// language, rendered by the front end.
fn english() -> &'static Texts {
    static EN: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
    EN.get_or_init(|| Texts::new(Lang::En))
}

/// English, for logs: `file[:line:col]: key: headline: explanation`, then
/// the fix.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}", loc.file.display())?;
            if let Some((line, col)) = loc.line_col {
                write!(f, ":{line}:{col}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}\n  fix: {}", self.reason_en(), self.fix_en())
    }
}

/// Every problem found: syntax and structure (unknown, secret or firm-only
/// keys) first, then the values of the merged configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the configuration:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.0 {
            writeln!(f, "- {p}")?;
        }
        Ok(())
    }
}

/// Read the firm file and (if it exists) the user overrides file, and
/// validate them. A missing or unreadable firm file is the one problem
/// reported (the keys it would hold are not listed as missing); a missing
/// user file is no problem.
pub fn load(firm_file: &Path, user_file: &Path) -> Result<Config, Problems> {
    let read = |path: &Path| -> Result<Option<String>, Box<Problem>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Box::new(Problem::unreadable(path, &e.to_string()))),
        }
    };
    let mut problems = vec![];
    let firm = read(firm_file).unwrap_or_else(|p| {
        problems.push(*p);
        None
    });
    let user = read(user_file).unwrap_or_else(|p| {
        problems.push(*p);
        None
    });
    if firm.is_none() && problems.is_empty() {
        problems.push(Problem {
            location: Some(Location {
                file: firm_file.to_path_buf(),
                line_col: None,
            }),
            key: None,
            reason: Kind::MissingFile
                .message()
                .text("path", firm_file.display().to_string()),
            fix: Action::AskAdmin,
        });
    }
    if firm.is_none() {
        // Without the firm file every required key is missing too: those
        // are not further problems, and listing them buries the one that is.
        return Err(Problems(problems));
    }
    let firm_text = firm.as_deref().map(|text| FileText {
        path: firm_file,
        text,
    });
    let user_text = user.as_deref().map(|text| FileText {
        path: user_file,
        text,
    });
    let result = validate(firm_text, user_text, &|p: &Path| p.exists());
    match result {
        Ok(config) if problems.is_empty() => Ok(config),
        Ok(_) => Err(Problems(problems)),
        Err(Problems(more)) => {
            problems.extend(more);
            Err(Problems(problems))
        }
    }
}

/// How serious a [`Notice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warn,
    Fail,
}

/// A time-dependent finding about a valid configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub severity: Severity,
    pub key: &'static str,
    /// What is found: headline and `.body` (`config.ftl`).
    pub text: Message,
    /// The fix.
    pub action: Action,
}

impl Notice {
    fn new(severity: Severity, key: &'static str, text: Message, action: Action) -> Notice {
        Notice {
            severity,
            key,
            text,
            action,
        }
    }
}

/// Warn this many days before the client secret expires.
pub const SECRET_EXPIRY_WARN_DAYS: i64 = 30;

/// Findings that depend on `today`: the confidential client's secret
/// expiry (expired: Fail; within 30 days or unknown: Warn).
pub fn notices(config: &Config, today: NaiveDate) -> Vec<Notice> {
    let ms = &config.microsoft;
    if ms.client_type != ClientType::Confidential {
        return vec![];
    }
    let key = "microsoft.client_secret_expires";
    match ms.client_secret_expires {
        None => vec![Notice::new(
            Severity::Warn,
            key,
            Kind::SecretExpiryUnknown.message(),
            Action::EditConfig { key: key.into() },
        )],
        Some(expires) => {
            let days = (expires - today).num_days();
            if days < 0 {
                vec![Notice::new(
                    Severity::Fail,
                    key,
                    Kind::SecretExpired.message().date("date", expires),
                    Action::SetClientSecret,
                )]
            } else if days <= SECRET_EXPIRY_WARN_DAYS {
                vec![Notice::new(
                    Severity::Warn,
                    key,
                    Kind::SecretExpiresSoon
                        .message()
                        .date("date", expires)
                        .number("days", days),
                    Action::SetClientSecret,
                )]
            } else {
                vec![]
            }
        }
    }
}

#[cfg(test)]
mod notice_tests {
    use super::*;

    /// Validate a confidential config with `expires` and compare the
    /// notices for `today` as `(severity, message fragment)`.
    fn check(expires: Option<&str>, today: &str, expect: &[(Severity, &str)]) {
        let mut text = String::from(
            "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
             client_id = \"11111111-2222-3333-4444-555555555555\"\n\
             client_type = \"confidential\"\n",
        );
        if let Some(e) = expires {
            text.push_str(&format!("client_secret_expires = {e}\n"));
        }
        text.push_str("[source]\nkind = \"demo\"\n");
        let firm = FileText {
            path: Path::new("/etc/docketsync/config.toml"),
            text: &text,
        };
        let config = validate(Some(firm), None, &|_| true).expect("valid");
        let today = NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap();
        let got = notices(&config, today);
        assert_eq!(got.len(), expect.len(), "{got:#?}");
        for (n, (sev, frag)) in got.iter().zip(expect) {
            assert_eq!(n.severity, *sev, "{n:#?}");
            let t = english();
            let text = format!(
                "{}: {}",
                t.render(&n.text),
                t.attr(&n.text, "body").unwrap_or_default()
            );
            assert!(text.contains(frag), "{text:?} lacks {frag:?}");
        }
    }

    #[test]
    fn secret_expiry_drives_warnings() {
        check(Some("2026-12-31"), "2026-01-01", &[]);
        check(
            Some("2026-12-31"),
            "2026-12-01",
            &[(Severity::Warn, "in 30 days")],
        );
        check(
            Some("2026-12-31"),
            "2026-12-30",
            &[(Severity::Warn, "in 1 day")],
        );
        check(
            Some("2026-12-31"),
            "2026-12-31",
            &[(Severity::Warn, "31 Dec 2026, today")],
        );
        check(
            Some("2026-12-31"),
            "2027-01-01",
            &[(Severity::Fail, "expired on 31 Dec 2026")],
        );
        check(
            Some("\"2026-12-31\""),
            "2027-01-01",
            &[(Severity::Fail, "AADSTS7000222")],
        );
        check(None, "2026-01-01", &[(Severity::Warn, "not set")]);
    }
}

#[cfg(test)]
mod load_tests {
    use super::*;

    #[test]
    fn a_missing_firm_file_is_one_problem_not_also_every_key_it_would_hold() {
        // It listed "4 problems": the file, then tenant, client_id and
        // source.kind as missing; the tray's first line said "The
        // configuration has 4 problems" instead of what is wrong.
        let missing = Path::new("/nonexistent-docketsync-test/config.toml");
        let Err(Problems(problems)) = load(missing, &missing.with_file_name("user.toml")) else {
            panic!("a missing firm file loads");
        };
        let got: Vec<_> = problems
            .iter()
            .map(|p| (english().render(&p.reason), p.key.clone(), p.fix.clone()))
            .collect();
        assert_eq!(
            got,
            [(
                "Configuration file missing".to_string(),
                None,
                Action::AskAdmin
            )]
        );
    }
}

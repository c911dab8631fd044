//! The pure validation: two TOML texts in, a [`Config`] or every problem out.
//!
//! Steps: parse each file (syntax errors with line/column); scan each file
//! against [`SCHEMA`] (unknown keys with a suggestion, secrets, firm-only
//! keys in the user file); merge the user's permitted keys over the firm
//! file; read every key of the merged table with its type and rules,
//! collecting problems instead of stopping at the first.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use toml::{Table, Value};
use uuid::Uuid;

use crate::{
    AppPrefs, ClientType, Config, Conventions, DeadlineKind, DeadlinesTo, FileText, Location,
    LogLevel, Logging, Microsoft, Modules, Policy, Problem, Problems, Source, SourceAuth, Storage,
    Tenant, DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_BASE_URL, DEFAULT_SCOPES,
};

/// Every section and its keys.
const SCHEMA: &[(&str, &[&str])] = &[
    (
        "microsoft",
        &[
            "tenant",
            "client_id",
            "authority_host",
            "graph_base_url",
            "client_type",
            "client_secret_expires",
            "redirect_port",
            "redirect_path",
            "redirect_uri",
            "extra_ca_file",
            "scopes",
        ],
    ),
    (
        "source",
        &[
            "kind",
            "path",
            "url",
            "tasks_url",
            "contacts_url",
            "auth",
            "username",
        ],
    ),
    ("modules", &["calendar", "tasks", "contacts"]),
    (
        "policy",
        &[
            "deadlines_to",
            "force_private",
            "max_delete_share",
            "sync_interval_minutes",
            "keep_alive_hours",
            "mailbox_time_zone",
        ],
    ),
    ("logging", &["level", "keep_days"]),
    ("app", &["language", "start_at_login"]),
    ("storage", &["allow_plaintext_tokens"]),
    (
        "conventions",
        &[
            "kind_property",
            "deadline_categories",
            "followup_categories",
            "default_kind",
            "subscribed_property",
            "subscribed_categories",
        ],
    ),
];

/// Keys that would hold a secret. They are never accepted in a file.
const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "secret",
    "password",
    "refresh_token",
    "access_token",
    "token",
];

/// Whether a per-user overrides file may set `section.key`. Everything
/// else is firm-only. The source's addresses and user name are per
/// fee-earner (a PMS publishes one feed or collection per person); the
/// kind of source and how it authenticates stay the firm's choice.
pub fn user_may_set(section: &str, key: &str) -> bool {
    matches!(
        (section, key),
        ("modules", _)
            | ("logging", _)
            | ("app", _)
            | ("policy", "sync_interval_minutes")
            | (
                "source",
                "path" | "url" | "tasks_url" | "contacts_url" | "username"
            )
    )
}

/// Validate the firm file and the user's overrides. `file_exists` answers
/// whether a path names an existing file (for `extra_ca_file` and an ICS
/// `source.path`); it is a parameter so that this function stays pure.
pub fn validate(
    firm: Option<FileText<'_>>,
    user: Option<FileText<'_>>,
    file_exists: &dyn Fn(&Path) -> bool,
) -> Result<Config, Problems> {
    let mut problems = vec![];
    let firm_table = firm.and_then(|f| parse(f, &mut problems));
    // A firm file that does not parse would make every required key look
    // missing: report its syntax error only.
    let firm_unreadable = firm.is_some() && firm_table.is_none();
    let user_table = user.and_then(|f| parse(f, &mut problems));

    let mut merged = Table::new();
    let mut user_keys = BTreeSet::new();
    if let (Some(f), Some(t)) = (firm, &firm_table) {
        for (section, key, value) in scan(t, f.path, false, &mut problems) {
            insert(&mut merged, section, key, value);
        }
    }
    if let (Some(f), Some(t)) = (user, &user_table) {
        for (section, key, value) in scan(t, f.path, true, &mut problems) {
            user_keys.insert((section.to_string(), key.to_string()));
            insert(&mut merged, section, key, value);
        }
    }

    let mut r = Reader {
        merged,
        user_keys,
        firm_path: firm.map(|f| f.path),
        user_path: user.map(|f| f.path),
        problems,
        file_exists,
        firm_unreadable,
    };
    let config = read_config(&mut r);
    if r.problems.is_empty() {
        Ok(config)
    } else {
        Err(Problems(r.problems))
    }
}

fn parse(file: FileText<'_>, problems: &mut Vec<Problem>) -> Option<Table> {
    match file.text.parse::<Table>() {
        Ok(t) => Some(t),
        Err(e) => {
            let line_col = e.span().map(|s| line_col(file.text, s.start));
            let at = line_col
                .map(|(l, c)| format!(" at line {l}, column {c}"))
                .unwrap_or_default();
            problems.push(Problem {
                location: Some(Location {
                    file: file.path.to_path_buf(),
                    line_col,
                }),
                key: None,
                reason: format!("TOML syntax error: {}", e.message().trim()),
                fix: format!(
                    "correct the syntax{at}: text values need double quotes \
                     (tenant = \"contoso.onmicrosoft.com\"), true/false and numbers do not"
                ),
            });
            None
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn insert(merged: &mut Table, section: &str, key: &str, value: Value) {
    let entry = merged
        .entry(section.to_string())
        .or_insert_with(|| Value::Table(Table::new()));
    if let Value::Table(t) = entry {
        t.insert(key.to_string(), value);
    }
}

fn nearest<'s>(word: &str, candidates: impl IntoIterator<Item = &'s str>) -> Option<&'s str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Sections in which `key` is valid.
fn sections_with(key: &str) -> Vec<&'static str> {
    SCHEMA
        .iter()
        .filter(|(_, keys)| keys.contains(&key))
        .map(|(s, _)| *s)
        .collect()
}

fn secret_problem(file: &Path, key: String) -> Problem {
    Problem {
        location: Some(file_loc(file)),
        key: Some(key),
        reason: "secrets are never read from a configuration file (files are copied, backed up \
                 and readable by administrators)"
            .into(),
        fix: "delete this line and store the secret in the OS keyring (Windows Credential \
              Manager, macOS Keychain or the Secret Service on Linux) when Docket Sync asks \
              for it"
            .into(),
    }
}

fn file_loc(file: &Path) -> Location {
    Location {
        file: file.to_path_buf(),
        line_col: None,
    }
}

/// Check one file's structure; return its known, permitted keys.
fn scan(
    table: &Table,
    file: &Path,
    is_user: bool,
    problems: &mut Vec<Problem>,
) -> Vec<(&'static str, &'static str, Value)> {
    let mut out = vec![];
    let unknown = |key: String, reason: String, fix: String| Problem {
        location: Some(file_loc(file)),
        key: Some(key),
        reason,
        fix,
    };
    for (name, value) in table {
        let Value::Table(inner) = value else {
            if SECRET_KEYS.contains(&name.as_str()) {
                problems.push(secret_problem(file, name.clone()));
                continue;
            }
            let fix = match sections_with(name).first() {
                Some(s) => format!("move it below a [{s}] line"),
                None => "remove it; see docs/configuration.md for the valid keys".into(),
            };
            problems.push(unknown(
                name.clone(),
                "keys must be inside a section such as [microsoft]".into(),
                fix,
            ));
            continue;
        };
        let Some((section, keys)) = SCHEMA.iter().find(|(s, _)| s == name) else {
            let fix = match nearest(name, SCHEMA.iter().map(|(s, _)| *s)) {
                Some(s) => format!("did you mean [{s}]?"),
                None => format!(
                    "remove it; the sections are {}",
                    SCHEMA
                        .iter()
                        .map(|(s, _)| format!("[{s}]"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            problems.push(unknown(name.clone(), "unknown section".into(), fix));
            continue;
        };
        for (key, value) in inner {
            let dotted = format!("{section}.{key}");
            if SECRET_KEYS.contains(&key.as_str()) {
                problems.push(secret_problem(file, dotted));
                continue;
            }
            let Some(known) = keys.iter().find(|k| *k == key) else {
                let elsewhere = sections_with(key);
                let fix = if let Some(s) = elsewhere.first() {
                    format!("{key} belongs in [{s}]: move it there")
                } else if let Some(k) = nearest(key, keys.iter().copied()) {
                    format!("did you mean {section}.{k}?")
                } else {
                    format!("remove it; [{section}] accepts {}", keys.join(", "))
                };
                problems.push(unknown(dotted, "unknown key".into(), fix));
                continue;
            };
            if is_user && !user_may_set(section, known) {
                problems.push(Problem {
                    location: Some(file_loc(file)),
                    key: Some(dotted),
                    reason: "only the firm configuration may set this key; a personal \
                             override cannot change it"
                        .into(),
                    fix: "remove it from your personal overrides file and ask your IT \
                          administrator to change the firm configuration"
                        .into(),
                });
                continue;
            }
            out.push((*section, *known, value.clone()));
        }
    }
    out
}

struct Reader<'a> {
    merged: Table,
    user_keys: BTreeSet<(String, String)>,
    firm_path: Option<&'a Path>,
    user_path: Option<&'a Path>,
    problems: Vec<Problem>,
    file_exists: &'a dyn Fn(&Path) -> bool,
    firm_unreadable: bool,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "text",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a decimal number",
        Value::Boolean(_) => "true/false",
        Value::Datetime(_) => "a date/time",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

impl Reader<'_> {
    fn value(&self, section: &str, key: &str) -> Option<&Value> {
        self.merged.get(section)?.as_table()?.get(key)
    }

    /// The file a key's value came from (user overrides win).
    fn origin(&self, section: &str, key: &str) -> Option<&Path> {
        if self
            .user_keys
            .contains(&(section.to_string(), key.to_string()))
        {
            self.user_path
        } else {
            self.firm_path
        }
    }

    fn bad(&mut self, section: &str, key: &str, reason: impl Into<String>, fix: impl Into<String>) {
        let location = self.origin(section, key).or(self.firm_path).map(file_loc);
        self.problems.push(Problem {
            location,
            key: Some(format!("{section}.{key}")),
            reason: reason.into(),
            fix: fix.into(),
        });
    }

    fn wrong_type(&mut self, section: &str, key: &str, want: &str, example: &str) {
        let got = self.value(section, key).map(type_name).unwrap_or("nothing");
        self.bad(
            section,
            key,
            format!("expected {want}, found {got}"),
            format!("write it as {key} = {example}"),
        );
    }

    fn string(&mut self, section: &str, key: &str, example: &str) -> Option<String> {
        match self.value(section, key)? {
            Value::String(s) => Some(s.trim().to_string()),
            _ => {
                self.wrong_type(section, key, "text in double quotes", example);
                None
            }
        }
    }

    fn boolean(&mut self, section: &str, key: &str, default: bool) -> bool {
        match self.value(section, key) {
            None => default,
            Some(Value::Boolean(b)) => *b,
            Some(_) => {
                self.wrong_type(section, key, "true or false", "true");
                default
            }
        }
    }

    /// An integer in `range`, or `default` when absent.
    fn integer(
        &mut self,
        section: &str,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        default: i64,
        why: &str,
    ) -> i64 {
        match self.value(section, key) {
            None => default,
            Some(Value::Integer(i)) if range.contains(i) => *i,
            Some(Value::Integer(i)) => {
                let i = *i;
                self.bad(
                    section,
                    key,
                    format!("{i} is out of range: {why}"),
                    format!(
                        "use a whole number from {} to {} (default {default})",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
            Some(_) => {
                self.wrong_type(section, key, "a whole number", &default.to_string());
                default
            }
        }
    }

    /// One of `options`, or `default` when absent.
    fn choice(
        &mut self,
        section: &str,
        key: &str,
        options: &[&'static str],
        default: Option<&'static str>,
    ) -> Option<&'static str> {
        let example = format!("\"{}\"", options[0]);
        let Some(value) = self.string(section, key, &example) else {
            return default;
        };
        if let Some(o) = options.iter().find(|o| o.eq_ignore_ascii_case(&value)) {
            return Some(o);
        }
        let list = options
            .iter()
            .map(|o| format!("\"{o}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let fix = match nearest(&value, options.iter().copied()) {
            Some(n) => format!("did you mean \"{n}\"? The choices are {list}"),
            None => format!("set it to one of {list}"),
        };
        self.bad(
            section,
            key,
            format!("\"{value}\" is not a valid choice"),
            fix,
        );
        None
    }

    fn missing(&mut self, section: &str, key: &str, example: &str) {
        if self.firm_unreadable {
            return;
        }
        let file = self
            .firm_path
            .map(|p| format!(" of {}", p.display()))
            .unwrap_or_default();
        self.problems.push(Problem {
            location: self.firm_path.map(file_loc),
            key: Some(format!("{section}.{key}")),
            reason: "is required but not set".into(),
            fix: format!("add `{key} = {example}` below the [{section}] line{file}"),
        });
    }

    /// An http(s) URL; https unless the host is loopback; no credentials.
    fn web_url(&mut self, section: &str, key: &str, example: &str) -> Option<url::Url> {
        let text = self.string(section, key, &format!("\"{example}\""))?;
        let url = match url::Url::parse(&text) {
            Ok(u) => u,
            Err(e) => {
                self.bad(
                    section,
                    key,
                    format!("\"{text}\" is not a URL ({e})"),
                    format!("write a full URL such as \"{example}\""),
                );
                return None;
            }
        };
        if !url.username().is_empty() || url.password().is_some() {
            self.bad(
                section,
                key,
                "the URL contains a user name or password; credentials are never kept in a \
                 configuration file",
                "remove the user:password@ part; Docket Sync asks for the credentials and \
                 keeps them in the OS keyring",
            );
            return None;
        }
        match url.scheme() {
            "https" => Some(url),
            "http" if is_loopback(&url) => Some(url),
            "http" => {
                self.bad(
                    section,
                    key,
                    "plain http is only allowed for this computer (localhost, 127.0.0.1); \
                     anything else must use https",
                    format!("use https, e.g. \"{example}\""),
                );
                None
            }
            other => {
                self.bad(
                    section,
                    key,
                    format!("scheme \"{other}\" is not supported"),
                    format!("use an https URL such as \"{example}\""),
                );
                None
            }
        }
    }

    /// A file path; relative paths are taken from the folder of the file
    /// that set the key. The file must exist.
    fn existing_file(&mut self, section: &str, key: &str, example: &str) -> Option<PathBuf> {
        let text = self.string(section, key, &format!("\"{example}\""))?;
        if text.is_empty() {
            self.bad(
                section,
                key,
                "the path is empty",
                format!("set a path such as \"{example}\", or remove the line"),
            );
            return None;
        }
        let path = PathBuf::from(&text);
        let path = match (path.is_relative(), self.origin(section, key)) {
            (true, Some(origin)) => origin.parent().unwrap_or(Path::new("")).join(path),
            _ => path,
        };
        if !(self.file_exists)(&path) {
            self.bad(
                section,
                key,
                format!("{} does not exist", path.display()),
                "correct the path (relative paths start at the configuration file's folder), \
                 or remove the line",
            );
            return None;
        }
        Some(path)
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn read_config(r: &mut Reader<'_>) -> Config {
    let microsoft = read_microsoft(r);
    let source = read_source(r);
    let modules = Modules {
        calendar: r.boolean("modules", "calendar", true),
        tasks: r.boolean("modules", "tasks", true),
        contacts: r.boolean("modules", "contacts", true),
    };
    let deadlines_to = match r.choice(
        "policy",
        "deadlines_to",
        &["todo", "calendar"],
        Some("todo"),
    ) {
        Some("calendar") => DeadlinesTo::Calendar,
        _ => DeadlinesTo::Todo,
    };
    let max_delete_share = match r.value("policy", "max_delete_share") {
        None => 0.2,
        Some(Value::Float(f)) if (0.0..=1.0).contains(f) => *f,
        Some(Value::Integer(i)) if (0..=1).contains(i) => *i as f64,
        Some(Value::Float(_) | Value::Integer(_)) => {
            r.bad(
                "policy",
                "max_delete_share",
                "must be a share between 0 and 1 (0.2 = at most 20% of exported items may be \
                 deleted in one run)",
                "use a number from 0 to 1, e.g. max_delete_share = 0.2",
            );
            0.2
        }
        Some(_) => {
            r.wrong_type("policy", "max_delete_share", "a number from 0 to 1", "0.2");
            0.2
        }
    };
    let mailbox_time_zone = r
        .string("policy", "mailbox_time_zone", "\"Europe/Berlin\"")
        .and_then(|name| match name.parse::<chrono_tz::Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                r.bad(
                    "policy",
                    "mailbox_time_zone",
                    format!("'{name}' is not an IANA time zone name"),
                    "write the zone as in the IANA database, e.g. mailbox_time_zone = \"Europe/Berlin\", or remove the key to use the computer's zone",
                );
                None
            }
        });
    let policy = Policy {
        mailbox_time_zone,
        deadlines_to,
        force_private: r.boolean("policy", "force_private", false),
        max_delete_share,
        sync_interval_minutes: r.integer(
            "policy",
            "sync_interval_minutes",
            5..=1440,
            15,
            "syncing more often than every 5 minutes gets throttled by Microsoft Graph",
        ) as u32,
        keep_alive_hours: r.integer(
            "policy",
            "keep_alive_hours",
            1..=720,
            24,
            "the sign-in must be refreshed well within Entra's 90-day inactivity limit",
        ) as u32,
    };
    let level = match r.choice(
        "logging",
        "level",
        &["error", "warn", "info", "debug", "trace"],
        Some("info"),
    ) {
        Some("error") => LogLevel::Error,
        Some("warn") => LogLevel::Warn,
        Some("debug") => LogLevel::Debug,
        Some("trace") => LogLevel::Trace,
        _ => LogLevel::Info,
    };
    let logging = Logging {
        level,
        keep_days: r.integer(
            "logging",
            "keep_days",
            1..=365,
            14,
            "logs are kept between 1 day and a year",
        ) as u32,
    };
    let storage = Storage {
        allow_plaintext_tokens: r.boolean("storage", "allow_plaintext_tokens", false),
    };
    let app = AppPrefs {
        language: match r.choice("app", "language", &["system", "en", "de"], Some("system")) {
            Some("en") => Some("en".into()),
            Some("de") => Some("de".into()),
            _ => None,
        },
        start_at_login: r.boolean("app", "start_at_login", true),
    };
    let conventions = read_conventions(r);
    Config {
        microsoft,
        source,
        modules,
        policy,
        logging,
        storage,
        conventions,
        app,
    }
}

/// `[conventions]`: how the firm marks deadlines, follow-ups and
/// subscribed contacts in its PMS data.
fn read_conventions(r: &mut Reader<'_>) -> Conventions {
    let d = Conventions::default();
    let default_kind = match r.choice(
        "conventions",
        "default_kind",
        &["deadline", "followup"],
        Some("deadline"),
    ) {
        Some("followup") => DeadlineKind::FollowUp,
        _ => DeadlineKind::Deadline,
    };
    Conventions {
        kind_property: x_property(r, "kind_property").unwrap_or(d.kind_property),
        deadline_categories: names(r, "deadline_categories", "[\"Frist\", \"Deadline\"]")
            .unwrap_or(d.deadline_categories),
        followup_categories: names(
            r,
            "followup_categories",
            "[\"Wiedervorlage\", \"Follow-up\"]",
        )
        .unwrap_or(d.followup_categories),
        default_kind,
        subscribed_property: x_property(r, "subscribed_property").unwrap_or(d.subscribed_property),
        subscribed_categories: names(r, "subscribed_categories", "[\"Outlook\"]")
            .unwrap_or(d.subscribed_categories),
    }
}

/// An iCalendar/vCard extension property name: `X-` and then letters,
/// digits and dashes (RFC 5545 section 3.8.8.2).
fn x_property(r: &mut Reader<'_>, key: &str) -> Option<String> {
    let name = r.string("conventions", key, "\"X-DOCKET-KIND\"")?;
    let upper = name.to_ascii_uppercase();
    let valid = upper.len() > 2
        && upper.starts_with("X-")
        && upper.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Some(upper)
    } else {
        r.bad(
            "conventions",
            key,
            format!("'{name}' is not an extension property name"),
            "use X- followed by letters, digits and dashes, as the PMS writes it, e.g. \"X-PMS-TYPE\"",
        );
        None
    }
}

/// A list of category names (non-empty text each).
fn names(r: &mut Reader<'_>, key: &str, example: &str) -> Option<Vec<String>> {
    match r.value("conventions", key)? {
        Value::Array(items) => {
            let names: Option<Vec<String>> = items
                .iter()
                .map(|v| match v {
                    Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    _ => None,
                })
                .collect();
            if names.is_none() {
                r.bad(
                    "conventions",
                    key,
                    "every entry must be a non-empty category name in double quotes",
                    format!("write {key} = {example}"),
                );
            }
            names
        }
        _ => {
            r.wrong_type("conventions", key, "a list of category names", example);
            None
        }
    }
}

const TENANT_FIX: &str = "set it to your firm's Directory (tenant) ID, a GUID shown on the \
                          Overview page of the Entra admin center, or to its domain, e.g. \
                          \"contoso.onmicrosoft.com\"";

fn read_tenant(r: &mut Reader<'_>) -> Option<Tenant> {
    let example = "\"contoso.onmicrosoft.com\"";
    let Some(text) = r.string("microsoft", "tenant", example) else {
        if r.value("microsoft", "tenant").is_none() {
            r.missing("microsoft", "tenant", example);
        }
        return None;
    };
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "common" | "organizations" | "consumers") {
        r.bad(
            "microsoft",
            "tenant",
            format!(
                "\"{text}\" is a multi-tenant endpoint: it would accept accounts from any \
                 organisation, and Entra rejects it for a single-tenant app (AADSTS50194)"
            ),
            TENANT_FIX,
        );
        return None;
    }
    if let Some(id) = parse_guid(&text) {
        return Some(Tenant::Id(id));
    }
    if is_domain(&lower) {
        return Some(Tenant::Domain(lower));
    }
    r.bad(
        "microsoft",
        "tenant",
        format!("\"{text}\" is neither a tenant ID (GUID) nor a domain name"),
        TENANT_FIX,
    );
    None
}

/// A GUID in its usual 8-4-4-4-12 form.
fn parse_guid(text: &str) -> Option<Uuid> {
    if text.len() != 36 {
        return None;
    }
    Uuid::try_parse(text).ok()
}

fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

fn read_microsoft(r: &mut Reader<'_>) -> Microsoft {
    let tenant = read_tenant(r);
    let client_id_example = "\"00000000-0000-0000-0000-000000000000\"";
    let client_id = match r.string("microsoft", "client_id", client_id_example) {
        Some(text) => match parse_guid(&text) {
            Some(id) => Some(id),
            None => {
                r.bad(
                    "microsoft",
                    "client_id",
                    format!("\"{text}\" is not a GUID"),
                    "copy the Application (client) ID from the app registration's Overview \
                     page, e.g. \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"",
                );
                None
            }
        },
        None => {
            if r.value("microsoft", "client_id").is_none() {
                r.missing("microsoft", "client_id", client_id_example);
            }
            None
        }
    };

    let authority_host = match r.web_url("microsoft", "authority_host", DEFAULT_AUTHORITY_HOST) {
        None => DEFAULT_AUTHORITY_HOST.to_string(),
        Some(url) => {
            if (url.path() != "/" && !url.path().is_empty())
                || url.query().is_some()
                || url.fragment().is_some()
            {
                r.bad(
                    "microsoft",
                    "authority_host",
                    format!(
                        "\"{url}\" has a path; the authority host is only scheme, host and port"
                    ),
                    "remove the path (the tenant goes in microsoft.tenant), e.g. \
                     \"https://login.microsoftonline.com\"",
                );
            }
            url.origin().ascii_serialization()
        }
    };
    let graph_base_url = match r.web_url("microsoft", "graph_base_url", DEFAULT_GRAPH_BASE_URL) {
        None => DEFAULT_GRAPH_BASE_URL.to_string(),
        Some(url) => {
            if url.query().is_some() || url.fragment().is_some() {
                r.bad(
                    "microsoft",
                    "graph_base_url",
                    "the URL has a query or fragment",
                    format!("use the base URL only, e.g. \"{DEFAULT_GRAPH_BASE_URL}\""),
                );
            }
            url.as_str().trim_end_matches('/').to_string()
        }
    };

    let client_type = match r.choice(
        "microsoft",
        "client_type",
        &["public", "confidential"],
        Some("public"),
    ) {
        Some("confidential") => ClientType::Confidential,
        _ => ClientType::Public,
    };
    let client_secret_expires = match r.value("microsoft", "client_secret_expires").cloned() {
        None => None,
        Some(v) => {
            let text = match &v {
                Value::Datetime(d) => Some(d.to_string()),
                Value::String(s) => Some(s.trim().to_string()),
                _ => None,
            };
            match text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()) {
                Some(d) => Some(d),
                None => {
                    r.bad(
                        "microsoft",
                        "client_secret_expires",
                        "expected a date such as 2026-12-31",
                        "write the date as client_secret_expires = 2026-12-31 (the 'Expires' \
                         column in Certificates & secrets)",
                    );
                    None
                }
            }
        }
    };
    if client_type == ClientType::Public && client_secret_expires.is_some() {
        r.bad(
            "microsoft",
            "client_secret_expires",
            "a public client has no client secret",
            "remove the line, or set client_type = \"confidential\" if the app is registered \
             on the Web platform with a secret",
        );
    }

    let port_set = r.value("microsoft", "redirect_port").is_some();
    let path_set = r.value("microsoft", "redirect_path").is_some();
    let redirect_port = match r.value("microsoft", "redirect_port") {
        None => 0,
        Some(Value::Integer(0)) => 0,
        Some(Value::Integer(p)) if (1024..=65535).contains(p) => *p as u16,
        Some(Value::Integer(p)) => {
            let p = *p;
            r.bad(
                "microsoft",
                "redirect_port",
                format!("{p} is not a usable port: ports below 1024 need administrator rights"),
                "use 0 (the default: a free port is chosen at each sign-in) or a fixed port \
                 from 1024 to 65535 that is registered on the app's Web platform",
            );
            0
        }
        Some(_) => {
            r.wrong_type("microsoft", "redirect_port", "a whole number", "0");
            0
        }
    };
    let redirect_path = match r.string("microsoft", "redirect_path", "\"/\"") {
        None => "/".to_string(),
        Some(p) if p.starts_with('/') && !p.contains(['?', '#', ' ']) => p,
        Some(p) => {
            r.bad(
                "microsoft",
                "redirect_path",
                format!("\"{p}\" is not a URL path"),
                "use a path that starts with / and has no ?, # or spaces, e.g. \"/\"",
            );
            "/".to_string()
        }
    };
    let redirect_uri = read_redirect_uri(r);
    if redirect_uri.is_some() && (port_set || path_set) {
        r.bad(
            "microsoft",
            "redirect_uri",
            "redirect_uri is set together with redirect_port/redirect_path",
            "set either redirect_uri alone, or redirect_port and redirect_path",
        );
    }

    let extra_ca_file = r.existing_file("microsoft", "extra_ca_file", "firm-ca.pem");

    let scopes = match r.value("microsoft", "scopes").cloned() {
        None => DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
        Some(Value::Array(items)) => {
            let scopes: Option<Vec<String>> = items
                .iter()
                .map(|v| match v {
                    Value::String(s) if !s.trim().is_empty() && !s.trim().contains(' ') => {
                        Some(s.trim().to_string())
                    }
                    _ => None,
                })
                .collect();
            match scopes {
                None => {
                    r.bad(
                        "microsoft",
                        "scopes",
                        "every scope must be one non-empty word in double quotes",
                        "write scopes = [\"offline_access\", \"User.Read\", \
                         \"Calendars.ReadWrite\"]",
                    );
                    vec![]
                }
                Some(s) if !s.iter().any(|s| s == "offline_access") => {
                    r.bad(
                        "microsoft",
                        "scopes",
                        "offline_access is missing: without it Entra issues no refresh token \
                         and every user would have to sign in again each hour",
                        "add \"offline_access\" to the list",
                    );
                    s
                }
                Some(s) => s,
            }
        }
        Some(_) => {
            r.wrong_type(
                "microsoft",
                "scopes",
                "a list of scopes",
                "[\"offline_access\", \"User.Read\", \"Calendars.ReadWrite\"]",
            );
            vec![]
        }
    };

    Microsoft {
        tenant: tenant.unwrap_or(Tenant::Domain(String::new())),
        client_id: client_id.unwrap_or_default(),
        authority_host,
        graph_base_url,
        client_type,
        client_secret_expires,
        redirect_port,
        redirect_path,
        redirect_uri,
        extra_ca_file,
        scopes,
    }
}

fn read_redirect_uri(r: &mut Reader<'_>) -> Option<String> {
    let text = r.string("microsoft", "redirect_uri", "\"http://localhost:50993/\"")?;
    let fix = "use a loopback address such as \"http://localhost:50993/\" or \
               \"http://127.0.0.1:50993/\", exactly as registered on the app";
    let url = match url::Url::parse(&text) {
        Ok(u) => u,
        Err(e) => {
            r.bad(
                "microsoft",
                "redirect_uri",
                format!("\"{text}\" is not a URL ({e})"),
                fix,
            );
            return None;
        }
    };
    let host_ok = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        _ => false,
    };
    if url.scheme() != "http" || !host_ok || url.fragment().is_some() {
        r.bad(
            "microsoft",
            "redirect_uri",
            format!(
                "\"{text}\" is not a loopback redirect: Docket Sync receives the sign-in on \
                 this computer, at http://localhost or http://127.0.0.1 (Entra does not \
                 support [::1])"
            ),
            fix,
        );
        return None;
    }
    Some(url.to_string())
}

fn read_source(r: &mut Reader<'_>) -> Source {
    let kind = r.choice("source", "kind", &["demo", "ics", "caldav"], None);
    if kind.is_none() && r.value("source", "kind").is_none() {
        r.missing("source", "kind", "\"ics\"");
    }
    let has = |r: &Reader<'_>, key| r.value("source", key).is_some();
    let unused = |r: &mut Reader<'_>, keys: &[&str], kind: &str| {
        for key in keys {
            if r.value("source", key).is_some() {
                r.bad(
                    "source",
                    key,
                    format!("is not used by kind = \"{kind}\""),
                    "remove the line",
                );
            }
        }
    };
    match kind {
        Some("ics") => match (has(r, "path"), has(r, "url")) {
            (true, true) => {
                unused(r, &["tasks_url", "contacts_url"], "ics");
                r.bad(
                    "source",
                    "url",
                    "both path and url are set",
                    "keep path for an .ics file on disk, or url for a calendar feed, not both",
                );
                Source::Demo
            }
            (false, false) => {
                unused(r, &["tasks_url", "contacts_url"], "ics");
                r.missing("source", "path", "\"C:/Exports/calendar.ics\"");
                Source::Demo
            }
            (true, false) => {
                for key in ["auth", "username"] {
                    if has(r, key) {
                        r.bad(
                            "source",
                            key,
                            "is not used with a path: a file on disk needs no credential",
                            "remove the line (it is for url = \"https://...\")",
                        );
                    }
                }
                unused(r, &["tasks_url", "contacts_url"], "ics");
                r.existing_file("source", "path", "calendar.ics")
                    .map_or(Source::Demo, |path| Source::IcsFile { path })
            }
            (false, true) => {
                unused(r, &["tasks_url", "contacts_url"], "ics");
                let (auth, username) = read_source_auth(r);
                r.web_url("source", "url", "https://pms.example.com/feed.ics")
                    .map_or(Source::Demo, |url| Source::IcsUrl {
                        url: url.to_string(),
                        auth,
                        username,
                    })
            }
        },
        Some("caldav") => {
            unused(r, &["path"], "caldav");
            let (auth, username) = read_source_auth(r);
            let tasks_url = r
                .web_url(
                    "source",
                    "tasks_url",
                    "https://dav.example.com/calendars/anna/tasks/",
                )
                .map(|u| u.to_string());
            let contacts_url = r
                .web_url(
                    "source",
                    "contacts_url",
                    "https://dav.example.com/addressbooks/anna/contacts/",
                )
                .map(|u| u.to_string());
            if !has(r, "url") {
                r.missing(
                    "source",
                    "url",
                    "\"https://dav.example.com/calendars/anna/\"",
                );
                return Source::Demo;
            }
            r.web_url("source", "url", "https://dav.example.com/calendars/anna/")
                .map_or(Source::Demo, |url| Source::CalDav {
                    url: url.to_string(),
                    tasks_url,
                    contacts_url,
                    auth,
                    username,
                })
        }
        Some(_) => {
            unused(
                r,
                &[
                    "path",
                    "url",
                    "tasks_url",
                    "contacts_url",
                    "auth",
                    "username",
                ],
                "demo",
            );
            Source::Demo
        }
        None => Source::Demo,
    }
}

/// `source.auth` and `source.username`. `auth` defaults to "basic" when a
/// username is set (the password comes from the keyring), else "none".
fn read_source_auth(r: &mut Reader<'_>) -> (SourceAuth, Option<String>) {
    let username = r.string("source", "username", "\"anna.berger\"");
    let username = match username {
        Some(u) if u.is_empty() => {
            r.bad(
                "source",
                "username",
                "the user name is empty",
                "set the user name the PMS's server knows, e.g. \"anna.berger\", or remove \
                 the line",
            );
            None
        }
        other => other,
    };
    let default = if username.is_some() { "basic" } else { "none" };
    let auth = match r.choice(
        "source",
        "auth",
        &["none", "basic", "bearer"],
        Some(default),
    ) {
        Some("basic") => SourceAuth::Basic,
        Some("bearer") => SourceAuth::Bearer,
        _ => SourceAuth::None,
    };
    let auth_set = r.value("source", "auth").is_some();
    match auth {
        SourceAuth::Basic if username.is_none() && r.value("source", "username").is_none() => {
            r.bad(
                "source",
                "auth",
                "auth = \"basic\" needs a user name, but source.username is not set",
                "add `username = \"anna.berger\"` below the [source] line (the password goes \
                 into the OS keyring with `docketsync source-credential set`)",
            );
        }
        SourceAuth::None | SourceAuth::Bearer if username.is_some() && auth_set => {
            let name = if auth == SourceAuth::None {
                "none"
            } else {
                "bearer"
            };
            r.bad(
                "source",
                "username",
                format!("is not used by auth = \"{name}\""),
                "remove the line, or set auth = \"basic\" if the server asks for a user name \
                 and password",
            );
        }
        _ => {}
    }
    (auth, username)
}

#[cfg(test)]
mod tests;

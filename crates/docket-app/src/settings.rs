//! The settings a user may change (modules, interval, start at login,
//! language), the firm's shown read-only, and the one writer of the user's
//! overrides file.
//!
//! What a user may set is `docket-config`'s [`user_may_set`] table; the
//! writer checks it and validates the merged result with the firm file
//! before it replaces the overrides file (atomically), so a setting the
//! firm does not allow, or a value out of range, is refused with the key
//! and the reason and the file stays as it was.

use std::path::Path;

use docket_config::{user_may_set, Config};
use serde::{Deserialize, Serialize};

use crate::{AppError, Message};

/// One change a user asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "setting", content = "value", rename_all = "snake_case")]
pub enum UserSetting {
    /// `calendar`, `tasks` or `contacts` on or off.
    Module {
        module: String,
        on: bool,
    },
    IntervalMinutes(u32),
    StartAtLogin(bool),
    /// `None`: follow the system.
    Language(Option<String>),
}

impl UserSetting {
    /// The dotted key and its TOML value.
    fn key_value(&self) -> (String, String, toml::Value) {
        match self {
            UserSetting::Module { module, on } => {
                ("modules".into(), module.clone(), toml::Value::Boolean(*on))
            }
            UserSetting::IntervalMinutes(m) => (
                "policy".into(),
                "sync_interval_minutes".into(),
                toml::Value::Integer(i64::from(*m)),
            ),
            UserSetting::StartAtLogin(on) => (
                "app".into(),
                "start_at_login".into(),
                toml::Value::Boolean(*on),
            ),
            UserSetting::Language(lang) => (
                "app".into(),
                "language".into(),
                toml::Value::String(lang.clone().unwrap_or_else(|| "system".into())),
            ),
        }
    }
}

/// The user's settings as they are now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSettings {
    pub calendar: bool,
    pub tasks: bool,
    pub contacts: bool,
    pub interval_minutes: u32,
    pub start_at_login: bool,
    /// `None`: the system's language.
    pub language: Option<String>,
}

/// A firm setting, shown read-only: the key and value as the firm file
/// has them (for IT and scripts), and what a fee-earner reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirmSetting {
    pub key: &'static str,
    pub value: String,
    /// Its name in words ("Deadlines and follow-ups go to").
    #[serde(skip)]
    pub label: Message,
    /// The value in words ("Microsoft To Do"); `None`: `value` as it is
    /// (a tenant id, a folder, an address).
    #[serde(skip)]
    pub shown: Option<Message>,
}

impl FirmSetting {
    fn new(key: &'static str, value: String, label: &str, shown: Option<&str>) -> FirmSetting {
        FirmSetting {
            key,
            value,
            label: Message::new(label),
            shown: shown.map(Message::new),
        }
    }
}

/// The settings part of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsView {
    pub user: UserSettings,
    /// Dotted keys of [`SettingsView::user`] the user may change.
    pub user_may_set: Vec<&'static str>,
    pub firm: Vec<FirmSetting>,
}

/// The view of `config`'s settings.
pub fn view(config: &Config) -> SettingsView {
    let keys = [
        "modules.calendar",
        "modules.tasks",
        "modules.contacts",
        "policy.sync_interval_minutes",
        "app.start_at_login",
        "app.language",
    ];
    let user_may = keys
        .into_iter()
        .filter(|k| {
            let (s, key) = k.split_once('.').unwrap_or_default();
            user_may_set(s, key)
        })
        .collect();
    let source = match &config.source {
        docket_config::Source::Demo => "demo".to_string(),
        docket_config::Source::IcsFile { path } => path.display().to_string(),
        docket_config::Source::IcsUrl { url, .. } => docket_source::redact_url(url.as_str()),
        docket_config::Source::CalDav { url, .. } => docket_source::redact_url(url.as_str()),
    };
    SettingsView {
        user: UserSettings {
            calendar: config.modules.calendar,
            tasks: config.modules.tasks,
            contacts: config.modules.contacts,
            interval_minutes: config.policy.sync_interval_minutes,
            start_at_login: config.app.start_at_login,
            language: config.app.language.clone(),
        },
        user_may_set: user_may,
        firm: vec![
            FirmSetting::new(
                "microsoft.tenant",
                config.microsoft.tenant.to_string(),
                "setting-tenant",
                None,
            ),
            FirmSetting::new(
                "source",
                source,
                "setting-source",
                matches!(config.source, docket_config::Source::Demo)
                    .then_some("setting-source-demo"),
            ),
            match config.policy.deadlines_to {
                docket_config::DeadlinesTo::Todo => FirmSetting::new(
                    "policy.deadlines_to",
                    "todo".into(),
                    "setting-deadlines-to",
                    Some("setting-deadlines-to-todo"),
                ),
                docket_config::DeadlinesTo::Calendar => FirmSetting::new(
                    "policy.deadlines_to",
                    "calendar".into(),
                    "setting-deadlines-to",
                    Some("setting-deadlines-to-calendar"),
                ),
            },
            FirmSetting::new(
                "policy.force_private",
                config.policy.force_private.to_string(),
                "setting-force-private",
                Some(if config.policy.force_private {
                    "setting-yes"
                } else {
                    "setting-no"
                }),
            ),
        ],
    }
}

/// Copy what [`UserSetting`] can change (modules, interval, start at login,
/// language) from `from` into `into`.
pub(crate) fn take_user_settings(into: &mut Config, from: &Config) {
    into.modules = from.modules;
    into.policy.sync_interval_minutes = from.policy.sync_interval_minutes;
    into.app = from.app.clone();
}

/// Apply `setting` to the overrides file `user_file`, validated against the
/// firm file (when there is one): the new configuration, or the problems
/// (the file is then unchanged).
pub fn write(
    firm_file: Option<&Path>,
    user_file: &Path,
    setting: &UserSetting,
) -> Result<Config, AppError> {
    let (section, key, value) = setting.key_value();
    let dotted = format!("{section}.{key}");
    let problem = |reason: docket_text::Message| {
        AppError::Config(docket_config::Problems(vec![docket_config::Problem {
            location: Some(docket_config::Location {
                file: user_file.to_path_buf(),
                line_col: None,
            }),
            key: Some(dotted.clone()),
            reason,
            fix: docket_text::Action::AskAdmin,
        }]))
    };
    let unwritable = |detail: String| {
        problem(
            docket_config::Kind::Unwritable
                .message()
                .text("path", user_file.display().to_string())
                .text("detail", detail),
        )
    };
    let unreadable = |path: &Path, detail: String| {
        problem(
            docket_config::Kind::Unreadable
                .message()
                .text("path", path.display().to_string())
                .text("detail", detail),
        )
    };
    if !user_may_set(&section, &key) {
        return Err(problem(docket_config::Kind::FirmOnly.message()));
    }
    let old = match std::fs::read_to_string(user_file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(unreadable(user_file, e.to_string())),
    };
    let mut table = old
        .parse::<toml::Table>()
        .map_err(|e| unreadable(user_file, e.to_string()))?;
    let entry = table
        .entry(section.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let Some(t) = entry.as_table_mut() else {
        return Err(unreadable(user_file, format!("[{section}] is not a table")));
    };
    t.insert(key.clone(), value);
    let text = toml::to_string(&table).map_err(|e| unwritable(e.to_string()))?;
    let firm_text = match firm_file {
        Some(f) => Some(std::fs::read_to_string(f).map_err(|e| unreadable(f, e.to_string()))?),
        None => None,
    };
    let config = docket_config::validate(
        firm_text
            .as_deref()
            .zip(firm_file)
            .map(|(text, path)| docket_config::FileText { path, text }),
        Some(docket_config::FileText {
            path: user_file,
            text: &text,
        }),
        &|p: &Path| p.exists(),
    );
    let config = match (config, firm_file) {
        (Ok(c), _) => Some(c),
        (Err(p), Some(_)) => return Err(AppError::Config(p)),
        // No firm file (tests, `App::with_config`): the caller merges.
        (Err(_), None) => None,
    };
    if let Some(dir) = user_file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| unwritable(e.to_string()))?;
    }
    let tmp = user_file.with_extension("toml.new");
    std::fs::write(&tmp, text.as_bytes()).map_err(|e| unwritable(e.to_string()))?;
    std::fs::rename(&tmp, user_file).map_err(|e| unwritable(e.to_string()))?;
    tracing::info!(key = %dotted, "user setting changed");
    config.ok_or_else(|| unwritable("no firm configuration to merge with".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRM: &str = "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n[source]\nkind = \"demo\"\n";

    /// The firm's settings read as words in both languages, not as the
    /// firm file's keys and values ("policy.deadlines_to  todo",
    /// "policy.force_private  false"); a tenant or a folder stays as it is.
    #[test]
    fn firm_settings_read_as_words() {
        #[track_caller]
        fn check(policy: &str, lang: crate::Lang, expect: [(&str, &str); 4]) {
            let dir = tempfile::tempdir().unwrap();
            let firm = dir.path().join("firm.toml");
            let pms = dir.path().join("termine.ics");
            std::fs::write(&pms, "").unwrap();
            let pms = pms.display().to_string();
            let text = FIRM.replace(
                "[source]\nkind = \"demo\"\n",
                &format!("[source]\nkind = \"ics\"\npath = {pms:?}\n"),
            );
            std::fs::write(&firm, format!("{text}{policy}")).unwrap();
            let config = docket_config::load(&firm, &dir.path().join("none.toml")).unwrap();
            let texts = crate::Texts::new(lang);
            let got: Vec<(String, String)> = view(&config)
                .firm
                .iter()
                .map(|f| {
                    let value = f.shown.as_ref().map(|m| texts.render(m));
                    (texts.render(&f.label), value.unwrap_or(f.value.clone()))
                })
                .collect();
            let want: Vec<(String, String)> = expect
                .iter()
                .map(|(l, v)| (l.to_string(), v.replace("{pms}", &pms)))
                .collect();
            assert_eq!(got, want, "{lang}");
        }
        use crate::Lang::{De, En};
        let calendar = "[policy]\ndeadlines_to = \"calendar\"\nforce_private = true\n";
        check(
            "",
            En,
            [
                (
                    "Microsoft 365 organisation (tenant)",
                    "contoso.onmicrosoft.com",
                ),
                ("Where the PMS data comes from", "{pms}"),
                ("Deadlines and follow-ups go to", "Microsoft To Do"),
                ("Appointments marked private in Outlook", "No"),
            ],
        );
        check(
            "",
            De,
            [
                (
                    "Microsoft-365-Organisation (Mandant)",
                    "contoso.onmicrosoft.com",
                ),
                ("Herkunft der Daten der Kanzleisoftware", "{pms}"),
                ("Ziel der Fristen und Wiedervorlagen", "Microsoft To Do"),
                ("Termine in Outlook als privat markiert", "Nein"),
            ],
        );
        check(
            calendar,
            En,
            [
                (
                    "Microsoft 365 organisation (tenant)",
                    "contoso.onmicrosoft.com",
                ),
                ("Where the PMS data comes from", "{pms}"),
                ("Deadlines and follow-ups go to", "The Outlook calendar"),
                ("Appointments marked private in Outlook", "Yes"),
            ],
        );
        check(
            calendar,
            De,
            [
                (
                    "Microsoft-365-Organisation (Mandant)",
                    "contoso.onmicrosoft.com",
                ),
                ("Herkunft der Daten der Kanzleisoftware", "{pms}"),
                ("Ziel der Fristen und Wiedervorlagen", "Outlook-Kalender"),
                ("Termine in Outlook als privat markiert", "Ja"),
            ],
        );
    }

    /// Apply `settings` in turn to an empty overrides file; `expect` is
    /// `Ok(fragments of the resulting file)` or `Err(key of the problem)`.
    #[track_caller]
    fn check(settings: &[UserSetting], expect: Result<&[&str], &str>) {
        let dir = tempfile::tempdir().unwrap();
        let firm = dir.path().join("firm.toml");
        let user = dir.path().join("user").join("config.toml");
        std::fs::write(&firm, FIRM).unwrap();
        let mut last = Ok(());
        for s in settings {
            last = write(Some(&firm), &user, s).map(drop);
            if last.is_err() {
                break;
            }
        }
        let file = std::fs::read_to_string(&user).unwrap_or_default();
        match (last, expect) {
            (Ok(()), Ok(fragments)) => {
                for f in fragments {
                    assert!(file.contains(f), "{f:?} not in {file}");
                }
                // What was written is what the app reads back.
                docket_config::load(&firm, &user).expect("valid");
            }
            (Err(AppError::Config(p)), Err(key)) => {
                assert_eq!(p.0[0].key.as_deref(), Some(key), "{p}");
            }
            (got, want) => panic!("got {got:?}, want {want:?}; file:\n{file}"),
        }
    }

    #[test]
    fn writing_the_users_settings() {
        check(
            &[
                UserSetting::Module {
                    module: "contacts".into(),
                    on: false,
                },
                UserSetting::IntervalMinutes(30),
                UserSetting::Language(Some("de".into())),
                UserSetting::StartAtLogin(false),
            ],
            Ok(&[
                "contacts = false",
                "sync_interval_minutes = 30",
                "language = \"de\"",
                "start_at_login = false",
            ]),
        );
        // Out of range: refused with the key, nothing written.
        check(
            &[UserSetting::IntervalMinutes(1)],
            Err("policy.sync_interval_minutes"),
        );
        // Not a module.
        check(
            &[UserSetting::Module {
                module: "notes".into(),
                on: true,
            }],
            Err("modules.notes"),
        );
        check(
            &[UserSetting::Language(None)],
            Ok(&["language = \"system\""]),
        );
    }

    #[test]
    fn a_refused_setting_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let firm = dir.path().join("firm.toml");
        let user = dir.path().join("config.toml");
        std::fs::write(&firm, FIRM).unwrap();
        write(Some(&firm), &user, &UserSetting::IntervalMinutes(20)).unwrap();
        let before = std::fs::read_to_string(&user).unwrap();
        assert!(write(Some(&firm), &user, &UserSetting::IntervalMinutes(99_999)).is_err());
        assert_eq!(std::fs::read_to_string(&user).unwrap(), before);
    }
}

//! Which sections and keys exist, which would hold a secret, and which a
//! user's overrides file may set: the structural checks of one file,
//! before any value is read.

use std::path::Path;

use docket_text::Action;
use toml::{Table, Value};

use super::file_loc;
use crate::reason::Kind;
use crate::Problem;

/// Every section and its keys.
pub(super) const SCHEMA: &[(&str, &[&str])] = &[
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

/// The fix that changes the dotted `key`: the user's own
/// ([`Action::ChangeSetting`]) when [`user_may_set`] lets a user set it,
/// else IT's ([`Action::EditConfig`]).
pub fn fix_for_key(key: &str) -> Action {
    let theirs = key
        .split_once('.')
        .is_some_and(|(section, name)| user_may_set(section, name));
    let key = key.to_string();
    if theirs {
        Action::ChangeSetting { key }
    } else {
        Action::EditConfig { key }
    }
}

/// An action with [`Action::EditConfig`] of a key a user may set turned
/// into [`Action::ChangeSetting`] (for the fixes of crates below that do
/// not know the table: a PMS address that answers 404 is the user's to
/// correct when they may set it).
pub fn settle(action: Action) -> Action {
    match action {
        Action::EditConfig { key } => fix_for_key(&key),
        other => other,
    }
}

pub(super) fn nearest<'s>(
    word: &str,
    candidates: impl IntoIterator<Item = &'s str>,
) -> Option<&'s str> {
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

/// Where the secret a key would hold goes instead: a client secret and a
/// PMS credential are stored with Docket Sync (in the keyring); a token is
/// never stored by hand (the sign-in makes it), so the line just goes.
fn secret_problem(file: &Path, key: String) -> Problem {
    let fix = match key.as_str() {
        "client_secret" | "secret" | "microsoft.client_secret" | "microsoft.secret" => {
            Action::SetClientSecret
        }
        k if k.starts_with("source.") && !k.ends_with("_token") => Action::SetSourceCredential,
        _ => Action::EditConfig { key: key.clone() },
    };
    Problem {
        location: Some(file_loc(file)),
        reason: Kind::Secret.message(),
        key: Some(key),
        fix,
    }
}

/// Check one file's structure; return its known, permitted keys.
pub(super) fn scan(
    table: &Table,
    file: &Path,
    is_user: bool,
    problems: &mut Vec<Problem>,
) -> Vec<(&'static str, &'static str, Value)> {
    let mut out = vec![];
    let problem = |key: String, reason| Problem {
        location: Some(file_loc(file)),
        fix: Action::EditConfig { key: key.clone() },
        key: Some(key),
        reason,
    };
    for (name, value) in table {
        let Value::Table(inner) = value else {
            if SECRET_KEYS.contains(&name.as_str()) {
                problems.push(secret_problem(file, name.clone()));
                continue;
            }
            let reason = match sections_with(name).first() {
                Some(s) => Kind::OutsideSection.message().text("section", *s),
                None => Kind::OutsideSectionUnknown.message(),
            };
            problems.push(problem(name.clone(), reason));
            continue;
        };
        let Some((section, keys)) = SCHEMA.iter().find(|(s, _)| s == name) else {
            let reason = match nearest(name, SCHEMA.iter().map(|(s, _)| *s)) {
                Some(s) => Kind::UnknownSectionDidYouMean
                    .message()
                    .text("suggestion", s),
                None => Kind::UnknownSection.message().text(
                    "sections",
                    SCHEMA
                        .iter()
                        .map(|(s, _)| format!("[{s}]"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            };
            problems.push(problem(name.clone(), reason));
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
                let reason = if let Some(s) = elsewhere.first() {
                    Kind::UnknownKeyElsewhere
                        .message()
                        .text("name", key.clone())
                        .text("section", *s)
                } else if let Some(k) = nearest(key, keys.iter().copied()) {
                    Kind::UnknownKeyDidYouMean
                        .message()
                        .text("suggestion", format!("{section}.{k}"))
                } else {
                    Kind::UnknownKey
                        .message()
                        .text("section", *section)
                        .text("keys", keys.join(", "))
                };
                problems.push(problem(dotted, reason));
                continue;
            };
            if is_user && !user_may_set(section, known) {
                problems.push(Problem::firm_only(file, &dotted));
                continue;
            }
            out.push((*section, *known, value.clone()));
        }
    }
    out
}

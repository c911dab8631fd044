//! What the firm decides about exporting and what a user may tune:
//! `[modules]`, `[policy]`, `[logging]`, `[storage]`, `[app]` and the
//! PMS's `[conventions]`.

use toml::Value;

use super::reader::Reader;
use crate::reason::Kind;
use crate::{
    AppPrefs, Conventions, DeadlineKind, DeadlinesTo, FirmPolicy, LogLevel, Logging, Modules,
    Storage,
};

/// `[modules]`, `[policy]`, `[logging]`, `[storage]` and `[app]`.
pub(super) fn read_settings(
    r: &mut Reader<'_>,
) -> (Modules, FirmPolicy, Logging, Storage, AppPrefs) {
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
            r.bad("policy", "max_delete_share", Kind::MaxDeleteShare.message());
            0.2
        }
        Some(_) => {
            r.wrong_type("policy", "max_delete_share", "config-want-share", "0.2");
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
                    Kind::TimeZone.message().text("value", name),
                );
                None
            }
        });
    let policy = FirmPolicy {
        mailbox_time_zone,
        deadlines_to,
        force_private: r.boolean("policy", "force_private", false),
        max_delete_share,
        sync_interval_minutes: r.integer(
            "policy",
            "sync_interval_minutes",
            5..=1440,
            15,
            "config-why-sync-interval",
        ) as u32,
        keep_alive_hours: r.integer(
            "policy",
            "keep_alive_hours",
            1..=720,
            24,
            "config-why-keep-alive",
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
        keep_days: r.integer("logging", "keep_days", 1..=365, 14, "config-why-keep-days") as u32,
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
    (modules, policy, logging, storage, app)
}

/// `[conventions]`: how the firm marks deadlines, follow-ups and
/// subscribed contacts in its PMS data.
pub(super) fn read_conventions(r: &mut Reader<'_>) -> Conventions {
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
            Kind::XProperty.message().text("value", name),
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
                    Kind::Categories
                        .message()
                        .text("name", key)
                        .text("example", example),
                );
            }
            names
        }
        _ => {
            r.wrong_type("conventions", key, "config-want-categories", example);
            None
        }
    }
}

//! [`Message`]: what code carries instead of a sentence.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A catalogue id and its arguments. Rendered by [`crate::Texts`].
///
/// Ids are Fluent identifiers (`sync-skip-duration-overflow`); a stable
/// code with dots (`reauth.password_changed`) becomes an id through
/// [`Message::from_code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, Arg)>,
}

/// One argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Arg {
    /// Shown as given (a file name, a record id, a config key).
    Text(String),
    /// A count; selects plural forms (`{ $n -> [one] … *[other] … }`).
    Number(i64),
    /// An instant, shown in the reader's zone and language.
    Time { at: DateTime<Utc>, style: TimeStyle },
    /// A calendar date, shown in the reader's language.
    Date(NaiveDate),
    /// A span relative to now, in seconds: positive = in the future
    /// ("in 3 days"), negative = in the past ("5 minutes ago").
    Span(i64),
    /// A size in bytes, shown in decimal megabytes with one decimal when
    /// needed, in the reader's number format ("10.4 MB", "10,4 MB").
    Bytes(u64),
    /// Another message, rendered first as "headline: body" (a reason
    /// inside a skip line or a notification).
    Message(Box<Message>),
    /// Several messages, one per line, each rendered as [`Arg::Message`]
    /// (the problems of a configuration under its headline).
    Lines(Vec<Message>),
}

/// How much of an instant to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeStyle {
    /// "1 Dec 2026, 19:44" / "1. Dez. 2026, 19:44"
    DateTime,
    /// "1 Dec 2026" / "1. Dez. 2026"
    Date,
    /// "19:44"
    Clock,
}

impl Message {
    pub fn new(id: impl Into<String>) -> Message {
        Message {
            id: id.into(),
            args: vec![],
        }
    }

    /// The message of a stable code: dots and underscores become dashes
    /// (`reauth.password_changed` → `reauth-password-changed`).
    pub fn from_code(code: &str) -> Message {
        Message::new(code.replace(['.', '_'], "-"))
    }

    pub fn arg(mut self, name: &str, value: Arg) -> Message {
        self.args.push((name.to_string(), value));
        self
    }

    pub fn text(self, name: &str, value: impl Into<String>) -> Message {
        self.arg(name, Arg::Text(value.into()))
    }

    pub fn number(self, name: &str, value: impl TryInto<i64>) -> Message {
        self.arg(name, Arg::Number(value.try_into().unwrap_or(i64::MAX)))
    }

    pub fn time(self, name: &str, at: DateTime<Utc>, style: TimeStyle) -> Message {
        self.arg(name, Arg::Time { at, style })
    }

    pub fn date(self, name: &str, date: NaiveDate) -> Message {
        self.arg(name, Arg::Date(date))
    }

    /// `at` relative to `now` ("in 3 days", "5 minutes ago").
    pub fn span(self, name: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Message {
        self.arg(name, Arg::Span((at - now).num_seconds()))
    }

    /// A size in bytes ([`Arg::Bytes`]).
    pub fn bytes(self, name: &str, bytes: u64) -> Message {
        self.arg(name, Arg::Bytes(bytes))
    }

    pub fn message(self, name: &str, inner: Message) -> Message {
        self.arg(name, Arg::Message(Box::new(inner)))
    }

    /// Messages one per line ([`Arg::Lines`]).
    pub fn lines(self, name: &str, lines: Vec<Message>) -> Message {
        self.arg(name, Arg::Lines(lines))
    }
}

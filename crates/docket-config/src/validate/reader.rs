//! [`Reader`]: the merged table, read key by key with its type and rules;
//! every problem is collected, none stops the reading.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use docket_text::{Action, Message};
use toml::{Table, Value};

use super::file_loc;
use super::structure::nearest;
use crate::reason::Kind;
use crate::Problem;

pub(super) struct Reader<'a> {
    pub merged: Table,
    pub user_keys: BTreeSet<(String, String)>,
    pub firm_path: Option<&'a Path>,
    pub user_path: Option<&'a Path>,
    pub problems: Vec<Problem>,
    pub file_exists: &'a dyn Fn(&Path) -> bool,
    pub firm_unreadable: bool,
}

/// What a value is, as a word of the catalogue.
fn type_name(v: Option<&Value>) -> Message {
    Message::new(match v {
        None => "config-type-nothing",
        Some(Value::String(_)) => "config-type-text",
        Some(Value::Integer(_)) => "config-type-integer",
        Some(Value::Float(_)) => "config-type-float",
        Some(Value::Boolean(_)) => "config-type-bool",
        Some(Value::Datetime(_)) => "config-type-datetime",
        Some(Value::Array(_)) => "config-type-list",
        Some(Value::Table(_)) => "config-type-table",
    })
}

impl Reader<'_> {
    pub fn value(&self, section: &str, key: &str) -> Option<&Value> {
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

    /// A bad value: `reason` says why; the fix is to change the key (the
    /// user's, when the value is in their overrides and theirs to set).
    pub fn bad(&mut self, section: &str, key: &str, reason: Message) {
        let in_user_file = self
            .user_keys
            .contains(&(section.to_string(), key.to_string()));
        let location = self.origin(section, key).or(self.firm_path).map(file_loc);
        let dotted = format!("{section}.{key}");
        self.problems.push(Problem {
            location,
            fix: if in_user_file {
                super::fix_for_key(&dotted)
            } else {
                Action::EditConfig {
                    key: dotted.clone(),
                }
            },
            key: Some(dotted),
            reason,
        });
    }

    /// `want`: a `config-want-*` word.
    pub fn wrong_type(&mut self, section: &str, key: &str, want: &str, example: &str) {
        let got = type_name(self.value(section, key));
        self.bad(
            section,
            key,
            Kind::WrongType
                .message()
                .message("want", Message::new(want))
                .message("got", got)
                .text("name", key)
                .text("example", example),
        );
    }

    pub fn string(&mut self, section: &str, key: &str, example: &str) -> Option<String> {
        match self.value(section, key)? {
            Value::String(s) => Some(s.trim().to_string()),
            _ => {
                self.wrong_type(section, key, "config-want-text", example);
                None
            }
        }
    }

    pub fn boolean(&mut self, section: &str, key: &str, default: bool) -> bool {
        match self.value(section, key) {
            None => default,
            Some(Value::Boolean(b)) => *b,
            Some(_) => {
                self.wrong_type(section, key, "config-want-bool", "true");
                default
            }
        }
    }

    /// An integer in `range`, or `default` when absent. `why`: a
    /// `config-why-*` word.
    pub fn integer(
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
                    Kind::OutOfRange
                        .message()
                        .text("value", i.to_string())
                        .message("why", Message::new(why))
                        .text("min", range.start().to_string())
                        .text("max", range.end().to_string())
                        .text("default", default.to_string()),
                );
                default
            }
            Some(_) => {
                self.wrong_type(section, key, "config-want-integer", &default.to_string());
                default
            }
        }
    }

    /// One of `options`, or `default` when absent.
    pub fn choice(
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
        let reason = match nearest(&value, options.iter().copied()) {
            Some(n) => Kind::NotAChoiceDidYouMean.message().text("suggestion", n),
            None => Kind::NotAChoice.message(),
        };
        self.bad(
            section,
            key,
            reason.text("value", value).text("choices", list),
        );
        None
    }

    pub fn missing(&mut self, section: &str, key: &str, example: &str) {
        if self.firm_unreadable {
            return;
        }
        let dotted = format!("{section}.{key}");
        self.problems.push(Problem {
            location: self.firm_path.map(file_loc),
            fix: Action::EditConfig {
                key: dotted.clone(),
            },
            key: Some(dotted),
            reason: Kind::Missing
                .message()
                .text("name", key)
                .text("example", example)
                .text("section", section),
        });
    }

    /// An http(s) URL; https unless the host is loopback; no credentials.
    pub fn web_url(&mut self, section: &str, key: &str, example: &str) -> Option<url::Url> {
        let text = self.string(section, key, &format!("\"{example}\""))?;
        let url = match url::Url::parse(&text) {
            Ok(u) => u,
            Err(e) => {
                self.bad(
                    section,
                    key,
                    Kind::NotAUrl
                        .message()
                        .text("value", text)
                        .text("detail", e.to_string())
                        .text("example", example),
                );
                return None;
            }
        };
        if !url.username().is_empty() || url.password().is_some() {
            self.bad(section, key, Kind::UrlCredentials.message());
            return None;
        }
        match url.scheme() {
            "https" => Some(url),
            "http" if is_loopback(&url) => Some(url),
            "http" => {
                self.bad(
                    section,
                    key,
                    Kind::PlainHttp.message().text("example", example),
                );
                None
            }
            other => {
                let reason = Kind::UrlScheme
                    .message()
                    .text("scheme", other)
                    .text("example", example);
                self.bad(section, key, reason);
                None
            }
        }
    }

    /// A file path; relative paths are taken from the folder of the file
    /// that set the key. The file must exist.
    pub fn existing_file(&mut self, section: &str, key: &str, example: &str) -> Option<PathBuf> {
        let text = self.string(section, key, &format!("\"{example}\""))?;
        if text.is_empty() {
            self.bad(
                section,
                key,
                Kind::PathEmpty.message().text("example", example),
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
                Kind::PathMissing
                    .message()
                    .text("path", path.display().to_string()),
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

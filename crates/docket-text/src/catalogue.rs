//! [`Texts`]: the catalogues of one language, and rendering.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;

use crate::{Arg, Lang, Message, TimeStyle};

/// One catalogue file: its language, area name and Fluent source.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub lang: Lang,
    pub area: &'static str,
    pub source: &'static str,
}

/// The catalogue files of `areas`, English and German:
/// `<dir>/en/<area>.ftl` and `<dir>/de/<area>.ftl`, built into the
/// binary. `dir` is relative to the file that calls the macro (as
/// `include_str!`'s paths are). Front ends with catalogues of their own
/// (the CLI's) list them with it too.
#[macro_export]
macro_rules! resources {
    ($dir:literal: $($area:literal),* $(,)?) => {
        &[
            $(
                $crate::Resource {
                    lang: $crate::Lang::En,
                    area: $area,
                    source: include_str!(concat!($dir, "/en/", $area, ".ftl")),
                },
                $crate::Resource {
                    lang: $crate::Lang::De,
                    area: $area,
                    source: include_str!(concat!($dir, "/de/", $area, ".ftl")),
                },
            )*
        ]
    };
}

/// The catalogues built into every front end. One line per area; each
/// area has a file in `locales/en/` and `locales/de/`.
pub const BUILTIN: &[Resource] = crate::resources![
    "../locales": "app", "auth", "common", "config", "doctor", "secrets", "source", "sync", "time"
];

/// The tray's own words (`tray.ftl`: its menu, the status window's
/// headings and buttons), kept here with the others so that translators
/// find every file in one place; not built in: the tray adds them with
/// [`Texts::with_resources`].
pub const TRAY: &[Resource] = crate::resources!["../locales": "tray"];

/// A catalogue file does not parse, or two files define the same id.
#[derive(Debug, thiserror::Error)]
#[error("message catalogue {lang}/{area}.ftl: {detail}")]
pub struct CatalogueError {
    pub lang: Lang,
    pub area: String,
    pub detail: String,
}

/// The words of one language, rendered in one time zone.
pub struct Texts {
    lang: Lang,
    zone: Tz,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts")
            .field("lang", &self.lang)
            .field("zone", &self.zone)
            .finish_non_exhaustive()
    }
}

impl Texts {
    /// The built-in catalogues in `lang`, times in this computer's zone.
    pub fn new(lang: Lang) -> Texts {
        Texts::with_resources(lang, &[]).expect("the built-in catalogues are checked by tests")
    }

    /// The built-in catalogues plus a front end's own (`extra`, all
    /// languages; those of other languages are ignored).
    pub fn with_resources(lang: Lang, extra: &[Resource]) -> Result<Texts, CatalogueError> {
        let langid: unic_langid::LanguageIdentifier =
            lang.code().parse().expect("en and de are language tags");
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        bundle.set_use_isolating(false);
        for r in BUILTIN.iter().chain(extra).filter(|r| r.lang == lang) {
            let err = |detail: String| CatalogueError {
                lang,
                area: r.area.to_string(),
                detail,
            };
            let res = FluentResource::try_new(r.source.to_string())
                .map_err(|(_, errors)| err(format!("{errors:?}")))?;
            bundle
                .add_resource(res)
                .map_err(|errors| err(format!("{errors:?}")))?;
        }
        Ok(Texts {
            lang,
            zone: crate::local_zone(),
            bundle,
        })
    }

    /// Times shown in `zone` instead of this computer's.
    pub fn in_zone(mut self, zone: Tz) -> Texts {
        self.zone = zone;
        self
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Whether the catalogue has this message (and attribute).
    pub fn has(&self, id: &str, attr: Option<&str>) -> bool {
        match (self.bundle.get_message(id), attr) {
            (None, _) => false,
            (Some(m), None) => m.value().is_some(),
            (Some(m), Some(a)) => m.get_attribute(a).is_some(),
        }
    }

    /// The message's text. A message missing from the catalogue renders as
    /// its id in brackets (tests make sure none is missing).
    pub fn render(&self, m: &Message) -> String {
        self.format(m, None)
            .unwrap_or_else(|| format!("[{}]", m.id))
    }

    /// One attribute of the message (a problem's `.body`), if it has it.
    pub fn attr(&self, m: &Message, attr: &str) -> Option<String> {
        self.format(m, Some(attr))
    }

    fn format(&self, m: &Message, attr: Option<&str>) -> Option<String> {
        let msg = self.bundle.get_message(&m.id)?;
        let pattern = match attr {
            None => msg.value()?,
            Some(a) => msg.get_attribute(a)?.value(),
        };
        let mut args = FluentArgs::new();
        for (name, value) in &m.args {
            let v: FluentValue = match value {
                Arg::Number(n) => FluentValue::from(*n),
                other => FluentValue::from(self.arg_text(other)),
            };
            args.set(name.clone(), v);
        }
        let mut errors = vec![];
        let out = self
            .bundle
            .format_pattern(pattern, Some(&args), &mut errors);
        Some(out.into_owned())
    }

    fn arg_text(&self, arg: &Arg) -> String {
        match arg {
            Arg::Text(s) => s.clone(),
            Arg::Number(n) => n.to_string(),
            Arg::Time { at, style } => self.time(*at, *style),
            Arg::Date(d) => self.date(*d),
            Arg::Span(s) => self.span(*s),
            Arg::Bytes(n) => self.size(*n),
            Arg::Message(m) => self.render_full(m),
            Arg::Lines(lines) => lines
                .iter()
                .map(|m| self.render_full(m))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The message and, when it has one, its `.body`: "headline: body"
    /// (how a message inside another one reads, e.g. a reason).
    pub fn render_full(&self, m: &Message) -> String {
        let head = self.render(m);
        match self.attr(m, "body") {
            Some(body) if !body.is_empty() => format!("{head}: {body}"),
            _ => head,
        }
    }

    /// A simple message by id, without arguments.
    pub fn word(&self, id: &str) -> String {
        self.render(&Message::new(id))
    }

    /// A date in the reader's language: "1 Dec 2026", "1. Dez. 2026".
    pub fn date(&self, d: NaiveDate) -> String {
        let month = self.word(&format!("time-month-{}", d.month()));
        self.render(
            &Message::new("time-date")
                .number("day", d.day())
                .text("month", month)
                .number("year", d.year()),
        )
    }

    /// An instant in the reader's zone and language.
    pub fn time(&self, at: DateTime<Utc>, style: TimeStyle) -> String {
        let local = at.with_timezone(&self.zone);
        let clock = local.format("%H:%M").to_string();
        match style {
            TimeStyle::Clock => clock,
            TimeStyle::Date => self.date(local.date_naive()),
            TimeStyle::DateTime => self.render(
                &Message::new("time-datetime")
                    .text("date", self.date(local.date_naive()))
                    .text("clock", clock),
            ),
        }
    }

    /// An instant with how far it is from `now`, as the status shows a
    /// time: "3 Dec 2026, 13:19 (5 minutes ago)", "3. Dez. 2026, 14:19
    /// (in 55 Minuten)".
    pub fn moment(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        format!(
            "{} ({})",
            self.time(at, TimeStyle::DateTime),
            self.span((at - now).num_seconds())
        )
    }

    /// A size in decimal megabytes, one decimal when needed, in the
    /// reader's number format: "10.4 MB" / "10,4 MB", "4 MB".
    pub fn size(&self, bytes: u64) -> String {
        let tenths = bytes.saturating_add(50_000) / 100_000;
        let mb = match tenths % 10 {
            0 => (tenths / 10).to_string(),
            tenth => format!(
                "{}{}{tenth}",
                tenths / 10,
                self.word("number-decimal-separator")
            ),
        };
        self.render(&Message::new("size-megabytes").text("mb", mb))
    }

    /// A span relative to now, in seconds ("in 3 days", "vor 5 Minuten");
    /// under a minute either way is "just now".
    pub fn span(&self, seconds: i64) -> String {
        let (dir, abs) = if seconds >= 0 {
            ("in", seconds)
        } else {
            ("ago", seconds.saturating_neg())
        };
        let (unit, n) = match abs {
            0..=59 => return self.word("time-now"),
            60..=3599 => ("minutes", abs / 60),
            3600..=86_399 => ("hours", abs / 3600),
            _ => ("days", abs / 86_400),
        };
        self.render(&Message::new(format!("time-{dir}-{unit}")).number("n", n))
    }
}

/// Where the catalogues of different languages disagree: a message or an
/// attribute one language has and another lacks, or a variable one uses
/// and the other does not. Empty when they agree. Also reports files that
/// do not parse.
pub fn disagreements(resources: &[Resource]) -> Vec<String> {
    type Shape = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;
    let mut by_lang: BTreeMap<Lang, Shape> = BTreeMap::new();
    let mut out = vec![];
    for r in resources {
        let shape = by_lang.entry(r.lang).or_default();
        let parsed = match fluent_syntax::parser::parse(r.source) {
            Ok(p) => p,
            Err((_, errors)) => {
                out.push(format!(
                    "{}/{}.ftl does not parse: {errors:?}",
                    r.lang, r.area
                ));
                continue;
            }
        };
        for entry in parsed.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(v) = &m.value {
                    pattern_vars(v, &mut vars);
                }
                let mut attrs = BTreeSet::new();
                for a in &m.attributes {
                    attrs.insert(a.id.name.to_string());
                    pattern_vars(&a.value, &mut vars);
                }
                if shape.insert(m.id.name.to_string(), (attrs, vars)).is_some() {
                    out.push(format!("{}: {} is defined twice", r.lang, m.id.name));
                }
            }
        }
    }
    let langs: Vec<&Lang> = by_lang.keys().collect();
    for (i, a) in langs.iter().enumerate() {
        for b in &langs[i + 1..] {
            let (sa, sb) = (&by_lang[*a], &by_lang[*b]);
            for (id, (attrs, vars)) in sa {
                match sb.get(id) {
                    None => out.push(format!("{id}: in {a}, missing in {b}")),
                    Some((attrs_b, vars_b)) => {
                        if attrs != attrs_b {
                            out.push(format!(
                                "{id}: attributes {attrs:?} in {a}, {attrs_b:?} in {b}"
                            ));
                        }
                        if vars != vars_b {
                            out.push(format!(
                                "{id}: variables {vars:?} in {a}, {vars_b:?} in {b}"
                            ));
                        }
                    }
                }
            }
            for id in sb.keys().filter(|id| !sa.contains_key(*id)) {
                out.push(format!("{id}: in {b}, missing in {a}"));
            }
        }
    }
    out
}

fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expression_vars(expression, out);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, out),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                pattern_vars(&v.value, out);
            }
        }
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, out),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, out);
            }
        }
        _ => {}
    }
}

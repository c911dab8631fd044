//! Words for the terminal: docket-text's catalogues plus the CLI's own
//! (`locales/<lang>/cli.ftl`, the command names, and `cli-help.ftl`, the
//! help), the one function that
//! turns a fix ([`Action`]) into CLI words, and the renderings of errors
//! and of the doctor report.

use std::fmt::Write as _;

use docket_app::doctor::{CheckStatus, DoctorReport};
use docket_app::text::Resource;
use docket_app::{Action, Described, Lang, Message, Texts};

/// The CLI's own catalogue files.
pub const RESOURCES: &[Resource] = docket_app::text::resources!["../locales": "cli", "cli-help"];

/// Every word the CLI prints, in `lang`.
pub fn texts(lang: Lang) -> Texts {
    Texts::with_resources(lang, RESOURCES).expect("the CLI's catalogues are checked by tests")
}

/// The fix in the CLI's words: `cli-<label id>` when the CLI has its own
/// (it names a command: "run `docketsync signin`"), else the common label.
/// The one place where an action becomes CLI text.
pub fn action(texts: &Texts, action: &Action) -> String {
    let label = action.label();
    let own = Message {
        id: format!("cli-{}", label.id),
        args: label.args.clone(),
    };
    if texts.has(&own.id, None) {
        texts.render(&own)
    } else {
        texts.render(&label)
    }
}

/// An error for people: `error [code] (AADSTSn): headline`, the body, and
/// the fix in CLI words.
pub fn error(texts: &Texts, d: &Described) -> String {
    let mut s = format!("{} [{}]", texts.word("cli-error"), d.code);
    if let Some(n) = d.aadsts {
        let _ = write!(s, " (AADSTS{n})");
    }
    let _ = writeln!(s, ": {}", texts.render(&d.message));
    if let Some(body) = texts.attr(&d.message, "body") {
        for line in body.lines() {
            let _ = writeln!(s, "  {line}");
        }
    }
    let _ = writeln!(
        s,
        "  {}: {}",
        texts.word("cli-fix"),
        action(texts, &d.action)
    );
    s
}

/// The error as JSON (for `--json`): the data, and its text in the
/// reader's language.
pub fn error_json(texts: &Texts, d: &Described) -> serde_json::Value {
    let mut error = serde_json::to_value(d).unwrap_or_default();
    error["text"] = texts.render(&d.message).into();
    error["fix"] = action(texts, &d.action).into();
    serde_json::json!({ "ok": false, "error": error })
}

/// The doctor report: `STATUS name  headline`, the explanation, detail
/// lines and the fix indented under it, then the summary.
pub fn doctor(texts: &Texts, report: &DoctorReport) -> String {
    let statuses = [
        CheckStatus::Pass,
        CheckStatus::Warn,
        CheckStatus::Fail,
        CheckStatus::Skip,
    ];
    let status_width = statuses
        .iter()
        .map(|s| texts.render(&s.label()).chars().count())
        .max()
        .unwrap_or(4)
        + 2;
    let name_width = report
        .checks
        .iter()
        .map(|c| texts.render(&c.name()).chars().count())
        .max()
        .unwrap_or(0)
        .max(16)
        + 1;
    let indent = " ".repeat(6);
    let mut out = String::new();
    for c in &report.checks {
        let _ = writeln!(
            out,
            "{:<status_width$}{:<name_width$}{}",
            texts.render(&c.status.label()),
            texts.render(&c.name()),
            texts.render(&c.message)
        );
        if let Some(body) = texts.attr(&c.message, "body") {
            for line in body.lines() {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        for d in &c.details {
            let text = texts.render(&d.message);
            let headline = match &d.place {
                Some(place) => format!("{place}: {text}"),
                None => text,
            };
            for (i, line) in headline.lines().enumerate() {
                let bullet = if i == 0 { "- " } else { "  " };
                let _ = writeln!(out, "{indent}{bullet}{}", line.trim_start());
            }
            if let Some(body) = texts.attr(&d.message, "body") {
                for line in body.lines() {
                    let _ = writeln!(out, "{indent}  {line}");
                }
            }
            if let Some(a) = &d.action {
                let _ = writeln!(
                    out,
                    "{indent}  {}: {}",
                    texts.word("cli-fix"),
                    action(texts, a)
                );
            }
        }
        // A fix one of the detail lines already says is not said again.
        let repeats = |a: &Action| c.details.iter().any(|d| d.action.as_ref() == Some(a));
        if let Some(a) = c.action.as_ref().filter(|a| !repeats(a)) {
            let _ = writeln!(
                out,
                "{indent}{}: {}",
                texts.word("cli-fix"),
                action(texts, a)
            );
        }
    }
    let _ = writeln!(out, "{}", texts.render(&report.summary()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_catalogues_agree_and_parse() {
        let all: Vec<Resource> = docket_app::text::BUILTIN
            .iter()
            .chain(RESOURCES)
            .copied()
            .collect();
        assert_eq!(docket_app::text::disagreements(&all), Vec::<String>::new());
        for lang in Lang::ALL {
            Texts::with_resources(lang, RESOURCES).expect("loads");
        }
    }

    /// Every fix has words in both languages, and the ones the CLI can
    /// name as a command do name it.
    #[test]
    fn every_action_has_cli_words() {
        for lang in Lang::ALL {
            let texts = texts(lang);
            for a in Action::samples() {
                let words = action(&texts, &a);
                assert!(!words.starts_with('['), "{a:?} in {lang}: {words}");
            }
            assert!(action(&texts, &Action::SignIn).contains("`docketsync signin`"));
            assert!(action(&texts, &Action::AllowDeletions).contains("`docketsync sync --force`"));
        }
    }
}

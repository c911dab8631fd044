//! What the status window shows: the companion's snapshot (its texts
//! already in the reader's language), the tray's words, and the lines the
//! window would otherwise have to word itself — the account, each module's
//! counts and times, each run's time, the firm's settings — rendered here from the text model,
//! with times in the reader's zone and relative to now ("3 Dec 2026,
//! 13:19 (5 minutes ago)"). The page only places them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use docket_app::companion::Companion;
use docket_app::settings::FirmSetting;
use docket_app::snapshot::{ModuleRow, ProblemView, Snapshot};
use docket_app::{Message, Texts};
use serde::Serialize;

/// The `view` command's answer.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// `None` when the app could not start (then `problem` says why).
    pub snapshot: Option<Snapshot>,
    pub problem: Option<ProblemView>,
    pub words: BTreeMap<String, String>,
    /// The account's lines ("Signed in as …", "since …"), rendered.
    pub account: Vec<String>,
    /// Each module row's words, in the snapshot's order.
    pub modules: Vec<ModuleWords>,
    /// When each of the snapshot's runs was, in its order.
    pub run_times: Vec<String>,
    /// The firm's settings in words, in the snapshot's order.
    pub firm: Vec<FirmLine>,
}

/// A firm setting as the window lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirmLine {
    /// The key in the firm file (the line's tooltip, for IT).
    pub key: &'static str,
    /// "Deadlines and follow-ups go to".
    pub label: String,
    /// "Microsoft To Do", or the value as it is (a tenant id, a folder).
    pub value: String,
}

/// A module row's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleWords {
    pub module: &'static str,
    /// "109 items in step"; `None` while the module is off.
    pub items: Option<String>,
    /// "Last export 3 Dec 2026, 13:19 (5 minutes ago)".
    pub last_run: Option<String>,
    /// "Next export 3 Dec 2026, 14:19 (in 55 minutes)".
    pub next_run: Option<String>,
}

impl View {
    /// The window of an app that could not start: the problem, and the
    /// words to show it with.
    pub fn without_app(problem: Option<ProblemView>, texts: &Texts) -> View {
        View {
            snapshot: None,
            problem,
            words: crate::texts::words(texts),
            account: vec![],
            modules: vec![],
            run_times: vec![],
            firm: vec![],
        }
    }
}

/// The view of `companion` now (also used by tests).
pub fn view_of(companion: &Companion) -> View {
    let snapshot = companion.snapshot();
    let texts = crate::texts::texts(snapshot.lang);
    of(snapshot, &texts)
}

/// The view of `snapshot`, whose `at` is now. Pure.
pub fn of(snapshot: Snapshot, texts: &Texts) -> View {
    let now = snapshot.at;
    View {
        words: crate::texts::words(texts),
        account: account_lines(&snapshot, texts),
        modules: snapshot
            .modules
            .iter()
            .map(|m| module_words(m, texts, now))
            .collect(),
        run_times: snapshot
            .runs
            .iter()
            .map(|r| texts.moment(r.run.at, now))
            .collect(),
        firm: snapshot
            .settings
            .firm
            .iter()
            .map(|f| firm_line(f, texts))
            .collect(),
        snapshot: Some(snapshot),
        problem: None,
    }
}

fn at_line(texts: &Texts, id: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    texts.render(&Message::new(id).text("time", texts.moment(at, now)))
}

fn account_lines(snapshot: &Snapshot, texts: &Texts) -> Vec<String> {
    let Some(a) = &snapshot.account else {
        return vec![];
    };
    let who = match &a.display_name {
        Some(name) => format!("{name} <{}>", a.username),
        None => a.username.clone(),
    };
    let mut lines =
        vec![texts.render(&Message::new("tray-account-signed-in-as").text("user", who))];
    for (id, at) in [
        ("tray-account-since", a.signed_in_at),
        ("tray-account-last-refresh", a.last_good_refresh_at),
        ("tray-account-next-sign-in", a.next_required_sign_in),
    ] {
        if let Some(at) = at {
            lines.push(at_line(texts, id, at, snapshot.at));
        }
    }
    lines
}

fn firm_line(f: &FirmSetting, texts: &Texts) -> FirmLine {
    FirmLine {
        key: f.key,
        label: texts.render(&f.label),
        value: f
            .shown
            .as_ref()
            .map_or_else(|| f.value.clone(), |m| texts.render(m)),
    }
}

fn module_words(m: &ModuleRow, texts: &Texts, now: DateTime<Utc>) -> ModuleWords {
    let on = |line: Option<String>| line.filter(|_| m.enabled);
    ModuleWords {
        module: m.module,
        items: on(Some(texts.render(
            &Message::new("tray-module-items").number("n", m.in_step),
        ))),
        last_run: on(m
            .last_good_run
            .map(|at| at_line(texts, "tray-module-last-run", at, now))),
        next_run: on(m
            .next_run
            .map(|at| at_line(texts, "tray-module-next-run", at, now))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use docket_app::Lang;

    fn row(enabled: bool, in_step: usize, last: Option<u32>, next: Option<u32>) -> ModuleRow {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0).unwrap();
        ModuleRow {
            module: "calendar",
            name: "Calendar".into(),
            enabled,
            in_step,
            last_good_run: last.map(at),
            next_run: next.map(at),
            ok: true,
            problem: None,
        }
    }

    fn check(lang: Lang, m: ModuleRow, expect: (Option<&str>, Option<&str>, Option<&str>)) {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let texts = crate::texts::texts(lang).in_zone(chrono_tz::Europe::Berlin);
        let w = module_words(&m, &texts, now);
        let got = (
            w.items.as_deref(),
            w.last_run.as_deref(),
            w.next_run.as_deref(),
        );
        assert_eq!(got, expect, "{lang} {m:?}");
    }

    #[test]
    fn module_rows_say_what_their_numbers_and_times_are() {
        // It showed "2", "2 Dec 2026, 02:57" and "→ 2 Dec 2026, 03:57"
        // side by side, none of them named.
        check(
            Lang::En,
            row(true, 109, Some(11), Some(13)),
            (
                Some("109 items in step"),
                Some("Last export 3 Dec 2026, 12:00 (1 hour ago)"),
                Some("Next export 3 Dec 2026, 14:00 (in 1 hour)"),
            ),
        );
        check(
            Lang::De,
            row(true, 1, Some(12), None),
            (
                Some("1 Eintrag abgeglichen"),
                Some("Letzter Export 3. Dez. 2026, 13:00 (gerade eben)"),
                None,
            ),
        );
        // A module that is off says only that (the row's "Off").
        check(
            Lang::En,
            row(false, 0, Some(11), Some(13)),
            (None, None, None),
        );
    }

    /// A firm setting reads in words when it has them, else as it is.
    #[test]
    fn firm_lines_show_words_or_the_value_as_it_is() {
        let setting = |shown: Option<&str>| FirmSetting {
            key: "policy.deadlines_to",
            value: "todo".into(),
            label: Message::new("setting-deadlines-to"),
            shown: shown.map(Message::new),
        };
        let de = crate::texts::texts(Lang::De);
        let line = |s| {
            let l = firm_line(&s, &de);
            (l.label, l.value)
        };
        assert_eq!(
            line(setting(Some("setting-deadlines-to-todo"))),
            (
                "Ziel der Fristen und Wiedervorlagen".into(),
                "Microsoft To Do".into()
            )
        );
        assert_eq!(
            line(setting(None)),
            ("Ziel der Fristen und Wiedervorlagen".into(), "todo".into())
        );
    }
}

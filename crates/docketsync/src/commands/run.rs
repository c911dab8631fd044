//! `docketsync run`: the tray's companion (`docket_app::companion`) in the
//! foreground. It honours a pause set in the tray, prints one line per
//! finished run and per notification in the reader's language, and stops
//! on Ctrl-C.

use std::process::ExitCode;

use docket_app::companion::{Companion, Event, StartOptions};
use docket_app::snapshot::{Activity, Snapshot};
use docket_app::{Message, Texts, TimeStyle};
use tokio::sync::broadcast::error::RecvError;

use super::{open, out, Ctx};

pub async fn run(ctx: &Ctx) -> ExitCode {
    let app = match open(ctx, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let options = StartOptions {
        lang: Some(ctx.texts.lang()),
        ..StartOptions::default()
    };
    let companion = Companion::start(app, options);
    let mut events = companion.events();
    out(&started(&ctx.texts, &companion.snapshot()));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => break,
            event = events.recv() => match event {
                Ok(event) => out(&event_text(&ctx.texts, &event)),
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            },
        }
    }
    companion.stop().await;
    ExitCode::SUCCESS
}

/// The first line: the state, and how the loop goes on (or that it waits
/// for a resume in the tray).
fn started(t: &Texts, s: &Snapshot) -> String {
    first_line(
        t,
        s.activity == Activity::Paused,
        &s.status_line,
        s.settings.user.interval_minutes,
    )
}

/// The state stands in a clause of its own: it may end in "…"
/// ("Exporting…") or a time ("In step · 14:32"), so no full stop follows it.
fn first_line(t: &Texts, paused: bool, state: &str, minutes: u32) -> String {
    let id = if paused {
        "cli-run-paused"
    } else {
        "cli-run-started"
    };
    let line = Message::new(id)
        .text("state", state)
        .number("minutes", minutes);
    format!("{}\n", t.render(&line))
}

/// A finished run (its time, summary and what stopped it, with the fix in
/// CLI words) or a notification; other events print nothing.
fn event_text(t: &Texts, event: &Event) -> String {
    let fix = |action| {
        format!(
            "  {}: {}\n",
            t.word("cli-fix"),
            crate::render::action(t, action)
        )
    };
    match event {
        Event::RunFinished { run } => {
            let mut o = format!("{} {}\n", t.time(run.run.at, TimeStyle::Clock), run.summary);
            if let Some(p) = &run.problem {
                o += &format!("  {} [{}]\n", p.headline, p.code);
                o += &fix(&p.action.action);
            }
            o
        }
        Event::NotificationDue { notification: n } => {
            let head = Message::new("cli-run-notice").text("title", n.title.as_str());
            format!("{}: {}\n{}", t.render(&head), n.body, fix(&n.action.action))
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_app::Lang;

    /// The first line reads well whatever the state ends with (it read
    /// "Docket Sync: Exporting…. Exporting every 15 minutes").
    #[test]
    fn the_first_line_has_no_stray_full_stop() {
        #[track_caller]
        fn check(lang: Lang, paused: bool, state: &str, expect: &str) {
            let t = crate::render::texts(lang);
            assert_eq!(first_line(&t, paused, state, 15), format!("{expect}\n"));
        }
        check(
            Lang::En,
            false,
            "Exporting…",
            "Docket Sync: Exporting… · Exporting every 15 minutes; Ctrl-C stops.",
        );
        check(
            Lang::En,
            false,
            "In step · 14:32",
            "Docket Sync: In step · 14:32 · Exporting every 15 minutes; Ctrl-C stops.",
        );
        check(
            Lang::De,
            false,
            "Exportiert…",
            "Docket Sync: Exportiert… · Export alle 15 Minuten; Strg-C beendet.",
        );
        check(
            Lang::De,
            true,
            "Angehalten",
            "Docket Sync: Angehalten · Der Export wurde im Infobereich angehalten: wählen Sie \
             dort im Menü Fortsetzen und starten Sie diesen Befehl dann neu; Strg-C beendet.",
        );
    }
}

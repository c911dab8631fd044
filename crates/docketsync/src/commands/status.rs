//! `docketsync status [--json]`: the status snapshot, the same one the
//! tray shows — its state line, the account, each module with its last
//! problem, what is wrong with its fix in the CLI's words, warnings, the
//! next export (as the tray's loop planned it, with when it planned it;
//! this process runs no loop) and the recent runs.
//! `--json` prints the snapshot as it is (`docs/cli.md`).

use std::process::ExitCode;

use docket_app::snapshot::{Activity, ProblemView, RunView, Snapshot};
use docket_app::Texts;

use super::{fail, open, out, Ctx};

pub fn run(ctx: &Ctx, json: bool) -> ExitCode {
    let app = match open(ctx, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.snapshot(&ctx.texts, chrono::Utc::now()) {
        Ok(s) => {
            if json {
                let mut v = serde_json::to_value(&s).unwrap_or_default();
                v["ok"] = true.into();
                out(&format!("{v}\n"));
            } else {
                out(&render(&ctx.texts, &s));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(ctx, &e, json),
    }
}

fn problem(t: &Texts, o: &mut String, p: &ProblemView) {
    *o += &format!("  {} [{}]\n", p.headline, p.code);
    details(t, o, p, "    ");
}

/// A problem's body and fix, indented.
fn details(t: &Texts, o: &mut String, p: &ProblemView, indent: &str) {
    for line in p.body.lines().filter(|l| !l.is_empty()) {
        *o += &format!("{indent}{line}\n");
    }
    *o += &format!(
        "{indent}{}: {}\n",
        t.word("cli-fix"),
        crate::render::action(t, &p.action.action)
    );
}

/// The snapshot for a terminal, in the reader's language and zone.
pub fn render(t: &Texts, s: &Snapshot) -> String {
    let when = |at: chrono::DateTime<chrono::Utc>| t.moment(at, s.at);
    let mut o = format!("Docket Sync: {}\n", s.status_line);
    if let Some(a) = &s.account {
        let who = match &a.display_name {
            Some(name) => format!("{name} <{}>", a.username),
            None => a.username.clone(),
        };
        o += &format!("{}: {who}\n", t.word("cli-status-account"));
        if let Some(at) = a.signed_in_at {
            o += &format!("  {}: {}\n", t.word("cli-status-signed-in"), when(at));
        }
        if let Some(at) = a.last_good_refresh_at {
            o += &format!("  {}: {}\n", t.word("cli-status-last-refresh"), when(at));
        }
        if let Some(at) = a.next_required_sign_in {
            o += &format!("  {}: {}\n", t.word("cli-status-next-sign-in"), when(at));
        }
    }
    o += &format!("{}:\n", t.word("cli-status-modules"));
    for m in &s.modules {
        let state = if !m.enabled {
            t.word("cli-status-module-off")
        } else {
            t.render(&docket_app::Message::new("cli-status-module-in-step").number("n", m.in_step))
        };
        let mark = match (m.enabled, m.ok) {
            (false, _) => "-",
            (true, true) => "✓",
            (true, false) => "·",
        };
        o += &format!("  {mark} {}: {state}\n", m.name);
        if let Some(p) = &m.problem {
            o += &format!("      {} [{}]\n", p.headline, p.code);
            // A stopped run's problem is listed with its fix below.
            if !s.problems.iter().any(|q| q.code == p.code) {
                details(t, &mut o, p, "        ");
            }
        }
    }
    if !s.problems.is_empty() {
        o += &format!("{}:\n", t.word("cli-status-problems"));
        for p in &s.problems {
            problem(t, &mut o, p);
        }
    }
    if !s.warnings.is_empty() {
        o += &format!("{}:\n", t.word("cli-status-warnings"));
        for w in &s.warnings {
            problem(t, &mut o, w);
        }
    }
    match (&s.next_run, s.activity) {
        (Some(n), _) => {
            let label = if n.after_failures {
                "cli-status-next-retry"
            } else {
                "cli-status-next-run"
            };
            o += &format!("{}: {}", t.word(label), when(n.at));
            if let Some(planned) = n.planned_at {
                o += &format!(
                    ", {}",
                    t.render(
                        &docket_app::Message::new("cli-status-planned")
                            .text("time", t.span((planned - s.at).num_seconds()))
                    )
                );
            }
            o += "\n";
        }
        // Paused: the state line says so.
        (None, Activity::NotRunning) if s.account.is_some() => {
            o += &format!(
                "{}: {}\n",
                t.word("cli-status-next-run"),
                t.word("cli-status-not-planned")
            );
        }
        (None, _) => {}
    }
    let line = |r: &RunView| match &r.problem {
        Some(p) => format!("{}: {} [{}]", when(r.run.at), r.summary, p.code),
        None => format!("{}: {}", when(r.run.at), r.summary),
    };
    if let Some(r) = s.runs.first() {
        o += &format!("{}: {}\n", t.word("cli-status-last-run"), line(r));
    }
    if s.runs.len() > 1 {
        o += &format!("{}:\n", t.word("cli-status-earlier-runs"));
        for r in &s.runs[1..] {
            o += &format!("  {}\n", line(r));
        }
    }
    // The location says the kind in words; the code (`keyring`) is for
    // `--json`.
    o += &format!(
        "{}: {}\n",
        t.word("cli-status-secrets"),
        t.render(&s.sign_in.secret_store.location),
    );
    o
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use docket_app::snapshot::fixtures::{at, input, status};
    use docket_app::snapshot::{self, Activity, PlannedRun};
    use docket_app::status::{LastExport, ModuleId, ModuleProblem, SignInState};
    use docket_app::{Action, Described, Lang, Message, Who};

    fn run(at: DateTime<Utc>, created: usize, failed_appointment: bool) -> LastExport {
        LastExport {
            at,
            ok: true,
            created,
            updated: 0,
            deleted: 0,
            recreated: 0,
            failed: usize::from(failed_appointment),
            held_back: 0,
            skipped: 0,
            error: None,
            records: vec![],
            braked: None,
            module_problems: if failed_appointment {
                vec![ModuleProblem {
                    module: ModuleId::Calendar,
                    problem: Described {
                        code: "export.items_failed".into(),
                        who: Who::Nobody,
                        message: Message::new("module-items-failed")
                            .number("n", 1)
                            .text("item", "appointment:t0")
                            .message(
                                "reason",
                                Message::new("sync-failed-request")
                                    .text("error", "Internal Server Error"),
                            ),
                        action: Action::Wait,
                        aadsts: None,
                    },
                }]
            } else {
                vec![]
            },
            pms_incomplete: false,
        }
    }

    const EN: &str = "\
Docket Sync: In step · 14:45
Account: Anna Berger <anna@kanzlei.example>
  signed in: 1 Dec 2026, 08:00 (6 hours ago)
Modules:
  · Calendar: 40 items in step
      1 item could not be exported [export.items_failed]
        appointment:t0: Internal Server Error. Docket Sync tries again at the next run.
        fix: Nothing to do: Docket Sync tries again by itself
  ✓ Deadlines and follow-ups: 7 items in step
  - Contacts: off
Next export: 1 Dec 2026, 15:00 (in 10 minutes), planned 5 minutes ago by Docket Sync in the background
Last export: 1 Dec 2026, 14:45 (5 minutes ago): 1 failed
Earlier exports:
  1 Dec 2026, 14:30 (20 minutes ago): 2 created
Sign-in kept in: the Secret Service (gnome-keyring, KWallet or KeePassXC), service \"DocketSync\"
";

    const DE: &str = "\
Docket Sync: Aktuell · 14:45
Konto: Anna Berger <anna@kanzlei.example>
  angemeldet: 1. Dez. 2026, 08:00 (vor 6 Stunden)
Bereiche:
  · Kalender: 40 Einträge aktuell
      1 Eintrag konnte nicht exportiert werden [export.items_failed]
        appointment:t0: Internal Server Error. Docket Sync versucht es beim nächsten Lauf erneut.
        Behebung: Nichts zu tun: Docket Sync versucht es selbst erneut
  ✓ Fristen und Wiedervorlagen: 7 Einträge aktuell
  - Kontakte: aus
Nächster Export: 1. Dez. 2026, 15:00 (in 10 Minuten), geplant vor 5 Minuten von Docket Sync im Hintergrund
Letzter Export: 1. Dez. 2026, 14:45 (vor 5 Minuten): 1 fehlgeschlagen
Frühere Exporte:
  1. Dez. 2026, 14:30 (vor 20 Minuten): 2 angelegt
Anmeldung gespeichert in: dem Secret Service (gnome-keyring, KWallet oder KeePassXC), Dienst „DocketSync“
";

    /// `docketsync status` while the tray runs: the module whose item
    /// failed shows it, the next export is the tray's with when it was
    /// planned, and the earlier runs follow the last one.
    #[test]
    fn the_status_while_the_tray_runs() {
        #[track_caller]
        fn check(lang: Lang, planned: Option<PlannedRun>, expect: &str) {
            let texts = crate::render::texts(lang).in_zone("Europe/Berlin".parse().unwrap());
            let s = snapshot::decide(
                snapshot::Input {
                    planned,
                    ..input(
                        status(SignInState::Ok, true),
                        Activity::NotRunning,
                        vec![run(at(13, 45), 0, true), run(at(13, 30), 2, false)],
                    )
                },
                &texts,
                at(13, 50),
            );
            assert_eq!(super::render(&texts, &s), expect);
        }
        let planned = Some(PlannedRun {
            at: at(14, 0),
            after_failures: false,
            planned_at: Some(at(13, 45)),
        });
        check(Lang::En, planned, EN);
        check(Lang::De, planned, DE);
        // No tray runs (or it stopped): no next export is made up.
        check(
            Lang::En,
            None,
            &EN.replace(
                "1 Dec 2026, 15:00 (in 10 minutes), planned 5 minutes ago by Docket Sync in the \
                 background",
                "unknown: no export in the background has planned one",
            ),
        );
    }
}

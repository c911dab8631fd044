//! `docketsync status [--json]`: the status snapshot, the same one the
//! tray shows — its state line, the account, each module, what is wrong
//! with its fix in the CLI's words, warnings, and the recent run.
//! `--json` prints the snapshot as it is (`docs/cli.md`).

use std::process::ExitCode;

use docket_app::snapshot::{ProblemView, Snapshot};
use docket_app::{Texts, TimeStyle};

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
    for line in p.body.lines().filter(|l| !l.is_empty()) {
        *o += &format!("    {line}\n");
    }
    *o += &format!(
        "    {}: {}\n",
        t.word("cli-fix"),
        crate::render::action(t, &p.action.action)
    );
}

/// The snapshot for a terminal, in the reader's language and zone.
pub fn render(t: &Texts, s: &Snapshot) -> String {
    let when = |at: chrono::DateTime<chrono::Utc>| {
        format!(
            "{} ({})",
            t.time(at, TimeStyle::DateTime),
            t.span((at - s.at).num_seconds())
        )
    };
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
    if let Some(r) = s.runs.first() {
        o += &format!(
            "{}: {}: {}\n",
            t.word("cli-status-last-run"),
            when(r.run.at),
            r.summary
        );
    }
    o += &format!(
        "{}: {} ({})\n",
        t.word("cli-status-secrets"),
        s.sign_in.secret_store.location,
        s.sign_in.secret_store.kind
    );
    o
}

//! `docketsync status [--json]`: who is signed in, the sign-in's state,
//! the last problem with its fix, warnings and the last export.

use std::process::ExitCode;

use docket_app::status::{State, Status};
use docket_app::Texts;

use super::{fail, open, out, Ctx};

pub fn run(ctx: &Ctx, json: bool) -> ExitCode {
    let app = match open(ctx, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.status(chrono::Utc::now()) {
        Ok(status) => {
            if json {
                let mut v = serde_json::to_value(&status).unwrap_or_default();
                v["ok"] = true.into();
                out(&format!("{v}\n"));
            } else {
                out(&render_status(&ctx.texts, &status));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(ctx, &e, json),
    }
}

fn render_status(texts: &Texts, s: &Status) -> String {
    let t = |d: &chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut o = String::new();
    match &s.account {
        None => o += "Not signed in. Run `docketsync signin`.\n",
        Some(a) => {
            let who = match &a.display_name {
                Some(name) => format!("{name} <{}>", a.username),
                None => a.username.clone(),
            };
            o += &format!("Signed in as {who}\n");
        }
    }
    let state = match s.state {
        State::SignedOut => "signed out",
        State::Ok => "OK",
        State::SignInRequired => "sign in again (`docketsync signin`)",
        State::AdminActionRequired => "IT must act (see the fix below)",
        State::Retrying => "temporary problem; Docket Sync retries by itself",
    };
    o += &format!("  state              {state}\n");
    if let Some(at) = &s.signed_in_at {
        o += &format!("  signed in          {}\n", t(at));
    }
    if let Some(at) = &s.last_good_refresh_at {
        o += &format!("  last good refresh  {}\n", t(at));
    }
    if s.account.is_some() {
        let token = match s.token {
            docket_app::status::TokenState::Present => "stored",
            docket_app::status::TokenState::Missing => "missing (sign in again)",
            docket_app::status::TokenState::Unreadable => "cannot be read",
            docket_app::status::TokenState::None => "none",
        };
        o += &format!("  refresh token      {token}\n");
    }
    o += &format!("  secrets kept in    {}\n", s.secret_store.location);
    if let Some(k) = &s.keep_alive {
        o += &format!(
            "  next keep-alive    {}{}\n",
            t(&k.next_refresh_at),
            if k.refresh_due { " (due now)" } else { "" }
        );
        if let Some(at) = &k.next_required_sign_in {
            o += &format!("  sign in again by   {}\n", t(at));
        }
    }
    if let Some(p) = &s.problem {
        let aadsts = p
            .aadsts
            .map(|n| format!(" (AADSTS{n})"))
            .unwrap_or_default();
        o += &format!(
            "  problem            [{}]{aadsts} at {}\n",
            p.code,
            t(&p.at)
        );
        o += &format!("    {}\n", texts.render(&p.message));
        o += &format!(
            "    {}: {}\n",
            texts.word("cli-fix"),
            crate::render::action(texts, &p.action)
        );
    }
    for w in &s.warnings {
        o += &format!("  warning            {}\n", texts.render(&w.message()));
        o += &format!(
            "    {}: {}\n",
            texts.word("cli-fix"),
            crate::render::action(texts, &w.action())
        );
    }
    if let Some(e) = &s.last_export {
        if e.ok {
            o += &format!(
                "  last export        {}: {} created, {} updated, {} deleted, {} recreated\n",
                t(&e.at),
                e.created,
                e.updated,
                e.deleted,
                e.recreated
            );
            if e.failed + e.held_back + e.skipped > 0 {
                o += &format!(
                    "    {} item(s) failed, {} pausing after repeated failures, {} record(s) skipped: `docketsync sync` lists them\n",
                    e.failed, e.held_back, e.skipped
                );
            }
        } else {
            let (code, message, fix) = match &e.error {
                Some(d) => (
                    d.code.clone(),
                    texts.render(&d.message),
                    crate::render::action(texts, &d.action),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            o += &format!(
                "  last export        {}: did not finish [{code}]\n    {message}\n    {}: {fix}\n",
                t(&e.at),
                texts.word("cli-fix"),
            );
        }
    }
    o
}

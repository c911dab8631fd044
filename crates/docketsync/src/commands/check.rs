//! `docketsync check [--json]`: refresh the sign-in now and ask Graph
//! whether each switched-on module can be reached.

use std::process::ExitCode;

use docket_app::doctor::CheckStatus;
use docket_app::{Message, Who};

use super::{exit_code, fail, open, out, Ctx};
use crate::render;

pub async fn run(ctx: &Ctx, json: bool) -> ExitCode {
    let app = match open(ctx, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.check(chrono::Utc::now()).await {
        Ok(report) => {
            if json {
                out(&format!(
                    "{}\n",
                    serde_json::json!({
                        "ok": report.ok(),
                        "username": report.username,
                        "display_name": report.display_name,
                        "refreshed_at": report.refreshed_at,
                        "modules": report.modules,
                    })
                ));
            } else {
                let ok = Message::new("cli-check-ok").text("user", report.username.clone());
                out(&format!("{}\n", ctx.texts.render(&ok)));
                let texts = &ctx.texts;
                let (pass, fail) = (
                    texts.render(&CheckStatus::Pass.label()),
                    texts.render(&CheckStatus::Fail.label()),
                );
                let w = pass.chars().count().max(fail.chars().count()) + 2;
                for m in &report.modules {
                    match &m.problem {
                        None => out(&format!("{pass:<w$}{:<9} ({})\n", m.module, m.scope)),
                        Some(problem) => {
                            out(&format!(
                                "{fail:<w$}{:<9} {}\n",
                                m.module,
                                texts.render_full(problem)
                            ));
                            if let Some(a) = &m.action {
                                out(&format!(
                                    "{:w$}{}: {}\n",
                                    "",
                                    texts.word("cli-fix"),
                                    render::action(texts, a)
                                ));
                            }
                        }
                    }
                }
            }
            if report.ok() {
                ExitCode::SUCCESS
            } else {
                // A permission the app registration lacks.
                exit_code(Who::Admin)
            }
        }
        Err(e) => fail(ctx, &e, json),
    }
}

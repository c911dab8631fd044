//! `docketsync check [--json]`: refresh the sign-in now and ask Graph
//! whether each switched-on module can be reached.

use std::process::ExitCode;

use docket_app::{Message, Who};

use super::{exit_code, fail, open, out, Ctx};

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
                        "ok": true,
                        "username": report.username,
                        "display_name": report.display_name,
                        "refreshed_at": report.refreshed_at,
                        "modules": report.modules,
                    })
                ));
            } else {
                let ok = Message::new("cli-check-ok").text("user", report.username.clone());
                out(&format!("{}\n", ctx.texts.render(&ok)));
                for m in &report.modules {
                    if m.ok {
                        out(&format!("OK    {:<9} ({})\n", m.module, m.scope));
                    } else {
                        out(&format!("FAIL  {:<9} {}\n", m.module, m.detail));
                    }
                }
            }
            if report.modules.iter().all(|m| m.ok) {
                ExitCode::SUCCESS
            } else {
                // A permission the app registration lacks.
                exit_code(Who::Admin)
            }
        }
        Err(e) => fail(ctx, &e, json),
    }
}

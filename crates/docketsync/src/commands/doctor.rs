//! `docketsync doctor [--json]`: every check of `docket_app::doctor`,
//! one line each with the fix in CLI words; exits with the code of who
//! must act on the first failure (0 when nothing failed).

use std::process::ExitCode;

use super::{exit_code, out, Ctx};

pub async fn run(ctx: &Ctx, json: bool) -> ExitCode {
    let report = match docket_app::doctor::run(ctx.config.clone(), chrono::Utc::now()).await {
        Ok(r) => r,
        Err(e) => return super::fail(ctx, &e, json),
    };
    if json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        v["ok"] = report.who_must_act().is_none().into();
        v["who"] = serde_json::to_value(report.who_must_act()).unwrap_or_default();
        out(&format!("{v}\n"));
    } else {
        out(&crate::render::doctor(&ctx.texts, &report));
    }
    report.who_must_act().map_or(ExitCode::SUCCESS, exit_code)
}

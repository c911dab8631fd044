//! `docketsync sync [--dry-run] [--force] [--retry-now] [--json]`: one
//! export now, and what it did.

use std::process::ExitCode;

use docket_app::Who;

use super::{exit_code, fail, open, out, Ctx};

pub async fn run(ctx: &Ctx, options: docket_app::sync::SyncOptions, json: bool) -> ExitCode {
    let app = match open(ctx, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.sync(options, chrono::Utc::now()).await {
        Ok(report) => {
            if json {
                let mut v = serde_json::to_value(&report).unwrap_or_default();
                v["ok"] = serde_json::Value::Bool(true);
                out(&format!("{v}
"));
            } else {
                out(&text(&report));
            }
            if report.failed.is_empty() && report.held_back.is_empty() && report.brake.is_none() {
                ExitCode::SUCCESS
            } else {
                // Some items are left for the next run (or for --force).
                exit_code(Who::Nobody)
            }
        }
        Err(e) => fail(ctx, &e, json),
    }
}

pub(crate) fn text(r: &docket_app::sync::SyncReport) -> String {
    let mut s = String::new();
    if r.dry_run {
        s.push_str(&format!("Plan (nothing was changed): {}\n", r.plan));
    } else {
        s.push_str(&format!(
            "Exported: {} created, {} updated, {} deleted, {} recreated after deletion in Outlook, {} moved, {} unchanged.\n",
            r.created, r.updated, r.deleted, r.recreated, r.moved, r.unchanged
        ));
    }
    if let Some(brake) = &r.brake {
        s.push_str(&format!(
            "Held back: {brake}\n  Run `docketsync sync --force` to carry them out.\n"
        ));
    }
    for f in &r.failed {
        s.push_str(&format!("Failed (tried again next run): {f}\n"));
    }
    for h in &r.held_back {
        s.push_str(&format!(
            "Paused after repeated failures: {h}\n  Run `docketsync sync --retry-now` to try it at once.\n"
        ));
    }
    for k in &r.skipped {
        s.push_str(&format!("Skipped: {k}\n"));
    }
    for n in &r.notices {
        s.push_str(&format!("Note: {n}\n"));
    }
    s.push_str(&format!(
        "Microsoft Graph requests: {} ({} reads, {} writes in {} batches; {} throttled and retried).\n",
        r.requests.graph_requests, r.requests.reads, r.requests.writes, r.requests.batches, r.requests.throttled
    ));
    s
}

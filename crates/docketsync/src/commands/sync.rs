//! `docketsync sync [--dry-run] [--force] [--retry-now] [--json]`: one
//! export now, and what it did.

use std::process::ExitCode;

use docket_app::{Message, Texts, Who};

use super::{exit_code, fail, open, out, Ctx};
use crate::render;

pub async fn run(ctx: &Ctx, options: docket_app::executor::ExportOptions, json: bool) -> ExitCode {
    let app = match open(ctx, json) {
        Ok(app) => app,
        Err(code) => return code,
    };
    match app.export(options, chrono::Utc::now()).await {
        Ok(report) => {
            if json {
                let mut v = serde_json::to_value(&report).unwrap_or_default();
                v["ok"] = serde_json::Value::Bool(true);
                out(&format!("{v}\n"));
            } else {
                out(&text(&ctx.texts, &report));
            }
            if report.pms_incomplete {
                // The PMS export could not be read whole: IT's to look at.
                exit_code(Who::Admin)
            } else if report.failed.is_empty()
                && report.held_back.is_empty()
                && report.brake.is_none()
            {
                ExitCode::SUCCESS
            } else {
                // Some items are left for the next run (or for --force).
                exit_code(Who::Nobody)
            }
        }
        Err(e) => fail(ctx, &e, json),
    }
}

/// The report in the reader's language; fixes in CLI words. The one place
/// where a run's report becomes terminal text.
pub(crate) fn text(texts: &Texts, r: &docket_app::executor::ExportReport) -> String {
    let mut s = String::new();
    let mut line = |m: Message| {
        s.push_str(&texts.render(&m));
        s.push('\n');
    };
    if r.dry_run {
        line(Message::new("sync-report-plan").text("plan", r.plan.describe_in(texts)));
    } else {
        line(
            Message::new("sync-report-exported")
                .number("created", r.created)
                .number("updated", r.updated)
                .number("deleted", r.deleted)
                .number("recreated", r.recreated)
                .number("moved", r.moved)
                .number("unchanged", r.unchanged),
        );
    }
    let fix = |action| {
        format!(
            "  {}: {}\n",
            texts.word("cli-fix"),
            render::action(texts, action)
        )
    };
    if let Some(b) = &r.brake {
        line(Message::new("sync-report-held").message("brake", b.message.clone()));
        if let Some(body) = texts.attr(&b.message, "body") {
            s.push_str(&format!("  {body}\n"));
        }
        s.push_str(&fix(&b.fix));
    }
    for f in &r.failed {
        s.push_str(
            &texts.render(
                &Message::new("sync-report-failed")
                    .text("item", f.key.as_str())
                    .message("reason", f.reason.clone()),
            ),
        );
        s.push('\n');
    }
    for h in &r.held_back {
        s.push_str(
            &texts.render(
                &Message::new("sync-report-paused")
                    .text("item", h.key.as_str())
                    .message("reason", h.reason.clone()),
            ),
        );
        s.push('\n');
        s.push_str(&fix(&h.fix));
    }
    for k in &r.skipped {
        s.push_str(&texts.render(&Message::new("sync-report-skipped").message("line", k.line())));
        s.push('\n');
    }
    for n in &r.notices {
        s.push_str(&texts.render(&Message::new("sync-report-note").message("notice", n.clone())));
        s.push('\n');
    }
    let q = &r.requests;
    s.push_str(
        &texts.render(
            &Message::new("sync-report-requests")
                .number("requests", q.graph_requests)
                .number("reads", q.reads)
                .number("writes", q.writes)
                .number("batches", q.batches)
                .number("throttled", q.throttled),
        ),
    );
    s.push('\n');
    s
}

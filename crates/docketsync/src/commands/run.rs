//! `docketsync run`: the background loop in the foreground, one line per
//! run and per notification; Ctrl-C stops it.

use std::process::ExitCode;

use docket_app::schedule::{self, Control, Memory, Notification, Observer, RunOutcome, Timing};
use docket_app::Texts;

use super::{open, out, Ctx};

struct Terminal<'a> {
    texts: &'a Texts,
}

impl Observer for Terminal<'_> {
    fn ran(&self, outcome: &RunOutcome, memory: &Memory) {
        let at = chrono::Local::now().format("%H:%M");
        let t = self.texts;
        match outcome {
            RunOutcome::Exported(r) => out(&format!(
                "{at} exported: {} created, {} updated, {} deleted, {} recreated, {} unchanged; {} failed, {} paused; {} Graph requests\n",
                r.created,
                r.updated,
                r.deleted,
                r.recreated,
                r.unchanged,
                r.failed.len(),
                r.held_back.len(),
                r.requests.graph_requests
            )),
            RunOutcome::Failed(e) if memory.waiting_for_user => {
                let d = e.describe();
                out(&format!(
                    "{at} waiting for you: {} ({}). {}: {}\n",
                    t.render(&d.message),
                    d.code,
                    t.word("cli-fix"),
                    crate::render::action(t, &d.action)
                ))
            }
            RunOutcome::Failed(e) => {
                let d = e.describe();
                out(&format!(
                    "{at} failed ({} in a row; tried again by itself): {} ({})\n",
                    memory.failures.max(1),
                    t.render(&d.message),
                    d.code
                ))
            }
        }
    }

    fn notify(&self, n: &Notification) {
        let t = self.texts;
        out(&format!(
            "NOTICE {}: {} ({}: {})\n",
            t.render(&n.title),
            t.render(&n.message),
            t.word("cli-fix"),
            crate::render::action(t, &n.action)
        ));
    }
}

pub async fn run(ctx: &Ctx) -> ExitCode {
    let app = match open(ctx, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let timing = Timing::from_config(&app.config());
    let control = Control::default();
    let stopper = control.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stopper.stop();
        }
    });
    out(&format!(
        "Exporting every {} minutes; Ctrl-C stops.\n",
        timing.every.num_minutes()
    ));
    let terminal = Terminal { texts: &ctx.texts };
    schedule::run(&app, timing, &schedule::WallClock, &terminal, &control).await;
    ExitCode::SUCCESS
}

//! `docketsync signin [--no-browser]`: the browser sign-in, with the
//! address always printed for copy and paste.

use std::process::ExitCode;

use docket_app::frontend::{Browser, SystemBrowser};
use docket_app::Message;

use super::{exit, fail, open, out, Ctx};

/// Does not open anything: the URL is printed.
struct NoBrowser;

impl Browser for NoBrowser {
    fn open(&self, _url: &str) -> std::io::Result<()> {
        Ok(())
    }
}

pub async fn run(ctx: &Ctx, no_browser: bool) -> ExitCode {
    let app = match open(ctx, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let t = &ctx.texts;
    let browser: &dyn Browser = if no_browser {
        &NoBrowser
    } else {
        &SystemBrowser
    };
    let on_url = |url: &str| {
        let intro = if no_browser {
            "cli-signin-no-browser"
        } else {
            "cli-signin-open"
        };
        out(&format!("{}\n\n  {url}\n\n", t.word(intro)));
        out(&format!("{}\n", t.word("cli-signin-waiting")));
    };
    let result = tokio::select! {
        r = app.sign_in(browser, on_url) => r,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("{}", t.word("cli-signin-cancelled"));
            return ExitCode::from(exit::USER);
        }
    };
    match result {
        Ok(report) => {
            let who = match &report.display_name {
                Some(name) => format!("{name} <{}>", report.username),
                None => report.username.clone(),
            };
            let id = if report.reauthenticated {
                "cli-signin-again"
            } else {
                "cli-signin-done"
            };
            out(&format!(
                "{}\n",
                t.render(&Message::new(id).text("who", who))
            ));
            ExitCode::SUCCESS
        }
        Err(e) => fail(ctx, &e, false),
    }
}

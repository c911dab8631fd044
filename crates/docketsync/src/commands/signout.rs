//! `docketsync signout`: every secret of the account and the account
//! itself removed.

use std::process::ExitCode;

use docket_app::Message;

use super::{fail, open, out, Ctx};

pub fn run(ctx: &Ctx) -> ExitCode {
    let app = match open(ctx, false) {
        Ok(app) => app,
        Err(code) => return code,
    };
    let t = &ctx.texts;
    match app.sign_out() {
        Ok(Some(user)) => {
            let m = Message::new("cli-signout-done")
                .text("user", user)
                .message("location", app.secrets_location());
            out(&format!("{}\n", t.render(&m)));
            ExitCode::SUCCESS
        }
        Ok(None) => {
            out(&format!("{}\n", t.word("cli-signout-none")));
            ExitCode::SUCCESS
        }
        Err(e) => fail(ctx, &e, false),
    }
}

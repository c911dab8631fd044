//! One file per command. Each parses nothing itself (clap did), calls
//! `docket-app`, renders what came back with [`crate::render`] and chooses
//! its exit code from the data: who must act ([`exit_code`]).

pub mod check;
pub mod doctor;
pub mod run;
pub mod secrets;
pub mod signin;
pub mod signout;
pub mod status;
pub mod sync;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use docket_app::{App, AppError, Texts, Who};

/// What every command gets: the configuration file chosen on the command
/// line (or `DOCKETSYNC_CONFIG`) and the words in the reader's language.
pub struct Ctx {
    pub config: Option<PathBuf>,
    pub texts: Texts,
}

/// Exit codes other than 0 (success), from who must act. `docs/cli.md`
/// lists them.
pub mod exit {
    /// The user must act: sign in (again), finish the sign-in, unlock the
    /// keyring.
    pub const USER: u8 = 1;
    /// The command line was wrong (clap's code), or standard input could
    /// not be read.
    pub const USAGE: u8 = 2;
    /// IT must act: app registration, tenant, firm configuration, keyring
    /// set-up, the PMS server.
    pub const ADMIN: u8 = 3;
    /// Nobody: temporary (network, Microsoft, another export running);
    /// try again later, as Docket Sync does by itself.
    pub const NOBODY: u8 = 4;
}

/// The one mapping from who must act to the exit code.
pub fn exit_code(who: Who) -> ExitCode {
    ExitCode::from(match who {
        Who::User => exit::USER,
        Who::Admin => exit::ADMIN,
        Who::Nobody => exit::NOBODY,
    })
}

pub fn out(text: &str) {
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Report `e` (JSON on stdout, or text on stderr) and give its exit code.
pub fn fail(ctx: &Ctx, e: &AppError, json: bool) -> ExitCode {
    let d = e.describe();
    if json {
        out(&format!("{}\n", crate::render::error_json(&ctx.texts, &d)));
    } else {
        eprint!("{}", crate::render::error(&ctx.texts, &d));
    }
    exit_code(d.who)
}

pub fn open(ctx: &Ctx, json: bool) -> Result<App, ExitCode> {
    App::open(ctx.config.clone()).map_err(|e| fail(ctx, &e, json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_must_act_chooses_the_exit_code() {
        for (who, code) in [(Who::User, 1), (Who::Admin, 3), (Who::Nobody, 4)] {
            assert_eq!(exit_code(who), ExitCode::from(code), "{who:?}");
        }
    }
}

//! `docketsync`: the headless command line of Docket Sync.
//!
//! The binary is orchestration only: it turns arguments into calls of
//! `docket-app`, renders what comes back in the reader's language
//! (`render`: docket-text's catalogues plus the CLI's own `cli.ftl`) and
//! chooses exit codes from who must act (`commands`, one file per
//! command). Commands: `signin`, `signout`, `status`, `check`,
//! `client-secret set`, `doctor` (one line per check). `docs/cli.md`
//! documents output and exit codes. It contains no emulator: the demo and
//! the Microsoft 365 emulator are the `m365-emulator` binary's
//! (docs/emulator.md).
//!
//! Logs go to a daily file in the log folder (kept `logging.keep_days`
//! days) and, from warnings up, to stderr (`docket_app::logging`). Nothing logged carries a token,
//! code, secret or password.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cli::{ClientSecretCommand, Command, SourceCredentialCommand};

mod cli;
mod commands;
mod render;

fn main() -> ExitCode {
    // Before any thread or file: everything this process creates (state
    // database and its side files, logs, locks, caches) is owner-only.
    docket_app::frontend::prepare_process();
    let args: Vec<OsString> = std::env::args_os().collect();
    let paths = docket_app::frontend::paths();
    // The help and clap's messages are in the reader's language too, so
    // it is chosen before clap parses, by the same rule as below.
    let early = cli::early_args(&args);
    let early_config = early
        .config
        .clone()
        .or_else(|| std::env::var_os("DOCKETSYNC_CONFIG").map(PathBuf::from));
    let early_lang = reader_lang(
        early.lang.as_deref(),
        paths.as_ref().ok(),
        early_config.as_deref(),
    );
    let cli = cli::parse(&render::texts(early_lang), args);
    let paths = match paths {
        Ok(p) => p,
        Err(e) => {
            // No folders, so no configuration: `--lang`, else the system's.
            let texts = render::texts(reader_lang(cli.lang.as_deref(), None, None));
            eprint!("{}", render::error(&texts, &e.describe()));
            return ExitCode::from(commands::exit::USAGE);
        }
    };
    let config = cli.config.as_deref();
    let settings = docket_app::logging::LogSettings::from_config(&paths, config);
    let _log_guard =
        docket_app::logging::init(&paths, docket_app::logging::LogTarget::Cli, &settings);
    // What clap parsed decides; the same as before it parsed, unless an
    // odd command line fooled `early_args`.
    let lang = if cli.lang == early.lang && config == early_config.as_deref() {
        early_lang
    } else {
        reader_lang(cli.lang.as_deref(), Some(&paths), config)
    };
    let ctx = commands::Ctx {
        config: cli.config.clone(),
        texts: render::texts(lang),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            let m = docket_app::Message::new("cli-runtime-failed").text("error", e.to_string());
            eprintln!("{}: {}", ctx.texts.word("cli-error"), ctx.texts.render(&m));
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::Doctor { json } => commands::doctor::run(&ctx, json).await,
            Command::Signin { no_browser } => commands::signin::run(&ctx, no_browser).await,
            Command::Signout => commands::signout::run(&ctx),
            Command::Status { json } => commands::status::run(&ctx, json),
            Command::Check { json } => commands::check::run(&ctx, json).await,
            Command::Run => commands::run::run(&ctx).await,
            Command::Sync {
                dry_run,
                force,
                retry_now,
                json,
            } => {
                let options = docket_app::executor::ExportOptions {
                    dry_run,
                    force,
                    retry_now,
                };
                commands::sync::run(&ctx, options, json).await
            }
            Command::ClientSecret(ClientSecretCommand::Set) => {
                commands::secrets::client_secret_set(&ctx)
            }
            Command::SourceCredential(SourceCredentialCommand::Set) => {
                commands::secrets::source_credential_set(&ctx)
            }
        }
    })
}

/// The reader's language: `--lang`, else `app.language` in the settings
/// (when the folders are known), else the system's.
fn reader_lang(
    lang: Option<&str>,
    paths: Option<&docket_app::frontend::FilePaths>,
    config: Option<&Path>,
) -> docket_app::Lang {
    match (lang, paths) {
        (Some(tag), _) => docket_app::Lang::choose(Some(tag)),
        (None, Some(paths)) => docket_app::frontend::language(paths, config),
        (None, None) => docket_app::Lang::choose(None),
    }
}

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

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod render;

/// Docket Sync exports appointments, deadlines and contacts from your
/// practice-management system into Outlook, Microsoft To Do and Outlook
/// contacts.
#[derive(Debug, Parser)]
#[command(name = "docketsync", version, propagate_version = true)]
#[command(after_help = "\
Configuration: Docket Sync reads the firm configuration file (see --config)
and merges your personal overrides file over it. DOCKETSYNC_HOME=DIR keeps
every file (configuration, data, logs) under DIR instead.")]
struct Cli {
    /// The firm configuration file to use. Without it: the DOCKETSYNC_CONFIG
    /// environment variable, else the platform's default location
    /// (Linux /etc/docketsync/config.toml, Windows
    /// %ProgramData%\DocketSync\config.toml, macOS /Library/Application
    /// Support/DocketSync/config.toml, or DOCKETSYNC_HOME/firm/config.toml).
    #[arg(long, global = true, value_name = "PATH", env = "DOCKETSYNC_CONFIG")]
    config: Option<PathBuf>,

    /// The language of what is printed: en or de. Without it: app.language
    /// in your settings, else the system's language (LANG, LC_MESSAGES).
    #[arg(long, global = true, value_name = "LANG", value_parser = ["en", "de"])]
    lang: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in to Microsoft 365 in your browser. Opens the system browser
    /// (the BROWSER environment variable is honoured) and always prints the
    /// address too, for copy and paste. When an account is already signed
    /// in, signs that account in again (another account is refused: sign
    /// out first to switch).
    Signin {
        /// Do not open a browser; only print the address.
        #[arg(long)]
        no_browser: bool,
    },
    /// Sign out: removes the sign-in (refresh token and every other secret
    /// of the account) from the keyring, and forgets the account.
    Signout,
    /// Show who is signed in, since when, the last good refresh, the last
    /// problem with its fix, and warnings.
    Status {
        /// Print stable JSON for scripts (see docs/cli.md).
        #[arg(long)]
        json: bool,
    },
    /// Refresh the sign-in now and ask Microsoft Graph who is signed in;
    /// records the result (success, or the problem and its fix).
    Check {
        /// Print stable JSON for scripts (see docs/cli.md).
        #[arg(long)]
        json: bool,
    },
    /// Export now: read the practice-management data, find what changed in
    /// Microsoft 365, and bring Outlook, To Do and contacts in step with
    /// the PMS. Prints what was created, updated, deleted, recreated and
    /// skipped (with reasons), and how many Graph requests it took.
    /// `docketsync export` is the same command.
    #[command(visible_alias = "export")]
    Sync {
        /// Only show the plan, in plain words; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Carry out deletions the safety brake held back (more than
        /// policy.max_delete_share of the exported items in one run).
        #[arg(long)]
        force: bool,
        /// Try items that keep failing now, instead of after their pause
        /// (15 minutes after the second failure, growing to 12 hours).
        #[arg(long)]
        retry_now: bool,
        /// Print stable JSON for scripts (see docs/cli.md).
        #[arg(long)]
        json: bool,
    },
    /// Keep exporting in the foreground, as the tray does in the background:
    /// every policy.sync_interval_minutes, retrying temporary failures
    /// sooner, waiting when the sign-in needs the user (it goes on by
    /// itself after `docketsync signin` in another terminal), and printing
    /// each run and any notification. Stop with Ctrl-C.
    Run,
    /// Manage the client secret of a confidential (Web) app registration.
    #[command(subcommand)]
    ClientSecret(ClientSecretCommand),
    /// Manage the password or token for the PMS server (source.auth =
    /// "basic" or "bearer": an HTTPS calendar file or CalDAV/CardDAV).
    #[command(subcommand)]
    SourceCredential(SourceCredentialCommand),
    /// Check that Docket Sync can work here: the configuration is valid,
    /// the sign-in port is free, the extra CA file is readable, the data
    /// and log folders are writable, and Microsoft's sign-in service (the
    /// authority) answers. Prints one line per check: OK, WARN, FAIL or
    /// SKIP, and what to do. Exits 0 when no check fails, else with the
    /// code of who must act on the first failure (see docs/cli.md).
    Doctor {
        /// Print the report as stable JSON for scripts (see docs/cli.md).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ClientSecretCommand {
    /// Store the client secret in the OS keyring. Reads it from standard
    /// input (never from the command line, where other users could see
    /// it), e.g. `docketsync client-secret set < secret.txt`.
    Set,
}

#[derive(Debug, Subcommand)]
enum SourceCredentialCommand {
    /// Store the PMS password (source.auth = "basic", for source.username)
    /// or token ("bearer") in the OS keyring. Asks for it without showing
    /// it, or reads it from standard input (never from the command line),
    /// e.g. `docketsync source-credential set < password.txt`.
    Set,
}

fn main() -> ExitCode {
    // Before any thread or file: everything this process creates (state
    // database and its side files, logs, locks, caches) is owner-only.
    docket_app::frontend::prepare_process();
    let cli = Cli::parse();
    let paths = match docket_app::frontend::paths() {
        Ok(p) => p,
        Err(e) => {
            // No folders, so no configuration: `--lang`, else the system's.
            let texts = render::texts(docket_app::Lang::choose(cli.lang.as_deref()));
            eprint!("{}", render::error(&texts, &e.describe()));
            return ExitCode::from(commands::exit::USAGE);
        }
    };
    let config = cli.config.as_deref();
    let settings = docket_app::logging::LogSettings::from_config(&paths, config);
    let _log_guard =
        docket_app::logging::init(&paths, docket_app::logging::LogTarget::Cli, &settings);
    let lang = match cli.lang.as_deref() {
        Some(tag) => docket_app::Lang::choose(Some(tag)),
        None => docket_app::frontend::language(&paths, config),
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

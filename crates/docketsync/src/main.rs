//! `docketsync`: the headless command line of Docket Sync.
//!
//! The binary is orchestration only: it turns arguments into calls of the
//! library crates (`docket-app`, `docket-paths`, `docket-config`,
//! `m365-emulator`) and prints results. Commands: `signin`, `signout`,
//! `status`, `check`, `client-secret set`, `doctor` (one line per check)
//! and `emulator` (run the Microsoft 365 emulator, or drive a running one
//! with `emulator admin ...`). `docs/cli.md` documents output and exit
//! codes.
//!
//! Logs go to a daily file in the log folder (kept `logging.keep_days`
//! days) and, from warnings up, to stderr. Nothing logged carries a token,
//! code, secret or password.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod account;
mod demo;
mod doctor;
mod emulator;
mod http;

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
    /// authority) answers. Prints one line per check: OK, WARN or FAIL and
    /// what to do. Exits with status 1 when any check fails.
    Doctor,
    /// Run the Microsoft 365 emulator: a local stand-in for Entra ID
    /// sign-in and Microsoft Graph with a demo law firm, for trying Docket
    /// Sync and for tests. It prints its URLs, the demo app ids and the
    /// demo users' sign-in names and passwords, and runs until Ctrl-C.
    /// `emulator admin ...` controls a running emulator.
    Emulator(Box<emulator::EmulatorArgs>),
    /// The whole product on the bundled demo, in one command: starts the
    /// Microsoft 365 emulator, signs a demo fee-earner in (the emulator's
    /// page is filled in for you), exports the sample law firm's
    /// appointments, deadlines and contacts, and shows what arrived and
    /// what was skipped and why. The emulator then keeps running.
    Demo(demo::DemoArgs),
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

/// Log to a daily file in the log folder, keeping the configured number of
/// days, and warnings to stderr. Returns the guard that flushes the file.
fn init_logging(
    paths: &docket_paths::Paths,
    config: &std::path::Path,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let logging = docket_config::load(config, &paths.user_config_file)
        .map(|c| c.logging)
        .ok();
    let level = logging.map_or("info", |l| l.level.as_str());
    let level: LevelFilter = level.parse().unwrap_or(LevelFilter::INFO);
    let keep_days = logging.map_or(14, |l| l.keep_days) as usize;
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(LevelFilter::WARN);
    let file = docket_paths::secure::create_dir_all(&paths.log_dir)
        .ok()
        .and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("docketsync")
                .filename_suffix("log")
                .max_log_files(keep_days.max(1))
                .build(&paths.log_dir)
                .ok()
        });
    let Some(file) = file else {
        tracing_subscriber::registry().with(stderr).init();
        return None;
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    // HTTP and TLS libraries stay at info: their debug output can show
    // request details.
    let targets = Targets::new()
        .with_default(level)
        .with_target("hyper", LevelFilter::INFO.min(level))
        .with_target("hyper_util", LevelFilter::INFO.min(level))
        .with_target("reqwest", LevelFilter::INFO.min(level))
        .with_target("h2", LevelFilter::INFO.min(level))
        .with_target("rustls", LevelFilter::INFO.min(level))
        .with_target("tiny_http", LevelFilter::INFO.min(level));
    let file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(targets);
    tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .init();
    Some(guard)
}

fn main() -> ExitCode {
    // Before any thread or file: everything this process creates (state
    // database and its side files, logs, locks, caches) is owner-only.
    docket_paths::secure::owner_only_umask();
    let cli = Cli::parse();
    let paths = match docket_paths::Paths::from_env() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let config_file = cli
        .config
        .clone()
        .unwrap_or_else(|| paths.firm_config_file.clone());
    // The demo and the emulator work in a home of their own, apart from
    // the real account's files (docket-paths' `demo_home`).
    let against_emulator = matches!(cli.command, Command::Demo(_) | Command::Emulator(_));
    let _log_guard = if against_emulator {
        if let Err(e) = paths.demo().mark_as_demo_home() {
            eprintln!("error: cannot create the demo's home: {e}");
            return ExitCode::FAILURE;
        }
        init_logging(&paths.demo(), &config_file)
    } else {
        init_logging(&paths, &config_file)
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Doctor => {
                let config = cli.config.unwrap_or_else(|| paths.firm_config_file.clone());
                let checks = doctor::run(&config, &paths, chrono::Local::now().date_naive()).await;
                let _ = write!(std::io::stdout(), "{}", doctor::render(&checks));
                Ok(if checks.iter().any(|c| c.status == doctor::Status::Fail) {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                })
            }
            Command::Emulator(args) => emulator::main(*args, &paths.demo()).await,
            Command::Demo(args) => demo::run(args, &paths).await,
            Command::Signin { no_browser } => Ok(account::signin(cli.config, no_browser).await),
            Command::Signout => Ok(account::signout(cli.config)),
            Command::Status { json } => Ok(account::status(cli.config, json)),
            Command::Check { json } => Ok(account::check(cli.config, json).await),
            Command::Run => Ok(account::run(cli.config).await),
            Command::Sync {
                dry_run,
                force,
                retry_now,
                json,
            } => {
                let options = docket_app::sync::SyncOptions {
                    dry_run,
                    force,
                    retry_now,
                };
                Ok(account::sync(cli.config, options, json).await)
            }
            Command::ClientSecret(ClientSecretCommand::Set) => {
                Ok(account::client_secret_set(cli.config))
            }
            Command::SourceCredential(SourceCredentialCommand::Set) => {
                Ok(account::source_credential_set(cli.config))
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

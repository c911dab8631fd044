//! `docketsync`: the headless command line of Docket Sync.
//!
//! The binary is orchestration only: it turns arguments into calls of the
//! library crates (`docket-paths`, `docket-config`, `m365-emulator`) and
//! prints results. Commands: `doctor` (one line per check) and `emulator`
//! (run the Microsoft 365 emulator, or drive a running one with
//! `emulator admin ...`).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .init();
    let paths = match docket_paths::Paths::from_env() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
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
            Command::Emulator(args) => emulator::main(*args, &paths).await,
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

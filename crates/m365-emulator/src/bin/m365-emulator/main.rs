//! `m365-emulator`: the Microsoft 365 emulator's command line, a binary of
//! its own so that the product (`docketsync`) carries no fake Microsoft.
//!
//! - `m365-emulator [--port N] [--https] …`: serve the emulator on loopback
//!   until Ctrl-C or SIGTERM (`serve.rs`), optionally writing a Docket Sync
//!   configuration for it and a ready file for scripts and tests;
//! - `m365-emulator admin …`: drive a running emulator over its admin API
//!   (`admin.rs`);
//! - `m365-emulator demo`: the README's demo (`demo.rs`): the emulator plus
//!   the `docketsync` command line, run as a user would.
//!
//! Like the library, it depends on no product crate: it knows Docket Sync
//! only as a configuration file (`m365_emulator::docketsync_config`) and,
//! for the demo, as a program to run.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod admin;
mod demo;
mod serve;

/// A local stand-in for Microsoft Entra ID sign-in and Microsoft Graph
/// (calendar, To Do, contacts) with a demo law firm, for trying Docket
/// Sync and for tests. Without a subcommand it serves: it prints its URLs,
/// the demo app ids and the demo users' sign-in names and passwords, and
/// runs until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "m365-emulator", version, propagate_version = true)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: serve::ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Control a running emulator through its admin API: change a demo
    /// user's password, end sessions, move the clock, inject faults, read
    /// request statistics.
    Admin(admin::AdminArgs),
    /// The whole product on the bundled demo, in one command: starts the
    /// emulator, signs a demo fee-earner in with the `docketsync` command
    /// line (the emulator's page is filled in for you), exports the sample
    /// law firm's appointments, deadlines and contacts, and shows what
    /// arrived and what was skipped and why. The emulator then keeps
    /// running.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // reqwest is built without a TLS provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Admin(args)) => admin::run(args).await,
            Some(Command::Demo(args)) => demo::run(args).await,
            None => serve::run(cli.serve).await.map(|()| ExitCode::SUCCESS),
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

/// Ctrl-C, or SIGTERM on Unix. The handlers are installed when this is
/// called, not when the future is first polled: call it before telling
/// anyone the emulator is ready, so that a SIGTERM right after the ready
/// file stops it cleanly.
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Write via a temporary file and rename, so readers never see half a file.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

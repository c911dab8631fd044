//! `docket-stress`: the crash-convergence and fault-storm harnesses of
//! issue 11 as a command, printing their figures as Markdown tables.
//!
//! ```sh
//! cargo build --release -p docketsync -p m365-emulator -p docket-testkit
//! target/release/docket-stress crash --runs 100 --items 2000
//! target/release/docket-stress faults --items 2000
//! target/release/docket-stress crash --keyring --runs 30 --items 2000
//! ```
//!
//! `--keyring`: the tokens in a private gnome-keyring the harness starts
//! (its own `dbus-run-session`; needs `dbus-run-session`,
//! `gnome-keyring-daemon`, `dbus-send` and `secret-tool`), the runs killed
//! inside the refresh token's rotation (`token-write`, `token-redeemed`).
//!
//! Build the three packages in one command: that is what arms the crash
//! points (`docket-crash`'s feature `armed`, which this package turns on)
//! in the `docketsync` binary next to this one. `--docketsync PATH` (or
//! `DOCKETSYNC_BIN`) and `M365_EMULATOR_BIN` name other binaries.

use std::path::PathBuf;
use std::process::ExitCode;

use docket_testkit::stress::{crash, faults};

fn usage() -> ExitCode {
    eprintln!(
        "usage: docket-stress crash [--runs N] [--items N] [--seed N] [--verbose] [--keyring] [--docketsync PATH]\n       \
         docket-stress faults [--items N] [--docketsync PATH]"
    );
    ExitCode::from(2)
}

fn next_to_me(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let p = exe
        .parent()?
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    p.is_file().then_some(p)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().cloned() else {
        return usage();
    };
    let mut runs = 100;
    let mut items = 2000;
    let mut seed = 0x5eed_d0c4;
    let mut verbose = false;
    let mut keyring = false;
    let mut docketsync = std::env::var_os("DOCKETSYNC_BIN")
        .map(PathBuf::from)
        .or_else(|| next_to_me("docketsync"));
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        let mut number = |what: &mut u64| match rest.next().and_then(|v| v.parse().ok()) {
            Some(v) => {
                *what = v;
                true
            }
            None => false,
        };
        let ok = match arg.as_str() {
            "--runs" => number(&mut runs),
            "--items" => number(&mut items),
            "--seed" => number(&mut seed),
            "--verbose" => {
                verbose = true;
                true
            }
            "--keyring" => {
                keyring = true;
                true
            }
            "--docketsync" => {
                docketsync = rest.next().map(PathBuf::from);
                docketsync.is_some()
            }
            _ => false,
        };
        if !ok {
            return usage();
        }
    }
    let Some(docketsync) = docketsync else {
        eprintln!("no docketsync binary next to docket-stress: pass --docketsync PATH");
        return ExitCode::from(2);
    };
    if std::env::var_os("M365_EMULATOR_BIN").is_none() {
        if let Some(p) = next_to_me("m365-emulator") {
            std::env::set_var("M365_EMULATOR_BIN", p);
        }
    }
    match command.as_str() {
        "crash" => {
            if keyring {
                if let Some(tool) = docket_testkit::stress::keyring::missing_tool() {
                    eprintln!("--keyring needs {tool} (apt-get install gnome-keyring dbus libsecret-tools)");
                    return ExitCode::from(2);
                }
            }
            let report = crash::run(crash::Options {
                docketsync,
                runs,
                items,
                seed,
                verbose,
                keyring,
            })
            .await;
            println!("{}", report.markdown());
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        "faults" => {
            let outcomes = faults::run(faults::Options { docketsync, items }).await;
            println!("{}", faults::markdown(&outcomes));
            if outcomes.iter().all(|o| o.passed) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => usage(),
    }
}

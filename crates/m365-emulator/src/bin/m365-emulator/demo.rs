//! `m365-emulator demo`: the whole product on the bundled sample firm, in
//! one command (the README's first one ends here). It starts the emulator,
//! writes a Docket Sync configuration for it into the demo's own home,
//! and runs the `docketsync` command line there as a fee-earner would:
//! `signin` (the emulator's sign-in page is filled in for you — with a real
//! tenant a person signs in in the browser), `sync`, and `sync` again. It
//! shows what arrived in the emulated mailbox; the emulator then keeps
//! running, so the other commands can be tried against it.
//!
//! **The demo has a home of its own** (`--home`, passed to `docketsync` as
//! `DOCKETSYNC_HOME`): its configuration, state database, secrets file
//! (never the OS keyring: the home is marked as the demo's, see
//! `docket-paths`' `is_demo_home`) and logs live there. It never reads,
//! signs out or changes a real account.
//!
//! The product is only run, never linked: the emulator depends on no
//! product crate.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context as _};
use m365_emulator::docketsync_config::DocketsyncConfig;
use m365_emulator::{world::demo, EmulatorConfig, Shared};
use tokio::net::TcpListener;

/// The file in the home's data folder that marks it as the demo's: the
/// name `docket-paths` gives it (`Paths::demo_marker_file`). With it the
/// app keeps the demo's sign-in in a file there, never in the OS keyring
/// where a real account's is (tested in `crates/docketsync/tests/demo.rs`).
const DEMO_MARKER: &str = "data/DEMO-HOME";

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Port for the emulator on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
    port: u16,
    /// The demo fee-earner: anna (German) or james (English).
    #[arg(long, default_value = "anna")]
    user: String,
    /// Stop after the export instead of keeping the emulator running.
    #[arg(long)]
    exit: bool,
    /// The demo's own Docket Sync home (configuration, state, secrets
    /// file, logs). Default: `docketsync-demo` in the current folder.
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
    /// The `docketsync` program to run. Default: the one next to this
    /// program, else `docketsync` on PATH.
    #[arg(long, value_name = "PATH", env = "DOCKETSYNC_BIN")]
    docketsync: Option<PathBuf>,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let (upn, _, _, _, _, password) = *demo::USERS
        .iter()
        .find(|u| {
            u.0.starts_with(&format!("{}.", args.user.to_ascii_lowercase()))
        })
        .with_context(|| format!("--user {}: choose anna or james", args.user))?;
    let docketsync = docketsync_program(args.docketsync.as_deref())?;
    let home = absolute(args.home.as_deref().unwrap_or(Path::new("docketsync-demo")))?;

    // 1. The emulator.
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("port {} is in use: choose another with --port", args.port))?;
    let shared = Shared::new(EmulatorConfig::default())?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(m365_emulator::run(listener, shared.clone(), async {
        let _ = stopped.await;
    }));

    // 2. The demo's home and a configuration for this emulator in it: the
    // home's firm configuration, so that commands run with DOCKETSYNC_HOME
    // set to it find it without --config. Tokens go to a file there.
    let config_file = home.join("firm").join("config.toml");
    let mut config = DocketsyncConfig::new(&base, shared.demo_tenant_id());
    config.plaintext_tokens = true;
    write_private(&config_file, config.toml().as_bytes())?;
    write_private(
        &home.join(DEMO_MARKER),
        b"The home of the Docket Sync demo (`m365-emulator demo`): secrets stay in a file here.\n",
    )?;
    println!(
        "Microsoft 365 emulator running at {base} (demo tenant {}).",
        demo::TENANT_DOMAIN
    );
    println!("Config written to {}", config_file.display());
    let cli = |args: &[&str]| {
        let mut cmd = Command::new(&docketsync);
        cmd.args(args)
            .env("DOCKETSYNC_HOME", &home)
            .env_remove("DOCKETSYNC_CONFIG")
            .stdin(Stdio::null());
        cmd
    };

    // A fresh emulator has a fresh mailbox: start the demo's own account
    // (from an earlier demo, in the demo's home) afresh.
    let out = output(cli(&["signout"]), &docketsync)?;
    if !out.status.success() {
        bail!("`docketsync signout` failed:\n{}", text(&out));
    }

    // 3. Sign in: `docketsync signin` prints the address, the stand-in for
    // the person at the browser fills in the emulator's pages.
    println!("\nSigning in as {upn} on the emulator's sign-in page (filled in for you)…");
    let signed_in = sign_in(cli(&["signin", "--no-browser"]), &base, upn, password).await?;
    print!("{signed_in}");

    // 4. Export, as `docketsync sync` reports it.
    println!("\nExporting the sample firm's appointments, deadlines and contacts…");
    let out = output(cli(&["sync"]), &docketsync)?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    // 4: exported, but some items failed (they are listed above).
    if !matches!(out.status.code(), Some(0 | 4)) {
        bail!(
            "`docketsync sync` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // 5. What arrived.
    let mailbox: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/_admin/mailboxes/{upn}"))
        .send()
        .await?
        .json()
        .await?;
    let count = |k: &str| mailbox[k].as_array().map(Vec::len).unwrap_or(0);
    println!(
        "\nThe emulated mailbox of {upn} now holds {} calendar events, {} To Do tasks and {} contacts.",
        count("events"),
        count("tasks"),
        count("contacts")
    );
    let out = output(cli(&["sync", "--json"]), &docketsync)?;
    let again: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("`docketsync sync --json` printed no JSON:\n{}", text(&out)))?;
    println!(
        "A second run right away: {} Graph requests, {} writes — nothing changed, so nothing is sent.",
        again["requests"]["graph_requests"], again["requests"]["writes"]
    );

    if !args.exit {
        println!("\nThe emulator keeps running. In another terminal, with the demo's own home:");
        let env = format!("DOCKETSYNC_HOME={}", home.display());
        let program = docketsync.display();
        println!("  {env} {program} status");
        println!("  {env} {program} sync --dry-run");
        println!("Mailbox contents: {base}/_admin/mailboxes/{upn}");
        let shutdown = crate::shutdown_signal();
        println!("Press Ctrl-C to stop.");
        shutdown.await;
    }
    let _ = stop.send(());
    let _ = server.await;
    Ok(ExitCode::SUCCESS)
}

/// `--docketsync`, else `docketsync` next to this program (both are built
/// into the same target folder), else `docketsync` on PATH.
fn docketsync_program(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path.to_path_buf());
    }
    let name = format!("docketsync{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)));
    if let Some(path) = beside.filter(|p| p.is_file()) {
        return Ok(path);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(&name))
        .find(|p| p.is_file())
        .context(
            "the demo runs the Docket Sync command line, `docketsync`, and found none next to \
             this program or on PATH: build it (`cargo build -p docketsync`) or name it with \
             --docketsync PATH",
        )
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .context("cannot read the current folder")?
            .join(path)
    })
}

/// Run `cmd` to its end with its output captured.
fn output(mut cmd: Command, program: &Path) -> anyhow::Result<std::process::Output> {
    cmd.output()
        .with_context(|| format!("cannot run {}", program.display()))
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Run `docketsync signin --no-browser`, fill in the emulator's pages at
/// the address it prints, and return its closing line(s).
async fn sign_in(
    mut cmd: Command,
    base: &str,
    upn: &str,
    password: &str,
) -> anyhow::Result<String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run docketsync signin")?;
    let stdout = child.stdout.take().context("signin's output")?;
    let (url_tx, url_rx) = tokio::sync::oneshot::channel::<String>();
    // Reads to the end, so `signin` never blocks on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut url_tx = Some(url_tx);
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.trim().starts_with("http") {
                if let Some(tx) = url_tx.take() {
                    let _ = tx.send(line.trim().to_string());
                }
            }
            lines.push(line);
        }
        lines
    });
    let filled = match url_rx.await {
        Ok(url) => m365_emulator::pages_client::sign_in(base, &url, upn, password)
            .await
            .map(|_| ()),
        Err(_) => Err("docketsync signin printed no sign-in address".to_string()),
    };
    if filled.is_err() {
        // It would wait for the browser's answer for minutes.
        let _ = child.kill();
    }
    let status = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await?
        .context("docketsync signin")?;
    let lines = reader.join().unwrap_or_default();
    let failed = match (filled, status.status.success()) {
        (Ok(()), true) => None,
        (Err(e), _) => Some(e),
        (Ok(()), false) => Some("docketsync signin failed".to_string()),
    };
    if let Some(e) = failed {
        bail!(
            "{e}:\n{}\n{}",
            lines.join("\n"),
            String::from_utf8_lossy(&status.stderr)
        );
    }
    Ok(lines
        .iter()
        .filter(|l| l.starts_with("Signed in"))
        .map(|l| format!("{l}\n"))
        .collect())
}

/// Write `bytes` to `path`, the file and the folders it creates readable
/// by the owner only (on Unix), as Docket Sync creates its own.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("a file in a folder")?;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut file, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

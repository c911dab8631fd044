//! `docketsync demo`: the whole product on the embedded default, in one
//! command. It starts the Microsoft 365 emulator with the demo tenant,
//! writes a config for it, signs a demo fee-earner in (the emulator's
//! sign-in page is filled in for you — with a real tenant a person signs in
//! in the browser), exports the bundled sample firm into the emulated
//! mailbox, and shows what arrived and what was skipped and why. The
//! emulator then keeps running, so the other commands can be tried against
//! it.
//!
//! **The demo has a home of its own** (`docket-paths`' `demo_home()`: a
//! `demo` folder in the data folder): its configuration, state database,
//! secrets file (never the OS keyring) and lock files live there. It never
//! reads, signs out or changes the real account, its sign-in or its export
//! state.

use std::process::ExitCode;

use anyhow::Context as _;
use docket_app::App;
use m365_emulator::{world::demo, EmulatorConfig, Shared};
use tokio::net::TcpListener;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Port for the emulator on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8400)]
    port: u16,
    /// The demo fee-earner: anna (German) or james (English).
    #[arg(long, default_value = "anna")]
    user: String,
    /// Stop after the export instead of keeping the emulator running.
    #[arg(long)]
    exit: bool,
}

/// A browser stand-in that fills in the emulator's pages as the demo user.
struct DemoBrowser {
    base: String,
    upn: String,
    password: String,
}

impl docket_auth::Browser for DemoBrowser {
    fn open(&self, url: &str) -> std::io::Result<()> {
        let (base, url, upn, pw) = (
            self.base.clone(),
            url.to_string(),
            self.upn.clone(),
            self.password.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) = m365_emulator::pages_client::sign_in(&base, &url, &upn, &pw).await {
                eprintln!("demo sign-in: {e}");
            }
        });
        Ok(())
    }
}

/// `paths`: this process's paths; the demo works in `paths.demo()`.
pub async fn run(args: DemoArgs, paths: &docket_paths::Paths) -> anyhow::Result<ExitCode> {
    let home = paths.demo_home();
    let paths = &paths.demo();
    let (upn, _, _, _, _, password) = *demo::USERS
        .iter()
        .find(|u| {
            u.0.starts_with(&format!("{}.", args.user.to_ascii_lowercase()))
        })
        .with_context(|| format!("--user {}: choose anna or james", args.user))?;

    // 1. The emulator.
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("port {} is in use: choose another with --port", args.port))?;
    let shared = Shared::new(EmulatorConfig::default())?;
    let base = format!("http://{}", listener.local_addr()?);
    shared.set_base_url(base.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(m365_emulator::run(listener, shared.clone(), async {
        let _ = stopped.await;
    }));

    // 2. A config for it. Tokens go to a file in the demo's own folder:
    // never to the OS keyring, where the real account's sign-in is, and the
    // demo runs where no keyring is (a server, a container).
    // It is the demo home's firm configuration, so that commands run with
    // DOCKETSYNC_HOME set to the demo home find it without --config.
    let config_file = paths.firm_config_file.clone();
    if let Some(dir) = config_file.parent() {
        docket_paths::secure::create_dir_all(dir)?;
    }
    std::fs::write(
        &config_file,
        format!(
            "# Written by `docketsync demo`: the emulator's demo tenant. Not for a real firm.\n\
             [microsoft]\ntenant = \"{}\"\nclient_id = \"{}\"\n\
             authority_host = \"{base}\"\ngraph_base_url = \"{base}/v1.0\"\n\
             [source]\nkind = \"demo\"\n\
             [storage]\n# Demo only: keep the emulator's tokens in a file in this folder.\n\
             allow_plaintext_tokens = true\n",
            demo::TENANT_ID,
            demo::PUBLIC_CLIENT_ID,
        ),
    )?;
    println!(
        "Microsoft 365 emulator running at {base} (demo tenant {}).",
        demo::TENANT_DOMAIN
    );
    println!("Config written to {}", config_file.display());

    // The demo home's secrets stay in its file (docket-app's
    // open_secret_store), also for the commands run there later.
    paths.mark_as_demo_home()?;
    let config = docket_config::load(&config_file, &paths.user_config_file)
        .map_err(docket_app::AppError::Config)?;
    let app = App::with_config(config, paths.clone())?;
    // A fresh emulator has a fresh mailbox: start the demo's own account
    // (from an earlier demo, in the demo's home) afresh.
    app.sign_out()?;

    // 3. Sign in.
    println!("\nSigning in as {upn} on the emulator's sign-in page (filled in for you)…");
    let browser = DemoBrowser {
        base: base.clone(),
        upn: upn.to_string(),
        password: password.to_string(),
    };
    let signed_in = app.sign_in(&browser, |_| {}).await?;
    println!("Signed in as {}.", signed_in.username);

    // 4. Export.
    println!("\nExporting the sample firm's appointments, deadlines and contacts…");
    let report = app
        .sync(docket_app::sync::SyncOptions::default(), chrono::Utc::now())
        .await?;
    print!("{}", crate::account::sync_text(&report));

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
    let again = app
        .sync(docket_app::sync::SyncOptions::default(), chrono::Utc::now())
        .await?;
    println!(
        "A second run right away: {} Graph requests, {} writes — nothing changed, so nothing is sent.",
        again.requests.graph_requests, again.requests.writes
    );

    if args.exit {
        let _ = stop.send(());
        let _ = server.await;
        return Ok(ExitCode::SUCCESS);
    }
    let cli = std::env::args()
        .next()
        .unwrap_or_else(|| "docketsync".into());
    println!("\nThe emulator keeps running. In another terminal, with the demo's own home:");
    let env = format!("DOCKETSYNC_HOME={}", home.display());
    println!("  {env} {cli} status");
    println!("  {env} {cli} sync --dry-run");
    println!("Mailbox contents: {base}/_admin/mailboxes/{upn}");
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop.send(());
    let _ = server.await;
    Ok(ExitCode::SUCCESS)
}

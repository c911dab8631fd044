//! `m365-emulator` (no subcommand): serve the emulator on loopback, over
//! HTTP and optionally HTTPS with a generated CA, until Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use m365_emulator::docketsync_config::DocketsyncConfig;
use m365_emulator::{tls::TlsMaterial, world, EmulatorConfig, Shared};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::write_atomically;

/// The default HTTP port of the emulator.
pub const DEFAULT_PORT: u16 = 8400;
/// The default HTTPS port (with `--https`).
pub const DEFAULT_HTTPS_PORT: u16 = 8401;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// HTTP port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Also serve HTTPS with a freshly generated certificate authority; its
    /// certificate is written to the --dir folder and printed. Sign-in URLs
    /// and token issuers then use the HTTPS address.
    #[arg(long)]
    https: bool,
    /// HTTPS port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = DEFAULT_HTTPS_PORT, requires = "https")]
    https_port: u16,
    /// Keep the emulator's world (users, tokens, mailboxes) in this JSON
    /// file across restarts. Default: in memory only.
    #[arg(long, value_name = "PATH")]
    state_file: Option<PathBuf>,
    /// Append every request and response to this file as JSON lines
    /// (secrets redacted).
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
    /// Outlook throttling: requests one app may have in flight per mailbox.
    #[arg(long, value_name = "N")]
    throttle_concurrency: Option<usize>,
    /// Outlook throttling: requests per app and mailbox per window.
    #[arg(long, value_name = "N")]
    throttle_budget: Option<u64>,
    /// Outlook throttling: the window length in seconds.
    #[arg(long, value_name = "N")]
    throttle_window_secs: Option<u64>,
    /// Folder for the emulator's files (the CA certificate of --https).
    /// Default: `m365-emulator-<process id>` in the system's temporary
    /// folder.
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
    /// Write a ready-to-use Docket Sync configuration for the demo tenant
    /// and this emulator to PATH (try `docketsync --config PATH doctor`).
    #[arg(long, value_name = "PATH")]
    write_config: Option<PathBuf>,
    /// Once listening, write the URLs, ids and demo users as JSON to PATH
    /// (for scripts and tests).
    #[arg(long, value_name = "PATH")]
    ready_file: Option<PathBuf>,
    /// Give the demo tenant this id instead of the fixed one (a GUID), so
    /// that several emulators on one machine keep their sign-ins apart in
    /// the OS keyring.
    #[arg(long, value_name = "GUID")]
    tenant_id: Option<uuid::Uuid>,
}

async fn bind(port: u16, flag: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on 127.0.0.1:{port}; choose another with {flag} (0: any free port)"
            )
        })
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let defaults = m365_emulator::throttle::Limits::default();
    let throttle = (args.throttle_concurrency.is_some()
        || args.throttle_budget.is_some()
        || args.throttle_window_secs.is_some())
    .then(|| m365_emulator::throttle::Limits {
        max_concurrent: args.throttle_concurrency.unwrap_or(defaults.max_concurrent),
        budget: args.throttle_budget.unwrap_or(defaults.budget),
        window_seconds: args.throttle_window_secs.unwrap_or(defaults.window_seconds),
    });
    let shared = Shared::new(EmulatorConfig {
        state_file: args.state_file.clone(),
        record_file: args.record.clone(),
        throttle,
        tenant_id: args.tenant_id,
    })
    .context("cannot set up the emulator (state or record file)")?;

    let http = bind(args.port, "--port").await?;
    let http_addr = http.local_addr()?;
    // The admin API answers loopback hosts on these ports; registered
    // before anyone can learn the address (ready file, banner).
    shared.listening_on(http_addr.port());
    let http_url = format!("http://{http_addr}");
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };

    let mut tasks = tokio::task::JoinSet::new();
    let mut https = None;
    if args.https {
        let listener = bind(args.https_port, "--https-port").await?;
        let addr: SocketAddr = listener.local_addr()?;
        shared.listening_on(addr.port());
        let url = format!("https://localhost:{}", addr.port());
        let tls = TlsMaterial::generate()
            .map_err(|e| anyhow::anyhow!("cannot generate the TLS certificates: {e}"))?;
        let dir = args.dir.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("m365-emulator-{}", std::process::id()))
        });
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let ca_file = dir.join("ca.pem");
        write_atomically(&ca_file, tls.ca_pem.as_bytes())?;
        // Issuers and endpoint URLs use the HTTPS address; plain HTTP keeps
        // serving the same world (admin API, scripts).
        shared.set_base_url(url.clone());
        let s = shared.clone();
        let rx = stop_rx.clone();
        tasks.spawn(
            async move { m365_emulator::tls::run_tls(listener, s, &tls, stopped(rx)).await },
        );
        let s = shared.clone();
        let rx = stop_rx.clone();
        tasks.spawn(async move { m365_emulator::serve(http, s, stopped(rx)).await });
        https = Some((url, ca_file));
    } else {
        let s = shared.clone();
        let rx = stop_rx.clone();
        tasks.spawn(async move { m365_emulator::run(http, s, stopped(rx)).await });
    }

    // Before the ready file: a SIGTERM right after it stops us cleanly.
    let shutdown = crate::shutdown_signal();
    let info = Info::gather(&shared, &http_url, https.as_ref());
    if let Some(path) = &args.write_config {
        write_atomically(path, info.docketsync_config().as_bytes())?;
    }
    if let Some(path) = &args.ready_file {
        let json = serde_json::to_vec_pretty(&info.ready_json())?;
        write_atomically(path, &json)?;
    }
    // Output may go to a closed pipe; the emulator keeps running regardless.
    let _ = write!(
        std::io::stdout(),
        "{}",
        info.banner(args.write_config.as_deref(), &args)
    );
    let _ = std::io::stdout().flush();

    tokio::select! {
        () = shutdown => {}
        Some(result) = tasks.join_next() => {
            // A server ended on its own: that is an error.
            result.context("emulator server task")?.context("emulator server")?;
            bail!("the emulator server stopped unexpectedly");
        }
    }
    let _ = writeln!(std::io::stdout(), "Stopping the emulator...");
    let _ = stop_tx.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 5 s; stopping anyway");
    }
    shared.persist();
    Ok(())
}

struct DemoUser {
    upn: String,
    display_name: String,
    /// Only for the bundled demo users: their passwords are emulator-only.
    password: Option<String>,
}

/// What the emulator tells the person or script that started it.
struct Info {
    tenant_id: uuid::Uuid,
    http_url: String,
    https: Option<(String, PathBuf)>,
    users: Vec<DemoUser>,
}

impl Info {
    fn gather(shared: &Shared, http_url: &str, https: Option<&(String, PathBuf)>) -> Info {
        let tenant_id = shared.demo_tenant_id();
        let world = shared.world();
        let users = world
            .tenant(&tenant_id.to_string())
            .map(|t| {
                t.users
                    .iter()
                    .map(|u| {
                        // The emulator keeps only password hashes: a demo
                        // user's password is printed while it is still the
                        // bundled one.
                        let password = world::demo::USERS
                            .iter()
                            .find(|d| d.0.eq_ignore_ascii_case(&u.user_principal_name))
                            .filter(|d| u.password.verify(d.5))
                            .map(|d| d.5.to_string());
                        DemoUser {
                            upn: u.user_principal_name.clone(),
                            display_name: u.display_name.clone(),
                            password,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Info {
            tenant_id,
            http_url: http_url.to_string(),
            https: https.cloned(),
            users,
        }
    }

    /// The URL clients should use for sign-in and Graph.
    fn primary_url(&self) -> &str {
        self.https.as_ref().map_or(&self.http_url, |(u, _)| u)
    }

    fn ready_json(&self) -> serde_json::Value {
        serde_json::json!({
            "base_url": self.http_url,
            "https_base_url": self.https.as_ref().map(|(u, _)| u),
            "ca_file": self.https.as_ref().map(|(_, f)| f),
            "tenant_id": self.tenant_id,
            "tenant_domain": world::demo::TENANT_DOMAIN,
            "public_client_id": world::demo::PUBLIC_CLIENT_ID,
            "web_client_id": world::demo::WEB_CLIENT_ID,
            "web_redirect_uri": world::demo::WEB_REDIRECT_URI,
            "users": self.users.iter().map(|u| serde_json::json!({
                "upn": u.upn,
                "display_name": u.display_name,
                "password": u.password,
            })).collect::<Vec<_>>(),
        })
    }

    /// A Docket Sync configuration for the demo tenant's public client.
    fn docketsync_config(&self) -> String {
        let mut config = DocketsyncConfig::new(self.primary_url(), self.tenant_id);
        config.extra_ca_file = self.https.as_ref().map(|(_, ca)| ca.clone());
        config.toml()
    }

    fn banner(&self, config: Option<&Path>, args: &ServeArgs) -> String {
        let base = self.primary_url();
        let mut s = String::from("Microsoft 365 emulator for Docket Sync is running.\n\n");
        s += &format!("  HTTP base URL      {}\n", self.http_url);
        if let Some((url, ca)) = &self.https {
            s += &format!("  HTTPS base URL     {url}\n");
            s += &format!(
                "  CA certificate     {}  (trust it to use HTTPS)\n",
                ca.display()
            );
        }
        s += &format!("  Graph              {base}/v1.0\n");
        s += &format!(
            "  Demo tenant        {} ({})\n",
            world::demo::TENANT_DOMAIN,
            self.tenant_id
        );
        s += &format!("  Authority          {base}/{}\n", self.tenant_id);
        s += &format!(
            "  Public client id   {}  redirect http://localhost (any port)\n",
            world::demo::PUBLIC_CLIENT_ID
        );
        s += &format!(
            "  Web client id      {}  redirect {}\n",
            world::demo::WEB_CLIENT_ID,
            world::demo::WEB_REDIRECT_URI
        );
        s += "\n  Demo users (emulator-only passwords):\n";
        for u in &self.users {
            match &u.password {
                Some(pw) => s += &format!("    {:<45} {pw}\n", u.upn),
                None => s += &format!("    {}\n", u.upn),
            }
        }
        if let Some(path) = &args.state_file {
            s += &format!("\n  State file         {}\n", path.display());
        }
        if let Some(path) = &args.record {
            s += &format!("  Request log        {}\n", path.display());
        }
        if let Some(path) = config {
            s += &format!(
                "\n  Docket Sync config {}\n  Check it with:     docketsync --config {} doctor\n",
                path.display(),
                path.display()
            );
        }
        s += "\nPress Ctrl-C to stop.\n";
        s
    }
}

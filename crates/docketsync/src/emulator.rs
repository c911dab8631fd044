//! `docketsync emulator`: run the Microsoft 365 emulator on loopback, and
//! `docketsync emulator admin ...`: drive a running one over its admin API.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use m365_emulator::{tls::TlsMaterial, world, EmulatorConfig, Shared};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The default HTTP port of the emulator.
pub const DEFAULT_PORT: u16 = 8400;
/// The default HTTPS port (with `--https`).
pub const DEFAULT_HTTPS_PORT: u16 = 8401;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EmulatorArgs {
    #[command(subcommand)]
    command: Option<EmulatorCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum EmulatorCommand {
    /// Control a running emulator through its admin API: change a demo
    /// user's password, end sessions, move the clock, inject faults, read
    /// request statistics.
    Admin(AdminArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// HTTP port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Also serve HTTPS with a freshly generated certificate authority; its
    /// certificate is written to the data folder and printed. Sign-in URLs
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

#[derive(Debug, Args)]
struct AdminArgs {
    /// The running emulator's base URL.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8400",
        env = "DOCKETSYNC_EMULATOR_URL"
    )]
    url: url::Url,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Change a user's password (their refresh tokens stop working, as when
    /// a user changes the password at Microsoft). The new password comes
    /// from a file or standard input, never from the command line.
    ChangePassword {
        /// The user's sign-in name (UPN).
        #[arg(long)]
        user: String,
        /// Read the new password from the first line of this file.
        #[arg(long, value_name = "PATH", required_unless_present_any = ["password_stdin", "password"])]
        password_file: Option<PathBuf>,
        /// Read the new password from standard input (up to the first
        /// line break).
        #[arg(long, conflicts_with = "password_file")]
        password_stdin: bool,
        /// Refused: a password on the command line is visible to other
        /// users in the process list and stays in the shell history.
        #[arg(long, hide = true, value_name = "PASSWORD")]
        password: Option<String>,
    },
    /// Revoke all of a user's sign-in sessions and refresh tokens.
    RevokeSessions {
        #[arg(long)]
        user: String,
    },
    /// Move the emulator's clock forward (to let tokens or secrets expire).
    AdvanceClock {
        #[arg(long, default_value_t = 0)]
        days: i64,
        #[arg(long, default_value_t = 0)]
        hours: i64,
        #[arg(long, default_value_t = 0)]
        seconds: i64,
    },
    /// Inject faults into matching requests.
    #[command(subcommand)]
    Fault(FaultCommand),
    /// Print request statistics (requests, batch items, reads, writes, 429s).
    Stats,
}

#[derive(Debug, Subcommand)]
enum FaultCommand {
    /// Add a fault rule; prints it with its id.
    Add {
        /// Path pattern, e.g. `/v1.0/me/events*` or `/{tenant}/oauth2/v2.0/token`.
        #[arg(long)]
        path: String,
        /// latency, too_many_requests, service_unavailable, connection_reset
        /// or malformed_json.
        #[arg(long)]
        kind: String,
        /// Only requests with this HTTP method.
        #[arg(long)]
        method: Option<String>,
        /// latency: milliseconds to wait.
        #[arg(long)]
        ms: Option<u64>,
        /// too_many_requests / service_unavailable: Retry-After seconds.
        #[arg(long)]
        retry_after: Option<f64>,
        /// connection_reset / malformed_json: let the request be handled
        /// first, then spoil the response.
        #[arg(long)]
        after_handler: bool,
        /// Fire this many times, then stop (default: forever).
        #[arg(long)]
        times: Option<u64>,
        /// Fire with this probability (0..=1), from a generator seeded with --seed.
        #[arg(long)]
        probability: Option<f64>,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// List the fault rules.
    List,
    /// Remove every fault rule.
    Clear,
}

pub async fn main(args: EmulatorArgs, paths: &docket_paths::Paths) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(EmulatorCommand::Admin(admin)) => admin_command(admin).await,
        None => serve(args.run, paths).await.map(|()| ExitCode::SUCCESS),
    }
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

async fn serve(args: RunArgs, paths: &docket_paths::Paths) -> anyhow::Result<()> {
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
        let dir = paths.emulator_dir();
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
        () = shutdown_signal() => {}
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

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Write via a temporary file and rename, so readers never see half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
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
        let q = |s: &str| serde_json::Value::from(s).to_string();
        let base = self.primary_url();
        let mut out = format!(
            "# Written by `docketsync emulator`: the demo tenant of the Microsoft 365\n\
             # emulator at {base}. Not for a real firm.\n\
             [microsoft]\n\
             tenant = {}\n\
             client_id = {}\n\
             authority_host = {}\n\
             graph_base_url = {}\n",
            q(&self.tenant_id.to_string()),
            q(&world::demo::PUBLIC_CLIENT_ID.to_string()),
            q(base),
            q(&format!("{base}/v1.0")),
        );
        if let Some((_, ca)) = &self.https {
            out.push_str(&format!("extra_ca_file = {}\n", q(&ca.to_string_lossy())));
        }
        out.push_str("\n[source]\nkind = \"demo\"\n");
        out
    }

    fn banner(&self, config: Option<&Path>, args: &RunArgs) -> String {
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

/// The new password of `admin change-password`: from the file or stdin,
/// up to the first line break (so `echo pw > file` works). A password given
/// with `--password` is refused before anything is sent.
fn new_password(
    file: Option<&Path>,
    stdin: bool,
    on_command_line: Option<String>,
) -> anyhow::Result<docket_secrets::SecretString> {
    if on_command_line.is_some() {
        bail!(
            "a password on the command line is visible to other users in the process list \
             and stays in the shell history; give it with --password-file PATH or \
             --password-stdin instead"
        );
    }
    let text = match file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the password file {}", path.display()))?,
        None if stdin => {
            // The first line only: typed at a prompt, Enter ends it.
            let mut text = String::new();
            std::io::stdin()
                .read_line(&mut text)
                .context("cannot read the password from standard input")?;
            text
        }
        None => bail!("give the new password with --password-file PATH or --password-stdin"),
    };
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        bail!("the new password is empty (the first line of the file or standard input)");
    }
    Ok(docket_secrets::SecretString::new(line))
}

async fn admin_command(args: AdminArgs) -> anyhow::Result<ExitCode> {
    let client = crate::http::client(None, Duration::from_secs(30))?;
    let url = |segments: &[&str]| -> anyhow::Result<url::Url> {
        let mut u = args.url.clone();
        u.path_segments_mut()
            .map_err(|()| anyhow::anyhow!("--url {} cannot be a base URL", args.url))?
            .pop_if_empty()
            .extend(segments);
        Ok(u)
    };
    let request = match args.command {
        AdminCommand::ChangePassword {
            user,
            password_file,
            password_stdin,
            password,
        } => {
            let password = new_password(password_file.as_deref(), password_stdin, password)?;
            client
                .post(url(&["_admin", "users", &user, "password"])?)
                .json(&serde_json::json!({ "password": password.expose_secret() }))
        }
        AdminCommand::RevokeSessions { user } => {
            client.post(url(&["_admin", "users", &user, "revoke-sessions"])?)
        }
        AdminCommand::AdvanceClock {
            days,
            hours,
            seconds,
        } => {
            let total = days * 86_400 + hours * 3_600 + seconds;
            if total <= 0 {
                bail!("say how far to move the clock, e.g. --days 91");
            }
            client
                .post(url(&["_admin", "clock", "advance"])?)
                .json(&serde_json::json!({ "seconds": total }))
        }
        AdminCommand::Fault(FaultCommand::Add {
            path,
            kind,
            method,
            ms,
            retry_after,
            after_handler,
            times,
            probability,
            seed,
        }) => {
            let mut rule = serde_json::json!({ "path": path, "kind": kind });
            let fields: [(&str, serde_json::Value); 7] = [
                ("method", method.into()),
                ("ms", ms.into()),
                ("retry_after", retry_after.into()),
                ("after_handler", after_handler.then_some(true).into()),
                ("times", times.into()),
                ("probability", probability.into()),
                ("seed", seed.into()),
            ];
            for (k, v) in fields {
                if !v.is_null() {
                    rule[k] = v;
                }
            }
            client.post(url(&["_admin", "faults"])?).json(&rule)
        }
        AdminCommand::Fault(FaultCommand::List) => client.get(url(&["_admin", "faults"])?),
        AdminCommand::Fault(FaultCommand::Clear) => client.delete(url(&["_admin", "faults"])?),
        AdminCommand::Stats => client.get(url(&["_admin", "stats"])?),
    };
    let resp = request
        .send()
        .await
        .with_context(|| format!("cannot reach the emulator at {} (is it running?)", args.url))?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let pretty = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(body);
    if status.is_success() {
        if !pretty.is_empty() {
            let _ = writeln!(std::io::stdout(), "{pretty}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("the emulator answered {status}");
        if !pretty.is_empty() {
            eprintln!("{pretty}");
        }
        Ok(ExitCode::FAILURE)
    }
}

//! `m365-emulator admin ...`: drive a running emulator over its admin API
//! (`/_admin/*`, see docs/emulator.md). A new password is read from a file
//! or standard input, never from the command line.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The running emulator's base URL.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8400",
        env = "M365_EMULATOR_URL"
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

/// A new password: never printed (`Debug` is redacted).
struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The new password of `admin change-password`: from the file or stdin,
/// up to the first line break (so `echo pw > file` works). A password given
/// with `--password` is refused before anything is sent.
fn new_password(
    file: Option<&Path>,
    stdin: bool,
    on_command_line: Option<String>,
) -> anyhow::Result<Password> {
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
    Ok(Password(line.to_string()))
}

pub async fn run(args: AdminArgs) -> anyhow::Result<ExitCode> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot set up the HTTP client")?;
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
                .json(&serde_json::json!({ "password": password.0 }))
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

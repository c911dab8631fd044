//! The `docketsync` binary as a fee-earner runs it: `signin` opens the
//! browser through `BROWSER`, a real Chromium signs in at the emulator (the
//! `m365-emulator` binary, with the configuration it writes),
//! `status --json` and `check` see the account, a password change makes
//! `check` ask for a new sign-in, `signin` again re-authenticates the same
//! account, `signout` removes the keyring entry. Afterwards no token value
//! is in any file under `DOCKETSYNC_HOME` (config, logs, state database)
//! or in anything the CLI printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use docket_secrets::{account_name, EntryKey, KeyringStore, SecretKind};
use docket_testkit::{
    available, contains, entra_sign_in, files_containing, opened_urls, recording_browser,
    repo_root, secret_tool_read, Chrome,
};
use serde_json::Value;

/// `DOCKETSYNC_BIN`, else `cargo build -p docketsync` (a no-op when up to
/// date) and the binary in the target folder.
fn docketsync_bin() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("DOCKETSYNC_BIN") {
        return Ok(PathBuf::from(p));
    }
    let root = repo_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "docketsync"])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("`cargo build -p docketsync` failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("debug/docketsync"))
}

struct Cli {
    bin: PathBuf,
    home: PathBuf,
    config: PathBuf,
    browser: String,
    /// Everything the CLI printed, for the secrets check.
    printed: Vec<u8>,
}

impl Cli {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--config")
            .arg(&self.config)
            .args(args)
            .env("DOCKETSYNC_HOME", &self.home)
            .env("BROWSER", &self.browser)
            .stdin(Stdio::null());
        c
    }

    fn run(&mut self, args: &[&str]) -> (i32, String) {
        let out = self.command(args).output().expect("run docketsync");
        self.keep(&out)
    }

    fn keep(&mut self, out: &Output) -> (i32, String) {
        self.printed.extend_from_slice(&out.stdout);
        self.printed.extend_from_slice(&out.stderr);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }

    /// `docketsync signin` with the real browser doing the sign-in.
    async fn signin(
        &mut self,
        chrome: &Chrome,
        dir: &Path,
        nth: usize,
        upn: &str,
        pw: &str,
    ) -> (i32, String, docket_testkit::EntraVisit, String) {
        let child = self
            .command(&["signin"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start docketsync signin");
        let urls = opened_urls(dir, nth, Duration::from_secs(30)).await;
        let url = urls
            .get(nth - 1)
            .cloned()
            .expect("`docketsync signin` ran BROWSER with the sign-in URL");
        let visit = entra_sign_in(chrome, &url, upn, pw).await;
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .expect("join")
            .expect("signin output");
        let (code, text) = self.keep(&out);
        (code, text, visit, url)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_signin_status_check_password_change_reauth_signout_and_no_secret_leaks() {
    docket_testkit::install_ring();
    if available("the Secret Service", docket_testkit::secret_service()).is_none() {
        return;
    }
    let Some(chrome) = available("Chromium + chromedriver", Chrome::start().await) else {
        return;
    };
    let Some(bin) = available("the docketsync binary", docketsync_bin()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("docketsync-home");
    std::fs::create_dir_all(&home).expect("home");
    let config = dir.path().join("config.toml");

    // The emulator as its own process, with a fresh tenant (the keyring is
    // shared with the other tests) and the configuration it writes.
    let emulator = docket_testkit::emulator::EmulatorProcess::start(&[
        "--write-config",
        config.to_str().expect("utf-8 path"),
    ]);
    let info: Value = emulator.ready.clone();
    let base = info["base_url"].as_str().expect("base_url").to_string();
    let user = &info["users"][0];
    let upn = user["upn"].as_str().expect("upn").to_string();
    let pw = user["password"]
        .as_str()
        .expect("demo password")
        .to_string();
    let mut cli = Cli {
        bin,
        home,
        config,
        browser: recording_browser(dir.path()),
        printed: Vec::new(),
    };
    let key = EntryKey {
        tenant: info["tenant_id"].as_str().expect("tenant").to_string(),
        client_id: info["public_client_id"]
            .as_str()
            .expect("client")
            .to_string(),
        user: upn.to_ascii_lowercase(),
        kind: SecretKind::RefreshToken,
    };
    let keyring = || secret_tool_read(KeyringStore::SERVICE, &account_name(&key));
    let mut seen_tokens = Vec::new();

    // Sign in.
    let (code, text, visit, _) = cli.signin(&chrome, dir.path(), 1, &upn, &pw).await;
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Signed in as"), "{text}");
    assert!(visit.shown.contains("Sign-in complete"), "{}", visit.shown);
    seen_tokens.push(keyring().expect("refresh token in the Secret Service"));

    let (code, text) = cli.run(&["status", "--json"]);
    assert_eq!(code, 0, "{text}");
    let status: Value = serde_json::from_str(text.trim()).expect("status --json is JSON");
    assert!(status.to_string().contains(&upn), "{status}");

    let (code, text) = cli.run(&["check"]);
    assert_eq!(code, 0, "{text}");
    seen_tokens.push(keyring().expect("still signed in"));

    // IT resets the password: check says "sign in again" (exit 1).
    let resp = reqwest::Client::new()
        .post(format!("{base}/_admin/users/{upn}/password"))
        .json(&serde_json::json!({"password": "Neu-Pass-2026!"}))
        .send()
        .await
        .expect("admin");
    assert!(resp.status().is_success());
    let (code, text) = cli.run(&["check", "--json"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("reauth.password_changed"), "{text}");

    // signin again: re-authentication of the same account.
    let (code, text, visit, url) = cli
        .signin(&chrome, dir.path(), 2, &upn, "Neu-Pass-2026!")
        .await;
    assert_eq!(code, 0, "{text}");
    assert!(
        url.contains("prompt=select_account"),
        "re-auth asks to pick the account"
    );
    assert_eq!(visit.prefilled.as_deref(), Some(upn.as_str()));
    seen_tokens.push(keyring().expect("new refresh token"));
    let (code, text) = cli.run(&["check"]);
    assert_eq!(code, 0, "{text}");
    seen_tokens.push(keyring().expect("still signed in"));

    // No token value anywhere under DOCKETSYNC_HOME or in the output.
    // Access and id tokens are JWTs ("eyJ…"); refresh tokens from the keyring.
    let mut needles: Vec<&str> = seen_tokens.iter().map(String::as_str).collect();
    needles.push("eyJ");
    let files = docket_testkit::files_under(&cli.home);
    eprintln!("checked for token values: {files:?}");
    assert!(
        !files.is_empty(),
        "the CLI wrote its state under DOCKETSYNC_HOME"
    );
    let mut leaks = files_containing(&cli.home, &needles);
    let config_text = std::fs::read(&cli.config).expect("config");
    leaks.extend(
        (0..needles.len())
            .filter(|&i| contains(&config_text, needles[i].as_bytes()))
            .map(|i| (cli.config.clone(), i)),
    );
    assert!(
        leaks.is_empty(),
        "token values in files (path, which): {leaks:?}"
    );
    for (i, n) in needles.iter().enumerate() {
        assert!(
            !contains(&cli.printed, n.as_bytes()),
            "the CLI printed token #{i}"
        );
    }

    // Sign out: the keyring entry is gone.
    let (code, text) = cli.run(&["signout"]);
    assert_eq!(code, 0, "{text}");
    assert!(keyring().is_none(), "signout removed the refresh token");
    drop(emulator);
    chrome.close().await;
}

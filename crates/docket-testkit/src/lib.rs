//! The test kit the workspace's tests dev-depend on, and the harness of
//! this crate's own end-to-end tests in `tests/`: starting real components
//! (chromedriver + Chromium, the emulator, Radicale, oidc-provider, the
//! Secret Service) and driving the product through them; the stress
//! harnesses (`stress`) of the command `docket-stress`.
//!
//! A missing component (no `chromedriver`, no Secret Service, no
//! `node_modules` for oidc-provider) makes a test **fail** with a clear
//! message when `DOCKET_REQUIRE_E2E=1` (as `scripts/test.sh` sets), and
//! skip with a loud message otherwise: see [`available`].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub mod emulator;
pub mod pages_browser;
pub mod stress;

/// `DOCKET_REQUIRE_E2E=1`: every component must be there.
pub fn required() -> bool {
    std::env::var("DOCKET_REQUIRE_E2E").is_ok_and(|v| v == "1")
}

/// `Some(component)`, or — when it could not be started — a panic with
/// `what` and the reason under `DOCKET_REQUIRE_E2E=1`, else a loud skip
/// message and `None`.
pub fn available<T>(what: &str, result: Result<T, String>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(reason) if required() => {
            panic!("{what} is required (DOCKET_REQUIRE_E2E=1) but not usable: {reason}")
        }
        Err(reason) => {
            eprintln!(
                "\n*** SKIPPED: {what} is not usable here: {reason}\n\
                 *** (set DOCKET_REQUIRE_E2E=1 to make this a failure; scripts/test.sh does)\n"
            );
            None
        }
    }
}

/// Make rustls' `ring` provider the process default (reqwest is built
/// without one). Idempotent.
pub fn install_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A free TCP port on 127.0.0.1 (bound and released; fine for tests).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The repository root (for `tests/oidc-provider`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn find_program(name: &str, env: &str) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(env) {
        return Ok(PathBuf::from(p));
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!("`{name}` is not on PATH (Debian: apt-get install chromium chromium-driver; or set {env})")
        })
}

/// A child process killed (and reaped) when dropped.
#[derive(Debug)]
pub struct Process(Child);

impl Process {
    /// Start `command`; panics with the program name if it cannot start.
    pub fn spawn(command: &mut Command) -> Process {
        let program = command.get_program().to_string_lossy().into_owned();
        Process(
            command
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {program}: {e}")),
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A real Radicale (CalDAV/CardDAV server, from the workspace's `.venv`,
/// installed by `scripts/test.sh` from tests/fidelity/requirements.txt) on
/// a free loopback port, with one htpasswd user and its storage in a
/// temporary folder; stopped on drop.
pub struct Radicale {
    _process: Process,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Radicale {
    /// Starts Radicale with the one account `user`/`password` and waits
    /// until it accepts connections. `None` (skip, said loudly) or a panic
    /// under `DOCKET_REQUIRE_E2E=1` when `.venv/bin/radicale` is missing.
    pub fn start(user: &str, password: &str) -> Option<Radicale> {
        let binary = repo_root().join(".venv/bin/radicale");
        let found = if binary.exists() {
            Ok(binary)
        } else {
            Err(format!(
                "{} is missing: run scripts/test.sh once (it installs tests/fidelity/requirements.txt)",
                binary.display()
            ))
        };
        let binary = available("Radicale", found)?;
        let dir = tempfile::tempdir().expect("tempdir");
        let users = dir.path().join("users");
        std::fs::write(&users, format!("{user}:{password}\n")).expect("htpasswd file");
        let empty_config = dir.path().join("config");
        std::fs::write(&empty_config, "").expect("config file");
        let port = free_port();
        let process = Process::spawn(
            Command::new(binary)
                .arg("--config")
                .arg(&empty_config)
                .args(["--server-hosts", &format!("127.0.0.1:{port}")])
                .arg("--storage-filesystem-folder")
                .arg(dir.path().join("collections"))
                .args(["--auth-type", "htpasswd", "--auth-htpasswd-filename"])
                .arg(&users)
                .args(["--auth-htpasswd-encryption", "plain"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null()),
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "Radicale did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Some(Radicale {
            _process: process,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        })
    }
}

/// Headless Chromium driven over WebDriver by its own `chromedriver`.
pub struct Chrome {
    pub client: Client,
    driver_port: u16,
    session_id: Option<String>,
    _driver: Process,
    _profile: tempfile::TempDir,
}

/// How long one page may take to show what we wait for.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

impl Chrome {
    /// Start `chromedriver --port=<free>` and a headless Chromium session
    /// with a throw-away profile.
    pub async fn start() -> Result<Chrome, String> {
        let driver_bin = find_program("chromedriver", "CHROMEDRIVER")?;
        let chromium = find_program("chromium", "CHROMIUM").ok();
        let port = free_port();
        let child = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", driver_bin.display()))?;
        let driver = Process(child);
        let until = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if Instant::now() > until {
                return Err(format!(
                    "chromedriver did not listen on port {port} within 15 s"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut options = json!({
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        });
        if let Some(bin) = chromium {
            options["binary"] = json!(bin);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("Chromium did not start through chromedriver: {e}"))?;
        let session_id = client.session_id().await.ok().flatten();
        Ok(Chrome {
            client,
            driver_port: port,
            session_id,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Wait until `locator` matches an element.
    pub async fn wait_for(&self, locator: Locator<'_>) -> Result<Element, CmdError> {
        self.client
            .wait()
            .at_most(PAGE_TIMEOUT)
            .for_element(locator)
            .await
    }

    /// The first element matching any locator, waiting for one to appear.
    /// Returns its index and the element.
    pub async fn wait_for_any(&self, locators: &[Locator<'_>]) -> (usize, Element) {
        let until = Instant::now() + PAGE_TIMEOUT;
        loop {
            for (i, l) in locators.iter().enumerate() {
                if let Ok(e) = self.client.find(*l).await {
                    return (i, e);
                }
            }
            if Instant::now() > until {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let body = self.body_text().await;
                panic!("none of {locators:?} appeared on {url:?} within {PAGE_TIMEOUT:?}; page text: {body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Click `element` and wait until the page it was on is gone (a new
    /// document loaded), so the next lookup sees the next page.
    pub async fn click_and_wait(&self, element: Element) {
        let html = self
            .client
            .find(Locator::Css("html"))
            .await
            .expect("the page has an <html> element");
        element.click().await.expect("click");
        let until = Instant::now() + PAGE_TIMEOUT;
        loop {
            match html.tag_name().await {
                Err(CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
                {
                    return
                }
                _ if Instant::now() > until => panic!("the page did not change after a click"),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// The visible text of the current page ("" when there is none).
    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Wait until the page is the product's loopback answer (`#result`)
    /// and return its text.
    pub async fn loopback_result(&self) -> String {
        let h1 = self
            .wait_for(Locator::Id("result"))
            .await
            .unwrap_or_else(|e| panic!("no loopback result page: {e}"));
        let _ = h1;
        self.body_text().await
    }

    /// End the session (Chromium quits), then chromedriver.
    pub async fn close(mut self) {
        self.session_id = None;
        let client = self.client.clone();
        let _ = client.close().await;
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // A test that panicked did not call `close`: end the session with a
        // blocking DELETE so chromedriver quits Chromium before it is killed.
        if let Some(id) = self.session_id.take() {
            if let Ok(mut s) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.driver_port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = write!(
                    s,
                    "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = s.read(&mut [0u8; 512]);
            }
        }
    }
}

/// The Entra pages of the emulator, as a person at the browser goes
/// through them (Microsoft's element ids): fill `i0116` (unless the page
/// pre-filled it) and `i0118`, press `idSIButton9`; on the account picker
/// choose `upn`; on the consent page press Accept (`idSIButton9`). Stops at
/// the product's loopback page and returns its text and the user name the
/// sign-in page showed pre-filled (from `login_hint`), if any.
pub async fn entra_sign_in(chrome: &Chrome, url: &str, upn: &str, password: &str) -> EntraVisit {
    chrome.client.goto(url).await.expect("open the sign-in URL");
    let picker = format!("button[name='account'][value='{upn}']");
    let mut prefilled = None;
    for _ in 0..6 {
        let (page, element) = chrome
            .wait_for_any(&[
                Locator::Id("result"),
                Locator::Id("i0118"),
                Locator::Css(&picker),
                Locator::Css("li[data-scope]"),
            ])
            .await;
        match page {
            0 => {
                return EntraVisit {
                    shown: chrome.body_text().await,
                    prefilled,
                }
            }
            1 => {
                let login = chrome
                    .client
                    .find(Locator::Id("i0116"))
                    .await
                    .expect("i0116");
                let value = login
                    .prop("value")
                    .await
                    .expect("value")
                    .unwrap_or_default();
                if value.is_empty() {
                    login.send_keys(upn).await.expect("type the user name");
                } else {
                    prefilled = Some(value);
                }
                element
                    .send_keys(password)
                    .await
                    .expect("type the password");
                let next = chrome
                    .client
                    .find(Locator::Id("idSIButton9"))
                    .await
                    .expect("idSIButton9");
                chrome.click_and_wait(next).await;
            }
            2 => chrome.click_and_wait(element).await,
            _ => {
                let accept = chrome
                    .client
                    .find(Locator::Id("idSIButton9"))
                    .await
                    .expect("Accept");
                chrome.click_and_wait(accept).await;
            }
        }
    }
    panic!(
        "the sign-in did not reach the loopback page: {}",
        chrome.body_text().await
    );
}

/// What the browser saw in [`entra_sign_in`].
#[derive(Debug)]
pub struct EntraVisit {
    /// The text of the product's loopback page.
    pub shown: String,
    /// The user name the sign-in page had pre-filled.
    pub prefilled: Option<String>,
}

/// oidc-provider's development login and consent pages: any login and
/// password are accepted. Returns the loopback page's text.
pub async fn oidc_provider_sign_in(chrome: &Chrome, url: &str, login: &str) -> String {
    chrome.client.goto(url).await.expect("open the sign-in URL");
    for _ in 0..4 {
        let (page, element) = chrome
            .wait_for_any(&[
                Locator::Id("result"),
                Locator::Css("input[name='login']"),
                Locator::Css("input[name='prompt'][value='consent']"),
            ])
            .await;
        match page {
            0 => return chrome.body_text().await,
            1 => {
                element.send_keys(login).await.expect("type the login");
                chrome
                    .client
                    .find(Locator::Css("input[name='password']"))
                    .await
                    .expect("password field")
                    .send_keys("any-password-works")
                    .await
                    .expect("type the password");
                let submit = chrome
                    .client
                    .find(Locator::Css("button.login-submit"))
                    .await
                    .expect("submit");
                chrome.click_and_wait(submit).await;
            }
            _ => {
                let submit = chrome
                    .client
                    .find(Locator::Css("button.login-submit"))
                    .await
                    .expect("Continue");
                chrome.click_and_wait(submit).await;
            }
        }
    }
    panic!(
        "the sign-in did not reach the loopback page: {}",
        chrome.body_text().await
    );
}

/// `tests/oidc-provider/server.mjs` on a free port.
pub struct OidcProvider {
    pub issuer: String,
    pub client_id: String,
    /// The discovery document.
    pub metadata: Value,
    _process: Process,
    _logs: tempfile::TempDir,
}

impl OidcProvider {
    pub async fn start() -> Result<OidcProvider, String> {
        install_ring();
        let dir = repo_root().join("tests/oidc-provider");
        if !dir.join("node_modules/oidc-provider").is_dir() {
            return Err(format!(
                "{}/node_modules is missing (scripts/test.sh runs `npm ci` there)",
                dir.display()
            ));
        }
        let node = find_program("node", "NODE").map_err(|_| "`node` is not on PATH".to_string())?;
        node_is_recent_enough(&node)?;
        let logs = tempfile::tempdir().map_err(|e| e.to_string())?;
        let log = std::fs::File::create(logs.path().join("oidc-provider.log"))
            .map_err(|e| e.to_string())?;
        let mut child = Command::new(node)
            .arg("server.mjs")
            .arg("0")
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start node: {e}"))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let process = Process(child);
        // Read up to the ready line, then keep draining: a closed pipe
        // would kill node at its next write.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
            let ready = lines.by_ref().find_map(|line| {
                serde_json::from_str::<Value>(&line)
                    .ok()
                    .filter(|v| v["ready"] == true)
            });
            let _ = tx.send(ready);
            lines.for_each(drop);
        });
        let ready = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .map_err(|_| "oidc-provider did not say it was ready within 30 s".to_string())?
            .map_err(|e| e.to_string())?
            .ok_or("oidc-provider exited before it was ready")?;
        let issuer = ready["issuer"].as_str().ok_or("no issuer")?.to_string();
        let client_id = ready["client_id"]
            .as_str()
            .ok_or("no client_id")?
            .to_string();
        let metadata: Value = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
            .await
            .map_err(|e| format!("discovery: {e}"))?
            .json()
            .await
            .map_err(|e| format!("discovery: {e}"))?;
        Ok(OidcProvider {
            issuer,
            client_id,
            metadata,
            _process: process,
            _logs: logs,
        })
    }

    /// An endpoint from the discovery document.
    pub fn endpoint(&self, name: &str) -> String {
        self.metadata[name]
            .as_str()
            .unwrap_or_else(|| panic!("discovery has no {name}"))
            .to_string()
    }
}

/// oidc-provider 9 needs Node.js 20.19 or later (Debian 12's own nodejs
/// is 18; NodeSource's packages are newer).
fn node_is_recent_enough(node: &Path) -> Result<(), String> {
    let out = Command::new(node)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let mut parts = version
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) >= (20, 19) {
        Ok(())
    } else {
        Err(format!(
            "node {version} is too old for oidc-provider 9 (needs 20.19 or later)"
        ))
    }
}

/// The Secret Service as another program sees it: `secret-tool` reads the
/// chunked entry [`docket_secrets::KeyringStore`] wrote (manifest under the
/// account name, chunks under `#a<i>`/`#b<i>`) and puts it back together.
/// `None` when there is no such entry.
pub fn secret_tool_read(service: &str, account: &str) -> Option<String> {
    let lookup = |name: &str| -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", service, "username", name])
            .stderr(Stdio::null())
            .output()
            .expect("run secret-tool");
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).expect("utf-8"))
    };
    let manifest: Value = serde_json::from_str(&lookup(account)?).expect("manifest is JSON");
    assert_eq!(manifest["format"], "docket-chunks/1");
    let slot = if manifest["generation"].as_u64().expect("generation") % 2 == 0 {
        'a'
    } else {
        'b'
    };
    let chunks = manifest["chunks"].as_u64().expect("chunks");
    let mut value = String::new();
    for i in 0..chunks {
        value.push_str(&lookup(&format!("{account}#{slot}{i}")).expect("every chunk is stored"));
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(value.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        manifest["sha256"].as_str(),
        Some(hex.as_str()),
        "the chunks put together match the manifest's hash"
    );
    Some(value)
}

/// Whether the Secret Service answers (`secret-tool` present and a
/// collection reachable on the session bus).
pub fn secret_service() -> Result<(), String> {
    find_program("secret-tool", "SECRET_TOOL")
        .map_err(|_| "`secret-tool` is missing (apt-get install libsecret-tools)".to_string())?;
    docket_secrets::KeyringStore::with_service("DocketSyncE2EProbe")
        .probe()
        .map_err(|e| format!("the Secret Service is not usable: {e}"))
}

/// Writes a `BROWSER` command into `dir` that records every URL it is
/// asked to open in `dir/opened-urls`, one a line (the system browser as
/// the product sees it: `SystemBrowser` runs it). Returns the value for
/// `BROWSER`.
pub fn recording_browser(dir: &Path) -> String {
    let script = dir.join("record-browser");
    let log = dir.join("opened-urls");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .expect("write the BROWSER script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("chmod the BROWSER script");
    }
    format!("{} %s", script.display())
}

/// The URLs the recording browser was asked to open so far, waiting up to
/// `timeout` for at least `count`.
pub async fn opened_urls(dir: &Path, count: usize, timeout: Duration) -> Vec<String> {
    let until = Instant::now() + timeout;
    loop {
        let urls: Vec<String> = std::fs::read_to_string(dir.join("opened-urls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if urls.len() >= count || Instant::now() > until {
            return urls;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Every file under `dir` whose bytes contain any of `secrets`: the
/// paths with the index of the secret found (never the secret itself).
pub fn files_containing(dir: &Path, secrets: &[&str]) -> Vec<(PathBuf, usize)> {
    let mut found = Vec::new();
    for path in files_under(dir) {
        if let Ok(bytes) = std::fs::read(&path) {
            for (i, s) in secrets.iter().enumerate() {
                if contains(&bytes, s.as_bytes()) {
                    found.push((path.clone(), i));
                }
            }
        }
    }
    found
}

/// Whether `haystack` contains `needle` (an empty needle never matches).
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

//! `signin`, `status`, `check`, `signout` and `client-secret set` as a
//! user runs them, against the `m365-emulator` binary. The browser is a script
//! in `BROWSER` that hands the URL to the test, which plays the person at
//! the browser with reqwest (the emulator's HTML forms: `login`/`passwd`,
//! the consent button). Each test has its own `DOCKETSYNC_HOME`.
//!
//! Secrets go to the plaintext file store (opt-in in the test config),
//! or to the real OS keyring when `DOCKET_REQUIRE_KEYRING=1` (CI).
//! After each test no token or secret value may appear in any output or
//! in any file under `DOCKETSYNC_HOME` (except, while signed in, in the
//! plaintext secrets file, which exists to hold them).
//!
//! What the CLI prints is compared as whole transcripts (`support`,
//! snapshots in `tests/snapshots/`), in English (`LANG=C.UTF-8`) unless a
//! test chooses German; they show the OS keyring, so they are compared
//! only when the session has one (the keyring wrapper, or CI's
//! `DOCKET_REQUIRE_KEYRING=1`).

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docket_secrets::{EntryKey, SecretKind, SecretStore};
use docket_testkit::emulator::EmulatorProcess;
use m365_emulator::docketsync_config::{DemoApp, DocketsyncConfig};
use serde_json::{json, Value};
use support::{assert_transcript, pretty_json, transcript_of};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_docketsync");
const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const JAMES: &str = "james.wright@kanzlei-demo.onmicrosoft.com";

fn require_keyring() -> bool {
    std::env::var("DOCKET_REQUIRE_KEYRING").as_deref() == Ok("1")
}

/// A `docketsync run` started by [`Env::start_run`]: its stdout's lines
/// as they come (after the first), and all of it once it ends.
#[cfg(unix)]
struct Running {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<String>,
}

struct Env {
    home: tempfile::TempDir,
    _emulator: EmulatorProcess,
    ready: Value,
    config: PathBuf,
    /// Everything the CLI printed, for the final secret scan.
    outputs: Vec<String>,
    /// Every secret value seen, for the final secret scan.
    secrets: Vec<String>,
    /// Set: the CLI runs without the session's Secret Service (its bus
    /// address points nowhere), for tests that kill it at random moments.
    no_keyring: Option<tempfile::TempDir>,
    /// `LANG` of the CLI (English unless a test chooses).
    lang: &'static str,
}

impl Env {
    fn start(client: &str, client_type: &str) -> Env {
        let home = tempfile::tempdir().expect("tempdir");
        let emulator = EmulatorProcess::start(&[]);
        let ready = emulator.ready.clone();
        let config = home.path().join("firm.toml");
        let mut firm = DocketsyncConfig::new(emulator.base_url(), emulator.tenant_id());
        firm.app = match client_type {
            "confidential" => DemoApp::Web,
            _ => DemoApp::Public,
        };
        assert_eq!(ready[client], firm.app.client_id().to_string());
        firm.plaintext_tokens = !require_keyring();
        std::fs::write(&config, firm.toml()).expect("config");
        let browser = home.path().join("browser.sh");
        let url_file = home.path().join("url.txt");
        std::fs::write(
            &browser,
            format!(
                "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
                url_file.display()
            ),
        )
        .expect("browser script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        Env {
            home,
            _emulator: emulator,
            ready,
            config,
            outputs: vec![],
            secrets: vec![],
            no_keyring: None,
            lang: "C.UTF-8",
        }
    }

    fn base(&self) -> String {
        self.ready["base_url"].as_str().expect("base").to_string()
    }

    fn password(&self, upn: &str) -> String {
        self.ready["users"]
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["upn"] == upn)
            .and_then(|u| u["password"].as_str())
            .expect("demo password")
            .to_string()
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env("DOCKETSYNC_HOME", self.home.path())
            .env("BROWSER", self.home.path().join("browser.sh"))
            .env_remove("DOCKETSYNC_CONFIG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANGUAGE")
            .env("LANG", self.lang)
            .arg("--config")
            .arg(&self.config);
        if let Some(dir) = &self.no_keyring {
            let socket = dir.path().join("no-bus-here");
            cmd.env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", socket.display()),
            );
        }
        cmd
    }

    /// Run to completion; returns (exit code, stdout, stderr).
    fn run(&mut self, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run docketsync");
        {
            use std::io::Write as _;
            let mut pipe = child.stdin.take().expect("stdin");
            if let Some(text) = stdin {
                pipe.write_all(text.as_bytes()).expect("write stdin");
            }
        }
        self.finish(child)
    }

    fn finish(&mut self, child: Child) -> (i32, String, String) {
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().expect("wait");
        let stdout = String::from_utf8_lossy(&stdout).into_owned();
        let stderr = String::from_utf8_lossy(&stderr).into_owned();
        self.outputs.push(stdout.clone());
        self.outputs.push(stderr.clone());
        (status.code().unwrap_or(-1), stdout, stderr)
    }

    /// Compare `text` with the snapshot `name` (this test's home filtered).
    /// Nothing secret goes into a snapshot: the known secret values and
    /// anything shaped like a token are refused first.
    fn snap(&self, name: &str, text: &str) {
        assert!(!has_jwt(text), "something shaped like a token in {name}");
        for s in &self.secrets {
            assert!(!text.contains(s.as_str()), "a secret value in {name}");
        }
        // The snapshots show the OS keyring (the tests' keyring wrapper;
        // CI requires it). Without one the CLI keeps the sign-in in the
        // opted-in file and says so: such a transcript is not compared.
        let file = docket_paths::Paths::under_home(self.home.path()).plaintext_secrets_file();
        if text.contains(&file.display().to_string()) {
            eprintln!("*** {name}: no keyring in this session, transcript not compared");
            return;
        }
        assert_transcript(name, self.home.path(), text);
    }

    /// Run `args` to completion and compare the transcript with the
    /// snapshot `name`; returns (exit code, stdout, stderr).
    fn run_snap(&mut self, name: &str, args: &[&str]) -> (i32, String, String) {
        let (code, stdout, stderr) = self.run(args, None);
        self.snap(name, &transcript_of(code, &stdout, &stderr));
        (code, stdout, stderr)
    }

    /// The same for a `--json` command: its JSON pretty-printed.
    fn run_snap_json(&mut self, name: &str, args: &[&str]) -> (i32, Value) {
        let (code, stdout, stderr) = self.run(args, None);
        self.snap(name, &transcript_of(code, &pretty_json(&stdout), &stderr));
        (code, serde_json::from_str(&stdout).expect("JSON"))
    }

    fn status(&mut self) -> Value {
        let (code, stdout, stderr) = self.run(&["status", "--json"], None);
        assert_eq!(code, 0, "{stdout}{stderr}");
        serde_json::from_str(&stdout).expect("status JSON")
    }

    /// Start `docketsync run` (in `self.lang`) and wait up to a minute for
    /// its first line.
    #[cfg(unix)]
    fn start_run(&self) -> Running {
        let mut child = self
            .cmd()
            .arg("run")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run");
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut all = String::new();
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line.clone());
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        lines
            .recv_timeout(Duration::from_secs(60))
            .expect("a first line");
        Running {
            child,
            lines,
            reader,
        }
    }

    /// Check that `run` is still going after `wait`, then stop it with
    /// Ctrl-C (SIGINT); it must end with 0. Returns everything it printed
    /// on stdout, and its stderr.
    #[cfg(unix)]
    fn interrupt(&mut self, mut run: Running, wait: Duration) -> (String, String) {
        std::thread::sleep(wait);
        assert!(
            run.child.try_wait().expect("poll").is_none(),
            "run ended by itself"
        );
        let status = Command::new("kill")
            .args(["-INT", &run.child.id().to_string()])
            .status()
            .expect("kill -INT");
        assert!(status.success());
        let (code, _, stderr) = self.finish(run.child);
        let printed = run.reader.join().expect("reader");
        assert_eq!(code, 0, "{printed}{stderr}");
        (printed, stderr)
    }

    /// `docketsync signin`, with the person at the browser signing in as
    /// `upn`. `no_browser`: take the URL from the printed output instead
    /// of from the BROWSER script. Returns (exit code, stdout, stderr,
    /// what the browser showed at the end).
    async fn sign_in(
        &mut self,
        upn: &str,
        password: &str,
        no_browser: bool,
    ) -> (i32, String, String, String) {
        let url_file = self.home.path().join("url.txt");
        let _ = std::fs::remove_file(&url_file);
        let mut args = vec!["signin"];
        if no_browser {
            args.push("--no-browser");
        }
        let mut child = self
            .cmd()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("signin");
        // Read stdout as it comes (the URL is printed before the wait).
        let printed = Arc::new(Mutex::new(String::new()));
        let reader = {
            let printed = printed.clone();
            let stdout = child.stdout.take().expect("stdout");
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let mut p = printed.lock().expect("lock");
                    p.push_str(&line);
                    p.push('\n');
                }
            })
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let printed_url = || {
            let p = printed.lock().expect("lock");
            p.lines()
                .map(str::trim)
                .find(|l| l.starts_with("http"))
                .map(str::to_string)
        };
        let url = loop {
            let opened = std::fs::read_to_string(&url_file).ok();
            if let (false, Some(url)) = (no_browser, &opened) {
                // Whatever the browser opened, the URL was printed too.
                assert_eq!(printed_url().as_deref(), Some(url.as_str()));
                break url.clone();
            }
            if no_browser {
                if let Some(url) = printed_url() {
                    break url;
                }
            }
            assert!(Instant::now() < deadline, "no sign-in URL");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(url.contains("code_challenge_method=S256"), "{url}");
        let shown = StandIn::new()
            .sign_in(&self.base(), &url, upn, password)
            .await;
        let (code, _, stderr) = self.finish(child);
        reader.join().expect("reader");
        let stdout = printed.lock().expect("lock").clone();
        self.outputs.pop();
        self.outputs.pop();
        self.outputs.push(stdout.clone());
        self.outputs.push(stderr.clone());
        if no_browser {
            assert!(!url_file.exists(), "--no-browser opened a browser");
        }
        (code, stdout, stderr, shown)
    }

    /// The secret store the CLI uses (the same selection rules).
    fn store(&self) -> Box<dyn SecretStore> {
        let paths = docket_paths::Paths::under_home(self.home.path());
        docket_secrets::open_default(!require_keyring(), &paths.plaintext_secrets_file())
            .expect("secret store")
    }

    fn key(&self, client: &str, user: &str, kind: SecretKind) -> EntryKey {
        EntryKey {
            tenant: self.ready["tenant_id"].as_str().expect("tenant").into(),
            client_id: self.ready[client].as_str().expect("client").into(),
            user: user.to_ascii_lowercase(),
            kind,
        }
    }

    fn secret(&mut self, key: &EntryKey) -> Option<String> {
        let value = self
            .store()
            .get(key)
            .expect("read store")
            .map(|s| s.expose_secret().to_string());
        if let Some(v) = &value {
            self.secrets.push(v.clone());
        }
        value
    }

    async fn admin(&self, path: &str, body: Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}{path}", self.base()))
            .json(&body)
            .send()
            .await
            .expect("admin");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
    }

    /// No secret value (and nothing shaped like a JWT) in any output or
    /// file under DOCKETSYNC_HOME; `allowed` is the plaintext store file.
    fn assert_no_secrets_leaked(&self, allowed: Option<&Path>) {
        assert!(
            !self.secrets.is_empty(),
            "the test saw no secret to look for"
        );
        let mut texts: Vec<(String, String)> = self
            .outputs
            .iter()
            .map(|o| ("CLI output".to_string(), o.clone()))
            .collect();
        for file in files_under(self.home.path()) {
            if Some(file.as_path()) == allowed {
                continue;
            }
            let bytes = std::fs::read(&file).unwrap_or_default();
            texts.push((
                file.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
        let logs = files_under(&self.home.path().join("logs"));
        assert!(!logs.is_empty(), "no log file was written");
        for (name, text) in &texts {
            for s in &self.secrets {
                // Compared without printing: secrets never reach test output.
                assert!(
                    !text.contains(s.as_str()),
                    "a secret value appears in {name}"
                );
            }
            assert!(
                !has_jwt(text),
                "something shaped like a token appears in {name}"
            );
        }
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A JWT: `eyJ...` with two dots, base64url in between.
fn has_jwt(text: &str) -> bool {
    text.match_indices("eyJ").any(|(i, _)| {
        let run: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        run.len() > 40 && run.matches('.').count() >= 2
    })
}

/// A stand-in browser: fills Microsoft's forms, keeps the session cookie.
struct StandIn {
    http: reqwest::Client,
    cookie: Option<String>,
}

fn between<'a>(body: &'a str, start: &str) -> Option<&'a str> {
    let at = body.find(start)? + start.len();
    let rest = &body[at..];
    Some(&rest[..rest.find('"')?])
}

impl StandIn {
    fn new() -> StandIn {
        let _ = rustls::crypto::ring::default_provider().install_default();
        StandIn {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookie: None,
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", c.clone()),
            None => req,
        };
        let resp = req.send().await.expect("browser request");
        for sc in resp.headers().get_all("set-cookie") {
            let pair = sc.to_str().expect("cookie").split(';').next().unwrap_or("");
            if pair.starts_with("ESTSAUTH=") {
                self.cookie = (pair != "ESTSAUTH=").then(|| pair.to_string());
            }
        }
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|l| l.to_str().expect("location").to_string());
        (status, location, resp.text().await.expect("body"))
    }

    /// Sign in as `upn`, accept consent, follow the redirect to the
    /// loopback listener; returns the page the listener showed.
    async fn sign_in(&mut self, base: &str, url: &str, upn: &str, pw: &str) -> String {
        let mut page = self.send(self.http.get(url)).await;
        for _ in 0..10 {
            let (status, location, body) = &page;
            if *status == 302 {
                let loc = location.clone().expect("location");
                if loc.starts_with(base) {
                    page = self.send(self.http.get(&loc)).await;
                    continue;
                }
                let resp = self.http.get(&loc).send().await.expect("loopback");
                return resp.text().await.expect("loopback page");
            }
            assert_eq!(*status, 200, "{body}");
            let flow = between(body, r#"name="flow" value=""#)
                .unwrap_or_else(|| panic!("no form: {body}"))
                .to_string();
            let action = between(body, r#"<form method="post" action=""#)
                .expect("action")
                .to_string();
            let mut form = vec![("flow", flow)];
            if body.contains(r#"id="i0116""#) {
                form.push(("login", upn.to_string()));
                form.push(("passwd", pw.to_string()));
            } else if body.contains(r#"name="account""#) {
                let mine = body.contains(&format!(r#"data-test-id="{upn}""#));
                form.push(("account", if mine { upn.into() } else { String::new() }));
            } else if body.contains("idSIButton9") && body.contains("acceptConsent") {
                form.push(("acceptConsent", "true".to_string()));
            } else {
                panic!("unexpected page: {body}");
            }
            page = self
                .send(self.http.post(format!("{base}{action}")).form(&form))
                .await;
        }
        panic!("sign-in did not finish");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_status_password_change_reauth_other_account_and_sign_out() {
    let mut env = Env::start("public_client_id", "public");
    let anna_pw = env.password(ANNA);
    let james_pw = env.password(JAMES);
    let rt_key = env.key("public_client_id", ANNA, SecretKind::RefreshToken);

    // Not signed in yet.
    let (code, s) = env.run_snap_json("status_signed_out_json", &["status", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(s["sign_in"]["state"], "signed_out", "{s}");
    assert_eq!(s["tray"], "signed_out", "{s}");
    let (code, _, _) = env.run_snap("status_signed_out", &["status"]);
    assert_eq!(code, 0);
    let (code, _, stderr) = env.run_snap("check_signed_out", &["check"]);
    assert_eq!(code, 1, "{stderr}");

    // First sign-in through the BROWSER script.
    let (code, stdout, stderr, shown) = env.sign_in(ANNA, &anna_pw, false).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(shown.contains("Sign-in complete"), "{shown}");
    env.snap("signin_first", &transcript_of(code, &stdout, &stderr));
    let (code, s) = env.run_snap_json("status_signed_in_json", &["status", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(s["sign_in"]["state"], "ok", "{s}");
    assert_eq!(s["account"]["username"], ANNA, "{s}");
    assert_eq!(s["sign_in"]["token"], "present", "{s}");
    assert!(s["sign_in"]["problem"].is_null(), "{s}");
    assert_eq!(s["problems"], serde_json::json!([]), "{s}");
    assert!(s["account"]["signed_in_at"].is_string(), "{s}");
    // Nothing exported yet: not "In step".
    assert_eq!(s["status_line"], "Not exported yet", "{s}");
    let oid = s["sign_in"]["account"]["object_id"].clone();
    let first_rt = env.secret(&rt_key).expect("refresh token stored");

    let (code, _, _) = env.run_snap("status_signed_in", &["status"]);
    assert_eq!(code, 0);

    // check: refresh (rotated token persisted) + /me.
    let (code, stdout, stderr) = env.run_snap("check_ok", &["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let rotated = env.secret(&rt_key).expect("still stored");
    assert!(
        rotated != first_rt,
        "the rotated refresh token was not stored"
    );

    // The password changes: check reports it, in English and German.
    let new_pw = "Neu-Anna-2026!";
    env.admin(
        &format!("/_admin/users/{ANNA}/password"),
        json!({ "password": new_pw }),
    )
    .await;
    let (code, stdout, stderr) = env.run_snap("check_password_changed", &["check"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    // stderr is a pipe here: its log line comes without colour codes.
    assert!(stderr.contains(" WARN docket_app::account: "), "{stderr:?}");
    assert!(!stderr.contains("\x1b["), "{stderr:?}");
    // The same in German, with the fix in the CLI's words.
    let (code, _, stderr) = env.run_snap("check_password_changed_de", &["--lang", "de", "check"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, j) = env.run_snap_json("check_password_changed_json", &["check", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(j["ok"], false);
    assert_eq!(j["error"]["code"], "reauth.password_changed", "{j}");
    assert_eq!(j["error"]["who"], "user", "{j}");
    assert_eq!(j["error"]["action"]["action"], "sign_in", "{j}");
    let s = env.status();
    assert_eq!(s["sign_in"]["state"], "sign_in_required", "{s}");
    assert_eq!(s["tray"], "needs_user", "{s}");
    assert_eq!(s["who_must_act"], "user", "{s}");
    assert_eq!(s["problems"][0]["code"], "reauth.password_changed", "{s}");
    assert_eq!(s["problems"][0]["action"]["action"], "sign_in", "{s}");
    assert_eq!(s["sign_in"]["problem"]["aadsts"], 50173, "{s}");
    let (code, _, _) = env.run_snap("status_password_changed", &["status"]);
    assert_eq!(code, 0);

    // Signing in again as the other demo user is refused; Anna's stays.
    let stored = env.secret(&rt_key).expect("stored");
    let (code, stdout, stderr, shown) = env.sign_in(JAMES, &james_pw, true).await;
    assert_eq!(code, 1, "{stderr}");
    env.snap(
        "signin_other_account",
        &transcript_of(code, &stdout, &stderr),
    );
    assert!(!shown.contains("Sign-in complete"), "{shown}");
    assert!(
        env.secret(&rt_key) == Some(stored),
        "Anna's token was replaced"
    );
    let james_key = env.key("public_client_id", JAMES, SecretKind::RefreshToken);
    assert_eq!(env.secret(&james_key), None, "a token for James was stored");
    assert_eq!(env.status()["account"]["username"], ANNA);

    // Re-authentication with the new password (URL from --no-browser output).
    let (code, stdout, stderr, shown) = env.sign_in(ANNA, new_pw, true).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(shown.contains("Sign-in complete"), "{shown}");
    // The address names the account (login_hint); "signed in again".
    env.snap("signin_again", &transcript_of(code, &stdout, &stderr));
    let (code, stdout, stderr) = env.run(&["check"], None);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let s = env.status();
    assert_eq!(s["sign_in"]["state"], "ok", "{s}");
    assert_eq!(s["sign_in"]["account"]["object_id"], oid, "same account");
    assert!(s["sign_in"]["problem"].is_null(), "{s}");
    env.secret(&rt_key).expect("stored");

    let plaintext = docket_paths::Paths::under_home(env.home.path()).plaintext_secrets_file();
    env.assert_no_secrets_leaked(Some(&plaintext));

    // Sign out: nothing left in the store, status says so.
    let (code, stdout, stderr) = env.run_snap("signout", &["signout"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let s = env.status();
    assert_eq!(s["sign_in"]["state"], "signed_out", "{s}");
    assert_eq!(s["tray"], "signed_out", "{s}");
    assert!(s["account"].is_null(), "{s}");
    for kind in SecretKind::ALL {
        let key = env.key("public_client_id", ANNA, kind);
        assert_eq!(env.secret(&key), None, "{kind:?} left after sign-out");
    }
    let (code, _, _) = env.run_snap("signout_none", &["signout"]);
    assert_eq!(code, 0);
    // Now even the plaintext file (if used) must hold no secret.
    env.assert_no_secrets_leaked(None);
}

/// IT set the app up without the contacts permission: `check` tests each
/// switched-on module, says OK for calendar and tasks, and for contacts
/// names the missing delegated permission and where IT adds it; the exit
/// code says IT must act. With contacts switched off it is all OK.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_the_permission_a_module_is_missing() {
    let mut env = Env::start("public_client_id", "public");
    let config = std::fs::read_to_string(&env.config).expect("config");
    let without_contacts = config.replace(
        "[source]",
        "scopes = [\"openid\", \"profile\", \"offline_access\", \"User.Read\", \"Calendars.ReadWrite\", \"Tasks.ReadWrite\"]\n[source]",
    );
    std::fs::write(&env.config, &without_contacts).expect("config");
    let pw = env.password(JAMES);
    let (code, stdout, stderr, _) = env.sign_in(JAMES, &pw, false).await;
    assert_eq!(code, 0, "{stdout}{stderr}");

    let (code, stdout, stderr) = env.run_snap("check_contacts_missing", &["check"]);
    assert_eq!(code, 3, "IT must act: {stdout}{stderr}");

    let (code, j) = env.run_snap_json("check_contacts_missing_json", &["check", "--json"]);
    assert_eq!(code, 3);
    // Not OK while a module fails (it said `"ok": true` with exit code 3).
    assert_eq!(j["ok"], false, "{j}");
    let modules = j["modules"].as_array().expect("modules");
    let by_name = |m: &str| {
        modules
            .iter()
            .find(|x| x["module"] == m)
            .unwrap_or_else(|| panic!("{m} in {j}"))
            .clone()
    };
    assert_eq!(by_name("calendar")["ok"], true, "{j}");
    assert_eq!(by_name("contacts")["ok"], false, "{j}");
    assert_eq!(by_name("contacts")["scope"], "Contacts.ReadWrite", "{j}");

    // The firm switches contacts off: nothing is missing any more.
    std::fs::write(
        &env.config,
        format!("{without_contacts}[modules]\ncontacts = false\n"),
    )
    .expect("config");
    let (code, stdout, stderr) = env.run_snap("check_contacts_off", &["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let rt_key = env.key("public_client_id", JAMES, SecretKind::RefreshToken);
    env.secret(&rt_key).expect("refresh token stored");
    let plaintext = docket_paths::Paths::under_home(env.home.path()).plaintext_secrets_file();
    env.assert_no_secrets_leaked(Some(&plaintext));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_is_read_from_stdin_and_never_shown() {
    let secret = "web~Secret-Value_0123456789abcdefghij";
    // A public client has no secret: refused, nothing stored.
    let mut env = Env::start("public_client_id", "public");
    let (code, stdout, stderr) = env.run(&["client-secret", "set"], Some(secret));
    assert_eq!(code, 3, "{stdout}{stderr}");
    env.snap(
        "client_secret_public_client",
        &transcript_of(code, &stdout, &stderr),
    );
    let key = env.key("public_client_id", "", SecretKind::ClientSecret);
    assert_eq!(env.secret(&key), None);

    let mut env = Env::start("web_client_id", "confidential");
    let (code, stdout, stderr) = env.run(&["client-secret", "set"], Some("\n"));
    assert_eq!(code, 1, "{stderr}");
    env.snap(
        "client_secret_empty",
        &transcript_of(code, &stdout, &stderr),
    );
    let s = env.status();
    let warnings = s["warnings"].to_string();
    assert!(warnings.contains("client_secret_missing"), "{s}");
    let (code, _, _) = env.run_snap("status_client_secret_missing", &["status"]);
    assert_eq!(code, 0);

    let (code, stdout, stderr) = env.run(&["client-secret", "set"], Some(&format!("{secret}\n")));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    env.snap(
        "client_secret_stored",
        &transcript_of(code, &stdout, &stderr),
    );
    let key = env.key("web_client_id", "", SecretKind::ClientSecret);
    assert!(
        env.secret(&key).as_deref() == Some(secret),
        "stored without the newline"
    );
    let s = env.status();
    assert!(
        !s["warnings"].to_string().contains("client_secret_missing"),
        "{s}"
    );
    let plaintext = docket_paths::Paths::under_home(env.home.path()).plaintext_secrets_file();
    env.assert_no_secrets_leaked(Some(&plaintext));
    // The config file never holds it either.
    let config = std::fs::read_to_string(&env.config).expect("config");
    assert!(!config.contains(secret));
    // Leave nothing behind in a real keyring.
    env.store().delete(&key).expect("clean up");
}

/// Every tag value (our source key) in the mailbox, one entry per item.
fn tags_in(mailbox: &Value) -> Vec<String> {
    let mut tags = vec![];
    for kind in ["events", "contacts"] {
        for item in mailbox[kind].as_array().into_iter().flatten() {
            for p in item["extended"].as_array().into_iter().flatten() {
                if p["id"]
                    .as_str()
                    .is_some_and(|id| id.contains("DocketSyncSourceId"))
                {
                    tags.push(p["value"].as_str().unwrap_or_default().to_string());
                }
            }
        }
    }
    for item in mailbox["tasks"].as_array().into_iter().flatten() {
        for r in item["linked_resources"].as_array().into_iter().flatten() {
            if r["applicationName"] == "Docket Sync" {
                tags.push(r["externalId"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    tags
}

/// `docketsync run` exports at once, prints the run, keeps running, and
/// stops cleanly on Ctrl-C (SIGINT).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_exports_at_once_and_stops_on_ctrl_c() {
    let mut env = Env::start("public_client_id", "public");
    let pw = env.password(ANNA);
    let (code, stdout, stderr, _) = env.sign_in(ANNA, &pw, false).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let run = env.start_run();
    // The run's line: its time and summary ("09:00 12 created, …").
    let deadline = Instant::now() + Duration::from_secs(120);
    while !run
        .lines
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .expect("a run within two minutes")
        .contains(" created")
    {}
    // Still running: the next run is 15 minutes away.
    let (printed, stderr) = env.interrupt(run, Duration::from_millis(300));
    let rt_key = env.key("public_client_id", ANNA, SecretKind::RefreshToken);
    env.secret(&rt_key).expect("still signed in");
    // The first line's state races with the first export, which starts
    // at once: "Not exported yet" or "Exporting…".
    let shown = printed
        .replacen(
            "Docket Sync: Not exported yet · ",
            "Docket Sync: [STATE] · ",
            1,
        )
        .replacen("Docket Sync: Exporting… · ", "Docket Sync: [STATE] · ", 1);
    env.snap("run", &transcript_of(0, &shown, &stderr));
    env.outputs.push(printed);
    // The status tells how the last export went.
    let s = env.status();
    assert_eq!(s["runs"][0]["ok"], true, "{s}");
    assert!(s["runs"][0]["created"].as_u64() > Some(0), "{s}");
    let (code, _, _) = env.run_snap("status_after_run", &["status"]);
    assert_eq!(code, 0);
    let plaintext = docket_paths::Paths::under_home(env.home.path()).plaintext_secrets_file();
    env.assert_no_secrets_leaked(Some(&plaintext));
}

/// A pause chosen in the tray holds for `docketsync run` too (the tray's
/// companion runs in the terminal): it says so in the reader's language
/// (German under `LANG=de_DE.UTF-8`), exports nothing, and Ctrl-C still
/// stops it.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_keeps_a_pause_made_in_the_tray_and_speaks_german() {
    let mut env = Env::start("public_client_id", "public");
    let pw = env.password(ANNA);
    let (code, stdout, stderr, _) = env.sign_in(ANNA, &pw, false).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    // What the tray's "Pause" leaves in the state database.
    let paths = docket_paths::Paths::under_home(env.home.path());
    docket_store::StateDb::open(&paths.state_db_file())
        .expect("db")
        .set_export_meta("paused", "1")
        .expect("pause");
    env.lang = "de_DE.UTF-8";
    let run = env.start_run();
    // Unpaused, the first run would start at once and take a few seconds.
    let (printed, stderr) = env.interrupt(run, Duration::from_secs(5));
    // Only the first line.
    env.snap("run_paused_de", &transcript_of(0, &printed, &stderr));
    env.outputs.push(printed);
    let mailbox: Value = reqwest::get(format!("{}/_admin/mailboxes/{ANNA}", env.base()))
        .await
        .expect("mailbox")
        .json()
        .await
        .expect("mailbox JSON");
    assert_eq!(
        tags_in(&mailbox),
        Vec::<String>::new(),
        "paused, yet exported"
    );
    let s = env.status();
    assert_eq!(s["activity"]["state"], "paused", "{s}");
    assert_eq!(s["runs"], json!([]), "{s}");
}

/// A first export of the sample firm, what a second one (`export`, the
/// same command) says when nothing changed, in English and German
/// (`LANG=de_DE.UTF-8`), and the status after it in both languages and as
/// JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_exports_the_sample_firm_then_has_nothing_to_do() {
    let mut env = Env::start("public_client_id", "public");
    let pw = env.password(ANNA);
    let (code, stdout, stderr, _) = env.sign_in(ANNA, &pw, false).await;
    assert_eq!(code, 0, "{stdout}{stderr}");

    let (code, stdout, stderr) = env.run_snap("sync_first", &["sync"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let mailbox: Value = reqwest::get(format!("{}/_admin/mailboxes/{ANNA}", env.base()))
        .await
        .expect("mailbox")
        .json()
        .await
        .expect("mailbox JSON");
    let mut tags = tags_in(&mailbox);
    let all = tags.len();
    assert!(all > 100, "the sample firm was exported: {all}");
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), all, "some items arrived twice");

    let (code, stdout, stderr) = env.run_snap("sync_nothing_changed", &["export"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, _) = env.run_snap("status_after_sync", &["status"]);
    assert_eq!(code, 0);
    let (code, s) = env.run_snap_json("status_after_sync_json", &["status", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(s["runs"][0]["ok"], true, "{s}");
    env.lang = "de_DE.UTF-8";
    let (code, stdout, stderr) = env.run_snap("sync_nothing_changed_de", &["sync"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, _) = env.run_snap("status_after_sync_de", &["status"]);
    assert_eq!(code, 0);
    let after: Value = reqwest::get(format!("{}/_admin/mailboxes/{ANNA}", env.base()))
        .await
        .expect("mailbox")
        .json()
        .await
        .expect("mailbox JSON");
    assert_eq!(
        tags_in(&after).len(),
        all,
        "the no-op runs changed the mailbox"
    );

    let rt_key = env.key("public_client_id", ANNA, SecretKind::RefreshToken);
    env.secret(&rt_key).expect("still signed in");
    let plaintext = docket_paths::Paths::under_home(env.home.path()).plaintext_secrets_file();
    env.assert_no_secrets_leaked(Some(&plaintext));
}

/// Two `docketsync sync` started together on a fresh sign-in (the `run`
/// loop and a terminal, or two terminals): one export at a time, so every
/// deadline and contact arrives once; the second one waited for the first
/// or said that an export is already running.
#[tokio::test(flavor = "multi_thread")]
async fn two_syncs_at_once_export_everything_once() {
    let mut env = Env::start("public_client_id", "public");
    let config = std::fs::read_to_string(&env.config).expect("config");
    std::fs::write(
        &env.config,
        config.replace(
            "allow_plaintext_tokens = false",
            "allow_plaintext_tokens = true",
        ),
    )
    .expect("config");
    let password = env.password(ANNA);
    let (code, stdout, stderr, _) = env.sign_in(ANNA, &password, false).await;
    assert_eq!(code, 0, "{stdout}{stderr}");

    let start = || {
        env.cmd()
            .args(["sync", "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sync")
    };
    let (first, second) = (start(), start());
    let runs = [env.finish(first), env.finish(second)];
    let mut refused = 0;
    for (code, stdout, stderr) in &runs {
        if *code != 0 {
            assert!(
                stdout.contains("sync.already_running"),
                "exit {code}: {stdout}{stderr}"
            );
            refused += 1;
        }
    }
    assert!(refused < 2, "one of them exports: {runs:?}");

    let mailbox: Value = reqwest::get(format!("{}/_admin/mailboxes/{ANNA}", env.base()))
        .await
        .expect("mailbox")
        .json()
        .await
        .expect("mailbox JSON");
    let mut tags = tags_in(&mailbox);
    let all = tags.len();
    assert!(all > 100, "the sample firm was exported: {all}");
    tags.sort();
    tags.dedup();
    assert_eq!(tags.len(), all, "some items arrived twice");
    let logs: String = files_under(&env.home.path().join("logs"))
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    assert!(
        refused == 1 || logs.contains("another export of this user is running: waiting"),
        "neither waited nor refused"
    );

    // What the CLI wrote (state database and its side files, locks,
    // secrets file, logs) is the user's alone.
    #[cfg(unix)]
    for dir in ["data", "logs"] {
        use std::os::unix::fs::PermissionsExt;
        let dir = env.home.path().join(dir);
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        let files = files_under(&dir);
        assert!(!files.is_empty(), "{}", dir.display());
        for file in files {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
}

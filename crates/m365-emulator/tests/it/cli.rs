//! The `m365-emulator` binary as a person or script runs it: serving with
//! a ready file and a Docket Sync configuration, HTTPS with its CA in
//! `--dir`, SIGTERM, and `admin …` against a running emulator. (That
//! `docketsync doctor` accepts what `--write-config` writes is tested in
//! `crates/docketsync/tests/cli.rs`: the emulator's tests never run the
//! product.)

use crate::common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::ScratchDir;
use m365_emulator::world::Credential;

const BIN: &str = env!("CARGO_BIN_EXE_m365-emulator");

/// The binary, with no inherited admin URL.
fn m365_emulator() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("M365_EMULATOR_URL")
        .env_remove("DOCKETSYNC_BIN");
    cmd
}

fn run(cmd: &mut Command) -> (Output, String) {
    let out = cmd.output().expect("run m365-emulator");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
}

/// A running `m365-emulator`, killed on drop.
struct Emulator {
    child: Child,
    ready: serde_json::Value,
}

impl Emulator {
    fn start(dir: &Path, extra: &[&str]) -> Emulator {
        let ready_file = dir.join("ready.json");
        let mut child = m365_emulator()
            .args(["--port", "0", "--ready-file"])
            .arg(&ready_file)
            .arg("--dir")
            .arg(dir.join("emulator"))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start m365-emulator");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(text) = std::fs::read_to_string(&ready_file) {
                let ready = serde_json::from_str(&text).expect("ready file is JSON");
                return Emulator { child, ready };
            }
            if let Some(status) = child.try_wait().expect("poll emulator") {
                panic!("emulator exited early: {status}");
            }
            assert!(Instant::now() < deadline, "emulator not ready in 60 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn field(&self, key: &str) -> &str {
        self.ready[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in {}", self.ready))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn help_lists_serving_admin_and_the_demo() {
    let (out, stdout) = run(m365_emulator().arg("--help"));
    assert!(out.status.success());
    for expected in [
        "admin",
        "demo",
        "--https",
        "--write-config",
        "--ready-file",
        "--dir",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in:\n{stdout}"
        );
    }
    let (out, stdout) = run(m365_emulator().args(["admin", "--help"]));
    assert!(out.status.success());
    for cmd in [
        "change-password",
        "revoke-sessions",
        "advance-clock",
        "fault",
        "stats",
    ] {
        assert!(stdout.contains(cmd), "{cmd:?} missing in:\n{stdout}");
    }
}

/// The ready file names the demo tenant and users, the configuration
/// points both base URLs at this emulator, and SIGTERM stops it cleanly.
#[test]
fn serves_until_sigterm_with_a_ready_file_and_a_docketsync_config() {
    let home = ScratchDir::new("m365-emulator-cli");
    let config = home.path().join("demo.toml");
    #[allow(unused_mut)]
    let mut emulator = Emulator::start(home.path(), &["--write-config", config.to_str().unwrap()]);
    let base = emulator.field("base_url").to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(
        emulator.field("tenant_domain"),
        "kanzlei-demo.onmicrosoft.com"
    );
    let users = emulator.ready["users"].as_array().expect("users");
    assert!(users
        .iter()
        .any(|u| u["upn"] == "anna.berger@kanzlei-demo.onmicrosoft.com"
            && u["password"].as_str().is_some_and(|p| !p.is_empty())));
    assert!(emulator.ready["https_base_url"].is_null());
    let text = std::fs::read_to_string(&config).expect("config written");
    assert!(
        text.contains(&format!("authority_host = \"{base}\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!("graph_base_url = \"{base}/v1.0\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!("tenant = \"{}\"", emulator.field("tenant_id"))),
        "{text}"
    );

    #[cfg(unix)]
    {
        let status = Command::new("kill")
            .args(["-TERM", &emulator.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = emulator.child.try_wait().expect("poll") {
                break status;
            }
            assert!(Instant::now() < deadline, "emulator ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(
            status.success(),
            "SIGTERM should stop the emulator cleanly: {status}"
        );
    }
}

/// With `--https` the CA certificate lands in `--dir` and the written
/// configuration trusts it and uses the HTTPS address.
#[test]
fn https_writes_its_ca_into_its_dir_and_the_config_names_it() {
    let home = ScratchDir::new("m365-emulator-cli");
    let config = home.path().join("demo.toml");
    let emulator = Emulator::start(
        home.path(),
        &[
            "--https",
            "--https-port",
            "0",
            "--write-config",
            config.to_str().unwrap(),
        ],
    );
    let https = emulator.field("https_base_url");
    assert!(https.starts_with("https://localhost:"), "{https}");
    let ca = std::path::PathBuf::from(emulator.field("ca_file"));
    assert_eq!(ca, home.path().join("emulator").join("ca.pem"));
    let pem = std::fs::read_to_string(&ca).expect("CA file");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let text = std::fs::read_to_string(&config).expect("config written");
    assert!(
        text.contains(&format!("authority_host = \"{https}\"")),
        "{text}"
    );
    assert!(
        text.contains(&format!("extra_ca_file = {}", serde_json::json!(ca))),
        "{text}"
    );
}

#[test]
fn emulator_admin_moves_the_clock_and_reports_errors() {
    let home = ScratchDir::new("m365-emulator-cli");
    let emulator = Emulator::start(home.path(), &[]);
    let base = emulator.field("base_url").to_string();
    let (out, stdout) =
        run(m365_emulator().args(["admin", "--url", &base, "advance-clock", "--days", "91"]));
    assert!(out.status.success(), "{stdout}");
    let answer: serde_json::Value = serde_json::from_str(&stdout).expect("JSON answer");
    let now = chrono::DateTime::parse_from_rfc3339(answer["now"].as_str().expect("now"))
        .expect("RFC 3339 time");
    let ahead = now.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        (90..=91).contains(&ahead.num_days()),
        "clock moved {} days",
        ahead.num_days()
    );

    // Nothing to move: refused before any request.
    let (out, _) = run(m365_emulator().args(["admin", "--url", &base, "advance-clock"]));
    assert!(!out.status.success());

    // No emulator there: a clear error and a non-zero exit.
    let (out, _) = run(m365_emulator().args(["admin", "--url", "http://127.0.0.1:9", "stats"]));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot reach the emulator"), "{stderr}");
}

/// A new password is read from a file or stdin; one given on the command
/// line (visible in the process list, kept in shell history) is refused
/// before anything is sent.
#[test]
fn emulator_admin_takes_a_new_password_from_a_file_or_stdin_never_the_command_line() {
    use std::io::Write as _;
    let home = ScratchDir::new("m365-emulator-cli");
    let state = home.path().join("world.json");
    let state_arg = state.to_str().expect("utf-8 path");
    let emulator = Emulator::start(home.path(), &["--state-file", state_arg]);
    let base = emulator.field("base_url").to_string();
    let anna = "anna.berger@kanzlei-demo.onmicrosoft.com";
    // The state file keeps the password's hash, as the emulator stores it.
    let stored = |pw: &str| {
        let hash = serde_json::to_string(&Credential::new(pw)).unwrap();
        // Written after the first change only.
        std::fs::read_to_string(&state).is_ok_and(|text| text.contains(&hash))
    };
    let admin = |extra: &[&str]| {
        let mut cmd = m365_emulator();
        cmd.args(["admin", "--url", &base, "change-password", "--user", anna])
            .args(extra);
        cmd
    };

    // On the command line: refused, with the alternatives named, even
    // where no emulator listens (nothing is sent).
    for url in [base.as_str(), "http://127.0.0.1:9"] {
        let (out, _) = run(m365_emulator().args([
            "admin",
            "--url",
            url,
            "change-password",
            "--user",
            anna,
            "--password",
            "Visible-2026!",
        ]));
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--password-file"), "{stderr}");
        assert!(stderr.contains("--password-stdin"), "{stderr}");
        assert!(!stderr.contains("cannot reach"), "{stderr}");
    }
    assert!(!stored("Visible-2026!"), "the refused password was set");

    // From a file: its first line.
    let file = home.path().join("new-password.txt");
    std::fs::write(&file, "From-File-2026!\n").unwrap();
    let (out, stdout) = run(&mut admin(&["--password-file", file.to_str().unwrap()]));
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("password_changed_at"), "{stdout}");
    assert!(
        stored("From-File-2026!"),
        "the file's password is set, without the newline"
    );

    // From stdin.
    let mut child = admin(&["--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"From-Stdin-2026!\n")
        .unwrap();
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stored("From-Stdin-2026!"), "the password from stdin is set");

    // Neither: told how.
    let (out, _) = run(&mut admin(&[]));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--password-file"), "{stderr}");
}

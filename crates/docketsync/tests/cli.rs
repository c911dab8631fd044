//! The `docketsync` binary as a user runs it. Every test gets its own
//! `DOCKETSYNC_HOME` temp folder, so nothing touches the real home.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_docketsync");

/// A command with a private DOCKETSYNC_HOME and no inherited config path.
fn docketsync(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DOCKETSYNC_HOME", home)
        .env_remove("DOCKETSYNC_CONFIG")
        .env_remove("DOCKETSYNC_EMULATOR_URL");
    cmd
}

fn run(cmd: &mut Command) -> (Output, String) {
    let out = cmd.output().expect("run docketsync");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
}

/// A running `docketsync emulator`, stopped (SIGTERM, then kill) on drop.
struct Emulator {
    child: Child,
    ready: serde_json::Value,
}

impl Emulator {
    fn start(home: &Path, extra: &[&str]) -> Emulator {
        let ready_file = home.join("ready.json");
        let mut child = docketsync(home)
            .args(["emulator", "--port", "0", "--ready-file"])
            .arg(&ready_file)
            // Its own tenant: tests share the OS keyring.
            .arg("--tenant-id")
            .arg(uuid::Uuid::new_v4().to_string())
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start emulator");
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

    #[cfg(unix)]
    fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll") {
                return status;
            }
            assert!(Instant::now() < deadline, "emulator ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_home() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn help_lists_and_explains_the_commands() {
    let home = temp_home();
    let (out, stdout) = run(docketsync(home.path()).arg("--help"));
    assert!(out.status.success());
    for expected in [
        "doctor",
        "Check that Docket Sync can work here",
        "emulator",
        "Run the Microsoft 365 emulator",
        "--config <PATH>",
        "DOCKETSYNC_HOME",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in:\n{stdout}"
        );
    }
    let (out, stdout) = run(docketsync(home.path()).args(["emulator", "admin", "--help"]));
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

#[test]
fn doctor_names_each_bad_key_with_its_fix_and_fails() {
    let home = temp_home();
    let config = home.path().join("broken.toml");
    std::fs::write(
        &config,
        "[microsoft]\ntenant = \"common\"\nclient_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
         client_secret = \"s3cr3t-value\"\n[source]\nkind = \"demo\"\n[policy]\nsync_intervall_minutes = 10\n",
    )
    .unwrap();
    let (out, stdout) = run(docketsync(home.path())
        .arg("doctor")
        .arg("--config")
        .arg(&config));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for expected in [
        "FAIL  config",
        "3 problems",
        "microsoft.tenant: \"common\" is a multi-tenant endpoint",
        "Directory (tenant) ID",
        "microsoft.client_secret:",
        "OS keyring",
        "policy.sync_intervall_minutes: unknown key",
        "did you mean policy.sync_interval_minutes?",
        "fix:",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in:\n{stdout}"
        );
    }
    // The secret's value is never echoed back.
    assert!(!stdout.contains("s3cr3t-value"), "{stdout}");
    // Folders are still checked, inside DOCKETSYNC_HOME.
    assert!(stdout.contains("OK    data folder"), "{stdout}");
    assert!(home.path().join("data").is_dir());
}

#[test]
fn doctor_reports_a_missing_config_file_and_where_it_looked() {
    let home = temp_home();
    let (out, stdout) = run(docketsync(home.path()).arg("doctor"));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let expected = home.path().join("firm").join("config.toml");
    assert!(stdout.contains(&expected.display().to_string()), "{stdout}");
    assert!(stdout.contains("does not exist"), "{stdout}");
    assert!(stdout.contains("--config PATH"), "{stdout}");
}

#[test]
fn doctor_uses_docketsync_config_and_user_overrides() {
    let home = temp_home();
    let firm = home.path().join("firm.toml");
    std::fs::write(
        &firm,
        "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
         authority_host = \"http://127.0.0.1:9\"\n[source]\nkind = \"demo\"\n",
    )
    .unwrap();
    let user = home.path().join("config").join("config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(
        &user,
        "[microsoft]\ntenant = \"fabrikam.onmicrosoft.com\"\n",
    )
    .unwrap();
    let (out, stdout) = run(docketsync(home.path())
        .env("DOCKETSYNC_CONFIG", &firm)
        .arg("doctor"));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&user.display().to_string()), "{stdout}");
    assert!(
        stdout.contains("microsoft.tenant: only the firm configuration may set this key"),
        "{stdout}"
    );
}

#[test]
fn emulator_writes_a_config_that_doctor_accepts() {
    let home = temp_home();
    let config = home.path().join("demo.toml");
    let config_arg = config.to_str().unwrap();
    let mut emulator = Emulator::start(home.path(), &["--write-config", config_arg]);

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

    let (out, stdout) = run(docketsync(home.path())
        .arg("--config")
        .arg(&config)
        .arg("doctor"));
    assert!(out.status.success(), "{stdout}");
    let authority = stdout
        .lines()
        .find(|l| l.contains("authority"))
        .unwrap_or_else(|| panic!("no authority line in:\n{stdout}"));
    assert!(authority.starts_with("OK"), "{stdout}");
    assert!(authority.contains(&base), "{stdout}");

    #[cfg(unix)]
    {
        let status = emulator.terminate();
        assert!(
            status.success(),
            "SIGTERM should stop the emulator cleanly: {status}"
        );
        // And the authority is then unreachable: doctor fails with a fix.
        let (out, stdout) = run(docketsync(home.path())
            .arg("--config")
            .arg(&config)
            .arg("doctor"));
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("FAIL  authority"), "{stdout}");
    }
}

#[test]
fn emulator_over_https_writes_its_ca_and_doctor_trusts_it() {
    let home = temp_home();
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
    let ca = PathBuf::from(emulator.field("ca_file"));
    assert!(
        ca.starts_with(home.path()),
        "CA file {ca:?} outside DOCKETSYNC_HOME"
    );
    let pem = std::fs::read_to_string(&ca).expect("CA file");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");

    let (out, stdout) = run(docketsync(home.path())
        .arg("--config")
        .arg(&config)
        .arg("doctor"));
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("OK    extra CA file"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("OK") && l.contains("authority") && l.contains(https)),
        "{stdout}"
    );

    // Without the CA the same authority is not trusted.
    let text = std::fs::read_to_string(&config).unwrap();
    let untrusted: String = text
        .lines()
        .filter(|l| !l.starts_with("extra_ca_file"))
        .map(|l| format!("{l}\n"))
        .collect();
    let untrusted_file = home.path().join("untrusted.toml");
    std::fs::write(&untrusted_file, untrusted).unwrap();
    let (out, stdout) = run(docketsync(home.path())
        .arg("--config")
        .arg(&untrusted_file)
        .arg("doctor"));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("microsoft.extra_ca_file"), "{stdout}");
}

#[test]
fn emulator_admin_moves_the_clock_and_reports_errors() {
    let home = temp_home();
    let emulator = Emulator::start(home.path(), &[]);
    let base = emulator.field("base_url").to_string();
    let (out, stdout) = run(docketsync(home.path()).args([
        "emulator",
        "admin",
        "--url",
        &base,
        "advance-clock",
        "--days",
        "91",
    ]));
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
    let (out, _) =
        run(docketsync(home.path()).args(["emulator", "admin", "--url", &base, "advance-clock"]));
    assert!(!out.status.success());

    // No emulator there: a clear error and a non-zero exit.
    let (out, _) = run(docketsync(home.path()).args([
        "emulator",
        "admin",
        "--url",
        "http://127.0.0.1:9",
        "stats",
    ]));
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
    let home = temp_home();
    let state = home.path().join("world.json");
    let state_arg = state.to_str().expect("utf-8 path");
    let emulator = Emulator::start(home.path(), &["--state-file", state_arg]);
    let base = emulator.field("base_url").to_string();
    let anna = "anna.berger@kanzlei-demo.onmicrosoft.com";
    // The state file keeps the password's hash, as the emulator stores it.
    let stored = |pw: &str| {
        let hash = serde_json::to_string(&m365_emulator::world::Credential::new(pw)).unwrap();
        // Written after the first change only.
        std::fs::read_to_string(&state).is_ok_and(|text| text.contains(&hash))
    };
    let admin = |extra: &[&str]| {
        let mut cmd = docketsync(home.path());
        cmd.args([
            "emulator",
            "admin",
            "--url",
            &base,
            "change-password",
            "--user",
            anna,
        ])
        .args(extra);
        cmd
    };

    // On the command line: refused, with the alternatives named, even
    // where no emulator listens (nothing is sent).
    for url in [base.as_str(), "http://127.0.0.1:9"] {
        let (out, _) = run(docketsync(home.path()).args([
            "emulator",
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

/// `doctor` reads the PMS as the next export would: how much came back,
/// and each record that will be skipped, with its reason.
#[test]
fn doctor_reads_the_pms_and_names_the_records_it_will_skip() {
    let home = temp_home();
    let pms = home.path().join("pms");
    std::fs::create_dir_all(&pms).unwrap();
    std::fs::write(
        pms.join("termine.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n\
         BEGIN:VEVENT\r\nUID:ok-1\r\nSUMMARY:Mandant Huber\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:bad-1\r\nSUMMARY:Kaputt\r\nDTSTART:20261340T090000Z\r\nEND:VEVENT\r\n\
         END:VCALENDAR\r\n",
    )
    .unwrap();
    let config = home.path().join("firm.toml");
    let write = |source: &str| {
        std::fs::write(
            &config,
            format!(
                "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
                 authority_host = \"http://127.0.0.1:9\"\n[source]\n{source}\n[storage]\nallow_plaintext_tokens = true\n"
            ),
        )
        .unwrap();
    };
    write(&format!("kind = \"ics\"\npath = \"{}\"", pms.display()));
    let (_, stdout) = run(docketsync(home.path())
        .arg("--config")
        .arg(&config)
        .arg("doctor"));
    let line = stdout
        .lines()
        .find(|l| l.contains("PMS source"))
        .unwrap_or_else(|| panic!("no PMS source line in:\n{stdout}"));
    assert!(line.starts_with("WARN"), "{stdout}");
    assert!(line.contains("1 appointment(s)"), "{stdout}");
    assert!(line.contains("1 record(s) skipped"), "{stdout}");
    assert!(
        stdout.contains("bad-1: bad date '2026-13-40'"),
        "the record and its bad date are named:\n{stdout}"
    );

    // A feed the PMS server does not answer: FAIL, and why.
    write("kind = \"ics\"\nurl = \"http://127.0.0.1:9/feed.ics\"");
    let (out, stdout) = run(docketsync(home.path())
        .arg("--config")
        .arg(&config)
        .arg("doctor"));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("PMS source"))
        .unwrap_or_else(|| panic!("no PMS source line in:\n{stdout}"));
    assert!(line.starts_with("FAIL"), "{stdout}");
    assert!(line.contains("could not be read completely"), "{stdout}");
}

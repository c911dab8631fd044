//! The `docketsync` binary as a user runs it. Every test gets its own
//! `DOCKETSYNC_HOME` temp folder, so nothing touches the real home.

use std::path::Path;
use std::process::{Command, Output};

use docket_e2e::emulator::EmulatorProcess;

const BIN: &str = env!("CARGO_BIN_EXE_docketsync");

/// A command with a private DOCKETSYNC_HOME and no inherited config path.
fn docketsync(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DOCKETSYNC_HOME", home)
        .env_remove("DOCKETSYNC_CONFIG");
    cmd
}

fn run(cmd: &mut Command) -> (Output, String) {
    let out = cmd.output().expect("run docketsync");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
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
        "--config <PATH>",
        "DOCKETSYNC_HOME",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing in:\n{stdout}"
        );
    }
    // What firms deploy carries no fake Microsoft: the emulator and the
    // demo are the m365-emulator binary's.
    for gone in ["emulator", "demo"] {
        assert!(!stdout.contains(gone), "{gone:?} in:\n{stdout}");
        let (out, _) = run(docketsync(home.path()).arg(gone));
        assert!(!out.status.success(), "docketsync {gone} is not a command");
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

/// What `m365-emulator --write-config` writes (the one emulator config
/// writer, `m365_emulator::docketsync_config`) is a configuration that
/// `doctor` accepts; once the emulator stops, its authority fails.
#[test]
fn the_emulators_config_is_one_doctor_accepts() {
    let home = temp_home();
    let config = home.path().join("demo.toml");
    let config_arg = config.to_str().unwrap();
    #[allow(unused_mut)]
    let mut emulator = EmulatorProcess::start(&["--write-config", config_arg]);
    let base = emulator.base_url().to_string();

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
fn the_https_emulators_config_trusts_its_ca_and_doctor_agrees() {
    let home = temp_home();
    let config = home.path().join("demo.toml");
    let emulator = EmulatorProcess::start(&[
        "--https",
        "--https-port",
        "0",
        "--write-config",
        config.to_str().unwrap(),
    ]);
    let https = emulator.field("https_base_url");

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

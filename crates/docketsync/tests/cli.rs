//! The `docketsync` binary as a user runs it. Every test gets its own
//! `DOCKETSYNC_HOME` temp folder, so nothing touches the real home. What
//! it prints is compared as whole transcripts (`support`, snapshots in
//! `tests/snapshots/`). `doctor` asks the session's keyring (the tests
//! run under the keyring wrapper, as the emulator's configuration does
//! not allow the token file).

use std::path::Path;
use std::process::{Command, Output};

use docket_testkit::emulator::EmulatorProcess;
use support::{assert_transcript, transcript_of_output};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_docketsync");

/// A command with a private DOCKETSYNC_HOME, no inherited config path and
/// English (no language from the environment).
fn docketsync(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DOCKETSYNC_HOME", home)
        .env_remove("DOCKETSYNC_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env("LANG", "C.UTF-8");
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
    assert_transcript("help", home.path(), &transcript_of_output(&out));
    // What firms deploy carries no fake Microsoft: the emulator and the
    // demo are the m365-emulator binary's.
    for gone in ["emulator", "demo"] {
        assert!(!stdout.contains(gone), "{gone:?} in:\n{stdout}");
        let (out, _) = run(docketsync(home.path()).arg(gone));
        assert!(!out.status.success(), "docketsync {gone} is not a command");
    }
}

/// The help in German: with `--lang de` anywhere on the command line or
/// from the system's language, and `help <command>` is the command's
/// `--help`.
#[test]
fn help_is_in_the_readers_language() {
    let home = temp_home();
    let (out, stdout) = run(docketsync(home.path()).args(["--lang", "de", "--help"]));
    assert!(out.status.success());
    assert_transcript("help_de", home.path(), &transcript_of_output(&out));
    let (_, system) = run(docketsync(home.path()).env("LANG", "de_DE.UTF-8").arg("-h"));
    assert_eq!(system, stdout);
    let (_, help) = run(docketsync(home.path()).args(["--lang=de", "help"]));
    assert_eq!(help, stdout);

    let (out, sync) = run(docketsync(home.path()).args(["sync", "--help", "--lang", "de"]));
    assert!(out.status.success());
    assert_transcript("sync_help_de", home.path(), &transcript_of_output(&out));
    let (_, help_sync) = run(docketsync(home.path()).args(["--lang=de", "help", "sync"]));
    assert_eq!(help_sync, sync);
    let (_, export) = run(docketsync(home.path()).args(["--lang", "de", "export", "-h"]));
    assert_eq!(export, sync);
    // `--lang` after `help` too (clap's `help` called it unexpected).
    let (out, after) = run(docketsync(home.path()).args(["help", "sync", "--lang", "de"]));
    assert!(out.status.success(), "{}", transcript_of_output(&out));
    assert_eq!(after, sync);
    let (_, after) = run(docketsync(home.path()).args(["help", "--lang=de"]));
    assert_eq!(after, stdout);
}

/// With no `--lang`, the help follows the user's `app.language` (the
/// tray's language setting writes it), over the system's; `--lang`
/// outranks both.
#[test]
fn help_follows_the_users_language_setting() {
    let home = temp_home();
    let (_, german) = run(docketsync(home.path()).args(["--lang", "de", "--help"]));
    let (_, english) = run(docketsync(home.path()).arg("--help"));
    assert_ne!(german, english);
    let write = |path: &str, text: &str| {
        let path = home.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "firm/config.toml",
        "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
         client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
         [source]\nkind = \"demo\"\n",
    );
    write("config/config.toml", "[app]\nlanguage = \"de\"\n");
    let (out, setting) = run(docketsync(home.path()).arg("--help"));
    assert!(out.status.success());
    assert_eq!(setting, german);
    let (_, over_system) = run(docketsync(home.path())
        .env("LANG", "en_GB.UTF-8")
        .arg("help"));
    assert_eq!(over_system, german);
    let (_, forced) = run(docketsync(home.path()).args(["--help", "--lang", "en"]));
    assert_eq!(forced, english);
}

/// Clap's errors about the command line are in the reader's language
/// too, with clap's exit code 2.
#[test]
fn command_line_errors_are_in_the_readers_language() {
    let home = temp_home();
    let (out, _) = run(docketsync(home.path()).args(["--lang", "de", "sync", "--forc"]));
    assert_eq!(out.status.code(), Some(2));
    assert_transcript(
        "unknown_argument_de",
        home.path(),
        &transcript_of_output(&out),
    );
    let (out, _) = run(docketsync(home.path()).args(["sync", "--forc"]));
    assert_eq!(out.status.code(), Some(2));
    assert_transcript("unknown_argument", home.path(), &transcript_of_output(&out));
}

/// The product says "export"; the command `sync` has kept its name for
/// the scripts that call it, and `export` is the same command.
#[test]
fn export_is_the_sync_command() {
    let home = temp_home();
    let (out, export) = run(docketsync(home.path()).args(["export", "--help"]));
    assert!(out.status.success());
    assert_transcript("sync_help", home.path(), &transcript_of_output(&out));
    let (_, sync) = run(docketsync(home.path()).args(["sync", "--help"]));
    assert_eq!(export, sync);
    // Without a configuration both stop the same way.
    let (a, _) = run(docketsync(home.path()).args(["export", "--dry-run"]));
    let (b, _) = run(docketsync(home.path()).args(["sync", "--dry-run"]));
    assert!(!a.status.success());
    let a = transcript_of_output(&a);
    assert_eq!(a, transcript_of_output(&b));
    assert_transcript("sync_without_config", home.path(), &a);
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
    // The authority line names the emulator's address.
    assert!(stdout.contains(&base), "{stdout}");
    assert_transcript(
        "doctor_emulator_config",
        home.path(),
        &transcript_of_output(&out),
    );

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
        assert_transcript(
            "doctor_emulator_stopped",
            home.path(),
            &transcript_of_output(&out),
        );
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
    assert!(stdout.contains(https), "{stdout}");
    assert_transcript(
        "doctor_emulator_https",
        home.path(),
        &transcript_of_output(&out),
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
    // IT must act (the CA file in the configuration): exit 3.
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert_transcript(
        "doctor_emulator_untrusted_ca",
        home.path(),
        &transcript_of_output(&out),
    );
}

/// Folders that cannot be used are told before any configuration is read,
/// so in the system's language (or `--lang`'s), from the catalogues: a
/// German system read "error: DOCKETSYNC_HOME is …" in English.
#[test]
fn unusable_folders_are_told_in_the_systems_language() {
    let home = temp_home();
    for (name, lang) in [
        ("relative_home", "C.UTF-8"),
        ("relative_home_de", "de_DE.UTF-8"),
    ] {
        let (out, _) = run(docketsync(home.path())
            .env("DOCKETSYNC_HOME", "relative/home")
            .env("LANG", lang)
            .arg("status"));
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert_transcript(name, home.path(), &transcript_of_output(&out));
    }
}

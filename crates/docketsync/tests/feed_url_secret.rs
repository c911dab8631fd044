//! A PMS feed URL that carries its access token in the query
//! (`?token=…`): the token never appears in what the CLI prints, in the
//! status or in the log file, and `doctor` says that a credential belongs
//! in `source.auth`. What each command printed is compared as a whole
//! transcript (`support`, snapshots in `tests/snapshots/`) once the token
//! was checked not to be in it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use m365_emulator::docketsync_config::DocketsyncConfig;
use m365_emulator::{EmulatorConfig, TestServer};
use support::{assert_transcript, pretty_json, transcript_of};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_docketsync");
const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";
const ANNA_PW: &str = "Demo-Anna-2026!";
const TOKEN: &str = "s3cr3t-feed-token";

/// A PMS server that answers every request with 500.
fn failing_feed() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    port
}

fn cli(home: &Path, config: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DOCKETSYNC_HOME", home)
        .env_remove("DOCKETSYNC_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env("LANG", "C.UTF-8")
        // No Secret Service: the opted-in token file, and no load on the
        // session's keyring.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", home.join("no-bus-here").display()),
        )
        .arg("--config")
        .arg(config);
    cmd
}

/// (exit code, the transcript; JSON pretty-printed with `json`).
fn output(cmd: &mut Command, json: bool) -> (i32, String) {
    let out = cmd.stdin(Stdio::null()).output().expect("run docketsync");
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stdout = if json {
        pretty_json(&stdout)
    } else {
        stdout.into_owned()
    };
    (
        code,
        transcript_of(code, &stdout, &String::from_utf8_lossy(&out.stderr)),
    )
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_in_the_feed_url_is_never_shown_and_doctor_warns_about_it() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tenant = uuid::Uuid::new_v4();
    let emulator = TestServer::start(EmulatorConfig {
        tenant_id: Some(tenant),
        ..EmulatorConfig::default()
    })
    .await;
    let base = emulator.base_url.clone();
    let feed = format!(
        "http://127.0.0.1:{}/kanzlei.ics?view=all&token={TOKEN}",
        failing_feed()
    );
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("firm.toml");
    let mut firm = DocketsyncConfig::new(&base, tenant);
    firm.sections = format!("[source]\nkind = \"ics\"\nurl = \"{feed}\"\n");
    firm.plaintext_tokens = true;
    std::fs::write(&config, firm.toml()).expect("config");

    // Sign in: the URL is printed, the stand-in for the person fills in
    // the emulator's pages.
    let mut child = cli(home.path(), &config)
        .args(["signin", "--no-browser"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("signin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.trim().starts_with("http") {
                let _ = tx.send(line.trim().to_string());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let url = tokio::task::spawn_blocking(move || {
        rx.recv_timeout(Duration::from_secs(60))
            .expect("a sign-in URL")
    })
    .await
    .unwrap();
    m365_emulator::pages_client::sign_in(&base, &url, ANNA, ANNA_PW)
        .await
        .expect("sign in on the emulator's pages");
    let status = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .expect("signin ends");
    let mut printed = reader.join().expect("reader");
    printed.push_str(&String::from_utf8_lossy(&status.stderr));
    assert!(status.status.success(), "signin failed: {printed}");

    let home_dir = home.path().to_path_buf();
    let config_file = config.clone();
    let runs = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| {
            output(
                cli(&home_dir, &config_file).args(args),
                args.contains(&"--json"),
            )
        };
        [
            ("feed_token_sync", run(&["sync"])),
            ("feed_token_sync_json", run(&["sync", "--json"])),
            ("feed_token_status", run(&["status"])),
            ("feed_token_status_json", run(&["status", "--json"])),
            ("feed_token_doctor", run(&["doctor"])),
        ]
    })
    .await
    .unwrap();

    for (what, (_, text)) in &runs {
        assert!(
            !text.contains(TOKEN),
            "{what} shows the feed token:\n{text}"
        );
    }
    // The failure is reported with the address redacted (sync), doctor
    // warns that a credential belongs in source.auth.
    for (name, (_, text)) in &runs {
        assert_transcript(name, home.path(), text);
    }
    assert!(!printed.contains(TOKEN), "signin shows the feed token");
    let logs = files_under(&home.path().join("logs"));
    assert!(!logs.is_empty(), "the CLI wrote a log");
    for log in logs {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            !text.contains(TOKEN),
            "{} holds the feed token",
            log.display()
        );
    }
    // Nor anywhere else the CLI writes (state, caches), except the
    // configuration it was given.
    for file in files_under(home.path()) {
        if file == config {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TOKEN),
            "{} holds the feed token",
            file.display()
        );
    }
}

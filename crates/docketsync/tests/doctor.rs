//! `docketsync doctor` as a user sees it: whole transcripts (exit code,
//! stdout, stderr; `support`'s filters), with no keyring (no session
//! bus), so the output is the same on every machine. Snapshots live in
//! `tests/snapshots/`; a changed output fails the test and shows the
//! difference (`INSTA_UPDATE=always` writes the new one for review).

use std::path::Path;
use std::process::Command;

use support::{assert_transcript, filtered, transcript};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_docketsync");

/// A command with a private DOCKETSYNC_HOME, no inherited config path, no
/// language from the environment (English unless `--lang` says) and no
/// session bus, so that no keyring answers wherever the test runs.
fn docketsync(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DOCKETSYNC_HOME", home)
        .env_remove("DOCKETSYNC_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env("LANG", "C.UTF-8")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/docketsync-test-bus",
        );
    cmd
}

fn firm(home: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = home.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const BROKEN: &str = "[microsoft]\ntenant = \"common\"\n\
    client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
    client_secret = \"s3cr3t-value\"\n[source]\nkind = \"demo\"\n\
    [policy]\nsync_intervall_minutes = 10\n";

/// Every bad key with its fix; the checks that need a valid configuration
/// are skipped; the folders are still checked; IT must act (exit 3); the
/// secret's value is never echoed.
#[test]
fn doctor_names_each_bad_key_and_skips_what_needs_the_config() {
    let home = tempfile::tempdir().unwrap();
    let config = firm(home.path(), "broken.toml", BROKEN);
    let text = transcript(
        docketsync(home.path())
            .arg("doctor")
            .arg("--config")
            .arg(&config),
    );
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert_transcript("broken_config", home.path(), &text);
}

/// The same in German, chosen with `--lang de`.
#[test]
fn doctor_speaks_german() {
    let home = tempfile::tempdir().unwrap();
    let config = firm(home.path(), "broken.toml", BROKEN);
    let text = transcript(
        docketsync(home.path())
            .args(["--lang", "de", "doctor", "--config"])
            .arg(&config),
    );
    assert_transcript("broken_config_de", home.path(), &text);
}

/// No config file at all: where it looked, and how to name another.
#[test]
fn doctor_reports_a_missing_config_file_and_where_it_looked() {
    let home = tempfile::tempdir().unwrap();
    let text = transcript(docketsync(home.path()).arg("doctor"));
    assert_transcript("missing_config", home.path(), &text);
}

/// DOCKETSYNC_CONFIG names the firm file; the user's overrides are read
/// and a key only the firm may set is refused.
#[test]
fn doctor_uses_docketsync_config_and_user_overrides() {
    let home = tempfile::tempdir().unwrap();
    let config = firm(
        home.path(),
        "firm.toml",
        "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
         client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
         authority_host = \"http://127.0.0.1:9\"\n[source]\nkind = \"demo\"\n",
    );
    let user = home.path().join("config").join("config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(
        &user,
        "[microsoft]\ntenant = \"fabrikam.onmicrosoft.com\"\n",
    )
    .unwrap();
    let text = transcript(
        docketsync(home.path())
            .env("DOCKETSYNC_CONFIG", &config)
            .arg("doctor"),
    );
    assert_transcript("user_overrides", home.path(), &text);
}

/// `doctor` reads the PMS as the next export would: how much came back,
/// each record that will be skipped with its reason, or why nothing could
/// be read; the sign-in service that does not answer is the user's to
/// check (exit 1).
#[test]
fn doctor_reads_the_pms_and_names_the_records_it_will_skip() {
    let home = tempfile::tempdir().unwrap();
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
    let write = |source: &str| {
        firm(
            home.path(),
            "firm.toml",
            &format!(
                "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\n\
                 client_id = \"0d0c5e7a-1f01-4b6a-8c2e-d0c4e75a9b01\"\n\
                 authority_host = \"http://127.0.0.1:9\"\n[source]\n{source}\n\
                 [policy]\nmailbox_time_zone = \"Europe/Berlin\"\n\
                 [storage]\nallow_plaintext_tokens = true\n"
            ),
        )
    };
    let config = write(&format!("kind = \"ics\"\npath = \"{}\"", pms.display()));
    let text = transcript(
        docketsync(home.path())
            .arg("--config")
            .arg(&config)
            .arg("doctor"),
    );
    assert_transcript("pms_skips", home.path(), &text);

    // A feed the PMS server does not answer.
    let config = write("kind = \"ics\"\nurl = \"http://127.0.0.1:9/feed.ics?token=abc\"");
    let text = transcript(
        docketsync(home.path())
            .arg("--config")
            .arg(&config)
            .arg("doctor"),
    );
    assert!(!text.contains("token=abc"), "{text}");
    assert_transcript("pms_unreachable", home.path(), &text);
}

/// `--json`: the report as data — stable ids, statuses, who must act,
/// messages as catalogue ids with arguments, fixes as actions.
#[test]
fn doctor_json_is_the_report_as_data() {
    let home = tempfile::tempdir().unwrap();
    let config = firm(home.path(), "broken.toml", BROKEN);
    let out = docketsync(home.path())
        .args(["doctor", "--json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false);
    assert_eq!(v["who"], "admin");
    let first = &v["checks"][0];
    assert_eq!(first["id"], "config");
    assert_eq!(first["status"], "fail");
    assert_eq!(first["who"], "admin");
    assert_eq!(first["message"]["id"], "doctor-config-invalid");
    assert_eq!(first["action"]["action"], "set_client_secret");
    assert_eq!(
        first["details"][2]["place"],
        format!("{}: microsoft.tenant", config.display())
    );
    assert_eq!(first["details"][2]["action"]["key"], "microsoft.tenant");
    let skipped: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "skip")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        [
            "redirect-port",
            "keyring",
            "mailbox-zone",
            "pms-source",
            "authority"
        ]
    );
}

/// The transcript filters (`support`): what differs from run to run is
/// hidden, the words a user reads stay.
#[test]
fn transcript_filters_hide_what_varies_and_keep_the_words() {
    let home = Path::new("/tmp/.tmpAbC123");
    let check = |input: &str, expect: &str| {
        assert_eq!(filtered(home, input), expect, "{input:?}");
    };
    check(
        "/tmp/.tmpAbC123/data is writable",
        "[HOME]/data is writable",
    );
    check("/tmp/.tmpXyZ789/ca.pem", "[TEMP]/ca.pem");
    check(
        "http://127.0.0.1:41234/t/v2.0 and http://127.0.0.1:9/feed",
        "http://127.0.0.1:[PORT]/t/v2.0 and http://127.0.0.1:9/feed",
    );
    check(
        "redirect_uri=http%3A%2F%2Flocalhost%3A44737%2F&state=Zq-1_x&code_challenge=abc~9&code_challenge_method=S256&nonce=n0",
        "redirect_uri=http%3A%2F%2Flocalhost%3A[PORT]%2F&state=[state]&code_challenge=[code_challenge]&code_challenge_method=S256&nonce=[nonce]",
    );
    check(
        "\u{1b}[2m2026-12-02T14:41:57.551257Z\u{1b}[0m \u{1b}[33m WARN\u{1b}[0m x",
        "[TIMESTAMP]  WARN x",
    );
    check(
        "\"at\": \"2026-12-02T14:41:57+01:00\"",
        "\"at\": \"[TIMESTAMP]\"",
    );
    check(
        "signed in: 1 Dec 2026, 19:44 (5 minutes ago)",
        "signed in: [DATETIME] ([RECENTLY])",
    );
    check(
        "angemeldet: 1. Dez. 2026, 09:05 (gerade eben)",
        "angemeldet: [DATETIME] ([RECENTLY])",
    );
    check(
        "1. März 2026, 19:44 (vor 1 Minute)",
        "[DATETIME] ([RECENTLY])",
    );
    // Longer spans and spans in a sentence are words the user reads.
    check(
        "in 90 days; tries again in 15 minutes",
        "in 90 days; tries again in 15 minutes",
    );
    check("next sign-in: 3 Mar 2027", "next sign-in: [DATE]");
    check("In step · 14:32", "In step · [TIME]");
    check(
        "Europe/Berlin (this computer's time zone)",
        "[LOCAL-ZONE] (this computer's time zone)",
    );
    check("took 3.2 s, then 40 ms", "took [DURATION], then [DURATION]");
    check(
        "tenant 3f2504e0-4f89-41d3-9a0c-0305e82c3301, example 00000000-0000-0000-0000-000000000000",
        "tenant [GUID], example 00000000-0000-0000-0000-000000000000",
    );
    check(
        "id AAMkAGI2TG93AAA=, AADSTS50173",
        "id [GRAPH-ID], AADSTS50173",
    );
    check(
        "174 created, 3 records skipped",
        "174 created, 3 records skipped",
    );
}

//! `m365-emulator demo`: the README's first command ends here. It runs
//! this crate's `docketsync` against the emulator, in a home of its own.
//! What it prints is compared as a whole transcript (`support`, snapshots
//! in `tests/snapshots/`).

use std::path::Path;
use std::process::Command;

use support::{assert_transcript, transcript_of_output};

mod support;

#[test]
fn the_demo_exports_the_sample_firm_and_explains_what_it_skipped() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = run_demo(home.path(), &home.path().join("demo"));
    let text = transcript_of_output(&out);
    assert!(out.status.success(), "{text}");
    // The sign-in, the sample firm exported, its deliberately broken
    // records each named with why, and a second run that sends nothing.
    assert_transcript("demo", home.path(), &text);
}

/// The demo run beside a real install (its home in the real data folder,
/// `DOCKETSYNC_HOME` of the real install in its environment): the real
/// account, its sign-in and its export state are untouched, and nothing
/// of the emulator lands in them.
#[test]
fn the_demo_leaves_the_real_account_alone() {
    use docket_secrets::{EntryKey, SecretKind, SecretStore as _, SecretString};
    let home = tempfile::tempdir().expect("tempdir");
    let real = docket_paths::Paths::under_home(home.path());
    let account = docket_store::AccountRecord {
        tenant: "kanzlei.onmicrosoft.com".into(),
        client_id: "11111111-2222-3333-4444-555555555555".into(),
        username: "anna@kanzlei.example".into(),
        object_id: "oid-real".into(),
        tenant_id: "tid-real".into(),
        display_name: Some("Anna Berger".into()),
        signed_in_at: "2026-03-01T08:00:00Z".parse().unwrap(),
        last_good_refresh_at: Some("2026-03-01T08:00:00Z".parse().unwrap()),
        sign_in_frequency_seconds: None,
        last_problem: None,
        notified: None,
    };
    let delta = "https://graph.microsoft.com/v1.0/me/contacts/delta?$deltatoken=real";
    {
        let db = docket_store::StateDb::open(&real.state_db_file()).expect("db");
        db.save_account(&account).unwrap();
        db.put_export_entry("appointment:real", r#"{"id":"AAMk-real"}"#)
            .unwrap();
        db.set_export_meta("delta.contact", delta).unwrap();
    }
    let key = EntryKey {
        tenant: account.tenant.clone(),
        client_id: account.client_id.clone(),
        user: account.username.clone(),
        kind: SecretKind::RefreshToken,
    };
    let secrets_file = real.plaintext_secrets_file();
    let store = || docket_secrets::FileStore::open(&secrets_file, true).unwrap();
    store()
        .set(&key, &SecretString::new("real-refresh-token"))
        .unwrap();

    let out = run_demo(home.path(), &real.demo_home());
    let text = transcript_of_output(&out);
    assert!(out.status.success(), "{text}");
    assert_transcript("demo_beside_a_real_install", home.path(), &text);

    let db = docket_store::StateDb::open(&real.state_db_file()).expect("db");
    assert_eq!(db.account().unwrap(), Some(account), "the real account");
    assert_eq!(
        db.export_entries().unwrap(),
        [(
            "appointment:real".to_string(),
            r#"{"id":"AAMk-real"}"#.to_string()
        )],
        "the real export state"
    );
    assert_eq!(
        db.export_meta("delta.contact").unwrap().as_deref(),
        Some(delta)
    );
    assert_eq!(
        db.export_meta("delta.event").unwrap(),
        None,
        "no emulator link"
    );
    let token = store()
        .get(&key)
        .unwrap()
        .expect("the real sign-in is kept");
    assert_eq!(token.expose_secret(), "real-refresh-token");
    // The demo's own files are in its own home, which the app takes for
    // the demo's (secrets in its file, never the OS keyring).
    let demo = real.demo();
    assert!(demo.is_demo_home(), "the emulator's demo marks its home");
    assert!(demo.state_db_file().exists() && demo.plaintext_secrets_file().exists());
}

/// `m365-emulator demo --port 0 --exit --home <demo_home>` running this
/// crate's `docketsync`, with `DOCKETSYNC_HOME` = `home` inherited.
fn run_demo(home: &Path, demo_home: &Path) -> std::process::Output {
    Command::new(docket_testkit::emulator::binary())
        .env("DOCKETSYNC_HOME", home)
        .env_remove("DOCKETSYNC_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANGUAGE")
        .env("LANG", "C.UTF-8")
        .args(["demo", "--port", "0", "--exit", "--home"])
        .arg(demo_home)
        .arg("--docketsync")
        .arg(env!("CARGO_BIN_EXE_docketsync"))
        .output()
        .expect("run the demo")
}

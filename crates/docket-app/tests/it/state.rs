//! The state an install keeps, as a user would notice it: the export state
//! belongs to one mailbox, a long-running process keeps its access token,
//! and every file is the user's alone.

use crate::support;

use chrono::Utc;
use docket_app::executor::ExportOptions;
use serde_json::Value;
use support::{mailbox, names, PagesBrowser, SignedIn};

const DEMO: &str = "[source]\nkind = \"demo\"\n";

async fn stats(base: &str) -> Value {
    reqwest::get(format!("{base}/_admin/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A firm configuration for the emulator at `base` with `tenant`.
fn config_for(base: &str, tenant: uuid::Uuid, dir: &std::path::Path) -> docket_config::Config {
    let mut firm = m365_emulator::docketsync_config::DocketsyncConfig::new(base, tenant);
    firm.sections = DEMO.to_string();
    firm.plaintext_tokens = true;
    let firm = firm.toml();
    docket_config::validate(
        Some(docket_config::FileText {
            path: &dir.join("firm.toml"),
            text: &firm,
        }),
        None,
        &|p: &std::path::Path| p.exists(),
    )
    .expect("valid config")
}

/// IT moves the firm to another tenant (another mailbox at another Graph
/// address): the first export there creates everything, and not one
/// request goes to the old mailbox or names one of its ids.
#[tokio::test(flavor = "multi_thread")]
async fn another_mailbox_starts_afresh_and_the_old_ids_are_never_sent() {
    let old = SignedIn::start(DEMO).await;
    let first = old
        .app
        .export(ExportOptions::default(), Utc::now())
        .await
        .expect("first export");
    assert!(first.created > 10, "{first:?}");
    let old_mailbox = mailbox(&old.base, old.upn).await;

    let tenant = uuid::Uuid::new_v4();
    let new = m365_emulator::TestServer::start(m365_emulator::EmulatorConfig {
        tenant_id: Some(tenant),
        ..m365_emulator::EmulatorConfig::default()
    })
    .await;
    let app = docket_app::App::with_config(
        config_for(&new.base_url, tenant, old.home.path()),
        old.paths.clone(),
    )
    .expect("app");
    let (_, _, _, _, _, password) = m365_emulator::world::demo::USERS[0];
    let browser = PagesBrowser {
        base: new.base_url.clone(),
        upn: old.upn.into(),
        password: password.into(),
    };
    app.sign_in(&browser, |_| {}).await.expect("sign in");
    let old_graph = stats(&old.base).await["graph_requests"].clone();

    let report = app
        .export(ExportOptions::default(), Utc::now())
        .await
        .expect("export to the new mailbox");
    assert_eq!(
        (
            report.created,
            report.updated,
            report.deleted,
            report.recreated
        ),
        (first.created, 0, 0, 0),
        "{report:?}"
    );
    let wire = new.shared.stats.snapshot();
    assert!(
        wire.by_status.keys().all(|s| *s < 400),
        "an id the new mailbox does not know was sent: {:?}",
        wire.by_status
    );
    assert_eq!(
        stats(&old.base).await["graph_requests"],
        old_graph,
        "a request went to the old mailbox"
    );
    let new_mailbox = mailbox(&new.base_url, old.upn).await;
    for what in ["events", "tasks", "contacts"] {
        assert_eq!(
            names(&new_mailbox, what),
            names(&old_mailbox, what),
            "{what}"
        );
    }
}

/// A long-running process (the `run` loop, the tray) refreshes the sign-in
/// once for two exports within the access token's lifetime, instead of
/// rotating and rewriting the refresh token at every export.
#[tokio::test(flavor = "multi_thread")]
async fn two_exports_in_one_process_refresh_the_sign_in_once() {
    let signed_in = SignedIn::start(DEMO).await;
    // A process started after the sign-in (no access token in memory).
    let app = docket_app::App::with_config(
        docket_config::Config::clone(&signed_in.app.config()),
        signed_in.paths.clone(),
    )
    .expect("app");
    let key = docket_secrets::EntryKey {
        tenant: app.config().microsoft.tenant.to_string(),
        client_id: app.config().microsoft.client_id.to_string(),
        user: signed_in.upn.to_ascii_lowercase(),
        kind: docket_secrets::SecretKind::RefreshToken,
    };
    let token = || {
        app.secret_store()
            .get(&key)
            .expect("store")
            .expect("signed in")
            .expose_secret()
            .to_string()
    };
    let entra = || async { stats(&signed_in.base).await["other_requests"].clone() };
    let at_start = (token(), entra().await);
    app.export(ExportOptions::default(), Utc::now())
        .await
        .expect("first");
    let after_first = (token(), entra().await);
    app.export(ExportOptions::default(), Utc::now())
        .await
        .expect("second");
    let after_second = (token(), entra().await);
    assert!(
        after_first.0 != at_start.0,
        "the first export refreshes (and rotates) the sign-in"
    );
    assert_ne!(after_first.1, at_start.1);
    assert!(
        after_second.0 == after_first.0,
        "the second export rotated the refresh token again"
    );
    assert_eq!(
        after_second.1, after_first.1,
        "the second export called the token endpoint"
    );
}

/// Every file under DOCKETSYNC_HOME is the user's alone (0600), every
/// folder too (0700): state database with its -wal and -shm, locks,
/// secrets file.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn every_file_and_folder_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let signed_in = SignedIn::start(DEMO).await;
    signed_in
        .app
        .export(ExportOptions::default(), Utc::now())
        .await
        .expect("export");
    let mut seen = vec![];
    let mut todo = vec![signed_in.home.path().to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            let mode = meta.permissions().mode() & 0o777;
            let name = entry.path();
            if meta.is_dir() {
                assert_eq!(mode, 0o700, "{}", name.display());
                todo.push(name.clone());
            } else {
                assert_eq!(mode, 0o600, "{}", name.display());
            }
            seen.push(name.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    for f in [
        "state.sqlite3",
        "state.sqlite3-wal",
        "state.sqlite3-shm",
        "token.lock",
        "export.lock",
    ] {
        assert!(seen.iter().any(|s| s == f), "{f} in {seen:?}");
    }
}

/// A sign-out waits for a running export of the same user (here: the
/// export lock held by another process's export) before it drops the
/// account and the export state, so the export cannot write this mailbox's
/// ids into the state after it was dropped.
#[tokio::test(flavor = "multi_thread")]
async fn a_sign_out_waits_for_a_running_export() {
    let signed_in = SignedIn::start(DEMO).await;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(signed_in.paths.export_lock_file())
        .expect("lock file");
    fs4::FileExt::lock(&lock).expect("hold the export lock");
    let app = std::sync::Arc::new(signed_in.app);
    let signing_out = {
        let app = app.clone();
        tokio::task::spawn_blocking(move || app.sign_out())
    };
    // While the export runs, the account stays (this cannot pass by luck:
    // a sign-out that does not wait is done long before).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !signing_out.is_finished(),
        "sign-out did not wait for the export"
    );
    drop(lock);
    let who = signing_out.await.expect("join").expect("sign out");
    assert_eq!(who.as_deref(), Some(signed_in.upn));
}

/// Signing in again (the password changed, the sign-in was revoked) ends
/// the sign-in's problem, not the memory of what the user was told: a
/// warning that still stands is not told a second time. (Found by the long
/// run: the client secret's 30-day warning came again after a revoked
/// sign-in and the sign-in that followed.)
#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_again_does_not_tell_a_standing_warning_again() {
    let fx = SignedIn::start(DEMO).await;
    fx.app
        .mark_notified(&[
            "problem:reauth.password_changed".to_string(),
            "client_secret_expiring:30".to_string(),
        ])
        .unwrap();
    let (.., password) = m365_emulator::world::demo::USERS[0];
    fx.sign_in(password).await;
    let db = docket_store::StateDb::open(&fx.paths.state_db_file()).unwrap();
    let told = db.account().unwrap().and_then(|a| a.notified);
    assert_eq!(told.as_deref(), Some("client_secret_expiring:30"));
}

//! No token, secret or credential crosses the IPC boundary: every answer
//! the status window can get from a command, after a real sign-in and
//! export against the emulator, is inspected for token-shaped strings
//! (JWTs, long base64url runs) and for the very refresh token, access
//! token and PKCE/client values the secret store holds.

use std::sync::Arc;
use std::time::Duration;

use docket_app::companion::{Companion, StartOptions};
use docket_app::settings::UserSetting;
use docket_app::snapshot::TrayState;
use serde_json::Value;

use docket_testkit::pages_browser::PagesBrowser;

/// Substrings of `json` that look like a token: a JWT (`eyJ` + base64url
/// + dots) or any base64url run of 40 characters or more.
fn token_shaped(json: &str) -> Vec<String> {
    let mut found = vec![];
    let mut run = String::new();
    for c in json.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
            run.push(c);
            continue;
        }
        let longest = run.split('.').map(str::len).max().unwrap_or_default();
        if run.contains("eyJ") || longest >= 40 {
            found.push(run.clone());
        }
        run.clear();
    }
    found
}

/// Every string in the secrets file (the refresh token and anything else
/// stored), at least 16 characters long.
fn stored_secrets(file: &std::path::Path) -> Vec<String> {
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.len() >= 16 => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            Value::Object(o) => o.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(file).expect("the secrets file");
    let mut out = vec![];
    strings(&serde_json::from_str(&text).expect("JSON"), &mut out);
    out
}

#[test]
fn the_scanner_finds_tokens() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    assert_eq!(token_shaped(&format!("{{\"a\":\"{jwt}\"}}")), [jwt]);
    let opaque = "0.AAAA-bbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKKK";
    assert_eq!(token_shaped(&format!("[\"{opaque}\"]")), [opaque]);
    assert!(token_shaped(
        "{\"at\":\"2026-12-01T14:32:00Z\",\"id\":\"3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b\"}"
    )
    .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_command_answer_carries_a_token() {
    use m365_emulator::world::demo;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tenant = uuid::Uuid::new_v4();
    let emulator = m365_emulator::TestServer::start(m365_emulator::EmulatorConfig {
        tenant_id: Some(tenant),
        ..m365_emulator::EmulatorConfig::default()
    })
    .await;
    let base = emulator.base_url.clone();
    let (upn, _, _, _, _, password) = demo::USERS[0];
    let home = tempfile::tempdir().unwrap();
    let mut firm = m365_emulator::docketsync_config::DocketsyncConfig::new(&base, tenant);
    firm.plaintext_tokens = true;
    let firm = firm.toml();
    let firm_file = home.path().join("firm.toml");
    std::fs::write(&firm_file, &firm).unwrap();
    let config = docket_config::validate(
        Some(docket_config::FileText {
            path: &firm_file,
            text: &firm,
        }),
        None,
        &|p: &std::path::Path| p.exists(),
    )
    .expect("valid config");
    let paths = docket_paths::Paths::under_home(home.path());
    // The demo's kind of home: its secrets stay in the file this test
    // reads back, never in the session's shared keyring.
    paths.mark_as_demo_home().expect("demo home");
    let app = docket_app::App::with_config(config, paths.clone()).expect("app");
    let companion = Companion::start(
        app,
        StartOptions {
            browser: Arc::new(PagesBrowser {
                base: base.clone(),
                upn: upn.into(),
                password: password.into(),
            }),
            watch_source: false,
            ..StartOptions::default()
        },
    );
    let mut answers: Vec<(String, Value)> = vec![];
    let record = |answers: &mut Vec<(String, Value)>, name: &str, companion: &Companion| {
        let view = docket_tray::view::view_of(companion);
        answers.push((name.into(), serde_json::to_value(&view).unwrap()));
    };
    record(&mut answers, "view (signed out)", &companion);
    companion.sign_in();
    let mut watch = companion.watch();
    tokio::time::timeout(
        Duration::from_secs(120),
        watch.wait_for(|s| s.tray == TrayState::InStep && !s.runs.is_empty()),
    )
    .await
    .expect("signed in and exported within 2 minutes")
    .expect("the companion runs");
    record(&mut answers, "view (in step)", &companion);
    // A refused setting answers with the problem.
    let refused = companion.set_setting(&UserSetting::IntervalMinutes(0));
    if let Err(e) = refused {
        let texts = docket_tray::texts::texts(companion.snapshot().lang);
        let problem = docket_app::snapshot::problem_view(&texts, &e.describe(), None);
        answers.push((
            "set_setting (refused)".into(),
            serde_json::to_value(&problem).unwrap(),
        ));
    }
    // The events the tray shows (notifications) cross no IPC, but the
    // window's answers after them do: pause/resume change the snapshot.
    companion.pause();
    record(&mut answers, "view (paused)", &companion);
    companion.resume();

    let secrets = stored_secrets(&paths.plaintext_secrets_file());
    assert!(!secrets.is_empty(), "the sign-in stored its refresh token");
    for (name, answer) in &answers {
        let json = answer.to_string();
        assert_eq!(token_shaped(&json), Vec::<String>::new(), "{name}: {json}");
        for s in &secrets {
            assert!(!json.contains(s.as_str()), "{name} carries a stored secret");
        }
    }
    companion.stop().await;
}

//! `EmulatorConfig::state_file` (`m365-emulator --state-file`): the
//! world written by one emulator is the world the next one starts with —
//! directory (users, passwords), Entra grants (refresh tokens keep working
//! across a restart, as they do across Microsoft's own deployments) and
//! mailbox contents — and without a state file nothing survives.

use crate::common;

use common::{ScratchDir, ANNA, ANNA_PW};
use m365_emulator::{EmulatorConfig, TestServer};
use serde_json::{json, Value};

const ZOE: &str = "zoe.kraus@kanzlei-demo.onmicrosoft.com";
const ZOE_PW: &str = "Zoe-Kraus-2026!";

async fn start(state_file: Option<std::path::PathBuf>) -> TestServer {
    TestServer::start(EmulatorConfig {
        state_file,
        ..EmulatorConfig::default()
    })
    .await
}

async fn admin_post(http: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let resp = http
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .expect("admin request");
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

async fn subjects(http: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let resp = http
        .get(format!("{base}/v1.0/me/events"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_restarted_emulator_has_the_same_users_mailboxes_and_valid_refresh_tokens() {
    common::crypto();
    let dir = ScratchDir::new("m365-state");
    let state = dir.path().join("world.json");
    let http = common::no_redirects(reqwest::Client::builder());

    let (refresh_token, event_id, clock_offset) = {
        let first = start(Some(state.clone())).await;
        let base = first.base_url.clone();
        let tenant = m365_emulator::world::demo::TENANT_ID.to_string();
        admin_post(
            &http,
            &base,
            &format!("/_admin/tenants/{tenant}/users"),
            json!({"user_principal_name": ZOE, "password": ZOE_PW}),
        )
        .await;
        admin_post(
            &http,
            &base,
            &format!("/_admin/users/{ANNA}/password"),
            json!({"password": "Anna-New-2026!"}),
        )
        .await;
        let clock = admin_post(
            &http,
            &base,
            "/_admin/clock/advance",
            json!({"seconds": 3600}),
        )
        .await;
        assert!(clock["now"].is_string());

        let tokens = common::sign_in(&http, &base, ANNA, "Anna-New-2026!").await;
        let access = tokens["access_token"].as_str().unwrap();
        let resp = http
            .post(format!("{base}/v1.0/me/events"))
            .bearer_auth(access)
            .json(&json!({
                "subject": "Mündliche Verhandlung",
                "start": {"dateTime": "2024-06-10T09:00:00", "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": "2024-06-10T11:00:00", "timeZone": "W. Europe Standard Time"},
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let event: Value = resp.json().await.unwrap();
        let offset = first.shared.world().clock.offset_seconds;
        (
            tokens["refresh_token"].as_str().unwrap().to_string(),
            event["id"].as_str().unwrap().to_string(),
            offset,
        )
    };
    // The first emulator is gone (dropped: shut down).

    let text = std::fs::read_to_string(&state).expect("state file written");
    for secret in [refresh_token.as_str(), ZOE_PW, "Anna-New-2026!", ANNA_PW] {
        assert!(
            !text.contains(secret),
            "a secret in clear in the state file"
        );
    }

    let second = start(Some(state.clone())).await;
    let base = second.base_url.clone();
    assert_eq!(second.shared.world().clock.offset_seconds, clock_offset);

    // The refresh token issued by the first emulator redeems at the second.
    let (status, body) = common::refresh(&http, &base, &refresh_token).await;
    assert_eq!(
        status, 200,
        "refresh after restart: {}",
        body["error_codes"]
    );
    let access = body["access_token"].as_str().unwrap().to_string();
    assert!(body["refresh_token"].is_string());

    // The mailbox content is there.
    assert_eq!(
        subjects(&http, &base, &access).await,
        ["Mündliche Verhandlung"]
    );
    let resp = http
        .get(format!("{base}/v1.0/me/events/{event_id}"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "ids survive a restart");

    // The user created at the first emulator signs in at the second; the
    // changed password is the one that counts.
    let zoe = common::sign_in(&http, &base, ZOE, ZOE_PW).await;
    assert!(zoe["access_token"].is_string());
    let code = common::authorization_code(&http, &base, ANNA, "Anna-New-2026!").await;
    assert!(!code.is_empty());

    // Rotation persisted too: the first emulator's refresh token was
    // exchanged at the second and is now retired (strict rotation).
    drop(second);
    let third = start(Some(state.clone())).await;
    let (status, body) = common::refresh(&http, &third.base_url, &refresh_token).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn without_a_state_file_nothing_survives_a_restart() {
    common::crypto();
    let http = reqwest::Client::new();
    {
        let first = start(None).await;
        let token = first.shared.test_token(ANNA);
        let resp = http
            .post(format!("{}/v1.0/me/contacts", first.base_url))
            .bearer_auth(&token)
            .json(&json!({"givenName": "Max", "surname": "Muster"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
    }
    let second = start(None).await;
    let token = second.shared.test_token(ANNA);
    let body: Value = http
        .get(format!("{}/v1.0/me/contacts", second.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["value"], json!([]));
}

/// Parallel writes (a client with several requests in flight, or the
/// parallel items of a `$batch`) must all reach the state file: the last
/// snapshot written is the newest one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writes_all_survive_a_restart() {
    common::crypto();
    let dir = ScratchDir::new("m365-state-parallel");
    let state = dir.path().join("world.json");
    let http = reqwest::Client::new();
    const N: usize = 40;
    {
        let first = TestServer::start(EmulatorConfig {
            state_file: Some(state.clone()),
            throttle: Some(m365_emulator::throttle::Limits {
                max_concurrent: N,
                ..Default::default()
            }),
            ..EmulatorConfig::default()
        })
        .await;
        let token = first.shared.test_token(ANNA);
        // Large items make each snapshot slow to write, widening the
        // window in which writes could overtake each other.
        let notes = "Aktennotiz ".repeat(2_000);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..N {
            let (http, url, token, notes) = (
                http.clone(),
                format!("{}/v1.0/me/contacts", first.base_url),
                token.clone(),
                notes.clone(),
            );
            tasks.spawn(async move {
                http.post(url)
                    .bearer_auth(token)
                    .json(&json!({"givenName": format!("P{i}"), "personalNotes": notes}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            });
        }
        while let Some(status) = tasks.join_next().await {
            assert_eq!(status.unwrap(), 201);
        }
    }
    let second = start(Some(state)).await;
    let token = second.shared.test_token(ANNA);
    let body: Value = http
        .get(format!(
            "{}/v1.0/me/contacts?$top=100&$select=givenName",
            second.base_url
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["value"].as_array().unwrap().len(), N);
}

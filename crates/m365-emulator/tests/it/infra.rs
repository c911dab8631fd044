//! The emulator's infrastructure as a Graph client sees it: `$batch`,
//! Outlook throttling, injected faults, the request log and the request
//! statistics. Each test follows Microsoft's documentation:
//! <https://learn.microsoft.com/en-us/graph/json-batching>,
//! <https://learn.microsoft.com/en-us/graph/throttling>,
//! <https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits>.

use crate::common;

use std::time::{Duration, Instant};

use m365_emulator::{EmulatorConfig, TestServer};
use serde_json::{json, Value};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";

async fn start(config: EmulatorConfig) -> (TestServer, reqwest::Client, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = TestServer::start(config).await;
    let token = server.shared.test_token(ANNA);
    (server, reqwest::Client::new(), token)
}

async fn admin(client: &reqwest::Client, server: &TestServer, path: &str, body: Value) -> Value {
    let r = client
        .post(format!("{}{path}", server.base_url))
        .json(&body)
        .send()
        .await
        .expect("admin request");
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn add_fault(client: &reqwest::Client, server: &TestServer, rule: Value) -> u64 {
    admin(client, server, "/_admin/faults", rule).await["id"]
        .as_u64()
        .expect("fault id")
}

async fn get_me(client: &reqwest::Client, server: &TestServer, token: &str) -> reqwest::Response {
    get_me_owned(client.clone(), server.base_url.clone(), token.to_string()).await
}

async fn get_me_owned(
    client: reqwest::Client,
    base_url: String,
    token: String,
) -> reqwest::Response {
    client
        .get(format!("{base_url}/v1.0/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET /me")
}

async fn batch(
    client: &reqwest::Client,
    server: &TestServer,
    token: &str,
    requests: Value,
) -> (u16, Value) {
    let r = client
        .post(format!("{}/v1.0/$batch", server.base_url))
        .bearer_auth(token)
        .json(&json!({ "requests": requests }))
        .send()
        .await
        .expect("POST $batch");
    let status = r.status().as_u16();
    (status, r.json().await.expect("batch JSON"))
}

/// The response of item `id`, looked up by id: order is not guaranteed.
fn item<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no response for {id} in {body}"))
}

fn statuses(body: &Value) -> Vec<u64> {
    let mut s: Vec<u64> = body["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| r["status"].as_u64().expect("status"))
        .collect();
    s.sort();
    s
}

fn get_item(id: &str) -> Value {
    json!({ "id": id, "method": "GET", "url": "/me" })
}

#[tokio::test]
async fn batch_of_21_is_refused_whole_with_400() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    let items: Vec<Value> = (1..=21).map(|i| get_item(&i.to_string())).collect();
    let (status, body) = batch(&client, &server, &token, json!(items)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "BadRequest");

    let (status, body) = batch(
        &client,
        &server,
        &token,
        json!([get_item("1"), get_item("1")]),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    let r = client
        .post(format!("{}/v1.0/$batch", server.base_url))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"requests\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BadRequest");
}

#[tokio::test]
async fn batch_answers_each_item_with_the_outer_token_and_dependants_of_a_failure_get_424() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    let (status, body) = batch(
        &client,
        &server,
        &token,
        json!([
            { "id": "missing", "method": "GET", "url": "/me/events/no-such-event" },
            { "id": "after", "method": "GET", "url": "/me", "dependsOn": ["missing"] },
            { "id": "after-after", "method": "GET", "url": "/me", "dependsOn": ["after"] },
            { "id": "me", "method": "GET", "url": "/me" },
        ]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(item(&body, "missing")["status"].as_u64().unwrap() >= 400);
    assert_eq!(item(&body, "after")["status"], 424);
    assert_eq!(item(&body, "after-after")["status"], 424);
    let me = item(&body, "me");
    assert_eq!(me["status"], 200, "{me}");
    assert_eq!(me["body"]["userPrincipalName"], ANNA);
}

#[tokio::test]
async fn a_throttled_item_is_a_429_with_its_own_retry_after_inside_a_200_batch() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    admin(
        &client,
        &server,
        "/_admin/throttle",
        json!({ "budget": 2, "window_seconds": 600 }),
    )
    .await;
    let (status, body) = batch(
        &client,
        &server,
        &token,
        json!([get_item("1"), get_item("2"), get_item("3")]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&body), [200, 200, 429]);
    let throttled = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == 429)
        .unwrap();
    assert_eq!(throttled["body"]["error"]["code"], "TooManyRequests");
    let retry: f64 = throttled["headers"]["Retry-After"]
        .as_str()
        .expect("Retry-After on the item")
        .parse()
        .expect("seconds");
    assert!(retry > 590.0 && retry <= 600.0, "{retry}");
}

#[tokio::test]
async fn a_fifth_concurrent_request_to_one_mailbox_is_refused_with_mailbox_concurrency() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    add_fault(
        &client,
        &server,
        json!({ "method": "GET", "path": "/v1.0/me", "kind": "latency", "ms": 1500 }),
    )
    .await;
    let requests =
        (0..5).map(|_| get_me_owned(client.clone(), server.base_url.clone(), token.clone()));
    let responses = futures_join_all(requests).await;
    let mut codes: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    codes.sort();
    assert_eq!(codes, [200, 200, 200, 200, 429]);
    let refused = responses.into_iter().find(|r| r.status() == 429).unwrap();
    let retry = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(retry.parse::<f64>().unwrap() > 0.0, "{retry}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ApplicationThrottled");

    // Another mailbox is not affected by Anna's.
    let james = server
        .shared
        .test_token("james.wright@kanzlei-demo.onmicrosoft.com");
    let all = futures_join_all(
        (0..4).map(|_| get_me_owned(client.clone(), server.base_url.clone(), james.clone())),
    )
    .await;
    assert!(all.iter().all(|r| r.status() == 200));
}

#[tokio::test]
async fn batch_items_run_four_at_a_time_and_collide_with_other_requests_of_the_mailbox() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    add_fault(
        &client,
        &server,
        json!({ "method": "GET", "path": "/v1.0/me", "kind": "latency", "ms": 1000 }),
    )
    .await;
    // Alone, a parallel batch of 5 stays within 4 concurrent: all succeed.
    let items: Vec<Value> = (1..=5).map(|i| get_item(&i.to_string())).collect();
    let started = Instant::now();
    let (_, body) = batch(&client, &server, &token, json!(items)).await;
    assert_eq!(statuses(&body), [200; 5]);
    assert!(
        started.elapsed() >= Duration::from_millis(2000),
        "two rounds of four"
    );

    // With one request of the mailbox already in flight, one of four
    // parallel items finds no free slot.
    let (c, s, t) = (client.clone(), server.base_url.clone(), token.clone());
    let outside = tokio::spawn(async move {
        c.get(format!("{s}/v1.0/me"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap()
            .status()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let items: Vec<Value> = (1..=4).map(|i| get_item(&i.to_string())).collect();
    let (status, body) = batch(&client, &server, &token, json!(items)).await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&body), [200, 200, 200, 429]);
    let refused = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == 429)
        .unwrap();
    assert_eq!(refused["body"]["error"]["code"], "ApplicationThrottled");
    assert_eq!(
        refused["body"]["error"]["message"],
        "Application is over its MailboxConcurrency limit."
    );
    let retry: f64 = refused["headers"]["Retry-After"]
        .as_str()
        .expect("Retry-After on the throttled item")
        .parse()
        .expect("seconds");
    assert!(retry > 0.0);
    assert_eq!(outside.await.unwrap(), 200);
}

#[tokio::test]
async fn budget_window_answers_fractional_retry_after_until_the_clock_moves_on() {
    let (server, client, token) = start(EmulatorConfig {
        throttle: Some(m365_emulator::throttle::Limits {
            max_concurrent: 4,
            budget: 2,
            window_seconds: 10,
        }),
        ..EmulatorConfig::default()
    })
    .await;
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(25)).await;
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);
    let refused = get_me(&client, &server, &token).await;
    assert_eq!(refused.status(), 429);
    let retry = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_string();
    let seconds: f64 = retry.parse().expect("Retry-After in seconds");
    assert!(retry.contains('.'), "fractional: {retry}");
    assert!(seconds > 9.0 && seconds < 10.0, "{retry}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");

    // Once the window has passed (the emulator clock, not a real wait),
    // there is room again.
    server.shared.world().clock.offset_seconds += 11;
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);
}

#[tokio::test]
async fn injected_429_storm_and_503_answer_as_graph_then_stop() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    add_fault(
        &client,
        &server,
        json!({ "path": "/v1.0/me*", "kind": "too_many_requests", "retry_after": 2.5, "times": 2 }),
    )
    .await;
    for _ in 0..2 {
        let r = get_me(&client, &server, &token).await;
        assert_eq!(r.status(), 429);
        assert_eq!(
            r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse::<f64>()
                .unwrap(),
            2.5
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "TooManyRequests");
    }
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);

    // The storm reaches batch items too.
    add_fault(
        &client,
        &server,
        json!({ "path": "/v1.0/me", "kind": "too_many_requests", "retry_after": 1, "times": 1 }),
    )
    .await;
    let (status, body) = batch(
        &client,
        &server,
        &token,
        json!([get_item("a"), get_item("b")]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&body), [200, 429]);

    let id = add_fault(
        &client,
        &server,
        json!({ "path": "/v1.0/me", "kind": "service_unavailable", "retry_after": 30 }),
    )
    .await;
    let r = get_me(&client, &server, &token).await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "30");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "serviceNotAvailable");
    let deleted = client
        .delete(format!("{}/_admin/faults/{id}", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);

    add_fault(
        &client,
        &server,
        json!({ "path": "/v1.0/me", "kind": "service_unavailable", "times": 1 }),
    )
    .await;
    let r = get_me(&client, &server, &token).await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().get("retry-after").is_none());
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);
}

#[tokio::test]
async fn injected_connection_reset_malformed_json_and_latency_reach_the_client() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    add_fault(
        &client,
        &server,
        json!({ "path": "/v1.0/me", "kind": "connection_reset", "times": 1 }),
    )
    .await;
    let result = client
        .get(format!("{}/v1.0/me", server.base_url))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(
        result.is_err(),
        "expected a connection error, got {result:?}"
    );
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);

    add_fault(
        &client,
        &server,
        json!({ "path": "/v1.0/me", "kind": "malformed_json", "after_handler": true, "times": 1 }),
    )
    .await;
    let r = get_me(&client, &server, &token).await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    // Entra paths match `{tenant}` patterns.
    add_fault(
        &client,
        &server,
        json!({ "path": "/{tenant}/oauth2/v2.0/token", "kind": "latency", "ms": 400, "times": 1 }),
    )
    .await;
    let started = Instant::now();
    let _ = client
        .post(format!(
            "{}/organizations/oauth2/v2.0/token",
            server.base_url
        ))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));

    let listed: Value = client
        .get(format!("{}/_admin/faults", server.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rules = listed["faults"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    assert!(rules
        .iter()
        .all(|r| r["fired"] == 1 && r["times_left"] == 0));
    let cleared = client
        .delete(format!("{}/_admin/faults", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
}

#[tokio::test]
async fn the_request_log_redacts_secrets_and_marks_batch_items() {
    let dir = std::env::temp_dir().join(format!("m365-infra-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("requests.jsonl");
    let (server, client, token) = start(EmulatorConfig {
        record_file: Some(log.clone()),
        ..EmulatorConfig::default()
    })
    .await;
    let secrets = [
        "client-secret-value-4711",
        "auth-code-value-4712",
        "verifier-value-4713",
        "refresh-token-value-4714",
        "Passw0rd-4715",
    ];
    let _ = client
        .post(format!(
            "{}/organizations/oauth2/v2.0/token",
            server.base_url
        ))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_secret", secrets[0]),
            ("code", secrets[1]),
            ("code_verifier", secrets[2]),
            ("refresh_token", secrets[3]),
            ("password", secrets[4]),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);
    let (status, _) = batch(
        &client,
        &server,
        &token,
        json!([get_item("x"), get_item("y")]),
    )
    .await;
    assert_eq!(status, 200);

    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    for secret in secrets.iter().copied().chain([token.as_str()]) {
        assert!(!text.contains(secret), "secret in the request log");
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let token_line = lines
        .iter()
        .find(|l| l["path"] == "/organizations/oauth2/v2.0/token")
        .expect("token request logged");
    assert_eq!(
        token_line["request_body"]["grant_type"],
        "authorization_code"
    );
    assert_eq!(token_line["request_body"]["client_secret"], "[REDACTED]");
    let me = lines
        .iter()
        .find(|l| l["path"] == "/v1.0/me" && l["batch"].is_null())
        .unwrap();
    assert_eq!(me["method"], "GET");
    assert_eq!(me["status"], 200);
    assert!(me["duration_ms"].as_f64().is_some());
    assert_eq!(me["response_body"]["userPrincipalName"], ANNA);
    let batch_line = lines.iter().find(|l| l["path"] == "/v1.0/$batch").unwrap();
    let items: Vec<&Value> = lines
        .iter()
        .filter(|l| l["batch"]["request"] == batch_line["id"])
        .collect();
    let mut ids: Vec<&str> = items
        .iter()
        .map(|l| l["batch"]["item"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["x", "y"]);
}

#[tokio::test]
async fn stats_count_batch_items_as_the_requests_graph_meters() {
    let (server, client, token) = start(EmulatorConfig::default()).await;
    let _ = client
        .post(format!("{}/_admin/stats/reset", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(get_me(&client, &server, &token).await.status(), 200);
    let (status, _) = batch(
        &client,
        &server,
        &token,
        json!([
            get_item("1"),
            get_item("2"),
            { "id": "3", "method": "POST", "url": "/me/events",
              "headers": { "Content-Type": "application/json" },
              "body": { "subject": "Hearing",
                        "start": { "dateTime": "2026-03-02T09:00:00", "timeZone": "UTC" },
                        "end": { "dateTime": "2026-03-02T10:00:00", "timeZone": "UTC" } } }
        ]),
    )
    .await;
    assert_eq!(status, 200);
    let stats: Value = client
        .get(format!("{}/_admin/stats", server.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["http_requests"], 2, "{stats}");
    assert_eq!(stats["batch_requests"], 1);
    assert_eq!(stats["batch_items"], 3);
    assert_eq!(stats["graph_requests"], 4);
    assert_eq!(stats["reads"], 3);
    assert_eq!(stats["writes"], 1);
    assert_eq!(stats["throttled"], 0);
    let anna = stats["mailboxes"]
        .as_object()
        .unwrap()
        .values()
        .find(|m| m["upn"] == ANNA)
        .expect("Anna's mailbox");
    assert_eq!(anna["requests"], 4);

    let _ = client
        .post(format!("{}/_admin/stats/reset", server.base_url))
        .send()
        .await
        .unwrap();
    let stats: Value = client
        .get(format!("{}/_admin/stats", server.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["graph_requests"], 0);
}

/// Run futures concurrently on the test runtime and collect their outputs
/// in order (no `futures` crate needed).
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

/// The token endpoint's successful answers carry the refresh, access and id
/// tokens: the request log keeps the shape of the answer and none of them.
#[tokio::test]
async fn the_request_log_redacts_tokens_in_token_responses() {
    let dir = common::ScratchDir::new("m365-record");
    let log = dir.path().join("requests.jsonl");
    let (server, _, _) = start(EmulatorConfig {
        record_file: Some(log.clone()),
        ..EmulatorConfig::default()
    })
    .await;
    let http = common::no_redirects(reqwest::Client::builder());
    let base = server.base_url.clone();
    let code = common::authorization_code(&http, &base, ANNA, common::ANNA_PW).await;
    let (status, first) = common::redeem(&http, &base, &code).await;
    assert_eq!(status, 200);
    let rt = first["refresh_token"].as_str().unwrap().to_string();
    let (status, second) = common::refresh(&http, &base, &rt).await;
    assert_eq!(status, 200);

    let text = std::fs::read_to_string(&log).unwrap();
    let secrets = [
        code.as_str(),
        common::VERIFIER,
        common::ANNA_PW,
        rt.as_str(),
        first["access_token"].as_str().unwrap(),
        first["id_token"].as_str().unwrap(),
        second["refresh_token"].as_str().unwrap(),
        second["access_token"].as_str().unwrap(),
    ];
    for (i, secret) in secrets.iter().enumerate() {
        assert!(!text.contains(secret), "secret #{i} in the request log");
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let token_lines: Vec<&Value> = lines
        .iter()
        .filter(|l| l["path"].as_str().unwrap().ends_with("/oauth2/v2.0/token"))
        .collect();
    assert_eq!(token_lines.len(), 2);
    for line in token_lines {
        assert_eq!(line["status"], 200);
        let answer = &line["response_body"];
        assert_eq!(answer["token_type"], "Bearer");
        assert!(answer["expires_in"].is_number());
        assert!(answer["scope"]
            .as_str()
            .unwrap()
            .contains("Calendars.ReadWrite"));
        for key in ["access_token", "refresh_token", "id_token"] {
            assert_eq!(answer[key], "[REDACTED]", "{key}");
        }
    }
}

//! The Graph client against the emulator: what a user would notice is that
//! every item arrives exactly once, even through throttling, outages and an
//! expired access token, and that the client spends few requests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use docket_graph::{GraphClient, Options, Request, TokenError, TokenSource};
use docket_secrets::SecretString;
use m365_emulator::{EmulatorConfig, TestServer};
use serde_json::{json, Value};

const ANNA: &str = "anna.berger@kanzlei-demo.onmicrosoft.com";

/// Hands out a token from the emulator; the first one is stale when
/// `stale_first` is set, to make Graph answer 401.
struct EmulatorTokens {
    server_token: String,
    stale_first: bool,
    calls: AtomicU32,
    refreshes: AtomicU32,
}

/// The client owns its token source; the test keeps a second handle.
#[derive(Clone)]
struct Tokens(Arc<EmulatorTokens>);

impl TokenSource for Tokens {
    async fn access_token(
        &self,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, TokenError> {
        let this = &self.0;
        let n = this.calls.fetch_add(1, Ordering::SeqCst);
        if rejected.is_some() {
            this.refreshes.fetch_add(1, Ordering::SeqCst);
            return Ok(SecretString::new(this.server_token.clone()));
        }
        if this.stale_first && n == 0 {
            return Ok(SecretString::new("eyJub3QiOiJ2YWxpZCJ9.e30.c2ln"));
        }
        Ok(SecretString::new(this.server_token.clone()))
    }
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().expect("client")
}

async fn setup(stale_first: bool) -> (TestServer, GraphClient<Tokens>, Arc<EmulatorTokens>) {
    let server = TestServer::start(EmulatorConfig::default()).await;
    let tokens = Arc::new(EmulatorTokens {
        server_token: server.shared.test_token(ANNA),
        stale_first,
        calls: AtomicU32::new(0),
        refreshes: AtomicU32::new(0),
    });
    let mut options = Options::new(format!("{}/v1.0", server.base_url));
    options.retry.base_backoff = std::time::Duration::from_millis(20);
    let client = GraphClient::new(http(), options, Tokens(tokens.clone()));
    (server, client, tokens)
}

async fn admin(server: &TestServer, method: reqwest::Method, path: &str, body: Value) -> Value {
    let resp = http()
        .request(method, format!("{}{path}", server.base_url))
        .json(&body)
        .send()
        .await
        .expect("admin call");
    assert!(
        resp.status().is_success(),
        "admin {path}: {}",
        resp.status()
    );
    resp.json().await.unwrap_or(Value::Null)
}

fn event(i: usize) -> Request {
    Request::post(
        "/me/events",
        json!({
            "subject": format!("Termin {i}"),
            "start": {"dateTime": "2027-01-11T09:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2027-01-11T10:00:00", "timeZone": "Europe/Berlin"},
            "transactionId": format!("docket-test-{i}"),
        }),
    )
    .replay_safe()
}

async fn event_subjects(server: &TestServer) -> Vec<String> {
    let mailbox = admin(
        server,
        reqwest::Method::GET,
        &format!("/_admin/mailboxes/{ANNA}"),
        Value::Null,
    )
    .await;
    let events = mailbox
        .get("events")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut subjects: Vec<String> = events
        .iter()
        .filter_map(|e| {
            e.pointer("/props/subject")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    subjects.sort();
    subjects
}

/// A `$batch` whose answer is lost: every item reports it, and the text
/// IT reads in the log says "could not reach Microsoft Graph" once.
#[tokio::test]
async fn a_lost_batch_answer_is_reported_once_per_item() {
    let (server, client, _) = setup(false).await;
    admin(
        &server,
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "POST", "path": "/v1.0/$batch", "kind": "connection_reset", "after_handler": true}),
    )
    .await;
    let requests: Vec<Request> = (0..3).map(event).collect();
    let results = client.batch(&requests).await;
    assert_eq!(results.len(), 3);
    for r in &results {
        let err = r.as_ref().expect_err("the answer was lost");
        assert!(matches!(err, docket_graph::Error::Transport(_)), "{err:?}");
        let text = err.to_string();
        assert_eq!(
            text.matches("could not reach Microsoft Graph").count(),
            1,
            "{text}"
        );
    }
}

#[tokio::test]
async fn batched_creates_arrive_exactly_once_through_a_429_storm() {
    let (server, client, _) = setup(false).await;
    // The first six event creates are throttled with a fractional Retry-After.
    admin(
        &server,
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "POST", "path": "/v1.0/me/events", "kind": "too_many_requests", "retry_after": 0.2, "times": 6}),
    )
    .await;

    let requests: Vec<Request> = (0..45).map(event).collect();
    let results = client.batch(&requests).await;

    for (i, r) in results.iter().enumerate() {
        let resp = r
            .as_ref()
            .unwrap_or_else(|e| panic!("item {i} failed: {e}"));
        assert_eq!(resp.status, 201, "item {i}");
    }
    let mut expected: Vec<String> = (0..45).map(|i| format!("Termin {i}")).collect();
    expected.sort();
    assert_eq!(
        event_subjects(&server).await,
        expected,
        "each event exactly once"
    );

    let counts = client.counters();
    assert_eq!(
        counts.throttled, 6,
        "the six throttled items were waited out"
    );
    assert_eq!(
        counts.writes,
        45 + 6,
        "only the throttled items were sent again"
    );
    assert_eq!(
        counts.batches, 4,
        "45 items in envelopes of 20 (3), plus one for the six retried"
    );
}

#[tokio::test]
async fn a_rejected_access_token_is_refreshed_exactly_once() {
    let (_server, client, tokens) = setup(true).await;
    let me = client
        .get_json("/me")
        .await
        .expect("GET /me after one refresh");
    assert_eq!(me["userPrincipalName"], ANNA);
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
}

/// The access token expires while a batch runs: Graph answers some of its
/// items 401 inside the 200 batch. They were not carried out; after one
/// refresh they go again, and every event arrives once.
#[tokio::test]
async fn items_refused_with_401_mid_batch_go_again_after_one_refresh() {
    let (server, client, tokens) = setup(false).await;
    admin(
        &server,
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "POST", "path": "/v1.0/me/events", "kind": "unauthorized", "skip": 5, "times": 7}),
    )
    .await;
    let requests: Vec<Request> = (0..30).map(event).collect();
    let results = client.batch(&requests).await;
    for (i, r) in results.iter().enumerate() {
        let resp = r
            .as_ref()
            .unwrap_or_else(|e| panic!("item {i} failed: {e}"));
        assert_eq!(resp.status, 201, "item {i}");
    }
    let mut expected: Vec<String> = (0..30).map(|i| format!("Termin {i}")).collect();
    expected.sort();
    assert_eq!(
        event_subjects(&server).await,
        expected,
        "each event exactly once"
    );
    assert_eq!(
        tokens.refreshes.load(Ordering::SeqCst),
        1,
        "one refresh for the seven refused items"
    );
    assert_eq!(client.counters().writes, 30 + 7, "only they went again");
}

#[tokio::test]
async fn service_outages_are_waited_out_for_reads_but_creates_are_not_replayed_blindly() {
    let (server, client, _) = setup(false).await;
    admin(
        &server,
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "GET", "path": "/v1.0/me", "kind": "service_unavailable", "retry_after": 0.1, "times": 2}),
    )
    .await;
    let me = client
        .get_json("/me")
        .await
        .expect("GET /me after two 503s");
    assert_eq!(me["userPrincipalName"], ANNA);

    // A connection reset after the create was carried out: a plain POST
    // (no idempotency key) must come back as a transport error for the
    // caller to reconcile, not be sent twice.
    admin(
        &server,
        reqwest::Method::POST,
        "/_admin/faults",
        json!({"method": "POST", "path": "/v1.0/me/contacts", "kind": "connection_reset", "after_handler": true, "times": 1}),
    )
    .await;
    let create = Request::post(
        "/me/contacts",
        json!({"givenName": "Erika", "surname": "Muster"}),
    );
    let err = client.send(&create).await.expect_err("the answer was lost");
    assert!(matches!(err, docket_graph::Error::Transport(_)), "{err:?}");
    let mailbox = admin(
        &server,
        reqwest::Method::GET,
        &format!("/_admin/mailboxes/{ANNA}"),
        Value::Null,
    )
    .await;
    let contacts = mailbox["contacts"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(contacts, 1, "created once, not replayed");
}

#[tokio::test]
async fn delta_pages_are_followed_to_the_delta_link() {
    let (_server, client, _) = setup(false).await;
    let requests: Vec<Request> = (0..25).map(event).collect();
    for r in client.batch(&requests).await {
        r.expect("created");
    }
    let (items, delta) = client
        .collect_pages("/me/calendarView/delta?startDateTime=2027-01-01T00:00:00Z&endDateTime=2027-02-01T00:00:00Z")
        .await
        .expect("delta");
    assert_eq!(items.len(), 25, "every event in the window, across pages");
    let delta = delta.expect("a deltaLink at the end");
    let before = client.counters().reads;
    let (changes, _) = client.collect_pages(&delta).await.expect("second round");
    assert!(changes.is_empty(), "nothing changed since: {changes:?}");
    assert_eq!(
        client.counters().reads - before,
        1,
        "a quiet round costs one read"
    );
}

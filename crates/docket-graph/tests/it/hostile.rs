//! The Graph client against small local servers that misbehave: numbers
//! no server should send, endless or oversized answers, links to another
//! origin, and a 401 for several requests at once. What a user would
//! notice: no crash, no hang, no token sent anywhere but Graph, and one
//! token refresh (so one refresh-token rotation) instead of several.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request as HttpRequest;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use docket_graph::{Error, GraphClient, Options, Request, TokenError, TokenSource};
use docket_secrets::SecretString;
use serde_json::{json, Value};

/// A local server: `hits` counts every request it received.
struct Fake {
    base: String,
    hits: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Fake {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// What a fake server's handler gets: the request's path and query, its
/// headers, and how many requests came before it.
struct Seen {
    path: String,
    headers: HeaderMap,
    n: usize,
}

/// Serves `answer` on a listener bound here, until the `Fake` is dropped.
async fn serve<F, Fut>(answer: F) -> Fake
where
    F: Fn(Seen) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Response> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = Router::new().fallback(move |req: HttpRequest| {
        let answer = answer.clone();
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            answer(Seen {
                path,
                headers: req.headers().clone(),
                n,
            })
            .await
        }
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
    });
    Fake {
        base,
        hits,
        _stop: stop,
    }
}

fn json_response(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).expect("status"),
        [("Content-Type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// One fixed token, or (for the 401 test) a counting refresh.
#[derive(Clone, Default)]
struct Tokens(Arc<TokenState>);

#[derive(Default)]
struct TokenState {
    current: Mutex<u32>,
    forced_refreshes: AtomicUsize,
}

impl TokenSource for Tokens {
    async fn access_token(
        &self,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, TokenError> {
        let mut current = self.0.current.lock().expect("lock");
        if rejected.is_some() {
            // A forced refresh always rotates, as a careless source would:
            // only the client can keep it to one per rejected token.
            self.0.forced_refreshes.fetch_add(1, Ordering::SeqCst);
            *current += 1;
        }
        Ok(SecretString::new(format!("gen-{current}")))
    }
}

fn client(base: &str) -> (GraphClient<Tokens>, Tokens) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().build().expect("client");
    let mut options = Options::new(format!("{base}/v1.0"));
    options.retry.base_backoff = Duration::from_millis(5);
    options.retry.max_backoff = Duration::from_millis(20);
    let tokens = Tokens::default();
    (GraphClient::new(http, options, tokens.clone()), tokens)
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_retry_after_of_1e20_is_capped_instead_of_crashing() {
    let graph = serve(|seen: Seen| async move {
        if seen.n == 0 {
            let mut r = json_response(429, json!({"error": {"code": "TooManyRequests"}}));
            r.headers_mut()
                .insert("Retry-After", "1e20".parse().expect("header"));
            r
        } else {
            json_response(200, json!({"displayName": "Anna"}))
        }
    })
    .await;
    let (client, _) = client(&graph.base);
    let me = client
        .get_json("/me")
        .await
        .expect("waited the cap, then read");
    assert_eq!(me["displayName"], "Anna");
    assert_eq!(graph.hits(), 2, "one throttled attempt, one that worked");
}

#[tokio::test]
async fn batch_items_with_impossible_numbers_are_not_taken_for_success() {
    let graph = serve(|seen: Seen| async move {
        assert!(seen.path.ends_with("/$batch"), "{}", seen.path);
        if seen.n == 0 {
            json_response(
                200,
                json!({"responses": [
                    // 65,736 wraps around to 200 in a u16.
                    {"id": "0", "status": 65736, "body": {"id": "bogus"}},
                    {"id": "1", "status": 429, "headers": {"Retry-After": 1e20}},
                ]}),
            )
        } else {
            json_response(
                200,
                json!({"responses": [{"id": "1", "status": 201, "body": {"id": "e1"}}]}),
            )
        }
    })
    .await;
    let (client, _) = client(&graph.base);
    let requests = vec![
        Request::patch("/me/events/a", json!({"subject": "A"})),
        Request::patch("/me/events/b", json!({"subject": "B"})),
    ];
    let results = client.batch(&requests).await;
    assert!(
        matches!(&results[0], Err(Error::Malformed(_))),
        "status 65736 is no success: {:?}",
        results[0]
    );
    let second = results[1].as_ref().expect("retried after the capped wait");
    assert_eq!(second.status, 201);
    assert_eq!(graph.hits(), 2);
}

#[tokio::test]
async fn an_oversized_answer_is_refused_with_its_limit_and_not_read_again() {
    let big = "x".repeat(200 * 1024);
    let graph = serve(move |seen: Seen| {
        let big = big.clone();
        async move {
            let body = json!({"value": [{"subject": big}]}).to_string();
            if seen.path.contains("chunked") {
                // No Content-Length: only counting while reading finds out.
                let chunks: Vec<Result<String, std::io::Error>> = body
                    .as_bytes()
                    .chunks(8 * 1024)
                    .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
                    .collect();
                Response::builder()
                    .status(200)
                    .header("Content-Type", "application/json")
                    .body(Body::from_stream(futures_util::stream::iter(chunks)))
                    .expect("response")
            } else {
                json_response(200, json!({"value": [{"subject": big}]}))
            }
        }
    })
    .await;
    let (client, _) = {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut options = Options::new(format!("{}/v1.0", graph.base));
        options.max_body_bytes = 64 * 1024;
        let tokens = Tokens::default();
        (
            GraphClient::new(reqwest::Client::new(), options, tokens.clone()),
            tokens,
        )
    };
    for path in ["/me/events", "/me/events?chunked=1"] {
        let err = client.get_json(path).await.expect_err("over the limit");
        assert!(
            matches!(err, Error::TooLarge { limit: 65536 }),
            "{path}: {err:?}"
        );
        assert!(err.to_string().contains("65536-byte limit"), "{err}");
    }
    assert_eq!(graph.hits(), 2, "a refused answer is not fetched again");
}

#[tokio::test]
async fn an_endless_next_link_chain_stops_at_the_page_cap() {
    let graph = serve(|seen: Seen| async move {
        let host = seen
            .headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        // Pages 0..50, each pointing at the next (a broken server would
        // never stop; 50 keeps the old code's test finite).
        let n: usize = seen
            .path
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut page = json!({"value": [{"id": n.to_string()}]});
        if n < 50 {
            page["@odata.nextLink"] = json!(format!("http://{host}/v1.0/pages/{}", n + 1));
        }
        json_response(200, page)
    })
    .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut options = Options::new(format!("{}/v1.0", graph.base));
    options.max_pages = 5;
    let client = GraphClient::new(reqwest::Client::new(), options, Tokens::default());
    let err = client
        .collect_pages("/pages/0")
        .await
        .expect_err("the walk is cut off, not returned half");
    assert!(matches!(err, Error::TooManyPages { limit: 5 }), "{err:?}");
    assert_eq!(graph.hits(), 5, "exactly the cap of pages was read");
}

#[tokio::test]
async fn the_token_goes_only_to_the_configured_graph_origin() {
    // B: where an emulator's delta links would point after a real sign-in.
    let elsewhere = serve(|_: Seen| async move { json_response(200, json!({"value": []})) }).await;
    let b = elsewhere.base.clone();
    let graph = serve(move |seen: Seen| {
        let b = b.clone();
        async move {
            match seen.path.as_str() {
                p if p.starts_with("/v1.0/next-elsewhere") => json_response(
                    200,
                    json!({"value": [{"id": "1"}], "@odata.nextLink": format!("{b}/v1.0/me/events?$skip=1")}),
                ),
                p if p.starts_with("/v1.0/delta-elsewhere") => json_response(
                    200,
                    json!({"value": [], "@odata.deltaLink": format!("{b}/v1.0/me/events/delta?$deltatoken=x")}),
                ),
                _ => json_response(200, json!({"value": [{"id": "a"}]})),
            }
        }
    })
    .await;
    let (client, _) = client(&graph.base);

    // A stored delta link on B: nothing is sent at all.
    let stored = format!(
        "{}/v1.0/me/calendarView/delta?$deltatoken=emulator",
        elsewhere.base
    );
    let err = client.collect_pages(&stored).await.expect_err("dropped");
    assert!(matches!(err, Error::ForeignLink { .. }), "{err:?}");
    assert!(
        !err.to_string().contains("deltatoken"),
        "the link's state token stays out of messages: {err}"
    );
    // The same host on another scheme is another origin too.
    let https_a = graph.base.replace("http://", "https://") + "/v1.0/me/events";
    let err = client.get_json(&https_a).await.expect_err("dropped");
    assert!(matches!(err, Error::ForeignLink { .. }), "{err:?}");
    assert_eq!(graph.hits(), 0, "nothing was sent for either link");

    // A page on A whose nextLink or deltaLink points to B: not followed,
    // and the walk fails instead of returning half a listing.
    let err = client
        .collect_pages("/next-elsewhere")
        .await
        .expect_err("not followed");
    assert!(matches!(err, Error::ForeignLink { .. }), "{err:?}");
    let err = client
        .collect_pages("/delta-elsewhere")
        .await
        .expect_err("not kept");
    assert!(matches!(err, Error::ForeignLink { .. }), "{err:?}");
    assert_eq!(elsewhere.hits(), 0, "B never got a request (nor the token)");

    // Links on A itself, absolute or relative, are followed as before.
    let absolute = format!("{}/v1.0/me/events", graph.base);
    let (items, _) = client.collect_pages(&absolute).await.expect("on A");
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn four_401s_for_the_same_token_cost_one_refresh() {
    // Holds the four requests with the stale token until all four are in,
    // so that every one of them meets the 401.
    let all_in = Arc::new(tokio::sync::Barrier::new(4));
    let graph = serve(move |seen: Seen| {
        let all_in = all_in.clone();
        async move {
            if bearer(&seen.headers) == "Bearer gen-0" {
                all_in.wait().await;
                json_response(
                    401,
                    json!({"error": {"code": "InvalidAuthenticationToken"}}),
                )
            } else {
                json_response(200, json!({"token": bearer(&seen.headers)}))
            }
        }
    })
    .await;
    let (client, tokens) = client(&graph.base);
    let (a, b, c, d) = tokio::join!(
        client.get_json("/me"),
        client.get_json("/me/events"),
        client.get_json("/me/contacts"),
        client.get_json("/me/todo/lists"),
    );
    for r in [a, b, c, d] {
        let body = r.expect("retried with the new token");
        assert_eq!(body["token"], "Bearer gen-1", "all share the one refresh");
    }
    assert_eq!(
        tokens.0.forced_refreshes.load(Ordering::SeqCst),
        1,
        "one refresh for the one rejected token"
    );
    assert_eq!(graph.hits(), 8);

    // Later requests take the new token without another refresh.
    let r = client.get_json("/me").await.expect("fine with gen-1");
    assert_eq!(r["token"], "Bearer gen-1");
    assert_eq!(tokens.0.forced_refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_proxy_redirect_with_an_html_page_is_that_redirect_not_a_lost_answer() {
    // A web proxy sends its sign-in page with a redirect; the product's
    // client follows no redirect for Graph (docket-http's Redirects::None).
    let graph = serve(|_seen: Seen| async move {
        (
            StatusCode::FOUND,
            [
                ("Location", "https://proxy.kanzlei.example/login"),
                ("Content-Type", "text/html"),
            ],
            "<html><body>Bitte melden Sie sich am Proxy an.</body></html>",
        )
            .into_response()
    })
    .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut options = Options::new(format!("{}/v1.0", graph.base));
    options.retry.base_backoff = Duration::from_millis(5);
    let client = GraphClient::new(http, options, Tokens::default());
    let got = client.get_json("/me/events").await;
    assert!(
        matches!(got, Err(Error::Api { status: 302, .. })),
        "the redirect is the answer: {got:?}"
    );
    // Asked once: a redirect is not waited out like a lost answer.
    assert_eq!(graph.hits(), 1);
}

/// The sign-in's own failure, as a token source returns it.
#[derive(Debug, thiserror::Error)]
#[error("the refresh token was revoked")]
struct Revoked;

/// A token source whose sign-in was revoked.
struct NoToken;

impl TokenSource for NoToken {
    async fn access_token(&self, _: Option<&SecretString>) -> Result<SecretString, TokenError> {
        Err(Box::new(Revoked))
    }
}

/// A `$batch` that cannot get a token is not sent, and each item says
/// so as a token failure (the caller stops the run as the sign-in's
/// problem); the first keeps the sign-in's own error. They used to be
/// "could not reach Microsoft Graph: no access token: …" each.
#[tokio::test]
async fn a_batch_without_a_token_is_each_items_token_failure() {
    let graph = serve(|_| async { json_response(200, json!({"responses": []})) }).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().build().expect("client");
    let client = GraphClient::new(http, Options::new(format!("{}/v1.0", graph.base)), NoToken);
    let requests = vec![
        Request::patch("/me/events/a", json!({"subject": "A"})),
        Request::patch("/me/events/b", json!({"subject": "B"})),
    ];
    let results = client.batch(&requests).await;
    match &results[0] {
        Err(Error::Token(e)) => assert!(e.downcast_ref::<Revoked>().is_some(), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&results[1], Err(Error::Token(_))),
        "{:?}",
        results[1]
    );
    assert_eq!(graph.hits(), 0);
}

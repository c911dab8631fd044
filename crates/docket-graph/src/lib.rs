//! A Microsoft Graph client for one mailbox, frugal with Graph's budget.
//!
//! - every request carries `Prefer: IdType="ImmutableId"`, so ids survive
//!   moves between folders;
//! - at most 4 requests in flight (Outlook's per-mailbox concurrency limit);
//!   a `$batch` takes all four slots, because Graph runs its items against
//!   the same limit;
//! - pacing inside the 10,000-requests-per-10-minutes budget (`pace`);
//! - 429/503/504 honoured with their (fractional) `Retry-After`; 401 answered
//!   with exactly one token refresh; transport failures retried only when a
//!   replay cannot create a second item (`retry`);
//! - writes grouped into `$batch` requests of up to 20 items, and only the
//!   items that failed are retried;
//! - every request and batch item counted (`Counters`), for benchmarks.
//!
//! What a server sends is not trusted:
//! - the bearer token goes only to the configured Graph origin (scheme,
//!   host and port of `Options::base_url`); a request, `@odata.nextLink` or
//!   `@odata.deltaLink` anywhere else is [`Error::ForeignLink`] and nothing
//!   is sent (the executor treats it like an expired delta token);
//! - a response body is streamed with a running count and refused past
//!   [`MAX_BODY_BYTES`] ([`Error::TooLarge`]); a listing or delta walk stops
//!   after [`MAX_PAGES`] pages ([`Error::TooManyPages`]);
//! - numbers (`Retry-After`, batch item statuses) are checked and capped
//!   before they are used (`retry`);
//! - when several requests meet a 401 for the same token, one of them
//!   refreshes and the others retry with its token (one refresh per
//!   rejected token, not one per request).
//!
//! Graph's error body is kept intact in `Error::Api`.

pub mod pace;
pub mod retry;

use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use docket_secrets::SecretString;
use serde_json::{json, Value};
use tokio::sync::{Mutex, Notify, Semaphore};

use crate::retry::{decide, AttemptEnd, Decision, RetryLimits};

/// Outlook's concurrency limit per app and mailbox.
pub const MAX_IN_FLIGHT: u32 = 4;
/// Graph's JSON batching limit.
pub const MAX_BATCH: usize = 20;
/// Items per page asked for with `Prefer: odata.maxpagesize` when following
/// pages (<https://learn.microsoft.com/en-us/graph/delta-query-messages#use-query-parameters-in-a-delta-query-for-messages>):
/// the largest page Outlook serves (`$top` goes up to 1,000). It is a
/// preference, so a collection with a lower cap (contacts/delta: 200,
/// <https://learn.microsoft.com/en-us/answers/a/2052165>) answers with its
/// own; reading back a first export of 10,000 items then costs 18 pages
/// instead of 100.
pub const PAGE_SIZE: usize = 1000;
/// Largest response body read from Graph (16 MiB). A `$batch` answer of
/// 20 items is far below it; Graph's own request limit is 4 MB.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// Most pages followed in one listing or delta walk. At 100 items a page
/// (far below `PAGE_SIZE`), that is a million items: far beyond one fee-earner's mailbox,
/// so only a server that never stops sending `@odata.nextLink` reaches it.
pub const MAX_PAGES: u32 = 10_000;

/// Where access tokens come from (the sign-in crate implements it).
pub trait TokenSource: Send + Sync {
    /// A valid access token. `rejected` is the token Graph just answered
    /// 401 to: the source must not hand it out again (refresh instead).
    fn access_token(
        &self,
        rejected: Option<&SecretString>,
    ) -> impl Future<Output = Result<SecretString, TokenError>> + Send;
}

/// Why no access token could be had; the sign-in crate's error, intact.
pub type TokenError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Graph answered with an error status; `code` is Graph's error code
    /// (e.g. `ErrorItemNotFound`, `syncStateNotFound`).
    #[error("Graph answered {status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
        body: Value,
    },
    /// The request may or may not have reached Graph and cannot be replayed
    /// safely, or Graph could not be reached after all retries.
    #[error("could not reach Microsoft Graph: {0}")]
    Transport(Unreachable),
    #[error("no access token: {0}")]
    Token(TokenError),
    #[error("Graph sent an answer that cannot be read: {0}")]
    Malformed(Malformed),
    /// The answer was longer than `Options::max_body_bytes`; it was not
    /// read to the end.
    #[error("Graph's answer is over the {limit}-byte limit (MAX_BODY_BYTES); not read")]
    TooLarge { limit: u64 },
    /// A listing or delta walk went on past `Options::max_pages` pages.
    #[error("Graph's listing went on for more than {limit} pages (MAX_PAGES); stopped")]
    TooManyPages { limit: u32 },
    /// A request, `@odata.nextLink` or `@odata.deltaLink` is not on the
    /// configured Graph origin; nothing was sent there (the access token
    /// goes to Graph only). A stored delta link like that is treated like
    /// an expired one: list in full.
    #[error("a Graph link points to {origin}, not to the configured Graph origin; it was dropped and nothing sent")]
    ForeignLink { origin: String },
}

/// Why Graph could not be reached, or its answer not read
/// ([`Error::Transport`]): data, worded by whoever shows it. A `detail` is
/// the HTTP library's or the system's own text (the innermost cause,
/// without the URL), passed on as received; it may be empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreachable {
    #[error("timed out{}", in_brackets(.detail))]
    TimedOut { detail: String },
    #[error("connection failed{}", in_brackets(.detail))]
    ConnectionFailed { detail: String },
    #[error("the answer was cut off{}", in_brackets(.detail))]
    CutOff { detail: String },
    #[error("request failed{}", in_brackets(.detail))]
    Failed { detail: String },
    /// The request's address is not a URL (`detail`: the URL parser's).
    #[error("not a URL: {detail}")]
    NotAUrl { detail: String },
    /// A create's answer was over `limit` bytes and was not read: the
    /// create may have taken effect.
    #[error("the answer was over the {limit}-byte limit and was not read")]
    AnswerNotRead { limit: u64 },
    /// The item was never sent (its batch ended before it).
    #[error("not sent")]
    NotSent,
}

fn in_brackets(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

/// What is wrong with an answer Graph sent ([`Error::Malformed`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// A success whose body is not JSON (`detail`: the JSON parser's).
    #[error("not valid JSON: {detail}")]
    NotJson { detail: String },
    /// A `$batch` answer without the answer to item `id`.
    #[error("the batch answer has no item {id}")]
    BatchItemMissing { id: usize },
    /// A `$batch` item answered with a status that is no HTTP status.
    #[error("batch item {id} has no valid HTTP status")]
    BatchItemStatus { id: usize },
}

impl Error {
    /// The same failure again, for another item of a `$batch` whose
    /// envelope failed. A token failure cannot be copied: the others get
    /// its text (the first item carries the original, for the caller to
    /// stop on).
    fn again(&self) -> Error {
        match self {
            Error::Api {
                status,
                code,
                message,
                body,
            } => Error::Api {
                status: *status,
                code: code.clone(),
                message: message.clone(),
                body: body.clone(),
            },
            Error::Transport(u) => Error::Transport(u.clone()),
            Error::Token(e) => Error::Token(e.to_string().into()),
            Error::Malformed(m) => Error::Malformed(m.clone()),
            Error::TooLarge { limit } => Error::TooLarge { limit: *limit },
            Error::TooManyPages { limit } => Error::TooManyPages { limit: *limit },
            Error::ForeignLink { origin } => Error::ForeignLink {
                origin: origin.clone(),
            },
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Graph's error answer `body` (`{"error": {"code", "message"}}`, or
    /// anything else) to an answer with `status`, as [`Error::Api`].
    pub fn from_status(status: u16, body: Value) -> Error {
        let code = body
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let message = body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Error::Api {
            status,
            code,
            message,
            body,
        }
    }
}

/// One Graph request, relative to the base URL (`/me/events`).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Path and query, e.g. `/me/events?$top=50`; or an absolute
    /// `@odata.nextLink` / `@odata.deltaLink` URL under the base.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Sending it twice cannot create a second item.
    pub replay_safe: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl Request {
    pub fn get(url: impl Into<String>) -> Request {
        Request::new(Method::Get, url, None, true)
    }
    /// A create. Not replay-safe unless it carries an idempotency key
    /// (events: `transactionId`), see `replay_safe`.
    pub fn post(url: impl Into<String>, body: Value) -> Request {
        Request::new(Method::Post, url, Some(body), false)
    }
    pub fn patch(url: impl Into<String>, body: Value) -> Request {
        Request::new(Method::Patch, url, Some(body), true)
    }
    pub fn delete(url: impl Into<String>) -> Request {
        Request::new(Method::Delete, url, None, true)
    }
    fn new(method: Method, url: impl Into<String>, body: Option<Value>, safe: bool) -> Request {
        Request {
            method,
            url: url.into(),
            headers: vec![],
            body,
            replay_safe: safe,
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    /// Mark a POST as safe to replay (it carries an idempotency key).
    pub fn replay_safe(mut self) -> Request {
        self.replay_safe = true;
        self
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The JSON body, or `Null` for an empty body (204).
    pub body: Value,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What this client sent, for benchmarks and tests.
#[derive(Debug, Default)]
pub struct Counters {
    /// HTTP requests on the wire (a `$batch` is one).
    pub http_requests: AtomicU64,
    /// Requests as Graph's budget counts them (each batch item is one;
    /// the `$batch` envelope itself is not).
    pub budget_requests: AtomicU64,
    /// POST/PATCH/DELETE, single or inside a batch.
    pub writes: AtomicU64,
    pub reads: AtomicU64,
    pub batches: AtomicU64,
    /// 429/503/504 answers that were waited out.
    pub throttled: AtomicU64,
    pub retries: AtomicU64,
    /// Times the client waited for room in the budget before sending.
    pub paced: AtomicU64,
}

/// A snapshot of `Counters`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub http_requests: u64,
    pub budget_requests: u64,
    pub writes: u64,
    pub reads: u64,
    pub batches: u64,
    pub throttled: u64,
    pub retries: u64,
    pub paced: u64,
}

impl Counters {
    pub fn snapshot(&self) -> Counts {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Counts {
            http_requests: g(&self.http_requests),
            budget_requests: g(&self.budget_requests),
            writes: g(&self.writes),
            reads: g(&self.reads),
            batches: g(&self.batches),
            throttled: g(&self.throttled),
            retries: g(&self.retries),
            paced: g(&self.paced),
        }
    }
    fn add(a: &AtomicU64, n: u64) {
        a.fetch_add(n, Ordering::Relaxed);
    }
    fn count(&self, method: Method, n: u64) {
        if method == Method::Get {
            Counters::add(&self.reads, n);
        } else {
            Counters::add(&self.writes, n);
        }
    }
}

/// Options for `GraphClient::new`.
#[derive(Debug, Clone)]
pub struct Options {
    /// E.g. `https://graph.microsoft.com/v1.0` (no trailing slash).
    pub base_url: String,
    pub retry: RetryLimits,
    pub budget: pace::Budget,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Largest response body read ([`MAX_BODY_BYTES`]).
    pub max_body_bytes: u64,
    /// Most pages in one `collect_pages` walk ([`MAX_PAGES`]).
    pub max_pages: u32,
}

impl Options {
    pub fn new(base_url: impl Into<String>) -> Options {
        Options {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            retry: RetryLimits::default(),
            budget: pace::Budget::default(),
            timeout: Duration::from_secs(60),
            max_body_bytes: MAX_BODY_BYTES,
            max_pages: MAX_PAGES,
        }
    }
}

/// The one origin (scheme, host, port) the access token goes to: that of
/// the configured base URL. Pure: public for the fuzz targets (`fuzz/`).
#[derive(Debug, Clone)]
pub struct GraphOrigin {
    base_url: String,
    origin: url::Origin,
}

impl GraphOrigin {
    pub fn new(base_url: &str) -> GraphOrigin {
        // An unparsable base URL gets an opaque origin, equal to no URL's.
        let origin = url::Url::parse(base_url)
            .map(|u| u.origin())
            .unwrap_or_else(|_| url::Url::parse("data:,").expect("static URL").origin());
        GraphOrigin {
            base_url: base_url.to_string(),
            origin,
        }
    }

    /// The absolute URL of `url` (a request path relative to the base, or
    /// an absolute `@odata.nextLink`/`deltaLink`), if it is on this origin;
    /// else [`Error::ForeignLink`] (or `Transport` when it is no URL).
    pub fn target(&self, url: &str) -> Result<url::Url, Error> {
        let absolute = match url::Url::parse(url) {
            Ok(u) => u,
            Err(_) => url::Url::parse(&format!("{}{}", self.base_url, url)).map_err(|e| {
                Error::Transport(Unreachable::NotAUrl {
                    detail: e.to_string(),
                })
            })?,
        };
        if absolute.origin() != self.origin {
            let origin = absolute.origin().ascii_serialization();
            return Err(Error::ForeignLink { origin });
        }
        Ok(absolute)
    }
}

/// A Graph client for one signed-in mailbox.
pub struct GraphClient<T> {
    http: reqwest::Client,
    options: Options,
    tokens: T,
    slots: Arc<Semaphore>,
    pacer: Mutex<pace::Pacer>,
    /// Budget requests recorded since [`GraphClient::window_grew`] last
    /// woke its caller, and the wake-up itself.
    unsaved: AtomicU32,
    window_grew: Notify,
    counters: Arc<Counters>,
    /// The origin of `options.base_url`: the only one the token goes to.
    origin: GraphOrigin,
    refreshes: Mutex<Refreshes>,
}

/// The token refreshes this client asked for after a 401.
#[derive(Default)]
struct Refreshes {
    /// How many; a request remembers it when it takes its token.
    epoch: u64,
    /// The token the last refresh brought.
    fresh: Option<SecretString>,
}

impl<T: TokenSource> GraphClient<T> {
    /// `http` must be built by the caller (so that an extra CA from the
    /// config is trusted there, and only there).
    pub fn new(http: reqwest::Client, options: Options, tokens: T) -> GraphClient<T> {
        let origin = GraphOrigin::new(&options.base_url);
        GraphClient {
            http,
            origin,
            refreshes: Mutex::new(Refreshes::default()),
            pacer: Mutex::new(pace::Pacer::new(options.budget)),
            unsaved: AtomicU32::new(0),
            window_grew: Notify::new(),
            options,
            tokens,
            slots: Arc::new(Semaphore::new(MAX_IN_FLIGHT as usize)),
            counters: Arc::new(Counters::default()),
        }
    }

    pub fn counters(&self) -> Counts {
        self.counters.snapshot()
    }

    /// The requests of the budget's current window, per wall-clock second,
    /// for the caller to store (see `pace`): this and earlier clients'.
    pub async fn pace_window(&self) -> Vec<pace::SentInSecond> {
        let mut p = self.pacer.lock().await;
        p.window(tokio::time::Instant::now(), unix_now())
    }

    /// Returns once [`pace::SAVE_WINDOW_EVERY`] more budget requests have
    /// been recorded since it last returned (at once if they already
    /// have): the caller stores [`GraphClient::pace_window`] then, so a
    /// process killed mid-run forgets at most that many, plus what was in
    /// flight, of the window — well inside the tenth of the budget the
    /// pacer leaves free.
    pub async fn window_grew(&self) {
        self.window_grew.notified().await;
    }

    /// Take back a window stored from an earlier client (an earlier run,
    /// or another process) of the same mailbox: its requests count against
    /// the budget until they leave the window.
    pub async fn remember_pace_window(&self, stored: &[pace::SentInSecond]) {
        let mut p = self.pacer.lock().await;
        p.remember(tokio::time::Instant::now(), unix_now(), stored);
    }

    /// Send one request, retrying as `retry::decide` says. A non-2xx final
    /// answer becomes `Error::Api`.
    pub async fn send(&self, req: &Request) -> Result<Response, Error> {
        let resp = self.send_with_retries(req, 1).await?;
        if (200..300).contains(&resp.status) {
            Ok(resp)
        } else {
            Err(Error::from_status(resp.status, resp.body))
        }
    }

    /// GET a JSON resource.
    pub async fn get_json(&self, url: &str) -> Result<Value, Error> {
        Ok(self.send(&Request::get(url)).await?.body)
    }

    /// Follow `@odata.nextLink` from `url` to the end; returns every item
    /// of `value` and the final `@odata.deltaLink` (if a delta query).
    ///
    /// Fails, rather than returning a partial listing (which a caller could
    /// read as "the rest was deleted"), when a link leaves the Graph origin
    /// ([`Error::ForeignLink`], nothing sent there) or the walk passes
    /// `Options::max_pages` ([`Error::TooManyPages`]).
    pub async fn collect_pages(&self, url: &str) -> Result<(Vec<Value>, Option<String>), Error> {
        let mut items = vec![];
        let mut next = Some(url.to_string());
        let mut delta = None;
        let mut pages = 0u32;
        while let Some(url) = next.take() {
            if pages >= self.options.max_pages {
                return Err(Error::TooManyPages {
                    limit: self.options.max_pages,
                });
            }
            pages += 1;
            // Large pages: a listing or a delta round costs fewer requests
            // (Graph's own default page for event delta is small).
            let request =
                Request::get(&url).header("Prefer", &format!("odata.maxpagesize={PAGE_SIZE}"));
            let body = self.send(&request).await?.body;
            let page = Page::of(&body);
            items.extend(page.items.iter().cloned());
            next = page.next.map(str::to_string);
            if let Some(d) = page.delta {
                // Checked now, so that a foreign link is never stored.
                self.target(d)?;
                delta = Some(d.to_string());
            }
        }
        Ok((items, delta))
    }

    async fn send_with_retries(&self, req: &Request, budget_cost: u32) -> Result<Response, Error> {
        // Before any token is asked for: a foreign URL gets nothing.
        let url = self.target(&req.url)?;
        let mut attempt = 0;
        let mut refreshed = false;
        // The token for the next attempt after a refresh, with its epoch.
        let mut replaced: Option<(SecretString, u64)> = None;
        loop {
            attempt += 1;
            let (token, epoch) = match replaced.take() {
                Some(t) => t,
                None => {
                    let epoch = self.refreshes.lock().await.epoch;
                    let token = self.tokens.access_token(None).await.map_err(Error::Token)?;
                    (token, epoch)
                }
            };
            let slots = if req.url.ends_with("/$batch") {
                MAX_IN_FLIGHT
            } else {
                1
            };
            self.pace(budget_cost).await;
            let outcome = {
                let _permit = self
                    .slots
                    .acquire_many(slots)
                    .await
                    .expect("semaphore never closed");
                Counters::add(&self.counters.http_requests, 1);
                self.once(req, url.clone(), &token).await
            };
            let (decision_input, result) = match outcome {
                // Sending again would meet the same answer. A create whose
                // answer was not read may have taken effect: for the
                // caller that is a lost answer.
                Err(Error::TooLarge { limit }) if !req.replay_safe => {
                    return Err(Error::Transport(Unreachable::AnswerNotRead { limit }))
                }
                Err(e @ Error::TooLarge { .. }) => return Err(e),
                Ok(resp) => {
                    let retry_after = resp
                        .header("Retry-After")
                        .and_then(|v| retry::parse_retry_after(v, std::time::SystemTime::now()));
                    (
                        AttemptEnd::Status {
                            status: resp.status,
                            retry_after,
                        },
                        Ok(resp),
                    )
                }
                Err(e) => (AttemptEnd::Transport, Err(e)),
            };
            match decide(
                &self.options.retry,
                decision_input,
                attempt,
                req.replay_safe,
                refreshed,
            ) {
                Decision::Accept => return result,
                Decision::RefreshToken => {
                    refreshed = true;
                    replaced = Some(self.replace_rejected(&token, epoch).await?);
                }
                Decision::RetryAfter(wait) => {
                    if matches!(
                        decision_input,
                        AttemptEnd::Status {
                            status: 429 | 503 | 504,
                            ..
                        }
                    ) {
                        Counters::add(&self.counters.throttled, 1);
                    }
                    Counters::add(&self.counters.retries, 1);
                    tracing::debug!(url = %req.url, ?wait, attempt, "retrying Graph request");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// A token to use instead of `rejected` (taken at `epoch`): the one a
    /// refresh since then brought, else a refresh now. Requests that meet
    /// 401 together wait here for one refresh and share it.
    async fn replace_rejected(
        &self,
        rejected: &SecretString,
        epoch: u64,
    ) -> Result<(SecretString, u64), Error> {
        let mut r = self.refreshes.lock().await;
        if r.epoch > epoch {
            if let Some(fresh) = &r.fresh {
                if fresh.expose_secret() != rejected.expose_secret() {
                    return Ok((fresh.clone(), r.epoch));
                }
            }
        }
        tracing::info!("Graph answered 401; refreshing the access token");
        let fresh = self
            .tokens
            .access_token(Some(rejected))
            .await
            .map_err(Error::Token)?;
        r.epoch += 1;
        r.fresh = Some(fresh.clone());
        Ok((fresh, r.epoch))
    }

    async fn pace(&self, n: u32) {
        loop {
            let wait = {
                let mut p = self.pacer.lock().await;
                let now = tokio::time::Instant::now();
                let wait = p.delay(now, n);
                if wait.is_zero() {
                    p.record(now, n);
                }
                wait
            };
            if wait.is_zero() {
                let unsaved = self.unsaved.fetch_add(n, Ordering::Relaxed) + n;
                if unsaved >= pace::SAVE_WINDOW_EVERY {
                    self.unsaved.store(0, Ordering::Relaxed);
                    self.window_grew.notify_one();
                }
                return;
            }
            Counters::add(&self.counters.paced, 1);
            tracing::info!(?wait, "pacing inside the mailbox's request budget");
            tokio::time::sleep(wait).await;
        }
    }

    /// [`GraphOrigin::target`], logged when a link is dropped.
    fn target(&self, url: &str) -> Result<url::Url, Error> {
        self.origin.target(url).inspect_err(|e| {
            if let Error::ForeignLink { origin } = e {
                tracing::warn!(%origin, "not sending the access token outside the Graph origin");
            }
        })
    }

    async fn once(
        &self,
        req: &Request,
        url: url::Url,
        token: &SecretString,
    ) -> Result<Response, Error> {
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .expect("static method names are valid");
        if !req.url.ends_with("/$batch") {
            Counters::add(&self.counters.budget_requests, 1);
            self.counters.count(req.method, 1);
        }
        let mut builder = self
            .http
            .request(method, url)
            .timeout(self.options.timeout)
            .bearer_auth(token.expose_secret())
            .header("Prefer", "IdType=\"ImmutableId\"");
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = &req.body {
            builder = builder.json(body);
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| Error::Transport(unreachable(&e)))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let bytes = read_capped(resp, self.options.max_body_bytes).await?;
        let body = parse_body(status, &bytes)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Send `requests` in `$batch` envelopes of up to 20 and return one
    /// result per request, in the same order. Items answered 429/503/504
    /// are sent again in a later batch after the longest `Retry-After`;
    /// items answered 401 (the token expired or was revoked mid-batch) are
    /// sent again after one refresh (a failed refresh is the first such
    /// item's `Error::Token`); the others are final. If an envelope is lost in transport, items
    /// that are not replay-safe come back as `Error::Transport` (the caller
    /// must look up whether they took effect); the rest are sent again.
    pub async fn batch(&self, requests: &[Request]) -> Vec<Result<Response, Error>> {
        let mut results: Vec<Option<Result<Response, Error>>> =
            (0..requests.len()).map(|_| None).collect();
        let mut pending: Vec<usize> = (0..requests.len()).collect();
        let mut round = 0u32;
        // Items answered 401 inside a 200 batch (the access token expired
        // or was revoked while the batch ran) were not carried out: one
        // refresh per call, then they go again with the new token.
        let mut refresh_spent = false;
        while !pending.is_empty() {
            round += 1;
            let mut retry_later = vec![];
            let mut refused = vec![];
            let mut longest_wait = Duration::ZERO;
            let epoch = self.refreshes.lock().await.epoch;
            let sent_with = if refresh_spent {
                None
            } else {
                self.tokens.access_token(None).await.ok()
            };
            for chunk in pending.chunks(MAX_BATCH) {
                let body = json!({
                    "requests": chunk.iter().map(|&i| batch_item(i, &requests[i])).collect::<Vec<_>>()
                });
                let mut envelope = Request::post("/$batch", body);
                envelope.replay_safe = chunk.iter().all(|&i| requests[i].replay_safe);
                Counters::add(&self.counters.batches, 1);
                Counters::add(&self.counters.budget_requests, chunk.len() as u64);
                for &i in chunk {
                    self.counters.count(requests[i].method, 1);
                }
                match self.send_with_retries(&envelope, chunk.len() as u32).await {
                    Ok(resp) if resp.status == 200 => {
                        let answers = resp
                            .body
                            .get("responses")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        for &i in chunk {
                            let item = match batch_answer(&answers, i) {
                                Ok(item) => item,
                                Err(e) => {
                                    results[i] = Some(Err(e));
                                    continue;
                                }
                            };
                            let retry_after = item.header("Retry-After").and_then(|v| {
                                retry::parse_retry_after(v, std::time::SystemTime::now())
                            });
                            let d = decide(
                                &self.options.retry,
                                AttemptEnd::Status {
                                    status: item.status,
                                    retry_after,
                                },
                                round,
                                requests[i].replay_safe,
                                true,
                            );
                            match d {
                                Decision::RetryAfter(wait) => {
                                    Counters::add(&self.counters.throttled, 1);
                                    Counters::add(&self.counters.retries, 1);
                                    longest_wait = longest_wait.max(wait);
                                    retry_later.push(i);
                                }
                                _ if (200..300).contains(&item.status) => {
                                    results[i] = Some(Ok(item))
                                }
                                _ if item.status == 401 && sent_with.is_some() => {
                                    results[i] =
                                        Some(Err(Error::from_status(item.status, item.body)));
                                    refused.push(i);
                                }
                                _ => {
                                    results[i] =
                                        Some(Err(Error::from_status(item.status, item.body)))
                                }
                            }
                        }
                    }
                    Ok(resp) => {
                        let status = resp.status;
                        for &i in chunk {
                            results[i] = Some(Err(Error::from_status(status, resp.body.clone())));
                        }
                    }
                    Err(e) => {
                        // The batch's own failure is each item's (the
                        // first item keeps the original: a token failure
                        // stays the sign-in's, for the caller to stop on).
                        for &i in &chunk[1..] {
                            results[i] = Some(Err(e.again()));
                        }
                        results[chunk[0]] = Some(Err(e));
                    }
                }
            }
            if let (Some(rejected), false) = (&sent_with, refused.is_empty()) {
                refresh_spent = true;
                match self.replace_rejected(rejected, epoch).await {
                    Ok(_) => {
                        for &i in &refused {
                            results[i] = None;
                        }
                        retry_later.extend(refused);
                    }
                    // The sign-in's problem (revoked, password changed):
                    // the first refused item carries it, for the caller to
                    // stop on; the others keep their 401.
                    Err(e) => results[refused[0]] = Some(Err(e)),
                }
            }
            pending = retry_later;
            if !pending.is_empty() {
                tokio::time::sleep(longest_wait).await;
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(Error::Transport(Unreachable::NotSent))))
            .collect()
    }
}

/// The wall clock, in seconds since 1970 (0 before it).
fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn batch_item(i: usize, req: &Request) -> Value {
    let mut headers = serde_json::Map::new();
    headers.insert("Prefer".into(), json!("IdType=\"ImmutableId\""));
    for (k, v) in &req.headers {
        headers.insert(k.clone(), json!(v));
    }
    let mut item = json!({
        "id": i.to_string(),
        "method": req.method.as_str(),
        "url": req.url,
    });
    if let Some(body) = &req.body {
        headers.insert("Content-Type".into(), json!("application/json"));
        item["body"] = body.clone();
    }
    item["headers"] = Value::Object(headers);
    item
}

/// The body of an answer with `status`, as the client reads it: empty is
/// `null`; JSON that does not parse is `null` on any status but 2xx (a 5xx
/// from a proxy is often HTML, and so is a proxy's 302 to its sign-in page:
/// the status is the answer) and [`Error::Malformed`] on success (a
/// cut-off body means the answer was lost). Pure: public for the fuzz
/// targets (`fuzz/`) and their corpus test (`docket-fuzz`).
pub fn parse_body(status: u16, bytes: &[u8]) -> Result<Value, Error> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(_) if !(200..300).contains(&status) => Ok(Value::Null),
        Err(e) => Err(Error::Malformed(Malformed::NotJson {
            detail: e.to_string(),
        })),
    }
}

/// What one page of a listing or delta round carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page<'a> {
    /// `value`'s items (none when it is missing or not an array).
    pub items: &'a [Value],
    /// `@odata.nextLink`: there is more.
    pub next: Option<&'a str>,
    /// `@odata.deltaLink`: the end of a delta round, to store.
    pub delta: Option<&'a str>,
}

impl<'a> Page<'a> {
    /// Reads a page's body as [`GraphClient::collect_pages`] does.
    pub fn of(body: &'a Value) -> Page<'a> {
        Page {
            items: body
                .get("value")
                .and_then(Value::as_array)
                .map_or(&[], Vec::as_slice),
            next: body.get("@odata.nextLink").and_then(Value::as_str),
            delta: body.get("@odata.deltaLink").and_then(Value::as_str),
        }
    }
}

/// The answer to item `id` among a `$batch` answer's `responses`, as
/// [`GraphClient::batch`] reads it; [`Error::Malformed`] when it is
/// missing or its status is not an HTTP status.
pub fn batch_answer(answers: &[Value], id: usize) -> Result<Response, Error> {
    let wanted = id.to_string();
    let answer = answers
        .iter()
        .find(|a| a.get("id").and_then(Value::as_str) == Some(wanted.as_str()))
        .ok_or(Error::Malformed(Malformed::BatchItemMissing { id }))?;
    item_response(answer).ok_or(Error::Malformed(Malformed::BatchItemStatus { id }))
}

/// A batch item's answer; `None` when its status is not an HTTP status
/// (a number like 65,736 would otherwise wrap around to 200).
fn item_response(answer: &Value) -> Option<Response> {
    let status = answer
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|s| (100..=599).contains(s))?;
    let headers = answer
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Response {
        status,
        headers,
        body: answer.get("body").cloned().unwrap_or(Value::Null),
    })
}

/// The body of `resp`, read chunk by chunk and refused as soon as it passes
/// `limit` bytes (a `Content-Length` over it is refused before reading).
async fn read_capped(mut resp: reqwest::Response, limit: u64) -> Result<Vec<u8>, Error> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Error::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Error::Transport(unreachable(&e)))?
    {
        if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
            return Err(Error::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A reqwest error as data, without its URL: delta and next links carry
/// opaque state tokens that do not belong in logs (the detail is the
/// innermost cause's text).
fn unreachable(e: &reqwest::Error) -> Unreachable {
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        Unreachable::TimedOut { detail }
    } else if e.is_connect() {
        Unreachable::ConnectionFailed { detail }
    } else if e.is_body() || e.is_decode() {
        Unreachable::CutOff { detail }
    } else {
        Unreachable::Failed { detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(status: u16, body: &str, expect: &str) {
        let got = match parse_body(status, body.as_bytes()) {
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expect, "{status} {body:?}");
    }

    #[test]
    fn bodies_read_by_status() {
        check(200, r#"{"value":[]}"#, r#"{"value":[]}"#);
        check(204, "", "null");
        // Cut off on success: the answer was lost.
        check(
            201,
            r#"{"id":"#,
            "error: Graph sent an answer that cannot be read: not valid JSON: EOF while parsing a value at line 1 column 6",
        );
        check(503, "<html>Service Unavailable</html>", "null");
        check(
            404,
            r#"{"error":{"code":"ErrorItemNotFound"}}"#,
            r#"{"error":{"code":"ErrorItemNotFound"}}"#,
        );
        // A proxy's redirect to its sign-in page is that redirect, not a
        // lost answer (found by the `graph` fuzz target).
        check(
            302,
            "<html><a href=\"https://proxy/login\">here</a></html>",
            "null",
        );
        check(346, "5\u{3}", "null");
    }

    #[track_caller]
    fn check_link(base: &str, link: &str, expect: &str) {
        let got = match GraphOrigin::new(base).target(link) {
            Ok(u) => u.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expect, "{link:?} from {base}");
    }

    /// The token goes only where the base URL is: links elsewhere (even
    /// ones that only look alike) are dropped.
    #[test]
    fn links_off_the_graph_origin_are_dropped() {
        let base = "https://graph.microsoft.com/v1.0";
        check_link(
            base,
            "/me/events?$top=5",
            "https://graph.microsoft.com/v1.0/me/events?$top=5",
        );
        check_link(
            base,
            "HTTPS://Graph.Microsoft.COM:443/v1.0/me/events/delta?$skiptoken=x",
            "https://graph.microsoft.com/v1.0/me/events/delta?$skiptoken=x",
        );
        // Not absolute, so a path under the base: the token stays on Graph.
        check_link(
            base,
            "//evil.example/x",
            "https://graph.microsoft.com/v1.0//evil.example/x",
        );
        let foreign = [
            (
                "https://graph.microsoft.com.evil.example/v1.0/me",
                "https://graph.microsoft.com.evil.example",
            ),
            (
                "http://graph.microsoft.com/v1.0/me",
                "http://graph.microsoft.com",
            ),
            (
                "https://graph.microsoft.com:8443/v1.0/me",
                "https://graph.microsoft.com:8443",
            ),
            (
                "https://graph.microsoft.com@evil.example/v1.0",
                "https://evil.example",
            ),
            ("data:text/plain,x", "null"),
        ];
        for (link, origin) in foreign {
            check_link(
                base,
                link,
                &format!("error: a Graph link points to {origin}, not to the configured Graph origin; it was dropped and nothing sent"),
            );
        }
        // Appended to a base without a path, text can make another host.
        check_link(
            "https://graph.microsoft.com",
            "@evil.example/me",
            "error: a Graph link points to https://evil.example, not to the configured Graph origin; it was dropped and nothing sent",
        );
        // An unreadable base URL matches nothing.
        check_link(
            "graph",
            "https://graph.microsoft.com/v1.0/me",
            "error: a Graph link points to https://graph.microsoft.com, not to the configured Graph origin; it was dropped and nothing sent",
        );
    }
}

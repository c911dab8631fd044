//! The loopback redirect listener (RFC 8252 §7.3): a small bounded accept
//! loop on the loopback addresses that waits for exactly one valid
//! authorization callback.
//!
//! Why not `tiny_http` (the original design): it answers a request from
//! the thread that received it, so one local client that pipelines
//! requests and never reads the answers blocked that thread in a socket
//! write, and with it the real callback and the deadline; it offers no
//! read/write timeouts and no cap on the request line. Meeting the
//! requirements below would have meant wrapping every part of it, so the
//! listener is now ~300 lines of tokio over `httparse`:
//!
//! - **Bounded per connection.** Each accepted connection is handled in
//!   its own task, off the accept loop. It must deliver its request head
//!   (request line + headers, at most [`MAX_HEAD_BYTES`]) within
//!   [`HEAD_TIMEOUT`]; the answer is written within [`WRITE_TIMEOUT`]; it
//!   is answered once (`Connection: close`; pipelined requests are
//!   discarded) and closed. A stalled, slow or hostile connection thus
//!   costs at most a few seconds and [`MAX_HEAD_BYTES`] of memory, and
//!   never delays another connection.
//! - **Bounded in number.** At most [`MAX_CONNECTIONS`] are handled at
//!   once; further ones wait in the kernel's backlog (not dropped), so the
//!   browser's connection is served as soon as a slot frees.
//! - **Not a log flood.** The first [`WARN_REJECTIONS`] rejected requests
//!   are logged at WARN, the rest at DEBUG, and one WARN line with the
//!   total when the listener closes. The query is never logged (it may
//!   hold a code).
//! - **Both loopback addresses.** The redirect URI says `localhost`
//!   (what the Azure portal accepts for "Mobile and desktop
//!   applications"), and a browser may resolve it to `::1` first. So
//!   `127.0.0.1:<port>` *and* `[::1]:<port>` are bound: otherwise another
//!   local program could bind `[::1]:<port>` and receive the code (RFC 8252
//!   §8.3). If `::1` cannot be bound because IPv6 is off, the listener
//!   carries on with IPv4 only (logged at INFO); if it is taken by someone
//!   else, an OS-chosen port is given up and another one tried, and a
//!   fixed port is [`ListenError::PortInUse`]. A configured
//!   `http://127.0.0.1:<port>/` keeps its host and binds IPv4 only.
//! - Port: `0` lets the OS choose a free port for each sign-in (Entra
//!   ignores the port of loopback redirect URIs); a fixed port (e.g. a
//!   firewall rule) that is in use is a clear error naming the setting
//!   `microsoft.redirect_port`.
//! - A request on another path, without the expected `state`, with a
//!   `Host` header that is not loopback (DNS rebinding) or with an
//!   oversized URL is answered 400/414/431 and the listener keeps waiting
//!   for the real callback.
//! - The valid callback is handed back together with a [`Responder`]; the
//!   browser gets its answer only when the caller completes it, i.e. after
//!   the code was redeemed. Later requests get "already received".
//! - It gives up after the timeout or when the caller's cancel signal
//!   fires ([`ListenError::Cancelled`]), and closes the ports before
//!   returning.

use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use docket_secrets::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinSet;

use docket_text::{Action, Lang, Message};

use crate::pages;
use crate::problem::Problem;

/// The longest request target accepted (Entra's callbacks are ~1–2 KB).
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// The longest request head (request line + headers) read from one
/// connection; anything longer is refused without reading the rest.
/// Browsers send 1–3 KB.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long a connection may take to deliver its request head. Browsers
/// send it at once; speculative pre-connections that never send are
/// closed after this.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(3);
/// How long writing one answer may take (a client that does not read).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections handled at once; more wait in the kernel's backlog.
pub const MAX_CONNECTIONS: usize = 32;
/// Rejected requests logged at WARN per listener; the rest at DEBUG.
pub const WARN_REJECTIONS: u32 = 3;
/// After answering, what is read and discarded (bounded) before closing,
/// so that a request's unread remainder does not turn the close into a
/// reset that destroys the answer.
const DRAIN_BYTES: usize = 64 * 1024;
const DRAIN_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the browser's request is held open for the caller to redeem
/// the code before it is answered with a generic failure.
const RESPONDER_GRACE: Duration = Duration::from_secs(180);
// The browser's answer waits for the code redemption and the token lock:
// it must outlast both, or the browser says "stopped" for a sign-in that
// then succeeds.
const _: () = assert!(
    RESPONDER_GRACE.as_secs()
        > crate::tokens::TOKEN_REQUEST_TIMEOUT.as_secs() + crate::tokens::LOCK_WAIT.as_secs()
);
/// An OS-chosen port whose `[::1]` twin is taken is given up; so many
/// tries.
const BIND_ATTEMPTS: usize = 8;

/// The host of the redirect URI; it also decides what is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedirectHost {
    /// `localhost`: bind 127.0.0.1 and ::1 (the browser may pick either).
    #[default]
    Localhost,
    /// `127.0.0.1` as configured: bind 127.0.0.1 only.
    Ipv4Loopback,
}

impl RedirectHost {
    fn as_str(self) -> &'static str {
        match self {
            RedirectHost::Localhost => "localhost",
            RedirectHost::Ipv4Loopback => "127.0.0.1",
        }
    }
}

/// Where the listener listens: `port` 0 = OS-chosen free port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectConfig {
    pub port: u16,
    /// Starts with `/`, e.g. `/` (the default: public-client
    /// registrations list `http://localhost`, and Entra matches the path
    /// exactly) or `/authorize/`.
    pub path: String,
    pub host: RedirectHost,
}

impl Default for RedirectConfig {
    fn default() -> Self {
        RedirectConfig {
            port: 0,
            path: "/".into(),
            host: RedirectHost::Localhost,
        }
    }
}

impl RedirectConfig {
    /// From an explicit redirect URI such as `http://localhost:50993/authorize/`.
    /// The host is kept as written (`127.0.0.1` stays `127.0.0.1`: Entra
    /// compares it literally). No port (`http://localhost/`) means any
    /// free port, as Entra ignores the port of loopback redirect URIs; it
    /// never means port 80 (the `url` crate also drops an explicit `:80`,
    /// which is treated the same way).
    pub fn from_uri(uri: &str) -> Result<RedirectConfig, ListenError> {
        let bad = |reason: &str| ListenError::BadRedirectUri {
            uri: uri.to_string(),
            reason: reason.to_string(),
        };
        let url = url::Url::parse(uri).map_err(|e| bad(&e.to_string()))?;
        if url.scheme() != "http" {
            return Err(bad("a loopback redirect URI uses http"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
                RedirectHost::Localhost
            }
            Some(url::Host::Ipv4(ip)) if ip == Ipv4Addr::LOCALHOST => RedirectHost::Ipv4Loopback,
            _ => return Err(bad("the host must be localhost or 127.0.0.1")),
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("no query or fragment allowed"));
        }
        Ok(RedirectConfig {
            port: url.port().unwrap_or(0),
            path: url.path().to_string(),
            host,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error(
        "port {port} on this computer's loopback address (127.0.0.1 or [::1]) is already in use, so the \
         sign-in cannot receive Microsoft's answer; close the program using it or change \
         microsoft.redirect_port (and the redirect URI registered for the app) to a free port"
    )]
    PortInUse { port: u16 },
    #[error("cannot listen on 127.0.0.1:{port} for the sign-in: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("microsoft.redirect_uri {uri:?} is not a usable loopback redirect URI: {reason}")]
    BadRedirectUri { uri: String, reason: String },
    #[error("the sign-in was not completed within {} minutes; start it again", .0.as_secs().div_ceil(60))]
    TimedOut(Duration),
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("the sign-in listener failed: {0}")]
    Server(String),
}

impl ListenError {
    /// A stable code (`docs/cli.md` lists them).
    pub fn code(&self) -> &'static str {
        match self {
            ListenError::PortInUse { .. } => "signin.port_in_use",
            ListenError::TimedOut(_) => "signin.timed_out",
            ListenError::Cancelled => "signin.cancelled",
            ListenError::BadRedirectUri { .. }
            | ListenError::Bind { .. }
            | ListenError::Server(_) => "signin.listener",
        }
    }

    /// What happened, for a person: the headline and `.body`.
    pub fn message(&self) -> Message {
        match self {
            ListenError::PortInUse { port } => {
                Message::new("auth-signin-port-in-use").number("port", *port)
            }
            ListenError::Bind { source, .. } => {
                Message::new("auth-signin-listener").text("detail", source.to_string())
            }
            ListenError::Server(detail) => {
                Message::new("auth-signin-listener").text("detail", detail.clone())
            }
            ListenError::BadRedirectUri { uri, reason } => {
                Message::new("auth-signin-bad-redirect-uri")
                    .text("uri", uri.clone())
                    .text("detail", reason.clone())
            }
            ListenError::TimedOut(d) => {
                Message::new("auth-signin-timed-out").number("minutes", d.as_secs().div_ceil(60))
            }
            ListenError::Cancelled => Message::new("auth-signin-cancelled"),
        }
    }

    /// The fix: sign in again, except for a port or address IT must change.
    pub fn action(&self) -> Action {
        match self {
            ListenError::PortInUse { .. } => Action::EditConfig {
                key: "microsoft.redirect_port".into(),
            },
            ListenError::BadRedirectUri { .. } => Action::EditConfig {
                key: "microsoft.redirect_uri".into(),
            },
            ListenError::Bind { .. }
            | ListenError::Server(_)
            | ListenError::TimedOut(_)
            | ListenError::Cancelled => Action::SignIn,
        }
    }
}

/// An authorization code. Redacted `Debug`, no `Clone`/`PartialEq`.
pub struct AuthCode(SecretString);

impl AuthCode {
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for AuthCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthCode(<redacted>)")
    }
}

/// The authorization response the valid callback carried (RFC 6749
/// §4.1.2): a code, or an error.
#[derive(Debug)]
pub enum AuthResponse {
    Code(AuthCode),
    /// `error=` (e.g. `access_denied`), with Entra's description.
    Error {
        error: String,
        description: Option<String>,
    },
}

/// The valid callback: its authorization response and the browser's pending request.
#[derive(Debug)]
pub struct Callback {
    pub response: AuthResponse,
    pub responder: Responder,
}

/// The browser's request for the valid callback, answered by the caller
/// once it knows the result. Dropped unanswered, it answers "did not
/// complete" (never "success").
pub struct Responder {
    /// The language of the pages.
    lang: Lang,
    /// The page for the browser's connection task to write.
    answer: Option<oneshot::Sender<String>>,
    /// Fires when the listener has closed its ports.
    closed: Option<oneshot::Receiver<()>>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Responder")
    }
}

impl Responder {
    /// "Sign-in complete, you can close this window." Returns once the
    /// listener's port is closed (a retry can bind it again at once).
    pub async fn success(mut self, account: &str) {
        self.send(pages::success(account, self.lang));
        self.closed().await;
    }

    /// What went wrong, what to do, and the code.
    pub async fn failure(mut self, problem: &Problem) {
        self.send(pages::failure(problem, self.lang));
        self.closed().await;
    }

    /// A failure that is not a classified problem: its message (headline
    /// and `.body`) and, when there is one, the fix.
    pub async fn failure_message(mut self, message: &Message, action: Option<&Action>) {
        self.send(pages::failure_message(message, action, self.lang));
        self.closed().await;
    }

    fn send(&mut self, html: String) {
        if let Some(answer) = self.answer.take() {
            let _ = answer.send(html);
        }
    }

    async fn closed(&mut self) {
        if let Some(closed) = self.closed.take() {
            // Bounded: writing the answer is bounded by WRITE_TIMEOUT.
            let _ = tokio::time::timeout(WRITE_TIMEOUT + Duration::from_secs(2), closed).await;
        }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if self.answer.is_none() {
            return;
        }
        self.send(pages::failure_message(
            &Message::new("auth-signin-stopped"),
            Some(&Action::SignIn),
            self.lang,
        ));
    }
}

fn html_response(status: u16, html: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        _ => "Bad Request",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        html.len()
    )
    .into_bytes();
    out.extend_from_slice(html.as_bytes());
    out
}

/// A bound loopback listener, not yet serving.
#[derive(Debug)]
pub struct LoopbackListener {
    v4: Option<std::net::TcpListener>,
    v6: Option<std::net::TcpListener>,
    port: u16,
    path: String,
    host: RedirectHost,
    lang: Lang,
}

fn bind_error(port: u16, e: std::io::Error) -> ListenError {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        ListenError::PortInUse { port }
    } else {
        ListenError::Bind { port, source: e }
    }
}

impl LoopbackListener {
    /// Bind `127.0.0.1:<port>` (0: OS-chosen) and, for a `localhost`
    /// redirect URI, `[::1]` on the same port (see the module docs).
    pub fn bind(config: &RedirectConfig) -> Result<LoopbackListener, ListenError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let v4 = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
                .map_err(|e| bind_error(config.port, e))?;
            let port = v4
                .local_addr()
                .map_err(|e| ListenError::Server(e.to_string()))?
                .port();
            let v6 = match config.host {
                RedirectHost::Ipv4Loopback => None,
                RedirectHost::Localhost => {
                    match std::net::TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
                        Ok(l) => Some(l),
                        // Someone holds [::1]:<port>: they would get the
                        // callbacks of browsers that try IPv6 first.
                        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                            if config.port == 0 && attempts < BIND_ATTEMPTS {
                                tracing::info!(
                                    port,
                                    "[::1] on the chosen port is taken; choosing another port"
                                );
                                continue;
                            }
                            return Err(ListenError::PortInUse { port });
                        }
                        // IPv6 disabled or no ::1: nobody can bind it either.
                        Err(e) => {
                            tracing::info!(port, error = %e, "IPv6 loopback unavailable; the sign-in listens on 127.0.0.1 only");
                            None
                        }
                    }
                }
            };
            return Ok(LoopbackListener {
                v4: Some(v4),
                v6,
                port,
                path: normalize_path(&config.path),
                host: config.host,
                lang: Lang::from_system(),
            });
        }
    }

    /// Serve on an already bound listener (tests, socket activation).
    pub fn from_listener(
        listener: std::net::TcpListener,
        path: &str,
    ) -> Result<LoopbackListener, ListenError> {
        let addr = listener
            .local_addr()
            .map_err(|e| ListenError::Server(e.to_string()))?;
        let (v4, v6) = match addr {
            SocketAddr::V4(_) => (Some(listener), None),
            SocketAddr::V6(_) => (None, Some(listener)),
        };
        Ok(LoopbackListener {
            v4,
            v6,
            port: addr.port(),
            path: normalize_path(path),
            host: RedirectHost::Localhost,
            lang: Lang::from_system(),
        })
    }

    /// The language of the pages the browser shows (default: the
    /// system's, [`Lang::from_system`]).
    pub fn with_lang(mut self, lang: Lang) -> LoopbackListener {
        self.lang = lang;
        self
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether `[::1]` is bound too.
    pub fn listens_on_ipv6(&self) -> bool {
        self.v6.is_some()
    }

    /// `http://<host>:<port><path>`: what to send as `redirect_uri`.
    pub fn redirect_uri(&self) -> String {
        format!("http://{}:{}{}", self.host.as_str(), self.port, self.path)
    }

    /// Wait for the callback carrying `state`, at most `timeout`, or until
    /// `cancel` completes ([`ListenError::Cancelled`]). Returns only after
    /// the ports are closed when it fails; on success they close once the
    /// responder is answered.
    pub async fn wait(
        self,
        state: &str,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<Callback, ListenError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let to_tokio =
            |l: Option<std::net::TcpListener>| -> Result<Option<TcpListener>, ListenError> {
                l.map(|l| {
                    l.set_nonblocking(true)
                        .and_then(|()| TcpListener::from_std(l))
                        .map_err(|e| ListenError::Server(e.to_string()))
                })
                .transpose()
            };
        let mut listeners = Listeners {
            v4: to_tokio(self.v4)?,
            v6: to_tokio(self.v6)?,
            conns: JoinSet::new(),
            slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
        };
        let (found_tx, mut found_rx) = mpsc::channel(1);
        let (answered_tx, answered_rx) = oneshot::channel();
        let lang = self.lang;
        let shared = Arc::new(Shared {
            lang,
            port: self.port,
            path: self.path,
            state: SecretString::new(state),
            claimed: AtomicBool::new(false),
            rejections: Rejections::new(self.port),
            found: found_tx,
            answered: std::sync::Mutex::new(Some(answered_tx)),
        });
        let mut cancel = std::pin::pin!(cancel);
        let sleep = tokio::time::sleep_until(deadline);
        let mut sleep = std::pin::pin!(sleep);
        let found = loop {
            tokio::select! {
                biased;
                () = &mut cancel => break Err(ListenError::Cancelled),
                Some(found) = found_rx.recv() => break Ok(found),
                () = &mut sleep => break Err(ListenError::TimedOut(timeout)),
                accepted = listeners.accept() => listeners.spawn(accepted, &shared),
            }
        };
        match found {
            Err(e) => {
                listeners.close().await;
                shared.rejections.summary();
                Err(e)
            }
            Ok((response, answer)) => {
                let (closed_tx, closed_rx) = oneshot::channel();
                // Keep answering "already received" until the browser
                // has its answer, then close the ports.
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(RESPONDER_GRACE + WRITE_TIMEOUT, async {
                        let mut answered = std::pin::pin!(answered_rx);
                        loop {
                            tokio::select! {
                                biased;
                                _ = &mut answered => break,
                                accepted = listeners.accept() => listeners.spawn(accepted, &shared),
                            }
                        }
                    })
                    .await;
                    listeners.close().await;
                    shared.rejections.summary();
                    let _ = closed_tx.send(());
                });
                Ok(Callback {
                    response,
                    responder: Responder {
                        lang,
                        answer: Some(answer),
                        closed: Some(closed_rx),
                    },
                })
            }
        }
    }
}

fn normalize_path(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// The valid callback's authorization response and where its page goes.
type Found = (AuthResponse, oneshot::Sender<String>);

/// What every connection task of one listener shares.
struct Shared {
    lang: Lang,
    port: u16,
    path: String,
    state: SecretString,
    /// Set by the first valid callback: later ones are "already received".
    claimed: AtomicBool,
    rejections: Rejections,
    found: mpsc::Sender<Found>,
    /// Fired once the browser of the valid callback was answered.
    answered: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

struct Listeners {
    v4: Option<TcpListener>,
    v6: Option<TcpListener>,
    conns: JoinSet<()>,
    slots: Arc<Semaphore>,
}

impl Listeners {
    /// The next connection, once a slot is free (so that the backlog, not
    /// our memory, holds the excess).
    async fn accept(&mut self) -> Option<(TcpStream, tokio::sync::OwnedSemaphorePermit)> {
        // Finished tasks are reaped here so the set does not grow.
        while self.conns.try_join_next().is_some() {}
        let permit = self.slots.clone().acquire_owned().await.ok()?;
        async fn one(l: &Option<TcpListener>) -> std::io::Result<TcpStream> {
            match l {
                Some(l) => l.accept().await.map(|(s, _)| s),
                None => std::future::pending().await,
            }
        }
        let accepted = tokio::select! {
            r = one(&self.v4) => r,
            r = one(&self.v6) => r,
        };
        match accepted {
            Ok(stream) => Some((stream, permit)),
            Err(e) => {
                // E.g. a connection reset before accept, or out of file
                // descriptors: not fatal; the deadline still bounds us.
                tracing::debug!(error = %e, "accept failed on the sign-in listener");
                tokio::time::sleep(Duration::from_millis(50)).await;
                None
            }
        }
    }

    fn spawn(
        &mut self,
        accepted: Option<(TcpStream, tokio::sync::OwnedSemaphorePermit)>,
        shared: &Arc<Shared>,
    ) {
        if let Some((stream, permit)) = accepted {
            let shared = shared.clone();
            self.conns.spawn(async move {
                handle(stream, &shared).await;
                drop(permit);
            });
        }
    }

    /// Close the ports and end every connection; returns once done.
    async fn close(mut self) {
        self.v4.take();
        self.v6.take();
        self.conns.shutdown().await;
    }
}

/// Counts rejected requests; only the first few are logged at WARN.
struct Rejections {
    port: u16,
    count: AtomicU32,
}

impl Rejections {
    fn new(port: u16) -> Rejections {
        Rejections {
            port,
            count: AtomicU32::new(0),
        }
    }

    fn note(&self, path: &str, status: u16, reason: &str) {
        // The path only: the query may carry an authorization code.
        let path = path.split('?').next().unwrap_or("");
        let path: String = path.chars().take(200).collect();
        let port = self.port;
        let n = self.count.fetch_add(1, Ordering::Relaxed).saturating_add(1);
        if n <= WARN_REJECTIONS {
            tracing::warn!(port, %path, status, reason, "rejected a request on the sign-in listener");
        } else {
            tracing::debug!(port, %path, status, reason, n, "rejected a request on the sign-in listener");
        }
    }

    fn summary(&self) {
        let n = self.count.load(Ordering::Relaxed);
        if n > WARN_REJECTIONS {
            tracing::warn!(
                port = self.port,
                rejected = n,
                "the sign-in listener rejected {n} requests in all; only the first {WARN_REJECTIONS} were logged at WARN"
            );
        }
    }
}

/// What reading a request head ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// The head, up to and including its blank line; at most
    /// [`MAX_HEAD_BYTES`].
    Complete(Vec<u8>),
    /// Its blank line does not end within [`MAX_HEAD_BYTES`];
    /// `line_complete`: the request line fitted.
    TooLarge { line_complete: bool },
}

/// The bytes of one request head as they arrive, in reads of any size:
/// [`HeadReader::push`] says when it is complete or too large. The result
/// depends only on the bytes, never on how the network cut them, and no
/// more than [`MAX_HEAD_BYTES`] + 1 bytes are kept. Pure: public for the
/// fuzz targets (`fuzz/`) and their corpus test (`docket-fuzz`).
#[derive(Debug, Default)]
pub struct HeadReader {
    buf: Vec<u8>,
}

impl HeadReader {
    pub fn new() -> HeadReader {
        HeadReader::default()
    }

    /// Takes the next bytes read; `Some` once the head is decided (later
    /// bytes are not looked at).
    pub fn push(&mut self, bytes: &[u8]) -> Option<Head> {
        // A terminator may straddle the previous read.
        let from = self.buf.len().saturating_sub(3);
        // One byte more than a head may have tells "too large".
        let room = (MAX_HEAD_BYTES + 1).saturating_sub(self.buf.len());
        self.buf
            .extend_from_slice(bytes.get(..room).unwrap_or(bytes));
        let found = self
            .buf
            .get(from..)
            .and_then(|tail| tail.windows(4).position(|w| w == b"\r\n\r\n"))
            .map(|at| from + at + 4);
        match found {
            Some(end) if end <= MAX_HEAD_BYTES => {
                self.buf.truncate(end);
                Some(Head::Complete(std::mem::take(&mut self.buf)))
            }
            _ if self.buf.len() > MAX_HEAD_BYTES => {
                let line_complete = self.buf[..MAX_HEAD_BYTES].windows(2).any(|w| w == b"\r\n");
                Some(Head::TooLarge { line_complete })
            }
            _ => None,
        }
    }
}

/// The head of one connection; `None` if the peer closed or failed first.
async fn read_head(stream: &mut TcpStream) -> Option<Head> {
    let mut reader = HeadReader::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => n,
        };
        if let Some(head) = reader.push(&chunk[..n]) {
            return Some(head);
        }
    }
}

/// One connection: read one request head, answer it, close.
async fn handle(mut stream: TcpStream, shared: &Shared) {
    let head = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
        Ok(Some(Head::Complete(head))) => head,
        Ok(Some(Head::TooLarge { line_complete })) => {
            let (status, reason) = if line_complete {
                (431, "request headers too large")
            } else {
                (414, "request too long")
            };
            shared.rejections.note("", status, reason);
            answer(&mut stream, status, &pages::rejected(reason, shared.lang)).await;
            return;
        }
        // Nothing to answer: the peer left, or sent no request in time
        // (a browser's unused pre-connection looks the same).
        Ok(None) => return,
        Err(_) => {
            tracing::debug!(
                port = shared.port,
                "closed a connection that sent no request in time"
            );
            return;
        }
    };
    let (target, checked) = check_head(&head, shared.port, &shared.path, &shared.state);
    let response = match checked {
        Ok(response) => response,
        Err((status, reason)) => {
            shared.rejections.note(&target, status, reason);
            answer(&mut stream, status, &pages::rejected(reason, shared.lang)).await;
            return;
        }
    };
    if shared.claimed.swap(true, Ordering::SeqCst) {
        let reason = "this sign-in has already received its answer";
        shared.rejections.note(&target, 400, reason);
        answer(&mut stream, 400, &pages::rejected(reason, shared.lang)).await;
        return;
    }
    let (page_tx, page_rx) = oneshot::channel();
    if shared.found.send((response, page_tx)).await.is_err() {
        return;
    }
    // Hold the browser's request until the caller knows the result.
    let page = match tokio::time::timeout(RESPONDER_GRACE, page_rx).await {
        Ok(Ok(page)) => page,
        _ => pages::failure_message(
            &Message::new("auth-signin-stopped"),
            Some(&Action::SignIn),
            shared.lang,
        ),
    };
    answer(&mut stream, 200, &page).await;
    let answered = shared
        .answered
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(answered) = answered {
        let _ = answered.send(());
    }
}

/// Write one answer (bounded in time), then close after a bounded drain.
async fn answer(stream: &mut TcpStream, status: u16, html: &str) {
    let bytes = html_response(status, html);
    let written = tokio::time::timeout(WRITE_TIMEOUT, async {
        stream.write_all(&bytes).await?;
        stream.shutdown().await
    })
    .await;
    if !matches!(written, Ok(Ok(()))) {
        return;
    }
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        let mut sink = [0u8; 4096];
        let mut left = DRAIN_BYTES;
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
}

/// One request head (request line and headers up to the blank line, at
/// most [`MAX_HEAD_BYTES`]) judged as the listener judges it: the valid
/// callback of the sign-in on `port` with callback `path` and `state`
/// gives its [`AuthResponse`]; anything else the status and reason it is
/// answered with. Also returns the request target (empty if unreadable),
/// which the listener logs without its query. Pure: public for the fuzz
/// targets (`fuzz/`) and their corpus test (`docket-fuzz`).
pub fn check_head(
    head: &[u8],
    port: u16,
    path: &str,
    state: &SecretString,
) -> (String, Result<AuthResponse, (u16, &'static str)>) {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let checked = match request.parse(head) {
        Ok(httparse::Status::Complete(_)) => check_request(
            request.method.unwrap_or(""),
            request.path.unwrap_or(""),
            request.headers,
            (port, path, state),
        ),
        Err(httparse::Error::TooManyHeaders) => Err((431, "too many request headers")),
        Ok(httparse::Status::Partial) | Err(_) => Err((400, "malformed request")),
    };
    (request.path.unwrap_or("").to_string(), checked)
}

/// Why a request was not accepted (logged; the query is never logged).
fn check_request(
    method: &str,
    target: &str,
    headers: &[httparse::Header<'_>],
    (port, path, state): (u16, &str, &SecretString),
) -> Result<AuthResponse, (u16, &'static str)> {
    if method != "GET" {
        return Err((400, "only GET is accepted"));
    }
    if target.len() > MAX_URL_BYTES {
        return Err((414, "request too long"));
    }
    let host_ok = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("Host"))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .is_some_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v == format!("localhost:{port}")
                || v == format!("127.0.0.1:{port}")
                || v == format!("[::1]:{port}")
        });
    if !host_ok {
        return Err((
            400,
            "the Host header is not this computer's loopback address",
        ));
    }
    if !target.starts_with('/') {
        return Err((400, "malformed request"));
    }
    let url = url::Url::parse(&format!("http://localhost{target}"))
        .map_err(|_| (400, "malformed request"))?;
    if url.path() != path {
        return Err((400, "not the sign-in callback path"));
    }
    let mut got_state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url.query_pairs() {
        let slot = match k.as_ref() {
            "state" => &mut got_state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.is_some() {
            return Err((400, "a parameter appears twice"));
        }
        *slot = Some(v.into_owned());
    }
    match got_state {
        Some(s) if constant_time_eq(s.as_bytes(), state.expose_secret().as_bytes()) => {}
        Some(_) => return Err((400, "the state does not belong to this sign-in")),
        None => return Err((400, "the state is missing")),
    }
    match (code, error) {
        (_, Some(error)) => Ok(AuthResponse::Error { error, description }),
        (Some(code), None) if !code.is_empty() => {
            Ok(AuthResponse::Code(AuthCode(SecretString::new(code))))
        }
        _ => Err((400, "neither a code nor an error")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(uri: &str, expect: &str) {
        let got = match RedirectConfig::from_uri(uri) {
            // Any port: what the listener sends once bound.
            Ok(c) if c.port == 0 => {
                let l = LoopbackListener::bind(&c).expect("bind");
                let uri = l
                    .redirect_uri()
                    .replace(&format!(":{}/", l.port()), ":<port>/");
                format!("{:?} any-port {uri}", c.host)
            }
            Ok(c) => format!("{:?} {} {}", c.host, c.port, c.path),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expect, "{uri}");
    }

    #[test]
    fn redirect_uris_keep_their_host_and_loopback_ports_are_free() {
        check("http://127.0.0.1:50993/", "Ipv4Loopback 50993 /");
        check(
            "http://localhost:50993/authorize/",
            "Localhost 50993 /authorize/",
        );
        check(
            "http://localhost/",
            "Localhost any-port http://localhost:<port>/",
        );
        check(
            "http://localhost:80/",
            "Localhost any-port http://localhost:<port>/",
        );
        check(
            "http://127.0.0.1/cb",
            "Ipv4Loopback any-port http://127.0.0.1:<port>/cb",
        );
        check("HTTP://LOCALHOST:50993/", "Localhost 50993 /");
        check(
            "https://localhost/x",
            "error: microsoft.redirect_uri \"https://localhost/x\" is not a usable loopback redirect URI: a loopback redirect URI uses http",
        );
        check(
            "http://example.com:80/x",
            "error: microsoft.redirect_uri \"http://example.com:80/x\" is not a usable loopback redirect URI: the host must be localhost or 127.0.0.1",
        );
        check(
            "http://[::1]:50993/",
            "error: microsoft.redirect_uri \"http://[::1]:50993/\" is not a usable loopback redirect URI: the host must be localhost or 127.0.0.1",
        );
    }

    /// `bytes` read in pieces of `piece` bytes (0: all at once): what the
    /// head reader decides, `complete <n bytes>`, `too large (line: b)` or
    /// `waiting`.
    #[track_caller]
    fn check_head_reading(bytes: &[u8], piece: usize, expect: &str) {
        let mut reader = HeadReader::new();
        let pieces: Vec<&[u8]> = if piece == 0 {
            vec![bytes]
        } else {
            bytes.chunks(piece).collect()
        };
        let got =
            pieces
                .into_iter()
                .find_map(|p| reader.push(p))
                .map_or("waiting".to_string(), |h| match h {
                    Head::Complete(h) => format!("complete {}", h.len()),
                    Head::TooLarge { line_complete } => {
                        format!("too large (line: {line_complete})")
                    }
                });
        assert_eq!(got, expect, "read in pieces of {piece}");
    }

    /// A head padded with one header to end exactly at byte `len`.
    fn padded_head(len: usize) -> Vec<u8> {
        let start = b"GET /?code=c&state=s HTTP/1.1\r\nHost: localhost:1\r\nX-Pad: ";
        let mut head = start.to_vec();
        head.resize(len - 4, b'a');
        head.extend_from_slice(b"\r\n\r\n");
        head
    }

    /// However the network cuts the bytes, the same head (or the same
    /// refusal) comes out. A head whose blank line arrived in the read
    /// that crossed 16 KiB used to be taken whole (up to 20 KiB).
    #[test]
    fn a_head_is_judged_by_its_bytes_not_by_how_they_arrive() {
        let short = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /again HTTP/1.1\r\n";
        for piece in [0, 1, 2, 3, 4, 4096] {
            check_head_reading(short, piece, "complete 27");
            check_head_reading(&short[..25], piece, "waiting");
            check_head_reading(&padded_head(MAX_HEAD_BYTES), piece, "complete 16384");
        }
        for piece in [0, 1, 3, 4096, 5000] {
            check_head_reading(
                &padded_head(MAX_HEAD_BYTES + 1),
                piece,
                "too large (line: true)",
            );
            check_head_reading(&padded_head(17_000), piece, "too large (line: true)");
            check_head_reading(&[b'a'; 20_000], piece, "too large (line: false)");
        }
    }
}

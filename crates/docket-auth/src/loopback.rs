//! The loopback redirect listener (RFC 8252 §7.3): a `tiny_http` server on
//! `127.0.0.1` that waits for exactly one valid authorization callback.
//!
//! - Bound to 127.0.0.1 only; the redirect URI says `localhost` because
//!   that is what the Azure portal accepts for "Mobile and desktop
//!   applications", and Entra ignores the port of loopback redirect URIs.
//! - Port: `0` lets the OS choose a free port for each sign-in; a fixed
//!   port (Web-platform registrations need the exact URI) that is in use is
//!   a clear error naming the setting `microsoft.redirect_port`.
//! - A request on another path, without the expected `state`, with a
//!   `Host` header that is not loopback (DNS rebinding) or with an
//!   oversized URL is answered 400/414, logged without its query (which may
//!   hold a code), and the listener keeps waiting for the real callback.
//! - The valid callback is handed back together with a [`Responder`]; the
//!   browser gets its answer only when the caller completes it, i.e. after
//!   the code was redeemed. Later requests get "already received".
//! - It gives up after the timeout, and closes the port before returning.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use docket_secrets::SecretString;
use tokio::sync::oneshot;

use crate::pages;
use crate::problem::Problem;

/// The longest request target accepted (Entra's callbacks are ~1–2 KB).
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// How long the browser's request is held open for the caller to redeem
/// the code before it is answered with a generic failure.
const RESPONDER_GRACE: Duration = Duration::from_secs(120);
const TICK: Duration = Duration::from_millis(50);

/// Where the listener listens: `port` 0 = OS-chosen free port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectConfig {
    pub port: u16,
    /// Starts with `/`, e.g. `/` (the default: public-client
    /// registrations list `http://localhost`, and Entra matches the path
    /// exactly) or `/authorize/`.
    pub path: String,
}

impl Default for RedirectConfig {
    fn default() -> Self {
        RedirectConfig {
            port: 0,
            path: "/".into(),
        }
    }
}

impl RedirectConfig {
    /// From an explicit redirect URI such as `http://localhost:50993/authorize/`.
    pub fn from_uri(uri: &str) -> Result<RedirectConfig, ListenError> {
        let bad = |reason: &str| ListenError::BadRedirectUri {
            uri: uri.to_string(),
            reason: reason.to_string(),
        };
        let url = url::Url::parse(uri).map_err(|e| bad(&e.to_string()))?;
        if url.scheme() != "http" {
            return Err(bad("a loopback redirect URI uses http"));
        }
        match url.host_str() {
            Some("localhost") | Some("127.0.0.1") => {}
            _ => return Err(bad("the host must be localhost or 127.0.0.1")),
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("no query or fragment allowed"));
        }
        Ok(RedirectConfig {
            port: url.port().unwrap_or(80),
            path: url.path().to_string(),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error(
        "port {port} on 127.0.0.1 is already in use, so the sign-in cannot receive Microsoft's answer; \
         close the program using it or change microsoft.redirect_port (and the redirect URI registered \
         for the app) to a free port"
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

/// What the valid callback carried.
#[derive(Debug)]
pub enum Outcome {
    Code(AuthCode),
    /// `error=` (e.g. `access_denied`), with Entra's description.
    Error {
        error: String,
        description: Option<String>,
    },
}

/// The valid callback: its outcome and the browser's pending request.
#[derive(Debug)]
pub struct Callback {
    pub outcome: Outcome,
    pub responder: Responder,
}

/// The browser's request for the valid callback, answered by the caller
/// once it knows the result. Dropped unanswered, it answers "did not
/// complete" (never "success").
pub struct Responder {
    request: Option<tiny_http::Request>,
    /// Dropped once the browser is answered: the worker stops serving.
    done: Option<mpsc::Sender<()>>,
    /// Fires when the worker has closed the port.
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
        self.send(200, pages::success(account));
        self.closed().await;
    }

    /// What went wrong, in English and German.
    pub async fn failure(mut self, problem: &Problem) {
        self.send(200, pages::failure(problem));
        self.closed().await;
    }

    /// A failure with a plain explanation.
    pub async fn failure_text(mut self, en: &str, de: &str) {
        self.send(200, pages::failure_text(en, de));
        self.closed().await;
    }

    fn send(&mut self, status: u16, html: String) {
        if let Some(request) = self.request.take() {
            let _ = request.respond(html_response(status, html));
        }
        self.done.take();
    }

    async fn closed(&mut self) {
        if let Some(closed) = self.closed.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), closed).await;
        }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if self.request.is_none() {
            return;
        }
        self.send(
            200,
            pages::failure_text(
                "Docket Sync stopped before the sign-in was finished. Start the sign-in again.",
                "Docket Sync wurde beendet, bevor die Anmeldung abgeschlossen war. Starten Sie die Anmeldung erneut.",
            ),
        );
    }
}

fn html_response(status: u16, html: String) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let header = |k: &str, v: &str| {
        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("static header")
    };
    tiny_http::Response::from_string(html)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("Referrer-Policy", "no-referrer"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

/// A bound loopback listener, not yet serving.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
    path: String,
}

impl LoopbackListener {
    /// Bind `127.0.0.1:<port>` (0: OS-chosen).
    pub fn bind(config: &RedirectConfig) -> Result<LoopbackListener, ListenError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                ListenError::PortInUse { port: config.port }
            } else {
                ListenError::Bind {
                    port: config.port,
                    source: e,
                }
            }
        })?;
        Self::from_listener(listener, &config.path)
    }

    /// Serve on an already bound listener (tests, socket activation).
    pub fn from_listener(
        listener: TcpListener,
        path: &str,
    ) -> Result<LoopbackListener, ListenError> {
        let port = listener
            .local_addr()
            .map_err(|e| ListenError::Server(e.to_string()))?
            .port();
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        Ok(LoopbackListener {
            listener,
            port,
            path,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://localhost:<port><path>`: what to send as `redirect_uri`.
    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}{}", self.port, self.path)
    }

    /// Wait for the callback carrying `state`, at most `timeout`, or until
    /// `shutdown` completes. Returns only after the port is closed when it
    /// fails; on success the port closes once the responder is answered.
    pub async fn wait(
        self,
        state: &str,
        timeout: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<Callback, ListenError> {
        let (tx, rx) = oneshot::channel();
        let state = SecretString::new(state);
        let port = self.port;
        let path = self.path;
        let server = tiny_http::Server::from_listener(self.listener, None)
            .map_err(|e| ListenError::Server(e.to_string()))?;
        let worker = std::thread::Builder::new()
            .name("docket-auth-loopback".into())
            .spawn(move || serve(server, port, &path, &state, timeout, tx))
            .map_err(|e| ListenError::Server(e.to_string()))?;
        let result = tokio::select! {
            r = rx => r.unwrap_or(Err(ListenError::Server("listener stopped".into()))),
            () = shutdown => Err(ListenError::Cancelled),
        };
        if result.is_err() {
            // The worker sees the closed channel within a tick and closes
            // the port; wait for that so that "failed" means "port free".
            let _ = tokio::task::spawn_blocking(move || worker.join()).await;
        }
        result
    }
}

/// Why a request was not accepted (logged; the query is never logged).
fn check_request(
    request: &tiny_http::Request,
    port: u16,
    path: &str,
    state: &SecretString,
) -> Result<Outcome, (u16, &'static str)> {
    if *request.method() != tiny_http::Method::Get {
        return Err((400, "only GET is accepted"));
    }
    if request.url().len() > MAX_URL_BYTES {
        return Err((414, "request too long"));
    }
    let host_ok = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .is_some_and(|h| {
            let v = h.value.as_str().to_ascii_lowercase();
            v == format!("localhost:{port}") || v == format!("127.0.0.1:{port}")
        });
    if !host_ok {
        return Err((
            400,
            "the Host header is not this computer's loopback address",
        ));
    }
    let url = url::Url::parse(&format!("http://localhost{}", request.url()))
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
        (_, Some(error)) => Ok(Outcome::Error { error, description }),
        (Some(code), None) if !code.is_empty() => {
            Ok(Outcome::Code(AuthCode(SecretString::new(code))))
        }
        _ => Err((400, "neither a code nor an error")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn reject(request: tiny_http::Request, status: u16, reason: &str) {
    // The path only: the query may carry an authorization code.
    let path = request.url().split('?').next().unwrap_or("");
    let path: String = path.chars().take(200).collect();
    tracing::warn!(%path, status, reason, "rejected a request on the sign-in listener");
    let _ = request.respond(html_response(status, pages::rejected(reason)));
}

fn serve(
    server: tiny_http::Server,
    port: u16,
    path: &str,
    state: &SecretString,
    timeout: Duration,
    tx: oneshot::Sender<Result<Callback, ListenError>>,
) {
    let deadline = Instant::now() + timeout;
    let done = loop {
        if tx.is_closed() {
            break None;
        }
        let now = Instant::now();
        if now >= deadline {
            close(server, port);
            let _ = tx.send(Err(ListenError::TimedOut(timeout)));
            return;
        }
        match server.recv_timeout(TICK.min(deadline - now)) {
            Ok(Some(request)) => match check_request(&request, port, path, state) {
                Ok(outcome) => {
                    let (done_tx, done_rx) = mpsc::channel();
                    let (closed_tx, closed_rx) = oneshot::channel();
                    let callback = Callback {
                        outcome,
                        responder: Responder {
                            request: Some(request),
                            done: Some(done_tx),
                            closed: Some(closed_rx),
                        },
                    };
                    match tx.send(Ok(callback)) {
                        Ok(()) => break Some((done_rx, closed_tx)),
                        Err(_) => break None,
                    }
                }
                Err((status, reason)) => reject(request, status, reason),
            },
            Ok(None) => {}
            Err(e) => {
                close(server, port);
                let _ = tx.send(Err(ListenError::Server(e.to_string())));
                return;
            }
        }
    };
    // One valid callback is in the caller's hands: answer anything else
    // with "already received" until the caller has answered the browser.
    if let Some((done_rx, closed_tx)) = done {
        let until = Instant::now() + RESPONDER_GRACE;
        while Instant::now() < until {
            if let Err(mpsc::RecvTimeoutError::Disconnected) = done_rx.recv_timeout(Duration::ZERO)
            {
                break;
            }
            if let Ok(Some(request)) = server.recv_timeout(TICK) {
                reject(request, 400, "this sign-in has already received its answer");
            }
        }
        close(server, port);
        let _ = closed_tx.send(());
        return;
    }
    close(server, port);
}

/// Drop the server and wait (bounded) until the port no longer accepts:
/// tiny_http closes its socket on its own accept thread.
fn close(server: tiny_http::Server, port: u16) {
    drop(server);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Err(_) => return,
            Ok(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

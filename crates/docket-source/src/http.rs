//! What the network sources share: the blocking HTTPS client (made by
//! `docket-http`, with its redirect policy chosen here), the credential, reading a body under the size limit, and
//! every failure turned into plain words with the fix.
//!
//! **No secret leaves here**: the password or token goes only into the
//! `Authorization` header (marked sensitive by reqwest); problem texts
//! name the URL (which never holds credentials: the configuration rejects
//! `user:password@`) and the user name, never the password.

use std::io::Read;
use std::time::Duration;

use docket_secrets::SecretString;
use docket_text::{Action, Message};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;

use crate::model::{ItemProblem, ProblemKind, Snapshot};

/// How the source proves itself to the PMS's web server. The secret comes
/// from the OS keyring; `None` there means none is stored yet, which is
/// reported as a problem before any request is sent.
#[derive(Debug, Clone)]
pub enum HttpAuth {
    /// No credential.
    None,
    /// HTTP Basic (RFC 7617).
    Basic {
        username: String,
        password: Option<SecretString>,
    },
    /// `Authorization: Bearer` (RFC 6750).
    Bearer { token: Option<SecretString> },
}

impl HttpAuth {
    fn username(&self) -> Option<&str> {
        match self {
            HttpAuth::Basic { username, .. } => Some(username),
            _ => None,
        }
    }

    /// The user name, for cache identity and messages (never a secret).
    pub(crate) fn identity(&self) -> String {
        match self {
            HttpAuth::None => "none".into(),
            HttpAuth::Basic { username, .. } => format!("basic:{username}"),
            HttpAuth::Bearer { .. } => "bearer".into(),
        }
    }
}

/// Network settings of a source besides the credential.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// PEM certificates trusted in addition to the system's roots (the
    /// firm's `microsoft.extra_ca_file`: a TLS-inspecting proxy, an
    /// in-house CA).
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Connecting gives up after this long.
    pub connect_timeout: Duration,
    /// One whole request gives up after this long.
    pub timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> HttpSettings {
        HttpSettings {
            extra_ca_pem: None,
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Why one request (or a whole collection read) failed: the reason as a
/// message (area `source`) and the fix as an action. `key` is the
/// configuration key that holds the URL.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// No password (`auth = "basic"`) or token (`"bearer"`) is stored.
    NoCredential { auth: &'static str },
    /// The HTTPS client could not be built (the extra CA file).
    Client(Message),
    Transport {
        url: String,
        key: &'static str,
        detail: Message,
    },
    /// An answer that is not what the request wanted (a status, a web
    /// page, something that is not DAV).
    Answer { reason: Message, fix: Action },
    TooLarge {
        url: String,
        /// Bytes.
        limit: u64,
    },
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::model::english().render(&self.reason()))
    }
}

impl std::error::Error for FetchError {}

impl FetchError {
    pub(crate) fn kind(&self) -> ProblemKind {
        match self {
            FetchError::TooLarge { .. } => ProblemKind::TooLarge,
            _ => ProblemKind::Unreadable,
        }
    }

    /// An answer problem whose fix is IT's: the PMS server or a key.
    pub(crate) fn answer(reason: Message, fix: Action) -> FetchError {
        FetchError::Answer { reason, fix }
    }

    pub(crate) fn reason(&self) -> Message {
        match self {
            FetchError::NoCredential { auth } => {
                Message::new("source-no-credential").text("auth", *auth)
            }
            FetchError::Client(detail) => {
                Message::new("source-https-client").message("error", detail.clone())
            }
            FetchError::Transport { url, key, detail } => Message::new("source-unreachable")
                .text("url", url.as_str())
                .text("key", *key)
                .message("detail", detail.clone()),
            FetchError::Answer { reason, .. } => reason.clone(),
            FetchError::TooLarge { url, limit } => Message::new("source-answer-too-large")
                .text("url", url.as_str())
                .bytes("limit", *limit),
        }
    }

    pub(crate) fn fix(&self) -> Action {
        match self {
            FetchError::NoCredential { .. } => Action::SetSourceCredential,
            FetchError::Client(_) => Action::EditConfig {
                key: "microsoft.extra_ca_file".into(),
            },
            FetchError::Transport { .. } => Action::CheckNetwork,
            FetchError::Answer { fix, .. } => fix.clone(),
            FetchError::TooLarge { .. } => Action::CheckSource,
        }
    }

    /// This failure as a snapshot problem about `source` (a URL).
    pub(crate) fn problem(&self, source: &str, record: &str) -> ItemProblem {
        ItemProblem {
            source: source.to_owned(),
            record: record.to_owned(),
            uid: None,
            kind: self.kind(),
            reason: self.reason(),
            fix: Some(self.fix()),
        }
    }

    /// An incomplete, empty snapshot that says what failed.
    pub(crate) fn snapshot(&self, source: &str, record: &str) -> Snapshot {
        let mut snapshot = Snapshot::empty();
        snapshot.complete = false;
        snapshot.problems.push(self.problem(source, record));
        snapshot
    }
}

/// A client and the credential, counting the requests sent.
pub(crate) struct Conn<'a> {
    client: Client,
    auth: &'a HttpAuth,
    pub(crate) requests: u32,
}

impl<'a> Conn<'a> {
    /// Builds the client (blocking: call only outside an async runtime,
    /// e.g. in `spawn_blocking`) and checks that the credential is there.
    pub(crate) fn new(
        settings: &HttpSettings,
        auth: &'a HttpAuth,
        follow_redirects: bool,
    ) -> Result<Conn<'a>, FetchError> {
        match auth {
            HttpAuth::Basic { password: None, .. } => {
                return Err(FetchError::NoCredential { auth: "basic" })
            }
            HttpAuth::Bearer { token: None } => {
                return Err(FetchError::NoCredential { auth: "bearer" })
            }
            _ => {}
        }
        // Redirects: a DAV method must not silently turn into a GET, and a
        // feed may move only within its own server (reqwest also drops the
        // Authorization header when a redirect changes host).
        let redirects = if follow_redirects {
            docket_http::Redirects::SameOrigin { max: 5 }
        } else {
            docket_http::Redirects::None
        };
        let client = docket_http::blocking_client(&docket_http::Options {
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            extra_ca_pem: settings.extra_ca_pem.as_deref(),
            redirects,
        })
        .map_err(|e| {
            FetchError::Client(match e {
                docket_http::BuildError::ExtraCa(e) => {
                    Message::new("source-extra-ca-unreadable").text("error", e.to_string())
                }
                docket_http::BuildError::Client(e) => {
                    Message::new("source-detail").text("text", e.to_string())
                }
            })
        })?;
        Ok(Conn {
            client,
            auth,
            requests: 0,
        })
    }

    /// A request with the credential attached.
    pub(crate) fn request(&self, method: &str, url: &str) -> Result<RequestBuilder, FetchError> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| {
            FetchError::Client(Message::new("source-detail").text("text", e.to_string()))
        })?;
        let builder = self.client.request(method, url);
        Ok(match self.auth {
            HttpAuth::None => builder,
            HttpAuth::Basic { username, password } => {
                builder.basic_auth(username, password.as_ref().map(SecretString::expose_secret))
            }
            HttpAuth::Bearer { token } => match token {
                Some(t) => builder.bearer_auth(t.expose_secret()),
                None => builder,
            },
        })
    }

    /// Sends `request`; a transport failure is described with `key`.
    pub(crate) fn send(
        &mut self,
        request: RequestBuilder,
        url: &str,
        key: &'static str,
    ) -> Result<Response, FetchError> {
        self.requests += 1;
        request.send().map_err(|e| FetchError::Transport {
            url: url.to_owned(),
            key,
            detail: transport_detail(&e),
        })
    }

    /// The failure for a status that is not what the caller expected.
    pub(crate) fn status_error(&self, response: &Response, key: &'static str) -> FetchError {
        status_error(response, self.auth, key)
    }
}

/// The innermost cause of a transport error, without the URL (which the
/// message names separately).
fn transport_detail(e: &reqwest::Error) -> Message {
    if e.is_timeout() {
        return Message::new("source-timeout");
    }
    let mut innermost: &dyn std::error::Error = e;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    let text = innermost.to_string();
    if docket_http::is_certificate_error(e) {
        Message::new("source-untrusted-certificate").text("error", text)
    } else {
        Message::new("source-detail").text("text", text)
    }
}

/// A status the caller did not expect: the reason and the fix.
pub(crate) fn status_error(response: &Response, auth: &HttpAuth, key: &'static str) -> FetchError {
    let status = response.status();
    let code = i64::from(status.as_u16());
    let url = crate::url_source::redact_url(response.url().as_str());
    let at = |id: &str| Message::new(id).text("url", url.as_str());
    let edit = Action::EditConfig { key: key.into() };
    let (reason, fix) = match status {
        StatusCode::UNAUTHORIZED => match auth {
            HttpAuth::None => (
                at("source-credential-wanted"),
                Action::EditConfig {
                    key: "source.auth".into(),
                },
            ),
            HttpAuth::Basic { username, .. } => (
                Message::new("source-password-refused").text("user", username.as_str()),
                Action::SetSourceCredential,
            ),
            HttpAuth::Bearer { .. } => (
                Message::new("source-token-refused"),
                Action::SetSourceCredential,
            ),
        },
        StatusCode::FORBIDDEN => {
            let reason = match auth.username() {
                Some(u) => at("source-forbidden-user").text("user", u),
                None => at("source-forbidden"),
            };
            (reason.text("key", key), Action::CheckSource)
        }
        StatusCode::NOT_FOUND | StatusCode::GONE => (
            at("source-not-found").number("code", code).text("key", key),
            edit,
        ),
        s if s.is_redirection() => {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            let reason = match to {
                Some(to) => at("source-redirected").text("to", to),
                None => at("source-redirected-nowhere"),
            };
            (reason.number("code", code).text("key", key), edit)
        }
        s if s.is_server_error() => (at("source-server-error").number("code", code), Action::Wait),
        s => (
            at("source-unexpected-status")
                .number("code", code)
                .text("reason", s.canonical_reason().unwrap_or(""))
                .text("key", key),
            edit,
        ),
    };
    FetchError::answer(reason, fix)
}

/// The body, or `TooLarge` when it is over `limit` bytes.
pub(crate) fn read_body(
    response: Response,
    limit: u64,
    key: &'static str,
) -> Result<Vec<u8>, FetchError> {
    let url = crate::url_source::redact_url(response.url().as_str());
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(FetchError::TooLarge { url, limit });
    }
    let mut body = Vec::new();
    response
        .take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| FetchError::Transport {
            url: url.clone(),
            key,
            detail: Message::new("source-answer-broke-off").text("error", e.to_string()),
        })?;
    if body.len() as u64 > limit {
        return Err(FetchError::TooLarge { url, limit });
    }
    Ok(body)
}

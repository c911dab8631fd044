//! What the network sources share: the blocking HTTPS client (rustls, the
//! extra CA), the credential, reading a body under the size limit, and
//! every failure turned into plain words with the fix.
//!
//! **No secret leaves here**: the password or token goes only into the
//! `Authorization` header (marked sensitive by reqwest); problem texts
//! name the URL (which never holds credentials: the configuration rejects
//! `user:password@`) and the user name, never the password.

use std::io::Read;
use std::time::Duration;

use docket_secrets::SecretString;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;

use crate::model::{ItemProblem, ProblemKind, Snapshot};
use crate::options::megabytes;

/// The command that stores the source credential (in every fix text).
pub const SET_CREDENTIAL: &str = "docketsync source-credential set";

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

/// Why one request (or a whole collection read) failed, in plain words
/// with the fix. `key` is the configuration key that holds the URL.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error(
        "no {what} is stored for the PMS server (source.auth = \"{auth}\"); store it with \
         `{SET_CREDENTIAL}`"
    )]
    NoCredential {
        what: &'static str,
        auth: &'static str,
    },
    #[error("the HTTPS client could not be set up: {0}; check microsoft.extra_ca_file")]
    Client(String),
    #[error(
        "cannot reach the PMS server at {url}: {detail}; check the network connection and {key}"
    )]
    Transport {
        url: String,
        key: &'static str,
        detail: String,
    },
    #[error("{0}")]
    Status(String),
    #[error(
        "the answer from {url} is over the {limit} limit; not read (ask the PMS administrator \
         to split the data)"
    )]
    TooLarge { url: String, limit: String },
    #[error("{0}")]
    Protocol(String),
}

impl FetchError {
    pub(crate) fn kind(&self) -> ProblemKind {
        match self {
            FetchError::TooLarge { .. } => ProblemKind::TooLarge,
            _ => ProblemKind::Unreadable,
        }
    }

    /// This failure as a snapshot problem about `source` (a URL).
    pub(crate) fn problem(&self, source: &str, record: &str) -> ItemProblem {
        ItemProblem {
            source: source.to_owned(),
            record: record.to_owned(),
            uid: None,
            kind: self.kind(),
            problem: self.to_string(),
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
                return Err(FetchError::NoCredential {
                    what: "password",
                    auth: "basic",
                })
            }
            HttpAuth::Bearer { token: None } => {
                return Err(FetchError::NoCredential {
                    what: "token",
                    auth: "bearer",
                })
            }
            _ => {}
        }
        // reqwest is built without a default provider (no aws-lc-rs).
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Redirects: a DAV method must not silently turn into a GET, and a
        // feed may move only within its own server (reqwest also drops the
        // Authorization header when a redirect changes host).
        let redirect = if follow_redirects {
            reqwest::redirect::Policy::custom(|attempt| {
                let same_origin = attempt
                    .previous()
                    .first()
                    .is_some_and(|first| first.origin() == attempt.url().origin());
                if attempt.previous().len() > 5 || !same_origin {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            })
        } else {
            reqwest::redirect::Policy::none()
        };
        let mut builder = Client::builder()
            .redirect(redirect)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("DocketSync/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &settings.extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| FetchError::Client(format!("the extra CA file: {e}")))?;
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Conn {
            client,
            auth,
            requests: 0,
        })
    }

    /// A request with the credential attached.
    pub(crate) fn request(&self, method: &str, url: &str) -> Result<RequestBuilder, FetchError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| FetchError::Client(e.to_string()))?;
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
fn transport_detail(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "the server did not answer in time".into();
    }
    let mut innermost: &dyn std::error::Error = e;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    let text = innermost.to_string();
    if text.contains("certificate") || text.contains("UnknownIssuer") {
        format!(
            "the server's certificate is not trusted ({text}); if the firm uses its own \
             certificate authority, IT sets microsoft.extra_ca_file"
        )
    } else {
        text
    }
}

/// A status the caller did not expect, in plain words with the fix.
pub(crate) fn status_error(response: &Response, auth: &HttpAuth, key: &'static str) -> FetchError {
    let status = response.status();
    let code = status.as_u16();
    let url = crate::url_source::redact_url(response.url().as_str());
    let text = match status {
        StatusCode::UNAUTHORIZED => match auth {
            HttpAuth::None => format!(
                "the PMS server at {url} asks for a credential (HTTP 401), but source.auth is \
                 \"none\"; IT sets source.auth (and source.username) in the firm configuration, \
                 then store the credential with `{SET_CREDENTIAL}`"
            ),
            HttpAuth::Basic { username, .. } => format!(
                "the PMS server refused the credential (HTTP 401): the password for user \
                 '{username}' is wrong or has expired; set it with `{SET_CREDENTIAL}`"
            ),
            HttpAuth::Bearer { .. } => format!(
                "the PMS server refused the credential (HTTP 401): the token is wrong or has \
                 expired; set it with `{SET_CREDENTIAL}`"
            ),
        },
        StatusCode::FORBIDDEN => {
            let who = auth
                .username()
                .map(|u| format!("user '{u}'"))
                .unwrap_or_else(|| "this credential".into());
            format!(
                "the PMS server does not let {who} read {url} (HTTP 403); ask the PMS \
                 administrator for access, or correct {key}"
            )
        }
        StatusCode::NOT_FOUND | StatusCode::GONE => format!(
            "{url} does not exist on the PMS server (HTTP {code}); correct {key} (the PMS \
             administrator knows the address)"
        ),
        s if s.is_redirection() => {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("another address");
            format!(
                "the PMS server sends {url} on to {to} (HTTP {code}); set {key} to that address"
            )
        }
        s if s.is_server_error() => format!(
            "the PMS server at {url} had an error (HTTP {code}); Docket Sync tries again at \
             the next sync; if this goes on, tell the PMS administrator"
        ),
        s => format!(
            "the PMS server answered {url} with HTTP {code} {}; check {key}",
            s.canonical_reason().unwrap_or("")
        ),
    };
    FetchError::Status(text.trim_end().to_owned())
}

/// The body, or `TooLarge` when it is over `limit` bytes.
pub(crate) fn read_body(
    response: Response,
    limit: u64,
    key: &'static str,
) -> Result<Vec<u8>, FetchError> {
    let url = crate::url_source::redact_url(response.url().as_str());
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(FetchError::TooLarge {
            url,
            limit: megabytes(limit),
        });
    }
    let mut body = Vec::new();
    response
        .take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| FetchError::Transport {
            url: url.clone(),
            key,
            detail: format!("the answer broke off: {e}"),
        })?;
    if body.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            url,
            limit: megabytes(limit),
        });
    }
    Ok(body)
}

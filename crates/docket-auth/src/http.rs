//! The HTTP client for the token endpoint: reqwest on rustls with the
//! `ring` provider (built by `docket-http`), no redirects (RFC 6749 §5.2 answers are never
//! redirects; following one would leak the request), and an adapter for
//! `oauth2`'s "bring your own client" interface.
//!
//! The adapter hands only HTTP 200 to `oauth2` for parsing. Any other
//! status comes back as [`HttpError::Status`] with the raw body, because
//! `oauth2` drops the status code and the classifier needs it (a 503 is an
//! outage whatever its body says).

use std::time::Duration;

use oauth2::{HttpRequest, HttpResponse};

use crate::problem::TransportKind;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("the request to Microsoft failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// A non-200 answer; the body is Entra's error JSON (no secrets).
    #[error("Microsoft answered HTTP {status}")]
    Status { status: u16, body: Vec<u8> },
    #[error("the request could not be built: {0}")]
    Build(String),
    /// The answer was longer than [`MAX_RESPONSE_BYTES`]; reading stopped
    /// there (a token response is 2–8 KB; this is a proxy or a fault).
    #[error("Microsoft's answer was larger than {limit} bytes and was not read")]
    TooLarge { limit: usize },
}

/// The longest token-endpoint answer read (headers excluded). Entra's
/// token responses are a few KB (two JWTs and a refresh token); capping
/// the body keeps a hostile proxy or a fault from growing memory.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

impl HttpError {
    /// How the transport failed, for the classifier.
    pub fn transport_kind(error: &reqwest::Error) -> TransportKind {
        if error.is_timeout() {
            return TransportKind::Timeout;
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = source {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                use std::io::ErrorKind::*;
                match io.kind() {
                    ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                        return TransportKind::ConnectionReset
                    }
                    TimedOut => return TransportKind::Timeout,
                    _ => {}
                }
            }
            source = e.source();
        }
        if error.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        }
    }
}

/// Build the client (with the product's one builder, `docket-http`): no
/// redirects, a 15 s connect timeout and the token request's timeout.
/// `extra_ca_pem`: certificates trusted in addition to the platform's roots
/// (`microsoft.extra_ca_file`, e.g. a TLS-inspecting proxy, or the
/// emulator's CA).
pub fn client(extra_ca_pem: Option<&[u8]>) -> Result<reqwest::Client, BuildError> {
    docket_http::client(&docket_http::Options {
        connect_timeout: Duration::from_secs(15),
        // The same constant sizes the cross-process token lock's wait.
        timeout: crate::tokens::TOKEN_REQUEST_TIMEOUT,
        extra_ca_pem,
        redirects: docket_http::Redirects::None,
    })
}

/// Why [`client`] could not build a client (kept as data: the app words it).
pub use docket_http::BuildError;

/// Send one `oauth2` request with `client`.
pub async fn send(
    client: &reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, HttpError> {
    let request =
        reqwest::Request::try_from(request).map_err(|e| HttpError::Build(e.to_string()))?;
    let response = client
        .execute(request)
        .await
        .map_err(HttpError::Transport)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_capped(response, MAX_RESPONSE_BYTES).await?;
    if status != reqwest::StatusCode::OK {
        return Err(HttpError::Status {
            status: status.as_u16(),
            body,
        });
    }
    let mut out = oauth2::http::Response::builder().status(status.as_u16());
    if let Some(h) = out.headers_mut() {
        *h = headers;
    }
    out.body(body).map_err(|e| HttpError::Build(e.to_string()))
}

/// The body, chunk by chunk, failing as soon as it exceeds `limit` (a
/// declared `Content-Length` over the limit fails before reading).
async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, HttpError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(HttpError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(HttpError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(HttpError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `oauth2`'s client interface over [`send`]. (A named type rather than a
/// closure keeps the futures `Send`.)
pub(crate) struct OAuthHttp<'a>(pub &'a reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(self.0, request))
    }
}

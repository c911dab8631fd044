//! The one way the product builds an HTTP client.
//!
//! Every client that talks to Microsoft (token endpoint, Graph) or to the
//! PMS is made here, so that all of them agree on:
//! - TLS: rustls with the `ring` provider (reqwest is built without a
//!   default provider, so no aws-lc-rs), the platform's roots plus the
//!   firm's extra CA file (`microsoft.extra_ca_file`: a TLS-inspecting
//!   proxy, an in-house CA, the emulator's CA);
//! - a connect timeout and a whole-request timeout, always both;
//! - the user agent `DocketSync/<version>`;
//! - an explicit redirect policy ([`Redirects`]): none by default.
//!
//! [`client`] gives reqwest's async client (`docket-auth`'s token client,
//! which Graph shares), [`blocking_client`] (feature `blocking`) the
//! blocking one with exactly the same settings (`docket-source`'s PMS
//! reader, which runs on plain threads).
//!
//! [`is_certificate_error`] tells, from the error types in a failure's
//! source chain and never from its text, whether TLS refused the server's
//! certificate (the case the firm's extra CA file fixes).
//!
//! The emulator builds its own clients: it never depends on product crates.

use std::time::Duration;

/// What every product request says it is.
pub const USER_AGENT: &str = concat!("DocketSync/", env!("CARGO_PKG_VERSION"));

/// Which redirects a client follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// None: a redirect is answered as it is (token endpoint, Graph, DAV
    /// methods that must not silently turn into a GET).
    None,
    /// At most `max` hops, each to the origin of the first request (a feed
    /// may move within its own server, never to another one).
    SameOrigin { max: usize },
}

/// The settings of one client.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Connecting gives up after this long.
    pub connect_timeout: Duration,
    /// One whole request (connect, send, read the answer) gives up after
    /// this long.
    pub timeout: Duration,
    /// PEM certificates trusted in addition to the platform's roots.
    pub extra_ca_pem: Option<&'a [u8]>,
    pub redirects: Redirects,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The extra CA file holds no readable PEM certificate.
    #[error("extra CA file: {0}")]
    ExtraCa(#[source] reqwest::Error),
    #[error("{0}")]
    Client(#[source] reqwest::Error),
}

fn redirect_policy(r: Redirects) -> reqwest::redirect::Policy {
    match r {
        Redirects::None => reqwest::redirect::Policy::none(),
        Redirects::SameOrigin { max } => reqwest::redirect::Policy::custom(move |attempt| {
            let same_origin = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            if attempt.previous().len() > max || !same_origin {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }),
    }
}

fn extra_certs(pem: Option<&[u8]>) -> Result<Vec<reqwest::Certificate>, BuildError> {
    match pem {
        Some(pem) => reqwest::Certificate::from_pem_bundle(pem).map_err(BuildError::ExtraCa),
        None => Ok(Vec::new()),
    }
}

/// Make `ring` the process's rustls provider unless one was chosen.
fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The same settings on either of reqwest's builders (their methods have
/// the same names but the types differ).
macro_rules! configure {
    ($builder:expr, $opts:expr) => {{
        let opts: &Options<'_> = $opts;
        install_provider();
        let certs = extra_certs(opts.extra_ca_pem)?;
        let mut builder = $builder
            .redirect(redirect_policy(opts.redirects))
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .user_agent(USER_AGENT);
        if !certs.is_empty() {
            builder = builder.tls_certs_merge(certs);
        }
        builder.build().map_err(BuildError::Client)
    }};
}

/// An async client with `opts`.
pub fn client(opts: &Options<'_>) -> Result<reqwest::Client, BuildError> {
    configure!(reqwest::Client::builder(), opts)
}

/// A blocking client with `opts` (call it outside an async runtime, as
/// reqwest requires).
#[cfg(feature = "blocking")]
pub fn blocking_client(opts: &Options<'_>) -> Result<reqwest::blocking::Client, BuildError> {
    configure!(reqwest::blocking::Client::builder(), opts)
}

/// Whether TLS refused the server's certificate somewhere in `e`'s source
/// chain (not trusted, expired, for another name, none at all): a
/// `rustls::Error::InvalidCertificate` or `NoCertificatesPresented`, also
/// inside an `io::Error` (whose `source()` skips the error it wraps).
/// Decided by the errors' types, never by their text; another TLS failure
/// (a server that speaks no TLS, a refused handshake) is not one.
pub fn is_certificate_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            );
        }
        let wrapped = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        if let Some(inner) = wrapped {
            if is_certificate_error(inner) {
                return true;
            }
        }
        next = err.source();
    }
    false
}

#[cfg(test)]
mod tests;

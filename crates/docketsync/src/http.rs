//! The one way this binary builds an HTTP client: rustls with the `ring`
//! provider, the system's trust roots, plus the config's `extra_ca_file`.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

/// A client with `timeout` for the whole request that also trusts the
/// certificates in `extra_ca_file` (PEM).
pub fn client(extra_ca_file: Option<&Path>, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    // Another part of the process may have installed it already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("DocketSync/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = extra_ca_file {
        let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .with_context(|| format!("{} is not a PEM certificate bundle", path.display()))?;
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().context("cannot set up the HTTPS client")
}

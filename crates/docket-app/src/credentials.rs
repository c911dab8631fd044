//! Secrets the app stores besides the sign-in: the confidential client's
//! secret and the PMS server's credential, and which secret store the app
//! opens.

use docket_config::{ClientType, Config};
use docket_paths::Paths;
use docket_secrets::{SecretStore, SecretString, StoreError};

use crate::{App, AppError};

/// Where the PMS credential (`source.auth` basic/bearer) lives in the
/// secret store: app-wide like the client secret (the user name is the
/// firm's `source.username`), so it can be set before the first sign-in
/// and survives sign-out.
pub fn source_credential_key(config: &Config) -> docket_secrets::EntryKey {
    docket_secrets::EntryKey {
        tenant: config.microsoft.tenant.to_string(),
        client_id: config.microsoft.client_id.to_string(),
        user: String::new(),
        kind: docket_secrets::SecretKind::SourceCredential,
    }
}

/// The source's `source.auth`, if it uses one (`None`: no credential).
pub(crate) fn source_auth(config: &Config) -> Option<docket_config::SourceAuth> {
    match &config.source {
        docket_config::Source::IcsUrl { auth, .. } | docket_config::Source::CalDav { auth, .. } => {
            Some(*auth).filter(|a| *a != docket_config::SourceAuth::None)
        }
        _ => None,
    }
}

/// The secret store the app uses for `config` (also what `doctor` checks).
/// In the demo's home (`docket-paths`' `is_demo_home`, with the opt-in
/// the demo's config has): its own plaintext file, never the OS keyring,
/// where the real account's sign-in is. Elsewhere `open_default`.
pub(crate) fn open_secret_store(
    config: &Config,
    paths: &Paths,
) -> Result<Box<dyn SecretStore>, StoreError> {
    let file = paths.plaintext_secrets_file();
    if config.storage.allow_plaintext_tokens && paths.is_demo_home() {
        return Ok(Box::new(docket_secrets::FileStore::open(file, true)?));
    }
    docket_secrets::open_default(config.storage.allow_plaintext_tokens, &file)
}

impl App {
    /// Store the confidential client's secret in the secret store (never
    /// in a file the configuration names).
    pub fn set_client_secret(&self, secret: SecretString) -> Result<(), AppError> {
        if self.config().microsoft.client_type != ClientType::Confidential {
            return Err(AppError::PublicClient);
        }
        if secret.expose_secret().trim().is_empty() {
            return Err(AppError::EmptySecret);
        }
        self.secret_store()
            .set(&self.auth.config.client_secret_key(), &secret)
            .map_err(AppError::SecretStore)?;
        tracing::info!("client secret stored");
        Ok(())
    }

    /// Store the PMS server's password or token (`source.auth` basic or
    /// bearer) in the secret store.
    pub fn set_source_credential(&self, secret: SecretString) -> Result<(), AppError> {
        if source_auth(&self.config()).is_none() {
            return Err(AppError::SourceNeedsNoCredential);
        }
        if secret.expose_secret().trim().is_empty() {
            return Err(AppError::EmptySourceCredential);
        }
        self.secret_store()
            .set(&source_credential_key(&self.config()), &secret)
            .map_err(AppError::SecretStore)?;
        tracing::info!("source credential stored");
        Ok(())
    }

    /// The credential for the network sources, from the secret store.
    pub(crate) fn http_auth(
        &self,
        auth: docket_config::SourceAuth,
        username: &Option<String>,
    ) -> Result<docket_source::HttpAuth, AppError> {
        use docket_config::SourceAuth;
        let secret = || {
            self.secret_store()
                .get(&source_credential_key(&self.config()))
                .map_err(AppError::SecretStore)
        };
        Ok(match auth {
            SourceAuth::None => docket_source::HttpAuth::None,
            SourceAuth::Basic => docket_source::HttpAuth::Basic {
                username: username.clone().unwrap_or_default(),
                password: secret()?,
            },
            SourceAuth::Bearer => docket_source::HttpAuth::Bearer { token: secret()? },
        })
    }
}

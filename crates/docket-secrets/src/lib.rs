//! Secrets as types, and the one place that touches the OS keyring.
//!
//! **Invariant:** no other crate calls the `keyring` crate or writes a
//! secret anywhere. A `SecretString` cannot be printed (`Debug` is
//! redacted), serialized or compared; `expose_secret` is the one door out,
//! and grepping for it finds every use.

use std::fmt;

/// A secret text (refresh token, client secret, source credential).
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> SecretString {
        SecretString(value.into())
    }

    /// The secret value. Only hand it to the wire or to the store.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl Clone for SecretString {
    fn clone(&self) -> Self {
        SecretString(self.0.clone())
    }
}

/// What a stored secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    RefreshToken,
    ClientSecret,
    SourceCredential,
}

/// Which secret: one entry per tenant + client + user (+ kind).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntryKey {
    pub tenant: String,
    pub client_id: String,
    /// The user's sign-in name; empty for app-wide secrets (client secret).
    pub user: String,
    pub kind: SecretKind,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No keyring service is running or reachable (e.g. no Secret Service
    /// on a headless Linux session).
    #[error("no OS keyring is available: {detail}")]
    Unavailable { detail: String },
    /// The keyring exists but is locked and could not be unlocked.
    #[error("the OS keyring is locked: {detail}")]
    Locked { detail: String },
    #[error("the stored secret is damaged: {detail}")]
    Corrupt { detail: String },
    #[error("keyring error: {detail}")]
    Other { detail: String },
}

/// A place secrets live. Implementations: the OS keyring, an opt-in
/// plaintext file (0600), and memory (tests).
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &EntryKey) -> Result<Option<SecretString>, StoreError>;
    fn set(&self, key: &EntryKey, value: &SecretString) -> Result<(), StoreError>;
    fn delete(&self, key: &EntryKey) -> Result<(), StoreError>;
}

//! The token manager: access tokens in memory, refresh with rotation.
//!
//! Invariants:
//! - The access token is never written anywhere; the refresh token lives
//!   only in the [`SecretStore`] and in memory for the one request.
//! - The rotated refresh token is written to the store **before** the new
//!   access token is handed out; if that write fails the refresh fails
//!   ([`RefreshError::Persist`]) — never continue with the old token.
//! - One refresh at a time per process (single-flight: concurrent callers
//!   wait and share the result) and across processes: an exclusive lock
//!   on a lock file the caller names, taken before the refresh token is
//!   read (so the tray and the CLI never redeem the same token twice).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Utc};
use docket_secrets::StoreError;
use docket_text::{Action, Message, Who};

use crate::keepalive::needs_refresh;

/// How long one token request may take, connecting included (the HTTP
/// client's timeout, [`crate::http::client`]).
pub const TOKEN_REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(60);
/// What the lock holder may spend besides the request: reading and
/// writing the keyring (a D-Bus round trip, a Credential Manager call).
pub const LOCK_MARGIN: StdDuration = StdDuration::from_secs(30);
/// How long to wait for another process's refresh (the default of
/// `AuthConfig::lock_timeout`): longer than a whole refresh in the other
/// process, so that a slow but successful refresh there never fails this
/// one. (It was 30 s against a 60 s request: a slow refresh in the tray
/// failed the CLI's.)
pub const LOCK_WAIT: StdDuration =
    StdDuration::from_secs(TOKEN_REQUEST_TIMEOUT.as_secs() + LOCK_MARGIN.as_secs());
const _: () = assert!(LOCK_WAIT.as_secs() > TOKEN_REQUEST_TIMEOUT.as_secs() + 10);
use crate::oauth::{self, ExchangeError};
use crate::problem::Problem;
use crate::{AccessToken, Account, Auth};

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The token endpoint refused or could not be reached; see the class.
    #[error("{0}")]
    Token(Problem),
    #[error("not signed in: no refresh token is stored for {user}")]
    NotSignedIn { user: String },
    #[error(
        "Microsoft issued a new sign-in token but it could not be saved in the secret store, so it was not \
         used; fix the keyring, then sign in again if refreshing keeps failing: {0}"
    )]
    Persist(#[source] StoreError),
    #[error("reading the secret store failed: {0}")]
    Store(#[source] StoreError),
    #[error("another Docket Sync process held the token lock {path:?} for more than {seconds} s")]
    LockTimeout { path: PathBuf, seconds: u64 },
    #[error("cannot use the token lock file {path:?}: {source}")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the app is set up as a confidential (Web) client but no client secret is stored for it; \
         store the secret from the Azure portal (App registrations → Certificates & secrets)"
    )]
    ClientSecretNotStored,
    #[error("invalid sign-in configuration: {0}")]
    Config(String),
    /// Graph still answered 401 after a fresh token.
    #[error("Microsoft Graph refused a freshly refreshed access token (HTTP 401)")]
    StillUnauthorized,
}

impl RefreshError {
    /// The classified problem, when there is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            RefreshError::Token(p) => Some(p),
            _ => None,
        }
    }

    /// A stable code (`docs/cli.md` lists them): the problem's, else one
    /// per kind of failure.
    pub fn code(&self) -> &'static str {
        match self {
            RefreshError::Token(p) => p.code,
            RefreshError::NotSignedIn { .. } => "signin.token_missing",
            RefreshError::Persist(_) => "keyring.write_failed",
            RefreshError::Store(e) => match e {
                StoreError::Unavailable { .. } => "keyring.unavailable",
                StoreError::Locked { .. } => "keyring.locked",
                StoreError::Corrupt { .. } => "keyring.corrupt",
                StoreError::Other { .. } => "keyring.error",
            },
            RefreshError::LockTimeout { .. } => "refresh.lock_timeout",
            RefreshError::Lock { .. } => "refresh.lock_file",
            RefreshError::ClientSecretNotStored => "client_secret.not_stored",
            RefreshError::Config(_) => "config.invalid",
            RefreshError::StillUnauthorized => "graph.unauthorized",
        }
    }

    /// What happened, for a person: the headline and `.body`.
    pub fn message(&self) -> Message {
        match self {
            RefreshError::Token(p) => p.message(),
            RefreshError::NotSignedIn { user } => {
                Message::new("auth-refresh-not-signed-in").text("account", user.clone())
            }
            RefreshError::Persist(_) => Message::new("auth-refresh-persist"),
            RefreshError::Store(StoreError::Corrupt { .. }) => {
                Message::new("auth-refresh-store-damaged")
            }
            RefreshError::Store(_) => Message::new("auth-refresh-store"),
            RefreshError::LockTimeout { .. } => Message::new("auth-refresh-lock"),
            RefreshError::Lock { path, source } => Message::new("auth-refresh-lock-file")
                .text("path", path.display().to_string())
                .text("detail", source.to_string()),
            RefreshError::ClientSecretNotStored => {
                Message::new("auth-signin-client-secret-not-stored")
            }
            RefreshError::Config(detail) => {
                Message::new("auth-signin-config").text("detail", detail.clone())
            }
            RefreshError::StillUnauthorized => Message::new("auth-refresh-still-unauthorized"),
        }
    }

    /// The fix, as something to do.
    pub fn action(&self) -> Action {
        match self {
            RefreshError::Token(p) => p.action(),
            RefreshError::NotSignedIn { .. } => Action::SignIn,
            RefreshError::Persist(e) | RefreshError::Store(e) => crate::keyring_action(e),
            RefreshError::LockTimeout { .. } => Action::Wait,
            RefreshError::Lock { .. } | RefreshError::Config(_) => Action::AskAdmin,
            RefreshError::ClientSecretNotStored => Action::SetClientSecret,
            RefreshError::StillUnauthorized => Action::GrantConsent,
        }
    }

    /// Who must act.
    pub fn who(&self) -> Who {
        match self.problem() {
            Some(p) => p.who(),
            None => self.action().who(),
        }
    }
}

impl From<ExchangeError> for RefreshError {
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::Problem(p) => RefreshError::Token(p),
            ExchangeError::ClientSecretNotStored => RefreshError::ClientSecretNotStored,
            ExchangeError::Store(e) => RefreshError::Store(e),
            ExchangeError::Config(m) => RefreshError::Config(m),
        }
    }
}

/// A successful refresh.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub access_token: AccessToken,
    /// The last good refresh: the caller persists it for the keep-alive.
    pub at: DateTime<Utc>,
    /// Whether Entra rotated the refresh token (it always does today).
    pub rotated: bool,
}

/// What one Graph call attempt ended with, for [`TokenManager::with_token`].
#[derive(Debug)]
pub enum Attempt<T> {
    Done(T),
    /// HTTP 401: the access token was refused.
    Unauthorized,
}

/// Hands out access tokens for one signed-in account.
pub struct TokenManager {
    auth: Auth,
    account: Account,
    lock_path: PathBuf,
    cached: Mutex<Option<AccessToken>>,
    generation: Mutex<u64>,
    last_good_refresh: Mutex<Option<DateTime<Utc>>>,
    flight: tokio::sync::Mutex<()>,
    /// The time: `Utc::now` unless the caller runs on a clock of its own
    /// ([`TokenManager::with_clock`]).
    now: Now,
}

/// A source of the current time (see [`TokenManager::with_clock`]).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("account", &self.account.username)
            .field("lock_path", &self.lock_path)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenManager {
    /// `lock_path`: the cross-process lock file (from `docket-paths`).
    pub fn new(auth: Auth, account: Account, lock_path: impl Into<PathBuf>) -> TokenManager {
        TokenManager {
            auth,
            account,
            lock_path: lock_path.into(),
            cached: Mutex::new(None),
            generation: Mutex::new(0),
            last_good_refresh: Mutex::new(None),
            flight: tokio::sync::Mutex::new(()),
            now: Arc::new(Utc::now),
        }
    }

    /// Judge expiry and stamp refreshes with `now` instead of `Utc::now`:
    /// the caller's clock (the background loop's), so that the times it
    /// compares with (the keep-alive, the inactivity limit) are on one
    /// clock, also when a test or a harness moves that clock.
    pub fn with_clock(mut self, now: Now) -> TokenManager {
        self.now = now;
        self
    }

    /// Start with the access token a sign-in just returned.
    pub fn with_access_token(self, token: AccessToken) -> TokenManager {
        *lock(&self.cached) = Some(token);
        self
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The last successful refresh by this manager.
    pub fn last_good_refresh(&self) -> Option<DateTime<Utc>> {
        *lock(&self.last_good_refresh)
    }

    /// A valid access token: the cached one unless it expires within the
    /// refresh margin, else a refreshed one.
    pub async fn access_token(&self) -> Result<AccessToken, RefreshError> {
        let generation = {
            let cached = lock(&self.cached);
            if let Some(t) = cached.as_ref() {
                if !needs_refresh(t.expires_at, (self.now)(), self.auth.config.refresh_margin) {
                    return Ok(t.clone());
                }
            }
            *lock(&self.generation)
        };
        self.refresh_after(generation).await.map(|r| r.access_token)
    }

    /// Refresh now (the daily keep-alive), whatever the cached token.
    /// Callers that arrive while another refresh runs share its result.
    pub async fn refresh(&self) -> Result<Refreshed, RefreshError> {
        let generation = *lock(&self.generation);
        self.refresh_after(generation).await
    }

    /// A token to use instead of `rejected`, which Graph just refused
    /// (HTTP 401). Refreshes at most once per rejected token: when several
    /// requests in flight were refused the same token, the first caller
    /// refreshes and the others get its token (each forced refresh would
    /// otherwise rotate the refresh token again). When `rejected` is no
    /// longer the cached token, the cached one is returned unless it is
    /// due for refresh anyway.
    pub async fn force_refresh(&self, rejected: &str) -> Result<AccessToken, RefreshError> {
        let seen = {
            let cached = lock(&self.cached);
            match cached.as_ref() {
                Some(t) if !same_secret(t.expose_secret(), rejected) => {
                    if !needs_refresh(t.expires_at, (self.now)(), self.auth.config.refresh_margin) {
                        return Ok(t.clone());
                    }
                    t.generation
                }
                Some(t) => t.generation,
                None => *lock(&self.generation),
            }
        };
        self.refresh_after(seen).await.map(|r| r.access_token)
    }

    /// Run `call` with a token; on HTTP 401 refresh exactly once and retry
    /// once. A second 401 is [`RefreshError::StillUnauthorized`].
    pub async fn with_token<T, F, Fut>(&self, mut call: F) -> Result<T, RefreshError>
    where
        F: FnMut(AccessToken) -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let token = self.access_token().await?;
        let generation = token.generation;
        if let Attempt::Done(v) = call(token).await {
            return Ok(v);
        }
        tracing::info!("Graph answered 401; refreshing the access token once");
        let fresh = self.refresh_after(generation).await?.access_token;
        match call(fresh).await {
            Attempt::Done(v) => Ok(v),
            Attempt::Unauthorized => Err(RefreshError::StillUnauthorized),
        }
    }

    /// Refresh unless a refresh newer than `seen_generation` already
    /// completed, in which case its token is returned.
    async fn refresh_after(&self, seen_generation: u64) -> Result<Refreshed, RefreshError> {
        let _flight = self.flight.lock().await;
        if *lock(&self.generation) != seen_generation {
            let cached = lock(&self.cached).clone();
            let at = self.last_good_refresh();
            if let (Some(access_token), Some(at)) = (cached, at) {
                return Ok(Refreshed {
                    access_token,
                    at,
                    rotated: false,
                });
            }
        }
        let _file_lock = FileLock::acquire(&self.lock_path, self.auth.config.lock_timeout).await?;
        // Re-read under the lock: another process may have rotated it.
        let key = self.auth.config.refresh_token_key(&self.account);
        let refresh_token = self
            .auth
            .store
            .get(&key)
            .map_err(RefreshError::Store)?
            .ok_or_else(|| RefreshError::NotSignedIn {
                user: self.account.username.clone(),
            })?;
        let tokens = oauth::redeem_refresh_token(&self.auth, &refresh_token).await?;
        drop(refresh_token);
        let rotated = tokens.refresh_token.is_some();
        if let Some(new_rt) = &tokens.refresh_token {
            docket_crash::point(docket_crash::TOKEN_REDEEMED);
            self.auth
                .store
                .set(&key, new_rt)
                .map_err(RefreshError::Persist)?;
        }
        let now = (self.now)();
        let generation = {
            let mut g = lock(&self.generation);
            *g += 1;
            *g
        };
        let access_token = AccessToken::new(
            tokens.access_token,
            oauth::expires_at(now, tokens.lifetime),
            generation,
        );
        *lock(&self.cached) = Some(access_token.clone());
        *lock(&self.last_good_refresh) = Some(now);
        Ok(Refreshed {
            access_token,
            at: now,
            rotated,
        })
    }
}

fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An exclusive advisory lock on a file, held until dropped (closing the
/// file releases it, also when the process dies).
#[derive(Debug)]
pub(crate) struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    pub(crate) async fn acquire(
        path: &Path,
        timeout: StdDuration,
    ) -> Result<FileLock, RefreshError> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || Self::acquire_blocking(&path, timeout))
            .await
            .map_err(|e| RefreshError::Config(format!("lock task failed: {e}")))?
    }

    fn acquire_blocking(path: &Path, timeout: StdDuration) -> Result<FileLock, RefreshError> {
        let io = |source| RefreshError::Lock {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io)?;
        let until = Instant::now() + timeout;
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(FileLock { _file: file }),
                Err(fs4::TryLockError::WouldBlock) if Instant::now() < until => {
                    std::thread::sleep(StdDuration::from_millis(50));
                }
                Err(fs4::TryLockError::WouldBlock) => {
                    return Err(RefreshError::LockTimeout {
                        path: path.to_path_buf(),
                        seconds: timeout.as_secs(),
                    })
                }
                Err(fs4::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(error: StoreError, expect: (&str, &str, Action, Who)) {
        let e = RefreshError::Store(error);
        let message = e.message();
        let got = (e.code(), message.id.as_str(), e.action(), e.who());
        assert_eq!(got, expect, "{e:?}");
    }

    /// A stored sign-in that cannot be read back whole (for example torn
    /// by a crash in an old version) is fixed by signing in again, which
    /// the user can do: it was told as "IT: provide a system keyring".
    #[test]
    fn a_store_failure_names_who_can_fix_it() {
        let d = || "x".to_string();
        check(
            StoreError::Corrupt { detail: d() },
            (
                "keyring.corrupt",
                "auth-refresh-store-damaged",
                Action::SignIn,
                Who::User,
            ),
        );
        check(
            StoreError::Locked { detail: d() },
            (
                "keyring.locked",
                "auth-refresh-store",
                Action::UnlockKeyring,
                Who::User,
            ),
        );
        check(
            StoreError::Unavailable { detail: d() },
            (
                "keyring.unavailable",
                "auth-refresh-store",
                Action::ProvideKeyring,
                Who::Admin,
            ),
        );
    }

    #[test]
    fn the_lock_wait_outlasts_a_whole_refresh() {
        assert!(LOCK_WAIT > TOKEN_REQUEST_TIMEOUT + LOCK_MARGIN / 2);
        let cfg = crate::AuthConfig::new("https://login.example", "t", "c", &[]);
        assert_eq!(cfg.lock_timeout, LOCK_WAIT);
        assert!(cfg.lock_timeout > TOKEN_REQUEST_TIMEOUT);
    }

    #[tokio::test]
    async fn file_lock_excludes_a_second_holder_until_released() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("locks/token.lock");
        let first = FileLock::acquire(&path, StdDuration::from_secs(1))
            .await
            .expect("first lock");
        let second = FileLock::acquire(&path, StdDuration::from_millis(200)).await;
        assert!(
            matches!(second, Err(RefreshError::LockTimeout { .. })),
            "{second:?}"
        );
        drop(first);
        FileLock::acquire(&path, StdDuration::from_secs(1))
            .await
            .expect("lock after release");
    }
}

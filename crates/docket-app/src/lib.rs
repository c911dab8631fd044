//! The one API the CLI, the tray (later) and tests call.
//!
//! [`App::open`] reads the configuration (`docket-config`), finds the
//! files (`docket-paths`), opens the secret store (`docket-secrets`: the OS
//! keyring, or the plaintext file only by opt-in) and the state database
//! (`docket-store`). Then:
//!
//! - [`App::sign_in`]: browser sign-in (`docket-auth`); re-authentication
//!   of the stored account (`prompt=select_account` + `login_hint`, a
//!   different account refused); then Graph `/me` and the account recorded;
//! - [`App::sign_out`]: every secret of the account and its row removed;
//! - [`App::status`]: who, since when, token state, last problem with
//!   code + English/German message + fix, warnings ([`status::decide`],
//!   pure);
//! - [`App::check`]: refresh now + `/me`, recording success or the
//!   classified problem;
//! - [`App::set_client_secret`]: confidential clients, into the keyring;
//! - [`App::set_source_credential`]: the PMS server's password or token.
//!
//! Errors are [`AppError`]: a stable `code()`, who must act, message, fix.

mod error;
mod export_lock;

/// How long a sign-in or sign-out waits for a running export to end before
/// it changes the account (an export of 10,000 items takes well under this).
const ACCOUNT_CHANGE_WAIT: std::time::Duration = std::time::Duration::from_secs(300);
pub mod companion;
pub mod doctor;
pub mod frontend;
pub mod logging;
pub mod schedule;
pub mod settings;
pub mod snapshot;
mod source_watch;
pub mod status;
pub mod sync;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use docket_auth::keepalive::learned_sign_in_frequency;
use docket_auth::loopback::RedirectConfig;
use docket_auth::{Account, Auth, AuthConfig, TokenManager};
pub use docket_auth::{Browser, SystemBrowser};
use docket_config::{ClientType, Config};
use docket_graph::{GraphClient, Options, TokenError, TokenSource};
use docket_paths::{Paths, SourceCache};
use docket_secrets::{SecretStore, SecretString, StoreError};
use docket_store::{AccountRecord, ProblemRecord, StateDb};

pub use docket_text::{Action, Lang, Message, Texts, TimeStyle, Who};
pub use error::{AppError, Described};
pub use status::Status;

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

/// `docket-config`'s view → `docket-auth`'s.
pub fn auth_config(config: &Config) -> Result<AuthConfig, AppError> {
    let ms = &config.microsoft;
    let scopes: Vec<&str> = ms.scopes.iter().map(String::as_str).collect();
    let mut auth = AuthConfig::new(
        &ms.authority_host,
        &ms.tenant.to_string(),
        &ms.client_id.to_string(),
        &scopes,
    );
    auth.client_type = match ms.client_type {
        ClientType::Public => docket_auth::ClientType::Public,
        ClientType::Confidential => docket_auth::ClientType::Confidential,
    };
    auth.redirect = match &ms.redirect_uri {
        Some(uri) => RedirectConfig::from_uri(uri)
            .map_err(|e| AppError::SignIn(docket_auth::SignInError::Listen(e)))?,
        None => RedirectConfig {
            port: ms.redirect_port,
            path: ms.redirect_path.clone(),
            ..RedirectConfig::default()
        },
    };
    Ok(auth)
}

/// A completed sign-in.
#[derive(Debug, Clone)]
pub struct SignInReport {
    pub username: String,
    pub display_name: Option<String>,
    pub signed_in_at: DateTime<Utc>,
    /// The stored account signed in again (not a first sign-in).
    pub reauthenticated: bool,
}

/// A successful check.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub username: String,
    pub display_name: Option<String>,
    pub refreshed_at: DateTime<Utc>,
    /// One line per switched-on module: can Docket Sync reach it?
    pub modules: Vec<ModuleCheck>,
}

/// "Test connection" for one module.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModuleCheck {
    /// `calendar`, `tasks` or `contacts`.
    pub module: &'static str,
    pub ok: bool,
    /// The delegated permission the module needs.
    pub scope: &'static str,
    /// What went wrong, in plain words, with the fix (empty when OK).
    pub detail: String,
}

/// The application: configuration, paths, secret store, state database.
pub struct App {
    /// The configuration: the firm's with the user's overrides. Replaced
    /// when the user changes a setting ([`App::write_setting`]), so that
    /// the next export and the loop's interval use it without a restart.
    config: RwLock<Arc<Config>>,
    paths: Paths,
    auth: Auth,
    db: Mutex<StateDb>,
    /// The signed-in account's token manager, held for the life of the
    /// process: the access token stays in memory and is refreshed only near
    /// its expiry, on a 401, or for the keep-alive (not at every export).
    tokens: Mutex<Option<Arc<TokenManager>>>,
    /// How long an export waits for another export of this user to end.
    export_wait: std::time::Duration,
    /// The firm file this configuration came from (`None`: given in code).
    firm_file: Option<PathBuf>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("paths", &self.paths)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// `docket-graph`'s token source over the token manager.
struct Tokens<'a>(&'a TokenManager);

impl TokenSource for Tokens<'_> {
    async fn access_token(
        &self,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, TokenError> {
        let token = match rejected {
            // Once per rejected token: concurrent 401s share one refresh.
            Some(rejected) => self.0.force_refresh(rejected.expose_secret()).await,
            None => self.0.access_token().await,
        };
        token
            .map(|t| SecretString::new(t.expose_secret()))
            .map_err(|e| Box::new(e) as TokenError)
    }
}

impl App {
    /// Open with the firm configuration at `config_path` (default: the
    /// platform's, see `docket-paths`) and the user's overrides.
    pub fn open(config_path: Option<PathBuf>) -> Result<App, AppError> {
        let paths = Paths::from_env()?;
        let firm = config_path.unwrap_or_else(|| paths.firm_config_file.clone());
        App::open_with(firm, paths)
    }

    /// Open with the firm configuration file `firm` and the user's
    /// overrides at `paths` (the settings a user changes are written
    /// there and merged with `firm`).
    pub fn open_with(firm: PathBuf, paths: Paths) -> Result<App, AppError> {
        let config =
            docket_config::load(&firm, &paths.user_config_file).map_err(AppError::Config)?;
        let mut app = Self::with_config(config, paths)?;
        app.firm_file = Some(firm);
        Ok(app)
    }

    /// Open with an already validated configuration.
    pub fn with_config(config: Config, paths: Paths) -> Result<App, AppError> {
        let extra_ca = match &config.microsoft.extra_ca_file {
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|e| AppError::Http(format!("cannot read {}: {e}", path.display())))?,
            ),
            None => None,
        };
        let http = docket_auth::http::client(extra_ca.as_deref())
            .map_err(|e| AppError::Http(e.to_string()))?;
        let store: Arc<dyn SecretStore> =
            Arc::from(open_secret_store(&config, &paths).map_err(AppError::SecretStore)?);
        let auth = Auth::new(auth_config(&config)?, http, store);
        let db = StateDb::open(&paths.state_db_file())?;
        // The token lock is opened by docket-auth: create it owner-only
        // first (an existing one is tightened).
        let lock = paths.token_lock_file();
        docket_paths::secure::open_private(&lock).map_err(|source| {
            AppError::Refresh(docket_auth::RefreshError::Lock { path: lock, source })
        })?;
        Ok(App {
            config: RwLock::new(Arc::new(config)),
            paths,
            auth,
            db: Mutex::new(db),
            tokens: Mutex::new(None),
            export_wait: std::time::Duration::from_secs(5),
            firm_file: None,
        })
    }

    /// How long an export waits for another export of the same user to
    /// finish before it gives up with `sync.already_running` (default 5 s).
    pub fn set_export_wait(&mut self, wait: std::time::Duration) {
        self.export_wait = wait;
    }

    /// The configuration as it is now (a user's setting may have changed
    /// it since the app was opened).
    pub fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn secret_store(&self) -> &dyn SecretStore {
        self.auth.store.as_ref()
    }

    fn db(&self) -> std::sync::MutexGuard<'_, StateDb> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A value the app remembers between runs (`sync_meta`); `None` also
    /// when the database cannot be read (logged).
    pub(crate) fn meta(&self, name: &str) -> Option<String> {
        self.db()
            .sync_meta(name)
            .map_err(|e| tracing::warn!(error = %e, name, "cannot read a remembered value"))
            .ok()
            .flatten()
    }

    pub(crate) fn set_meta(&self, name: &str, value: &str) {
        if let Err(e) = self.db().set_sync_meta(name, value) {
            tracing::warn!(error = %e, name, "cannot remember a value");
        }
    }

    /// The last finished run's summary, as stored.
    pub(crate) fn last_export(&self) -> Option<status::LastExport> {
        self.meta(LAST_EXPORT)
            .and_then(|json| serde_json::from_str(&json).ok())
    }

    /// How many items of each module Outlook holds in step (the state
    /// rows with an Outlook id).
    pub(crate) fn in_step(&self) -> Result<snapshot::InStep, AppError> {
        use docket_sync::key::Module;
        let mut n = snapshot::InStep::default();
        for (k, json) in self.db().sync_entries()? {
            let (Ok(key), Ok(entry)) = (
                k.parse::<docket_sync::SourceKey>(),
                serde_json::from_str::<docket_sync::Entry>(&json),
            ) else {
                continue;
            };
            if entry.remote_id.is_none() {
                continue;
            }
            match key.module {
                Module::Appointment => n.calendar += 1,
                Module::Deadline => n.tasks += 1,
                Module::Contact => n.contacts += 1,
            }
        }
        Ok(n)
    }

    /// The file or folder to watch for changes (file sources only).
    pub(crate) fn watched_source(&self) -> Option<PathBuf> {
        match &self.config().source {
            docket_config::Source::IcsFile { path } => Some(path.clone()),
            _ => None,
        }
    }

    /// The user's settings and the firm's, for the settings view.
    pub fn settings_view(&self) -> settings::SettingsView {
        settings::view(&self.config())
    }

    /// Write one user setting to the overrides file (see [`settings`]).
    pub fn write_setting(&self, setting: &settings::UserSetting) -> Result<Config, AppError> {
        settings::write(
            self.firm_file.as_deref(),
            &self.paths.user_config_file,
            setting,
        )
    }

    /// Use the settings a user may change from `config` (written by
    /// [`App::write_setting`]) from now on: the next export reads its
    /// modules, the loop its interval. The rest (the account's tenant and
    /// app, the source) stays as opened: the sign-in and the secret store
    /// were set up for it.
    pub(crate) fn note_config(&self, config: Config) {
        let mut held = self.config.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Config::clone(&held);
        settings::take_user_settings(&mut next, &config);
        *held = Arc::new(next);
    }

    /// The stored account, if it belongs to the configured tenant + app.
    fn current_account(&self) -> Result<Option<AccountRecord>, AppError> {
        let record = self.db().account()?;
        Ok(record.filter(|r| self.is_ours(r)))
    }

    fn is_ours(&self, r: &AccountRecord) -> bool {
        r.tenant.eq_ignore_ascii_case(&self.auth.config.tenant)
            && r.client_id
                .eq_ignore_ascii_case(&self.auth.config.client_id)
    }

    /// The held token manager of `record`'s account (a new one when the
    /// account changed or none is held yet).
    fn manager(&self, record: &AccountRecord) -> Arc<TokenManager> {
        let mut held = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let account = account_of(record);
        if let Some(m) = held
            .as_ref()
            .filter(|m| same_account(m.account(), &account))
        {
            return m.clone();
        }
        let m = Arc::new(TokenManager::new(
            self.auth.clone(),
            account,
            self.paths.token_lock_file(),
        ));
        *held = Some(m.clone());
        m
    }

    /// Hold `manager` (a sign-in's), or none (sign-out).
    fn hold(&self, manager: Option<Arc<TokenManager>>) {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner()) = manager;
    }

    /// Whose mailbox an export for `record` writes to.
    fn owner_of(&self, record: &AccountRecord) -> docket_store::ExportOwner {
        docket_store::ExportOwner {
            tenant_id: record.tenant_id.clone(),
            object_id: record.object_id.clone(),
            graph_base_url: self.config().microsoft.graph_base_url.to_string(),
        }
    }

    /// Delete the source caches once the database marks them stale (the
    /// account they were read for is gone). Marked in the transaction that
    /// dropped the account's export state, deleted right after its commit
    /// and, if that did not happen (a crash, a locked file), before the
    /// next read of the source.
    fn delete_stale_source_caches(&self) -> Result<(), AppError> {
        if !self.db().source_caches_stale()? {
            return Ok(());
        }
        let mut all_gone = true;
        for f in self.paths.source_cache_files() {
            match std::fs::remove_file(&f) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    all_gone = false;
                    tracing::warn!(file = %f.display(), error = %e, "cannot remove a source cache");
                }
            }
        }
        if all_gone {
            self.db().source_caches_deleted()?;
        }
        Ok(())
    }

    async fn me(&self, tokens: &TokenManager) -> Result<Option<String>, AppError> {
        let graph = GraphClient::new(
            self.auth.http.clone(),
            Options::new(self.config().microsoft.graph_base_url.clone()),
            Tokens(tokens),
        );
        let me = graph.get_json("/me").await?;
        Ok(me
            .get("displayName")
            .and_then(|v| v.as_str())
            .map(str::to_string))
    }

    /// Sign in through the browser. `on_url` receives the sign-in URL
    /// (print it for copy-paste); `browser` opens it. Re-authenticates
    /// when an account is stored: only that account is accepted.
    pub async fn sign_in(
        &self,
        browser: &dyn Browser,
        on_url: impl FnOnce(&str),
    ) -> Result<SignInReport, AppError> {
        self.sign_in_cancellable(browser, on_url, std::future::pending())
            .await
    }

    /// [`App::sign_in`] with a cancel signal (the tray's Cancel button):
    /// when `cancel` completes (e.g. `CancellationToken::cancelled()` or a
    /// `watch` receiver's `changed()`), the wait for the browser ends with
    /// the code `signin.cancelled` and the port is freed.
    pub async fn sign_in_cancellable(
        &self,
        browser: &dyn Browser,
        on_url: impl FnOnce(&str),
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<SignInReport, AppError> {
        let stored = self.db().account()?;
        let previous = stored.as_ref().filter(|r| self.is_ours(r));
        let reauth = previous.map(account_of);
        let signed_in = docket_auth::signin::sign_in(
            &self.auth,
            reauth.as_ref(),
            self.paths.token_lock_file(),
            browser,
            on_url,
            cancel,
        )
        .await
        .map_err(AppError::SignIn)?;
        let account = signed_in.account.clone();
        let at = signed_in.signed_in_at;
        // An account of another tenant/app (the configuration changed):
        // its secrets go; this computer serves one account.
        if let Some(old) = stored.as_ref().filter(|r| !self.is_ours(r)) {
            if let Err(e) = docket_secrets::delete_account(
                self.secret_store(),
                &old.tenant,
                &old.client_id,
                &old.username.to_ascii_lowercase(),
            ) {
                tracing::warn!(error = %e, "could not remove the previous configuration's sign-in");
            }
        }
        let mut record = AccountRecord {
            tenant: self.auth.config.tenant.clone(),
            client_id: self.auth.config.client_id.clone(),
            username: account.username.clone(),
            object_id: account.object_id.clone(),
            tenant_id: account.tenant_id.clone(),
            display_name: account.name.clone(),
            signed_in_at: at,
            last_good_refresh_at: Some(at),
            // The learned window belongs to the tenant's policy: keep it.
            sign_in_frequency_seconds: previous.and_then(|p| p.sign_in_frequency_seconds),
            last_problem: None,
            notified: None,
        };
        // The export state is this mailbox's, or it goes in the same
        // transaction that saves the account (with the source caches). An
        // export still running (of the account before) must not write its
        // ids into the state claimed here: wait for it to end.
        let export =
            export_lock::ExportLock::acquire(self.paths.export_lock_file(), ACCOUNT_CHANGE_WAIT)
                .await?;
        let claim = self
            .db()
            .save_account_claiming(&record, &self.owner_of(&record))?;
        self.delete_stale_source_caches()?;
        drop(export);
        tracing::info!(user = %account.username, reauth = reauth.is_some(), ?claim, "signed in");
        let tokens = Arc::new(
            TokenManager::new(
                self.auth.clone(),
                account_of(&record),
                self.paths.token_lock_file(),
            )
            .with_access_token(signed_in.access_token),
        );
        self.hold(Some(tokens.clone()));
        if let Some(name) = self.me(&tokens).await? {
            record.display_name = Some(name);
            self.db().save_account(&record)?;
        }
        Ok(SignInReport {
            username: record.username,
            display_name: record.display_name,
            signed_in_at: at,
            reauthenticated: reauth.is_some(),
        })
    }

    /// Remove every stored secret of the signed-in account and the account
    /// itself. Returns who was signed out (`None`: nobody was).
    pub fn sign_out(&self) -> Result<Option<String>, AppError> {
        let Some(record) = self.db().account()? else {
            return Ok(None);
        };
        docket_secrets::delete_account(
            self.secret_store(),
            &record.tenant,
            &record.client_id,
            &record.username.to_ascii_lowercase(),
        )
        .map_err(AppError::SecretStore)?;
        self.hold(None);
        // Not while an export runs: it would write this mailbox's ids into
        // the state after it was dropped.
        let _export = export_lock::ExportLock::acquire_blocking(
            self.paths.export_lock_file(),
            ACCOUNT_CHANGE_WAIT,
        )?;
        // One transaction: the account and its export state go together
        // (the next account must never be matched against this mailbox's
        // ids), and the source caches, which hold this fee-earner's PMS
        // data, are marked stale and then deleted.
        self.db().sign_out()?;
        self.delete_stale_source_caches()?;
        tracing::info!(user = %record.username, "signed out");
        Ok(Some(record.username))
    }

    /// The sign-in status at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> Result<Status, AppError> {
        let account = self.current_account()?;
        let store = self.secret_store();
        let token = match &account {
            None => status::TokenState::None,
            Some(r) => match store.get(&self.auth.config.refresh_token_key(&account_of(r))) {
                Ok(Some(_)) => status::TokenState::Present,
                Ok(None) => status::TokenState::Missing,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the refresh token");
                    status::TokenState::Unreadable
                }
            },
        };
        let confidential = self.config().microsoft.client_type == ClientType::Confidential;
        let client_secret_stored = confidential
            && matches!(
                store.get(&self.auth.config.client_secret_key()),
                Ok(Some(_))
            );
        let input = status::Input {
            account,
            token,
            keep_alive_every: chrono::Duration::hours(i64::from(
                self.config().policy.keep_alive_hours,
            )),
            confidential: confidential.then_some(self.config().microsoft.client_secret_expires),
            client_secret_stored,
            secret_store: status::SecretStoreInfo {
                kind: if store.plaintext_warning().is_some() {
                    "plaintext_file"
                } else {
                    "keyring"
                },
                location: store.location(),
            },
            last_export: self
                .db()
                .sync_meta(LAST_EXPORT)?
                .and_then(|json| serde_json::from_str(&json).ok()),
        };
        Ok(status::decide(input, now))
    }

    /// Remember that the notification `key` (from [`Status::notify`]) was
    /// shown, so it is not shown again.
    pub fn mark_notified(&self, key: &str) -> Result<(), AppError> {
        Ok(self.db().set_notified(Some(key))?)
    }

    /// Refresh the sign-in now and call Graph `/me`; record the good
    /// refresh, or the classified problem (at `now`).
    pub async fn check(&self, now: DateTime<Utc>) -> Result<CheckReport, AppError> {
        let record = self.current_account()?.ok_or(AppError::NotSignedIn)?;
        let tokens = self.manager(&record);
        let refreshed = match tokens.refresh().await {
            Ok(r) => r,
            Err(e) => {
                let err = AppError::Refresh(e);
                self.record_sign_in_problem(&err, now)?;
                tracing::warn!(code = err.code(), "refreshing the sign-in failed");
                return Err(err);
            }
        };
        self.db().record_good_refresh(refreshed.at)?;
        let display_name = self.me(&tokens).await?.or(record.display_name);
        let modules = self.test_modules(&tokens).await;
        Ok(CheckReport {
            username: record.username,
            display_name,
            refreshed_at: refreshed.at,
            modules,
        })
    }

    /// Remember a classified sign-in problem (the status shows it and its
    /// fix; a sign-in frequency policy's window is learned from it).
    fn record_sign_in_problem(&self, err: &AppError, now: DateTime<Utc>) -> Result<(), AppError> {
        if let Some(p) = err.problem() {
            let window = learned_sign_in_frequency(p).map(|d| d.num_seconds());
            self.db().record_problem(
                &ProblemRecord {
                    code: p.code.to_string(),
                    aadsts: p.aadsts,
                    at: now,
                },
                window,
            )?;
        }
        Ok(())
    }

    /// Read one resource per switched-on module: a 403 names the delegated
    /// permission that is missing (Graph's permission reference:
    /// https://learn.microsoft.com/en-us/graph/permissions-reference).
    async fn test_modules(&self, tokens: &TokenManager) -> Vec<ModuleCheck> {
        let graph = GraphClient::new(
            self.auth.http.clone(),
            Options::new(self.config().microsoft.graph_base_url.clone()),
            Tokens(tokens),
        );
        let m = &self.config().modules;
        let probes = [
            (
                m.calendar,
                "calendar",
                "Calendars.ReadWrite",
                "/me/calendar",
            ),
            (m.tasks, "tasks", "Tasks.ReadWrite", "/me/todo/lists?$top=1"),
            (
                m.contacts,
                "contacts",
                "Contacts.ReadWrite",
                "/me/contactFolders?$top=1",
            ),
        ];
        let mut out = vec![];
        for (on, module, scope, url) in probes {
            if !on {
                continue;
            }
            let (ok, detail) = match graph.get_json(url).await {
                Ok(_) => (true, String::new()),
                Err(e) if matches!(e.status(), Some(401 | 403)) => (
                    false,
                    format!(
                        "the permission {scope} is missing: IT adds it in the Azure portal \
                         (App registrations → API permissions → Microsoft Graph → Delegated) \
                         and grants consent; then sign in again"
                    ),
                ),
                Err(e) => (false, format!("{e}; try again later")),
            };
            out.push(ModuleCheck {
                module,
                ok,
                scope,
                detail,
            });
        }
        out
    }

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
    fn http_auth(
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

    /// Network settings for the sources: the firm's extra CA is trusted
    /// for the PMS server too.
    fn source_http(&self) -> Result<docket_source::HttpSettings, AppError> {
        let mut http = docket_source::HttpSettings::default();
        if let Some(path) = &self.config().microsoft.extra_ca_file {
            http.extra_ca_pem = Some(
                std::fs::read(path)
                    .map_err(|e| AppError::Http(format!("cannot read {}: {e}", path.display())))?,
            );
        }
        Ok(http)
    }
}

impl App {
    /// One export run for the signed-in account: read the source, read
    /// what changed in Microsoft 365, plan, and (unless `dry_run`) apply.
    pub async fn sync(
        &self,
        options: sync::SyncOptions,
        now: DateTime<Utc>,
    ) -> Result<sync::SyncReport, AppError> {
        self.sync_with_progress(options, now, &|_| {}).await
    }

    /// [`App::sync`], telling `progress` how far the writes are (see
    /// [`sync::OnProgress`]).
    pub async fn sync_with_progress(
        &self,
        options: sync::SyncOptions,
        now: DateTime<Utc>,
        progress: sync::OnProgress<'_>,
    ) -> Result<sync::SyncReport, AppError> {
        let result = self.sync_once(options, now, progress).await;
        // Nothing to remember for a dry run, or without an account.
        if !options.dry_run && !matches!(result, Err(AppError::NotSignedIn)) {
            self.remember_export(&result, now);
        }
        result
    }

    /// Keep how the run went for the status (a failure to write it only
    /// costs the status line).
    fn remember_export(&self, result: &Result<sync::SyncReport, AppError>, now: DateTime<Utc>) {
        let last = last_export_of(result.as_ref(), now);
        let json = serde_json::to_string(&last).expect("serializes");
        if let Err(e) = self.db().set_sync_meta(LAST_EXPORT, &json) {
            tracing::warn!(error = %e, "cannot remember the last export");
        }
    }

    async fn sync_once(
        &self,
        options: sync::SyncOptions,
        now: DateTime<Utc>,
        progress: sync::OnProgress<'_>,
    ) -> Result<sync::SyncReport, AppError> {
        let record = self.current_account()?.ok_or(AppError::NotSignedIn)?;
        // One export of this user at a time (the loop or the tray, and a
        // `docketsync sync` in a terminal): held until the run ends.
        let _lock =
            export_lock::ExportLock::acquire(self.paths.export_lock_file(), self.export_wait)
                .await?;
        // Another mailbox's (or another Graph address's) export state is
        // dropped, never updated or deleted against.
        let claim = self.db().claim_export(&self.owner_of(&record))?;
        if claim == docket_store::Claim::Cleared {
            tracing::warn!("the export state was another mailbox's: starting afresh");
        }
        let snapshot = self.read_source(&record.username).await?;
        let tokens = self.manager(&record);
        // The access token is kept between runs; the refresh token is
        // still used at least every policy.keep_alive_hours.
        let keep_alive = chrono::Duration::hours(i64::from(self.config().policy.keep_alive_hours));
        let last = tokens.last_good_refresh().or(record.last_good_refresh_at);
        if last.is_none_or(|t| now - t >= keep_alive) {
            if let Err(e) = tokens.refresh().await {
                let err = AppError::Refresh(e);
                self.record_sign_in_problem(&err, now)?;
                return Err(err);
            }
        }
        let graph = GraphClient::new(
            self.auth.http.clone(),
            Options::new(self.config().microsoft.graph_base_url.clone()),
            Tokens(&tokens),
        );
        let policy = sync_policy(&self.config());
        let report = match sync::export(
            &graph,
            &sync::SyncStore(&self.db),
            &snapshot,
            &policy,
            options,
            now,
            progress,
        )
        .await
        {
            Ok(report) => report,
            Err(e) => {
                // A sign-in that stopped working shows in the status, with
                // its fix, as after `check`.
                self.record_sign_in_problem(&e, now)?;
                return Err(e);
            }
        };
        // A finished run used the sign-in successfully: a problem recorded
        // before is over. The time kept is that of the last real refresh
        // (the access token may have come from memory), so the status
        // never shows a refresh that did not happen.
        let refreshed = tokens
            .last_good_refresh()
            .or(record.last_good_refresh_at)
            .unwrap_or(now);
        self.db().record_good_refresh(refreshed)?;
        tracing::info!(
            created = report.created,
            updated = report.updated,
            deleted = report.deleted,
            recreated = report.recreated,
            failed = report.failed.len(),
            requests = report.requests.graph_requests,
            dry_run = report.dry_run,
            "export finished"
        );
        Ok(report)
    }

    /// Read the PMS now, as the next export would (for `doctor`): the
    /// signed-in user's data (the demo source needs one), changing nothing
    /// in Microsoft 365.
    /// What the next export would read from the PMS and skip, without
    /// asking Microsoft 365: the same skips (file, record, reason) and
    /// notices as `sync --dry-run` lists, for `doctor`.
    pub(crate) async fn preview_pms(&self) -> Result<PmsPreview, AppError> {
        let snapshot = self.read_pms().await?;
        let policy = sync_policy(&self.config());
        let (skips, notices) = docket_sync::preview(&snapshot, &policy, chrono::Utc::now());
        Ok(PmsPreview {
            appointments: snapshot.appointments.len(),
            deadlines: snapshot.deadlines.len(),
            contacts: snapshot.contacts.len(),
            complete: snapshot.complete,
            skipped: skips.into_iter().map(sync::settle_skip).collect(),
            notices,
        })
    }

    pub async fn read_pms(&self) -> Result<docket_source::Snapshot, AppError> {
        let username = self
            .current_account()?
            .map(|r| r.username)
            .unwrap_or_default();
        self.read_source(&username).await
    }

    async fn read_source(&self, username: &str) -> Result<docket_source::Snapshot, AppError> {
        use docket_source::{DemoSource, FolderSource, Source as _};
        // Caches of an account that is gone are never read.
        self.delete_stale_source_caches()?;
        let options = read_options(&self.config().conventions);
        let snapshot = match &self.config().source {
            docket_config::Source::Demo => {
                let source = DemoSource::new(username, options).map_err(|_| {
                    AppError::Sync(format!(
                        "the demo source has no data for {username}: sign in as a demo user"
                    ))
                })?;
                tokio::task::spawn_blocking(move || source.read()).await
            }
            docket_config::Source::IcsFile { path } if path.is_dir() => {
                let source = FolderSource::new(path.clone(), options);
                tokio::task::spawn_blocking(move || source.read()).await
            }
            docket_config::Source::IcsFile { path } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || match std::fs::read(&path) {
                    Ok(bytes) => {
                        docket_source::read_bytes(&path.display().to_string(), &bytes, &options)
                    }
                    Err(e) => {
                        // Nothing read: incomplete, so nothing is deleted on its strength.
                        let mut s = docket_source::Snapshot::empty();
                        s.complete = false;
                        s.problems.push(docket_source::ItemProblem::file_unreadable(
                            path.display().to_string(),
                            e,
                        ));
                        s
                    }
                })
                .await
            }
            docket_config::Source::IcsUrl {
                url,
                auth,
                username,
            } => {
                let source = docket_source::UrlSource::new(
                    url.clone(),
                    self.http_auth(*auth, username)?,
                    options,
                )
                .http(self.source_http()?)
                .cache_file(self.paths.source_cache_file(SourceCache::Url));
                tokio::task::spawn_blocking(move || source.read()).await
            }
            docket_config::Source::CalDav {
                url,
                tasks_url,
                contacts_url,
                auth,
                username,
            } => {
                use docket_source::CollectionKind::{AddressBook, Calendar};
                let modules = self.config().modules;
                let mut source =
                    docket_source::DavSource::new(self.http_auth(*auth, username)?, options)
                        .collection("source.url", url.clone(), Calendar);
                if let Some(tasks) = tasks_url.as_ref().filter(|_| modules.tasks) {
                    source = source.collection("source.tasks_url", tasks.clone(), Calendar);
                }
                if let Some(book) = contacts_url.as_ref().filter(|_| modules.contacts) {
                    source = source.collection("source.contacts_url", book.clone(), AddressBook);
                }
                let source = source
                    .http(self.source_http()?)
                    .cache_file(self.paths.source_cache_file(SourceCache::Dav));
                tokio::task::spawn_blocking(move || {
                    let (snapshot, stats) = source.read_with_stats();
                    tracing::info!(
                        requests = stats.requests,
                        full_listings = stats.full_listings,
                        incremental = stats.incremental,
                        fetched = stats.fetched,
                        removed = stats.removed,
                        complete = snapshot.complete,
                        "read the CalDAV/CardDAV source"
                    );
                    snapshot
                })
                .await
            }
        };
        snapshot.map_err(|e| AppError::Sync(format!("reading the source stopped: {e}")))
    }
}

/// The `sync_meta` name of the last export's summary.
const LAST_EXPORT: &str = "last_export";

/// A run's summary as the status keeps it.
pub(crate) fn last_export_of(
    result: Result<&sync::SyncReport, &AppError>,
    now: DateTime<Utc>,
) -> status::LastExport {
    match result {
        Ok(r) => status::LastExport {
            at: now,
            ok: true,
            created: r.created,
            updated: r.updated,
            deleted: r.deleted,
            recreated: r.recreated,
            failed: r.failed.len(),
            held_back: r.held_back.len(),
            skipped: r.skipped.len(),
            error: None,
        },
        Err(e) => status::LastExport {
            at: now,
            ok: false,
            created: 0,
            updated: 0,
            deleted: 0,
            recreated: 0,
            failed: 0,
            held_back: 0,
            skipped: 0,
            error: Some(e.describe()),
        },
    }
}

/// How the source reads the firm's conventions (`[conventions]`).
pub fn read_options(c: &docket_config::Conventions) -> docket_source::ReadOptions {
    use docket_source::{DeadlineKind, KindRule, ReadOptions, SubscriptionRule};
    ReadOptions {
        kind: KindRule {
            x_property: c.kind_property.clone(),
            deadline_names: c.deadline_categories.clone(),
            followup_names: c.followup_categories.clone(),
            default: match c.default_kind {
                docket_config::DeadlineKind::Deadline => DeadlineKind::Deadline,
                docket_config::DeadlineKind::FollowUp => DeadlineKind::FollowUp,
            },
        },
        subscription: SubscriptionRule {
            x_property: c.subscribed_property.clone(),
            categories: c.subscribed_categories.clone(),
        },
        ..ReadOptions::default()
    }
}

/// What [`App::preview_pms`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PmsPreview {
    pub appointments: usize,
    pub deadlines: usize,
    pub contacts: usize,
    /// `false`: something could not be read; nothing is deleted on the
    /// strength of such a read.
    pub complete: bool,
    /// Each record the export will skip: its file, its identity, the
    /// reason (a message) and, when it is not the record's data, the fix.
    pub skipped: Vec<sync::Skipped>,
    /// What the user should know that costs no record.
    pub notices: Vec<docket_text::Message>,
}

/// Where the mailbox's time zone came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ZoneOrigin {
    /// `policy.mailbox_time_zone` in the config.
    Config,
    /// The zone of the computer Docket Sync runs on.
    Computer,
    /// Neither was available: UTC.
    Fallback,
}

/// The zone used for floating times, all-day items and date-only due
/// dates, and where it came from. IT's `policy.mailbox_time_zone` wins;
/// otherwise the computer's zone, which is the fee-earner's own on a
/// laptop (a terminal server in another zone needs the pin). Graph's
/// `mailboxSettings` would need one more delegated permission
/// (`MailboxSettings.Read`) and a new admin consent in every firm: see
/// `docs/sync.md`.
pub(crate) fn mailbox_zone(config: &Config) -> (chrono_tz::Tz, ZoneOrigin) {
    if let Some(tz) = config.policy.mailbox_time_zone {
        return (tz, ZoneOrigin::Config);
    }
    match iana_time_zone::get_timezone()
        .ok()
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
    {
        Some(tz) => (tz, ZoneOrigin::Computer),
        None => (chrono_tz::Tz::UTC, ZoneOrigin::Fallback),
    }
}

/// The planner's policy from the firm configuration.
pub fn sync_policy(config: &Config) -> docket_sync::Policy {
    let (zone, _) = mailbox_zone(config);
    let mut policy = docket_sync::Policy::new(zone);
    policy.calendar = config.modules.calendar;
    policy.tasks = config.modules.tasks;
    policy.contacts = config.modules.contacts;
    policy.deadlines_to = match config.policy.deadlines_to {
        docket_config::DeadlinesTo::Todo => docket_sync::DeadlinesTo::Todo,
        docket_config::DeadlinesTo::Calendar => docket_sync::DeadlinesTo::Calendar,
    };
    policy.force_private = config.policy.force_private;
    policy.max_delete_share = config.policy.max_delete_share;
    policy
}

/// The same signed-in identity (ids are GUIDs: case does not matter).
fn same_account(a: &Account, b: &Account) -> bool {
    a.object_id.eq_ignore_ascii_case(&b.object_id)
        && a.tenant_id.eq_ignore_ascii_case(&b.tenant_id)
        && a.username.eq_ignore_ascii_case(&b.username)
}

fn account_of(r: &AccountRecord) -> Account {
    Account {
        object_id: r.object_id.clone(),
        tenant_id: r.tenant_id.clone(),
        username: r.username.clone(),
        name: r.display_name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_conventions_are_the_sources_defaults() {
        assert_eq!(
            read_options(&docket_config::Conventions::default()),
            docket_source::ReadOptions::default()
        );
    }

    #[test]
    fn the_firms_conventions_decide_what_a_to_do_is() {
        let conventions = docket_config::Conventions {
            followup_categories: vec!["WV".into()],
            ..docket_config::Conventions::default()
        };
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VTODO\r\nUID:w1\r\nSUMMARY:Akte Huber\r\nCATEGORIES:WV\r\nDUE;VALUE=DATE:20261215\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        let read = |c: &docket_config::Conventions| {
            docket_source::read_bytes("t.ics", ics.as_bytes(), &read_options(c)).deadlines[0].kind
        };
        assert_eq!(read(&conventions), docket_source::DeadlineKind::FollowUp);
        assert_eq!(
            read(&docket_config::Conventions::default()),
            docket_source::DeadlineKind::Deadline
        );
    }
}

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
//!
//! This file holds [`App`] and how it opens; its jobs live in modules of
//! their own: `account` (sign-in, sign-out, status, check), `export` (one
//! export run and what the status keeps of it), `pms` (reading the source,
//! its caches, the preview for `doctor`), `credentials` (the client secret,
//! the PMS credential, which secret store), `settings`, `companion`,
//! `schedule`, `snapshot`, `executor` (applies a plan), `doctor`.

mod account;
mod credentials;
mod error;
mod export;
mod export_lock;
mod pms;

pub mod companion;
pub mod doctor;
pub mod executor;
pub mod frontend;
pub mod logging;
pub mod schedule;
pub mod settings;
pub mod snapshot;
mod source_watch;
pub mod status;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use docket_auth::loopback::RedirectConfig;
use docket_auth::{Auth, AuthConfig, TokenManager};
pub use docket_auth::{Browser, SystemBrowser};
use docket_config::{ClientType, Config};
use docket_paths::Paths;
use docket_secrets::SecretStore;
use docket_store::StateDb;

pub use account::{CheckReport, ModuleCheck, SignInReport};
pub use credentials::source_credential_key;
pub(crate) use credentials::{open_secret_store, source_auth};
pub use docket_text::{Action, Lang, Message, Texts, TimeStyle, Who};
pub use error::{AppError, Described, ExportFailure, HttpSetup};
pub(crate) use export::{last_export_of, mailbox_zone, plan_choices, ZoneOrigin, LAST_EXPORT};
pub(crate) use pms::PmsPreview;
pub use status::Status;

/// What a front end needs of `docket-text` beyond the words above: its
/// own catalogue files (the CLI's `cli.ftl`, the tray's `tray.ftl`) and
/// the check that they agree with the built-in ones.
pub mod text {
    pub use docket_text::{disagreements, resources, Resource, BUILTIN, TRAY};
}

/// What a front end needs of `docket-paths`: where the tray's XDG
/// autostart entry goes, and owner-only folders.
pub mod paths {
    pub use docket_paths::{secure, xdg_autostart_dir, BaseDirs};
}

/// `docket-config`'s view → `docket-auth`'s.
pub(crate) fn auth_config(config: &Config) -> Result<AuthConfig, AppError> {
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
    /// The clock the token manager keeps time on: the wall clock, or the
    /// background loop's ([`App::use_clock`]).
    clock: RwLock<docket_auth::tokens::Now>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("paths", &self.paths)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
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
                std::fs::read(path).map_err(|e| AppError::Http(HttpSetup::unreadable(path, &e)))?,
            ),
            None => None,
        };
        let http =
            docket_auth::http::client(extra_ca.as_deref()).map_err(|e| AppError::Http(e.into()))?;
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
            clock: RwLock::new(Arc::new(chrono::Utc::now)),
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

    /// A value the app remembers between runs (`export_meta`); `None` also
    /// when the database cannot be read (logged).
    pub(crate) fn meta(&self, name: &str) -> Option<String> {
        self.db()
            .export_meta(name)
            .map_err(|e| tracing::warn!(error = %e, name, "cannot read a remembered value"))
            .ok()
            .flatten()
    }

    pub(crate) fn set_meta(&self, name: &str, value: &str) {
        if let Err(e) = self.db().set_export_meta(name, value) {
            tracing::warn!(error = %e, name, "cannot remember a value");
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
}

//! [`AppError`]: every failure the UI shows, with a stable code, who must
//! act, the message and the fix. Token-endpoint failures carry
//! `docket-auth`'s classified [`Problem`] (English and German texts).

use docket_auth::loopback::ListenError;
use docket_auth::problem::{Problem, Who};
use docket_auth::{RefreshError, SignInError};
use docket_secrets::StoreError;
use docket_store::StateError;

/// Who has to do something about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The fee-earner: sign in (again), or retry the sign-in.
    User,
    /// IT: the app registration, the tenant or the firm configuration.
    Admin,
    /// Something on this computer: configuration file, keyring, folders.
    Local,
    /// Nobody: temporary, Docket Sync retries.
    Retry,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Paths(#[from] docket_paths::PathsError),
    #[error("{0}")]
    Config(docket_config::Problems),
    #[error("the secret store cannot be used: {0}")]
    SecretStore(StoreError),
    #[error("{0}")]
    State(#[from] StateError),
    #[error("the HTTPS client could not be set up: {0}")]
    Http(String),
    #[error("not signed in")]
    NotSignedIn,
    #[error("{0}")]
    SignIn(SignInError),
    #[error("{0}")]
    Refresh(RefreshError),
    #[error("Microsoft Graph could not be used: {0}")]
    Graph(docket_graph::Error),
    #[error(
        "microsoft.client_type is \"public\": a public (desktop) registration has no client secret, \
         so none was stored"
    )]
    PublicClient,
    #[error("the client secret is empty; nothing was stored")]
    EmptySecret,
    /// `source.auth = "none"`: there is no source credential to store.
    #[error("source.auth is \"none\": the PMS server needs no credential, so none was stored")]
    SourceNeedsNoCredential,
    #[error("the PMS credential is empty; nothing was stored")]
    EmptySourceCredential,
    /// The configured source kind cannot be read by this version.
    #[error("source.kind {0:?} is not supported yet")]
    SourceUnsupported(String),
    /// Another export of this user is running (the loop or the tray, and
    /// `docketsync sync`); this one waited `waited_seconds` for it.
    #[error(
        "an export is already running for this user (Docket Sync in the background or another \
         `docketsync sync`); this one waited {waited_seconds} s and did not start"
    )]
    ExportRunning { waited_seconds: u64 },
    /// The export lock file cannot be opened or locked.
    #[error("cannot use the export lock file {}: {source}", path.display())]
    ExportLock {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The export went wrong in a way no other variant names.
    #[error("the export failed: {0}")]
    Sync(String),
}

impl From<docket_graph::Error> for AppError {
    /// A token failure inside a Graph call is the sign-in's problem.
    fn from(e: docket_graph::Error) -> Self {
        match e {
            docket_graph::Error::Token(inner) => match inner.downcast::<RefreshError>() {
                Ok(refresh) => AppError::Refresh(*refresh),
                Err(other) => AppError::Graph(docket_graph::Error::Token(other)),
            },
            other => AppError::Graph(other),
        }
    }
}

fn store_code(e: &StoreError) -> &'static str {
    match e {
        StoreError::Unavailable { .. } => "keyring.unavailable",
        StoreError::Locked { .. } => "keyring.locked",
        StoreError::Corrupt { .. } => "keyring.corrupt",
        StoreError::Other { .. } => "keyring.error",
    }
}

const KEYRING_FIX: &str = "Linux: install and start a Secret Service (gnome-keyring, or KeePassXC \
    with its Secret Service integration) and unlock it; Windows/macOS: sign in to the desktop \
    normally so Credential Manager / the login Keychain is available. Or, where no keyring can \
    exist, IT may set storage.allow_plaintext_tokens = true";

impl AppError {
    /// The classified sign-in problem, when there is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            AppError::SignIn(e) => e.problem(),
            AppError::Refresh(e) => e.problem(),
            _ => None,
        }
    }

    /// A stable code for the UI and scripts (`docs/cli.md` lists them).
    pub fn code(&self) -> &'static str {
        if let Some(p) = self.problem() {
            return p.code;
        }
        match self {
            AppError::Paths(_) => "config.paths",
            AppError::Config(_) => "config.invalid",
            AppError::SecretStore(e) => store_code(e),
            AppError::State(e) => e.code(),
            AppError::Http(_) => "config.extra_ca_file",
            AppError::NotSignedIn => "signin.none",
            AppError::SignIn(e) => match e {
                SignInError::Listen(ListenError::PortInUse { .. }) => "signin.port_in_use",
                SignInError::Listen(ListenError::TimedOut(_)) => "signin.timed_out",
                SignInError::Listen(ListenError::Cancelled) => "signin.cancelled",
                SignInError::Listen(_) => "signin.listener",
                SignInError::AccountMismatch { .. } => "signin.account_mismatch",
                SignInError::NoRefreshToken => "signin.no_refresh_token",
                SignInError::IdToken(_) => "signin.id_token",
                SignInError::ClientSecretNotStored => "client_secret.not_stored",
                SignInError::Store(_) => "keyring.write_failed",
                SignInError::Config(_) => "config.invalid",
                SignInError::TokenLock(_) => "refresh.lock_timeout",
                SignInError::Denied(p) | SignInError::Token(p) => p.code,
            },
            AppError::Refresh(e) => match e {
                RefreshError::Token(p) => p.code,
                RefreshError::NotSignedIn { .. } => "signin.token_missing",
                RefreshError::Persist(_) => "keyring.write_failed",
                RefreshError::Store(e) => store_code(e),
                RefreshError::LockTimeout { .. } => "refresh.lock_timeout",
                RefreshError::Lock { .. } => "refresh.lock_file",
                RefreshError::ClientSecretNotStored => "client_secret.not_stored",
                RefreshError::Config(_) => "config.invalid",
                RefreshError::StillUnauthorized => "graph.unauthorized",
            },
            AppError::Graph(docket_graph::Error::Transport(_)) => "graph.unreachable",
            AppError::Graph(_) => "graph.error",
            AppError::PublicClient => "client_secret.public_client",
            AppError::EmptySecret => "client_secret.empty",
            AppError::SourceNeedsNoCredential => "source_credential.not_used",
            AppError::EmptySourceCredential => "source_credential.empty",
            AppError::SourceUnsupported(_) => "source.unsupported",
            AppError::ExportRunning { .. } => "sync.already_running",
            AppError::ExportLock { .. } => "sync.lock_file",
            AppError::Sync(_) => "sync.failed",
        }
    }

    /// Who must act.
    pub fn actor(&self) -> Actor {
        if let Some(p) = self.problem() {
            return match p.who {
                Who::ReAuth(_) => Actor::User,
                Who::Admin(_) => Actor::Admin,
                Who::Transient(_) => Actor::Retry,
            };
        }
        match self.code() {
            "signin.none"
            | "signin.token_missing"
            | "signin.timed_out"
            | "signin.cancelled"
            | "signin.account_mismatch"
            | "client_secret.empty"
            | "source_credential.empty" => Actor::User,
            "signin.no_refresh_token"
            | "signin.id_token"
            | "client_secret.not_stored"
            | "client_secret.public_client"
            | "config.invalid"
            | "config.extra_ca_file"
            | "graph.unauthorized"
            | "source.unsupported"
            | "source_credential.not_used" => Actor::Admin,
            "graph.unreachable"
            | "refresh.lock_timeout"
            | "graph.error"
            | "sync.failed"
            | "sync.already_running" => Actor::Retry,
            _ => Actor::Local,
        }
    }

    /// The English message: the problem's text when classified.
    pub fn message_en(&self) -> String {
        match self.problem() {
            Some(p) => p.message_en.to_string(),
            None => self.to_string(),
        }
    }

    /// The German message, when there is one (classified problems).
    pub fn message_de(&self) -> Option<&'static str> {
        if let AppError::ExportRunning { .. } = self {
            return Some(
                "Für diesen Benutzer läuft bereits ein Export (Docket Sync im Hintergrund oder \
                 ein anderes `docketsync sync`); dieser wurde nicht gestartet.",
            );
        }
        self.problem().map(|p| p.message_de)
    }

    /// What to do, in English.
    pub fn fix_en(&self) -> String {
        if let Some(p) = self.problem() {
            return p.fix_en.to_string();
        }
        match self {
            AppError::Paths(_) => "set DOCKETSYNC_HOME to an absolute folder you can write".into(),
            AppError::Config(_) => "correct each key as its fix says (docs/configuration.md lists every key); `docketsync doctor` checks the file".into(),
            AppError::SecretStore(StoreError::Locked { .. }) => "unlock the login keyring (sign out of the desktop and in again, or open the keyring app) and try again".into(),
            AppError::SecretStore(_) => KEYRING_FIX.into(),
            AppError::State(_) => "move the state database aside (the message names it); Docket Sync rebuilds it".into(),
            AppError::Http(_) => "check microsoft.extra_ca_file: it must be a PEM file with the firm's root certificate".into(),
            AppError::NotSignedIn => "run `docketsync signin`".into(),
            AppError::SignIn(e) => match e {
                SignInError::Listen(ListenError::PortInUse { .. } | ListenError::Bind { .. }) => {
                    "close the program using the port, or IT changes microsoft.redirect_port".into()
                }
                SignInError::Listen(_) => "run `docketsync signin` again and finish it in the browser within 5 minutes".into(),
                SignInError::AccountMismatch { expected, .. } => format!(
                    "sign in as {expected}, or run `docketsync signout` first to switch accounts"
                ),
                SignInError::NoRefreshToken => "IT: keep offline_access in microsoft.scopes and grant it in the app registration's API permissions".into(),
                SignInError::ClientSecretNotStored => "IT: store the client secret with `docketsync client-secret set` (reads it from standard input)".into(),
                SignInError::Store(_) => KEYRING_FIX.into(),
                _ => "run `docketsync signin` again; if it keeps failing, send the log file to IT".into(),
            },
            AppError::Refresh(e) => match e {
                RefreshError::NotSignedIn { .. } => "the stored sign-in is gone from the keyring; run `docketsync signin`".into(),
                RefreshError::Persist(_) | RefreshError::Store(_) => KEYRING_FIX.into(),
                RefreshError::LockTimeout { .. } | RefreshError::Lock { .. } => "another Docket Sync process is refreshing the sign-in; try again in a minute".into(),
                RefreshError::ClientSecretNotStored => "IT: store the client secret with `docketsync client-secret set`".into(),
                _ => "try again later; if it keeps failing, run `docketsync signin`".into(),
            },
            AppError::Graph(_) => "try again later; if it lasts, check the network and microsoft.graph_base_url".into(),
            AppError::PublicClient => "set microsoft.client_type = \"confidential\" first if the app registration is a Web app with a secret".into(),
            AppError::SourceNeedsNoCredential => "if the PMS server asks for a credential, IT sets source.auth = \"basic\" (with source.username) or \"bearer\" in the firm configuration first".into(),
            AppError::EmptySourceCredential => "type the PMS password (or token) when `docketsync source-credential set` asks, or pipe it in".into(),
            AppError::SourceUnsupported(_) => "IT: use source.kind = \"demo\" or \"ics\" (a file or a folder of .ics/.vcf files) until this source is supported".into(),
            AppError::ExportRunning { .. } => "nothing to do: the running export brings Outlook up to date; Docket Sync exports again at the next interval".into(),
            AppError::ExportLock { .. } => "check that your user account can write the data folder (the message names the file)".into(),
            AppError::Sync(_) => "run `docketsync sync` again; if it keeps failing, send the log file to IT".into(),
            AppError::EmptySecret => "pipe the secret's Value (Azure portal → App registrations → Certificates & secrets) into `docketsync client-secret set`".into(),
        }
    }

    /// The German fix, when there is one (classified problems).
    pub fn fix_de(&self) -> Option<&'static str> {
        if let AppError::ExportRunning { .. } = self {
            return Some(
                "Nichts zu tun: Der laufende Export bringt Outlook auf den Stand; Docket Sync \
                 exportiert beim nächsten Intervall wieder.",
            );
        }
        self.problem().map(|p| p.fix_de)
    }
}

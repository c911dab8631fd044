//! [`AppError`]: every failure the UI shows, kept intact until
//! [`AppError::describe`] turns it into data: a stable code, who must act
//! ([`Who`]), what happened (a catalogue [`Message`]) and the fix (an
//! [`Action`]). Token-endpoint failures carry `docket-auth`'s classified
//! [`Problem`]. No words here: they are in `docket-text`'s catalogues.

use docket_auth::problem::Problem;
use docket_auth::{RefreshError, SignInError};
use docket_secrets::StoreError;
use docket_store::StateError;
use docket_text::{Action, Lang, Message, Texts, Who};

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
    Http(HttpSetup),
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
    /// Another export of this user is running (the loop or the tray, and
    /// `docketsync sync`); this one waited `waited_seconds` for it.
    #[error(
        "another export of this user is running; this one waited {waited_seconds} s and did not \
         start"
    )]
    ExportRunning { waited_seconds: u64 },
    /// The export lock file cannot be opened or locked.
    #[error("cannot use the export lock file {}: {source}", path.display())]
    ExportLock {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The demo source (the sample firm) has no data for the signed-in
    /// user (or nobody is signed in yet).
    #[error("the demo source has no data for {username:?}: sign in as a demo user")]
    DemoUserUnknown { username: String },
    /// The export went wrong in a way no other variant names.
    #[error("the export failed: {0}")]
    Export(ExportFailure),
}

/// Why the HTTPS client could not be set up (code `config.extra_ca_file`):
/// data, worded by the catalogue (`error-config-extra-ca-file-…`). A
/// `detail` is the system's or the TLS library's own text, passed on as
/// received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpSetup {
    /// `microsoft.extra_ca_file` cannot be read.
    CaFileUnreadable { file: String, detail: String },
    /// The file holds no PEM certificate the TLS library takes.
    CaFileNotPem { detail: String },
    /// The client could not be built with it.
    Client { detail: String },
}

impl HttpSetup {
    pub fn message(&self) -> Message {
        match self {
            HttpSetup::CaFileUnreadable { file, detail } => {
                Message::new("error-config-extra-ca-file-unreadable")
                    .text("file", file.clone())
                    .text("detail", detail.clone())
            }
            HttpSetup::CaFileNotPem { detail } => {
                Message::new("error-config-extra-ca-file-not-pem").text("detail", detail.clone())
            }
            HttpSetup::Client { detail } => {
                Message::new("error-config-extra-ca-file-client").text("detail", detail.clone())
            }
        }
    }

    /// `microsoft.extra_ca_file` at `path` could not be read.
    pub(crate) fn unreadable(path: &std::path::Path, e: &std::io::Error) -> HttpSetup {
        HttpSetup::CaFileUnreadable {
            file: path.display().to_string(),
            detail: e.to_string(),
        }
    }
}

impl From<docket_auth::http::BuildError> for HttpSetup {
    fn from(e: docket_auth::http::BuildError) -> Self {
        match e {
            docket_auth::http::BuildError::ExtraCa(source) => HttpSetup::CaFileNotPem {
                detail: source.to_string(),
            },
            docket_auth::http::BuildError::Client(source) => HttpSetup::Client {
                detail: source.to_string(),
            },
        }
    }
}

/// English, for logs (`AppError`'s `Display`); people read the catalogue.
impl std::fmt::Display for HttpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Texts::new(Lang::En).render(&self.message()))
    }
}

/// Why an export stopped when no other [`AppError`] names it (code
/// `sync.failed`): data, worded by the catalogue (`error-sync-failed-…`).
/// A `detail` is the system's own text (tokio's, for a task that ended
/// without an answer), passed on as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFailure {
    /// The task reading the source ended without an answer (it panicked
    /// or was cancelled).
    SourceReadStopped { detail: String },
    /// Graph created the owned To Do list and sent no id for it.
    TaskListWithoutId,
    /// The task waiting for the export lock ended without an answer.
    LockTaskStopped { detail: String },
}

impl ExportFailure {
    pub fn message(&self) -> Message {
        match self {
            ExportFailure::SourceReadStopped { detail } => {
                Message::new("error-sync-failed-source-stopped").text("detail", detail.clone())
            }
            ExportFailure::TaskListWithoutId => Message::new("error-sync-failed-task-list-no-id"),
            ExportFailure::LockTaskStopped { detail } => {
                Message::new("error-sync-failed-lock-task-stopped").text("detail", detail.clone())
            }
        }
    }
}

/// English, for logs (`AppError`'s `Display`); people read the catalogue.
impl std::fmt::Display for ExportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Texts::new(Lang::En).render(&self.message()))
    }
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
            AppError::SecretStore(e) => e.code(),
            AppError::State(e) => e.code(),
            AppError::Http(_) => "config.extra_ca_file",
            AppError::NotSignedIn => "signin.none",
            AppError::SignIn(e) => e.code(),
            AppError::Refresh(e) => e.code(),
            AppError::Graph(docket_graph::Error::Transport(_)) => "graph.unreachable",
            AppError::Graph(_) => "graph.error",
            AppError::PublicClient => "client_secret.public_client",
            AppError::EmptySecret => "client_secret.empty",
            AppError::SourceNeedsNoCredential => "source_credential.not_used",
            AppError::EmptySourceCredential => "source_credential.empty",
            AppError::ExportRunning { .. } => "sync.already_running",
            AppError::ExportLock { .. } => "sync.lock_file",
            AppError::DemoUserUnknown { .. } => "source.demo_user_unknown",
            AppError::Export(_) => "sync.failed",
        }
    }

    /// Who must act. One vocabulary ([`Who`]) for the status, the
    /// notifications and the CLI's exit codes.
    pub fn who(&self) -> Who {
        match self {
            AppError::SignIn(e) => e.who(),
            AppError::Refresh(e) => e.who(),
            AppError::SecretStore(e) => e.who(),
            // The person at the terminal typed nothing: they try again.
            AppError::NotSignedIn
            | AppError::EmptySecret
            | AppError::EmptySourceCredential
            | AppError::DemoUserUnknown { .. } => Who::User,
            AppError::Graph(_) | AppError::ExportRunning { .. } | AppError::Export(_) => {
                Who::Nobody
            }
            _ => Who::Admin,
        }
    }

    /// The fix, as an action a front end can offer or name.
    pub fn action(&self) -> Action {
        let edit = |key: &str| Action::EditConfig { key: key.into() };
        match self {
            AppError::Paths(_) => edit("DOCKETSYNC_HOME"),
            // The first keyed problem's own fix (the user's for a key of
            // their own file they may set, else IT's).
            AppError::Config(problems) => match problems.0.iter().find(|p| p.key.is_some()) {
                Some(p) => p.fix.clone(),
                None => Action::AskAdmin,
            },
            AppError::SecretStore(e) => e.action(),
            AppError::State(_) => Action::AskAdmin,
            AppError::Http(_) => edit("microsoft.extra_ca_file"),
            AppError::NotSignedIn => Action::SignIn,
            AppError::SignIn(e) => e.action(),
            AppError::Refresh(e) => e.action(),
            AppError::Graph(docket_graph::Error::Transport(_)) => Action::CheckNetwork,
            AppError::Graph(_) => Action::Wait,
            AppError::PublicClient => edit("microsoft.client_type"),
            AppError::EmptySecret => Action::SetClientSecret,
            AppError::SourceNeedsNoCredential => edit("source.auth"),
            AppError::EmptySourceCredential => Action::SetSourceCredential,
            AppError::ExportRunning { .. } => Action::Wait,
            AppError::ExportLock { .. } => Action::AskAdmin,
            AppError::DemoUserUnknown { .. } => Action::SignIn,
            AppError::Export(_) => Action::ExportNow,
        }
    }

    /// What happened, as a catalogue message: its value is the headline,
    /// its `.body` the explanation (`locales/*/app.ftl`; sign-in problems
    /// in `auth.ftl`). Details a person cannot translate (a file name, the
    /// system's own error text) are arguments.
    pub fn message(&self) -> Message {
        match self {
            AppError::SecretStore(e) => return e.message(),
            AppError::SignIn(e) => return e.message(),
            AppError::Refresh(e) => return e.message(),
            _ => {}
        }
        let m = Message::from_code(&format!("error.{}", self.code()));
        match self {
            AppError::Paths(e) => m.text("detail", e.to_string()),
            AppError::Config(problems) => m
                .number("count", problems.0.len())
                .text("detail", problems.to_string()),
            AppError::State(e) => m.text("detail", e.to_string()),
            AppError::Http(why) => m.message("reason", why.message()),
            AppError::Graph(e) => m.text("detail", e.to_string()),
            AppError::ExportRunning { waited_seconds } => m.number("seconds", *waited_seconds),
            AppError::ExportLock { path, source } => m
                .text("file", path.display().to_string())
                .text("detail", source.to_string()),
            AppError::DemoUserUnknown { username } => m.text("user", username.clone()),
            AppError::Export(why) => m.message("reason", why.message()),
            _ => m,
        }
    }

    /// Everything a front end shows about this error, as data.
    pub fn describe(&self) -> Described {
        Described {
            code: self.code().to_string(),
            who: self.who(),
            message: self.message(),
            action: self.action(),
            aadsts: self.problem().and_then(|p| p.aadsts),
        }
    }

    /// The English headline and explanation (logs, and callers not yet
    /// rendering [`AppError::describe`] themselves).
    pub fn message_en(&self) -> String {
        Texts::new(Lang::En).render_full(&self.message())
    }

    /// The English words for the fix.
    pub fn fix_en(&self) -> String {
        Texts::new(Lang::En).render(&self.action().label())
    }
}

/// Everything a front end shows about a failure: a stable code, who must
/// act, what happened (headline + `.body`) and the fix as an action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Described {
    pub code: String,
    pub who: Who,
    pub message: Message,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aadsts: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A demo sign-in as someone the sample firm does not know: the user
    /// signs in again, told so in either language (was English text).
    #[test]
    fn the_demo_without_data_for_the_user_is_theirs_to_fix_in_both_languages() {
        let d = AppError::DemoUserUnknown {
            username: "jo@contoso.example".into(),
        }
        .describe();
        assert_eq!(
            (d.code.as_str(), d.who, &d.action),
            ("source.demo_user_unknown", Who::User, &Action::SignIn)
        );
        let en = Texts::new(Lang::En).render_full(&d.message);
        let de = Texts::new(Lang::De).render_full(&d.message);
        assert_eq!(
            en,
            "The demo firm has no data for “jo@contoso.example”: Sign in as one of the demo fee-earners; the demo's sign-in page names them."
        );
        assert!(
            de.starts_with(
                "Die Demo-Kanzlei hat keine Daten für „jo@contoso.example“: Melden Sie sich"
            ),
            "{de}"
        );
    }

    /// The export's and the HTTPS set-up's own reasons read in German for a
    /// German reader (they were English sentences inside the German
    /// headline); the codes stay, and what the system said is passed on.
    #[test]
    fn the_reasons_we_word_ourselves_read_in_both_languages() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let cases = [
            (
                AppError::Export(ExportFailure::TaskListWithoutId),
                "sync.failed",
                "The export stopped: Microsoft 365 created the To Do list “Docket Sync” but sent no id for it.",
                "Der Export wurde abgebrochen: Microsoft 365 hat die To-Do-Liste „Docket Sync“ angelegt, aber keine Kennung dafür zurückgegeben.",
            ),
            (
                AppError::Export(ExportFailure::SourceReadStopped {
                    detail: "task 7 panicked".into(),
                }),
                "sync.failed",
                "The export stopped: Reading the PMS stopped before it finished: task 7 panicked",
                "Der Export wurde abgebrochen: Das Lesen der Kanzleisoftware brach vor dem Ende ab: task 7 panicked",
            ),
            (
                AppError::Export(ExportFailure::LockTaskStopped {
                    detail: "task 8 was cancelled".into(),
                }),
                "sync.failed",
                "The export stopped: Waiting for the export lock stopped: task 8 was cancelled",
                "Der Export wurde abgebrochen: Das Warten auf die Sperre des Exports brach ab: task 8 was cancelled",
            ),
            (
                AppError::Http(HttpSetup::unreadable(std::path::Path::new("/etc/ca.pem"), &io)),
                "config.extra_ca_file",
                "The firm's certificate file cannot be used: The file named in microsoft.extra_ca_file, /etc/ca.pem, cannot be read: entity not found",
                "Die Zertifikatsdatei der Kanzlei ist nicht nutzbar: Die in microsoft.extra_ca_file genannte Datei /etc/ca.pem lässt sich nicht lesen: entity not found",
            ),
            (
                AppError::Http(HttpSetup::CaFileNotPem {
                    detail: "builder error".into(),
                }),
                "config.extra_ca_file",
                "The firm's certificate file cannot be used: The file named in microsoft.extra_ca_file holds no PEM certificate that can be used: builder error",
                "Die Zertifikatsdatei der Kanzlei ist nicht nutzbar: Die in microsoft.extra_ca_file genannte Datei enthält kein nutzbares PEM-Zertifikat: builder error",
            ),
            (
                AppError::Http(HttpSetup::Client {
                    detail: "builder error".into(),
                }),
                "config.extra_ca_file",
                "The firm's certificate file cannot be used: The secure connection to Microsoft could not be set up with the file named in microsoft.extra_ca_file: builder error",
                "Die Zertifikatsdatei der Kanzlei ist nicht nutzbar: Mit der in microsoft.extra_ca_file genannten Datei ließ sich keine sichere Verbindung zu Microsoft einrichten: builder error",
            ),
        ];
        for (error, code, en, de) in cases {
            let d = error.describe();
            assert_eq!(d.code, code);
            assert_eq!(Texts::new(Lang::En).render_full(&d.message), en);
            assert_eq!(Texts::new(Lang::De).render_full(&d.message), de);
        }
    }
}

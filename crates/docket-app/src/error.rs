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
            // DOCKETSYNC_HOME is an environment variable, not a key of the
            // configuration file: the body says what to set; IT sets it.
            AppError::Paths(_) => Action::AskAdmin,
            // The first keyed problem's own fix (the user's for a key of
            // their own file they may set, else IT's).
            // The only problem's fix; of several, the first keyed one's.
            AppError::Config(problems) => match problems.0.as_slice() {
                [only] => only.fix.clone(),
                many => many
                    .iter()
                    .find(|p| p.key.is_some())
                    .map_or(Action::AskAdmin, |p| p.fix.clone()),
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
            AppError::Paths(e) => m.message("detail", paths_reason(e)),
            AppError::Config(problems) => {
                let alone = problems.0.len() == 1;
                m.number("count", problems.0.len()).lines(
                    "detail",
                    problems
                        .0
                        .iter()
                        .map(|p| config_problem(p, alone))
                        .collect(),
                )
            }
            AppError::State(e) => m.message("detail", state_reason(e)),
            AppError::Http(why) => m.message("reason", why.message()),
            AppError::Graph(e) => m.message("detail", graph_reason(e)),
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

/// Why a Microsoft Graph request failed, as a catalogue message
/// (`graph-…`, `app.ftl`): the body of `error-graph-*`, a failed item of
/// an export, a module's test read. The words are ours; what Microsoft
/// answered (its error code and message) and what the system said are
/// passed on as received, as arguments. A token failure is the sign-in's
/// own message.
pub(crate) fn graph_reason(e: &docket_graph::Error) -> Message {
    use docket_graph::{Error, Malformed, Unreachable};
    let detail = |id: &str, detail: &str| Message::new(id).text("detail", detail);
    match e {
        Error::Api {
            status,
            code,
            message,
            ..
        } => {
            let id = if code.is_empty() {
                "graph-answered-status"
            } else {
                "graph-answered"
            };
            Message::new(id)
                .text("status", status.to_string())
                .text("code", code.clone())
                .text("message", message.clone())
        }
        Error::Transport(why) => match why {
            Unreachable::TimedOut { detail: d } => detail("graph-timed-out", d),
            Unreachable::ConnectionFailed { detail: d } => detail("graph-connection-failed", d),
            Unreachable::CutOff { detail: d } => detail("graph-answer-cut-off", d),
            Unreachable::Failed { detail: d } => detail("graph-request-failed", d),
            Unreachable::NotAUrl { detail: d } => detail("graph-not-a-url", d),
            Unreachable::AnswerNotRead { limit } => {
                Message::new("graph-answer-not-read").bytes("size", *limit)
            }
            Unreachable::NotSent => Message::new("graph-not-sent"),
        },
        Error::Token(inner) => match inner.downcast_ref::<RefreshError>() {
            Some(refresh) => refresh.message(),
            None => detail("graph-no-token", &inner.to_string()),
        },
        Error::Malformed(why) => match why {
            Malformed::NotJson { detail: d } => detail("graph-not-json", d),
            Malformed::BatchItemMissing { id } => {
                Message::new("graph-batch-item-missing").number("id", *id)
            }
            Malformed::BatchItemStatus { id } => {
                Message::new("graph-batch-item-status").number("id", *id)
            }
        },
        Error::TooLarge { limit } => Message::new("graph-too-large").bytes("size", *limit),
        Error::TooManyPages { limit } => {
            Message::new("graph-too-many-pages").number("pages", *limit)
        }
        Error::ForeignLink { origin } => {
            Message::new("graph-foreign-link").text("origin", origin.clone())
        }
    }
}

/// One configuration problem, a line under `error-config-invalid`: where
/// (file, line, key), what (headline and `.body`) and its own fix, as
/// doctor lists it. The `alone` problem's fix is the error's
/// ([`AppError::action`]), said once under it, not also on its line.
fn config_problem(p: &docket_config::Problem, alone: bool) -> Message {
    let d = crate::doctor::problem_detail(p);
    let id = match (alone, d.place.is_some()) {
        (false, true) => "error-config-problem",
        (false, false) => "error-config-problem-unplaced",
        (true, true) => "error-config-only-problem",
        (true, false) => "error-config-only-problem-unplaced",
    };
    let mut line = Message::new(id);
    if let Some(place) = d.place {
        line = line.text("place", place);
    }
    line = line.message("problem", d.message);
    if alone {
        line
    } else {
        line.message("fix", d.action.unwrap_or(Action::AskAdmin).label())
    }
}

/// Why Docket Sync's folders cannot be found, as a catalogue message
/// (`paths-…`, `app.ftl`; the body of `error-config-paths`).
pub(crate) fn paths_reason(e: &docket_paths::PathsError) -> Message {
    use docket_paths::{PathsError, HOME_ENV};
    match e {
        PathsError::NoHome => Message::new("paths-no-home").text("env", HOME_ENV),
        PathsError::RelativeHome { path } => Message::new("paths-relative-home")
            .text("env", HOME_ENV)
            .text("path", path.display().to_string()),
    }
}

/// Why the state database cannot be used, as a catalogue message
/// (`database-…`, `app.ftl`; the body of `error-state-*`). SQLite's or the
/// system's own text is passed on as received.
pub(crate) fn state_reason(e: &StateError) -> Message {
    let file = |path: &std::path::Path| path.display().to_string();
    match e {
        StateError::Corrupt { path, detail } => Message::new("database-damaged")
            .text("file", file(path))
            .text("detail", detail.clone()),
        StateError::Open { path, detail } => Message::new("database-unopenable")
            .text("file", file(path))
            .text("detail", detail.clone()),
        StateError::TooNew { path, found, known } => Message::new("database-newer")
            .text("file", file(path))
            .number("found", *found)
            .number("known", *known),
        StateError::Sql { path, source } => Message::new("database-failed")
            .text("file", file(path))
            .text("detail", source.to_string()),
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
        use docket_graph::{Malformed, Unreachable};
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
            // Microsoft 365's failures: our words around what Microsoft
            // or the system said (they were English sentences: "Graph
            // answered …", "could not reach Microsoft Graph: …").
            (
                AppError::Graph(docket_graph::Error::Api {
                    status: 404,
                    code: "ErrorItemNotFound".into(),
                    message: "The specified object was not found in the store.".into(),
                    body: serde_json::Value::Null,
                }),
                "graph.error",
                "Microsoft 365 answered with an error: status 404 ErrorItemNotFound: The specified object was not found in the store.",
                "Microsoft 365 meldet einen Fehler: Status 404 ErrorItemNotFound: The specified object was not found in the store.",
            ),
            (
                AppError::Graph(docket_graph::Error::Api {
                    status: 502,
                    code: String::new(),
                    message: String::new(),
                    body: serde_json::Value::Null,
                }),
                "graph.error",
                "Microsoft 365 answered with an error: status 502",
                "Microsoft 365 meldet einen Fehler: Status 502",
            ),
            (
                AppError::Graph(docket_graph::Error::Transport(Unreachable::TimedOut {
                    detail: "operation timed out".into(),
                })),
                "graph.unreachable",
                "Microsoft 365 cannot be reached: no answer in time: operation timed out",
                "Microsoft 365 ist nicht erreichbar: keine Antwort in der erwarteten Zeit: operation timed out",
            ),
            (
                AppError::Graph(docket_graph::Error::Transport(
                    Unreachable::ConnectionFailed {
                        detail: String::new(),
                    },
                )),
                "graph.unreachable",
                "Microsoft 365 cannot be reached: no connection",
                "Microsoft 365 ist nicht erreichbar: keine Verbindung",
            ),
            (
                AppError::Graph(docket_graph::Error::Transport(Unreachable::CutOff {
                    detail: "unexpected end of file".into(),
                })),
                "graph.unreachable",
                "Microsoft 365 cannot be reached: the answer was cut off: unexpected end of file",
                "Microsoft 365 ist nicht erreichbar: die Antwort brach ab: unexpected end of file",
            ),
            (
                AppError::Graph(docket_graph::Error::Transport(Unreachable::Failed {
                    detail: "builder error".into(),
                })),
                "graph.unreachable",
                "Microsoft 365 cannot be reached: the request failed: builder error",
                "Microsoft 365 ist nicht erreichbar: die Anfrage schlug fehl: builder error",
            ),
            (
                AppError::Graph(docket_graph::Error::Transport(Unreachable::NotAUrl {
                    detail: "empty host".into(),
                })),
                "graph.unreachable",
                "Microsoft 365 cannot be reached: the request's address is not a valid URL: empty host",
                "Microsoft 365 ist nicht erreichbar: die Adresse der Anfrage ist keine gültige URL: empty host",
            ),
            (
                AppError::Graph(docket_graph::Error::Transport(Unreachable::AnswerNotRead {
                    limit: 16 * 1024 * 1024,
                })),
                "graph.unreachable",
                "Microsoft 365 cannot be reached: the answer was over 16.8 MB and was not read; the change may have been made",
                "Microsoft 365 ist nicht erreichbar: die Antwort war größer als 16,8 MB und wurde nicht gelesen; die Änderung ist womöglich erfolgt",
            ),
            (
                AppError::Graph(docket_graph::Error::Transport(Unreachable::NotSent)),
                "graph.unreachable",
                "Microsoft 365 cannot be reached: the request was not sent",
                "Microsoft 365 ist nicht erreichbar: die Anfrage wurde nicht gesendet",
            ),
            (
                AppError::Graph(docket_graph::Error::Token("the keyring is locked".into())),
                "graph.error",
                "Microsoft 365 answered with an error: no access token: the keyring is locked",
                "Microsoft 365 meldet einen Fehler: kein Zugriffstoken: the keyring is locked",
            ),
            (
                AppError::Graph(docket_graph::Error::Malformed(Malformed::NotJson {
                    detail: "EOF while parsing a value at line 1 column 6".into(),
                })),
                "graph.error",
                "Microsoft 365 answered with an error: the answer is not valid JSON: EOF while parsing a value at line 1 column 6",
                "Microsoft 365 meldet einen Fehler: die Antwort ist kein gültiges JSON: EOF while parsing a value at line 1 column 6",
            ),
            (
                AppError::Graph(docket_graph::Error::Malformed(
                    Malformed::BatchItemMissing { id: 3 },
                )),
                "graph.error",
                "Microsoft 365 answered with an error: the batch answer has no answer for item 3",
                "Microsoft 365 meldet einen Fehler: in der Sammelantwort fehlt die Antwort für Eintrag 3",
            ),
            (
                AppError::Graph(docket_graph::Error::Malformed(
                    Malformed::BatchItemStatus { id: 4 },
                )),
                "graph.error",
                "Microsoft 365 answered with an error: item 4 of the batch was answered without a valid HTTP status",
                "Microsoft 365 meldet einen Fehler: Eintrag 4 der Sammelanfrage wurde ohne gültigen HTTP-Status beantwortet",
            ),
            (
                AppError::Graph(docket_graph::Error::TooLarge { limit: 1_000_000 }),
                "graph.error",
                "Microsoft 365 answered with an error: the answer was over 1 MB and was not read",
                "Microsoft 365 meldet einen Fehler: die Antwort war größer als 1 MB und wurde nicht gelesen",
            ),
            (
                AppError::Graph(docket_graph::Error::TooManyPages { limit: 10_000 }),
                "graph.error",
                "Microsoft 365 answered with an error: the listing went on for more than 10000 pages; reading stopped",
                "Microsoft 365 meldet einen Fehler: die Liste ging über mehr als 10000 Seiten; das Lesen wurde beendet",
            ),
            (
                AppError::Graph(docket_graph::Error::ForeignLink {
                    origin: "https://evil.example".into(),
                }),
                "graph.error",
                "Microsoft 365 answered with an error: a link pointed to https://evil.example, not to the configured Graph address; it was dropped and nothing was sent there",
                "Microsoft 365 meldet einen Fehler: ein Link zeigte auf https://evil.example statt auf die eingestellte Graph-Adresse; er wurde verworfen, dorthin wurde nichts gesendet",
            ),
            // The state database: what to do, in the reader's language
            // (it was "move it aside (Docket Sync rebuilds it: …)").
            (
                AppError::State(StateError::Corrupt {
                    path: "/home/jo/.local/share/docketsync/state.db".into(),
                    detail: "file is not a database".into(),
                }),
                "state.corrupt",
                "Docket Sync's database is damaged: /home/jo/.local/share/docketsync/state.db: file is not a database. Move the file aside: Docket Sync makes a new one; sign in again, and the next export reads Microsoft 365 afresh.",
                "Die Datenbank von Docket Sync ist beschädigt: /home/jo/.local/share/docketsync/state.db: file is not a database. Legen Sie die Datei beiseite: Docket Sync legt eine neue an; melden Sie sich erneut an, dann liest der nächste Export Microsoft 365 neu ein.",
            ),
            (
                AppError::State(StateError::Open {
                    path: "/srv/state.db".into(),
                    detail: "Permission denied (os error 13)".into(),
                }),
                "state.unreadable",
                "Docket Sync's database cannot be opened: /srv/state.db: Permission denied (os error 13). Check that your user account may read and write the file.",
                "Die Datenbank von Docket Sync lässt sich nicht öffnen: /srv/state.db: Permission denied (os error 13). Prüfen Sie, ob Ihr Benutzerkonto die Datei lesen und schreiben darf.",
            ),
            (
                AppError::State(StateError::TooNew {
                    path: "/srv/state.db".into(),
                    found: 9,
                    known: 7,
                }),
                "state.too_new",
                "Docket Sync's database is from a newer version: A newer Docket Sync wrote this database; this version cannot use it: /srv/state.db has schema 9, this version knows up to 7. Update Docket Sync, or move the file aside to start afresh.",
                "Die Datenbank stammt von einer neueren Version: Ein neueres Docket Sync hat diese Datenbank geschrieben; diese Version kann sie nicht nutzen: /srv/state.db hat Schema 9, diese Version kennt bis 7. Aktualisieren Sie Docket Sync oder legen Sie die Datei beiseite, um neu zu beginnen.",
            ),
            // The configuration: each problem on its own line with its own
            // fix, as doctor lists them (it was "2 problems in the
            // configuration: … fix: …" in English).
            (
                AppError::Config(docket_config::Problems(vec![
                    docket_config::Problem::firm_only(
                        std::path::Path::new("/home/jo/.config/docketsync/config.toml"),
                        "microsoft.tenant",
                    ),
                    docket_config::Problem::unreadable(
                        std::path::Path::new("/etc/docketsync/config.toml"),
                        "Permission denied (os error 13)",
                    ),
                ])),
                "config.invalid",
                "The configuration has 2 problems: \
                 - /home/jo/.config/docketsync/config.toml: microsoft.tenant: Only the firm configuration may set this: A personal override cannot change this key. Remove it from your personal overrides file; IT can change it in the firm configuration.\n  \
                 fix: IT: change microsoft.tenant in the configuration file\n\
                 - /etc/docketsync/config.toml: Configuration file cannot be read: /etc/docketsync/config.toml cannot be read (Permission denied (os error 13)). Make it readable by the user account Docket Sync runs as, and save it as UTF-8.\n  \
                 fix: Ask your IT, quoting the code",
                "Die Konfiguration hat 2 Fehler: \
                 - /home/jo/.config/docketsync/config.toml: microsoft.tenant: Nur die Firmenkonfiguration darf das setzen: Eine persönliche Einstellung kann diesen Schlüssel nicht ändern. Entfernen Sie ihn aus Ihrer persönlichen Datei; die IT kann ihn in der Firmenkonfiguration ändern.\n  \
                 Behebung: IT: microsoft.tenant in der Konfigurationsdatei ändern\n\
                 - /etc/docketsync/config.toml: Konfigurationsdatei nicht lesbar: /etc/docketsync/config.toml kann nicht gelesen werden (Permission denied (os error 13)). Machen Sie die Datei für das Benutzerkonto lesbar, unter dem Docket Sync läuft, und speichern Sie sie als UTF-8.\n  \
                 Behebung: Wenden Sie sich mit dem Code an Ihre IT",
            ),
            // The only problem: its fix is the error's, said once under it
            // (doctor and `sync` printed it twice).
            (
                AppError::Config(docket_config::Problems(vec![
                    docket_config::Problem::firm_only(
                        std::path::Path::new("/home/jo/.config/docketsync/config.toml"),
                        "microsoft.tenant",
                    ),
                ])),
                "config.invalid",
                "The configuration has a problem: \
                 - /home/jo/.config/docketsync/config.toml: microsoft.tenant: Only the firm configuration may set this: A personal override cannot change this key. Remove it from your personal overrides file; IT can change it in the firm configuration.",
                "Die Konfiguration hat einen Fehler: \
                 - /home/jo/.config/docketsync/config.toml: microsoft.tenant: Nur die Firmenkonfiguration darf das setzen: Eine persönliche Einstellung kann diesen Schlüssel nicht ändern. Entfernen Sie ihn aus Ihrer persönlichen Datei; die IT kann ihn in der Firmenkonfiguration ändern.",
            ),
            // The folders (it was "cannot find your home folder; set …").
            (
                AppError::Paths(docket_paths::PathsError::NoHome),
                "config.paths",
                "Docket Sync cannot find its folders: The folders for its settings and data cannot be used: your home folder cannot be found. Set DOCKETSYNC_HOME to the folder where Docket Sync should keep its files.",
                "Docket Sync findet seine Ordner nicht: Die Ordner für Einstellungen und Daten sind nicht nutzbar: Ihr Benutzerordner ist nicht auffindbar. Setzen Sie DOCKETSYNC_HOME auf den Ordner, in dem Docket Sync seine Dateien ablegen soll.",
            ),
            (
                AppError::Paths(docket_paths::PathsError::RelativeHome {
                    path: "rel/dir".into(),
                }),
                "config.paths",
                "Docket Sync cannot find its folders: The folders for its settings and data cannot be used: DOCKETSYNC_HOME is rel/dir, which is not a full path. Set it to a full path.",
                "Docket Sync findet seine Ordner nicht: Die Ordner für Einstellungen und Daten sind nicht nutzbar: DOCKETSYNC_HOME ist rel/dir, also kein vollständiger Pfad. Setzen Sie einen vollständigen Pfad.",
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

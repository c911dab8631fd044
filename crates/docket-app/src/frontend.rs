//! What a front end (the CLI, the tray) needs besides the commands, so
//! that it depends on `docket-app` alone: the process set-up, the reader's
//! language, what to ask for when a credential is stored, where secrets
//! live, and the few types of the crates below that appear in the API.

use std::path::Path;

use docket_paths::Paths;
use docket_text::{Lang, Message};

use crate::App;

pub use docket_auth::{Browser, SystemBrowser};
pub use docket_paths::Paths as FilePaths;
pub use docket_secrets::SecretString;

/// Call first in `main`, before any thread or file: everything this
/// process creates (state database and its side files, logs, locks,
/// caches) is owner-only.
pub fn prepare_process() {
    docket_paths::secure::owner_only_umask();
}

/// The files of this user (`DOCKETSYNC_HOME` moves them all).
pub fn paths() -> Result<Paths, crate::AppError> {
    Ok(Paths::from_env()?)
}

/// The reader's language: the user's `app.language` in the configuration
/// at `config_file` (default: the platform's), else the system's. Also
/// when the configuration does not load (then the system's).
pub fn language(paths: &Paths, config_file: Option<&Path>) -> Lang {
    let firm = config_file.unwrap_or(&paths.firm_config_file);
    let setting = docket_config::load(firm, &paths.user_config_file)
        .ok()
        .and_then(|c| c.app.language);
    Lang::choose(setting.as_deref())
}

/// What the PMS credential is, to ask for it in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialPrompt {
    /// `source.auth = "bearer"`.
    Token,
    /// `source.auth = "basic"`: the password of `source.username`.
    Password { user: String },
    /// The source needs none (`set_source_credential` will say so).
    None,
}

impl App {
    /// The reader's language for this configuration (`app.language`,
    /// else the system's).
    pub fn language(&self) -> Lang {
        Lang::choose(self.config().app.language.as_deref())
    }

    /// Where secrets live, as a message to render (no secret in it).
    pub fn secrets_location(&self) -> Message {
        self.secret_store().location()
    }

    /// What [`App::set_source_credential`] stores.
    pub fn source_credential_prompt(&self) -> CredentialPrompt {
        use docket_config::{Source, SourceAuth};
        match crate::source_auth(&self.config()) {
            None => CredentialPrompt::None,
            Some(SourceAuth::Bearer) => CredentialPrompt::Token,
            Some(_) => CredentialPrompt::Password {
                user: match &self.config().source {
                    Source::IcsUrl { username, .. } | Source::CalDav { username, .. } => {
                        username.clone().unwrap_or_default()
                    }
                    _ => String::new(),
                },
            },
        }
    }

    /// Minutes between exports of the background loop.
    pub fn export_every_minutes(&self) -> i64 {
        crate::schedule::Timing::from_config(&self.config())
            .every
            .num_minutes()
    }
}

//! Who must act, and the fix as an action.

use serde::{Deserialize, Serialize};

use crate::Message;

/// Who has to do something. One vocabulary for the whole product: status,
/// problems, doctor checks, notifications and the CLI's exit codes are all
/// derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// The fee-earner: sign in again, unlock the keyring, resume.
    User,
    /// The firm's IT: the app registration, the tenant, the firm config,
    /// the PMS server.
    Admin,
    /// Nobody: temporary; Docket Sync tries again by itself.
    Nobody,
}

impl Who {
    /// `user`, `admin` or `nobody` (as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Who::User => "user",
            Who::Admin => "admin",
            Who::Nobody => "nobody",
        }
    }
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fix for a problem, as something to do. Each front end renders it in
/// its own words: the tray shows a button for an [`Action::invocable`]
/// one, the CLI names its command.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Sign in (again) in the browser.
    SignIn,
    /// Export now / try again now.
    ExportNow,
    /// Export now, including items paused after repeated failures.
    RetryHeldBack,
    /// Let a mass deletion the brake held back go through.
    AllowDeletions,
    /// Resume exporting after a pause.
    Resume,
    /// Run the checks again (doctor, a module test).
    TestAgain,
    /// Open the log folder.
    OpenLog,
    /// Open the status window (good news, or a look at the details).
    OpenStatus,
    /// Nothing to do: Docket Sync tries again by itself.
    Wait,
    /// Check the network connection (or the proxy).
    CheckNetwork,
    /// Unlock the system keyring (or sign in to the desktop normally).
    UnlockKeyring,
    /// IT: install or enable a keyring, or allow the plaintext file.
    ProvideKeyring,
    /// IT: grant admin consent to the app registration.
    GrantConsent,
    /// IT: fix the app registration in Entra ID (redirect URI, client
    /// type, permissions).
    FixAppRegistration,
    /// IT: store a (new) client secret.
    SetClientSecret,
    /// IT: store the PMS server's credential.
    SetSourceCredential,
    /// IT: change a firm-only config key (`key` is the dotted key).
    EditConfig { key: String },
    /// The user: change a key the firm lets each user set (`docket-config`'s
    /// `user_may_set`: modules, interval, language, the source's own
    /// addresses …) in their settings or own configuration file. Which of
    /// the two a key gets is `docket-config`'s `fix_for_key`.
    ChangeSetting { key: String },
    /// IT: check the PMS server or export folder.
    CheckSource,
    /// Correct the records named in the PMS (bad dates, missing UIDs):
    /// whoever keeps the firm's data there, usually the fee-earner's
    /// office; the rest is exported meanwhile.
    CorrectRecords,
    /// Hand it to IT, quoting the code.
    AskAdmin,
}

impl Action {
    /// Whether a front end can do it for the user with one click (the rest
    /// are instructions).
    pub fn invocable(&self) -> bool {
        matches!(
            self,
            Action::SignIn
                | Action::ExportNow
                | Action::RetryHeldBack
                | Action::AllowDeletions
                | Action::Resume
                | Action::TestAgain
                | Action::OpenLog
                | Action::OpenStatus
        )
    }

    /// Every action, for tests that need one of each.
    pub fn samples() -> Vec<Action> {
        vec![
            Action::SignIn,
            Action::ExportNow,
            Action::RetryHeldBack,
            Action::AllowDeletions,
            Action::Resume,
            Action::TestAgain,
            Action::OpenLog,
            Action::OpenStatus,
            Action::Wait,
            Action::CheckNetwork,
            Action::UnlockKeyring,
            Action::ProvideKeyring,
            Action::GrantConsent,
            Action::FixAppRegistration,
            Action::SetClientSecret,
            Action::SetSourceCredential,
            Action::EditConfig {
                key: "source.path".into(),
            },
            Action::ChangeSetting {
                key: "modules.contacts".into(),
            },
            Action::CheckSource,
            Action::CorrectRecords,
            Action::AskAdmin,
        ]
    }

    /// The action's label in the catalogue (`action-sign-in`, with `$key`
    /// for [`Action::EditConfig`] and [`Action::ChangeSetting`]): a
    /// button's text, or the instruction.
    pub fn label(&self) -> Message {
        let id = match self {
            Action::SignIn => "action-sign-in",
            Action::ExportNow => "action-export-now",
            Action::RetryHeldBack => "action-retry-held-back",
            Action::AllowDeletions => "action-allow-deletions",
            Action::Resume => "action-resume",
            Action::TestAgain => "action-test-again",
            Action::OpenLog => "action-open-log",
            Action::OpenStatus => "action-open-status",
            Action::Wait => "action-wait",
            Action::CheckNetwork => "action-check-network",
            Action::UnlockKeyring => "action-unlock-keyring",
            Action::ProvideKeyring => "action-provide-keyring",
            Action::GrantConsent => "action-grant-consent",
            Action::FixAppRegistration => "action-fix-app-registration",
            Action::SetClientSecret => "action-set-client-secret",
            Action::SetSourceCredential => "action-set-source-credential",
            Action::EditConfig { .. } => "action-edit-config",
            Action::ChangeSetting { .. } => "action-change-setting",
            Action::CheckSource => "action-check-source",
            Action::CorrectRecords => "action-correct-records",
            Action::AskAdmin => "action-ask-admin",
        };
        match self {
            Action::EditConfig { key } | Action::ChangeSetting { key } => {
                Message::new(id).text("key", key.clone())
            }
            _ => Message::new(id),
        }
    }

    /// Who performs this fix.
    pub fn who(&self) -> Who {
        match self {
            Action::SignIn
            | Action::ExportNow
            | Action::RetryHeldBack
            | Action::AllowDeletions
            | Action::Resume
            | Action::TestAgain
            | Action::OpenLog
            | Action::OpenStatus
            | Action::CheckNetwork
            | Action::UnlockKeyring
            | Action::ChangeSetting { .. }
            | Action::CorrectRecords => Who::User,
            Action::Wait => Who::Nobody,
            Action::ProvideKeyring
            | Action::GrantConsent
            | Action::FixAppRegistration
            | Action::SetClientSecret
            | Action::SetSourceCredential
            | Action::EditConfig { .. }
            | Action::CheckSource
            | Action::AskAdmin => Who::Admin,
        }
    }
}

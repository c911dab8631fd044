//! Secrets as types, and the one place that touches the OS keyring.
//!
//! **Invariant:** no other crate calls the `keyring` crate or writes a
//! secret anywhere. A `SecretString` cannot be printed (`Debug` is
//! redacted), serialized or compared; `expose_secret` is the one door out,
//! and grepping for it finds every use.
//!
//! Stores:
//! - [`KeyringStore`]: the OS keyring (Secret Service on Linux, Credential
//!   Manager on Windows, Keychain on macOS). Every secret is split into
//!   small chunks behind a manifest entry, on every platform, because
//!   Windows caps one credential at 2,560 bytes and Entra refresh tokens
//!   can be longer. Writes are crash-safe (see `chunked`).
//! - [`FileStore`]: a plaintext JSON file (0600 on Unix), only when the
//!   user opted in with `storage.allow_plaintext_tokens`.
//! - [`MemoryStore`]: for tests of other crates.
//!
//! [`open_default`] picks one; [`delete_account`] is sign-out.
//!
//! What a person reads about a failing store is data:
//! [`StoreError::message`] (`docket-text`'s `secrets.ftl`, English and
//! German, with the fix for this platform) and [`StoreError::action`];
//! the `Display` text (with the technical cause) is for logs.
//! `docs/secrets.md` describes where secrets live and the entry format.

use std::fmt;
use std::path::Path;

use docket_text::{Action, Message, Who};

mod account;
mod chunked;
mod file_store;
mod keyring_store;
mod memory;
mod platform;

pub use account::account_name;
pub use file_store::FileStore;
pub use keyring_store::KeyringStore;
pub use memory::MemoryStore;

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

impl SecretKind {
    /// Every kind, e.g. to remove all of an account's secrets.
    pub const ALL: [SecretKind; 3] = [
        SecretKind::RefreshToken,
        SecretKind::ClientSecret,
        SecretKind::SourceCredential,
    ];

    /// The stable name used in keyring account names and the file store.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::RefreshToken => "refresh-token",
            SecretKind::ClientSecret => "client-secret",
            SecretKind::SourceCredential => "source-credential",
        }
    }
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

/// The platform, for messages whose fix depends on it (`secrets.ftl`
/// selects on it).
pub(crate) const PLATFORM: &str = if cfg!(target_os = "linux") {
    "linux"
} else if cfg!(windows) {
    "windows"
} else if cfg!(target_os = "macos") {
    "macos"
} else {
    "other"
};

impl StoreError {
    /// A stable code: `keyring.unavailable`, `.locked`, `.corrupt`,
    /// `.error`.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable { .. } => "keyring.unavailable",
            StoreError::Locked { .. } => "keyring.locked",
            StoreError::Corrupt { .. } => "keyring.corrupt",
            StoreError::Other { .. } => "keyring.error",
        }
    }

    /// What happened, for a person: headline and `.body` with the fix for
    /// this platform.
    pub fn message(&self) -> Message {
        match self {
            StoreError::Unavailable { .. } => {
                Message::new("secrets-unavailable").text("platform", PLATFORM)
            }
            StoreError::Locked { .. } => Message::new("secrets-locked").text("platform", PLATFORM),
            StoreError::Corrupt { .. } => Message::new("secrets-corrupt"),
            StoreError::Other { detail } => Message::new("secrets-error").text("detail", detail),
        }
    }

    /// The fix: IT provides a keyring; the user unlocks it, or signs in
    /// again to replace a damaged entry; otherwise try again.
    pub fn action(&self) -> Action {
        match self {
            StoreError::Unavailable { .. } => Action::ProvideKeyring,
            StoreError::Locked { .. } => Action::UnlockKeyring,
            StoreError::Corrupt { .. } => Action::SignIn,
            StoreError::Other { .. } => Action::TestAgain,
        }
    }

    /// Who must act.
    pub fn who(&self) -> Who {
        self.action().who()
    }
}

/// A place secrets live. Implementations: the OS keyring, an opt-in
/// plaintext file (0600), and memory (tests).
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &EntryKey) -> Result<Option<SecretString>, StoreError>;
    fn set(&self, key: &EntryKey, value: &SecretString) -> Result<(), StoreError>;
    /// Removes the secret; succeeds when there was none.
    fn delete(&self, key: &EntryKey) -> Result<(), StoreError>;

    /// Where secrets live, as a message (`secrets-location-*`, no secret
    /// in it) for a front end to render in the reader's language
    /// (`doctor`, `status`, sign-out).
    fn location(&self) -> Message {
        Message::new("secrets-location-unnamed")
    }

    /// A warning when this store is weaker than the OS keyring (the
    /// plaintext file store), as a message (`secrets-plaintext`, naming
    /// the file) for a front end to show in the reader's language; `None`
    /// for any other store.
    fn plaintext_message(&self) -> Option<Message> {
        None
    }
}

/// The store the app uses: the OS keyring when it works, else the
/// plaintext file at `file_path` when `allow_plaintext` (the config key
/// `storage.allow_plaintext_tokens`) is set and there is no keyring at all.
///
/// The keyring is probed by writing, reading back and deleting a probe
/// entry. What a failed probe leads to is [`after_failed_probe`]: only an
/// absent keyring (`Unavailable`) may fall back to the opted-in file; a
/// locked one, or one that failed otherwise, is returned as the error it
/// is, so that tokens never move into a plaintext file because the user
/// has not unlocked the keyring yet.
pub fn open_default(
    allow_plaintext: bool,
    file_path: &Path,
) -> Result<Box<dyn SecretStore>, StoreError> {
    let keyring = KeyringStore::new();
    let probe_error = match keyring.probe() {
        Ok(()) => return Ok(Box::new(keyring)),
        Err(error) => error,
    };
    match after_failed_probe(&probe_error, allow_plaintext) {
        AfterProbe::PlaintextFile => Ok(Box::new(FileStore::open(file_path, true)?)),
        AfterProbe::Fail { suggest_opt_in } => Err(if suggest_opt_in {
            with_opt_in_hint(probe_error)
        } else {
            probe_error
        }),
    }
}

/// What [`open_default`] does when the keyring probe failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterProbe {
    /// Keep secrets in the opted-in plaintext file.
    PlaintextFile,
    /// Return the probe's error; `suggest_opt_in`: add how to opt in to
    /// the plaintext file (only when the opt-in would help).
    Fail { suggest_opt_in: bool },
}

/// The fallback decision, over the kind of the probe's error: the file is
/// for a machine with no keyring service at all. A locked keyring is for
/// the user to unlock; a damaged entry or another failure is for the user
/// to look at. Neither moves tokens into plaintext.
pub fn after_failed_probe(error: &StoreError, allow_plaintext: bool) -> AfterProbe {
    match (error, allow_plaintext) {
        (StoreError::Unavailable { .. }, true) => AfterProbe::PlaintextFile,
        (StoreError::Unavailable { .. }, false) => AfterProbe::Fail {
            suggest_opt_in: true,
        },
        (StoreError::Locked { .. } | StoreError::Corrupt { .. } | StoreError::Other { .. }, _) => {
            AfterProbe::Fail {
                suggest_opt_in: false,
            }
        }
    }
}

/// How to opt in to the file, added to an `Unavailable` error (the one
/// kind the opt-in helps with).
fn with_opt_in_hint(error: StoreError) -> StoreError {
    const OPT_IN: &str = "or, to keep tokens in a plaintext file instead, set \
                          storage.allow_plaintext_tokens = true";
    match error {
        StoreError::Unavailable { detail } => StoreError::Unavailable {
            detail: format!("{detail}; {OPT_IN}"),
        },
        other => other,
    }
}

/// Sign-out: removes every secret stored for this user of this app
/// (refresh token, and any per-user client secret or source credential).
/// Tries every kind even if one fails, then reports the first failure.
pub fn delete_account(
    store: &dyn SecretStore,
    tenant: &str,
    client_id: &str,
    user: &str,
) -> Result<(), StoreError> {
    let mut first_error = None;
    for kind in SecretKind::ALL {
        let key = EntryKey {
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            user: user.to_owned(),
            kind,
        };
        if let Err(error) = store.delete(&key) {
            first_error.get_or_insert(error);
        }
    }
    first_error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expect`: what a failed probe with this error leads to.
    #[track_caller]
    fn check(input: (StoreError, bool), expect: AfterProbe) {
        let (error, allow_plaintext) = input;
        assert_eq!(
            after_failed_probe(&error, allow_plaintext),
            expect,
            "{error:?}, allow_plaintext = {allow_plaintext}"
        );
    }

    #[test]
    fn only_an_absent_keyring_falls_back_to_the_opted_in_file() {
        let detail = || "d".to_owned();
        let fail = |suggest_opt_in| AfterProbe::Fail { suggest_opt_in };
        check(
            (StoreError::Unavailable { detail: detail() }, true),
            AfterProbe::PlaintextFile,
        );
        check(
            (StoreError::Unavailable { detail: detail() }, false),
            fail(true),
        );
        // A locked keyring is the user's to unlock: never a reason to move
        // tokens into plaintext, with or without the opt-in.
        check((StoreError::Locked { detail: detail() }, true), fail(false));
        check(
            (StoreError::Locked { detail: detail() }, false),
            fail(false),
        );
        check(
            (StoreError::Corrupt { detail: detail() }, true),
            fail(false),
        );
        check(
            (StoreError::Corrupt { detail: detail() }, false),
            fail(false),
        );
        check((StoreError::Other { detail: detail() }, true), fail(false));
        check((StoreError::Other { detail: detail() }, false), fail(false));
    }

    #[test]
    fn debug_of_secrets_and_stores_never_shows_the_secret() {
        let secret = SecretString::new("0.AXoA-very-secret-refresh-token");
        let store = MemoryStore::new();
        let key = EntryKey {
            tenant: "contoso".into(),
            client_id: "app".into(),
            user: "alice@contoso.example".into(),
            kind: SecretKind::RefreshToken,
        };
        store.set(&key, &secret).unwrap();
        let printed = format!(
            "{secret:?} {:?} {store:?} {:?}",
            Some(secret.clone()),
            store.get(&key)
        );
        assert!(
            !printed.contains("very-secret"),
            "Debug output must be redacted: {}",
            printed.replace("very-secret", "***")
        );
        assert!(printed.contains("<redacted>"));
    }

    #[test]
    fn delete_account_removes_every_kind_for_that_user_only() {
        let store = MemoryStore::new();
        let key = |user: &str, kind| EntryKey {
            tenant: "contoso".into(),
            client_id: "app".into(),
            user: user.into(),
            kind,
        };
        for kind in SecretKind::ALL {
            store
                .set(&key("alice@contoso.example", kind), &SecretString::new("a"))
                .unwrap();
        }
        store
            .set(
                &key("bob@contoso.example", SecretKind::RefreshToken),
                &SecretString::new("b"),
            )
            .unwrap();

        delete_account(&store, "contoso", "app", "alice@contoso.example").unwrap();

        for kind in SecretKind::ALL {
            assert!(store
                .get(&key("alice@contoso.example", kind))
                .unwrap()
                .is_none());
        }
        let bob = store
            .get(&key("bob@contoso.example", SecretKind::RefreshToken))
            .unwrap()
            .expect("another user's token must survive sign-out");
        assert_eq!(bob.expose_secret(), "b");
    }

    fn every_error() -> Vec<StoreError> {
        let d = || "Secret Service failed on entry 'v1/refresh_token'".to_owned();
        vec![
            StoreError::Unavailable { detail: d() },
            StoreError::Locked { detail: d() },
            StoreError::Corrupt { detail: d() },
            StoreError::Other { detail: d() },
        ]
    }

    /// Every store failure, and the plaintext warning, on every platform,
    /// has its headline and `.body` in English and German.
    #[test]
    fn every_store_message_is_in_english_and_german() {
        use docket_text::{Lang, Message, Texts};
        let file =
            FileStore::open("/home/anna/.local/share/docketsync/secrets.json", true).expect("open");
        let mut messages: Vec<Message> = vec![file.plaintext_message().expect("warning")];
        for platform in ["linux", "windows", "macos", "other"] {
            for e in every_error() {
                let mut m = e.message();
                for (name, value) in &mut m.args {
                    if name == "platform" {
                        *value = docket_text::Arg::Text(platform.into());
                    }
                }
                messages.push(m);
            }
        }
        for lang in Lang::ALL {
            let t = Texts::new(lang);
            for m in &messages {
                assert!(t.has(&m.id, None), "{lang}: {}", m.id);
                assert!(t.has(&m.id, Some("body")), "{lang}: {}.body", m.id);
                let body = t.attr(m, "body").unwrap_or_default();
                assert!(
                    !body.contains("{$") && !body.contains('['),
                    "{lang}: {body}"
                );
            }
            for e in every_error() {
                assert!(t.has(&e.action().label().id, None), "{lang}: {e:?}");
            }
        }
    }

    /// Where each store keeps secrets, as a reader sees it in English and
    /// German (the keyring's wording on every platform).
    #[test]
    fn store_locations_read_in_the_readers_language() {
        use docket_text::{Lang, Texts};
        #[track_caller]
        fn check(lang: Lang, store: &dyn SecretStore, platform: &str, expect: &str) {
            let mut m = store.location();
            for (name, value) in &mut m.args {
                if name == "platform" {
                    *value = docket_text::Arg::Text(platform.into());
                }
            }
            assert_eq!(Texts::new(lang).render(&m), expect, "{lang} {platform}");
        }
        let keyring = KeyringStore::new();
        let file =
            FileStore::open("/home/anna/.local/share/docketsync/secrets.json", true).expect("open");
        let memory = MemoryStore::new();
        use Lang::{De, En};
        check(
            En,
            &keyring,
            "linux",
            "the Secret Service (gnome-keyring, KWallet or KeePassXC), service \"DocketSync\"",
        );
        check(
            De,
            &keyring,
            "linux",
            "dem Secret Service (gnome-keyring, KWallet oder KeePassXC), Dienst „DocketSync“",
        );
        check(
            En,
            &keyring,
            "windows",
            "Windows Credential Manager, service \"DocketSync\"",
        );
        check(
            De,
            &keyring,
            "windows",
            "der Windows-Anmeldeinformationsverwaltung, Dienst „DocketSync“",
        );
        check(
            En,
            &keyring,
            "macos",
            "the macOS Keychain, service \"DocketSync\"",
        );
        check(
            De,
            &keyring,
            "macos",
            "dem macOS-Schlüsselbund, Dienst „DocketSync“",
        );
        check(
            En,
            &keyring,
            "other",
            "the Secret Service, service \"DocketSync\"",
        );
        check(
            De,
            &keyring,
            "other",
            "dem Secret Service, Dienst „DocketSync“",
        );
        check(
            En,
            &file,
            "linux",
            "the plaintext file /home/anna/.local/share/docketsync/secrets.json",
        );
        check(
            De,
            &file,
            "linux",
            "der unverschlüsselten Datei /home/anna/.local/share/docketsync/secrets.json",
        );
        check(En, &memory, "linux", "memory (tests only)");
        check(De, &memory, "linux", "dem Arbeitsspeicher (nur für Tests)");
    }

    #[test]
    fn store_failures_read_as_a_person_sees_them() {
        use docket_text::{Action, Lang, Texts, Who};
        #[track_caller]
        fn check(lang: Lang, e: StoreError, platform: &str, expect: [&str; 3]) {
            let t = Texts::new(lang);
            let mut m = e.message();
            for (name, value) in &mut m.args {
                if name == "platform" {
                    *value = docket_text::Arg::Text(platform.into());
                }
            }
            let got = [
                t.render(&m),
                t.attr(&m, "body").unwrap_or_default(),
                t.render(&e.action().label()),
            ];
            assert_eq!(got, expect, "{lang} {e:?}");
        }
        let d = || "x".to_owned();
        check(
            Lang::En,
            StoreError::Locked { detail: d() },
            "linux",
            [
                "Keyring locked",
                "The system keyring is locked, so Docket Sync cannot read or keep the sign-in. Unlock the login keyring (sign in to the desktop normally, or unlock it in Passwords and Keys or KeePassXC), then try again.",
                "Unlock the system keyring (or sign in to the computer normally)",
            ],
        );
        check(
            Lang::De,
            StoreError::Unavailable { detail: d() },
            "windows",
            [
                "Kein Schlüsselbund auf diesem Computer",
                "Docket Sync bewahrt die Anmeldung im Schlüsselbund des Systems auf, und es war keiner verwendbar. IT: prüfen, ob der Dienst Anmeldeinformationsverwaltung (VaultSvc) läuft und Docket Sync in einer interaktiven Benutzersitzung läuft, nicht unter einem Dienstkonto. Wo kein Schlüsselbund möglich ist, kann die IT stattdessen die Token-Datei erlauben (storage.allow_plaintext_tokens).",
                "IT: einen Schlüsselbund bereitstellen (oder die Token-Datei erlauben)",
            ],
        );
        check(
            Lang::De,
            StoreError::Corrupt { detail: d() },
            "linux",
            [
                "Gespeicherte Anmeldung beschädigt",
                "Die auf diesem Computer gespeicherte Anmeldung ist beschädigt und nicht verwendbar. Melden Sie sich erneut an, um sie zu ersetzen.",
                "Erneut anmelden",
            ],
        );
        assert_eq!(StoreError::Unavailable { detail: d() }.who(), Who::Admin);
        assert_eq!(
            StoreError::Locked { detail: d() }.action(),
            Action::UnlockKeyring
        );
    }
}

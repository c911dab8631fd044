//! [`KeyringStore`]: secrets in the OS keyring, chunked (see `chunked`).
//!
//! Every entry is a generic password with service [`KeyringStore::SERVICE`]
//! and an account name from [`crate::account_name`] (plus `#a0`, `#b3`, …
//! for chunks). On Linux the Secret Service item carries the attributes
//! `service` and `username` (= account name), so
//! `secret-tool search --all service DocketSync` lists them; on Windows
//! the credential's target name is `<account>.DocketSync`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::chunked::{Chunked, RawEntries};
use crate::platform::{self, Failure};
use crate::{account_name, EntryKey, SecretStore, SecretString, StoreError};

/// The OS keyring, with every secret split into small entries.
#[derive(Debug)]
pub struct KeyringStore {
    chunked: Chunked<KeyringEntries>,
}

impl KeyringStore {
    /// The keyring service name of the app's entries.
    pub const SERVICE: &'static str = "DocketSync";

    /// The app's store (service [`KeyringStore::SERVICE`]).
    pub fn new() -> KeyringStore {
        KeyringStore::with_service(KeyringStore::SERVICE)
    }

    /// A store under another service name, so tests never touch the app's
    /// entries in a developer's keyring.
    pub fn with_service(service: impl Into<String>) -> KeyringStore {
        KeyringStore {
            chunked: Chunked::new(KeyringEntries {
                service: service.into(),
            }),
        }
    }

    pub fn service(&self) -> &str {
        &self.chunked.raw().service
    }

    /// Checks that the keyring works here: writes, reads back and deletes
    /// a small probe entry (`v1/probe/<pid>-<n>`, `n` counting this
    /// process's probes, so two threads probing at once do not read each
    /// other's entry). On failure the error says what to install, start or
    /// unlock.
    pub fn probe(&self) -> Result<(), StoreError> {
        static PROBES: AtomicU64 = AtomicU64::new(0);
        let raw = self.chunked.raw();
        let n = PROBES.fetch_add(1, Ordering::Relaxed);
        let account = format!("v1/probe/{}-{n}", std::process::id());
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let value = format!("probe-{nanos}");
        raw.write(&account, &value)?;
        let read_back = raw.read(&account);
        let removed = raw.remove(&account);
        if read_back? != Some(value) {
            return Err(StoreError::Other {
                detail: format!(
                    "{} did not return the probe entry that was just stored",
                    platform::BACKEND
                ),
            });
        }
        removed.map(|_| ())
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        KeyringStore::new()
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &EntryKey) -> Result<Option<SecretString>, StoreError> {
        self.chunked.get(&account_name(key))
    }

    fn set(&self, key: &EntryKey, value: &SecretString) -> Result<(), StoreError> {
        self.chunked.set(&account_name(key), value)
    }

    fn delete(&self, key: &EntryKey) -> Result<(), StoreError> {
        self.chunked.delete(&account_name(key))
    }

    fn location(&self) -> docket_text::Message {
        docket_text::Message::new("secrets-location-keyring")
            .text("platform", crate::PLATFORM)
            .text("service", self.service())
    }
}

/// Plain keyring entries of one service.
#[derive(Debug)]
pub(crate) struct KeyringEntries {
    service: String,
}

/// One keyring request at a time in this process. gnome-keyring has been
/// seen to abort (`g_variant_new: expected GVariant of type 'v'`) when
/// several clients create, read and delete items at the same moment: eight
/// threads probing at once brought a fresh daemon down about one run in
/// three. The daemon is the user's whole desktop's keyring, so the app
/// never sends it such a burst; its requests are few and short. (While an
/// unlock prompt is open, the others wait for it, as they would have to
/// anyway.)
static ONE_REQUEST_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_request_at_a_time() -> MutexGuard<'static, ()> {
    // The guard protects no data: a panic while it was held leaves nothing
    // inconsistent.
    ONE_REQUEST_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl KeyringEntries {
    fn entry(&self, account: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, account).map_err(|e| map_error(e, account))
    }
}

impl RawEntries for KeyringEntries {
    fn read(&self, account: &str) -> Result<Option<String>, StoreError> {
        let _turn = one_request_at_a_time();
        match self.entry(account)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(map_error(error, account)),
        }
    }

    fn write(&self, account: &str, value: &str) -> Result<(), StoreError> {
        let _turn = one_request_at_a_time();
        self.entry(account)?
            .set_password(value)
            .map_err(|e| map_error(e, account))
    }

    fn remove(&self, account: &str) -> Result<bool, StoreError> {
        let _turn = one_request_at_a_time();
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(map_error(error, account)),
        }
    }
}

/// Maps by the `keyring` error's variant and, for platform errors, by the
/// platform error's type (see `platform`); never by message text. The
/// detail never contains secret bytes.
fn map_error(error: keyring::Error, account: &str) -> StoreError {
    use keyring::Error as K;
    let backend = platform::BACKEND;
    let from_failure = |failure: Failure, cause: &(dyn std::error::Error + 'static)| match failure {
        Failure::Unavailable => StoreError::Unavailable {
            detail: format!("{} ({cause})", platform::UNAVAILABLE_FIX),
        },
        Failure::Locked => StoreError::Locked {
            detail: format!("{} ({cause})", platform::LOCKED_FIX),
        },
        Failure::Other => StoreError::Other {
            detail: format!("{backend} failed on entry '{account}': {cause}"),
        },
    };
    match error {
        K::PlatformFailure(cause) => from_failure(platform::classify(&*cause), &*cause),
        K::NoStorageAccess(cause) => match platform::classify(&*cause) {
            Failure::Unavailable => from_failure(Failure::Unavailable, &*cause),
            Failure::Locked | Failure::Other => from_failure(Failure::Locked, &*cause),
        },
        K::NoEntry => StoreError::Other {
            detail: format!("{backend} has no entry '{account}'"),
        },
        K::BadEncoding(_) => StoreError::Corrupt {
            detail: format!(
                "keyring entry '{account}' is not UTF-8 text; sign in again to replace it"
            ),
        },
        K::Ambiguous(matches) => StoreError::Corrupt {
            detail: format!(
                "{} entries in {backend} match '{account}'; remove the duplicates \
                 with your keyring manager, then sign in again",
                matches.len()
            ),
        },
        K::TooLong(attribute, limit) => StoreError::Other {
            detail: format!(
                "{backend} limits '{attribute}' to {limit}; entry '{account}' exceeds it"
            ),
        },
        K::Invalid(attribute, reason) => StoreError::Other {
            detail: format!("{backend} rejected '{attribute}' of entry '{account}': {reason}"),
        },
        // `keyring::Error` is non-exhaustive; its Display holds no secret.
        other => StoreError::Other {
            detail: format!("{backend} failed on entry '{account}': {other}"),
        },
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use dbus_secret_service::Error as SsError;

    fn dbus(name: &str) -> keyring::Error {
        keyring::Error::PlatformFailure(Box::new(SsError::Dbus(dbus::Error::new_custom(
            name, "message",
        ))))
    }

    /// `expect` is the variant and a piece of its detail.
    #[track_caller]
    fn check(error: keyring::Error, expect: (&str, &str)) {
        let (variant, piece) = match map_error(error, "v1/refresh-token/t/c/u") {
            StoreError::Unavailable { detail } => ("Unavailable", detail),
            StoreError::Locked { detail } => ("Locked", detail),
            StoreError::Corrupt { detail } => ("Corrupt", detail),
            StoreError::Other { detail } => ("Other", detail),
        };
        assert_eq!(variant, expect.0, "detail: {piece}");
        assert!(piece.contains(expect.1), "{piece:?} lacks {:?}", expect.1);
    }

    #[test]
    fn errors_map_to_what_the_user_must_do() {
        let start = "start gnome-keyring-daemon or KeePassXC";
        check(
            dbus("org.freedesktop.DBus.Error.NoServer"),
            ("Unavailable", start),
        );
        check(
            dbus("org.freedesktop.DBus.Error.FileNotFound"),
            ("Unavailable", start),
        );
        check(
            dbus("org.freedesktop.DBus.Error.ServiceUnknown"),
            ("Unavailable", start),
        );
        check(
            dbus("org.freedesktop.DBus.Error.NotSupported"),
            ("Unavailable", start),
        );
        check(
            keyring::Error::PlatformFailure(Box::new(SsError::Unavailable)),
            ("Unavailable", start),
        );
        // A Secret Service that died during the call or did not answer in
        // time was there: not `Unavailable` (which may fall back to the
        // plaintext file).
        check(
            dbus("org.freedesktop.DBus.Error.NoReply"),
            ("Other", "entry 'v1/refresh-token/t/c/u'"),
        );
        check(
            dbus("org.freedesktop.DBus.Error.TimedOut"),
            ("Other", "entry 'v1/refresh-token/t/c/u'"),
        );
        // gnome-keyring's answer to a write into a locked collection.
        check(
            dbus("org.freedesktop.Secret.Error.IsLocked"),
            ("Locked", "the login keyring is locked or missing"),
        );
        check(
            dbus("org.freedesktop.DBus.Error.AccessDenied"),
            ("Other", "entry 'v1/refresh-token/t/c/u'"),
        );
        check(
            keyring::Error::NoStorageAccess(Box::new(SsError::Locked)),
            ("Locked", "the login keyring is locked or missing"),
        );
        check(
            keyring::Error::NoStorageAccess(Box::new(SsError::Prompt)),
            ("Locked", "the login keyring is locked or missing"),
        );
        check(
            keyring::Error::NoStorageAccess(Box::new(SsError::NoResult)),
            ("Locked", "the login keyring is locked or missing"),
        );
        check(
            keyring::Error::BadEncoding(b"\xffsecret".to_vec()),
            ("Corrupt", "not UTF-8"),
        );
        check(
            keyring::Error::Ambiguous(Vec::new()),
            ("Corrupt", "remove the duplicates"),
        );
        check(
            keyring::Error::TooLong("username".into(), 512),
            ("Other", "limits 'username' to 512"),
        );
    }

    #[test]
    fn a_bad_encoding_error_does_not_echo_the_bytes() {
        let detail =
            map_error(keyring::Error::BadEncoding(b"\xffhunter2".to_vec()), "v1/x").to_string();
        assert!(!detail.contains("hunter2"));
    }
}

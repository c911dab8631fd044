//! [`FileStore`]: secrets in a plaintext JSON file, only by opt-in.
//!
//! For machines without a usable keyring (headless Linux, some VDI
//! setups), when the user sets `storage.allow_plaintext_tokens = true`.
//! The file is:
//!
//! ```json
//! {"format":"docket-secrets-file/1",
//!  "warning":"plaintext secrets; ...",
//!  "secrets":{"v1/refresh-token/<tenant>/<client>/<user>":"<secret>"}}
//! ```
//!
//! keyed by [`crate::account_name`]. Every change rewrites the whole file
//! atomically: a temp file in the same folder, flushed to disk, renamed
//! over the old one. On Unix the folder is created 0700 and the file is
//! 0600, and a file found with looser permissions is tightened on open.
//! On Windows no explicit ACL is set: the file inherits the ACL of its
//! folder (under the user's profile that is the user, SYSTEM and
//! Administrators).
//!
//! Writers in one process are serialised; two processes writing at once
//! may lose one change (last rename wins) but never leave a torn file.
//!
//! A process killed between writing the temp file and renaming it leaves
//! the temp file behind, holding every secret of that moment. Each write
//! and delete removes such leftovers once they are older than
//! [`STALE_TEMP`] (a live writer's temp file lives for milliseconds), so
//! that a sign-out leaves no refresh token in the folder (found by the
//! crash harness, `docs/reliability.md`).

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::{account_name, EntryKey, SecretStore, SecretString, StoreError};

const FORMAT: &str = "docket-secrets-file/1";
/// The temp files of a write start with this.
const TEMP_PREFIX: &str = ".secrets-";
/// A temp file this old was left by a writer that died.
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(120);
const IN_FILE_WARNING: &str = "plaintext secrets of Docket Sync; anyone who can read this \
    file can act as you in Microsoft 365. Set storage.allow_plaintext_tokens = false \
    once an OS keyring is available.";

/// The opt-in plaintext store.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    writer: Mutex<()>,
}

#[derive(Serialize, Deserialize)]
struct Contents {
    format: String,
    #[serde(default)]
    warning: String,
    secrets: BTreeMap<String, String>,
}

impl FileStore {
    /// Opens (does not yet create) the store at `path`.
    /// `allow_plaintext_tokens` is the config key of that name: without it
    /// this refuses, so plaintext storage cannot happen by accident.
    pub fn open(
        path: impl Into<PathBuf>,
        allow_plaintext_tokens: bool,
    ) -> Result<FileStore, StoreError> {
        let path = path.into();
        if !allow_plaintext_tokens {
            return Err(StoreError::Unavailable {
                detail: format!(
                    "plaintext token storage in {} is off; set \
                     storage.allow_plaintext_tokens = true to use it",
                    path.display()
                ),
            });
        }
        let store = FileStore {
            path,
            writer: Mutex::new(()),
        };
        store.tighten_permissions()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, doing: &str, error: io::Error) -> StoreError {
        StoreError::Other {
            detail: format!("cannot {doing} {}: {error}", self.path.display()),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(error) => return Err(self.io_error("read", error)),
        };
        let corrupt = |what: &str| StoreError::Corrupt {
            detail: format!(
                "{} {what}; delete it and sign in again",
                self.path.display()
            ),
        };
        // serde_json's message may quote file content: do not pass it on.
        let contents: Contents = serde_json::from_str(&text)
            .map_err(|_| corrupt("is not a Docket Sync secrets file"))?;
        if contents.format != FORMAT {
            return Err(corrupt(&format!(
                "has unknown format '{}'",
                contents.format
            )));
        }
        Ok(contents.secrets)
    }

    fn write(&self, secrets: BTreeMap<String, String>) -> Result<(), StoreError> {
        let contents = Contents {
            format: FORMAT.to_owned(),
            warning: IN_FILE_WARNING.to_owned(),
            secrets,
        };
        let json = serde_json::to_vec_pretty(&contents).map_err(|e| StoreError::Other {
            detail: format!("cannot encode {}: {e}", self.path.display()),
        })?;
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        create_private_dir(dir).map_err(|e| self.io_error("create the folder of", e))?;
        // tempfile creates the file 0600 on Unix.
        remove_stale_temps(dir);
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)
            .map_err(|e| self.io_error("create a temp file next to", e))?;
        set_private(temp.path()).map_err(|e| self.io_error("restrict a temp file for", e))?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| self.io_error("write", e))?;
        docket_crash::point(docket_crash::TOKEN_WRITE);
        temp.persist(&self.path)
            .map_err(|e| self.io_error("replace", e.error))?;
        Ok(())
    }

    fn tighten_permissions(&self) -> Result<(), StoreError> {
        match fs::metadata(&self.path) {
            Ok(_) => set_private(&self.path).map_err(|e| self.io_error("restrict", e)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(self.io_error("inspect", error)),
        }
    }
}

#[cfg(unix)]
fn set_private(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Windows: the file keeps the ACL inherited from its folder.
#[cfg(not(unix))]
fn set_private(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// Remove temp files of writers that died before their rename. Best
/// effort: a file that cannot be removed is left for the next write.
fn remove_stale_temps(dir: &Path) {
    let now = std::time::SystemTime::now();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX))
            && entry.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMP))
            });
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl SecretStore for FileStore {
    fn get(&self, key: &EntryKey) -> Result<Option<SecretString>, StoreError> {
        Ok(self
            .read()?
            .remove(&account_name(key))
            .map(SecretString::new))
    }

    fn set(&self, key: &EntryKey, value: &SecretString) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut secrets = self.read()?;
        secrets.insert(account_name(key), value.expose_secret().to_owned());
        self.write(secrets)
    }

    fn delete(&self, key: &EntryKey) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(dir) = self.path.parent() {
            remove_stale_temps(dir);
        }
        let mut secrets = self.read()?;
        if secrets.remove(&account_name(key)).is_some() {
            self.write(secrets)?;
        }
        Ok(())
    }

    fn location(&self) -> docket_text::Message {
        docket_text::Message::new("secrets-location-file")
            .text("path", self.path.display().to_string())
    }

    fn plaintext_message(&self) -> Option<docket_text::Message> {
        Some(
            docket_text::Message::new("secrets-plaintext")
                .text("path", self.path.display().to_string()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretKind;

    fn key(user: &str) -> EntryKey {
        EntryKey {
            tenant: "contoso".into(),
            client_id: "app".into(),
            user: user.into(),
            kind: SecretKind::RefreshToken,
        }
    }

    /// A writer killed before its rename left a temp file with a token:
    /// the next write (here the sign-out's delete) removes it, and leaves a
    /// live writer's fresh temp file alone.
    #[test]
    fn a_dead_writers_temp_file_does_not_outlive_the_sign_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let store = FileStore::open(&path, true).unwrap();
        store.set(&key("a"), &SecretString::new("old")).unwrap();
        let left = dir.path().join(".secrets-AbC123");
        fs::write(&left, "{\"secrets\":{\"k\":\"rotated-refresh-token\"}}").unwrap();
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&left)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        let live = dir.path().join(".secrets-XyZ789");
        fs::write(&live, "{}").unwrap();
        store.delete(&key("a")).unwrap();
        assert!(!left.exists(), "the dead writer's token is gone");
        assert!(live.exists(), "a live writer's temp file is kept");
        assert!(store.get(&key("a")).unwrap().is_none());
    }

    #[test]
    fn refuses_without_the_opt_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let error = FileStore::open(&path, false).unwrap_err();
        assert!(error.to_string().contains("storage.allow_plaintext_tokens"));
        assert!(!path.exists());
    }

    #[test]
    fn round_trip_overwrite_delete_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/secrets.json");
        let store = FileStore::open(&path, true).unwrap();
        assert!(store.get(&key("a")).unwrap().is_none());

        let long = "r".repeat(4096);
        store.set(&key("a"), &SecretString::new("first")).unwrap();
        store
            .set(&key("a"), &SecretString::new(long.clone()))
            .unwrap();
        store.set(&key("b"), &SecretString::new("bee")).unwrap();

        let reopened = FileStore::open(&path, true).unwrap();
        assert_eq!(
            reopened.get(&key("a")).unwrap().unwrap().expose_secret(),
            long
        );
        reopened.delete(&key("a")).unwrap();
        reopened.delete(&key("a")).unwrap();
        assert!(store.get(&key("a")).unwrap().is_none());
        assert_eq!(
            store.get(&key("b")).unwrap().unwrap().expose_secret(),
            "bee"
        );
        // Only the store's file is left: no temp files.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["secrets.json"]);
    }

    #[test]
    fn a_damaged_file_is_corrupt_and_its_content_is_not_echoed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        fs::write(&path, "{\"secrets\": hunter2").unwrap();
        let store = FileStore::open(&path, true).unwrap();
        match store.get(&key("a")) {
            Err(StoreError::Corrupt { detail }) => assert!(!detail.contains("hunter2")),
            other => panic!("expected Corrupt, got {:?}", other.map(|_| "a secret")),
        }
    }

    #[test]
    fn warning_names_the_file_and_the_setting() {
        let store = FileStore::open("/some/where/secrets.json", true).unwrap();
        let message = store.plaintext_message().unwrap();
        let body = docket_text::Texts::new(docket_text::Lang::En)
            .attr(&message, "body")
            .unwrap();
        assert!(body.contains("/some/where/secrets.json"), "{body}");
        assert!(body.contains("unencrypted"), "{body}");
        assert!(body.contains("storage.allow_plaintext_tokens"), "{body}");
    }

    #[cfg(unix)]
    #[test]
    fn file_is_0600_and_folder_0700_and_loose_files_are_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docket/secrets.json");
        let store = FileStore::open(&path, true).unwrap();
        store.set(&key("a"), &SecretString::new("x")).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        FileStore::open(&path, true).unwrap();
        assert_eq!(mode(&path), 0o600, "reopening tightens a loosened file");
        store.set(&key("b"), &SecretString::new("y")).unwrap();
        assert_eq!(mode(&path), 0o600, "a rewrite stays 0600");
    }
}

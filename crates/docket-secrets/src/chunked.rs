//! Size-safe, crash-safe storage of one secret across several entries.
//!
//! Windows Credential Manager caps a secret at 2,560 bytes, and the
//! `keyring` crate stores it as UTF-16: about 1,280 characters. Entra
//! refresh tokens can be longer, so every platform stores a secret as:
//!
//! - a **manifest** entry under the account name itself, a small JSON
//!   object `{"format":"docket-chunks/1","generation":7,"chunks":5,
//!   "bytes":4096,"sha256":"<hex of the UTF-8 secret>"}`;
//! - **chunks** under `<account>#<slot><index>`, each at most
//!   [`MAX_CHUNK_UTF16`] UTF-16 code units (split on character
//!   boundaries), where `<slot>` is `a` for even generations and `b` for
//!   odd ones.
//!
//! A write puts the new chunks in the slot the manifest does not point
//! to, then overwrites the manifest (the one step that switches readers
//! over), then removes leftovers. A crash at any point leaves the old
//! secret or the new one readable, never a mix. Every entry of a slot is
//! a prefix `0..n` (chunks are written upwards and removed downwards), so
//! leftovers of a crash can always be found by probing upwards from 0
//! without listing the keyring — which the `keyring` crate cannot do.
//!
//! A reader checks chunk count, length and SHA-256. If they do not match
//! because a writer (in this or another process) switched the manifest
//! meanwhile, it reads again; otherwise the secret is `Corrupt`.

use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{SecretString, StoreError};

/// Largest chunk, in UTF-16 code units (2,000 bytes on Windows).
pub(crate) const MAX_CHUNK_UTF16: usize = 1000;
/// Largest number of chunks a manifest may name (100,000 UTF-16 units).
const MAX_CHUNKS: usize = 100;
const FORMAT: &str = "docket-chunks/1";
/// How often a reader retries when the manifest changed under it.
const READ_ATTEMPTS: usize = 3;

/// Plain entries of a backend (the OS keyring, or memory in tests),
/// addressed by account name. Values may be chunks of a secret: never
/// log them.
pub(crate) trait RawEntries: Send + Sync {
    fn read(&self, account: &str) -> Result<Option<String>, StoreError>;
    fn write(&self, account: &str, value: &str) -> Result<(), StoreError>;
    /// `Ok(false)` when there was nothing to remove.
    fn remove(&self, account: &str) -> Result<bool, StoreError>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Manifest {
    format: String,
    generation: u64,
    chunks: usize,
    bytes: usize,
    sha256: String,
}

impl Manifest {
    fn slot(&self) -> Slot {
        Slot::of(self.generation)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    A,
    B,
}

impl Slot {
    fn of(generation: u64) -> Slot {
        if generation % 2 == 0 {
            Slot::A
        } else {
            Slot::B
        }
    }

    fn other(self) -> Slot {
        match self {
            Slot::A => Slot::B,
            Slot::B => Slot::A,
        }
    }
}

fn chunk_account(base: &str, slot: Slot, index: usize) -> String {
    let slot = match slot {
        Slot::A => 'a',
        Slot::B => 'b',
    };
    format!("{base}#{slot}{index}")
}

/// Splits on character boundaries into pieces of at most
/// [`MAX_CHUNK_UTF16`] UTF-16 code units.
fn split(value: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut units = 0;
    for (at, c) in value.char_indices() {
        if units + c.len_utf16() > MAX_CHUNK_UTF16 {
            chunks.push(&value[start..at]);
            start = at;
            units = 0;
        }
        units += c.len_utf16();
    }
    if start < value.len() {
        chunks.push(&value[start..]);
    }
    chunks
}

fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn corrupt(base: &str, what: &str) -> StoreError {
    StoreError::Corrupt {
        detail: format!("keyring entry '{base}': {what}; sign in again to replace it"),
    }
}

/// The chunked layout over a backend. Writers in one process are
/// serialised; readers need no lock.
#[derive(Debug)]
pub(crate) struct Chunked<R> {
    raw: R,
    writer: Mutex<()>,
}

impl<R: RawEntries> Chunked<R> {
    pub(crate) fn new(raw: R) -> Self {
        Chunked {
            raw,
            writer: Mutex::new(()),
        }
    }

    pub(crate) fn raw(&self) -> &R {
        &self.raw
    }

    pub(crate) fn get(&self, base: &str) -> Result<Option<SecretString>, StoreError> {
        let Some(mut manifest) = self.read_manifest(base)? else {
            return Ok(None);
        };
        let mut attempts = 1;
        loop {
            let error = match self.read_chunks(base, &manifest) {
                Ok(secret) => return Ok(Some(secret)),
                Err(error) => error,
            };
            match self.read_manifest(base)? {
                None => return Ok(None),
                Some(now) if now != manifest && attempts < READ_ATTEMPTS => {
                    attempts += 1;
                    manifest = now;
                }
                Some(_) => return Err(error),
            }
        }
    }

    pub(crate) fn set(&self, base: &str, value: &SecretString) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let value = value.expose_secret();
        let chunks = split(value);
        if chunks.len() > MAX_CHUNKS {
            return Err(StoreError::Other {
                detail: format!(
                    "the secret for '{base}' is too long to store ({} bytes)",
                    value.len()
                ),
            });
        }
        let current = match self.read_manifest(base) {
            Ok(current) => current,
            // A damaged manifest is replaced.
            Err(StoreError::Corrupt { .. }) => None,
            Err(error) => return Err(error),
        };
        let generation = current.map_or(0, |m| m.generation.wrapping_add(1));
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            generation,
            chunks: chunks.len(),
            bytes: value.len(),
            sha256: sha256_hex(value),
        };
        let slot = manifest.slot();
        for (index, chunk) in chunks.iter().enumerate() {
            self.raw.write(&chunk_account(base, slot, index), chunk)?;
        }
        docket_crash::point(docket_crash::TOKEN_WRITE);
        let manifest_json = serde_json::to_string(&manifest).map_err(|e| StoreError::Other {
            detail: format!("cannot encode the manifest of '{base}': {e}"),
        })?;
        self.raw.write(base, &manifest_json)?;
        // The new secret is stored; what follows only tidies up, and a
        // failure here must not make the caller think the write failed.
        // Leftovers are found and removed by the next write or delete.
        let _ = self.clear_slot_from(base, slot, chunks.len());
        let _ = self.clear_slot_from(base, slot.other(), 0);
        Ok(())
    }

    pub(crate) fn delete(&self, base: &str) -> Result<(), StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        // Manifest first: from here on readers see no secret.
        self.raw.remove(base)?;
        self.clear_slot_from(base, Slot::A, 0)?;
        self.clear_slot_from(base, Slot::B, 0)?;
        Ok(())
    }

    fn read_manifest(&self, base: &str) -> Result<Option<Manifest>, StoreError> {
        let Some(text) = self.raw.read(base)? else {
            return Ok(None);
        };
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|_| corrupt(base, "the manifest is not valid JSON"))?;
        if manifest.format != FORMAT {
            return Err(corrupt(
                base,
                &format!("unknown manifest format '{}'", manifest.format),
            ));
        }
        if manifest.chunks > MAX_CHUNKS {
            return Err(corrupt(
                base,
                &format!("the manifest names {} chunks", manifest.chunks),
            ));
        }
        Ok(Some(manifest))
    }

    fn read_chunks(&self, base: &str, manifest: &Manifest) -> Result<SecretString, StoreError> {
        let mut value = String::with_capacity(manifest.bytes.min(MAX_CHUNKS * 4 * MAX_CHUNK_UTF16));
        for index in 0..manifest.chunks {
            let account = chunk_account(base, manifest.slot(), index);
            let Some(chunk) = self.raw.read(&account)? else {
                return Err(corrupt(
                    base,
                    &format!("chunk {} of {} is missing", index + 1, manifest.chunks),
                ));
            };
            value.push_str(&chunk);
        }
        if value.len() != manifest.bytes || sha256_hex(&value) != manifest.sha256 {
            return Err(corrupt(
                base,
                "the chunks do not match the manifest's length or checksum",
            ));
        }
        Ok(SecretString::new(value))
    }

    /// Removes the chunks `start..` of `slot`, top down, so that what
    /// remains after a crash is still a prefix.
    fn clear_slot_from(&self, base: &str, slot: Slot, start: usize) -> Result<(), StoreError> {
        let mut end = start;
        while end < start + MAX_CHUNKS && self.raw.read(&chunk_account(base, slot, end))?.is_some()
        {
            end += 1;
        }
        for index in (start..end).rev() {
            self.raw.remove(&chunk_account(base, slot, index))?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;

    type Hook = Box<dyn FnOnce() + Send>;

    /// Entries in memory, shared between clones (two clones act like two
    /// processes on one keyring). Can "crash" after a number of changes
    /// and run a hook before the first chunk is read.
    #[derive(Clone, Default)]
    pub(crate) struct MemEntries {
        inner: Arc<Mutex<Inner>>,
        before_chunk_read: Arc<Mutex<Option<Hook>>>,
    }

    #[derive(Default)]
    struct Inner {
        entries: BTreeMap<String, String>,
        /// `Some(n)`: n more writes/removes succeed, then all fail.
        changes_left: Option<usize>,
    }

    impl MemEntries {
        fn crash_after(&self, changes: usize) {
            self.lock().changes_left = Some(changes);
        }
        fn restart(&self) {
            self.lock().changes_left = None;
        }
        fn accounts(&self) -> Vec<String> {
            self.lock().entries.keys().cloned().collect()
        }
        fn poke(&self, account: &str, value: &str) {
            self.lock().entries.insert(account.into(), value.into());
        }
        fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
            self.inner.lock().unwrap()
        }
        fn change(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
            let mut inner = self.lock();
            match &mut inner.changes_left {
                Some(0) => Err(StoreError::Other {
                    detail: "simulated crash".into(),
                }),
                Some(n) => {
                    *n -= 1;
                    Ok(inner)
                }
                None => Ok(inner),
            }
        }
    }

    impl RawEntries for MemEntries {
        fn read(&self, account: &str) -> Result<Option<String>, StoreError> {
            if account.contains('#') {
                let hook = self.before_chunk_read.lock().unwrap().take();
                if let Some(hook) = hook {
                    hook();
                }
            }
            Ok(self.lock().entries.get(account).cloned())
        }
        fn write(&self, account: &str, value: &str) -> Result<(), StoreError> {
            self.change()?.entries.insert(account.into(), value.into());
            Ok(())
        }
        fn remove(&self, account: &str) -> Result<bool, StoreError> {
            Ok(self.change()?.entries.remove(account).is_some())
        }
    }

    const BASE: &str = "v1/refresh-token/t/c/u";

    fn token(len: usize, seed: char) -> SecretString {
        SecretString::new(
            std::iter::repeat_n(seed, len)
                .enumerate()
                .map(|(i, c)| if i % 7 == 0 { '-' } else { c })
                .collect::<String>(),
        )
    }

    fn read(store: &Chunked<MemEntries>) -> Option<String> {
        store
            .get(BASE)
            .expect("readable")
            .map(|s| s.expose_secret().to_owned())
    }

    #[track_caller]
    fn check(value: &str, expect_units: &[usize]) {
        let chunks = split(value);
        let units: Vec<usize> = chunks.iter().map(|c| c.encode_utf16().count()).collect();
        assert_eq!(units, expect_units);
        assert_eq!(chunks.concat(), value);
    }

    #[test]
    fn split_sizes() {
        check("", &[]);
        check("abc", &[3]);
        check(&"x".repeat(1000), &[1000]);
        check(&"x".repeat(1001), &[1000, 1]);
        check(&"x".repeat(4096), &[1000, 1000, 1000, 1000, 96]);
        // Two UTF-16 units per emoji: never split inside a character.
        check(&"😀".repeat(501), &[1000, 2]);
        check(&format!("x{}", "😀".repeat(500)), &[999, 2]);
    }

    #[test]
    fn a_4_kb_token_round_trips_in_small_entries() {
        let raw = MemEntries::default();
        let store = Chunked::new(raw.clone());
        let value = token(4096, 'A');
        store.set(BASE, &value).unwrap();

        assert_eq!(read(&store).as_deref(), Some(value.expose_secret()));
        assert_eq!(raw.accounts().len(), 1 + 5, "manifest + 5 chunks");
        for account in raw.accounts() {
            let stored = raw.read(&account).unwrap().unwrap();
            assert!(
                stored.encode_utf16().count() * 2 <= 2560,
                "every entry fits Windows' 2,560-byte limit"
            );
        }
    }

    #[test]
    fn missing_secret_is_none() {
        let store = Chunked::new(MemEntries::default());
        assert_eq!(read(&store), None);
    }

    #[test]
    fn overwrite_with_shorter_secret_leaves_no_old_chunks() {
        let raw = MemEntries::default();
        let store = Chunked::new(raw.clone());
        store.set(BASE, &token(4096, 'A')).unwrap();
        store.set(BASE, &token(1500, 'B')).unwrap();
        store.set(BASE, &token(10, 'C')).unwrap();
        assert_eq!(
            read(&store),
            Some(token(10, 'C').expose_secret().to_owned())
        );
        assert_eq!(raw.accounts().len(), 2, "manifest + 1 chunk");
    }

    #[test]
    fn delete_removes_every_entry() {
        let raw = MemEntries::default();
        let store = Chunked::new(raw.clone());
        store.set(BASE, &token(4096, 'A')).unwrap();
        store.delete(BASE).unwrap();
        assert_eq!(read(&store), None);
        assert!(raw.accounts().is_empty(), "left: {:?}", raw.accounts());
        store.delete(BASE).expect("deleting nothing succeeds");
    }

    #[track_caller]
    fn expect_corrupt(store: &Chunked<MemEntries>) {
        match store.get(BASE) {
            Err(StoreError::Corrupt { detail }) => {
                assert!(detail.contains(BASE), "names the entry: {detail}")
            }
            other => panic!("expected Corrupt, got {:?}", other.map(|_| "a secret")),
        }
    }

    #[test]
    fn damaged_chunks_or_manifest_are_reported_corrupt() {
        let setup = || {
            let raw = MemEntries::default();
            let store = Chunked::new(raw.clone());
            store.set(BASE, &token(2500, 'A')).unwrap();
            (raw, store)
        };
        let first_chunk = format!("{BASE}#a1");

        let (raw, store) = setup();
        let mut chunk = raw.read(&first_chunk).unwrap().unwrap();
        chunk.replace_range(0..1, "Z");
        raw.poke(&first_chunk, &chunk);
        expect_corrupt(&store);

        let (raw, store) = setup();
        raw.remove(&first_chunk).unwrap();
        expect_corrupt(&store);

        let (raw, store) = setup();
        raw.poke(BASE, "not json");
        expect_corrupt(&store);

        let (raw, store) = setup();
        let manifest = raw.read(BASE).unwrap().unwrap();
        raw.poke(BASE, &manifest.replace("\"chunks\":3", "\"chunks\":2"));
        expect_corrupt(&store);

        let (raw, store) = setup();
        raw.poke(
            BASE,
            &manifest.replace("docket-chunks/1", "docket-chunks/9"),
        );
        expect_corrupt(&store);

        // A damaged secret can be replaced.
        store.set(BASE, &token(5, 'N')).unwrap();
        assert_eq!(read(&store), Some(token(5, 'N').expose_secret().to_owned()));
    }

    /// Crash a rewrite after every possible number of changes: a reader
    /// then sees the old or the new secret, whole; and the next write or
    /// delete leaves no orphaned entries.
    #[test]
    fn a_crash_at_any_point_never_exposes_a_half_written_secret() {
        let old = token(3500, 'O');
        let new = token(2100, 'N');
        let mut saw_new = false;
        for changes in 0.. {
            let raw = MemEntries::default();
            let store = Chunked::new(raw.clone());
            store.set(BASE, &old).unwrap();
            store.set(BASE, &old).unwrap(); // now in slot b: both slots used

            raw.crash_after(changes);
            let finished = store.set(BASE, &new).is_ok();
            raw.restart();

            let seen = read(&store).expect("a secret is always there");
            assert!(
                seen == old.expose_secret() || seen == new.expose_secret(),
                "after {changes} changes the reader saw a mix"
            );
            if seen == new.expose_secret() {
                saw_new = true;
            } else {
                assert!(!saw_new, "once the manifest flipped, it stays flipped");
            }

            let after_crash = Chunked::new(raw.clone());
            after_crash.set(BASE, &token(10, 'X')).unwrap();
            assert_eq!(
                raw.accounts().len(),
                2,
                "after {changes}: {:?}",
                raw.accounts()
            );
            after_crash.delete(BASE).unwrap();
            assert!(raw.accounts().is_empty());

            if finished {
                break;
            }
        }
        assert!(saw_new);
    }

    #[test]
    fn a_crash_during_delete_leaves_nothing_readable_and_a_retry_cleans_up() {
        for changes in 1..7 {
            let raw = MemEntries::default();
            let store = Chunked::new(raw.clone());
            store.set(BASE, &token(4096, 'A')).unwrap();
            raw.crash_after(changes);
            let _ = store.delete(BASE);
            raw.restart();
            assert_eq!(read(&store), None);
            store.delete(BASE).unwrap();
            assert!(
                raw.accounts().is_empty(),
                "after {changes}: {:?}",
                raw.accounts()
            );
        }
    }

    #[test]
    fn a_reader_racing_a_writer_in_another_process_gets_a_whole_secret() {
        let raw = MemEntries::default();
        let reader = Chunked::new(raw.clone());
        let writer = Chunked::new(raw.clone());
        reader.set(BASE, &token(3000, 'O')).unwrap();

        // Between the reader's manifest and chunk reads, the other process
        // replaces the secret and removes the chunks the reader wanted.
        let new = token(2000, 'N');
        let new_copy = new.clone();
        *raw.before_chunk_read.lock().unwrap() = Some(Box::new(move || {
            writer.set(BASE, &new_copy).unwrap();
        }));

        assert_eq!(read(&reader), Some(new.expose_secret().to_owned()));
    }
}

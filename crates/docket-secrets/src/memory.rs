//! [`MemoryStore`]: secrets in memory, for tests of other crates.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::{EntryKey, SecretStore, SecretString, StoreError};

/// A store that forgets everything when dropped.
#[derive(Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<EntryKey, SecretString>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Whether no secret is stored (e.g. after sign-out).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<EntryKey, SecretString>> {
        self.secrets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("entries", &self.lock().len())
            .finish()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &EntryKey) -> Result<Option<SecretString>, StoreError> {
        Ok(self.lock().get(key).cloned())
    }

    fn set(&self, key: &EntryKey, value: &SecretString) -> Result<(), StoreError> {
        self.lock().insert(key.clone(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &EntryKey) -> Result<(), StoreError> {
        self.lock().remove(key);
        Ok(())
    }

    fn location(&self) -> docket_text::Message {
        docket_text::Message::new("secrets-location-memory")
    }
}

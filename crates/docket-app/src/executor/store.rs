//! The executor's view of the state database: entries, failures and named
//! values (`ExportStore`), and the names of the delta links.

use std::sync::Mutex;

use docket_export::{
    holdback::{Failure, Failures},
    Entry, ExportState, ItemKind, SourceKey,
};
use docket_store::StateDb;

use crate::AppError;

/// The state database as the executor uses it: every call is one short
/// transaction, so the lock is never held across an `.await`.
pub struct ExportStore<'a>(pub &'a Mutex<StateDb>);

impl ExportStore<'_> {
    pub(super) fn db(&self) -> std::sync::MutexGuard<'_, StateDb> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The planner's state. A row that cannot be read (written by a newer
    /// version, or damaged) is dropped: its item is found again by its tag.
    pub(super) fn load(&self) -> Result<ExportState, AppError> {
        let mut state = ExportState::new();
        for (k, json) in self.db().export_entries()? {
            match (k.parse::<SourceKey>(), serde_json::from_str::<Entry>(&json)) {
                (Ok(key), Ok(entry)) => {
                    state.insert(key, entry);
                }
                _ => tracing::warn!(key = %k, "unreadable export-state row dropped"),
            }
        }
        Ok(state)
    }

    pub(super) fn put(&self, key: &SourceKey, entry: &Entry) -> Result<(), AppError> {
        let json = serde_json::to_string(entry).expect("entries serialize");
        Ok(self.db().put_export_entry(&key.to_string(), &json)?)
    }

    pub(super) fn delete(&self, key: &SourceKey) -> Result<(), AppError> {
        Ok(self.db().delete_export_entry(&key.to_string())?)
    }

    /// Items whose last request failed. An unreadable row is dropped (its
    /// item is simply tried again).
    pub(super) fn failures(&self) -> Result<Failures, AppError> {
        let mut out = Failures::new();
        for (k, json) in self.db().export_failures()? {
            if let (Ok(key), Ok(f)) = (k.parse::<SourceKey>(), serde_json::from_str(&json)) {
                out.insert(key, f);
            }
        }
        Ok(out)
    }

    pub(super) fn put_failure(&self, key: &SourceKey, failure: &Failure) -> Result<(), AppError> {
        let json = serde_json::to_string(failure).expect("failures serialize");
        Ok(self.db().put_export_failure(&key.to_string(), &json)?)
    }

    pub(super) fn clear_failure(&self, key: &SourceKey) -> Result<(), AppError> {
        Ok(self.db().delete_export_failure(&key.to_string())?)
    }

    pub(super) fn meta(&self, name: &str) -> Result<Option<String>, AppError> {
        Ok(self.db().export_meta(name)?)
    }

    pub(super) fn set_meta(&self, name: &str, value: &str) -> Result<(), AppError> {
        Ok(self.db().set_export_meta(name, value)?)
    }

    pub(super) fn delete_meta(&self, name: &str) -> Result<(), AppError> {
        Ok(self.db().delete_export_meta(name)?)
    }
}

pub(super) fn delta_name(kind: ItemKind) -> String {
    format!("delta.{}", kind.as_str())
}

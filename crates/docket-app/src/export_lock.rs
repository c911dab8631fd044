//! One export per user at a time: an exclusive advisory lock on
//! `docket-paths`' `export_lock_file()`, held for the whole run (closing
//! the file releases it, also when the process dies). The second export
//! waits a few seconds, then fails with `sync.already_running`.
//!
//! Without it two exports of one mailbox (the `run` loop or the tray, and
//! a `docketsync sync` in a terminal) both create every new item: To Do
//! tasks and contacts have no idempotency key in Graph.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::AppError;

#[derive(Debug)]
pub(crate) struct ExportLock {
    _file: std::fs::File,
}

impl ExportLock {
    pub(crate) async fn acquire(path: PathBuf, wait: Duration) -> Result<ExportLock, AppError> {
        tokio::task::spawn_blocking(move || Self::acquire_blocking(path, wait))
            .await
            .map_err(|e| {
                AppError::Export(crate::ExportFailure::LockTaskStopped {
                    detail: e.to_string(),
                })
            })?
    }

    pub(crate) fn acquire_blocking(path: PathBuf, wait: Duration) -> Result<ExportLock, AppError> {
        let file =
            docket_paths::secure::open_private(&path).map_err(|source| AppError::ExportLock {
                path: path.clone(),
                source,
            })?;
        let until = Instant::now() + wait;
        let mut told = false;
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => return Ok(ExportLock { _file: file }),
                Err(fs4::TryLockError::WouldBlock) if Instant::now() < until => {
                    if !told {
                        tracing::info!("another export of this user is running: waiting");
                        told = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(fs4::TryLockError::WouldBlock) => {
                    return Err(AppError::ExportRunning {
                        waited_seconds: wait.as_secs(),
                    })
                }
                Err(fs4::TryLockError::Error(source)) => {
                    return Err(AppError::ExportLock { path, source })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_export_waits_then_says_one_is_running() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("data/export.lock");
        let first = ExportLock::acquire(path.clone(), Duration::from_secs(1))
            .await
            .expect("first");
        let second = ExportLock::acquire(path.clone(), Duration::from_millis(100)).await;
        let err = second.expect_err("held");
        assert_eq!(err.code(), "sync.already_running");
        assert_eq!(err.who(), docket_text::Who::Nobody);
        assert_eq!(err.action(), docket_text::Action::Wait);
        drop(first);
        ExportLock::acquire(path, Duration::from_secs(1))
            .await
            .expect("free again");
    }
}

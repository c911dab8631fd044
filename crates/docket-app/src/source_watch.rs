//! Watching a file or folder source: a change in the PMS export asks for
//! a run within seconds instead of at the next interval.
//!
//! `notify` delivers raw file-system events, often several per save (a
//! PMS writes a temporary file and renames it); they are debounced: the
//! run is asked for once things have been quiet for [`QUIET`].

use std::path::Path;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};

/// How long the folder must be quiet before a run is asked for.
pub const QUIET: Duration = Duration::from_secs(2);

/// A running watch; dropping it stops watching.
pub struct SourceWatch {
    _watcher: notify::RecommendedWatcher,
    _task: tokio::task::JoinHandle<()>,
}

impl SourceWatch {
    /// Watch `path` (a file: its folder, filtered to it; a folder:
    /// recursively) and call `changed` after each burst of changes.
    pub fn start(
        path: &Path,
        changed: impl Fn() + Send + 'static,
    ) -> Result<SourceWatch, notify::Error> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let file = path.is_file().then(|| path.to_path_buf());
        let mut watcher =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
                let Ok(event) = res else { return };
                if event.kind.is_access() {
                    return;
                }
                if let Some(f) = &file {
                    if !event.paths.iter().any(|p| p == f) {
                        return;
                    }
                }
                let _ = tx.send(());
            })?;
        let (target, mode) = match path.parent().filter(|_| path.is_file()) {
            Some(dir) => (dir, RecursiveMode::NonRecursive),
            None => (path, RecursiveMode::Recursive),
        };
        watcher.watch(target, mode)?;
        let task = tokio::spawn(async move {
            while rx.recv().await.is_some() {
                // Debounce: wait until nothing happened for QUIET.
                loop {
                    match tokio::time::timeout(QUIET, rx.recv()).await {
                        Ok(Some(())) => continue,
                        Ok(None) => return,
                        Err(_) => break,
                    }
                }
                tracing::info!("the source changed: exporting");
                changed();
            }
        });
        Ok(SourceWatch {
            _watcher: watcher,
            _task: task,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A burst of writes is one run; a later change is another.
    #[tokio::test]
    async fn a_burst_of_changes_asks_for_one_run() {
        let dir = tempfile::tempdir().unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _watch = SourceWatch::start(dir.path(), move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send(());
        })
        .unwrap();
        for i in 0..5 {
            std::fs::write(dir.path().join("termine.ics"), format!("v{i}")).unwrap();
        }
        tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("a run is asked for");
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        std::fs::write(dir.path().join("fristen.ics"), "x").unwrap();
        tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("a second run");
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}

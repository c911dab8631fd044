//! Desktop notifications through `notify-rust` (from the core, not the
//! Tauri plugin: no JavaScript exposure).
//!
//! One slot: a new notification *replaces* the one on screen (the same
//! notification id on Linux), so conditions never stack up; which
//! conditions notify, and each only once, is docket-app's decision
//! (`NotificationDue`). An action ("Sign in again") is offered where the
//! platform reports it back (Linux); a click on the body ("default")
//! opens the status window.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What to show, already in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub title: String,
    pub body: String,
    /// The action's key (`reauth`, `export`, …) and its label.
    pub action: Option<(String, String)>,
}

/// The key a click on the notification's body reports.
pub const DEFAULT_ACTION: &str = "default";

/// Shows notifications, one at a time.
#[derive(Default, Clone)]
pub struct Notifier {
    /// The id of the notification on screen (Linux), replaced by the next.
    shown: Arc<Mutex<Option<u32>>>,
    /// Bumped by each new notification: a replaced one's answers are
    /// ignored.
    generation: Arc<AtomicU64>,
}

impl Notifier {
    /// Show `n`; `on_action(key)` runs on another thread when the user
    /// invokes its action or clicks it (`DEFAULT_ACTION`).
    pub fn show(&self, n: &Shown, on_action: impl Fn(&str) + Send + 'static) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        platform::show(self, n, generation, on_action);
    }

    fn current(&self, generation: u64) -> bool {
        self.generation.load(Ordering::SeqCst) == generation
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    use super::*;

    pub fn show(
        notifier: &Notifier,
        n: &Shown,
        generation: u64,
        on_action: impl Fn(&str) + Send + 'static,
    ) {
        let mut note = notify_rust::Notification::new();
        note.appname("Docket Sync")
            .summary(&n.title)
            .body(&n.body)
            .icon("dialog-information")
            .action(DEFAULT_ACTION, &n.title);
        if let Some((key, label)) = &n.action {
            note.action(key, label)
                // Stays until the user acts: it asks for something.
                .hint(notify_rust::Hint::Resident(true))
                .timeout(notify_rust::Timeout::Never);
        }
        let mut shown = notifier.shown.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = *shown {
            note.id(id);
        }
        let handle = match note.show() {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "cannot show a desktop notification");
                return;
            }
        };
        *shown = Some(handle.id());
        drop(shown);
        let notifier = notifier.clone();
        std::thread::spawn(move || {
            handle.wait_for_action(|key| {
                if key != "__closed" && notifier.current(generation) {
                    on_action(key);
                }
            })
        });
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod platform {
    use super::*;

    /// Windows and macOS: shown without actions (a toast in the Action
    /// Center does not call back); the tray menu carries the fix.
    pub fn show(
        _notifier: &Notifier,
        n: &Shown,
        _generation: u64,
        _on_action: impl Fn(&str) + Send + 'static,
    ) {
        let result = notify_rust::Notification::new()
            .appname("Docket Sync")
            .summary(&n.title)
            .body(&n.body)
            .show();
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot show a desktop notification");
        }
    }
}

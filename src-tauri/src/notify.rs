//! Desktop notifications through `notify-rust` (from the core, not the
//! Tauri plugin: no JavaScript exposure).
//!
//! One notification per slot: a new one *replaces* the one on screen in
//! its slot (the same notification id on Linux), so conditions never
//! stack up; which conditions notify, each only once, and which slot
//! each takes (the export's state; each kind of warning) is docket-app's
//! decision (`NotificationDue`, `NotificationView::slot`). An action ("Sign in again") is offered where the
//! platform reports it back (Linux); a click on the body ("default")
//! opens the status window.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What to show, already in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The slot it replaces (docket-app's `NotificationView::slot`).
    pub slot: String,
    pub title: String,
    pub body: String,
    /// The action's key (`reauth`, `export`, …) and its label.
    pub action: Option<(String, String)>,
}

/// The key a click on the notification's body reports.
pub const DEFAULT_ACTION: &str = "default";

/// Per slot: the id of the notification on screen (Linux), replaced by the
/// slot's next, and the generation it was shown in.
type Slots = HashMap<String, (Option<u32>, u64)>;

/// Shows notifications, one per slot.
#[derive(Default, Clone)]
pub struct Notifier {
    shown: Arc<Mutex<Slots>>,
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

    /// Whether the notification of `generation` is still the one shown in
    /// `slot` (a replaced one's answers are ignored).
    fn current(&self, slot: &str, generation: u64) -> bool {
        let shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        shown.get(slot).is_some_and(|&(_, g)| g == generation)
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
        if let Some((Some(id), _)) = shown.get(&n.slot) {
            note.id(*id);
        }
        let handle = match note.show() {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "cannot show a desktop notification");
                return;
            }
        };
        shown.insert(n.slot.clone(), (Some(handle.id()), generation));
        drop(shown);
        let notifier = notifier.clone();
        let slot = n.slot.clone();
        std::thread::spawn(move || {
            handle.wait_for_action(|key| {
                if key != "__closed" && notifier.current(&slot, generation) {
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

//! The window process: `docket-sync-tray --status-window <title>`, started
//! by the tray when the status window opens ([`crate::window`]), ending
//! when the window closes or the tray goes away. It shows `ui/` with the
//! same commands as ever, but each command's request goes to the tray over
//! standard output and its answer comes back on standard input
//! ([`crate::pipe`]). It runs no companion, no tray icon and no
//! notifications, and decides nothing.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::oneshot;

use crate::pipe::{self, Call, Reply, Request, ToWindow};
use crate::window::{self, LABEL};

/// The argument that makes this binary the window process.
pub const ARG: &str = "--status-window";

/// The window's title when this process was started as the window
/// process (`--status-window <title>` as the first arguments).
pub fn title_arg() -> Option<String> {
    let mut args = std::env::args().skip(1);
    (args.next().as_deref() == Some(ARG)).then(|| args.next().unwrap_or_default())
}

/// The tray, as the window's commands reach it.
#[derive(Default)]
pub struct Remote {
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
    out: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Remote {
    /// Ask the tray; its answer, or `Err(null)` when the tray has gone.
    pub async fn call(&self, request: Request) -> Reply {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = oneshot::channel();
        lock(&self.waiting).insert(id, answer);
        let sent = {
            let _one_line_at_a_time = lock(&self.out);
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", pipe::line(&Call { id, request })).and_then(|()| out.flush())
        };
        if sent.is_err() {
            lock(&self.waiting).remove(&id);
            return Err(serde_json::Value::Null);
        }
        answered.await.unwrap_or(Err(serde_json::Value::Null))
    }

    fn answered(&self, id: u64, result: Reply) {
        if let Some(waiting) = lock(&self.waiting).remove(&id) {
            let _ = waiting.send(result);
        }
    }
}

/// Run the window process until its window closes or the tray goes away.
/// Returns the process's exit code.
pub fn run(title: String) -> i32 {
    let tray = Arc::new(Remote::default());
    let from_tray = tray.clone();
    let app = tauri::Builder::default()
        .manage(crate::commands::Backend::Remote(tray))
        .invoke_handler(crate::commands::handler())
        .setup(move |app| {
            window::in_process(app.handle(), &title, true);
            let app = app.handle().clone();
            std::thread::Builder::new()
                .name("from-tray".into())
                .spawn(move || listen(&app, &from_tray))?;
            Ok(())
        })
        .build(crate::shell::context());
    match app {
        // The last window closed: the app exits, and with it this process.
        Ok(app) => {
            app.run(|_, _| {});
            0
        }
        Err(e) => {
            eprintln!("docket-sync-tray {ARG}: {e}");
            1
        }
    }
}

/// Carry the tray's messages into the window; when the tray goes away
/// (its end of the pipe closes), the window goes too.
fn listen(app: &AppHandle, tray: &Remote) {
    pipe::each_line(std::io::stdin().lock(), |line| {
        match pipe::read(line) {
            Some(ToWindow::Reply { id, result }) => tray.answered(id, result),
            Some(ToWindow::ViewChanged) => {
                let _ = app.emit_to(LABEL, "view-changed", ());
            }
            Some(ToWindow::Focus) => {
                if let Some(w) = app.get_webview_window(LABEL) {
                    let _ = w.unminimize();
                    let _ = w.show();
                    let _ = w.set_focus();
                }
            }
            None => {}
        }
        true
    });
    app.exit(0);
}

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
    let mut args = std::env::args_os().skip(1);
    (args.next().is_some_and(|a| a == ARG)).then(|| {
        args.next()
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_default()
    })
}

/// How long a command waits for the tray's answer.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

/// The tray, as the window's commands reach it.
pub struct Remote {
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
    to_tray: Mutex<Box<dyn Write + Send>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Remote {
    fn new(to_tray: Box<dyn Write + Send>) -> Remote {
        Remote {
            next: AtomicU64::new(0),
            waiting: Mutex::new(HashMap::new()),
            to_tray: Mutex::new(to_tray),
        }
    }

    /// Ask the tray; its answer, or `Err(null)` when the tray has gone or
    /// does not answer within a minute.
    pub async fn call(&self, request: Request) -> Reply {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = oneshot::channel();
        lock(&self.waiting).insert(id, answer);
        let sent = {
            let mut out = lock(&self.to_tray);
            writeln!(out, "{}", pipe::line(&Call { id, request })).and_then(|()| out.flush())
        };
        let answer = match sent {
            Ok(()) => tokio::time::timeout(ANSWER_WITHIN, answered)
                .await
                .ok()
                .and_then(Result::ok),
            Err(_) => None,
        };
        lock(&self.waiting).remove(&id);
        answer.unwrap_or(Err(serde_json::Value::Null))
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
    let (from_tray_pipe, to_tray) = match crate::window_pipe::take() {
        Ok(ends) => ends,
        Err(e) => {
            eprintln!("docket-sync-tray {ARG}: no pipe to the tray: {e}");
            return 1;
        }
    };
    let tray = Arc::new(Remote::new(to_tray));
    let from_tray = tray.clone();
    let app = tauri::Builder::default()
        .manage(crate::commands::Backend::Remote(tray))
        .invoke_handler(crate::commands::handler())
        .setup(move |app| {
            window::in_process(app.handle(), &title, true);
            if app.get_webview_window(LABEL).is_none() {
                // No window, nothing to close: this process would never end.
                eprintln!("docket-sync-tray {ARG}: the status window could not be created");
                std::process::exit(1);
            }
            let app = app.handle().clone();
            std::thread::Builder::new()
                .name("from-tray".into())
                .spawn(move || listen(&app, from_tray_pipe, &from_tray))?;
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
fn listen(app: &AppHandle, from_tray: Box<dyn std::io::Read + Send>, tray: &Remote) {
    pipe::each_line(std::io::BufReader::new(from_tray), |line| {
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

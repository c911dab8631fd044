//! The status window, from the tray's side: opened as a window process of
//! its own (`docket-sync-tray --status-window`, [`crate::window_process`])
//! that ends when the window closes, so a closed window costs the tray no
//! WebKit memory at all: WebKit keeps its network process, the GL driver
//! it loaded and the heap it grew for as long as the process that showed a
//! page lives. The tray answers the window's requests over the pipe
//! ([`crate::pipe`]).
//!
//! Under WebDriver (`TAURI_WEBVIEW_AUTOMATION=true`, set by tauri-driver)
//! the window lives in the tray's own process instead, created hidden at
//! start and only hidden on close: WebKitWebDriver can drive only a
//! webview of the process it launched, and binds to the first one. The
//! page, the commands and their answers are the same in both.

use std::io::Write;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use crate::pipe::{self, ToWindow};
use crate::shell::Shell;

/// The window's label (the capability file names it).
pub const LABEL: &str = "status";

/// Whether tauri-driver launched this process.
pub fn under_webdriver() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").is_ok_and(|v| v == "true")
}

/// Open the status window (`visible`), or bring it to the front.
pub fn open<R: Runtime>(app: &AppHandle<R>, title: &str, visible: bool) {
    if under_webdriver() {
        in_process(app, title, visible);
    } else if visible {
        app.state::<WindowProcess>().open(app, title);
    }
}

/// Tell the window, wherever it is, that the view changed.
pub fn view_changed<R: Runtime>(app: &AppHandle<R>) {
    let _ = app.emit_to(LABEL, "view-changed", ());
    if let Some(p) = app.try_state::<WindowProcess>() {
        p.send(&ToWindow::ViewChanged);
    }
}

/// Create the window in this process (`visible`) or, if it exists, show
/// and focus it.
pub fn in_process<R: Runtime>(app: &AppHandle<R>, title: &str, visible: bool) {
    if let Some(w) = app.get_webview_window(LABEL) {
        if visible {
            let _ = w.show();
            let _ = w.unminimize();
            let _ = w.set_focus();
        }
        return;
    }
    let built = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title(title)
        .inner_size(760.0, 720.0)
        .min_inner_size(480.0, 400.0)
        .visible(visible)
        .build();
    match built {
        Ok(w) => {
            if under_webdriver() {
                let keep = w.clone();
                w.on_window_event(move |event| {
                    if let WindowEvent::CloseRequested { api, .. } = event {
                        api.prevent_close();
                        let _ = keep.hide();
                    }
                });
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot open the status window"),
    }
}

/// The tray's window process, while one runs.
#[derive(Default)]
pub struct WindowProcess {
    running: Mutex<Option<Running>>,
}

/// How many messages may wait for a window process that does not read.
const QUEUE: usize = 256;

struct Running {
    pid: u32,
    /// Messages for the window, written by the window's own writer thread:
    /// nothing here blocks on the pipe (the menu runs on GTK's thread).
    to_window: SyncSender<String>,
    alive: Arc<AtomicBool>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl WindowProcess {
    fn send(&self, message: &ToWindow) {
        if let Some(r) = lock(&self.running).as_ref() {
            // A full queue: the window is behind; a view change is not lost
            // for long (the next one asks again), a reply is its own loss.
            let _ = r.to_window.try_send(pipe::line(message));
        }
    }

    /// Bring the running window to the front, or start the window process.
    fn open<R: Runtime>(&self, app: &AppHandle<R>, title: &str) {
        let mut running = lock(&self.running);
        if let Some(r) = running.as_ref() {
            if r.alive.load(Ordering::SeqCst)
                && r.to_window.try_send(pipe::line(&ToWindow::Focus)).is_ok()
            {
                return;
            }
        }
        let spawned = std::env::current_exe().and_then(|exe| {
            Command::new(exe)
                .arg(crate::window_process::ARG)
                .arg(title)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
        });
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot start the status window");
                return;
            }
        };
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return;
        };
        let (to_window, queue) = sync_channel::<String>(QUEUE);
        let alive = Arc::new(AtomicBool::new(true));
        *running = Some(Running {
            pid: child.id(),
            to_window: to_window.clone(),
            alive: alive.clone(),
        });
        let writer = std::thread::Builder::new()
            .name("to-status-window".into())
            .spawn(move || write_all(stdin, &queue));
        let app = app.clone();
        let serving = writer.and_then(|_| {
            std::thread::Builder::new()
                .name("status-window".into())
                .spawn(move || serve(&app, child, stdout, &to_window, &alive))
        });
        if let Err(e) = serving {
            tracing::warn!(error = %e, "cannot serve the status window");
            *running = None;
        }
    }
}

/// Write the queued lines to the window until it or the queue ends.
fn write_all(mut to_window: ChildStdin, queue: &Receiver<String>) {
    while let Ok(line) = queue.recv() {
        if writeln!(to_window, "{line}")
            .and_then(|()| to_window.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Answer the window process's calls until it ends, then forget it.
fn serve<R: Runtime>(
    app: &AppHandle<R>,
    mut child: Child,
    from_window: ChildStdout,
    to_window: &SyncSender<String>,
    alive: &AtomicBool,
) {
    let pid = child.id();
    pipe::each_line(std::io::BufReader::new(from_window), |line| {
        match pipe::answer(line, |request| app.state::<Shell>().apply(request)) {
            // A window that does not read its answers is stuck: end it.
            Some(reply) => to_window.try_send(reply).is_ok(),
            None => {
                tracing::debug!("the status window wrote a line that is not a call");
                true
            }
        }
    });
    alive.store(false, Ordering::SeqCst);
    // The window closed (or is stuck, or wrote an overlong line): end it.
    let _ = child.kill();
    match child.wait() {
        Ok(status) if !status.success() && status.code().is_some() => {
            tracing::warn!(%status, "the status window ended with a failure");
        }
        _ => {}
    }
    let state = app.state::<WindowProcess>();
    let mut running = lock(&state.running);
    if running.as_ref().is_some_and(|r| r.pid == pid) {
        *running = None;
    }
}

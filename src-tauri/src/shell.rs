//! Wiring: the Tauri app, the companion, and the tasks that carry its
//! snapshots to the tray and its notifications to the desktop.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use docket_app::companion::{Companion, Event, StartOptions};
use docket_app::settings::UserSetting;
use docket_app::snapshot::ProblemView;
use docket_app::App;
use tauri::{AppHandle, Manager, RunEvent, Runtime};

use crate::commands;
use crate::notify::{Notifier, Shown};
use crate::pipe::{Reply, Request};
use crate::tray::{self, Tray};
use crate::view::{self, View};
use crate::window;

/// The app's state, shared by the commands and the menu.
pub struct Shell {
    companion: Mutex<Option<Companion>>,
    /// Why the companion could not start (no configuration …).
    problem: Mutex<Option<ProblemView>>,
    config: Option<PathBuf>,
    log_dir: Option<PathBuf>,
    notifier: Notifier,
    /// Bumped when the companion is replaced: the old one's tasks end.
    generation: tokio::sync::watch::Sender<u64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shell {
    fn companion(&self) -> Option<Companion> {
        lock(&self.companion).clone()
    }

    pub fn with(&self, f: impl FnOnce(&Companion)) {
        if let Some(c) = self.companion() {
            f(&c);
        }
    }

    pub fn view(&self) -> View {
        match self.companion() {
            Some(c) => view::view_of(&c),
            None => {
                let texts = crate::texts::texts(docket_app::Lang::from_system());
                View::without_app(lock(&self.problem).clone(), &texts)
            }
        }
    }

    pub fn set_setting(&self, setting: &UserSetting) -> Result<(), Box<ProblemView>> {
        let Some(c) = self.companion() else {
            return Ok(());
        };
        if let Err(e) = c.set_setting(setting) {
            let texts = crate::texts::texts(c.snapshot().lang);
            return Err(Box::new(docket_app::snapshot::problem_view(
                &texts,
                &e.describe(),
                None,
            )));
        }
        // Every setting applies in the running companion: nothing restarts.
        Ok(())
    }

    pub fn open_log_folder(&self) {
        if let Some(dir) = &self.log_dir {
            crate::platform::open_folder(dir);
        }
    }

    /// Answer one of the window's requests (from the in-process window or
    /// over the window process's pipe).
    pub fn apply(&self, request: Request) -> Reply {
        let done = Ok(serde_json::Value::Null);
        match request {
            Request::View => Ok(serde_json::to_value(self.view()).unwrap_or_default()),
            Request::ExportNow => {
                self.with(Companion::export_now);
                done
            }
            Request::AllowDeletions => {
                self.with(Companion::allow_deletions);
                done
            }
            Request::RetryHeldBack => {
                self.with(Companion::retry_held_back);
                done
            }
            Request::SignIn => {
                self.with(Companion::sign_in);
                done
            }
            Request::CancelSignIn => {
                self.with(Companion::cancel_sign_in);
                done
            }
            Request::Pause => {
                self.with(Companion::pause);
                done
            }
            Request::Resume => {
                self.with(Companion::resume);
                done
            }
            Request::SetSetting { setting } => match self.set_setting(&setting) {
                Ok(()) => done,
                Err(problem) => Err(serde_json::to_value(problem).unwrap_or_default()),
            },
            Request::OpenLogFolder => {
                self.open_log_folder();
                done
            }
        }
    }
}

/// The app's context (configuration, the `ui/` assets, capabilities): one
/// for the tray and the window process alike.
pub(crate) fn context() -> tauri::Context {
    tauri::generate_context!()
}

/// Start the Tauri app (or, with `--status-window`, the window process).
/// Returns the process's exit code.
pub fn run() -> i32 {
    docket_app::frontend::prepare_process();
    if let Some(title) = crate::window_process::title_arg() {
        return crate::window_process::run(title);
    }
    let paths = docket_app::frontend::paths().ok();
    let _log = paths.as_ref().map(|p| {
        docket_app::logging::init(
            p,
            docket_app::logging::LogTarget::Tray,
            &docket_app::logging::LogSettings::default(),
        )
    });
    let config = config_arg();
    let shell = Shell {
        companion: Mutex::new(None),
        problem: Mutex::new(None),
        config,
        log_dir: paths.map(|p| p.log_dir),
        notifier: Notifier::default(),
        generation: tokio::sync::watch::channel(0).0,
    };
    let builder = tauri::Builder::default()
        // First: a second launch hands over to this process and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            open_window(app);
        }));
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_autostart::init(
        tauri_plugin_autostart::MacosLauncher::LaunchAgent,
        Some(vec![crate::autostart::ARG]),
    ));
    let app = builder
        .manage(shell)
        .manage(commands::Backend::Local)
        .manage(window::WindowProcess::default())
        .invoke_handler(commands::handler())
        .setup(|app| {
            setup(app.handle());
            Ok(())
        })
        .build(context());
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "the tray could not start");
            eprintln!("docket-sync-tray: {e}");
            return 1;
        }
    };
    app.run(|_app, event| {
        // Closing the window leaves the tray running; Quit exits.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
    0
}

/// `--config <file>`: the firm configuration (default: the platform's).
fn config_arg() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--config" {
            return args.next().map(PathBuf::from);
        }
    }
    None
}

fn setup<R: Runtime>(app: &AppHandle<R>) {
    start_companion(app);
    if window::under_webdriver() {
        // WebDriver binds to the first webview: create it now, hidden.
        window::open(app, &title(app), false);
    }
}

fn title<R: Runtime>(app: &AppHandle<R>) -> String {
    let lang = app
        .state::<Shell>()
        .companion()
        .map_or_else(docket_app::Lang::from_system, |c| c.snapshot().lang);
    crate::texts::texts(lang).word("tray-window-title")
}

fn open_window<R: Runtime>(app: &AppHandle<R>) {
    window::open(app, &title(app), true);
}

/// Open the app and start its companion, then the tray and the tasks that
/// follow it. Without a usable configuration the tray still appears and
/// the window says what is wrong.
fn start_companion<R: Runtime>(app: &AppHandle<R>) {
    let shell = app.state::<Shell>();
    let opened = App::open(shell.config.clone());
    shell.generation.send_modify(|g| *g += 1);
    let generation = *shell.generation.borrow();
    match opened {
        Ok(docket) => {
            let companion = tauri::async_runtime::block_on(async {
                Companion::start(docket, StartOptions::default())
            });
            *lock(&shell.companion) = Some(companion.clone());
            *lock(&shell.problem) = None;
            follow(app, companion, generation);
        }
        Err(e) => {
            tracing::error!(code = e.code(), "the app could not open");
            let texts = crate::texts::texts(docket_app::Lang::from_system());
            let problem = docket_app::snapshot::problem_view(&texts, &e.describe(), None);
            ensure_tray(app, &tray::model_without_app(&problem, &texts));
            *lock(&shell.problem) = Some(problem);
        }
    }
}

/// The tray, showing `model` (built the first time).
fn ensure_tray<R: Runtime>(app: &AppHandle<R>, model: &tray::MenuModel) -> Option<Arc<Tray<R>>> {
    if let Some(t) = app.try_state::<Arc<Tray<R>>>() {
        let t = t.inner().clone();
        if let Err(e) = t.show(model) {
            tracing::warn!(error = %e, "cannot update the tray");
        }
        return Some(t);
    }
    match Tray::build(app, model, on_menu::<R>) {
        Ok(t) => {
            let t = Arc::new(t);
            app.manage(t.clone());
            Some(t)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot show the tray icon");
            None
        }
    }
}

/// Carry `companion`'s snapshots to the tray and the window, and its due
/// notifications to the desktop, until the companion is replaced.
fn follow<R: Runtime>(app: &AppHandle<R>, companion: Companion, generation: u64) {
    let texts = crate::texts::texts(companion.snapshot().lang);
    let tray = ensure_tray(app, &tray::model(&companion.snapshot(), &texts));
    let mut snapshots = companion.watch();
    let mut events = companion.events();
    let mut replaced = app.state::<Shell>().generation.subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut start_at_login = None;
        loop {
            let snapshot = snapshots.borrow_and_update().clone();
            let texts = crate::texts::texts(snapshot.lang);
            if let Some(tray) = &tray {
                if let Err(e) = tray.show(&tray::model(&snapshot, &texts)) {
                    tracing::warn!(error = %e, "cannot update the tray");
                }
            }
            let wanted = snapshot.settings.user.start_at_login;
            if start_at_login != Some(wanted) {
                start_at_login = Some(wanted);
                if let Err(e) = crate::autostart::apply(&app, wanted) {
                    tracing::warn!(error = %e, "cannot change start at login");
                }
            }
            window::view_changed(&app);
            tokio::select! {
                changed = snapshots.changed() => if changed.is_err() { return },
                event = events.recv() => match event {
                    Ok(Event::NotificationDue { notification }) => notify(&app, &notification),
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                _ = replaced.wait_for(|g| *g != generation) => return,
            }
        }
    });
}

fn notify<R: Runtime>(app: &AppHandle<R>, n: &docket_app::companion::NotificationView) {
    let action = n.action.invocable.then(|| {
        let key = serde_json::to_value(&n.action.action)
            .ok()
            .and_then(|v| v.get("action").and_then(|a| a.as_str()).map(str::to_string))
            .unwrap_or_default();
        (key, n.action.label.clone())
    });
    let shown = Shown {
        slot: n.slot.clone(),
        title: n.title.clone(),
        body: n.body.clone(),
        action,
    };
    let app = app.clone();
    app.state::<Shell>()
        .notifier
        .clone()
        .show(&shown, move |key| on_notification_action(&app, key));
}

/// A notification's action: the same as the menu item or window button.
fn on_notification_action<R: Runtime>(app: &AppHandle<R>, key: &str) {
    let shell = app.state::<Shell>();
    match key {
        "sign_in" => shell.with(Companion::sign_in),
        "export_now" | "test_again" => shell.with(Companion::export_now),
        "retry_held_back" => shell.with(Companion::retry_held_back),
        "allow_deletions" => shell.with(Companion::allow_deletions),
        "resume" => shell.with(Companion::resume),
        "open_log" => shell.open_log_folder(),
        "open_status" => open_window(app),
        _ => open_window(app),
    }
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let shell = app.state::<Shell>();
    match id {
        tray::id::EXPORT => shell.with(Companion::export_now),
        tray::id::SIGN_IN => shell.with(Companion::sign_in),
        tray::id::PAUSE => shell.with(|c| {
            if matches!(
                c.snapshot().activity,
                docket_app::snapshot::Activity::Paused
            ) {
                c.resume()
            } else {
                c.pause()
            }
        }),
        tray::id::OPEN => open_window(app),
        tray::id::LOGS => shell.open_log_folder(),
        tray::id::QUIT => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let companion = lock(&app.state::<Shell>().companion).take();
                if let Some(c) = companion {
                    c.stop().await;
                }
                app.exit(0);
            });
        }
        _ => {}
    }
}

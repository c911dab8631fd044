//! The commands the status window may call. Each is a few lines that hand
//! one [`Request`] to the companion (in this process, or in the tray when
//! this is the window process) and give back its answer; none returns a
//! token, secret or credential (`tests/no_secret_crosses_ipc.rs` inspects
//! every answer).
//!
//! Declared in `build.rs` (`AppManifest::commands`) and allowed for the
//! `status` window only by `capabilities/status.json`.

use docket_app::settings::UserSetting;
use tauri::{AppHandle, Manager, State};

use crate::pipe::{Reply, Request};
use crate::shell::Shell;

/// Every command's name, as `build.rs` declares them.
pub const NAMES: &[&str] = &[
    "view",
    "export_now",
    "allow_deletions",
    "retry_held_back",
    "sign_in",
    "cancel_sign_in",
    "pause",
    "resume",
    "set_setting",
    "open_log_folder",
];

/// Where the window's commands go: to this process's companion (the
/// tray; also its in-process window under WebDriver), or over the pipe to
/// the tray (the window process, [`crate::window_process`]).
pub enum Backend {
    Local,
    Remote(std::sync::Arc<crate::window_process::Remote>),
}

impl Backend {
    async fn call(&self, app: &AppHandle, request: Request) -> Reply {
        match self {
            Backend::Local => app.state::<Shell>().apply(request),
            Backend::Remote(tray) => tray.call(request).await,
        }
    }
}

#[tauri::command]
pub async fn view(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::View).await
}

#[tauri::command]
pub async fn export_now(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::ExportNow).await
}

#[tauri::command]
pub async fn allow_deletions(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::AllowDeletions).await
}

#[tauri::command]
pub async fn retry_held_back(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::RetryHeldBack).await
}

#[tauri::command]
pub async fn sign_in(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::SignIn).await
}

#[tauri::command]
pub async fn cancel_sign_in(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::CancelSignIn).await
}

#[tauri::command]
pub async fn pause(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::Pause).await
}

#[tauri::command]
pub async fn resume(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::Resume).await
}

/// Change one of the user's settings; a refusal comes back as the problem
/// (headline, explanation, fix) in the reader's language.
#[tauri::command]
pub async fn set_setting(
    app: AppHandle,
    backend: State<'_, Backend>,
    setting: UserSetting,
) -> Reply {
    backend.call(&app, Request::SetSetting { setting }).await
}

#[tauri::command]
pub async fn open_log_folder(app: AppHandle, backend: State<'_, Backend>) -> Reply {
    backend.call(&app, Request::OpenLogFolder).await
}

/// The window's commands, for the tray's builder and the window process's.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        view,
        export_now,
        allow_deletions,
        retry_held_back,
        sign_in,
        cancel_sign_in,
        pause,
        resume,
        set_setting,
        open_log_folder,
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn build_rs_declares_every_command() {
        let build = include_str!("../build.rs");
        for name in super::NAMES {
            assert!(
                build.contains(&format!("\"{name}\"")),
                "{name} missing from build.rs"
            );
        }
        let caps = include_str!("../capabilities/status.json");
        for name in super::NAMES {
            let perm = format!("\"allow-{}\"", name.replace('_', "-"));
            assert!(caps.contains(&perm), "{perm} missing from the capability");
        }
        let caps: serde_json::Value = serde_json::from_str(caps).expect("JSON");
        let perms = caps["permissions"].as_array().expect("permissions");
        assert!(
            perms.iter().all(|p| p.as_str().is_some_and(|p| {
                p.starts_with("allow-")
                    || p == "core:event:allow-listen"
                    || p == "core:event:allow-unlisten"
            })),
            "only the app's commands and listening for events: {perms:?}"
        );
        assert_eq!(caps["windows"], serde_json::json!(["status"]));
    }
}

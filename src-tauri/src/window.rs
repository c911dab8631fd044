//! The status window: created when opened and destroyed when closed, so a
//! closed window costs no WebKit memory. Under WebDriver
//! (`TAURI_WEBVIEW_AUTOMATION=true`, set by tauri-driver) it is created
//! hidden at start and only hidden on close: WebKitWebDriver binds only to
//! the first webview an app creates.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};

/// The window's label (the capability file names it).
pub const LABEL: &str = "status";

/// Whether tauri-driver launched this process.
pub fn under_webdriver() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").is_ok_and(|v| v == "true")
}

/// Create the window (`visible`) or, if it exists, show and focus it.
pub fn open<R: Runtime>(app: &AppHandle<R>, title: &str, visible: bool) {
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

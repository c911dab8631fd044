//! Opening a folder in the platform's file manager.

use std::path::Path;
use std::process::Command;

pub fn open_folder(dir: &Path) {
    if let Err(e) = docket_app::paths::secure::create_dir_all(dir) {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot create the folder");
    }
    let result = opener().arg(dir).spawn().map(drop);
    if let Err(e) = result {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot open the folder");
    }
}

#[cfg(target_os = "windows")]
fn opener() -> Command {
    Command::new("explorer")
}

#[cfg(target_os = "macos")]
fn opener() -> Command {
    Command::new("open")
}

#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn opener() -> Command {
    Command::new("xdg-open")
}

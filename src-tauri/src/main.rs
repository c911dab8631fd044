//! The tray's binary: everything is in the library (`docket_tray::run`).

// No console window behind the tray on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    std::process::exit(docket_tray::run());
}

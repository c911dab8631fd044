//! Docket Sync's tray companion: a thin Tauri shell over `docket-app`.
//!
//! Everything that decides lives in `docket-app` (`companion`: the
//! background loop, the status snapshot, which notification is due). This
//! crate only shows: the tray icon and menu rendered from each
//! [`docket_app::snapshot::Snapshot`] ([`tray`]), the status window
//! (`ui/`, created when opened and destroyed when closed; [`window`]),
//! desktop notifications ([`notify`]), start at login ([`autostart`]),
//! and the commands the window may call ([`commands`]: declared in
//! `build.rs`, allowed by `capabilities/status.json` only).
//!
//! Words come from `docket-text`: the snapshot's own texts, plus the
//! tray's words (`locales/*/tray.ftl`, [`texts`]).

pub mod autostart;
pub mod commands;
pub mod icons;
pub mod notify;
mod platform;
mod shell;
pub mod texts;
pub mod tray;
pub mod window;

pub use shell::run;

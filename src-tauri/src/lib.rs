//! Docket Sync's tray companion: a thin Tauri shell over `docket-app`.
//!
//! Everything that decides lives in `docket-app` (`companion`: the
//! background loop, the status snapshot, which notification is due). This
//! crate only shows: the tray icon and menu rendered from each
//! [`docket_app::snapshot::Snapshot`] ([`tray`]), the status window
//! (`ui/`, shown by a window process of its own that ends when the window
//! closes: [`window`], [`window_process`], [`pipe`], `window_pipe`),
//! desktop notifications ([`notify`]), start at login ([`autostart`]),
//! the commands the window may call ([`commands`]: declared in
//! `build.rs`, allowed by `capabilities/status.json` only) and the view
//! they answer with ([`view`]: the snapshot and its lines in words).
//!
//! Words come from `docket-text`: the snapshot's own texts, plus the
//! tray's words (`tray.ftl`, `docket_app::text::TRAY`, [`texts`]).

pub mod autostart;
pub mod commands;
pub mod icons;
pub mod notify;
pub mod pipe;
mod platform;
mod shell;
pub mod texts;
pub mod tray;
pub mod view;
pub mod window;
mod window_pipe;
pub mod window_process;

pub use shell::run;

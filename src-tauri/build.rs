//! Declares the app's commands to Tauri's ACL: with `AppManifest::commands`
//! each command is allowed only where a capability says `allow-<name>`
//! (capabilities/status.json, the status window's only one), instead of
//! for every window.

/// Every command in `src/commands.rs` (checked by a test there).
const COMMANDS: &[&str] = &[
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

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build: the config, the capabilities and the icons");
}

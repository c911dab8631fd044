//! Start at login. On Linux an XDG autostart entry that this module writes
//! itself: tauri-plugin-autostart 2.7 (auto-launch 0.6) writes
//! `Exec=<path> <args>` unquoted, which breaks on an install path with a
//! space, and ignores `XDG_CONFIG_HOME`. Elsewhere the plugin (Windows:
//! the `Run` registry key; macOS: a LaunchAgent).
//!
//! The entry starts the tray with `--autostart`, into the tray only.

/// The argument an autostarted tray gets (no window, ever).
pub const ARG: &str = "--autostart";

#[cfg(target_os = "linux")]
pub use linux::{apply, desktop_entry, exec_arg};

#[cfg(target_os = "linux")]
mod linux {
    use std::path::{Path, PathBuf};

    /// The entry's file name: the bundle identifier.
    const FILE: &str = "eu.docketsync.tray.desktop";

    /// `$XDG_CONFIG_HOME/autostart` (default `~/.config/autostart`):
    /// `docket-paths` knows where (through `docket-app`).
    fn dir() -> Option<PathBuf> {
        docket_app::paths::xdg_autostart_dir(&docket_app::paths::BaseDirs::from_env())
    }

    /// One argument of an `Exec=` value, quoted as the Desktop Entry
    /// specification asks ("Exec key"): in double quotes, with `"`, `` ` ``,
    /// `$` and `\` escaped by a backslash, `%` doubled; then the string
    /// escapes of every value (a backslash written twice).
    pub fn exec_arg(arg: &str) -> String {
        let mut quoted = String::from("\"");
        for c in arg.chars() {
            match c {
                '"' | '`' | '$' | '\\' => {
                    quoted.push('\\');
                    quoted.push(c);
                }
                '%' => quoted.push_str("%%"),
                _ => quoted.push(c),
            }
        }
        quoted.push('"');
        quoted
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
            .replace('\r', "\\r")
    }

    /// The autostart entry for the tray at `exe`.
    pub fn desktop_entry(exe: &Path) -> String {
        format!(
            "[Desktop Entry]\nType=Application\nName=Docket Sync\n\
             Exec={} {}\nTerminal=false\nStartupNotify=false\nX-GNOME-Autostart-enabled=true\n",
            exec_arg(&exe.to_string_lossy()),
            super::ARG
        )
    }

    /// Write (`enabled`) or remove the entry for the running executable.
    pub fn apply<R: tauri::Runtime>(
        _app: &tauri::AppHandle<R>,
        enabled: bool,
    ) -> std::io::Result<()> {
        let dir = dir().ok_or_else(|| std::io::Error::other("no home folder"))?;
        let file = dir.join(FILE);
        if !enabled {
            return match std::fs::remove_file(&file) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                other => other,
            };
        }
        let exe = std::env::current_exe()?;
        let entry = desktop_entry(&exe);
        if std::fs::read_to_string(&file).is_ok_and(|old| old == entry) {
            return Ok(());
        }
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{FILE}.tmp"));
        std::fs::write(&tmp, entry)?;
        std::fs::rename(tmp, file)
    }
}

#[cfg(not(target_os = "linux"))]
pub fn apply<R: tauri::Runtime>(app: &tauri::AppHandle<R>, enabled: bool) -> std::io::Result<()> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let now = launcher.is_enabled().unwrap_or(false);
    let result = match (enabled, now) {
        (true, false) => launcher.enable(),
        (false, true) => launcher.disable(),
        _ => Ok(()),
    };
    result.map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// How an install path appears on the Exec= line, and what a desktop
    /// reading the entry gets back as argv[0].
    fn check(path: &str, expect: &str) {
        assert_eq!(exec_arg(path), expect, "{path}");
        assert_eq!(unquote(&exec_arg(path)), path, "round trip of {path}");
    }

    /// The reader's side (Desktop Entry spec): string escapes, then the
    /// Exec quoting.
    fn unquote(v: &str) -> String {
        let mut s = String::new();
        let mut chars = v.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some('r') => s.push('\r'),
                    Some(o) => s.push(o),
                    None => {}
                }
            } else {
                s.push(c);
            }
        }
        let inner = s
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .expect("quoted");
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '%' if chars.peek() == Some(&'%') => {
                    chars.next();
                    out.push('%');
                }
                _ => out.push(c),
            }
        }
        out
    }

    #[test]
    fn exec_line_survives_spaces_and_reserved_characters() {
        check("/usr/bin/docket-sync-tray", "\"/usr/bin/docket-sync-tray\"");
        check(
            "/opt/Docket Sync/docket-sync-tray",
            "\"/opt/Docket Sync/docket-sync-tray\"",
        );
        check("/home/a/My $HOME/t", "\"/home/a/My \\\\$HOME/t\"");
        check("/x/100%/t", "\"/x/100%%/t\"");
        check("/x/a\"b/t", "\"/x/a\\\\\"b/t\"");
        check("/x/back\\slash", "\"/x/back\\\\\\\\slash\"");
        check("/x/`cmd`", "\"/x/\\\\`cmd\\\\`\"");
    }

    #[test]
    fn entry_starts_the_tray_hidden_from_a_path_with_spaces() {
        let e = desktop_entry(std::path::Path::new("/opt/Docket Sync/docket-sync-tray"));
        assert!(
            e.contains("\nExec=\"/opt/Docket Sync/docket-sync-tray\" --autostart\n"),
            "{e}"
        );
        assert!(e.starts_with("[Desktop Entry]\nType=Application\n"));
    }
}

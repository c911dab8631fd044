//! Where Docket Sync keeps its files: the firm configuration, the per-user
//! overrides, the state database, the logs and the lock file.
//!
//! This crate is the only place that knows these locations. Each platform's
//! defaults live in a small `cfg`-gated module; all of them are computed
//! from a [`BaseDirs`] value (the user's home and the platform's base
//! folders), so the layout is a pure function and is tested on every
//! platform.
//!
//! **One override:** when the environment variable `DOCKETSYNC_HOME` names
//! a folder, *everything* lives under it (see [`Paths::under_home`]). Tests
//! use it so that they never touch the real home directory.
//!
//! | what | Linux | macOS | Windows |
//! |---|---|---|---|
//! | firm config | `/etc/docketsync/config.toml` | `/Library/Application Support/DocketSync/config.toml` | `%ProgramData%\DocketSync\config.toml` |
//! | user overrides | `~/.config/docketsync/config.toml` | `~/Library/Application Support/DocketSync/config.toml` | `%APPDATA%\DocketSync\config.toml` |
//! | data (state DB, lock, emulator files) | `~/.local/share/docketsync` | `~/Library/Application Support/DocketSync` | `%LOCALAPPDATA%\DocketSync` |
//! | logs | `~/.local/state/docketsync/logs` | `~/Library/Logs/DocketSync` | `%LOCALAPPDATA%\DocketSync\logs` |
//!
//! Files and folders are created owner-only (see [`secure`]).
//!
//! On Linux the XDG variables (`XDG_CONFIG_HOME`, `XDG_DATA_HOME`,
//! `XDG_STATE_HOME`) are honoured when they hold absolute paths.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub mod secure;

/// The environment variable that puts every file under one folder.
pub const HOME_ENV: &str = "DOCKETSYNC_HOME";

/// File name of the firm configuration and of the per-user overrides.
pub const CONFIG_FILE_NAME: &str = "config.toml";

/// Every location Docket Sync reads or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The firm-managed configuration file (read-only for the user).
    pub firm_config_file: PathBuf,
    /// The per-user overrides, merged over the firm configuration.
    pub user_config_file: PathBuf,
    /// Folder for the state database, the lock file and emulator files.
    pub data_dir: PathBuf,
    /// Folder for log files.
    pub log_dir: PathBuf,
}

impl Paths {
    /// The paths for this process: under `DOCKETSYNC_HOME` when it is set
    /// (non-empty), else the platform defaults.
    pub fn from_env() -> Result<Paths, PathsError> {
        Paths::resolve(std::env::var_os(HOME_ENV), &BaseDirs::from_env())
    }

    /// The pure decision behind [`Paths::from_env`].
    pub fn resolve(home_override: Option<OsString>, base: &BaseDirs) -> Result<Paths, PathsError> {
        match home_override.filter(|v| !v.is_empty()) {
            Some(home) => {
                let home = PathBuf::from(home);
                if home.is_relative() {
                    return Err(PathsError::RelativeHome { path: home });
                }
                Ok(Paths::under_home(&home))
            }
            None => platform::paths(base),
        }
    }

    /// The layout under one folder (`DOCKETSYNC_HOME`):
    /// `firm/config.toml`, `config/config.toml`, `data/`, `logs/`.
    pub fn under_home(home: &Path) -> Paths {
        Paths {
            firm_config_file: home.join("firm").join(CONFIG_FILE_NAME),
            user_config_file: home.join("config").join(CONFIG_FILE_NAME),
            data_dir: home.join("data"),
            log_dir: home.join("logs"),
        }
    }

    /// The SQLite state database.
    pub fn state_db_file(&self) -> PathBuf {
        self.data_dir.join("state.sqlite3")
    }

    /// The lock file that keeps two exports of one user apart (the `run`
    /// loop or the tray, and a `docketsync sync` in a terminal).
    pub fn export_lock_file(&self) -> PathBuf {
        self.data_dir.join("export.lock")
    }

    /// The file that serialises token refreshes across processes.
    pub fn token_lock_file(&self) -> PathBuf {
        self.data_dir.join("token.lock")
    }

    /// The plaintext secrets file (only used with
    /// `storage.allow_plaintext_tokens = true` and no working keyring, and
    /// by the demo).
    pub fn plaintext_secrets_file(&self) -> PathBuf {
        self.data_dir.join("secrets.json")
    }

    /// Where a network source keeps what it read between runs (sync
    /// tokens, ETags, resources). Losing it only costs a full read.
    pub fn source_cache_file(&self, cache: SourceCache) -> PathBuf {
        self.data_dir
            .join(format!("source-{}-cache.json", cache.name()))
    }

    /// Every source cache file (each cache and the body file next to it),
    /// for deleting them all when the account changes.
    pub fn source_cache_files(&self) -> Vec<PathBuf> {
        let mut out = vec![];
        for cache in SourceCache::ALL {
            let file = self.source_cache_file(cache);
            let mut body = file.clone().into_os_string();
            body.push(".body");
            out.push(file);
            out.push(body.into());
        }
        out
    }

    /// A home for what runs against the Microsoft 365 emulator (e.g.
    /// `m365-emulator demo --home` with this folder): a `demo` folder in
    /// the data folder, with its own configuration, state database,
    /// secrets file and logs, so that the demo never sees, signs out or
    /// overwrites the real account, its sign-in or its export state.
    pub fn demo_home(&self) -> PathBuf {
        self.data_dir.join("demo")
    }

    /// The layout under [`Paths::demo_home`].
    pub fn demo(&self) -> Paths {
        Paths::under_home(&self.demo_home())
    }

    /// The file that marks these paths as a demo home (see
    /// [`Paths::mark_as_demo_home`]).
    pub fn demo_marker_file(&self) -> PathBuf {
        self.data_dir.join("DEMO-HOME")
    }

    /// Mark these paths as the home of the demo and the emulator: the app
    /// keeps its secrets here in a file, never in the OS keyring (where
    /// the real account's sign-in is), also when a later command runs with
    /// `DOCKETSYNC_HOME` set to this home.
    pub fn mark_as_demo_home(&self) -> std::io::Result<()> {
        secure::create_dir_all(&self.data_dir)?;
        let mut file = secure::open_private(&self.demo_marker_file())?;
        std::io::Write::write_all(
            &mut file,
            b"The home of the Docket Sync demo and emulator: secrets stay in a file here.\n",
        )
    }

    /// Whether [`Paths::mark_as_demo_home`] marked these paths.
    pub fn is_demo_home(&self) -> bool {
        self.demo_marker_file().is_file()
    }
}

/// The network sources that keep a cache file (see
/// [`Paths::source_cache_file`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCache {
    /// An ICS feed over HTTPS (`source.kind = "ics_url"`).
    Url,
    /// CalDAV/CardDAV collections.
    Dav,
}

impl SourceCache {
    pub const ALL: [SourceCache; 2] = [SourceCache::Url, SourceCache::Dav];

    fn name(self) -> &'static str {
        match self {
            SourceCache::Url => "url",
            SourceCache::Dav => "dav",
        }
    }
}

/// `$XDG_CONFIG_HOME/autostart` (default `~/.config/autostart`): where a
/// desktop looks for the entries that start programs at login (XDG
/// Autostart specification; Linux and other XDG desktops). Not moved by
/// `DOCKETSYNC_HOME`: the desktop reads it, not Docket Sync.
pub fn xdg_autostart_dir(base: &BaseDirs) -> Option<PathBuf> {
    base.config
        .clone()
        .or_else(|| base.home.as_ref().map(|h| h.join(".config")))
        .map(|c| c.join("autostart"))
}

/// The inputs the platform layouts are computed from. [`BaseDirs::from_env`]
/// reads them from the running system; tests build them by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseDirs {
    /// The user's home directory.
    pub home: Option<PathBuf>,
    /// Linux: `XDG_CONFIG_HOME`; Windows: `%APPDATA%` (roaming).
    pub config: Option<PathBuf>,
    /// Linux: `XDG_DATA_HOME`; Windows: `%LOCALAPPDATA%`.
    pub data: Option<PathBuf>,
    /// Linux: `XDG_STATE_HOME`.
    pub state: Option<PathBuf>,
    /// Windows: `%ProgramData%`.
    pub program_data: Option<PathBuf>,
}

impl BaseDirs {
    pub fn from_env() -> BaseDirs {
        let abs = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        if cfg!(windows) {
            BaseDirs {
                home: dirs::home_dir(),
                config: abs("APPDATA").or_else(dirs::config_dir),
                data: abs("LOCALAPPDATA").or_else(dirs::data_local_dir),
                state: None,
                program_data: abs("ProgramData"),
            }
        } else {
            BaseDirs {
                home: dirs::home_dir(),
                config: abs("XDG_CONFIG_HOME"),
                data: abs("XDG_DATA_HOME"),
                state: abs("XDG_STATE_HOME"),
                program_data: None,
            }
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathsError {
    #[error(
        "cannot find your home folder; set {HOME_ENV} to the folder where Docket Sync should keep its files"
    )]
    NoHome,
    #[error("{HOME_ENV} must be an absolute path, not {}; set it to a full path", path.display())]
    RelativeHome { path: PathBuf },
}

#[cfg(target_os = "linux")]
mod platform {
    pub use super::xdg::paths;
}

#[cfg(all(unix, not(target_os = "linux"), not(target_os = "macos")))]
mod platform {
    pub use super::xdg::paths;
}

#[cfg(target_os = "macos")]
mod platform {
    pub use super::macos::paths;
}

#[cfg(windows)]
mod platform {
    pub use super::windows::paths;
}

/// Linux and other Unix: XDG base directories.
#[cfg_attr(not(unix), allow(dead_code))]
#[cfg_attr(target_os = "macos", allow(dead_code))]
mod xdg {
    use super::{BaseDirs, Paths, PathsError, CONFIG_FILE_NAME};
    use std::path::PathBuf;

    pub fn paths(base: &BaseDirs) -> Result<Paths, PathsError> {
        let home = base.home.as_ref();
        let or_home = |dir: &Option<PathBuf>, rel: &str| {
            dir.clone()
                .or_else(|| home.map(|h| h.join(rel)))
                .ok_or(PathsError::NoHome)
        };
        let config = or_home(&base.config, ".config")?;
        let data = or_home(&base.data, ".local/share")?;
        let state = or_home(&base.state, ".local/state")?;
        Ok(Paths {
            firm_config_file: PathBuf::from("/etc/docketsync").join(CONFIG_FILE_NAME),
            user_config_file: config.join("docketsync").join(CONFIG_FILE_NAME),
            data_dir: data.join("docketsync"),
            log_dir: state.join("docketsync").join("logs"),
        })
    }
}

/// macOS: `~/Library/...`.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
mod macos {
    use super::{BaseDirs, Paths, PathsError, CONFIG_FILE_NAME};
    use std::path::PathBuf;

    pub fn paths(base: &BaseDirs) -> Result<Paths, PathsError> {
        let home = base.home.as_ref().ok_or(PathsError::NoHome)?;
        let support = home.join("Library/Application Support/DocketSync");
        Ok(Paths {
            firm_config_file: PathBuf::from("/Library/Application Support/DocketSync")
                .join(CONFIG_FILE_NAME),
            user_config_file: support.join(CONFIG_FILE_NAME),
            data_dir: support,
            log_dir: home.join("Library/Logs/DocketSync"),
        })
    }
}

/// Windows: `%APPDATA%`, `%LOCALAPPDATA%`, `%ProgramData%`.
#[cfg_attr(not(windows), allow(dead_code))]
mod windows {
    use super::{BaseDirs, Paths, PathsError, CONFIG_FILE_NAME};
    use std::path::PathBuf;

    pub fn paths(base: &BaseDirs) -> Result<Paths, PathsError> {
        let home = base.home.as_ref();
        let roaming = base
            .config
            .clone()
            .or_else(|| home.map(|h| h.join("AppData").join("Roaming")))
            .ok_or(PathsError::NoHome)?;
        let local = base
            .data
            .clone()
            .or_else(|| home.map(|h| h.join("AppData").join("Local")))
            .ok_or(PathsError::NoHome)?;
        let program_data = base
            .program_data
            .clone()
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
        let data_dir = local.join("DocketSync");
        Ok(Paths {
            firm_config_file: program_data.join("DocketSync").join(CONFIG_FILE_NAME),
            user_config_file: roaming.join("DocketSync").join(CONFIG_FILE_NAME),
            log_dir: data_dir.join("logs"),
            data_dir,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    /// One helper for the table: resolve with `home_override` and `base`
    /// through `layout` and compare the four locations.
    fn check(
        home_override: Option<&str>,
        base: BaseDirs,
        layout: fn(&BaseDirs) -> Result<Paths, PathsError>,
        expect: Result<[&str; 4], PathsError>,
    ) {
        let got = match home_override.filter(|h| !h.is_empty()) {
            Some(h) => Paths::resolve(Some(h.into()), &base),
            None => layout(&base),
        };
        let got = got.map(|p| {
            [
                p.firm_config_file,
                p.user_config_file,
                p.data_dir,
                p.log_dir,
            ]
        });
        let expect = expect.map(|e| e.map(PathBuf::from));
        assert_eq!(got, expect, "override {home_override:?}");
    }

    fn unix_home() -> BaseDirs {
        BaseDirs {
            home: Some(p("/home/anna")),
            ..BaseDirs::default()
        }
    }

    #[test]
    fn docketsync_home_puts_everything_under_it() {
        check(
            Some("/tmp/t1"),
            unix_home(),
            xdg::paths,
            Ok([
                "/tmp/t1/firm/config.toml",
                "/tmp/t1/config/config.toml",
                "/tmp/t1/data",
                "/tmp/t1/logs",
            ]),
        );
        // No home folder known: the override still works.
        check(
            Some("/srv/ds"),
            BaseDirs::default(),
            xdg::paths,
            Ok([
                "/srv/ds/firm/config.toml",
                "/srv/ds/config/config.toml",
                "/srv/ds/data",
                "/srv/ds/logs",
            ]),
        );
    }

    #[test]
    fn relative_docketsync_home_is_rejected() {
        check(
            Some("rel/dir"),
            unix_home(),
            xdg::paths,
            Err(PathsError::RelativeHome { path: p("rel/dir") }),
        );
    }

    #[test]
    fn linux_defaults_follow_xdg() {
        check(
            None,
            unix_home(),
            xdg::paths,
            Ok([
                "/etc/docketsync/config.toml",
                "/home/anna/.config/docketsync/config.toml",
                "/home/anna/.local/share/docketsync",
                "/home/anna/.local/state/docketsync/logs",
            ]),
        );
        check(
            None,
            BaseDirs {
                home: Some(p("/home/anna")),
                config: Some(p("/x/cfg")),
                data: Some(p("/x/data")),
                state: Some(p("/x/state")),
                program_data: None,
            },
            xdg::paths,
            Ok([
                "/etc/docketsync/config.toml",
                "/x/cfg/docketsync/config.toml",
                "/x/data/docketsync",
                "/x/state/docketsync/logs",
            ]),
        );
        check(
            None,
            BaseDirs::default(),
            xdg::paths,
            Err(PathsError::NoHome),
        );
    }

    #[test]
    fn macos_defaults_use_library() {
        check(
            None,
            BaseDirs {
                home: Some(p("/Users/anna")),
                ..BaseDirs::default()
            },
            macos::paths,
            Ok([
                "/Library/Application Support/DocketSync/config.toml",
                "/Users/anna/Library/Application Support/DocketSync/config.toml",
                "/Users/anna/Library/Application Support/DocketSync",
                "/Users/anna/Library/Logs/DocketSync",
            ]),
        );
    }

    #[test]
    fn windows_defaults_use_appdata_and_programdata() {
        let base = BaseDirs {
            home: Some(p("/C/Users/anna")),
            config: Some(p("/C/Users/anna/AppData/Roaming")),
            data: Some(p("/C/Users/anna/AppData/Local")),
            state: None,
            program_data: Some(p("/C/ProgramData")),
        };
        check(
            None,
            base,
            windows::paths,
            Ok([
                "/C/ProgramData/DocketSync/config.toml",
                "/C/Users/anna/AppData/Roaming/DocketSync/config.toml",
                "/C/Users/anna/AppData/Local/DocketSync",
                "/C/Users/anna/AppData/Local/DocketSync/logs",
            ]),
        );
        // Without APPDATA/LOCALAPPDATA: under the profile folder.
        check(
            None,
            BaseDirs {
                home: Some(p("/C/Users/anna")),
                ..BaseDirs::default()
            },
            windows::paths,
            Ok([
                "C:\\ProgramData/DocketSync/config.toml",
                "/C/Users/anna/AppData/Roaming/DocketSync/config.toml",
                "/C/Users/anna/AppData/Local/DocketSync",
                "/C/Users/anna/AppData/Local/DocketSync/logs",
            ]),
        );
    }

    #[test]
    fn state_lock_and_emulator_files_live_in_the_data_dir() {
        let paths = Paths::under_home(&p("/h"));
        assert_eq!(paths.state_db_file(), p("/h/data/state.sqlite3"));
        assert_eq!(paths.export_lock_file(), p("/h/data/export.lock"));
        assert_eq!(paths.token_lock_file(), p("/h/data/token.lock"));
        assert_eq!(paths.plaintext_secrets_file(), p("/h/data/secrets.json"));
        assert_eq!(
            paths.source_cache_files(),
            [
                "/h/data/source-url-cache.json",
                "/h/data/source-url-cache.json.body",
                "/h/data/source-dav-cache.json",
                "/h/data/source-dav-cache.json.body"
            ]
            .map(p)
        );
        assert_eq!(
            paths.source_cache_file(SourceCache::Dav),
            p("/h/data/source-dav-cache.json")
        );
    }

    #[test]
    fn autostart_entries_go_to_the_xdg_config_folder() {
        let with_xdg = BaseDirs {
            config: Some(p("/x/cfg")),
            ..unix_home()
        };
        assert_eq!(xdg_autostart_dir(&with_xdg), Some(p("/x/cfg/autostart")));
        assert_eq!(
            xdg_autostart_dir(&unix_home()),
            Some(p("/home/anna/.config/autostart"))
        );
        assert_eq!(xdg_autostart_dir(&BaseDirs::default()), None);
    }

    #[test]
    fn the_demo_lives_in_a_home_of_its_own() {
        let real = Paths::under_home(&p("/h"));
        let demo = real.demo();
        assert_eq!(demo.data_dir, p("/h/data/demo/data"));
        assert_eq!(demo.state_db_file(), p("/h/data/demo/data/state.sqlite3"));
        assert_eq!(demo.log_dir, p("/h/data/demo/logs"));
        assert_ne!(demo.plaintext_secrets_file(), real.plaintext_secrets_file());
        assert_ne!(demo.token_lock_file(), real.token_lock_file());
        let dir = tempfile::tempdir().unwrap();
        let demo = Paths::under_home(dir.path()).demo();
        assert!(!demo.is_demo_home());
        demo.mark_as_demo_home().unwrap();
        assert!(demo.is_demo_home());
        assert!(!Paths::under_home(dir.path()).is_demo_home());
    }
}

//! Logging for every front end: a daily-rotated file in the platform's log
//! folder (`docket-paths`), kept `logging.keep_days` days at
//! `logging.level`, and warnings to stderr (coloured only when it is a
//! terminal). The CLI and the tray call [`init`] once at start and keep
//! the [`LogGuard`] it returns until they exit (dropping it flushes the
//! file).
//!
//! HTTP and TLS libraries stay at `info` whatever the level: their debug
//! output can show request details. Nothing logged carries a token, code,
//! secret or password.

use std::io::IsTerminal;
use std::path::Path;

use docket_paths::Paths;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// How often a new file starts. The product rotates daily; a harness that
/// runs for minutes can rotate by the minute to watch rotation and
/// pruning work through the same set-up.
pub use tracing_appender::rolling::Rotation;

/// Which front end logs: each has files of its own in the log folder
/// (`docketsync-cli.YYYY-MM-DD.log`, `docketsync-tray.YYYY-MM-DD.log`), so
/// two processes never write into one file. Neither name begins with the
/// other: the appender keeps `keep_days` files by name prefix, so a prefix
/// shared with the other front end would count, and delete, its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogTarget {
    Cli,
    Tray,
}

impl LogTarget {
    fn prefix(self) -> &'static str {
        match self {
            LogTarget::Cli => "docketsync-cli",
            LogTarget::Tray => "docketsync-tray",
        }
    }
}

/// Keeps the log file's writer alive; dropping it flushes what is queued.
#[must_use = "the log file is flushed and closed when this is dropped"]
pub struct LogGuard {
    _guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogGuard")
            .field("file", &self._guard.is_some())
            .finish()
    }
}

/// How much goes into the file, and how long files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    pub level: LevelFilter,
    /// Files kept (days, at the product's daily rotation).
    pub keep_days: usize,
    /// Not a configuration key: always daily, except in harnesses.
    pub rotation: Rotation,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            level: LevelFilter::INFO,
            keep_days: 14,
            rotation: Rotation::DAILY,
        }
    }
}

impl LogSettings {
    /// `[logging]` of the firm configuration at `config_file` (default:
    /// the platform's) with the user's overrides; the defaults when it
    /// does not load (`doctor` says why).
    pub fn from_config(paths: &Paths, config_file: Option<&Path>) -> LogSettings {
        let firm = config_file.unwrap_or(&paths.firm_config_file);
        match docket_config::load(firm, &paths.user_config_file) {
            Ok(c) => LogSettings {
                level: match c.logging.level {
                    docket_config::LogLevel::Error => LevelFilter::ERROR,
                    docket_config::LogLevel::Warn => LevelFilter::WARN,
                    docket_config::LogLevel::Info => LevelFilter::INFO,
                    docket_config::LogLevel::Debug => LevelFilter::DEBUG,
                    docket_config::LogLevel::Trace => LevelFilter::TRACE,
                },
                keep_days: (c.logging.keep_days as usize).max(1),
                rotation: Rotation::DAILY,
            },
            Err(_) => LogSettings::default(),
        }
    }
}

/// Start logging for `target` into `paths.log_dir` (created owner-only).
/// When the folder cannot be made, only stderr gets the warnings. Call
/// once per process; a second call leaves the first set-up in place.
pub fn init(paths: &Paths, target: LogTarget, settings: &LogSettings) -> LogGuard {
    // Colours only for a terminal: a pipe or a file (a script, a harness,
    // a service's log) gets plain text.
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .with_filter(LevelFilter::WARN);
    let file = docket_paths::secure::create_dir_all(&paths.log_dir)
        .ok()
        .and_then(|()| appender(&paths.log_dir, target, settings).ok());
    let Some(file) = file else {
        let _ = tracing_subscriber::registry().with(stderr).try_init();
        return LogGuard { _guard: None };
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let level = settings.level;
    let quiet = LevelFilter::INFO.min(level);
    let targets = Targets::new()
        .with_default(level)
        .with_target("hyper", quiet)
        .with_target("hyper_util", quiet)
        .with_target("reqwest", quiet)
        .with_target("h2", quiet)
        .with_target("rustls", quiet);
    let file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(targets);
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    LogGuard {
        _guard: Some(guard),
    }
}

/// The front end's current file in `dir`. Building it removes the front
/// end's oldest files beyond `keep_days` (the appender does so again at
/// each day's rollover), so a CLI started once a run prunes as a tray
/// running for weeks does.
fn appender(
    dir: &Path,
    target: LogTarget,
    settings: &LogSettings,
) -> Result<tracing_appender::rolling::RollingFileAppender, tracing_appender::rolling::InitError> {
    tracing_appender::rolling::Builder::new()
        .rotation(settings.rotation.clone())
        .filename_prefix(target.prefix())
        .filename_suffix("log")
        .max_log_files(settings.keep_days.max(1))
        .build(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file lands in the log folder under the front end's name, with
    /// what was logged at the configured level, once the guard is dropped.
    #[test]
    fn the_log_goes_to_a_dated_file_of_the_front_end() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under_home(home.path());
        let guard = init(
            &paths,
            LogTarget::Tray,
            &LogSettings {
                level: LevelFilter::INFO,
                keep_days: 3,
                rotation: Rotation::DAILY,
            },
        );
        tracing::info!("hello from the tray");
        tracing::debug!("not at info");
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(&paths.log_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = &files[0];
        assert!(
            name.starts_with("docketsync-tray.") && name.ends_with(".log"),
            "{name}"
        );
        let text = std::fs::read_to_string(paths.log_dir.join(name)).unwrap();
        assert!(text.contains("hello from the tray"), "{text}");
        assert!(!text.contains("not at info"), "{text}");
    }

    fn names(dir: &Path, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix))
            .collect();
        names.sort();
        names
    }

    /// Each front end keeps `keep_days` files of its own, and starting one
    /// never deletes the other's: the CLI's files used to be named
    /// `docketsync.…`, a prefix of the tray's, so every CLI run counted
    /// the tray's files as its own and removed the oldest of both.
    #[test]
    fn each_front_end_keeps_its_own_days_of_logs() {
        let dir = tempfile::tempdir().unwrap();
        let days = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"];
        for day in days {
            for prefix in ["docketsync-cli", "docketsync-tray"] {
                std::fs::write(dir.path().join(format!("{prefix}.{day}.log")), day).unwrap();
                // Creation times apart, as days are: the appender removes
                // the oldest by creation time.
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        let settings = LogSettings {
            level: LevelFilter::INFO,
            keep_days: 2,
            rotation: Rotation::DAILY,
        };
        let cli = appender(dir.path(), LogTarget::Cli, &settings).unwrap();
        drop(cli);

        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(
            names(dir.path(), "docketsync-cli"),
            vec![
                "docketsync-cli.2026-10-04.log".to_string(),
                format!("docketsync-cli.{today}.log"),
            ],
            "the CLI keeps its newest day and today's"
        );
        assert_eq!(
            names(dir.path(), "docketsync-tray").len(),
            days.len(),
            "the CLI leaves the tray's files alone"
        );

        let tray = appender(dir.path(), LogTarget::Tray, &settings).unwrap();
        drop(tray);
        assert_eq!(names(dir.path(), "docketsync-tray").len(), 2);
        assert_eq!(names(dir.path(), "docketsync-cli").len(), 2);
    }
}

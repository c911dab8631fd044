//! Logging for every front end: a daily-rotated file in the platform's log
//! folder (`docket-paths`), kept `logging.keep_days` days at
//! `logging.level`, and warnings to stderr. The CLI and the tray call
//! [`init`] once at start and keep the [`LogGuard`] it returns until they
//! exit (dropping it flushes the file).
//!
//! HTTP and TLS libraries stay at `info` whatever the level: their debug
//! output can show request details. Nothing logged carries a token, code,
//! secret or password.

use std::path::Path;

use docket_paths::Paths;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Which front end logs: each has files of its own in the log folder
/// (`docketsync.YYYY-MM-DD.log`, `docketsync-tray.YYYY-MM-DD.log`), so two
/// processes never write into one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogTarget {
    Cli,
    Tray,
}

impl LogTarget {
    fn prefix(self) -> &'static str {
        match self {
            LogTarget::Cli => "docketsync",
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
    pub keep_days: usize,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            level: LevelFilter::INFO,
            keep_days: 14,
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
            },
            Err(_) => LogSettings::default(),
        }
    }
}

/// Start logging for `target` into `paths.log_dir` (created owner-only).
/// When the folder cannot be made, only stderr gets the warnings. Call
/// once per process; a second call leaves the first set-up in place.
pub fn init(paths: &Paths, target: LogTarget, settings: &LogSettings) -> LogGuard {
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(LevelFilter::WARN);
    let file = docket_paths::secure::create_dir_all(&paths.log_dir)
        .ok()
        .and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(target.prefix())
                .filename_suffix("log")
                .max_log_files(settings.keep_days.max(1))
                .build(&paths.log_dir)
                .ok()
        });
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
}

//! Where the PMS data comes from: a folder of exported files, or the
//! bundled sample firm.

use std::path::{Path, PathBuf};

use docket_text::{Action, Message};

use crate::model::{ItemProblem, ProblemKind, Snapshot};
use crate::options::ReadOptions;
use crate::read::read_files;

/// A place to read the PMS data from.
///
/// `read` is synchronous: local sources take milliseconds and the engine
/// calls it from a blocking task (`tokio::task::spawn_blocking`). It never
/// fails as a whole: what cannot be read is described in
/// [`Snapshot::problems`], and [`Snapshot::complete`] says whether the engine
/// may delete on the strength of this read.
pub trait Source: Send + Sync {
    /// Reads everything now.
    fn read(&self) -> Snapshot;
}

/// A folder of `.ics` and `.vcf` files (the PMS's export folder).
///
/// Only files directly in the folder are read, in file-name order; names
/// starting with `.` and other extensions are ignored. A folder that cannot
/// be listed, or a file that cannot be read or is over
/// [`Limits::max_file_bytes`](crate::Limits), makes the snapshot incomplete.
#[derive(Debug, Clone)]
pub struct FolderSource {
    dir: PathBuf,
    options: ReadOptions,
}

impl FolderSource {
    pub fn new(dir: impl Into<PathBuf>, options: ReadOptions) -> FolderSource {
        FolderSource {
            dir: dir.into(),
            options,
        }
    }

    /// The folder read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Whether the folder reader takes this file.
fn wanted(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'));
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    !hidden && matches!(ext.as_deref(), Some("ics" | "vcf" | "ical" | "vcard"))
}

fn unreadable(source: &Path, record: &str, kind: ProblemKind, reason: Message) -> ItemProblem {
    ItemProblem {
        source: source.display().to_string(),
        record: record.to_owned(),
        uid: None,
        kind,
        reason,
        fix: Some(Action::CheckSource),
    }
}

impl Source for FolderSource {
    fn read(&self) -> Snapshot {
        let mut failed = Vec::new();
        let listing = match std::fs::read_dir(&self.dir) {
            Ok(listing) => listing,
            Err(e) => {
                let mut snapshot = Snapshot::empty();
                snapshot.complete = false;
                snapshot.problems.push(unreadable(
                    &self.dir,
                    "(folder)",
                    ProblemKind::Unreadable,
                    Message::new("source-folder-unlistable").text("error", e.to_string()),
                ));
                return snapshot;
            }
        };
        let mut paths = Vec::new();
        for entry in listing {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    if path.is_file() && wanted(&path) {
                        paths.push(path);
                    }
                }
                Err(e) => failed.push(unreadable(
                    &self.dir,
                    "(folder)",
                    ProblemKind::Unreadable,
                    Message::new("source-folder-incomplete").text("error", e.to_string()),
                )),
            }
        }
        paths.sort();

        let mut contents = Vec::new();
        for path in paths {
            let limit = self.options.limits.max_file_bytes;
            match std::fs::metadata(&path) {
                Ok(meta) if meta.len() > limit => {
                    failed.push(unreadable(
                        &path,
                        "(whole file)",
                        ProblemKind::TooLarge,
                        Message::new("source-file-too-large")
                            .bytes("size", meta.len())
                            .bytes("limit", limit),
                    ));
                    continue;
                }
                _ => {}
            }
            match std::fs::read(&path) {
                Ok(bytes) => contents.push((path.display().to_string(), bytes)),
                Err(e) => failed.push(unreadable(
                    &path,
                    "(whole file)",
                    ProblemKind::Unreadable,
                    Message::new("source-file-unreadable").text("error", e.to_string()),
                )),
            }
        }
        let mut snapshot = read_files(
            contents.iter().map(|(n, b)| (n.clone(), b.as_slice())),
            &self.options,
        );
        snapshot.complete &= failed.is_empty();
        snapshot.problems.extend(failed);
        snapshot
    }
}

/// A fee-earner of the bundled sample firm ("Kanzlei Demo").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUser {
    /// The user's sign-in name in the demo tenant.
    pub upn: &'static str,
    files: &'static [(&'static str, &'static [u8])],
}

macro_rules! sample {
    ($path:literal) => {
        (
            concat!("sample/", $path),
            include_bytes!(concat!("../sample/", $path)).as_slice(),
        )
    };
}

/// The sample firm's fee-earners: Anna Berger (German, Europe/Berlin) and
/// James Wright (English, Europe/London). See `docs/sources.md`.
pub const DEMO_USERS: [DemoUser; 2] = [
    DemoUser {
        upn: "anna.berger@kanzlei-demo.onmicrosoft.com",
        files: &[
            sample!("anna.berger/termine.ics"),
            sample!("anna.berger/fristen.ics"),
            sample!("anna.berger/kontakte.vcf"),
        ],
    },
    DemoUser {
        upn: "james.wright@kanzlei-demo.onmicrosoft.com",
        files: &[
            sample!("james.wright/appointments.ics"),
            sample!("james.wright/deadlines.ics"),
            sample!("james.wright/contacts.vcf"),
        ],
    },
];

/// No demo user has this sign-in name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{upn}' is not a user of the sample firm (known: {known})")]
pub struct UnknownDemoUser {
    pub upn: String,
    pub known: String,
}

/// The bundled sample firm's data for one fee-earner, compiled into the
/// binary. It contains a few deliberately broken records, so a demo shows
/// per-item problems.
/// Its dates are moved to the week of `today` ([`crate::demo_dates`]), so
/// that the sample does not age.
#[derive(Debug, Clone)]
pub struct DemoSource {
    user: DemoUser,
    options: ReadOptions,
    shift_days: i64,
}

impl DemoSource {
    /// The demo data of the user with this sign-in name (case-insensitive),
    /// as of `today` (the sample's own week:
    /// [`crate::demo_dates::SAMPLE_WEEK`]).
    pub fn new(
        upn: &str,
        options: ReadOptions,
        today: chrono::NaiveDate,
    ) -> Result<DemoSource, UnknownDemoUser> {
        let user = DEMO_USERS
            .iter()
            .find(|u| u.upn.eq_ignore_ascii_case(upn.trim()))
            .ok_or_else(|| UnknownDemoUser {
                upn: upn.to_owned(),
                known: DEMO_USERS.map(|u| u.upn).join(", "),
            })?;
        Ok(DemoSource {
            user: *user,
            options,
            shift_days: crate::demo_dates::shift_days(today),
        })
    }

    /// The user whose data this is.
    pub fn user(&self) -> &DemoUser {
        &self.user
    }
}

impl Source for DemoSource {
    fn read(&self) -> Snapshot {
        let files: Vec<(String, std::borrow::Cow<'static, [u8]>)> = self
            .user
            .files
            .iter()
            .map(|(name, bytes)| {
                let bytes = if name.ends_with(".ics") && self.shift_days != 0 {
                    std::borrow::Cow::Owned(crate::demo_dates::shift(bytes, self.shift_days))
                } else {
                    std::borrow::Cow::Borrowed(*bytes)
                };
                (name.to_string(), bytes)
            })
            .collect();
        read_files(
            files.iter().map(|(n, b)| (n.clone(), b.as_ref())),
            &self.options,
        )
    }
}

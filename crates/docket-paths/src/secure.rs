//! Owner-only files and folders.
//!
//! The state database, the logs, the lock files and the source caches hold
//! client data (who has which appointment with whom) or say when the user
//! works. On Unix every file Docket Sync creates is `0600` and every folder
//! `0700`, so another local user cannot read them, whatever the umask.
//!
//! On Windows the files live in the user's profile (`%LOCALAPPDATA%`,
//! `%APPDATA%`), whose folders inherit an ACL that grants only the user,
//! SYSTEM and Administrators; nothing here changes ACLs (untested here, see
//! `docs/security.md`).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Mode of every file Docket Sync creates (Unix).
pub const FILE_MODE: u32 = 0o600;
/// Mode of every folder Docket Sync creates (Unix).
pub const DIR_MODE: u32 = 0o700;

/// Create `dir` and any missing parents owner-only, and make `dir` itself
/// owner-only if it already existed (an older version created it `0755`).
/// Parents that already exist are left as they are (they are not ours).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    platform::create_dir_all(dir)
}

/// Open options that create a file owner-only.
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    platform::private(&mut options);
    options
}

/// Open (creating it owner-only, without truncating) a file to write, for
/// lock files; an existing file is made owner-only too.
pub fn open_private(path: &Path) -> io::Result<File> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    let file = private_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    platform::restrict_file(&file)?;
    Ok(file)
}

/// Make an existing file owner-only (e.g. SQLite's `-wal` and `-shm`
/// files, which SQLite creates itself); a missing file is fine.
pub fn restrict(path: &Path) -> io::Result<()> {
    match platform::restrict_path(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// For binaries, at start-up before any thread or file: every file and
/// folder the process creates from now on is owner-only, including those
/// that libraries create without asking (log files, SQLite's side files).
pub fn owner_only_umask() {
    platform::umask();
}

#[cfg(unix)]
mod platform {
    use std::fs::{DirBuilder, File, OpenOptions, Permissions};
    use std::io;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    use super::{DIR_MODE, FILE_MODE};

    pub fn create_dir_all(dir: &Path) -> io::Result<()> {
        DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != DIR_MODE {
            std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))?;
        }
        Ok(())
    }

    pub fn private(options: &mut OpenOptions) {
        options.mode(FILE_MODE);
    }

    pub fn restrict_file(file: &File) -> io::Result<()> {
        if file.metadata()?.permissions().mode() & 0o777 != FILE_MODE {
            file.set_permissions(Permissions::from_mode(FILE_MODE))?;
        }
        Ok(())
    }

    pub fn restrict_path(path: &Path) -> io::Result<()> {
        if std::fs::metadata(path)?.permissions().mode() & 0o777 != FILE_MODE {
            std::fs::set_permissions(path, Permissions::from_mode(FILE_MODE))?;
        }
        Ok(())
    }

    pub fn umask() {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
    }
}

#[cfg(not(unix))]
mod platform {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::path::Path;

    // Windows: the profile folder's inherited ACL keeps the files the
    // user's (see the module documentation).
    pub fn create_dir_all(dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    pub fn private(_: &mut OpenOptions) {}

    pub fn restrict_file(_: &File) -> io::Result<()> {
        Ok(())
    }

    pub fn restrict_path(path: &Path) -> io::Result<()> {
        std::fs::metadata(path).map(drop)
    }

    pub fn umask() {}
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_owner_only_and_old_ones_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b/data");
        create_dir_all(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&dir.path().join("a/b")), 0o700);

        let lock = data.join("x.lock");
        drop(open_private(&lock).unwrap());
        assert_eq!(mode(&lock), 0o600);

        // Made by an older version: world-readable, tightened when used.
        let old = dir.path().join("old");
        std::fs::create_dir(&old).unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
        let old_file = old.join("f");
        std::fs::write(&old_file, "x").unwrap();
        std::fs::set_permissions(&old_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_dir_all(&old).unwrap();
        drop(open_private(&old_file).unwrap());
        assert_eq!((mode(&old), mode(&old_file)), (0o700, 0o600));
        assert_eq!(std::fs::read_to_string(&old_file).unwrap(), "x");

        let other = old.join("g");
        std::fs::write(&other, "y").unwrap();
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict(&other).unwrap();
        assert_eq!(mode(&other), 0o600);
        restrict(&old.join("missing")).unwrap();
    }
}

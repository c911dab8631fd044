//! The state database: one SQLite file at `docket-paths`'
//! `state_db_file()`.
//!
//! - The schema is versioned with `PRAGMA user_version`; [`MIGRATIONS`]
//!   are applied forward only, each in its own transaction. A file written
//!   by a newer Docket Sync is refused ([`StateError::TooNew`]) rather than
//!   guessed at.
//! - WAL journal mode, so the tray can read while the CLI writes; a busy
//!   timeout so two processes wait for each other instead of failing.
//! - A damaged or unreadable file is [`StateError::Corrupt`] /
//!   [`StateError::Open`], naming the file and the fix: everything in it
//!   can be rebuilt (the account by signing in again, the export state from
//!   Microsoft 365), so the fix is to move the file aside.
//!
//! **No secrets, ever.** Tokens and client secrets live in the OS keyring
//! (`docket-secrets`); this file holds who is signed in and how the sign-in
//! is doing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};

/// Forward-only migrations; `user_version` = how many have been applied.
pub const MIGRATIONS: &[&str] = &[
    // 1: the signed-in account and how its sign-in is doing (one row).
    "CREATE TABLE account (
        id                        INTEGER PRIMARY KEY CHECK (id = 1),
        tenant                    TEXT NOT NULL,
        client_id                 TEXT NOT NULL,
        username                  TEXT NOT NULL,
        object_id                 TEXT NOT NULL,
        tenant_id                 TEXT NOT NULL,
        display_name              TEXT,
        signed_in_at              INTEGER NOT NULL,
        last_good_refresh_at      INTEGER,
        sign_in_frequency_seconds INTEGER,
        problem_code              TEXT,
        problem_aadsts            INTEGER,
        problem_at                INTEGER,
        notified                  TEXT
    ) STRICT;",
    // 2: the export state. One row per source key (the planner's entry as
    // JSON, written before a create goes out and after every answer), and
    // named values: delta links, the owned To Do list id.
    "CREATE TABLE sync_entry (
        key   TEXT PRIMARY KEY,
        entry TEXT NOT NULL
    ) STRICT;
    CREATE TABLE sync_meta (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;",
    // 3: items whose last export request failed: per source key, the
    // failure as JSON (attempts, when, why), so that the next runs retry
    // them with backoff. Cleared by a successful write of that item.
    "CREATE TABLE sync_failure (
        key     TEXT PRIMARY KEY,
        failure TEXT NOT NULL
    ) STRICT;",
];

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "the state database {path} is damaged ({detail}); move it aside (Docket Sync rebuilds it: \
         sign in again, the next export re-reads Microsoft 365)"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("cannot open the state database {path}: {detail}; check that your user account can read and write it")]
    Open { path: PathBuf, detail: String },
    #[error(
        "the state database {path} was written by a newer Docket Sync (schema {found}, this one knows {known}); \
         update Docket Sync, or move the file aside to start afresh"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error("the state database {path} could not be used: {source}")]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl StateError {
    /// A stable code for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            StateError::Corrupt { .. } => "state.corrupt",
            StateError::Open { .. } => "state.unreadable",
            StateError::TooNew { .. } => "state.too_new",
            StateError::Sql { .. } => "state.error",
        }
    }
}

/// The last classified sign-in problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemRecord {
    /// The stable code, e.g. `reauth.password_changed`.
    pub code: String,
    pub aadsts: Option<u32>,
    pub at: DateTime<Utc>,
}

/// The signed-in account and its sign-in state. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// The configured tenant and client id this account signed in to.
    pub tenant: String,
    pub client_id: String,
    /// Sign-in name (UPN), as the id_token gave it.
    pub username: String,
    /// `oid` and `tid`: the mailbox's identity.
    pub object_id: String,
    pub tenant_id: String,
    pub display_name: Option<String>,
    /// The last interactive sign-in.
    pub signed_in_at: DateTime<Utc>,
    pub last_good_refresh_at: Option<DateTime<Utc>>,
    /// The sign-in frequency learned from AADSTS70043, in seconds.
    pub sign_in_frequency_seconds: Option<i64>,
    pub last_problem: Option<ProblemRecord>,
    /// What the user was last notified of (opaque to the store, e.g.
    /// `secret_expiry:14`), so a notice is shown once per step.
    pub notified: Option<String>,
}

/// An open state database.
#[derive(Debug)]
pub struct StateDb {
    conn: Connection,
    path: PathBuf,
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

impl StateDb {
    /// Open (creating it and its folder if needed) and migrate.
    pub fn open(path: &Path) -> Result<StateDb, StateError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StateError::Open {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        let mut db = StateDb {
            conn,
            path: path.to_path_buf(),
        };
        db.init()?;
        Ok(db)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, e: rusqlite::Error) -> StateError {
        classify(&self.path, e)
    }

    fn init(&mut self) -> Result<(), StateError> {
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(|e| self.sql(e))?;
        // Reading the schema is the first access that touches the file's
        // contents: a file that is not SQLite fails here.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        let _: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        let quick: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if quick != "ok" {
            return Err(StateError::Corrupt {
                path: self.path.clone(),
                detail: quick,
            });
        }
        let known = MIGRATIONS.len();
        if version > known as i64 {
            return Err(StateError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| classify(&self.path, e))?;
            tx.execute_batch(migration)
                .and_then(|()| tx.pragma_update(None, "user_version", (i + 1) as i64))
                .and_then(|()| tx.commit())
                .map_err(|e| classify(&self.path, e))?;
            tracing::info!(version = i + 1, "state database migrated");
        }
        Ok(())
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StateError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// The signed-in account, if any.
    pub fn account(&self) -> Result<Option<AccountRecord>, StateError> {
        self.conn
            .query_row(
                "SELECT tenant, client_id, username, object_id, tenant_id, display_name,
                        signed_in_at, last_good_refresh_at, sign_in_frequency_seconds,
                        problem_code, problem_aadsts, problem_at, notified
                 FROM account WHERE id = 1",
                [],
                |r| {
                    let problem_code: Option<String> = r.get(9)?;
                    let problem_aadsts: Option<u32> = r.get(10)?;
                    let problem_at: Option<i64> = r.get(11)?;
                    Ok(AccountRecord {
                        tenant: r.get(0)?,
                        client_id: r.get(1)?,
                        username: r.get(2)?,
                        object_id: r.get(3)?,
                        tenant_id: r.get(4)?,
                        display_name: r.get(5)?,
                        signed_in_at: from_ts(r.get(6)?),
                        last_good_refresh_at: r.get::<_, Option<i64>>(7)?.map(from_ts),
                        sign_in_frequency_seconds: r.get(8)?,
                        last_problem: problem_code.map(|code| ProblemRecord {
                            code,
                            aadsts: problem_aadsts,
                            at: from_ts(problem_at.unwrap_or_default()),
                        }),
                        notified: r.get(12)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Record a (re-)sign-in: replaces the account row. The caller decides
    /// what to carry over (e.g. the learned sign-in frequency on re-auth).
    pub fn save_account(&self, a: &AccountRecord) -> Result<(), StateError> {
        let (code, aadsts, at) = match &a.last_problem {
            Some(p) => (Some(p.code.as_str()), p.aadsts, Some(ts(p.at))),
            None => (None, None, None),
        };
        self.conn
            .execute(
                "INSERT OR REPLACE INTO account (id, tenant, client_id, username, object_id,
                    tenant_id, display_name, signed_in_at, last_good_refresh_at,
                    sign_in_frequency_seconds, problem_code, problem_aadsts, problem_at, notified)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    a.tenant,
                    a.client_id,
                    a.username,
                    a.object_id,
                    a.tenant_id,
                    a.display_name,
                    ts(a.signed_in_at),
                    a.last_good_refresh_at.map(ts),
                    a.sign_in_frequency_seconds,
                    code,
                    aadsts,
                    at,
                    a.notified,
                ],
            )
            .map(drop)
            .map_err(|e| self.sql(e))
    }

    /// A refresh (or Graph call) worked: remember when, clear the problem.
    /// The sign-in works again: the problem is cleared, and so is the
    /// memory of having told the user about it (`problem:` notifications),
    /// so that the same problem coming back later is told again.
    pub fn record_good_refresh(&self, at: DateTime<Utc>) -> Result<(), StateError> {
        self.update(
            "UPDATE account SET last_good_refresh_at = ?1, problem_code = NULL,
                problem_aadsts = NULL, problem_at = NULL,
                notified = CASE WHEN notified LIKE 'problem:%' THEN NULL ELSE notified END
             WHERE id = 1",
            params![ts(at)],
        )
    }

    /// A refresh failed with a classified problem; `sign_in_frequency`:
    /// the window it taught, if any (kept when `None`).
    pub fn record_problem(
        &self,
        problem: &ProblemRecord,
        sign_in_frequency_seconds: Option<i64>,
    ) -> Result<(), StateError> {
        self.update(
            "UPDATE account SET problem_code = ?1, problem_aadsts = ?2, problem_at = ?3,
                sign_in_frequency_seconds = COALESCE(?4, sign_in_frequency_seconds) WHERE id = 1",
            params![
                problem.code,
                problem.aadsts,
                ts(problem.at),
                sign_in_frequency_seconds
            ],
        )
    }

    /// Remember what the user was last notified of.
    pub fn set_notified(&self, notified: Option<&str>) -> Result<(), StateError> {
        self.update(
            "UPDATE account SET notified = ?1 WHERE id = 1",
            params![notified],
        )
    }

    /// Sign-out: forget the account.
    pub fn delete_account(&self) -> Result<(), StateError> {
        self.update("DELETE FROM account", [])
    }

    /// Every export-state row: (source key, entry JSON).
    pub fn sync_entries(&self) -> Result<Vec<(String, String)>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, entry FROM sync_entry ORDER BY key")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    /// Insert or replace one export-state row. Each call is its own
    /// transaction: a crash leaves either the old or the new row.
    pub fn put_sync_entry(&self, key: &str, entry: &str) -> Result<(), StateError> {
        self.update(
            "INSERT INTO sync_entry (key, entry) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET entry = excluded.entry",
            params![key, entry],
        )
    }

    pub fn delete_sync_entry(&self, key: &str) -> Result<(), StateError> {
        self.update("DELETE FROM sync_entry WHERE key = ?1", params![key])
    }

    pub fn sync_meta(&self, name: &str) -> Result<Option<String>, StateError> {
        self.conn
            .query_row(
                "SELECT value FROM sync_meta WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    pub fn set_sync_meta(&self, name: &str, value: &str) -> Result<(), StateError> {
        self.update(
            "INSERT INTO sync_meta (name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )
    }

    pub fn delete_sync_meta(&self, name: &str) -> Result<(), StateError> {
        self.update("DELETE FROM sync_meta WHERE name = ?1", params![name])
    }

    /// Every item whose last export request failed: (source key, failure JSON).
    pub fn sync_failures(&self) -> Result<Vec<(String, String)>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, failure FROM sync_failure ORDER BY key")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    pub fn put_sync_failure(&self, key: &str, failure: &str) -> Result<(), StateError> {
        self.update(
            "INSERT INTO sync_failure (key, failure) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET failure = excluded.failure",
            params![key, failure],
        )
    }

    pub fn delete_sync_failure(&self, key: &str) -> Result<(), StateError> {
        self.update("DELETE FROM sync_failure WHERE key = ?1", params![key])
    }

    /// Forget the whole export state (sign-out: the next account's mailbox
    /// must never be matched against this one's ids).
    pub fn clear_sync(&self) -> Result<(), StateError> {
        self.update("DELETE FROM sync_failure", [])?;
        self.update("DELETE FROM sync_entry", [])?;
        self.update("DELETE FROM sync_meta", [])
    }

    fn update(&self, sql: &str, p: impl rusqlite::Params) -> Result<(), StateError> {
        self.conn.execute(sql, p).map(drop).map_err(|e| self.sql(e))
    }
}

/// SQLite's answer → our error, by result code (never by message text).
fn classify(path: &Path, e: rusqlite::Error) -> StateError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => StateError::Corrupt {
            path,
            detail: e.to_string(),
        },
        Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::PermissionDenied)
        | Some(ErrorCode::ReadOnly) => StateError::Open {
            path,
            detail: e.to_string(),
        },
        _ => StateError::Sql { path, source: e },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("timestamp")
    }

    fn anna() -> AccountRecord {
        AccountRecord {
            tenant: "kanzlei-demo.onmicrosoft.com".into(),
            client_id: "c1".into(),
            username: "anna@kanzlei.example".into(),
            object_id: "oid-1".into(),
            tenant_id: "tid-1".into(),
            display_name: Some("Anna Berger".into()),
            signed_in_at: at("2026-03-01T08:00:00Z"),
            last_good_refresh_at: Some(at("2026-03-01T08:00:00Z")),
            sign_in_frequency_seconds: None,
            last_problem: None,
            notified: None,
        }
    }

    /// What a fresh process sees after `ops` ran on a database in `dir`.
    #[track_caller]
    fn check(ops: impl FnOnce(&StateDb), expect: Option<AccountRecord>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("data/state.sqlite3");
        ops(&StateDb::open(&path).expect("open"));
        let reopened = StateDb::open(&path).expect("reopen");
        assert_eq!(reopened.account().expect("read"), expect);
    }

    #[test]
    fn account_lifecycle() {
        check(|_| {}, None);
        check(|db| db.save_account(&anna()).unwrap(), Some(anna()));
        let problem = ProblemRecord {
            code: "reauth.password_changed".into(),
            aadsts: Some(50173),
            at: at("2026-03-02T09:00:00Z"),
        };
        let p = problem.clone();
        check(
            move |db| {
                db.save_account(&anna()).unwrap();
                db.record_problem(&p, Some(86_400)).unwrap();
            },
            Some(AccountRecord {
                last_problem: Some(problem.clone()),
                sign_in_frequency_seconds: Some(86_400),
                ..anna()
            }),
        );
        // A later good refresh clears the problem but keeps the window.
        let p = problem.clone();
        check(
            move |db| {
                db.save_account(&anna()).unwrap();
                db.record_problem(&p, Some(86_400)).unwrap();
                db.record_problem(&p, None).unwrap();
                db.record_good_refresh(at("2026-03-03T10:00:00Z")).unwrap();
                db.set_notified(Some("secret_expiry:14")).unwrap();
            },
            Some(AccountRecord {
                last_good_refresh_at: Some(at("2026-03-03T10:00:00Z")),
                sign_in_frequency_seconds: Some(86_400),
                notified: Some("secret_expiry:14".into()),
                ..anna()
            }),
        );
        // A problem the user was told about is forgotten with the problem:
        // when it comes back, it is told again. Other notices stay told.
        let p = problem.clone();
        check(
            move |db| {
                db.save_account(&anna()).unwrap();
                db.record_problem(&p, None).unwrap();
                db.set_notified(Some("problem:reauth.password_changed"))
                    .unwrap();
                db.record_good_refresh(at("2026-03-03T10:00:00Z")).unwrap();
            },
            Some(AccountRecord {
                last_good_refresh_at: Some(at("2026-03-03T10:00:00Z")),
                notified: None,
                ..anna()
            }),
        );
        check(
            |db| {
                db.save_account(&anna()).unwrap();
                db.delete_account().unwrap();
            },
            None,
        );
        // Updates without an account change nothing (signed out).
        check(
            |db| db.record_good_refresh(at("2026-03-03T10:00:00Z")).unwrap(),
            None,
        );
    }

    #[test]
    fn schema_is_versioned_and_wal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        let db = StateDb::open(&path).expect("open");
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let mode: String = db
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn export_state_survives_a_reopen_and_sign_out_clears_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        {
            let db = StateDb::open(&path).expect("open");
            db.put_sync_entry("appointment:a", r#"{"v":1}"#).unwrap();
            db.put_sync_entry("appointment:a", r#"{"v":2}"#).unwrap();
            db.put_sync_entry("contact:c", "{}").unwrap();
            db.set_sync_meta("delta.event", "link-1").unwrap();
        }
        let db = StateDb::open(&path).expect("reopen");
        assert_eq!(
            db.sync_entries().unwrap(),
            vec![
                ("appointment:a".to_string(), r#"{"v":2}"#.to_string()),
                ("contact:c".to_string(), "{}".to_string())
            ]
        );
        assert_eq!(
            db.sync_meta("delta.event").unwrap().as_deref(),
            Some("link-1")
        );
        db.delete_sync_entry("contact:c").unwrap();
        assert_eq!(db.sync_entries().unwrap().len(), 1);
        db.clear_sync().unwrap();
        assert!(db.sync_entries().unwrap().is_empty());
        assert_eq!(db.sync_meta("delta.event").unwrap(), None);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_reported_as_damaged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let err = StateDb::open(&path).expect_err("garbage");
        assert_eq!(err.code(), "state.corrupt", "{err}");
        let text = err.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("move it aside"), "{text}");
    }

    #[test]
    fn a_newer_schema_is_refused_not_guessed_at() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = StateDb::open(&path).expect_err("too new");
        assert_eq!(err.code(), "state.too_new", "{err}");
        assert!(err.to_string().contains("schema 99"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_file_is_reported_with_its_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        drop(StateDb::open(&path).expect("create"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&path).is_ok() {
            return; // running as root: permissions do not apply
        }
        let err = StateDb::open(&path).expect_err("unreadable");
        assert_eq!(err.code(), "state.unreadable", "{err}");
    }
}

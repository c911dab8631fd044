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
use rusqlite::{
    params, Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior,
};

/// Forward-only migrations; `user_version` = how many have been applied.
/// The export tables keep their first names (`sync_entry`, `sync_meta`,
/// `sync_failure`, `sync_owner`): they are on disk in every installation,
/// and a rename would be a migration for no reader's gain. The methods
/// that read them say "export" (`export_meta`, `put_export_entry` …).
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
    // 4: whose mailbox the export state describes (one row): the ids in
    // sync_entry and the delta links are only valid for this identity at
    // this Graph base URL. Written with the account at sign-in and checked
    // before every export (see `StateDb::claim_export`).
    "CREATE TABLE sync_owner (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        tenant_id      TEXT NOT NULL,
        object_id      TEXT NOT NULL,
        graph_base_url TEXT NOT NULL
    ) STRICT;",
];

/// The `export_meta` name of the Graph budget window ([`StateDb::pace_window`]).
const PACE_WINDOW: &str = "pace.window";

/// The `export_meta` name that marks the source caches (files next to the
/// database, see `docket-paths`) as belonging to an account that is gone:
/// set in the transaction that drops the export state, cleared once the
/// files are deleted. A crash between the two leaves the mark, and the
/// files are deleted before the next read.
pub const SOURCE_CACHES_STALE: &str = "source_caches.stale";

/// Whose mailbox the export state belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOwner {
    /// `tid` and `oid` of the signed-in account.
    pub tenant_id: String,
    pub object_id: String,
    /// The configured `microsoft.graph_base_url`.
    pub graph_base_url: String,
}

impl ExportOwner {
    /// The same mailbox: ids compared as GUIDs (case-insensitive), the
    /// base URL without a trailing slash.
    pub fn same_as(&self, other: &ExportOwner) -> bool {
        self.tenant_id.eq_ignore_ascii_case(&other.tenant_id)
            && self.object_id.eq_ignore_ascii_case(&other.object_id)
            && self.graph_base_url.trim_end_matches('/')
                == other.graph_base_url.trim_end_matches('/')
    }
}

/// What [`StateDb::claim_export`] did with the export state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// It belongs to this owner: kept.
    Kept,
    /// It had no recorded owner (empty, or written before owners were
    /// recorded and consistent with this owner): now recorded as this one's.
    Adopted,
    /// It belonged to another mailbox (or could not be shown to be this
    /// one's): dropped, with the source caches.
    Cleared,
}

/// What the state's owner tells about `owner` (pure).
/// `legacy_consistent`: for state without a recorded owner, the stored
/// account is `owner`'s identity and every stored delta link starts with
/// `owner`'s Graph base URL.
pub fn decide_claim(
    stored: Option<&ExportOwner>,
    has_state: bool,
    legacy_consistent: bool,
    owner: &ExportOwner,
) -> Claim {
    match stored {
        Some(s) if s.same_as(owner) => Claim::Kept,
        Some(_) => Claim::Cleared,
        None if !has_state || legacy_consistent => Claim::Adopted,
        None => Claim::Cleared,
    }
}

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
    /// What the user was last notified of (one key a line; opaque to the
    /// store but for [`still_told`]'s `problem:` keys, e.g.
    /// `secret_expiry:14`), so a notice is shown once per step.
    pub notified: Option<String>,
}

/// What stays told of `notified` (one key a line) once the sign-in works
/// again: all but the `problem:` keys, which are forgotten with their
/// problem, so that the same problem coming back is told again. `None`:
/// nothing. Pure.
pub fn still_told(notified: &str) -> Option<String> {
    let kept: Vec<&str> = notified
        .lines()
        .filter(|k| !k.is_empty() && !k.starts_with("problem:"))
        .collect();
    (!kept.is_empty()).then(|| kept.join("\n"))
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
        let open_error = |e: std::io::Error| StateError::Open {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        // Owner-only: the folder, the file, and SQLite's -wal and -shm
        // files (SQLite gives them the database file's mode; they are
        // tightened after opening too, in case an older version made them).
        if let Some(dir) = path.parent() {
            docket_paths::secure::create_dir_all(dir).map_err(open_error)?;
        }
        drop(docket_paths::secure::open_private(path).map_err(open_error)?);
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        let mut db = StateDb {
            conn,
            path: path.to_path_buf(),
        };
        db.init()?;
        for side in ["-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(side);
            docket_paths::secure::restrict(Path::new(&file)).map_err(open_error)?;
        }
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
        write_account(&self.conn, a).map_err(|e| self.sql(e))
    }

    /// A sign-in: in one transaction, claim the export state for `owner`
    /// (dropping another mailbox's state and marking the source caches
    /// stale, see [`StateDb::claim_export`]) and save the account.
    pub fn save_account_claiming(
        &self,
        a: &AccountRecord,
        owner: &ExportOwner,
    ) -> Result<Claim, StateError> {
        self.in_transaction(|tx| {
            let claim = claim(tx, owner)?;
            write_account(tx, a)?;
            Ok(claim)
        })
    }

    /// Before an export: the export state is `owner`'s, or it is dropped
    /// (with the source caches marked stale) in one transaction, so that
    /// no id of another mailbox is ever updated or deleted.
    pub fn claim_export(&self, owner: &ExportOwner) -> Result<Claim, StateError> {
        self.in_transaction(|tx| claim(tx, owner))
    }

    /// Whose mailbox the export state describes, when recorded.
    pub fn export_owner(&self) -> Result<Option<ExportOwner>, StateError> {
        read_owner(&self.conn).map_err(|e| self.sql(e))
    }

    /// Sign-out, in one transaction: the account, the whole export state
    /// and its owner go, and the source caches are marked stale. A crash
    /// leaves either all of it or none of it.
    pub fn sign_out(&self) -> Result<(), StateError> {
        self.in_transaction(|tx| {
            tx.execute("DELETE FROM account", [])?;
            clear_export(tx)
        })
    }

    /// Whether the source caches still have to be deleted.
    pub fn source_caches_stale(&self) -> Result<bool, StateError> {
        Ok(self.export_meta(SOURCE_CACHES_STALE)?.is_some())
    }

    /// The source cache files are deleted.
    pub fn source_caches_deleted(&self) -> Result<(), StateError> {
        self.delete_export_meta(SOURCE_CACHES_STALE)
    }

    fn in_transaction<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StateError> {
        // IMMEDIATE: take the write lock before reading, so two processes
        // cannot both decide on the same old state.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.sql(e))?;
        let out = f(&tx).map_err(|e| self.sql(e))?;
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(out)
    }
}

fn write_account(conn: &Connection, a: &AccountRecord) -> rusqlite::Result<()> {
    let (code, aadsts, at) = match &a.last_problem {
        Some(p) => (Some(p.code.as_str()), p.aadsts, Some(ts(p.at))),
        None => (None, None, None),
    };
    conn.execute(
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
}

fn read_owner(conn: &Connection) -> rusqlite::Result<Option<ExportOwner>> {
    conn.query_row(
        "SELECT tenant_id, object_id, graph_base_url FROM sync_owner WHERE id = 1",
        [],
        |r| {
            Ok(ExportOwner {
                tenant_id: r.get(0)?,
                object_id: r.get(1)?,
                graph_base_url: r.get(2)?,
            })
        },
    )
    .optional()
}

/// [`decide_claim`] over the database, and what it decided done.
fn claim(conn: &Connection, owner: &ExportOwner) -> rusqlite::Result<Claim> {
    let stored = read_owner(conn)?;
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    let has_state = count("SELECT count(*) FROM sync_entry")? > 0
        || count("SELECT count(*) FROM sync_failure")? > 0
        || count("SELECT count(*) FROM sync_meta WHERE name LIKE 'delta.%' OR name = 'todo.list'")?
            > 0;
    let legacy_consistent = stored.is_none() && has_state && {
        let account_is_owner = conn
            .query_row(
                "SELECT tenant_id, object_id FROM account WHERE id = 1",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .is_some_and(|(tid, oid)| {
                tid.eq_ignore_ascii_case(&owner.tenant_id)
                    && oid.eq_ignore_ascii_case(&owner.object_id)
            });
        let base = owner.graph_base_url.trim_end_matches('/');
        let mut stmt = conn.prepare(
            "SELECT value FROM sync_meta WHERE name LIKE 'delta.%' AND name != 'delta.event.day'",
        )?;
        let links = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        account_is_owner
            && links.iter().all(|l| {
                l.strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
    };
    let decided = decide_claim(stored.as_ref(), has_state, legacy_consistent, owner);
    if decided == Claim::Cleared {
        tracing::warn!("the export state belongs to another mailbox or Graph address: dropped");
        clear_export(conn)?;
    }
    if decided != Claim::Kept {
        conn.execute(
            "INSERT OR REPLACE INTO sync_owner (id, tenant_id, object_id, graph_base_url)
             VALUES (1, ?1, ?2, ?3)",
            params![owner.tenant_id, owner.object_id, owner.graph_base_url],
        )?;
    }
    Ok(decided)
}

/// Drop the export state and its owner; mark the source caches stale.
fn clear_export(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM sync_failure; DELETE FROM sync_entry; DELETE FROM sync_meta;
         DELETE FROM sync_owner;",
    )?;
    conn.execute(
        "INSERT INTO sync_meta (name, value) VALUES (?1, '1')",
        params![SOURCE_CACHES_STALE],
    )
    .map(drop)
}

impl StateDb {
    /// A refresh (or Graph call) worked: remember when, clear the problem.
    /// The sign-in works again: the problem is cleared, and so is the
    /// memory of having told the user about it (`problem:` notifications),
    /// so that the same problem coming back later is told again.
    pub fn record_good_refresh(&self, at: DateTime<Utc>) -> Result<(), StateError> {
        self.in_transaction(|tx| {
            let told: Option<Option<String>> = tx
                .query_row("SELECT notified FROM account WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .optional()?;
            tx.execute(
                "UPDATE account SET last_good_refresh_at = ?1, problem_code = NULL,
                    problem_aadsts = NULL, problem_at = NULL, notified = ?2
                 WHERE id = 1",
                params![ts(at), told.flatten().as_deref().and_then(still_told)],
            )
            .map(drop)
        })
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
    pub fn export_entries(&self) -> Result<Vec<(String, String)>, StateError> {
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
    pub fn put_export_entry(&self, key: &str, entry: &str) -> Result<(), StateError> {
        self.update(
            "INSERT INTO sync_entry (key, entry) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET entry = excluded.entry",
            params![key, entry],
        )
    }

    pub fn delete_export_entry(&self, key: &str) -> Result<(), StateError> {
        self.update("DELETE FROM sync_entry WHERE key = ?1", params![key])
    }

    pub fn export_meta(&self, name: &str) -> Result<Option<String>, StateError> {
        self.conn
            .query_row(
                "SELECT value FROM sync_meta WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    pub fn set_export_meta(&self, name: &str, value: &str) -> Result<(), StateError> {
        self.update(
            "INSERT INTO sync_meta (name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )
    }

    pub fn delete_export_meta(&self, name: &str) -> Result<(), StateError> {
        self.update("DELETE FROM sync_meta WHERE name = ?1", params![name])
    }

    /// Replace the named value with `change(old)` in one transaction that
    /// holds the write lock from the read on, so that two processes
    /// changing it at once (the tray and a terminal each finishing a run)
    /// both land, one after the other. Returns the new value.
    pub fn update_export_meta(
        &self,
        name: &str,
        change: impl FnOnce(Option<String>) -> String,
    ) -> Result<String, StateError> {
        self.in_transaction(|tx| {
            let old: Option<String> = tx
                .query_row(
                    "SELECT value FROM sync_meta WHERE name = ?1",
                    params![name],
                    |r| r.get(0),
                )
                .optional()?;
            let new = change(old);
            tx.execute(
                "INSERT INTO sync_meta (name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                params![name, new],
            )?;
            Ok(new)
        })
    }

    /// The Graph client's memory of the mailbox's request budget: requests
    /// sent per wall-clock second (unix seconds) in the last window, so that
    /// the next run, in this or a new process, paces itself as if it had
    /// never stopped. Kept in `export_meta` (so dropped with the rest of the
    /// export state); an unreadable value reads as empty.
    pub fn pace_window(&self) -> Result<Vec<(i64, u32)>, StateError> {
        let Some(text) = self.export_meta(PACE_WINDOW)? else {
            return Ok(vec![]);
        };
        let parsed: Option<Vec<(i64, u32)>> = text
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (second, n) = p.split_once(':')?;
                Some((second.parse().ok()?, n.parse().ok()?))
            })
            .collect();
        Ok(parsed.unwrap_or_default())
    }

    /// Replace the stored window (see [`StateDb::pace_window`]).
    pub fn set_pace_window(&self, window: &[(i64, u32)]) -> Result<(), StateError> {
        let text: Vec<String> = window.iter().map(|(s, n)| format!("{s}:{n}")).collect();
        self.set_export_meta(PACE_WINDOW, &text.join(","))
    }

    /// Every item whose last export request failed: (source key, failure JSON).
    pub fn export_failures(&self) -> Result<Vec<(String, String)>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, failure FROM sync_failure ORDER BY key")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    pub fn put_export_failure(&self, key: &str, failure: &str) -> Result<(), StateError> {
        self.update(
            "INSERT INTO sync_failure (key, failure) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET failure = excluded.failure",
            params![key, failure],
        )
    }

    pub fn delete_export_failure(&self, key: &str) -> Result<(), StateError> {
        self.update("DELETE FROM sync_failure WHERE key = ?1", params![key])
    }

    /// Forget the whole export state and its owner in one transaction
    /// (the next account's mailbox must never be matched against this
    /// one's ids); the source caches are marked stale.
    pub fn clear_export(&self) -> Result<(), StateError> {
        self.in_transaction(|tx| clear_export(tx))
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
    #[test]
    fn what_stays_told_once_the_sign_in_works_again() {
        use super::still_told;
        let table: [(&str, Option<&str>); 7] = [
            ("", None),
            ("problem:reauth.password_changed", None),
            (
                "client_secret_expiring:30",
                Some("client_secret_expiring:30"),
            ),
            // Before the fix a list that began with a problem was
            // forgotten whole, and its warnings were told again.
            (
                "problem:reauth.password_changed\nclient_secret_expiring:30",
                Some("client_secret_expiring:30"),
            ),
            // … and a problem after a warning was kept for ever.
            (
                "client_secret_expiring:30\nproblem:keyring.unavailable",
                Some("client_secret_expiring:30"),
            ),
            (
                "inactivity_expiry:2027-03-04\nproblem:a\n\nclient_secret_expiring:7",
                Some("inactivity_expiry:2027-03-04\nclient_secret_expiring:7"),
            ),
            ("problem:a\nproblem:b", None),
        ];
        for (told, want) in table {
            assert_eq!(still_told(told).as_deref(), want, "{told:?}");
        }
    }

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
        // Told beside a problem (the status lists the problem first): the
        // warning stays told, the problem goes.
        let p = problem.clone();
        check(
            move |db| {
                db.save_account(&anna()).unwrap();
                db.record_problem(&p, None).unwrap();
                db.set_notified(Some(
                    "problem:reauth.password_changed\nclient_secret_expiring:30",
                ))
                .unwrap();
                db.record_good_refresh(at("2026-03-03T10:00:00Z")).unwrap();
            },
            Some(AccountRecord {
                last_good_refresh_at: Some(at("2026-03-03T10:00:00Z")),
                notified: Some("client_secret_expiring:30".into()),
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
    fn the_budget_window_survives_a_reopen_and_garbage_reads_as_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        {
            let db = StateDb::open(&path).expect("open");
            assert_eq!(db.pace_window().unwrap(), vec![]);
            db.set_pace_window(&[(1_800_000_000, 20), (1_800_000_001, 3)])
                .unwrap();
        }
        let db = StateDb::open(&path).expect("reopen");
        assert_eq!(
            db.pace_window().unwrap(),
            vec![(1_800_000_000, 20), (1_800_000_001, 3)]
        );
        for garbage in ["x", "1:2,3", "1:-2", "1:2:3"] {
            db.set_export_meta(PACE_WINDOW, garbage).unwrap();
            assert_eq!(db.pace_window().unwrap(), vec![], "{garbage}");
        }
        db.set_pace_window(&[]).unwrap();
        assert_eq!(db.pace_window().unwrap(), vec![]);
    }

    /// Two processes appending to one remembered list at once (the tray and
    /// a terminal each finishing a run): neither entry is lost.
    #[test]
    fn two_processes_updating_one_value_both_land() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        drop(StateDb::open(&path).expect("open"));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let db = StateDb::open(&path).expect("open");
                    for i in 0..20 {
                        db.update_export_meta("runs", |old| {
                            format!("{}{t}.{i},", old.unwrap_or_default())
                        })
                        .expect("update");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let db = StateDb::open(&path).expect("open");
        let all = db.export_meta("runs").unwrap().unwrap_or_default();
        assert_eq!(all.split_terminator(',').count(), 40, "{all}");
    }

    #[test]
    fn export_state_survives_a_reopen_and_sign_out_clears_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        {
            let db = StateDb::open(&path).expect("open");
            db.put_export_entry("appointment:a", r#"{"v":1}"#).unwrap();
            db.put_export_entry("appointment:a", r#"{"v":2}"#).unwrap();
            db.put_export_entry("contact:c", "{}").unwrap();
            db.set_export_meta("delta.event", "link-1").unwrap();
        }
        let db = StateDb::open(&path).expect("reopen");
        assert_eq!(
            db.export_entries().unwrap(),
            vec![
                ("appointment:a".to_string(), r#"{"v":2}"#.to_string()),
                ("contact:c".to_string(), "{}".to_string())
            ]
        );
        assert_eq!(
            db.export_meta("delta.event").unwrap().as_deref(),
            Some("link-1")
        );
        db.delete_export_entry("contact:c").unwrap();
        assert_eq!(db.export_entries().unwrap().len(), 1);
        db.clear_export().unwrap();
        assert!(db.export_entries().unwrap().is_empty());
        assert_eq!(db.export_meta("delta.event").unwrap(), None);
    }

    fn owner(oid: &str, base: &str) -> ExportOwner {
        ExportOwner {
            tenant_id: "tid-1".into(),
            object_id: oid.into(),
            graph_base_url: base.into(),
        }
    }

    const GRAPH: &str = "https://graph.microsoft.com/v1.0";

    /// Anna's export state: one exported item, a delta link, a failure.
    fn anna_exported(db: &StateDb) {
        assert_eq!(
            db.save_account_claiming(&anna(), &owner("oid-1", GRAPH))
                .unwrap(),
            Claim::Adopted
        );
        db.put_export_entry("appointment:a", "{}").unwrap();
        db.put_export_failure("contact:c", "{}").unwrap();
        db.set_export_meta("delta.event", &format!("{GRAPH}/me/calendarView/delta?x"))
            .unwrap();
    }

    fn export_state(db: &StateDb) -> (usize, usize, Option<String>) {
        (
            db.export_entries().unwrap().len(),
            db.export_failures().unwrap().len(),
            db.export_meta("delta.event").unwrap(),
        )
    }

    #[test]
    fn another_mailbox_or_graph_address_drops_the_export_state_with_the_sign_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = StateDb::open(&dir.path().join("state.sqlite3")).expect("open");
        anna_exported(&db);
        // Anna again, same Graph: her state stays.
        assert_eq!(
            db.save_account_claiming(&anna(), &owner("OID-1", &format!("{GRAPH}/")))
                .unwrap(),
            Claim::Kept
        );
        assert_eq!(export_state(&db).0, 1);
        assert!(!db.source_caches_stale().unwrap());

        // Another user signs in: nothing of Anna's mailbox is left.
        let ben = AccountRecord {
            username: "ben@kanzlei.example".into(),
            object_id: "oid-2".into(),
            ..anna()
        };
        assert_eq!(
            db.save_account_claiming(&ben, &owner("oid-2", GRAPH))
                .unwrap(),
            Claim::Cleared
        );
        assert_eq!(export_state(&db), (0, 0, None));
        assert_eq!(db.account().unwrap(), Some(ben));
        assert_eq!(db.export_owner().unwrap(), Some(owner("oid-2", GRAPH)));
        assert!(db.source_caches_stale().unwrap());
        db.source_caches_deleted().unwrap();
        assert!(!db.source_caches_stale().unwrap());

        // The same user, another Graph address (the emulator): cleared at
        // the next export.
        db.save_account_claiming(&anna(), &owner("oid-1", GRAPH))
            .unwrap();
        db.put_export_entry("appointment:a", "{}").unwrap();
        assert_eq!(
            db.claim_export(&owner("oid-1", GRAPH)).unwrap(),
            Claim::Kept
        );
        assert_eq!(
            db.claim_export(&owner("oid-1", "http://127.0.0.1:8400/v1.0"))
                .unwrap(),
            Claim::Cleared
        );
        assert_eq!(export_state(&db), (0, 0, None));
    }

    #[test]
    fn state_from_before_owners_were_recorded_is_kept_only_when_consistent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = StateDb::open(&dir.path().join("state.sqlite3")).expect("open");
        let legacy = |link: &str| {
            db.save_account(&anna()).unwrap();
            db.put_export_entry("appointment:a", "{}").unwrap();
            db.set_export_meta("delta.event", link).unwrap();
            db.conn.execute("DELETE FROM sync_owner", []).unwrap();
        };
        legacy(&format!("{GRAPH}/me/calendarView/delta?x"));
        assert_eq!(
            db.claim_export(&owner("oid-1", GRAPH)).unwrap(),
            Claim::Adopted
        );
        assert_eq!(export_state(&db).0, 1);
        // The demo's delta links left in the real state (older versions).
        legacy("http://127.0.0.1:8400/v1.0/me/calendarView/delta?x");
        assert_eq!(
            db.claim_export(&owner("oid-1", GRAPH)).unwrap(),
            Claim::Cleared
        );
        assert_eq!(export_state(&db), (0, 0, None));
    }

    #[test]
    fn sign_out_is_one_transaction() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.sqlite3");
        let db = StateDb::open(&path).expect("open");
        anna_exported(&db);
        // A failure half-way (standing in for a crash): nothing changed.
        db.conn
            .execute_batch(
                "CREATE TEMP TRIGGER crash BEFORE DELETE ON sync_entry
                 BEGIN SELECT RAISE(ABORT, 'crash'); END;",
            )
            .unwrap();
        db.sign_out().expect_err("the trigger stops it");
        assert_eq!(db.account().unwrap(), Some(anna()));
        assert_eq!(export_state(&db).0, 1);
        db.conn.execute_batch("DROP TRIGGER crash").unwrap();

        db.sign_out().unwrap();
        drop(db);
        let db = StateDb::open(&path).expect("reopen");
        assert_eq!(db.account().unwrap(), None);
        assert_eq!(export_state(&db), (0, 0, None));
        assert_eq!(db.export_owner().unwrap(), None);
        assert!(db.source_caches_stale().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_side_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let path = data.join("state.sqlite3");
        let db = StateDb::open(&path).expect("open");
        db.put_export_entry("appointment:a", "{}").unwrap();
        let mut files = vec![];
        for entry in std::fs::read_dir(&data).unwrap() {
            let entry = entry.unwrap();
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            files.push((entry.file_name().to_string_lossy().into_owned(), mode));
        }
        files.sort();
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the data folder");
        assert_eq!(
            files,
            [
                ("state.sqlite3".to_string(), 0o600),
                ("state.sqlite3-shm".to_string(), 0o600),
                ("state.sqlite3-wal".to_string(), 0o600)
            ]
        );
    }

    mod claim {
        use super::super::*;

        #[track_caller]
        fn check(stored: Option<(&str, &str)>, has_state: bool, legacy: bool, expect: Claim) {
            let owner = |(oid, base): (&str, &str)| ExportOwner {
                tenant_id: "TID".into(),
                object_id: oid.into(),
                graph_base_url: base.into(),
            };
            let me = owner(("oid-a", "https://graph.microsoft.com/v1.0"));
            let stored = stored.map(owner);
            assert_eq!(
                decide_claim(stored.as_ref(), has_state, legacy, &me),
                expect
            );
        }

        #[test]
        fn the_export_state_is_only_ever_used_for_its_own_mailbox() {
            const G: &str = "https://graph.microsoft.com/v1.0";
            check(Some(("oid-a", G)), true, false, Claim::Kept);
            check(
                Some(("OID-A", "https://graph.microsoft.com/v1.0/")),
                true,
                false,
                Claim::Kept,
            );
            check(Some(("oid-b", G)), true, true, Claim::Cleared);
            check(
                Some(("oid-a", "http://127.0.0.1:8400/v1.0")),
                true,
                true,
                Claim::Cleared,
            );
            check(Some(("oid-b", G)), false, false, Claim::Cleared);
            check(None, false, false, Claim::Adopted);
            check(None, true, true, Claim::Adopted);
            check(None, true, false, Claim::Cleared);
        }
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

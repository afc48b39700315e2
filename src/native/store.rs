//! The embedded SQLite store: versioned migrations, staff tokens and the append-only audit log.
//!
//! Why SQLite: the server must run from one binary with no database to install, and an audit
//! trail needs transactions that survive a `kill -9`. The store is opened in WAL mode with
//! `synchronous=FULL`, so an entry is on disk before the HTTP answer that acknowledges it.
//!
//! Append-only is enforced twice: the code has no update or delete path, and triggers refuse
//! `UPDATE` and `DELETE` on `audit_log`. Neither stops someone with the file and a SQLite shell,
//! which is why every entry also carries the hash of the previous one (see `audit.rs`).

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::audit::{self, Entry, GENESIS_HASH, NewEntry};

/// Versioned migrations, applied in order, each once, each in its own transaction.
/// A released migration is never edited: a change is a new entry at the end.
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "staff tokens and the audit log",
    r"
CREATE TABLE staff_token (
    id          INTEGER PRIMARY KEY,
    staff_name  TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT
);
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    case_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('case', 'decision')),
    recorded_at TEXT    NOT NULL,
    staff_name  TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
",
)];

/// The newest schema version this binary knows.
pub const SCHEMA_VERSION: i64 = 1;

/// Anything that went wrong in the store; the message names the database file's problem,
/// never an applicant's data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer Kredo.
    #[error(
        "the database has schema version {found}, newer than this kredo knows ({known}); use a newer kredo"
    )]
    TooNew {
        /// Its schema version.
        found: i64,
        /// The newest this Kredo knows.
        known: i64,
    },
    /// The store holds something it cannot read.
    #[error("{0}")]
    Invalid(String),
}

/// One open connection to the store. Not shared between threads: the server keeps it behind
/// a mutex, so writes are serialised, which the hash chain needs anyway.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        // WAL: readers never block the writer. FULL: a commit is fsynced before it returns.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    /// Applies every migration the database does not have yet, in order.
    fn migrate(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    INTEGER PRIMARY KEY,
                 name       TEXT NOT NULL,
                 applied_at TEXT NOT NULL
             );",
        )?;
        let current: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |row| row.get(0),
        )?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: current,
                known: SCHEMA_VERSION,
            });
        }
        for &(version, name, sql) in MIGRATIONS {
            if version <= current {
                continue;
            }
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                params![version, name, audit::now_utc()],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |row| row.get(0),
        )?)
    }

    /// Stores a new token hash for `staff_name`. The token itself is never stored.
    pub fn add_staff_token(&self, staff_name: &str, token_hash: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO staff_token (staff_name, token_hash, created_at) VALUES (?1, ?2, ?3)",
            params![staff_name, token_hash, audit::now_utc()],
        )?;
        Ok(())
    }

    /// The staff name a token hash belongs to, if the token exists and is not revoked.
    pub fn staff_for_token_hash(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT staff_name FROM staff_token WHERE token_hash = ?1 AND revoked_at IS NULL",
                params![token_hash],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Appends one entry at the end of the chain, atomically: the previous hash is read and the
    /// new row written in one immediate transaction, and the commit is durable when this returns.
    pub fn append(&mut self, new: &NewEntry) -> Result<Entry, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let entry = Entry::seal(seq, new, prev_hash);
        tx.execute(
            "INSERT INTO audit_log (seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                entry.seq,
                entry.case_id,
                entry.kind,
                entry.recorded_at,
                entry.staff_name,
                entry.body,
                entry.prev_hash,
                entry.hash
            ],
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// Every entry of one case, oldest first.
    pub fn case_entries(&self, case_id: &str) -> Result<Vec<Entry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash
             FROM audit_log WHERE case_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![case_id], row_to_entry)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Calls `visit` on every entry of the log in sequence order, stopping at the first
    /// `false` it returns. Streams: the whole log is never in memory at once.
    pub fn for_each_entry(&self, mut visit: impl FnMut(Entry) -> bool) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            if !visit(row_to_entry(row)?) {
                break;
            }
        }
        Ok(())
    }

    /// Runs a trivial query: the health check's proof that the file is readable.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn.query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }
}

fn row_to_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: row.get(0)?,
        case_id: row.get(1)?,
        kind: row.get(2)?,
        recorded_at: row.get(3)?,
        staff_name: row.get(4)?,
        body: row.get(5)?,
        prev_hash: row.get(6)?,
        hash: row.get(7)?,
    })
}

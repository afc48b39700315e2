//! The embedded SQLite store: versioned migrations, staff tokens and the append-only audit log.
//! The default back end: one file, nothing to install, right for one machine.
//!
//! Why SQLite: the server must run from one binary with no database to install, and an audit
//! trail needs transactions that survive a `kill -9`. The store is opened in WAL mode with
//! `synchronous=FULL`, so an entry is on disk before the HTTP answer that acknowledges it.
//!
//! Append-only is enforced twice: the code has no update or delete path, and triggers refuse
//! `UPDATE` and `DELETE` on `audit_log`. Neither stops someone with the file and a SQLite shell,
//! which is why every entry also carries the hash of the previous one (see `audit.rs`).
//!
//! Staff tokens are access control, not evidence: a revocation is the token row's `revoked_at`
//! (UTC), not an audit entry, so the chain holds only what was decided about applicants.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::{CaseFilter, CaseRow, MIGRATIONS, Revocation, SCHEMA_VERSION, StaffToken, StoreError};
use crate::native::audit::{self, Entry, GENESIS_HASH, NewEntry};

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the health check's write probe waits for the lock: a health check must answer
/// fast, and a store locked for a second already delays every append.
const PROBE_BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// One open connection to the store. Not shared between threads: the server keeps it behind
/// a mutex, so writes are serialised, which the hash chain needs anyway.
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        // First: switching to WAL takes a lock another process starting now may hold.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: readers never block the writer. FULL: a commit is fsynced before it returns.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database without writing to it: no migration, no journal-mode change,
    /// so it works on a read-only copy (a file and directory without write permission).
    ///
    /// A database that no process has open (no `-wal`, `-shm` or `-journal` file beside it)
    /// is opened `immutable`: SQLite then needs no shared-memory file, which a read-only
    /// directory could not hold. Otherwise it is opened `mode=ro`, which reads the entries
    /// still in the write-ahead log and respects the running server's locks.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let quiescent = ["-wal", "-shm", "-journal"]
            .iter()
            .all(|suffix| !sidecar(path, suffix).exists());
        let uri = format!(
            "file:{}?mode=ro{}",
            uri_path(path),
            if quiescent { "&immutable=1" } else { "" }
        );
        let conn = Connection::open_with_flags(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mut store = SqliteStore { conn };
        let version = store.existing_schema_version().map_err(|e| match e {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if !quiescent
                    && matches!(
                        f.code,
                        rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen
                    ) =>
            {
                StoreError::Invalid(format!(
                    "cannot read the database without writing beside it: {} is in use or was not closed cleanly, and its write-ahead log can only be read with write access to the directory; run this with write access, or on a copy made with `sqlite3 {} \".backup COPY\"`",
                    path.display(),
                    path.display()
                ))
            }
            other => other,
        })?;
        super::expect_current(version)?;
        Ok(store)
    }

    /// The schema version of a database that is not to be migrated.
    fn existing_schema_version(&mut self) -> Result<i64, StoreError> {
        let has_migrations: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |row| row.get(0),
        )?;
        if !has_migrations {
            return Err(StoreError::Invalid(
                "not a kredo audit store: it has no schema_migrations table".to_owned(),
            ));
        }
        self.schema_version()
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
        for m in MIGRATIONS {
            if m.version <= current {
                continue;
            }
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Read again under the write lock: another process starting at the same moment may
            // have applied it while this one waited.
            let now: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |row| row.get(0),
            )?;
            if m.version <= now {
                continue;
            }
            tx.execute_batch(m.sqlite)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                params![m.version, m.name, audit::now_utc()],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version the database is at.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |row| row.get(0),
        )?)
    }

    /// Stores a new token hash for `staff_name`. The token itself is never stored.
    pub fn add_staff_token(
        &mut self,
        staff_name: &str,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO staff_token (staff_name, token_hash, created_at) VALUES (?1, ?2, ?3)",
            params![staff_name, token_hash, audit::now_utc()],
        )?;
        Ok(())
    }

    /// Every staff token, oldest first: who, since when, revoked when.
    pub fn staff_tokens(&mut self) -> Result<Vec<StaffToken>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, staff_name, created_at, revoked_at FROM staff_token ORDER BY id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(StaffToken {
                id: row.get(0)?,
                staff_name: row.get(1)?,
                created_at: row.get(2)?,
                revoked_at: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Revokes the tokens of `staff_name` that are still active (only token `id`, when given),
    /// stamping them with the time. The server looks every request's token up afresh, so a
    /// revoked token is refused from its next request on.
    pub fn revoke_staff(
        &mut self,
        staff_name: &str,
        id: Option<i64>,
    ) -> Result<Revocation, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let already: i64 = tx.query_row(
            "SELECT COUNT(*) FROM staff_token
             WHERE staff_name = ?1 AND (?2 IS NULL OR id = ?2) AND revoked_at IS NOT NULL",
            params![staff_name, id],
            |row| row.get(0),
        )?;
        let revoked = tx.execute(
            "UPDATE staff_token SET revoked_at = ?3
             WHERE staff_name = ?1 AND (?2 IS NULL OR id = ?2) AND revoked_at IS NULL",
            params![staff_name, id, audit::now_utc()],
        )?;
        tx.commit()?;
        Ok(Revocation {
            revoked,
            already: usize::try_from(already).unwrap_or(0),
        })
    }

    /// The staff name a token hash belongs to, if the token exists and is not revoked.
    pub fn staff_for_token_hash(&mut self, token_hash: &str) -> Result<Option<String>, StoreError> {
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
    pub fn case_entries(&mut self, case_id: &str) -> Result<Vec<Entry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash
             FROM audit_log WHERE case_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![case_id], row_to_entry)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Cases, newest first, as `GET /api/v1/cases` lists them: each case's screening with its
    /// latest staff decision, filtered, at most `filter.limit` of them.
    pub fn cases(&mut self, filter: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            // Newest first along the primary key, stopping at the limit: each case's latest
            // decision is one look-up in `audit_log_case`, so a page costs the same whatever
            // the log's length (a join over every decision made it grow with the log).
            "SELECT c.seq, c.case_id, c.recorded_at, c.staff_name,
                    json_extract(c.body, '$.product'), json_extract(c.body, '$.version'),
                    json_extract(c.body, '$.outcome'),
                    json_extract(c.body, '$.decision.score.total'),
                    json_extract(c.body, '$.decision.score.band'),
                    json_extract(d.body, '$.decision'), json_extract(d.body, '$.override'),
                    d.staff_name, d.recorded_at
             FROM audit_log c
             LEFT JOIN audit_log d ON d.seq = (
                 SELECT MAX(x.seq) FROM audit_log x
                 WHERE x.case_id = c.case_id AND x.kind = 'decision'
             )
             WHERE c.kind = 'case'
               AND (?1 IS NULL OR json_extract(c.body, '$.outcome') = ?1)
               AND (?2 IS NULL OR c.staff_name = ?2)
               AND (?3 IS NULL OR substr(c.recorded_at, 1, 10) >= ?3)
               AND (?4 IS NULL OR substr(c.recorded_at, 1, 10) <= ?4)
               AND (?5 IS NULL OR c.seq < ?5)
               AND (?6 IS NULL OR (?6 = 'none' AND d.seq IS NULL)
                    OR json_extract(d.body, '$.decision') = ?6)
             ORDER BY c.seq DESC
             LIMIT ?7",
        )?;
        let rows = stmt.query_map(
            params![
                filter.outcome,
                filter.staff,
                filter.from,
                filter.to,
                filter.before,
                filter.decision,
                filter.limit
            ],
            |row| {
                Ok(CaseRow {
                    seq: row.get(0)?,
                    case_id: row.get(1)?,
                    recorded_at: row.get(2)?,
                    staff_name: row.get(3)?,
                    product: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    version: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    outcome: row.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    score_total: row.get(7)?,
                    score_band: row.get(8)?,
                    staff_decision: row.get(9)?,
                    overrides: row.get::<_, Option<bool>>(10)?,
                    decided_by: row.get(11)?,
                    decided_at: row.get(12)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Calls `visit` on every entry of the log in sequence order, stopping at the first
    /// `false` it returns. Streams: the whole log is never in memory at once.
    pub fn for_each_entry(
        &mut self,
        mut visit: impl FnMut(Entry) -> bool,
    ) -> Result<(), StoreError> {
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
    pub fn ping(&mut self) -> Result<(), StoreError> {
        self.conn.query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    /// The health check's proof that the next append can be written: takes the write lock and
    /// changes a row, then rolls back, so the audit chain never grows and nothing reaches the
    /// disk. `BEGIN IMMEDIATE` alone is not enough: SQLite grants it to a read-only connection.
    /// It cannot see a full disk, which only a real commit would show.
    pub fn write_probe(&mut self) -> Result<(), StoreError> {
        self.conn.busy_timeout(PROBE_BUSY_TIMEOUT)?;
        let probe = self.write_and_roll_back();
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        probe
    }

    fn write_and_roll_back(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE schema_migrations SET name = name
             WHERE version = (SELECT MAX(version) FROM schema_migrations)",
            [],
        )?;
        tx.rollback()?;
        Ok(())
    }
}

/// `db` with `suffix` appended to its file name: SQLite's `-wal`, `-shm` and `-journal`.
fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A path for a `file:` URI: every byte but unreserved ones and `/` percent-encoded, so `?`,
/// `#` and `%` in a file name stay part of it.
fn uri_path(path: &Path) -> String {
    use std::fmt::Write as _;
    use std::os::unix::ffi::OsStrExt as _;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
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

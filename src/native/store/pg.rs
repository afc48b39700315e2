//! The PostgreSQL store: for several `kredo serve` instances on one audit chain.
//!
//! The schema and its migrations are those of SQLite ([`super::MIGRATIONS`]), written in
//! PostgreSQL's dialect. What changes with several writers:
//!
//! - **Appends are serialised inside the database**: each append is one transaction that takes
//!   a transaction-scoped advisory lock ([`APPEND_LOCK`]), reads the chain's head, inserts the
//!   next entry and commits, which releases the lock. Under `READ COMMITTED` the head is read
//!   after the lock is granted, so it is the previous holder's committed entry; `seq` is the
//!   primary key, so a second entry at one position cannot be stored even if the lock were
//!   bypassed. An instance killed mid-append leaves nothing: its transaction never committed,
//!   and the server releases the lock when the connection drops.
//! - **Append-only twice**: triggers refuse `UPDATE`, `DELETE` and `TRUNCATE` on `audit_log`,
//!   even to the tables' owner, and the role the servers connect with is granted only `SELECT`
//!   and `INSERT` (`kredo store migrate --app-role`), so it cannot drop the triggers either.
//! - **Durable when acknowledged**: a commit returns after the server has flushed it
//!   (`synchronous_commit` on, PostgreSQL's default).
//!
//! The client is the synchronous `postgres` crate (tokio-postgres underneath): the server
//! already runs every store call on a blocking thread, one connection per store handle, and a
//! handle whose connection was lost reconnects on its next call.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator as _;
use postgres::{Client, Config, NoTls, Row, Statement};

use super::{CaseFilter, CaseRow, MIGRATIONS, Revocation, SCHEMA_VERSION, StaffToken, StoreError};
use crate::native::audit::{self, Entry, GENESIS_HASH, NewEntry};

/// The advisory lock every append takes (`pg_advisory_xact_lock(KEY, 1)`): the two keys spell
/// `kred` and name the chain's write lock.
const LOCK_CLASS: i32 = 0x6b72_6564;
/// The second key of the append lock.
pub const APPEND_LOCK: i32 = 1;
/// The second key of the migration lock: two instances starting together migrate once.
const MIGRATE_LOCK: i32 = 2;

/// How long a new connection may take before `--db` is reported unreachable, unless the URL
/// sets `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the health check's write probe waits for the append lock.
const PROBE_LOCK_TIMEOUT: &str = "1s";

/// A parsed `postgres://` URL, shown without its password.
#[derive(Clone)]
pub struct Target {
    config: Config,
    shown: String,
}

impl Target {
    /// Parses a libpq-style connection URL (`postgres://user:password@host:port/db?…`).
    pub fn parse(url: &str) -> Result<Target, String> {
        let mut config: Config = url
            .parse()
            .map_err(|e| format!("not a PostgreSQL connection URL: {e}"))?;
        if config.get_ssl_mode() == postgres::config::SslMode::Require {
            return Err(
                "sslmode=require: this kredo does not speak TLS to PostgreSQL; connect over a Unix socket (`?host=/var/run/postgresql`), a private network or a tunnel, with sslmode=disable or prefer".to_owned(),
            );
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("kredo");
        }
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
            .map(|(host, port)| match host {
                postgres::config::Host::Tcp(name) => format!("{name}:{port}"),
                postgres::config::Host::Unix(dir) => format!("{}:{port}", dir.display()),
            })
            .collect();
        let shown = format!(
            "postgres://{}{}/{}",
            config
                .get_user()
                .map(|u| format!("{u}@"))
                .unwrap_or_default(),
            hosts.join(","),
            config.get_dbname().unwrap_or("")
        );
        Ok(Target { config, shown })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// A PostgreSQL error without its `DETAIL`, `HINT` or `WHERE`, which can quote a row.
#[derive(Debug)]
pub struct PgError {
    /// The SQLSTATE, when the server sent one.
    pub code: Option<SqlState>,
    message: String,
}

impl From<postgres::Error> for PgError {
    fn from(e: postgres::Error) -> PgError {
        match e.as_db_error() {
            Some(db) => PgError {
                code: Some(db.code().clone()),
                message: format!("{} ({})", db.message(), db.code().code()),
            },
            // Connection and protocol errors: no row in them. Their causes say what failed
            // (refused, timed out, the host unknown).
            None => {
                let mut message = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    let text = c.to_string();
                    if !message.contains(&text) {
                        message = format!("{message}: {text}");
                    }
                    cause = c.source();
                }
                PgError {
                    code: e.code().cloned(),
                    message,
                }
            }
        }
    }
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One connection to the store.
pub struct PgStore {
    target: Target,
    /// Always `Some` but while being dropped (see the `Drop` impl).
    client: Option<Client>,
    read_only: bool,
    /// The hot paths' statements, prepared once per connection: a query given as text is
    /// parsed on every call, one more round trip each.
    statements: HashMap<&'static str, Statement>,
}

/// Closing a `postgres::Client` blocks on its own small runtime, which tokio forbids on a
/// thread that drives async tasks: the server drops its stores there when it shuts down. A
/// store dropped on such a thread closes its connection on a thread of its own.
impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::Builder::new()
                .name("kredo-pg-close".to_owned())
                .spawn(move || drop(client));
        }
    }
}

/// An entry's columns, in [`row_to_entry`]'s order (a macro, so statements can be `concat!`ed
/// into the `&'static str`s the statement cache keys on).
macro_rules! entry_columns {
    () => {
        "seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash"
    };
}

const LOCK_SQL: &str = "SELECT pg_advisory_xact_lock($1, $2)";
const HEAD_SQL: &str = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
const INSERT_SQL: &str =
    "INSERT INTO audit_log (seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const CASE_SQL: &str = concat!(
    "SELECT ",
    entry_columns!(),
    " FROM audit_log WHERE case_id = $1 ORDER BY seq"
);
const LOG_SQL: &str = concat!("SELECT ", entry_columns!(), " FROM audit_log ORDER BY seq");

impl PgStore {
    /// Connects and brings the schema up to date (when the role may; otherwise says who must).
    pub fn open(target: &Target) -> Result<PgStore, StoreError> {
        let mut store = PgStore::connect(target, false)?;
        store.migrate()?;
        Ok(store)
    }

    /// Connects without writing: every transaction is read-only and nothing is migrated.
    pub fn open_read_only(target: &Target) -> Result<PgStore, StoreError> {
        let mut store = PgStore::connect(target, true)?;
        let version = store.existing_schema_version()?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "not a kredo audit store: {target} has no schema_migrations table (create it with `kredo store migrate --db …` as the database's owner)"
            ))
        })?;
        super::expect_current(version)?;
        Ok(store)
    }

    fn connect(target: &Target, read_only: bool) -> Result<PgStore, StoreError> {
        let client = new_client(target, read_only)?;
        Ok(PgStore {
            target: target.clone(),
            client: Some(client),
            read_only,
            statements: HashMap::new(),
        })
    }

    /// The connection, reconnected first if the last one was lost (a restarted database).
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        let lost = self.client.as_ref().is_none_or(Client::is_closed);
        if lost {
            self.statements.clear();
            self.client = Some(new_client(&self.target, self.read_only)?);
        }
        self.client.as_mut().ok_or_else(no_connection)
    }

    /// The connection and `sql` prepared on it (once per connection).
    fn prepared(&mut self, sql: &'static str) -> Result<(&mut Client, Statement), StoreError> {
        self.client()?;
        let client = self.client.as_mut().ok_or_else(no_connection)?;
        let statement = match self.statements.get(sql) {
            Some(statement) => statement.clone(),
            None => {
                let statement = client.prepare(sql)?;
                self.statements.insert(sql, statement.clone());
                statement
            }
        };
        Ok((client, statement))
    }

    /// The schema version, or `None` when the database has no `schema_migrations` table.
    fn existing_schema_version(&mut self) -> Result<Option<i64>, StoreError> {
        let row = self
            .client()?
            .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?;
        if !row.try_get::<_, bool>(0)? {
            return Ok(None);
        }
        self.schema_version().map(Some)
    }

    /// Applies every migration the database lacks, each in its own transaction under the
    /// migration lock. A database already at [`SCHEMA_VERSION`] is not written to at all, so
    /// a role that may only insert and read opens it.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let current = self.existing_schema_version()?.unwrap_or(0);
        if current == SCHEMA_VERSION {
            return Ok(());
        }
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: current,
                known: SCHEMA_VERSION,
            });
        }
        let shown = self.target.to_string();
        let result = self.apply_migrations();
        result.map_err(|e| match e {
            StoreError::Postgres(PgError {
                code: Some(code), ..
            }) if code == SqlState::INSUFFICIENT_PRIVILEGE => StoreError::Invalid(format!(
                "{shown} is at schema version {current}, not {SCHEMA_VERSION}, and this role may not change its schema: run `kredo store migrate --db <the owner's URL> --app-role <this role>` once"
            )),
            other => other,
        })
    }

    fn apply_migrations(&mut self) -> Result<(), StoreError> {
        for m in MIGRATIONS {
            let mut tx = self.client()?.transaction()?;
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[&LOCK_CLASS, &MIGRATE_LOCK],
            )?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version    BIGINT PRIMARY KEY,
                     name       TEXT NOT NULL,
                     applied_at TEXT NOT NULL
                 )",
            )?;
            // Read under the lock: another instance may have migrated while this one waited.
            let current: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    &[],
                )?
                .try_get(0)?;
            if m.version <= current {
                tx.commit()?;
                continue;
            }
            tx.batch_execute(m.postgres)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&m.version, &m.name, &audit::now_utc()],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// See [`super::Store::grant_app_role`]: `SELECT` on every table and `INSERT` on the audit
    /// log, after revoking whatever the role had. Idempotent.
    pub fn grant_app_role(&mut self, role: &str) -> Result<(), StoreError> {
        let role = quote_ident(role);
        let mut tx = self.client()?.transaction()?;
        tx.batch_execute(&format!(
            "REVOKE ALL ON audit_log, staff_token, schema_migrations FROM {role};
             GRANT SELECT, INSERT ON audit_log TO {role};
             GRANT SELECT ON staff_token, schema_migrations TO {role};"
        ))?;
        tx.commit()?;
        Ok(())
    }

    /// The schema version the database is at.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .client()?
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )?
            .try_get(0)?)
    }

    /// Stores a new token hash for `staff_name`.
    pub fn add_staff_token(
        &mut self,
        staff_name: &str,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        self.client()?.execute(
            "INSERT INTO staff_token (staff_name, token_hash, created_at) VALUES ($1, $2, $3)",
            &[&staff_name, &token_hash, &audit::now_utc()],
        )?;
        Ok(())
    }

    /// Every staff token, oldest first.
    pub fn staff_tokens(&mut self) -> Result<Vec<StaffToken>, StoreError> {
        let rows = self.client()?.query(
            "SELECT id, staff_name, created_at, revoked_at FROM staff_token ORDER BY id",
            &[],
        )?;
        rows.iter()
            .map(|row| {
                Ok(StaffToken {
                    id: row.try_get(0)?,
                    staff_name: row.try_get(1)?,
                    created_at: row.try_get(2)?,
                    revoked_at: row.try_get(3)?,
                })
            })
            .collect()
    }

    /// Revokes the active tokens of `staff_name` (only token `id`, when given).
    pub fn revoke_staff(
        &mut self,
        staff_name: &str,
        id: Option<i64>,
    ) -> Result<Revocation, StoreError> {
        let mut tx = self.client()?.transaction()?;
        let already: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM staff_token
                 WHERE staff_name = $1 AND ($2::BIGINT IS NULL OR id = $2) AND revoked_at IS NOT NULL",
                &[&staff_name, &id],
            )?
            .try_get(0)?;
        let revoked = tx.execute(
            "UPDATE staff_token SET revoked_at = $3
             WHERE staff_name = $1 AND ($2::BIGINT IS NULL OR id = $2) AND revoked_at IS NULL",
            &[&staff_name, &id, &audit::now_utc()],
        )?;
        tx.commit()?;
        Ok(Revocation {
            revoked: usize::try_from(revoked).unwrap_or(usize::MAX),
            already: usize::try_from(already).unwrap_or(0),
        })
    }

    /// The staff name a token hash belongs to, if the token exists and is not revoked.
    pub fn staff_for_token_hash(&mut self, token_hash: &str) -> Result<Option<String>, StoreError> {
        let (client, statement) = self.prepared(
            "SELECT staff_name FROM staff_token WHERE token_hash = $1 AND revoked_at IS NULL",
        )?;
        let row = client.query_opt(&statement, &[&token_hash])?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Appends one entry at the end of the one chain every instance shares: under the append
    /// lock, the head is read and the next entry inserted in one transaction.
    pub fn append(&mut self, new: &NewEntry) -> Result<Entry, StoreError> {
        let (_, lock) = self.prepared(LOCK_SQL)?;
        let (_, head) = self.prepared(HEAD_SQL)?;
        let (client, insert) = self.prepared(INSERT_SQL)?;
        let mut tx = client.transaction()?;
        tx.execute(&lock, &[&LOCK_CLASS, &APPEND_LOCK])?;
        // Read under the lock, in a statement of its own: its snapshot is taken after the lock
        // was granted, so it sees the previous holder's entry.
        let last = tx.query_opt(&head, &[])?;
        let (seq, prev_hash) = match last {
            Some(row) => (row.try_get::<_, i64>(0)? + 1, row.try_get(1)?),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let entry = Entry::seal(seq, new, prev_hash);
        tx.execute(
            &insert,
            &[
                &entry.seq,
                &entry.case_id,
                &entry.kind,
                &entry.recorded_at,
                &entry.staff_name,
                &entry.body,
                &entry.prev_hash,
                &entry.hash,
            ],
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// Every entry of one case, oldest first.
    pub fn case_entries(&mut self, case_id: &str) -> Result<Vec<Entry>, StoreError> {
        let (client, statement) = self.prepared(CASE_SQL)?;
        let rows = client.query(&statement, &[&case_id])?;
        rows.iter().map(row_to_entry).collect()
    }

    /// Cases, newest first: the same query as SQLite's, with PostgreSQL's JSON operators.
    pub fn cases(&mut self, filter: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
        let limit = i64::from(filter.limit);
        let mut tx = self.client()?.transaction()?;
        // The plan must walk the primary key backwards and stop at the page. Right after many
        // appends the statistics are stale, and the planner then sometimes sorted the whole log
        // instead, parsing every body: a page took seconds (seen in `.ci/bench-store`).
        tx.batch_execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")?;
        let rows = tx.query(
            // Newest first along the primary key, stopping at the limit: each case's latest
            // decision is one look-up in `audit_log_case`, so a page costs the same whatever
            // the log's length (a join over every decision made it grow with the log).
            "SELECT c.seq, c.case_id, c.recorded_at, c.staff_name,
                    cb.b ->> 'product', cb.b ->> 'version', cb.b ->> 'outcome',
                    (cb.b #>> '{decision,score,total}')::BIGINT,
                    cb.b #>> '{decision,score,band}',
                    d.decision, d.override, d.staff_name, d.recorded_at
             FROM audit_log c
             CROSS JOIN LATERAL (SELECT c.body::JSONB AS b) cb
             LEFT JOIN LATERAL (
                 SELECT x.body::JSONB ->> 'decision' AS decision,
                        (x.body::JSONB ->> 'override')::BOOLEAN AS override,
                        x.staff_name, x.recorded_at
                 FROM audit_log x
                 WHERE x.case_id = c.case_id AND x.kind = 'decision'
                 ORDER BY x.seq DESC
                 LIMIT 1
             ) d ON TRUE
             WHERE c.kind = 'case'
               AND ($1::TEXT IS NULL OR cb.b ->> 'outcome' = $1)
               AND ($2::TEXT IS NULL OR c.staff_name = $2)
               AND ($3::TEXT IS NULL OR substr(c.recorded_at, 1, 10) >= $3)
               AND ($4::TEXT IS NULL OR substr(c.recorded_at, 1, 10) <= $4)
               AND ($5::BIGINT IS NULL OR c.seq < $5)
               AND ($6::TEXT IS NULL OR ($6 = 'none' AND d.decision IS NULL) OR d.decision = $6)
             ORDER BY c.seq DESC
             LIMIT $7",
            &[
                &filter.outcome,
                &filter.staff,
                &filter.from,
                &filter.to,
                &filter.before,
                &filter.decision,
                &limit,
            ],
        )?;
        tx.commit()?;
        rows.iter()
            .map(|row| {
                Ok(CaseRow {
                    seq: row.try_get(0)?,
                    case_id: row.try_get(1)?,
                    recorded_at: row.try_get(2)?,
                    staff_name: row.try_get(3)?,
                    product: row.try_get::<_, Option<String>>(4)?.unwrap_or_default(),
                    version: row.try_get::<_, Option<String>>(5)?.unwrap_or_default(),
                    outcome: row.try_get::<_, Option<String>>(6)?.unwrap_or_default(),
                    score_total: row.try_get(7)?,
                    score_band: row.try_get(8)?,
                    staff_decision: row.try_get(9)?,
                    overrides: row.try_get(10)?,
                    decided_by: row.try_get(11)?,
                    decided_at: row.try_get(12)?,
                })
            })
            .collect()
    }

    /// Calls `visit` on every entry in sequence order, stopping at the first `false`. Rows are
    /// streamed from the server, never all held at once.
    pub fn for_each_entry(
        &mut self,
        mut visit: impl FnMut(Entry) -> bool,
    ) -> Result<(), StoreError> {
        let mut rows = self
            .client()?
            .query_raw(LOG_SQL, std::iter::empty::<i64>())?;
        while let Some(row) = rows.next()? {
            if !visit(row_to_entry(&row)?) {
                break;
            }
        }
        Ok(())
    }

    /// A trivial query.
    pub fn ping(&mut self) -> Result<(), StoreError> {
        self.client()?.query_one("SELECT 1", &[])?;
        Ok(())
    }

    /// Takes the append lock (waiting at most a second) and checks that the role may insert
    /// into the audit log on a primary (not a read-only standby), then rolls back.
    pub fn write_probe(&mut self) -> Result<(), StoreError> {
        let mut tx = self.client()?.transaction()?;
        tx.batch_execute(&format!("SET LOCAL lock_timeout = '{PROBE_LOCK_TIMEOUT}'"))?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&LOCK_CLASS, &APPEND_LOCK],
        )?;
        let row = tx.query_one(
            "SELECT has_table_privilege('audit_log', 'INSERT'), pg_is_in_recovery(),
                    current_setting('transaction_read_only') = 'on'",
            &[],
        )?;
        let (may_insert, standby, read_only): (bool, bool, bool) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        tx.rollback()?;
        if standby || read_only {
            return Err(StoreError::Invalid(
                "the database is read-only (a standby, or default_transaction_read_only)"
                    .to_owned(),
            ));
        }
        if !may_insert {
            return Err(StoreError::Invalid(
                "this role may not insert into audit_log".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Only while a store is dropped is its connection gone.
fn no_connection() -> StoreError {
    StoreError::Invalid("no connection to the store".to_owned())
}

fn new_client(target: &Target, read_only: bool) -> Result<Client, StoreError> {
    let mut client = target.config.connect(NoTls)?;
    // Times are written by Kredo (UTC text); nothing depends on the session's zone, but a
    // read-only handle is made so for every transaction.
    if read_only {
        client.batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")?;
    }
    Ok(client)
}

/// `"role"`, with any `"` doubled: a role name is an identifier, never spliced in bare.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn row_to_entry(row: &Row) -> Result<Entry, StoreError> {
    Ok(Entry {
        seq: row.try_get(0)?,
        case_id: row.try_get(1)?,
        kind: row.try_get(2)?,
        recorded_at: row.try_get(3)?,
        staff_name: row.try_get(4)?,
        body: row.try_get(5)?,
        prev_hash: row.try_get(6)?,
        hash: row.try_get(7)?,
    })
}

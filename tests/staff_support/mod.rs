//! Shared by the server, audit and batch tests: a real `kredo serve` on 127.0.0.1 with an
//! ephemeral port and its own temporary database, a blocking HTTP client, and the CLI.
#![allow(dead_code, reason = "each test binary uses only some of the helpers")]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_kredo");
pub const AS_OF: &str = "2026-11-22";

/// An eligible application (CONTRACT §2) as a bare JSON object.
pub const APPLICATION: &str = r#"{"legal_form":"eenmanszaak","region":"flanders","business_status":"started","activity_type":"main","amount_requested_eur":"9500.00","term_months":36,"funding_purposes":[{"category":"investment","amount_eur":"6000.00"},{"category":"working_capital","amount_eur":"3500.00"}]}"#;

/// An application the engine finds ineligible (a non-profit asking too much).
pub const INELIGIBLE: &str = r#"{"legal_form":"vzw","region":"flanders","business_status":"started","activity_type":"main","amount_requested_eur":"30000","term_months":36,"funding_purposes":[{"category":"investment","amount_eur":"30000"}]}"#;

/// The contract's request around a bare application.
pub fn request(application: &str, lang: &str) -> String {
    format!(
        r#"{{"product":"impulskrediet","as_of":"{AS_OF}","language":"{lang}","application":{application}}}"#
    )
}

/// A fresh directory under cargo's per-target temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "kredo-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the CLI from the package root (where `rules/` and `www/` are).
pub fn kredo(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "true")
        .output()
        .unwrap()
}

/// Runs the CLI with `stdin` as standard input.
pub fn kredo_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// `kredo staff add NAME --db DB` (as the store's owner): the token it printed.
pub fn staff_token(db: &(impl AsDb + ?Sized), name: &str) -> String {
    let owner = db.owner_arg();
    let out = kredo(&["staff", "add", name, "--db", &owner]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("kredo_st_"), "{token}");
    token
}

/// A running `kredo serve`; killed on drop if still running.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

impl Server {
    /// Starts the server on an ephemeral port with `db`, logging into files next to it, and
    /// waits for its `listening on http://…` line.
    pub fn start(db: &(impl AsDb + ?Sized), extra: &[&str]) -> Server {
        let dir = db.log_dir();
        let db_arg = db.db_arg();
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let stdout = dir.join(format!("server-{n}.out"));
        let stderr = dir.join(format!("server-{n}.err"));
        let www = concat!(env!("CARGO_MANIFEST_DIR"), "/www");
        let mut args = vec!["serve", "--addr", "127.0.0.1:0", "--db", &db_arg];
        if !extra.contains(&"--www") {
            args.extend_from_slice(&["--www", www]);
        }
        args.extend_from_slice(extra);
        let child = Command::new(BIN)
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).unwrap())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            base: String::new(),
            stdout,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&server.stdout).unwrap_or_default();
            if let Some(rest) = text.lines().find_map(|l| l.strip_prefix("listening on ")) {
                server.base = rest.trim().to_owned();
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("server exited with {status}: {}", server.logs());
            }
            assert!(
                Instant::now() < deadline,
                "server did not start: {}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything the server wrote on stdout and stderr so far.
    pub fn logs(&self) -> String {
        format!(
            "{}{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill(); // SIGKILL on Unix
        let _ = self.child.wait();
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.terminate_wait()
    }

    /// Waits (at most a minute) for the server to exit.
    pub fn terminate_wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill9();
        }
    }
}

/// A blocking client that returns 4xx/5xx answers instead of failing on them.
pub fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build(),
    )
}

/// An answer: status, body, and the headers the tests look at.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: String,
    pub www_authenticate: Option<String>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The `code` of a `{"error":{"code":…,"message":…}}` body (asserting that shape).
    pub fn error_code(&self) -> String {
        let v = self.json();
        assert!(v["error"]["message"].is_string(), "{v}");
        v["error"]["code"].as_str().unwrap().to_owned()
    }
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = result.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_default();
    let www_authenticate = header("www-authenticate");
    let body = response
        .body_mut()
        .with_config()
        .limit(512 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    Answer {
        status: response.status().as_u16(),
        body,
        content_type,
        www_authenticate,
    }
}

pub fn get(url: &str, token: Option<&str>) -> Answer {
    let mut req = agent().get(url);
    if let Some(token) = token {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    answer(req.call())
}

pub fn post(url: &str, body: &[u8], token: Option<&str>) -> Answer {
    post_with(&agent(), url, body, token, "application/json")
}

pub fn post_with(
    agent: &ureq::Agent,
    url: &str,
    body: &[u8],
    token: Option<&str>,
    content_type: &str,
) -> Answer {
    let mut req = agent.post(url).header("Content-Type", content_type);
    if let Some(token) = token {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    answer(req.send(body))
}

/// A raw `Authorization` header value (for malformed-header tests).
pub fn post_raw_auth(url: &str, body: &[u8], authorization: &str) -> Answer {
    answer(
        agent()
            .post(url)
            .header("Authorization", authorization)
            .send(body),
    )
}

impl Server {
    /// `host:port` of the server, for raw sockets.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    /// Waits (at most `within`) for a log line containing `needle`; the line, if it came.
    pub fn wait_for_log(&self, needle: &str, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            let logs = self.logs();
            if let Some(line) = logs.lines().find(|l| l.contains(needle)) {
                return Some(line.to_owned());
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Reads one HTTP/1.1 answer (head, then a `Content-Length` body) from a raw connection,
/// giving up at `deadline`; what came, possibly cut short by the deadline or the server
/// closing the connection.
pub fn read_answer(conn: &mut std::net::TcpStream, deadline: Instant) -> String {
    use std::io::Read as _;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                got.truncate(end + 4 + length);
                break;
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        conn.set_read_timeout(Some(left)).unwrap();
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Whether the server closed `conn` (end of file, reset, or an answer such as 408) within
/// `within`; `None` if it was still open then.
pub fn closed_within(conn: &mut std::net::TcpStream, within: Duration) -> Option<Duration> {
    use std::io::Read as _;
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    conn.set_read_timeout(Some(within)).unwrap();
    match conn.read(&mut buf) {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            None
        }
        _ => Some(start.elapsed()),
    }
}

/// Runs the CLI as a user for whom file permissions count: `nobody` (through `setpriv`) when
/// the tests run as root, who may write a `0444` file in a `0555` directory; the current user
/// otherwise, or when `setpriv` cannot run the binary. Also says whether it ran as `nobody`.
pub fn kredo_unprivileged(args: &[&str]) -> (Output, bool) {
    const AS_NOBODY: [&str; 3] = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let setpriv_works = is_root
        && Command::new("setpriv")
            .args(AS_NOBODY)
            .args([BIN, "--version"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .is_ok_and(|o| o.status.success());
    if !setpriv_works {
        return (kredo(args), false);
    }
    // `nobody` may not be able to reach the build's folder (a clone under a 0700 directory):
    // run a copy of the binary from a folder anyone can reach.
    let reachable = world_reachable_dir("bin");
    let bin = reachable.join("kredo");
    std::fs::copy(BIN, &bin).unwrap();
    let out = Command::new("setpriv")
        .args(AS_NOBODY)
        .arg(&bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "true")
        .output()
        .unwrap();
    (out, true)
}

/// A fresh folder under the system's temporary directory that every user can reach (mode
/// 0755), for what a test runs as `nobody`: the build's own folders may not be reachable.
/// Removed with everything in it when dropped, so a test run leaves no copies behind.
pub fn world_reachable_dir(name: &str) -> Reachable {
    use std::os::unix::fs::PermissionsExt as _;
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kredo-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    Reachable(dir)
}

/// A folder from [`world_reachable_dir`]; removed on drop.
pub struct Reachable(PathBuf);

impl std::ops::Deref for Reachable {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Reachable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt as _;
        // A test may have made a folder read-only: open them again so that the removal works
        // for a user who is not root too.
        if let Ok(entries) = std::fs::read_dir(&self.0) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    let _ = std::fs::set_permissions(
                        entry.path(),
                        std::fs::Permissions::from_mode(0o755),
                    );
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What `--db` a server or command gets, and where the server's logs go.
pub trait AsDb {
    /// The store as the servers and reading commands name it.
    fn db_arg(&self) -> String;
    /// The store as its owner names it (`staff add`, `store migrate`); the same for SQLite.
    fn owner_arg(&self) -> String {
        self.db_arg()
    }
    /// A directory for the server's log files.
    fn log_dir(&self) -> PathBuf;
}

impl AsDb for Path {
    fn db_arg(&self) -> String {
        self.to_str().unwrap().to_owned()
    }
    fn log_dir(&self) -> PathBuf {
        self.parent().unwrap().to_path_buf()
    }
}

impl AsDb for PathBuf {
    fn db_arg(&self) -> String {
        self.as_path().db_arg()
    }
    fn log_dir(&self) -> PathBuf {
        self.as_path().log_dir()
    }
}

/// The two back ends of the staff store: every store test runs on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod NAME { fn sqlite(); fn postgres(); }` tests calling `NAME(Backend)`.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::staff_support::Backend::Sqlite);
                }
                #[test]
                fn postgres() {
                    super::$name($crate::staff_support::Backend::Postgres);
                }
            }
        )*
    };
}

/// The test cluster's superuser URL: `KREDO_TEST_PG` when set (`.ci/test` sets it), else the
/// project's own cluster, started by `.ci/pg start` (once per test binary).
pub fn pg_admin_url() -> String {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("KREDO_TEST_PG") {
            return url;
        }
        let out = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/pg"))
            .arg("start")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the store's PostgreSQL tests need a server: `.ci/pg start` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_owned()
    })
    .clone()
}

/// `url` (a `postgres://` URL) with another user, password and database.
fn pg_url(admin: &str, user: &str, password: &str, db: &str) -> String {
    let hostpart = admin.split_once('@').unwrap().1.split_once('/').unwrap().0;
    format!("postgres://{user}:{password}@{hostpart}/{db}")
}

fn pg_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

/// A fresh store for one test. SQLite: `k.db` in the test's directory. PostgreSQL: a database
/// of its own, owned by `kredo_owner`, migrated, with `kredo_app` (what the servers connect
/// as) granted reading and appending only; dropped with the test.
pub struct Db {
    pub backend: Backend,
    dir: PathBuf,
    /// SQLite: the file. PostgreSQL: the app role's URL.
    arg: String,
    /// PostgreSQL: the owner's URL and the database's name.
    pg: Option<(String, String)>,
}

impl Db {
    pub fn new(backend: Backend, dir: &TempDir) -> Db {
        Db::named(backend, dir, "k")
    }

    /// A second store in the same test (`name` picks the file or database).
    pub fn named(backend: Backend, dir: &TempDir, name: &str) -> Db {
        match backend {
            Backend::Sqlite => Db {
                backend,
                dir: dir.0.clone(),
                arg: dir.path(&format!("{name}.db")).to_str().unwrap().to_owned(),
                pg: None,
            },
            Backend::Postgres => {
                let db = Db::empty_database(dir, name);
                let out = kredo(&[
                    "store",
                    "migrate",
                    "--db",
                    &db.owner_arg(),
                    "--app-role",
                    "kredo_app",
                ]);
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                db
            }
        }
    }

    /// A store no kredo has touched yet: no file, or an empty database owned by `kredo_owner`.
    pub fn unmigrated(backend: Backend, dir: &TempDir) -> Db {
        match backend {
            Backend::Sqlite => Db::new(backend, dir),
            Backend::Postgres => Db::empty_database(dir, "u"),
        }
    }

    /// A new, empty PostgreSQL database owned by `kredo_owner`, served as `kredo_app`.
    fn empty_database(dir: &TempDir, name: &str) -> Db {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = format!(
            "kredo_t_{}_{}_{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let admin = pg_admin_url();
        pg_client(&admin)
            .batch_execute(&format!("CREATE DATABASE {db} OWNER kredo_owner"))
            .unwrap();
        Db {
            backend: Backend::Postgres,
            dir: dir.0.clone(),
            arg: pg_url(&admin, "kredo_app", "kredo-app", &db),
            pg: Some((pg_url(&admin, "kredo_owner", "kredo-owner", &db), db)),
        }
    }

    /// Runs `sql` as the store's owner (who owns the tables: the triggers still apply).
    pub fn exec(&self, sql: &str) -> Result<(), String> {
        match &self.pg {
            None => rusqlite::Connection::open(&self.arg)
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            Some((owner, _)) => pg_client(owner).batch_execute(sql).map_err(|e| {
                e.as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_owned())
            }),
        }
    }

    /// Runs `sql` as the role the servers connect with (PostgreSQL only).
    pub fn exec_as_app(&self, sql: &str) -> Result<(), String> {
        assert!(self.pg.is_some(), "SQLite has no roles");
        pg_client(&self.arg).batch_execute(sql).map_err(|e| {
            e.as_db_error()
                .map_or(e.to_string(), |d| d.message().to_owned())
        })
    }

    /// The rows `sql` selects, as text (cast the columns: `CAST(x AS TEXT)`).
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match &self.pg {
            None => {
                let conn = rusqlite::Connection::open(&self.arg).unwrap();
                let mut stmt = conn.prepare(sql).unwrap();
                let n = stmt.column_count();
                stmt.query_map([], |r| (0..n).map(|i| r.get::<_, String>(i)).collect())
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            Some((owner, _)) => pg_client(owner)
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|row| (0..row.len()).map(|i| row.get::<_, String>(i)).collect())
                .collect(),
        }
    }

    /// The one row `sql` selects, as text.
    pub fn row(&self, sql: &str) -> Vec<String> {
        let mut rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql}");
        rows.remove(0)
    }

    /// The stored hash of entry `seq`.
    pub fn hash(&self, seq: i64) -> String {
        self.row(&format!("SELECT hash FROM audit_log WHERE seq = {seq}"))
            .remove(0)
    }

    /// Holds what every append needs (SQLite's write lock, PostgreSQL's append lock) from
    /// another connection, until the guard is dropped.
    pub fn hold_write_lock(&self) -> Box<dyn std::any::Any> {
        match &self.pg {
            None => {
                let conn = rusqlite::Connection::open(&self.arg).unwrap();
                conn.execute_batch("BEGIN EXCLUSIVE;").unwrap();
                Box::new(conn)
            }
            Some((owner, _)) => {
                let mut client = pg_client(owner);
                client
                    .batch_execute("SELECT pg_advisory_lock(x'6b726564'::INT, 1);")
                    .unwrap();
                Box::new(client)
            }
        }
    }

    /// The URL of `role` (a role of `.ci/pg`) on this store's database.
    pub fn url_as(&self, role: &str, password: &str) -> String {
        let (_, db) = self.pg.as_ref().expect("PostgreSQL only");
        pg_url(&pg_admin_url(), role, password, db)
    }

    /// Drops one of the append-only triggers, as someone with the owner's rights could.
    pub fn drop_trigger(&self, name: &str) {
        match self.backend {
            Backend::Sqlite => self.exec(&format!("DROP TRIGGER {name};")).unwrap(),
            Backend::Postgres => self
                .exec(&format!("DROP TRIGGER {name} ON audit_log;"))
                .unwrap(),
        }
    }

    /// A file path, for SQLite-only steps.
    pub fn path(&self) -> &Path {
        assert!(self.pg.is_none(), "not a SQLite store");
        Path::new(&self.arg)
    }
}

impl AsDb for Db {
    fn db_arg(&self) -> String {
        self.arg.clone()
    }
    fn owner_arg(&self) -> String {
        self.pg
            .as_ref()
            .map_or_else(|| self.arg.clone(), |(owner, _)| owner.clone())
    }
    fn log_dir(&self) -> PathBuf {
        self.dir.clone()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((_, db)) = &self.pg
            && let Ok(mut admin) = postgres::Client::connect(&pg_admin_url(), postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
        }
    }
}

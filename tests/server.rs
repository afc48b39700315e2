//! `kredo serve` on a real listening socket (127.0.0.1, ephemeral port): every public endpoint
//! and its error paths, the staff auth rules, limits, timeouts, graceful shutdown, and a log
//! that never holds an applicant's answers.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod staff_support;

use std::process::Command;

use staff_support::*;

crate::on_both_stores!(
    staff_routes_need_a_valid_token,
    staff_add_rejects_bad_names_and_makes_distinct_tokens,
    logs_never_hold_applicant_data,
    refuses_a_database_from_a_newer_kredo,
    the_score_is_for_staff_only,
    cases_are_listed_newest_first_filtered_and_paged,
    every_lender_at_once_on_the_public_route_and_never_as_one_case,
);

#[test]
fn healthz_rulesets_and_openapi() {
    let dir = TempDir::new("srv-basic");
    let server = Server::start(&dir.path("k.db"), &[]);

    let health = get(&server.url("/healthz"), None);
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");

    let list = get(&server.url("/api/v1/rulesets"), None);
    assert_eq!(list.status, 200);
    let list = list.json();
    let sets = list["rulesets"].as_array().unwrap();
    assert!(sets.len() >= 3, "{list}");
    let cli = kredo(&["rulesets", "--json"]);
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(
        &list["rulesets"], &cli,
        "the server runs the CLI's rule sets"
    );
    for set in sets {
        assert!(set["hash"].as_str().unwrap().starts_with("sha256:"));
        assert!(set["effective_from"].is_string());
        assert!(set["product"].is_string() && set["version"].is_string());
    }

    let doc = get(&server.url("/api/v1/openapi.json"), None);
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    for path in [
        "/api/v1/check",
        "/api/v1/rulesets",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/decisions",
        "/api/v1/batch",
        "/healthz",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }

    // The rendered API page is served from the binary: no CDN.
    let page = get(&server.url("/api/v1/docs/"), None);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("://"),
        "the API page must not load anything from elsewhere: {html}"
    );
    let init = get(&server.url("/api/v1/docs/swagger-initializer.js"), None);
    assert_eq!(init.status, 200);
    assert!(init.text().contains("/api/v1/openapi.json"));
    assert_eq!(
        get(&server.url("/api/v1/docs/swagger-ui-bundle.js"), None).status,
        200
    );
}

#[test]
fn check_returns_the_same_bytes_as_the_cli() {
    let dir = TempDir::new("srv-check");
    let server = Server::start(&dir.path("k.db"), &[]);
    for (application, lang) in [(APPLICATION, "en"), (INELIGIBLE, "fr"), ("{}", "nl")] {
        let answer = post(
            &server.url("/api/v1/check"),
            request(application, lang).as_bytes(),
            None,
        );
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(answer.content_type, "application/json");
        let cli = kredo_stdin(
            &["check", "--as-of", AS_OF, "--lang", lang, "-"],
            application.as_bytes(),
        );
        assert!(cli.status.success());
        assert_eq!(answer.text(), String::from_utf8(cli.stdout).unwrap());
    }
    // No login and no content type needed for the public check.
    let answer = post_with(
        &agent(),
        &server.url("/api/v1/check"),
        request(APPLICATION, "nl").as_bytes(),
        None,
        "text/plain",
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["outcome"], "eligible");
}

#[test]
fn check_error_paths_are_json() {
    let dir = TempDir::new("srv-errors");
    let server = Server::start(&dir.path("k.db"), &["--max-body-bytes", "4096"]);
    let url = server.url("/api/v1/check");
    let cases: [(&str, u16, &str); 6] = [
        ("{\"application\": {", 400, "invalid_json"),
        ("not json at all", 400, "invalid_json"),
        (
            r#"{"product":"no_such_product","application":{}}"#,
            422,
            "unknown_product",
        ),
        (
            r#"{"as_of":"2026-13-45","application":{}}"#,
            400,
            "invalid_date",
        ),
        (
            r#"{"as_of":"1999-01-01","application":{}}"#,
            422,
            "no_version_in_force",
        ),
        (
            r#"{"version":"1900-01-01","application":{}}"#,
            422,
            "unknown_version",
        ),
    ];
    for (body, status, code) in cases {
        let answer = post(&url, body.as_bytes(), None);
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (status, code),
            "{body}: {}",
            answer.text()
        );
    }
    let answer = post(&url, br#"{"language":"de","application":{}}"#, None);
    assert_eq!(answer.status, 400);
    assert!(!answer.error_code().is_empty());

    let answer = post(&url, b"\xff\xfe{}", None);
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (400, "invalid_json")
    );

    // Body limit: 413 as JSON.
    let big = request(
        &format!(r#"{{"project_description":"{}"}}"#, "x".repeat(8000)),
        "en",
    );
    let answer = post(&url, big.as_bytes(), None);
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (413, "body_too_large")
    );

    // Unknown API routes and wrong methods are JSON too.
    let answer = get(&server.url("/api/v1/nope"), None);
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (404, "not_found")
    );
    let answer = get(&url, None);
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (405, "method_not_allowed")
    );
}

#[test]
fn serves_the_page_and_works_without_it() {
    let dir = TempDir::new("srv-www");
    let server = Server::start(&dir.path("k.db"), &[]);
    let page = get(&server.url("/"), None);
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let on_disk = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/index.html")).unwrap();
    assert_eq!(page.body, on_disk);
    drop(server);

    let missing = dir.path("no-www");
    let server = Server::start(&dir.path("k2.db"), &["--www", missing.to_str().unwrap()]);
    assert_eq!(get(&server.url("/"), None).status, 404);
    let answer = post(
        &server.url("/api/v1/check"),
        request(APPLICATION, "en").as_bytes(),
        None,
    );
    assert_eq!(answer.status, 200);
}

fn staff_routes_need_a_valid_token(backend: Backend) {
    let dir = TempDir::new("srv-auth");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "An Peeters");
    let server = Server::start(&db, &[]);
    let body = request(APPLICATION, "en");

    let routes: [(&str, &str, &[u8]); 4] = [
        ("POST", "/api/v1/cases", body.as_bytes()),
        ("GET", "/api/v1/cases/c_0000000000000000", b""),
        (
            "POST",
            "/api/v1/cases/c_0000000000000000/decisions",
            br#"{"decision":"approve","motivation":"ok"}"#,
        ),
        ("POST", "/api/v1/batch", b"legal_form\nBV\n"),
    ];
    for (method, path, payload) in routes {
        let url = server.url(path);
        let attempts = [None, Some("kredo_st_wrong"), Some("")];
        for bad in attempts {
            let answer = if method == "GET" {
                get(&url, bad)
            } else {
                post(&url, payload, bad)
            };
            assert_eq!(
                answer.status,
                401,
                "{method} {path} with {bad:?}: {}",
                answer.text()
            );
            assert_eq!(answer.error_code(), "unauthorized");
            assert!(
                answer
                    .www_authenticate
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("Bearer")
            );
        }
        let answer = post_raw_auth(&url, payload, &format!("Basic {token}"));
        assert_eq!(answer.status, if method == "GET" { 405 } else { 401 });
    }

    // The right token works.
    let answer = post(&server.url("/api/v1/cases"), body.as_bytes(), Some(&token));
    assert_eq!(answer.status, 201, "{}", answer.text());
    assert_eq!(answer.json()["staff"], "An Peeters");

    // The store keeps only the token's hash.
    let stored: Vec<String> = db
        .rows("SELECT token_hash FROM staff_token")
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("sha256:") && !stored[0].contains(&token[9..]));
    if backend == Backend::Postgres {
        return; // the server's files are PostgreSQL's, not ours to read
    }
    let raw = std::fs::read(db.path()).unwrap();
    let wal = std::fs::read(dir.path("k.db-wal")).unwrap_or_default();
    let needle = &token.as_bytes()[9..];
    assert!(!raw.windows(needle.len()).any(|w| w == needle));
    assert!(!wal.windows(needle.len()).any(|w| w == needle));
}

fn staff_add_rejects_bad_names_and_makes_distinct_tokens(backend: Backend) {
    let dir = TempDir::new("srv-staff");
    let db = Db::new(backend, &dir);
    let a = staff_token(&db, "Bram");
    let b = staff_token(&db, "Bram");
    assert_ne!(a, b);
    let out = kredo(&["staff", "add", "  ", "--db", &db.owner_arg()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn slow_requests_are_answered_503() {
    let dir = TempDir::new("srv-timeout");
    let db = dir.path("k.db");
    let token = staff_token(&db, "Chris");
    let server = Server::start(&db, &["--batch-timeout-ms", "1"]);
    let mut csv = String::from(
        "legal_form,region,business_status,activity_type,amount_requested_eur,term_months,funding_purposes\n",
    );
    for _ in 0..3000 {
        csv.push_str("BV,flanders,started,main,9500,36,investment:9500\n");
    }
    let answer = post_with(
        &agent(),
        &server.url("/api/v1/batch"),
        csv.as_bytes(),
        Some(&token),
        "text/csv",
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (503, "timeout")
    );
    // The server is still fine afterwards.
    assert_eq!(get(&server.url("/healthz"), None).status, 200);
}

#[test]
fn graceful_shutdown_finishes_in_flight_requests() {
    use std::io::{Read as _, Write as _};
    let dir = TempDir::new("srv-shutdown");
    let mut server = Server::start(&dir.path("k.db"), &[]);
    // A request whose body is still arriving is in flight, for certain, when SIGTERM comes.
    let body = request(APPLICATION, "en");
    let (first, rest) = body.split_at(body.len() / 2);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /api/v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    conn.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server must wait for the request"
    );
    conn.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"outcome\":\"eligible\""), "{answer}");
    let status = server.terminate_wait();
    assert!(status.success(), "{status}: {}", server.logs());
    let logs = server.logs();
    let stop = logs.find("shutting down").unwrap();
    let answered = logs.find("\"path\":\"/api/v1/check\"").unwrap();
    assert!(
        stop < answered,
        "the request was answered after the signal: {logs}"
    );
    // New connections are refused once it has stopped.
    assert!(agent().get(&server.url("/healthz")).call().is_err());
}

fn logs_never_hold_applicant_data(backend: Backend) {
    let dir = TempDir::new("srv-privacy");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Eva");
    let server = Server::start(&db, &[]);
    let marker = "Zyxwvut-Quokka-7731";
    let application = format!(
        r#"{{"legal_form":"BV","region":"flanders","business_status":"started","activity_type":"main","amount_requested_eur":"12345.67","term_months":36,"funding_purposes":[{{"category":"investment","amount_eur":"12345.67"}}],"project_description":"{marker}","{marker}_field":"{marker}"}}"#
    );
    let body = request(&application, "en");
    assert_eq!(
        post(&server.url("/api/v1/check"), body.as_bytes(), None).status,
        200
    );
    // Broken and refused requests that quote the data in their error answer.
    let broken = format!(r#"{{"application":{{"legal_form":"{marker}" "#);
    assert_eq!(
        post(&server.url("/api/v1/check"), broken.as_bytes(), None).status,
        400
    );
    let bad_date = format!(r#"{{"as_of":"{marker}","application":{{}}}}"#);
    assert_eq!(
        post(&server.url("/api/v1/check"), bad_date.as_bytes(), None).status,
        400
    );
    let bad_product = format!(r#"{{"product":"{marker}","application":{{}}}}"#);
    assert_eq!(
        post(&server.url("/api/v1/check"), bad_product.as_bytes(), None).status,
        422
    );
    let case = post(&server.url("/api/v1/cases"), body.as_bytes(), Some(&token));
    assert_eq!(case.status, 201);
    let id = case.json()["case_id"].as_str().unwrap().to_owned();
    let decision = format!(r#"{{"decision":"approve","motivation":"{marker} looks fine"}}"#);
    let answer = post(
        &server.url(&format!("/api/v1/cases/{id}/decisions")),
        decision.as_bytes(),
        Some(&token),
    );
    assert_eq!(answer.status, 201);
    assert_eq!(
        get(&server.url(&format!("/api/v1/cases/{id}")), Some(&token)).status,
        200
    );
    let csv =
        format!("legal_form,project_description,amount_requested_eur\nBV,{marker},12345.67\n");
    let answer = post_with(
        &agent(),
        &server.url("/api/v1/batch"),
        csv.as_bytes(),
        Some(&token),
        "text/csv",
    );
    assert_eq!(answer.status, 200);
    assert!(
        answer.text().contains(marker),
        "the batch answer echoes its input"
    );

    let logs = server.logs();
    assert!(
        logs.contains("\"path\":\"/api/v1/check\""),
        "requests are logged: {logs}"
    );
    assert!(logs.contains("\"status\":422"));
    // Nor does the database's password (the store is named in the start line).
    assert!(logs.contains("(store "), "{logs}");
    for secret in [marker, "12345.67", "Eva", &token, "kredo-app"] {
        assert!(
            !logs.contains(secret),
            "`{secret}` leaked into the log:\n{logs}"
        );
    }
}

#[test]
fn quiet_server_logs_no_requests() {
    let dir = TempDir::new("srv-quiet");
    let server = Server::start(&dir.path("k.db"), &["--quiet"]);
    assert_eq!(get(&server.url("/healthz"), None).status, 200);
    assert!(!server.logs().contains("/healthz"));
}

fn refuses_a_database_from_a_newer_kredo(backend: Backend) {
    let dir = TempDir::new("srv-migrate");
    let db = Db::new(backend, &dir);
    drop(Server::start(&db, &[])); // creates and migrates (PostgreSQL: `Db::new` did)
    let versions =
        db.rows("SELECT CAST(version AS TEXT), name FROM schema_migrations ORDER BY version");
    assert_eq!(versions, [["1", "staff tokens and the audit log"]]);
    // The same tables and columns, in the same order, on both back ends.
    for (table, columns) in [
        (
            "audit_log",
            &[
                "seq",
                "case_id",
                "kind",
                "recorded_at",
                "staff_name",
                "body",
                "prev_hash",
                "hash",
            ][..],
        ),
        (
            "staff_token",
            &["id", "staff_name", "token_hash", "created_at", "revoked_at"][..],
        ),
        ("schema_migrations", &["version", "name", "applied_at"][..]),
    ] {
        let sql = match backend {
            Backend::Sqlite => {
                format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")
            }
            Backend::Postgres => format!(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
            ),
        };
        let found: Vec<String> = db.rows(&sql).into_iter().map(|mut r| r.remove(0)).collect();
        assert_eq!(found, columns, "{table}");
    }
    // A second start on the same store applies nothing twice.
    drop(Server::start(&db, &[]));
    assert_eq!(db.rows("SELECT name FROM schema_migrations").len(), 1);
    db.exec("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
        .unwrap();
    let out = kredo(&["serve", "--addr", "127.0.0.1:0", "--db", &db.db_arg()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer"));
}

/// A client that sends its headers a byte at a time is cut off by `--header-timeout-ms`, and
/// while a few of them drip, everybody else is answered as usual.
#[test]
fn slow_headers_are_cut_off_while_others_are_served() {
    use std::io::{ErrorKind, Read as _, Write as _};
    use std::time::{Duration, Instant};
    let dir = TempDir::new("srv-slow-headers");
    let server = Server::start(&dir.path("k.db"), &["--header-timeout-ms", "1000"]);
    let addr = server.addr();
    // Sent whole, this head would take 300 ms × its length, well over 10 s.
    let head = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: slow\r\n\r\n");
    let slow: Vec<_> = (0..10)
        .map(|_| {
            let (addr, head) = (addr.clone(), head.clone());
            std::thread::spawn(move || {
                let start = Instant::now();
                let mut conn = std::net::TcpStream::connect(&addr).unwrap();
                conn.set_read_timeout(Some(Duration::from_millis(300)))
                    .unwrap();
                let mut buf = [0u8; 512];
                for (sent, byte) in head.bytes().enumerate() {
                    if conn.write_all(&[byte]).is_err() {
                        return (start.elapsed(), sent, String::new());
                    }
                    // The read's timeout is the pause between two bytes.
                    match conn.read(&mut buf) {
                        Err(e)
                            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                        Ok(n) => {
                            let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
                            return (start.elapsed(), sent + 1, answer);
                        }
                        Err(_) => return (start.elapsed(), sent + 1, String::new()),
                    }
                    if start.elapsed() > Duration::from_secs(6) {
                        break;
                    }
                }
                panic!(
                    "a slow connection was still open after {:?}",
                    start.elapsed()
                );
            })
        })
        .collect();
    let mut slowest_other = Duration::ZERO;
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        let start = Instant::now();
        assert_eq!(get(&server.url("/healthz"), None).status, 200);
        slowest_other = slowest_other.max(start.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut slowest_close = Duration::ZERO;
    for thread in slow {
        let (after, sent, answer) = thread.join().unwrap();
        assert!(sent < head.len(), "the whole head went through");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
        slowest_close = slowest_close.max(after);
    }
    eprintln!(
        "slow headers: closed after at most {slowest_close:?}; others answered within {slowest_other:?}"
    );
    assert!(
        slowest_close < Duration::from_millis(2500),
        "{slowest_close:?}"
    );
    assert!(slowest_other < Duration::from_secs(1), "{slowest_other:?}");
}

/// The header deadline also runs between requests: an idle keep-alive connection is closed.
#[test]
fn idle_keep_alive_connections_are_closed() {
    use std::io::Write as _;
    use std::time::{Duration, Instant};
    let dir = TempDir::new("srv-idle");
    let server = Server::start(&dir.path("k.db"), &["--header-timeout-ms", "1000"]);
    let addr = server.addr();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(conn, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let answer = read_answer(&mut conn, Instant::now() + Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let closed = closed_within(&mut conn, Duration::from_secs(5))
        .expect("an idle keep-alive connection was still open after 5 s");
    eprintln!("idle keep-alive connection closed {closed:?} after its answer");
    assert!(
        closed > Duration::from_millis(500) && closed < Duration::from_millis(2500),
        "{closed:?}"
    );
}

/// Beyond `--max-connections`, a new connection waits, unanswered, until another closes.
#[test]
fn connections_beyond_the_limit_wait_for_a_free_one() {
    use std::io::Write as _;
    use std::time::{Duration, Instant};
    let dir = TempDir::new("srv-max-conn");
    let server = Server::start(
        &dir.path("k.db"),
        &["--max-connections", "2", "--header-timeout-ms", "8000"],
    );
    let addr = server.addr();
    let idle: Vec<_> = (0..2)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    let mut third = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        third,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let early = read_answer(&mut third, Instant::now() + Duration::from_millis(800));
    assert!(early.is_empty(), "answered beyond the limit: {early}");
    assert!(
        server
            .wait_for_log("all 2 connections are in use", Duration::from_secs(2))
            .is_some(),
        "{}",
        server.logs()
    );
    let freed = Instant::now();
    drop(idle);
    let answer = read_answer(&mut third, Instant::now() + Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    eprintln!(
        "a waiting connection was served {:?} after a slot freed",
        freed.elapsed()
    );
    assert!(freed.elapsed() < Duration::from_secs(2));
}

/// A body announced larger than the route's limit is refused at once, before it is sent: the
/// client does not wait for a timeout, and with `Expect: 100-continue` is never asked for it.
#[test]
fn oversized_bodies_are_refused_before_they_are_sent() {
    use std::io::Write as _;
    use std::time::{Duration, Instant};
    let dir = TempDir::new("srv-413");
    let db = dir.path("k.db");
    let token = staff_token(&db, "Dirk");
    let server = Server::start(
        &db,
        &["--max-body-bytes", "4096", "--max-batch-bytes", "100000"],
    );
    let addr = server.addr();
    let auth = format!("Authorization: Bearer {token}\r\n");
    let mut slowest = Duration::ZERO;
    for (path, length, staff) in [
        ("/api/v1/check", 1_000_000_000, false),
        ("/api/v1/check", 4097, false),
        ("/api/v1/cases", 1_000_000_000, true),
        ("/api/v1/batch", 1_000_000_000, true),
        ("/api/v1/batch", 100_001, true),
    ] {
        for expect in ["", "Expect: 100-continue\r\n"] {
            let start = Instant::now();
            let mut conn = std::net::TcpStream::connect(&addr).unwrap();
            write!(
                conn,
                "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/csv\r\nContent-Length: {length}\r\n{}{expect}\r\n",
                if staff { auth.as_str() } else { "" }
            )
            .unwrap();
            let answer = read_answer(&mut conn, start + Duration::from_secs(5));
            let took = start.elapsed();
            slowest = slowest.max(took);
            assert!(
                answer.starts_with("HTTP/1.1 413"),
                "{path} {length} {expect:?}: {answer}"
            );
            assert!(answer.contains(r#""code":"body_too_large""#), "{answer}");
            assert!(took < Duration::from_secs(2), "{path}: {took:?}");
        }
    }
    eprintln!("413 for an announced oversized body within {slowest:?}");

    // A client that sends its too-large body without waiting still reads the 413, not a
    // reset connection: the server reads and drops what is in flight (up to a bound).
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    let length = 600_000;
    write!(
        conn,
        "POST /api/v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {length}\r\n\r\n"
    )
    .unwrap();
    let mut writer = conn.try_clone().unwrap();
    let sender = std::thread::spawn(move || writer.write_all(&vec![b' '; length]));
    let answer = read_answer(&mut conn, Instant::now() + Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    sender.join().unwrap().unwrap();

    // At the limit, the client is asked for its body and the route reads it.
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /api/v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 4096\r\nExpect: 100-continue\r\n\r\n"
    )
    .unwrap();
    let go_on = read_answer(&mut conn, Instant::now() + Duration::from_secs(5));
    assert!(go_on.starts_with("HTTP/1.1 100"), "{go_on}");
    let body = format!("{:<4096}", request("{}", "en"));
    assert_eq!(body.len(), 4096);
    conn.write_all(body.as_bytes()).unwrap();
    let answer = read_answer(&mut conn, Instant::now() + Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// The OpenAPI document's examples, as the API page fills them in, work when sent; and what the
/// document says the envelope refuses, the server refuses (`.ci/api-fuzz` checks the rest).
#[test]
fn the_documents_examples_work_and_its_limits_hold() {
    let dir = TempDir::new("srv-openapi");
    let db = dir.path("k.db");
    let token = staff_token(&db, "An Peeters");
    let server = Server::start(&db, &[]);
    let doc = get(&server.url("/api/v1/openapi.json"), None).json();
    let example = |path: &str, content_type: &str| {
        let value = &doc["paths"][path]["post"]["requestBody"]["content"][content_type]["example"];
        assert!(!value.is_null(), "{path} has no {content_type} example");
        value.clone()
    };

    // The public check's example: a complete application the default product finds eligible.
    let check = example("/api/v1/check", "application/json");
    let answer = post(
        &server.url("/api/v1/check"),
        check.to_string().as_bytes(),
        None,
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let decision = answer.json();
    assert_eq!(decision["outcome"], "eligible", "{decision}");
    for list in ["errors", "warnings", "skipped"] {
        assert_eq!(decision[list], serde_json::json!([]), "{decision}");
    }

    // The same request records a case; the staff decision's example decides on it.
    // Staff ask for the score too; otherwise the same request.
    let case = example("/api/v1/cases", "application/json");
    let mut with_score = check.clone();
    with_score["score"] = serde_json::Value::Bool(true);
    assert_eq!(case, with_score);
    let created = post(
        &server.url("/api/v1/cases"),
        case.to_string().as_bytes(),
        Some(&token),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let case_id = created.json()["case_id"].as_str().unwrap().to_owned();
    let staff = &doc["components"]["schemas"]["StaffDecisionInput"]["example"];
    let decided = post(
        &server.url(&format!("/api/v1/cases/{case_id}/decisions")),
        staff.to_string().as_bytes(),
        Some(&token),
    );
    assert_eq!(decided.status, 201, "{}", decided.text());

    // The batch's example CSV screens.
    let csv = example("/api/v1/batch", "text/csv");
    let batch = post_with(
        &agent(),
        &server.url("/api/v1/batch"),
        csv.as_str().unwrap().as_bytes(),
        Some(&token),
        "text/csv",
    );
    assert_eq!(batch.status, 200, "{}", batch.text());
    assert!(batch.text().lines().nth(1).unwrap().contains("eligible"));

    // The envelope takes its own keys only, and the values the document lists.
    let request = &doc["components"]["schemas"]["CheckRequest"];
    assert_eq!(request["additionalProperties"], false);
    for (body, status) in [
        (r#"{"application":{},"colour":"blue"}"#, 400),
        (r#"{"application":{},"version":""}"#, 422),
        (r#"{"application":{},"language":"EN"}"#, 400),
        (r#"{"application":{},"as_of":"2020-07-02"}"#, 422),
        (
            r#"{"application":{},"as_of":"2020-07-02","version":"2020-07-03"}"#,
            200,
        ),
        (
            r#"{"application":[],"product":null,"version":null,"as_of":null}"#,
            200,
        ),
    ] {
        let answer = post(&server.url("/api/v1/check"), body.as_bytes(), None);
        assert_eq!(answer.status, status, "{body}: {}", answer.text());
    }
    let versions = request["properties"]["version"]["enum"].as_array().unwrap();
    assert!(!versions.contains(&"".into()) && versions.contains(&serde_json::Value::Null));

    // A motivation with nothing visible is refused, as the document's patterns say; `corrects`
    // is a whole number however it is written.
    let decisions = server.url(&format!("/api/v1/cases/{case_id}/decisions"));
    let seq = decided.json()["seq"].as_i64().unwrap();
    for (body, status) in [
        (
            r#"{"decision":"decline","motivation":" \u00a0\u2003 "}"#.to_owned(),
            422,
        ),
        (
            r#"{"decision":"decline","motivation":"\u200b\u0007"}"#.to_owned(),
            422,
        ),
        (
            format!(r#"{{"decision":"decline","motivation":"x","corrects":{seq}.0}}"#),
            201,
        ),
        (
            format!(r#"{{"decision":"decline","motivation":"x","corrects":{seq}.5}}"#),
            400,
        ),
        (
            r#"{"decision":"decline","motivation":"x","corrects":1e400}"#.to_owned(),
            400,
        ),
    ] {
        let answer = post(&decisions, body.as_bytes(), Some(&token));
        assert_eq!(answer.status, status, "{body}: {}", answer.text());
    }
}

fn the_score_is_for_staff_only(backend: Backend) {
    let dir = TempDir::new("srv-score");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "An Peeters");
    let server = Server::start(&db, &[]);
    let scored = |score: &str| {
        format!(
            r#"{{"as_of":"2026-12-01","language":"en","score":{score},"application":{APPLICATION}}}"#
        )
    };
    // Staff: the case is screened with its score, and the audit trail keeps it.
    let created = post(
        &server.url("/api/v1/cases"),
        scored("true").as_bytes(),
        Some(&token),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let case = created.json();
    let score = &case["decision"]["score"];
    assert_eq!(score["max"], 100, "{case}");
    assert_eq!(score["total"], 0);
    assert_eq!(score["band"], "D");
    let history = get(
        &server.url(&format!(
            "/api/v1/cases/{}",
            case["case_id"].as_str().unwrap()
        )),
        Some(&token),
    );
    assert_eq!(
        history.json()["entries"][0]["body"]["decision"]["score"],
        *score
    );
    // Staff without asking: no score.
    let plain = post(
        &server.url("/api/v1/cases"),
        scored("false").as_bytes(),
        Some(&token),
    );
    assert!(plain.json()["decision"].get("score").is_none());
    // The public route refuses the key, whatever its value, and never answers with a score.
    for value in ["true", "false"] {
        let answer = post(&server.url("/api/v1/check"), scored(value).as_bytes(), None);
        assert_eq!(answer.status, 400, "{}", answer.text());
        assert_eq!(answer.error_code(), "invalid_request");
    }
    let public = post(
        &server.url("/api/v1/check"),
        br#"{"as_of":"2026-12-01","application":{"market_evidence":"strong"}}"#,
        None,
    );
    assert_eq!(public.status, 200);
    assert!(!public.text().contains("\"score\""));
    // The staff batch adds the score's columns with `?score=true`.
    let csv = "legal_form,region,business_status,activity_type,amount_requested_eur,term_months,funding_purposes,market_evidence\n\
               eenmanszaak,flanders,started,main,10000.00,36,investment:10000.00,strong\n";
    let batch = post(
        &server.url("/api/v1/batch?as_of=2026-12-01&score=true"),
        csv.as_bytes(),
        Some(&token),
    );
    assert_eq!(batch.status, 200, "{}", batch.text());
    let text = batch.text();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",score_total,score_band,score_reasons")
    );
    assert!(lines.next().unwrap().contains(",10,D,"), "{text}");
}

fn cases_are_listed_newest_first_filtered_and_paged(backend: Backend) {
    let dir = TempDir::new("srv-list");
    let db = Db::new(backend, &dir);
    let an = staff_token(&db, "An Peeters");
    let bo = staff_token(&db, "Bo Claes");
    let server = Server::start(&db, &[]);
    let create = |application: &str, token: &str| {
        let answer = post(
            &server.url("/api/v1/cases"),
            request(application, "en").as_bytes(),
            Some(token),
        );
        assert_eq!(answer.status, 201, "{}", answer.text());
        answer.json()["case_id"].as_str().unwrap().to_owned()
    };
    let first = create(APPLICATION, &an);
    let second = create(INELIGIBLE, &an);
    let third = create(APPLICATION, &bo);
    // An declines the eligible first case: an override.
    let decided = post(
        &server.url(&format!("/api/v1/cases/{first}/decisions")),
        br#"{"decision":"decline","motivation":"The projections do not hold."}"#,
        Some(&bo),
    );
    assert_eq!(decided.status, 201, "{}", decided.text());

    let list = |query: &str| {
        let answer = get(&server.url(&format!("/api/v1/cases{query}")), Some(&an));
        assert_eq!(answer.status, 200, "{query}: {}", answer.text());
        answer.json()
    };
    let ids = |page: &serde_json::Value| -> Vec<String> {
        page["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = list("");
    assert_eq!(ids(&all), [third.clone(), second.clone(), first.clone()]);
    assert!(all["next"].is_null());
    let oldest = &all["cases"][2];
    assert_eq!(oldest["outcome"], "eligible");
    assert_eq!(oldest["staff"], "An Peeters");
    assert_eq!(oldest["staff_decision"]["decision"], "decline");
    assert_eq!(oldest["staff_decision"]["override"], true);
    assert_eq!(oldest["staff_decision"]["staff"], "Bo Claes");
    assert!(all["cases"][0]["staff_decision"].is_null());

    assert_eq!(
        ids(&list("?outcome=ineligible")),
        std::slice::from_ref(&second)
    );
    assert_eq!(
        ids(&list("?staff=Bo%20Claes")),
        std::slice::from_ref(&third)
    );
    assert_eq!(
        ids(&list("?decision=none")),
        [third.clone(), second.clone()]
    );
    assert_eq!(
        ids(&list("?decision=decline")),
        std::slice::from_ref(&first)
    );
    assert_eq!(ids(&list("?from=2000-01-01&to=9999-12-31")).len(), 3);
    assert!(ids(&list("?to=2000-01-01")).is_empty());

    // Paging: one at a time, following `next`.
    let mut seen = Vec::new();
    let mut page = list("?limit=1");
    loop {
        seen.extend(ids(&page));
        let Some(next) = page["next"].as_str().map(str::to_owned) else {
            break;
        };
        let answer = get(&server.url(&next), Some(&an));
        assert_eq!(answer.status, 200);
        page = answer.json();
    }
    assert_eq!(seen, [third, second, first]);

    for (query, code) in [
        ("?outcome=approved", "invalid_request"),
        ("?decision=maybe", "invalid_request"),
        ("?limit=0", "invalid_request"),
        ("?limit=201", "invalid_request"),
        ("?before=0", "invalid_request"),
        ("?sort=asc", "invalid_request"),
        ("?from=30-11-2026", "invalid_date"),
    ] {
        let answer = get(&server.url(&format!("/api/v1/cases{query}")), Some(&an));
        assert_eq!(answer.status, 400, "{query}: {}", answer.text());
        assert_eq!(answer.error_code(), code, "{query}");
    }
    assert_eq!(get(&server.url("/api/v1/cases"), None).status, 401);
}

fn every_lender_at_once_on_the_public_route_and_never_as_one_case(backend: Backend) {
    let dir = TempDir::new("srv-all");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "An Peeters");
    let server = Server::start(&db, &[]);
    let body = format!(
        r#"{{"product":"*","as_of":"2026-11-22","language":"en","application":{APPLICATION}}}"#
    );
    // The public route answers every product in force, the same bytes as the library.
    let answer = post(&server.url("/api/v1/check"), body.as_bytes(), None);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let expected = kredo::Kredo::embedded()
        .unwrap()
        .evaluate_json(&body, kredo::Date::parse("2026-11-22").unwrap())
        .unwrap();
    assert_eq!(answer.text().trim_end(), expected);
    let v = answer.json();
    assert_eq!(v["decisions"].as_array().unwrap().len(), 4);
    assert!(v["referrals"].is_array());
    // A case records one product's decision: `*` is refused, naming the field, and nothing
    // is written.
    let refused = post(&server.url("/api/v1/cases"), body.as_bytes(), Some(&token));
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert_eq!(refused.json()["error"]["field"], "product");
    let list = get(&server.url("/api/v1/cases"), Some(&token));
    assert_eq!(list.json()["cases"].as_array().unwrap().len(), 0);
}

//! The audit trail on a real server: cases, staff decisions and overrides, the hash chain,
//! `kredo audit verify` naming the first broken entry after tampering, and a `kill -9` in the
//! middle of recording cases that loses no acknowledged entry. Then the chain anchored by signed
//! checkpoints (truncation and rewriting caught, tampered checkpoints and wrong keys refused),
//! verification of a read-only copy, token revocation and the health check's write probe.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod staff_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use staff_support::*;

crate::on_both_stores!(
    a_case_records_everything_and_staff_decisions_append,
    override_follows_the_engine_outcome,
    the_store_is_append_only_and_verify_names_the_first_broken_entry,
    chain_links_match_the_documented_hash,
    kill_9_during_case_recording_loses_no_acknowledged_entry,
    two_instances_append_to_one_chain_while_one_is_killed,
    instances_starting_together_migrate_once,
    a_checkpoint_catches_the_truncation_that_plain_verify_misses,
    a_checkpoint_catches_a_rewrite_before_it,
    a_tampered_checkpoint_or_a_wrong_key_fails,
    verify_needs_no_write_access,
    a_revoked_token_is_refused_at_once,
    healthz_reports_the_store_write_health,
    a_motivation_must_have_visible_text,
);

fn verify(db: &Db) -> (Option<i32>, String) {
    let out = kredo(&["audit", "verify", "--db", &db.db_arg()]);
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn decide(server: &Server, token: &str, id: &str, body: &str) -> Answer {
    post(
        &server.url(&format!("/api/v1/cases/{id}/decisions")),
        body.as_bytes(),
        Some(token),
    )
}

fn a_case_records_everything_and_staff_decisions_append(backend: Backend) {
    let dir = TempDir::new("audit-case");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Fien");
    let server = Server::start(&db, &[]);

    let body = request(INELIGIBLE, "en");
    let created = post(&server.url("/api/v1/cases"), body.as_bytes(), Some(&token));
    assert_eq!(created.status, 201, "{}", created.text());
    let created_json = created.json();
    let id = created_json["case_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("c_"));
    // The recorded decision is the check's decision, byte for byte.
    let check = post(&server.url("/api/v1/check"), body.as_bytes(), None).text();
    let text = created.text();
    assert!(text.contains(check.trim_end()), "{text}\n{check}");
    assert_eq!(created_json["decision"]["outcome"], "ineligible");

    // Staff decisions: an approval of an ineligible case is an override.
    let d1 = decide(
        &server,
        &token,
        &id,
        r#"{"decision":"approve","motivation":"The board accepts the exception."}"#,
    );
    assert_eq!(d1.status, 201, "{}", d1.text());
    let d1 = d1.json();
    assert_eq!(d1["kind"], "decision");
    assert_eq!(d1["body"]["override"], true);
    assert_eq!(d1["body"]["engine_outcome"], "ineligible");
    assert_eq!(d1["staff"], "Fien");
    // A correction is a new entry naming the one it corrects.
    let correction = format!(
        r#"{{"decision":"refer_elsewhere","motivation":"Mistake: refer to the bank.","corrects":{}}}"#,
        d1["seq"]
    );
    let d2 = decide(&server, &token, &id, &correction);
    assert_eq!(d2.status, 201, "{}", d2.text());
    let d2 = d2.json();
    assert_eq!(d2["body"]["override"], false);
    assert_eq!(d2["body"]["corrects"], d1["seq"]);
    assert_eq!(d2["prev_hash"], d1["hash"]);

    // Error paths.
    let bad = [
        (
            r#"{"decision":"maybe","motivation":"x"}"#,
            422,
            "invalid_request",
        ),
        (
            r#"{"decision":"decline","motivation":"   "}"#,
            422,
            "invalid_request",
        ),
        (
            r#"{"decision":"decline","motivation":"x","corrects":1}"#,
            422,
            "invalid_request",
        ),
        (
            r#"{"decision":"decline","motivation":"x","extra":1}"#,
            400,
            "invalid_json",
        ),
        (r#"{"decision":"decline""#, 400, "invalid_json"),
    ];
    for (payload, status, code) in bad {
        let answer = decide(&server, &token, &id, payload);
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (status, code),
            "{payload}"
        );
    }
    let answer = decide(
        &server,
        &token,
        "c_ffffffffffffffff",
        r#"{"decision":"decline","motivation":"x"}"#,
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (404, "unknown_case")
    );
    let answer = get(
        &server.url("/api/v1/cases/c_ffffffffffffffff"),
        Some(&token),
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (404, "unknown_case")
    );
    // A request the engine refuses records nothing.
    let answer = post(
        &server.url("/api/v1/cases"),
        br#"{"product":"nope","application":{}}"#,
        Some(&token),
    );
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (422, "unknown_product")
    );

    // The history holds all of it, oldest first.
    let history = get(&server.url(&format!("/api/v1/cases/{id}")), Some(&token));
    assert_eq!(history.status, 200);
    let history = history.json();
    let entries = history["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let case = &entries[0];
    assert_eq!(case["kind"], "case");
    assert_eq!(case["staff"], "Fien");
    assert!(case["recorded_at"].as_str().unwrap().ends_with('Z'));
    let b = &case["body"];
    assert_eq!(b["case_id"], id.as_str());
    assert_eq!(b["product"], "impulskrediet");
    assert_eq!(b["version"], "2025-01-01");
    assert!(b["rule_set_hash"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(b["engine_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(b["outcome"], "ineligible");
    assert_eq!(b["raw_request"], body.as_str());
    assert_eq!(b["normalized"]["legal_form"], "vzw");
    assert_eq!(b["decision"], created_json["decision"]);
    assert_eq!(entries[1]["body"]["decision"], "approve");
    assert_eq!(entries[2]["body"]["decision"], "refer_elsewhere");
    assert_eq!(
        entries[1]["body"]["motivation"],
        "The board accepts the exception."
    );

    let (code, out) = verify(&db);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact: 3 entries"), "{out}");
}

fn override_follows_the_engine_outcome(backend: Backend) {
    let dir = TempDir::new("audit-override");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Gert");
    let server = Server::start(&db, &[]);
    let eligible = post(
        &server.url("/api/v1/cases"),
        request(APPLICATION, "nl").as_bytes(),
        Some(&token),
    )
    .json();
    assert_eq!(eligible["decision"]["outcome"], "eligible");
    let id = eligible["case_id"].as_str().unwrap();
    for (decision, is_override) in [
        ("approve", false),
        ("ask_information", false),
        ("decline", true),
        ("refer_elsewhere", true),
    ] {
        let answer = decide(
            &server,
            &token,
            id,
            &format!(r#"{{"decision":"{decision}","motivation":"m"}}"#),
        );
        assert_eq!(answer.status, 201);
        assert_eq!(answer.json()["body"]["override"], is_override, "{decision}");
    }
}

fn the_store_is_append_only_and_verify_names_the_first_broken_entry(backend: Backend) {
    let dir = TempDir::new("audit-tamper");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Hanne");
    let server = Server::start(&db, &[]);
    let mut ids = Vec::new();
    for _ in 0..5 {
        let answer = post(
            &server.url("/api/v1/cases"),
            request(APPLICATION, "en").as_bytes(),
            Some(&token),
        );
        assert_eq!(answer.status, 201);
        ids.push(answer.json()["case_id"].as_str().unwrap().to_owned());
    }
    drop(server);
    assert_eq!(verify(&db).0, Some(0));

    // The triggers refuse edits and deletions, even to the tables' owner…
    for edit in [
        "UPDATE audit_log SET staff_name = 'X' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
    ] {
        let refused = db.exec(edit).unwrap_err();
        assert!(refused.contains("audit_log is append-only"), "{refused}");
    }
    if backend == Backend::Postgres {
        // …and the role the servers connect with may not even try, nor drop the triggers.
        for edit in [
            "UPDATE audit_log SET staff_name = 'X' WHERE seq = 2",
            "DELETE FROM audit_log WHERE seq = 2",
            "TRUNCATE audit_log",
            "DROP TRIGGER audit_log_no_delete ON audit_log",
            "UPDATE staff_token SET revoked_at = NULL",
        ] {
            let refused = db.exec_as_app(edit).unwrap_err();
            assert!(
                refused.contains("permission denied") || refused.contains("must be owner"),
                "{edit}: {refused}"
            );
        }
        let refused = db.exec("TRUNCATE audit_log").unwrap_err();
        assert!(refused.contains("audit_log is append-only"), "{refused}");
    }
    assert_eq!(verify(&db).0, Some(0));

    // …and someone who drops them is caught by the chain: an edited entry…
    let original = db.row("SELECT body, hash FROM audit_log WHERE seq = 3");
    db.drop_trigger("audit_log_no_update");
    db.drop_trigger("audit_log_no_delete");
    db.exec("UPDATE audit_log SET body = replace(body, '9500.00', '9000.00') WHERE seq = 3")
        .unwrap();
    let (code, out) = verify(&db);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 3"), "{out}");
    assert!(out.contains(&ids[2]), "names the case: {out}");

    // …an edit whose hash was recomputed breaks the next link…
    let [case_id, kind, at, staff, body, prev]: [String; 6] = db
        .row("SELECT case_id, kind, recorded_at, staff_name, body, prev_hash FROM audit_log WHERE seq = 3")
        .try_into()
        .unwrap();
    let rehash = kredo_audit_hash(3, &case_id, &kind, &at, &staff, &body, &prev);
    db.exec(&format!(
        "UPDATE audit_log SET hash = '{rehash}' WHERE seq = 3"
    ))
    .unwrap();
    let (code, out) = verify(&db);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 4"), "{out}");

    // …put back as it was, the chain holds again…
    db.exec(&format!(
        "UPDATE audit_log SET body = '{}', hash = '{}' WHERE seq = 3",
        original[0].replace('\'', "''"),
        original[1]
    ))
    .unwrap();
    assert_eq!(verify(&db).0, Some(0));

    // …and a deleted entry leaves a gap.
    db.exec("DELETE FROM audit_log WHERE seq = 2").unwrap();
    let (code, out) = verify(&db);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 3"), "{out}");

    let json = kredo(&["audit", "verify", "--json", "--db", &db.db_arg()]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["first_broken"]["seq"], 3);
    assert_eq!(report["entries_ok"], 1);

    // No store there: no result (2), and nothing is created.
    let absent = match backend {
        Backend::Sqlite => p(&dir.path("none.db")).to_owned(),
        Backend::Postgres => db.url_as("kredo_app", "kredo-app") + "_absent",
    };
    let out = kredo(&["audit", "verify", "--db", &absent]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path("none.db").exists());
}

/// The canonical hash of `src/native/audit.rs`, re-implemented from its documentation: the
/// test proves the format is what the docs say, so anyone can verify a chain independently.
fn kredo_audit_hash(
    seq: i64,
    case_id: &str,
    kind: &str,
    at: &str,
    staff: &str,
    body: &str,
    prev: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for field in [
        "kredo-audit-v1",
        &seq.to_string(),
        case_id,
        kind,
        at,
        staff,
        body,
        prev,
    ] {
        h.update(format!("{}:", field.len()));
        h.update(field);
        h.update("\n");
    }
    let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{digest}")
}

/// seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash: a row as stored.
type StoredEntry = (i64, String, String, String, String, String, String, String);

fn chain_links_match_the_documented_hash(backend: Backend) {
    let dir = TempDir::new("audit-doc-hash");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Ines");
    let server = Server::start(&db, &[]);
    let id = post(
        &server.url("/api/v1/cases"),
        request(APPLICATION, "fr").as_bytes(),
        Some(&token),
    )
    .json()["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    decide(
        &server,
        &token,
        &id,
        r#"{"decision":"ask_information","motivation":"Bank statement?"}"#,
    );
    drop(server);
    let rows: Vec<StoredEntry> = db
        .rows("SELECT CAST(seq AS TEXT), case_id, kind, recorded_at, staff_name, body, prev_hash, hash FROM audit_log ORDER BY seq")
        .into_iter()
        .map(|r| {
            let [seq, case_id, kind, at, staff, body, prev, hash]: [String; 8] =
                r.try_into().unwrap();
            (seq.parse().unwrap(), case_id, kind, at, staff, body, prev, hash)
        })
        .collect();
    assert_eq!(rows.len(), 2);
    let mut prev = format!("sha256:{}", "0".repeat(64));
    for (seq, case_id, kind, at, staff, body, prev_hash, hash) in rows {
        assert_eq!(prev_hash, prev);
        assert_eq!(
            hash,
            kredo_audit_hash(seq, &case_id, &kind, &at, &staff, &body, &prev_hash)
        );
        prev = hash;
    }
}

fn kill_9_during_case_recording_loses_no_acknowledged_entry(backend: Backend) {
    let dir = TempDir::new("audit-crash");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Jules");
    let mut server = Server::start(&db, &[]);
    let url = server.url("/api/v1/cases");
    let acknowledged: Arc<Mutex<Vec<(String, i64, usize)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let body = request(if i % 2 == 0 { APPLICATION } else { INELIGIBLE }, "en");
            recorder(
                url.clone(),
                token.clone(),
                body,
                0,
                Arc::clone(&acknowledged),
                Arc::default(),
                Arc::clone(&stop),
            )
        })
        .collect();
    // Let a good number of entries be acknowledged, then kill the server mid-stream.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 60 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill9();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 60,
        "only {} cases were recorded",
        acknowledged.len()
    );

    // The chain is intact after the crash…
    let (code, out) = verify(&db);
    assert_eq!(code, Some(0), "{out}");
    // …and every acknowledged entry is there, under its acknowledged sequence number.
    let server = Server::start(&db, &[]);
    for (id, seq, _) in &acknowledged {
        let history = get(&server.url(&format!("/api/v1/cases/{id}")), Some(&token));
        assert_eq!(history.status, 200, "acknowledged case {id} was lost");
        assert_eq!(history.json()["entries"][0]["seq"].as_i64(), Some(*seq));
    }
    // Recording goes on after the restart, on the same chain.
    let answer = post(
        &server.url("/api/v1/cases"),
        request(APPLICATION, "en").as_bytes(),
        Some(&token),
    );
    assert_eq!(answer.status, 201);
    let max_seq = acknowledged.iter().map(|(_, s, _)| *s).max().unwrap();
    assert!(answer.json()["seq"].as_i64().unwrap() > max_seq);
    drop(server);
    assert_eq!(verify(&db).0, Some(0));
}

/// Records cases (`body`) on `url` from one thread until `stop`; each acknowledged case is
/// pushed with its seq and `instance`, and every other answer counted in `refused`.
fn recorder(
    url: String,
    token: String,
    body: String,
    instance: usize,
    acknowledged: Arc<Mutex<Vec<(String, i64, usize)>>>,
    refused: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let agent = agent();
        while !stop.load(Ordering::Relaxed) {
            let Ok(mut response) = agent
                .post(&url)
                .header("Authorization", &format!("Bearer {token}"))
                .send(body.as_bytes())
            else {
                return; // this instance is gone
            };
            let status = response.status();
            let Ok(text) = response.body_mut().read_to_string() else {
                return; // the answer was cut off: not acknowledged
            };
            if status != 201 {
                refused.lock().unwrap().push(format!("{status}: {text}"));
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            acknowledged.lock().unwrap().push((
                v["case_id"].as_str().unwrap().to_owned(),
                v["seq"].as_i64().unwrap(),
                instance,
            ));
        }
    })
}

/// Several servers on one store append to one chain: two instances on their own ports record
/// cases concurrently, one is killed with -9 mid-write, the other goes on. Afterwards the
/// chain verifies, every acknowledged case is there under its seq, and no seq was given twice.
fn two_instances_append_to_one_chain_while_one_is_killed(backend: Backend) {
    let dir = TempDir::new("audit-two");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Wout");
    let mut first = Server::start(&db, &[]);
    let second = Server::start(&db, &[]);
    assert_ne!(first.base, second.base);
    let acknowledged: Arc<Mutex<Vec<(String, i64, usize)>>> = Arc::default();
    let refused: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let count = |instance: usize| {
        acknowledged
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.2 == instance)
            .count()
    };
    let writers: Vec<_> = [(&first, 0), (&first, 0), (&second, 1), (&second, 1)]
        .into_iter()
        .map(|(server, instance)| {
            recorder(
                server.url("/api/v1/cases"),
                token.clone(),
                request(APPLICATION, "en"),
                instance,
                Arc::clone(&acknowledged),
                Arc::clone(&refused),
                Arc::clone(&stop),
            )
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    while (count(0) < 40 || count(1) < 40) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    first.kill9();
    // The survivor goes on appending after the other died holding, perhaps, the lock.
    let after_kill = count(1);
    while count(1) < after_kill + 30 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    // No append failed for want of the lock: they waited their turn.
    let refused = refused.lock().unwrap().clone();
    assert!(
        refused.is_empty(),
        "{} appends failed, the first: {:?}",
        refused.len(),
        refused.first()
    );
    assert!(count_of(&acknowledged, 0) >= 40, "{}", first.logs());
    assert!(
        count_of(&acknowledged, 1) >= after_kill + 30,
        "the second instance stopped recording when the first was killed: {}",
        second.logs()
    );

    // One chain: every seq acknowledged once, both instances' entries interleaved in it.
    let mut seqs: Vec<i64> = acknowledged.iter().map(|a| a.1).collect();
    seqs.sort_unstable();
    let before = seqs.len();
    seqs.dedup();
    assert_eq!(seqs.len(), before, "a seq was acknowledged twice");
    let last_of = |instance: usize| {
        acknowledged
            .iter()
            .filter(|a| a.2 == instance)
            .map(|a| a.1)
            .max()
            .unwrap()
    };
    let first_of = |instance: usize| {
        acknowledged
            .iter()
            .filter(|a| a.2 == instance)
            .map(|a| a.1)
            .min()
            .unwrap()
    };
    assert!(
        first_of(1) < last_of(0) && first_of(0) < last_of(1),
        "the two instances' entries do not interleave"
    );

    // The chain holds, and every acknowledged case is stored under its acknowledged seq.
    drop(second);
    let (code, out) = verify(&db);
    assert_eq!(code, Some(0), "{out}");
    let stored: std::collections::HashMap<String, i64> = db
        .rows("SELECT case_id, CAST(seq AS TEXT) FROM audit_log WHERE kind = 'case'")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect();
    for (id, seq, instance) in &acknowledged {
        assert_eq!(
            stored.get(id),
            Some(seq),
            "case {id}, acknowledged by instance {instance}, was lost"
        );
    }
    let entries: i64 = db.row("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log")[0]
        .parse()
        .unwrap();
    assert!(out.contains(&format!("intact: {entries} entries")), "{out}");
    assert!(usize::try_from(entries).unwrap() >= acknowledged.len());
}

/// Four instances' first start on a new store, at the same moment: each succeeds and the
/// migration is applied once. Before that, the servers' role is refused with what to run.
fn instances_starting_together_migrate_once(backend: Backend) {
    let dir = TempDir::new("audit-migrate");
    let db = Db::unmigrated(backend, &dir);
    if backend == Backend::Postgres {
        let (code, out) = run(&["audit", "verify", "--db", &db.db_arg()]);
        assert_eq!(code, Some(2), "{out}");
        assert!(out.contains("not a kredo audit store"), "{out}");
        let out = kredo(&["serve", "--addr", "127.0.0.1:0", "--db", &db.db_arg()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("is at schema version 0, not 1, and this role may not change its schema: run `kredo store migrate"),
            "{err}"
        );
    }
    let owner = db.owner_arg();
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(BIN)
                .args(["store", "migrate", "--db", &owner])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.ends_with(": schema version 1\n"), "{text}");
    }
    assert_eq!(
        db.rows("SELECT CAST(version AS TEXT) FROM schema_migrations"),
        [["1"]]
    );
}

fn count_of(acknowledged: &[(String, i64, usize)], instance: usize) -> usize {
    acknowledged.iter().filter(|a| a.2 == instance).count()
}

/// Runs the CLI: exit code, and stdout then stderr.
fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = kredo(args);
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn p(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// Records `n` cases through the server; their ids.
fn record_cases(server: &Server, token: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let answer = post(
                &server.url("/api/v1/cases"),
                request(APPLICATION, "en").as_bytes(),
                Some(token),
            );
            assert_eq!(answer.status, 201, "{}", answer.text());
            answer.json()["case_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// A store with `n` cases recorded by a server that is stopped again.
fn store_with_cases(backend: Backend, dir: &TempDir, n: usize) -> Db {
    let db = Db::new(backend, dir);
    let token = staff_token(&db, "Kato");
    let mut server = Server::start(&db, &[]);
    record_cases(&server, &token, n);
    assert!(server.terminate().success());
    db
}

/// `kredo audit keygen --key KEY`: the public key it printed.
fn keygen(key: &std::path::Path) -> String {
    let (code, out) = run(&["audit", "keygen", "--key", p(key)]);
    assert_eq!(code, Some(0), "{out}");
    let public = out.lines().next().unwrap().to_owned();
    assert!(
        public.starts_with("ed25519:") && public.len() == 8 + 64,
        "{out}"
    );
    public
}

fn checkpoint(db: &Db, key: &std::path::Path, out: &std::path::Path) -> serde_json::Value {
    let (code, text) = run(&[
        "audit",
        "checkpoint",
        "--db",
        &db.db_arg(),
        "--key",
        p(key),
        "--out",
        p(out),
    ]);
    assert_eq!(code, Some(0), "{text}");
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

fn verify_anchored(db: &Db, checkpoints: &std::path::Path, key: &str) -> (Option<i32>, String) {
    run(&[
        "audit",
        "verify",
        "--db",
        &db.db_arg(),
        "--checkpoint",
        p(checkpoints),
        "--public-key",
        key,
    ])
}

fn a_checkpoint_catches_the_truncation_that_plain_verify_misses(backend: Backend) {
    let dir = TempDir::new("audit-cp-trunc");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Lien");
    let server = Server::start(&db, &[]);
    record_cases(&server, &token, 4);

    let key = dir.path("operator.key");
    let public = keygen(&key);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        std::fs::read_to_string(dir.path("operator.key.pub"))
            .unwrap()
            .trim(),
        public
    );
    let key_text = std::fs::read_to_string(&key).unwrap();
    // Never overwritten.
    let (code, out) = run(&["audit", "keygen", "--key", p(&key)]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("exists already"), "{out}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), key_text);

    // A checkpoint of the live store, while the server runs.
    let cps = dir.path("checkpoints.jsonl");
    let first = checkpoint(&db, &key, &cps);
    assert_eq!(first["seq"], 4);
    assert_eq!(first["public_key"], public.as_str());
    assert!(first["signature"].as_str().unwrap().starts_with("ed25519:"));
    assert!(first["recorded_at"].as_str().unwrap().ends_with('Z'));
    let (code, out) = verify_anchored(&db, &cps, &public);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("checkpoints hold: 1 checked"), "{out}");
    assert!(out.contains("anchors entry 4"), "{out}");

    // A chain that extends the checkpoint passes; a second checkpoint appends a line.
    record_cases(&server, &token, 2);
    let (code, out) = verify_anchored(&db, &cps, &public);
    assert_eq!(code, Some(0), "{out}");
    let second = checkpoint(&db, &key, &cps);
    assert_eq!(second["seq"], 6);
    assert_eq!(std::fs::read_to_string(&cps).unwrap().lines().count(), 2);
    drop(server);

    // Someone drops the trigger and deletes the newest entries…
    db.drop_trigger("audit_log_no_delete");
    db.exec("DELETE FROM audit_log WHERE seq >= 5").unwrap();
    // …which the chain alone cannot show (the documented limit of plain verify)…
    let (code, out) = verify(&db);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact: 4 entries"), "{out}");
    // …but the checkpoints do: the first one beyond the end is named.
    let (code, out) = verify_anchored(&db, &cps, &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("audit chain TRUNCATED"), "{out}");
    let head = second["hash"].as_str().unwrap();
    assert!(
        out.contains(&format!("signed entry 6 with hash {head}")),
        "{out}"
    );
    assert!(out.contains("ends at entry 4"), "{out}");
    assert!(out.contains("(line 2)"), "{out}");
    let json = kredo(&[
        "audit",
        "verify",
        "--json",
        "--db",
        &db.db_arg(),
        "--checkpoint",
        p(&cps),
        "--public-key",
        &public,
    ]);
    assert_eq!(json.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["checkpoint"]["failure"]["problem"], "truncated");
    assert_eq!(report["checkpoint"]["failure"]["anchor"]["seq"], 6);
    assert_eq!(report["first_broken"], serde_json::Value::Null);

    // And no new checkpoint is signed over the truncated chain.
    let (code, out) = run(&[
        "audit",
        "checkpoint",
        "--db",
        &db.db_arg(),
        "--key",
        p(&key),
        "--out",
        p(&cps),
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("refusing to sign"), "{out}");
    assert_eq!(std::fs::read_to_string(&cps).unwrap().lines().count(), 2);
}

fn a_checkpoint_catches_a_rewrite_before_it(backend: Backend) {
    let dir = TempDir::new("audit-cp-rewrite");
    let db = store_with_cases(backend, &dir, 4);
    let key = dir.path("op.key");
    let public = keygen(&key);
    let cps = dir.path("cp.jsonl");
    let signed = checkpoint(&db, &key, &cps);
    let signed_hash = signed["hash"].as_str().unwrap().to_owned();

    // Entry 2 is edited and every hash from it on recomputed: a valid chain again.
    db.drop_trigger("audit_log_no_update");
    db.exec("UPDATE audit_log SET body = replace(body, '9500.00', '9000.00') WHERE seq = 2")
        .unwrap();
    let mut prev = db.hash(1);
    for seq in 2..=4 {
        let [case_id, kind, at, staff, body]: [String; 5] = db
            .row(&format!(
                "SELECT case_id, kind, recorded_at, staff_name, body FROM audit_log WHERE seq = {seq}"
            ))
            .try_into()
            .unwrap();
        let hash = kredo_audit_hash(seq, &case_id, &kind, &at, &staff, &body, &prev);
        db.exec(&format!(
            "UPDATE audit_log SET prev_hash = '{prev}', hash = '{hash}' WHERE seq = {seq}"
        ))
        .unwrap();
        prev = hash;
    }
    let forged_head = db.hash(4);
    assert_ne!(forged_head, signed_hash);

    let (code, out) = verify(&db);
    assert_eq!(code, Some(0), "the rewritten chain holds on its own: {out}");
    let (code, out) = verify_anchored(&db, &cps, &public);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("audit chain REWRITTEN"), "{out}");
    assert!(
        out.contains(&format!("entry 4 has hash {forged_head}")),
        "{out}"
    );
    assert!(out.contains(&format!("signed {signed_hash}")), "{out}");
    let json = kredo(&[
        "audit",
        "verify",
        "--json",
        "--db",
        &db.db_arg(),
        "--checkpoint",
        p(&cps),
        "--public-key",
        &public,
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["checkpoint"]["failure"]["problem"], "rewritten");
    assert_eq!(report["checkpoint"]["failure"]["anchor"]["seq"], 4);
}

fn a_tampered_checkpoint_or_a_wrong_key_fails(backend: Backend) {
    let dir = TempDir::new("audit-cp-sig");
    let db = store_with_cases(backend, &dir, 3);
    let key = dir.path("a.key");
    let public = keygen(&key);
    let other = keygen(&dir.path("b.key"));
    let cps = dir.path("cp.jsonl");
    let signed = checkpoint(&db, &key, &cps);
    let line = std::fs::read_to_string(&cps).unwrap();

    // The key pinned as text, as its .pub file, or through the operator key itself.
    for pinned in [
        public.clone(),
        public.trim_start_matches("ed25519:").to_owned(),
        p(&dir.path("a.key.pub")).to_owned(),
        p(&key).to_owned(),
    ] {
        let (code, out) = verify_anchored(&db, &cps, &pinned);
        assert_eq!(code, Some(0), "{pinned}: {out}");
    }

    let hash2 = db.hash(2);
    let tampered = dir.path("tampered.jsonl");
    let signed_hash = signed["hash"].as_str().unwrap();
    for (what, text) in [
        ("seq", line.replace("\"seq\":3", "\"seq\":2")),
        ("hash", line.replace(signed_hash, &hash2)),
        (
            "seq and hash",
            line.replace("\"seq\":3", "\"seq\":2")
                .replace(signed_hash, &hash2),
        ),
        (
            "time",
            line.replace("\"recorded_at\":\"2", "\"recorded_at\":\"1"),
        ),
    ] {
        assert_ne!(text, line, "{what}");
        std::fs::write(&tampered, &text).unwrap();
        let (code, out) = verify_anchored(&db, &tampered, &public);
        assert_eq!(code, Some(1), "{what}: {out}");
        assert!(
            out.contains("checkpoint SIGNATURE INVALID"),
            "{what}: {out}"
        );
        assert!(
            out.contains("does not verify with the public key"),
            "{what}: {out}"
        );
        // The chain itself is still checked and reported.
        assert!(
            out.contains("audit chain intact: 3 entries"),
            "{what}: {out}"
        );
    }

    // Another key: its own, or one written into the checkpoint to match it.
    let (code, out) = verify_anchored(&db, &cps, &other);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("SIGNATURE INVALID"), "{out}");
    assert!(
        out.contains(&format!("it names another key, {public}")),
        "{out}"
    );
    std::fs::write(&tampered, line.replace(&public, &other)).unwrap();
    let (code, out) = verify_anchored(&db, &tampered, &other);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("SIGNATURE INVALID"), "{out}");

    // Not a checkpoint file, no key, a bad key: no result (2).
    std::fs::write(&tampered, "{\"seq\":3}\n").unwrap();
    let (code, out) = verify_anchored(&db, &tampered, &public);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("line 1: not a checkpoint"), "{out}");
    let (code, out) = run(&[
        "audit",
        "verify",
        "--db",
        &db.db_arg(),
        "--checkpoint",
        p(&cps),
    ]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("--public-key"), "{out}");
    let (code, out) = verify_anchored(&db, &cps, "ed25519:1234");
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("neither a public key"), "{out}");
    let (code, out) = verify_anchored(&db, &dir.path("absent.jsonl"), &public);
    assert_eq!(code, Some(2), "{out}");
}

fn verify_needs_no_write_access(backend: Backend) {
    match backend {
        Backend::Sqlite => verify_works_on_a_read_only_copy(),
        Backend::Postgres => verify_works_with_a_role_that_may_only_read(),
    }
}

fn verify_works_on_a_read_only_copy() {
    use std::os::unix::fs::PermissionsExt as _;
    let backend = Backend::Sqlite;
    let dir = TempDir::new("audit-ro");
    let db = store_with_cases(backend, &dir, 3);
    assert!(
        !dir.path("k.db-wal").exists(),
        "a stopped server leaves no write-ahead log"
    );
    let key = dir.path("op.key");
    keygen(&key);
    let cps = dir.path("cp.jsonl");
    checkpoint(&db, &key, &cps);

    // The copy, the checkpoints and the public key where `nobody` can reach them.
    let reachable = world_reachable_dir("audit-ro");
    let copy_dir = reachable.join("copy");
    std::fs::create_dir(&copy_dir).unwrap();
    let copy = copy_dir.join("k.db");
    std::fs::copy(&cps, reachable.join("cp.jsonl")).unwrap();
    std::fs::copy(dir.path("op.key.pub"), reachable.join("op.key.pub")).unwrap();
    let cps = reachable.join("cp.jsonl");
    std::fs::copy(db.path(), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&copy_dir, std::fs::Permissions::from_mode(0o555)).unwrap();

    let pub_file = reachable.join("op.key.pub");
    for args in [
        vec!["audit", "verify", "--db", p(&copy)],
        vec![
            "audit",
            "verify",
            "--db",
            p(&copy),
            "--checkpoint",
            p(&cps),
            "--public-key",
            p(&pub_file),
        ],
    ] {
        let (out, as_nobody) = kredo_unprivileged(&args);
        let text = format!(
            "(as nobody: {as_nobody}) {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("intact: 3 entries"), "{text}");
    }
    let (out, _) = kredo_unprivileged(&["staff", "list", "--db", p(&copy)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Kato"));

    // Nothing was written, not even beside the file.
    let names: Vec<_> = std::fs::read_dir(&copy_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["k.db"]);
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    std::fs::set_permissions(&copy_dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    // A schema this kredo does not know, or no kredo store at all, is said so (exit 2).
    let newer = dir.path("newer.db");
    std::fs::copy(db.path(), &newer).unwrap();
    let conn = rusqlite::Connection::open(&newer).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')",
        [],
    )
    .unwrap();
    drop(conn);
    let (code, out) = run(&["audit", "verify", "--db", p(&newer)]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("schema version 99, newer than this kredo knows"),
        "{out}"
    );
    let other = dir.path("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let (code, out) = run(&["audit", "verify", "--db", p(&other)]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("not a kredo audit store"), "{out}");
}

/// PostgreSQL's read-only copy is a role that may only read: verify, verify against the
/// checkpoints and the token list work with it, and it can change nothing.
fn verify_works_with_a_role_that_may_only_read() {
    let dir = TempDir::new("audit-ro-pg");
    let db = store_with_cases(Backend::Postgres, &dir, 3);
    let key = dir.path("op.key");
    let public = keygen(&key);
    let cps = dir.path("cp.jsonl");
    checkpoint(&db, &key, &cps);
    db.exec("GRANT SELECT ON audit_log, staff_token, schema_migrations TO kredo_reader")
        .unwrap();
    let reader = db.url_as("kredo_reader", "kredo-reader");
    for args in [
        vec!["audit", "verify", "--db", &reader],
        vec![
            "audit",
            "verify",
            "--db",
            &reader,
            "--checkpoint",
            p(&cps),
            "--public-key",
            &public,
        ],
    ] {
        let (code, out) = run(&args);
        assert_eq!(code, Some(0), "{out}");
        assert!(out.contains("intact: 3 entries"), "{out}");
    }
    let (code, out) = run(&["staff", "list", "--db", &reader]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Kato"), "{out}");
    // The password never reaches the output.
    assert!(!out.contains("kredo-reader"), "{out}");
    let (code, out) = run(&["staff", "add", "Mallory", "--db", &reader]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("permission denied for table staff_token"),
        "{out}"
    );
    assert!(!out.contains("kredo-reader"), "{out}");
    assert_eq!(verify(&db).0, Some(0));

    // A schema this kredo does not know, or no kredo store at all, is said so (exit 2).
    db.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')")
        .unwrap();
    let (code, out) = verify(&db);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("schema version 99, newer than this kredo knows"),
        "{out}"
    );
    db.exec("DROP TABLE schema_migrations").unwrap();
    let (code, out) = verify(&db);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("not a kredo audit store"), "{out}");
}

fn a_revoked_token_is_refused_at_once(backend: Backend) {
    let dir = TempDir::new("audit-revoke");
    let db = Db::new(backend, &dir);
    let an_old = staff_token(&db, "An Peeters");
    let an_new = staff_token(&db, "An Peeters");
    let bo = staff_token(&db, "Bo");
    let server = Server::start(&db, &[]);
    // Revoking changes a token's row: the owner's work (the servers' role only reads tokens).
    let owner = db.owner_arg();
    let case = |token: &str| {
        post(
            &server.url("/api/v1/cases"),
            request(APPLICATION, "en").as_bytes(),
            Some(token),
        )
    };
    assert_eq!(case(&an_old).status, 201);

    // Rotation: the old token alone, by its id, while the server runs.
    let (code, out) = run(&["staff", "revoke", "An Peeters", "--id", "1", "--db", &owner]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("revoked 1 token of An Peeters with id 1 (0 already revoked)"),
        "{out}"
    );
    let refused = case(&an_old);
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (401, "unauthorized")
    );
    assert_eq!(case(&an_new).status, 201);

    // All of a name's tokens.
    let (code, out) = run(&["staff", "revoke", "An Peeters", "--db", &owner]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("revoked 1 token of An Peeters (1 already revoked)"),
        "{out}"
    );
    assert_eq!(case(&an_new).status, 401);
    assert_eq!(
        get(
            &server.url("/api/v1/cases/c_ffffffffffffffff"),
            Some(&an_new)
        )
        .status,
        401
    );
    assert_eq!(case(&bo).status, 201);
    let (code, out) = run(&["staff", "revoke", "An Peeters", "--db", &owner]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("revoked 0 tokens of An Peeters (2 already revoked)"),
        "{out}"
    );

    // No such staff member, or a token of someone else: no result.
    let (code, out) = run(&["staff", "revoke", "Nobody", "--db", &owner]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("no token of `Nobody`"), "{out}");
    let (code, out) = run(&["staff", "revoke", "An Peeters", "--id", "3", "--db", &owner]);
    assert_eq!(code, Some(2), "{out}");
    if backend == Backend::Sqlite {
        let (code, out) = run(&["staff", "revoke", "Bo", "--db", p(&dir.path("none.db"))]);
        assert_eq!(code, Some(2), "{out}");
        assert!(!dir.path("none.db").exists());
    } else {
        let (code, out) = run(&["staff", "revoke", "Bo", "--db", &db.db_arg()]);
        assert_eq!(code, Some(2), "{out}");
        assert!(
            out.contains("permission denied for table staff_token"),
            "{out}"
        );
    }

    // The list shows who was revoked, and when.
    let (code, out) = run(&["staff", "list", "--db", &db.db_arg()]);
    assert_eq!(code, Some(0), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("id") && lines[0].contains("revoked_at"),
        "{out}"
    );
    for (line, id, revoked, name) in [
        (lines[1], "1", true, "An Peeters"),
        (lines[2], "2", true, "An Peeters"),
        (lines[3], "3", false, "Bo"),
    ] {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], id, "{line}");
        assert!(cells[1].ends_with('Z'), "{line}");
        assert_eq!(cells[2].ends_with('Z'), revoked, "{line}");
        assert_eq!(cells[2] == "-", !revoked, "{line}");
        assert!(line.ends_with(name), "{line}");
    }
    // Revocations are not audit entries: the chain holds the three cases only.
    drop(server);
    let (code, out) = verify(&db);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact: 3 entries"), "{out}");
}

fn healthz_reports_the_store_write_health(backend: Backend) {
    let dir = TempDir::new("audit-health");
    let db = Db::new(backend, &dir);
    let server = Server::start(&db, &[]);
    let health = get(&server.url("/healthz"), None);
    assert_eq!(health.status, 200);
    let body = health.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store"]["writable"], true);
    assert!(body["rule_sets"].as_u64().unwrap() >= 3, "{body}");
    assert!(body["engine_version"].is_string(), "{body}");

    // Another process holds the write lock: nothing could be recorded now.
    let lock = db.hold_write_lock();
    let started = Instant::now();
    let locked = get(&server.url("/healthz"), None);
    assert_eq!(
        (locked.status, locked.error_code().as_str()),
        (503, "store_unavailable"),
        "{}",
        locked.text()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        server
            .wait_for_log("the audit store cannot be written", Duration::from_secs(5))
            .is_some(),
        "{}",
        server.logs()
    );
    // The public check does not need the store and goes on.
    let check = post(
        &server.url("/api/v1/check"),
        request(APPLICATION, "en").as_bytes(),
        None,
    );
    assert_eq!(check.status, 200);
    drop(lock);
    let health = get(&server.url("/healthz"), None);
    assert_eq!(health.status, 200, "{}", health.text());
    assert_eq!(health.json()["store"]["writable"], true);

    // The probes wrote nothing: the chain is still empty.
    drop(server);
    let (code, out) = verify(&db);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact: 0 entries"), "{out}");
}

fn a_motivation_must_have_visible_text(backend: Backend) {
    let dir = TempDir::new("audit-motivation");
    let db = Db::new(backend, &dir);
    let token = staff_token(&db, "Noor");
    let server = Server::start(&db, &[]);
    let created = post(
        &server.url("/api/v1/cases"),
        request(INELIGIBLE, "en").as_bytes(),
        Some(&token),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["case_id"].as_str().unwrap().to_owned();
    // JSON escapes: zero-width space, joiners, word joiner, BOM, no-break space, controls,
    // a direction override, the blank Braille pattern, a Hangul filler, a variation selector.
    for blank in [
        r"\u200b",
        r"\u200c\u200d\u2060",
        r" \ufeff\u00a0 ",
        r"\u0007\u0000\u001b",
        r"\t\r\n",
        r"\u202e\u2800\u3164\ufe0f",
    ] {
        let body = format!(r#"{{"decision":"decline","motivation":"{blank}"}}"#);
        let answer = decide(&server, &token, &id, &body);
        assert_eq!(answer.status, 422, "{blank}: {}", answer.text());
        let error = &answer.json()["error"];
        assert_eq!(error["code"], "invalid_request");
        assert_eq!(error["field"], "motivation");
        assert_eq!(
            error["message"],
            "a decision needs a written motivation: `motivation` has no visible text"
        );
    }
    let answer = decide(
        &server,
        &token,
        &id,
        r#"{"decision":"decline","motivation":"\u200b Bank statement missing. "}"#,
    );
    assert_eq!(answer.status, 201, "{}", answer.text());
    assert_eq!(
        answer.json()["body"]["motivation"],
        "\u{200b} Bank statement missing."
    );
    // A decision body after a UTF-8 BOM is read like any other.
    let answer = decide(
        &server,
        &token,
        &id,
        "\u{feff}{\"decision\":\"ask_information\",\"motivation\":\"Which bank?\"}",
    );
    assert_eq!(answer.status, 201, "{}", answer.text());
}

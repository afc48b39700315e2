//! The audit trail on a real server: cases, staff decisions and overrides, the hash chain,
//! `kredo audit verify` naming the first broken entry after tampering, and a `kill -9` in the
//! middle of recording cases that loses no acknowledged entry.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod staff_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use staff_support::*;

fn verify(db: &std::path::Path) -> (Option<i32>, String) {
    let out = kredo(&["audit", "verify", "--db", db.to_str().unwrap()]);
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

#[test]
fn a_case_records_everything_and_staff_decisions_append() {
    let dir = TempDir::new("audit-case");
    let db = dir.path("k.db");
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

#[test]
fn override_follows_the_engine_outcome() {
    let dir = TempDir::new("audit-override");
    let db = dir.path("k.db");
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

#[test]
fn the_store_is_append_only_and_verify_names_the_first_broken_entry() {
    let dir = TempDir::new("audit-tamper");
    let db = dir.path("k.db");
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

    let conn = rusqlite::Connection::open(&db).unwrap();
    // The triggers refuse edits and deletions…
    assert!(
        conn.execute("UPDATE audit_log SET staff_name = 'X' WHERE seq = 2", [])
            .is_err()
    );
    assert!(
        conn.execute("DELETE FROM audit_log WHERE seq = 2", [])
            .is_err()
    );
    assert_eq!(verify(&db).0, Some(0));

    // …and someone who drops them is caught by the chain: an edited entry…
    let backup = dir.path("backup.db");
    conn.execute("VACUUM INTO ?1", [backup.to_str().unwrap()])
        .unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute(
        "UPDATE audit_log SET body = replace(body, '9500.00', '9000.00') WHERE seq = 3",
        [],
    )
    .unwrap();
    let (code, out) = verify(&db);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 3"), "{out}");
    assert!(out.contains(&ids[2]), "names the case: {out}");

    // …an edit whose hash was recomputed breaks the next link…
    let (case_id, kind, at, staff, body, prev): (String, String, String, String, String, String) = conn
        .query_row(
            "SELECT case_id, kind, recorded_at, staff_name, body, prev_hash FROM audit_log WHERE seq = 3",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    let rehash = kredo_audit_hash(3, &case_id, &kind, &at, &staff, &body, &prev);
    conn.execute("UPDATE audit_log SET hash = ?1 WHERE seq = 3", [&rehash])
        .unwrap();
    let (code, out) = verify(&db);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 4"), "{out}");

    // …and a deleted entry leaves a gap.
    drop(conn);
    std::fs::copy(&backup, &db).unwrap();
    let _ = std::fs::remove_file(dir.path("k.db-wal"));
    let _ = std::fs::remove_file(dir.path("k.db-shm"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq = 2", [])
        .unwrap();
    drop(conn);
    let (code, out) = verify(&db);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 3"), "{out}");

    let json = kredo(&["audit", "verify", "--json", "--db", db.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["first_broken"]["seq"], 3);
    assert_eq!(report["entries_ok"], 1);

    let out = kredo(&[
        "audit",
        "verify",
        "--db",
        dir.path("none.db").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
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

#[test]
fn chain_links_match_the_documented_hash() {
    let dir = TempDir::new("audit-doc-hash");
    let db = dir.path("k.db");
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
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare("SELECT seq, case_id, kind, recorded_at, staff_name, body, prev_hash, hash FROM audit_log ORDER BY seq")
        .unwrap();
    let rows: Vec<StoredEntry> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
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

#[test]
fn kill_9_during_case_recording_loses_no_acknowledged_entry() {
    let dir = TempDir::new("audit-crash");
    let db = dir.path("k.db");
    let token = staff_token(&db, "Jules");
    let mut server = Server::start(&db, &[]);
    let url = server.url("/api/v1/cases");
    let acknowledged: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let (url, token, acknowledged, stop) = (
                url.clone(),
                token.clone(),
                Arc::clone(&acknowledged),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                let agent = agent();
                let body = request(if i % 2 == 0 { APPLICATION } else { INELIGIBLE }, "en");
                while !stop.load(Ordering::Relaxed) {
                    let Ok(mut response) = agent
                        .post(&url)
                        .header("Authorization", &format!("Bearer {token}"))
                        .send(body.as_bytes())
                    else {
                        return; // the server is gone
                    };
                    if response.status() != 201 {
                        continue;
                    }
                    let Ok(text) = response.body_mut().read_to_string() else {
                        return; // the answer was cut off: not acknowledged
                    };
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    acknowledged.lock().unwrap().push((
                        v["case_id"].as_str().unwrap().to_owned(),
                        v["seq"].as_i64().unwrap(),
                    ));
                }
            })
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
    for (id, seq) in &acknowledged {
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
    let max_seq = acknowledged.iter().map(|(_, s)| *s).max().unwrap();
    assert!(answer.json()["seq"].as_i64().unwrap() > max_seq);
    drop(server);
    assert_eq!(verify(&db).0, Some(0));
}

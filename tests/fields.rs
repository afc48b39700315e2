//! A product's own field, end to end through the CLI and the server: the fixture product `demo`
//! (`tests/fixtures/rules/demo/`) declares `has_accountant` in its `fields/` and a rule reads it,
//! with no Rust for either. Beside a copy of the published rules, `kredo test` runs its cases,
//! `kredo check` validates and decides with the field, and `kredo serve` gives the same bytes and
//! documents the field in its OpenAPI schema.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
mod staff_support;
use common::copy_dir;

use std::path::Path;

use staff_support::*;

const DEMO_AS_OF: &str = "2026-03-01";

/// A rules root: the published rules and the demo product.
fn rules_with_demo(dir: &TempDir) -> String {
    let root = dir.path("rules");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&manifest.join("rules"), &root);
    copy_dir(
        &manifest.join("tests/fixtures/rules/demo"),
        &root.join("demo"),
    );
    root.to_str().unwrap().to_owned()
}

/// A demo application that every rule accepts, with `has_accountant` set to `answer` (or left
/// out).
fn demo_application(answer: Option<serde_json::Value>) -> String {
    let mut application = serde_json::json!({
        "legal_form": "eenmanszaak",
        "region": "flanders",
        "business_status": "started",
        "activity_type": "main",
        "amount_requested_eur": "8000",
        "term_months": 36,
        "funding_purposes": [{"category": "investment", "amount_eur": "8000"}]
    });
    if let Some(answer) = answer {
        application["has_accountant"] = answer;
    }
    application.to_string()
}

fn check_demo(rules: &str, application: &str, lang: &str) -> (String, serde_json::Value) {
    let out = kredo_stdin(
        &[
            "check",
            "--rules",
            rules,
            "--product",
            "demo",
            "--as-of",
            DEMO_AS_OF,
            "--lang",
            lang,
            "-",
        ],
        application.as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let decision = serde_json::from_str(&text).unwrap();
    (text, decision)
}

fn reason_ids(decision: &serde_json::Value) -> Vec<&str> {
    decision["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[test]
fn kredo_test_runs_the_demo_products_cases() {
    let dir = TempDir::new("fields-test");
    let rules = rules_with_demo(&dir);
    let out = kredo(&["test", "--rules", &rules]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("demo/2026-01-01: 6 cases, 6 passed, 0 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("impulskrediet/2025-01-01: "), "{stdout}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");

    // The product alone, by its folder.
    let demo = Path::new(&rules).join("demo");
    let out = kredo(&["test", demo.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("6 passed, 0 failed"),
        "{stdout}"
    );
}

#[test]
fn kredo_check_validates_and_decides_with_the_products_own_field() {
    let dir = TempDir::new("fields-check");
    let rules = rules_with_demo(&dir);

    // Validated by its kind: a boolean, so "ja" is an error on that field.
    let (_, d) = check_demo(&rules, &demo_application(Some("ja".into())), "en");
    assert_eq!(d["outcome"], "invalid", "{d}");
    let fields: Vec<&str> = d["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["has_accountant"], "{d}");
    assert_eq!(d["errors"][0]["code"], "invalid_boolean", "{d}");

    // Read by the product's rule.
    let (_, d) = check_demo(&rules, &demo_application(Some(false.into())), "en");
    assert_eq!(d["outcome"], "flagged", "{d}");
    assert_eq!(reason_ids(&d), ["NO_ACCOUNTANT"], "{d}");
    assert_eq!(
        d["reasons"][0]["fields"],
        serde_json::json!(["has_accountant"])
    );
    assert_eq!(d["normalized"]["has_accountant"], false, "{d}");

    let (_, d) = check_demo(&rules, &demo_application(Some(true.into())), "en");
    assert_eq!(d["outcome"], "eligible", "{d}");
    assert!(reason_ids(&d).is_empty(), "{d}");
    assert_eq!(d["normalized"]["has_accountant"], true, "{d}");

    // Unanswered: its rule is skipped, naming the field.
    let (_, d) = check_demo(&rules, &demo_application(None), "en");
    assert_eq!(d["outcome"], "eligible", "{d}");
    let skipped = d["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["id"] == "NO_ACCOUNTANT"
                && s["missing"] == serde_json::json!(["has_accountant"])),
        "{d}"
    );

    // Another product does not ask it: a warning, not a decision input.
    let out = kredo_stdin(
        &[
            "check", "--rules", &rules, "--as-of", AS_OF, "--lang", "en", "-",
        ],
        demo_application(Some(false.into())).as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["product"], "impulskrediet");
    assert!(!reason_ids(&d).contains(&"NO_ACCOUNTANT"), "{d}");
    assert!(
        d["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["field"] == "has_accountant" && w["code"] == "unknown_field"),
        "{d}"
    );
}

#[test]
fn the_server_decides_and_documents_the_products_own_field() {
    let dir = TempDir::new("fields-serve");
    let rules = rules_with_demo(&dir);
    let server = Server::start(&dir.path("k.db"), &["--rules", &rules]);

    let rulesets = get(&server.url("/api/v1/rulesets"), None).json();
    assert!(
        rulesets["rulesets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["product"] == "demo" && r["version"] == "2026-01-01"),
        "{rulesets}"
    );

    for (answer, lang, outcome) in [
        (Some(false.into()), "en", "flagged"),
        (Some(true.into()), "fr", "eligible"),
        (Some("ja".into()), "nl", "invalid"),
        (None, "en", "eligible"),
    ] {
        let application = demo_application(answer);
        let body = format!(
            r#"{{"product":"demo","as_of":"{DEMO_AS_OF}","language":"{lang}","application":{application}}}"#
        );
        let answer = post(&server.url("/api/v1/check"), body.as_bytes(), None);
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(answer.content_type, "application/json");
        let (cli, decision) = check_demo(&rules, &application, lang);
        assert_eq!(decision["outcome"], outcome, "{decision}");
        assert_eq!(
            answer.text(),
            cli,
            "the server and the CLI give the same bytes"
        );
    }

    let doc = get(&server.url("/api/v1/openapi.json"), None);
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    let application = &doc["components"]["schemas"]["Application"];
    let field = &application["properties"]["has_accountant"];
    assert_eq!(field["type"], "boolean", "{field}");
    let description = field["description"].as_str().unwrap();
    assert!(
        description.starts_with("Do you work with an accountant?"),
        "{description}"
    );
    assert!(
        description.contains("Asked by `demo`."),
        "the products that ask it are named: {description}"
    );
    // Both products ask the contract's fields: no product named, and required where declared.
    let amount = &application["properties"]["amount_requested_eur"];
    assert!(
        !amount["description"].as_str().unwrap().contains("Asked by"),
        "{amount}"
    );
    let required = application["required"].as_array().unwrap();
    assert!(
        required.contains(&"amount_requested_eur".into()),
        "{application}"
    );
    assert!(
        !required.contains(&"has_accountant".into()),
        "{application}"
    );
    assert_eq!(
        doc["components"]["schemas"]["CheckRequest"]["properties"]["application"]["anyOf"][0]["$ref"],
        "#/components/schemas/Application"
    );
}

#[test]
fn a_slow_rule_set_is_answered_at_the_timeout_and_never_holds_up_the_server() {
    // 12 busy rules of ~1,500 operations each: a valid decision, within one decision's budget,
    // that takes tens of milliseconds (each turn copies a 256-item array) — far longer than a
    // 1 ms timeout. A decision of a few milliseconds was not enough: on a loaded machine the
    // server's worker may not wake before the blocking thread has answered, and the answer won.
    let dir = TempDir::new("fields-slow");
    let rules = rules_with_demo(&dir);
    let version = Path::new(&rules).join("demo/2026-01-01");
    let mut ids = Vec::new();
    for i in 0..12 {
        let id = format!("BUSY_{i:02}");
        std::fs::write(
            version.join(format!("rules/busy_{i:02}.rhai")),
            format!("const ID = \"{id}\";\nconst SEVERITY = \"info\";\nconst READS = [];\n\nlet a = [];\na.pad(128, 0);\nlet n = 0;\nwhile n < 125 {{ let b = a + a; n += 1; }}\nn < 0\n"),
        )
        .unwrap();
        ids.push(id);
    }
    for lang in ["nl", "fr", "en"] {
        let path = version.join(format!("messages/{lang}.json"));
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for id in &ids {
            m["rules"][id] = "x".into();
            m["next_steps"][id] = "x".into();
        }
        std::fs::write(&path, m.to_string()).unwrap();
    }
    let body = format!(
        r#"{{"product":"demo","as_of":"{DEMO_AS_OF}","application":{}}}"#,
        demo_application(Some(serde_json::json!(true)))
    );

    let patient = Server::start(&dir.path("a.db"), &["--rules", &rules]);
    let answer = post(&patient.url("/api/v1/check"), body.as_bytes(), None);
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["outcome"], "eligible");

    let hurried = Server::start(&dir.path("b.db"), &["--rules", &rules, "--timeout-ms", "1"]);
    for _ in 0..3 {
        let answer = post(&hurried.url("/api/v1/check"), body.as_bytes(), None);
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (503, "timeout")
        );
        // Decisions run on blocking threads: the async workers still answer at once (a route
        // outside the 1 ms timeout: every routed API call would time out here).
        let other = get(&hurried.url("/api/v1/no-such-route"), None);
        assert_eq!(other.status, 404, "{}", other.text());
    }
}

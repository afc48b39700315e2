//! The public example cases (copied from the shared contract into tests/public_cases) and every
//! version's own cases, through the library and through the `kredo` binary.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Checks a decision JSON against a case's expectation; returns the differences.
fn differences(decision: &str, e: &kredo::cases::Expected) -> Vec<String> {
    let d: serde_json::Value = serde_json::from_str(decision).unwrap();
    let mut out = Vec::new();
    if d["outcome"] != e.outcome.as_str() {
        out.push(format!("outcome {} != {}", d["outcome"], e.outcome));
    }
    let reasons: BTreeSet<&str> = d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let want: BTreeSet<&str> = e.reasons.iter().map(String::as_str).collect();
    if reasons != want {
        out.push(format!("reasons {reasons:?} != {want:?}"));
    }
    let fields: BTreeSet<&str> = d["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| kredo::cases::top_level_field(r["field"].as_str().unwrap()))
        .collect();
    let want: BTreeSet<&str> = e.error_fields.iter().map(String::as_str).collect();
    if fields != want {
        out.push(format!("error fields {fields:?} != {want:?}"));
    }
    out
}

#[test]
fn public_cases_through_the_library() {
    let kredo = kredo();
    let cases = public_cases();
    assert_eq!(cases.len(), 39);
    let mut failures = Vec::new();
    for lang in ["nl", "fr", "en"] {
        for c in &cases {
            let req = serde_json::json!({"as_of": c.as_of, "language": lang, "application": c.application}).to_string();
            let decision = kredo.evaluate_json(&req, today()).unwrap();
            for d in differences(&decision, &c.expected) {
                failures.push(format!("{} ({lang}): {d}", c.name));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn public_cases_through_the_binary() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kredo-public-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for c in public_cases() {
        let file = dir.join(format!("{}.json", c.name));
        std::fs::write(&file, c.application.to_string()).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_kredo"))
            .args([
                "check",
                "--as-of",
                c.as_of.as_deref().unwrap(),
                "--lang",
                "en",
            ])
            .arg(&file)
            .current_dir(&dir) // no ./rules here: the embedded rule sets are used
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            c.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let decision = String::from_utf8(out.stdout).unwrap();
        // The binary prints exactly the library's bytes, plus a newline.
        let req =
            serde_json::json!({"as_of": c.as_of, "language": "en", "application": c.application})
                .to_string();
        assert_eq!(
            decision.trim_end(),
            kredo().evaluate_json(&req, today()).unwrap(),
            "{}",
            c.name
        );
        for d in differences(&decision, &c.expected) {
            failures.push(format!("{}: {d}", c.name));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_version_passes_its_own_cases() {
    let kredo = kredo();
    let mut total = 0;
    for src in kredo::embedded::sources().unwrap() {
        let file = src.file("cases.json").expect("every version carries cases");
        let cases = kredo::cases::parse(std::str::from_utf8(&file.bytes).unwrap()).unwrap();
        // Impulskrediet's versions carry the contract's public cases too; the other lenders'
        // at least a dozen each (every rule, every outcome).
        let least = if src.product == "impulskrediet" {
            40
        } else {
            12
        };
        assert!(
            cases.len() >= least,
            "{}/{} has only {} cases",
            src.product,
            src.version,
            cases.len()
        );
        let results = kredo::cases::run(kredo, &src.product, &src.version, &cases);
        let failed: Vec<_> = results
            .iter()
            .filter(|r| !r.passed())
            .map(|r| (&r.name, &r.differences))
            .collect();
        assert!(
            failed.is_empty(),
            "{}/{}: {failed:#?}",
            src.product,
            src.version
        );
        total += results.len();
    }
    assert!(total >= 200);
}

#[test]
fn every_rule_fires_in_some_case_of_every_version() {
    let kredo = kredo();
    for src in kredo::embedded::sources().unwrap() {
        let cases = kredo::cases::parse(
            std::str::from_utf8(&src.file("cases.json").unwrap().bytes).unwrap(),
        )
        .unwrap();
        let fired: BTreeSet<String> = cases
            .iter()
            .flat_map(|c| c.expected.reasons.iter().cloned())
            .collect();
        let rules: BTreeSet<String> = kredo
            .guidance(&src.product, &src.version, kredo::Language::En)
            .unwrap()
            .iter()
            .map(|g| g.id.to_owned())
            .collect();
        if src.product == "impulskrediet" {
            assert_eq!(rules.len(), 22);
        } else {
            assert!(rules.len() >= 6, "{}: {rules:?}", src.product);
        }
        let never: Vec<_> = rules.difference(&fired).collect();
        assert!(
            never.is_empty(),
            "{}/{}: rules without a case: {never:?}",
            src.product,
            src.version
        );
    }
}

#[test]
fn a_failing_case_is_reported_with_its_difference() {
    let kredo = kredo();
    let cases = kredo::cases::parse(r#"[{"name": "wrong", "as_of": "2026-11-22", "application": {}, "expected": {"outcome": "eligible"}}]"#).unwrap();
    let results = kredo::cases::run(kredo, "impulskrediet", "2025-01-01", &cases);
    assert_eq!(
        results[0].differences,
        [
            "outcome: expected `eligible`, got `review`".to_owned(),
            "reasons: missing [], unexpected [\"MISSING_INFO\"]".to_owned(),
        ]
    );
    // A case dated outside its version fails too.
    let cases = kredo::cases::parse(r#"[{"name": "misfiled", "as_of": "2020-12-01", "application": {}, "expected": {"outcome": "review", "reasons": ["MISSING_INFO"]}}]"#).unwrap();
    let results = kredo::cases::run(kredo, "impulskrediet", "2025-01-01", &cases);
    assert_eq!(
        results[0].differences,
        ["`as_of` 2020-12-01 is outside the period of version 2025-01-01".to_owned()]
    );
}

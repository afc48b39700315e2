//! Golden snapshots of the full decision JSON: any change in the bytes of an answer shows up
//! here as a diff. Review the diff, then re-bless with `KREDO_BLESS=1 cargo test --test golden`.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use std::path::Path;

#[test]
fn decisions_match_their_snapshots() {
    let cases = public_cases();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("KREDO_BLESS").is_some();
    let k = kredo();
    let mut differ = Vec::new();
    for c in &cases {
        // Every case in English; a few in every language.
        let langs: &[&str] = if [
            "eligible_started_sole_trader",
            "review_purposes_do_not_add_up",
            "ineligible_several_reasons",
            "invalid_purpose_entry",
        ]
        .contains(&c.name.as_str())
        {
            &["nl", "fr", "en"]
        } else {
            &["en"]
        };
        for lang in langs {
            let req = serde_json::json!({"as_of": c.as_of, "language": lang, "application": c.application}).to_string();
            let actual = k.evaluate_json(&req, today()).unwrap() + "\n";
            let path = dir.join(format!("{}.{lang}.json", c.name));
            if bless {
                std::fs::write(&path, &actual).unwrap();
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => differ.push(format!(
                    "{}:\n  expected {expected}  actual   {actual}",
                    path.display()
                )),
                Err(_) => differ.push(format!(
                    "{}: no snapshot (bless with KREDO_BLESS=1)",
                    path.display()
                )),
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

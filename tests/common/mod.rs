//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses only some of the helpers")]

use kredo::{Date, Kredo, RuleSetSource, SourceFile};
use std::borrow::Cow;

pub fn today() -> Date {
    Date::parse("2026-11-22").unwrap()
}

/// The published rule sets as the binary embeds them (a fresh engine).
pub fn fresh() -> Kredo {
    Kredo::embedded().unwrap()
}

/// One shared engine for the whole test binary: compiled once, as a server does.
pub fn kredo() -> &'static Kredo {
    static K: std::sync::OnceLock<Kredo> = std::sync::OnceLock::new();
    K.get_or_init(fresh)
}

/// The embedded 2025-01-01 version with one file replaced or added, as a rule author would.
pub fn with_file(path: &str, text: &str) -> Vec<RuleSetSource> {
    let mut sources: Vec<RuleSetSource> = kredo::embedded::sources()
        .unwrap()
        .into_iter()
        .filter(|s| s.product == "impulskrediet" && s.version == "2025-01-01")
        .collect();
    let src = &mut sources[0];
    src.files.retain(|f| f.path != path);
    // The replacement is this version's own file, no longer the inherited one.
    src.origins.remove(path);
    src.files.push(SourceFile {
        path: path.into(),
        bytes: Cow::Owned(text.as_bytes().to_vec()),
    });
    sources
}

/// An application every rule accepts.
pub fn eligible() -> serde_json::Value {
    serde_json::json!({
        "legal_form": "eenmanszaak",
        "region": "flanders",
        "business_status": "started",
        "activity_type": "main",
        "amount_requested_eur": "9500.00",
        "term_months": 36,
        "funding_purposes": [
            {"category": "investment", "amount_eur": "6000.00"},
            {"category": "working_capital", "amount_eur": "3500.00"}
        ]
    })
}

pub fn request(application: &serde_json::Value) -> String {
    serde_json::json!({"as_of": "2026-11-22", "language": "en", "application": application})
        .to_string()
}

/// The public example cases (a copy of the shared contract's), read with the same parser as
/// every version's own `cases.json`.
pub fn public_cases() -> Vec<kredo::cases::Case> {
    kredo::cases::parse(include_str!("../public_cases/impulskrediet.json")).unwrap()
}

/// Copies a folder and everything under it (a rules tree into a scratch folder).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

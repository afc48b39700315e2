//! Any text as the body of a rule in the 2025-01-01 Impulskrediet version: loading never
//! panics, and a rule set that loads decides a few applications without a panic, within its
//! budget, the same way twice.
#![no_main]

use kredo::{Date, Kredo, RuleSetSource, SourceFile};
use libfuzzer_sys::fuzz_target;
use std::borrow::Cow;
use std::sync::OnceLock;

const HEADER: &str = "const ID = \"FUZZ\";\nconst SEVERITY = \"review\";\nconst READS = [\"amount_requested_eur\", \"legal_form\", \"funding_purposes\", \"term_months\"];\n\n";

const APPLICATIONS: [&str; 3] = [
    r#"{"legal_form": "eenmanszaak", "region": "flanders", "business_status": "started", "activity_type": "main", "amount_requested_eur": "9500.00", "term_months": 36, "funding_purposes": [{"category": "equipment", "amount_eur": "9500.00"}], "nace_code": "47.190", "applicant_age_years": 30}"#,
    r#"{"amount_requested_eur": "25000.01", "term_months": 61, "legal_form": "vzw"}"#,
    r#"{}"#,
];

/// The version's sources with messages for rule `FUZZ` in each language.
fn base() -> &'static RuleSetSource {
    static S: OnceLock<RuleSetSource> = OnceLock::new();
    S.get_or_init(|| {
        let mut src = kredo::embedded::sources()
            .expect("the embedded rules read")
            .into_iter()
            .find(|s| s.product == "impulskrediet" && s.version == "2025-01-01")
            .expect("the 2025 version");
        for lang in ["nl", "fr", "en"] {
            let path = format!("messages/{lang}.json");
            let file = src
                .files
                .iter_mut()
                .find(|f| f.path == path)
                .expect("messages");
            let mut m: serde_json::Value = serde_json::from_slice(&file.bytes).expect("JSON");
            m["rules"]["FUZZ"] = "fuzz".into();
            m["next_steps"]["FUZZ"] = "fuzz".into();
            file.bytes = Cow::Owned(m.to_string().into_bytes());
            src.origins.remove(&path);
        }
        src
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let mut src = base().clone();
    src.files.push(SourceFile {
        path: "rules/zz_fuzz.rhai".into(),
        bytes: Cow::Owned(format!("{HEADER}{body}\n").into_bytes()),
    });
    let Ok(kredo) = Kredo::from_sources(vec![src]) else {
        return;
    };
    let today = Date::parse("2026-11-30").expect("a date");
    for app in APPLICATIONS {
        let request = format!(r#"{{"product": "impulskrediet", "application": {app}}}"#);
        let once = kredo
            .evaluate_json(&request, today)
            .map_err(|e| e.to_json());
        let twice = kredo
            .evaluate_json(&request, today)
            .map_err(|e| e.to_json());
        assert_eq!(once, twice, "the same request, the same answer");
    }
});

//! Any bytes as a request (`evaluate_json`, public and staff) and as an application
//! (`check_json`, with the score, on a day the scorecard is in force): never a panic; every
//! answer is JSON — a decision, or an error with a code every face maps.
#![no_main]

use kredo::api::Audience;
use kredo::{Date, Kredo, Selection};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static Kredo {
    static K: OnceLock<Kredo> = OnceLock::new();
    K.get_or_init(|| Kredo::embedded().expect("the embedded rule sets compile"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = Date::parse("2026-11-30").expect("a date");
    let scored = Date::parse("2026-12-01").expect("a date");
    let kredo = engine();
    let answers = [
        kredo.evaluate_json(text, today),
        kredo.evaluate_json_for(text, scored, Audience::Staff),
        kredo.check_json(text, &Selection::default(), scored, true),
    ];
    for answer in answers {
        let json = match answer {
            Ok(decision) => decision,
            Err(e) => e.to_json(),
        };
        let value: serde_json::Value = serde_json::from_str(&json).expect("every answer is JSON");
        assert!(value.is_object(), "{json}");
    }
});

//! CONTRACT.md §1–§5 behaviour, each asserted against the contract's own words and figures.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use serde_json::{Value, json};

fn decide(app: &Value) -> Value {
    decide_on("2026-11-22", app)
}

fn decide_on(as_of: &str, app: &Value) -> Value {
    let req = json!({"as_of": as_of, "language": "en", "application": app}).to_string();
    serde_json::from_str(&kredo().evaluate_json(&req, today()).unwrap()).unwrap()
}

fn with(field: &str, value: Value) -> Value {
    let mut app = eligible();
    app[field] = value;
    app
}

fn error_codes(d: &Value) -> Vec<(String, String)> {
    d["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn decision_has_the_contract_shape_in_order() {
    let text = kredo()
        .evaluate_json(&request(&eligible()), today())
        .unwrap();
    let keys: Vec<&str> = [
        "\"outcome\"",
        "\"product\"",
        "\"rule_set\"",
        "\"as_of\"",
        "\"language\"",
        "\"reasons\"",
        "\"errors\"",
        "\"skipped\"",
        "\"warnings\"",
        "\"indicative\"",
        "\"normalized\"",
    ]
    .to_vec();
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} missing")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    let d: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(d["outcome"], "eligible");
    assert_eq!(d["product"], "impulskrediet");
    assert_eq!(d["rule_set"]["version"], "2025-01-01");
    assert_eq!(d["rule_set"]["effective_from"], "2025-01-01");
    assert!(
        d["rule_set"]["hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(d["as_of"], "2026-11-22");
    assert_eq!(d["language"], "en");
}

#[test]
fn indicative_instalment_matches_the_contract_check_values() {
    // §4: 25,000.00 / 60 months → 495.03 at 7 %; 10,000.00 / 36 → 308.77 at 7 %.
    for (amount, term, instalment, total) in [
        ("25000.00", 60, "495.03", "29701.80"),
        ("10000.00", 36, "308.77", "11115.72"),
    ] {
        let mut app = with("amount_requested_eur", json!(amount));
        app["term_months"] = json!(term);
        app["funding_purposes"] = json!([{"category": "investment", "amount_eur": amount}]);
        let d = decide(&app);
        assert_eq!(
            d["indicative"],
            json!({"annual_rate": "0.07", "monthly_instalment_eur": instalment, "total_repayable_eur": total})
        );
    }
    // The 2020-07-03 version lends at 6.75 %.
    let d = decide_on("2020-12-01", &eligible());
    assert_eq!(d["indicative"]["annual_rate"], "0.0675");
}

#[test]
fn as_of_picks_the_version_in_force() {
    for (date, version) in [
        ("2020-07-03", "2020-07-03"),
        ("2021-01-31", "2020-07-03"),
        ("2021-02-01", "2021-02-01"),
        ("2024-12-31", "2021-02-01"),
        ("2025-01-01", "2025-01-01"),
        ("2026-11-30", "2025-01-01"),
        ("2026-12-01", "2026-12-01"),
        ("2026-12-31", "2026-12-01"),
        ("2027-01-01", "2027-01-01"),
        ("2040-01-01", "2027-01-01"),
    ] {
        assert_eq!(
            decide_on(date, &eligible())["rule_set"]["version"],
            version,
            "{date}"
        );
    }
}

#[test]
fn a_date_before_the_first_version_lists_the_versions() {
    let req = json!({"as_of": "2020-07-02", "application": eligible()}).to_string();
    let err = kredo().evaluate_json(&req, today()).unwrap_err();
    assert_eq!(err.code.as_str(), "no_version_in_force");
    assert_eq!(
        err.versions,
        [
            "2020-07-03",
            "2021-02-01",
            "2025-01-01",
            "2026-12-01",
            "2027-01-01"
        ]
    );
    assert_eq!(
        err.message,
        "no version of `impulskrediet` is in force on 2020-07-02; versions: 2020-07-03 (2020-07-03 to 2021-01-31), 2021-02-01 (2021-02-01 to 2024-12-31), 2025-01-01 (2025-01-01 to 2026-11-30), 2026-12-01 (2026-12-01 to 2026-12-31), 2027-01-01 (from 2027-01-01)"
    );
}

#[test]
fn version_pins_and_unknowns_are_errors_as_data() {
    let k = kredo();
    let d: Value = serde_json::from_str(
        &k.evaluate_json(
            &json!({"version": "2020-07-03", "as_of": "2026-11-22", "application": eligible()})
                .to_string(),
            today(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(d["rule_set"]["version"], "2020-07-03");
    let e = k
        .evaluate_json(
            &json!({"version": "2019-01-01", "application": {}}).to_string(),
            today(),
        )
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field),
        ("unknown_version", Some("version"))
    );
    assert_eq!(
        e.to_json(),
        r#"{"error":{"code":"unknown_version","message":"`impulskrediet` has no version `2019-01-01`; versions: 2020-07-03, 2021-02-01, 2025-01-01, 2026-12-01, 2027-01-01","field":"version","versions":["2020-07-03","2021-02-01","2025-01-01","2026-12-01","2027-01-01"]}}"#
    );
    let e = k
        .evaluate_json(
            &json!({"product": "nope", "application": {}}).to_string(),
            today(),
        )
        .unwrap_err();
    assert_eq!(e.code.as_str(), "unknown_product");
    let e = k
        .evaluate_json(
            &json!({"as_of": "2026-02-30", "application": {}}).to_string(),
            today(),
        )
        .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_date");
    let e = k
        .evaluate_json(
            &json!({"language": "de", "application": {}}).to_string(),
            today(),
        )
        .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_language");
    let e = k
        .evaluate_json("{\"application\": {}, \"verison\": 1}", today())
        .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_request");
    let e = k
        .evaluate_json("{\n  \"application\": {,}\n}", today())
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.line, e.column),
        ("invalid_json", Some(2), Some(19))
    );
}

#[test]
fn defaults_are_impulskrediet_dutch_and_today() {
    let d: Value = serde_json::from_str(
        &kredo()
            .evaluate_json(&json!({"application": eligible()}).to_string(), today())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (
            d["product"].as_str(),
            d["language"].as_str(),
            d["as_of"].as_str()
        ),
        (Some("impulskrediet"), Some("nl"), Some("2026-11-22"))
    );
}

#[test]
fn money_is_read_exactly_never_through_a_float() {
    // A JSON number keeps its three decimals and is invalid.
    let d = decide(
        &serde_json::from_str(&request(&eligible()).replace("\"9500.00\"", "24999.999"))
            .map(|r: Value| r["application"].clone())
            .unwrap(),
    );
    assert_eq!(
        error_codes(&d),
        [(
            "amount_requested_eur".to_owned(),
            "invalid_money".to_owned()
        )]
    );
    for (value, code) in [
        (json!("25.000,00"), "invalid_money"),
        (json!("1000.123"), "invalid_money"),
        (json!("€ 500"), "invalid_money"),
        (json!("1e3"), "invalid_money"),
        (json!(true), "invalid_type"),
        (json!(0), "not_positive"),
        (json!("-5"), "not_positive"),
        (json!("1000000.01"), "money_out_of_range"),
    ] {
        let d = decide(&with("amount_requested_eur", value.clone()));
        assert_eq!(
            error_codes(&d),
            [("amount_requested_eur".to_owned(), code.to_owned())],
            "{value}"
        );
        assert_eq!(d["outcome"], "invalid");
        assert_eq!(d["reasons"], json!([]));
    }
    // 25000 as a JSON integer is 25000.00 and exactly at the cap.
    let mut app = with("amount_requested_eur", json!(25000));
    app["funding_purposes"] = json!([{"category": "investment", "amount_eur": 25000}]);
    let d = decide(&app);
    assert_eq!(
        (
            d["outcome"].as_str(),
            d["normalized"]["amount_requested_eur"].as_str()
        ),
        (Some("eligible"), Some("25000.00"))
    );
    // Negative cash flow is allowed.
    let d = decide(&with(
        "projected_monthly_net_cashflow_eur",
        json!("-120.50"),
    ));
    assert_eq!(
        d["normalized"]["projected_monthly_net_cashflow_eur"],
        "-120.50"
    );
    assert_eq!(d["outcome"], "review");
}

#[test]
fn integers_booleans_and_enums() {
    for (field, value, code) in [
        ("term_months", json!(36.5), "invalid_integer"),
        ("term_months", json!(-1), "integer_out_of_range"),
        ("term_months", json!("12 months"), "invalid_integer"),
        ("term_months", json!(601), "integer_out_of_range"),
        ("applicant_age_years", json!(121), "integer_out_of_range"),
        ("has_tax_or_social_arrears", json!("ja"), "invalid_boolean"),
        ("is_takeover", json!(1), "invalid_boolean"),
        ("region", json!("mars"), "unknown_value"),
        ("legal_form", json!(5), "invalid_type"),
        (
            "enterprise_number",
            json!("0566.988.258"),
            "enterprise_number_checksum",
        ),
        (
            "enterprise_number",
            json!("2123.456.789"),
            "invalid_enterprise_number",
        ),
        ("nace_code", json!("56.10"), "invalid_nace_code"),
        ("nace_code", json!("56-101"), "invalid_nace_code"),
        ("project_description", json!("é".repeat(2001)), "too_long"),
    ] {
        let d = decide(&with(field, value.clone()));
        assert_eq!(
            error_codes(&d),
            [(field.to_owned(), code.to_owned())],
            "{field} = {value}"
        );
    }
    assert_eq!(
        decide(&with("term_months", json!("36")))["normalized"]["term_months"],
        36
    );
    assert_eq!(
        decide(&with("project_description", json!("é".repeat(2000))))["outcome"],
        "eligible"
    );
}

#[test]
fn every_error_is_listed_not_just_the_first() {
    let mut app = with("amount_requested_eur", json!("9500,00"));
    app["term_months"] = json!(36.5);
    app["region"] = json!("mars");
    app["funding_purposes"] =
        json!([{"category": "investment", "amount_eur": "1"}, {"category": "holiday"}, 7]);
    let d = decide(&app);
    let mut codes = error_codes(&d);
    codes.sort();
    assert_eq!(
        codes,
        [
            (
                "amount_requested_eur".to_owned(),
                "invalid_money".to_owned()
            ),
            (
                "funding_purposes[1].amount_eur".to_owned(),
                "missing".to_owned()
            ),
            (
                "funding_purposes[1].category".to_owned(),
                "unknown_value".to_owned()
            ),
            (
                "funding_purposes[2]".to_owned(),
                "invalid_purpose".to_owned()
            ),
            ("region".to_owned(), "unknown_value".to_owned()),
            ("term_months".to_owned(), "invalid_integer".to_owned()),
        ]
    );
    // Messages are in the request's language.
    assert!(d["errors"][0]["message"].as_str().unwrap().len() > 10);
}

#[test]
fn aliases_normalize_to_canonical_values() {
    for (field, raw, canonical) in [
        ("legal_form", "  Société   Anonyme ", "NV"),
        ("legal_form", "bvba", "BV"),
        ("legal_form", "Natuurlijk Persoon", "eenmanszaak"),
        ("legal_form", "a.s.b.l.", "vzw"),
        ("region", "Vlaams Gewest", "flanders"),
        ("region", "BRUXELLES", "brussels"),
        ("activity_type", "bijberoep", "side"),
        ("business_status", "nog niet gestart", "not_started"),
    ] {
        assert_eq!(
            decide(&with(field, json!(raw)))["normalized"][field],
            canonical,
            "{raw}"
        );
    }
    let d = decide(&with("enterprise_number", json!("BE 0566 988 259")));
    assert_eq!(d["normalized"]["enterprise_number"], "0566.988.259");
    let d = decide(&with("nace_code", json!(" 74201 ")));
    assert_eq!(d["normalized"]["nace_code"], "74.201");
}

#[test]
fn missing_required_fields_are_reviewed_and_skip_their_rules() {
    let mut app = eligible();
    app.as_object_mut().unwrap().remove("region");
    app["legal_form"] = json!("  ");
    app["funding_purposes"] = json!([]);
    let d = decide(&app);
    assert_eq!(d["outcome"], "review");
    assert_eq!(d["reasons"][0]["id"], "MISSING_INFO");
    assert_eq!(
        d["reasons"][0]["fields"],
        json!(["legal_form", "region", "funding_purposes"])
    );
    let skipped: Vec<&str> = d["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for id in [
        "REGION_NOT_SERVED",
        "REGION_BRUSSELS_CHECK",
        "NONPROFIT_LEGAL_FORM",
        "EXCLUDED_PURPOSE_ONLY",
        "PURPOSE_SUM_MISMATCH",
    ] {
        assert!(skipped.contains(&id), "{id} not skipped: {skipped:?}");
    }
    assert!(
        skipped.windows(2).all(|w| w[0] < w[1]),
        "skipped is sorted by id"
    );
}

#[test]
fn unknown_fields_warn_and_change_nothing() {
    let mut app = eligible();
    app["favourite_colour"] = json!("green");
    app["nationality"] = json!("BE");
    app["funding_purposes"][0]["note"] = json!("x");
    let d = decide(&app);
    assert_eq!(d["outcome"], "eligible");
    let warned: Vec<&str> = d["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        warned,
        [
            "favourite_colour",
            "funding_purposes[0].note",
            "nationality"
        ]
    );
    assert!(
        d["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["code"] == "unknown_field")
    );
    let plain = decide(&eligible());
    assert_eq!(d["reasons"], plain["reasons"]);
    assert_eq!(d["normalized"], plain["normalized"]);
}

#[test]
fn reasons_are_ordered_by_severity_then_id_with_messages_in_every_language() {
    let mut app = with("legal_form", json!("vzw"));
    app["region"] = json!("brussels");
    app["business_plan_status"] = json!("none");
    app["nace_code"] = json!("74.201");
    app["nace_version"] = json!("2008");
    app["has_tax_or_social_arrears"] = json!(true);
    let k = kredo();
    let mut messages = Vec::new();
    for lang in ["nl", "fr", "en"] {
        let req = json!({"as_of": "2026-11-22", "language": lang, "application": app}).to_string();
        let d: Value = serde_json::from_str(&k.evaluate_json(&req, today()).unwrap()).unwrap();
        let ids: Vec<(&str, &str)> = d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["severity"].as_str().unwrap(), r["id"].as_str().unwrap()))
            .collect();
        assert_eq!(
            ids,
            [
                ("ineligible", "NONPROFIT_LEGAL_FORM"),
                ("review", "REGION_BRUSSELS_CHECK"),
                ("flag", "NO_BUSINESS_PLAN"),
                ("flag", "TAX_SOCIAL_ARREARS"),
                ("info", "CULTURAL_SECTOR"),
            ]
        );
        assert_eq!(d["outcome"], "ineligible");
        for r in d["reasons"].as_array().unwrap() {
            let m = r["message"].as_str().unwrap();
            assert!(
                !m.is_empty()
                    && !m.to_lowercase().contains("rejected")
                    && !m.to_lowercase().contains("afgewezen")
            );
            messages.push(m.to_owned());
        }
    }
    // Three languages, three different texts for each reason.
    assert_eq!(
        messages
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        messages.len()
    );
}

#[test]
fn info_alone_keeps_the_outcome_eligible() {
    let mut app = with("nace_code", json!("74.201"));
    app["nace_version"] = json!("2008");
    let d = decide(&app);
    assert_eq!(
        (d["outcome"].as_str(), d["reasons"][0]["id"].as_str()),
        (Some("eligible"), Some("CULTURAL_SECTOR"))
    );
}

#[test]
fn the_application_must_be_an_object() {
    for value in [json!([]), json!("x"), json!(3), json!(null)] {
        let d = decide(&value);
        assert_eq!(d["outcome"], "invalid", "{value}");
        assert_eq!(
            error_codes(&d),
            [("application".to_owned(), "invalid_application".to_owned())]
        );
    }
}

#[test]
fn published_versions_never_change() {
    // A published version's hash is recorded in rules/<product>/published.json; changing any
    // hashed file of it fails here. A change is a new version directory.
    let mut published = std::collections::BTreeMap::new();
    for (product, text) in [
        ("brusoc", include_str!("../rules/brusoc/published.json")),
        ("credal", include_str!("../rules/credal/published.json")),
        (
            "impulskrediet",
            include_str!("../rules/impulskrediet/published.json"),
        ),
        (
            "microstart",
            include_str!("../rules/microstart/published.json"),
        ),
    ] {
        let hashes: std::collections::BTreeMap<String, String> =
            serde_json::from_str(text).unwrap();
        for (version, hash) in hashes {
            published.insert((product.to_owned(), version), hash);
        }
    }
    let k = kredo();
    let actual: std::collections::BTreeMap<(String, String), String> = k
        .rulesets()
        .into_iter()
        .map(|r| ((r.product, r.version), r.hash))
        .collect();
    assert_eq!(actual, published);
}

#[test]
fn the_fast_writer_gives_serde_json_bytes() {
    // The decision bytes are written by hand for speed; they must equal the derived Serialize.
    let k = kredo();
    let mut n = 0;
    for src in kredo::embedded::sources().unwrap() {
        let cases = kredo::cases::parse(
            std::str::from_utf8(&src.file("cases.json").unwrap().bytes).unwrap(),
        )
        .unwrap();
        for c in cases {
            for lang in ["nl", "fr", "en"] {
                let mut req = kredo::Request::new(c.application.clone())
                    .product(&src.product)
                    .language(lang);
                if let Some(as_of) = &c.as_of {
                    req = req.as_of(as_of);
                }
                let d = k.evaluate(&req, today()).unwrap();
                assert_eq!(
                    d.to_json(),
                    serde_json::to_string(&d).unwrap(),
                    "{}",
                    c.name
                );
                n += 1;
            }
        }
    }
    assert!(n > 600);
}

#[test]
fn every_rule_has_plain_words_in_every_language() {
    // Applicants are never told they are "rejected": they are "probably not eligible".
    let banned = ["rejected", "afgewezen", "geweigerd", "rejeté", "refusé"];
    let k = kredo();
    for info in k.rulesets() {
        for lang in kredo::Language::ALL {
            let rules = k.guidance(&info.product, &info.version, lang).unwrap();
            if info.product == "impulskrediet" {
                assert_eq!(rules.len(), 22);
            } else {
                assert!(rules.len() >= 6, "{}", info.product);
            }
            for r in rules {
                for text in [r.message, r.next_step] {
                    assert!(
                        !text.trim().is_empty(),
                        "{} {} {lang:?}",
                        info.version,
                        r.id
                    );
                    assert!(
                        !text.contains('{'),
                        "unfilled placeholder in {}: {text}",
                        r.id
                    );
                    let lower = text.to_lowercase();
                    assert!(
                        !banned.iter().any(|b| lower.contains(b)),
                        "{} {lang:?}: {text}",
                        r.id
                    );
                }
            }
        }
    }
}

#[test]
fn a_request_must_be_an_object() {
    for text in ["[]", "[{}]", "3", "\"x\"", "null"] {
        let e = kredo().evaluate_json(text, today()).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_request", "{text}");
    }
}

#[test]
fn a_utf8_bom_before_the_json_is_read() {
    let plain = request(&eligible());
    let with_bom = format!("\u{feff}{plain}");
    assert_eq!(
        kredo().evaluate_json(&with_bom, today()).unwrap(),
        kredo().evaluate_json(&plain, today()).unwrap()
    );
    let selection = kredo::Selection::default();
    let app = eligible().to_string();
    assert_eq!(
        kredo()
            .check_json(&format!("\u{feff}{app}"), &selection, today(), false)
            .unwrap(),
        kredo()
            .check_json(&app, &selection, today(), false)
            .unwrap()
    );
}

/// `depth` arrays, one inside the other, around `1`.
fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

/// The eligible application's JSON text with extra members, each `"key": <raw JSON text>`,
/// and `note` (raw JSON text) in the first purpose.
fn application_text(extra: &[(&str, &str)], note: Option<&str>) -> String {
    let mut text = eligible().to_string();
    for (key, raw) in extra {
        text = text.replacen('{', &format!("{{\"{key}\":{raw},"), 1);
    }
    if let Some(note) = note {
        text = text.replacen(
            "{\"amount_eur\"",
            &format!("{{\"note\":{note},\"amount_eur\""),
            1,
        );
    }
    text
}

#[test]
fn an_unknown_field_with_a_lone_surrogate_or_deep_nesting_still_gets_a_decision() {
    let deep = nested(1_000);
    let app = application_text(
        &[
            ("nickname", r#""\ud800""#),
            ("tree", &deep),
            ("also", r#"{"x": ["\udfff", "\ud83d"]}"#),
        ],
        Some(r#""\ud800 and more""#),
    );
    let req = format!(r#"{{"as_of":"2026-11-22","language":"en","application":{app}}}"#);
    let d: Value = serde_json::from_str(&kredo().evaluate_json(&req, today()).unwrap()).unwrap();
    let plain = decide(&eligible());
    assert_eq!(d["outcome"], "eligible");
    let warned: Vec<&str> = d["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        warned,
        ["also", "funding_purposes[0].note", "nickname", "tree"]
    );
    for key in ["reasons", "errors", "skipped", "indicative", "normalized"] {
        assert_eq!(d[key], plain[key], "{key}");
    }
    // A bare application (`kredo check`, a CSV row) is read the same way.
    let selection = kredo::Selection {
        as_of: Some("2026-11-22".into()),
        language: Some("en".into()),
        ..Default::default()
    };
    let bare: Value = serde_json::from_str(
        &kredo()
            .check_json(&app, &selection, today(), false)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(bare, d);
}

#[test]
fn a_known_field_that_cannot_be_read_still_makes_the_request_unreadable() {
    // Exactly as before: the error a full read gives, with its position, for a lone surrogate
    // or nesting past serde_json's limit in a field the rule set declares, even when an
    // unknown field holds the same.
    let cases = [
        application_text(&[("legal_form", r#""\ud800""#)], None),
        application_text(&[("x", r#""\ud800""#), ("region", r#""\udc00""#)], None),
        application_text(&[("project_description", &nested(200))], None),
        application_text(&[("x", &nested(300)), ("region", &nested(127))], None),
        application_text(&[], Some(r#""\ud800""#)).replacen("\"note\"", "\"category\"", 1),
    ];
    for app in cases {
        let req = format!(r#"{{"as_of":"2026-11-22","language":"en","application":{app}}}"#);
        let full = serde_json::from_str::<serde_json::Value>(&req).unwrap_err();
        let e = kredo().evaluate_json(&req, today()).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_json", "{app}");
        assert_eq!(
            (e.line, e.column),
            (Some(full.line() as u32), Some(full.column() as u32)),
            "{e:?}"
        );
        let full = serde_json::from_str::<serde_json::Value>(&app).unwrap_err();
        let e = kredo()
            .check_json(&app, &kredo::Selection::default(), today(), false)
            .unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_json", "{app}");
        assert_eq!(
            (e.line, e.column),
            (Some(full.line() as u32), Some(full.column() as u32)),
            "{e:?}"
        );
    }
    // Within the limit, a known field is read (and judged) as before.
    let app = application_text(&[("project_description", &nested(125))], None);
    let req = format!(r#"{{"as_of":"2026-11-22","language":"en","application":{app}}}"#);
    let d: Value = serde_json::from_str(&kredo().evaluate_json(&req, today()).unwrap()).unwrap();
    assert_eq!(
        error_codes(&d),
        [("project_description".into(), "invalid_type".into())]
    );
}

#[test]
fn a_decomposed_accent_finds_its_alias() {
    // "Coöperatieve vennootschap" typed as `o` + U+0308, as some keyboards and PDFs write it.
    let d = decide(&with(
        "legal_form",
        json!("Coo\u{308}peratieve vennootschap"),
    ));
    assert_eq!(d["normalized"]["legal_form"], "CV", "{d}");
    assert_eq!(d["errors"], json!([]));
}

#[test]
fn a_key_written_twice_is_refused_by_name() {
    // serde_json's own map keeps the last of two equal keys; an application that says two
    // amounts at once is refused instead, naming the key, from the request and the CLI's path.
    let app =
        r#"{"amount_requested_eur": "1000", "term_months": 24, "amount_requested_eur": "30000"}"#;
    let req = format!(r#"{{"as_of": "2026-11-22", "application": {app}}}"#);
    let e = kredo().evaluate_json(&req, today()).unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_request");
    assert_eq!(
        e.message,
        "the request does not fit contract v1: duplicate key `amount_requested_eur`"
    );
    let e = kredo()
        .check_json(app, &kredo::Selection::default(), today(), false)
        .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_request");
    assert_eq!(
        e.message,
        "the application does not fit contract v1: duplicate key `amount_requested_eur`"
    );
    // At the end of the object holding the key (found once all its members are read).
    assert_eq!(
        (e.line, e.column),
        (Some(1), Some(app.len() as u32)),
        "{e:?}"
    );
    // Inside a funding purpose too, and in the envelope.
    let purposes = r#"{"funding_purposes": [{"category": "stock", "category": "equipment", "amount_eur": "10"}]}"#;
    let e = kredo()
        .check_json(purposes, &kredo::Selection::default(), today(), false)
        .unwrap_err();
    assert!(
        e.message.ends_with("duplicate key `category`"),
        "{}",
        e.message
    );
    let twice = r#"{"language": "en", "language": "nl", "application": {}}"#;
    let e = kredo().evaluate_json(twice, today()).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "invalid_request",
            "the request does not fit contract v1: duplicate field `language`"
        )
    );
}

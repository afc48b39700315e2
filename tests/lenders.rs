//! Every lender at once (CONTRACT.md §7) and what would change the outcome (§8): referrals
//! from each product's own decision, and suggestions that are exactly what evaluating the
//! changed application gives.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use serde_json::{Value, json};
use std::process::Command;

fn all(app: &Value, lang: &str) -> Value {
    let req = json!({"product": "*", "as_of": "2026-11-22", "language": lang, "application": app});
    serde_json::from_str(&kredo().evaluate_json(&req.to_string(), today()).unwrap()).unwrap()
}

fn one(product: &str, app: &Value, lang: &str) -> Value {
    let req =
        json!({"product": product, "as_of": "2026-11-22", "language": lang, "application": app});
    serde_json::from_str(&kredo().evaluate_json(&req.to_string(), today()).unwrap()).unwrap()
}

fn decision<'a>(answer: &'a Value, product: &str) -> &'a Value {
    answer["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["product"] == product)
        .unwrap_or_else(|| panic!("no decision for {product}: {answer}"))
}

fn referred(answer: &Value) -> Vec<String> {
    answer["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["product"].as_str().unwrap().to_owned())
        .collect()
}

fn reason_ids(d: &Value) -> Vec<String> {
    d["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The application with a suggestion's changes applied, as the page applies them.
fn apply(app: &Value, suggestion: &Value) -> Value {
    let mut changed = app.clone();
    for (k, v) in suggestion["changes"].as_object().unwrap() {
        changed[k] = v.clone();
    }
    changed
}

fn rank(outcome: &Value) -> usize {
    ["invalid", "ineligible", "review", "flagged", "eligible"]
        .iter()
        .position(|o| outcome == *o)
        .unwrap()
}

#[test]
fn every_product_in_force_decides_in_product_order_with_the_same_bytes_as_alone() {
    let app = eligible();
    let req = json!({"product": "*", "as_of": "2026-11-22", "language": "nl", "application": app});
    let text = kredo().evaluate_json(&req.to_string(), today()).unwrap();
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["as_of"], "2026-11-22");
    assert_eq!(answer["language"], "nl");
    let products: Vec<&str> = answer["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["product"].as_str().unwrap())
        .collect();
    assert_eq!(
        products,
        ["brusoc", "credal", "impulskrediet", "microstart"]
    );
    for product in products {
        let alone = kredo()
            .evaluate_json(
                &json!({"product": product, "as_of": "2026-11-22", "language": "nl", "application": app}).to_string(),
                today(),
            )
            .unwrap();
        assert!(
            text.contains(&alone),
            "{product}'s decision is not byte for byte its own"
        );
    }
    // The same bytes on a second engine.
    assert_eq!(
        text,
        fresh().evaluate_json(&req.to_string(), today()).unwrap()
    );
}

#[test]
fn referrals_come_only_from_the_decisions_best_first() {
    for region in ["flanders", "brussels", "wallonia", "outside_belgium"] {
        let mut app = eligible();
        app["region"] = json!(region);
        let answer = all(&app, "en");
        let mut last = usize::MAX;
        for r in answer["referrals"].as_array().unwrap() {
            let d = decision(&answer, r["product"].as_str().unwrap());
            assert_eq!(r["outcome"], d["outcome"], "{region}: {r}");
            assert!(["eligible", "flagged", "review"].contains(&r["outcome"].as_str().unwrap()));
            assert!(rank(&r["outcome"]) <= last, "{region}: not best first");
            last = rank(&r["outcome"]);
            assert!(r["url"].as_str().unwrap().starts_with("https://"));
            assert!(!r["message"].as_str().unwrap().is_empty());
            assert!(!r["title"].as_str().unwrap().is_empty());
        }
        for d in answer["decisions"].as_array().unwrap() {
            let listed = referred(&answer).contains(&d["product"].as_str().unwrap().to_owned());
            let helps = ["eligible", "flagged", "review"].contains(&d["outcome"].as_str().unwrap());
            assert_eq!(listed, helps, "{region}: {}", d["product"]);
        }
    }
}

#[test]
fn a_vzw_that_impulskrediet_excludes_is_referred_to_microstart() {
    let mut app = eligible();
    app["legal_form"] = json!("vzw");
    let answer = all(&app, "en");
    let imp = decision(&answer, "impulskrediet");
    assert_eq!(imp["outcome"], "ineligible");
    assert!(reason_ids(imp).contains(&"NONPROFIT_LEGAL_FORM".to_owned()));
    // Nothing the applicant can change about the amount or term makes a vzw eligible there.
    assert_eq!(imp["suggestions"], json!([]));
    let referrals = referred(&answer);
    assert!(
        referrals.contains(&"microstart".to_owned()),
        "{referrals:?}"
    );
    assert!(!referrals.contains(&"impulskrediet".to_owned()));
    assert!(
        !referrals.contains(&"brusoc".to_owned()),
        "Brusoc lends to natural persons"
    );
}

#[test]
fn wallonia_is_referred_to_microstart_and_credal() {
    let mut app = eligible();
    app["region"] = json!("wallonia");
    let answer = all(&app, "fr");
    assert_eq!(decision(&answer, "impulskrediet")["outcome"], "ineligible");
    let referrals = referred(&answer);
    for p in ["microstart", "credal"] {
        assert!(referrals.contains(&p.to_owned()), "{p}: {referrals:?}");
    }
    for p in ["impulskrediet", "brusoc"] {
        assert!(!referrals.contains(&p.to_owned()), "{p}: {referrals:?}");
    }
}

#[test]
fn brussels_is_referred_to_brusoc_and_microstart() {
    let mut app = eligible();
    app["region"] = json!("brussels");
    app["co_financing_eur"] = json!("1000.00");
    let answer = all(&app, "nl");
    let referrals = referred(&answer);
    for p in ["brusoc", "microstart"] {
        assert!(referrals.contains(&p.to_owned()), "{p}: {referrals:?}");
    }
    assert!(!reason_ids(decision(&answer, "brusoc")).contains(&"OWN_FUNDS_BELOW_MIN".to_owned()));
    // Own funds below Brusoc's 620.00: no longer Brusoc.
    app["co_financing_eur"] = json!("600.00");
    let answer = all(&app, "nl");
    assert!(!referred(&answer).contains(&"brusoc".to_owned()));
}

#[test]
fn thirty_thousand_gets_twenty_five_thousand_with_the_purposes_scaled() {
    let mut app = eligible();
    app["amount_requested_eur"] = json!("30000.00");
    app["funding_purposes"] = json!([
        {"category": "investment", "amount_eur": "20000.00"},
        {"category": "working_capital", "amount_eur": "10000.00"}
    ]);
    for (lang, text) in [
        ("en", "25,000.00 EUR"),
        ("nl", "25.000,00 EUR"),
        ("fr", "25\u{202f}000,00 EUR"),
    ] {
        let d = one("impulskrediet", &app, lang);
        assert_eq!(d["outcome"], "ineligible");
        let first = &d["suggestions"][0];
        assert_eq!(first["changes"]["amount_requested_eur"], "25000.00", "{d}");
        assert_eq!(
            first["changes"]["funding_purposes"],
            json!([
                {"category": "investment", "amount_eur": "16666.67"},
                {"category": "working_capital", "amount_eur": "8333.33"}
            ])
        );
        assert_eq!(first["outcome"], "eligible");
        let message = first["message"].as_str().unwrap();
        assert!(message.contains(text), "{lang}: {message}");
        assert!(
            message.contains(
                first["indicative"]["monthly_instalment_eur"]
                    .as_str()
                    .unwrap()
                    .replace('.', if lang == "en" { "." } else { "," })
                    .as_str()
            ),
            "{lang}: the new instalment is in the message: {message}"
        );
    }
    // 25,000.01 is still too much: 25,000.00 is the largest amount that helps.
    let mut over = app.clone();
    over["amount_requested_eur"] = json!("25000.01");
    over["funding_purposes"] = json!([{"category": "investment", "amount_eur": "25000.01"}]);
    assert_eq!(one("impulskrediet", &over, "en")["outcome"], "ineligible");
    if let Some(d) = one("impulskrediet", &app, "en")["suggestions"][0].as_object() {
        assert_eq!(
            d["message"],
            "If you ask for 25,000.00 EUR or less, you can probably apply (indicative instalment: 771.93 EUR a month)."
        );
    }
}

#[test]
fn eighteen_thousand_for_a_six_month_old_business_gets_microstarts_fifteen_thousand() {
    let mut app = eligible();
    app["amount_requested_eur"] = json!("18000.00");
    app["funding_purposes"] = json!([{"category": "investment", "amount_eur": "18000.00"}]);
    app["business_start_date"] = json!("2026-05-22");
    let d = one("microstart", &app, "en");
    assert_eq!(d["outcome"], "ineligible", "{d}");
    assert!(reason_ids(&d).contains(&"YOUNG_BUSINESS_AMOUNT_ABOVE_CAP".to_owned()));
    let first = &d["suggestions"][0];
    assert_eq!(first["changes"]["amount_requested_eur"], "15000.00", "{d}");
    assert!(first["message"].as_str().unwrap().contains("15,000.00 EUR"));
    // Active for more than a year: 18,000 is fine.
    app["business_start_date"] = json!("2025-10-01");
    let d = one("microstart", &app, "en");
    assert!(
        !reason_ids(&d).contains(&"YOUNG_BUSINESS_AMOUNT_ABOVE_CAP".to_owned()),
        "{d}"
    );
}

#[test]
fn a_cash_flow_below_the_instalment_gets_a_longer_term_or_a_lower_amount_that_clears_it() {
    let mut app = eligible();
    app["amount_requested_eur"] = json!("20000.00");
    app["funding_purposes"] = json!([{"category": "investment", "amount_eur": "20000.00"}]);
    app["term_months"] = json!(24);
    app["projected_monthly_net_cashflow_eur"] = json!("600.00");
    let d = one("impulskrediet", &app, "en");
    assert_eq!(d["outcome"], "review");
    assert!(reason_ids(&d).contains(&"REPAYMENT_CAPACITY_INSUFFICIENT".to_owned()));
    let list = d["suggestions"].as_array().unwrap();
    let amount = list
        .iter()
        .find(|s| s["changes"].get("amount_requested_eur").is_some())
        .expect("a lower amount");
    let term = list
        .iter()
        .find(|s| s["changes"].get("term_months").is_some())
        .expect("a longer term");
    for s in [amount, term] {
        let again = one("impulskrediet", &apply(&app, s), "en");
        assert!(!reason_ids(&again).contains(&"REPAYMENT_CAPACITY_INSUFFICIENT".to_owned()));
        assert_eq!(again["outcome"], s["outcome"]);
        assert!(rank(&again["outcome"]) > rank(&d["outcome"]));
    }
    // The largest amount: one cent more does not clear the rule.
    let a: rust_decimal::Decimal = amount["changes"]["amount_requested_eur"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(a < rust_decimal::Decimal::from(20_000));
    let mut more = app.clone();
    more["amount_requested_eur"] = json!((a + rust_decimal::Decimal::new(1, 2)).to_string());
    more["funding_purposes"] = json!([{"category": "investment", "amount_eur": (a + rust_decimal::Decimal::new(1, 2)).to_string()}]);
    assert!(
        reason_ids(&one("impulskrediet", &more, "en"))
            .contains(&"REPAYMENT_CAPACITY_INSUFFICIENT".to_owned())
    );
    // The nearest term: one month less does not clear it.
    let t = term["changes"]["term_months"].as_i64().unwrap();
    assert!(t > 24);
    let mut shorter = app.clone();
    shorter["term_months"] = json!(t - 1);
    assert!(
        reason_ids(&one("impulskrediet", &shorter, "en"))
            .contains(&"REPAYMENT_CAPACITY_INSUFFICIENT".to_owned())
    );
}

#[test]
fn facts_about_the_person_or_business_are_never_suggested() {
    for (field, value) in [
        ("region", json!("outside_belgium")),
        ("in_collective_debt_settlement", json!(true)),
        ("bankruptcy_status", json!("ongoing")),
        ("applicant_age_years", json!(16)),
    ] {
        let mut app = eligible();
        app[field] = value;
        let answer = all(&app, "en");
        for d in answer["decisions"].as_array().unwrap() {
            for s in d["suggestions"].as_array().into_iter().flatten() {
                for key in s["changes"].as_object().unwrap().keys() {
                    assert!(
                        ["amount_requested_eur", "funding_purposes", "term_months"]
                            .contains(&key.as_str()),
                        "{field}: {key}"
                    );
                }
            }
        }
    }
}

#[test]
fn decisions_that_are_not_ineligible_or_review_carry_no_suggestions() {
    let d = one("impulskrediet", &eligible(), "en");
    assert_eq!(d["outcome"], "eligible");
    assert!(d.get("suggestions").is_none());
    let mut bad = eligible();
    bad["amount_requested_eur"] = json!("abc");
    let d = one("impulskrediet", &bad, "en");
    assert_eq!(d["outcome"], "invalid");
    assert!(d.get("suggestions").is_none());
}

#[test]
fn every_product_refuses_a_pinned_version_and_the_batch_refuses_star() {
    let req = json!({"product": "*", "version": "2025-01-01", "application": eligible()});
    let e = kredo()
        .evaluate_json(&req.to_string(), today())
        .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_request");
    assert_eq!(e.field, Some("version"));
    // Before any product's first version.
    let req = json!({"product": "*", "as_of": "2019-01-01", "application": eligible()});
    let e = kredo()
        .evaluate_json(&req.to_string(), today())
        .unwrap_err();
    assert_eq!(e.code.as_str(), "no_version_in_force");
    // The batch resolves one product for every row: `*` is refused up front.
    let star = kredo::Selection {
        product: Some("*".into()),
        ..Default::default()
    };
    let e = kredo().resolve(&star, today()).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field),
        ("invalid_request", Some("product"))
    );
    // In 2022 only Impulskrediet had a version in force.
    let req = json!({"product": "*", "as_of": "2022-06-01", "application": eligible()});
    let answer: Value =
        serde_json::from_str(&kredo().evaluate_json(&req.to_string(), today()).unwrap()).unwrap();
    assert_eq!(answer["decisions"].as_array().unwrap().len(), 1);
}

#[test]
fn the_cli_takes_product_all_and_prints_the_same_bytes() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lenders-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let mut app = eligible();
    app["region"] = json!("wallonia");
    let file = dir.join("app.json");
    std::fs::write(&file, app.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kredo"))
        .args([
            "check",
            "--product",
            "all",
            "--as-of",
            "2026-11-22",
            "--lang",
            "en",
        ])
        .arg(&file)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let req = json!({"product": "*", "as_of": "2026-11-22", "language": "en", "application": app});
    let expected = kredo().evaluate_json(&req.to_string(), today()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{expected}\n")
    );
}

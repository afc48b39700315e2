//! Properties over generated input: determinism, totality, monotonicity.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Any JSON value, nested a few levels, with the numbers and strings that break parsers.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        "-?[0-9]{1,30}(\\.[0-9]{1,5})?(e-?[0-9]{1,3})?"
            .prop_map(|s| serde_json::from_str(&s).unwrap_or(Value::Null)),
        ".{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("9500.00"),
            Just("  BV "),
            Just("2008"),
            Just("investment"),
            Just("0566.988.259"),
            Just("56.101")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: [&str; 20] = [
    "legal_form",
    "region",
    "business_status",
    "activity_type",
    "amount_requested_eur",
    "term_months",
    "funding_purposes",
    "is_takeover",
    "enterprise_number",
    "nace_code",
    "nace_version",
    "in_collective_debt_settlement",
    "bankruptcy_status",
    "bank_credit_status",
    "has_tax_or_social_arrears",
    "applicant_age_years",
    "projected_monthly_net_cashflow_eur",
    "business_plan_status",
    "product_variant",
    "project_description",
];

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(FIELDS.to_vec()).prop_map(str::to_owned),
        "[a-z_]{1,12}",
        Just("category".to_owned()),
        Just("amount_eur".to_owned())
    ]
}

/// A valid application, with optional fields sometimes present.
fn valid_application() -> impl Strategy<Value = Value> {
    ((
        prop::sample::select(vec!["eenmanszaak", "BV", "NV", "CV", "VOF", "CommV", "maatschap", "vzw", "ivzw", "stichting", "other"]),
        prop::sample::select(vec!["flanders", "brussels", "wallonia", "outside_belgium"]),
        prop::sample::select(vec!["not_started", "started"]),
        prop::sample::select(vec!["main", "side"]),
        1u32..3_000_000,
        1u32..=72,
        prop::collection::vec((prop::sample::select(vec!["investment", "working_capital", "takeover", "own_contribution_startlening", "refinancing_existing_debt", "tax_or_social_security_debt", "private_use", "other"]), 1u32..2_000_000), 1..4),
        ), (
        prop::option::of(-200_000i64..300_000),
        prop::option::of(prop::sample::select(vec!["none", "closed_discharged", "closed_not_discharged", "ongoing"])),
        prop::option::of(prop::sample::select(vec!["none", "draft", "complete"])),
        prop::option::of(0u32..100),
        prop::option::of("[0-9]{2}\\.[0-9]{3}"),
        prop::option::of(any::<bool>()),
    ))
        .prop_map(|((lf, region, status, activity, cents, term, purposes), (cash, bankruptcy, plan, age, nace, arrears))| {
            let money = |c: u64| format!("{}.{:02}", c / 100, c % 100);
            let mut app = json!({
                "legal_form": lf, "region": region, "business_status": status, "activity_type": activity,
                "amount_requested_eur": money(u64::from(cents)), "term_months": term,
                "funding_purposes": purposes.iter().map(|(c, a)| json!({"category": c, "amount_eur": money(u64::from(*a))})).collect::<Vec<_>>(),
            });
            if let Some(c) = cash { app["projected_monthly_net_cashflow_eur"] = json!(format!("{}.{:02}", c / 100, (c % 100).abs())); }
            if let Some(b) = bankruptcy { app["bankruptcy_status"] = json!(b); }
            if let Some(p) = plan { app["business_plan_status"] = json!(p); }
            if let Some(a) = age { app["applicant_age_years"] = json!(a); }
            if let Some(n) = nace { app["nace_code"] = json!(n); }
            if let Some(t) = arrears { app["has_tax_or_social_arrears"] = json!(t); }
            app
        })
}

fn outcome(k: &kredo::Kredo, app: &Value) -> String {
    let d: Value = serde_json::from_str(&k.evaluate_json(&request(app), today()).unwrap()).unwrap();
    d["outcome"].as_str().unwrap().to_owned()
}

/// A valid application with, sometimes, the other lenders' own fields (§7).
fn lender_application() -> impl Strategy<Value = Value> {
    (
        valid_application(),
        prop::option::of((2015u32..2027, 1u32..=12, 1u32..=28)),
        prop::option::of(0u32..400_000),
    )
        .prop_map(|(mut app, start, own)| {
            if let Some((y, m, d)) = start {
                app["business_start_date"] = json!(format!("{y}-{m:02}-{d:02}"));
            }
            if let Some(c) = own {
                app["co_financing_eur"] = json!(format!("{}.{:02}", c / 100, c % 100));
            }
            app
        })
}

fn rank(outcome: &Value) -> usize {
    ["invalid", "ineligible", "review", "flagged", "eligible"]
        .iter()
        .position(|o| outcome == *o)
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// §8: every suggestion of every product is exactly what evaluating the application with
    /// its changes gives (outcome, reasons, indicative), and better than the decision it is for.
    #[test]
    fn every_suggestion_is_what_its_changes_give(app in lender_application(), lang in prop::sample::select(vec!["nl", "fr", "en"])) {
        let k = kredo();
        let req = json!({"product": "*", "as_of": "2026-11-22", "language": lang, "application": app});
        let all: Value = serde_json::from_str(&k.evaluate_json(&req.to_string(), today()).unwrap()).unwrap();
        for d in all["decisions"].as_array().unwrap() {
            let searched = ["ineligible", "review"].contains(&d["outcome"].as_str().unwrap());
            prop_assert_eq!(d.get("suggestions").is_some(), searched);
            for s in d["suggestions"].as_array().into_iter().flatten() {
                let mut changed = app.clone();
                for (key, v) in s["changes"].as_object().unwrap() {
                    changed[key] = v.clone();
                }
                let again = json!({"product": d["product"], "as_of": "2026-11-22", "language": lang, "application": changed});
                let again: Value = serde_json::from_str(&k.evaluate_json(&again.to_string(), today()).unwrap()).unwrap();
                prop_assert_eq!(&again["outcome"], &s["outcome"]);
                prop_assert_eq!(&again["reasons"], &s["reasons"]);
                prop_assert_eq!(&again["indicative"], &s["indicative"]);
                prop_assert!(rank(&s["outcome"]) > rank(&d["outcome"]), "{} is not better than {}", s["outcome"], d["outcome"]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    /// Any JSON value as the application: always a decision (possibly `invalid`), never a panic.
    #[test]
    fn any_application_gets_a_decision(app in any_json()) {
        let k = kredo();
        let out = k.evaluate_json(&request(&app), today());
        let text = out.expect("an application problem is a decision, not a request error");
        // The borrowed JSON path and the typed `Value` path give the same bytes.
        let typed = kredo::Request::new(app.clone()).as_of("2026-11-22").language("en");
        prop_assert_eq!(&text, &k.evaluate(&typed, today()).unwrap().to_json());
        let d: Value = serde_json::from_str(&text).unwrap();
        prop_assert!(["invalid", "ineligible", "review", "flagged", "eligible"].contains(&d["outcome"].as_str().unwrap()));
        if d["outcome"] == "invalid" {
            prop_assert!(!d["errors"].as_array().unwrap().is_empty());
            prop_assert!(d["reasons"].as_array().unwrap().is_empty());
        } else {
            prop_assert!(d["errors"].as_array().unwrap().is_empty());
        }
    }

    /// Any field of the contract set to any value: a decision, never a panic.
    #[test]
    fn any_field_any_type(field in prop::sample::select(FIELDS.to_vec()), value in any_json()) {
        let mut app = eligible();
        app[field] = value;
        prop_assert!(kredo().evaluate_json(&request(&app), today()).is_ok());
    }

    /// Any request envelope: a decision or a structured error, never a panic.
    #[test]
    fn any_request_gets_an_answer(req in any_json(), text in ".{0,60}") {
        let k = kredo();
        for input in [req.to_string(), text] {
            match k.evaluate_json(&input, today()) {
                Ok(d) => { serde_json::from_str::<Value>(&d).unwrap(); }
                Err(e) => {
                    let body: Value = serde_json::from_str(&e.to_json()).unwrap();
                    prop_assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string());
                }
            }
        }
    }

    /// The hand-written encoder and serde agree on arbitrary applications too.
    #[test]
    fn fast_writer_matches_serde(app in any_json(), valid in valid_application()) {
        let k = kredo();
        for a in [app, valid] {
            let req = kredo::Request::new(a).as_of("2026-11-22");
            let d = k.evaluate(&req, today()).unwrap();
            prop_assert_eq!(d.to_json(), serde_json::to_string(&d).unwrap());
        }
    }

    /// The same request gives the same bytes, on the same engine and on a fresh one.
    #[test]
    fn decisions_are_deterministic(app in valid_application()) {
        let (a, b) = (kredo(), &fresh());
        let first = a.evaluate_json(&request(&app), today()).unwrap();
        prop_assert_eq!(&first, &a.evaluate_json(&request(&app), today()).unwrap());
        prop_assert_eq!(&first, &b.evaluate_json(&request(&app), today()).unwrap());
    }

    /// Asking less money never turns a not-ineligible application into an ineligible one.
    #[test]
    fn asking_less_never_makes_ineligible(app in valid_application(), fraction in 1u32..100) {
        let k = kredo();
        let before = outcome(k, &app);
        let amount: rust_decimal::Decimal = app["amount_requested_eur"].as_str().unwrap().parse().unwrap();
        let smaller = (amount * rust_decimal::Decimal::from(fraction) / rust_decimal::Decimal::from(100)).round_dp(2);
        prop_assume!(smaller > rust_decimal::Decimal::ZERO);
        let mut less = app.clone();
        less["amount_requested_eur"] = json!(format!("{smaller:.2}"));
        let after = outcome(k, &less);
        prop_assert!(!(before != "ineligible" && after == "ineligible"), "{} -> {} for {}", before, after, less);
    }
}

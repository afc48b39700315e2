//! The staff scorecard (CONTRACT.md §6): every attribute at its boundaries, the bands, the
//! ranking of reasons, unknown attributes, monotonicity, and that no public face ever shows a
//! score. Expected points are worked out by hand from the contract's table, not by the engine.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use kredo::api::Audience;
use proptest::prelude::*;
use serde_json::{Value, json};

/// The first day of the version with the scorecard.
const SCORED_DAY: &str = "2026-12-01";

/// 10,000.00 over 36 months at 7 %: the instalment is 308.77 (CONTRACT.md §4).
fn base() -> Value {
    json!({
        "legal_form": "eenmanszaak",
        "region": "flanders",
        "business_status": "started",
        "activity_type": "main",
        "amount_requested_eur": "10000.00",
        "term_months": 36,
        "funding_purposes": [{"category": "investment", "amount_eur": "10000.00"}]
    })
}

fn with(mut application: Value, answers: Value) -> Value {
    for (k, v) in answers.as_object().unwrap() {
        application[k] = v.clone();
    }
    application
}

fn staff_decision(application: &Value, lang: &str) -> Value {
    let request =
        json!({"as_of": SCORED_DAY, "language": lang, "score": true, "application": application});
    let text = kredo()
        .evaluate_json_for(&request.to_string(), today(), Audience::Staff)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn score(application: &Value) -> Value {
    let d = staff_decision(application, "en");
    assert!(d.get("score").is_some(), "no score: {d}");
    d["score"].clone()
}

/// (points, known) of one attribute.
fn attribute(score: &Value, id: &str) -> (u64, bool) {
    for pillar in score["pillars"].as_array().unwrap() {
        for a in pillar["attributes"].as_array().unwrap() {
            if a["id"] == id {
                return (a["points"].as_u64().unwrap(), a["known"].as_bool().unwrap());
            }
        }
    }
    panic!("no attribute {id} in {score}");
}

fn points(answers: Value, id: &str) -> (u64, bool) {
    attribute(&score(&with(base(), answers)), id)
}

#[test]
fn debt_service_coverage_at_150_125_and_100_percent() {
    // I + D = 308.77 + 191.23 = 500.00 exactly, so the boundaries are round.
    for (cash, want) in [
        ("750.00", 20),
        ("749.99", 14),
        ("625.00", 14),
        ("624.99", 6),
        ("500.00", 6),
        ("499.99", 0),
        ("-200.00", 0),
    ] {
        let got = points(
            json!({"projected_monthly_net_cashflow_eur": cash, "existing_monthly_debt_service_eur": "191.23"}),
            "debt_service_coverage",
        );
        assert_eq!(got, (want, true), "cash flow {cash}");
    }
    // Any of its inputs missing: unknown, whatever the others say.
    assert_eq!(
        points(
            json!({"projected_monthly_net_cashflow_eur": "9000.00"}),
            "debt_service_coverage"
        ),
        (0, false)
    );
    assert_eq!(
        points(
            json!({"existing_monthly_debt_service_eur": "0"}),
            "debt_service_coverage"
        ),
        (0, false)
    );
}

#[test]
fn co_financing_at_20_percent_of_the_project() {
    // Amount 10,000.00: 2,500.00 is exactly 20 % of 12,500.00; 2,499.99 is just under.
    for (co, want) in [
        ("2500.00", 5),
        ("2499.99", 3),
        ("0.01", 3),
        ("0", 0),
        ("90000.00", 5),
    ] {
        assert_eq!(
            points(json!({"co_financing_eur": co}), "co_financing"),
            (want, true),
            "co-financing {co}"
        );
    }
}

#[test]
fn experience_and_buffer_at_their_years_and_months() {
    for (years, want) in [(0, 2), (1, 6), (2, 6), (3, 10), (80, 10)] {
        assert_eq!(
            points(json!({"relevant_experience_years": years}), "experience"),
            (want, true),
            "{years} years"
        );
    }
    for (months, want) in [(0, 0), (1, 3), (2, 3), (3, 5), (120, 5)] {
        assert_eq!(
            points(
                json!({"household_buffer_months": months}),
                "household_buffer"
            ),
            (want, true),
            "{months} months"
        );
    }
}

#[test]
fn revenue_stress_at_minus_20_percent() {
    // CF − 0.20 × revenue against I + D = 308.77 (no existing debt).
    for (cash, revenue, want) in [
        ("708.77", "2000.00", 5),
        ("708.76", "2000.00", 0),
        ("308.77", "0", 5),
        ("5000.00", "30000.00", 0),
    ] {
        assert_eq!(
            points(
                json!({"projected_monthly_net_cashflow_eur": cash, "projected_monthly_revenue_eur": revenue, "existing_monthly_debt_service_eur": "0"}),
                "revenue_stress"
            ),
            (want, true),
            "{cash} with revenue {revenue}"
        );
    }
    // Without the existing debt, the charge is not known: unknown.
    assert_eq!(
        points(
            json!({"projected_monthly_net_cashflow_eur": "9000.00", "projected_monthly_revenue_eur": "100.00"}),
            "revenue_stress"
        ),
        (0, false)
    );
}

#[test]
fn enums_and_booleans_score_their_table() {
    let table: [(&str, &str, Value, u64); 17] = [
        (
            "business_plan",
            "business_plan_status",
            json!("complete"),
            10,
        ),
        ("business_plan", "business_plan_status", json!("draft"), 5),
        ("business_plan", "business_plan_status", json!("none"), 0),
        (
            "financial_plan",
            "financial_plan_status",
            json!("complete"),
            10,
        ),
        ("financial_plan", "financial_plan_status", json!("draft"), 5),
        ("financial_plan", "financial_plan_status", json!("none"), 0),
        (
            "supporting_documents",
            "supporting_documents",
            json!("complete"),
            5,
        ),
        (
            "supporting_documents",
            "supporting_documents",
            json!("partial"),
            2,
        ),
        (
            "supporting_documents",
            "supporting_documents",
            json!("none"),
            0,
        ),
        ("market_evidence", "market_evidence", json!("strong"), 10),
        ("market_evidence", "market_evidence", json!("some"), 5),
        ("permits", "permits_status", json!("in_place"), 5),
        ("permits", "permits_status", json!("not_needed"), 5),
        ("permits", "permits_status", json!("pending"), 2),
        ("permits", "permits_status", json!("missing"), 0),
        ("coaching", "accepts_coaching", json!(true), 5),
        ("coaching", "accepts_coaching", json!(false), 0),
    ];
    for (id, field, value, want) in table {
        assert_eq!(
            points(json!({ field: value.clone() }), id),
            (want, true),
            "{field} = {value}"
        );
    }
}

#[test]
fn arrears_with_and_without_a_plan() {
    let cases = [
        (json!({"has_tax_or_social_arrears": false}), (10, true)),
        (
            json!({"has_tax_or_social_arrears": false, "arrears_payment_plan": false}),
            (10, true),
        ),
        (
            json!({"has_tax_or_social_arrears": true, "arrears_payment_plan": true}),
            (5, true),
        ),
        (
            json!({"has_tax_or_social_arrears": true, "arrears_payment_plan": false}),
            (0, true),
        ),
        // "true otherwise": no answer about a plan is no plan.
        (json!({"has_tax_or_social_arrears": true}), (0, true)),
        (json!({"arrears_payment_plan": true}), (0, false)),
    ];
    for (answers, want) in cases {
        assert_eq!(points(answers.clone(), "arrears"), want, "{answers}");
    }
}

/// An application whose total is `total`: per attribute one answer, chosen by a search over
/// the points each answer loses from a complete application (worked out by hand: with no
/// revenue, the existing debt moves I + D to 800.00, 1,000.00 or 1,100.00 against a cash flow
/// of 1,000.00, losing 6, 14, or 20 + 5 with the stress test).
fn scoring(total: u64) -> Value {
    let options: [(&str, [(Value, u64); 4]); 11] = [
        (
            "business_plan_status",
            [
                (json!("complete"), 0),
                (json!("draft"), 5),
                (json!("none"), 10),
                (json!("none"), 10),
            ],
        ),
        (
            "financial_plan_status",
            [
                (json!("complete"), 0),
                (json!("draft"), 5),
                (json!("none"), 10),
                (json!("none"), 10),
            ],
        ),
        (
            "supporting_documents",
            [
                (json!("complete"), 0),
                (json!("partial"), 3),
                (json!("none"), 5),
                (json!("none"), 5),
            ],
        ),
        (
            "existing_monthly_debt_service_eur",
            [
                (json!("0"), 0),
                (json!("491.23"), 6),
                (json!("691.23"), 14),
                (json!("791.23"), 25),
            ],
        ),
        (
            "household_buffer_months",
            [(json!(3), 0), (json!(1), 2), (json!(0), 5), (json!(0), 5)],
        ),
        (
            "co_financing_eur",
            [
                (json!("2500.00"), 0),
                (json!("100.00"), 2),
                (json!("0"), 5),
                (json!("0"), 5),
            ],
        ),
        (
            "relevant_experience_years",
            [(json!(3), 0), (json!(1), 4), (json!(0), 8), (json!(0), 8)],
        ),
        (
            "market_evidence",
            [
                (json!("strong"), 0),
                (json!("some"), 5),
                (json!("none"), 10),
                (json!("none"), 10),
            ],
        ),
        (
            "permits_status",
            [
                (json!("in_place"), 0),
                (json!("pending"), 3),
                (json!("missing"), 5),
                (json!("missing"), 5),
            ],
        ),
        (
            "accepts_coaching",
            [
                (json!(true), 0),
                (json!(false), 5),
                (json!(false), 5),
                (json!(false), 5),
            ],
        ),
        (
            "has_tax_or_social_arrears",
            [
                (json!(false), 0),
                (json!(true), 10),
                (json!(true), 10),
                (json!(true), 10),
            ],
        ),
    ];
    fn search(
        options: &[(&str, [(Value, u64); 4])],
        lost: u64,
        out: &mut Vec<(String, Value)>,
    ) -> bool {
        let Some(((field, answers), rest)) = options.split_first() else {
            return lost == 0;
        };
        for (value, cost) in answers {
            if *cost <= lost {
                out.push(((*field).to_owned(), value.clone()));
                if search(rest, lost - cost, out) {
                    return true;
                }
                out.pop();
            }
        }
        false
    }
    let mut chosen = Vec::new();
    assert!(
        search(&options, 100 - total, &mut chosen),
        "no answers total {total}"
    );
    let mut answers = json!({
        "projected_monthly_net_cashflow_eur": "1000.00",
        "projected_monthly_revenue_eur": "0",
    });
    for (field, value) in chosen {
        answers[field] = value;
    }
    with(base(), answers)
}

#[test]
fn bands_at_75_60_and_40() {
    for (total, band) in [
        (100, "A"),
        (75, "A"),
        (74, "B"),
        (60, "B"),
        (59, "C"),
        (40, "C"),
        (39, "D"),
        (2, "D"),
    ] {
        let s = score(&scoring(total));
        assert_eq!(s["total"], total, "{s}");
        assert_eq!(s["band"], band, "total {total}");
        assert_eq!(s["max"], 100);
    }
}

#[test]
fn reasons_rank_by_points_lost_then_table_order_with_texts_in_every_language() {
    // Loses 10 (financial plan), 8 (experience 0 → 2), 5 (market some), 5 (coaching), 3
    // (documents partial), 2 (buffer 1): ties keep pillar, then attribute order.
    let application = with(
        base(),
        json!({
            "business_plan_status": "complete", "financial_plan_status": "none",
            "supporting_documents": "partial", "projected_monthly_net_cashflow_eur": "1000.00",
            "existing_monthly_debt_service_eur": "0", "has_tax_or_social_arrears": false,
            "household_buffer_months": 1, "co_financing_eur": "2500.00",
            "relevant_experience_years": 0, "market_evidence": "some", "permits_status": "in_place",
            "projected_monthly_revenue_eur": "1000.00", "accepts_coaching": false
        }),
    );
    let mut messages = Vec::new();
    for lang in ["nl", "fr", "en"] {
        let s = staff_decision(&application, lang)["score"].clone();
        let ids: Vec<&str> = s["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "SCORE_FINANCIAL_PLAN",
                "SCORE_EXPERIENCE",
                "SCORE_MARKET_EVIDENCE",
                "SCORE_COACHING",
                "SCORE_SUPPORTING_DOCUMENTS",
                "SCORE_HOUSEHOLD_BUFFER"
            ]
        );
        let lost: Vec<u64> = s["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["points_lost"].as_u64().unwrap())
            .collect();
        assert_eq!(lost, [10, 8, 5, 5, 3, 2]);
        assert_eq!(s["total"], 100 - 33);
        for r in s["reasons"].as_array().unwrap() {
            let text = r["message"].as_str().unwrap();
            assert!(text.len() > 20, "{lang}: {text}");
            messages.push(text.to_owned());
        }
    }
    // Three languages, three different texts for each reason.
    let distinct: std::collections::BTreeSet<&String> = messages.iter().collect();
    assert_eq!(distinct.len(), messages.len());
}

#[test]
fn unknown_attributes_score_zero_are_listed_and_say_what_is_missing() {
    let s = score(&with(base(), json!({"market_evidence": "strong"})));
    assert_eq!(s["total"], 10);
    assert_eq!(s["band"], "D");
    let unknown: Vec<&str> = s["pillars"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["attributes"].as_array().unwrap())
        .filter(|a| a["known"] == false)
        .map(|a| {
            assert_eq!(a["points"], 0);
            a["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(unknown.len(), 11, "{s}");
    assert!(!unknown.contains(&"market_evidence"));
    let coverage = s["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "SCORE_DEBT_SERVICE_COVERAGE")
        .unwrap();
    let text = coverage["message"].as_str().unwrap();
    assert!(
        text.starts_with("Not answered yet: Money left each month, Existing repayments a month."),
        "{text}"
    );
}

#[test]
fn the_score_never_changes_the_outcome_and_invalid_has_none() {
    // Same application, with and without the score: the same decision apart from `score`.
    let application = with(
        base(),
        json!({"has_tax_or_social_arrears": true, "market_evidence": "none"}),
    );
    let mut scored = staff_decision(&application, "en");
    let plain: Value = serde_json::from_str(
        &kredo()
            .evaluate_json(
                &json!({"as_of": SCORED_DAY, "language": "en", "application": application})
                    .to_string(),
                today(),
            )
            .unwrap(),
    )
    .unwrap();
    assert!(scored.as_object_mut().unwrap().remove("score").is_some());
    assert_eq!(scored, plain);
    assert_eq!(plain["outcome"], "flagged");
    // `score` stands after `indicative`, before `normalized`.
    let text = kredo()
        .evaluate_json_for(
            &json!({"as_of": SCORED_DAY, "score": true, "application": base()}).to_string(),
            today(),
            Audience::Staff,
        )
        .unwrap();
    let (i, s, n) = (
        text.find("\"indicative\"").unwrap(),
        text.find("\"score\"").unwrap(),
        text.find("\"normalized\"").unwrap(),
    );
    assert!(i < s && s < n, "{text}");
    // Invalid: no score.
    let invalid = staff_decision(&with(base(), json!({"term_months": "soon"})), "en");
    assert_eq!(invalid["outcome"], "invalid");
    assert!(invalid.get("score").is_none(), "{invalid}");
}

#[test]
fn versions_before_the_scorecard_give_no_score() {
    let text = kredo()
        .evaluate_json_for(
            &json!({"as_of": "2026-11-30", "score": true, "application": base()}).to_string(),
            today(),
            Audience::Staff,
        )
        .unwrap();
    let d: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(d["rule_set"]["version"], "2025-01-01");
    assert!(d.get("score").is_none());
}

#[test]
fn the_public_never_gets_a_score() {
    let request = json!({"as_of": SCORED_DAY, "score": true, "application": base()}).to_string();
    // The public entry point (the page's wasm and `POST /api/v1/check` call it) refuses.
    let e = kredo().evaluate_json(&request, today()).unwrap_err();
    assert_eq!(e.code, kredo::ErrorCode::InvalidRequest);
    assert_eq!(e.field, Some("score"));
    // Also when the application holds what only the lenient read takes.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let lenient = format!(r#"{{"as_of":"2026-12-01","score":true,"application":{{"x":{deep}}}}}"#);
    // (Without the key, the lenient read decides it.)
    assert!(
        kredo()
            .evaluate_json(&lenient.replace(r#""score":true,"#, ""), today())
            .is_ok()
    );
    let lenient = lenient.as_str();
    let e = kredo().evaluate_json(lenient, today()).unwrap_err();
    assert_eq!(e.field, Some("score"), "{e:?}");
    // Without asking: no score in any public answer, also in the scored version.
    for application in [base(), with(base(), json!({"market_evidence": "strong"}))] {
        let text = kredo()
            .evaluate_json(
                &json!({"as_of": SCORED_DAY, "application": application}).to_string(),
                today(),
            )
            .unwrap();
        assert!(!text.contains("\"score\""), "{text}");
    }
    // The public envelope is the contract's: `score` is no key of it, whatever its value.
    let e = kredo()
        .evaluate_json(
            &json!({"as_of": SCORED_DAY, "score": false, "application": base()}).to_string(),
            today(),
        )
        .unwrap_err();
    assert_eq!(e.field, Some("score"));
}

/// Answers for one attribute, from worst to best.
fn ladders() -> Vec<Vec<Value>> {
    vec![
        vec![json!("none"), json!("draft"), json!("complete")],
        vec![json!("none"), json!("partial"), json!("complete")],
        vec![json!("none"), json!("some"), json!("strong")],
        vec![json!("missing"), json!("pending"), json!("in_place")],
        vec![json!(false), json!(true)],
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Improving any one answer (more cash flow, less debt, more buffer, co-financing,
    /// experience or revenue margin, a better status) never lowers the score.
    #[test]
    fn a_better_answer_never_lowers_the_score(
        cash in -500i64..3000,
        debt in 0i64..800,
        buffer in 0i64..6,
        co in 0i64..6000,
        years in 0i64..5,
        revenue in 0i64..8000,
        arrears in any::<bool>(),
        plan in any::<bool>(),
        rungs in prop::collection::vec(0usize..3, 5),
        which in 0usize..12,
        step in 1i64..500,
    ) {
        let ladders = ladders();
        let rung = |i: usize, extra: usize| {
            let l = &ladders[i];
            l[(rungs[i] + extra).min(l.len() - 1)].clone()
        };
        let build = |better: bool| {
            let up = |i: usize| usize::from(better && which == i);
            let plus = |k: usize| if better && which == k { step } else { 0 };
            json!({
                "business_plan_status": rung(0, up(0)),
                "supporting_documents": rung(1, up(1)),
                "market_evidence": rung(2, up(2)),
                "permits_status": rung(3, up(3)),
                "accepts_coaching": rung(4, up(4)),
                "projected_monthly_net_cashflow_eur": format!("{}.00", cash + plus(5)),
                "existing_monthly_debt_service_eur": format!("{}.00", (debt - plus(6)).max(0)),
                "household_buffer_months": buffer + plus(7) / 100,
                "co_financing_eur": format!("{}.00", co + plus(8)),
                "relevant_experience_years": years + plus(9) / 100,
                "has_tax_or_social_arrears": arrears && !(better && which == 10),
                "arrears_payment_plan": plan || (better && which == 11),
                "financial_plan_status": "draft",
                "projected_monthly_revenue_eur": format!("{}.00", (revenue - plus(5)).max(0)),
            })
        };
        let worse = score(&with(base(), build(false)))["total"].as_u64().unwrap();
        let better = score(&with(base(), build(true)))["total"].as_u64().unwrap();
        prop_assert!(better >= worse, "which {}: {} then {}", which, worse, better);
    }
}

#[test]
fn kredo_check_and_batch_give_the_score_only_with_score() {
    let bin = env!("CARGO_BIN_EXE_kredo");
    let application = with(
        base(),
        json!({"market_evidence": "strong", "accepts_coaching": true}),
    );
    let run = |args: &[&str], input: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(bin)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = application.to_string();
    let with_score: Value = serde_json::from_str(&run(
        &[
            "check", "--as-of", SCORED_DAY, "--lang", "en", "--score", "-",
        ],
        &text,
    ))
    .unwrap();
    assert_eq!(with_score["score"]["total"], 15);
    assert_eq!(with_score["score"]["band"], "D");
    // The CLI gives the same bytes as the staff entry point.
    assert_eq!(
        serde_json::to_string(&with_score).unwrap(),
        serde_json::to_string(&staff_decision(&application, "en")).unwrap()
    );
    let without = run(&["check", "--as-of", SCORED_DAY, "-"], &text);
    assert!(!without.contains("\"score\""));

    let csv = "legal_form,region,business_status,activity_type,amount_requested_eur,term_months,funding_purposes,market_evidence,accepts_coaching\n\
               eenmanszaak,flanders,started,main,10000.00,36,investment:10000.00,strong,true\n\
               eenmanszaak,flanders,started,main,ten,36,investment:10000.00,strong,true\n";
    let out = run(&["batch", "--as-of", SCORED_DAY, "--score", "-"], csv);
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.ends_with(",errors,score_total,score_band,score_reasons"),
        "{header}"
    );
    let first = lines.next().unwrap();
    assert!(
        first.ends_with(",15,D,SCORE_DEBT_SERVICE_COVERAGE SCORE_BUSINESS_PLAN SCORE_FINANCIAL_PLAN SCORE_ARREARS"),
        "{first}"
    );
    // An invalid row has no score.
    assert!(lines.next().unwrap().ends_with(",,,"), "{out}");
    let plain = run(&["batch", "--as-of", SCORED_DAY, "-"], csv);
    assert!(!plain.contains("score_total"));
}

#[test]
fn the_written_score_is_the_bytes_serde_gives() {
    for answers in [
        json!({}),
        json!({"market_evidence": "some", "has_tax_or_social_arrears": true, "projected_monthly_net_cashflow_eur": "400"}),
        json!({"business_plan_status": "complete", "relevant_experience_years": 80, "co_financing_eur": "0"}),
    ] {
        for lang in ["nl", "fr", "en"] {
            let request = kredo::Request::new(with(base(), answers.clone()))
                .as_of(SCORED_DAY)
                .language(lang)
                .score(true);
            let d = kredo().evaluate(&request, today()).unwrap();
            assert!(d.score.is_some());
            assert_eq!(d.to_json(), serde_json::to_string(&d).unwrap());
        }
    }
}

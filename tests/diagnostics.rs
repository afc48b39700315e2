//! Errors for rule authors: product, version, file, line, column, message and hint, exactly.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use kredo::{Diagnostic, Kredo};

fn rule(body: &str, reads: &str) -> String {
    format!(
        "const ID = \"MY_RULE\";\nconst SEVERITY = \"review\";\nconst READS = [{reads}];\n\n{body}\n"
    )
}

/// Every diagnostic for `file` when the 2025 version gets this extra file.
fn problems(path: &str, text: &str) -> Vec<Diagnostic> {
    let err = Kredo::from_sources(with_file(path, text)).expect_err("must not load");
    err.diagnostics
        .into_iter()
        .filter(|d| d.file == path)
        .collect()
}

fn one(path: &str, text: &str) -> Diagnostic {
    let mut all = problems(path, text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

#[test]
fn unknown_variable_suggests_the_nearest_input() {
    let d = one(
        "rules/my_rule.rhai",
        &rule("amount_requestd_eur > 1", "\"amount_requested_eur\""),
    );
    assert_eq!(
        d.to_string(),
        "impulskrediet/2025-01-01/rules/my_rule.rhai:5:1: unknown variable `amount_requestd_eur`\n  help: did you mean `amount_requested_eur`?"
    );
    assert_eq!((d.line, d.column), (Some(5), Some(1)));
    assert_eq!(d.source_line.as_deref(), Some("amount_requestd_eur > 1"));
}

#[test]
fn unknown_parameter_suggests_the_nearest_constant() {
    let d = one(
        "rules/my_rule.rhai",
        &rule("term_months > MAX_TERM_MONTH", "\"term_months\""),
    );
    assert_eq!(d.message, "unknown variable `MAX_TERM_MONTH`");
    assert_eq!(d.help.as_deref(), Some("did you mean `MAX_TERM_MONTHS`?"));
    assert_eq!((d.line, d.column), (Some(5), Some(15)));
}

#[test]
fn unknown_function_suggests_the_nearest_function() {
    let d = one(
        "rules/my_rule.rhai",
        &rule("in_lst(\"regions_not_served\", region)", "\"region\""),
    );
    assert_eq!(
        d.to_string(),
        "impulskrediet/2025-01-01/rules/my_rule.rhai:5:1: unknown function `in_lst`\n  help: did you mean `in_list`?"
    );
}

#[test]
fn unknown_list_is_caught_when_loading() {
    let d = one(
        "rules/my_rule.rhai",
        &rule("in_list(\"regions_not_servd\", region)", "\"region\""),
    );
    assert_eq!(
        d.message,
        "unknown list `regions_not_servd`; did you mean `regions_not_served`?"
    );
    assert_eq!((d.line, d.column), (Some(5), Some(9)));
}

#[test]
fn syntax_error_has_line_and_column() {
    let d = one(
        "rules/my_rule.rhai",
        &rule("let x = (term_months > 1;\nx", "\"term_months\""),
    );
    assert_eq!((d.line, d.column), (Some(5), Some(25)));
    assert!(
        d.message.contains("`)`") || d.message.contains(")"),
        "{}",
        d.message
    );
}

#[test]
fn undeclared_read_is_an_error_with_a_fix() {
    let d = one("rules/my_rule.rhai", &rule("region == \"brussels\"", ""));
    assert_eq!(
        d.message,
        "rule reads `region` but `READS` does not list `region`"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("add \"region\" to READS, so the rule is skipped when `region` is missing")
    );
    assert_eq!((d.line, d.column), (Some(5), Some(1)));
}

#[test]
fn bad_declarations_are_named() {
    let text = "const ID = \"MY_RULE\";\nconst SEVERITY = \"flagged\";\nconst READS = [\"regoin\"];\n\ntrue\n";
    let all = problems("rules/my_rule.rhai", text);
    let messages: Vec<String> = all
        .iter()
        .map(|d| format!("{} | {}", d.message, d.help.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        messages,
        [
            "unknown severity `flagged` | use one of `ineligible`, `review`, `flag`, `info`",
            "`READS` names unknown field `regoin` | did you mean `region`?",
        ]
    );
}

#[test]
fn project_description_is_never_readable() {
    let d = one(
        "rules/my_rule.rhai",
        &rule("project_description == \"\"", ""),
    );
    assert_eq!(d.message, "unknown variable `project_description`");
    assert_eq!(
        d.help.as_deref(),
        Some("`project_description` is free text for people; rules never read it")
    );
}

#[test]
fn a_rule_without_messages_names_each_messages_file() {
    let mut sources = with_file("rules/my_rule.rhai", &rule("true", ""));
    let err = Kredo::from_sources(std::mem::take(&mut sources)).expect_err("must not load");
    let mut files: Vec<String> = err
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.file, d.message))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "messages/en.json: `next_steps` has no message for rule `MY_RULE`",
            "messages/en.json: `rules` has no message for rule `MY_RULE`",
            "messages/fr.json: `next_steps` has no message for rule `MY_RULE`",
            "messages/fr.json: `rules` has no message for rule `MY_RULE`",
            "messages/nl.json: `next_steps` has no message for rule `MY_RULE`",
            "messages/nl.json: `rules` has no message for rule `MY_RULE`",
        ]
    );
}

#[test]
fn broken_json_names_line_and_column() {
    let d = one(
        "data/lists/regions_not_served.json",
        "{\n  \"values\": [\"wallonia\",]\n}\n",
    );
    assert_eq!(
        d.location(),
        "impulskrediet/2025-01-01/data/lists/regions_not_served.json:2:25"
    );
    assert_eq!(d.message, "trailing comma");
}

#[test]
fn wrong_shape_is_reported_at_the_condition() {
    // A condition must be a boolean or a list of field names: where the rule's text shows it
    // is not, the rule set does not load.
    let sources = with_file(
        "rules/amount_above_max.rhai",
        "const ID = \"AMOUNT_ABOVE_MAX\";\nconst SEVERITY = \"ineligible\";\nconst READS = [\"amount_requested_eur\"];\n\namount_requested_eur - MAX_AMOUNT_EUR\n",
    );
    let err = Kredo::from_sources(sources).unwrap_err();
    assert_eq!(err.diagnostics.len(), 1, "{err}");
    assert_eq!(
        err.diagnostics[0].to_string(),
        "impulskrediet/2025-01-01/rules/amount_above_max.rhai:5:22: rule must end with `true` or `false`, not a number\n  help: or with a list of field names, fired when it is not empty"
    );
    // Where only running shows it, the rule stops when it runs, at the same place.
    let sources = with_file(
        "rules/amount_above_max.rhai",
        "const ID = \"AMOUNT_ABOVE_MAX\";\nconst SEVERITY = \"ineligible\";\nconst READS = [\"amount_requested_eur\"];\n\nlet results = [amount_requested_eur];\nresults[0]\n",
    );
    let kredo = Kredo::from_sources(sources).unwrap();
    let err = kredo
        .evaluate_json(&request(&eligible()), today())
        .unwrap_err();
    assert_eq!(err.code.as_str(), "rule_error");
    let d = err.diagnostic.unwrap();
    assert_eq!(
        d.to_string(),
        "impulskrediet/2025-01-01/rules/amount_above_max.rhai:6:1: rule must end with `true` or `false`\n  help: or with a list of field names, fired when it is not empty"
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let mut sources = with_file("rules/a_rule.rhai", &rule("regio == 1", ""));
    let src = &mut sources[0];
    src.files.push(kredo::SourceFile {
        path: "rules/b_rule.rhai".into(),
        bytes: rule("term_month > 1", "").into_bytes().into(),
    });
    let err = Kredo::from_sources(sources).expect_err("must not load");
    let files: Vec<&str> = err
        .diagnostics
        .iter()
        .map(|d| d.file.as_str())
        .filter(|f| f.starts_with("rules/"))
        .collect();
    assert_eq!(files, ["rules/a_rule.rhai", "rules/b_rule.rhai"]);
}

/// A field declaration file for the 2025 version, with one field.
fn field_file(field: &str) -> String {
    format!("{{\n  \"fields\": [\n    {field}\n  ]\n}}\n")
}

const TEXT: &str = r#""text": {"nl": {"label": "x"}, "fr": {"label": "x"}, "en": {"label": "x"}}"#;

#[test]
fn a_field_of_unknown_kind_points_at_its_declaration_and_suggests_a_kind() {
    let d = one(
        "fields/extra.json",
        &field_file(&format!(
            r#"{{"name": "has_accountant", "kind": "bool", {TEXT}}}"#
        )),
    );
    assert_eq!(
        d.to_string(),
        "impulskrediet/2025-01-01/fields/extra.json:3:14: field `has_accountant` has unknown kind `bool`\n  help: use one of `money`, `integer`, `enum`, `boolean`, `text`, `nace_code`, `enterprise_number`, `date`, `purposes`"
    );
    assert_eq!(
        d.source_line.as_deref(),
        Some(&*format!(
            r#"    {{"name": "has_accountant", "kind": "bool", {TEXT}}}"#
        ))
    );
}

#[test]
fn a_field_declared_twice_and_a_missing_language_are_both_reported() {
    let all = problems(
        "fields/extra.json",
        &field_file(
            r#"{"name": "region", "kind": "boolean", "text": {"nl": {"label": "x"}, "en": {"label": "x"}}}"#,
        ),
    );
    let text: Vec<String> = all.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        text,
        [
            "field `region` has no `text` in `fr`",
            "field `region` is declared in `fields/contract.json` too"
        ]
    );
    assert!(all.iter().all(|d| d.line == Some(3)), "{all:#?}");
}

#[test]
fn an_enum_alias_leading_to_two_values_is_an_error() {
    let d = one(
        "fields/extra.json",
        &field_file(&format!(
            r#"{{"name": "sector", "kind": "enum", "options": [{{"value": "food", "aliases": ["horeca"], "label": {{"nl": "x", "fr": "x", "en": "x"}}}}, {{"value": "hotel", "aliases": ["Horeca"], "label": {{"nl": "x", "fr": "x", "en": "x"}}}}], {TEXT}}}"#
        )),
    );
    assert_eq!(
        d.message,
        "field `sector`: `Horeca` leads to both `food` and `hotel`"
    );
}

#[test]
fn a_default_for_an_unknown_field_suggests_the_nearest() {
    let d = one(
        "manifest.json",
        "{\"title\": \"x\", \"annual_rate\": \"0.07\", \"defaults\": {\"nace_versoin\": \"2025\"}}\n",
    );
    assert_eq!(
        d.to_string(),
        "impulskrediet/2025-01-01/manifest.json: `defaults` names unknown field `nace_versoin`\n  help: did you mean `nace_version`?"
    );
}

#[test]
fn a_rule_reading_an_undeclared_field_suggests_a_declared_one() {
    let all = problems(
        "rules/my_rule.rhai",
        &rule(
            "bank_credit_status == \"refused\"",
            "\"bank_credit_statuss\"",
        ),
    );
    let text: Vec<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "impulskrediet/2025-01-01/rules/my_rule.rhai:3:16: `READS` names unknown field `bank_credit_statuss`\n  help: did you mean `bank_credit_status`?",
            "impulskrediet/2025-01-01/rules/my_rule.rhai:5:1: rule reads `bank_credit_status` but `READS` does not list `bank_credit_status`\n  help: add \"bank_credit_status\" to READS, so the rule is skipped when `bank_credit_status` is missing",
        ]
    );
}

/// A file of the embedded 2025 version, as stored.
fn stored(path: &str) -> String {
    let sources = kredo::embedded::sources().unwrap();
    let src = sources
        .iter()
        .find(|s| s.product == "impulskrediet" && s.version == "2025-01-01")
        .unwrap();
    String::from_utf8(src.file(path).unwrap().bytes.to_vec()).unwrap()
}

#[test]
fn for_over_what_cannot_be_walked_is_caught_when_loading() {
    let cases = [
        (
            rule("let n = 0;\nfor x in 0..10 { n += x; }\nn > 5", ""),
            "impulskrediet/2025-01-01/rules/my_rule.rhai:6:10: `for` walks over a list or a string, not a range\n  help: rules have no ranges to walk: write the list, e.g. `[1, 2, 3]`, or compare, e.g. `x >= 1 && x <= 3`",
        ),
        (
            rule("let n = 0;\nfor x in 1..=3 { n += x; }\nn > 5", ""),
            "impulskrediet/2025-01-01/rules/my_rule.rhai:6:10: `for` walks over a list or a string, not a range\n  help: rules have no ranges to walk: write the list, e.g. `[1, 2, 3]`, or compare, e.g. `x >= 1 && x <= 3`",
        ),
        (
            rule(
                "let n = 0;\nfor p in funding_purposes { n += 1; }\nn > 1",
                "\"funding_purposes\"",
            ),
            "impulskrediet/2025-01-01/rules/my_rule.rhai:6:10: `for` walks over a list or a string, not `funding_purposes`\n  help: read `funding_purposes` with its methods: `len()`, `total()`, `amount_for(\"…\")`, `has(\"…\")`, `count_in(\"…\")`",
        ),
        (
            rule("for m in term_months { }\ntrue", "\"term_months\""),
            "impulskrediet/2025-01-01/rules/my_rule.rhai:5:10: `for` walks over a list or a string, not `term_months`, a whole number",
        ),
        (
            rule("for m in MAX_AMOUNT_EUR { }\ntrue", ""),
            "impulskrediet/2025-01-01/rules/my_rule.rhai:5:10: `for` walks over a list or a string, not `MAX_AMOUNT_EUR`, a decimal number",
        ),
        (
            rule("for m in 1.5 { }\ntrue", ""),
            "impulskrediet/2025-01-01/rules/my_rule.rhai:5:10: `for` walks over a list or a string, not a decimal number",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(one("rules/my_rule.rhai", &text).to_string(), expected);
    }
    // Lists and strings can be walked: those load.
    let walks = rule(
        "let n = 0;\nfor c in region { n += 1; }\nfor f in missing_required { n += 1; }\nfor x in [1, 2] { n += x; }\nfor c in \"ab\" { n += 1; }\nn > 100",
        "\"region\"",
    );
    let sources = with_file("rules/my_rule.rhai", &walks);
    let sources = with_messages_for_my_rule(sources);
    assert!(
        problems_of(sources, "rules/my_rule.rhai").is_empty(),
        "a walk over a list or a string loads"
    );
}

/// Adds a message for `MY_RULE` in every language, so that only the rule file is judged.
fn with_messages_for_my_rule(mut sources: Vec<kredo::RuleSetSource>) -> Vec<kredo::RuleSetSource> {
    let src = &mut sources[0];
    for lang in ["nl", "fr", "en"] {
        let path = format!("messages/{lang}.json");
        let text = stored(&path)
            .replacen("\"rules\": {", "\"rules\": {\n    \"MY_RULE\": \"x\",", 1)
            .replacen(
                "\"next_steps\": {",
                "\"next_steps\": {\n    \"MY_RULE\": \"x\",",
                1,
            );
        src.files.retain(|f| f.path != path);
        src.origins.remove(&path);
        src.files.push(kredo::SourceFile {
            path: path.clone(),
            bytes: text.into_bytes().into(),
        });
    }
    sources
}

fn problems_of(sources: Vec<kredo::RuleSetSource>, path: &str) -> Vec<Diagnostic> {
    match Kredo::from_sources(sources) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .diagnostics
            .into_iter()
            .filter(|d| d.file == path)
            .collect(),
    }
}

#[test]
fn a_rule_file_with_a_bom_loads_as_without() {
    let path = "rules/amount_above_max.rhai";
    let text = format!("\u{feff}{}", stored(path));
    let kredo = Kredo::from_sources(with_file(path, &text)).expect("a BOM is no part of the rule");
    let mut app = eligible();
    app["amount_requested_eur"] = serde_json::json!("30000");
    let mut with_bom: serde_json::Value =
        serde_json::from_str(&kredo.evaluate_json(&request(&app), today()).unwrap()).unwrap();
    let mut without: serde_json::Value =
        serde_json::from_str(&fresh().evaluate_json(&request(&app), today()).unwrap()).unwrap();
    assert_eq!(with_bom["outcome"], "ineligible");
    // The hash covers the file's bytes as stored, BOM included.
    assert_ne!(with_bom["rule_set"]["hash"], without["rule_set"]["hash"]);
    with_bom["rule_set"]["hash"] = serde_json::Value::Null;
    without["rule_set"]["hash"] = serde_json::Value::Null;
    assert_eq!(with_bom, without);
    // A broken rule after a BOM is reported where an editor shows it.
    let broken = format!("\u{feff}{}", rule("term_month > 1", "\"term_months\""));
    assert_eq!(
        one("rules/my_rule.rhai", &broken).to_string(),
        "impulskrediet/2025-01-01/rules/my_rule.rhai:5:1: unknown variable `term_month`\n  help: did you mean `term_months`?"
    );
}

#[test]
fn placeholders_are_checked_in_every_message_group() {
    let text = stored("messages/en.json")
        .replacen("\"Write an amount", "\"Write {min} an amount", 1)
        .replacen(
            "\"This field is not used",
            "\"{field} This field is not used",
            1,
        )
        .replacen(
            "\"The number must lie between {min}",
            "\"The number must lie between {low}",
            1,
        )
        .replacen(
            "to {MAX_AMOUNT_EUR} or less",
            "to {MAX_AMOUNT_EURO} or less",
            1,
        );
    let all: Vec<String> = problems("messages/en.json", &text)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        all,
        [
            "impulskrediet/2025-01-01/messages/en.json:28:46: `next_steps` `AMOUNT_ABOVE_MAX`: unknown placeholder `{MAX_AMOUNT_EURO}` (did you mean `MAX_AMOUNT_EUR`?)",
            "impulskrediet/2025-01-01/messages/en.json:58:58: `errors` `integer_out_of_range`: unknown placeholder `{low}` (this message is given `{min}` and `{max}`)",
            "impulskrediet/2025-01-01/messages/en.json:53:29: `errors` `invalid_money`: unknown placeholder `{min}` (this message is given none)",
            "impulskrediet/2025-01-01/messages/en.json:70:23: `warnings` `unknown_field`: unknown placeholder `{field}` (this message is given none)",
        ]
    );
}

#[test]
fn comparing_values_of_different_types_is_caught_when_loading() {
    let d = one(
        "rules/my_rule.rhai",
        &rule(
            "amount_requested_eur > \"25000\"",
            "\"amount_requested_eur\"",
        ),
    );
    assert_eq!(
        d.to_string(),
        "impulskrediet/2025-01-01/rules/my_rule.rhai:5:22: `>` compares `amount_requested_eur` (an amount) with the string `\"25000\"`: values of different types never compare, so it is always `false`\n  help: write the number without quotes: `amount_requested_eur > 25000.00`"
    );
    let d = one(
        "rules/my_rule.rhai",
        &rule(
            "in_collective_debt_settlement != \"true\"",
            "\"in_collective_debt_settlement\"",
        ),
    );
    assert!(
        d.message.ends_with("so it is always `true`"),
        "{}",
        d.message
    );
    // Numbers of both kinds compare with each other; a parameter is typed by its value.
    for ok in [
        "term_months > 12.5",
        "amount_requested_eur > MAX_TERM_MONTHS",
        "region == \"brussels\"",
    ] {
        let reads = "\"amount_requested_eur\", \"term_months\", \"region\"";
        assert!(
            problems("rules/my_rule.rhai", &rule(ok, reads)).is_empty(),
            "{ok}"
        );
    }
}

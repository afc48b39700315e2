//! Errors for rule authors: product, version, file, line, column, message and hint, exactly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

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
    // Compiles, but a condition must be a boolean or a list of field names.
    let mut sources = with_file(
        "rules/amount_above_max.rhai",
        "const ID = \"AMOUNT_ABOVE_MAX\";\nconst SEVERITY = \"ineligible\";\nconst READS = [\"amount_requested_eur\"];\n\namount_requested_eur - MAX_AMOUNT_EUR\n",
    );
    let kredo = Kredo::from_sources(std::mem::take(&mut sources)).unwrap();
    let err = kredo
        .evaluate_json(&request(&eligible()), today())
        .unwrap_err();
    assert_eq!(err.code.as_str(), "rule_error");
    let d = err.diagnostic.unwrap();
    assert_eq!(
        d.to_string(),
        "impulskrediet/2025-01-01/rules/amount_above_max.rhai:5:22: rule must end with `true` or `false`\n  help: or with a list of field names, fired when it is not empty"
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

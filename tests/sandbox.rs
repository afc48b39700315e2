//! Hostile and mistaken rules: each sandbox limit stops a rule fast with an error that names the
//! product, the version and the rule file.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use kredo::Kredo;

/// Compiles the 2025 version with one extra rule and runs the eligible application through it.
fn run_rule_reading(reads: &str, body: &str) -> Result<String, kredo::RequestError> {
    let text = format!(
        "const ID = \"HOSTILE\";\nconst SEVERITY = \"review\";\nconst READS = [{reads}];\n\n{body}\n"
    );
    let mut sources = with_file("rules/zz_hostile.rhai", &text);
    for lang in ["nl", "fr", "en"] {
        let path = format!("messages/{lang}.json");
        let src = &mut sources[0];
        let file = src.files.iter_mut().find(|f| f.path == path).unwrap();
        let mut m: serde_json::Value = serde_json::from_slice(&file.bytes).unwrap();
        m["rules"]["HOSTILE"] = "x".into();
        m["next_steps"]["HOSTILE"] = "x".into();
        file.bytes = m.to_string().into_bytes().into();
    }
    let kredo = Kredo::from_sources(sources)
        .map_err(|e| panic!("did not compile: {e}"))
        .unwrap();
    kredo.evaluate_json(&request(&eligible()), today())
}

fn rule_error(body: &str) -> kredo::Diagnostic {
    rule_error_reading("", body)
}

fn rule_error_reading(reads: &str, body: &str) -> kredo::Diagnostic {
    let err = run_rule_reading(reads, body).expect_err("the hostile rule must stop");
    assert_eq!(err.code, kredo::ErrorCode::RuleError);
    let d = err.diagnostic.expect("a rule error carries its diagnostic");
    assert_eq!(
        (d.product.as_str(), d.version.as_str(), d.file.as_str()),
        ("impulskrediet", "2025-01-01", "rules/zz_hostile.rhai")
    );
    assert!(
        err.message
            .contains("impulskrediet/2025-01-01/rules/zz_hostile.rhai"),
        "{}",
        err.message
    );
    *d
}

#[test]
fn endless_loop_hits_the_operations_limit() {
    let d = rule_error("loop { }\ntrue");
    assert_eq!(
        d.message,
        "rule stopped: the rules of one decision may do 20000 operations together, and this one used them up: does it loop forever?"
    );
    assert_eq!(d.line, Some(5));
}

#[test]
fn script_functions_are_refused_when_the_rule_set_loads() {
    // rhai is built without script functions (`no_function`): a rule is one condition, so no
    // recursion can run at all, and the page's wasm is 22 KB brotli smaller.
    let d = compile_error("fn deeper(n) { deeper(n + 1) }\ndeeper(0)");
    assert_eq!((d.line, d.column), (Some(5), Some(1)), "{}", d.message);
    assert_eq!(d.message, "`fn` is not available in rules");
    assert_eq!(
        d.help.as_deref(),
        Some("a rule is one condition: name a part of it with `let`")
    );
}

#[test]
fn huge_string_hits_the_string_limit() {
    let d = rule_error("let s = \"xxxxxxxxxxxxxxxx\";\nloop { s += s; }\ntrue");
    assert!(
        d.message
            .starts_with("rule stopped: length of string over the limit"),
        "{}",
        d.message
    );
}

#[test]
fn huge_array_hits_the_array_limit() {
    let d = rule_error("let a = [1];\nloop { a += a; }\ntrue");
    assert!(
        d.message.starts_with("rule stopped: size of array"),
        "{}",
        d.message
    );
}

#[test]
fn huge_map_hits_the_map_limit() {
    // A map literal over the limit is refused when compiling…
    let entries: Vec<String> = (0..300).map(|i| format!("k{i}: {i}")).collect();
    let d = compile_error(&format!(
        "let m = #{{{}}};\nm.len() > 0",
        entries.join(", ")
    ));
    assert_eq!(
        d.message,
        "number of properties in object map literal exceeds the maximum limit (256)"
    );
    // …and a map grown at run time stops when it passes the limit.
    let d = rule_error(
        "let m = #{};\nlet i = 0;\nwhile i < 300 { let one = #{}; one[`k${i}`] = i; m += one; i += 1; }\ntrue",
    );
    assert!(
        d.message.starts_with("rule stopped: size of object map"),
        "{}",
        d.message
    );
}

fn compile_error(body: &str) -> kredo::Diagnostic {
    let text = format!(
        "const ID = \"HOSTILE\";\nconst SEVERITY = \"review\";\nconst READS = [];\n\n{body}\n"
    );
    let err = Kredo::from_sources(with_file("rules/zz_hostile.rhai", &text))
        .expect_err("must not compile");
    err.diagnostics
        .into_iter()
        .find(|d| d.file == "rules/zz_hostile.rhai")
        .expect("a diagnostic for the rule file")
}

#[test]
fn deep_expressions_are_refused_when_compiling() {
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let d = compile_error(&format!("{deep} == 1"));
    assert_eq!(d.message, "expression nested deeper than 48 levels");
    assert_eq!(d.line, Some(5));
}

#[test]
fn eval_print_and_debug_are_not_available() {
    for (body, word) in [
        ("eval(\"true\")", "eval"),
        ("print(\"x\"); true", "print"),
        ("debug(\"x\"); true", "debug"),
    ] {
        let d = compile_error(body);
        assert_eq!(
            d.message,
            format!("`{word}` is not allowed in rules"),
            "{body}"
        );
    }
}

#[test]
fn modules_are_not_available() {
    let d = compile_error("import \"file\" as f;\ntrue");
    assert_eq!(d.line, Some(5));
}

#[test]
fn a_rule_cannot_change_an_input_for_the_next_rule() {
    // Inputs are constants at run time.
    let d = rule_error_reading("\"region\"", "region = \"wallonia\";\ntrue");
    assert!(d.message.contains("constant"), "{}", d.message);
}

#[test]
fn a_rule_cannot_read_the_clock() {
    let d = compile_error("timestamp()");
    assert_eq!(d.message, "unknown function `timestamp`");
}

#[test]
fn closures_cannot_capture_variables() {
    // rhai is built without closures or functions (`no_closure`, `no_function`): a rule is a
    // condition, and captured state would be the one way for values to outlive a call. A
    // closure is refused when the rule set loads, at its first `|`.
    let d = compile_error("let limit = 3;\nlet f = |x| x > limit;\nf.call(4)");
    assert_eq!((d.line, d.column), (Some(6), Some(9)), "{}", d.message);
    assert_eq!(d.message, "unexpected '|'");
}

/// The 2025 version with extra rules (id, body), each with messages, compiled.
fn with_rules(rules: &[(&str, &str)]) -> Kredo {
    let mut sources = with_file(
        "rules/zz_0.rhai",
        "const ID = \"ZZ_0\";\nconst SEVERITY = \"info\";\nconst READS = [];\n\nfalse\n",
    );
    for (i, (id, body)) in rules.iter().enumerate() {
        let text = format!(
            "const ID = \"{id}\";\nconst SEVERITY = \"review\";\nconst READS = [];\n\n{body}\n"
        );
        sources[0].files.push(kredo::SourceFile {
            path: format!("rules/zz_{}.rhai", i + 1),
            bytes: text.into_bytes().into(),
        });
    }
    for lang in ["nl", "fr", "en"] {
        let path = format!("messages/{lang}.json");
        let file = sources[0]
            .files
            .iter_mut()
            .find(|f| f.path == path)
            .unwrap();
        let mut m: serde_json::Value = serde_json::from_slice(&file.bytes).unwrap();
        for id in std::iter::once("ZZ_0").chain(rules.iter().map(|r| r.0)) {
            m["rules"][id] = "x".into();
            m["next_steps"][id] = "x".into();
        }
        file.bytes = m.to_string().into_bytes().into();
    }
    Kredo::from_sources(sources).unwrap()
}

/// About 7,500 operations: under the budget alone, over it three times over.
const BUSY: &str = "let n = 0;\nwhile n < 1500 { n += 1; }\nn < 0";

#[test]
fn the_operations_budget_is_per_decision_across_rules() {
    let one = with_rules(&[("BUSY_A", BUSY)]);
    let d: serde_json::Value =
        serde_json::from_str(&one.evaluate_json(&request(&eligible()), today()).unwrap()).unwrap();
    assert_eq!(d["outcome"], "eligible", "one busy rule fits the budget");

    let three = with_rules(&[("BUSY_A", BUSY), ("BUSY_B", BUSY), ("BUSY_C", BUSY)]);
    let err = three
        .evaluate_json(&request(&eligible()), today())
        .expect_err("three busy rules exceed one decision's budget");
    let d = err.diagnostic.unwrap();
    assert!(
        d.message
            .starts_with("rule stopped: the rules of one decision may do 20000 operations"),
        "{}",
        d.message
    );
    // The rule that ran out is named (rules run in file order).
    assert_eq!(d.file, "rules/zz_3.rhai");
}

#[test]
fn walking_a_container_costs_its_size() {
    // 200 look-ups in a 256-item array: ~1,600 of rhai's operations, but 51,200 items visited.
    let walk = |needle: &str| {
        format!(
            "let a = [];\nlet i = 0;\nwhile i < 256 {{ a.push(i); i += 1; }}\nlet n = 0;\nlet k = 0;\nwhile k < 200 {{ if {needle} {{ n += 1; }} k += 1; }}\nn < 0"
        )
    };
    for needle in [
        "999 in a",
        "a.contains(999)",
        "a.index_of(999) >= 0",
        "a == a + []",
        "a != a + []",
    ] {
        let d = rule_error(&walk(needle));
        assert!(
            d.message
                .starts_with("rule stopped: the rules of one decision may do"),
            "{needle}: {}",
            d.message
        );
    }
    let text = "let s = \"x\";\nlet i = 0;\nwhile i < 10 { s += s; i += 1; }\nlet n = 0;\nlet k = 0;\nwhile k < 200 { if s.contains(\"y\") { n += 1; } k += 1; }\nn < 0";
    let d = rule_error(text);
    assert!(
        d.message
            .starts_with("rule stopped: the rules of one decision may do"),
        "{}",
        d.message
    );
    // A short walk costs little: the same rule over a 4-item array passes.
    let short = "let a = [1, 2, 3, 4];\nlet n = 0;\nlet k = 0;\nwhile k < 200 { if 9 in a { n += 1; } k += 1; }\nn == 0";
    assert!(run_rule_reading("", short).is_ok());
    // The charged look-ups answer as rhai's own do.
    let same = "[\"b\", \"a\"].contains(\"a\") && !([1, 2].contains(3)) && [1, 2, 3].index_of(3) == 2 && \"héllo\".index_of(\"llo\") == 2 && \"\".index_of(\"\") == -1 && [1, [2]] == [1, [2]] && [1, 2] != [1, 3] && #{a: 1} == #{a: 1} && #{a: 1} != #{a: 2}";
    let d: serde_json::Value = serde_json::from_str(&run_rule_reading("", same).unwrap()).unwrap();
    assert!(
        d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "HOSTILE"),
        "{d}"
    );
}

#[test]
fn a_comparison_of_different_types_stops_the_rule_when_it_runs() {
    // The AST cannot show what a list holds: the comparison is checked when the rule runs,
    // and stops it at the operator instead of answering a silent `false`.
    let d = rule_error_reading(
        "\"amount_requested_eur\"",
        "let sides = [amount_requested_eur, \"25000\"];\nsides[0] > sides[1]",
    );
    assert_eq!(
        d.message,
        "`>` compares an amount with a string: values of different types never compare"
    );
    assert_eq!((d.line, d.column), (Some(6), Some(10)), "{}", d.message);
    let d = rule_error("let codes = [\"64\", 65];\n\"65\" in codes");
    assert_eq!(
        d.message,
        "`==` compares a whole number with a string: values of different types never compare"
    );
    let d = rule_error("let x = 1;\nx = \"one\";\nx == 1");
    assert_eq!(
        d.message,
        "`==` compares a string with a whole number: values of different types never compare"
    );
    // The same rules over values of one type decide as before; numbers of both kinds compare.
    let fine = "let sides = [amount_requested_eur, 25000];\nlet codes = [\"64\", \"65\"];\nsides[0] < sides[1] && \"65\" in codes && !(sides[0] == ())";
    let d: serde_json::Value =
        serde_json::from_str(&run_rule_reading("\"amount_requested_eur\"", fine).unwrap()).unwrap();
    assert!(
        d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "HOSTILE"),
        "{d}"
    );
}

#[test]
fn the_published_rules_keep_rhai_fast_operators() {
    // Every comparison in the published rules has types the AST shows, so no version pays for
    // the run-time check above (12 % more work per decision, measured with callgrind).
    let k = kredo();
    for info in k.rulesets() {
        let rs = k.version(&info.product, &info.version).unwrap();
        assert!(
            rs.program.fast_operators(),
            "{}/{}: a comparison the AST cannot type",
            info.product,
            info.version
        );
    }
}

#[test]
fn a_rule_that_cannot_end_in_a_condition_is_refused_when_it_loads() {
    for (body, what, at) in [
        ("let n = 3;\nn * 2", "a number", (6, 3)),
        ("\"yes\"", "a string", (5, 1)),
        ("let fired = 1 > 0;", "a `let`", (5, 1)),
    ] {
        let d = compile_error(body);
        assert_eq!(
            d.message,
            format!("rule must end with `true` or `false`, not {what}"),
            "{body}"
        );
        assert_eq!((d.line, d.column), (Some(at.0), Some(at.1)), "{body}");
    }
    // What only running shows is left to run time: a list item may be a condition.
    assert!(run_rule_reading("", "let l = [false];\nl[0]").is_ok());
}

#[test]
fn comparisons_the_text_shows_to_mix_types_are_refused_when_loading() {
    for (reads, body, message, column) in [
        (
            "\"funding_purposes\"",
            "funding_purposes == \"equipment\"",
            "`==` compares `funding_purposes` (the funding purposes) with the string `\"equipment\"`: values of different types never compare, so it is always `false`",
            18,
        ),
        (
            "",
            "let n = 3;\nn == \"3\"",
            "`==` compares a number with the string `\"3\"`: values of different types never compare, so it is always `false`",
            3,
        ),
        (
            "\"legal_form\"",
            "[\"bv\"] != legal_form",
            "`!=` compares a list with `legal_form` (a string): values of different types never compare, so it is always `true`",
            8,
        ),
    ] {
        let text = format!(
            "const ID = \"HOSTILE\";\nconst SEVERITY = \"review\";\nconst READS = [{reads}];\n\n{body}\n"
        );
        let err = Kredo::from_sources(with_file("rules/zz_hostile.rhai", &text))
            .expect_err("must not compile");
        let d = err
            .diagnostics
            .iter()
            .find(|d| d.file == "rules/zz_hostile.rhai")
            .unwrap();
        assert_eq!(d.message, message, "{body}");
        assert_eq!(d.column, Some(column), "{body}");
    }
}

#[test]
fn decisions_are_quick_when_the_rules_text_bounds_their_work() {
    // The published rules have no loop and walk no container: the server decides small
    // requests in place. Each version's bound is the sum over its rules.
    let k = kredo();
    assert!(k.decisions_are_quick());
    for (product, versions) in k.registry().products() {
        for rs in versions {
            let total: u64 = rs
                .rules
                .iter()
                .map(|r| r.compiled.work_bound().expect("no published rule loops"))
                .sum();
            assert!(
                total <= kredo::api::QUICK_DECISION_UNITS,
                "{product}/{}: {total}",
                rs.version
            );
        }
    }
    // A loop bounds nothing by its text; nor do enough walks of a 4 KB string.
    assert!(!with_rules(&[("BUSY_A", BUSY)]).decisions_are_quick());
    let walks = "let s = \"abc\";\ns.contains(\"x\") || s.contains(\"y\")";
    assert!(!with_rules(&[("WALKS", walks)]).decisions_are_quick());
    // A short condition is quick, and so is comparing two values of known plain types.
    let plain = "let n = 3;\nn > 2 && \"a\" != \"b\"";
    assert!(with_rules(&[("PLAIN", plain)]).decisions_are_quick());
}

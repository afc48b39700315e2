//! `kredo lint`: every problem at once, each at its file, line and column, with the source
//! line, a caret and the nearest known name; coverage by each version's cases; exit 1 on any.
//! The broken versions are made the maintainer's way: `kredo version new`, then files put in
//! the new version's folder.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::copy_dir;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kredo(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kredo"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("kredo-lint-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"),
        &dir.join("rules"),
    );
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// 1-based line and column of `needle` in `text` (searched after `after`, when given).
fn find(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let from = text.find(after).unwrap();
    let at = from + text[from..].find(needle).unwrap();
    let before = &text[..at];
    (
        before.matches('\n').count() + 1,
        before.rsplit('\n').next().unwrap().chars().count() + 1,
    )
}

/// One diagnostic as `kredo lint` prints it.
fn block(
    message: &str,
    at: &str,
    line: Option<(usize, usize, &str)>,
    help: Option<&str>,
) -> String {
    let mut s = format!("error: {message}\n  --> {at}");
    if let Some((l, c, source)) = line {
        let w = l.to_string().len();
        s.push_str(&format!(
            ":{l}:{c}\n{:w$} |\n{l} | {source}\n{:w$} | {}^",
            "",
            "",
            " ".repeat(c - 1)
        ));
    }
    if let Some(h) = help {
        s.push_str(&format!("\n  = help: {h}"));
    }
    s
}

fn blocks(stdout: &str) -> (BTreeSet<String>, String) {
    let mut parts: Vec<String> = stdout.split("\n\n").map(str::to_owned).collect();
    let summary = parts.pop().unwrap();
    (parts.into_iter().collect(), summary)
}

#[test]
fn the_published_rules_lint_clean_with_every_rule_and_outcome_covered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = kredo(root, &["lint"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Every dated folder under a product is a version.
    let versions = std::fs::read_dir(root.join("rules"))
        .unwrap()
        .flat_map(|p| std::fs::read_dir(p.unwrap().path()).into_iter().flatten())
        .filter(|v| {
            let name = v.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.len() == 10 && name.starts_with("20")
        })
        .count();
    assert_eq!(
        stdout,
        format!("{versions} versions linted, no problems\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn every_problem_is_reported_at_its_line_and_column_with_the_nearest_name() {
    let dir = scratch("all");
    let rules = dir.join("rules");
    for product in ["credal", "microstart"] {
        let out = kredo(
            &dir,
            &["version", "new", product, "2099-01-01", "--rules", "rules"],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let r = |p: &str| rules.join(p).display().to_string();

    // Credal 2099: problems that stop the version loading, in four rule files and the messages.
    let credal = rules.join("credal/2099-01-01");
    let amount = "// Seed: the maximum.\nconst ID = \"AMOUNT_ABOVE_MAX\";\nconst SEVERITY = \"ineligble\";\nconst READS = [\"amount_requestd_eur\"];\n\namount_requested_eur > MAX_AMOUNT_EUR\n";
    write(&credal.join("rules/amount_above_max.rhai"), amount);
    let term = "const ID = \"TERM_ABOVE_MAX\";\nconst SEVERITY = \"ineligible\";\nconst READS = [\"term_months\"];\n\nterm_months > MAX_TERM_MONTS\n";
    write(&credal.join("rules/term_above_max.rhai"), term);
    let region = "const ID = \"REGION_NOT_SERVED\";\nconst SEVERITY = \"ineligible\";\nconst READS = [\"region\"];\n\nregion == \"flanders\" ||\n";
    write(&credal.join("rules/region_not_served.rhai"), region);
    let new_rule = "const ID = \"SMALL_AMOUNT\";\nconst SEVERITY = \"flag\";\nconst READS = [\"amount_requested_eur\"];\n\namount_requested_eur < 1000.0\n";
    write(&credal.join("rules/small_amount.rhai"), new_rule);
    // The new rule gets texts in Dutch and English, not in French; an English one names a
    // parameter that does not exist.
    let (mut en, mut nl) = (String::new(), String::new());
    for lang in ["nl", "fr", "en"] {
        let stored =
            std::fs::read_to_string(rules.join(format!("credal/2027-01-01/messages/{lang}.json")))
                .unwrap();
        let text = match lang {
            "fr" => stored,
            _ => stored
                .replacen("\"rules\": {\n", "\"rules\": {\n    \"SMALL_AMOUNT\": \"A small amount, under {MIN_AMOUNT}.\",\n", 1)
                .replacen("\"next_steps\": {\n", "\"next_steps\": {\n    \"SMALL_AMOUNT\": \"Nothing to do.\",\n", 1),
        };
        match lang {
            "en" => en = text.clone(),
            "nl" => nl = text.clone(),
            _ => {}
        }
        write(&credal.join(format!("messages/{lang}.json")), &text);
    }

    // microStart 2099: a version that loads, with an unused parameter, an empty next step, a
    // case expecting a misspelt reason, and cases that leave a rule and an outcome unreached.
    let ms = rules.join("microstart/2099-01-01");
    let params = std::fs::read_to_string(rules.join("microstart/2025-01-01/parameters.json"))
        .unwrap()
        .replacen(
            "{\n",
            "{\n  \"SPARE_BUFFER_EUR\": {\"type\": \"money\", \"value\": \"100.00\"},\n",
            1,
        );
    write(&ms.join("parameters.json"), &params);
    let mut en_ms: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(rules.join("microstart/2027-01-01/messages/en.json")).unwrap(),
    )
    .unwrap();
    en_ms["next_steps"]["TERM_ABOVE_USUAL"] = "  ".into();
    let en_ms = serde_json::to_string_pretty(&en_ms).unwrap();
    write(&ms.join("messages/en.json"), &en_ms);
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(ms.join("cases.json")).unwrap()).unwrap();
    let mut kept: Vec<serde_json::Value> = cases
        .into_iter()
        .filter(|c| {
            c["expected"]["outcome"] != "invalid"
                && !c["expected"]["reasons"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|id| id == "COLLECTIVE_DEBT_SETTLEMENT"))
        })
        .collect();
    let typo = kept
        .iter_mut()
        .find(|c| c["expected"]["reasons"] == serde_json::json!(["REGION_NOT_SERVED"]))
        .unwrap();
    typo["expected"]["reasons"] = serde_json::json!(["REGION_NOT_SERVD"]);
    let typo_name = typo["name"].as_str().unwrap().to_owned();
    let cases = serde_json::to_string_pretty(&kept).unwrap();
    write(&ms.join("cases.json"), &cases);

    // Brusoc's published 2027-01-01: one of its own files changed.
    let own_funds = rules.join("brusoc/2027-01-01/fields/own_funds.json");
    let mut t = std::fs::read_to_string(&own_funds).unwrap();
    t.push('\n');
    std::fs::write(&own_funds, t).unwrap();

    let out = kredo(&dir, &["lint", "rules"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let (got, summary) = blocks(stdout.trim_end());

    let published = std::fs::read_to_string(rules.join("brusoc/published.json")).unwrap();
    let (pl, pc) = find(&published, "", "\"2027-01-01\"");
    let published_line = published.lines().nth(pl - 1).unwrap();
    let brusoc_hash = {
        let v: serde_json::Value = serde_json::from_str(&published).unwrap();
        v["2027-01-01"].as_str().unwrap().to_owned()
    };
    // The hash the version's files have now, as the loader resolves them.
    let brusoc_now = kredo::native::loader::load_dir(&rules)
        .unwrap()
        .into_iter()
        .find(|s| s.product == "brusoc" && s.version == "2027-01-01")
        .map(|s| kredo::ruleset::hash(&s.files));
    let (el, ec) = find(&en, "\"rules\"", "{MIN_AMOUNT}");
    let (dl, dc) = find(&nl, "\"rules\"", "{MIN_AMOUNT}");
    let (ul, uc) = find(&params, "", "\"SPARE_BUFFER_EUR\"");
    let (nl_, nc) = find(&en_ms, "\"next_steps\"", "\"TERM_ABOVE_USUAL\"");
    let (cl, cc) = find(&cases, "", "\"REGION_NOT_SERVD\"");
    let line = |text: &str, l: usize| text.lines().nth(l - 1).unwrap().to_owned();
    let mut want: BTreeSet<String> = [
        block(
            "unknown severity `ineligble`",
            &r("credal/2099-01-01/rules/amount_above_max.rhai"),
            Some((3, 18, "const SEVERITY = \"ineligble\";")),
            Some("did you mean `ineligible`?"),
        ),
        block(
            "`READS` names unknown field `amount_requestd_eur`",
            &r("credal/2099-01-01/rules/amount_above_max.rhai"),
            Some((4, 16, "const READS = [\"amount_requestd_eur\"];")),
            Some("did you mean `amount_requested_eur`?"),
        ),
        block(
            "rule reads `amount_requested_eur` but `READS` does not list `amount_requested_eur`",
            &r("credal/2099-01-01/rules/amount_above_max.rhai"),
            Some((6, 1, "amount_requested_eur > MAX_AMOUNT_EUR")),
            Some("add \"amount_requested_eur\" to READS, so the rule is skipped when `amount_requested_eur` is missing"),
        ),
        block(
            "unknown variable `MAX_TERM_MONTS`",
            &r("credal/2099-01-01/rules/term_above_max.rhai"),
            Some((5, 15, "term_months > MAX_TERM_MONTS")),
            Some("did you mean `MAX_TERM_MONTHS`?"),
        ),
        block(
            "`rules` has no message for rule `SMALL_AMOUNT`",
            &r("credal/2099-01-01/messages/fr.json"),
            None,
            None,
        ),
        block(
            "`next_steps` has no message for rule `SMALL_AMOUNT`",
            &r("credal/2099-01-01/messages/fr.json"),
            None,
            None,
        ),
        block(
            "`rules` `SMALL_AMOUNT`: unknown placeholder `{MIN_AMOUNT}`",
            &r("credal/2099-01-01/messages/en.json"),
            Some((el, ec, &line(&en, el))),
            None,
        ),
        block(
            "`rules` `SMALL_AMOUNT`: unknown placeholder `{MIN_AMOUNT}`",
            &r("credal/2099-01-01/messages/nl.json"),
            Some((dl, dc, &line(&nl, dl))),
            None,
        ),
        block(
            "parameter `SPARE_BUFFER_EUR` is never used by a rule, an attribute or a message",
            &r("microstart/2099-01-01/parameters.json"),
            Some((ul, uc, &line(&params, ul))),
            Some("remove it, or read it where it was meant to be used"),
        ),
        block(
            "`next_steps` `TERM_ABOVE_USUAL` is empty: the applicant would read nothing",
            &r("microstart/2099-01-01/messages/en.json"),
            Some((nl_, nc, &line(&en_ms, nl_))),
            None,
        ),
        block(
            &format!("case `{typo_name}` expects reason `REGION_NOT_SERVD`, which no rule of this version defines"),
            &r("microstart/2099-01-01/cases.json"),
            Some((cl, cc, &line(&cases, cl))),
            Some("did you mean `REGION_NOT_SERVED`?"),
        ),
        block(
            "no case makes rule `COLLECTIVE_DEBT_SETTLEMENT` fire",
            &r("microstart/2099-01-01/cases.json"),
            None,
            Some("add a case in which `rules/collective_debt_settlement.rhai` fires, or remove the rule"),
        ),
        block(
            "no case reaches the outcome `invalid`",
            &r("microstart/2099-01-01/cases.json"),
            None,
            Some("add a case with an answer that fails validation"),
        ),
        block(
            &format!(
                "version 2027-01-01 was published with {brusoc_hash}, but its files now hash to {}. A published version never changes: undo the change, and put it in a new version (`kredo version new brusoc DATE`)",
                brusoc_now.unwrap()
            ),
            &r("brusoc/published.json"),
            Some((pl, pc, published_line)),
            None,
        ),
    ]
    .into_iter()
    .collect();
    // A condition that stops short is shown at the end of its last line.
    want.insert(block(
        "script is incomplete",
        &r("credal/2099-01-01/rules/region_not_served.rhai"),
        Some((5, 24, "region == \"flanders\" ||")),
        None,
    ));
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing:\n{missing:#?}\nextra:\n{extra:#?}"
    );
    assert_eq!(
        summary,
        format!("13 versions linted, {} problems", want.len())
    );

    // The same as JSON, for tools: file, line and column as fields.
    let json = kredo(&dir, &["lint", "--json", "rules/microstart"]);
    assert_eq!(json.status.code(), Some(1));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let p = list
        .iter()
        .find(|d| d["message"].as_str().unwrap().starts_with("parameter"))
        .unwrap();
    assert_eq!(
        (
            p["product"].as_str(),
            p["version"].as_str(),
            p["file"].as_str(),
            p["line"].as_u64(),
            p["column"].as_u64()
        ),
        (
            Some("microstart"),
            Some("2099-01-01"),
            Some("parameters.json"),
            Some(ul as u64),
            Some(uc as u64)
        )
    );
    assert_eq!(list.len(), 5, "{list:#?}");
}

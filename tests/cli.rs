//! The `kredo` binary: check, test, rulesets, exit codes and error text.

// Test code: clippy.toml lets it unwrap, expect, panic and index.
#![cfg(test)]

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn kredo_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kredo"))
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = kredo_bin();
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            // The program may exit before it reads (a usage error): that is not a test failure.
            let _ = input.write_all(s.as_bytes());
        }
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scratch folder; with `rules`, a copy of the project's rules.
fn scratch(name: &str, rules: bool) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("kredo-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if rules {
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"),
            &dir.join("rules"),
        );
    }
    dir
}

#[test]
fn help_documents_the_exit_codes() {
    for args in [
        vec!["--help"],
        vec!["check", "--help"],
        vec!["test", "--help"],
    ] {
        let out = run(Path::new("."), &args, None);
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        assert!(
            help.contains("Exit codes:") && help.contains("2  no decision"),
            "{help}"
        );
    }
}

#[test]
fn check_prints_a_decision_for_any_outcome_and_exit_0() {
    let dir = scratch("outcomes", false);
    let out = run(
        &dir,
        &["check", "--as-of", "2026-11-22", "--lang", "fr", "-"],
        Some(&eligible().to_string()),
    );
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.ends_with('\n') && stdout.lines().count() == 1,
        "one line of compact JSON"
    );
    let d: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (d["outcome"].as_str(), d["language"].as_str()),
        (Some("eligible"), Some("fr"))
    );

    let mut bad = eligible();
    bad["term_months"] = serde_json::json!(36.5);
    let out = run(
        &dir,
        &["check", "--as-of", "2026-11-22"],
        Some(&bad.to_string()),
    );
    assert_eq!(out.status.code(), Some(0), "invalid is still a decision");
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["outcome"], "invalid");
}

#[test]
fn check_without_a_decision_exits_2_with_a_clear_error() {
    let dir = scratch("errors", false);
    let out = run(&dir, &["check", "-"], Some("{\n  \"region\": flanders\n}"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: not valid JSON: expected ident (line 2, column 14)\n"
    );
    assert!(out.stdout.is_empty());

    let out = run(&dir, &["check", "--version", "1999-01-01"], Some("{}"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `impulskrediet` has no version `1999-01-01`; versions: 2020-07-03, 2021-02-01, 2025-01-01, 2026-12-01, 2027-01-01\n"
    );

    let out = run(&dir, &["check", "--as-of", "2019-12-31"], Some("{}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "no version of `impulskrediet` is in force on 2019-12-31; versions: 2020-07-03"
        )
    );

    let out = run(&dir, &["check", "--product", "nope"], Some("{}"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: unknown product `nope`; known: brusoc, credal, impulskrediet, microstart\n"
    );

    let out = run(&dir, &["check", "missing-file.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: cannot read `missing-file.json`:"));

    let out = run(
        &dir,
        &["check", "--as-of", "2026-11-22", "--version", "2025-01-01"],
        Some("{}"),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "--as-of and --version exclude each other"
    );
}

#[test]
fn rulesets_lists_versions_dates_and_hashes() {
    let out = run(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["rulesets", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let listed: Vec<kredo::RuleSetInfo> = Vec::new();
    let _ = listed;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lib = kredo().rulesets();
    assert_eq!(v.as_array().unwrap().len(), lib.len());
    let versions = |p: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|x| x["product"] == p)
            .count()
    };
    assert_eq!(
        ["impulskrediet", "microstart", "credal", "brusoc"].map(versions),
        [5, 2, 2, 2]
    );
    for (a, b) in v.as_array().unwrap().iter().zip(&lib) {
        assert_eq!(a["version"], b.version.as_str());
        assert_eq!(
            a["hash"],
            b.hash.as_str(),
            "the folder and the embedded copy hash the same"
        );
    }
    let out = run(Path::new(env!("CARGO_MANIFEST_DIR")), &["rulesets"], None);
    let table = text(&out.stdout);
    assert!(
        table.contains("impulskrediet    2020-07-03  2020-07-03  2021-01-31  sha256:"),
        "{table}"
    );
}

#[test]
fn test_runs_every_version_and_counts() {
    let out = run(Path::new(env!("CARGO_MANIFEST_DIR")), &["test"], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let last = stdout.lines().last().unwrap();
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(
        passed >= 200 && last.ends_with(" passed, 0 failed"),
        "{last}"
    );
}

#[test]
fn test_shows_the_difference_and_exits_1() {
    let dir = scratch("failing", true);
    let cases = dir.join("rules/impulskrediet/2025-01-01/cases.json");
    std::fs::write(&cases, r#"[{"name": "wrong_on_purpose", "as_of": "2026-11-22", "application": {}, "expected": {"outcome": "eligible"}}]"#).unwrap();
    let out = run(&dir, &["test", "rules/impulskrediet/2025-01-01"], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "  FAIL wrong_on_purpose\n       outcome: expected `eligible`, got `review`\n"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
}

#[test]
fn a_maintainers_edit_takes_effect_at_once() {
    let dir = scratch("edit", true);
    // The parameters are stored once, in the first version, and inherited by the later ones.
    let manifest = dir.join("rules/impulskrediet/2020-07-03/parameters.json");
    let m = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("\"25000.00\"", "\"9000.00\"");
    std::fs::write(&manifest, m).unwrap();
    let out = run(
        &dir,
        &["check", "--as-of", "2026-11-22", "--lang", "en"],
        Some(&eligible().to_string()),
    );
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["outcome"], "ineligible");
    assert_eq!(d["reasons"][0]["id"], "AMOUNT_ABOVE_MAX");
    assert!(
        d["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("9000 EUR")
    );
    // An edit to an inherited file changes the hash of every version that inherits it, and
    // of no other product's.
    let listed = text(&run(&dir, &["rulesets"], None).stdout);
    for published in kredo().rulesets() {
        assert!(
            listed.contains(&format!(" {}  ", published.version)),
            "{listed}"
        );
        assert_eq!(
            listed.contains(&published.hash),
            published.product != "impulskrediet",
            "{} {}: {listed}",
            published.product,
            published.version
        );
    }
    assert_eq!(d["rule_set"]["hash"].as_str().map(str::len), Some(71));
}

#[test]
fn a_broken_rule_is_shown_with_its_source_line_and_a_caret() {
    let dir = scratch("broken", true);
    let rule = dir.join("rules/impulskrediet/2020-07-03/rules/term_above_max.rhai");
    let text_before = std::fs::read_to_string(&rule).unwrap();
    std::fs::write(
        &rule,
        text_before.replace(
            "term_months > MAX_TERM_MONTHS",
            "term_month > MAX_TERM_MONTHS",
        ),
    )
    .unwrap();
    let out = run(&dir, &["check"], Some("{}"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        // Stored once and inherited by four versions: reported once, where it is stored.
        "error: unknown variable `term_month`\n  --> rules/impulskrediet/2020-07-03/rules/term_above_max.rhai:6:1\n  |\n6 | term_month > MAX_TERM_MONTHS\n  | ^\n  = help: did you mean `term_months`?\nerror: the rule sets did not load (1 problem)\n"
    );
}

/// The report of `kredo diff … --format json`.
fn diff_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = run(Path::new(env!("CARGO_MANIFEST_DIR")), &all, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn diff_counts_what_a_new_version_changes_against_each_decision() {
    // The 2021 rate change over the cases and 300 generated applications.
    let rate_diff = |seed: &str| {
        diff_json(&[
            "impulskrediet",
            "2020-07-03",
            "2021-02-01",
            "--generated",
            "300",
            "--seed",
            seed,
        ])
    };
    let report = rate_diff("7");
    // The corpus: both versions' own cases, then 300 generated applications.
    let k = kredo();
    let mut applications = Vec::new();
    for v in ["2020-07-03", "2021-02-01"] {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("rules/impulskrediet/{v}/cases.json"));
        let cases = kredo::cases::parse(&std::fs::read_to_string(file).unwrap()).unwrap();
        applications.extend(cases.into_iter().map(|c| c.application));
    }
    let cases = applications.len();
    assert_eq!(report["corpus"]["cases"], cases);
    assert_eq!(report["corpus"]["generated"], 300);
    assert_eq!(report["corpus"]["total"], cases + 300);
    assert_eq!(
        report["corpus"]["generator"],
        "impulskrediet/2026-12-01/synth.json"
    );

    // Recount the cases' changes with the library, both versions on the first day of the new one.
    let from = k.version("impulskrediet", "2020-07-03").unwrap();
    let to = k.version("impulskrediet", "2021-02-01").unwrap();
    let day = kredo::Date::parse("2021-02-01").unwrap();
    let mut changed_cases = 0;
    let mut rate_case = None;
    for a in &applications {
        let x = k
            .decide_version(from, a, day, kredo::Language::En, false)
            .unwrap();
        let y = k
            .decide_version(to, a, day, kredo::Language::En, false)
            .unwrap();
        let ids = |d: &kredo::Decision<'_>| {
            d.reasons
                .iter()
                .map(|r| r.id.to_owned())
                .collect::<std::collections::BTreeSet<_>>()
        };
        let inst = |d: &kredo::Decision<'_>| {
            d.indicative
                .as_ref()
                .map(|i| i.monthly_instalment_eur.to_string())
        };
        if x.outcome != y.outcome || ids(&x) != ids(&y) || inst(&x) != inst(&y) {
            changed_cases += 1;
        }
        if a["projected_monthly_net_cashflow_eur"] == "478.00" && x.outcome != y.outcome {
            rate_case = Some((x.outcome.as_str(), y.outcome.as_str(), inst(&x), inst(&y)));
        }
    }
    // 6.75 % → 7 %: every instalment rises, so every application with one changes.
    let changed = report["changed"].as_u64().unwrap() as usize;
    assert!(
        changed >= changed_cases && changed > 300 / 2,
        "{changed} {changed_cases}"
    );
    assert_eq!(
        changed + report["unchanged"].as_u64().unwrap() as usize,
        cases + 300
    );
    let moved: u64 = report["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["count"].as_u64().unwrap())
        .sum();
    assert_eq!(moved as usize, cases + 300);
    assert_eq!(
        rate_case,
        Some((
            "flagged",
            "review",
            Some("476.61".to_owned()),
            Some("478.92".to_owned())
        ))
    );
    let example = report["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "case 2021-02-01/review_rate_7_insufficient_2021")
        .expect("the rate case is an example");
    assert_eq!(example["from"]["monthly_instalment_eur"], "476.61");
    assert_eq!(example["to"]["outcome"], "review");
    assert_eq!(
        example["to"]["reasons"],
        serde_json::json!(["REPAYMENT_CAPACITY_INSUFFICIENT"])
    );
    let gained = &report["reasons_gained"].as_array().unwrap()[0];
    assert_eq!(gained["id"], "REPAYMENT_CAPACITY_INSUFFICIENT");
    let i = &report["instalments"];
    assert_eq!(i["changed"], i["compared"]);
    assert!(i["smallest_change_eur"].as_str().unwrap().starts_with('+'));

    // The same seed gives the same report; another seed, other applications.
    assert_eq!(report, rate_diff("7"));
    assert_ne!(report["moves"], rate_diff("8")["moves"]);
}

#[test]
fn diff_reads_a_corpus_file_and_writes_markdown_and_html() {
    let dir = scratch("diff", false);
    // Two applications: the public rate case (flagged → review) and one the rate leaves alone
    // (a vzw, ineligible under both; no amount, so no instalment to move).
    let csv = "legal_form,region,activity_type,business_status,amount_requested_eur,term_months,funding_purposes,projected_monthly_net_cashflow_eur\n\
               eenmanszaak,flanders,main,started,20000.00,48,investment:20000.00,478.00\n\
               vzw,flanders,main,started,,24,,\n";
    std::fs::write(dir.join("two.csv"), csv).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let root = root.to_str().unwrap();
    // `kredo diff impulskrediet 2020-07-03 2021-02-01 ARGS… --rules <the project's rules>`
    let diff = |args: &[&str]| {
        let mut all = vec!["diff", "impulskrediet", "2020-07-03", "2021-02-01"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--rules", root]);
        run(&dir, &all, None)
    };
    let out = diff(&["--cases", "two.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(
        md.starts_with("# impulskrediet: 2020-07-03 → 2021-02-01\n"),
        "{md}"
    );
    assert!(
        md.contains("Corpus: 2 applications: the applications in `two.csv`."),
        "{md}"
    );
    assert!(md.contains("**1 of 2 decisions change (50.0 %).**"), "{md}");
    assert!(md.contains("| flagged | 0 | **1** | 0 | 1 |\n| review | 0 | 0 | 0 | 0 |\n| ineligible | 0 | 0 | 1 | 1 |\n| total | 0 | 1 | 1 | 2 |"), "{md}");
    assert!(md.contains("### flagged → review\n\n- row 2: flagged (REPAYMENT_CAPACITY_TIGHT; 476.61 EUR a month) → review (REPAYMENT_CAPACITY_INSUFFICIENT; 478.92 EUR a month)"), "{md}");
    assert!(
        md.contains(
            "| `REPAYMENT_CAPACITY_INSUFFICIENT` | 1 | 0 |\n| `REPAYMENT_CAPACITY_TIGHT` | 0 | 1 |"
        ),
        "{md}"
    );
    assert!(md.contains("## Indicative instalment\n\n1 of the 1 applications with an instalment under both versions get another one: from +2.31 to +2.31 EUR a month, median +2.31.\n"), "{md}");

    let out = diff(&["--cases", "two.csv", "--format", "html", "-o", "d.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(dir.join("d.html")).unwrap();
    assert!(html.contains("<svg role=\"img\""), "a chart");
    assert!(html.contains("<td class=\"moved\">1</td>"));
    assert!(
        html.contains(
            "<tr><td><code>REPAYMENT_CAPACITY_TIGHT</code></td><td>0</td><td>1</td></tr>"
        )
    );
    assert!(
        !html.contains("<script") && !html.contains("http"),
        "self-contained"
    );

    // A broken corpus file is named with its line and column; an unknown version exits 2.
    std::fs::write(dir.join("bad.json"), "[\n  {\"legal_form\": }\n]").unwrap();
    let out = diff(&["--cases", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with(
            "error: bad.json:2:18: expected value (a JSON array of applications or of cases)"
        ),
        "{}",
        text(&out.stderr)
    );
    let out = run(
        &dir,
        &[
            "diff",
            "impulskrediet",
            "2020-07-03",
            "1999-01-01",
            "--rules",
            root,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

/// `run`, but a command that is still running after 20 s is killed and fails the test: reading
/// a FIFO or `/dev/zero` would otherwise hang the suite.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let mut child = kredo_bin()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("`kredo {}` did not finish", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn check_refuses_input_that_is_no_regular_file() {
    let dir = scratch("special-input", false);
    mkfifo(&dir.join("in.fifo"));
    let cases = [
        (
            "in.fifo",
            "error: cannot read `in.fifo`: it is a FIFO (named pipe), not a regular file; give a file, or `-` for standard input\n",
        ),
        (
            "/dev/zero",
            "error: cannot read `/dev/zero`: it is a character device, not a regular file; give a file, or `-` for standard input\n",
        ),
        (
            ".",
            "error: cannot read `.`: it is a directory, not a regular file; give a file, or `-` for standard input\n",
        ),
    ];
    for (file, expected) in cases {
        let out = run_bounded(&dir, &["check", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert_eq!(text(&out.stderr), expected);
        let out = run_bounded(&dir, &["batch", file]);
        assert_eq!(out.status.code(), Some(2), "batch {file}");
        assert_eq!(text(&out.stderr), expected);
    }
}

#[test]
fn a_rules_folder_with_a_special_file_is_refused() {
    let dir = scratch("special-rules", true);
    let version = dir.join("rules/impulskrediet/2025-01-01");
    mkfifo(&version.join("notes"));
    let out = run_bounded(&dir, &["rulesets"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: not a regular file but a FIFO (named pipe): a rules folder holds only files and folders\n  --> rules/impulskrediet/2025-01-01/notes\nerror: the rule sets did not load (1 problem)\n"
    );
    std::fs::remove_file(version.join("notes")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", version.join("zero.json")).unwrap();
    let out = run_bounded(&dir, &["check", "--rules", "rules", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: not a regular file but a character device: a rules folder holds only files and folders\n  --> rules/impulskrediet/2025-01-01/zero.json\nerror: the rule sets did not load (1 problem)\n"
    );
}

#[test]
fn check_reads_json_after_a_utf8_bom() {
    let dir = scratch("bom", false);
    let plain = run(
        &dir,
        &["check", "--as-of", "2026-11-22"],
        Some(&eligible().to_string()),
    );
    let file = dir.join("app.json");
    std::fs::write(&file, format!("\u{feff}{}", eligible())).unwrap();
    let out = run(&dir, &["check", "--as-of", "2026-11-22", "app.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, plain.stdout);
}

#[test]
fn check_refuses_an_input_over_a_mebibyte_without_reading_it_whole() {
    let dir = scratch("too-large", false);
    // Valid JSON all the same: the size alone refuses it.
    let big = format!("{{\"project_description\": \"{}\"}}", "x".repeat(1 << 20));
    let out = run(&dir, &["check", "-"], Some(&big));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: standard input is over 1048576 bytes: an application is a few kilobytes\n"
    );
    std::fs::write(dir.join("big.json"), &big).unwrap();
    let out = run(&dir, &["check", "big.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `big.json` is over 1048576 bytes: an application is a few kilobytes\n"
    );
    // Not UTF-8: said so, with the file's name.
    std::fs::write(dir.join("latin1.json"), b"{\"region\": \"Li\xe8ge\"}").unwrap();
    let out = run(&dir, &["check", "latin1.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: cannot read `latin1.json`: invalid utf-8"),
        "{}",
        text(&out.stderr)
    );
}

/// `kredo rulesets --json` of a rules folder: `(product, version)` → hash.
fn hashes_in(dir: &Path) -> std::collections::BTreeMap<(String, String), String> {
    let out = run(dir, &["rulesets", "--json", "--rules", "rules"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["product"].as_str().unwrap().to_owned(),
                    r["version"].as_str().unwrap().to_owned(),
                ),
                r["hash"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn version_new_adds_an_overlay_and_publish_records_its_hash() {
    let dir = scratch("version", true);
    let before = hashes_in(&dir);
    let latest = before[&("microstart".to_owned(), "2027-01-01".to_owned())].clone();

    let out = run(
        &dir,
        &[
            "version",
            "new",
            "microstart",
            "2031-03-01",
            "--rules",
            "rules",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(
        "created microstart/2031-03-01: in force from 2031-03-01, an overlay of 2027-01-01"
    ));
    let after = hashes_in(&dir);
    // Every earlier version keeps its hash; the new one inherits every file, so it has the
    // latest's.
    for (key, hash) in &before {
        assert_eq!(&after[key], hash, "{key:?}");
    }
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(
        after[&("microstart".to_owned(), "2031-03-01".to_owned())],
        latest
    );
    // Its cases are the latest's, moved into its period (50 months later), and they pass.
    let version = dir.join("rules/microstart/2031-03-01");
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(version.join("cases.json")).unwrap())
            .unwrap();
    let old: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("rules/microstart/2027-01-01/cases.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        cases.as_array().unwrap().len(),
        old.as_array().unwrap().len()
    );
    assert_eq!(old[0]["as_of"], "2028-11-22");
    assert_eq!(cases[0]["as_of"], "2033-01-22");
    assert!(
        std::fs::read_to_string(version.join("README.md"))
            .unwrap()
            .contains("an overlay of `2027-01-01`")
    );
    let out = run(&dir, &["test", "rules/microstart/2031-03-01"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).ends_with("28 passed, 0 failed\n"),
        "{}",
        text(&out.stdout)
    );

    // Refused: a date not after the latest, an existing folder, no date.
    std::fs::create_dir_all(dir.join("rules/microstart/2032-01-01")).unwrap();
    for (date, says) in [
        (
            "2030-01-01",
            "2030-01-01 is not after 2031-03-01, the latest version of `microstart`",
        ),
        ("2032-01-01", "`rules/microstart/2032-01-01` exists already"),
        ("2031-13-01", "`2031-13-01` is not a date (YYYY-MM-DD)"),
    ] {
        let out = run(
            &dir,
            &["version", "new", "microstart", date, "--rules", "rules"],
            None,
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }

    // Publishing runs the cases and records the hash, once.
    let publish = || {
        run(
            &dir,
            &[
                "version",
                "publish",
                "microstart",
                "2031-03-01",
                "--rules",
                "rules",
            ],
            None,
        )
    };
    let out = publish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let published: std::collections::BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("rules/microstart/published.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(published["2031-03-01"], latest);
    assert_eq!(published.len(), 3);
    let out = publish();
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("is published already"));

    // A change to a file a published version resolves to fails `kredo test`, naming it.
    let params = dir.join("rules/microstart/2025-01-01/parameters.json");
    let changed = std::fs::read_to_string(&params)
        .unwrap()
        .replace("\"25000.00\"", "\"26000.00\"");
    std::fs::write(&params, changed).unwrap();
    let out = run(&dir, &["test"], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for version in ["2025-01-01", "2027-01-01", "2031-03-01"] {
        assert!(
            stdout.contains(&format!(
                "FAIL microstart/published.json: version {version} was published with sha256:"
            )),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("A published version never changes"),
        "{stdout}"
    );
    let out = run(
        &dir,
        &[
            "version",
            "publish",
            "microstart",
            "2027-01-01",
            "--rules",
            "rules",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bundle_carries_the_rules_the_page_compiles_with_the_same_hashes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(root, &["bundle"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let tree = kredo::bundle::read(&text(&out.stdout)).unwrap();
    assert!(
        tree.iter()
            .all(|f| !f.path.ends_with("cases.json") && !f.path.ends_with(".md"))
    );
    let from_bundle = kredo::Kredo::from_tree(tree).unwrap().rulesets();
    let listed: Vec<serde_json::Value> =
        serde_json::from_slice(&run(root, &["rulesets", "--json"], None).stdout).unwrap();
    assert_eq!(from_bundle.len(), listed.len());
    for (a, b) in from_bundle.iter().zip(&listed) {
        assert_eq!(
            (a.product.as_str(), a.hash.as_str()),
            (b["product"].as_str().unwrap(), b["hash"].as_str().unwrap())
        );
    }
    // With the cases, for the playground: every version's cases.json.
    let out = run(root, &["bundle", "--cases"], None);
    let tree = kredo::bundle::read(&text(&out.stdout)).unwrap();
    assert_eq!(
        tree.iter()
            .filter(|f| f.path.ends_with("/cases.json"))
            .count(),
        listed.len()
    );
}

//! `kredo lint`: every problem of the rule sets under a path at once, each with its file, line
//! and column. Beyond what stops a version loading (syntax, unknown names, missing messages,
//! placeholders that name nothing, fields no declaration defines): empty messages, parameters
//! nothing uses, cases that expect a reason no rule defines, published versions whose files
//! changed, and **coverage**: a rule that no case of its version makes fire, and an outcome that
//! no case reaches. Like GOV.UK's Smart Answers, whose build fails on an outcome no test reaches,
//! a version is not ready to publish until its cases exercise every rule and every outcome.

use super::cli_error::{CliError, FAILED, location};
use super::rules_arg::{Origin, RulesArg};
use crate::cases::Case;
use crate::diag::{Diagnostic, did_you_mean, line_column};
use crate::model::{Language, Severity};
use crate::ruleset::{RuleSet, RuleSetSource};
use clap::Args;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `kredo lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Rules roots, products or version folders to lint. Default: the rules folder.
    pub paths: Vec<PathBuf>,
    /// Print the diagnostics as a JSON array instead of text.
    #[arg(long)]
    pub json: bool,
    /// Where the rule sets are, when no path is given.
    #[command(flatten)]
    pub rules: RulesArg,
}

/// The parameters a product's page reads as its limits (see `crate::api::Limits`): used even
/// when no rule names them.
const LIMIT_PARAMETERS: [&str; 3] = ["MIN_AMOUNT_EUR", "MAX_AMOUNT_EUR", "MAX_TERM_MONTHS"];

/// Runs the linter and prints what it found; exit 1 on any problem.
pub fn lint(args: &LintArgs) -> Result<ExitCode, CliError> {
    let (problems, versions, root) = match super::cli::selected(&args.paths, &args.rules) {
        Ok((all, origin, targets)) => {
            let root = origin.root().map(Path::to_path_buf);
            (check(&all, &targets, &origin), targets.len(), root)
        }
        // The tree did not resolve (a broken timeline, say): those are the problems.
        Err(CliError::Load { error, root }) => (error.diagnostics, 0, root),
        Err(e) => return Err(e),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let text = serde_json::to_string_pretty(&problems)?;
        writeln!(out, "{text}").map_err(CliError::WriteStdout)?;
    } else {
        for d in &problems {
            writeln!(
                out,
                "error: {}\n{}\n",
                d.message,
                location(d, root.as_deref())
            )
            .map_err(CliError::WriteStdout)?;
        }
        let summary = match problems.len() {
            0 => format!("{versions} versions linted, no problems"),
            1 => format!("{versions} versions linted, 1 problem"),
            n => format!("{versions} versions linted, {n} problems"),
        };
        writeln!(out, "{summary}").map_err(CliError::WriteStdout)?;
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED)
    })
}

/// Every problem of `targets` (versions of `all`), in version order, each said once.
pub fn check(all: &[RuleSetSource], targets: &[RuleSetSource], origin: &Origin) -> Vec<Diagnostic> {
    let is_target = |s: &RuleSetSource| {
        targets
            .iter()
            .any(|t| t.product == s.product && t.version == s.version)
    };
    // Each version is compiled on its own once, so one that does not load hides no other; the
    // engine that runs the cases is made of those that load.
    let mut problems = Vec::new();
    let mut loaded = Vec::new();
    for src in all {
        match crate::ruleset::compile(src) {
            Ok(_) => loaded.push(src.clone()),
            Err(mut e) if is_target(src) => problems.append(&mut e.diagnostics),
            Err(_) => {}
        }
    }
    match crate::api::Kredo::from_sources(loaded) {
        Ok(kredo) => {
            let compiled: Vec<(&RuleSetSource, &RuleSet)> = targets
                .iter()
                .filter_map(|s| Some((s, kredo.version(&s.product, &s.version)?)))
                .collect();
            for (src, rs) in &compiled {
                empty_messages(src, rs, &mut problems);
                unused_parameters(src, rs, &mut problems);
            }
            for (src, rs) in &compiled {
                cases(&kredo, src, rs, &mut problems);
            }
            if let Origin::Dir(root) = origin {
                let published = super::version::PUBLISHED;
                for (product, version, message) in
                    super::version::changed_published_at(root, &kredo)
                {
                    if !targets.iter().any(|t| t.product == product) {
                        continue;
                    }
                    let prefix = format!("{product}/{published}: ");
                    let message = message.strip_prefix(&prefix).unwrap_or(&message).to_owned();
                    let stored = std::fs::read_to_string(root.join(&product).join(published))
                        .unwrap_or_default();
                    let d = Diagnostic::new(&product, "", published, message)
                        .with_origin(format!("{product}/{published}"));
                    let pos = version.and_then(|v| position(&stored, &[&format!("\"{v}\"")]));
                    problems.push(at(d, &stored, pos));
                }
            }
        }
        Err(mut e) => problems.append(&mut e.diagnostics),
    }
    // An inherited file's problem is the same in every version that inherits it: say it once.
    let mut seen = BTreeSet::new();
    problems.retain(|d| seen.insert(d.to_string()));
    problems
}

fn diag(src: &RuleSetSource, file: &str, message: String) -> Diagnostic {
    let d = Diagnostic::new(&src.product, &src.version, file, message);
    match src.origin(file) {
        Some(origin) => d.with_origin(origin),
        None => d,
    }
}

fn text<'a>(src: &'a RuleSetSource, file: &str) -> &'a str {
    src.file(file)
        .and_then(|f| std::str::from_utf8(&f.bytes).ok())
        .map(crate::ruleset::without_bom)
        .unwrap_or_default()
}

/// Where `needles` are written in `text`, each searched after the one before.
fn position(text: &str, needles: &[&str]) -> Option<(usize, usize)> {
    let mut from = 0;
    for needle in needles {
        from += text.get(from..)?.find(needle)?;
    }
    line_column(text, from)
}

/// Where `needle` is written nearest to `anchor` (a case's reason, nearest to its name, which
/// may come before or after it).
fn nearest(text: &str, anchor: &str, needle: &str) -> Option<(usize, usize)> {
    let anchor = text.find(anchor)?;
    let at = text
        .match_indices(needle)
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(anchor))?;
    line_column(text, at)
}

fn at(d: Diagnostic, text: &str, pos: Option<(usize, usize)>) -> Diagnostic {
    match pos {
        Some((line, column)) => d.at(text, Some(line), Some(column)),
        None => d,
    }
}

/// A rule's message or next step that is there but says nothing.
fn empty_messages(src: &RuleSetSource, rs: &RuleSet, out: &mut Vec<Diagnostic>) {
    for lang in Language::ALL {
        let path = format!("messages/{}.json", lang.as_str());
        let source = text(src, &path);
        for rule in &rs.rules {
            let t = rule.text(lang);
            for (section, said) in [("rules", &t.message), ("next_steps", &t.next_step)] {
                if said.trim().is_empty() {
                    let id = &rule.compiled.id;
                    let key = format!("\"{id}\"");
                    let d = diag(
                        src,
                        &path,
                        format!("`{section}` `{id}` is empty: the applicant would read nothing"),
                    );
                    out.push(at(d, source, position(source, &[section, &key])));
                }
            }
        }
    }
}

/// Whether `name` occurs in `text` as a whole word.
fn names(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let after = text.get(i + name.len()..).and_then(|t| t.chars().next());
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// A parameter that no rule, attribute or message reads, and that is not one of the limits
/// the page shows: a value someone keeps up to date for nothing, or a typo's orphan.
fn unused_parameters(src: &RuleSetSource, rs: &RuleSet, out: &mut Vec<Diagnostic>) {
    let path = "parameters.json";
    let source = text(src, path);
    // The scripts without their `//` comments: a comment that names a parameter reads nothing.
    let scripts: Vec<String> = src
        .files
        .iter()
        .filter(|f| f.path.ends_with(".rhai"))
        .filter_map(|f| std::str::from_utf8(&f.bytes).ok())
        .map(|t| {
            t.lines()
                .map(|l| l.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let messages: Vec<&str> = Language::ALL
        .iter()
        .map(|l| text(src, &format!("messages/{}.json", l.as_str())))
        .collect();
    for p in rs.parameters.iter().skip(1) {
        let name = p.name.as_str();
        let placeholder = format!("{{{name}}}");
        let used = LIMIT_PARAMETERS.contains(&name)
            || scripts.iter().any(|s| names(s, name))
            || messages.iter().any(|m| m.contains(&placeholder));
        if !used {
            let d = diag(
                src,
                path,
                format!("parameter `{name}` is never used by a rule, an attribute or a message"),
            )
            .with_help(Some(
                "remove it, or read it where it was meant to be used".to_owned(),
            ));
            out.push(at(d, source, position(source, &[&format!("\"{name}\"")])));
        }
    }
}

/// The version's cases: reason ids they expect that no rule defines, and coverage.
fn cases(kredo: &crate::api::Kredo, src: &RuleSetSource, rs: &RuleSet, out: &mut Vec<Diagnostic>) {
    let path = "cases.json";
    if src.file(path).is_none() {
        out.push(
            diag(src, path, "the version has no cases".to_owned()).with_help(Some(
                "add `cases.json`: no rule of this version is tested".to_owned(),
            )),
        );
        return;
    }
    let source = text(src, path);
    let cases: Vec<Case> = match serde_json::from_str(source) {
        Ok(c) => c,
        Err(e) => {
            let message = crate::diag::without_position(&e.to_string()).to_owned();
            out.push(diag(src, path, message).at(source, Some(e.line()), Some(e.column())));
            return;
        }
    };
    let rule_ids: Vec<&str> = rs.rules.iter().map(|r| r.compiled.id.as_str()).collect();
    let score_ids: Vec<&str> = rs
        .scorecard
        .iter()
        .flat_map(|s| &s.pillars)
        .flat_map(|p| &p.attributes)
        .map(|a| a.reason_id.as_str())
        .collect();
    for case in &cases {
        let name = format!("\"{}\"", case.name);
        let expected = case.expected.reasons.iter().map(|id| (id, &rule_ids));
        let scored = case
            .expected
            .score
            .iter()
            .flat_map(|s| s.reasons.iter().flatten())
            .map(|id| (id, &score_ids));
        for (id, known) in expected.chain(scored) {
            if !known.contains(&id.as_str()) {
                let d = diag(
                    src,
                    path,
                    format!(
                        "case `{}` expects reason `{id}`, which no rule of this version defines",
                        case.name
                    ),
                )
                .with_help(did_you_mean(id, known.iter().copied()));
                out.push(at(d, source, nearest(source, &name, &format!("\"{id}\""))));
            }
        }
    }

    // Coverage: what the version decides for its own cases.
    let results = crate::cases::run(kredo, &src.product, &src.version, &cases);
    let mut fired = BTreeSet::new();
    let mut reached = BTreeSet::new();
    for r in &results {
        let Ok(d) = serde_json::from_str::<serde_json::Value>(&r.actual) else {
            continue;
        };
        if let Some(o) = d.get("outcome").and_then(|o| o.as_str()) {
            reached.insert(o.to_owned());
        }
        for reason in d
            .get("reasons")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(id) = reason.get("id").and_then(|i| i.as_str()) {
                fired.insert(id.to_owned());
            }
        }
    }
    for rule in &rs.rules {
        let id = &rule.compiled.id;
        if !fired.contains(id) {
            out.push(
                diag(src, path, format!("no case makes rule `{id}` fire")).with_help(Some(
                    format!(
                        "add a case in which `{}` fires, or remove the rule",
                        rule.compiled.file
                    ),
                )),
            );
        }
    }
    for (outcome, severity) in [
        ("invalid", None),
        ("ineligible", Some(Severity::Ineligible)),
        ("review", Some(Severity::Review)),
        ("flagged", Some(Severity::Flag)),
        ("eligible", None),
    ] {
        let leading: Vec<&str> = rs
            .rules
            .iter()
            .filter(|r| Some(r.compiled.severity) == severity)
            .map(|r| r.compiled.id.as_str())
            .collect();
        let possible = severity.is_none() || !leading.is_empty();
        if possible && !reached.contains(outcome) {
            let help = match (outcome, leading.as_slice()) {
                ("invalid", _) => "add a case with an answer that fails validation".to_owned(),
                ("eligible", _) => "add a case in which no rule fires".to_owned(),
                (_, [one]) => format!("rule `{one}` leads to it: add a case in which it fires"),
                (_, many) => format!(
                    "rules {} lead to it: add a case in which one fires",
                    many.iter()
                        .map(|id| format!("`{id}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            out.push(
                diag(
                    src,
                    path,
                    format!("no case reaches the outcome `{outcome}`"),
                )
                .with_help(Some(help)),
            );
        }
    }
}

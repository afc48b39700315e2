//! The `kredo` command line: parse, dispatch, print one error, return an exit code.

use crate::api::{Kredo, Selection};
use crate::diag::{Diagnostic, LoadError};
use crate::ruleset::RuleSetSource;
use clap::{Args, Parser, Subcommand};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (for `check`: a decision was printed, whatever its outcome, `invalid` included)
  1  `test`: at least one case failed
  2  no decision or result could be made: unreadable file, text that is not JSON, unknown
     product or version, a date with no version in force, a broken rule set, bad arguments";

/// Kredo: eligibility rules for microcredit, the same decision in the browser, the CLI and the server.
#[derive(Debug, Parser)]
#[command(name = "kredo", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct RulesArg {
    /// Rule-set folder (`<product>/<version>/…`). Default: `./rules` when it exists, else the
    /// published rule sets built into this binary.
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide on one application (a bare application object, CONTRACT §2) and print the decision JSON.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Run every version's cases (default: all under the rules folder) and print `N passed, N failed`.
    #[command(after_help = EXIT_CODES)]
    Test(TestArgs),
    /// List products, versions, effective dates and hashes.
    Rulesets(RulesetsArgs),
    /// What a change would do: run every version's cases through two versions and list the
    /// applications whose outcome or reasons differ.
    Impact(ImpactArgs),
    /// Run the staff server: self-check page at `/`, public check API, staff API, audit store.
    Serve(super::commands::ServeCommand),
    /// Manage staff bearer tokens.
    Staff(super::commands::StaffCommand),
    /// Check the audit trail.
    Audit(super::commands::AuditCommand),
    /// Screen a CSV of applications, one a row; write the same CSV with decision columns.
    Batch(super::commands::BatchCommand),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Product (rule-set id).
    #[arg(long, default_value = crate::api::DEFAULT_PRODUCT)]
    pub product: String,
    /// Pick the version in force on this date (YYYY-MM-DD). Default: today in Belgium.
    #[arg(long, value_name = "DATE", conflicts_with = "version")]
    pub as_of: Option<String>,
    /// Pin an exact version instead.
    #[arg(long, value_name = "V")]
    pub version: Option<String>,
    /// Language of every message.
    #[arg(long, value_name = "LANG", default_value = "nl", value_parser = ["nl", "fr", "en"])]
    pub lang: String,
    /// Pretty-print the JSON (the bytes then differ from the server's and the page's).
    #[arg(long)]
    pub pretty: bool,
    /// Application JSON file, or `-` for standard input.
    #[arg(default_value = "-")]
    pub file: String,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rules roots, products or version folders to test. Default: the rules folder.
    pub paths: Vec<PathBuf>,
    /// Print every case, not only failures.
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The version now in use.
    pub from: String,
    /// The version to compare it with (e.g. a draft folder).
    pub to: String,
    /// Product (rule-set id).
    #[arg(long, default_value = crate::api::DEFAULT_PRODUCT)]
    pub product: String,
    /// Language of the messages compared.
    #[arg(long, default_value = "en", value_parser = ["nl", "fr", "en"])]
    pub lang: String,
    #[command(flatten)]
    pub rules: RulesArg,
}

#[derive(Debug, Args)]
pub struct RulesetsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub rules: RulesArg,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Test(args) => test(&args),
        Command::Rulesets(args) => rulesets(&args),
        Command::Impact(args) => impact(&args),
        Command::Serve(args) => super::commands::serve(&args),
        Command::Staff(args) => super::commands::staff(&args),
        Command::Audit(args) => super::commands::audit(&args),
        Command::Batch(args) => super::commands::batch(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            ExitCode::from(2)
        }
    }
}

/// Where rule sets come from, for messages.
enum Origin {
    Dir(PathBuf),
    Embedded,
}

fn sources(arg: &RulesArg) -> Result<(Vec<RuleSetSource>, Origin), String> {
    let dir = match &arg.rules {
        Some(dir) => Some(dir.clone()),
        None => Some(PathBuf::from("rules")).filter(|d| d.is_dir()),
    };
    match dir {
        Some(dir) => {
            let s = super::loader::load_dir(&dir).map_err(|e| render_load_error(&e, Some(&dir)))?;
            Ok((s, Origin::Dir(dir)))
        }
        None => Ok((
            crate::embedded::sources().map_err(|e| render_load_error(&e, None))?,
            Origin::Embedded,
        )),
    }
}

/// The engine from `--rules` (or `./rules`, or the built-in sets), as `check` builds it.
pub fn load_engine(arg: &RulesArg) -> Result<Kredo, String> {
    let (sources, origin) = sources(arg)?;
    engine(sources, &origin)
}

fn engine(sources: Vec<RuleSetSource>, origin: &Origin) -> Result<Kredo, String> {
    let dir = match origin {
        Origin::Dir(d) => Some(d.as_path()),
        Origin::Embedded => None,
    };
    Kredo::from_sources(sources).map_err(|e| render_load_error(&e, dir))
}

/// Prints rule-set problems as a compiler does: location, message, source line, caret, help.
pub fn render_load_error(e: &LoadError, root: Option<&Path>) -> String {
    let mut out = String::new();
    for d in &e.diagnostics {
        out.push_str(&render_diagnostic(d, root));
        out.push('\n');
    }
    let n = e.diagnostics.len();
    out.push_str(&format!(
        "error: the rule sets did not load ({n} problem{})",
        if n == 1 { "" } else { "s" }
    ));
    out
}

pub fn render_diagnostic(d: &Diagnostic, root: Option<&Path>) -> String {
    let location = match root {
        Some(root) if !d.product.is_empty() => format!("{}/{}", root.display(), d.location()),
        _ => d.location(),
    };
    let mut out = format!("error: {}\n  --> {location}", d.message);
    if let Some(snippet) = d.snippet() {
        out.push('\n');
        out.push_str(&snippet);
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("\n  = help: {help}"));
    }
    out
}

fn read_input(file: &str) -> Result<String, String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("error: cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("error: cannot read `{file}`: {e}"))
    }
}

fn check(args: &CheckArgs) -> Result<ExitCode, String> {
    let (sources, origin) = sources(&args.rules)?;
    let kredo = engine(sources, &origin)?;
    let text = read_input(&args.file)?;
    let opts = Selection {
        product: Some(args.product.as_str().into()),
        as_of: args.as_of.as_deref().map(Into::into),
        version: args.version.as_deref().map(Into::into),
        language: Some(args.lang.as_str().into()),
    };
    let decision = kredo
        .check_json(&text, &opts, super::today())
        .map_err(|e| {
            let at = match (e.line, e.column) {
                (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
                _ => String::new(),
            };
            match &e.diagnostic {
                Some(d) => render_diagnostic(
                    d,
                    match &origin {
                        Origin::Dir(d) => Some(d.as_path()),
                        Origin::Embedded => None,
                    },
                ),
                None => format!("error: {}{at}", e.message),
            }
        })?;
    let out = if args.pretty {
        serde_json::from_str::<serde_json::Value>(&decision)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(decision)
    } else {
        decision
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}").map_err(|e| format!("error: cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The rules root a path lies in, and the product and version it names: a rules root (every
/// version), a product directory (its versions) or a version directory (that version).
fn locate_versions(path: &Path) -> Option<(PathBuf, Option<String>, Option<String>)> {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let timeline = crate::ruleset::timeline::TIMELINE;
    if path.join(timeline).is_file() {
        return Some((path.parent()?.to_path_buf(), name(path), None));
    }
    if let Some(product) = path.parent()
        && product.join(timeline).is_file()
    {
        return Some((product.parent()?.to_path_buf(), name(product), name(path)));
    }
    let is_root = std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .any(|e| e.path().join(timeline).is_file());
    is_root.then(|| (path.to_path_buf(), None, None))
}

fn test(args: &TestArgs) -> Result<ExitCode, String> {
    // Every version a case names is compiled from the same place as the rest.
    let mut targets: Vec<RuleSetSource> = Vec::new();
    let (all, origin) = if args.paths.is_empty() {
        sources(&args.rules)?
    } else {
        let mut roots: Vec<(PathBuf, Option<String>, Option<String>)> = Vec::new();
        for p in &args.paths {
            if !p.exists() {
                return Err(format!("error: `{}` does not exist", p.display()));
            }
            let p = p.canonicalize().unwrap_or_else(|_| p.clone());
            roots.push(locate_versions(&p).ok_or_else(|| {
                format!(
                    "error: `{}` is not a rules root, a product (with a timeline.json) or one of its versions",
                    p.display()
                )
            })?);
        }
        let root = roots.first().map(|r| r.0.clone()).unwrap_or_default();
        if roots.iter().any(|r| r.0 != root) {
            return Err("error: the given paths lie in different rules roots".into());
        }
        let loaded =
            super::loader::load_dir(&root).map_err(|e| render_load_error(&e, Some(&root)))?;
        let wanted = |s: &RuleSetSource| {
            roots.iter().any(|(_, product, version)| {
                product.as_ref().is_none_or(|p| *p == s.product)
                    && version.as_ref().is_none_or(|v| *v == s.version)
            })
        };
        targets.extend(loaded.iter().filter(|s| wanted(s)).cloned());
        (loaded, Origin::Dir(root))
    };
    if targets.is_empty() {
        targets.extend(all.iter().cloned());
    }
    let kredo = engine(all, &origin)?;

    let (mut passed, mut failed) = (0usize, 0usize);
    let mut out = std::io::stdout().lock();
    for src in &targets {
        let Some(file) = src.file("cases.json") else {
            let _ = writeln!(out, "{}/{}: no cases.json", src.product, src.version);
            continue;
        };
        let text = String::from_utf8_lossy(&file.bytes);
        let cases = crate::cases::parse(&text)
            .map_err(|e| format!("error: {}/{}/cases.json: {e}", src.product, src.version))?;
        let results = crate::cases::run(&kredo, &src.product, &src.version, &cases);
        let ok = results.iter().filter(|r| r.passed()).count();
        let _ = writeln!(
            out,
            "{}/{}: {} cases, {} passed, {} failed",
            src.product,
            src.version,
            results.len(),
            ok,
            results.len() - ok
        );
        for r in &results {
            if r.passed() {
                passed += 1;
                if args.verbose {
                    let _ = writeln!(out, "  ok   {}", r.name);
                }
            } else {
                failed += 1;
                let _ = writeln!(out, "  FAIL {}", r.name);
                for d in &r.differences {
                    let _ = writeln!(out, "       {d}");
                }
                let _ = writeln!(out, "       decision: {}", r.actual);
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn impact(args: &ImpactArgs) -> Result<ExitCode, String> {
    let (sources, origin) = sources(&args.rules)?;
    let kredo = engine(sources.clone(), &origin)?;
    let lang = crate::model::Language::parse(&args.lang).unwrap_or_default();
    let from = kredo
        .select(&args.product, crate::date::Date::MIN, Some(&args.from))
        .map_err(|e| format!("error: {}", e.message))?;
    let to = kredo
        .select(&args.product, crate::date::Date::MIN, Some(&args.to))
        .map_err(|e| format!("error: {}", e.message))?;
    let mut out = std::io::stdout().lock();
    let (mut same, mut changed) = (0usize, 0usize);
    for src in sources.iter().filter(|s| s.product == args.product) {
        let Some(file) = src.file("cases.json") else {
            continue;
        };
        let cases = crate::cases::parse(&String::from_utf8_lossy(&file.bytes))
            .map_err(|e| format!("error: {}/{}/cases.json: {e}", src.product, src.version))?;
        for case in cases {
            // Each application is judged on the day each version starts, so date rules agree.
            let a = kredo.decide_version(from, &case.application, from.effective_from, lang);
            let b = kredo.decide_version(to, &case.application, to.effective_from, lang);
            let (Ok(a), Ok(b)) = (a, b) else {
                return Err(format!(
                    "error: case `{}` gets no decision from one of the versions",
                    case.name
                ));
            };
            let ids = |d: &crate::model::Decision<'_>| {
                d.reasons
                    .iter()
                    .map(|r| r.id.to_owned())
                    .collect::<Vec<_>>()
            };
            let instalment = |d: &crate::model::Decision<'_>| {
                d.indicative
                    .as_ref()
                    .map(|i| i.monthly_instalment_eur.to_string())
            };
            if a.outcome == b.outcome && ids(&a) == ids(&b) && instalment(&a) == instalment(&b) {
                same += 1;
                continue;
            }
            changed += 1;
            let _ = writeln!(
                out,
                "{}/{}: {}",
                src.version,
                case.name,
                case.note.as_deref().unwrap_or_default()
            );
            let _ = writeln!(
                out,
                "  {}: {} {:?} instalment {}",
                args.from,
                a.outcome.as_str(),
                ids(&a),
                instalment(&a).unwrap_or_else(|| "-".into())
            );
            let _ = writeln!(
                out,
                "  {}: {} {:?} instalment {}",
                args.to,
                b.outcome.as_str(),
                ids(&b),
                instalment(&b).unwrap_or_else(|| "-".into())
            );
        }
    }
    let _ = writeln!(
        out,
        "{changed} changed, {same} unchanged ({} -> {})",
        args.from, args.to
    );
    Ok(ExitCode::SUCCESS)
}

fn rulesets(args: &RulesetsArgs) -> Result<ExitCode, String> {
    let (sources, origin) = sources(&args.rules)?;
    let kredo = engine(sources, &origin)?;
    let list = kredo.rulesets();
    let mut out = std::io::stdout().lock();
    if args.json {
        let text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
        let _ = writeln!(out, "{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let from = match &origin {
        Origin::Dir(d) => format!("from {}", d.display()),
        Origin::Embedded => "built in".to_owned(),
    };
    let _ = writeln!(out, "# rule sets ({from})");
    let _ = writeln!(
        out,
        "{:<16} {:<11} {:<11} {:<11} hash",
        "product", "version", "from", "to"
    );
    for r in list {
        let to = r
            .effective_to
            .map_or_else(|| "-".to_owned(), |d| d.to_string());
        let from = r.effective_from.to_string();
        let _ = writeln!(
            out,
            "{:<16} {:<11} {:<11} {:<11} {}",
            r.product, r.version, from, to, r.hash
        );
    }
    Ok(ExitCode::SUCCESS)
}

//! The `kredo` command line: parse, dispatch, print one error, return an exit code.

use super::cli_error::{CliError, FAILED};
use super::commands::{self, AuditCommand, BatchCommand, ServeCommand, StaffCommand, StoreCommand};
use super::rules_arg::{Origin, RulesArg, compile};
use crate::api::Selection;
use crate::ruleset::RuleSetSource;
use clap::{Args, Parser, Subcommand};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (for `check`: a decision was printed, whatever its outcome, `invalid` included)
  1  `test`: at least one case failed; `lint`: at least one problem; `audit verify`/`audit checkpoint`: the chain does not verify
  2  no decision or result could be made: unreadable file, text that is not JSON, unknown
     product or version, a date with no version in force, a broken rule set, bad arguments";

/// Kredo: eligibility rules for microcredit, the same decision in the browser, the CLI and the server.
#[derive(Debug, Parser)]
#[command(name = "kredo", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide on one application (a bare application object, CONTRACT §2) and print the decision JSON.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Run every version's cases (default: all under the rules folder) and print `N passed, N failed`.
    #[command(after_help = EXIT_CODES)]
    Test(TestArgs),
    /// Every problem of the rule sets (default: all under the rules folder), each at its file,
    /// line and column, coverage by the cases included; exit 1 on any.
    #[command(after_help = EXIT_CODES)]
    Lint(super::lint::LintArgs),
    /// Write the rule sets as one JSON document, as the self-check page and the playground load
    /// them (`www/rules.json`); `kredo serve` serves its own at `/rules.json`.
    #[command(after_help = EXIT_CODES)]
    Bundle(BundleArgs),
    /// List products, versions, effective dates and hashes.
    Rulesets(RulesetsArgs),
    /// What a change would do: a corpus (both versions' cases and 10,000 generated
    /// applications) through two versions: decisions changed, old → new outcomes, reasons
    /// gained and lost, instalments, examples; as Markdown, JSON or HTML.
    #[command(after_help = EXIT_CODES)]
    Diff(super::diff::DiffArgs),
    /// Run the staff server: self-check page at `/`, public check API, staff API, audit store.
    Serve(ServeCommand),
    /// Manage staff bearer tokens.
    Staff(StaffCommand),
    /// Check the audit trail.
    Audit(AuditCommand),
    /// Create or upgrade the store's schema; on PostgreSQL, grant the servers' role.
    Store(StoreCommand),
    /// Screen a CSV of applications, one a row; write the same CSV with decision columns.
    Batch(BatchCommand),
    /// Write N realistic synthetic applications (CSV or JSON), from a version's `synth.json`.
    Synth(super::synth::SynthArgs),
    /// Add the next version of a product (`new`) or publish one (`publish`), in the rules folder.
    #[command(after_help = EXIT_CODES)]
    Version(super::version::VersionCommand),
}

/// `kredo check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Product (rule-set id), or `all`: every product in force at once, with one decision per
    /// product and the ranked `referrals` (CONTRACT §7).
    #[arg(long, default_value = crate::api::DEFAULT_PRODUCT)]
    product: String,
    /// Pick the version in force on this date (YYYY-MM-DD). Default: today in Belgium.
    #[arg(long, value_name = "DATE", conflicts_with = "version")]
    as_of: Option<String>,
    /// Pin an exact version instead.
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// Language of every message.
    #[arg(long, value_name = "LANG", default_value = "nl", value_parser = ["nl", "fr", "en"])]
    lang: String,
    /// Pretty-print the JSON (the bytes then differ from the server's and the page's).
    #[arg(long)]
    pretty: bool,
    /// Add the staff scorecard's `score` (when the version has a scorecard and the
    /// application is not `invalid`).
    #[arg(long)]
    score: bool,
    /// Application JSON file, or `-` for standard input.
    #[arg(default_value = "-")]
    file: String,
    #[command(flatten)]
    rules: RulesArg,
}

/// `kredo test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rules roots, products or version folders to test. Default: the rules folder.
    paths: Vec<PathBuf>,
    /// Print every case, not only failures.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    rules: RulesArg,
}

/// `kredo bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// Add each version's `cases.json` (for the playground).
    #[arg(long)]
    cases: bool,
    /// Where to write (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesArg,
}

/// `kredo rulesets`.
#[derive(Debug, Args)]
pub struct RulesetsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    rules: RulesArg,
}

/// Entry point of the binary: the one place that prints an error.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Test(args) => test(&args),
        Command::Lint(args) => super::lint::lint(&args),
        Command::Rulesets(args) => rulesets(&args),
        Command::Bundle(args) => bundle(&args),
        Command::Diff(args) => super::diff::diff(&args),
        Command::Serve(args) => commands::serve(&args),
        Command::Staff(args) => commands::staff(&args),
        Command::Audit(args) => commands::audit(&args),
        Command::Store(args) => commands::store(&args),
        Command::Batch(args) => commands::batch(&args),
        Command::Synth(args) => super::synth::synth(&args),
        Command::Version(args) => super::version::version(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let mut text = e.diagnostics();
            text.push_str(&format!("error: {e}"));
            if let Some(location) = e.location() {
                text.push('\n');
                text.push_str(&location);
            }
            let _ = writeln!(std::io::stderr(), "{text}");
            e.exit_code()
        }
    }
}

/// The most `kredo check` reads: an application is a few kilobytes, and a larger input (a
/// mistaken pipe from `/dev/urandom` or a log file) is refused, not read into memory whole.
pub const MAX_INPUT_BYTES: u64 = 1 << 20;

fn read_input(file: &str) -> Result<String, CliError> {
    let (name, reader): (String, Box<dyn Read>) = if file == "-" {
        (
            "standard input".to_owned(),
            Box::new(std::io::stdin().lock()),
        )
    } else {
        regular_file(file)?;
        let opened = std::fs::File::open(file).map_err(|source| CliError::Read {
            path: file.to_owned(),
            source,
        })?;
        (format!("`{file}`"), Box::new(opened))
    };
    let read_error = |source| match file {
        "-" => CliError::ReadStdin(source),
        _ => CliError::Read {
            path: file.to_owned(),
            source,
        },
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(CliError::TooLarge {
            what: name,
            limit: MAX_INPUT_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            e.utf8_error(),
        ))
    })
}

/// Refuses an input path that is not a regular file before opening it (see
/// [`super::special_kind`]); a pipe is read through `-`.
pub(super) fn regular_file(file: &str) -> Result<(), CliError> {
    let meta = std::fs::metadata(file).map_err(|source| CliError::Read {
        path: file.to_owned(),
        source,
    })?;
    if meta.is_file() {
        return Ok(());
    }
    Err(CliError::NotAFile {
        path: file.to_owned(),
        kind: super::special_kind(meta.file_type()),
    })
}

fn check(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let (sources, origin) = args.rules.sources()?;
    let kredo = compile(sources, &origin)?;
    let text = read_input(&args.file)?;
    // `all` on the command line is the contract's `*` (a shell would expand a bare `*`).
    let product = match args.product.as_str() {
        "all" => crate::api::ALL_PRODUCTS,
        p => p,
    };
    let opts = Selection {
        product: Some(product.into()),
        as_of: args.as_of.as_deref().map(Into::into),
        version: args.version.as_deref().map(Into::into),
        language: Some(args.lang.as_str().into()),
    };
    let decision = kredo
        .check_json(&text, &opts, super::today(), args.score)
        .map_err(|e| CliError::request(e, origin.root()))?;
    let out = if args.pretty {
        serde_json::from_str::<serde_json::Value>(&decision)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(decision)
    } else {
        decision
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}").map_err(CliError::WriteStdout)?;
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

/// The versions under `paths` (rules roots, products or version folders; none: the rules
/// folder), with every version of their rules root and where it is.
pub(super) fn selected(
    paths: &[PathBuf],
    rules: &RulesArg,
) -> Result<(Vec<RuleSetSource>, Origin, Vec<RuleSetSource>), CliError> {
    let mut targets: Vec<RuleSetSource> = Vec::new();
    let (all, origin) = if paths.is_empty() {
        rules.sources()?
    } else {
        let mut roots: Vec<(PathBuf, Option<String>, Option<String>)> = Vec::new();
        for p in paths {
            if !p.exists() {
                return Err(CliError::Paths(format!("`{}` does not exist", p.display())));
            }
            let p = p.canonicalize().unwrap_or_else(|_| p.clone());
            roots.push(locate_versions(&p).ok_or_else(|| {
                CliError::Paths(format!(
                    "`{}` is not a rules root, a product (with a timeline.json) or one of its versions",
                    p.display()
                ))
            })?);
        }
        let root = roots.first().map(|r| r.0.clone()).unwrap_or_default();
        if roots.iter().any(|r| r.0 != root) {
            return Err(CliError::Paths(
                "the given paths lie in different rules roots".to_owned(),
            ));
        }
        let loaded = super::loader::load_dir(&root).map_err(|error| CliError::Load {
            error,
            root: Some(root.clone()),
        })?;
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
    Ok((all, origin, targets))
}

fn test(args: &TestArgs) -> Result<ExitCode, CliError> {
    // Every version a case names is compiled from the same place as the rest.
    let (all, origin, targets) = selected(&args.paths, &args.rules)?;
    let kredo = compile(all, &origin)?;

    let (mut passed, mut failed) = (0usize, 0usize);
    let mut out = std::io::stdout().lock();
    for src in &targets {
        let Some(file) = src.file("cases.json") else {
            let _ = writeln!(out, "{}/{}: no cases.json", src.product, src.version);
            continue;
        };
        let text = String::from_utf8_lossy(&file.bytes);
        let cases = crate::cases::parse(&text).map_err(|e| cases_error(src, &e))?;
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
    // A published version whose files changed fails the run, whatever its cases say.
    if let Origin::Dir(root) = &origin {
        for problem in super::version::changed_published(root, &kredo) {
            failed += 1;
            let _ = writeln!(out, "FAIL {problem}");
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED)
    })
}

fn cases_error(src: &RuleSetSource, e: &impl std::fmt::Display) -> CliError {
    CliError::Cases {
        file: format!("{}/{}/cases.json", src.product, src.version),
        message: e.to_string(),
    }
}

fn bundle(args: &BundleArgs) -> Result<ExitCode, CliError> {
    let (tree, origin) = args.rules.tree()?;
    let text = crate::bundle::write(&tree, args.cases).map_err(CliError::Paths)?;
    // Only rule sets that compile go to a page.
    let sources = crate::ruleset::timeline::resolve(tree).map_err(|error| CliError::Load {
        error,
        root: origin.root().map(Path::to_path_buf),
    })?;
    compile(sources, &origin)?;
    match &args.output {
        Some(path) => std::fs::write(path, text + "\n").map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?,
        None => writeln!(std::io::stdout().lock(), "{text}").map_err(CliError::WriteStdout)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn rulesets(args: &RulesetsArgs) -> Result<ExitCode, CliError> {
    let (sources, origin) = args.rules.sources()?;
    let kredo = compile(sources, &origin)?;
    let list = kredo.rulesets();
    let mut out = std::io::stdout().lock();
    if args.json {
        let text = serde_json::to_string_pretty(&list)?;
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

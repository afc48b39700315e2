//! The staff-side subcommands: `serve`, `staff add`, `audit verify` and `batch`.
//!
//! Each returns the CLI's convention: `Ok(exit code)`, or a [`CliError`] that `cli::main`
//! prints once.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use super::audit::Verifier;
use super::batch;
use super::cli_error::{CliError, FAILED};
use super::rules_arg::RulesArg;
use super::server::ServeArgs;
use super::store::Store;
use super::{auth, today};
use crate::api::Selection;

/// `kredo serve`.
#[derive(Debug, Args)]
pub struct ServeCommand {
    #[command(flatten)]
    serve: ServeArgs,
    #[command(flatten)]
    rules: RulesArg,
}

/// `kredo staff …`.
#[derive(Debug, Args)]
pub struct StaffCommand {
    #[command(subcommand)]
    action: StaffAction,
}

/// What `kredo staff` does.
#[derive(Debug, Subcommand)]
pub enum StaffAction {
    /// Create a bearer token for a staff member; it is printed once and only its hash is kept.
    Add {
        /// The staff member's name, as it will appear in the audit trail.
        name: String,
        /// The SQLite audit store (created if absent).
        #[arg(long, default_value = "kredo.db")]
        db: PathBuf,
    },
}

/// `kredo audit …`.
#[derive(Debug, Args)]
pub struct AuditCommand {
    #[command(subcommand)]
    action: AuditAction,
}

/// What `kredo audit` does.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the audit trail's hash chain; exit 0 when intact, 1 naming the first broken entry.
    Verify {
        /// The SQLite audit store.
        #[arg(long, default_value = "kredo.db")]
        db: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `kredo batch`.
#[derive(Debug, Args)]
pub struct BatchCommand {
    /// CSV of applications, one a row (`-` for standard input). Header: the contract's flat
    /// field names; `,` or `;`; UTF-8 or Windows-1252; purposes as `category:amount;…`.
    input: String,
    /// Where to write the output CSV (default: standard output).
    #[arg(short, long, value_name = "OUT.csv")]
    output: Option<PathBuf>,
    /// Product (rule-set id).
    #[arg(long, default_value = crate::api::DEFAULT_PRODUCT)]
    product: String,
    /// Pick the version in force on this date (YYYY-MM-DD). Default: today in Belgium.
    #[arg(long, value_name = "DATE", conflicts_with = "version")]
    as_of: Option<String>,
    /// Pin an exact version instead.
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// Language of the messages.
    #[arg(long, value_name = "LANG", default_value = "nl", value_parser = ["nl", "fr", "en"])]
    lang: String,
    /// Never draw a progress bar (it is drawn only on a terminal, and never when CI is set).
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    rules: RulesArg,
}

/// `kredo serve`: runs until SIGINT or SIGTERM.
pub fn serve(cmd: &ServeCommand) -> Result<ExitCode, CliError> {
    let kredo = cmd.rules.engine()?;
    super::server::run(kredo, &cmd.serve)?;
    Ok(ExitCode::SUCCESS)
}

fn open_store(db: &std::path::Path) -> Result<Store, CliError> {
    Store::open(db).map_err(|source| CliError::OpenStore {
        path: db.to_path_buf(),
        source,
    })
}

/// `kredo staff add`: prints a new token once.
pub fn staff(cmd: &StaffCommand) -> Result<ExitCode, CliError> {
    match &cmd.action {
        StaffAction::Add { name, db } => {
            let name = auth::validate_staff_name(name).map_err(CliError::StaffName)?;
            let store = open_store(db)?;
            let token = auth::new_token().map_err(CliError::Random)?;
            store.add_staff_token(name, &auth::token_hash(&token))?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{token}").map_err(CliError::WriteStdout)?;
            let _ = writeln!(
                std::io::stderr(),
                "token created for {name} in {}: it is shown only this once; send it as `Authorization: Bearer <token>`",
                db.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `kredo audit verify`: exit 0 when the chain holds, 1 when it is broken.
pub fn audit(cmd: &AuditCommand) -> Result<ExitCode, CliError> {
    match &cmd.action {
        AuditAction::Verify { db, json } => {
            if !db.is_file() {
                return Err(CliError::NoStore(db.clone()));
            }
            let store = open_store(db)?;
            let mut verifier = Verifier::default();
            store.for_each_entry(|entry| verifier.check(&entry))?;
            let report = verifier.finish();
            let mut out = std::io::stdout().lock();
            if *json {
                let text = serde_json::to_string(&report)?;
                let _ = writeln!(out, "{text}");
            } else {
                match &report.first_broken {
                    None => {
                        let _ = writeln!(
                            out,
                            "audit chain intact: {} entries, head {}",
                            report.entries_ok, report.head_hash
                        );
                    }
                    Some(b) => {
                        let _ = writeln!(
                            out,
                            "audit chain BROKEN at entry {} (case {}): {}\n{} entries before it hold",
                            b.seq, b.case_id, b.reason, report.entries_ok
                        );
                    }
                }
            }
            Ok(if report.first_broken.is_none() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(FAILED)
            })
        }
    }
}

/// `kredo batch`: the output CSV to a file or standard output, a summary on standard error.
pub fn batch(cmd: &BatchCommand) -> Result<ExitCode, CliError> {
    let kredo = cmd.rules.engine()?;
    let input = if cmd.input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(CliError::ReadStdin)?;
        bytes
    } else {
        std::fs::read(&cmd.input).map_err(|source| CliError::Read {
            path: cmd.input.clone(),
            source,
        })?
    };
    let opts = Selection {
        product: Some(cmd.product.clone().into()),
        as_of: cmd.as_of.clone().map(Into::into),
        version: cmd.version.clone().map(Into::into),
        language: Some(cmd.lang.clone().into()),
    };
    // A progress bar only for a person at a terminal: never in CI logs or redirected output.
    let show_progress = !cmd.no_progress
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
    let estimated_rows = input
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_sub(1);
    let done = AtomicUsize::new(0);
    let finished = std::sync::atomic::AtomicBool::new(false);
    let start = Instant::now();
    let day = today();
    let result = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| {
                let bar = indicatif::ProgressBar::new(estimated_rows as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {pos}/{len} rows  {per_sec}  eta {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                while !finished.load(Ordering::Relaxed) {
                    bar.set_position(done.load(Ordering::Relaxed) as u64);
                    std::thread::sleep(Duration::from_millis(100));
                }
                bar.finish_and_clear();
            });
        }
        let result = batch::run(&kredo, &input, &opts, day, &done);
        finished.store(true, Ordering::Relaxed);
        result
    });
    let output = result?;
    let elapsed = start.elapsed().as_secs_f64();
    match &cmd.output {
        Some(path) => std::fs::write(path, &output.csv).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?,
        None => std::io::stdout()
            .lock()
            .write_all(&output.csv)
            .map_err(CliError::WriteStdout)?,
    }
    let rate = if elapsed > 0.0 {
        output.rows as f64 / elapsed
    } else {
        0.0
    };
    let _ = writeln!(
        std::io::stderr(),
        "screened {} rows in {elapsed:.3} s ({rate:.0} rows/s); {} with errors; input {} with `{}`",
        output.rows,
        output.rows_with_errors,
        output.encoding.name(),
        char::from(output.delimiter)
    );
    Ok(ExitCode::SUCCESS)
}

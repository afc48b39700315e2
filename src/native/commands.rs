//! The staff-side subcommands: `serve`, `staff add|list|revoke`, `audit verify|keygen|checkpoint`
//! and `batch`.
//!
//! Each returns the CLI's convention: `Ok(exit code)`, or a [`CliError`] that `cli::main`
//! prints once.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use super::audit::{
    self, CheckpointProblem, Checkpoints, OperatorKey, PublicKey, Verifier, VerifyReport,
};
use super::batch;
use super::cli_error::{CliError, FAILED};
use super::rules_arg::RulesArg;
use super::server::ServeArgs;
use super::store::{DbTarget, Store};
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
        /// The store: a SQLite file (created if absent) or a `postgres://` URL.
        #[arg(long, default_value = "kredo.db")]
        db: DbTarget,
    },
    /// List every token: id, when it was made, when it was revoked, whose it is.
    List {
        /// The store: a SQLite file or a `postgres://` URL (opened read-only).
        #[arg(long, default_value = "kredo.db")]
        db: DbTarget,
    },
    /// Revoke a staff member's tokens: a running server refuses them from the next request on.
    Revoke {
        /// The staff member's name, as given to `staff add`.
        name: String,
        /// Revoke only this token (an id from `staff list`), e.g. the old one after a rotation.
        #[arg(long)]
        id: Option<i64>,
        /// The store: a SQLite file or a `postgres://` URL.
        #[arg(long, default_value = "kredo.db")]
        db: DbTarget,
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
    ///
    /// The store is opened read-only, so a read-only copy can be verified. With `--checkpoint`,
    /// the chain must also reach every checkpoint's entry with the hash that was signed: deleted
    /// newest entries and rewritten ones are then caught too.
    Verify {
        /// The store: a SQLite file or a `postgres://` URL (opened read-only).
        #[arg(long, default_value = "kredo.db")]
        db: DbTarget,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// A checkpoint file written by `kredo audit checkpoint`; every line must hold.
        #[arg(long, value_name = "FILE", requires = "public_key")]
        checkpoint: Option<PathBuf>,
        /// The operator's public key (`ed25519:<64 hex>`), or a file holding it (the key's
        /// `.pub` file, or the operator key itself).
        #[arg(long, value_name = "KEY|FILE", requires = "checkpoint")]
        public_key: Option<String>,
    },
    /// Create an operator key for signing checkpoints; print its public key.
    ///
    /// The key file gets mode 0600 and the public key goes to `KEY.pub`; neither file is ever
    /// overwritten.
    Keygen {
        /// Where to write the key: keep it off the database's disk and out of its backups.
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
    },
    /// Sign the chain's head (seq, hash, time) and append it to a checkpoint file.
    ///
    /// Keep the file outside the database's disk and backups. The chain is verified first, and
    /// against the file's earlier checkpoints: when it does not hold, nothing is signed (exit 1).
    Checkpoint {
        /// The store: a SQLite file or a `postgres://` URL (opened read-only).
        #[arg(long, default_value = "kredo.db")]
        db: DbTarget,
        /// The operator key (from `kredo audit keygen`).
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// The checkpoint file: one JSON line is appended per checkpoint.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `kredo store …`.
#[derive(Debug, Args)]
pub struct StoreCommand {
    #[command(subcommand)]
    action: StoreAction,
}

/// What `kredo store` does.
#[derive(Debug, Subcommand)]
pub enum StoreAction {
    /// Create the store's schema, or apply the migrations it lacks, and print its version.
    ///
    /// `kredo serve` migrates a SQLite file itself. On PostgreSQL, run this once, and after each
    /// upgrade, as the database's owner; `--app-role` then lets the role the servers connect
    /// with read every table and insert into the audit log, and nothing else.
    Migrate {
        /// The store: a SQLite file (created if absent) or a `postgres://` URL.
        #[arg(long, default_value = "kredo.db")]
        db: DbTarget,
        /// A PostgreSQL role to grant `SELECT` on every table and `INSERT` on `audit_log`
        /// (whatever else it had on them is revoked).
        #[arg(long, value_name = "ROLE")]
        app_role: Option<String>,
    },
}

/// `kredo batch`.
#[derive(Debug, Args)]
pub struct BatchCommand {
    /// CSV of applications, one a row (`-` for standard input). Header: the contract's flat
    /// field names; `,` or `;`; UTF-8, Windows-1252 or UTF-16; purposes as `category:amount;…`.
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
    /// Add the staff scorecard's columns: `score_total`, `score_band`, `score_reasons` (the
    /// four principal reasons). Empty for `invalid` rows and versions without a scorecard.
    #[arg(long)]
    score: bool,
    /// Also write a report: one self-contained HTML file (inline SVG charts, no script) with
    /// outcome counts, reason frequency, the score by band and the amounts requested.
    #[arg(long, value_name = "REPORT.html")]
    report: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesArg,
}

/// `kredo serve`: runs until SIGINT or SIGTERM.
pub fn serve(cmd: &ServeCommand) -> Result<ExitCode, CliError> {
    let (tree, origin) = cmd.rules.tree()?;
    // The page gets the very files the API decides with, as data (`/rules.json`).
    let bundles = [false, true].map(|cases| crate::bundle::write(&tree, cases));
    let [Ok(page), Ok(with_cases)] = bundles else {
        let why = bundles
            .into_iter()
            .find_map(Result::err)
            .unwrap_or_default();
        return Err(CliError::Paths(format!(
            "the rules cannot be served to the page: {why}"
        )));
    };
    let sources = crate::ruleset::timeline::resolve(tree).map_err(|error| CliError::Load {
        error,
        root: origin.root().map(Path::to_path_buf),
    })?;
    let kredo = super::rules_arg::compile(sources.clone(), &origin)?;
    super::server::run(kredo, &sources, [page, with_cases], &cmd.serve)?;
    Ok(ExitCode::SUCCESS)
}

fn open_store(db: &DbTarget) -> Result<Store, CliError> {
    Store::open(db).map_err(|source| CliError::OpenStore {
        target: db.to_string(),
        source,
    })
}

/// A SQLite file must exist for commands that do not create one (a PostgreSQL database is
/// checked by connecting).
fn must_exist(db: &DbTarget) -> Result<(), CliError> {
    match db {
        DbTarget::Sqlite(path) if !path.is_file() => Err(CliError::NoStore(path.clone())),
        _ => Ok(()),
    }
}

/// An existing store, never written: what reading commands use, so they work on a copy.
fn open_existing_read_only(db: &DbTarget) -> Result<Store, CliError> {
    must_exist(db)?;
    Store::open_read_only(db).map_err(|source| CliError::OpenStore {
        target: db.to_string(),
        source,
    })
}

/// `kredo store migrate`: the schema at this kredo's version, and the app role's grants.
pub fn store(cmd: &StoreCommand) -> Result<ExitCode, CliError> {
    match &cmd.action {
        StoreAction::Migrate { db, app_role } => {
            let mut store = open_store(db)?;
            if let Some(role) = app_role {
                store.grant_app_role(role)?;
            }
            let version = store.schema_version()?;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{db}: schema version {version}");
            if let Some(role) = app_role {
                let _ = writeln!(
                    out,
                    "role {role} may read every table and insert into audit_log, nothing else"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `kredo staff add` prints a new token once; `list` shows the tokens; `revoke` revokes them.
pub fn staff(cmd: &StaffCommand) -> Result<ExitCode, CliError> {
    match &cmd.action {
        StaffAction::Add { name, db } => {
            let name = auth::validate_staff_name(name).map_err(CliError::StaffName)?;
            let mut store = open_store(db)?;
            let token = auth::new_token().map_err(CliError::Random)?;
            store.add_staff_token(name, &auth::token_hash(&token))?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{token}").map_err(CliError::WriteStdout)?;
            let _ = writeln!(
                std::io::stderr(),
                "token created for {name} in {db}: it is shown only this once; send it as `Authorization: Bearer <token>`"
            );
            Ok(ExitCode::SUCCESS)
        }
        StaffAction::List { db } => {
            let mut store = open_existing_read_only(db)?;
            let tokens = store.staff_tokens()?;
            let mut out = std::io::stdout().lock();
            // The name goes last: it may hold spaces, and the columns before it stay aligned.
            let _ = writeln!(
                out,
                "{:<5} {:<27} {:<27} staff",
                "id", "created_at", "revoked_at"
            );
            for t in &tokens {
                let _ = writeln!(
                    out,
                    "{:<5} {:<27} {:<27} {}",
                    t.id,
                    t.created_at,
                    t.revoked_at.as_deref().unwrap_or("-"),
                    t.staff_name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        StaffAction::Revoke { name, id, db } => {
            let name = auth::validate_staff_name(name).map_err(CliError::StaffName)?;
            must_exist(db)?;
            let mut store = open_store(db)?;
            let done = store.revoke_staff(name, *id)?;
            let which = id.map_or_else(String::new, |id| format!(" with id {id}"));
            if done.revoked == 0 && done.already == 0 {
                return Err(CliError::NoSuchStaff(format!(
                    "{db} has no token of `{name}`{which}"
                )));
            }
            let _ = writeln!(
                std::io::stdout().lock(),
                "revoked {} token{} of {name}{which} ({} already revoked)",
                done.revoked,
                if done.revoked == 1 { "" } else { "s" },
                done.already
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `kredo audit verify|keygen|checkpoint`: exit 0 when the chain holds (and agrees with the
/// checkpoints), 1 when it does not.
pub fn audit(cmd: &AuditCommand) -> Result<ExitCode, CliError> {
    match &cmd.action {
        AuditAction::Verify {
            db,
            json,
            checkpoint,
            public_key,
        } => {
            let verifier = match (checkpoint, public_key) {
                (Some(file), Some(key)) => {
                    Verifier::anchored(read_checkpoints(file, &pinned_public_key(key)?)?)
                }
                _ => Verifier::default(),
            };
            let report = verify_chain(db, verifier)?;
            print_report(&report, *json)?;
            Ok(exit_code(&report))
        }
        AuditAction::Keygen { key } => keygen(key),
        AuditAction::Checkpoint { db, key, out } => checkpoint(db, key, out),
    }
}

fn verify_chain(db: &DbTarget, mut verifier: Verifier) -> Result<VerifyReport, CliError> {
    let mut store = open_existing_read_only(db)?;
    store.for_each_entry(|entry| verifier.check(&entry))?;
    Ok(verifier.finish())
}

fn exit_code(report: &VerifyReport) -> ExitCode {
    if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAILED)
    }
}

fn print_report(report: &VerifyReport, json: bool) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string(report)?;
        let _ = writeln!(out, "{text}");
        return Ok(());
    }
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
    let Some(c) = &report.checkpoint else {
        return Ok(());
    };
    match (&c.failure, &c.newest) {
        (Some(f), _) => {
            let what = match f.problem {
                CheckpointProblem::Signature => "checkpoint SIGNATURE INVALID",
                CheckpointProblem::Truncated => "audit chain TRUNCATED",
                CheckpointProblem::Rewritten => "audit chain REWRITTEN",
            };
            let _ = writeln!(out, "{what}: {}", f.reason);
        }
        (None, Some(newest)) if c.held == c.checked => {
            let _ = writeln!(
                out,
                "checkpoints hold: {} checked; the newest, of {}, anchors entry {} with hash {}",
                c.checked, newest.recorded_at, newest.seq, newest.hash
            );
        }
        (None, _) => {
            let _ = writeln!(
                out,
                "checkpoints: {} of {} compared before the chain broke",
                c.held, c.checked
            );
        }
    }
    Ok(())
}

/// `--public-key`: the key itself, or a file with the public key or the operator key.
fn pinned_public_key(arg: &str) -> Result<PublicKey, CliError> {
    if let Some(key) = PublicKey::parse(arg) {
        return Ok(key);
    }
    let text = std::fs::read_to_string(arg).map_err(|_| CliError::BadPublicKey(arg.to_owned()))?;
    PublicKey::parse(&text)
        .or_else(|| OperatorKey::parse(&text).map(|k| k.public_key()))
        .ok_or_else(|| CliError::BadPublicKey(arg.to_owned()))
}

fn read_checkpoints(file: &Path, key: &PublicKey) -> Result<Checkpoints, CliError> {
    let text = std::fs::read_to_string(file).map_err(|source| CliError::Read {
        path: file.display().to_string(),
        source,
    })?;
    Checkpoints::read(&text, key).map_err(|message| CliError::BadCheckpointFile {
        path: file.to_path_buf(),
        message,
    })
}

/// `kredo audit keygen`: the key file (0600) and `KEY.pub`, both new; the public key printed.
fn keygen(key_path: &Path) -> Result<ExitCode, CliError> {
    let pub_path = public_key_path(key_path);
    for path in [key_path, pub_path.as_path()] {
        if path.exists() {
            return Err(CliError::Exists(path.to_path_buf()));
        }
    }
    let key = OperatorKey::generate().map_err(CliError::Random)?;
    let public = key.public_key().to_string();
    write_new(key_path, 0o600, &key.to_file_text())?;
    write_new(&pub_path, 0o644, &format!("{public}\n"))?;
    writeln!(std::io::stdout().lock(), "{public}").map_err(CliError::WriteStdout)?;
    let _ = writeln!(
        std::io::stderr(),
        "operator key written to {} (mode 0600): keep it off the database's disk and out of its backups; the public key is in {}: give it to whoever verifies",
        key_path.display(),
        pub_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn public_key_path(key: &Path) -> PathBuf {
    let mut name = key.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Creates `path` with `mode` (never replacing a file) and writes `text`, durably.
fn write_new(path: &Path, mode: u32, text: &str) -> Result<(), CliError> {
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(path)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    };
    write().map_err(|source| CliError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// `kredo audit checkpoint`: verifies the chain (against the file's earlier checkpoints too),
/// then appends its signed head to the file.
fn checkpoint(db: &DbTarget, key_path: &Path, out_path: &Path) -> Result<ExitCode, CliError> {
    let key = read_operator_key(key_path)?;
    let verifier = if out_path.exists() {
        Verifier::anchored(read_checkpoints(out_path, &key.public_key())?)
    } else {
        Verifier::default()
    };
    let report = verify_chain(db, verifier)?;
    if !report.is_ok() {
        print_report(&report, false)?;
        let _ = writeln!(
            std::io::stderr(),
            "refusing to sign: the chain in {db} does not verify"
        );
        return Ok(ExitCode::from(FAILED));
    }
    // `entries_ok` is the head's seq: an intact chain runs 1, 2, 3, … without gaps.
    let seq = i64::try_from(report.entries_ok).unwrap_or(i64::MAX);
    let checkpoint = key.checkpoint(seq, &report.head_hash, &audit::now_utc());
    let line = checkpoint.to_line()?;
    let append = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o644)
            .open(out_path)?;
        // One write of the whole line: a concurrent checkpoint cannot interleave with it.
        file.write_all(format!("{line}\n").as_bytes())?;
        file.sync_all()
    };
    append().map_err(|source| CliError::Write {
        path: out_path.to_path_buf(),
        source,
    })?;
    writeln!(std::io::stdout().lock(), "{line}").map_err(CliError::WriteStdout)?;
    let _ = writeln!(
        std::io::stderr(),
        "checkpoint of entry {seq} ({}) appended to {}",
        report.head_hash,
        out_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn read_operator_key(path: &Path) -> Result<OperatorKey, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let key = OperatorKey::parse(&text).ok_or_else(|| CliError::BadKeyFile(path.to_path_buf()))?;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        let _ = writeln!(
            std::io::stderr(),
            "warning: the operator key {} can be read by others (mode {:o}); `chmod 600` it",
            path.display(),
            meta.permissions().mode() & 0o777
        );
    }
    Ok(key)
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
        super::cli::regular_file(&cmd.input)?;
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
        let options = batch::Options {
            score: cmd.score,
            summary: cmd.report.is_some(),
        };
        let result = batch::run(&kredo, &input, &opts, day, options, &done);
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
    if let (Some(path), Some(summary)) = (&cmd.report, &output.summary) {
        let lang = crate::model::Language::parse(&cmd.lang).unwrap_or_default();
        let rule_set = kredo
            .resolve(&opts, day)
            .map(|(rs, _, _)| format!("{} {} ({})", rs.product, rs.version, rs.hash))
            .unwrap_or_default();
        let source = if cmd.input == "-" {
            "stdin".to_owned()
        } else {
            Path::new(&cmd.input)
                .file_name()
                .map_or_else(|| cmd.input.clone(), |n| n.to_string_lossy().into_owned())
        };
        let html = super::report::html(&output, summary, lang, &source, &rule_set);
        std::fs::write(path, html).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?;
    }
    let rate = if elapsed > 0.0 {
        output.rows as f64 / elapsed
    } else {
        0.0
    };
    if !output.unknown_columns.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: unknown columns, ignored (no field of the rule set has their name): {}",
            output
                .unknown_columns
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
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

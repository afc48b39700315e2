//! The CLI's one error type: why a command gave no decision or result. `cli::main` prints it
//! once as `error: …` (after a broken rule set's diagnostics, compiler style) and exits with
//! [`CliError::exit_code`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::batch::BatchError;
use super::server::ServeError;
use super::store::StoreError;
use crate::api::{ErrorCode, RequestError};
use crate::diag::{Diagnostic, LoadError};

/// Exit code when no decision or result could be made.
pub const NO_DECISION: u8 = 2;

/// Exit code of `test` when a case failed, and of `audit verify` (and `audit checkpoint`) when
/// the chain is broken, disagrees with a checkpoint, or a checkpoint's signature fails.
pub const FAILED: u8 = 1;

/// Why a command gave no decision or result.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The rule sets did not load; each problem is printed before the error line.
    #[error("the rule sets did not load ({})", problems(.error))]
    Load {
        /// Every problem found.
        error: LoadError,
        /// The rules root, to show where each file is.
        root: Option<PathBuf>,
    },
    /// The engine made no decision.
    #[error("{}", request_message(.error))]
    Request {
        /// The engine's error.
        error: Box<RequestError>,
        /// The rules root, to show where a broken rule is.
        root: Option<PathBuf>,
    },
    /// Standard input could not be read.
    #[error("cannot read standard input: {0}")]
    ReadStdin(#[source] std::io::Error),
    /// An input over the size `kredo check` reads.
    #[error("{what} is over {limit} bytes: an application is a few kilobytes")]
    TooLarge {
        /// The input: standard input or the file as given.
        what: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file as given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// An input path that is not a regular file.
    #[error(
        "cannot read `{path}`: it is {kind}, not a regular file; give a file, or `-` for standard input"
    )]
    NotAFile {
        /// The path as given.
        path: String,
        /// What it is.
        kind: &'static str,
    },
    /// Standard output could not be written.
    #[error("cannot write: {0}")]
    WriteStdout(#[source] std::io::Error),
    /// A file could not be written.
    #[error("cannot write `{}`: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A path argument names no rule sets.
    #[error("{0}")]
    Paths(String),
    /// A version's `cases.json` could not be read.
    #[error("{file}: {message}")]
    Cases {
        /// `<product>/<version>/cases.json`.
        file: String,
        /// Why.
        message: String,
    },
    /// `synth`: a version's `synth.json` is missing or malformed.
    #[error("{file}: {message}")]
    Synth {
        /// `<product>/<version>/synth.json`, or the product when no version has one.
        file: String,
        /// Why, naming the answer at fault.
        message: String,
    },
    /// `version new|publish`: what stops it, in words.
    #[error("{0}")]
    Version(String),
    /// The audit store could not be opened.
    #[error("cannot open {target}: {source}")]
    OpenStore {
        /// The database file, or the URL without its password.
        target: String,
        /// Why.
        source: StoreError,
    },
    /// `audit verify` on a file that does not exist.
    #[error("no audit store at {}", .0.display())]
    NoStore(PathBuf),
    /// The audit store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The operating system gave no random bytes for a token.
    #[error("no random source: {0}")]
    Random(getrandom::Error),
    /// A staff name that cannot go into the audit trail.
    #[error("{0}")]
    StaffName(String),
    /// `staff revoke`: the store has no such staff member or token.
    #[error("{0}")]
    NoSuchStaff(String),
    /// A file that must not be overwritten exists already.
    #[error("`{}` exists already; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// An operator key file that cannot be read as one.
    #[error("`{}` is not a kredo operator key (one line: `ed25519-secret:` and 64 hex digits)", .0.display())]
    BadKeyFile(PathBuf),
    /// `--public-key` names no public key.
    #[error(
        "--public-key `{0}` is neither a public key (`ed25519:` and 64 hex digits) nor a file holding one or an operator key"
    )]
    BadPublicKey(String),
    /// A checkpoint file that cannot be read as one.
    #[error("checkpoint file `{}`: {message}", .path.display())]
    BadCheckpointFile {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The server could not start or stopped with an error.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// A batch could not run.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// JSON output could not be written.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

fn problems(e: &LoadError) -> String {
    let n = e.diagnostics.len();
    format!("{n} problem{}", if n == 1 { "" } else { "s" })
}

fn request_message(e: &RequestError) -> String {
    // A broken rule is told by its diagnostic, whose location follows the error line.
    if let Some(d) = &e.diagnostic {
        return d.message.clone();
    }
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{} (line {l}, column {c})", e.message),
        _ => e.message.clone(),
    }
}

/// The exit code of each engine error: the one place that decides it. Every one of them means
/// that no decision was made.
pub fn exit_code_of(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidJson
        | ErrorCode::InvalidRequest
        | ErrorCode::UnknownProduct
        | ErrorCode::UnknownVersion
        | ErrorCode::NoVersionInForce
        | ErrorCode::InvalidDate
        | ErrorCode::InvalidLanguage
        | ErrorCode::RuleError => NO_DECISION,
    }
}

impl CliError {
    /// An engine error, with the rules root its diagnostic is shown under.
    pub fn request(error: RequestError, root: Option<&Path>) -> CliError {
        CliError::Request {
            error: Box::new(error),
            root: root.map(Path::to_path_buf),
        }
    }

    /// The process's exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Request { error, .. } => exit_code_of(error.code),
            CliError::Batch(BatchError::Request(error)) => exit_code_of(error.code),
            CliError::Load { .. }
            | CliError::ReadStdin(_)
            | CliError::TooLarge { .. }
            | CliError::Read { .. }
            | CliError::NotAFile { .. }
            | CliError::WriteStdout(_)
            | CliError::Write { .. }
            | CliError::Paths(_)
            | CliError::Cases { .. }
            | CliError::Synth { .. }
            | CliError::Version(_)
            | CliError::OpenStore { .. }
            | CliError::NoStore(_)
            | CliError::Store(_)
            | CliError::Random(_)
            | CliError::StaffName(_)
            | CliError::NoSuchStaff(_)
            | CliError::Exists(_)
            | CliError::BadKeyFile(_)
            | CliError::BadPublicKey(_)
            | CliError::BadCheckpointFile { .. }
            | CliError::Serve(_)
            | CliError::Batch(BatchError::Csv(_) | BatchError::Output(_) | BatchError::Cancelled)
            | CliError::Json(_) => NO_DECISION,
        })
    }

    /// What precedes the error line: each problem of a rule set that did not load, as a
    /// compiler shows it.
    pub fn diagnostics(&self) -> String {
        let CliError::Load { error, root } = self else {
            return String::new();
        };
        let mut out = String::new();
        for d in &error.diagnostics {
            out.push_str("error: ");
            out.push_str(&d.message);
            out.push('\n');
            out.push_str(&location(d, root.as_deref()));
            out.push('\n');
        }
        out
    }

    /// What follows the error line: where a broken rule is.
    pub fn location(&self) -> Option<String> {
        match self {
            CliError::Request { error, root } => error
                .diagnostic
                .as_deref()
                .map(|d| location(d, root.as_deref())),
            _ => None,
        }
    }
}

/// `  --> file:line:column`, the source line with a caret, and the help.
pub(crate) fn location(d: &Diagnostic, root: Option<&Path>) -> String {
    let at = match root {
        Some(root) if !d.product.is_empty() => format!("{}/{}", root.display(), d.location()),
        _ => d.location(),
    };
    let mut out = format!("  --> {at}");
    if let Some(snippet) = d.snippet() {
        out.push('\n');
        out.push_str(&snippet);
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("\n  = help: {help}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_error_is_no_decision() {
        let e = CliError::request(RequestError::new(ErrorCode::UnknownProduct, "nope"), None);
        assert_eq!(e.to_string(), "nope");
        assert_eq!(e.exit_code(), ExitCode::from(NO_DECISION));
        let mut json = RequestError::new(ErrorCode::InvalidJson, "not valid JSON: x");
        json.line = Some(2);
        json.column = Some(14);
        assert_eq!(
            CliError::request(json, None).to_string(),
            "not valid JSON: x (line 2, column 14)"
        );
    }
}

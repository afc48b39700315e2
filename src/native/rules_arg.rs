//! Where a command's rule sets come from: `--rules DIR`, else `./rules` when it exists, else
//! the published rule sets built into the binary. Every command that decides loads them here.

use std::path::{Path, PathBuf};

use clap::Args;

use super::cli_error::CliError;
use crate::api::Kredo;
use crate::ruleset::{RuleSetSource, SourceFile};

/// The `--rules` option.
#[derive(Debug, Clone, Args)]
pub struct RulesArg {
    /// Rule-set folder (`<product>/<version>/…`). Default: `./rules` when it exists, else the
    /// published rule sets built into this binary.
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,
}

/// Where the rule sets came from, for messages.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A rules root on disk.
    Dir(PathBuf),
    /// The rule sets built into the binary.
    Embedded,
}

impl Origin {
    /// The rules root, when the rule sets came from disk.
    pub fn root(&self) -> Option<&Path> {
        match self {
            Origin::Dir(dir) => Some(dir),
            Origin::Embedded => None,
        }
    }
}

impl RulesArg {
    /// The stored tree (paths relative to the rules root), and where it came from.
    pub fn tree(&self) -> Result<(Vec<SourceFile>, Origin), CliError> {
        let dir = match &self.rules {
            Some(dir) => Some(dir.clone()),
            None => Some(PathBuf::from("rules")).filter(|d| d.is_dir()),
        };
        match dir {
            Some(dir) => match super::loader::load_tree(&dir) {
                Ok(tree) => Ok((tree, Origin::Dir(dir))),
                Err(error) => Err(CliError::Load {
                    error,
                    root: Some(dir),
                }),
            },
            None => Ok((crate::embedded::tree(), Origin::Embedded)),
        }
    }

    /// Every version, resolved but not compiled, and where they came from.
    pub fn sources(&self) -> Result<(Vec<RuleSetSource>, Origin), CliError> {
        let (tree, origin) = self.tree()?;
        match crate::ruleset::timeline::resolve(tree) {
            Ok(sources) => Ok((sources, origin)),
            Err(error) => Err(CliError::Load {
                error,
                root: origin.root().map(Path::to_path_buf),
            }),
        }
    }

    /// The engine, compiled.
    pub fn engine(&self) -> Result<Kredo, CliError> {
        let (sources, origin) = self.sources()?;
        compile(sources, &origin)
    }
}

/// Compiles resolved versions; a problem is shown under the rules root they came from.
pub fn compile(sources: Vec<RuleSetSource>, origin: &Origin) -> Result<Kredo, CliError> {
    Kredo::from_sources(sources).map_err(|error| CliError::Load {
        error,
        root: origin.root().map(Path::to_path_buf),
    })
}

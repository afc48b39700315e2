//! The only code that reads rule sets from disk: `rules/<product>/<version>/…` → plain data.

use crate::diag::{Diagnostic, LoadError};
use crate::ruleset::{RuleSetSource, SourceFile};
use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

fn io_error(path: &Path, e: &std::io::Error) -> LoadError {
    Diagnostic::new(
        "",
        "",
        &path.display().to_string(),
        format!("cannot read: {e}"),
    )
    .into()
}

/// Reads every version under a rules root (`<root>/<product>/<version>/manifest.json`).
pub fn load_dir(root: &Path) -> Result<Vec<RuleSetSource>, LoadError> {
    let mut out = Vec::new();
    for product in sorted_dirs(root)? {
        for version in sorted_dirs(&product)? {
            if version.join("manifest.json").is_file() {
                out.push(load_version(&version)?);
            }
        }
    }
    if out.is_empty() {
        return Err(Diagnostic::new(
            "",
            "",
            &root.display().to_string(),
            "no rule sets here (expected `<product>/<version>/manifest.json`)",
        )
        .into());
    }
    Ok(out)
}

/// Reads one version directory; its parent's name is the product.
pub fn load_version(dir: &Path) -> Result<RuleSetSource, LoadError> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let product = dir.parent().map(name).unwrap_or_default();
    let version = name(dir);
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort_by(|a: &SourceFile, b| a.path.cmp(&b.path));
    Ok(RuleSetSource {
        product,
        version,
        files,
    })
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), LoadError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    for entry in entries {
        let path = entry.map_err(|e| io_error(dir, &e))?.path();
        if path.is_dir() {
            collect(base, &path, out)?;
            continue;
        }
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        let rel = path.strip_prefix(base).unwrap_or(&path);
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let bytes = fs::read(&path).map_err(|e| io_error(&path, &e))?;
        out.push(SourceFile {
            path: rel,
            bytes: Cow::Owned(bytes),
        });
    }
    Ok(())
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

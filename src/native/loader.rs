//! The only code that reads rule sets from disk: the stored tree under a rules root
//! (`common/…`, `<product>/timeline.json`, `<product>/<version>/…`) → plain data, resolved into
//! complete versions by the same [`timeline::resolve`] as the embedded rule sets.

use crate::diag::{Diagnostic, LoadError};
use crate::ruleset::{RuleSetSource, SourceFile, timeline};
use std::borrow::Cow;
use std::fs;
use std::path::Path;

fn io_error(path: &Path, e: &std::io::Error) -> LoadError {
    let at = path.display().to_string();
    Diagnostic::new("", "", &at, format!("cannot read: {e}"))
        .with_origin(at)
        .into()
}

/// Every file under a rules root, paths relative to it, in path order. Hidden files and the
/// documents at the root are left out.
pub fn load_tree(root: &Path) -> Result<Vec<SourceFile>, LoadError> {
    let mut files = Vec::new();
    collect(root, root, &mut files)?;
    files.retain(|f| f.path.contains('/'));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if !files
        .iter()
        .any(|f| f.path.ends_with(&format!("/{}", timeline::TIMELINE)))
    {
        return Err(Diagnostic::new(
            "",
            "",
            &root.display().to_string(),
            "no rule sets here (expected `<product>/timeline.json`)",
        )
        .into());
    }
    Ok(files)
}

/// Reads and resolves every version under a rules root.
pub fn load_dir(root: &Path) -> Result<Vec<RuleSetSource>, LoadError> {
    timeline::resolve(load_tree(root)?)
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), LoadError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    for entry in entries {
        let path = entry.map_err(|e| io_error(dir, &e))?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        // Through symbolic links: a link to `/dev/zero` is as endless as the device.
        let meta = fs::metadata(&path).map_err(|e| io_error(&path, &e))?;
        if meta.is_dir() {
            collect(base, &path, out)?;
            continue;
        }
        if dir == base {
            // The documents at the root are no rule-set files: left unread.
            continue;
        }
        if !meta.is_file() {
            let at = path.display().to_string();
            let kind = super::special_kind(meta.file_type());
            return Err(Diagnostic::new(
                "",
                "",
                &at,
                format!(
                    "not a regular file but {kind}: a rules folder holds only files and folders"
                ),
            )
            .with_origin(at)
            .into());
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

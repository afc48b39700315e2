//! The published rule sets, compiled into the binary and the wasm by `src/build.rs`: the
//! stored tree (`rules/common/…`, `rules/<product>/timeline.json`, version overlays), resolved
//! here exactly as the disk loader's.

use crate::diag::LoadError;
use crate::ruleset::{RuleSetSource, SourceFile, timeline};
use std::borrow::Cow;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The embedded tree as stored, paths relative to the rules root.
pub fn tree() -> Vec<SourceFile> {
    EMBEDDED
        .iter()
        .map(|(path, bytes)| SourceFile {
            path: (*path).to_owned(),
            bytes: Cow::Borrowed(*bytes),
        })
        .collect()
}

/// The embedded versions, resolved: the same plain data the disk loader produces.
pub fn sources() -> Result<Vec<RuleSetSource>, LoadError> {
    timeline::resolve(tree())
}

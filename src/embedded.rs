//! The published rule sets, compiled into the binary and the wasm by `src/build.rs`.

use crate::ruleset::{RuleSetSource, SourceFile};
use std::borrow::Cow;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The embedded files as the same plain data the disk loader produces.
pub fn sources() -> Vec<RuleSetSource> {
    EMBEDDED
        .iter()
        .map(|(product, version, files)| RuleSetSource {
            product: (*product).to_owned(),
            version: (*version).to_owned(),
            files: files
                .iter()
                .map(|(path, bytes)| SourceFile {
                    path: (*path).to_owned(),
                    bytes: Cow::Borrowed(*bytes),
                })
                .collect(),
        })
        .collect()
}

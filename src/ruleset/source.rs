//! Rule sets as plain data: the files of one version, however they were obtained, and their hash.
//!
//! The disk loader (`native::loader`), the rule sets embedded in the binary and the wasm all
//! read the same stored tree and resolve it with [`super::timeline::resolve`] into the same
//! [`RuleSetSource`] values, so they hash and compile identically.

use crate::date::Date;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One file of a version directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path inside the version directory, `/`-separated: `rules/amount_above_max.rhai`.
    pub path: String,
    /// The file's bytes exactly as stored.
    pub bytes: Cow<'static, [u8]>,
}

/// The complete files of one rule-set version, resolved from its timeline
/// ([`super::timeline::resolve`]): what the hash covers and what compiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetSource {
    /// The product id: its directory name.
    pub product: String,
    /// The version id: its directory name.
    pub version: String,
    /// The first day in force, from the product's timeline.
    pub effective_from: Date,
    /// The last day in force: the day before the next version's first, if there is one.
    pub effective_to: Option<Date>,
    /// Every file of the version, inherited ones included, by path inside the version.
    pub files: Vec<SourceFile>,
    /// Where each file is stored, relative to the rules root
    /// (`impulskrediet/2020-07-03/rules/term_above_max.rhai`), for diagnostics.
    pub origins: BTreeMap<String, String>,
    /// The lender, from the product's timeline (not hashed: see [`super::timeline::Lender`]).
    pub lender: Option<std::sync::Arc<super::timeline::Lender>>,
}

impl RuleSetSource {
    /// The file at `path` inside the version.
    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.path == path)
    }
    /// Where the file at `path` is stored, relative to the rules root.
    pub fn origin(&self, path: &str) -> Option<&str> {
        self.origins.get(path).map(String::as_str)
    }
}

/// Whether a file is part of what the hash covers: everything that can change a decision.
/// Cases (`cases.json`), the synthetic-data generator (`synth.json`) and documentation (`*.md`)
/// are not: adding a test case or fixing a typo in the docs of a published version leaves its
/// hash, and so its decisions, untouched.
pub fn is_hashed(path: &str) -> bool {
    !matches!(path, "cases.json" | "synth.json") && !path.ends_with(".md")
}

/// SHA-256 over the hashed files of a *resolved* version (inherited files included) in
/// canonical order, as `sha256:<64 hex digits>`. A change to an inherited file changes the hash
/// of every version that inherits it.
///
/// Canonical order: files sorted by their `/`-separated path, compared as UTF-8 bytes. Each
/// file contributes `path`, a zero byte, its length in bytes as decimal ASCII, a zero byte,
/// then its bytes exactly as stored (no line-ending conversion: `.gitattributes` keeps them).
pub fn hash(files: &[SourceFile]) -> String {
    let mut hashed: Vec<&SourceFile> = files.iter().filter(|f| is_hashed(&f.path)).collect();
    hashed.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let mut h = Sha256::new();
    for f in hashed {
        h.update(f.path.as_bytes());
        h.update([0u8]);
        h.update(f.bytes.len().to_string().as_bytes());
        h.update([0u8]);
        h.update(&f.bytes);
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &'static str) -> SourceFile {
        SourceFile {
            path: path.into(),
            bytes: Cow::Borrowed(text.as_bytes()),
        }
    }

    #[test]
    fn hash_ignores_order_cases_and_docs_but_not_content() {
        let a = [file("manifest.json", "{}"), file("rules/a.rhai", "true")];
        let b = [
            file("rules/a.rhai", "true"),
            file("manifest.json", "{}"),
            file("cases.json", "[]"),
            file("README.md", "x"),
        ];
        assert_eq!(hash(&a), hash(&b));
        let c = [file("manifest.json", "{}"), file("rules/a.rhai", "false")];
        assert_ne!(hash(&a), hash(&c));
        // Moving bytes between a name and a content must change the hash.
        let d = [file("ab", "c")];
        let e = [file("a", "bc")];
        assert_ne!(hash(&d), hash(&e));
        assert!(hash(&a).starts_with("sha256:") && hash(&a).len() == 71);
    }

    #[test]
    fn hash_of_known_input() {
        // sha256 of "x\0" "1\0" "y", computed independently with `printf 'x\0001\000y' | sha256sum`.
        assert_eq!(
            hash(&[file("x", "y")]),
            "sha256:08682fdd6cff59adc1417e42ab5b17b6280341e476129027925ef78b92388b14"
        );
    }
}

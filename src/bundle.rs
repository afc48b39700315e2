//! The rule sets as one JSON document: the stored tree (`common/…`, `<product>/timeline.json`,
//! version overlays), each file's text exactly as stored. The page loads it from where it is
//! served (`rules.json`: written into `www/` by the build, served by `kredo serve` from the rule
//! sets it runs) and compiles it in wasm, so the page and the server decide with the same files
//! and give the same hash. The playground loads the same with each version's cases.
//!
//! ```json
//! {"format": "kredo-rules/1", "files": [{"path": "common/fields/legal_form.json", "text": "…"}]}
//! ```

use crate::diag::{Diagnostic, LoadError, without_position};
use crate::ruleset::SourceFile;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The format this module reads and writes.
pub const FORMAT: &str = "kredo-rules/1";

/// The name the page loads the bundle by, relative to itself, and that errors name.
pub const FILE: &str = "rules.json";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bundle<'a> {
    format: Cow<'a, str>,
    files: Vec<BundleFile<'a>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleFile<'a> {
    path: Cow<'a, str>,
    text: Cow<'a, str>,
}

/// Whether a stored file belongs in a bundle: what decides (the hashed files and the
/// timelines), and with `cases` each version's `cases.json` too. Documentation, the
/// generators and `published.json` never do.
pub fn wanted(path: &str, cases: bool) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.contains('/')
        && !name.ends_with(".md")
        && name != "published.json"
        && name != "synth.json"
        && (cases || name != "cases.json")
}

/// The bundle of a stored tree. A file that is not UTF-8 cannot be carried as text: it is
/// named in the error.
pub fn write(tree: &[SourceFile], cases: bool) -> Result<String, String> {
    let mut files = Vec::new();
    for f in tree.iter().filter(|f| wanted(&f.path, cases)) {
        let text = std::str::from_utf8(&f.bytes)
            .map_err(|e| format!("{}: not UTF-8 (byte {})", f.path, e.valid_up_to()))?;
        files.push(BundleFile {
            path: Cow::Borrowed(&f.path),
            text: Cow::Borrowed(text),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    serde_json::to_string(&Bundle {
        format: Cow::Borrowed(FORMAT),
        files,
    })
    .map_err(|e| e.to_string())
}

/// The stored tree a bundle carries, each file's bytes as they were stored.
pub fn read(json: &str) -> Result<Vec<SourceFile>, LoadError> {
    let problem = |message: String| Diagnostic::new("", "", FILE, message).with_origin(FILE);
    let bundle: Bundle<'_> = serde_json::from_str(json).map_err(|e| {
        problem(without_position(&e.to_string()).to_owned()).at(
            json,
            Some(e.line()),
            Some(e.column()),
        )
    })?;
    if bundle.format != FORMAT {
        return Err(problem(format!(
            "format `{}` is not `{FORMAT}`: rebuild the bundle with this version of kredo",
            bundle.format
        ))
        .into());
    }
    Ok(bundle
        .files
        .into_iter()
        .map(|f| SourceFile {
            path: f.path.into_owned(),
            bytes: Cow::Owned(f.text.into_owned().into_bytes()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.to_owned(),
            bytes: Cow::Owned(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn a_bundle_carries_every_byte_and_leaves_out_what_never_decides() {
        let tree = vec![
            file("p/2025-01-01/rules/a.rhai", "\u{feff}const ID = \"A\";\r\n"),
            file("p/timeline.json", "{}"),
            file("p/2025-01-01/README.md", "docs"),
            file("p/2025-01-01/cases.json", "[]"),
            file("p/2025-01-01/synth.json", "{}"),
            file("p/published.json", "{}"),
            file("common/fields/x.json", "[]"),
        ];
        let json = write(&tree, false).unwrap();
        let back = read(&json).unwrap();
        let paths: Vec<&str> = back.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "common/fields/x.json",
                "p/2025-01-01/rules/a.rhai",
                "p/timeline.json"
            ]
        );
        assert_eq!(
            back.get(1).map(|f| f.bytes.as_ref()),
            Some("\u{feff}const ID = \"A\";\r\n".as_bytes())
        );
        let with_cases = read(&write(&tree, true).unwrap()).unwrap();
        assert!(
            with_cases
                .iter()
                .any(|f| f.path == "p/2025-01-01/cases.json")
        );
    }

    #[test]
    fn a_broken_bundle_is_named_with_its_position() {
        let e = read("{\"format\": \"kredo-rules/1\",\n \"files\": [}").unwrap_err();
        assert_eq!(e.to_string(), "rules.json:2:12: expected value");
        let e = read("{\"format\": \"kredo-rules/0\", \"files\": []}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "rules.json: format `kredo-rules/0` is not `kredo-rules/1`: rebuild the bundle with this version of kredo"
        );
    }
}

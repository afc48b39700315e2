//! Versions as a timeline of overlays: the rules tree as stored → one complete
//! [`RuleSetSource`] per version.
//!
//! A product directory holds `timeline.json`, which lists its versions and the day each takes
//! effect, and one directory per version with only the files that version changes. Version *n*
//! is resolved as `common/` (shared by every product: the contract's fields), then each version
//! directory from the first to *n*, a later file replacing an earlier one at the same path, less
//! the paths a version `removes`. Cases (`cases.json`) and documents (`*.md`) belong to their own
//! version and are never inherited. `effective_to` is the day before the next version takes
//! effect: derived, never stored, and not part of any hash, so adding a version leaves every
//! earlier version's files, and so its hash, unchanged.

use super::source::{RuleSetSource, SourceFile};
use crate::date::Date;
use crate::diag::{Diagnostic, LoadError, without_position};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The directory whose files every version of every product inherits.
pub const COMMON: &str = "common";
/// A product's timeline file.
pub const TIMELINE: &str = "timeline.json";

/// `timeline.json` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    /// What the product is, for maintainers.
    #[serde(default)]
    pub about: Option<String>,
    /// The versions, oldest first.
    pub versions: Vec<TimelineEntry>,
    /// Who lends: named in referrals from the other products (CONTRACT.md §7).
    #[serde(default)]
    pub lender: Option<Lender>,
}

/// The lender behind a product, as a referral names it: about the lender, not a version's
/// rules, so it lives on the timeline and no version's hash covers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Lender {
    /// The lender's or product's name: `microStart`.
    pub name: String,
    /// Its public page.
    pub url: String,
    /// One sentence for an applicant: whom it helps.
    pub about: LenderAbout,
}

/// [`Lender::about`] in each language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LenderAbout {
    /// Dutch.
    pub nl: String,
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

impl Lender {
    /// The sentence in `language`.
    pub fn about(&self, language: crate::model::Language) -> &str {
        use crate::model::Language;
        match language {
            Language::Nl => &self.about.nl,
            Language::Fr => &self.about.fr,
            Language::En => &self.about.en,
        }
    }
}

/// One version on a timeline.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// The version's directory name.
    pub version: String,
    /// The first day it is in force.
    pub effective_from: String,
    /// Paths of inherited files this version drops (a rule it retires, say).
    #[serde(default)]
    pub removes: Vec<String>,
}

/// Whether a version's own file is passed on to the versions after it.
fn inherited(path: &str) -> bool {
    path != "cases.json" && !path.ends_with(".md")
}

/// Resolves a rules tree (paths relative to the rules root, `/`-separated) into complete
/// versions, in product then date order. Every problem is reported at once.
pub fn resolve(files: Vec<SourceFile>) -> Result<Vec<RuleSetSource>, LoadError> {
    let mut problems = Vec::new();
    let mut common: Vec<SourceFile> = Vec::new();
    // product → (timeline bytes, version → files)
    type Product = (Option<SourceFile>, BTreeMap<String, Vec<SourceFile>>);
    let mut products: BTreeMap<String, Product> = BTreeMap::new();
    for f in files {
        let mut parts = f.path.splitn(3, '/');
        let (Some(top), Some(second)) = (parts.next(), parts.next()) else {
            continue; // a file at the root: README.md
        };
        let rest = parts.next();
        if top == COMMON {
            let path = f
                .path
                .get(COMMON.len() + 1..)
                .unwrap_or_default()
                .to_owned();
            common.push(SourceFile {
                path,
                bytes: f.bytes,
            });
            continue;
        }
        let entry = products.entry(top.to_owned()).or_default();
        match rest {
            None if second == TIMELINE => entry.0 = Some(f),
            None => {} // published.json, README.md
            Some(rest) => {
                let rest = rest.to_owned();
                entry
                    .1
                    .entry(second.to_owned())
                    .or_default()
                    .push(SourceFile {
                        path: rest,
                        bytes: f.bytes,
                    });
            }
        }
    }

    let mut out = Vec::new();
    for (product, (timeline_file, mut dirs)) in products {
        let diag = |file: &str, message: String| {
            Diagnostic::new(&product, "", file, message).with_origin(format!("{product}/{file}"))
        };
        let Some(timeline_file) = timeline_file else {
            problems.push(diag(
                TIMELINE,
                format!("product `{product}` has no `{TIMELINE}`"),
            ).with_help(Some("list its versions: {\"versions\": [{\"version\": \"2025-01-01\", \"effective_from\": \"2025-01-01\"}]}".to_owned())));
            continue;
        };
        let text = String::from_utf8_lossy(&timeline_file.bytes);
        let text = super::compile::without_bom(&text);
        let timeline: Timeline = match serde_json::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let message = without_position(&e.to_string()).to_owned();
                problems.push(diag(TIMELINE, message).at(text, Some(e.line()), Some(e.column())));
                continue;
            }
        };
        let at = |needle: &str, message: String| {
            let d = diag(TIMELINE, message);
            match locate(text, needle) {
                Some((line, column)) => d.at(text, Some(line), Some(column)),
                None => d,
            }
        };
        let mut dates = Vec::new();
        for entry in &timeline.versions {
            match Date::parse(&entry.effective_from) {
                Some(d) => {
                    if let Some(prev) = dates.last()
                        && d <= *prev
                    {
                        problems.push(at(
                            &format!("\"{}\"", entry.effective_from),
                            format!(
                                "version `{}` takes effect on {d}, not after the version before it ({prev})",
                                entry.version
                            ),
                        ));
                    }
                    dates.push(d);
                }
                None => {
                    problems.push(at(
                        &format!("\"{}\"", entry.effective_from),
                        format!(
                            "`effective_from` `{}` of version `{}` is not a date like 2025-01-01",
                            entry.effective_from, entry.version
                        ),
                    ));
                    dates.push(Date::MIN);
                }
            }
            if !dirs.contains_key(&entry.version) {
                problems.push(at(
                    &format!("\"{}\"", entry.version),
                    format!(
                        "version `{}` has no directory `{product}/{}/`",
                        entry.version, entry.version
                    ),
                ));
            }
        }
        for dir in dirs.keys() {
            if !timeline.versions.iter().any(|v| &v.version == dir) {
                problems.push(
                    diag(
                        TIMELINE,
                        format!("directory `{product}/{dir}/` is not a version in `{TIMELINE}`"),
                    )
                    .with_help(Some(
                        "add it to `versions` with the day it takes effect".to_owned(),
                    )),
                );
            }
        }

        // path → (bytes, origin)
        let mut current: BTreeMap<String, (SourceFile, String)> = common
            .iter()
            .map(|f| (f.path.clone(), (f.clone(), format!("{COMMON}/{}", f.path))))
            .collect();
        for (i, entry) in timeline.versions.iter().enumerate() {
            for path in &entry.removes {
                if current.remove(path).is_none() {
                    problems.push(at(
                        &format!("\"{path}\""),
                        format!(
                            "version `{}` removes `{path}`, which no earlier version has",
                            entry.version
                        ),
                    ));
                }
            }
            let own = dirs.remove(&entry.version).unwrap_or_default();
            let mut resolved = current.clone();
            for f in own {
                let origin = format!("{product}/{}/{}", entry.version, f.path);
                if inherited(&f.path) {
                    current.insert(f.path.clone(), (f.clone(), origin.clone()));
                }
                resolved.insert(f.path.clone(), (f, origin));
            }
            let (Some(from), next) = (dates.get(i).copied(), dates.get(i + 1)) else {
                continue;
            };
            let to = next.and_then(|d| d.previous_day());
            let mut files = Vec::with_capacity(resolved.len());
            let mut origins = BTreeMap::new();
            for (path, (file, origin)) in resolved {
                origins.insert(path, origin);
                files.push(file);
            }
            out.push(RuleSetSource {
                product: product.clone(),
                version: entry.version.clone(),
                effective_from: from,
                effective_to: to,
                files,
                origins,
                lender: timeline.lender.clone().map(std::sync::Arc::new),
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(LoadError {
            diagnostics: problems,
        })
    }
}

/// The 1-based line and column of the first occurrence of `needle` in `text`.
pub fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    crate::diag::line_column(text, text.find(needle)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn file(path: &str, text: &'static str) -> SourceFile {
        SourceFile {
            path: path.into(),
            bytes: Cow::Borrowed(text.as_bytes()),
        }
    }

    #[test]
    fn overlays_resolve_in_order_and_dates_derive() {
        let tree = vec![
            file("common/fields/a.json", "A"),
            file(
                "p/timeline.json",
                r#"{"versions": [
                {"version": "v1", "effective_from": "2020-01-01"},
                {"version": "v2", "effective_from": "2021-01-01", "removes": ["rules/old.rhai"]},
                {"version": "v3", "effective_from": "2022-03-01"}]}"#,
            ),
            file("p/v1/manifest.json", "M1"),
            file("p/v1/rules/old.rhai", "OLD"),
            file("p/v1/cases.json", "C1"),
            file("p/v2/manifest.json", "M2"),
            file("p/v3/rules/new.rhai", "NEW"),
            file("p/v3/README.md", "doc"),
        ];
        let out = resolve(tree).unwrap();
        let paths = |i: usize| -> Vec<(String, String)> {
            out[i]
                .files
                .iter()
                .map(|f| {
                    (
                        f.path.clone(),
                        String::from_utf8_lossy(&f.bytes).into_owned(),
                    )
                })
                .collect()
        };
        assert_eq!(
            paths(0),
            [
                ("cases.json", "C1"),
                ("fields/a.json", "A"),
                ("manifest.json", "M1"),
                ("rules/old.rhai", "OLD")
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        assert_eq!(
            paths(1),
            [("fields/a.json", "A"), ("manifest.json", "M2")]
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        assert_eq!(
            paths(2),
            [
                ("README.md", "doc"),
                ("fields/a.json", "A"),
                ("manifest.json", "M2"),
                ("rules/new.rhai", "NEW")
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        assert_eq!(out[0].effective_to, Date::parse("2020-12-31"));
        assert_eq!(out[1].effective_to, Date::parse("2022-02-28"));
        assert_eq!(out[2].effective_to, None);
        assert_eq!(out[2].origins["manifest.json"], "p/v2/manifest.json");
        assert_eq!(out[2].origins["fields/a.json"], "common/fields/a.json");
    }

    #[test]
    fn timeline_problems_are_reported_together() {
        let tree = vec![
            file(
                "p/timeline.json",
                "{\"versions\": [\n  {\"version\": \"v1\", \"effective_from\": \"2021-01-01\"},\n  {\"version\": \"v2\", \"effective_from\": \"2020-01-01\"}\n]}",
            ),
            file("p/v1/manifest.json", "M"),
            file("p/v2/manifest.json", "M"),
            file("p/v9/manifest.json", "M"),
            file("q/v1/manifest.json", "M"),
        ];
        let e = resolve(tree).unwrap_err();
        let text: Vec<String> = e.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "p/timeline.json:3:39: version `v2` takes effect on 2020-01-01, not after the version before it (2021-01-01)",
                "p/timeline.json: directory `p/v9/` is not a version in `timeline.json`\n  help: add it to `versions` with the day it takes effect",
                "q/timeline.json: product `q` has no `timeline.json`\n  help: list its versions: {\"versions\": [{\"version\": \"2025-01-01\", \"effective_from\": \"2025-01-01\"}]}",
            ]
        );
    }
}

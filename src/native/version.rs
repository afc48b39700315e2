//! `kredo version new|publish`: versions the maintainer's way (rules/README.md, "Published
//! versions never change").
//!
//! `new` adds the next version of a product as an empty overlay of the latest: it inherits every
//! file, so it decides exactly as the latest until the maintainer puts changed files in its
//! folder. It gets a `README.md` to fill in and the latest version's cases moved into its period,
//! and it is added to the timeline, unpublished. `publish` runs the version's cases and, when
//! they pass, records its hash in the product's `published.json`; from then on `kredo test`
//! fails if any file the version resolves to changes.

use super::cli_error::CliError;
use super::rules_arg::{Origin, RulesArg, compile};
use crate::date::Date;
use crate::ruleset::timeline::TIMELINE;
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The file of a product that records the hash of each published version.
pub const PUBLISHED: &str = "published.json";

/// `kredo version`.
#[derive(Debug, Args)]
pub struct VersionCommand {
    #[command(subcommand)]
    action: VersionAction,
    #[command(flatten)]
    rules: RulesArg,
}

#[derive(Debug, Subcommand)]
enum VersionAction {
    /// Add the next version of PRODUCT, in force from DATE: an overlay of the latest that
    /// inherits every file (so it decides as the latest until you change one), with a README
    /// to fill in and the latest version's cases moved into its period. It is not published.
    New {
        /// Product (rule-set id).
        product: String,
        /// Its first day in force (YYYY-MM-DD): after the latest version's, and after today.
        date: String,
    },
    /// Run VERSION's cases and, when every one passes, record its hash in PRODUCT's
    /// `published.json`: from then on the version may never change.
    Publish {
        /// Product (rule-set id).
        product: String,
        /// The version to publish.
        version: String,
    },
}

/// Runs `kredo version …`.
pub fn version(cmd: &VersionCommand) -> Result<ExitCode, CliError> {
    let root = match &cmd.rules.rules {
        Some(dir) => dir.clone(),
        None => PathBuf::from("rules"),
    };
    if !root.join("common").is_dir() && !has_products(&root) {
        return Err(CliError::Version(format!(
            "`{}` is not a rules folder: `kredo version` works on the rule sets on disk (--rules DIR)",
            root.display()
        )));
    }
    match &cmd.action {
        VersionAction::New { product, date } => new(&root, product, date, super::today()),
        VersionAction::Publish { product, version } => publish(&root, product, version),
    }
}

fn has_products(root: &Path) -> bool {
    std::fs::read_dir(root).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.path().join(TIMELINE).is_file())
    })
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.display().to_string(),
        source,
    })
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|source| CliError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The versions of a product's timeline, oldest first: `(version, effective_from)`.
fn versions(timeline: &serde_json::Value) -> Vec<(String, String)> {
    timeline["versions"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| {
                    Some((
                        v["version"].as_str()?.to_owned(),
                        v["effective_from"].as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn new(root: &Path, product: &str, date: &str, today: Date) -> Result<ExitCode, CliError> {
    let product_dir = root.join(product);
    let timeline_path = product_dir.join(TIMELINE);
    if !timeline_path.is_file() {
        return Err(CliError::Version(format!(
            "no product `{product}` in `{}` (no `{product}/{TIMELINE}`)",
            root.display()
        )));
    }
    let from = Date::parse(date)
        .ok_or_else(|| CliError::Version(format!("`{date}` is not a date (YYYY-MM-DD)")))?;
    let text = read(&timeline_path)?;
    let timeline: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CliError::Version(format!("{}: {e}", timeline_path.display())))?;
    let list = versions(&timeline);
    let Some((latest, latest_from)) = list.last().cloned() else {
        return Err(CliError::Version(format!(
            "{}: no versions to build on",
            timeline_path.display()
        )));
    };
    let latest_from = Date::parse(&latest_from).unwrap_or(Date::MIN);
    if from <= latest_from {
        return Err(CliError::Version(format!(
            "{date} is not after {latest}, the latest version of `{product}` (in force from {latest_from}): a new version starts after it"
        )));
    }
    if from <= today {
        return Err(CliError::Version(format!(
            "{date} is not after today ({today}): a new version never starts on a day already decided under another"
        )));
    }
    let dir = product_dir.join(date);
    if dir.exists() {
        return Err(CliError::Exists(dir));
    }

    // The latest version's own cases, moved into the new period by whole months (dates in the
    // applications too, so a count of months between two of them stays the same).
    let months = months_to_cover(latest_from, from);
    let cases = match std::fs::read_to_string(product_dir.join(&latest).join("cases.json")) {
        Ok(cases) => shift_dates(&cases, months),
        Err(_) => "[]\n".to_owned(),
    };
    let timeline_text = with_version(&text, date).ok_or_else(|| {
        CliError::Version(format!(
            "{}: cannot find its `versions` list to add {date} to",
            timeline_path.display()
        ))
    })?;

    std::fs::create_dir_all(&dir).map_err(|source| CliError::Write {
        path: dir.clone(),
        source,
    })?;
    write(&dir.join("cases.json"), &cases)?;
    write(&dir.join("README.md"), &readme(product, date, &latest))?;
    write(&timeline_path, &timeline_text)?;

    // The tree must still load and the new version compile: say so now, not at the next test.
    let sources = super::loader::load_dir(root).map_err(|error| CliError::Load {
        error,
        root: Some(root.to_path_buf()),
    })?;
    let kredo = compile(sources, &Origin::Dir(root.to_path_buf()))?;
    let hash = kredo
        .rulesets()
        .into_iter()
        .find(|r| r.product == product && r.version == date)
        .map(|r| r.hash)
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "created {product}/{date}: in force from {date}, an overlay of {latest} (every file inherited; hash {hash})\n\
         - put the files that change in {}/\n\
         - say what changes in its README.md and add cases for it (its cases.json holds {latest}'s, moved {months} months later)\n\
         - `kredo lint {}`, `kredo test` and `kredo diff {product} {latest} {date}`, then `kredo version publish {product} {date}`",
        dir.display(),
        dir.display(),
    );
    Ok(ExitCode::SUCCESS)
}

/// The whole months from `from` to `to`, rounded up: a date moved by them lies on or after `to`
/// when it lay on or after `from`.
fn months_to_cover(from: Date, to: Date) -> i64 {
    let whole = from.whole_months_until(to);
    if add_months(from, whole) < to {
        whole + 1
    } else {
        whole
    }
}

/// `date` moved by `months` calendar months; the 31st becomes the month's last day.
fn add_months(date: Date, months: i64) -> Date {
    let index = i64::from(date.year()) * 12 + i64::from(date.month()) - 1 + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let (Ok(year), Ok(month)) = (u16::try_from(year), u8::try_from(month)) else {
        return date;
    };
    (1..=date.day())
        .rev()
        .find_map(|day| Date::new(year, month, day))
        .unwrap_or(date)
}

/// Every JSON string that is exactly a date (`"2026-12-01"`), moved by `months`.
fn shift_dates(text: &str, months: i64) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let date = match bytes.get(i..i + 12) {
            Some([b'"', inner @ .., b'"']) => std::str::from_utf8(inner).ok().and_then(Date::parse),
            _ => None,
        };
        if let Some(date) = date {
            out.push('"');
            out.push_str(&add_months(date, months).to_string());
            out.push('"');
            i += 12;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

/// The timeline's text with `{ "version": date, "effective_from": date }` last in its
/// `versions` list, the rest of the file as written.
fn with_version(text: &str, date: &str) -> Option<String> {
    let key = text.find("\"versions\"")?;
    let open = key + text[key..].find('[')?;
    // The list's closing bracket: strings skipped, brackets counted.
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut close = None;
    for (i, c) in text[open..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let body = text[open + 1..close].trim_end();
    let separator = if body.trim().is_empty() { "" } else { "," };
    Some(format!(
        "{}{separator}\n    {{\n      \"version\": \"{date}\",\n      \"effective_from\": \"{date}\"\n    }}\n  {}",
        &text[..open + 1 + body.len()],
        &text[close..]
    ))
}

fn readme(product: &str, date: &str, latest: &str) -> String {
    format!(
        "# {product} — rule set version `{date}`\n\n\
         Version `{date}` applies to every request whose `as_of` falls from **{date}**; a request can\n\
         pin it with `\"version\": \"{date}\"`. It is an overlay of `{latest}`: every file not in this\n\
         folder is inherited from it (see `rules/README.md`).\n\n\
         ## What differs from the previous version\n\n\
         *Nothing yet: say here what changes, with its source (a seed, a public page and its date),\n\
         and why.*\n\n\
         ## Cases\n\n\
         `cases.json` holds `{latest}`'s cases moved into this version's period. Add a case for each\n\
         change, with its expected outcome computed independently.\n"
    )
}

fn publish(root: &Path, product: &str, version: &str) -> Result<ExitCode, CliError> {
    let sources = super::loader::load_dir(root).map_err(|error| CliError::Load {
        error,
        root: Some(root.to_path_buf()),
    })?;
    let Some(src) = sources
        .iter()
        .find(|s| s.product == product && s.version == version)
        .cloned()
    else {
        return Err(CliError::Version(format!(
            "`{product}` has no version `{version}` in `{}`",
            root.display()
        )));
    };
    let kredo = compile(sources, &Origin::Dir(root.to_path_buf()))?;
    let hash = crate::ruleset::hash(&src.files);

    // Its cases first: a version is published when they pass.
    let cases = src
        .file("cases.json")
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        .unwrap_or_else(|| "[]".to_owned());
    let cases = crate::cases::parse(&cases).map_err(|e| CliError::Cases {
        file: format!("{product}/{version}/cases.json"),
        message: e.to_string(),
    })?;
    if cases.is_empty() {
        return Err(CliError::Version(format!(
            "{product}/{version} has no cases: add them to its cases.json before publishing it"
        )));
    }
    let results = crate::cases::run(&kredo, product, version, &cases);
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| r.name.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(CliError::Version(format!(
            "{product}/{version}: {} of {} cases fail ({}); `kredo test {}` shows why. Nothing was published",
            failed.len(),
            results.len(),
            failed.join(", "),
            root.join(product).join(version).display()
        )));
    }

    let path = root.join(product).join(PUBLISHED);
    let mut published: BTreeMap<String, String> = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| CliError::Version(format!("{}: {e}", path.display())))?,
        Err(_) => BTreeMap::new(),
    };
    let mut out = std::io::stdout().lock();
    match published.get(version) {
        Some(recorded) if *recorded == hash => {
            let _ = writeln!(out, "{product}/{version} is published already ({hash})");
            return Ok(ExitCode::SUCCESS);
        }
        Some(recorded) => {
            return Err(CliError::Version(changed_message(
                product, version, recorded, &hash,
            )));
        }
        None => {}
    }
    published.insert(version.to_owned(), hash.clone());
    let text = serde_json::to_string_pretty(&published)?;
    write(&path, &format!("{text}\n"))?;
    let _ = writeln!(
        out,
        "published {product}/{version}: {} cases passed; {hash} recorded in {}",
        results.len(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// What `kredo test` and `publish` say of a published version whose files changed.
pub fn changed_message(product: &str, version: &str, recorded: &str, now: &str) -> String {
    format!(
        "{product}/{PUBLISHED}: version {version} was published with {recorded}, but its files now hash to {now}. \
         A published version never changes: undo the change, and put it in a new version (`kredo version new {product} DATE`)"
    )
}

/// For `kredo test` on a rules folder: every published version whose files changed since,
/// as `changed_message`s.
pub fn changed_published(root: &Path, kredo: &crate::api::Kredo) -> Vec<String> {
    changed_published_at(root, kredo)
        .into_iter()
        .map(|(_, _, message)| message)
        .collect()
}

/// The same, each with the product and the version (when one) it is about.
pub fn changed_published_at(
    root: &Path,
    kredo: &crate::api::Kredo,
) -> Vec<(String, Option<String>, String)> {
    let mut problems = Vec::new();
    let sets = kredo.rulesets();
    let products: std::collections::BTreeSet<&str> =
        sets.iter().map(|r| r.product.as_str()).collect();
    for product in products {
        let path = root.join(product).join(PUBLISHED);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(published) = serde_json::from_str::<BTreeMap<String, String>>(&text) else {
            problems.push((
                product.to_owned(),
                None,
                format!("{}: not a map of version to hash", path.display()),
            ));
            continue;
        };
        for (version, recorded) in &published {
            match sets
                .iter()
                .find(|r| r.product == product && r.version == *version)
            {
                Some(r) if r.hash == *recorded => {}
                Some(r) => problems.push((
                    product.to_owned(),
                    Some(version.clone()),
                    changed_message(product, version, recorded, &r.hash),
                )),
                None => problems.push((
                    product.to_owned(),
                    Some(version.clone()),
                    format!(
                        "{product}/{PUBLISHED}: version {version} is published but no longer in the timeline"
                    ),
                )),
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn months_move_dates_onto_or_after_the_new_start() {
        assert_eq!(months_to_cover(d("2026-12-01"), d("2027-01-01")), 1);
        assert_eq!(months_to_cover(d("2025-01-01"), d("2027-01-01")), 24);
        assert_eq!(months_to_cover(d("2025-01-15"), d("2025-02-01")), 1);
        assert_eq!(add_months(d("2025-01-31"), 1), d("2025-02-28"));
        assert_eq!(add_months(d("2024-03-31"), -1), d("2024-02-29"));
    }

    #[test]
    fn a_new_version_never_starts_on_a_day_already_decided() {
        // Refused before anything is written: the project's own rules folder stays as it is.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let err = new(&root, "credal", "2035-01-01", d("2040-01-01")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2035-01-01 is not after today (2040-01-01): a new version never starts on a day already decided under another"
        );
        assert!(!root.join("credal/2035-01-01").exists());
    }

    #[test]
    fn only_whole_date_strings_move() {
        let text = r#"[{"as_of": "2026-12-01", "note": "since 2026-12-01", "n": "2026-13-01"}]"#;
        assert_eq!(
            shift_dates(text, 1),
            r#"[{"as_of": "2027-01-01", "note": "since 2026-12-01", "n": "2026-13-01"}]"#
        );
    }

    #[test]
    fn a_version_is_added_last_and_the_rest_is_kept() {
        let text = "{\n  \"about\": \"a [bracket] in text\",\n  \"versions\": [\n    {\n      \"version\": \"2025-01-01\",\n      \"effective_from\": \"2025-01-01\"\n    }\n  ],\n  \"lender\": {}\n}\n";
        let out = with_version(text, "2028-01-01").unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            versions(&v),
            [
                ("2025-01-01".to_owned(), "2025-01-01".to_owned()),
                ("2028-01-01".to_owned(), "2028-01-01".to_owned())
            ]
        );
        assert!(out.starts_with("{\n  \"about\": \"a [bracket] in text\""));
        assert!(out.ends_with("  ],\n  \"lender\": {}\n}\n"));
    }
}

//! Rule sets carry their own cases (`cases.json`); this is the one harness that runs them, for
//! `kredo test`, the test suite and the parity checks alike.

use crate::api::Kredo;
use crate::date::Date;
use crate::model::{Decision, Language};
use serde::Deserialize;
use std::collections::BTreeSet;

/// One case: an application and what the version must decide for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The case name, unique within its version.
    pub name: String,
    /// The day the case is judged on; default: the version's first day.
    #[serde(default)]
    pub as_of: Option<String>,
    /// The language of the decision; default `nl`.
    #[serde(default)]
    pub language: Option<String>,
    /// The application object.
    pub application: serde_json::Value,
    /// What the decision must say.
    pub expected: Expected,
    /// Why the case exists, for maintainers.
    #[serde(default)]
    pub note: Option<String>,
}

/// The expected outcome, the set of reason ids, the set of top-level error fields, and
/// optionally the indicative instalment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The expected outcome.
    pub outcome: String,
    /// The ids of the rules that must fire (exactly these).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// The top-level fields that must have errors (exactly these).
    #[serde(default)]
    pub error_fields: Vec<String>,
    /// The expected indicative instalment, if checked.
    #[serde(default)]
    pub monthly_instalment_eur: Option<String>,
    /// The expected staff score, if checked: the case is then decided with the score.
    #[serde(default)]
    pub score: Option<ExpectedScore>,
}

/// What a case's score must be (CONTRACT.md §6).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedScore {
    /// The total.
    pub total: u32,
    /// The band.
    pub band: String,
    /// The reason ids, in their ranked order (exactly these), if checked.
    #[serde(default)]
    pub reasons: Option<Vec<String>>,
    /// The attributes that are unknown (exactly these), if checked.
    #[serde(default)]
    pub unknown: Option<Vec<String>>,
}

/// What happened to one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case name.
    pub name: String,
    /// Empty when the case passed; otherwise one line per difference.
    pub differences: Vec<String>,
    /// The full decision JSON (or the error), for the report.
    pub actual: String,
}

impl CaseResult {
    /// Whether the decision matched every expectation.
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Parses a `cases.json` text; the error names line and column.
pub fn parse(text: &str) -> Result<Vec<Case>, String> {
    let text = crate::ruleset::without_bom(text);
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// `funding_purposes[1].amount_eur` → `funding_purposes`.
pub fn top_level_field(path: &str) -> &str {
    let end = path.find(['[', '.']).unwrap_or(path.len());
    path.get(..end).unwrap_or(path)
}

/// Runs cases against one pinned version. A case whose `as_of` is outside the version's
/// period fails: it would test a different version elsewhere.
pub fn run(kredo: &Kredo, product: &str, version: &str, cases: &[Case]) -> Vec<CaseResult> {
    cases
        .iter()
        .map(|case| run_one(kredo, product, version, case))
        .collect()
}

fn run_one(kredo: &Kredo, product: &str, version: &str, case: &Case) -> CaseResult {
    let mut differences = Vec::new();
    let rs = match kredo.select(product, Date::MIN, Some(version)) {
        Ok(rs) => rs,
        Err(e) => {
            return CaseResult {
                name: case.name.clone(),
                differences: vec![e.message.clone()],
                actual: e.to_json(),
            };
        }
    };
    let as_of = match case.as_of.as_deref() {
        None => rs.effective_from,
        Some(t) => match Date::parse(t) {
            Some(d) => d,
            None => {
                return CaseResult {
                    name: case.name.clone(),
                    differences: vec![format!("`as_of` `{t}` is not a date")],
                    actual: String::new(),
                };
            }
        },
    };
    if as_of < rs.effective_from || rs.effective_to.is_some_and(|to| as_of > to) {
        differences.push(format!(
            "`as_of` {as_of} is outside the period of version {version}"
        ));
    }
    let language = case
        .language
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or_default();
    let score = case.expected.score.is_some();
    match kredo.decide_version(rs, &case.application, as_of, language, score) {
        Ok(d) => {
            compare(&case.expected, &d, &mut differences);
            CaseResult {
                name: case.name.clone(),
                differences,
                actual: d.to_json(),
            }
        }
        Err(e) => {
            differences.push(format!("no decision: {}", e.message));
            CaseResult {
                name: case.name.clone(),
                differences,
                actual: e.to_json(),
            }
        }
    }
}

/// The score against a case's expectation (native builds: the browser has no scorecard).
#[cfg(feature = "native")]
fn compare_score(expected: &ExpectedScore, d: &Decision<'_>, out: &mut Vec<String>) {
    let Some(score) = &d.score else {
        out.push("score: expected one, got none (has the version a scorecard?)".to_owned());
        return;
    };
    if score.total != expected.total || score.band != expected.band {
        out.push(format!(
            "score: expected {} ({}), got {} ({})",
            expected.total, expected.band, score.total, score.band
        ));
    }
    if let Some(want) = &expected.reasons {
        let got: Vec<&str> = score.reasons.iter().map(|r| r.id).collect();
        if *want != got {
            out.push(format!("score reasons: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = &expected.unknown {
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        let got: BTreeSet<&str> = score
            .pillars
            .iter()
            .flat_map(|p| &p.attributes)
            .filter(|a| !a.known)
            .map(|a| a.id)
            .collect();
        if want != got {
            out.push(format!(
                "unknown attributes: expected {want:?}, got {got:?}"
            ));
        }
    }
}

fn compare(expected: &Expected, d: &Decision<'_>, out: &mut Vec<String>) {
    #[cfg(feature = "native")]
    if let Some(want) = &expected.score {
        compare_score(want, d, out);
    }
    if d.outcome.as_str() != expected.outcome {
        out.push(format!(
            "outcome: expected `{}`, got `{}`",
            expected.outcome,
            d.outcome.as_str()
        ));
    }
    let want: BTreeSet<&str> = expected.reasons.iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = d.reasons.iter().map(|r| r.id).collect();
    if want != got {
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        out.push(format!(
            "reasons: missing {missing:?}, unexpected {extra:?}"
        ));
    }
    let want: BTreeSet<&str> = expected.error_fields.iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = d.errors.iter().map(|e| top_level_field(&e.field)).collect();
    if want != got {
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        out.push(format!(
            "error fields: missing {missing:?}, unexpected {extra:?}"
        ));
    }
    if let Some(want) = &expected.monthly_instalment_eur {
        let got = d
            .indicative
            .as_ref()
            .map(|i| i.monthly_instalment_eur.to_string());
        if got.as_deref() != Some(want.as_str()) {
            out.push(format!(
                "monthly instalment: expected {want}, got {}",
                got.unwrap_or_else(|| "none".into())
            ));
        }
    }
}

//! THE facade: one request in, one decision out. The page (wasm), the CLI and the staff server
//! call only this module, so they give the same bytes for the same request.

use crate::date::Date;
use crate::diag::{Diagnostic, LoadError};
use crate::json::Json;
use crate::model::{Decision, Indicative, Language, Outcome, Reason, Request, RuleSetRef, Skipped};
use crate::money::{Money, Plain};
use crate::ruleset::{Registry, RuleSet, RuleSetSource};
use crate::script::{Value, Verdict};
use crate::validate::{slot, validate};
use serde::Serialize;
use std::borrow::Cow;

/// The request as the JSON entry points read it: the same fields as [`Request`], borrowed from
/// the request text.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestRef<'a> {
    #[serde(default, borrow)]
    product: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    as_of: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    language: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    application: Json<'a>,
}

/// The product a request gets when it names none.
pub const DEFAULT_PRODUCT: &str = "impulskrediet";

/// The engine: every rule-set version compiled once, ready for any number of decisions.
#[derive(Debug)]
pub struct Kredo {
    registry: Registry,
}

/// Options of a bare-application check (`kredo check`, a CSV row): §1 without the envelope.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub product: Option<String>,
    pub as_of: Option<String>,
    pub version: Option<String>,
    pub language: Option<String>,
}

/// Why no decision could be made. Crosses every boundary as data:
/// `{"error":{"code":"unknown_version","message":"…","versions":["2020-07-03",…]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct RequestError {
    /// `invalid_json`, `invalid_request`, `unknown_product`, `unknown_version`,
    /// `no_version_in_force`, `invalid_date`, `invalid_language` or `rule_error`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// For `rule_error`: the rule file at fault, with its line and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<Box<Diagnostic>>,
}

impl RequestError {
    pub fn new(code: &str, message: impl Into<String>) -> RequestError {
        RequestError {
            code: code.to_owned(),
            message: message.into(),
            field: None,
            line: None,
            column: None,
            versions: Vec::new(),
            diagnostic: None,
        }
    }
    fn field(mut self, field: &'static str) -> RequestError {
        self.field = Some(field);
        self
    }
    fn json(e: &serde_json::Error) -> RequestError {
        let text = e.to_string();
        let text = text
            .rfind(" at line ")
            .and_then(|i| text.get(..i))
            .unwrap_or(&text)
            .to_owned();
        let mut err = RequestError::new("invalid_json", format!("not valid JSON: {text}"));
        err.line = u32::try_from(e.line()).ok();
        err.column = u32::try_from(e.column()).ok();
        err
    }
    /// The error as the JSON body every face returns.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a RequestError,
        }
        serde_json::to_string(&Body { error: self })
            .unwrap_or_else(|_| String::from(r#"{"error":{"code":"internal"}}"#))
    }
}

/// A rule-set version as listed by `rulesets()`.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSetInfo {
    pub product: String,
    pub version: String,
    pub title: String,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub hash: String,
}

/// What a rule means for an applicant, in one language: for pages that explain a decision.
#[derive(Debug, Clone, Serialize)]
pub struct RuleGuidance<'a> {
    pub id: &'a str,
    pub severity: crate::model::Severity,
    pub message: &'a str,
    pub next_step: &'a str,
}

impl Kredo {
    /// The published rule sets compiled into this binary (and into the wasm).
    pub fn embedded() -> Result<Kredo, LoadError> {
        Kredo::from_sources(crate::embedded::sources())
    }

    /// Compiles rule sets from plain data; every problem of every version is reported at once.
    pub fn from_sources(sources: Vec<RuleSetSource>) -> Result<Kredo, LoadError> {
        Ok(Kredo {
            registry: Registry::compile(&sources)?,
        })
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Every product and version with its dates and hash.
    pub fn rulesets(&self) -> Vec<RuleSetInfo> {
        self.registry
            .products()
            .flat_map(|(_, versions)| versions.iter())
            .map(|rs| RuleSetInfo {
                product: rs.product.clone(),
                version: rs.version.clone(),
                title: rs.title.clone(),
                effective_from: rs.effective_from,
                effective_to: rs.effective_to,
                hash: rs.hash.clone(),
            })
            .collect()
    }

    /// Each rule's message and next step in one language, for a page explaining a decision.
    pub fn guidance(
        &self,
        product: &str,
        version: &str,
        language: Language,
    ) -> Option<Vec<RuleGuidance<'_>>> {
        let rs = self
            .registry
            .versions(product)?
            .iter()
            .find(|v| v.version == version)?;
        let m = rs.messages(language);
        Some(
            rs.program
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| RuleGuidance {
                    id: &r.id,
                    severity: r.severity,
                    message: m.rules.get(i).map(String::as_str).unwrap_or_default(),
                    next_step: m.next_steps.get(i).map(String::as_str).unwrap_or_default(),
                })
                .collect(),
        )
    }

    /// Request JSON text → decision JSON text. `today` is the caller's date, used when the
    /// request has no `as_of`.
    pub fn evaluate_json(&self, request_json: &str, today: Date) -> Result<String, RequestError> {
        // serde would read a JSON array as a struct's fields in order; a request is an object.
        let start = request_json.trim_start().as_bytes().first();
        if start.is_some()
            && start != Some(&b'{')
            && serde_json::from_str::<serde::de::IgnoredAny>(request_json).is_ok()
        {
            return Err(RequestError::new(
                "invalid_request",
                "the request must be a JSON object",
            ));
        }
        let request: RequestRef<'_> = serde_json::from_str(request_json).map_err(|e| {
            if e.is_data() {
                let text = e.to_string();
                let text = text
                    .rfind(" at line ")
                    .and_then(|i| text.get(..i))
                    .unwrap_or(&text)
                    .to_owned();
                RequestError::new(
                    "invalid_request",
                    format!("the request does not fit contract v1: {text}"),
                )
            } else {
                RequestError::json(&e)
            }
        })?;
        self.decide(
            &request.application,
            request.product.as_deref(),
            request.as_of.as_deref(),
            request.version.as_deref(),
            request.language.as_deref(),
            today,
        )
        .map(|d| to_json(&d))
    }

    /// Bare application JSON text → decision JSON text (`kredo check`).
    pub fn check_json(
        &self,
        application_json: &str,
        opts: &CheckOptions,
        today: Date,
    ) -> Result<String, RequestError> {
        let application: Json<'_> =
            serde_json::from_str(application_json).map_err(|e| RequestError::json(&e))?;
        self.decide(
            &application,
            opts.product.as_deref(),
            opts.as_of.as_deref(),
            opts.version.as_deref(),
            opts.language.as_deref(),
            today,
        )
        .map(|d| to_json(&d))
    }

    /// A typed request → a typed decision.
    pub fn evaluate(&self, request: &Request, today: Date) -> Result<Decision<'_>, RequestError> {
        self.decide(
            &Json::from_value(&request.application),
            request.product.as_deref(),
            request.as_of.as_deref(),
            request.version.as_deref(),
            request.language.as_deref(),
            today,
        )
    }

    /// Picks the rule-set version for a request: `version` pins one, else the one in force
    /// on `as_of`.
    pub fn select(
        &self,
        product: &str,
        as_of: Date,
        version: Option<&str>,
    ) -> Result<&RuleSet, RequestError> {
        let Some(versions) = self.registry.versions(product) else {
            let known: Vec<String> = self
                .registry
                .products()
                .map(|(p, _)| p.to_owned())
                .collect();
            let mut e = RequestError::new(
                "unknown_product",
                format!("unknown product `{product}`; known: {}", known.join(", ")),
            )
            .field("product");
            e.versions = Vec::new();
            return Err(e);
        };
        let list = || {
            versions
                .iter()
                .map(|v| v.version.clone())
                .collect::<Vec<_>>()
        };
        if let Some(v) = version {
            return versions.iter().find(|rs| rs.version == v).ok_or_else(|| {
                let mut e = RequestError::new(
                    "unknown_version",
                    format!(
                        "`{product}` has no version `{v}`; versions: {}",
                        list().join(", ")
                    ),
                )
                .field("version");
                e.versions = list();
                e
            });
        }
        self.registry.in_force(product, as_of).ok_or_else(|| {
            let spans: Vec<String> = versions
                .iter()
                .map(|v| match v.effective_to {
                    Some(to) => format!("{} ({} to {})", v.version, v.effective_from, to),
                    None => format!("{} (from {})", v.version, v.effective_from),
                })
                .collect();
            let mut e = RequestError::new(
                "no_version_in_force",
                format!(
                    "no version of `{product}` is in force on {as_of}; versions: {}",
                    spans.join(", ")
                ),
            )
            .field("as_of");
            e.versions = list();
            e
        })
    }

    fn decide(
        &self,
        application: &Json<'_>,
        product: Option<&str>,
        as_of: Option<&str>,
        version: Option<&str>,
        language: Option<&str>,
        today: Date,
    ) -> Result<Decision<'_>, RequestError> {
        let language = match language {
            None => Language::default(),
            Some(l) => Language::parse(l).ok_or_else(|| {
                RequestError::new(
                    "invalid_language",
                    format!("unknown language `{l}`; use `nl`, `fr` or `en`"),
                )
                .field("language")
            })?,
        };
        let as_of = match as_of {
            None => today,
            Some(text) => Date::parse(text).ok_or_else(|| {
                RequestError::new(
                    "invalid_date",
                    format!("`{text}` is not a date like 2026-11-22"),
                )
                .field("as_of")
            })?,
        };
        let rs = self.select(product.unwrap_or(DEFAULT_PRODUCT), as_of, version)?;
        decide_json(rs, application, as_of, language)
    }
}

/// Runs one version on one application.
pub fn decide_with<'a>(
    rs: &'a RuleSet,
    application: &serde_json::Value,
    as_of: Date,
    language: Language,
) -> Result<Decision<'a>, RequestError> {
    decide_json(rs, &Json::from_value(application), as_of, language)
}

/// [`decide_with`] over the borrowed tree the JSON entry points read.
pub fn decide_json<'a>(
    rs: &'a RuleSet,
    application: &Json<'_>,
    as_of: Date,
    language: Language,
) -> Result<Decision<'a>, RequestError> {
    let mut v = validate(application, rs, language);
    let indicative = match (v.normalized.amount(), v.normalized.term_months) {
        (Some(amount), Some(term)) => u32::try_from(term)
            .ok()
            .and_then(|n| rs.annuities.annuity(amount, n)),
        _ => None,
    };
    let mut decision = Decision {
        outcome: Outcome::Eligible,
        product: &rs.product,
        rule_set: RuleSetRef {
            version: &rs.version,
            effective_from: rs.effective_from,
            hash: &rs.hash,
        },
        as_of,
        language,
        reasons: Vec::with_capacity(4),
        errors: Vec::new(),
        skipped: Vec::with_capacity(rs.program.rules.len()),
        warnings: std::mem::take(&mut v.warnings),
        indicative: indicative.map(|a| Indicative {
            annual_rate: Plain(a.annual_rate),
            monthly_instalment_eur: Money(a.monthly_instalment),
            total_repayable_eur: Money(a.total_repayable),
        }),
        normalized: Default::default(),
    };
    if !v.errors.is_empty() {
        decision.outcome = Outcome::Invalid;
        decision.errors = std::mem::take(&mut v.errors);
        decision.normalized = v.normalized;
        return Ok(decision);
    }

    let mut inputs = std::mem::take(&mut v.inputs);
    if let Some(a) = indicative {
        if let Some(x) = inputs.get_mut(slot::INSTALMENT) {
            *x = Value::from_decimal(a.monthly_instalment);
        }
    }
    let missing: Vec<Value> = v.missing_required.iter().map(|f| Value::from(*f)).collect();
    if let Some(x) = inputs.get_mut(slot::MISSING_REQUIRED) {
        *x = Value::from_array(missing);
    }
    // Bit i set: input i has a value (there are fewer than 64 inputs).
    let present: u64 = inputs
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_unit())
        .fold(0, |m, (i, _)| m | (1u64 << i));

    let messages = rs.messages(language);
    let mut run = rs.program.start(inputs);
    for (i, rule) in rs.program.rules.iter().enumerate() {
        let absent = rule
            .read_slots
            .iter()
            .filter(|s| present & (1u64 << **s) == 0)
            .count();
        if absent > 0 {
            let missing = if absent == rule.reads.len() {
                // The common case (a one-field rule): borrow, no allocation.
                Cow::Borrowed(rule.reads.as_slice())
            } else {
                let fields = rule.read_slots.iter().zip(&rule.reads);
                Cow::Owned(
                    fields
                        .filter(|(s, _)| present & (1u64 << **s) == 0)
                        .map(|(_, f)| f.clone())
                        .collect(),
                )
            };
            decision.skipped.push(Skipped {
                id: &rule.id,
                missing,
            });
            continue;
        }
        let verdict = run.eval(i).map_err(|d| {
            let mut e = RequestError::new("rule_error", format!("the rule set is broken: {d}"));
            e.diagnostic = Some(d);
            e
        })?;
        let fields = match verdict {
            Verdict::Pass => continue,
            Verdict::Fire => Cow::Borrowed(rule.reads.as_slice()),
            Verdict::FireWith(f) => Cow::Owned(f),
        };
        decision.reasons.push(Reason {
            id: &rule.id,
            severity: rule.severity,
            message: match messages.rules_json.get(i) {
                Some(m) => m,
                None => continue,
            },
            fields,
            message_text: messages
                .rules
                .get(i)
                .map(String::as_str)
                .unwrap_or_default(),
        });
    }
    decision
        .reasons
        .sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.id.cmp(b.id)));
    decision.skipped.sort_by(|a, b| a.id.cmp(b.id));
    decision.outcome = decision
        .reasons
        .first()
        .map_or(Outcome::Eligible, |r| r.severity.outcome());
    decision.normalized = v.normalized;
    Ok(decision)
}

/// The decision's bytes: compact JSON, fields in contract order.
pub fn to_json(decision: &Decision<'_>) -> String {
    crate::encode::decision(decision)
}

//! The contract's data: requests, the normalized application and the decision. Serde only.
//!
//! Field order in these structs is the byte order of the answer, so it is part of the contract:
//! change it only with a new contract version.

use crate::date::Date;
use crate::fields::Fields;
use crate::money::{Money, Plain};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The outcome, from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The input cannot be evaluated.
    Invalid,
    /// A knock-out rule fired.
    Ineligible,
    /// A person must look.
    Review,
    /// Eligible, with risk flags.
    Flagged,
    /// No rule with a severity fired.
    Eligible,
}

impl Outcome {
    /// The outcome as written in a decision.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Invalid => "invalid",
            Outcome::Ineligible => "ineligible",
            Outcome::Review => "review",
            Outcome::Flagged => "flagged",
            Outcome::Eligible => "eligible",
        }
    }
}

/// A rule's severity, from most to least severe; `info` never changes the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A knock-out: the applicant is probably not eligible.
    Ineligible,
    /// A person must look before anyone can say.
    Review,
    /// A risk for the person who assesses the plan.
    Flag,
    /// Worth knowing; changes nothing.
    Info,
}

impl Severity {
    /// The severity as written in a decision.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ineligible => "ineligible",
            Severity::Review => "review",
            Severity::Flag => "flag",
            Severity::Info => "info",
        }
    }

    /// Reads a severity as written in a rule file.
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "ineligible" => Some(Severity::Ineligible),
            "review" => Some(Severity::Review),
            "flag" => Some(Severity::Flag),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    /// The outcome this severity leads to when it is the most severe one that fired.
    pub fn outcome(self) -> Outcome {
        match self {
            Severity::Ineligible => Outcome::Ineligible,
            Severity::Review => Outcome::Review,
            Severity::Flag => Outcome::Flagged,
            Severity::Info => Outcome::Eligible,
        }
    }
}

/// The three languages every message exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Dutch.
    #[default]
    Nl,
    /// French.
    Fr,
    /// English.
    En,
}

impl Language {
    /// Every language, in the order of rule texts.
    pub const ALL: [Language; 3] = [Language::Nl, Language::Fr, Language::En];

    /// Reads `nl`, `fr` or `en`.
    pub fn parse(text: &str) -> Option<Language> {
        match text {
            "nl" => Some(Language::Nl),
            "fr" => Some(Language::Fr),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The language code.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

    /// The position in [`Language::ALL`].
    pub fn index(self) -> usize {
        match self {
            Language::Nl => 0,
            Language::Fr => 1,
            Language::En => 2,
        }
    }
}

/// The rule-set version that made a decision, with the hash that proves which files ran.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct RuleSetRef<'a> {
    /// The version id.
    pub version: &'a str,
    /// Its first day in force.
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub effective_from: Date,
    /// SHA-256 of its resolved files.
    pub hash: &'a str,
}

/// One rule that fired.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Reason<'a> {
    /// The rule id.
    pub id: &'a str,
    /// Its severity.
    pub severity: Severity,
    /// Pre-encoded JSON string (see [`crate::ruleset::RuleText`]).
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub message: &'a serde_json::value::RawValue,
    /// The fields it read (or that it named).
    pub fields: std::borrow::Cow<'a, [String]>,
    /// The message as plain text, for faces that print it (CSV, terminal).
    #[serde(skip)]
    pub message_text: &'a str,
}

/// One validation error or warning: a field path, a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct FieldIssue {
    /// The field path: `amount_requested_eur`, `funding_purposes[1].amount_eur`.
    pub field: String,
    /// A stable code: `invalid_money`, `unknown_field`, …
    pub code: &'static str,
    /// The message in the request's language.
    pub message: String,
}

/// A rule that could not run because a field it reads is missing.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Skipped<'a> {
    /// The rule id.
    pub id: &'a str,
    /// The fields that were missing.
    pub missing: std::borrow::Cow<'a, [String]>,
}

/// The indicative repayment at the version's rate.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Indicative {
    /// The version's annual rate.
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub annual_rate: Plain,
    /// The monthly instalment, rounded half-up to the cent.
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub monthly_instalment_eur: Money,
    /// The instalment times the term.
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub total_repayable_eur: Money,
}

/// One funding purpose in canonical form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Purpose<'a> {
    /// The canonical category.
    pub category: &'a str,
    /// Its amount.
    pub amount_eur: Money,
}

/// One answer in canonical form, by the kind of its field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer<'a> {
    /// An enum's canonical value (letters, digits and `_`: never needs escaping).
    Canonical(&'a str),
    /// Text as given, or a code in canonical form (NACE, enterprise number).
    Text(String),
    /// Money with two decimals.
    Money(Money),
    /// A whole number.
    Integer(i64),
    /// Yes or no.
    Bool(bool),
    /// An ISO date.
    Date(Date),
    /// The funding purposes.
    Purposes(Vec<Purpose<'a>>),
}

/// The application in canonical form: only the fields that were given and valid, in the order
/// the rule set declares them (`fields/*.json`), canonical enum spellings, money with two
/// decimals, NACE codes as `dd.ddd`.
#[derive(Debug, Clone, Default)]
pub struct Normalized<'a> {
    fields: Option<&'a Fields>,
    values: Vec<Option<Answer<'a>>>,
}

impl<'a> Normalized<'a> {
    /// No answers yet, for the fields of one rule-set version.
    pub fn new(fields: &'a Fields) -> Normalized<'a> {
        let mut values = Vec::with_capacity(fields.len());
        values.resize(fields.len(), None);
        Normalized {
            fields: Some(fields),
            values,
        }
    }
    /// Sets the answer of field `index`.
    pub fn set(&mut self, index: usize, answer: Answer<'a>) {
        if let Some(v) = self.values.get_mut(index) {
            *v = Some(answer);
        }
    }
    /// The answer of field `index`.
    pub fn get(&self, index: usize) -> Option<&Answer<'a>> {
        self.values.get(index).and_then(Option::as_ref)
    }
    /// (field name, answer) for every answer given, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &Answer<'a>)> + '_ {
        let fields = self.fields;
        self.values.iter().enumerate().filter_map(move |(i, v)| {
            let name = fields?.get(i)?.name.as_str();
            Some((name, v.as_ref()?))
        })
    }
    /// The requested amount, when valid.
    pub fn amount(&self) -> Option<Decimal> {
        match self.get(self.fields?.amount_index())? {
            Answer::Money(m) => Some(m.0),
            _ => None,
        }
    }
    /// The term in months, when valid.
    pub fn term_months(&self) -> Option<i64> {
        match self.get(self.fields?.term_index())? {
            Answer::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

impl Serialize for Normalized<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for (name, answer) in self.iter() {
            map.serialize_entry(name, answer)?;
        }
        map.end()
    }
}

/// The answers a suggestion changes (CONTRACT.md §8): the amount with the purposes scaled to
/// it, or the term. Applied to the application as they stand, they give the suggestion.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Changes<'a> {
    /// The new amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional, type = "string"))]
    pub amount_requested_eur: Option<Money>,
    /// The purposes scaled to the new amount (when the application gave them).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "wasm",
        tsify(optional, type = "{ category: string; amount_eur: string }[]")
    )]
    pub funding_purposes: Option<Vec<Purpose<'a>>>,
    /// The new term.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub term_months: Option<i64>,
}

/// One change that gives a better outcome: exactly what evaluating the changed application
/// gives (CONTRACT.md §8).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Suggestion<'a> {
    /// The answers to change.
    pub changes: Changes<'a>,
    /// The outcome with them.
    pub outcome: Outcome,
    /// The reasons with them, as in a decision.
    pub reasons: Vec<Reason<'a>>,
    /// One sentence for the applicant, in the request's language.
    pub message: String,
    /// The indicative instalment with them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicative: Option<Indicative>,
}

/// The answer (CONTRACT.md §4). The same request and rule-set hash give the same bytes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Decision<'a> {
    /// The most severe rule severity that fired.
    pub outcome: Outcome,
    /// The product id.
    pub product: &'a str,
    /// The version that decided, with its hash.
    pub rule_set: RuleSetRef<'a>,
    /// The day the decision is for.
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub as_of: Date,
    /// The language of every message.
    pub language: Language,
    /// Every rule that fired, by severity then id.
    pub reasons: Vec<Reason<'a>>,
    /// Validation errors (only with `invalid`).
    pub errors: Vec<FieldIssue>,
    /// Rules that could not run, with the fields they missed.
    pub skipped: Vec<Skipped<'a>>,
    /// Unknown fields.
    pub warnings: Vec<FieldIssue>,
    /// Present when amount and term are valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicative: Option<Indicative>,
    /// The staff scorecard's score: only when staff ask for it, never for `invalid`.
    #[cfg(feature = "native")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<crate::scorecard::Score<'a>>,
    /// For `ineligible` and `review`: what the applicant could change for a better outcome
    /// (CONTRACT.md §8), `[]` when nothing they can change would help; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub suggestions: Option<Vec<Suggestion<'a>>>,
    /// The application in canonical form.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub normalized: Normalized<'a>,
}

impl Decision<'_> {
    /// The decision's bytes: compact JSON, fields in contract order, the same bytes as serde
    /// gives for the derived `Serialize` (a test holds the two together).
    pub fn to_json(&self) -> String {
        crate::encode::decision(self)
    }
}

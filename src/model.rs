//! The contract's data: requests, the normalized application and the decision. Serde only.
//!
//! Field order in these structs is the byte order of the answer, so it is part of the contract:
//! change it only with a new contract version.

use crate::date::Date;
use crate::money::{Money, Plain};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A request as the page and the server receive it (CONTRACT.md §1).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub application: serde_json::Value,
}

/// The outcome, from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Invalid,
    Ineligible,
    Review,
    Flagged,
    Eligible,
}

impl Outcome {
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
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Ineligible,
    Review,
    Flag,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ineligible => "ineligible",
            Severity::Review => "review",
            Severity::Flag => "flag",
            Severity::Info => "info",
        }
    }

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
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Nl,
    Fr,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Nl, Language::Fr, Language::En];

    pub fn parse(text: &str) -> Option<Language> {
        match text {
            "nl" => Some(Language::Nl),
            "fr" => Some(Language::Fr),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

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
pub struct RuleSetRef<'a> {
    pub version: &'a str,
    pub effective_from: Date,
    pub hash: &'a str,
}

/// One rule that fired.
#[derive(Debug, Clone, Serialize)]
pub struct Reason<'a> {
    pub id: &'a str,
    pub severity: Severity,
    /// Pre-encoded JSON string (see `ruleset::Messages::rules_json`).
    pub message: &'a serde_json::value::RawValue,
    pub fields: std::borrow::Cow<'a, [String]>,
    /// The message as plain text, for faces that print it (CSV, terminal).
    #[serde(skip)]
    pub message_text: &'a str,
}

/// One validation error or warning: a field path, a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// A rule that could not run because a field it reads is missing.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped<'a> {
    pub id: &'a str,
    pub missing: std::borrow::Cow<'a, [String]>,
}

/// The indicative repayment at the version's rate.
#[derive(Debug, Clone, Serialize)]
pub struct Indicative {
    pub annual_rate: Plain,
    pub monthly_instalment_eur: Money,
    pub total_repayable_eur: Money,
}

/// One funding purpose in canonical form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Purpose<'a> {
    pub category: &'a str,
    pub amount_eur: Money,
}

/// The application in canonical form: only the fields that were given and valid, canonical
/// enum spellings, money with two decimals, `nace_code` as `dd.ddd`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Normalized<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_requested_eur: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_months: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding_purposes: Option<Vec<Purpose<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_takeover: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nace_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nace_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_collective_debt_settlement: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bankruptcy_status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_credit_status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_tax_or_social_arrears: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant_age_years: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_monthly_net_cashflow_eur: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_plan_status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_variant: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_description: Option<String>,
}

impl Normalized<'_> {
    pub fn amount(&self) -> Option<Decimal> {
        self.amount_requested_eur.map(|m| m.0)
    }
}

/// The answer (CONTRACT.md §4). The same request and rule-set hash give the same bytes.
#[derive(Debug, Clone, Serialize)]
pub struct Decision<'a> {
    pub outcome: Outcome,
    pub product: &'a str,
    pub rule_set: RuleSetRef<'a>,
    pub as_of: Date,
    pub language: Language,
    pub reasons: Vec<Reason<'a>>,
    pub errors: Vec<FieldIssue>,
    pub skipped: Vec<Skipped<'a>>,
    pub warnings: Vec<FieldIssue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicative: Option<Indicative>,
    pub normalized: Normalized<'a>,
}

//! Rule-set versions: their manifest, fields, data tables and messages, compiled once; and the
//! registry that picks the version in force on a date.

mod compile;
mod registry;
pub mod source;
pub mod timeline;

use crate::date::Date;
use crate::fields::Fields;
use crate::model::Language;
use crate::money::{display_money, display_percent};
use crate::script::{CompiledRule, Lists, Program, Value};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;

pub use compile::compile;
pub(crate) use compile::without_bom;
pub use registry::Registry;
pub use source::{RuleSetSource, SourceFile, hash};

/// A code list with the label of each value (`data/lists/<name>.json` with `labels`).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct CodeList {
    /// The list's name: its file name without `.json`.
    pub name: String,
    /// Its values in order, each with its label (empty when the list gives none).
    pub codes: Vec<Code>,
}

/// One value of a [`CodeList`].
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Code {
    /// The value as rules match it: `47.610`.
    pub code: String,
    /// What it means, as the list's source words it.
    pub label: String,
}

/// A version parameter, shown in messages and folded into the rules.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// `UPPER_SNAKE_CASE`, as rules and messages name it.
    pub name: String,
    /// Its typed value.
    pub value: ParamValue,
    /// Where the value comes from (seed, public page, assumption).
    pub source: Option<String>,
}

/// A parameter's type and value, from `parameters.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamValue {
    /// Euros, shown as money.
    Money(Decimal),
    /// A plain decimal.
    Decimal(Decimal),
    /// A rate, shown as a percentage.
    Percent(Decimal),
    /// A whole number.
    Integer(i64),
}

impl ParamValue {
    fn display(&self, lang: Language) -> String {
        match self {
            ParamValue::Money(d) => display_money(*d, lang.as_str()),
            ParamValue::Percent(d) => display_percent(*d, lang.as_str()),
            ParamValue::Decimal(d) => {
                let s = d.normalize().to_string();
                if lang == Language::En {
                    s
                } else {
                    s.replace('.', ",")
                }
            }
            ParamValue::Integer(i) => i.to_string(),
        }
    }
    fn script_value(&self) -> Value {
        match self {
            ParamValue::Money(d) | ParamValue::Decimal(d) | ParamValue::Percent(d) => {
                Value::from_decimal(*d)
            }
            ParamValue::Integer(i) => Value::from_int(*i),
        }
    }
}

/// The validation texts of one language (`messages/<lang>.json`, `errors` and `warnings`).
#[derive(Debug, Clone, Default)]
pub struct Messages {
    /// By error code.
    pub errors: BTreeMap<String, String>,
    /// By warning code.
    pub warnings: BTreeMap<String, String>,
}

/// What a rule says in one language.
#[derive(Debug, Clone)]
pub struct RuleText {
    /// Why it fired, with the version's parameters filled in.
    pub message: String,
    /// The same, already encoded as a JSON string: a decision copies it instead of escaping a
    /// long text on every answer.
    pub message_json: Box<serde_json::value::RawValue>,
    /// What the applicant can do next.
    pub next_step: String,
}

/// One rule: the compiled condition, its severity and reads, and its texts in every language,
/// together. A rule without a text in some language does not load, so a rule that fires can
/// never lose its message.
#[derive(Debug)]
pub struct Rule {
    /// The compiled rule (id, severity, reads).
    pub compiled: CompiledRule,
    /// Indexed by [`Language::index`].
    pub text: [RuleText; 3],
}

impl Rule {
    /// The rule's texts in one language.
    pub fn text(&self, lang: Language) -> &RuleText {
        match lang {
            Language::Nl => &self.text[0],
            Language::Fr => &self.text[1],
            Language::En => &self.text[2],
        }
    }
}

/// A version's default for an optional enum field that is not answered (`defaults` in the
/// manifest): the default NACE-BEL version, say.
#[derive(Debug, Clone, Copy)]
pub struct FieldDefault {
    /// Index of the field.
    pub field: usize,
    /// Index of the option.
    pub option: usize,
}

/// One compiled, immutable rule-set version.
#[derive(Debug)]
pub struct RuleSet {
    /// Product id.
    pub product: String,
    /// Version id.
    pub version: String,
    /// The product's name, as people know it.
    pub title: String,
    /// The lender, for referrals (from the product's timeline).
    pub lender: Option<std::sync::Arc<timeline::Lender>>,
    /// First day in force.
    pub effective_from: Date,
    /// Last day in force, derived from the timeline.
    pub effective_to: Option<Date>,
    /// SHA-256 of the resolved files.
    pub hash: String,
    /// The indicative rate.
    pub annual_rate: Decimal,
    /// Annuity factors at `annual_rate` for every valid term.
    pub annuities: crate::money::AnnuityTable,
    /// The application's fields.
    pub fields: Fields,
    /// Defaults for unanswered fields.
    pub defaults: Vec<FieldDefault>,
    /// Named code lists.
    pub lists: Arc<Lists>,
    /// The code lists that carry labels, for people looking up a code (the page's search).
    pub code_lists: Vec<CodeList>,
    /// Parameters, `ANNUAL_RATE` first.
    pub parameters: Vec<Parameter>,
    /// The engine the rules run on.
    pub program: Program,
    /// The rules, in file-name order.
    pub rules: Vec<Rule>,
    /// Indexed by [`Language::index`].
    pub messages: [Messages; 3],
    /// The staff scorecard, when the version has one (native builds only).
    #[cfg(feature = "native")]
    pub scorecard: Option<crate::scorecard::Scorecard>,
}

impl RuleSet {
    /// The validation texts of one language.
    pub fn messages(&self, lang: Language) -> &Messages {
        // The array has one entry per language; the index is always in range.
        match lang {
            Language::Nl => &self.messages[0],
            Language::Fr => &self.messages[1],
            Language::En => &self.messages[2],
        }
    }
    /// An error or warning message, with `{min}`/`{max}` filled in.
    pub fn issue_message(
        &self,
        lang: Language,
        code: &str,
        min: Option<&str>,
        max: Option<&str>,
    ) -> String {
        let m = self.messages(lang);
        let text = m
            .errors
            .get(code)
            .or_else(|| m.warnings.get(code))
            .map(String::as_str)
            .unwrap_or(code);
        let mut text = text.to_owned();
        if let Some(min) = min {
            text = text.replace("{min}", min);
        }
        if let Some(max) = max {
            text = text.replace("{max}", max);
        }
        text
    }
}

//! The field declaration files as written (`fields/*.json`): what a maintainer types and what
//! the page, the forms and the OpenAPI document read back through [`super::Fields`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One declaration file, `fields/<name>.json`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldsFile {
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "documentation for maintainers, read by people only"
    )]
    about: Option<String>,
    #[serde(default)]
    pub(super) pages: Vec<PageDecl>,
    #[serde(default)]
    pub(super) fields: Vec<FieldDecl>,
}

/// A question page of the self-check: a title (and optional intro) per language and the
/// fields it asks, in order.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PageDecl {
    /// Stable id, used in the page's address (`#/legal-form`).
    pub id: String,
    /// `{"nl": {"title": …, "intro": …}, "fr": …, "en": …}`; a page that only adds fields to a
    /// page of the same id declared earlier may leave it out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(type = "Partial<Record<Language, PageText>>"))]
    pub text: BTreeMap<String, PageText>,
    /// Field names, in the order they are asked.
    pub fields: Vec<String>,
}

/// A page's texts in one language.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct PageText {
    /// The page heading.
    pub title: String,
    /// A paragraph under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
}

/// One field as declared; also what [`Fields::schema`] hands to the page.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct FieldDecl {
    /// The application's key: lower snake case.
    pub name: String,
    /// `money`, `integer`, `enum`, `boolean`, `text`, `nace_code`, `enterprise_number`, `date`
    /// or `purposes`.
    #[cfg_attr(
        feature = "wasm",
        tsify(
            type = "\"money\" | \"integer\" | \"enum\" | \"boolean\" | \"text\" | \"nace_code\" | \"enterprise_number\" | \"date\" | \"purposes\""
        )
    )]
    pub kind: String,
    /// A missing required field fires the rule that reads `missing_required`.
    #[serde(default, skip_serializing_if = "is_false")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub required: bool,
    /// Money: must be more than 0.
    #[serde(default, skip_serializing_if = "is_false")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub positive: bool,
    /// Integer: the smallest value; money: the smallest amount (a decimal string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "number | string"))]
    pub min: Option<serde_json::Value>,
    /// Integer: the largest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "number | string"))]
    pub max: Option<serde_json::Value>,
    /// Text: the most characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Enum: a JSON number is read as its text (`2025` for `"2025"`).
    #[serde(default, skip_serializing_if = "is_false")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub accept_number: bool,
    /// Enum and purposes: the canonical values, their aliases and labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub options: Vec<OptionDecl>,
    /// Whether rules may read the field (default yes). Free text for people is not.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub readable: bool,
    /// Why rules may not read it, shown to a rule author who tries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Layout hints for forms (`inline`, `width`, `prefix`); the engine ignores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(type = "Record<string, unknown>"))]
    pub ui: Option<serde_json::Value>,
    /// Per language: `label`, and optionally `hint`, `short`, `suffix`, `amount_label` and the
    /// form's `errors` by key (`required`, `format`, `range`, …).
    #[cfg_attr(feature = "wasm", tsify(type = "Record<Language, FieldText>"))]
    pub text: BTreeMap<String, FieldText>,
}

/// A field's texts in one language.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct FieldText {
    /// The question.
    pub label: String,
    /// Help under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// A short name, for summaries and tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
    /// A unit shown after the input (`months`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Purposes: the label of each amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_label: Option<String>,
    /// Form error texts by key; the engine's own errors are in `messages/*.json`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(optional, type = "Record<string, string>"))]
    pub errors: BTreeMap<String, String>,
}

/// One canonical value of an enum (or a purpose category).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OptionDecl {
    /// The canonical spelling: letters, digits and `_`.
    pub value: String,
    /// Other spellings that mean it (folded before look-up).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub aliases: Vec<String>,
    /// What people see, per language.
    #[cfg_attr(feature = "wasm", tsify(type = "Record<Language, string>"))]
    pub label: BTreeMap<String, String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_true(b: &bool) -> bool {
    *b
}
fn yes() -> bool {
    true
}

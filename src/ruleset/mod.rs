//! Rule-set versions: their manifest, data tables and messages, compiled once; and the registry
//! that picks the version in force on a date.

pub mod source;

use crate::date::Date;
use crate::diag::{Diagnostic, LoadError, did_you_mean};
use crate::model::Language;
use crate::money::{display_money, display_percent, parse_money};
use crate::script::{ImmutableString, Lists, Program, ProgramSpec, RuleSource, Value};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use source::{RuleSetSource, SourceFile, hash};

/// The enum fields whose values and aliases a rule set must define (`data/enums.json`).
pub const ENUM_FIELDS: [&str; 10] = [
    "legal_form",
    "region",
    "business_status",
    "activity_type",
    "nace_version",
    "bankruptcy_status",
    "bank_credit_status",
    "business_plan_status",
    "product_variant",
    "funding_purposes.category",
];

/// Validation error codes; each needs a message in every language.
pub const ERROR_CODES: [&str; 16] = [
    "missing",
    "invalid_type",
    "invalid_money",
    "money_out_of_range",
    "not_positive",
    "invalid_integer",
    "integer_out_of_range",
    "unknown_value",
    "invalid_boolean",
    "invalid_enterprise_number",
    "enterprise_number_checksum",
    "invalid_nace_code",
    "too_long",
    "invalid_purpose",
    "invalid_application",
    "unknown_field",
];

/// Canonical values of one enum field and the folded spellings that lead to them.
#[derive(Debug, Clone, Default)]
pub struct EnumTable {
    values: Vec<(String, ImmutableString)>,
    /// A `BTreeMap`, not a `HashMap`: no random hash keys in the core, and for a few dozen
    /// short keys it is as fast.
    lookup: BTreeMap<String, usize>,
}

impl EnumTable {
    /// Looks up a raw answer: trimmed, inner whitespace folded, case-folded.
    pub fn lookup(&self, raw: &str) -> Option<usize> {
        if let Some(i) = self.lookup.get(raw) {
            return Some(*i);
        }
        self.lookup.get(&fold(raw)).copied()
    }
    pub fn canonical(&self, index: usize) -> Option<&str> {
        self.values.get(index).map(|(s, _)| s.as_str())
    }
    /// The canonical value as a shared script string (no allocation per decision).
    pub fn script_value(&self, index: usize) -> Option<ImmutableString> {
        self.values.get(index).map(|(_, s)| s.clone())
    }
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(s, _)| s.as_str())
    }
}

/// Trim, fold inner whitespace to one space, case-fold.
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// A version parameter, shown in messages and folded into the rules.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub value: ParamValue,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamValue {
    Money(Decimal),
    Decimal(Decimal),
    Percent(Decimal),
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

/// The texts of one language.
#[derive(Debug, Clone, Default)]
pub struct Messages {
    /// Per rule, in the order of the program's rules.
    pub rules: Vec<String>,
    /// The same, already encoded as JSON strings: a decision copies them instead of escaping
    /// long texts on every answer.
    pub rules_json: Vec<Box<serde_json::value::RawValue>>,
    pub next_steps: Vec<String>,
    pub errors: BTreeMap<String, String>,
    pub warnings: BTreeMap<String, String>,
}

/// One compiled, immutable rule-set version.
#[derive(Debug)]
pub struct RuleSet {
    pub product: String,
    pub version: String,
    pub title: String,
    pub effective_from: Date,
    pub effective_to: Option<Date>,
    pub hash: String,
    pub annual_rate: Decimal,
    /// Annuity factors at `annual_rate` for every valid term.
    pub annuities: crate::money::AnnuityTable,
    /// Index into the `nace_version` enum table.
    pub default_nace_version: usize,
    pub enums: BTreeMap<String, EnumTable>,
    pub lists: Arc<Lists>,
    pub parameters: Vec<Parameter>,
    pub program: Program,
    /// Indexed by [`Language::index`].
    pub messages: [Messages; 3],
}

impl RuleSet {
    pub fn enum_table(&self, field: &str) -> Option<&EnumTable> {
        self.enums.get(field)
    }
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

/// The fields the contract requires (§2); a missing one fires `MISSING_INFO`.
pub const REQUIRED_FIELDS: [&str; 7] = [
    "legal_form",
    "region",
    "business_status",
    "activity_type",
    "amount_requested_eur",
    "term_months",
    "funding_purposes",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    product: String,
    version: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    effective_from: String,
    #[serde(default)]
    effective_to: Option<String>,
    annual_rate: String,
    default_nace_version: String,
    #[serde(default)]
    sources: BTreeMap<String, String>,
    #[serde(default)]
    parameters: BTreeMap<String, ParamDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamDef {
    #[serde(rename = "type")]
    kind: String,
    value: serde_json::Value,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessagesFile {
    rules: BTreeMap<String, String>,
    next_steps: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    warnings: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    values: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    labels: BTreeMap<String, String>,
}

/// Collects the problems of one version while it is compiled.
struct Ctx<'a> {
    src: &'a RuleSetSource,
    problems: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn diag(&self, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.src.product, &self.src.version, file, message)
    }
    fn push(&mut self, file: &str, message: impl Into<String>) {
        let d = self.diag(file, message);
        self.problems.push(d);
    }
    fn text(&mut self, path: &str) -> Option<&str> {
        let src = self.src;
        match src.file(path) {
            Some(f) => match std::str::from_utf8(&f.bytes) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.push(
                        path,
                        format!("file is not UTF-8 (byte {})", e.valid_up_to()),
                    );
                    None
                }
            },
            None => {
                self.push(path, "file is missing");
                None
            }
        }
    }
    fn json<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Option<T> {
        let text = self.text(path)?.to_owned();
        match serde_json::from_str(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                let d = self
                    .diag(path, lower(&strip_serde_position(&e.to_string())))
                    .at(&text, Some(e.line()), Some(e.column()));
                self.problems.push(d);
                None
            }
        }
    }
}

fn strip_serde_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

fn lower(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// Compiles one version. Every problem found is returned, with file, line and column.
pub fn compile(src: &RuleSetSource) -> Result<RuleSet, LoadError> {
    let mut cx = Ctx {
        src,
        problems: Vec::new(),
    };
    let manifest: Option<Manifest> = cx.json("manifest.json");
    let Some(m) = manifest else {
        return Err(LoadError {
            diagnostics: cx.problems,
        });
    };
    let _ = (&m.description, &m.sources);
    if m.product != src.product {
        cx.push(
            "manifest.json",
            format!(
                "`product` is `{}` but the folder is `{}`",
                m.product, src.product
            ),
        );
    }
    if m.version != src.version {
        cx.push(
            "manifest.json",
            format!(
                "`version` is `{}` but the folder is `{}`",
                m.version, src.version
            ),
        );
    }
    let effective_from = Date::parse(&m.effective_from).unwrap_or_else(|| {
        cx.push(
            "manifest.json",
            format!(
                "`effective_from` `{}` is not a date like 2025-01-01",
                m.effective_from
            ),
        );
        Date::new(1970, 1, 1).unwrap_or(Date::MIN)
    });
    let effective_to = m.effective_to.as_deref().and_then(|t| {
        let d = Date::parse(t);
        if d.is_none() {
            cx.push(
                "manifest.json",
                format!("`effective_to` `{t}` is not a date like 2024-12-31"),
            );
        }
        d
    });
    if effective_to.is_some_and(|to| to < effective_from) {
        cx.push("manifest.json", "`effective_to` is before `effective_from`");
    }
    let annual_rate = match m.annual_rate.parse::<Decimal>() {
        Ok(r) if r >= Decimal::ZERO && r < Decimal::ONE => r,
        _ => {
            cx.push(
                "manifest.json",
                format!(
                    "`annual_rate` `{}` must be a decimal like 0.07",
                    m.annual_rate
                ),
            );
            Decimal::ZERO
        }
    };

    // Parameters, plus the rate as ANNUAL_RATE.
    let mut parameters = vec![Parameter {
        name: "ANNUAL_RATE".into(),
        value: ParamValue::Percent(annual_rate),
        source: None,
    }];
    for (name, def) in &m.parameters {
        if !name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            cx.push(
                "manifest.json",
                format!("parameter `{name}` must be UPPER_SNAKE_CASE"),
            );
        }
        let text = match &def.value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let value = match def.kind.as_str() {
            "money" => parse_money(&text).ok().map(ParamValue::Money),
            "decimal" => text.parse().ok().map(ParamValue::Decimal),
            "percent" => text.parse().ok().map(ParamValue::Percent),
            "integer" => text.parse().ok().map(ParamValue::Integer),
            other => {
                cx.push(
                    "manifest.json",
                    format!("parameter `{name}` has unknown type `{other}`; use `money`, `decimal`, `percent` or `integer`"),
                );
                continue;
            }
        };
        match value {
            Some(value) => parameters.push(Parameter {
                name: name.clone(),
                value,
                source: def.source.clone(),
            }),
            None => cx.push(
                "manifest.json",
                format!("parameter `{name}`: `{text}` is not a valid {}", def.kind),
            ),
        }
    }

    let enums = load_enums(&mut cx);
    let default_nace_version = enums
        .get("nace_version")
        .and_then(|t| t.lookup(&m.default_nace_version));
    if default_nace_version.is_none() && enums.contains_key("nace_version") {
        cx.push(
            "manifest.json",
            format!(
                "`default_nace_version` `{}` is not a `nace_version` value",
                m.default_nace_version
            ),
        );
    }
    let lists = Arc::new(load_lists(&mut cx));

    // Rules.
    let mut rule_files: Vec<&SourceFile> = src
        .files
        .iter()
        .filter(|f| f.path.starts_with("rules/") && f.path.ends_with(".rhai"))
        .collect();
    rule_files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut sources = Vec::new();
    for f in &rule_files {
        match std::str::from_utf8(&f.bytes) {
            Ok(text) => sources.push(RuleSource {
                path: &f.path,
                text,
            }),
            Err(_) => cx.push(&f.path, "file is not UTF-8"),
        }
    }
    if sources.is_empty() {
        cx.push(
            "rules/",
            "a rule set needs at least one `rules/*.rhai` file",
        );
    }
    let spec = ProgramSpec {
        product: &src.product,
        version: &src.version,
        constants: parameters
            .iter()
            .map(|p| (p.name.clone(), p.value.script_value()))
            .collect(),
        lists: lists.clone(),
        limits: crate::script::Limits::DEFAULT,
    };
    let program = match Program::compile(spec, &sources) {
        Ok(p) => Some(p),
        Err(mut d) => {
            cx.problems.append(&mut d);
            None
        }
    };

    let rule_ids: Vec<String> = program
        .as_ref()
        .map(|p| p.rules.iter().map(|r| r.id.clone()).collect())
        .unwrap_or_default();
    let messages = Language::ALL.map(|lang| load_messages(&mut cx, lang, &rule_ids, &parameters));

    match (program, default_nace_version) {
        (Some(program), Some(default_nace_version)) if cx.problems.is_empty() => Ok(RuleSet {
            product: src.product.clone(),
            version: src.version.clone(),
            title: m.title,
            effective_from,
            effective_to,
            hash: hash(&src.files),
            annual_rate,
            annuities: crate::money::AnnuityTable::new(
                annual_rate,
                crate::validate::MAX_TERM_MONTHS,
            ),
            default_nace_version,
            enums,
            lists,
            parameters,
            program,
            messages,
        }),
        _ => Err(LoadError {
            diagnostics: cx.problems,
        }),
    }
}

fn load_enums(cx: &mut Ctx<'_>) -> BTreeMap<String, EnumTable> {
    const PATH: &str = "data/enums.json";
    let Some(raw) = cx.json::<BTreeMap<String, BTreeMap<String, Vec<String>>>>(PATH) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for (field, values) in raw {
        if !ENUM_FIELDS.contains(&field.as_str()) {
            let help = did_you_mean(&field, ENUM_FIELDS)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            cx.push(PATH, format!("unknown enum field `{field}`{help}"));
            continue;
        }
        let mut table = EnumTable::default();
        for (index, (canonical, aliases)) in values.into_iter().enumerate() {
            for spelling in std::iter::once(&canonical).chain(aliases.iter()) {
                let key = fold(spelling);
                match table.lookup.get(&key) {
                    Some(&other) if other != index => {
                        let other = table.canonical(other).unwrap_or_default().to_owned();
                        cx.push(
                            PATH,
                            format!(
                                "`{field}`: `{spelling}` leads to both `{other}` and `{canonical}`"
                            ),
                        );
                    }
                    _ => {
                        table.lookup.insert(key, index);
                    }
                }
            }
            if canonical.is_empty()
                || !canonical
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                cx.push(PATH, format!("`{field}`: canonical value `{canonical}` may use only letters, digits and `_`"));
            }
            let script = ImmutableString::from(canonical.as_str());
            table.values.push((canonical, script));
        }
        out.insert(field, table);
    }
    for field in ENUM_FIELDS {
        if !out.contains_key(field) {
            cx.push(PATH, format!("enum field `{field}` is missing"));
        }
    }
    out
}

fn load_lists(cx: &mut Ctx<'_>) -> Lists {
    let src = cx.src;
    let mut lists = Lists::new();
    for f in src
        .files
        .iter()
        .filter(|f| f.path.starts_with("data/lists/"))
    {
        let Some(name) = f
            .path
            .strip_prefix("data/lists/")
            .and_then(|n| n.strip_suffix(".json"))
        else {
            cx.push(&f.path, "a list file must be `data/lists/<name>.json`");
            continue;
        };
        if let Some(list) = cx.json::<ListFile>(&f.path) {
            let values: BTreeSet<String> = list.values.iter().cloned().collect();
            if values.len() != list.values.len() {
                cx.push(&f.path, "list has duplicate values");
            }
            lists.insert(name.to_owned(), values);
        }
    }
    lists
}

fn load_messages(
    cx: &mut Ctx<'_>,
    lang: Language,
    rule_ids: &[String],
    params: &[Parameter],
) -> Messages {
    let path = format!("messages/{}.json", lang.as_str());
    let Some(file) = cx.json::<MessagesFile>(&path) else {
        return Messages::default();
    };
    let fill = |cx: &mut Ctx<'_>, key: &str, text: &str| -> String {
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            out.push_str(rest.get(..start).unwrap_or_default());
            let after = rest.get(start + 1..).unwrap_or_default();
            let Some(end) = after.find('}') else {
                out.push_str(rest.get(start..).unwrap_or_default());
                rest = "";
                break;
            };
            let name = after.get(..end).unwrap_or_default();
            match params.iter().find(|p| p.name == name) {
                Some(p) => out.push_str(&p.value.display(lang)),
                None => {
                    let help = did_you_mean(name, params.iter().map(|p| p.name.as_str()))
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default();
                    cx.push(
                        &path,
                        format!("`{key}`: unknown placeholder `{{{name}}}`{help}"),
                    );
                }
            }
            rest = after.get(end + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        out
    };
    let per_rule =
        |cx: &mut Ctx<'_>, table: &BTreeMap<String, String>, section: &str| -> Vec<String> {
            for key in table.keys() {
                if !rule_ids.contains(key) && !rule_ids.is_empty() {
                    let help = did_you_mean(key, rule_ids.iter().map(String::as_str))
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default();
                    cx.push(
                        &path,
                        format!("`{section}` has a message for unknown rule `{key}`{help}"),
                    );
                }
            }
            rule_ids
                .iter()
                .map(|id| match table.get(id) {
                    Some(text) => fill(cx, id, text),
                    None => {
                        cx.push(&path, format!("`{section}` has no message for rule `{id}`"));
                        String::new()
                    }
                })
                .collect()
        };
    let rules = per_rule(cx, &file.rules, "rules");
    let next_steps = per_rule(cx, &file.next_steps, "next_steps");
    for code in ERROR_CODES {
        let known = if code == "unknown_field" {
            file.warnings.contains_key(code)
        } else {
            file.errors.contains_key(code)
        };
        if !known {
            cx.push(
                &path,
                format!(
                    "no message for {} `{code}`",
                    if code == "unknown_field" {
                        "warning"
                    } else {
                        "error"
                    }
                ),
            );
        }
    }
    let rules_json = rules
        .iter()
        .map(|m| serde_json::value::to_raw_value(m).unwrap_or_else(|_| empty_json_string()))
        .collect();
    Messages {
        rules,
        rules_json,
        next_steps,
        errors: file.errors,
        warnings: file.warnings,
    }
}

fn empty_json_string() -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::from_string("\"\"".to_owned())
        .unwrap_or_else(|_| Box::<serde_json::value::RawValue>::default())
}

/// Every compiled version, by product, in date order.
#[derive(Debug, Default)]
pub struct Registry {
    products: BTreeMap<String, Vec<RuleSet>>,
}

impl Registry {
    /// Compiles every source; returns all problems of all versions at once.
    pub fn compile(sources: &[RuleSetSource]) -> Result<Registry, LoadError> {
        let mut problems = Vec::new();
        let mut products: BTreeMap<String, Vec<RuleSet>> = BTreeMap::new();
        for src in sources {
            match compile(src) {
                Ok(rs) => products.entry(rs.product.clone()).or_default().push(rs),
                Err(mut e) => problems.append(&mut e.diagnostics),
            }
        }
        for (product, versions) in &mut products {
            versions.sort_by_key(|v| v.effective_from);
            for pair in versions.windows(2) {
                if let [a, b] = pair {
                    let overlaps = match a.effective_to {
                        Some(to) => to >= b.effective_from,
                        None => true,
                    };
                    if overlaps {
                        problems.push(
                            Diagnostic::new(
                                product,
                                &b.version,
                                "manifest.json",
                                format!(
                                    "in force from {} while version `{}` is still in force",
                                    b.effective_from, a.version
                                ),
                            )
                            .with_help(Some(format!(
                                "set `effective_to` of `{}` to the day before",
                                a.version
                            ))),
                        );
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(Registry { products })
        } else {
            Err(LoadError {
                diagnostics: problems,
            })
        }
    }

    pub fn products(&self) -> impl Iterator<Item = (&str, &[RuleSet])> {
        self.products
            .iter()
            .map(|(p, v)| (p.as_str(), v.as_slice()))
    }

    pub fn versions(&self, product: &str) -> Option<&[RuleSet]> {
        self.products.get(product).map(Vec::as_slice)
    }

    /// The version in force on `date`: the last one that started on or before it, unless it
    /// had ended by then.
    pub fn in_force(&self, product: &str, date: Date) -> Option<&RuleSet> {
        let versions = self.products.get(product)?;
        let v = versions.iter().rev().find(|v| v.effective_from <= date)?;
        match v.effective_to {
            Some(to) if to < date => None,
            _ => Some(v),
        }
    }
}

//! Rule-set versions: their manifest, fields, data tables and messages, compiled once; and the
//! registry that picks the version in force on a date.

pub mod source;
pub mod timeline;

use crate::date::Date;
use crate::diag::{Diagnostic, LoadError, did_you_mean};
use crate::fields::{Fields, Kind};
use crate::model::Language;
use crate::money::{display_money, display_percent, parse_money};
use crate::script::{CompiledRule, Inputs, Lists, Program, ProgramSpec, RuleSource, Value};
use crate::validate::ISSUE_CODES;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use source::{RuleSetSource, SourceFile, hash};

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
    /// Parameters, `ANNUAL_RATE` first.
    pub parameters: Vec<Parameter>,
    /// The engine the rules run on.
    pub program: Program,
    /// The rules, in file-name order.
    pub rules: Vec<Rule>,
    /// Indexed by [`Language::index`].
    pub messages: [Messages; 3],
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    title: String,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for maintainers")]
    description: Option<String>,
    annual_rate: String,
    /// Field → canonical value, for optional enum fields left unanswered.
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "documentation for maintainers: where each value comes from"
    )]
    sources: BTreeMap<String, String>,
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
        let d = Diagnostic::new(&self.src.product, &self.src.version, file, message);
        match self.src.origin(file) {
            Some(origin) => d.with_origin(origin),
            None => d,
        }
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
    let params: Option<BTreeMap<String, ParamDef>> = if src.file("parameters.json").is_some() {
        cx.json("parameters.json")
    } else {
        Some(BTreeMap::new())
    };
    let fields = load_fields(&mut cx);
    let (Some(m), Some(params), Some(fields)) = (manifest, params, fields) else {
        return Err(LoadError {
            diagnostics: cx.problems,
        });
    };
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
    for (name, def) in &params {
        if !name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            cx.push(
                "parameters.json",
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
                    "parameters.json",
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
                "parameters.json",
                format!("parameter `{name}`: `{text}` is not a valid {}", def.kind),
            ),
        }
    }

    let defaults = load_defaults(&mut cx, &m, &fields);
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
                origin: src.origin(&f.path),
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
        inputs: Arc::new(Inputs::new(&fields)),
    };
    let compiled = match Program::compile(spec, &sources) {
        Ok(p) => Some(p),
        Err(mut d) => {
            cx.problems.append(&mut d);
            None
        }
    };

    let rule_ids: Vec<String> = compiled
        .as_ref()
        .map(|(_, rules)| rules.iter().map(|r| r.id.clone()).collect())
        .unwrap_or_default();
    let loaded = Language::ALL.map(|lang| load_messages(&mut cx, lang, &rule_ids, &parameters));

    match compiled {
        Some((program, compiled)) if cx.problems.is_empty() => {
            let [nl, fr, en] = loaded;
            let rules = compiled
                .into_iter()
                .zip(nl.1.into_iter().zip(fr.1.into_iter().zip(en.1)))
                .map(|(compiled, (nl, (fr, en)))| Rule {
                    compiled,
                    text: [nl, fr, en],
                })
                .collect();
            Ok(RuleSet {
                product: src.product.clone(),
                version: src.version.clone(),
                title: m.title,
                effective_from: src.effective_from,
                effective_to: src.effective_to,
                hash: hash(&src.files),
                annual_rate,
                annuities: crate::money::AnnuityTable::new(
                    annual_rate,
                    crate::fields::MAX_TERM_MONTHS,
                ),
                fields,
                defaults,
                lists,
                parameters,
                program,
                rules,
                messages: [nl.0, fr.0, en.0],
            })
        }
        _ => Err(LoadError {
            diagnostics: cx.problems,
        }),
    }
}

/// `fields/*.json`, in path order: the contract's fields (from `common/`) and any the product
/// adds.
fn load_fields(cx: &mut Ctx<'_>) -> Option<Fields> {
    let src = cx.src;
    let mut files: Vec<&SourceFile> = src
        .files
        .iter()
        .filter(|f| f.path.starts_with("fields/") && f.path.ends_with(".json"))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if files.is_empty() {
        cx.push("fields/", "no field declarations (`fields/*.json`)");
        return None;
    }
    let mut texts = Vec::new();
    let before = cx.problems.len();
    for f in files {
        // Parsed once here for syntax errors with line and column.
        if cx.json::<serde_json::Value>(&f.path).is_some()
            && let Ok(text) = std::str::from_utf8(&f.bytes)
        {
            texts.push((f.path.as_str(), text));
        }
    }
    if cx.problems.len() > before {
        return None;
    }
    match Fields::compile(&texts) {
        Ok(fields) => Some(fields),
        Err(problems) => {
            for p in problems {
                let text = texts
                    .iter()
                    .find(|(path, _)| *path == p.file)
                    .map(|(_, t)| *t)
                    .unwrap_or_default();
                let mut d = cx.diag(&p.file, lower(&strip_serde_position(&p.message)));
                if let Some((line, column)) =
                    p.near.as_deref().and_then(|n| timeline::locate(text, n))
                {
                    d = d.at(text, Some(line), Some(column));
                }
                cx.problems.push(d.with_help(p.help));
            }
            None
        }
    }
}

/// The manifest's `defaults`: an optional enum field and one of its values.
fn load_defaults(cx: &mut Ctx<'_>, m: &Manifest, fields: &Fields) -> Vec<FieldDefault> {
    let mut out = Vec::new();
    for (name, value) in &m.defaults {
        let Some(index) = fields.index_of(name) else {
            let help = did_you_mean(name, fields.iter().map(|f| f.name.as_str()));
            let d = cx
                .diag(
                    "manifest.json",
                    format!("`defaults` names unknown field `{name}`"),
                )
                .with_help(help);
            cx.problems.push(d);
            continue;
        };
        match fields.get(index).map(|f| (&f.kind, f.required)) {
            Some((Kind::Enum { table, .. }, false)) => match table.lookup(value) {
                Some(option) => out.push(FieldDefault {
                    field: index,
                    option,
                }),
                None => cx.push(
                    "manifest.json",
                    format!("`defaults`: `{value}` is not a `{name}` value"),
                ),
            },
            _ => cx.push(
                "manifest.json",
                format!("`defaults`: `{name}` must be an optional `enum` field"),
            ),
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
) -> (Messages, Vec<RuleText>) {
    let path = format!("messages/{}.json", lang.as_str());
    let Some(file) = cx.json::<MessagesFile>(&path) else {
        return (Messages::default(), Vec::new());
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
    for code in ISSUE_CODES {
        let (known, what) = if code == "unknown_field" {
            (file.warnings.contains_key(code), "warning")
        } else {
            (file.errors.contains_key(code), "error")
        };
        if !known {
            cx.push(&path, format!("no message for {what} `{code}`"));
        }
    }
    let mut texts = Vec::with_capacity(rules.len());
    for (message, next_step) in rules.into_iter().zip(next_steps) {
        match serde_json::value::to_raw_value(&message) {
            Ok(message_json) => texts.push(RuleText {
                message,
                message_json,
                next_step,
            }),
            Err(e) => cx.push(&path, format!("a message could not be encoded: {e}")),
        }
    }
    (
        Messages {
            errors: file.errors,
            warnings: file.warnings,
        },
        texts,
    )
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
                if let [a, b] = pair
                    && a.effective_to.is_none_or(|to| to >= b.effective_from)
                {
                    // Sources resolved from a timeline never overlap; hand-made ones might.
                    problems.push(
                        Diagnostic::new(
                            product,
                            &b.version,
                            timeline::TIMELINE,
                            format!(
                                "in force from {} while version `{}` is still in force",
                                b.effective_from, a.version
                            ),
                        )
                        .with_origin(format!("{product}/{}", timeline::TIMELINE)),
                    );
                }
            }
        }
        // A broken inherited file breaks every version that inherits it: say so once.
        let mut seen = BTreeSet::new();
        problems.retain(|d| seen.insert(d.to_string()));
        if problems.is_empty() {
            Ok(Registry { products })
        } else {
            Err(LoadError {
                diagnostics: problems,
            })
        }
    }

    /// Every product with its versions, in date order.
    pub fn products(&self) -> impl Iterator<Item = (&str, &[RuleSet])> {
        self.products
            .iter()
            .map(|(p, v)| (p.as_str(), v.as_slice()))
    }

    /// The versions of one product, in date order.
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

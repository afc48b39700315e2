//! Compiling one version: its resolved files (manifest, parameters, fields, lists, rules,
//! messages) → a [`RuleSet`], or every problem found, each with file, line and column.

use super::{
    Code, CodeList, FieldDefault, Messages, ParamValue, Parameter, Rule, RuleSet, RuleSetSource,
    RuleText, SourceFile, hash, timeline,
};
use crate::diag::{Diagnostic, LoadError, did_you_mean, without_position};
use crate::fields::{Fields, Kind};
use crate::model::Language;
use crate::money::parse_money;
use crate::script::{Inputs, Lists, Program, ProgramSpec, RuleSource};
use crate::validate::{ISSUE_CODES, issue_placeholders};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

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
    #[allow(dead_code, reason = "for maintainers: where the list comes from")]
    source: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "for maintainers")]
    note: Option<String>,
    values: Vec<String>,
    /// For people reading the list (and the page's code search); rules match values only.
    #[serde(default)]
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
                Ok(t) => Some(without_bom(t)),
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
                let d = self.diag(path, lower(without_position(&e.to_string()))).at(
                    &text,
                    Some(e.line()),
                    Some(e.column()),
                );
                self.problems.push(d);
                None
            }
        }
    }
}

/// The id a rule file declares (`const ID = "…";`), read from its text.
fn declared_id(text: &str) -> Option<String> {
    let start = text.find("const ID")?;
    let decl = text.get(start..)?;
    let decl = decl.get(..decl.find(';')?)?;
    let open = decl.find('"')?;
    let rest = decl.get(open + 1..)?;
    Some(rest.get(..rest.find('"')?)?.to_owned())
}

/// The `{NAME}` placeholders of a message, as `fill` reads them.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find('{')?;
        let after = rest.get(start + 1..)?;
        let end = after.find('}')?;
        rest = after.get(end + 1..)?;
        after.get(..end)
    })
}

/// A file's text after a UTF-8 byte-order mark, which Windows editors may write: it is no
/// part of the rule or the data, so the file loads as it would without one. The version's hash
/// still covers the bytes as stored, mark included.
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn lower(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| std::iter::once(f.to_ascii_lowercase()).chain(c).collect())
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
    let (lists, code_lists) = load_lists(&mut cx);
    let lists = Arc::new(lists);

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
                text: without_bom(text),
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
    // The scorecard's attribute scripts: native builds only (see `crate::scorecard`); the
    // browser hashes them with the rest but never runs them.
    #[cfg(feature = "native")]
    let scorecard_file: Option<crate::scorecard::ScorecardFile> =
        if src.file(crate::scorecard::SCORECARD_FILE).is_some() {
            cx.json(crate::scorecard::SCORECARD_FILE)
        } else {
            None
        };
    #[cfg(not(feature = "native"))]
    let attribute_sources = Vec::new();
    #[cfg(feature = "native")]
    let mut attribute_sources = Vec::new();
    #[cfg(feature = "native")]
    {
        let mut files: Vec<&SourceFile> = src
            .files
            .iter()
            .filter(|f| f.path.starts_with("scorecard/") && f.path.ends_with(".rhai"))
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        for f in files {
            match std::str::from_utf8(&f.bytes) {
                Ok(text) => attribute_sources.push(RuleSource {
                    path: &f.path,
                    text: without_bom(text),
                    origin: src.origin(&f.path),
                }),
                Err(_) => cx.push(&f.path, "file is not UTF-8"),
            }
        }
    }
    let compiled = match Program::compile(spec, &sources, &attribute_sources) {
        Ok(p) => Some(p),
        Err(mut d) => {
            cx.problems.append(&mut d);
            None
        }
    };

    // When a script did not compile, the messages are still checked against the ids the rule
    // files declare, so a missing message is reported with the script's own problem.
    let rule_ids: Vec<String> = match &compiled {
        Some((_, rules, _)) => rules.iter().map(|r| r.id.clone()).collect(),
        None => sources.iter().filter_map(|s| declared_id(s.text)).collect(),
    };
    let loaded = Language::ALL.map(|lang| load_messages(&mut cx, lang, &rule_ids, &parameters));

    let (compiled, attributes) = match compiled {
        Some((program, rules, attributes)) => (Some((program, rules)), attributes),
        None => (None, Vec::new()),
    };
    // When the scripts did not compile, their problems are reported already: matching the
    // points to scripts that are not there would only add noise.
    #[cfg(feature = "native")]
    let scorecard = match compiled {
        Some(_) => load_scorecard(&mut cx, scorecard_file, attributes, &fields),
        None => None,
    };
    #[cfg(not(feature = "native"))]
    let _ = attributes;

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
                lender: src.lender.clone(),
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
                code_lists,
                parameters,
                program,
                rules,
                messages: [nl.0, fr.0, en.0],
                #[cfg(feature = "native")]
                scorecard,
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
            texts.push((f.path.as_str(), without_bom(text)));
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
                let mut d = cx.diag(&p.file, lower(without_position(&p.message)));
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

/// The lists the rules read, and those with labels as [`CodeList`]s, for people.
fn load_lists(cx: &mut Ctx<'_>) -> (Lists, Vec<CodeList>) {
    let src = cx.src;
    let mut lists = Lists::new();
    let mut labelled = Vec::new();
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
            if !list.labels.is_empty() {
                labelled.push(CodeList {
                    name: name.to_owned(),
                    codes: values
                        .iter()
                        .map(|v| Code {
                            code: v.clone(),
                            label: list.labels.get(v).cloned().unwrap_or_default(),
                        })
                        .collect(),
                });
            }
            lists.insert(name.to_owned(), values);
        }
    }
    (lists, labelled)
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
    let source = cx.text(&path).unwrap_or_default().to_owned();
    // Where a placeholder is written: after its section's key, then its message's key.
    let at = |section: &str, key: &str, placeholder: &str| -> Option<(usize, usize)> {
        let mut from = 0;
        for needle in [
            format!("\"{section}\""),
            format!("\"{key}\""),
            placeholder.to_owned(),
        ] {
            from += source.get(from..)?.find(&needle)?;
        }
        crate::diag::line_column(&source, from)
    };
    let unknown_placeholder =
        |cx: &mut Ctx<'_>, section: &str, key: &str, name: &str, help: String| {
            let placeholder = format!("{{{name}}}");
            let mut d = cx.diag(
                &path,
                format!("`{section}` `{key}`: unknown placeholder `{placeholder}`{help}"),
            );
            if let Some((line, column)) = at(section, key, &placeholder) {
                d = d.at(&source, Some(line), Some(column));
            }
            cx.problems.push(d);
        };
    let fill = |cx: &mut Ctx<'_>, section: &str, key: &str, text: &str| -> String {
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
                    unknown_placeholder(cx, section, key, name, help);
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
                    Some(text) => fill(cx, section, id, text),
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
    // Validation fills only `{min}` and `{max}`, and only in some messages.
    for (section, table) in [("errors", &file.errors), ("warnings", &file.warnings)] {
        for (code, text) in table {
            let given = issue_placeholders(code);
            for name in placeholders(text) {
                if !given.contains(&name) {
                    let help = match given {
                        [] => " (this message is given none)".to_owned(),
                        _ => format!(
                            " (this message is given {})",
                            given
                                .iter()
                                .map(|g| format!("`{{{g}}}`"))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                    };
                    unknown_placeholder(cx, section, code, name, help);
                }
            }
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

/// `scorecard/scorecard.json` and the compiled `scorecard/*.rhai`: one script per attribute
/// the file lists, and no other; texts in every language.
#[cfg(feature = "native")]
fn load_scorecard(
    cx: &mut Ctx<'_>,
    file: Option<crate::scorecard::ScorecardFile>,
    scripts: Vec<crate::script::CompiledRule>,
    fields: &Fields,
) -> Option<crate::scorecard::Scorecard> {
    use crate::scorecard::{Attribute, Pillar, SCORECARD_FILE, Scorecard};
    let path = SCORECARD_FILE;
    let Some(file) = file else {
        if let Some(script) = scripts.first() {
            cx.push(
                &script.file,
                format!("a scorecard attribute needs `{path}`, with its points"),
            );
        }
        return None;
    };
    let mut scripts: Vec<Option<crate::script::CompiledRule>> =
        scripts.into_iter().map(Some).collect();
    let texts = |cx: &mut Ctx<'_>, what: &str, map: &BTreeMap<String, String>| {
        Language::ALL.map(|lang| match map.get(lang.as_str()) {
            Some(text) if !text.trim().is_empty() => text.clone(),
            _ => {
                cx.push(path, format!("{what} needs a text in `{}`", lang.as_str()));
                String::new()
            }
        })
    };
    let unknown = Language::ALL.map(|lang| {
        match file.text.get(lang.as_str()).and_then(|t| t.get("unknown")) {
            Some(t) if t.contains("{fields}") => t.clone(),
            _ => {
                cx.push(
                    path,
                    format!(
                        "`text.{}.unknown` must say what is missing, with `{{fields}}`",
                        lang.as_str()
                    ),
                );
                String::new()
            }
        }
    });
    let mut pillars = Vec::new();
    let mut seen = BTreeSet::new();
    for p in file.pillars {
        if !seen.insert(p.id.clone()) {
            cx.push(path, format!("pillar `{}` is listed twice", p.id));
        }
        let mut attributes = Vec::new();
        for a in p.attributes {
            let raise = texts(cx, &format!("attribute `{}`'s `raise`", a.id), &a.raise);
            let Some(script) = scripts
                .iter_mut()
                .find(|s| s.as_ref().is_some_and(|s| s.id == a.id))
                .and_then(Option::take)
            else {
                cx.push(
                    path,
                    format!(
                        "attribute `{}` has no script: add `scorecard/{}.rhai` with `const ID = \"{}\";`",
                        a.id, a.id, a.id
                    ),
                );
                continue;
            };
            let Some(max) = a.points.values().copied().max() else {
                cx.push(path, format!("attribute `{}` scores no level", a.id));
                continue;
            };
            let labels = Language::ALL.map(|lang| {
                script
                    .reads
                    .iter()
                    .map(|name| {
                        fields
                            .declarations()
                            .iter()
                            .find(|d| &d.name == name)
                            .and_then(|d| d.text.get(lang.as_str()))
                            .map_or_else(
                                || name.clone(),
                                |t| t.short.clone().unwrap_or_else(|| t.label.clone()),
                            )
                    })
                    .collect()
            });
            let raise_json = raise.each_ref().map(|t| crate::scorecard::json_text(t));
            attributes.push(Attribute {
                raise_json,
                unknown_json: Vec::new(),
                reason_id: format!("SCORE_{}", a.id.to_ascii_uppercase()),
                max,
                points: a
                    .points
                    .into_iter()
                    .map(|(level, points)| (level.into(), points))
                    .collect(),
                raise,
                unknown: unknown.clone(),
                labels,
                script,
            });
        }
        for a in &mut attributes {
            let reads = a.script.reads.len();
            if reads <= crate::scorecard::PREPARED_READS {
                a.unknown_json = (0..1usize << reads)
                    .map(|mask| {
                        [0, 1, 2].map(|lang| a.unknown_some(lang, |i| mask & (1 << i) != 0))
                    })
                    .collect();
            }
        }
        pillars.push(Pillar {
            max: attributes.iter().map(|a| a.max).sum(),
            id: p.id,
            attributes,
        });
    }
    for script in scripts.into_iter().flatten() {
        cx.push(
            &script.file,
            format!("attribute `{}` is not in `{path}`", script.id),
        );
    }
    let mut bands: Vec<(String, u32)> = file.bands.into_iter().collect();
    bands.sort_by_key(|b| std::cmp::Reverse(b.1));
    if bands.last().is_none_or(|(_, min)| *min != 0) {
        cx.push(
            path,
            "`bands` needs a band from 0 points, so every score has one",
        );
    }
    Some(Scorecard {
        product: cx.src.product.clone(),
        version: cx.src.version.clone(),
        max: pillars.iter().map(|p| p.max).sum(),
        attributes: pillars.iter().map(|p| p.attributes.len()).sum(),
        pillars,
        bands,
    })
}

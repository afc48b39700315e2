//! The browser's entry points: wasm-bindgen exports that only convert between JS values and the
//! facade, so the page gets the same decisions as the CLI and the server.
//!
//! Nothing here decides anything. A request object becomes JSON text through the browser's own
//! `JSON.stringify` and goes to [`Kredo::evaluate_json`]; the decision text comes back through
//! `JSON.parse`: the engine writes those bytes itself, messages pre-encoded, so parsing them
//! gives the page exactly what the other faces answer, with no second serializer to keep in
//! step. Everything else (the rule-set list, guidance, error objects) crosses as structured
//! values through `serde-wasm-bindgen`. Answers are
//! `{ok: true, …}` or `{ok: false, error}`, never a thrown value. The clock is read here, at the
//! edge, only when the caller gives no `today`.
//!
//! The TypeScript declarations that `wasm-bindgen` writes next to the module come from the real
//! types (`tsify` derives on the facade's types); only the `{ok, …}` envelopes this module
//! builds are declared here.

use crate::api::{DEFAULT_PRODUCT, ErrorCode, Kredo, RequestError};
use crate::date::Date;
use crate::model::Language;
use js_sys::{JSON, JsString, Object, Reflect};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The `{ok, …}` envelopes this module builds, over the generated types.
#[allow(
    dead_code,
    reason = "read by the custom section below, through a path the lint does not follow"
)]
const ENVELOPES: &str = r#"
/** A request (CONTRACT.md §1). The application's fields are the rule set's data: see `schema()`. */
export type Request = Selection & { application: Record<string, unknown> };
/** A product that may help (CONTRACT.md §7). */
export type Referral = { product: string; title: string; outcome: Outcome; url?: string; message: string };
/** The answer to a request for product `*`: every product in force at once (CONTRACT.md §7). */
export type AllProducts = { as_of: string; language: Language; decisions: Decision[]; referrals: Referral[] };
/** What `evaluate` returns: a decision, or every product's with the referrals for product `*`. */
export type EvaluateResult = { ok: true; decision: Decision | AllProducts } | { ok: false; error: RequestError };
/** What `rulesets` returns. */
export type RulesetsResult = { ok: true; rulesets: RuleSetInfo[] } | { ok: false; error: RequestError };
/** What `guidance` returns. */
export type GuidanceResult = { ok: true; rules: RuleGuidance[] } | { ok: false; error: RequestError };
/** What `schema` returns. */
export type SchemaResult = { ok: true; schema: Schema } | { ok: false; error: RequestError };
/** What `load_rules` returns: every problem of a bundle that does not compile. */
export type LoadResult = { ok: true; rulesets: RuleSetInfo[] } | { ok: false; error: RequestError; diagnostics: Diagnostic[] };
/** One case of a version, run in the page. */
export type CaseOutcome = { name: string; passed: boolean; differences: string[]; decision: string };
/** One file of a version: its path in the version and where it is stored. */
export type VersionFile = { path: string; stored: string; text: string };
/** What `version_files` returns. */
export type FilesResult = { ok: true; files: VersionFile[] } | { ok: false; error: RequestError };
/** What `run_cases` returns. */
export type CasesResult = { ok: true; results: CaseOutcome[] } | { ok: false; error: RequestError };
"#;

#[wasm_bindgen(typescript_custom_section)]
const ENVELOPES_TS: &str = ENVELOPES;

/// Plain objects for maps and `null` for a missing value: the shapes `JSON.parse` would give.
const JS: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

thread_local! {
    /// The rule sets every call decides with: those of the last bundle `load_rules` compiled.
    /// None until then: the page loads the bundle it is served with (`rules.json`) first.
    static ENGINE: RefCell<Option<Kredo>> = const { RefCell::new(None) };
    /// The stored tree of that bundle, for the playground's `version_files`.
    #[cfg(feature = "playground")]
    static TREE: RefCell<Vec<crate::ruleset::SourceFile>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the compiled engine, or says that no rule sets are loaded yet.
fn with_engine<R>(f: impl FnOnce(&Kredo) -> Result<R, RequestError>) -> Result<R, RequestError> {
    ENGINE.with(|cell| match cell.try_borrow().as_deref() {
        Ok(Some(kredo)) => f(kredo),
        Ok(None) => Err(RequestError::new(
            ErrorCode::RuleError,
            "no rule sets are loaded: call `load_rules` with the bundle (`rules.json`) first",
        )),
        Err(_) => Err(RequestError::new(
            ErrorCode::RuleError,
            "the rule sets are being replaced",
        )),
    })
}

/// The caller's date, or the browser's local date when it gives none.
fn resolve_today(today: Option<String>) -> Result<Date, RequestError> {
    match today {
        Some(text) => Date::parse(&text).ok_or_else(|| {
            RequestError::new(
                ErrorCode::InvalidDate,
                format!("`{text}` is not a date like 2026-11-22"),
            )
            .field("today")
        }),
        None => {
            let now = js_sys::Date::new_0();
            let year = u16::try_from(now.get_full_year()).unwrap_or(0);
            let month = u8::try_from(now.get_month() + 1).unwrap_or(0);
            let day = u8::try_from(now.get_date()).unwrap_or(0);
            Date::new(year, month, day).ok_or_else(|| {
                RequestError::new(
                    ErrorCode::InvalidDate,
                    "this device's date could not be read",
                )
            })
        }
    }
}

/// An optional string argument: `undefined` or `null` is none; anything but a string is an
/// error object naming the argument (JS callers are not type-checked, and the page must get
/// an answer, never an exception, whatever it passes).
///
/// The parameters are declared `JsString` for their TypeScript type, but wasm-bindgen does not
/// check what a caller passes: the check is here.
fn optional_string(
    value: Option<&JsValue>,
    name: &'static str,
) -> Result<Option<String>, RequestError> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    value.as_string().map(Some).ok_or_else(|| {
        RequestError::new(
            ErrorCode::InvalidRequest,
            format!("`{name}` must be a string"),
        )
        .field(name)
    })
}

/// A string argument that must be given.
fn required_string(value: Option<&JsValue>, name: &'static str) -> Result<String, RequestError> {
    optional_string(value, name)?.ok_or_else(|| {
        RequestError::new(ErrorCode::InvalidRequest, format!("`{name}` is missing")).field(name)
    })
}

fn run(request_json: &str, today: Option<String>) -> Result<String, RequestError> {
    let today = resolve_today(today)?;
    with_engine(|kredo| kredo.evaluate_json(request_json, today))
}

/// A value of ours as a JS value. Only fails on a type serde cannot describe, which would be a
/// bug here: reported as data all the same.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, RequestError> {
    value
        .serialize(&JS)
        .map_err(|e| RequestError::new(ErrorCode::InvalidRequest, e.to_string()))
}

/// `{ok: true, <key>: value}` or `{ok: false, error}`.
fn answer(key: &str, result: Result<JsValue, RequestError>) -> JsValue {
    let (ok, key, value) = match result {
        Ok(value) => (true, key, value),
        Err(e) => (false, "error", error_value(&e)),
    };
    let out = Object::new();
    // Setting an own property of a fresh plain object cannot fail.
    let _ = Reflect::set(&out, &JsValue::from_str("ok"), &JsValue::from_bool(ok));
    let _ = Reflect::set(&out, &JsValue::from_str(key), &value);
    out.into()
}

fn error_value(e: &RequestError) -> JsValue {
    to_js(e).unwrap_or_else(|_| {
        let out = Object::new();
        let _ = Reflect::set(&out, &"code".into(), &e.code.as_str().into());
        let _ = Reflect::set(&out, &"message".into(), &e.message.as_str().into());
        out.into()
    })
}

/// Evaluates a request object (CONTRACT.md §1) and returns `{ok: true, decision}` with the
/// contract's decision, or `{ok: false, error}` when no decision could be made. `today`
/// (`YYYY-MM-DD`) is used when the request has no `as_of`; without it, the device's date is.
#[wasm_bindgen(unchecked_return_type = "EvaluateResult")]
pub fn evaluate(
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
    today: Option<JsString>,
) -> JsValue {
    let today = match optional_string(today.as_ref().map(AsRef::as_ref), "today") {
        Ok(today) => today,
        Err(e) => return answer("decision", Err(e)),
    };
    let text = JSON::stringify(&request)
        .ok()
        .and_then(|s| JsValue::from(s).as_string());
    let result = match text {
        Some(text) => run(&text, today).and_then(|decision| {
            JSON::parse(&decision).map_err(|_| {
                RequestError::new(ErrorCode::InvalidRequest, "the decision is not JSON")
            })
        }),
        None => Err(RequestError::new(
            ErrorCode::InvalidRequest,
            "the request is not a JSON object",
        )),
    };
    answer("decision", result)
}

/// The same as [`evaluate`] on request JSON text, returning the answer text unchanged: the
/// decision JSON and a newline (the bytes `kredo check` prints and the server sends), or
/// `{"error":{…}}` (the server's error body). Used to compare the wasm with the native build byte for byte.
///
/// The text goes out as a JS string made by one import call, rather than as a Rust `String`
/// that the glue would shrink, decode and then free with a second call into the module.
#[wasm_bindgen]
pub fn evaluate_json(request_json: Option<JsString>, today: Option<JsString>) -> js_sys::JsString {
    let result = required_string(request_json.as_ref().map(AsRef::as_ref), "request_json")
        .and_then(|request| {
            let today = optional_string(today.as_ref().map(AsRef::as_ref), "today")?;
            run(&request, today)
        });
    match result {
        // A decision ends with one newline, as `kredo check` prints it and `/api/v1/check`
        // answers it: the same bytes from every face.
        Ok(mut text) => {
            text.push('\n');
            js_sys::JsString::from(text.as_str())
        }
        Err(e) => js_sys::JsString::from(e.to_json().as_str()),
    }
}

/// Every product and rule-set version loaded, with its dates and hash:
/// `{ok: true, rulesets}` or `{ok: false, error}`.
#[wasm_bindgen(unchecked_return_type = "RulesetsResult")]
pub fn rulesets() -> JsValue {
    answer("rulesets", with_engine(|kredo| to_js(&kredo.rulesets())))
}

/// Each rule of a version with its message and next step in one language, for explaining a
/// decision: `{ok: true, rules}` or `{ok: false, error}`.
#[wasm_bindgen(unchecked_return_type = "GuidanceResult")]
pub fn guidance(
    product: Option<JsString>,
    version: Option<JsString>,
    #[wasm_bindgen(unchecked_param_type = "Language")] language: Option<JsString>,
) -> JsValue {
    let arg = |v: &Option<JsString>, name| required_string(v.as_ref().map(AsRef::as_ref), name);
    let args = arg(&product, "product")
        .and_then(|p| Ok((p, arg(&version, "version")?, arg(&language, "language")?)));
    let (product, version, language) = match args {
        Ok(args) => args,
        Err(e) => return answer("rules", Err(e)),
    };
    let (product, version, language) = (product.as_str(), version.as_str(), language.as_str());
    let result = match Language::parse(language) {
        None => Err(RequestError::new(
            ErrorCode::InvalidLanguage,
            format!("unknown language `{language}`; use `nl`, `fr` or `en`"),
        )
        .field("language")),
        Some(lang) => with_engine(|kredo| match kredo.guidance(product, version, lang) {
            Some(rules) => to_js(&rules),
            None => Err(RequestError::new(
                ErrorCode::UnknownVersion,
                format!("`{product}` has no version `{version}`"),
            )
            .field("version")),
        }),
    };
    answer("rules", result)
}

/// Compiles a rules bundle (the stored tree as JSON, `{"format": "kredo-rules/1", "files":
/// [{"path", "text"}]}`, as `kredo bundle` writes it and `kredo serve` serves it at `rules.json`)
/// and, when every version compiles, makes it the rule sets every later call decides with:
/// `{ok: true, rulesets}`. Otherwise `{ok: false, error, diagnostics}` with every problem found,
/// each at its file, line and column, and the rule sets in use stay as they were.
#[wasm_bindgen(unchecked_return_type = "LoadResult")]
pub fn load_rules(bundle: Option<JsString>) -> JsValue {
    let text = match required_string(bundle.as_ref().map(AsRef::as_ref), "bundle") {
        Ok(text) => text,
        Err(e) => return answer("rulesets", Err(e)),
    };
    let tree = crate::bundle::read(&text);
    // The playground lists a version's files from the tree; the page never does.
    #[cfg(feature = "playground")]
    let kept = tree.clone().unwrap_or_default();
    match tree.and_then(Kredo::from_tree) {
        Ok(kredo) => {
            let list = to_js(&kredo.rulesets());
            let installed = ENGINE.with(|cell| match cell.try_borrow_mut() {
                Ok(mut slot) => {
                    *slot = Some(kredo);
                    #[cfg(feature = "playground")]
                    TREE.with(|t| {
                        if let Ok(mut t) = t.try_borrow_mut() {
                            *t = kept;
                        }
                    });
                    Ok(())
                }
                Err(_) => Err(RequestError::new(
                    ErrorCode::RuleError,
                    "the rule sets are in use",
                )),
            });
            answer("rulesets", installed.and(list))
        }
        Err(e) => {
            let out = answer(
                "rulesets",
                Err(RequestError::new(
                    ErrorCode::RuleError,
                    format!(
                        "the rule sets did not compile ({} {})",
                        e.diagnostics.len(),
                        if e.diagnostics.len() == 1 {
                            "problem"
                        } else {
                            "problems"
                        }
                    ),
                )),
            );
            let list = to_js(&e.diagnostics).unwrap_or(JsValue::NULL);
            let _ = Reflect::set(&out, &JsValue::from_str("diagnostics"), &list);
            out
        }
    }
}

#[cfg(feature = "playground")]
/// One file of a version, for the playground.
#[derive(Serialize)]
struct VersionFile {
    /// Path inside the version directory.
    path: String,
    /// Where it is stored, relative to the rules root (an inherited file's is another version's).
    stored: String,
    text: String,
}

/// The files of one version of the loaded rule sets, inherited ones included, each with where
/// it is stored: `{ok: true, files: [{path, stored, text}]}` or `{ok: false, error}`.
#[cfg(feature = "playground")]
#[wasm_bindgen(unchecked_return_type = "FilesResult")]
pub fn version_files(product: Option<JsString>, version: Option<JsString>) -> JsValue {
    let arg = |v: &Option<JsString>, name| required_string(v.as_ref().map(AsRef::as_ref), name);
    let result = arg(&product, "product").and_then(|product| {
        let version = arg(&version, "version")?;
        let tree = TREE.with(|t| t.try_borrow().map(|t| t.clone()).unwrap_or_default());
        let sources = crate::ruleset::timeline::resolve(tree)
            .map_err(|e| RequestError::new(ErrorCode::RuleError, e.to_string()))?;
        let src = sources
            .iter()
            .find(|s| s.product == product && s.version == version)
            .ok_or_else(|| {
                RequestError::new(
                    ErrorCode::UnknownVersion,
                    format!("`{product}` has no version `{version}`"),
                )
                .field("version")
            })?;
        let files: Vec<VersionFile> = src
            .files
            .iter()
            .map(|f| VersionFile {
                stored: src
                    .origin(&f.path)
                    .map_or_else(|| format!("{product}/{version}/{}", f.path), str::to_owned),
                path: f.path.clone(),
                text: String::from_utf8_lossy(&f.bytes).into_owned(),
            })
            .collect();
        to_js(&files)
    });
    answer("files", result)
}

#[cfg(feature = "playground")]
/// One case's result, for the playground.
#[derive(Serialize)]
struct CaseOutcome {
    name: String,
    passed: bool,
    differences: Vec<String>,
    /// The decision JSON (or the error), as the other faces write it.
    decision: String,
}

/// Runs a version's cases (a `cases.json` text) against the loaded rule sets:
/// `{ok: true, results: [{name, passed, differences, decision}]}` or `{ok: false, error}`.
#[cfg(feature = "playground")]
#[wasm_bindgen(unchecked_return_type = "CasesResult")]
pub fn run_cases(
    product: Option<JsString>,
    version: Option<JsString>,
    cases_json: Option<JsString>,
) -> JsValue {
    let arg = |v: &Option<JsString>, name| required_string(v.as_ref().map(AsRef::as_ref), name);
    let result = arg(&product, "product").and_then(|product| {
        let version = arg(&version, "version")?;
        let text = arg(&cases_json, "cases_json")?;
        let cases = crate::cases::parse(&text).map_err(|message| {
            RequestError::new(ErrorCode::InvalidJson, format!("cases.json: {message}"))
                .field("cases_json")
        })?;
        with_engine(|kredo| {
            let results: Vec<CaseOutcome> = crate::cases::run(kredo, &product, &version, &cases)
                .into_iter()
                .map(|r| CaseOutcome {
                    passed: r.passed(),
                    name: r.name,
                    differences: r.differences,
                    decision: r.actual,
                })
                .collect();
            to_js(&results)
        })
    });
    answer("results", result)
}

/// The fields and question pages of the version a request with the same selection would get:
/// `product` (default: the engine's default product), `version` pinned, or else the one in
/// force on `today` (default: the device's date). `{ok: true, schema}` or `{ok: false, error}`.
///
/// The schema crosses as JSON text through `JSON.parse`: it carries the declarations' own JSON
/// values (bounds, layout hints), whose numbers `serde_json` keeps as exact-number tokens that
/// `serde-wasm-bindgen` would turn into objects rather than numbers.
#[wasm_bindgen(unchecked_return_type = "SchemaResult")]
pub fn schema(
    product: Option<JsString>,
    version: Option<JsString>,
    today: Option<JsString>,
) -> JsValue {
    let arg = |v: &Option<JsString>, name| optional_string(v.as_ref().map(AsRef::as_ref), name);
    let args = arg(&product, "product")
        .and_then(|p| Ok((p, arg(&version, "version")?, arg(&today, "today")?)));
    let (product, version, today) = match args {
        Ok(args) => args,
        Err(e) => return answer("schema", Err(e)),
    };
    let result = resolve_today(today).and_then(|today| {
        with_engine(|kredo| {
            let product = product.as_deref().unwrap_or(DEFAULT_PRODUCT);
            let rs = kredo.select(product, today, version.as_deref())?;
            let text = kredo
                .schema(&rs.product, &rs.version)
                .and_then(|s| serde_json::to_string(&s).ok())
                .ok_or_else(|| {
                    RequestError::new(ErrorCode::UnknownVersion, "the version has no schema")
                })?;
            JSON::parse(&text)
                .map_err(|_| RequestError::new(ErrorCode::InvalidRequest, "the schema is not JSON"))
        })
    });
    answer("schema", result)
}

#[cfg(test)]
mod tests {
    //! The generated TypeScript declarations must describe every answer the engine gives: each
    //! answer is checked, key by key, against the declarations that `tsify` derived from the
    //! Rust types (a small checker for the subset of TypeScript they use).
    use super::*;
    use crate::api::{Limits, RuleGuidance, RuleSetInfo, Schema, Selection};
    use crate::diag::Diagnostic;
    use crate::fields::{FieldDecl, FieldText, OptionDecl, PageDecl, PageText};
    use crate::model::{
        Decision, FieldIssue, Indicative, Outcome, Reason, RuleSetRef, Severity, Skipped,
    };
    use crate::ruleset::timeline::{Lender, LenderAbout};
    use crate::ruleset::{Code, CodeList};
    use serde_json::Value;
    use std::collections::BTreeMap;
    use tsify::Tsify;

    /// Every declaration `wasm-bindgen` writes, by type name.
    fn declarations() -> BTreeMap<String, String> {
        let mut all = vec![
            <Decision<'_> as Tsify>::DECL,
            <Outcome as Tsify>::DECL,
            <Severity as Tsify>::DECL,
            <Language as Tsify>::DECL,
            <RuleSetRef<'_> as Tsify>::DECL,
            <Reason<'_> as Tsify>::DECL,
            <FieldIssue as Tsify>::DECL,
            <Skipped<'_> as Tsify>::DECL,
            <Indicative as Tsify>::DECL,
            <RequestError as Tsify>::DECL,
            <ErrorCode as Tsify>::DECL,
            <Diagnostic as Tsify>::DECL,
            <RuleSetInfo as Tsify>::DECL,
            <RuleGuidance<'_> as Tsify>::DECL,
            <Schema<'_> as Tsify>::DECL,
            <Limits as Tsify>::DECL,
            <Lender as Tsify>::DECL,
            <LenderAbout as Tsify>::DECL,
            <CodeList as Tsify>::DECL,
            <Code as Tsify>::DECL,
            <PageDecl as Tsify>::DECL,
            <PageText as Tsify>::DECL,
            <FieldDecl as Tsify>::DECL,
            <FieldText as Tsify>::DECL,
            <OptionDecl as Tsify>::DECL,
            <Selection<'_> as Tsify>::DECL,
        ];
        all.push(ENVELOPES);
        let mut out = BTreeMap::new();
        for decl in all {
            for (name, body) in split_declarations(decl) {
                out.insert(name, body);
            }
        }
        out
    }

    /// `export interface X { … }` and `export type X = …;` → (X, body), comments dropped.
    fn split_declarations(text: &str) -> Vec<(String, String)> {
        let mut clean = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("/*") {
            clean.push_str(&rest[..i]);
            rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
        }
        clean.push_str(rest);
        let mut out = Vec::new();
        for part in clean.split("export ").skip(1) {
            let part = part.trim();
            if let Some(body) = part.strip_prefix("interface ") {
                let (name, body) = body.split_once(' ').unwrap();
                out.push((name.to_owned(), body.trim().to_owned()));
            } else if let Some(body) = part.strip_prefix("type ") {
                let (name, body) = body.split_once('=').unwrap();
                out.push((
                    name.trim().to_owned(),
                    body.trim().trim_end_matches(';').to_owned(),
                ));
            }
        }
        out
    }

    /// Splits `text` at `sep` outside brackets, braces and quotes.
    fn split_top(text: &str, sep: char) -> Vec<String> {
        let (mut depth, mut quoted, mut start) = (0i32, false, 0);
        let mut out = Vec::new();
        for (i, c) in text.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '{' | '<' | '(' | '[' if !quoted => depth += 1,
                '}' | '>' | ')' | ']' if !quoted => depth -= 1,
                c if c == sep && depth == 0 && !quoted => {
                    out.push(text[start..i].trim().to_owned());
                    start = i + c.len_utf8();
                }
                _ => {}
            }
        }
        out.push(text[start..].trim().to_owned());
        out.retain(|s| !s.is_empty());
        out
    }

    /// Whether `value` fits type `ty`; on failure, why (with the path to the value).
    fn check(
        decls: &BTreeMap<String, String>,
        ty: &str,
        value: &Value,
        at: &str,
    ) -> Result<(), String> {
        let ty = ty.trim();
        let alternatives = split_top(ty, '|');
        if alternatives.len() > 1 {
            let errors: Vec<String> = alternatives
                .iter()
                .filter_map(|alt| check(decls, alt, value, at).err())
                .collect();
            return if errors.len() < alternatives.len() {
                Ok(())
            } else {
                Err(errors.join("; "))
            };
        }
        let parts = split_top(ty, '&');
        if parts.len() > 1 {
            // Object intersections: each part checks its own keys, ignoring the others'.
            return parts
                .iter()
                .try_for_each(|p| check_open(decls, p, value, at));
        }
        let fail = || Err(format!("{at}: {value} is not `{ty}`"));
        let ok = match ty {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "unknown" => true,
            "true" => value == &Value::Bool(true),
            "false" => value == &Value::Bool(false),
            _ if ty.starts_with('"') => value.as_str() == Some(ty.trim_matches('"')),
            _ if ty.ends_with("[]") => {
                let Some(items) = value.as_array() else {
                    return fail();
                };
                let elem = ty
                    .trim_end_matches("[]")
                    .trim_start_matches('(')
                    .trim_end_matches(')');
                return items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, v)| check(decls, elem, v, &format!("{at}[{i}]")));
            }
            _ if ty.starts_with("Record<") || ty.starts_with("Partial<Record<") => {
                let partial = ty.starts_with("Partial<");
                let inner = ty
                    .trim_start_matches("Partial<")
                    .trim_start_matches("Record<");
                let inner = inner.trim_end_matches('>');
                let args = split_top(inner, ',');
                let [key, val] = args.as_slice() else {
                    return fail();
                };
                let Some(map) = value.as_object() else {
                    return fail();
                };
                for (k, v) in map {
                    check(decls, key, &Value::String(k.clone()), &format!("{at} key"))?;
                    check(decls, val, v, &format!("{at}.{k}"))?;
                }
                if !partial && key != "string" {
                    // A record over a union of literals needs every key.
                    for lit in split_top(
                        decls.get(key.as_str()).map_or(key.as_str(), String::as_str),
                        '|',
                    ) {
                        if !map.contains_key(lit.trim_matches('"')) {
                            return Err(format!("{at}: no key {lit}"));
                        }
                    }
                }
                return Ok(());
            }
            _ if ty.starts_with('{') => return check_object(decls, ty, value, at, true),
            _ => match decls.get(ty) {
                Some(body) => return check(decls, body, value, at),
                None => return Err(format!("{at}: no declaration of `{ty}`")),
            },
        };
        if ok { Ok(()) } else { fail() }
    }

    fn check_open(
        decls: &BTreeMap<String, String>,
        ty: &str,
        value: &Value,
        at: &str,
    ) -> Result<(), String> {
        match decls.get(ty.trim()) {
            Some(body) if body.starts_with('{') => check_object(decls, body, value, at, false),
            _ if ty.trim().starts_with('{') => check_object(decls, ty, value, at, false),
            _ => check(decls, ty, value, at),
        }
    }

    /// An object type `{ a: T; b?: U }`: every key declared (when `closed`), every required key
    /// present, every value of its type.
    fn check_object(
        decls: &BTreeMap<String, String>,
        body: &str,
        value: &Value,
        at: &str,
        closed: bool,
    ) -> Result<(), String> {
        let Some(map) = value.as_object() else {
            return Err(format!("{at}: {value} is not an object"));
        };
        let inner = body.trim().trim_start_matches('{').trim_end_matches('}');
        let mut members = BTreeMap::new();
        for member in split_top(inner, ';')
            .iter()
            .flat_map(|m| split_top(m, '\n'))
        {
            let Some((key, ty)) = member.split_once(':') else {
                continue;
            };
            let key = key.trim();
            let (key, optional) = match key.strip_suffix('?') {
                Some(k) => (k, true),
                None => (key, false),
            };
            members.insert(
                key.to_owned(),
                (ty.trim().trim_end_matches(',').to_owned(), optional),
            );
        }
        for (key, (ty, optional)) in &members {
            match map.get(key) {
                Some(v) => check(decls, ty, v, &format!("{at}.{key}"))?,
                None if *optional => {}
                None => return Err(format!("{at}: `{key}` is missing")),
            }
        }
        if closed && let Some(extra) = map.keys().find(|k| !members.contains_key(*k)) {
            return Err(format!("{at}: `{extra}` is not declared"));
        }
        Ok(())
    }

    fn fits(decls: &BTreeMap<String, String>, ty: &str, json: &str) {
        let value: Value = serde_json::from_str(json).unwrap();
        if let Err(why) = check(decls, ty, &value, ty) {
            panic!("{why}\n{json}");
        }
    }

    fn today() -> Date {
        Date::parse("2026-11-22").unwrap()
    }

    #[test]
    fn generated_types_describe_real_answers() {
        let decls = declarations();
        let kredo = Kredo::embedded().unwrap();
        let requests = [
            r#"{"as_of":"2026-11-22","language":"en","application":{"legal_form":"eenmanszaak","region":"flanders","business_status":"not_started","activity_type":"main","amount_requested_eur":"10000","term_months":36,"funding_purposes":[{"category":"investment","amount_eur":"10000"}],"nace_code":"56.101","bankruptcy_status":"none","applicant_age_years":30}}"#,
            r#"{"as_of":"2022-01-01","application":{"region":"brussels","amount_requested_eur":"30000","term_months":"72","funding_purposes":[{"category":"other","amount_eur":1}],"zzz":1}}"#,
            r#"{"language":"fr","application":{"amount_requested_eur":"25.000,00","term_months":36.5,"funding_purposes":[{"category":"nope"}]}}"#,
        ];
        for request in requests {
            fits(&decls, "Request", request);
            let text = kredo.evaluate_json(request, today()).unwrap();
            fits(&decls, "Decision", &text);
            let all = request.replacen('{', r#"{"product":"*","#, 1);
            let every = kredo.evaluate_json(&all, today()).unwrap();
            fits(&decls, "AllProducts", &every);
            fits(
                &decls,
                "EvaluateResult",
                &format!(r#"{{"ok":true,"decision":{every}}}"#),
            );
            fits(
                &decls,
                "EvaluateResult",
                &format!(r#"{{"ok":true,"decision":{text}}}"#),
            );
        }
        let errors = [
            r#"{"as_of":"1999-01-01","application":{}}"#,
            r#"{"version":"1999-01-01","application":{}}"#,
            r#"{"product":"nope","application":{}}"#,
            r#"{"application":{}"#,
        ];
        for request in errors {
            let e = kredo.evaluate_json(request, today()).unwrap_err();
            fits(&decls, "RequestError", &serde_json::to_string(&e).unwrap());
        }
        let rule_error = RequestError {
            diagnostic: Some(Box::new(
                Diagnostic::new("p", "v", "rules/x.rhai", "boom").at("x\n", Some(1), Some(1)),
            )),
            ..RequestError::new(ErrorCode::RuleError, "a rule failed")
        };
        fits(
            &decls,
            "RequestError",
            &serde_json::to_string(&rule_error).unwrap(),
        );

        let sets = kredo.rulesets();
        fits(
            &decls,
            "RuleSetInfo[]",
            &serde_json::to_string(&sets).unwrap(),
        );
        for set in &sets {
            let schema = kredo.schema(&set.product, &set.version).unwrap();
            fits(&decls, "Schema", &serde_json::to_string(&schema).unwrap());
            for lang in Language::ALL {
                let rules = kredo.guidance(&set.product, &set.version, lang).unwrap();
                assert!(
                    rules.iter().all(|r| !r.next_step.is_empty()),
                    "{}",
                    set.version
                );
                fits(
                    &decls,
                    "RuleGuidance[]",
                    &serde_json::to_string(&rules).unwrap(),
                );
            }
        }
    }

    #[test]
    fn the_checker_rejects_what_does_not_fit() {
        let decls = declarations();
        let bad = [
            ("RuleSetInfo", r#"{"product":"p"}"#),
            ("Outcome", r#""maybe""#),
            ("RequestError", r#"{"code":"teapot","message":"m"}"#),
            (
                "RequestError",
                r#"{"code":"invalid_json","message":"m","extra":1}"#,
            ),
            ("Request", r#"{"application":{},"language":"de"}"#),
            ("Request", r#"{"product":"p"}"#),
        ];
        for (ty, json) in bad {
            let value: Value = serde_json::from_str(json).unwrap();
            assert!(
                check(&decls, ty, &value, ty).is_err(),
                "{ty} accepted {json}"
            );
        }
    }

    #[test]
    fn a_bad_today_is_an_error_on_that_field() {
        let e = resolve_today(Some("22/11/2026".into())).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDate);
        assert_eq!(e.field, Some("today"));
    }
}

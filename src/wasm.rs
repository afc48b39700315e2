//! The browser's entry points: wasm-bindgen exports that only convert between JS values and the
//! facade's JSON text, so the page gets the same decision bytes as the CLI and the server.
//!
//! Nothing here decides anything. A request object is turned into JSON text by the browser's own
//! `JSON.stringify`, handed to [`Kredo::evaluate_json`], and the answer text is parsed back by
//! `JSON.parse`. Errors come back as data (`{ok: false, error}`), never as a thrown value. The
//! clock is read here, at the edge, only when the caller gives no `today`.
//!
//! The types below exist for the TypeScript declarations that `wasm-bindgen` writes next to the
//! module (through `tsify`). They mirror the contract's JSON; a test deserializes real answers
//! into them with `deny_unknown_fields`, so they cannot drift from what the engine returns.

use crate::api::{ErrorCode, Kredo, RequestError};
use crate::date::Date;
use crate::model::Language;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The embedded rule sets, compiled once on first use (the page does it while loading).
    static ENGINE: OnceCell<Result<Kredo, String>> = const { OnceCell::new() };
}

/// Runs `f` on the compiled engine, or gives the error body saying why it could not compile.
fn with_engine<R>(f: impl FnOnce(&Kredo) -> Result<R, String>) -> Result<R, String> {
    ENGINE.with(|cell| {
        let engine = cell.get_or_init(|| {
            Kredo::embedded().map_err(|e| {
                error_body(
                    ErrorCode::RuleError,
                    &format!("the rule sets could not be compiled: {e}"),
                )
            })
        });
        match engine {
            Ok(kredo) => f(kredo),
            Err(body) => Err(body.clone()),
        }
    })
}

/// An error in the facade's own shape, `{"error":{"code":…,"message":…}}`.
fn error_body(code: ErrorCode, message: &str) -> String {
    RequestError::new(code, message).to_json()
}

/// The caller's date, or the browser's local date when it gives none.
fn resolve_today(today: Option<String>) -> Result<Date, String> {
    match today {
        Some(text) => Date::parse(&text).ok_or_else(|| {
            let mut body = error_body(
                ErrorCode::InvalidDate,
                &format!("`{text}` is not a date like 2026-11-22"),
            );
            if let Some(rest) = body.strip_suffix("}}") {
                body = format!("{rest},\"field\":\"today\"}}}}");
            }
            body
        }),
        None => {
            let now = js_sys::Date::new_0();
            let year = u16::try_from(now.get_full_year()).unwrap_or(0);
            let month = u8::try_from(now.get_month() + 1).unwrap_or(0);
            let day = u8::try_from(now.get_date()).unwrap_or(0);
            Date::new(year, month, day).ok_or_else(|| {
                error_body(
                    ErrorCode::InvalidDate,
                    "this device's date could not be read",
                )
            })
        }
    }
}

fn run(request_json: &str, today: Option<String>) -> Result<String, String> {
    let today = resolve_today(today)?;
    with_engine(|kredo| {
        kredo
            .evaluate_json(request_json, today)
            .map_err(|e| e.to_json())
    })
}

/// Wraps an answer body as `{ok: true, <key>: body}` or an error body as `{ok: false, error}`,
/// then parses it into a JS value.
fn wrap(result: Result<String, String>, key: &str) -> JsValue {
    let text = match result {
        Ok(body) => format!("{{\"ok\":true,\"{key}\":{body}}}"),
        Err(body) => match body.strip_prefix('{') {
            Some(rest) => format!("{{\"ok\":false,{rest}"),
            None => {
                String::from(r#"{"ok":false,"error":{"code":"internal","message":"no answer"}}"#)
            }
        },
    };
    js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
}

/// Evaluates a request object (CONTRACT.md §1) and returns `{ok: true, decision}` with the
/// contract's decision, or `{ok: false, error}` when no decision could be made. `today`
/// (`YYYY-MM-DD`) is used when the request has no `as_of`; without it, the device's date is.
#[wasm_bindgen(unchecked_return_type = "EvaluateResult")]
pub fn evaluate(
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
    today: Option<String>,
) -> JsValue {
    let text = js_sys::JSON::stringify(&request)
        .ok()
        .and_then(|s| JsValue::from(s).as_string());
    let result = match text {
        Some(text) => run(&text, today),
        None => Err(error_body(
            ErrorCode::InvalidRequest,
            "the request is not a JSON object",
        )),
    };
    wrap(result, "decision")
}

/// The same as [`evaluate`] on request JSON text, returning the answer text unchanged: the
/// decision JSON, or `{"error":{…}}`. Used to compare the wasm with the native build byte for byte.
///
/// The text goes out as a JS string made by one import call, rather than as a Rust `String`
/// that the glue would shrink, decode and then free with a second call into the module.
#[wasm_bindgen]
pub fn evaluate_json(request_json: &str, today: Option<String>) -> js_sys::JsString {
    match run(request_json, today) {
        Ok(text) | Err(text) => js_sys::JsString::from(text.as_str()),
    }
}

/// Every product and rule-set version in this build, with its dates and hash:
/// `{ok: true, rulesets}` or `{ok: false, error}`. Compiles the rule sets on first call.
#[wasm_bindgen(unchecked_return_type = "RulesetsResult")]
pub fn rulesets() -> JsValue {
    wrap(
        with_engine(|kredo| {
            serde_json::to_string(&kredo.rulesets())
                .map_err(|e| error_body(ErrorCode::InvalidRequest, &e.to_string()))
        }),
        "rulesets",
    )
}

/// Each rule of a version with its message and next step in one language, for explaining a
/// decision: `{ok: true, rules}` or `{ok: false, error}`.
#[wasm_bindgen(unchecked_return_type = "GuidanceResult")]
pub fn guidance(
    product: &str,
    version: &str,
    #[wasm_bindgen(unchecked_param_type = "Language")] language: &str,
) -> JsValue {
    let result = match Language::parse(language) {
        None => Err(error_body(
            ErrorCode::InvalidLanguage,
            &format!("unknown language `{language}`; use `nl`, `fr` or `en`"),
        )),
        Some(lang) => with_engine(|kredo| match kredo.guidance(product, version, lang) {
            Some(rules) => serde_json::to_string(&rules)
                .map_err(|e| error_body(ErrorCode::InvalidRequest, &e.to_string())),
            None => Err(error_body(
                ErrorCode::UnknownVersion,
                &format!("`{product}` has no version `{version}`"),
            )),
        }),
    };
    wrap(result, "rules")
}

// ---------------------------------------------------------------- TypeScript declarations

/// The types of the TypeScript declarations: only their `tsify` declarations are used (the
/// exports pass JSON text through), and the test below checks them against real answers.
#[allow(
    dead_code,
    reason = "only the generated TypeScript declarations are used"
)]
mod ts {
    use super::*;

    /// A request (CONTRACT.md §1).
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Request {
        #[tsify(optional)]
        pub product: Option<String>,
        /// `YYYY-MM-DD`; selects the version in force on that date. Default: today.
        #[tsify(optional)]
        pub as_of: Option<String>,
        /// Pins an exact version.
        #[tsify(optional)]
        pub version: Option<String>,
        #[tsify(optional)]
        pub language: Option<Language>,
        pub application: Application,
    }

    /// A language of the answer's messages.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Language {
        Nl,
        Fr,
        En,
    }

    /// The application (CONTRACT.md §2). Money and whole numbers may be strings, which are read
    /// exactly; enums accept the rule set's aliases. In a decision's `normalized`, the canonical form.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Application {
        #[tsify(optional)]
        pub legal_form: Option<String>,
        #[tsify(optional)]
        pub region: Option<String>,
        #[tsify(optional)]
        pub business_status: Option<String>,
        #[tsify(optional)]
        pub activity_type: Option<String>,
        #[tsify(optional, type = "string | number")]
        pub amount_requested_eur: Option<serde_json::Value>,
        #[tsify(optional, type = "string | number")]
        pub term_months: Option<serde_json::Value>,
        #[tsify(optional)]
        pub funding_purposes: Option<Vec<FundingPurpose>>,
        #[tsify(optional)]
        pub is_takeover: Option<bool>,
        #[tsify(optional)]
        pub enterprise_number: Option<String>,
        #[tsify(optional)]
        pub nace_code: Option<String>,
        #[tsify(optional)]
        pub nace_version: Option<String>,
        #[tsify(optional)]
        pub in_collective_debt_settlement: Option<bool>,
        #[tsify(optional)]
        pub bankruptcy_status: Option<String>,
        #[tsify(optional)]
        pub bank_credit_status: Option<String>,
        #[tsify(optional)]
        pub has_tax_or_social_arrears: Option<bool>,
        #[tsify(optional, type = "string | number")]
        pub applicant_age_years: Option<serde_json::Value>,
        #[tsify(optional, type = "string | number")]
        pub projected_monthly_net_cashflow_eur: Option<serde_json::Value>,
        #[tsify(optional)]
        pub business_plan_status: Option<String>,
        #[tsify(optional)]
        pub product_variant: Option<String>,
        #[tsify(optional)]
        pub project_description: Option<String>,
    }

    /// One use of the loan with its amount.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FundingPurpose {
        pub category: String,
        #[tsify(type = "string | number")]
        pub amount_eur: serde_json::Value,
    }

    /// The outcome, from most to least severe.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Outcome {
        Invalid,
        Ineligible,
        Review,
        Flagged,
        Eligible,
    }

    /// A rule's severity.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Severity {
        Ineligible,
        Review,
        Flag,
        Info,
    }

    /// The decision (CONTRACT.md §4).
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Decision {
        pub outcome: Outcome,
        pub product: String,
        pub rule_set: RuleSetRef,
        pub as_of: String,
        pub language: Language,
        pub reasons: Vec<Reason>,
        pub errors: Vec<FieldIssue>,
        pub skipped: Vec<Skipped>,
        pub warnings: Vec<FieldIssue>,
        /// Present when amount and term are valid. Money as strings with two decimals.
        #[tsify(optional)]
        pub indicative: Option<Indicative>,
        pub normalized: Application,
    }

    /// The rule-set version that made a decision and the hash of its files.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RuleSetRef {
        pub version: String,
        pub effective_from: String,
        pub hash: String,
    }

    /// A rule that fired, with its message in the request's language.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Reason {
        pub id: String,
        pub severity: Severity,
        pub message: String,
        pub fields: Vec<String>,
    }

    /// An input error (with outcome `invalid`) or a warning.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FieldIssue {
        pub field: String,
        pub code: String,
        pub message: String,
    }

    /// A rule that could not run because a field it reads is missing.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Skipped {
        pub id: String,
        pub missing: Vec<String>,
    }

    /// The indicative repayment at the version's rate.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Indicative {
        pub annual_rate: String,
        pub monthly_instalment_eur: String,
        pub total_repayable_eur: String,
    }

    /// Why no decision could be made.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct EngineError {
        /// `invalid_json`, `invalid_request`, `unknown_product`, `unknown_version`,
        /// `no_version_in_force`, `invalid_date`, `invalid_language` or `rule_error`.
        pub code: String,
        pub message: String,
        #[tsify(optional)]
        pub field: Option<String>,
        #[tsify(optional)]
        pub line: Option<u32>,
        #[tsify(optional)]
        pub column: Option<u32>,
        #[tsify(optional)]
        pub versions: Option<Vec<String>>,
        /// For `rule_error`: the rule file at fault, with line and column.
        #[tsify(optional, type = "Record<string, unknown>")]
        pub diagnostic: Option<serde_json::Value>,
    }

    /// A rule-set version in this build.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RuleSetInfo {
        pub product: String,
        pub version: String,
        pub title: String,
        pub effective_from: String,
        pub effective_to: Option<String>,
        pub hash: String,
    }

    /// A rule's message and next step in one language.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RuleGuidance {
        pub id: String,
        pub severity: Severity,
        pub message: String,
        pub next_step: String,
    }

    /// What [`evaluate`] returns.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(untagged)]
    pub enum EvaluateResult {
        Decided {
            #[tsify(type = "true")]
            ok: bool,
            decision: Box<Decision>,
        },
        Failed {
            #[tsify(type = "false")]
            ok: bool,
            error: EngineError,
        },
    }

    /// What [`rulesets`] returns.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(untagged)]
    pub enum RulesetsResult {
        Listed {
            #[tsify(type = "true")]
            ok: bool,
            rulesets: Vec<RuleSetInfo>,
        },
        Failed {
            #[tsify(type = "false")]
            ok: bool,
            error: EngineError,
        },
    }

    /// What [`guidance`] returns.
    #[derive(Tsify, Serialize, Deserialize)]
    #[serde(untagged)]
    pub enum GuidanceResult {
        Listed {
            #[tsify(type = "true")]
            ok: bool,
            rules: Vec<RuleGuidance>,
        },
        Failed {
            #[tsify(type = "false")]
            ok: bool,
            error: EngineError,
        },
    }
}

#[cfg(test)]
mod tests {
    //! The TypeScript mirror types must accept every answer the engine gives, and nothing else.
    use super::ts::*;
    use super::*;

    fn today() -> Date {
        Date::parse("2026-11-22").unwrap()
    }

    #[test]
    fn mirror_types_accept_real_answers() {
        let kredo = Kredo::embedded().unwrap();
        let requests = [
            r#"{"as_of":"2026-11-22","language":"en","application":{"legal_form":"eenmanszaak","region":"flanders","business_status":"not_started","activity_type":"main","amount_requested_eur":"10000","term_months":36,"funding_purposes":[{"category":"investment","amount_eur":"10000"}],"nace_code":"56.101","bankruptcy_status":"none","applicant_age_years":30}}"#,
            r#"{"as_of":"2022-01-01","application":{"region":"brussels","amount_requested_eur":"30000","term_months":"72","funding_purposes":[{"category":"other","amount_eur":1}],"zzz":1}}"#,
            r#"{"language":"fr","application":{"amount_requested_eur":"25.000,00","term_months":36.5,"funding_purposes":[{"category":"nope"}]}}"#,
        ];
        for request in requests {
            let text = kredo.evaluate_json(request, today()).unwrap();
            let d: Decision = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(d.product, "impulskrediet", "{text}");
        }
        let err = kredo
            .evaluate_json(r#"{"as_of":"1999-01-01","application":{}}"#, today())
            .unwrap_err()
            .to_json();
        let wrapped: serde_json::Value = serde_json::from_str(&err).unwrap();
        let _: EngineError = serde_json::from_value(wrapped["error"].clone()).unwrap();
        let sets: Vec<RuleSetInfo> =
            serde_json::from_str(&serde_json::to_string(&kredo.rulesets()).unwrap()).unwrap();
        assert!(!sets.is_empty());
        for set in &sets {
            for lang in crate::model::Language::ALL {
                let rules = kredo.guidance(&set.product, &set.version, lang).unwrap();
                let rules: Vec<RuleGuidance> =
                    serde_json::from_str(&serde_json::to_string(&rules).unwrap()).unwrap();
                assert!(
                    rules.iter().all(|r| !r.next_step.is_empty()),
                    "a rule without a next step in {}",
                    set.version
                );
            }
        }
    }

    #[test]
    fn error_bodies_are_the_facade_shape() {
        let body = resolve_today(Some("22/11/2026".into())).unwrap_err();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "invalid_date");
        assert_eq!(v["error"]["field"], "today");
    }
}

//! The OpenAPI document (`/api/v1/openapi.json`, rendered at `/api/v1/docs`): the routes and
//! their answer types as derived from the handlers, and what depends on the rule sets the server
//! runs, built at start: the `Application` and `Normalized` schemas from the field declarations
//! (a product's own field is documented without a line of Rust), the products, versions and
//! in-force dates a request may name, and a request example that the engine has decided.
//!
//! The document says exactly what the server takes: `.ci/api-fuzz` runs a schema-based fuzzer
//! (schemathesis, every check on) against a live server from it. So every constraint here is the
//! server's own: the request envelope refuses unknown keys (`additionalProperties: false`), while
//! the application takes any JSON value, because the engine answers every application with a
//! decision: what does not fit `Application` is decided `invalid`, with an error per field.
//!
//! Products may ask different fields, and a product's versions may too. The document has one
//! `Application`: every field any of them asks, each described with the products (and, when not
//! all of a product's versions ask it, the versions) that do. A product ignores a field it does
//! not ask, with a warning in the decision.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ErrorBody, ErrorDetail};
use super::public::{
    self, APPLICATION_SCHEMA, AllProductsDoc, AttributeScoreDoc, CheckRequest, DecisionDoc,
    FieldIssueDoc, Health, IndicativeDoc, NORMALIZED_SCHEMA, PillarScoreDoc, ReasonDoc,
    ReferralDoc, RuleSetInfoDoc, RuleSetRefDoc, RuleSets, ScoreDoc, ScoreReasonDoc, SkippedDoc,
    StoreHealth, SuggestionDoc,
};
use super::staff::{
    self, AuditEntry, BatchWithReport, CaseCreated, CaseHistory, CaseList, CaseSummary,
    StaffDecisionInput, StaffDecisionSummary,
};
use crate::api::{ALL_PRODUCTS, DEFAULT_PRODUCT};
use crate::fields::{Field, FieldDecl, Kind};
use crate::ruleset::RuleSetSource;
use crate::{Date, Kredo, Language};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kredo",
        description = "Eligibility pre-screening for Belgian microcredit. The public check needs no login; staff routes need `Authorization: Bearer <token>` (made with `kredo staff add NAME`). Every decision is the same bytes as `kredo check` and the self-check page.\n\nEvery error answer is JSON: `{\"error\":{\"code\":…,\"message\":…}}` (`ErrorBody`), with the status each route lists. The document is exact: `.ci/api-fuzz` fuzzes a live server from it with every check on.",
        license(name = "EUPL-1.2")
    ),
    paths(
        public::healthz,
        public::check,
        public::rulesets,
        public::schema,
        staff::create_case,
        staff::list_cases,
        staff::record_decision,
        staff::case_history,
        staff::batch_route,
    ),
    components(schemas(
        CheckRequest, DecisionDoc, SuggestionDoc, ReferralDoc, AllProductsDoc, RuleSetRefDoc, ReasonDoc, FieldIssueDoc, SkippedDoc, IndicativeDoc,
        ScoreDoc, PillarScoreDoc, AttributeScoreDoc, ScoreReasonDoc,
        ErrorBody, ErrorDetail, RuleSets, RuleSetInfoDoc, Health, StoreHealth, CaseCreated, StaffDecisionInput,
        AuditEntry, CaseHistory, CaseList, CaseSummary, StaffDecisionSummary, BatchWithReport
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "public", description = "No login"),
        (name = "staff", description = "Bearer token of a staff member; every call is audited")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document as JSON text, for the rule sets `kredo` runs, compiled from `sources`.
/// The request example is the most complete eligible case of the default product's version in
/// force today, as its `cases.json` gives it: rule-set data, decided by the engine at start.
pub fn document(kredo: &Kredo, sources: &[RuleSetSource]) -> Result<String, serde_json::Error> {
    let mut doc = serde_json::to_value(ApiDoc::openapi())?;
    let selectable = Selectable::of(kredo);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.insert(
            APPLICATION_SCHEMA.to_owned(),
            application(kredo, Form::Given),
        );
        schemas.insert(
            NORMALIZED_SCHEMA.to_owned(),
            application(kredo, Form::Canonical),
        );
        // Staff requests take one key more: `score`, and name one product (a case records one
        // product's decision). Made from the same envelope, so the two never drift apart.
        let plain = schemas.get("CheckRequest").cloned();
        if let Some(request) = schemas.get_mut("CheckRequest") {
            selectable.constrain_request(request, true);
        }
        if let Some(mut staff) = plain {
            selectable.constrain_request(&mut staff, false);
            if let Some(properties) = staff.get_mut("properties").and_then(Value::as_object_mut) {
                properties.insert(
                    "score".to_owned(),
                    json!({
                        "type": ["boolean", "null"],
                        "description": "Staff only: `true` adds the scorecard's `score` to the decision (CONTRACT.md §6), when the version has a scorecard and the application is not `invalid`. The public check refuses this key (400 `invalid_request`)."
                    }),
                );
            }
            if let Some(object) = staff.as_object_mut() {
                object.insert(
                    "description".to_owned(),
                    "CONTRACT.md §1 as staff send it: the public envelope and `score`.".into(),
                );
            }
            schemas.insert("StaffCheckRequest".to_owned(), staff);
        }
    }
    // The public check answers a decision, or every product's for `*`.
    if let Some(body) = doc
        .pointer_mut("/paths/~1api~1v1~1check/post/responses/200/content/application~1json/schema")
    {
        *body = json!({"oneOf": [
            {"$ref": "#/components/schemas/DecisionDoc"},
            {"$ref": "#/components/schemas/AllProductsDoc"}
        ]});
    }
    if let Some(body) =
        doc.pointer_mut("/paths/~1api~1v1~1cases/post/requestBody/content/application~1json/schema")
    {
        *body = json!({"$ref": "#/components/schemas/StaffCheckRequest"});
    }
    if let Some(params) = doc
        .pointer_mut("/paths/~1api~1v1~1batch/post/parameters")
        .and_then(Value::as_array_mut)
    {
        selectable.constrain_query(params);
    }
    if let Some(params) = doc
        .pointer_mut("/paths/~1api~1v1~1schema/get/parameters")
        .and_then(Value::as_array_mut)
    {
        selectable.constrain_query(params);
    }
    if let Some(params) = doc
        .pointer_mut("/paths/~1api~1v1~1cases/get/parameters")
        .and_then(Value::as_array_mut)
    {
        constrain_case_list(params);
    }
    if let Some(csv) = doc
        .pointer_mut("/paths/~1api~1v1~1batch/post/requestBody/content/text~1csv")
        .and_then(Value::as_object_mut)
    {
        csv.insert("schema".to_owned(), csv_schema());
    }
    if let Some(example) = example_request(kredo, sources, crate::native::today()) {
        for (route, score) in [("~1api~1v1~1check", false), ("~1api~1v1~1cases", true)] {
            let at = format!("/paths/{route}/post/requestBody/content/application~1json");
            let mut example = example.clone();
            if score && let Some(object) = example.as_object_mut() {
                object.insert("score".to_owned(), true.into());
            }
            if let Some(content) = doc.pointer_mut(&at).and_then(Value::as_object_mut) {
                content.insert("example".to_owned(), example);
            }
        }
    }
    serde_json::to_string(&doc)
}

/// What a request may name: products, versions and the days some version is in force, for
/// each product and over all of them. The request schema ties them together per product, so it
/// is exact however many products there are.
struct Selectable {
    /// Each product with its versions and the days one of them is in force (a `pattern`).
    per_product: Vec<(String, Vec<String>, String)>,
    products: Vec<String>,
    versions: Vec<String>,
    /// The days some version of some product is in force, as a `pattern` over ISO dates.
    in_force: String,
}

impl Selectable {
    fn of(kredo: &Kredo) -> Selectable {
        let mut products = Vec::new();
        let mut per_product = Vec::new();
        let mut versions: Vec<String> = Vec::new();
        let mut spans: Vec<(Date, Option<Date>)> = Vec::new();
        for (product, sets) in kredo.registry().products() {
            products.push(product.to_owned());
            let mut own = Vec::new();
            for rs in sets {
                if !versions.contains(&rs.version) {
                    versions.push(rs.version.clone());
                }
                own.push(rs.version.clone());
                spans.push((rs.effective_from, rs.effective_to));
            }
            let days = days_pattern(
                sets.iter()
                    .map(|rs| (rs.effective_from, rs.effective_to))
                    .collect(),
            );
            per_product.push((product.to_owned(), own, days));
        }
        versions.sort();
        Selectable {
            per_product,
            products,
            versions,
            in_force: days_pattern(spans),
        }
    }

    /// `CheckRequest`: the envelope's keys and no other, the values the engine takes, and, for
    /// each product, that `version` is one of its versions or, without `version`, `as_of` a day
    /// one of them is in force. `all`: the product may be `*`, every product in force at once
    /// (CONTRACT.md §7), without `version`, on a day some product is in force.
    fn constrain_request(&self, schema: &mut Value, all: bool) {
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        object.insert("additionalProperties".to_owned(), false.into());
        if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
            let or_null = |values: &[String]| {
                let mut values: Vec<Value> = values.iter().map(|v| v.as_str().into()).collect();
                values.push(Value::Null);
                Value::Array(values)
            };
            let mut products = self.products.clone();
            if all {
                products.push(ALL_PRODUCTS.to_owned());
            }
            set(properties, "product", "enum", or_null(&products));
            set(properties, "version", "enum", or_null(&self.versions));
            set(properties, "as_of", "format", "date".into());
            set(properties, "as_of", "pattern", any_day().into());
        }
        let version_given =
            json!({"required": ["version"], "properties": {"version": {"type": "string"}}});
        let mut rules: Vec<Value> = self
            .per_product
            .iter()
            .map(|(product, versions, days)| {
                // The default product is also the one of a request that names none.
                let named = json!({"required": ["product"], "properties": {"product": {"const": product}}});
                let chosen = if product == DEFAULT_PRODUCT {
                    json!({"anyOf": [named, {"not": {"required": ["product"]}}, {"required": ["product"], "properties": {"product": {"type": "null"}}}]})
                } else {
                    named
                };
                json!({"if": chosen, "then": {
                    "if": version_given,
                    "then": {"properties": {"version": {"enum": versions}}},
                    "else": {"properties": {"as_of": {"pattern": days}}}
                }})
            })
            .collect();
        if all {
            rules.push(json!({
                "if": {"required": ["product"], "properties": {"product": {"const": ALL_PRODUCTS}}},
                "then": {
                    "not": {"required": ["version"], "properties": {"version": {"type": "string"}}},
                    "properties": {"as_of": {"pattern": self.in_force}}
                }
            }));
        }
        object.insert("allOf".to_owned(), Value::Array(rules));
    }

    /// The query of `POST /api/v1/batch`: the same values as the envelope's. OpenAPI cannot
    /// make one parameter depend on another, so `as_of` is any date here and its description
    /// says the rest (`.ci/api-fuzz` allows that 422).
    fn constrain_query(&self, params: &mut [Value]) {
        for param in params {
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let schema = match name {
                "product" => json!({"type": "string", "enum": self.products}),
                "version" => json!({"type": "string", "enum": self.versions}),
                "as_of" => json!({"type": "string", "format": "date", "pattern": any_day()}),
                "lang" => json!({"type": "string", "enum": languages()}),
                "score" | "report" => json!({"type": "boolean"}),
                _ => continue,
            };
            if let Some(param) = param.as_object_mut() {
                param.insert("schema".to_owned(), schema);
            }
        }
    }
}

/// White space as Rust's `str::trim` sees it (Unicode `White_Space`), as the body of a
/// character class.
const WHITE_SPACE: &str =
    r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// What `audit::has_visible_text` does not count as visible: white space, control characters
/// and invisible format characters (a test holds the two together, character by character).
const INVISIBLE: [(char, char); 22] = [
    ('\u{0}', '\u{20}'),
    ('\u{7f}', '\u{a0}'),
    ('\u{ad}', '\u{ad}'),
    ('\u{34f}', '\u{34f}'),
    ('\u{61c}', '\u{61c}'),
    ('\u{115f}', '\u{1160}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{17b4}', '\u{17b5}'),
    ('\u{180b}', '\u{180f}'),
    ('\u{2000}', '\u{200f}'),
    ('\u{2028}', '\u{202f}'),
    ('\u{205f}', '\u{206f}'),
    ('\u{2800}', '\u{2800}'),
    ('\u{3000}', '\u{3000}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{fe00}', '\u{fe0f}'),
    ('\u{feff}', '\u{feff}'),
    ('\u{ffa0}', '\u{ffa0}'),
    ('\u{fff0}', '\u{fff8}'),
    ('\u{1bca0}', '\u{1bca3}'),
    ('\u{1d173}', '\u{1d17a}'),
    ('\u{e0000}', '\u{e0fff}'),
];

/// [`INVISIBLE`] as the body of a character class: `\uXXXX` escapes (read alike by ECMA-262
/// and Python) and, beyond them, the characters themselves.
fn invisible_class() -> String {
    let one = |c: char| match u16::try_from(u32::from(c)) {
        Ok(unit) => format!(r"\u{unit:04x}"),
        Err(_) => c.to_string(),
    };
    INVISIBLE
        .iter()
        .map(|&(a, b)| {
            if a == b {
                one(a)
            } else {
                format!("{}-{}", one(a), one(b))
            }
        })
        .collect()
}

/// A staff decision's `motivation`, as `record_decision` takes it: 1 to `max` characters once
/// white space is trimmed from both ends, and among them one that is visible.
pub(super) fn motivation(max: usize) -> RefOr<Schema> {
    let ws = WHITE_SPACE;
    let middle = max.saturating_sub(2);
    AllOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!(
                    r"^[{ws}]*[^{ws}](?:[\s\S]{{0,{middle}}}[^{ws}])?[{ws}]*$"
                ))),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!("[^{}]", invisible_class()))),
        )
        .description(Some(format!(
            "Why; required: 1 to {max} characters once the white space around it is trimmed, \
             and among them one that is visible (not white space, a control character or an \
             invisible format character such as a zero-width space); otherwise 422 \
             `invalid_request`. Recorded trimmed."
        )))
        .into()
}

/// The batch's CSV: some text besides white space once a UTF-8 byte-order mark is dropped (400
/// `invalid_csv` otherwise). What its header must be (readable, naming a field of the product,
/// no column twice) is said in words: it depends on the bytes' encoding and on the header's
/// cells once unquoted and compared case-insensitively, which no pattern states.
fn csv_schema() -> Value {
    let ws = WHITE_SPACE;
    json!({
        "type": "string",
        "pattern": format!(r"^(?:\ufeff[{ws}]*[^{ws}]|[^{ws}\ufeff]|[{ws}]+[^{ws}])"),
    })
}

/// Sets `properties[property][key]`.
fn set(properties: &mut Map<String, Value>, property: &str, key: &str, value: Value) {
    if let Some(p) = properties.get_mut(property).and_then(Value::as_object_mut) {
        p.insert(key.to_owned(), value);
    }
}

/// The request languages.
fn languages() -> Vec<&'static str> {
    Language::ALL.iter().map(|l| l.as_str()).collect()
}

/// The largest ISO date text: with `format: date`, any day up to 9999-12-31.
const LAST_DAY: &str = "9999-99-99";

/// Any date the engine reads (`format: date` says which days exist): years 0001 to 9999.
fn any_day() -> String {
    format!("^{}$", text_range(b"0001-00-00", LAST_DAY.as_bytes()))
}

/// A pattern for the days of `spans` (first day, last day if any), merged.
fn days_pattern(mut spans: Vec<(Date, Option<Date>)>) -> String {
    spans.retain(|(from, to)| to.is_none_or(|to| *from <= to));
    spans.sort();
    let mut merged: Vec<(Date, Option<Date>)> = Vec::new();
    for (from, to) in spans {
        match merged.last_mut() {
            // Overlapping or the next day: one span.
            Some((_, last)) if last.is_none_or(|l| from.unix_days() <= l.unix_days() + 1) => {
                *last = match (*last, to) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => merged.push((from, to)),
        }
    }
    let ranges: Vec<String> = merged
        .iter()
        .map(|(from, to)| {
            let to = to.map_or_else(|| LAST_DAY.to_owned(), |d| d.to_string());
            text_range(from.to_string().as_bytes(), to.as_bytes())
        })
        .collect();
    match ranges.as_slice() {
        // No version at all: no day.
        [] => "^$.".to_owned(),
        [one] => format!("^{one}$"),
        _ => format!("^(?:{})$", ranges.join("|")),
    }
}

/// A regular expression (no anchors) for the texts shaped like `lo` (a digit where it has a
/// digit, its other characters as they are) from `lo` to `hi` in text order. For ISO dates,
/// text order is date order. `lo` and `hi` have the same shape.
fn text_range(lo: &[u8], hi: &[u8]) -> String {
    let (Some((&l, lo_rest)), Some((&h, hi_rest))) = (lo.split_first(), hi.split_first()) else {
        return String::new();
    };
    if l == h || !l.is_ascii_digit() {
        return format!("{}{}", l as char, text_range(lo_rest, hi_rest));
    }
    let fill = |rest: &[u8], digit: u8| -> Vec<u8> {
        rest.iter()
            .map(|&c| if c.is_ascii_digit() { digit } else { c })
            .collect()
    };
    let any = |rest: &[u8]| -> String {
        rest.iter()
            .map(|&c| {
                if c.is_ascii_digit() {
                    r"\d".to_owned()
                } else {
                    (c as char).to_string()
                }
            })
            .collect()
    };
    let lowest = lo_rest == fill(lo_rest, b'0').as_slice();
    let highest = hi_rest == fill(hi_rest, b'9').as_slice();
    let (mut first, mut last) = (l, h);
    let mut alternatives = Vec::new();
    if !lowest {
        let rest = text_range(lo_rest, &fill(lo_rest, b'9'));
        alternatives.push(format!("{}{rest}", l as char));
        first += 1;
    }
    if !highest {
        last -= 1;
    }
    if first <= last {
        let digits = if first == last {
            (first as char).to_string()
        } else {
            format!("[{}-{}]", first as char, last as char)
        };
        alternatives.push(format!("{digits}{}", any(lo_rest)));
    }
    if !highest {
        let rest = text_range(&fill(hi_rest, b'0'), hi_rest);
        alternatives.push(format!("{}{rest}", h as char));
    }
    match alternatives.as_slice() {
        [one] => one.clone(),
        _ => format!("(?:{})", alternatives.join("|")),
    }
}

/// The example of `POST /api/v1/check` and `POST /api/v1/cases`, the one the API page fills in:
/// a complete application that the default product finds eligible. Left out when the rule sets
/// this server runs do not decide it (another rule directory), so the page never offers an
/// example that fails.
fn example_request(kredo: &Kredo, sources: &[RuleSetSource], today: Date) -> Option<Value> {
    let in_force = kredo.select(DEFAULT_PRODUCT, today, None).ok()?;
    let source = sources
        .iter()
        .find(|s| s.product == in_force.product && s.version == in_force.version)?;
    let cases =
        crate::cases::parse(&String::from_utf8_lossy(&source.file("cases.json")?.bytes)).ok()?;
    // The most complete of the eligible cases: the fewest fields skipped or warned about,
    // then the most answers; the first of equals.
    let mut best: Option<((usize, usize), Value)> = None;
    for case in cases
        .into_iter()
        .filter(|c| c.expected.outcome == "eligible")
    {
        let answers = case.application.as_object().map_or(0, Map::len);
        let request = json!({
            "product": DEFAULT_PRODUCT,
            "language": "en",
            "application": case.application,
        });
        let Ok(text) = kredo.evaluate_json(&request.to_string(), today) else {
            continue;
        };
        let Ok(decision) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if decision.get("outcome").and_then(Value::as_str) != Some("eligible") {
            continue;
        }
        let count = |list: &str| {
            decision
                .get(list)
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        let rank = (count("skipped") + count("warnings"), usize::MAX - answers);
        if best.as_ref().is_none_or(|(b, _)| rank < *b) {
            best = Some((rank, request));
        }
    }
    best.map(|(_, request)| request)
}

/// The query of `GET /api/v1/cases`: exactly the values the route takes.
fn constrain_case_list(params: &mut [Value]) {
    let mut decisions: Vec<&str> = crate::native::audit::StaffDecision::ALL.to_vec();
    decisions.push("none");
    for param in params {
        let name = param
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let schema = match name {
            "outcome" => {
                json!({"type": "string", "enum": ["eligible", "flagged", "review", "ineligible", "invalid"]})
            }
            "decision" => json!({"type": "string", "enum": decisions}),
            "from" | "to" => json!({"type": "string", "format": "date", "pattern": any_day()}),
            "before" => json!({"type": "integer", "format": "int64", "minimum": 1}),
            "limit" => json!({"type": "integer", "minimum": 1, "maximum": 200}),
            _ => continue,
        };
        if let Some(param) = param.as_object_mut() {
            param.insert("schema".to_owned(), schema);
        }
    }
}

/// Which form of an answer a schema describes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// As a request may give it (`Application`).
    Given,
    /// As the decision's `normalized` holds it (`Normalized`).
    Canonical,
}

/// One field as the versions that ask it declare it, merged.
struct Asked<'a> {
    /// The first declaration: its texts describe the field.
    decl: &'a FieldDecl,
    /// The first compiled kind; a later one of another kind sets `kinds_differ`.
    field: &'a Field,
    kinds_differ: bool,
    /// Product → the versions that ask the field.
    by: BTreeMap<&'a str, Vec<&'a str>>,
    /// Every declaration says required.
    required: bool,
    /// Enum and purposes: every canonical value any version knows, first seen first.
    values: Vec<&'a str>,
    /// The loosest bounds: the schema accepts what any version accepts.
    min: i64,
    max: i64,
    max_length: usize,
    positive: bool,
}

impl<'a> Asked<'a> {
    fn new(field: &'a Field, decl: &'a FieldDecl) -> Asked<'a> {
        let mut asked = Asked {
            decl,
            field,
            kinds_differ: false,
            by: BTreeMap::new(),
            required: true,
            values: Vec::new(),
            min: i64::MAX,
            max: i64::MIN,
            max_length: 0,
            positive: true,
        };
        asked.add(field);
        asked
    }

    fn add(&mut self, field: &'a Field) {
        self.required &= field.required;
        if std::mem::discriminant(&field.kind) != std::mem::discriminant(&self.field.kind) {
            self.kinds_differ = true;
            return;
        }
        match &field.kind {
            Kind::Money { positive, .. } => self.positive &= *positive,
            Kind::Integer { min, max } => {
                self.min = self.min.min(*min);
                self.max = self.max.max(*max);
            }
            Kind::Enum { table, .. } | Kind::Purposes { table } => {
                for value in table.values() {
                    if !self.values.contains(&value) {
                        self.values.push(value);
                    }
                }
            }
            Kind::Text { max_length } => self.max_length = self.max_length.max(*max_length),
            Kind::Boolean | Kind::NaceCode | Kind::EnterpriseNumber | Kind::Date => {}
        }
    }
}

/// `Application` (the form a request gives) or `Normalized` (the decision's canonical form):
/// every field any version of any product asks.
fn application(kredo: &Kredo, form: Form) -> Value {
    let mut fields: Vec<Asked<'_>> = Vec::new();
    let mut versions: BTreeMap<&str, usize> = BTreeMap::new();
    for (product, sets) in kredo.registry().products() {
        versions.insert(product, sets.len());
        for rs in sets {
            for (field, decl) in rs.fields.iter().zip(rs.fields.declarations()) {
                let at = match fields.iter().position(|a| a.decl.name == field.name) {
                    Some(at) => {
                        if let Some(asked) = fields.get_mut(at) {
                            asked.add(field);
                        }
                        at
                    }
                    None => {
                        fields.push(Asked::new(field, decl));
                        fields.len() - 1
                    }
                };
                if let Some(asked) = fields.get_mut(at) {
                    asked.by.entry(product).or_default().push(&rs.version);
                }
            }
        }
    }
    let mut properties = Map::new();
    let mut required = Vec::new();
    for asked in &fields {
        let everywhere = versions
            .iter()
            .all(|(p, n)| asked.by.get(p).map(Vec::len) == Some(*n));
        properties.insert(
            asked.decl.name.clone(),
            field_schema(asked, everywhere, &versions, form),
        );
        if everywhere && asked.required {
            required.push(asked.decl.name.as_str());
        }
    }
    match form {
        Form::Given => json!({
            "type": "object",
            "description": "A complete, valid application (CONTRACT.md §2): every field any \
                product asks, each in the form the engine reads. A field left out, `null`, blank \
                text or an empty list is not given. A product ignores a field it does not ask, \
                with an `unknown_field` warning in the decision, so other keys are taken too. \
                A required field left out is no validation error: the product's rules see it \
                missing (`missing_required`).\n\nThe request takes any JSON value as its \
                application: one that does not fit here is answered all the same, with the \
                outcome `invalid` and an error per field in `errors`.",
            "properties": properties,
            "required": required,
        }),
        Form::Canonical => json!({
            "type": "object",
            "description": "The application in canonical form: only the fields that were given \
                and valid, in the order the rule set declares them; enums by their canonical \
                value, money as text with two decimals, NACE codes as `dd.ddd`, enterprise \
                numbers as `0566.988.259`.",
            "properties": properties,
            "additionalProperties": false,
        }),
    }
}

fn field_schema(
    asked: &Asked<'_>,
    everywhere: bool,
    versions: &BTreeMap<&str, usize>,
    form: Form,
) -> Value {
    let mut description = String::new();
    if let Some(text) = asked.decl.text.get(Language::En.as_str()) {
        description.push_str(&text.label);
        if let Some(hint) = &text.hint {
            description.push_str("\n\n");
            description.push_str(hint);
        }
    }
    if !everywhere {
        let by: Vec<String> = asked
            .by
            .iter()
            .map(|(product, asking)| {
                if versions.get(product) == Some(&asking.len()) {
                    format!("`{product}`")
                } else {
                    format!("`{product}` (versions {})", asking.join(", "))
                }
            })
            .collect();
        description.push_str("\n\nAsked by ");
        description.push_str(&by.join(", "));
        description.push('.');
    }
    if asked.kinds_differ {
        description.push_str("\n\nIts kind differs between products.");
        return json!({ "description": description });
    }
    let (mut schema, about) = kind_schema(asked, form);
    if let Some(about) = about {
        description.push_str("\n\n");
        description.push_str(about);
    }
    if let Some(schema) = schema.as_object_mut() {
        schema.insert("description".to_owned(), description.into());
    }
    schema
}

/// A money amount as given: a decimal text, or a JSON number read by its text (never a float),
/// within the contract's ±1,000,000.00.
const MONEY: &str = r"^-?0*(?:\d{1,6}(?:\.\d{1,2})?|1000000(?:\.00?)?)$";
/// The same, more than 0.
const MONEY_POSITIVE: &str =
    r"^0*(?:[1-9]\d{0,5}(?:\.\d{1,2})?|0\.(?:0[1-9]|[1-9]\d?)|1000000(?:\.00?)?)$";

fn money(positive: bool, form: Form) -> Value {
    match (form, positive) {
        (Form::Canonical, false) => json!({"type": "string", "pattern": r"^-?\d{1,7}\.\d{2}$"}),
        (Form::Canonical, true) => json!({"type": "string", "pattern": r"^\d{1,7}\.\d{2}$"}),
        (Form::Given, false) => json!({
            "type": ["string", "number"],
            "pattern": MONEY,
            "minimum": -1_000_000,
            "maximum": 1_000_000,
        }),
        (Form::Given, true) => json!({
            "type": ["string", "number"],
            "pattern": MONEY_POSITIVE,
            "exclusiveMinimum": 0,
            "maximum": 1_000_000,
        }),
    }
}

/// The JSON schema of a field's kind in `form`, and what the kind means to a reader.
fn kind_schema(asked: &Asked<'_>, form: Form) -> (Value, Option<&'static str>) {
    let given = form == Form::Given;
    match &asked.field.kind {
        Kind::Money { .. } => (
            money(asked.positive, form),
            given.then_some(if asked.positive {
                "An amount in euro, more than 0 and at most 1,000,000.00: a decimal text like \
                 `\"12000.00\"` (at most two decimals) or a JSON number written the same way."
            } else {
                "An amount in euro, at most 1,000,000.00 either way: a decimal text like \
                 `\"12000.00\"` (at most two decimals) or a JSON number written the same way."
            }),
        ),
        Kind::Integer { .. } => {
            let mut schema = json!({"type": "integer", "minimum": asked.min});
            // No `max` declared is no bound, not `i64::MAX`.
            if asked.max != i64::MAX
                && let Some(schema) = schema.as_object_mut()
            {
                schema.insert("maximum".to_owned(), asked.max.into());
            }
            (
                schema,
                given.then_some("A whole number; its digits as text are read too."),
            )
        }
        Kind::Enum { accept_number, .. } => {
            let mut values: Vec<Value> = asked.values.iter().map(|v| (*v).into()).collect();
            if given && *accept_number {
                // `2025` for `"2025"`: the number is read as its text.
                values.extend(
                    asked
                        .values
                        .iter()
                        .filter_map(|v| v.parse::<i64>().ok().map(Value::from)),
                );
                (
                    json!({"type": ["string", "number"], "enum": values}),
                    Some(
                        "The canonical values; other spellings the product knows are read as \
                         them, and `normalized` holds the canonical one.",
                    ),
                )
            } else {
                (
                    json!({"type": "string", "enum": values}),
                    given.then_some(
                        "The canonical values; other spellings the product knows are read as \
                         them, and `normalized` holds the canonical one.",
                    ),
                )
            }
        }
        Kind::Boolean => (json!({"type": "boolean"}), None),
        Kind::Text { .. } => (
            json!({"type": "string", "maxLength": asked.max_length}),
            None,
        ),
        Kind::NaceCode => match form {
            Form::Given => (
                json!({"type": "string", "pattern": r"^\d{2}\.?\d{3}$"}),
                Some("A NACE-BEL code, `dd.ddd` or `ddddd`; `normalized` holds it as `dd.ddd`."),
            ),
            Form::Canonical => (
                json!({"type": "string", "pattern": r"^\d{2}\.\d{3}$"}),
                None,
            ),
        },
        Kind::EnterpriseNumber => match form {
            Form::Given => (
                json!({
                    "type": "string",
                    "pattern": r"^[ ./-]*(?:[Bb][Ee][ ./-]*)?[01](?:[ ./-]*\d){9}[ ./-]*$",
                }),
                Some(
                    "A KBO/BCE enterprise number: ten digits, the first 0 or 1, the last two \
                     the check digits (97 minus the first eight modulo 97), optionally after \
                     `BE`, with spaces, dots, dashes or slashes anywhere; `normalized` holds it \
                     as `0566.988.259`.",
                ),
            ),
            Form::Canonical => (
                json!({"type": "string", "pattern": r"^[01]\d{3}\.\d{3}\.\d{3}$"}),
                None,
            ),
        },
        Kind::Date => (json!({"type": "string", "format": "date"}), None),
        Kind::Purposes { .. } => {
            let mut item = json!({
                "type": "object",
                "properties": {
                    "category": {"type": "string", "enum": asked.values},
                    "amount_eur": money(true, form),
                },
                "required": ["category", "amount_eur"],
            });
            let mut list = json!({"type": "array"});
            if form == Form::Canonical {
                if let Some(item) = item.as_object_mut() {
                    item.insert("additionalProperties".to_owned(), false.into());
                }
                if let Some(list) = list.as_object_mut() {
                    list.insert("minItems".to_owned(), 1.into());
                }
            }
            if let Some(list) = list.as_object_mut() {
                list.insert("items".to_owned(), item);
            }
            (
                list,
                Some("What the credit is for: a category and an amount in euro each."),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> (Kredo, serde_json::Value) {
        let kredo = Kredo::embedded().unwrap();
        let sources = crate::embedded::sources().unwrap();
        let doc = serde_json::from_str(&document(&kredo, &sources).unwrap()).unwrap();
        (kredo, doc)
    }

    #[test]
    fn the_application_schema_comes_from_the_declarations() {
        let (kredo, doc) = doc();
        let app = &doc["components"]["schemas"][APPLICATION_SCHEMA];
        let rs = kredo
            .registry()
            .products()
            .next()
            .unwrap()
            .1
            .last()
            .unwrap();
        for field in rs.fields.iter() {
            assert!(
                app["properties"][&field.name].is_object(),
                "{} missing: {app}",
                field.name
            );
        }
        let required: Vec<&str> = app["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let declared: Vec<&str> = rs
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(
            required
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            declared.into_iter().collect()
        );
        // Enums list their canonical values; the request and the decision point at the schemas.
        let enums = rs.fields.iter().find_map(|f| match &f.kind {
            Kind::Enum {
                table,
                accept_number: false,
            } => Some((f.name.as_str(), table.values().collect::<Vec<_>>())),
            _ => None,
        });
        let (name, values) = enums.unwrap();
        assert_eq!(app["properties"][name]["enum"], serde_json::json!(values));
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["CheckRequest"]["properties"]["application"]["anyOf"][0]["$ref"],
            "#/components/schemas/Application"
        );
        assert_eq!(
            schemas["DecisionDoc"]["properties"]["normalized"]["$ref"],
            "#/components/schemas/Normalized"
        );
        // The canonical form takes nothing else and requires nothing.
        let normalized = &schemas[NORMALIZED_SCHEMA];
        assert_eq!(normalized["additionalProperties"], false);
        assert!(normalized.get("required").is_none(), "{normalized}");
        assert_eq!(
            normalized["properties"]["amount_requested_eur"]["type"],
            "string"
        );
    }

    #[test]
    fn the_envelope_is_exact() {
        let (kredo, doc) = doc();
        let request = &doc["components"]["schemas"]["CheckRequest"];
        assert_eq!(request["additionalProperties"], false, "{request}");
        assert!(request.get("required").is_none(), "{request}");
        let props = &request["properties"];
        let versions: Vec<String> = kredo
            .registry()
            .products()
            .flat_map(|(_, sets)| sets.iter().map(|rs| rs.version.clone()))
            .collect();
        for v in &versions {
            assert!(
                props["version"]["enum"]
                    .as_array()
                    .unwrap()
                    .contains(&v.as_str().into()),
                "{v}"
            );
        }
        assert_eq!(
            props["language"]["enum"],
            serde_json::json!(["nl", "fr", "en", null])
        );
        assert_eq!(props["as_of"]["format"], "date");
        // Per product: Impulskrediet's (also a request naming no product) from 2020-07-03, the
        // other lenders' from 2025-01-01; `*` on any day some product is in force.
        let rules = request["allOf"].as_array().unwrap();
        let days = |product: &str| {
            rules
                .iter()
                .find(|r| {
                    r["if"]["properties"]["product"]["const"] == product
                        || r["if"]["anyOf"][0]["properties"]["product"]["const"] == product
                })
                .map(|r| r["then"]["else"]["properties"]["as_of"]["pattern"].clone())
                .unwrap()
        };
        let from_2020 = "^(?:2(?:0(?:2(?:0-(?:0(?:7-(?:0[3-9]|[1-9]\\d)|[8-9]-\\d\\d)|[1-9]\\d-\\d\\d)|[1-9]-\\d\\d-\\d\\d)|[3-9]\\d-\\d\\d-\\d\\d)|[1-9]\\d\\d-\\d\\d-\\d\\d)|[3-9]\\d\\d\\d-\\d\\d-\\d\\d)$";
        assert_eq!(
            days("impulskrediet"),
            from_2020,
            "the first version starts on 2020-07-03 and the last has no end"
        );
        assert_ne!(days("microstart"), from_2020);
        assert!(
            rules
                .iter()
                .any(|r| r["if"]["properties"]["product"]["const"] == "*"
                    && r["then"]["properties"]["as_of"]["pattern"] == from_2020)
        );
        // Staff requests name one product: no `*`.
        let staff = &doc["components"]["schemas"]["StaffCheckRequest"];
        assert!(
            !staff["properties"]["product"]["enum"]
                .as_array()
                .unwrap()
                .contains(&"*".into())
        );
    }

    #[test]
    fn the_invisible_characters_are_the_audit_trails() {
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let listed = INVISIBLE.iter().any(|&(a, b)| (a..=b).contains(&c));
            assert_eq!(
                crate::native::audit::has_visible_text(&c.to_string()),
                !listed,
                "U+{:04X}",
                u32::from(c)
            );
        }
        assert!(invisible_class().starts_with(r"\u0000-\u0020\u007f-\u00a0\u00ad"));
    }

    #[test]
    fn day_patterns() {
        let d = |s: &str| Date::parse(s).unwrap();
        // Checked against every day from 0001-01-01 to 9999-12-31 with Python's `re`.
        assert_eq!(
            text_range(b"2020-01-01", b"2020-12-31"),
            r"2020-(?:0(?:1-(?:0[1-9]|[1-9]\d)|[2-9]-\d\d)|1(?:[0-1]-\d\d|2-(?:[0-2]\d|3[0-1])))"
        );
        assert_eq!(
            any_day(),
            r"^(?:0(?:0(?:0[1-9]-\d\d-\d\d|[1-9]\d-\d\d-\d\d)|[1-9]\d\d-\d\d-\d\d)|[1-9]\d\d\d-\d\d-\d\d)$"
        );
        // Adjacent and overlapping spans merge; a gap stays a gap.
        assert_eq!(
            days_pattern(vec![
                (d("2021-01-01"), Some(d("2021-06-30"))),
                (d("2020-01-01"), Some(d("2020-12-31"))),
                (d("2023-01-01"), None),
            ]),
            format!(
                "^(?:{}|{})$",
                text_range(b"2020-01-01", b"2021-06-30"),
                text_range(b"2023-01-01", b"9999-99-99")
            )
        );
        assert_eq!(days_pattern(Vec::new()), "^$.");
    }

    #[test]
    fn the_example_is_a_complete_eligible_application() {
        let kredo = Kredo::embedded().unwrap();
        let sources = crate::embedded::sources().unwrap();
        // Today's, and the first day of each version still to come (the scorecard's fields
        // from 2026-12-01): the example stays complete when the next version takes over.
        let now = crate::native::today();
        let mut days = vec![now];
        days.extend(
            kredo
                .rulesets()
                .iter()
                .map(|r| r.effective_from)
                .filter(|d| *d > now),
        );
        for today in days {
            let example = example_request(&kredo, &sources, today).unwrap();
            let decision: serde_json::Value =
                serde_json::from_str(&kredo.evaluate_json(&example.to_string(), today).unwrap())
                    .unwrap();
            assert_eq!(decision["outcome"], "eligible", "{today}: {decision}");
            // Every field the version in force declares is answered.
            let in_force = kredo.select(DEFAULT_PRODUCT, today, None).unwrap();
            for field in in_force.fields.iter() {
                assert!(
                    example["application"].get(field.name.as_str()).is_some(),
                    "{today}: {} is not answered",
                    field.name
                );
            }
            for list in ["errors", "warnings", "skipped", "reasons"] {
                assert_eq!(decision[list], serde_json::json!([]), "{today}: {decision}");
            }
        }
    }
}

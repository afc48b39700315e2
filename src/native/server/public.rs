//! The routes that need no login: the self-check API, the rule-set list, health, the OpenAPI
//! document, the page directory and the JSON answers for paths and methods that do not exist;
//! with the documentation types of what they answer.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use tower_http::services::ServeDir;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Ref, Schema, SchemaType, Type};

use super::AppState;
use super::common::{JsonText, Text, with_store};
use super::error::{ApiError, ErrorBody};
use super::log;
use crate::api::RuleSetInfo;

/// The name of the application's schema, which the server builds at start from the field
/// declarations of the rule sets it runs.
pub const APPLICATION_SCHEMA: &str = "Application";

/// The name of the decision's `normalized` schema, built at start with [`APPLICATION_SCHEMA`].
pub const NORMALIZED_SCHEMA: &str = "Normalized";

/// A request's application: any JSON value, since the engine answers every application with a
/// decision; `Application` is the one that is valid.
fn application_in_request() -> RefOr<Schema> {
    AnyOfBuilder::new()
        .item(Ref::from_schema_name(APPLICATION_SCHEMA))
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .description(Some(
                    "Any other JSON value is decided too: a field that does not fit is an \
                     error in the decision's `errors` (outcome `invalid`, status 200), a \
                     required field left out fires `missing_required`, and a value that is no \
                     object at all is the error `invalid_application`.",
                )),
        )
        .description(Some(
            "The flat application of CONTRACT.md §2: the fields of the product asked \
             (`Application`). Left out, it is an empty application.",
        ))
        .into()
}

fn normalized_ref() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(NORMALIZED_SCHEMA))
}

/// A string that is one of `values`.
pub(super) fn one_of(values: &[&str]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
}

fn language() -> ObjectBuilder {
    one_of(&["nl", "fr", "en"]).description(Some("The language of every message."))
}

/// The request's `language`: `null` is the default, as leaving it out is.
fn language_or_null() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            ["nl", "fr", "en"]
                .into_iter()
                .map(serde_json::Value::from)
                .chain([serde_json::Value::Null]),
        ))
        .description(Some("`nl` (default), `fr` or `en`."))
        .examples(["en"])
}

fn outcome() -> ObjectBuilder {
    one_of(&["invalid", "ineligible", "review", "flagged", "eligible"]).description(Some(
        "`invalid`, `ineligible`, `review`, `flagged` or `eligible`.",
    ))
}

fn severity() -> ObjectBuilder {
    one_of(&["ineligible", "review", "flag", "info"])
        .description(Some("`ineligible`, `review`, `flag` or `info`."))
}

/// Liveness and readiness: the rule sets are compiled, the store answers and can be written.
#[utoipa::path(get, path = "/healthz", tag = "public",
    responses((status = 200, description = "Ready", body = Health),
              (status = 503, description = "`store_unavailable`: the audit store does not answer or cannot be written; `timeout`", body = ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    with_store(&state.readers, |store| Ok(store.ping()?))
        .await
        .map_err(|_| ApiError::StoreUnavailable)?;
    // On the writer: the connection that appends is the one whose health matters.
    let probe = with_store(&state.writer, |store| Ok(store.write_probe()))
        .await
        .map_err(|_| ApiError::StoreUnavailable)?;
    if let Err(e) = probe {
        // A SQLite message (locked, read-only): never an applicant's data.
        log::line(&format!(
            "health check: the audit store cannot be written: {e}"
        ));
        return Err(ApiError::StoreUnavailable);
    }
    Ok(Json(Health {
        status: "ok",
        engine_version: crate::ENGINE_VERSION,
        rule_sets: state.kredo.rulesets().len(),
        store: StoreHealth { writable: true },
    }))
}

/// The public self-check: the contract's request in, the decision out, byte for byte the same
/// as `kredo check` and the page. No login.
#[utoipa::path(post, path = "/api/v1/check", tag = "public",
    request_body(content = CheckRequest, content_type = "application/json"),
    responses((status = 200, description = "A decision, whatever its outcome: an application that does not fit is decided `invalid`; with `\"product\": \"*\"`, one decision per product in force and the referrals (`AllProductsDoc`)", body = DecisionDoc),
              (status = 400, description = "`invalid_json`: not JSON or not UTF-8; `invalid_request`: not an object, a key other than the envelope's, a key written twice (in the envelope or the application), a value of the wrong type; `invalid_date`; `invalid_language`; `invalid_body`: the body broke off", body = ErrorBody),
              (status = 413, description = "`body_too_large`: over the server's `--max-body-bytes`", body = ErrorBody),
              (status = 422, description = "`unknown_product`, `unknown_version`, or `no_version_in_force` on `as_of`", body = ErrorBody),
              (status = 500, description = "`rule_error`: a rule failed at run time; `internal_error`", body = ErrorBody),
              (status = 503, description = "`timeout`: over the server's `--timeout-ms`", body = ErrorBody)))]
pub async fn check(State(state): State<AppState>, Text(text): Text) -> Result<JsonText, ApiError> {
    let mut decision =
        super::common::decide(&state.kredo, text, crate::api::Audience::Public).await?;
    // `kredo check` prints the decision and a newline: the same bytes here.
    decision.push('\n');
    Ok(JsonText(StatusCode::OK, decision.into()))
}

/// Every published rule-set version: product, version, effective dates and hash.
#[utoipa::path(get, path = "/api/v1/rulesets", tag = "public",
    responses((status = 200, description = "The rule sets this server runs", body = RuleSets),
              (status = 503, description = "`timeout`", body = ErrorBody)))]
pub async fn rulesets(State(state): State<AppState>) -> Json<RuleSets> {
    Json(RuleSets {
        rulesets: state.kredo.rulesets(),
    })
}

/// Query of `GET /api/v1/schema`: which version's fields.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaQuery {
    product: Option<String>,
    as_of: Option<String>,
    version: Option<String>,
}

/// A version's fields and question pages, as declared in its rule set (labels, hints and
/// options in nl, fr and en): what forms are built from. The staff screen's intake form is.
#[utoipa::path(get, path = "/api/v1/schema", tag = "public",
    params(("product" = Option<String>, Query, description = "Product id (default impulskrediet)"),
           ("as_of" = Option<String>, Query, description = "ISO date selecting the version in force (default today); without `version`, a day one is in force (422 `no_version_in_force`)"),
           ("version" = Option<String>, Query, description = "An exact version. No other parameter is taken (400 `invalid_request`)")),
    responses((status = 200, description = "The version's fields, in declaration order, and its question pages", body = Object),
              (status = 400, description = "`invalid_request`: an unknown parameter; `invalid_date`", body = ErrorBody),
              (status = 422, description = "`unknown_product`, `unknown_version`, `no_version_in_force`", body = ErrorBody),
              (status = 503, description = "`timeout`", body = ErrorBody)))]
pub async fn schema(
    State(state): State<AppState>,
    query: Result<axum::extract::Query<SchemaQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let axum::extract::Query(query) = query?;
    let selection = crate::api::Selection {
        product: query.product.map(Into::into),
        as_of: query.as_of.map(Into::into),
        version: query.version.map(Into::into),
        language: None,
    };
    let (rs, _, _) = state
        .kredo
        .resolve(&selection, crate::native::today())
        .map_err(|e| ApiError::Request(Box::new(e)))?;
    let schema = state
        .kredo
        .schema(&rs.product, &rs.version)
        .ok_or_else(|| ApiError::Internal("no schema for a version that resolved".to_owned()))?;
    Ok(axum::response::IntoResponse::into_response(Json(schema)))
}

/// The OpenAPI document, made once at start.
pub async fn openapi_json(State(state): State<AppState>) -> JsonText {
    JsonText(StatusCode::OK, state.openapi_json.clone())
}

/// The rule sets this server runs, as the page loads and compiles them: the same files, so the
/// page decides with the API's rules and shows the same hash, whatever `--rules` says. Never
/// cached without asking: a restart with other rules must reach the page.
pub async fn rules_json(State(state): State<AppState>) -> Response {
    let [page, _] = &state.rules_json;
    bundle_response(page.clone())
}

/// The same with each version's cases, for the playground.
pub async fn rules_with_cases_json(State(state): State<AppState>) -> Response {
    let [_, with_cases] = &state.rules_json;
    bundle_response(with_cases.clone())
}

fn bundle_response(body: axum::body::Bytes) -> Response {
    use axum::response::IntoResponse as _;
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// `/api/…` paths that do not exist get a JSON 404; everything else is the page directory.
pub async fn fallback(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    if request.uri().path().starts_with("/api/") {
        return Err(ApiError::NoRoute);
    }
    let mut www = ServeDir::clone(&state.www);
    let response = www.try_call(request).await.map_err(|_| ApiError::NoPage)?;
    Ok(response.map(axum::body::Body::new))
}

/// A route asked with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The answer of `/healthz`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`: any other state answers 503.
    #[schema(schema_with = ok)]
    pub status: &'static str,
    /// The engine's version.
    pub engine_version: &'static str,
    /// How many rule-set versions the server runs.
    pub rule_sets: usize,
    /// The audit store's health.
    pub store: StoreHealth,
}

fn ok() -> ObjectBuilder {
    one_of(&["ok"]).description(Some("Always `ok`: any other state answers 503."))
}

/// The audit store in `/healthz`.
#[derive(Serialize, ToSchema)]
pub struct StoreHealth {
    /// Always `true`: a store that cannot take the write lock or is open read-only answers 503.
    /// Checked by taking the lock and rolling back, so the audit trail does not grow.
    pub writable: bool,
}

/// The answer of `/api/v1/rulesets`.
#[derive(Serialize, ToSchema)]
pub struct RuleSets {
    /// Every version of every product.
    #[schema(value_type = Vec<RuleSetInfoDoc>)]
    pub rulesets: Vec<RuleSetInfo>,
}

/// One rule-set version.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct RuleSetInfoDoc {
    /// Product id.
    pub product: String,
    /// Version id.
    pub version: String,
    /// The product's name.
    pub title: String,
    /// First day in force.
    #[schema(format = Date)]
    pub effective_from: String,
    /// Last day in force, if a later version follows.
    #[schema(format = Date)]
    pub effective_to: Option<String>,
    /// `sha256:…` over the version's files.
    pub hash: String,
}

/// CONTRACT.md §1: the envelope around an application. No other key is taken (400
/// `invalid_request`), and `null` is the same as leaving a key out.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct CheckRequest {
    /// Product id; default `impulskrediet`. One of the products this server runs (422
    /// `unknown_product`).
    #[schema(example = "impulskrediet")]
    pub product: Option<String>,
    /// ISO date (`YYYY-MM-DD`, years 0001 to 9999; 400 `invalid_date`) that selects the
    /// version in force; default today (Europe/Brussels). Without `version` it must be a day
    /// one of the product's versions is in force (422 `no_version_in_force`).
    #[schema(example = "2026-11-22")]
    pub as_of: Option<String>,
    /// Pins an exact version of the product instead of `as_of` (422 `unknown_version`).
    pub version: Option<String>,
    /// `nl` (default), `fr` or `en` (400 `invalid_language`).
    #[schema(schema_with = language_or_null)]
    pub language: Option<String>,
    /// The flat application of CONTRACT.md §2.
    #[schema(schema_with = application_in_request)]
    pub application: Option<serde_json::Value>,
}

/// CONTRACT.md §4: the decision. Documentation only: the server passes the facade's bytes
/// through, so this type cannot change what the API returns.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct DecisionDoc {
    /// `invalid`, `ineligible`, `review`, `flagged` or `eligible`.
    #[schema(schema_with = outcome)]
    pub outcome: String,
    /// Product id.
    pub product: String,
    /// The version that decided.
    pub rule_set: RuleSetRefDoc,
    /// The day the decision is for.
    #[schema(format = Date)]
    pub as_of: String,
    /// The language of every message.
    #[schema(schema_with = language)]
    pub language: String,
    /// Every rule that fired, by severity then id.
    pub reasons: Vec<ReasonDoc>,
    /// Validation errors (only with `invalid`).
    pub errors: Vec<FieldIssueDoc>,
    /// Rules that could not run, with the fields they missed.
    pub skipped: Vec<SkippedDoc>,
    /// Unknown fields: fields the product does not ask.
    pub warnings: Vec<FieldIssueDoc>,
    /// Present when amount and term are valid.
    pub indicative: Option<IndicativeDoc>,
    /// Staff only, when asked for (`"score": true`), the version has a scorecard and the
    /// application is not `invalid` (CONTRACT.md §6). Never in a public answer.
    pub score: Option<ScoreDoc>,
    /// For `ineligible` and `review` only: the nearest changes to the amount or the term that
    /// give a better outcome, best outcome first (CONTRACT.md §8); `[]` when none would.
    pub suggestions: Option<Vec<SuggestionDoc>>,
    /// The application in canonical form.
    #[schema(schema_with = normalized_ref)]
    pub normalized: serde_json::Value,
}

/// What would change the outcome: exactly what evaluating the changed application gives.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct SuggestionDoc {
    /// The answers to change: `amount_requested_eur` with `funding_purposes` scaled to it, or
    /// `term_months`.
    pub changes: serde_json::Value,
    /// The outcome with them.
    #[schema(schema_with = outcome)]
    pub outcome: String,
    /// The reasons with them.
    pub reasons: Vec<ReasonDoc>,
    /// One sentence for the applicant, in the request's language.
    pub message: String,
    /// The indicative instalment with them.
    pub indicative: Option<IndicativeDoc>,
}

/// A lender that may help (CONTRACT.md §7): a product whose own outcome is `eligible`,
/// `flagged` or `review`.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct ReferralDoc {
    /// Product id.
    pub product: String,
    /// The lender's name.
    pub title: String,
    /// That product's outcome.
    #[schema(schema_with = outcome)]
    pub outcome: String,
    /// The lender's public page.
    pub url: Option<String>,
    /// Whom the lender helps and what the outcome means there.
    pub message: String,
}

/// The answer to `"product": "*"` (CONTRACT.md §7): one decision per product in force, by
/// product id, and the referrals, best outcome first.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct AllProductsDoc {
    /// The day the decisions are for.
    #[schema(format = Date)]
    pub as_of: String,
    /// The language of every message.
    #[schema(schema_with = language)]
    pub language: String,
    /// One decision per product in force.
    pub decisions: Vec<DecisionDoc>,
    /// The products that may help.
    pub referrals: Vec<ReferralDoc>,
}

/// The staff scorecard's score (CONTRACT.md §6): points never change the outcome.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct ScoreDoc {
    /// Every attribute's points.
    pub total: u32,
    /// The most points there are (100).
    pub max: u32,
    /// `A` ≥ 75, `B` 60–74, `C` 40–59, `D` < 40.
    pub band: String,
    /// Each pillar, in order.
    pub pillars: Vec<PillarScoreDoc>,
    /// One per attribute that lost points, by points lost, then pillar and attribute order;
    /// the first four are the principal reasons.
    pub reasons: Vec<ScoreReasonDoc>,
}

/// One pillar of the score.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct PillarScoreDoc {
    /// `information`, `financial_health` or `plan_risk`.
    pub id: String,
    /// Its attributes' points.
    pub points: u32,
    /// The most it can give.
    pub max: u32,
    /// Its attributes, in order.
    pub attributes: Vec<AttributeScoreDoc>,
}

/// One attribute of the score.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct AttributeScoreDoc {
    /// The attribute id.
    pub id: String,
    /// Its points; 0 when unknown.
    pub points: u32,
    /// The most it can give.
    pub max: u32,
    /// Whether every answer it needs was given.
    pub known: bool,
}

/// Why the score is not higher.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct ScoreReasonDoc {
    /// `SCORE_` and the attribute id in capitals.
    pub id: String,
    /// The attribute's maximum less its points.
    pub points_lost: u32,
    /// What would raise the score, in the decision's language.
    pub message: String,
}

/// The version that decided.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct RuleSetRefDoc {
    /// Version id.
    pub version: String,
    /// Its first day in force.
    #[schema(format = Date)]
    pub effective_from: String,
    /// `sha256:…` over the rule set's files.
    pub hash: String,
}

/// A rule that fired.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct ReasonDoc {
    /// Rule id.
    pub id: String,
    /// `ineligible`, `review`, `flag` or `info`.
    #[schema(schema_with = severity)]
    pub severity: String,
    /// Why, in the request's language.
    pub message: String,
    /// The fields it read.
    pub fields: Vec<String>,
}

/// A problem with one answer.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct FieldIssueDoc {
    /// The field.
    pub field: String,
    /// A stable code, e.g. `unknown_value`.
    pub code: String,
    /// Why, in the request's language.
    pub message: String,
}

/// A rule not run.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct SkippedDoc {
    /// Rule id.
    pub id: String,
    /// The answers it needs.
    pub missing: Vec<String>,
}

/// The indicative cost of the credit.
#[derive(ToSchema)]
#[allow(dead_code, reason = "a documentation type: only its schema is used")]
pub struct IndicativeDoc {
    /// The product's rate.
    pub annual_rate: String,
    /// The instalment.
    pub monthly_instalment_eur: String,
    /// All instalments together.
    pub total_repayable_eur: String,
}

//! The staff routes, each behind a bearer token: screening a case into the audit trail, staff
//! decisions on it, its history, and batch screening; with the documentation types of what they
//! take and answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};

use super::AppState;
use super::common::{RawBody, Text, with_store};
use super::error::{ApiError, ErrorBody};
use super::log;
use super::public::{CheckRequest, DecisionDoc};
use crate::api::Selection;
use crate::native::audit::{self, Entry, NewEntry, StaffDecision};
use crate::native::{auth, batch, today};

/// The staff member behind a request's bearer token: the name the audit trail records. A
/// request without a valid token is answered 401 before its body is read.
pub struct Staff(pub String);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Staff, ApiError> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or(ApiError::Unauthorized(
            "staff routes need an `Authorization: Bearer <token>` header; a token is made with `kredo staff add NAME`",
        ))?;
        let token =
            value
                .to_str()
                .ok()
                .and_then(auth::bearer_token)
                .ok_or(ApiError::Unauthorized(
                    "the Authorization header must be `Bearer <token>`",
                ))?;
        let hash = auth::token_hash(token);
        with_store(&state.readers, move |store| {
            Ok(store.staff_for_token_hash(&hash)?)
        })
        .await?
        .map(Staff)
        .ok_or(ApiError::Unauthorized("the token is not valid"))
    }
}

/// The 401 answer of every staff route.
const UNAUTHORIZED: &str =
    "`unauthorized`: no `Authorization: Bearer <token>` header, or not a valid token";

/// The parts of a decision a case records next to it.
#[derive(Deserialize)]
struct DecisionSummary {
    outcome: String,
    product: String,
    rule_set: RuleSetSummary,
    as_of: String,
    language: String,
    normalized: serde_json::Value,
}

#[derive(Deserialize)]
struct RuleSetSummary {
    version: String,
    hash: String,
}

/// A case entry's body as stored and hashed: the request as sent, the decision as made.
#[derive(Serialize)]
struct CaseBody<'a> {
    case_id: &'a str,
    engine_version: &'a str,
    product: &'a str,
    version: &'a str,
    rule_set_hash: &'a str,
    as_of: &'a str,
    language: &'a str,
    outcome: &'a str,
    raw_request: &'a str,
    normalized: &'a serde_json::Value,
    decision: &'a RawValue,
}

/// A staff decision entry's body as stored and hashed.
#[derive(Serialize)]
struct DecisionBody<'a> {
    case_id: &'a str,
    decision: &'a str,
    motivation: &'a str,
    engine_outcome: &'a str,
    #[serde(rename = "override")]
    overrides: bool,
    corrects: Option<i64>,
}

/// A screened and recorded case.
#[derive(Serialize, ToSchema)]
pub struct CaseCreated<'a> {
    /// The new case's id.
    #[schema(example = "c_3f9a0c6e2b7d4e15")]
    pub case_id: &'a str,
    /// The entry's place in the audit chain.
    pub seq: i64,
    /// The entry's hash.
    pub hash: &'a str,
    /// When it was recorded (UTC).
    pub recorded_at: &'a str,
    /// Who recorded it.
    pub staff: &'a str,
    /// The decision, byte for byte the same as the public check's.
    #[schema(value_type = DecisionDoc)]
    pub decision: &'a RawValue,
}

/// A staff member's decision on a case. No other key is taken (400 `invalid_json`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "ask_information", "motivation": "The business plan is a draft: ask for the final one before deciding."}))]
pub struct StaffDecisionInput {
    /// `approve`, `refer_elsewhere`, `ask_information` or `decline`.
    #[schema(schema_with = decision_schema)]
    pub decision: String,
    /// Why; required.
    #[schema(schema_with = motivation_schema)]
    pub motivation: String,
    /// The `seq` of an earlier decision on this case that this one corrects.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(schema_with = corrects_schema)]
    pub corrects: Option<i64>,
}

fn decision_schema() -> ObjectBuilder {
    super::public::one_of(&StaffDecision::ALL)
        .description(Some(
            "`approve`, `refer_elsewhere`, `ask_information` or `decline` (also read with other \
             capitals and surrounding white space; anything else is 422 `invalid_request`).",
        ))
        .examples(["ask_information"])
}

/// What the motivation check below takes.
fn motivation_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    super::openapi::motivation(MAX_MOTIVATION_CHARS)
}

fn corrects_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(1))
        .maximum(Some(i64::MAX))
        .description(Some(
            "The `seq` of an earlier decision on this case that this one corrects; it must be \
             one (422 `invalid_request` otherwise).",
        ))
}

/// `corrects`: a whole number, also when written `3.0` or `3e0` (JSON Schema's integers are
/// values, not spellings), exactly, never through a float; `null` is none.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error as _;
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_i64() {
        return Ok(Some(n));
    }
    // With `arbitrary_precision`, the number's own text.
    let text = number.to_string();
    let value = if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text)
    } else {
        Decimal::from_str_exact(&text)
    };
    value
        .ok()
        .filter(|v| v.fract().is_zero())
        .and_then(|v| i64::try_from(v).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("`corrects` must be a whole number, not {text}")))
}

/// One audit entry, its body as stored.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry<'a> {
    /// Its place in the chain.
    pub seq: i64,
    /// `case` or `decision`.
    #[schema(schema_with = entry_kind)]
    pub kind: &'a str,
    /// When it was recorded (UTC).
    pub recorded_at: &'a str,
    /// Who recorded it.
    pub staff: &'a str,
    /// The previous entry's hash.
    pub prev_hash: &'a str,
    /// This entry's hash, over its content and `prev_hash`.
    pub hash: &'a str,
    /// For `case`: ids, product, version, rule-set hash, engine version, outcome, the raw
    /// request, the normalized application and the full decision. For `decision`: decision,
    /// motivation, engine_outcome, override, corrects.
    #[schema(value_type = Object)]
    pub body: &'a RawValue,
}

fn entry_kind() -> ObjectBuilder {
    super::public::one_of(&["case", "decision"]).description(Some("`case` or `decision`."))
}

impl<'a> TryFrom<&'a Entry> for AuditEntry<'a> {
    type Error = ApiError;

    fn try_from(entry: &'a Entry) -> Result<AuditEntry<'a>, ApiError> {
        let body = serde_json::from_str(&entry.body).map_err(|e| {
            ApiError::Internal(format!("entry {} holds no JSON body: {e}", entry.seq))
        })?;
        Ok(AuditEntry {
            seq: entry.seq,
            kind: &entry.kind,
            recorded_at: &entry.recorded_at,
            staff: &entry.staff_name,
            prev_hash: &entry.prev_hash,
            hash: &entry.hash,
            body,
        })
    }
}

/// A case's history.
#[derive(Serialize, ToSchema)]
pub struct CaseHistory<'a> {
    /// The case id.
    pub case_id: &'a str,
    /// Its entries, oldest first.
    pub entries: Vec<AuditEntry<'a>>,
}

/// Screens an application and records it as a new case in the audit trail.
#[utoipa::path(post, path = "/api/v1/cases", tag = "staff", security(("bearer" = [])),
    request_body(content = CheckRequest, content_type = "application/json"),
    responses((status = 201, description = "The case was screened and recorded, whatever the decision's outcome", body = CaseCreated,
                  headers(("Location" = String, description = "`/api/v1/cases/{case_id}`: the case's history"))),
              (status = 400, description = "As `POST /api/v1/check`: `invalid_json`, `invalid_request`, `invalid_date`, `invalid_language`, `invalid_body`", body = ErrorBody),
              (status = 401, description = UNAUTHORIZED, body = ErrorBody, headers(("WWW-Authenticate" = String))),
              (status = 413, description = "`body_too_large`", body = ErrorBody),
              (status = 422, description = "`unknown_product`, `unknown_version`, `no_version_in_force`", body = ErrorBody),
              (status = 500, description = "`store_error`: nothing was recorded; `rule_error`; `internal_error`", body = ErrorBody),
              (status = 503, description = "`timeout`", body = ErrorBody)))]
pub async fn create_case(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Text(text): Text,
) -> Result<Response, ApiError> {
    // A case is one product's application; every product at once is for `/api/v1/check`.
    #[derive(serde::Deserialize)]
    struct Product<'a> {
        #[serde(default, borrow)]
        product: Option<std::borrow::Cow<'a, str>>,
    }
    if serde_json::from_str::<Product<'_>>(&text)
        .is_ok_and(|p| p.product.as_deref() == Some(crate::api::ALL_PRODUCTS))
    {
        return Err(ApiError::Invalid {
            field: "product",
            message: "a case records one product's decision: name the product (ask every product at once, `*`, on /api/v1/check)".to_owned(),
        });
    }
    let decision =
        super::common::decide(&state.kredo, text.clone(), crate::api::Audience::Staff).await?;
    let unreadable = |e: serde_json::Error| ApiError::Internal(format!("unreadable decision: {e}"));
    let summary: DecisionSummary = serde_json::from_str(&decision).map_err(unreadable)?;
    let decision: &RawValue = serde_json::from_str(&decision).map_err(unreadable)?;
    let case_id =
        audit::new_case_id().map_err(|e| ApiError::Internal(format!("no random source: {e}")))?;
    let body = serde_json::to_string(&CaseBody {
        case_id: &case_id,
        engine_version: crate::ENGINE_VERSION,
        product: &summary.product,
        version: &summary.rule_set.version,
        rule_set_hash: &summary.rule_set.hash,
        as_of: &summary.as_of,
        language: &summary.language,
        outcome: &summary.outcome,
        raw_request: &text,
        normalized: &summary.normalized,
        decision,
    })
    .map_err(|e| ApiError::Internal(format!("cannot write the case: {e}")))?;
    let new = NewEntry {
        case_id,
        kind: "case",
        recorded_at: audit::now_utc(),
        staff_name: staff,
        body,
    };
    let entry = with_store(&state.writer, move |store| Ok(store.append(&new)?)).await?;
    let created = CaseCreated {
        case_id: &entry.case_id,
        seq: entry.seq,
        hash: &entry.hash,
        recorded_at: &entry.recorded_at,
        staff: &entry.staff_name,
        decision,
    };
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    if let Ok(location) = HeaderValue::try_from(format!("/api/v1/cases/{}", entry.case_id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Longest motivation kept (characters).
const MAX_MOTIVATION_CHARS: usize = 10_000;

/// Records a staff member's own decision on a case, flagged as an override when it goes
/// against the engine's outcome. A correction is a new entry that names the one it corrects.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decisions", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The case id", example = "c_3f9a0c6e2b7d4e15")),
    request_body(content = StaffDecisionInput, content_type = "application/json"),
    responses((status = 201, description = "The decision was recorded", body = AuditEntry),
              (status = 400, description = "`invalid_json`: not JSON, not the keys above or of the wrong type, or not UTF-8; `invalid_body`", body = ErrorBody),
              (status = 401, description = UNAUTHORIZED, body = ErrorBody, headers(("WWW-Authenticate" = String))),
              (status = 404, description = "`unknown_case`", body = ErrorBody),
              (status = 413, description = "`body_too_large`", body = ErrorBody),
              (status = 422, description = "`invalid_request` with its `field`: an unknown `decision`, a `motivation` with no visible text or too long, a `corrects` that is no staff decision on this case", body = ErrorBody),
              (status = 500, description = "`store_error`: nothing was recorded; `internal_error`", body = ErrorBody),
              (status = 503, description = "`timeout`", body = ErrorBody)))]
pub async fn record_decision(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(case_id): Path<String>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let input: StaffDecisionInput =
        serde_json::from_slice(body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body))
            .map_err(ApiError::BadDecisionJson)?;
    let decision = StaffDecision::parse(&input.decision).ok_or_else(|| ApiError::Invalid {
        field: "decision",
        message: format!(
            "`decision` must be one of {}",
            StaffDecision::ALL.join(", ")
        ),
    })?;
    let motivation = input.motivation.trim().to_owned();
    if !audit::has_visible_text(&motivation) {
        return Err(ApiError::Invalid {
            field: "motivation",
            message: "a decision needs a written motivation: `motivation` has no visible text"
                .to_owned(),
        });
    }
    if motivation.chars().count() > MAX_MOTIVATION_CHARS {
        return Err(ApiError::Invalid {
            field: "motivation",
            message: format!("a motivation is at most {MAX_MOTIVATION_CHARS} characters"),
        });
    }
    let corrects = input.corrects;
    let entry = with_store(&state.writer, move |store| {
        // Read and append under the same lock, so the case and `corrects` cannot change between.
        let entries = store.case_entries(&case_id)?;
        let Some(case) = entries.iter().find(|e| e.kind == "case") else {
            return Err(ApiError::UnknownCase(case_id));
        };
        let engine_outcome = serde_json::from_str::<serde_json::Value>(&case.body)
            .ok()
            .and_then(|v| v.get("outcome").and_then(|o| o.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let corrects_other =
            corrects.filter(|&seq| !entries.iter().any(|e| e.seq == seq && e.kind == "decision"));
        if let Some(seq) = corrects_other {
            return Err(ApiError::Invalid {
                field: "corrects",
                message: format!("entry {seq} is not a staff decision on case {case_id}"),
            });
        }
        let body = serde_json::to_string(&DecisionBody {
            case_id: &case_id,
            decision: decision.as_str(),
            motivation: &motivation,
            engine_outcome: &engine_outcome,
            overrides: decision.is_override(&engine_outcome),
            corrects,
        })
        .map_err(|e| ApiError::Internal(format!("cannot write the decision: {e}")))?;
        let new = NewEntry {
            case_id,
            kind: "decision",
            recorded_at: audit::now_utc(),
            staff_name: staff,
            body,
        };
        Ok(store.append(&new)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(AuditEntry::try_from(&entry)?)).into_response())
}

/// A case's full history: the screening and every staff decision, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The case id", example = "c_3f9a0c6e2b7d4e15")),
    responses((status = 200, description = "The case's entries, oldest first", body = CaseHistory),
              (status = 401, description = UNAUTHORIZED, body = ErrorBody, headers(("WWW-Authenticate" = String))),
              (status = 404, description = "`unknown_case`", body = ErrorBody),
              (status = 500, description = "`store_error`; `internal_error`", body = ErrorBody),
              (status = 503, description = "`timeout`", body = ErrorBody)))]
pub async fn case_history(
    State(state): State<AppState>,
    _staff: Staff,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    let (case_id, entries) = with_store(&state.readers, move |store| {
        let entries = store.case_entries(&case_id)?;
        if entries.is_empty() {
            return Err(ApiError::UnknownCase(case_id));
        }
        Ok((case_id, entries))
    })
    .await?;
    let history = CaseHistory {
        case_id: &case_id,
        entries: entries
            .iter()
            .map(AuditEntry::try_from)
            .collect::<Result<_, _>>()?,
    };
    Ok(Json(history).into_response())
}

/// Query of `POST /api/v1/batch`: the options every row is screened with.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchQuery {
    product: Option<String>,
    as_of: Option<String>,
    version: Option<String>,
    #[serde(alias = "language")]
    lang: Option<String>,
    /// Add the scorecard's columns.
    #[serde(default)]
    score: bool,
    /// Answer JSON with the CSV and the report (`kredo batch --report`) instead of the CSV.
    #[serde(default)]
    report: bool,
}

/// `POST /api/v1/batch?report=true`: the output CSV and the report, in one answer.
#[derive(Serialize, ToSchema)]
pub struct BatchWithReport {
    /// The same CSV as without `report`.
    pub csv: String,
    /// The report: one self-contained HTML document (no script, nothing fetched).
    pub report_html: String,
    /// Rows screened.
    pub rows: usize,
    /// Rows that could not be read or were decided `invalid`.
    pub rows_with_errors: usize,
    /// Header cells that name no field, ignored.
    pub unknown_columns: Vec<String>,
}

/// Screens a CSV of applications (one a row); answers the same CSV with decision columns.
/// Nothing is recorded in the audit trail: a batch is a pre-screening.
#[utoipa::path(post, path = "/api/v1/batch", tag = "staff", security(("bearer" = [])),
    params(("product" = Option<String>, Query, description = "Product id (default impulskrediet)"),
           ("as_of" = Option<String>, Query, description = "ISO date selecting the version in force; without `version`, a day one is in force (422 `no_version_in_force`)"),
           ("version" = Option<String>, Query, description = "An exact version"),
           ("lang" = Option<String>, Query, description = "nl, fr or en; also spelled `language`. No other parameter is taken (400 `invalid_request`)"),
           ("score" = Option<bool>, Query, description = "`true` adds the scorecard's columns: score_total, score_band, score_reasons (the four principal reasons)"),
           ("report" = Option<bool>, Query, description = "`true` answers JSON (`BatchWithReport`): the same CSV and the report, a self-contained HTML document with outcome counts, reason frequency, the score by band and the amounts requested")),
    request_body(content = String, content_type = "text/csv",
        description = "Header row of the product's flat field names, no column named twice (case-insensitively); `,` or `;`; UTF-8 or Windows-1252; purposes as `category:amount;category:amount`",
        example = "legal_form,region,business_status,activity_type,amount_requested_eur,term_months,funding_purposes\neenmanszaak,flanders,started,main,9500.00,36,investment:6000.00;working_capital:3500.00\n"),
    responses((status = 200, description = "The input columns plus outcome, reason_ids, messages, monthly_instalment_eur, errors (and the score's with `score`); with `report`, JSON with that CSV and the report",
                  content((String = "text/csv"), (BatchWithReport = "application/json")),
                  headers(("x-kredo-rows" = u64, description = "Rows screened"),
                          ("x-kredo-rows-with-errors" = u64, description = "Rows that could not be read or were decided `invalid`"),
                          ("x-kredo-unknown-columns" = String, description = "Header cells that name no field, ignored: `, `-separated, percent-encoded beyond visible ASCII; absent when there are none"))),
              (status = 400, description = "`invalid_csv`: empty, or the header is unreadable or names a column twice; `invalid_request`: a bad query; `invalid_date`; `invalid_language`; `invalid_body`", body = ErrorBody),
              (status = 401, description = UNAUTHORIZED, body = ErrorBody, headers(("WWW-Authenticate" = String))),
              (status = 413, description = "`body_too_large`: over the server's `--max-batch-bytes`", body = ErrorBody),
              (status = 422, description = "`unknown_product`, `unknown_version`, `no_version_in_force`", body = ErrorBody),
              (status = 500, description = "`internal_error`", body = ErrorBody),
              (status = 503, description = "`timeout`: over the server's `--batch-timeout-ms`", body = ErrorBody)))]
pub async fn batch_route(
    State(state): State<AppState>,
    _staff: Staff,
    query: Result<Query<BatchQuery>, QueryRejection>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let lang = query
        .lang
        .as_deref()
        .and_then(crate::model::Language::parse)
        .unwrap_or_default();
    let selection = Selection {
        product: query.product.map(Into::into),
        as_of: query.as_of.map(Into::into),
        version: query.version.map(Into::into),
        language: query.lang.map(Into::into),
    };
    let score = query.score;
    let report = query.report;
    let report_selection = selection.clone();
    let kredo = Arc::clone(&state.kredo);
    let day = today();
    let cancel = CancelOnDrop::default();
    let flag = Arc::clone(&cancel.0);
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        let screened = AtomicUsize::new(0);
        let result = batch::run_cancellable(
            &kredo,
            &body,
            &selection,
            day,
            batch::Options {
                score,
                summary: report,
            },
            &screened,
            &flag,
        );
        if matches!(result, Err(batch::BatchError::Cancelled)) {
            // Counts only: how far the batch got and how long it ran, never a row.
            log::line(&format!(
                "batch cancelled after {} rows in {} ms (request timed out or client left)",
                screened.load(Ordering::Relaxed),
                started.elapsed().as_millis()
            ));
        }
        result
    })
    .await
    .map_err(|_| ApiError::Internal("the batch task failed".to_owned()))??;
    drop(cancel);
    if let Some(summary) = &out.summary {
        let rule_set = state
            .kredo
            .resolve(&report_selection, day)
            .map(|(rs, _, _)| format!("{} {} ({})", rs.product, rs.version, rs.hash))
            .unwrap_or_default();
        let report_html =
            crate::native::report::html(&out, summary, lang, "POST /api/v1/batch", &rule_set);
        let body = BatchWithReport {
            csv: String::from_utf8_lossy(&out.csv).into_owned(),
            report_html,
            rows: out.rows,
            rows_with_errors: out.rows_with_errors,
            unknown_columns: out.unknown_columns.clone(),
        };
        return Ok(Json(body).into_response());
    }
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        ),
        (
            HeaderName::from_static("x-kredo-rows"),
            HeaderValue::from(out.rows),
        ),
        (
            HeaderName::from_static("x-kredo-rows-with-errors"),
            HeaderValue::from(out.rows_with_errors),
        ),
    ];
    let mut response = (StatusCode::OK, headers, out.csv).into_response();
    if !out.unknown_columns.is_empty() {
        response.headers_mut().insert(
            HeaderName::from_static("x-kredo-unknown-columns"),
            header_list(&out.unknown_columns),
        );
    }
    Ok(response)
}

/// Names as one header value, `, `-separated; a byte that is not visible ASCII (or is `%` or
/// `,`) is percent-encoded, so any column name fits a header and reads back unchanged.
fn header_list(names: &[String]) -> HeaderValue {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for b in name.bytes() {
            if (b.is_ascii_graphic() && b != b'%' && b != b',') || b == b' ' {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    HeaderValue::try_from(out).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Sets its flag when dropped. The batch route holds one while its screening runs on a
/// blocking thread: when the route's timeout fires or the client leaves, the request's future
/// is dropped, and the blocking work, which cannot be dropped, sees the flag and stops.
#[derive(Default)]
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Query of `GET /api/v1/cases`: every filter optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasesQuery {
    outcome: Option<String>,
    staff: Option<String>,
    from: Option<String>,
    to: Option<String>,
    decision: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

/// The most cases one page holds, and how many without `limit`.
const MAX_PAGE: u32 = 200;
const DEFAULT_PAGE: u32 = 50;

/// One case in the list.
#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    /// The case id.
    pub case_id: String,
    /// The screening's place in the audit chain: the list's order.
    pub seq: i64,
    /// When it was screened (UTC).
    pub recorded_at: String,
    /// Who screened it.
    pub staff: String,
    /// Product id.
    pub product: String,
    /// The version that decided.
    pub version: String,
    /// The engine's outcome.
    pub outcome: String,
    /// The score's total, when screened with one.
    pub score_total: Option<i64>,
    /// The score's band, when screened with one.
    pub score_band: Option<String>,
    /// The latest staff decision, if any.
    pub staff_decision: Option<StaffDecisionSummary>,
}

/// The latest staff decision on a case.
#[derive(Serialize, ToSchema)]
pub struct StaffDecisionSummary {
    /// `approve`, `refer_elsewhere`, `ask_information` or `decline`.
    pub decision: String,
    /// Whether it goes against the engine's outcome.
    #[serde(rename = "override")]
    pub overrides: bool,
    /// Who made it.
    pub staff: String,
    /// When (UTC).
    pub recorded_at: String,
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// Newest first.
    pub cases: Vec<CaseSummary>,
    /// The next (older) page with the same filters, when there is one.
    pub next: Option<String>,
}

/// The cases, newest first: filtered by outcome, staff member, day and staff decision, a
/// page at a time. Only what the list shows; a case's answers are in its history.
#[utoipa::path(get, path = "/api/v1/cases", tag = "staff", security(("bearer" = [])),
    params(("outcome" = Option<String>, Query, description = "The engine's outcome: eligible, flagged, review, ineligible or invalid"),
           ("staff" = Option<String>, Query, description = "Who screened the case, as the audit trail names them"),
           ("from" = Option<String>, Query, description = "Screened on or after this day (YYYY-MM-DD, UTC)"),
           ("to" = Option<String>, Query, description = "Screened on or before this day (YYYY-MM-DD, UTC)"),
           ("decision" = Option<String>, Query, description = "The latest staff decision: approve, refer_elsewhere, ask_information or decline; `none` for cases not decided yet"),
           ("before" = Option<i64>, Query, description = "Only cases older than this `seq`: the cursor `next` carries"),
           ("limit" = Option<u32>, Query, description = "At most this many, 1 to 200 (default 50). No other parameter is taken (400 `invalid_request`)")),
    responses((status = 200, description = "A page of cases, newest first", body = CaseList),
              (status = 400, description = "`invalid_request`: an unknown parameter or value; `invalid_date`", body = ErrorBody),
              (status = 401, description = UNAUTHORIZED, body = ErrorBody, headers(("WWW-Authenticate" = String))),
              (status = 500, description = "`store_error`; `internal_error`", body = ErrorBody),
              (status = 503, description = "`timeout`", body = ErrorBody)))]
pub async fn list_cases(
    State(state): State<AppState>,
    _staff: Staff,
    query: Result<Query<CasesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    const OUTCOMES: [&str; 5] = ["eligible", "flagged", "review", "ineligible", "invalid"];
    if let Some(outcome) = &query.outcome
        && !OUTCOMES.contains(&outcome.as_str())
    {
        return Err(ApiError::BadQuery(format!(
            "`outcome` must be one of {}",
            OUTCOMES.join(", ")
        )));
    }
    if let Some(decision) = &query.decision
        && decision != "none"
        && !StaffDecision::ALL.contains(&decision.as_str())
    {
        return Err(ApiError::BadQuery(format!(
            "`decision` must be one of {}, or none",
            StaffDecision::ALL.join(", ")
        )));
    }
    for (name, day) in [("from", &query.from), ("to", &query.to)] {
        if let Some(day) = day
            && crate::Date::parse(day).is_none()
        {
            return Err(ApiError::Request(Box::new(
                crate::RequestError::new(
                    crate::ErrorCode::InvalidDate,
                    format!("`{name}`: `{day}` is not a date like 2026-11-22"),
                )
                .field(if name == "from" { "from" } else { "to" }),
            )));
        }
    }
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadQuery(format!(
            "`limit` must be from 1 to {MAX_PAGE}"
        )));
    }
    if query.before.is_some_and(|b| b < 1) {
        return Err(ApiError::BadQuery("`before` must be 1 or more".to_owned()));
    }
    let filter = crate::native::store::CaseFilter {
        outcome: query.outcome.clone(),
        staff: query.staff.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        before: query.before,
        decision: query.decision.clone(),
        // One more than the page: whether there is a next one.
        limit: limit + 1,
    };
    let mut rows = with_store(&state.readers, move |store| Ok(store.cases(&filter)?)).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = match rows.last() {
        Some(last) if more => {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in [
                ("outcome", &query.outcome),
                ("staff", &query.staff),
                ("from", &query.from),
                ("to", &query.to),
                ("decision", &query.decision),
            ] {
                if let Some(v) = v {
                    q.append_pair(k, v);
                }
            }
            q.append_pair("before", &last.seq.to_string());
            q.append_pair("limit", &limit.to_string());
            Some(format!("/api/v1/cases?{}", q.finish()))
        }
        _ => None,
    };
    let cases = rows
        .into_iter()
        .map(|r| CaseSummary {
            staff_decision: match (r.staff_decision, r.decided_by, r.decided_at) {
                (Some(decision), Some(staff), Some(recorded_at)) => Some(StaffDecisionSummary {
                    decision,
                    overrides: r.overrides.unwrap_or(false),
                    staff,
                    recorded_at,
                }),
                _ => None,
            },
            case_id: r.case_id,
            seq: r.seq,
            recorded_at: r.recorded_at,
            staff: r.staff_name,
            product: r.product,
            version: r.version,
            outcome: r.outcome,
            score_total: r.score_total,
            score_band: r.score_band,
        })
        .collect();
    Ok(Json(CaseList { cases, next }).into_response())
}

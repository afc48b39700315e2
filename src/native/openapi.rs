//! The OpenAPI document of the server (`/api/v1/openapi.json`, rendered at `/api/v1/docs`).
//!
//! The schemas here describe the wire format for readers and tools; they are documentation
//! types only. The server never serialises a decision through them: decisions pass through as
//! the facade's bytes, so the document cannot change what the API returns.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kredo",
        description = "Eligibility pre-screening for Belgian microcredit. The public check needs no login; staff routes need `Authorization: Bearer <token>` (made with `kredo staff add NAME`). Every decision is the same bytes as `kredo check` and the self-check page.",
        license(name = "EUPL-1.2")
    ),
    paths(
        super::server::healthz,
        super::server::check,
        super::server::rulesets,
        super::server::create_case,
        super::server::record_decision,
        super::server::case_history,
        super::server::batch_route,
    ),
    components(schemas(
        CheckRequest, DecisionDoc, RuleSetRefDoc, ReasonDoc, FieldIssueDoc, SkippedDoc, IndicativeDoc,
        ErrorBody, ErrorDetail, RuleSets, RuleSetInfoDoc, Health, CaseCreated, StaffDecisionInput,
        EntryDoc, CaseHistory
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "public", description = "No login"),
        (name = "staff", description = "Bearer token of a staff member; every call is audited")
    )
)]
pub struct ApiDoc;

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

/// CONTRACT.md §1: the envelope around an application.
#[derive(ToSchema)]
pub struct CheckRequest {
    /// Rule-set id; default `impulskrediet`.
    #[schema(example = "impulskrediet")]
    pub product: Option<String>,
    /// ISO date that selects the version in force; default today (Europe/Brussels).
    #[schema(example = "2026-11-22")]
    pub as_of: Option<String>,
    /// Pins an exact version instead of `as_of`.
    pub version: Option<String>,
    /// `nl` (default), `fr` or `en`.
    #[schema(example = "en")]
    pub language: Option<String>,
    /// The flat application of CONTRACT.md §2.
    #[schema(value_type = Object, example = json!({
        "legal_form": "BV", "region": "flanders", "business_status": "started",
        "activity_type": "main", "amount_requested_eur": "12000", "term_months": 48,
        "funding_purposes": [{"category": "investment", "amount_eur": "12000"}]
    }))]
    pub application: serde_json::Value,
}

/// CONTRACT.md §4: the decision.
#[derive(ToSchema)]
pub struct DecisionDoc {
    /// `invalid`, `ineligible`, `review`, `flagged` or `eligible`.
    pub outcome: String,
    pub product: String,
    pub rule_set: RuleSetRefDoc,
    pub as_of: String,
    pub language: String,
    pub reasons: Vec<ReasonDoc>,
    pub errors: Vec<FieldIssueDoc>,
    pub skipped: Vec<SkippedDoc>,
    pub warnings: Vec<FieldIssueDoc>,
    pub indicative: Option<IndicativeDoc>,
    /// The application in canonical form.
    #[schema(value_type = Object)]
    pub normalized: serde_json::Value,
}

#[derive(ToSchema)]
pub struct RuleSetRefDoc {
    pub version: String,
    pub effective_from: String,
    /// `sha256:…` over the rule set's files.
    pub hash: String,
}

#[derive(ToSchema)]
pub struct ReasonDoc {
    pub id: String,
    /// `ineligible`, `review`, `flag` or `info`.
    pub severity: String,
    pub message: String,
    pub fields: Vec<String>,
}

#[derive(ToSchema)]
pub struct FieldIssueDoc {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(ToSchema)]
pub struct SkippedDoc {
    pub id: String,
    pub missing: Vec<String>,
}

#[derive(ToSchema)]
pub struct IndicativeDoc {
    pub annual_rate: String,
    pub monthly_instalment_eur: String,
    pub total_repayable_eur: String,
}

/// Every error: `{"error":{"code":…,"message":…}}`.
#[derive(ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// A stable code, e.g. `invalid_json`, `unknown_product`, `invalid_date`, `unauthorized`,
    /// `body_too_large`, `timeout`, `unknown_case`.
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// For `invalid_json`: where the JSON broke.
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// For `unknown_version` and `no_version_in_force`: the versions that exist.
    pub versions: Option<Vec<String>>,
}

#[derive(ToSchema)]
pub struct RuleSets {
    pub rulesets: Vec<RuleSetInfoDoc>,
}

#[derive(ToSchema)]
pub struct RuleSetInfoDoc {
    pub product: String,
    pub version: String,
    pub title: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub hash: String,
}

#[derive(ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    pub engine_version: String,
    pub rule_sets: u64,
}

/// A screened and recorded case.
#[derive(ToSchema)]
pub struct CaseCreated {
    #[schema(example = "c_3f9a0c6e2b7d4e15")]
    pub case_id: String,
    /// The entry's place in the audit chain.
    pub seq: i64,
    pub hash: String,
    pub recorded_at: String,
    pub staff: String,
    pub decision: DecisionDoc,
}

/// A staff member's decision on a case.
#[derive(ToSchema)]
pub struct StaffDecisionInput {
    /// `approve`, `refer_elsewhere`, `ask_information` or `decline`.
    #[schema(example = "ask_information")]
    pub decision: String,
    /// Why; required.
    pub motivation: String,
    /// The `seq` of an earlier decision on this case that this one corrects.
    pub corrects: Option<i64>,
}

/// One audit entry.
#[derive(ToSchema)]
pub struct EntryDoc {
    pub seq: i64,
    /// `case` or `decision`.
    pub kind: String,
    pub recorded_at: String,
    pub staff: String,
    pub prev_hash: String,
    pub hash: String,
    /// For `case`: ids, product, version, rule-set hash, engine version, outcome, the raw
    /// request, the normalized application and the full decision. For `decision`: decision,
    /// motivation, engine_outcome, override, corrects.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

#[derive(ToSchema)]
pub struct CaseHistory {
    pub case_id: String,
    pub entries: Vec<EntryDoc>,
}

//! `kredo serve`: the self-check page, the public check API and the staff API (cases, staff
//! decisions, batch) over one compiled rule registry and the embedded audit store.
//!
//! Privacy rule of this module: the request log holds method, path, status and latency only.
//! An applicant's answers reach the audit store and nothing else; no handler logs a body, and
//! error messages that could quote a body go to the client, never to the log.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_http::services::ServeDir;
use utoipa::OpenApi as _;

use crate::{Kredo, RequestError};

use super::audit::{self, NewEntry, StaffDecision, push_json_str};
use super::batch::{self, BatchError};
use super::openapi::ApiDoc;
use super::store::{Store, StoreError};
use super::{auth, today};
use crate::api::Selection;

/// `kredo serve` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The SQLite audit store; created, with its schema, on first start.
    #[arg(long, default_value = "kredo.db")]
    pub db: PathBuf,
    /// Directory of the self-check page served at `/` (the API works without it).
    #[arg(long, default_value = "www")]
    pub www: PathBuf,
    /// Answer 503 when a request takes longer than this (milliseconds).
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// The same for `POST /api/v1/batch` (milliseconds).
    #[arg(long, default_value_t = 300_000)]
    pub batch_timeout_ms: u64,
    /// Largest request body accepted by the JSON routes (bytes).
    #[arg(long, default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Largest CSV accepted by `POST /api/v1/batch` (bytes).
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    pub max_batch_bytes: usize,
    /// Do not write a log line per request (start, stop and errors are still logged).
    #[arg(long)]
    pub quiet: bool,
}

/// What every handler shares. `Kredo` is compiled once at start and is `Send + Sync`.
#[derive(Clone)]
pub struct AppState {
    kredo: Arc<Kredo>,
    /// The one connection that appends: appends are serialised, as the hash chain needs.
    writer: Arc<Mutex<Store>>,
    /// A second connection for token look-ups and history reads (WAL: never blocked by writes).
    reader: Arc<Mutex<Store>>,
    /// Behind an `Arc`: the state is cloned for every request, the page directory rarely used.
    www: Arc<ServeDir>,
    openapi_json: Arc<String>,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the audit store {path}: {source}")]
    Store { path: String, source: StoreError },
    #[error("cannot load the rule sets: {0}")]
    Rules(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs the server until SIGINT or SIGTERM, then lets in-flight requests finish.
pub fn run(kredo: Kredo, args: &ServeArgs) -> Result<(), ServeError> {
    let open = |path: &std::path::Path| {
        Store::open(path).map_err(|source| ServeError::Store {
            path: path.display().to_string(),
            source,
        })
    };
    let writer = open(&args.db)?;
    let reader = open(&args.db)?;
    let state = AppState {
        kredo: Arc::new(kredo),
        writer: Arc::new(Mutex::new(writer)),
        reader: Arc::new(Mutex::new(reader)),
        www: Arc::new(ServeDir::new(&args.www).append_index_html_on_directories(true)),
        openapi_json: Arc::new(ApiDoc::openapi().to_json().unwrap_or_default()),
    };
    let app = router(state, args);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .map_err(|source| ServeError::Bind {
                addr: args.addr.clone(),
                source,
            })?;
        let local = listener.local_addr()?;
        announce(local, args);
        // Answers are small and written whole: send them at once, without Nagle's delay.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        log_line("stopped: every in-flight request was answered");
        Ok(())
    })
}

/// The parseable start line (tests read it to find the port), on stdout, flushed.
fn announce(local: SocketAddr, args: &ServeArgs) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on http://{local}");
    let _ = out.flush();
    log_line(&format!(
        "listening on http://{local} (store {}, page {})",
        args.db.display(),
        args.www.display()
    ));
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    log_line("shutting down: finishing in-flight requests");
}

/// The whole application: routes, limits, timeouts and the request log.
pub fn router(state: AppState, args: &ServeArgs) -> Router {
    let timeout = Duration::from_millis(args.timeout_ms);
    let batch_timeout = Duration::from_millis(args.batch_timeout_ms);
    let api = Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/check", post(check))
        .route("/api/v1/rulesets", get(rulesets))
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/cases", post(create_case))
        .route("/api/v1/cases/{id}", get(case_history))
        .route("/api/v1/cases/{id}/decisions", post(record_decision))
        .layer(DefaultBodyLimit::max(args.max_body_bytes))
        .route_layer(middleware::from_fn_with_state(timeout, with_timeout));
    let batch_routes = Router::new()
        .route("/api/v1/batch", post(batch_route))
        .layer(DefaultBodyLimit::max(args.max_batch_bytes))
        .route_layer(middleware::from_fn_with_state(batch_timeout, with_timeout));
    let docs: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/v1/docs")
        .config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"]))
        .into();
    Router::new()
        .merge(api)
        .merge(batch_routes)
        .merge(docs)
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(!args.quiet, log_request))
        .with_state(state)
}

// ---------------------------------------------------------------------------------------------
// Middleware

/// One JSON line per request: time, method, path (never the query), status, latency.
async fn log_request(State(enabled): State<bool>, req: Request, next: Next) -> Response {
    if !enabled {
        return next.run(req).await;
    }
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let mut line = String::with_capacity(160);
    line.push_str("{\"ts\":\"");
    line.push_str(&audit::now_utc());
    line.push_str("\",\"method\":");
    push_json_str(&mut line, method.as_str());
    line.push_str(",\"path\":");
    push_json_str(&mut line, &path);
    line.push_str(&format!(
        ",\"status\":{},\"ms\":{:.3}}}",
        response.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    ));
    eprintln!("{line}");
    response
}

/// Answers 503 with a JSON error when the handler has not finished in time.
async fn with_timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            &format!(
                "the request took longer than {} ms; try again later or send less",
                limit.as_millis()
            ),
        ),
    }
}

/// A log line for events that are not requests (start, stop, store failures).
fn log_line(message: &str) {
    let mut line = String::with_capacity(message.len() + 64);
    line.push_str("{\"ts\":\"");
    line.push_str(&audit::now_utc());
    line.push_str("\",\"event\":");
    push_json_str(&mut line, message);
    line.push('}');
    eprintln!("{line}");
}

// ---------------------------------------------------------------------------------------------
// Responses

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// `{"error":{"code":…,"message":…}}`, the shape of the facade's `RequestError`.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    error_with_field(status, code, message, None)
}

fn error_with_field(
    status: StatusCode,
    code: &str,
    message: &str,
    field: Option<&str>,
) -> Response {
    let mut body = String::with_capacity(message.len() + 64);
    body.push_str("{\"error\":{\"code\":");
    push_json_str(&mut body, code);
    body.push_str(",\"message\":");
    push_json_str(&mut body, message);
    if let Some(field) = field {
        body.push_str(",\"field\":");
        push_json_str(&mut body, field);
    }
    body.push_str("}}");
    json_response(status, body)
}

/// The engine's own error, serialised by the facade, with a status that fits its code.
fn request_error(err: &RequestError) -> Response {
    let status = match err.code.as_str() {
        "unknown_product" | "unknown_version" | "no_version_in_force" => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        "rule_error" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    json_response(status, err.to_json())
}

/// A body that could not be read: too large (413) or broken off.
fn body_rejection(rejection: &BytesRejection) -> Response {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        error_response(
            status,
            "body_too_large",
            "the request body is larger than this route accepts",
        )
    } else {
        error_response(status, "invalid_body", "the request body could not be read")
    }
}

fn not_utf8(e: std::str::Utf8Error) -> Response {
    error_response(
        StatusCode::BAD_REQUEST,
        "invalid_json",
        &format!(
            "the request body is not UTF-8 text (byte {})",
            e.valid_up_to()
        ),
    )
}

/// Failures of the staff routes, turned into JSON errors in one place.
enum ApiError {
    Store(StoreError),
    NotFound(String),
    Invalid {
        field: &'static str,
        message: String,
    },
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Store(e) => {
                // Store errors carry SQLite's message (tables, constraints), never row values.
                log_line(&format!("audit store error: {e}"));
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "store_error",
                    "the audit store failed; nothing was recorded",
                )
            }
            ApiError::NotFound(id) => error_response(
                StatusCode::NOT_FOUND,
                "unknown_case",
                &format!("there is no case {id}"),
            ),
            ApiError::Invalid { field, message } => error_with_field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                &message,
                Some(field),
            ),
            ApiError::Internal(message) => {
                log_line(&format!("internal error: {message}"));
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    &message,
                )
            }
        }
    }
}

/// Runs `f` on a blocking thread with the store behind `store` locked.
async fn with_store<T, F>(store: &Arc<Mutex<Store>>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
{
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        let mut guard = store
            .lock()
            .map_err(|_| ApiError::Internal("the audit store is unavailable".to_owned()))?;
        f(&mut guard)
    })
    .await
    .map_err(|_| ApiError::Internal("the audit store task failed".to_owned()))?
}

/// The staff name behind the request's bearer token, or a 401 JSON error.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<String, Response> {
    let unauthorized = |message: &str| {
        let mut response = error_response(StatusCode::UNAUTHORIZED, "unauthorized", message);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"kredo staff\""),
        );
        response
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "staff routes need an `Authorization: Bearer <token>` header; a token is made with `kredo staff add NAME`",
        ));
    };
    let Some(token) = value.to_str().ok().and_then(auth::bearer_token) else {
        return Err(unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ));
    };
    let hash = auth::token_hash(token);
    match with_store(&state.reader, move |store| {
        Ok(store.staff_for_token_hash(&hash)?)
    })
    .await
    {
        Ok(Some(name)) => Ok(name),
        Ok(None) => Err(unauthorized("the token is not valid")),
        Err(e) => Err(e.into_response()),
    }
}

// ---------------------------------------------------------------------------------------------
// Public routes

/// Liveness and readiness: the rule sets are compiled and the store answers.
#[utoipa::path(get, path = "/healthz", tag = "public",
    responses((status = 200, description = "Ready", body = super::openapi::Health),
              (status = 503, description = "The audit store does not answer", body = super::openapi::ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    match with_store(&state.reader, |store| Ok(store.ping()?)).await {
        Ok(()) => json_response(
            StatusCode::OK,
            format!(
                "{{\"status\":\"ok\",\"engine_version\":\"{}\",\"rule_sets\":{}}}",
                crate::ENGINE_VERSION,
                state.kredo.rulesets().len()
            ),
        ),
        Err(_) => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the audit store does not answer",
        ),
    }
}

/// The public self-check: the contract's request in, the decision out, byte for byte the same
/// as `kredo check` and the page. No login.
#[utoipa::path(post, path = "/api/v1/check", tag = "public",
    request_body(content = super::openapi::CheckRequest, content_type = "application/json"),
    responses((status = 200, description = "A decision (whatever its outcome, also `invalid`)", body = super::openapi::DecisionDoc),
              (status = 400, description = "Not JSON, or a bad date or language", body = super::openapi::ErrorBody),
              (status = 413, description = "Body too large", body = super::openapi::ErrorBody),
              (status = 422, description = "Unknown product or version, or none in force", body = super::openapi::ErrorBody),
              (status = 503, description = "Timed out", body = super::openapi::ErrorBody)))]
pub async fn check(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejection(&rejection),
    };
    let text = match std::str::from_utf8(&body) {
        Ok(text) => text,
        Err(e) => return not_utf8(e),
    };
    match state.kredo.evaluate_json(text, today()) {
        Ok(mut decision) => {
            // `kredo check` prints the decision and a newline: the same bytes here.
            decision.push('\n');
            json_response(StatusCode::OK, decision)
        }
        Err(e) => request_error(&e),
    }
}

/// Every published rule-set version: product, version, effective dates and hash.
#[utoipa::path(get, path = "/api/v1/rulesets", tag = "public",
    responses((status = 200, description = "The rule sets this server runs", body = super::openapi::RuleSets)))]
pub async fn rulesets(State(state): State<AppState>) -> Response {
    match serde_json::to_string(&state.kredo.rulesets()) {
        Ok(list) => json_response(StatusCode::OK, format!("{{\"rulesets\":{list}}}")),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

async fn openapi_json(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, state.openapi_json.as_ref().clone())
}

/// `/api/…` paths that do not exist get a JSON 404; everything else is the page directory.
async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return error_response(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such API route; see /api/v1/openapi.json",
        );
    }
    let mut www = ServeDir::clone(&state.www);
    match www.try_call(req).await {
        Ok(response) => response.map(Body::new),
        Err(_) => error_response(StatusCode::NOT_FOUND, "not_found", "no such page"),
    }
}

async fn method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method; see /api/v1/openapi.json",
    )
}

// ---------------------------------------------------------------------------------------------
// Staff routes

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

/// Screens an application and records it as a new case in the audit trail.
#[utoipa::path(post, path = "/api/v1/cases", tag = "staff", security(("bearer" = [])),
    request_body(content = super::openapi::CheckRequest, content_type = "application/json"),
    responses((status = 201, description = "The case was screened and recorded", body = super::openapi::CaseCreated),
              (status = 400, description = "Not JSON, or a bad date or language", body = super::openapi::ErrorBody),
              (status = 401, description = "Missing or wrong token", body = super::openapi::ErrorBody),
              (status = 422, description = "Unknown product or version", body = super::openapi::ErrorBody)))]
pub async fn create_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let staff = match authenticate(&state, &headers).await {
        Ok(staff) => staff,
        Err(response) => return response,
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejection(&rejection),
    };
    let text = match std::str::from_utf8(&body) {
        Ok(text) => text,
        Err(e) => return not_utf8(e),
    };
    let decision = match state.kredo.evaluate_json(text, today()) {
        Ok(decision) => decision,
        Err(e) => return request_error(&e),
    };
    let summary: DecisionSummary = match serde_json::from_str(&decision) {
        Ok(summary) => summary,
        Err(e) => return ApiError::Internal(format!("unreadable decision: {e}")).into_response(),
    };
    let case_id = match audit::new_case_id() {
        Ok(id) => id,
        Err(e) => return ApiError::Internal(format!("no random source: {e}")).into_response(),
    };
    let mut entry_body = String::with_capacity(text.len() * 2 + decision.len() + 512);
    entry_body.push_str("{\"case_id\":");
    push_json_str(&mut entry_body, &case_id);
    for (key, value) in [
        ("engine_version", crate::ENGINE_VERSION),
        ("product", summary.product.as_str()),
        ("version", summary.rule_set.version.as_str()),
        ("rule_set_hash", summary.rule_set.hash.as_str()),
        ("as_of", summary.as_of.as_str()),
        ("language", summary.language.as_str()),
        ("outcome", summary.outcome.as_str()),
        ("raw_request", text),
    ] {
        entry_body.push_str(",\"");
        entry_body.push_str(key);
        entry_body.push_str("\":");
        push_json_str(&mut entry_body, value);
    }
    entry_body.push_str(",\"normalized\":");
    entry_body.push_str(&summary.normalized.to_string());
    entry_body.push_str(",\"decision\":");
    entry_body.push_str(&decision);
    entry_body.push('}');
    let new = NewEntry {
        case_id: case_id.clone(),
        kind: "case",
        recorded_at: audit::now_utc(),
        staff_name: staff,
        body: entry_body,
    };
    let entry = match with_store(&state.writer, move |store| Ok(store.append(&new)?)).await {
        Ok(entry) => entry,
        Err(e) => return e.into_response(),
    };
    let mut out = String::with_capacity(decision.len() + 320);
    out.push_str("{\"case_id\":");
    push_json_str(&mut out, &entry.case_id);
    out.push_str(&format!(",\"seq\":{}", entry.seq));
    out.push_str(",\"hash\":");
    push_json_str(&mut out, &entry.hash);
    out.push_str(",\"recorded_at\":");
    push_json_str(&mut out, &entry.recorded_at);
    out.push_str(",\"staff\":");
    push_json_str(&mut out, &entry.staff_name);
    out.push_str(",\"decision\":");
    out.push_str(&decision);
    out.push('}');
    let mut response = json_response(StatusCode::CREATED, out);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", entry.case_id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The body of `POST /api/v1/cases/{id}/decisions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionInput {
    decision: String,
    motivation: String,
    #[serde(default)]
    corrects: Option<i64>,
}

/// Longest motivation kept (characters).
const MAX_MOTIVATION_CHARS: usize = 10_000;

/// Records a staff member's own decision on a case, flagged as an override when it goes
/// against the engine's outcome. A correction is a new entry that names the one it corrects.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decisions", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The case id")),
    request_body(content = super::openapi::StaffDecisionInput, content_type = "application/json"),
    responses((status = 201, description = "The decision was recorded", body = super::openapi::EntryDoc),
              (status = 400, description = "Not JSON", body = super::openapi::ErrorBody),
              (status = 401, description = "Missing or wrong token", body = super::openapi::ErrorBody),
              (status = 404, description = "No such case", body = super::openapi::ErrorBody),
              (status = 422, description = "Unknown decision, empty motivation, bad `corrects`", body = super::openapi::ErrorBody)))]
pub async fn record_decision(
    State(state): State<AppState>,
    Path(case_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let staff = match authenticate(&state, &headers).await {
        Ok(staff) => staff,
        Err(response) => return response,
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejection(&rejection),
    };
    let input: DecisionInput = match serde_json::from_slice(&body) {
        Ok(input) => input,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("expected {{\"decision\", \"motivation\", \"corrects\"?}}: {e}"),
            );
        }
    };
    let Some(decision) = StaffDecision::parse(&input.decision) else {
        return ApiError::Invalid {
            field: "decision",
            message: format!(
                "`decision` must be one of {}",
                StaffDecision::ALL.join(", ")
            ),
        }
        .into_response();
    };
    let motivation = input.motivation.trim().to_owned();
    if motivation.is_empty() {
        return ApiError::Invalid {
            field: "motivation",
            message: "a decision needs a written motivation".to_owned(),
        }
        .into_response();
    }
    if motivation.chars().count() > MAX_MOTIVATION_CHARS {
        return ApiError::Invalid {
            field: "motivation",
            message: format!("a motivation is at most {MAX_MOTIVATION_CHARS} characters"),
        }
        .into_response();
    }
    let result = with_store(&state.writer, move |store| {
        // Read and append under the same lock, so the case and `corrects` cannot change between.
        let entries = store.case_entries(&case_id)?;
        let Some(case) = entries.iter().find(|e| e.kind == "case") else {
            return Err(ApiError::NotFound(case_id));
        };
        let engine_outcome = serde_json::from_str::<serde_json::Value>(&case.body)
            .ok()
            .and_then(|v| v.get("outcome").and_then(|o| o.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let corrects_other = input
            .corrects
            .filter(|&seq| !entries.iter().any(|e| e.seq == seq && e.kind == "decision"));
        if let Some(seq) = corrects_other {
            return Err(ApiError::Invalid {
                field: "corrects",
                message: format!("entry {seq} is not a staff decision on case {case_id}"),
            });
        }
        let mut body = String::with_capacity(motivation.len() + 256);
        body.push_str("{\"case_id\":");
        push_json_str(&mut body, &case_id);
        body.push_str(",\"decision\":");
        push_json_str(&mut body, decision.as_str());
        body.push_str(",\"motivation\":");
        push_json_str(&mut body, &motivation);
        body.push_str(",\"engine_outcome\":");
        push_json_str(&mut body, &engine_outcome);
        body.push_str(",\"override\":");
        body.push_str(if decision.is_override(&engine_outcome) {
            "true"
        } else {
            "false"
        });
        body.push_str(",\"corrects\":");
        match input.corrects {
            Some(seq) => body.push_str(&seq.to_string()),
            None => body.push_str("null"),
        }
        body.push('}');
        let new = NewEntry {
            case_id,
            kind: "decision",
            recorded_at: audit::now_utc(),
            staff_name: staff,
            body,
        };
        Ok(store.append(&new)?)
    })
    .await;
    match result {
        Ok(entry) => json_response(StatusCode::CREATED, entry.to_json()),
        Err(e) => e.into_response(),
    }
}

/// A case's full history: the screening and every staff decision, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = String, Path, description = "The case id")),
    responses((status = 200, description = "The case's entries, oldest first", body = super::openapi::CaseHistory),
              (status = 401, description = "Missing or wrong token", body = super::openapi::ErrorBody),
              (status = 404, description = "No such case", body = super::openapi::ErrorBody)))]
pub async fn case_history(
    State(state): State<AppState>,
    Path(case_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = authenticate(&state, &headers).await {
        return response;
    }
    let result = with_store(&state.reader, move |store| {
        let entries = store.case_entries(&case_id)?;
        if entries.is_empty() {
            return Err(ApiError::NotFound(case_id));
        }
        Ok((case_id, entries))
    })
    .await;
    match result {
        Ok((case_id, entries)) => {
            let mut out = String::with_capacity(entries.iter().map(|e| e.body.len() + 400).sum());
            out.push_str("{\"case_id\":");
            push_json_str(&mut out, &case_id);
            out.push_str(",\"entries\":[");
            for (i, entry) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&entry.to_json());
            }
            out.push_str("]}");
            json_response(StatusCode::OK, out)
        }
        Err(e) => e.into_response(),
    }
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
}

/// Screens a CSV of applications (one a row); answers the same CSV with decision columns.
/// Nothing is recorded in the audit trail: a batch is a pre-screening.
#[utoipa::path(post, path = "/api/v1/batch", tag = "staff", security(("bearer" = [])),
    params(("product" = Option<String>, Query, description = "Rule-set id (default impulskrediet)"),
           ("as_of" = Option<String>, Query, description = "ISO date selecting the version in force"),
           ("version" = Option<String>, Query, description = "An exact version"),
           ("lang" = Option<String>, Query, description = "nl, fr or en")),
    request_body(content = String, content_type = "text/csv",
        description = "Header row of the contract's flat field names; `,` or `;`; UTF-8 or Windows-1252; purposes as `category:amount;category:amount`"),
    responses((status = 200, description = "The input columns plus outcome, reason_ids, messages, monthly_instalment_eur, errors", body = String, content_type = "text/csv"),
              (status = 400, description = "No readable header, or bad options", body = super::openapi::ErrorBody),
              (status = 401, description = "Missing or wrong token", body = super::openapi::ErrorBody),
              (status = 413, description = "Body too large", body = super::openapi::ErrorBody),
              (status = 503, description = "Timed out", body = super::openapi::ErrorBody)))]
pub async fn batch_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BatchQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(response) = authenticate(&state, &headers).await {
        return response;
    }
    let Query(query) = match query {
        Ok(query) => query,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("bad query: {}", e.body_text()),
            );
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejection(&rejection),
    };
    let opts = Selection {
        product: query.product.map(Into::into),
        as_of: query.as_of.map(Into::into),
        version: query.version.map(Into::into),
        language: query.lang.map(Into::into),
    };
    let kredo = Arc::clone(&state.kredo);
    let day = today();
    let result = tokio::task::spawn_blocking(move || {
        batch::run(&kredo, &body, &opts, day, &AtomicUsize::new(0))
    })
    .await;
    match result {
        Ok(Ok(out)) => {
            let mut response = (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                )],
                out.csv,
            )
                .into_response();
            let headers = response.headers_mut();
            headers.insert("x-kredo-rows", HeaderValue::from(out.rows));
            headers.insert(
                "x-kredo-rows-with-errors",
                HeaderValue::from(out.rows_with_errors),
            );
            response
        }
        Ok(Err(BatchError::Csv(e))) => {
            error_response(StatusCode::BAD_REQUEST, "invalid_csv", &e.to_string())
        }
        Ok(Err(BatchError::Request(e))) => request_error(&e),
        Ok(Err(BatchError::Output(e))) => ApiError::Internal(e).into_response(),
        Err(_) => ApiError::Internal("the batch task failed".to_owned()).into_response(),
    }
}

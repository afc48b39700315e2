//! `kredo serve`: the self-check page, the public check API and the staff API (cases, staff
//! decisions, batch) over one compiled rule registry and the embedded audit store. This file
//! starts and stops the server, runs its connection loop and assembles the router; the routes
//! live in `public.rs` and `staff.rs`, their failures in `error.rs`, the API's description in
//! `openapi.rs`.
//!
//! Connections are served by hyper directly rather than by `axum::serve`, for the limits a
//! server on a network needs and `axum::serve` does not set: a deadline for a request's head
//! (a client that sends its headers a byte a second would otherwise hold its connection
//! forever), which also bounds an idle keep-alive connection, and a cap on open connections.
//!
//! Privacy rule of the server: the request log holds method, path, status and latency only
//! (`log.rs`). An applicant's answers reach the audit store and nothing else; no handler logs a
//! body, and error messages that could quote a body go to the client, never to the log.

mod common;
mod error;
mod log;
mod openapi;
mod public;
mod staff;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;

use super::store::{DbTarget, Store, StoreError};
use crate::Kredo;
use crate::ruleset::RuleSetSource;
use common::Stores;

/// Reading connections per instance on PostgreSQL: each instance holds 1 + this many
/// connections (`max_connections` is 100 by default: 20 instances).
const PG_READERS: usize = 4;

/// `kredo serve` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The store: a SQLite file, created with its schema on first start, or a `postgres://`
    /// URL (several instances may share one database; see `kredo store migrate`).
    #[arg(long, default_value = "kredo.db")]
    pub db: DbTarget,
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
    /// Close a connection whose request line and headers have not all arrived this long after
    /// it opened, or after its previous answer (milliseconds, at least 1). So it is also the
    /// longest an idle keep-alive connection stays open. A body is not covered: the request
    /// timeouts above bound it.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_ms: u64,
    /// Most connections open at once (at least 1). A connection counts from accept to close,
    /// idle keep-alive time included; beyond the limit new connections are not accepted but
    /// wait in the system's listen queue until another one closes.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Do not write a log line per request (start, stop and errors are still logged).
    #[arg(long)]
    pub quiet: bool,
}

/// What every handler shares. `Kredo` is compiled once at start and is `Send + Sync`.
#[derive(Clone)]
pub struct AppState {
    kredo: Arc<Kredo>,
    /// The one connection that appends: appends are serialised, as the hash chain needs.
    writer: Arc<Stores>,
    /// Connections for token look-ups, histories and lists, never blocked by appends (WAL;
    /// MVCC): one on SQLite, [`PG_READERS`] on PostgreSQL.
    readers: Arc<Stores>,
    /// Behind an `Arc`: the state is cloned for every request, the page directory rarely used.
    www: Arc<ServeDir>,
    /// Made once at start: the `Application` schema depends on the rule sets loaded.
    openapi_json: Bytes,
    /// The rule sets the API runs, as the page loads them (`/rules.json`), and with each
    /// version's cases for the playground (`/rules-with-cases.json`).
    rules_json: [Bytes; 2],
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The audit store could not be opened or migrated.
    #[error("cannot open the audit store {path}: {source}")]
    Store {
        /// The database file.
        path: String,
        /// Why.
        source: StoreError,
    },
    /// The OpenAPI document could not be written.
    #[error("cannot write the OpenAPI document: {0}")]
    OpenApi(#[from] serde_json::Error),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or the connection loop failed.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs the server until SIGINT or SIGTERM, then lets in-flight requests finish.
pub fn run(
    kredo: Kredo,
    sources: &[RuleSetSource],
    rules_json: [String; 2],
    args: &ServeArgs,
) -> Result<(), ServeError> {
    let open = |db: &DbTarget| {
        Store::open(db).map_err(|source| ServeError::Store {
            path: db.to_string(),
            source,
        })
    };
    let writer = open(&args.db)?;
    let readers = match &args.db {
        DbTarget::Postgres(_) => PG_READERS,
        _ => 1,
    };
    let readers = (0..readers)
        .map(|_| open(&args.db))
        .collect::<Result<Vec<_>, _>>()?;
    let openapi_json = openapi::document(&kredo, sources)?.into();
    let state = AppState {
        kredo: Arc::new(kredo),
        writer: Arc::new(Stores::new(vec![writer])),
        readers: Arc::new(Stores::new(readers)),
        www: Arc::new(ServeDir::new(&args.www).append_index_html_on_directories(true)),
        openapi_json,
        rules_json: rules_json.map(Bytes::from),
    };
    log::install();
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
        serve(listener, app, args).await;
        log::line("stopped: every in-flight request was answered");
        Ok(())
    })
}

/// Accepts and serves connections until SIGINT or SIGTERM; then stops accepting, lets every
/// open connection finish the request it is on, and returns once all are closed.
async fn serve(listener: TcpListener, app: Router, args: &ServeArgs) {
    let mut http = hyper::server::conn::http1::Builder::new();
    // hyper starts this deadline when a connection opens and again after each answer, and
    // closes the connection (without an answer) when the head has not arrived by then.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(args.header_timeout_ms));
    let max = usize::try_from(args.max_connections)
        .map_or(Semaphore::MAX_PERMITS, |n| n.min(Semaphore::MAX_PERMITS));
    // A permit per open connection, taken before `accept`: at the limit, new connections stay
    // in the kernel's listen queue, costing this process nothing, until one closes.
    let permits = Arc::new(Semaphore::new(max));
    let graceful = GracefulShutdown::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let mut last_full: Option<Instant> = None;
    loop {
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                // Once a minute at most: a flood of connections must not flood the log too.
                if last_full.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                    log::line(&format!(
                        "all {max} connections are in use: new connections wait until one closes"
                    ));
                    last_full = Some(Instant::now());
                }
                tokio::select! {
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        // Never closed; if it were, there would be nothing left to serve.
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let tcp = tokio::select! {
            accepted = accept(&listener) => accepted,
            () = &mut shutdown => break,
        };
        let Some(tcp) = tcp else { continue };
        // Answers are small and written whole: send them at once, without Nagle's delay.
        let _ = tcp.set_nodelay(true);
        let conn = http.serve_connection(TokioIo::new(tcp), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // An error here is the client's (it left, was too slow, or sent no HTTP), and hyper
            // has answered what it could; logging it would only log traffic.
            let _ = conn.await;
            drop(permit);
        });
    }
    // New connections are refused from here on; open ones finish the request they are on.
    drop(listener);
    graceful.shutdown().await;
}

/// The next connection, or `None` after a failed accept. A connection that failed before it
/// was accepted is the client's business; anything else (out of file descriptors) is logged,
/// and the loop pauses a second rather than spin.
async fn accept(listener: &TcpListener) -> Option<TcpStream> {
    use std::io::ErrorKind;
    match listener.accept().await {
        Ok((tcp, _)) => Some(tcp),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionAborted
                    | ErrorKind::ConnectionRefused
                    | ErrorKind::ConnectionReset
            ) =>
        {
            None
        }
        Err(e) => {
            log::line(&format!("cannot accept a connection: {e}"));
            tokio::time::sleep(Duration::from_secs(1)).await;
            None
        }
    }
}

/// The parseable start line (tests read it to find the port), on stdout, flushed.
fn announce(local: SocketAddr, args: &ServeArgs) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on http://{local}");
    let _ = out.flush();
    log::line(&format!(
        "listening on http://{local} (store {}, page {})",
        args.db,
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
    log::line("shutting down: finishing in-flight requests");
}

/// The whole application: routes, body limits, timeouts and the request log.
pub fn router(state: AppState, args: &ServeArgs) -> Router {
    let timeout = Duration::from_millis(args.timeout_ms);
    let batch_timeout = Duration::from_millis(args.batch_timeout_ms);
    let api = Router::new()
        .route("/healthz", get(public::healthz))
        .route("/api/v1/check", post(public::check))
        .route("/api/v1/rulesets", get(public::rulesets))
        .route("/api/v1/schema", get(public::schema))
        .route("/api/v1/openapi.json", get(public::openapi_json))
        .route("/rules.json", get(public::rules_json))
        .route("/rules-with-cases.json", get(public::rules_with_cases_json))
        .route(
            "/api/v1/cases",
            post(staff::create_case).get(staff::list_cases),
        )
        .route("/api/v1/cases/{id}", get(staff::case_history))
        .route("/api/v1/cases/{id}/decisions", post(staff::record_decision))
        .layer(DefaultBodyLimit::max(args.max_body_bytes))
        .route_layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .route_layer(middleware::map_response_with_state(
            timeout,
            error::timeout_body,
        ));
    let batch_routes = Router::new()
        .route("/api/v1/batch", post(staff::batch_route))
        .layer(DefaultBodyLimit::max(args.max_batch_bytes))
        .route_layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            batch_timeout,
        ))
        .route_layer(middleware::map_response_with_state(
            batch_timeout,
            error::timeout_body,
        ));
    let docs: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/v1/docs")
        .config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"]))
        .into();
    let app = Router::new()
        .merge(api)
        .merge(batch_routes)
        .merge(docs)
        .fallback(public::fallback)
        .method_not_allowed_fallback(public::method_not_allowed);
    let app = if args.quiet {
        app
    } else {
        app.layer(log::request_log())
    };
    app.with_state(state)
}

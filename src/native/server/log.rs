//! The server's log on stderr: one JSON line per request and one per server event.
//!
//! Requests are logged by tower-http's `TraceLayer`: its span carries the method and the path
//! (never the query), its response event the status and latency, and [`install`] sets the one
//! `tracing` subscriber that turns them into a line. That subscriber writes only those named
//! fields, so nothing a handler could pass (a body, an error message quoting it) reaches the log.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Span, Subscriber};

use crate::native::audit::{now_utc, push_json_str};

/// The `tracing` target of the request spans and events: the subscriber reads nothing else.
const TARGET: &str = "kredo::request";

/// The request log as a layer: a span per request, one event when its answer is ready.
pub type RequestLog = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request<Body>) -> Span,
    (),
    fn(&Response<Body>, Duration, &Span),
    (),
    (),
    (),
>;

/// The layer for [`super::router`]; without [`install`] it logs nothing.
pub fn request_log() -> RequestLog {
    TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request<Body>) -> Span)
        .on_request(())
        .on_response(response_event as fn(&Response<Body>, Duration, &Span))
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

fn request_span(request: &Request<Body>) -> Span {
    tracing::info_span!(
        target: TARGET,
        "request",
        method = request.method().as_str(),
        path = request.uri().path()
    )
}

fn response_event(response: &Response<Body>, latency: Duration, span: &Span) {
    tracing::info!(
        target: TARGET,
        parent: span,
        status = u64::from(response.status().as_u16()),
        ms = latency.as_secs_f64() * 1000.0
    );
}

/// Makes this process's request log write lines. A second call changes nothing.
pub fn install() {
    // Only the first subscriber of a process counts; a second server in one process (tests)
    // shares it.
    let _ = tracing::subscriber::set_global_default(RequestLines::default());
}

/// A log line for events that are not requests (start, stop, store failures).
pub fn line(message: &str) {
    let mut line = String::with_capacity(message.len() + 64);
    line.push_str("{\"ts\":\"");
    line.push_str(&now_utc());
    line.push_str("\",\"event\":");
    push_json_str(&mut line, message);
    line.push('}');
    eprintln!("{line}");
}

/// The open request spans' method and path, until the span closes.
#[derive(Default)]
struct RequestLines {
    open: Mutex<HashMap<u64, Open>>,
    next_id: AtomicU64,
}

struct Open {
    method: String,
    path: String,
    /// Handles to the span still alive: it closes when the last one goes.
    handles: usize,
}

/// The named fields of a request span or event; any other field is dropped unread.
#[derive(Default)]
struct Fields {
    method: String,
    path: String,
    status: u64,
    ms: f64,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "method" => value.clone_into(&mut self.method),
            "path" => value.clone_into(&mut self.path),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "status" {
            self.status = value;
        }
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "ms" {
            self.ms = value;
        }
    }
    fn record_debug(&mut self, _field: &Field, _value: &dyn fmt::Debug) {}
}

impl RequestLines {
    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Open>> {
        // A panic elsewhere while holding the map leaves it usable: it holds no invariant.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Subscriber for RequestLines {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == TARGET
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields::default();
        span.record(&mut fields);
        // Ids start at 1: `Id` cannot be 0.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.open().insert(
            id,
            Open {
                method: fields.method,
                path: fields.path,
                handles: 1,
            },
        );
        Id::from_u64(id)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let Some(parent) = event.parent() else {
            return;
        };
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = String::with_capacity(160);
        {
            let open = self.open();
            let Some(request) = open.get(&parent.into_u64()) else {
                return;
            };
            line.push_str("{\"ts\":\"");
            line.push_str(&now_utc());
            line.push_str("\",\"method\":");
            push_json_str(&mut line, &request.method);
            line.push_str(",\"path\":");
            push_json_str(&mut line, &request.path);
        }
        line.push_str(&format!(
            ",\"status\":{},\"ms\":{:.3}}}",
            fields.status, fields.ms
        ));
        eprintln!("{line}");
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}

    fn clone_span(&self, id: &Id) -> Id {
        if let Some(open) = self.open().get_mut(&id.into_u64()) {
            open.handles += 1;
        }
        id.clone()
    }

    fn try_close(&self, id: Id) -> bool {
        let mut open = self.open();
        let key = id.into_u64();
        let Some(span) = open.get_mut(&key) else {
            return false;
        };
        span.handles = span.handles.saturating_sub(1);
        if span.handles == 0 {
            open.remove(&key);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_line_holds_method_path_status_and_latency_only() {
        let lines = RequestLines::default();
        let dispatch = tracing::Dispatch::new(lines);
        tracing::dispatcher::with_default(&dispatch, || {
            let request = Request::builder()
                .method("POST")
                .uri("/api/v1/check?secret=1")
                .body(Body::empty())
                .unwrap();
            let span = request_span(&request);
            let copy = span.clone();
            drop(span);
            let state = dispatch.downcast_ref::<RequestLines>().unwrap();
            let open = state.open();
            let only = open.values().next().unwrap();
            assert_eq!(
                (only.method.as_str(), only.path.as_str()),
                ("POST", "/api/v1/check")
            );
            assert_eq!(only.handles, 1);
            drop(open);
            drop(copy);
            assert!(
                state.open().is_empty(),
                "the span closed with its last handle"
            );
        });
    }
}

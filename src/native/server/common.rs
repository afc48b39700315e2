//! What the public and the staff routes share: the body read whole, an answer that is JSON text
//! already, and the audit store on a blocking thread.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::RequestExt as _;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::{Frame, SizeHint};

use super::error::ApiError;
use crate::native::store::Store;

/// The request body, whole; a body too large or broken off answers as an [`ApiError`]. A body
/// whose `Content-Length` is over the route's limit is refused before any of it is read, so the
/// client hears 413 at once (and, with `Expect: 100-continue`, is never asked to send it)
/// instead of after the request's timeout.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<RawBody, ApiError> {
        let (parts, body) = request.into_parts();
        // hyper gives a body its `Content-Length` as an exact size hint. A chunked body
        // announces nothing and is cut off by the same limit as it arrives.
        let announced = body.size_hint().lower();
        if announced > 0 && announced > route_limit(&parts, announced) {
            // A client already sending would get a reset connection instead of the 413 if we
            // closed on it; one that waits for `100 Continue` sends nothing, so is not waited for.
            if !parts.headers.contains_key(header::EXPECT) {
                tokio::spawn(drain(body));
            }
            return Err(ApiError::BodyTooLarge);
        }
        let request = Request::from_parts(parts, body);
        Ok(RawBody(Bytes::from_request(request, state).await?))
    }
}

/// The limit `DefaultBodyLimit` set for this request's route, capped at `announced`: what
/// `with_limited_body` makes of a body that announces `announced` bytes. (axum keeps the limit
/// itself private.)
fn route_limit(parts: &Parts, announced: u64) -> u64 {
    let probe = Request::from_parts(parts.clone(), Body::new(Announced(announced)));
    probe
        .with_limited_body()
        .body()
        .size_hint()
        .upper()
        .unwrap_or(announced)
}

/// An empty body that announces a length, as a body with a `Content-Length` does.
struct Announced(u64);

impl HttpBody for Announced {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(None)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0)
    }
}

/// How much of a refused body is still read before the connection is closed.
const DRAIN_BYTES: usize = 1024 * 1024;
/// How long a refused body is still read before the connection is closed.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Reads and drops what a client sends of a refused body, within [`DRAIN_BYTES`] and
/// [`DRAIN_TIME`], while hyper writes the 413: a client that sent its body without waiting
/// reads the answer instead of a reset connection, and one that keeps sending is cut off.
async fn drain(mut body: Body) {
    let read = async {
        let mut left = DRAIN_BYTES;
        while let Some(Ok(frame)) =
            std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            let Some(rest) = left.checked_sub(frame.data_ref().map_or(0, Bytes::len)) else {
                return;
            };
            left = rest;
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, read).await;
}

/// The request body as UTF-8 text (a JSON request).
pub struct Text(pub String);

impl<S: Send + Sync> FromRequest<S> for Text {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Text, ApiError> {
        let RawBody(bytes) = RawBody::from_request(request, state).await?;
        String::from_utf8(Vec::from(bytes))
            .map(Text)
            .map_err(|e| e.utf8_error().into())
    }
}

/// An answer that is JSON text already: the engine's decision keeps the facade's bytes, the
/// same as `kredo check` prints and the page shows.
pub struct JsonText(pub StatusCode, pub Bytes);

impl IntoResponse for JsonText {
    fn into_response(self) -> Response {
        let json = HeaderValue::from_static("application/json");
        (self.0, [(header::CONTENT_TYPE, json)], self.1).into_response()
    }
}

/// Connections to the store of one kind, each used by one request at a time: the writer (one:
/// appends are serialised anyway, as the hash chain needs) or the readers (a few on PostgreSQL,
/// so that a long case list does not hold up every staff request's token look-up).
pub struct Stores {
    all: Vec<Mutex<Store>>,
    next: AtomicUsize,
}

impl Stores {
    /// The handles; at least one.
    pub fn new(stores: Vec<Store>) -> Stores {
        Stores {
            all: stores.into_iter().map(Mutex::new).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// Runs `f` on a free handle, or waits for one (in turn) when all are busy.
    fn run<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let unavailable = || ApiError::Internal("the audit store is unavailable".to_owned());
        for handle in &self.all {
            if let Ok(mut guard) = handle.try_lock() {
                return f(&mut guard);
            }
        }
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.all.len().max(1);
        let mut guard = self
            .all
            .get(turn)
            .ok_or_else(unavailable)?
            .lock()
            .map_err(|_| unavailable())?;
        f(&mut guard)
    }
}

/// Runs `f` on a blocking thread with one of `stores` locked: both stores' clients block.
pub async fn with_store<T, F>(stores: &Arc<Stores>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
{
    let stores = Arc::clone(stores);
    tokio::task::spawn_blocking(move || stores.run(f))
        .await
        .map_err(|_| ApiError::Internal("the audit store task failed".to_owned()))?
}

/// Requests up to this size are decided on the async worker when decisions are quick: a
/// contract request is under a kilobyte, and reading 16 KB of JSON takes microseconds.
const INLINE_REQUEST_BYTES: usize = 16 * 1024;

/// Runs the engine on one request. A decision is bounded (one budget of operations across its
/// rules), but a hostile rule set can still make it take tens of milliseconds: then it runs on
/// a blocking thread, where it holds up neither other connections nor `/healthz`, and the
/// route's timeout answers 503 while it runs. When every version's rules are bounded by their
/// text to a few hundred microseconds of work ([`crate::Kredo::decisions_are_quick`], true for
/// the published rules) a small request is decided in place: handing it to a blocking thread
/// cost the server a quarter of its throughput.
pub async fn decide(
    kredo: &Arc<crate::Kredo>,
    text: String,
    audience: crate::api::Audience,
) -> Result<String, ApiError> {
    let today = crate::native::today();
    if text.len() <= INLINE_REQUEST_BYTES && kredo.decisions_are_quick() {
        return kredo
            .evaluate_json_for(&text, today, audience)
            .map_err(|e| ApiError::Request(Box::new(e)));
    }
    let kredo = Arc::clone(kredo);
    tokio::task::spawn_blocking(move || kredo.evaluate_json_for(&text, today, audience))
        .await
        .map_err(|_| ApiError::Internal("the decision task failed".to_owned()))?
        .map_err(|e| ApiError::Request(Box::new(e)))
}

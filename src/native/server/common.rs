//! What the public and the staff routes share: the body read whole, an answer that is JSON text
//! already, and the audit store on a blocking thread.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::native::store::Store;

/// The request body, whole; a body too large or broken off answers as an [`ApiError`].
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<RawBody, ApiError> {
        Ok(RawBody(Bytes::from_request(request, state).await?))
    }
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

/// Runs `f` on a blocking thread with the store behind `store` locked: SQLite blocks.
pub async fn with_store<T, F>(store: &Arc<Mutex<Store>>, f: F) -> Result<T, ApiError>
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

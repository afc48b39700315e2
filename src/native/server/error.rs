//! Every way a route can fail, as one type, [`ApiError`], and its JSON answer: the engine's
//! `RequestError` as the facade writes it, with a status from one exhaustive match on its code,
//! and the server's own failures in the same `{"error":{"code":…,"message":…}}` shape.

use std::borrow::Cow;
use std::str::Utf8Error;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::log;
use crate::api::{ErrorCode, RequestError};
use crate::native::batch::BatchError;
use crate::native::store::StoreError;

/// Why a route gave no answer of its own.
#[derive(Debug)]
pub enum ApiError {
    /// The engine made no decision.
    Request(Box<RequestError>),
    /// No staff member behind the request; the message says what to send.
    Unauthorized(&'static str),
    /// The body is larger than the route accepts.
    BodyTooLarge,
    /// The body broke off or could not be read.
    UnreadableBody,
    /// The body is not UTF-8.
    NotUtf8(Utf8Error),
    /// A staff decision's body is not the JSON the route expects.
    BadDecisionJson(serde_json::Error),
    /// The query string does not fit the route.
    BadQuery(String),
    /// A batch with no readable CSV header.
    InvalidCsv(String),
    /// A value the route refuses, and the field it came in.
    Invalid {
        /// The body's field at fault.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// No case has this id.
    UnknownCase(String),
    /// An `/api/` path with no route.
    NoRoute,
    /// No page at this path.
    NoPage,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The route took longer than its limit.
    Timeout(Duration),
    /// The audit store did not answer a health check.
    StoreUnavailable,
    /// The audit store failed.
    Store(StoreError),
    /// A failure of the server itself.
    Internal(String),
}

/// Every error answer: `{"error":{"code":…,"message":…}}`, the shape of the facade's
/// `RequestError`, which adds the other fields where they apply.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody<'a> {
    /// What went wrong.
    pub error: ErrorDetail<'a>,
}

/// The inside of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail<'a> {
    /// A stable code: one of the engine's (`invalid_json`, `invalid_request`,
    /// `unknown_product`, `unknown_version`, `no_version_in_force`, `invalid_date`,
    /// `invalid_language`, `rule_error`) or the server's (`unauthorized`, `body_too_large`,
    /// `invalid_body`, `invalid_csv`, `unknown_case`, `not_found`, `method_not_allowed`,
    /// `timeout`, `store_unavailable`, `store_error`, `internal_error`).
    #[schema(schema_with = error_code)]
    pub code: &'a str,
    /// One line for people.
    #[schema(value_type = String)]
    pub message: Cow<'a, str>,
    /// The request field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
    /// For `invalid_json`: the line where the JSON broke.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// For `invalid_json`: the column where the JSON broke.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// For `unknown_version` and `no_version_in_force`: the versions there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<String>>,
}

/// Every `code` an error answer can have: the engine's, then the server's own.
pub const ERROR_CODES: [&str; 19] = [
    "invalid_json",
    "invalid_request",
    "unknown_product",
    "unknown_version",
    "no_version_in_force",
    "invalid_date",
    "invalid_language",
    "rule_error",
    "unauthorized",
    "body_too_large",
    "invalid_body",
    "invalid_csv",
    "unknown_case",
    "not_found",
    "method_not_allowed",
    "timeout",
    "store_unavailable",
    "store_error",
    "internal_error",
];

fn error_code() -> utoipa::openapi::schema::ObjectBuilder {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(ERROR_CODES))
        .description(Some(
            "A stable code: the engine's (`invalid_json` … `rule_error`) or the server's own; \
             each route lists the ones its statuses carry.",
        ))
}

/// The HTTP status of each engine error: the one place that decides it.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidJson
        | ErrorCode::InvalidRequest
        | ErrorCode::InvalidDate
        | ErrorCode::InvalidLanguage => StatusCode::BAD_REQUEST,
        ErrorCode::UnknownProduct | ErrorCode::UnknownVersion | ErrorCode::NoVersionInForce => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorCode::RuleError => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    /// Status, code, message and field of the server's own errors.
    fn parts(&self) -> (StatusCode, &'static str, Cow<'_, str>, Option<&'static str>) {
        use StatusCode as S;
        let fixed =
            |status, code, message: &'static str| (status, code, Cow::Borrowed(message), None);
        match self {
            // Answered by `into_response` as the facade writes it.
            ApiError::Request(e) => (
                status_of(e.code),
                e.code.as_str(),
                Cow::Borrowed(e.message.as_str()),
                e.field,
            ),
            ApiError::Unauthorized(message) => fixed(S::UNAUTHORIZED, "unauthorized", message),
            ApiError::BodyTooLarge => fixed(
                S::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than this route accepts",
            ),
            ApiError::UnreadableBody => fixed(
                S::BAD_REQUEST,
                "invalid_body",
                "the request body could not be read",
            ),
            ApiError::NotUtf8(e) => (
                S::BAD_REQUEST,
                "invalid_json",
                Cow::Owned(format!(
                    "the request body is not UTF-8 text (byte {})",
                    e.valid_up_to()
                )),
                None,
            ),
            ApiError::BadDecisionJson(e) => (
                S::BAD_REQUEST,
                "invalid_json",
                Cow::Owned(format!(
                    "expected {{\"decision\", \"motivation\", \"corrects\"?}}: {e}"
                )),
                None,
            ),
            ApiError::BadQuery(message) => (
                S::BAD_REQUEST,
                "invalid_request",
                Cow::Owned(format!("bad query: {message}")),
                None,
            ),
            ApiError::InvalidCsv(message) => (
                S::BAD_REQUEST,
                "invalid_csv",
                Cow::Borrowed(message.as_str()),
                None,
            ),
            ApiError::Invalid { field, message } => (
                S::UNPROCESSABLE_ENTITY,
                "invalid_request",
                Cow::Borrowed(message.as_str()),
                Some(*field),
            ),
            ApiError::UnknownCase(id) => (
                S::NOT_FOUND,
                "unknown_case",
                Cow::Owned(format!("there is no case {id}")),
                None,
            ),
            ApiError::NoRoute => fixed(
                S::NOT_FOUND,
                "not_found",
                "no such API route; see /api/v1/openapi.json",
            ),
            ApiError::NoPage => fixed(S::NOT_FOUND, "not_found", "no such page"),
            ApiError::MethodNotAllowed => fixed(
                S::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not accept that method; see /api/v1/openapi.json",
            ),
            ApiError::Timeout(limit) => (
                S::SERVICE_UNAVAILABLE,
                "timeout",
                Cow::Owned(format!(
                    "the request took longer than {} ms; try again later or send less",
                    limit.as_millis()
                )),
                None,
            ),
            ApiError::StoreUnavailable => fixed(
                S::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the audit store does not answer",
            ),
            ApiError::Store(_) => fixed(
                S::INTERNAL_SERVER_ERROR,
                "store_error",
                "the audit store failed; nothing was recorded",
            ),
            ApiError::Internal(message) => (
                S::INTERNAL_SERVER_ERROR,
                "internal_error",
                Cow::Borrowed(message.as_str()),
                None,
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Request(e) => {
                // The facade's own bytes: the same error body as the page's.
                let json = HeaderValue::from_static("application/json");
                return (
                    status_of(e.code),
                    [(header::CONTENT_TYPE, json)],
                    e.to_json(),
                )
                    .into_response();
            }
            // Store errors carry SQLite's message (tables, constraints), never row values.
            ApiError::Store(e) => log::line(&format!("audit store error: {e}")),
            ApiError::Internal(message) => log::line(&format!("internal error: {message}")),
            _ => {}
        }
        let (status, code, message, field) = self.parts();
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                field,
                line: None,
                column: None,
                versions: None,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized(_)) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kredo staff\""),
            );
        }
        response
    }
}

impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        ApiError::Request(Box::new(e))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge
        } else {
            ApiError::UnreadableBody
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadQuery(rejection.body_text())
    }
}

impl From<Utf8Error> for ApiError {
    fn from(e: Utf8Error) -> Self {
        ApiError::NotUtf8(e)
    }
}

impl From<BatchError> for ApiError {
    fn from(e: BatchError) -> Self {
        match e {
            BatchError::Csv(e) => ApiError::InvalidCsv(e.to_string()),
            BatchError::Request(e) => ApiError::Request(e),
            BatchError::Output(message) => ApiError::Internal(message),
            // Only ever set once the request is gone, so no client reads this.
            BatchError::Cancelled => ApiError::Internal("the batch was cancelled".to_owned()),
        }
    }
}

/// Gives tower-http's bare timeout answer the JSON error body. Every answer of this server has
/// a content type; the timeout layer's 503 alone has none.
pub async fn timeout_body(
    axum::extract::State(limit): axum::extract::State<Duration>,
    response: Response,
) -> Response {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        return ApiError::Timeout(limit).into_response();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_codes_map_to_statuses() {
        assert_eq!(status_of(ErrorCode::InvalidJson), StatusCode::BAD_REQUEST);
        assert_eq!(
            status_of(ErrorCode::NoVersionInForce),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(ErrorCode::RuleError),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn the_document_lists_every_code() {
        use crate::native::store::StoreError;
        let engine = [
            ErrorCode::InvalidJson,
            ErrorCode::InvalidRequest,
            ErrorCode::UnknownProduct,
            ErrorCode::UnknownVersion,
            ErrorCode::NoVersionInForce,
            ErrorCode::InvalidDate,
            ErrorCode::InvalidLanguage,
            ErrorCode::RuleError,
        ];
        for code in engine {
            assert!(ERROR_CODES.contains(&code.as_str()), "{code:?}");
        }
        let bytes = vec![0xff_u8];
        let utf8 = std::str::from_utf8(&bytes).unwrap_err();
        let json = serde_json::from_str::<u8>("x").unwrap_err();
        let own = [
            ApiError::Unauthorized("x"),
            ApiError::BodyTooLarge,
            ApiError::UnreadableBody,
            ApiError::NotUtf8(utf8),
            ApiError::BadDecisionJson(json),
            ApiError::BadQuery("x".to_owned()),
            ApiError::InvalidCsv("x".to_owned()),
            ApiError::Invalid {
                field: "x",
                message: "x".to_owned(),
            },
            ApiError::UnknownCase("x".to_owned()),
            ApiError::NoRoute,
            ApiError::NoPage,
            ApiError::MethodNotAllowed,
            ApiError::Timeout(Duration::from_millis(1)),
            ApiError::StoreUnavailable,
            ApiError::Store(StoreError::from(rusqlite::Error::InvalidQuery)),
            ApiError::Internal("x".to_owned()),
        ];
        for e in &own {
            assert!(ERROR_CODES.contains(&e.parts().1), "{e:?}");
        }
    }

    #[test]
    fn own_errors_keep_their_codes() {
        let e = ApiError::Invalid {
            field: "motivation",
            message: "x".to_owned(),
        };
        assert_eq!(e.parts().2, "x");
        let body = ErrorBody {
            error: ErrorDetail {
                code: "invalid_request",
                message: Cow::Borrowed("x"),
                field: Some("motivation"),
                line: None,
                column: None,
                versions: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"invalid_request","message":"x","field":"motivation"}}"#
        );
    }
}

//! The API's error responses, shaped like FastAPI's: `{"detail": "…"}` or, for 422, a list
//! of `{loc, msg, type}` entries. The fault layer and the handlers answer with an
//! [`ApiError`]; the rules and the store have errors of their own ([`Refusal`],
//! [`StoreError`]), which become responses here, in one place, so neither knows HTTP.

use std::time::Duration;

use axum::{
    Json,
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use batches_types::{ErrorBody, ErrorDetail, LocItem, ValidationError};
use serde_json::{Map, Value};

use crate::{rules::Refusal, store::StoreError};

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: ErrorDetail,
    /// How long the client should wait before trying again (`retry-after`).
    retry_after: Option<Duration>,
}

impl ApiError {
    /// A response with a message as its detail.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            detail: ErrorDetail::Message(message.into()),
            retry_after: None,
        }
    }

    /// A 422 with these entries.
    pub fn validation(entries: Vec<ValidationError>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: ErrorDetail::Validation(entries),
            retry_after: None,
        }
    }

    /// A 429 asking the client to wait `delay`: sent as `retry-after` (whole seconds,
    /// rounded up, as the API sends it) and `retry-after-ms` (exact).
    pub fn rate_limited(message: impl Into<String>, delay: Duration) -> Self {
        ApiError {
            retry_after: Some(delay),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    /// The 401 every route gives for a missing or unknown key.
    pub fn unauthorized() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "Invalid authentication token")
    }
}

/// One 422 entry; `input` and `ctx` are added as FastAPI does when given.
pub fn entry(
    loc: &[&str],
    msg: impl Into<String>,
    type_: &str,
    input: Option<Value>,
    ctx: Option<Value>,
) -> ValidationError {
    let loc = loc.iter().map(|part| LocItem::Name((*part).to_owned()));
    let mut entry = ValidationError::new(loc.collect::<Vec<_>>(), msg, type_);
    let mut extra = Map::new();
    if let Some(input) = input {
        extra.insert("input".into(), input);
    }
    if let Some(ctx) = ctx {
        extra.insert("ctx".into(), ctx);
    }
    entry.extra = extra;
    entry
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotFound(message) => ApiError::new(StatusCode::NOT_FOUND, message),
            Refusal::Conflict(message) => ApiError::new(StatusCode::CONFLICT, message),
            Refusal::Unprocessable { loc, message } => {
                ApiError::validation(vec![entry(&loc, message, "value_error", None, None)])
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(refusal) => refusal.into(),
            StoreError::Database(error) => {
                tracing::error!(%error, "database error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal database error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ErrorBody::new(self.detail))).into_response();
        if let Some(delay) = self.retry_after {
            let headers = response.headers_mut();
            let millis = delay.as_micros().div_ceil(1000);
            headers.insert("retry-after-ms", HeaderValue::from(millis as u64));
            headers.insert(
                "retry-after",
                HeaderValue::from(millis.div_ceil(1000).max(1) as u64),
            );
        }
        if self.status == StatusCode::CONFLICT {
            // A conflict does not go away by itself; tell the official clients, which retry
            // 409 by default, not to.
            response
                .headers_mut()
                .insert("x-should-retry", HeaderValue::from_static("false"));
        }
        response
    }
}

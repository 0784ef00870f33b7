//! Reading a request: its path id and its body (size, time, content type, JSON).

use axum::{
    body::{Body, Bytes},
    http::{StatusCode, header},
};
use futures_util::StreamExt;

use crate::error::{ApiError, entry};

/// The one path parameter of a route (`batch_id`, `directory_id`), refused with a JSON
/// 400 when it is not valid UTF-8 (axum's own rejection is plain text).
pub struct PathId(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| PathId(id))
            .map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, rejection.body_text()))
    }
}

/// Reads a whole request body of at most `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|error| {
        unreadable_body(&error, limit).unwrap_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("Cannot read the request body: {error}"),
            )
        })
    })
}

/// Reads and drops a request body, up to `limit` bytes or until it stalls, so that an
/// answer given before the body was read reaches a client still sending it.
pub async fn discard_body(body: Body, limit: usize) {
    let mut chunks = body.into_data_stream();
    let mut read = 0;
    while let Some(Ok(chunk)) = chunks.next().await {
        read += chunk.len();
        if read > limit {
            return;
        }
    }
}

/// The answer to a body that could not be read because of the emulator's own limits: a
/// 408 when it stalled longer than the body timeout, a 413 when it passed `limit`; `None`
/// for any other cause (the caller says what was wrong with it).
pub fn unreadable_body(
    error: &(dyn std::error::Error + 'static),
    limit: usize,
) -> Option<ApiError> {
    if caused_by::<tower_http::timeout::TimeoutError>(error) {
        Some(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "The request body did not arrive in time",
        ))
    } else if caused_by::<http_body_util::LengthLimitError>(error) {
        Some(too_large(limit))
    } else {
        None
    }
}

/// Whether the error, or one of its sources, is an `E`.
fn caused_by<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if error.is::<E>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// The 413 for a body over `limit` bytes.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The request body is larger than the limit of {limit} bytes"),
    )
}

/// Whether the request says its body is of this media type (parameters ignored). A
/// request with no `Content-Type` passes, as FastAPI reads such a body as JSON.
pub fn content_type_is(headers: &http::HeaderMap, media_type: &str) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let actual = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if actual.eq_ignore_ascii_case(media_type) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be {media_type}, not {actual:?}"),
        ))
    }
}

/// Reads a JSON request body: checks the content type and size, and turns a syntax error
/// into FastAPI's `json_invalid` 422 with the byte position.
pub async fn json_body(
    headers: &http::HeaderMap,
    body: Body,
    limit: usize,
) -> Result<serde_json::Value, ApiError> {
    content_type_is(headers, "application/json")?;
    let bytes = read_body(body, limit).await?;
    serde_json::from_slice(&bytes).map_err(|error| {
        let offset = byte_offset(&bytes, error.line(), error.column());
        let mut entry = entry(
            &["body"],
            "JSON decode error",
            "json_invalid",
            Some(serde_json::json!({})),
            Some(serde_json::json!({ "error": error.to_string() })),
        );
        entry.loc.push(batches_types::LocItem::Index(offset as i64));
        ApiError::validation(vec![entry])
    })
}

/// A body that passed its checks as the model it is: a shape the checks let through but the
/// model refuses is a 422 on the whole body.
pub fn decode_body<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|error| {
        ApiError::validation(vec![entry(
            &["body"],
            error.to_string(),
            "value_error",
            None,
            None,
        )])
    })
}

/// The byte offset of a 1-based line and column.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = bytes
        .split(|byte| *byte == b'\n')
        .take(line.saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum();
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

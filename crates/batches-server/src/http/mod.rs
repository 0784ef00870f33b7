//! The HTTP side: routes, authentication, body limits and the connection loop.

mod batches;
mod directories;
mod error;
mod query;
mod validate;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, Request, State},
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use hyper_util::{rt::TokioIo, server::graceful::GracefulShutdown, service::TowerToHyperService};
use tokio::{net::TcpListener, sync::watch};

use crate::{ServerConfig, faults::Faults, lifecycle::Scheduler, store::Store};
pub use error::ApiError;
use query::Query;

/// How long a client may take to send a request body before it gets a 408.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long requests in flight may take to finish at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// State shared by every handler.
#[derive(Clone)]
pub struct App {
    store: Arc<Store>,
    config: Arc<ServerConfig>,
    scheduler: Scheduler,
    faults: Arc<Faults>,
}

impl App {
    /// The application over this store.
    pub fn new(store: Arc<Store>, config: Arc<ServerConfig>, scheduler: Scheduler) -> Self {
        let faults = Arc::new(Faults::new(&config));
        App {
            store,
            config,
            scheduler,
            faults,
        }
    }
}

/// The project the request's key belongs to.
#[derive(Clone)]
pub struct Project(pub String);

fn router(app: App) -> Router {
    let upload_limit = app.config.max_upload_body;
    Router::new()
        .route("/api/v2/batches", get(batches::list).post(batches::create))
        .route("/api/v2/batches/{batch_id}", get(batches::get))
        .route("/api/v2/batches/{batch_id}/cancel", post(batches::cancel))
        .route(
            "/api/v1/beta/directories",
            get(directories::list).post(directories::create),
        )
        .route(
            "/api/v1/beta/directories/{directory_id}",
            get(directories::get),
        )
        .route(
            "/api/v1/beta/directories/{directory_id}/files",
            get(directories::list_files).post(directories::add_file),
        )
        .route(
            "/api/v1/beta/directories/{directory_id}/files/upload",
            post(directories::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route_layer(middleware::from_fn_with_state(app.clone(), authenticate))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "Not Found") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        })
        .with_state(app)
}

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

/// Resolves the bearer key to its project, and refuses a `project_id` query naming another.
async fn authenticate(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let key = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, key) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
        });
    let Some(project) = key.and_then(|key| {
        app.config
            .api_keys
            .iter()
            .find(|(known, _)| known == key)
            .map(|(_, project)| project.clone())
    }) else {
        return ApiError::unauthorized().into_response();
    };
    let asked = Query::parse(request.uri().query()).string("project_id");
    if let Some(asked) = asked.filter(|asked| !asked.is_empty() && *asked != project) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!("This API key has no access to project {asked}"),
        )
        .into_response();
    }
    request.extensions_mut().insert(Project(project));
    next.run(request).await
}

/// Reads a whole request body of at most `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "The request body did not arrive in time",
        )),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) if is_length_limit(&error) => Err(too_large(limit)),
        Ok(Err(error)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Cannot read the request body: {error}"),
        )),
    }
}

fn is_length_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The request body is larger than the limit of {limit} bytes"),
    )
}

/// Whether the request says its body is of this media type (parameters ignored). A
/// request with no `Content-Type` passes, as FastAPI reads such a body as JSON.
fn content_type_is(headers: &http::HeaderMap, media_type: &str) -> Result<(), ApiError> {
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
async fn json_body(
    headers: &http::HeaderMap,
    body: Body,
    limit: usize,
) -> Result<serde_json::Value, ApiError> {
    content_type_is(headers, "application/json")?;
    let bytes = read_body(body, limit).await?;
    serde_json::from_slice(&bytes).map_err(|error| {
        let offset = byte_offset(&bytes, error.line(), error.column());
        let mut entry = error::entry(
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

/// The byte offset of a 1-based line and column.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = bytes
        .split(|byte| *byte == b'\n')
        .take(line.saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum();
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

/// The cursor in a page token, or a 400 saying why the token does not fit this listing.
fn decode_token(
    token: Option<String>,
    listing: u64,
) -> Result<Option<crate::page_token::Cursor>, ApiError> {
    token
        .map(|token| crate::page_token::decode(&token, listing))
        .transpose()
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.detail()))
}

/// The envelope of every listing: `{items, next_page_token?}`, the shape of
/// `BatchQueryResponse` (`total_size` is never sent).
#[derive(serde::Serialize)]
pub struct Page<T> {
    items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
}

/// Splits `page_size + 1` listed rows into the page and the token of the next one.
fn page<T>(mut rows: Vec<crate::store::Listed<T>>, page_size: i64, listing: u64) -> Page<T> {
    let more = rows.len() as i64 > page_size;
    rows.truncate(page_size as usize);
    let next_page_token = more
        .then(|| {
            rows.last()
                .map(|(_, cursor)| crate::page_token::encode(listing, cursor))
        })
        .flatten();
    Page {
        items: rows.into_iter().map(|(item, _)| item).collect(),
        next_page_token,
    }
}

/// Serves connections until `stop` turns true, then drains them.
pub async fn serve(listener: TcpListener, app: App, mut stop: watch::Receiver<bool>) {
    let router = router(app.clone());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // Without this a client that opens a connection and sends nothing holds it forever.
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        // A client that shuts down its sending side after the request still gets the
        // answer (a cut body gets its 400) instead of a dropped connection.
        .half_close(true);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let (stream, socket) = match crate::faults::split_socket(stream) {
                    Ok(parts) => parts,
                    Err(error) => {
                        tracing::warn!(%error, "cannot set up a connection");
                        continue;
                    }
                };
                let service = app.faults.service(router.clone(), socket);
                let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running at shutdown were cut off");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use batches_types::{Batch, BatchConfig, BatchQueryResponse, JobConfig, JobType};

    #[test]
    fn a_page_of_stored_batches_is_a_batch_query_response() {
        let batch = Batch::new(
            "bat-1",
            BatchConfig::new(JobConfig::new("cfg-1", JobType::ParseV2)),
            "prj-1",
            "dir-1",
            "RUNNING",
        );
        let stored = serde_json::value::to_raw_value(&batch).unwrap();
        let cursor = crate::page_token::Cursor {
            created_at: 1,
            id: "bat-1".into(),
        };
        let rows = vec![(stored.clone(), cursor.clone()), (stored, cursor)];
        let page = page(rows, 1, 7);
        let decoded: BatchQueryResponse =
            serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        assert_eq!(decoded.items, vec![batch]);
        assert!(decoded.next_page_token.is_some());
        assert!(decoded.extra.is_empty(), "no field beyond the schema's");
    }
}

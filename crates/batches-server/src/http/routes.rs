//! Which handler serves which path.

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::StatusCode,
    middleware,
    routing::{get, post},
};
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::{
    app::App, auth::authenticate, batches, directories, emulator, jobs, upload, webhook_configs,
    webhooks,
};
use crate::{console, error::ApiError};

/// Every route of the emulator, behind authentication except the presigned result URLs
/// and the console's page and files;
/// anything else gets a JSON 404 or 405. Every request body, JSON or upload, ends with an
/// error after the configured time without a byte, which the handlers answer 408.
pub fn router(app: App) -> Router {
    let upload_limit = app.config.max_upload_body;
    let body_timeout = app.config.body_timeout;
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
            post(upload::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v2/parse/{job_id}", get(jobs::get_parse))
        .route("/api/v2/extract/{job_id}", get(jobs::get_extract))
        .route(
            "/api/v1/beta/webhook-configs",
            get(webhook_configs::list).post(webhook_configs::create),
        )
        .route(
            "/api/v1/beta/webhook-configs/{config_id}",
            get(webhook_configs::get)
                .put(webhook_configs::update)
                .delete(webhook_configs::delete),
        )
        // The emulator's own, outside the API's paths.
        .route("/emulator/webhook-deliveries", get(webhooks::deliveries))
        .route("/emulator/faults", get(emulator::faults))
        .route("/emulator/requests", get(emulator::requests))
        .route_layer(middleware::from_fn_with_state(app.clone(), authenticate))
        // The console's page and files hold no data: no key (the page asks for one).
        .route("/", get(console::page))
        .route(console::SCRIPT_PATH, get(console::script))
        .route(console::STYLE_PATH, get(console::style))
        // A presigned URL is its own authorisation: outside `/api/`, after the key check.
        .route("/results/{job_id}/{name}", get(jobs::result))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "Not Found") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        })
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .with_state(app)
}

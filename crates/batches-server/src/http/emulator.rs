//! The emulator's own JSON views for the console, outside `/api` and behind the same key
//! check: the fault settings in force (`GET /emulator/faults`) and the latest requests
//! (`GET /emulator/requests`). Neither is part of the API.

use axum::{Extension, Json, extract::State};
use serde_json::{Value, json};

use super::{app::App, auth::Project};
use crate::{config::FaultKind, recent::KEPT};

/// `GET /emulator/faults`: what the emulator was started with that changes what a client
/// sees (faults, latency, limits, processing pace, webhook delivery rules), and how many
/// requests it has numbered so far.
pub async fn faults(State(app): State<App>) -> Json<Value> {
    let config = &app.config;
    let kinds = if config.fault_kinds.is_empty() {
        FaultKind::ALL
    } else {
        &config.fault_kinds
    };
    let webhooks = &config.webhooks;
    Json(json!({
        "fault_rate": config.fault_rate,
        "fault_kinds": kinds.iter().map(FaultKind::as_str).collect::<Vec<_>>(),
        "fault_seed": config.fault_seed,
        "latency_ms": config.latency_ms,
        "slow_fault_ms": config.slow_fault_ms,
        "processing_ms": config.processing_ms,
        "concurrency_limit": config.concurrency_limit,
        "upload_rate_limit": config.upload_rate_limit.map(|limit| json!({
            "requests": limit.requests,
            "window_ms": limit.window.as_millis(),
        })),
        "webhooks": {
            "allow_hosts": webhooks.allow_hosts,
            "retry_base_ms": webhooks.retry_base.as_millis(),
            "timeout_ms": webhooks.timeout.as_millis(),
            "shuffle": webhooks.shuffle,
            "duplicate_rate": webhooks.duplicate_rate,
        },
        "requests_numbered": app.counts.snapshot().requests,
    }))
}

/// `GET /emulator/requests`: the latest requests (at most [`KEPT`]), newest first, of the
/// caller's project and those without a valid key: method, path without its query,
/// status, fault, time. No header and no query string is ever kept.
pub async fn requests(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
) -> Json<Value> {
    Json(json!({
        "items": app.recent.visible_to(&project),
        "kept": KEPT,
    }))
}

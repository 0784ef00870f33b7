//! `/api/v1/beta/webhook-configs`: create, list, get, update, delete. The signing secret is
//! write-only: answers carry `has_secret`, never the secret.

use axum::{
    Extension, Json,
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use batches_types::{
    CreateWebhookConfigRequest, LocItem, UpdateWebhookConfigRequest, WebhookConfig,
};
use serde_json::{Map, Value};

use super::{
    app::App,
    auth::Project,
    batches::too_short,
    request::{PathId, decode_body, json_body},
    validate::Checker,
    webhooks::{check_delivery, check_fields},
};
use crate::error::{ApiError, entry};

/// The checks of a configuration's body; `webhook_url` is required on create, and never
/// empty.
fn validate(body: &Value, url_required: bool) -> Result<(), ApiError> {
    let mut check = Checker::default();
    if let Some(object) = check.object(Some(body), &["body"]) {
        check_url_present(&mut check, object, url_required);
        check_fields(&mut check, object, &[LocItem::Name("body".to_owned())]);
    }
    if check.errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(check.errors))
    }
}

fn check_url_present(check: &mut Checker, object: &Map<String, Value>, required: bool) {
    let loc = ["body", "webhook_url"];
    match object.get("webhook_url") {
        None if required => check
            .errors
            .push(entry(&loc, "Field required", "missing", None, None)),
        Some(Value::Null) if required => check.errors.push(entry(
            &loc,
            "Input should be a valid string",
            "string_type",
            Some(Value::Null),
            None,
        )),
        Some(Value::String(url)) if url.is_empty() => check.errors.push(too_short(&loc, url)),
        _ => {}
    }
}

/// `POST /api/v1/beta/webhook-configs`
pub async fn create(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<WebhookConfig>, ApiError> {
    let body = json_body(&headers, body, app.config.max_json_body).await?;
    validate(&body, true)?;
    let request: CreateWebhookConfigRequest = decode_body(body)?;
    check_delivery(
        Some(&request.webhook_url),
        request.webhook_headers.as_ref(),
        &app.config.webhooks,
        "",
        false,
    )?;
    Ok(Json(app.store.create_webhook_config(&project, &request)?))
}

/// `GET /api/v1/beta/webhook-configs`
pub async fn list(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
) -> Result<Json<Vec<WebhookConfig>>, ApiError> {
    Ok(Json(app.store.list_webhook_configs(&project)?))
}

/// `GET /api/v1/beta/webhook-configs/{config_id}`
pub async fn get(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(config_id): PathId,
) -> Result<Json<WebhookConfig>, ApiError> {
    Ok(Json(app.store.get_webhook_config(&project, &config_id)?))
}

/// `PUT /api/v1/beta/webhook-configs/{config_id}`
pub async fn update(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(config_id): PathId,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<WebhookConfig>, ApiError> {
    let body = json_body(&headers, body, app.config.max_json_body).await?;
    validate(&body, false)?;
    let request: UpdateWebhookConfigRequest = decode_body(body)?;
    check_delivery(
        request.webhook_url.as_deref(),
        request.webhook_headers.as_ref(),
        &app.config.webhooks,
        "",
        true,
    )?;
    Ok(Json(
        app.store
            .update_webhook_config(&project, &config_id, &request)?,
    ))
}

/// `DELETE /api/v1/beta/webhook-configs/{config_id}`
pub async fn delete(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(config_id): PathId,
) -> Result<StatusCode, ApiError> {
    app.store.delete_webhook_config(&project, &config_id)?;
    Ok(StatusCode::NO_CONTENT)
}

//! `/api/v2/batches`: list, create, get, cancel.

use std::collections::BTreeMap;

use axum::{
    Extension, Json,
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
};
use batches_types::{
    Batch, BatchStatus, CreateBatchRequest, JobType, ListBatchesParams, LocItem, ValidationError,
};
use serde_json::{Value, json, value::RawValue};

use super::{
    app::App,
    auth::Project,
    page::{Page, decode_token, page},
    query::{Query, expected_list},
    request::{PathId, decode_body, json_body},
    validate::{Checker, indexed},
    webhooks::{check_fields, check_inline},
};
use crate::{
    error::{ApiError, entry},
    page_token,
    store::{BatchFilter, CreateBatch, batch_not_found},
};

/// `GET /api/v2/batches`
pub async fn list(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Box<RawValue>>>, ApiError> {
    let mut query = Query::parse(raw.as_deref());
    let listing = read_listing(&mut query);
    let page_size = query.page_size();
    let token = query.page_token();
    query.finish()?;
    // The filters (and nothing else) define the listing a token belongs to; the shared
    // query encoding gives them one canonical text.
    let fingerprint =
        page_token::fingerprint(&format!("batches|{project}|{}", listing.to_query_string()));
    let after = decode_token(&app.tokens, token, fingerprint)?;
    let rows = app.store.list_batches(
        &project,
        &batch_filter(listing),
        after.as_ref(),
        page_size + 1,
    )?;
    Ok(Json(page(&app.tokens, rows, page_size, fingerprint)))
}

/// The filters of a batch listing, read in the order a 422 lists their problems. Every
/// field is named, so that a parameter added to the schema does not compile until it is
/// read here.
fn read_listing(query: &mut Query) -> ListBatchesParams {
    let statuses: Vec<&str> = BatchStatus::KNOWN.iter().map(BatchStatus::as_str).collect();
    ListBatchesParams {
        created_at_on_or_after: query.datetime("created_at_on_or_after"),
        created_at_on_or_before: query.datetime("created_at_on_or_before"),
        source_directory_id: query.string("source_directory_id"),
        status: query.one_of("status", &statuses).map(BatchStatus::from),
        // Which page, not which listing: read by `Query::page_size` and `page_token`.
        page_size: None,
        page_token: None,
        // The key decides the project (authentication refuses a `project_id` naming
        // another one), and the emulator has a single organization.
        organization_id: None,
        project_id: None,
    }
}

/// The filters as the store applies them. Destructured without `..`, so that a filter
/// added to the schema does not compile until the store applies it.
fn batch_filter(listing: ListBatchesParams) -> BatchFilter {
    let ListBatchesParams {
        created_at_on_or_after,
        created_at_on_or_before,
        source_directory_id,
        status,
        page_size: _,
        page_token: _,
        organization_id: _,
        project_id: _,
    } = listing;
    BatchFilter {
        source_directory_id,
        status,
        created_at_on_or_after: created_at_on_or_after.map(|t| t.timestamp_micros()),
        created_at_on_or_before: created_at_on_or_before.map(|t| t.timestamp_micros()),
    }
}

/// `GET /api/v2/batches/{batch_id}`
pub async fn get(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(batch_id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<Batch>, ApiError> {
    let query = Query::parse(raw.as_deref());
    // `results` is the one expandable field; other names are ignored, as FastAPI does for
    // a list of free strings.
    let expand_results = query.all("expand").iter().any(|name| name == "results");
    app.store
        .get_batch(&project, &batch_id, expand_results)?
        .map(Json)
        .ok_or_else(|| batch_not_found(&batch_id).into())
}

/// `POST /api/v2/batches/{batch_id}/cancel`
pub async fn cancel(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(batch_id): PathId,
) -> Result<Json<Batch>, ApiError> {
    Ok(Json(app.store.cancel_batch(&project, &batch_id)?))
}

/// `POST /api/v2/batches`
pub async fn create(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Batch>, ApiError> {
    let body = json_body(&headers, body, app.config.max_json_body).await?;
    let errors = validate_create(&body);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let request: CreateBatchRequest = decode_body(body.clone())?;
    check_inline(&request, &app.config.webhooks)?;
    let key = headers
        .get("idempotency-key")
        .map(|value| {
            value.to_str().map(str::to_owned).map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "Idempotency-Key must be visible ASCII text",
                )
            })
        })
        .transpose()?;
    let canonical = canonical_json(&body);
    let batch = app.store.create_batch(CreateBatch {
        project_id: &project,
        source_directory_id: &request.source_directory_id,
        config: &request.config,
        idempotency: key.as_deref().map(|key| (key, canonical.as_str())),
        first_step_in_micros: app.config.step_micros(),
        webhook_configurations: request
            .webhook_configurations
            .as_deref()
            .unwrap_or_default(),
        webhook_configuration_ids: request
            .webhook_configuration_ids
            .as_deref()
            .unwrap_or_default(),
    })?;
    app.scheduler.wake();
    Ok(Json(batch))
}

/// The body with object keys sorted, so that the same request spelled in another key
/// order is recognised as the same for its idempotency key.
fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(object) => {
                let map: BTreeMap<&String, Value> = object
                    .iter()
                    .map(|(key, value)| (key, sorted(value)))
                    .collect();
                json!(map)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// The 422 entry of a string that must hold at least one character (other than
/// whitespace, where the schema says so).
pub fn too_short(loc: &[&str], input: &str) -> ValidationError {
    entry(
        loc,
        "String should have at least 1 character",
        "string_too_short",
        Some(json!(input)),
        Some(json!({"min_length": 1})),
    )
}

/// Checks the create body field by field, collecting every problem as FastAPI would.
fn validate_create(body: &Value) -> Vec<ValidationError> {
    let mut check = Checker::default();
    let Some(object) = check.object(Some(body), &["body"]) else {
        return check.errors;
    };
    let directory_loc = ["body", "source_directory_id"];
    if let Some("") = check.string(object.get("source_directory_id"), &directory_loc, true) {
        check.errors.push(too_short(&directory_loc, ""));
    }
    let config = check.object(object.get("config"), &["body", "config"]);
    let job = config.and_then(|config| check.object(config.get("job"), &["body", "config", "job"]));
    if let Some(job) = job {
        let id_loc = ["body", "config", "job", "configuration_id"];
        if let Some(id) = check.string(job.get("configuration_id"), &id_loc, true)
            && id.trim().is_empty()
        {
            check.errors.push(too_short(&id_loc, id));
        }
        let type_loc = ["body", "config", "job", "type"];
        let known: Vec<&str> = JobType::KNOWN.iter().map(JobType::as_str).collect();
        if let Some(type_) = check.string(job.get("type"), &type_loc, true)
            && !known.contains(&type_)
        {
            let expected = expected_list(&known);
            check.errors.push(entry(
                &type_loc,
                format!("Input should be {expected}"),
                "literal_error",
                Some(json!(type_)),
                Some(json!({"expected": expected})),
            ));
        }
    }
    if let Some(ids) = check.optional_array(
        object.get("webhook_configuration_ids"),
        "webhook_configuration_ids",
    ) {
        for (i, id) in ids.iter().enumerate() {
            check.string_at(Some(id), "webhook_configuration_ids", i);
        }
    }
    if let Some(hooks) = check.optional_array(
        object.get("webhook_configurations"),
        "webhook_configurations",
    ) {
        for (i, hook) in hooks.iter().enumerate() {
            let path = &["body", "webhook_configurations"];
            let Some(hook) = hook.as_object() else {
                check.errors.push(indexed(
                    path,
                    i,
                    None,
                    "Input should be a valid dictionary",
                    "dict_type",
                    hook,
                ));
                continue;
            };
            let loc = [
                LocItem::Name("body".to_owned()),
                LocItem::Name("webhook_configurations".to_owned()),
                LocItem::Index(i as i64),
            ];
            check_fields(&mut check, hook, &loc);
        }
    }
    check.errors
}

//! `GET /api/v2/parse/{job_id}` and `GET /api/v2/extract/{job_id}`: a job of the caller's
//! project with what `expand` asks for, and `GET /results/{job_id}/{name}`, the presigned
//! URL of a parse result, which needs no key.

use axum::{
    Extension, Json,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use batches_types::{JobStatus, JobType};
use serde_json::{Map, Value, json};

use super::{app::App, auth::Project, query::Query, request::PathId};
use crate::{
    documents::{self, Document, Page},
    error::ApiError,
    store::{JobRow, now_micros, to_datetime},
};

/// The result names a parse job serves, each asked for with `{name}_content_metadata`.
const RESULT_NAMES: [&str; 3] = ["text", "markdown", "items"];

fn job_not_found(id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("Job {id} not found"))
}

fn load(
    app: &App,
    project: &str,
    id: &str,
    job_type: JobType,
    with_result: bool,
) -> Result<JobRow, ApiError> {
    app.store
        .get_job(project, id, &job_type, with_result)?
        .ok_or_else(|| job_not_found(id))
}

/// `GET /api/v2/parse/{job_id}`
pub async fn get_parse(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(job_id): PathId,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    // Values other than the known ones are ignored, as for a batch's `expand`.
    let expand = Query::parse(raw.as_deref()).all("expand");
    let asks = |name: &str| expand.iter().any(|asked| asked == name);
    let wants_result = [
        "text",
        "text_full",
        "markdown",
        "markdown_full",
        "items",
        "metadata",
    ]
    .iter()
    .any(|name| asks(name))
        || RESULT_NAMES
            .iter()
            .any(|name| asks(&format!("{name}_content_metadata")));
    let job = load(&app, &project, &job_id, JobType::ParseV2, wants_result)?;
    let pricing = documents::parse_pricing(&job.configuration_id);
    let pages = job.pages.unwrap_or(0) as usize;

    let mut job_json = common_fields(&job);
    job_json.insert("name".into(), json!(job.file_name));
    job_json.insert("tier".into(), json!(pricing.parse_tier));
    if asks("usage") {
        job_json.insert(
            "usage".into(),
            json!({"credits": credits(&job, pricing.parse_credits(pages))}),
        );
    }
    let mut body = Map::new();
    body.insert("job".into(), Value::Object(job_json));

    let document: Option<Document> = job
        .result
        .as_deref()
        .and_then(|result| serde_json::from_str(result).ok());
    let limit = app.config.presign_above;
    let mut content_metadata = Map::new();
    if let Some(document) = &document {
        let text_full = document.text_full();
        let markdown_full = document.markdown_full();
        let items = items_json(document);
        let fits = |size: usize| size as u64 <= limit;
        if asks("text") && fits(text_full.len()) {
            body.insert(
                "text".into(),
                pages_of(document, |number, page| match page {
                    Page::Read { text, .. } => json!({"page_number": number, "text": text}),
                    Page::Failed { .. } => json!({"page_number": number, "text": ""}),
                }),
            );
        }
        if asks("text_full") && fits(text_full.len()) {
            body.insert("text_full".into(), json!(text_full));
        }
        if asks("markdown") && fits(markdown_full.len()) {
            body.insert(
                "markdown".into(),
                pages_of(document, |number, page| match page {
                    Page::Read { markdown, .. } => {
                        json!({"page_number": number, "markdown": markdown, "success": true})
                    }
                    Page::Failed { error } => {
                        json!({"page_number": number, "error": error, "success": false})
                    }
                }),
            );
        }
        if asks("markdown_full") && fits(markdown_full.len()) {
            body.insert("markdown_full".into(), json!(markdown_full));
        }
        if asks("items") && fits(items.len()) {
            let items: Value = serde_json::from_str(&items).expect("the items were just encoded");
            body.insert("items".into(), items);
        }
        if asks("metadata") {
            body.insert(
                "metadata".into(),
                pages_of(document, |number, page| {
                    let confidence = if matches!(page, Page::Read { .. }) {
                        1.0
                    } else {
                        0.0
                    };
                    json!({"page_number": number, "confidence": confidence})
                }),
            );
        }
        let sizes = [text_full.len(), markdown_full.len(), items.len()];
        let base = base_url(&app, &headers);
        let expires = now_micros() / 1_000_000 + app.config.presign_ttl.as_secs() as i64;
        for (name, size) in RESULT_NAMES.iter().zip(sizes) {
            if asks(&format!("{name}_content_metadata")) {
                let url = format!("{base}{}", app.result_urls.path(&job.id, name, expires));
                content_metadata.insert(
                    (*name).into(),
                    json!({"size_bytes": size, "exists": true, "presigned_url": url}),
                );
            }
        }
    } else {
        for name in RESULT_NAMES {
            if asks(&format!("{name}_content_metadata")) {
                content_metadata.insert(
                    name.into(),
                    json!({"size_bytes": 0, "exists": false, "presigned_url": null}),
                );
            }
        }
    }
    if asks("job_metadata") {
        let mut metadata = json!({
            "file_name": job.file_name,
            "file_size_bytes": job.size,
            "tier": pricing.parse_tier,
        });
        if let Some(pages) = job.pages {
            metadata["page_count"] = json!(pages);
        }
        body.insert("job_metadata".into(), metadata);
    }
    if !content_metadata.is_empty() {
        body.insert(
            "result_content_metadata".into(),
            Value::Object(content_metadata),
        );
    }
    Ok(Json(Value::Object(body)))
}

/// `GET /api/v2/extract/{job_id}`
pub async fn get_extract(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(job_id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let expand = Query::parse(raw.as_deref()).all("expand");
    let asks = |name: &str| expand.iter().any(|asked| asked == name);
    let job = load(&app, &project, &job_id, JobType::ExtractV2, true)?;
    let stored: Value = job
        .result
        .as_deref()
        .and_then(|result| serde_json::from_str(result).ok())
        .unwrap_or(Value::Null);
    let preset = documents::extract(&job.configuration_id, &Document { pages: Vec::new() });
    let pricing = documents::extract_pricing(&job.configuration_id, preset.is_preset);
    let pages = job.pages.unwrap_or(0) as usize;

    let mut body = common_fields(&job);
    body.insert("configuration_id".into(), json!(job.configuration_id));
    body.insert("file_input".into(), json!(job.directory_file_id));
    body.insert("extract_result".into(), stored["extract_result"].clone());
    if asks("extract_metadata") {
        body.insert(
            "extract_metadata".into(),
            json!({
                "field_metadata": {"document_metadata": stored["field_metadata"].clone()},
                "parse_job_id": job.parse_job_id,
                "parse_tier": pricing.parse_tier,
            }),
        );
    }
    if asks("configuration") {
        body.insert(
            "configuration".into(),
            json!({
                "data_schema": preset.data_schema,
                "tier": pricing.extract_tier,
                "parse_tier": pricing.parse_tier,
                "extraction_target": "per_doc",
            }),
        );
    }
    if asks("usage") {
        let parse = pricing.parse_credits(pages);
        let extract = pricing.extract_credits(pages);
        body.insert(
            "usage".into(),
            json!({
                "credits": credits(&job, parse + extract),
                "extract_credits": credits(&job, extract),
                "parse_credits": credits(&job, parse),
            }),
        );
    }
    Ok(Json(Value::Object(body)))
}

/// `GET /results/{job_id}/{name}?expires=…&signature=…`: a parse result's document, for
/// whoever holds the URL (no key is asked for). A URL this database did not sign, or one
/// changed or expired since, is a 403.
pub async fn result(
    State(app): State<App>,
    axum::extract::Path((job_id, name)): axum::extract::Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    app.result_urls
        .check(
            &job_id,
            &name,
            query.string("expires").as_deref(),
            query.string("signature").as_deref(),
            now_micros() / 1_000_000,
        )
        .map_err(|refused| ApiError::new(StatusCode::FORBIDDEN, refused.detail()))?;
    let document: Document = app
        .store
        .parse_result(&job_id)?
        .and_then(|result| serde_json::from_str(&result).ok())
        .ok_or_else(|| job_not_found(&job_id))?;
    let (content_type, body) = match name.as_str() {
        "markdown" => ("text/markdown; charset=utf-8", document.markdown_full()),
        "text" => ("text/plain; charset=utf-8", document.text_full()),
        _ => ("application/json", items_json(&document)),
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response())
}

/// The fields every job shows, in the API's order.
fn common_fields(job: &JobRow) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("id".into(), json!(job.id));
    fields.insert("project_id".into(), json!(job.project_id));
    fields.insert("status".into(), json!(job.status.as_str()));
    fields.insert("created_at".into(), json!(to_datetime(job.created_at)));
    fields.insert("updated_at".into(), json!(to_datetime(job.updated_at)));
    fields.insert("error_message".into(), json!(job.error_message));
    fields
}

/// What a job was billed: nothing while it runs (null), nothing for a failed job, the
/// price of its pages once COMPLETED.
fn credits(job: &JobRow, price: f64) -> Value {
    match job.status {
        JobStatus::Completed => json!(price),
        JobStatus::Failed | JobStatus::Cancelled => json!(0.0),
        _ => Value::Null,
    }
}

/// `{"pages": [...]}`, one entry per page made by `entry` from its number and page.
fn pages_of(document: &Document, entry: impl Fn(usize, &Page) -> Value) -> Value {
    let pages: Vec<Value> = document
        .pages
        .iter()
        .enumerate()
        .map(|(index, page)| entry(index + 1, page))
        .collect();
    json!({"pages": pages})
}

/// The `items` result as JSON text.
fn items_json(document: &Document) -> String {
    pages_of(document, |number, page| match page {
        Page::Read {
            items,
            width,
            height,
            ..
        } => json!({"page_number": number, "items": items, "page_width": width,
                    "page_height": height, "success": true}),
        Page::Failed { error } => json!({"page_number": number, "error": error, "success": false}),
    })
    .to_string()
}

/// The scheme and host the client reached the emulator at, so a presigned URL works from
/// where the client is (through a proxy, by a host name).
fn base_url(app: &App, headers: &HeaderMap) -> String {
    let scheme = if app.config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .map_or_else(|| app.config.listen.to_string(), str::to_owned);
    format!("{scheme}://{host}")
}

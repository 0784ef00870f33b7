//! `/api/v1/beta/directories`: the subset the getting-started flow needs.

use axum::{
    Extension, Json,
    body::Body,
    extract::{FromRequest, Multipart, RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
};
use serde_json::{Value, json};

use super::{
    app::App,
    auth::Project,
    page::{Page, decode_token, page},
    query::Query,
    request::{PathId, content_type_is, json_body, too_large},
    validate::Checker,
};
use crate::{
    error::{ApiError, entry},
    page_token,
    store::{DirectoryFilter, FileFilter, NewFile, directory_not_found},
};

const CREATE_TYPES: &[&str] = &["ephemeral", "user"];
const LIST_TYPES: &[&str] = &["ephemeral", "index", "user"];

/// `POST /api/v1/beta/directories`
pub async fn create(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(&headers, body, app.config.max_json_body).await?;
    let mut check = Checker::default();
    let mut fields = None;
    if let Some(object) = check.object(Some(&body), &["body"]) {
        let name = check.string(object.get("name"), &["body", "name"], true);
        let description = check.string(object.get("description"), &["body", "description"], false);
        let type_ = check.string(object.get("type"), &["body", "type"], false);
        if let Some(type_) = type_.filter(|type_| !CREATE_TYPES.contains(type_)) {
            check.errors.push(entry(
                &["body", "type"],
                "Input should be 'ephemeral' or 'user'",
                "literal_error",
                Some(json!(type_)),
                Some(json!({"expected": "'ephemeral' or 'user'"})),
            ));
        }
        let metadata = object
            .get("system_metadata")
            .filter(|value| !value.is_null());
        if let Some(metadata) = metadata.filter(|value| !value.is_object()) {
            check.errors.push(entry(
                &["body", "system_metadata"],
                "Input should be a valid dictionary",
                "dict_type",
                Some(metadata.clone()),
                None,
            ));
        }
        fields = Some((name, description, type_, metadata));
    }
    if !check.errors.is_empty() {
        return Err(ApiError::validation(check.errors));
    }
    let (name, description, type_, metadata) = fields.expect("validated above");
    let directory = app.store.create_directory(
        &project,
        name.expect("validated above"),
        description,
        type_.unwrap_or("user"),
        metadata,
    )?;
    Ok(Json(directory))
}

/// `GET /api/v1/beta/directories/{directory_id}`
pub async fn get(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(directory_id): PathId,
) -> Result<Json<Value>, ApiError> {
    app.store
        .get_directory(&project, &directory_id)?
        .map(Json)
        .ok_or_else(|| directory_not_found(&directory_id).into())
}

/// `GET /api/v1/beta/directories`
pub async fn list(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let mut query = Query::parse(raw.as_deref());
    let name = query.string("name");
    let mut types = query.all_of("types", LIST_TYPES);
    types.extend(query.one_of("type", LIST_TYPES));
    types.sort();
    types.dedup();
    // Nothing is ever deleted here, so `include_deleted` only needs to be a valid boolean.
    query.bool("include_deleted");
    let page_size = query.page_size();
    let token = query.page_token();
    query.finish()?;
    let listing = page_token::fingerprint(&format!(
        "directories|{project}|{}|{}",
        name.as_deref().unwrap_or("\u{0}"),
        types.join(",")
    ));
    let after = decode_token(&app.tokens, token, listing)?;
    let filter = DirectoryFilter { name, types };
    let rows = app
        .store
        .list_directories(&project, &filter, after.as_ref(), page_size + 1)?;
    Ok(Json(page(&app.tokens, rows, page_size, listing)))
}

/// `GET /api/v1/beta/directories/{directory_id}/files`
pub async fn list_files(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(directory_id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Value>>, ApiError> {
    let mut query = Query::parse(raw.as_deref());
    let after_bound = query.datetime("updated_at_on_or_after");
    let before_bound = query.datetime("updated_at_on_or_before");
    query.bool("include_deleted");
    let filter = FileFilter {
        display_name: query.string("display_name"),
        display_name_contains: query.string("display_name_contains"),
        file_id: query.string("file_id"),
        unique_id: query.string("unique_id"),
        updated_at_on_or_after: after_bound.map(|t| t.timestamp_micros()),
        updated_at_on_or_before: before_bound.map(|t| t.timestamp_micros()),
    };
    let page_size = query.page_size();
    let token = query.page_token();
    query.finish()?;
    let listing = page_token::fingerprint(&format!(
        "files|{project}|{directory_id}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        filter.display_name,
        filter.display_name_contains,
        filter.file_id,
        filter.unique_id,
        filter.updated_at_on_or_after,
        filter.updated_at_on_or_before
    ));
    let after = decode_token(&app.tokens, token, listing)?;
    let rows = app.store.list_files(
        &project,
        &directory_id,
        &filter,
        after.as_ref(),
        page_size + 1,
    )?;
    Ok(Json(page(&app.tokens, rows, page_size, listing)))
}

/// `POST /api/v1/beta/directories/{directory_id}/files`: adds an already uploaded file
/// (by its `file_id`) to the directory.
pub async fn add_file(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(directory_id): PathId,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(&headers, body, app.config.max_json_body).await?;
    let mut check = Checker::default();
    let mut fields = None;
    if let Some(object) = check.object(Some(&body), &["body"]) {
        let file_id = check.string(object.get("file_id"), &["body", "file_id"], true);
        let display_name =
            check.string(object.get("display_name"), &["body", "display_name"], false);
        let unique_id = check.string(object.get("unique_id"), &["body", "unique_id"], false);
        let metadata = object.get("metadata").filter(|value| !value.is_null());
        if let Some(metadata) = metadata.filter(|value| !value.is_object()) {
            check.errors.push(entry(
                &["body", "metadata"],
                "Input should be a valid dictionary",
                "dict_type",
                Some(metadata.clone()),
                None,
            ));
        }
        fields = Some((file_id, display_name, unique_id, metadata.cloned()));
    }
    if !check.errors.is_empty() {
        return Err(ApiError::validation(check.errors));
    }
    let (file_id, display_name, unique_id, metadata) = fields.expect("validated above");
    let file_id = file_id.expect("validated above");
    let (name, size) = app
        .store
        .find_file(&project, file_id)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("File {file_id} not found")))?;
    let file = NewFile {
        display_name: display_name.map_or_else(|| name.clone(), str::to_owned),
        file_name: name,
        unique_id: unique_id.map(str::to_owned),
        external_file_id: None,
        file_id: Some(file_id.to_owned()),
        size,
        metadata,
    };
    Ok(Json(app.store.add_file(&project, &directory_id, file)?))
}

/// `POST /api/v1/beta/directories/{directory_id}/files/upload`: multipart with the file in
/// `upload_file`; only its name and size are kept.
pub async fn upload(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(directory_id): PathId,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    content_type_is(request.headers(), "multipart/form-data")?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("Cannot read the multipart body: {}", rejection.body_text()),
            )
        })?;
    let limit = app.config.max_upload_body;
    let mut upload: Option<(String, i64)> = None;
    let mut text = std::collections::HashMap::new();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| multipart_error(error, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "upload_file" {
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            let mut size = 0i64;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|error| multipart_error(error, limit))?
            {
                size += chunk.len() as i64;
            }
            upload = Some((file_name, size));
        } else {
            let value = field
                .text()
                .await
                .map_err(|error| multipart_error(error, limit))?;
            text.insert(name, value);
        }
    }
    let mut errors = Vec::new();
    if upload.is_none() {
        errors.push(entry(
            &["body", "upload_file"],
            "Field required",
            "missing",
            None,
            None,
        ));
    }
    let metadata = match text.remove("metadata").filter(|raw| !raw.is_empty()) {
        None => None,
        Some(raw) => match serde_json::from_str::<Value>(&raw) {
            Ok(value @ Value::Object(_)) => Some(value),
            _ => {
                errors.push(entry(
                    &["body", "metadata"],
                    "metadata must be a JSON object, e.g. {\"team\": \"finance\"}",
                    "value_error",
                    Some(json!(raw)),
                    None,
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let (file_name, size) = upload.expect("checked above");
    let non_empty = |name: &str, text: &mut std::collections::HashMap<String, String>| {
        text.remove(name).filter(|value| !value.is_empty())
    };
    let file = NewFile {
        display_name: non_empty("display_name", &mut text).unwrap_or_else(|| file_name.clone()),
        file_name,
        unique_id: non_empty("unique_id", &mut text),
        external_file_id: non_empty("external_file_id", &mut text),
        file_id: None,
        size,
        metadata,
    };
    Ok(Json(app.store.add_file(&project, &directory_id, file)?))
}

fn multipart_error(error: axum::extract::multipart::MultipartError, limit: usize) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Cannot read the multipart body: {}", error.body_text()),
        )
    }
}

//! `/api/v1/beta/directories`: the subset the getting-started flow needs.

use axum::{
    Extension, Json,
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
};
use batches_types::{CreateDirectoryRequest, Directory, DirectoryFile};
use serde_json::{Value, json};

use super::{
    app::App,
    auth::Project,
    page::{Page, decode_token, page},
    query::Query,
    request::{PathId, decode_body, json_body},
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
) -> Result<Json<Directory>, ApiError> {
    let body = json_body(&headers, body, app.config.max_json_body).await?;
    let mut check = Checker::default();
    if let Some(object) = check.object(Some(&body), &["body"]) {
        check.string(object.get("name"), &["body", "name"], true);
        check.string(object.get("description"), &["body", "description"], false);
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
    }
    if !check.errors.is_empty() {
        return Err(ApiError::validation(check.errors));
    }
    let request: CreateDirectoryRequest = decode_body(body)?;
    let directory = app.store.create_directory(
        &project,
        &request.name,
        request.description.as_deref(),
        request
            .type_
            .as_ref()
            .map_or("user", |type_| type_.as_str()),
        request.system_metadata.as_ref(),
    )?;
    Ok(Json(directory))
}

/// `GET /api/v1/beta/directories/{directory_id}`
pub async fn get(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(directory_id): PathId,
) -> Result<Json<Directory>, ApiError> {
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
) -> Result<Json<Page<Directory>>, ApiError> {
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
) -> Result<Json<Page<DirectoryFile>>, ApiError> {
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
) -> Result<Json<DirectoryFile>, ApiError> {
    let body = json_body(&headers, body, app.config.max_json_body).await?;
    let mut check = Checker::default();
    let mut fields = None;
    if let Some(object) = check.object(Some(&body), &["body"]) {
        let file_id = check.string(object.get("file_id"), &["body", "file_id"], true);
        let display_name =
            check.string(object.get("display_name"), &["body", "display_name"], false);
        let unique_id = check.string(object.get("unique_id"), &["body", "unique_id"], false);
        let metadata = match object.get("metadata") {
            None | Some(Value::Null) => None,
            Some(Value::Object(metadata)) => Some(metadata.clone()),
            Some(other) => {
                check.errors.push(entry(
                    &["body", "metadata"],
                    "Input should be a valid dictionary",
                    "dict_type",
                    Some(other.clone()),
                    None,
                ));
                None
            }
        };
        fields = Some((file_id, display_name, unique_id, metadata));
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

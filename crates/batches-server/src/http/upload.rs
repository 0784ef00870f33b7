//! `POST /api/v1/beta/directories/{directory_id}/files/upload`: the multipart upload,
//! read as a stream (the file's bytes are kept, for the jobs that read it), behind the
//! per-project rate limit.

use std::{collections::HashMap, sync::atomic::Ordering, time::Instant};

use axum::{
    Extension, Json,
    extract::{FromRequest, Multipart, Request, State},
    http::StatusCode,
};
use batches_types::DirectoryFile;
use serde_json::{Map, Value, json};

use super::{
    app::App,
    auth::Project,
    request::{PathId, content_type_is, discard_body, too_large},
};
use crate::{
    error::{ApiError, entry},
    store::NewFile,
};

/// `POST /api/v1/beta/directories/{directory_id}/files/upload`: multipart with the file in
/// `upload_file`, read chunk by chunk and kept (the body is capped at `max_upload_body`).
pub async fn upload(
    State(app): State<App>,
    Extension(Project(project)): Extension<Project>,
    PathId(directory_id): PathId,
    request: Request,
) -> Result<Json<DirectoryFile>, ApiError> {
    app.counts.uploads.fetch_add(1, Ordering::SeqCst);
    if let Err(delay) = app.uploads.admit(&project, Instant::now()) {
        app.counts.rate_limited.fetch_add(1, Ordering::SeqCst);
        // Read before answering: a refusal sent while the client still sends could be lost
        // in a reset of the connection.
        discard_body(request.into_body(), app.config.max_upload_body).await;
        let limit = app
            .config
            .upload_rate_limit
            .expect("only a configured limit refuses");
        return Err(ApiError::rate_limited(
            format!(
                "Too many uploads: a project may upload {} files per {} s; retry after {} ms",
                limit.requests,
                limit.window.as_secs_f64(),
                delay.as_millis().max(1)
            ),
            delay,
        ));
    }
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
    let mut upload: Option<(String, Vec<u8>)> = None;
    let mut text = HashMap::new();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| multipart_error(error, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "upload_file" {
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            let mut content = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|error| multipart_error(error, limit))?
            {
                content.extend_from_slice(&chunk);
            }
            upload = Some((file_name, content));
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
        Some(raw) => match serde_json::from_str::<Map<String, Value>>(&raw) {
            Ok(metadata) => Some(metadata),
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
    let (file_name, content) = upload.expect("checked above");
    let non_empty = |name: &str, text: &mut HashMap<String, String>| {
        text.remove(name).filter(|value| !value.is_empty())
    };
    let file = NewFile {
        display_name: non_empty("display_name", &mut text).unwrap_or_else(|| file_name.clone()),
        file_name,
        unique_id: non_empty("unique_id", &mut text),
        external_file_id: non_empty("external_file_id", &mut text),
        file_id: None,
        size: content.len() as i64,
        metadata,
    };
    Ok(Json(app.store.add_file_with_content(
        &project,
        &directory_id,
        file,
        Some(&content),
    )?))
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

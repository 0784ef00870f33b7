//! `POST /api/v1/beta/directories/{directory_id}/files/upload`: the multipart upload,
//! read as a stream (the file's bytes are kept, for the jobs that read it), behind the
//! per-project rate limit.
//!
//! Every part is taken as sent or refused, never rewritten: a text field must be UTF-8
//! without a byte order mark (a BOM is not stripped, another encoding is not guessed,
//! invalid bytes are not replaced), each field may come once, and the file needs a name.

use std::{collections::BTreeMap, sync::atomic::Ordering, time::Instant};

use axum::{
    Extension, Json,
    extract::{
        FromRequest, Multipart, Request, State,
        multipart::{Field, MultipartError},
    },
    http::StatusCode,
};
use batches_types::{DirectoryFile, ValidationError};
use serde_json::{Map, Value, json};

use super::{
    app::App,
    auth::Project,
    request::{PathId, content_type_is, discard_body, unreadable_body},
};
use crate::{
    error::{ApiError, entry},
    store::NewFile,
};

/// The part that carries the file.
const FILE_FIELD: &str = "upload_file";

/// The text fields an upload may carry, in the order their problems are reported.
const TEXT_FIELDS: &[&str] = &["display_name", "external_file_id", "unique_id", "metadata"];

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
    let multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("Cannot read the multipart body: {}", rejection.body_text()),
            )
        })?;
    let form = Form::read(multipart, app.config.max_upload_body).await?;
    let (file, content) = form.into_new_file()?;
    Ok(Json(app.store.add_file_with_content(
        &project,
        &directory_id,
        file,
        Some(&content),
    )?))
}

/// The parts of an upload as they arrived, each known field with every value it was sent
/// with, so that a repeated field is refused rather than one value silently kept.
#[derive(Default)]
struct Form {
    /// One entry per `upload_file` part: its file name (if it had a usable one) and bytes.
    files: Vec<(Option<String>, Vec<u8>)>,
    /// The known text fields, each value decoded or refused (with why).
    text: BTreeMap<&'static str, Vec<Result<String, String>>>,
}

impl Form {
    /// Reads every part: the file kept chunk by chunk, the known text fields decoded, any
    /// other part read and ignored.
    async fn read(mut multipart: Multipart, limit: usize) -> Result<Form, ApiError> {
        let mut form = Form::default();
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|error| multipart_error(error, limit))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if name == FILE_FIELD {
                // A name that is not UTF-8 is no name: the parser gives none for it.
                let file_name = field.file_name().map(str::to_owned);
                let mut content = Vec::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|error| multipart_error(error, limit))?
                {
                    content.extend_from_slice(&chunk);
                }
                form.files.push((file_name, content));
            } else if let Some(known) = TEXT_FIELDS.iter().find(|known| **known == name) {
                let value = check_charset(known, &field);
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|error| multipart_error(error, limit))?;
                let value = value.and_then(|()| decode_text(known, &bytes));
                form.text.entry(known).or_default().push(value);
            } else {
                drain(&mut field, limit).await?;
            }
        }
        Ok(form)
    }

    /// The file to store and its bytes, or a 422 naming every problem, fields in their
    /// order.
    fn into_new_file(mut self) -> Result<(NewFile, Vec<u8>), ApiError> {
        let mut errors = Vec::new();
        let upload = match self.files.as_mut_slice() {
            [] => {
                errors.push(entry(
                    &["body", FILE_FIELD],
                    "Field required",
                    "missing",
                    None,
                    None,
                ));
                None
            }
            [(Some(name), content)] if !name.is_empty() => {
                Some((name.clone(), std::mem::take(content)))
            }
            [(name, _)] => {
                let problem = if name.is_some() {
                    "upload_file has an empty file name"
                } else {
                    "upload_file has no file name (or one that is not UTF-8)"
                };
                errors.push(entry(
                    &["body", FILE_FIELD],
                    format!(
                        "{problem}; send the file as a part with a filename in its \
                         Content-Disposition: it is the default display_name and unique_id"
                    ),
                    "value_error",
                    None,
                    None,
                ));
                None
            }
            several => {
                errors.push(repeated(FILE_FIELD, several.len()));
                None
            }
        };
        let mut text = BTreeMap::new();
        for name in TEXT_FIELDS {
            match self.text.remove(name).unwrap_or_default().as_mut_slice() {
                [] => {}
                [Ok(value)] => {
                    text.insert(*name, std::mem::take(value));
                }
                [Err(message)] => errors.push(entry(
                    &["body", name],
                    std::mem::take(message),
                    "string_unicode",
                    None,
                    None,
                )),
                several => errors.push(repeated(name, several.len())),
            }
        }
        // As FastAPI reads an optional form field, an empty value is no value.
        let mut non_empty = |name: &str| text.remove(name).filter(|value| !value.is_empty());
        let metadata = match non_empty("metadata") {
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
        let (file_name, content) = upload.expect("no error, so one named file");
        let file = NewFile {
            display_name: non_empty("display_name").unwrap_or_else(|| file_name.clone()),
            file_name,
            unique_id: non_empty("unique_id"),
            external_file_id: non_empty("external_file_id"),
            file_id: None,
            size: content.len() as i64,
            metadata,
        };
        Ok((file, content))
    }
}

/// Reads a part to its end without keeping it.
async fn drain(field: &mut Field<'_>, limit: usize) -> Result<(), ApiError> {
    while field
        .chunk()
        .await
        .map_err(|error| multipart_error(error, limit))?
        .is_some()
    {}
    Ok(())
}

/// Refuses a text part that declares a character set other than UTF-8: its bytes would
/// have to be converted, and a text field is taken as sent.
fn check_charset(name: &str, field: &Field<'_>) -> Result<(), String> {
    let charset = field.content_type().and_then(|content_type| {
        content_type.split(';').skip(1).find_map(|parameter| {
            let (key, value) = parameter.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_owned())
        })
    });
    match charset {
        Some(charset)
            if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") =>
        {
            Err(format!(
                "{name} is declared as charset={charset}; text fields must be UTF-8"
            ))
        }
        _ => Ok(()),
    }
}

/// A text field's value exactly as sent: UTF-8, without a byte order mark.
fn decode_text(name: &str, bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(format!(
            "{name} starts with a UTF-8 byte order mark (EF BB BF), which would become part \
             of the value; send the text without it"
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(error) => {
            let utf16 = if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
                " (it starts with a UTF-16 byte order mark)"
            } else {
                ""
            };
            Err(format!(
                "{name} is not valid UTF-8{utf16}: byte 0x{:02X} at offset {}; text fields \
                 must be UTF-8",
                bytes[error.valid_up_to()],
                error.valid_up_to()
            ))
        }
    }
}

/// The 422 entry of a field sent more than once.
fn repeated(name: &str, times: usize) -> ValidationError {
    entry(
        &["body", name],
        format!("{name} was sent {times} times; send it once"),
        "value_error",
        None,
        None,
    )
}

/// A multipart body that could not be read: stalled (408), too large (413) or malformed
/// (400, with what the parser found).
fn multipart_error(error: MultipartError, limit: usize) -> ApiError {
    unreadable_body(&error, limit).unwrap_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Cannot read the multipart body: {}", error.body_text()),
        )
    })
}

//! The directory operations a C program needs to run a batch by hand: create, get and
//! list directories, and upload a file into one.

use std::ffi::c_char;

use ::batches_client::{
    CreateDirectoryParams, CreateDirectoryRequest, GetDirectoryParams, ListDirectoriesParams,
    UploadDirectoryFileFields, UploadDirectoryFileParams, UploadOptions,
};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::boundary::{call, json_string, out_param};
use crate::client::{batches_client, client_ref};
use crate::error::{batches_error, batches_status};
use crate::input::{parse, required_str, settings};

/// Creates a source directory (`POST /api/v1/beta/directories`).
///
/// `request_json` is the request body: `name` is required; `description`, `type`
/// (`ephemeral` for files uploaded only to be batched, or `user`) and `expires_at` are
/// optional. `params_json` is NULL or a JSON object with `organization_id`, `project_id`.
///
/// On success `*directory_json` receives the directory exactly as the server sent it;
/// release it with `batches_string_free`.
///
/// # Safety
/// `c` is a live client; `request_json` is a NUL-terminated string; `params_json` is NULL
/// or a NUL-terminated string; `directory_json` points to writable storage for a pointer;
/// `err` is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_directory_create(
    c: *const batches_client,
    request_json: *const c_char,
    params_json: *const c_char,
    directory_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let request_json = required_str(request_json, "request_json")?;
        let out = out_param(directory_json, "directory_json")?;
        let request: CreateDirectoryRequest = parse(request_json, "request_json")?;
        let params: CreateDirectoryParams = settings(params_json, "params_json")?;
        let response = client.directories().create(&request, &params)?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

/// Gets one directory (`GET /api/v1/beta/directories/{directory_id}`).
///
/// `params_json` is NULL or a JSON object with `organization_id`, `project_id`. On success
/// `*directory_json` receives the directory exactly as the server sent it; release it with
/// `batches_string_free`. An unknown id fails with `BATCHES_API_ERROR` and HTTP status 404.
///
/// # Safety
/// `c` is a live client; `directory_id` is a NUL-terminated string; `params_json` is NULL
/// or a NUL-terminated string; `directory_json` points to writable storage for a pointer;
/// `err` is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_directory_get(
    c: *const batches_client,
    directory_id: *const c_char,
    params_json: *const c_char,
    directory_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let directory_id = required_str(directory_id, "directory_id")?;
        let out = out_param(directory_json, "directory_json")?;
        let params: GetDirectoryParams = settings(params_json, "params_json")?;
        let response = client.directories().get(directory_id, &params)?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

/// Lists one page of directories (`GET /api/v1/beta/directories`).
///
/// `params_json` is NULL or a JSON object of the query parameters: `name`, `type`,
/// `types` (an array of `ephemeral`, `index`, `user`), `include_deleted`, `page_size`,
/// `page_token`, `organization_id`, `project_id`.
///
/// On success `*page_json` receives the page exactly as the server sent it, `{"items":
/// [...], "next_page_token": ...}`; pass its `next_page_token` as `page_token` for the next
/// page. Release it with `batches_string_free`.
///
/// # Safety
/// `c` is a live client; `params_json` is NULL or a NUL-terminated string; `page_json`
/// points to writable storage for a pointer; `err` is NULL or points to writable storage
/// for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_directory_list(
    c: *const batches_client,
    params_json: *const c_char,
    page_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let out = out_param(page_json, "page_json")?;
        let params: ListDirectoriesParams = settings(params_json, "params_json")?;
        let page = client.directories().list_raw(&params)?;
        *out = json_string(page.raw)?;
        Ok(())
    })
}

/// `options_json` of `batches_directory_file_upload`: the upload's text fields and its
/// query parameters.
#[derive(Debug, Default, Deserialize, JsonSchema)]
struct UploadSettings {
    #[serde(flatten)]
    fields: UploadDirectoryFileFields,
    #[serde(flatten)]
    params: UploadDirectoryFileParams,
}

/// Uploads one file from disk into a directory
/// (`POST /api/v1/beta/directories/{directory_id}/files/upload`), streamed from the file.
///
/// `options_json` is NULL or a JSON object with any of the upload's fields `unique_id`
/// (default: the file name; a second file with the same one is refused with HTTP 409),
/// `display_name`, `external_file_id`, `metadata` (the text of a JSON object), and the
/// query parameters `organization_id`, `project_id`. The upload is retried like a get: a
/// retry after an attempt of unknown outcome that meets the file already there returns it.
///
/// On success `*file_json` receives the directory file exactly as the server sent it;
/// release it with `batches_string_free`. A file that cannot be read fails with
/// `BATCHES_INVALID_ARGUMENT` or `BATCHES_TRANSPORT_ERROR` naming it.
///
/// # Safety
/// `c` is a live client; `directory_id` and `path` are NUL-terminated strings;
/// `options_json` is NULL or a NUL-terminated string; `file_json` points to writable
/// storage for a pointer; `err` is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_directory_file_upload(
    c: *const batches_client,
    directory_id: *const c_char,
    path: *const c_char,
    options_json: *const c_char,
    file_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let directory_id = required_str(directory_id, "directory_id")?;
        let path = required_str(path, "path")?;
        let out = out_param(file_json, "file_json")?;
        let settings: UploadSettings = settings(options_json, "options_json")?;
        let options = UploadOptions {
            fields: settings.fields,
            params: settings.params,
            ..Default::default()
        };
        let response = client
            .directories()
            .files(directory_id)
            .upload(path, &options)?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

//! The job operations: a parse job (its documents followed to their presigned URLs) and an
//! extract job, as JSON.

use std::ffi::c_char;

use ::batches_client::{GetExtractJobParams, GetParseJobParams};

use crate::boundary::{call, json_string, out_param};
use crate::client::{batches_client, client_ref};
use crate::error::{batches_error, batches_status};
use crate::input::{required_str, settings};

/// Gets one parse job (`GET /api/v2/parse/{job_id}`): a batch's `parse_v2` result.
///
/// `params_json` is NULL or a JSON object with any of `expand` (an array of `text`,
/// `text_full`, `markdown`, `markdown_full`, `items`, `metadata`, `job_metadata`, `usage`,
/// `text_content_metadata`, `markdown_content_metadata`, `items_content_metadata`),
/// `organization_id`, `project_id`, e.g. `{"expand": ["markdown_full", "usage"]}`.
///
/// On success `*result_json` receives `{"job": {...}, ...}` as the server sent it, with
/// every document `expand` asks for: one too large for the server to send inline is
/// fetched from its presigned URL (without the API key) and added as `markdown_full`,
/// `text_full` or `items`. Release it with `batches_string_free`. An unknown id fails with
/// `BATCHES_API_ERROR` and HTTP status 404.
///
/// # Safety
/// `c` is a live client; `job_id` is a NUL-terminated string; `params_json` is NULL or a
/// NUL-terminated string; `result_json` points to writable storage for a pointer; `err` is
/// NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_parse_get(
    c: *const batches_client,
    job_id: *const c_char,
    params_json: *const c_char,
    result_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let job_id = required_str(job_id, "job_id")?;
        let out = out_param(result_json, "result_json")?;
        let params: GetParseJobParams = settings(params_json, "params_json")?;
        let response = client.parse().get_following(job_id, &params)?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

/// Gets one extract job (`GET /api/v2/extract/{job_id}`): a batch's `extract_v2` result,
/// with its `extract_result`.
///
/// `params_json` is NULL or a JSON object with any of `expand` (an array of
/// `configuration`, `extract_metadata`, `usage`), `organization_id`, `project_id`.
///
/// On success `*job_json` receives the job exactly as the server sent it; release it with
/// `batches_string_free`. An unknown id fails with `BATCHES_API_ERROR` and HTTP status 404.
///
/// # Safety
/// `c` is a live client; `job_id` is a NUL-terminated string; `params_json` is NULL or a
/// NUL-terminated string; `job_json` points to writable storage for a pointer; `err` is
/// NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_extract_get(
    c: *const batches_client,
    job_id: *const c_char,
    params_json: *const c_char,
    job_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let job_id = required_str(job_id, "job_id")?;
        let out = out_param(job_json, "job_json")?;
        let params: GetExtractJobParams = settings(params_json, "params_json")?;
        let response = client.extract().get(job_id, &params)?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

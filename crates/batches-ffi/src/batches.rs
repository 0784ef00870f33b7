//! The batch operations: list one page, get, create, cancel, wait.

use std::ffi::c_char;
use std::time::Duration;

use ::batches_client::{
    BatchStatus, CancelBatchParams, CreateBatchRequest, CreateOptions, GetBatchParams,
    ListBatchesParams, WaitOptions,
};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::boundary::{call, json_string, out_param};
use crate::client::{batches_client, client_ref};
use crate::error::{batches_error, batches_status};
use crate::input::{parse, required_str, settings};

/// The parameters of a listing, checked beyond their types (see [`check_list_params`]).
pub(crate) fn list_params(params_json: *const c_char) -> Result<ListBatchesParams, batches_error> {
    check_list_params(settings(params_json, "params_json")?)
}

/// Checks the parameters of a listing beyond their types: a misspelt status would
/// silently match nothing, and the API refuses a page size below 1.
pub(crate) fn check_list_params(
    params: ListBatchesParams,
) -> Result<ListBatchesParams, batches_error> {
    if let Some(BatchStatus::Unknown(status)) = &params.status {
        let known: Vec<&str> = BatchStatus::KNOWN.iter().map(BatchStatus::as_str).collect();
        return Err(batches_error::invalid_argument(format!(
            "`params_json`: `status` `{status}` is not a batch status; accepted values: {}",
            known.join(", ")
        )));
    }
    if let Some(page_size) = params.page_size.filter(|size| *size < 1) {
        return Err(batches_error::invalid_argument(format!(
            "`params_json`: `page_size` must be at least 1; got {page_size}"
        )));
    }
    Ok(params)
}

/// Lists one page of batches (`GET /api/v2/batches`).
///
/// `params_json` is NULL or a JSON object of the API's query parameters:
/// `created_at_on_or_after`, `created_at_on_or_before` (RFC 3339), `organization_id`,
/// `page_size`, `page_token`, `project_id`, `source_directory_id`, `status` (`PENDING`,
/// `THROTTLED`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`), e.g.
/// `{"status": "RUNNING", "page_size": 100}`.
///
/// On success `*page_json` receives the page exactly as the server sent it,
/// `{"items": [...], "next_page_token": ..., "total_size": ...}`; pass its
/// `next_page_token` as `page_token` for the next page (absent, null or empty means this
/// was the last). Release it with `batches_string_free`.
///
/// # Safety
/// `c` is a live client; `params_json` is NULL or a NUL-terminated string; `page_json`
/// points to writable storage for a pointer; `err` is NULL or points to writable storage
/// for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_list(
    c: *const batches_client,
    params_json: *const c_char,
    page_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let out = out_param(page_json, "page_json")?;
        let params = list_params(params_json)?;
        let page = client.batches().list(&params)?;
        *out = json_string(page.raw)?;
        Ok(())
    })
}

/// Gets one batch (`GET /api/v2/batches/{batch_id}`).
///
/// `params_json` is NULL or a JSON object with any of `expand` (an array; `["results"]`
/// adds the per-file results), `organization_id`, `project_id`.
///
/// On success `*batch_json` receives the batch exactly as the server sent it; release it
/// with `batches_string_free`. An unknown id fails with `BATCHES_API_ERROR` and HTTP
/// status 404.
///
/// # Safety
/// `c` is a live client; `batch_id` is a NUL-terminated string; `params_json` is NULL or
/// a NUL-terminated string; `batch_json` points to writable storage for a pointer; `err`
/// is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_get(
    c: *const batches_client,
    batch_id: *const c_char,
    params_json: *const c_char,
    batch_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let batch_id = required_str(batch_id, "batch_id")?;
        let out = out_param(batch_json, "batch_json")?;
        let params: GetBatchParams = settings(params_json, "params_json")?;
        let response = client.batches().get(batch_id, &params)?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

/// Creates a batch (`POST /api/v2/batches`); processing starts asynchronously.
///
/// `request_json` is the request body: `source_directory_id` and
/// `config: {"job": {"configuration_id", "type"}}` are required (`type` is `parse_v2` or
/// `extract_v2`); `webhook_configuration_ids` and `webhook_configurations` are optional.
/// Fields this version does not know are sent as given.
///
/// On success `*batch_json` receives the new batch exactly as the server sent it; release
/// it with `batches_string_free`. The request carries a generated idempotency key, so a
/// retry never creates a second batch.
///
/// # Safety
/// `c` is a live client; `request_json` is a NUL-terminated string; `batch_json` points
/// to writable storage for a pointer; `err` is NULL or points to writable storage for a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_create(
    c: *const batches_client,
    request_json: *const c_char,
    batch_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let request_json = required_str(request_json, "request_json")?;
        let out = out_param(batch_json, "batch_json")?;
        let request: CreateBatchRequest = parse(request_json, "request_json")?;
        let response = client
            .batches()
            .create(&request, &CreateOptions::default())?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

/// Asks the server to cancel a batch (`POST /api/v2/batches/{batch_id}/cancel`). Returns
/// at once; the batch reaches `CANCELLED` when processing stops (see `batches_wait`).
///
/// On success `*batch_json` receives the batch exactly as the server sent it; release it
/// with `batches_string_free`. A batch already in a terminal status cannot be cancelled
/// (`BATCHES_API_ERROR`).
///
/// # Safety
/// `c` is a live client; `batch_id` is a NUL-terminated string; `batch_json` points to
/// writable storage for a pointer; `err` is NULL or points to writable storage for a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_cancel(
    c: *const batches_client,
    batch_id: *const c_char,
    batch_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let batch_id = required_str(batch_id, "batch_id")?;
        let out = out_param(batch_json, "batch_json")?;
        let response = client
            .batches()
            .cancel(batch_id, &CancelBatchParams::default())?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

/// `options_json` of `batches_wait`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
struct WaitSettings {
    /// The first pause between polls, in milliseconds (default 1000).
    interval_ms: Option<u64>,
    /// The longest pause between polls, in milliseconds (default 10000).
    max_interval_ms: Option<u64>,
    /// Give up after this many milliseconds (default: wait as long as it takes).
    timeout_ms: Option<u64>,
    /// The query parameters of every poll (`expand`, `organization_id`, `project_id`).
    #[serde(flatten)]
    params: GetBatchParams,
}

impl From<WaitSettings> for WaitOptions {
    fn from(settings: WaitSettings) -> Self {
        let mut options = WaitOptions::new().params(settings.params);
        if let Some(interval) = settings.interval_ms {
            options = options.interval(Duration::from_millis(interval));
        }
        if let Some(max_interval) = settings.max_interval_ms {
            options = options.max_interval(Duration::from_millis(max_interval));
        }
        if let Some(timeout) = settings.timeout_ms {
            options = options.timeout(Duration::from_millis(timeout));
        }
        options
    }
}

/// Polls a batch until its status is terminal (`COMPLETED`, `FAILED`, `CANCELLED`),
/// blocking the calling thread.
///
/// `options_json` is NULL or a JSON object with any of `interval_ms` (first pause,
/// default 1000, doubling up to) `max_interval_ms` (default 10000), `timeout_ms` (default:
/// no limit) and the poll's query parameters `expand`, `organization_id`, `project_id`.
///
/// On success `*batch_json` receives the finished batch as JSON (every field the server
/// sent, known or not); release it with `batches_string_free`. When `timeout_ms` passes
/// first, fails with `BATCHES_TIMEOUT` and a message naming the last status seen.
///
/// # Safety
/// `c` is a live client; `batch_id` is a NUL-terminated string; `options_json` is NULL
/// or a NUL-terminated string; `batch_json` points to writable storage for a pointer;
/// `err` is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_wait(
    c: *const batches_client,
    batch_id: *const c_char,
    options_json: *const c_char,
    batch_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let batch_id = required_str(batch_id, "batch_id")?;
        let out = out_param(batch_json, "batch_json")?;
        let options: WaitSettings = settings(options_json, "options_json")?;
        let response = client.batches().wait(batch_id, options.into())?;
        *out = json_string(response.raw)?;
        Ok(())
    })
}

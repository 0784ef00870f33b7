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

/// The parameters of a listing, checked beyond their types: a misspelt status would
/// silently match nothing, and the API refuses a page size below 1.
pub(crate) fn list_params(params_json: *const c_char) -> Result<ListBatchesParams, batches_error> {
    let params: ListBatchesParams = settings(params_json, "params_json")?;
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

#[cfg(test)]
mod tests {
    use std::ptr;

    use super::*;
    use crate::error::{BATCHES_API_ERROR, BATCHES_INVALID_ARGUMENT, BATCHES_TIMEOUT};
    use crate::test_support::{Emulator, c, create_request, outcome};

    fn list(
        emulator: &Emulator,
        params: Option<&str>,
    ) -> Result<serde_json::Value, (batches_status, String)> {
        let params = params.map(c);
        let (mut page, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_list(
                emulator.client,
                params.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
                &mut page,
                &mut err,
            )
        };
        outcome(status, page, err)
    }

    fn get(
        emulator: &Emulator,
        id: &str,
        params: Option<&str>,
    ) -> Result<serde_json::Value, (batches_status, String)> {
        let (id, params) = (c(id), params.map(c));
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_get(
                emulator.client,
                id.as_ptr(),
                params.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
                &mut batch,
                &mut err,
            )
        };
        outcome(status, batch, err)
    }

    fn create(
        emulator: &Emulator,
        request: &str,
    ) -> Result<serde_json::Value, (batches_status, String)> {
        let request = c(request);
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status =
            unsafe { batches_create(emulator.client, request.as_ptr(), &mut batch, &mut err) };
        outcome(status, batch, err)
    }

    fn cancel(
        emulator: &Emulator,
        id: &str,
    ) -> Result<serde_json::Value, (batches_status, String)> {
        let id = c(id);
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { batches_cancel(emulator.client, id.as_ptr(), &mut batch, &mut err) };
        outcome(status, batch, err)
    }

    fn wait(
        emulator: &Emulator,
        id: &str,
        options: &str,
    ) -> Result<serde_json::Value, (batches_status, String)> {
        let (id, options) = (c(id), c(options));
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_wait(
                emulator.client,
                id.as_ptr(),
                options.as_ptr(),
                &mut batch,
                &mut err,
            )
        };
        outcome(status, batch, err)
    }

    #[test]
    fn list_pages_through_with_the_api_names() {
        let emulator = Emulator::start(7, 200);
        let first = list(&emulator, Some(r#"{"page_size": 5}"#)).unwrap();
        assert_eq!(first["items"].as_array().unwrap().len(), 5);
        let token = first["next_page_token"].as_str().unwrap();
        let second = list(
            &emulator,
            Some(&format!(r#"{{"page_size": 5, "page_token": "{token}"}}"#)),
        )
        .unwrap();
        assert_eq!(second["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            list(&emulator, None).unwrap()["items"]
                .as_array()
                .unwrap()
                .len(),
            7
        );

        let completed = list(&emulator, Some(r#"{"status": "COMPLETED"}"#)).unwrap();
        for item in completed["items"].as_array().unwrap() {
            assert_eq!(item["status"], "COMPLETED");
        }
    }

    #[test]
    fn list_refuses_bad_parameters_before_sending() {
        let emulator = Emulator::start(0, 200);
        let (status, message) = list(&emulator, Some(r#"{"status": "DONE"}"#)).unwrap_err();
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert_eq!(
            message,
            "`params_json`: `status` `DONE` is not a batch status; accepted values: PENDING, \
             THROTTLED, RUNNING, COMPLETED, FAILED, CANCELLED"
        );
        let (status, message) = list(&emulator, Some(r#"{"page_size": 0}"#)).unwrap_err();
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert!(
            message.contains("`page_size` must be at least 1"),
            "{message}"
        );
        let (status, message) = list(&emulator, Some(r#"{"page_size": 5,}"#)).unwrap_err();
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert_eq!(
            message,
            "`params_json` is not valid JSON: trailing comma at line 1 column 17"
        );
    }

    #[test]
    fn create_wait_get_and_cancel() {
        let emulator = Emulator::start(0, 20);
        let directory = emulator.directory(3);
        let created = create(&emulator, &create_request(&directory)).unwrap();
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(created["source_directory_id"], directory.as_str());

        let done = wait(
            &emulator,
            &id,
            r#"{"interval_ms": 10, "max_interval_ms": 50, "timeout_ms": 60000}"#,
        )
        .unwrap();
        assert_eq!(done["status"], "COMPLETED");

        let expanded = get(&emulator, &id, Some(r#"{"expand": ["results"]}"#)).unwrap();
        assert_eq!(expanded["results"].as_array().unwrap().len(), 3);
        let plain = get(&emulator, &id, None).unwrap();
        assert!(plain.get("results").is_none_or(serde_json::Value::is_null));

        // A finished batch cannot be cancelled; a fresh one can.
        let (status, _) = cancel(&emulator, &id).unwrap_err();
        assert_eq!(status, BATCHES_API_ERROR);
        let slow = Emulator::start(0, 60_000);
        let directory = slow.directory(2);
        let id = create(&slow, &create_request(&directory)).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        cancel(&slow, &id).unwrap();
        let cancelled = wait(&slow, &id, r#"{"interval_ms": 10, "timeout_ms": 60000}"#).unwrap();
        assert_eq!(cancelled["status"], "CANCELLED");
    }

    #[test]
    fn wait_times_out_with_its_own_status() {
        let emulator = Emulator::start(0, 60_000);
        let directory = emulator.directory(1);
        let id = create(&emulator, &create_request(&directory)).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, message) =
            wait(&emulator, &id, r#"{"interval_ms": 10, "timeout_ms": 50}"#).unwrap_err();
        assert_eq!(status, BATCHES_TIMEOUT);
        assert!(
            message.starts_with(&format!("batch {id} is still ")),
            "{message}"
        );
        let (status, message) = wait(&emulator, &id, r#"{"interval_ms": 0}"#).unwrap_err();
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert!(
            message.contains("wait interval must be more than zero"),
            "{message}"
        );
        let (status, message) = wait(&emulator, &id, r#"{"interval": 10}"#).unwrap_err();
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert_eq!(
            message,
            "`options_json`: unknown field `interval`; accepted fields: interval_ms, \
             max_interval_ms, timeout_ms, expand, organization_id, project_id"
        );
    }

    #[test]
    fn api_errors_carry_the_http_status_and_request_id() {
        let emulator = Emulator::start(0, 200);
        let id = c("bat-00000000-0000-0000-0000-000000000000");
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            batches_get(
                emulator.client,
                id.as_ptr(),
                ptr::null(),
                &mut batch,
                &mut err,
            )
        };
        assert_eq!(status, BATCHES_API_ERROR);
        assert!(batch.is_null());
        unsafe {
            assert_eq!(crate::error::batches_error_code(err), BATCHES_API_ERROR);
            assert_eq!(crate::error::batches_error_http_status(err), 404);
            let message = crate::test_support::message(err);
            assert!(
                message.starts_with("get batch failed: HTTP 404 Not Found"),
                "{message}"
            );
            let request_id = crate::error::batches_error_request_id(err);
            if !request_id.is_null() {
                assert!(message.contains(std::ffi::CStr::from_ptr(request_id).to_str().unwrap()));
            }
            crate::error::batches_error_free(err);
        }

        let (status, message) =
            create(&emulator, r#"{"source_directory_id": "dir-1"}"#).unwrap_err();
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert!(
            message.starts_with("`request_json`: missing field `config`"),
            "{message}"
        );
    }

    #[test]
    fn null_arguments_are_named() {
        let emulator = Emulator::start(0, 200);
        let id = c("bat-1");
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        type Export<'a> =
            Box<dyn Fn(&mut *mut c_char, &mut *mut batches_error) -> batches_status + 'a>;
        let cases: Vec<(&str, Export)> = vec![
            (
                "the client `c` is NULL",
                Box::new(|out, err| unsafe { batches_list(ptr::null(), ptr::null(), out, err) }),
            ),
            (
                "`page_json` is NULL",
                Box::new(|_, err| unsafe {
                    batches_list(emulator.client, ptr::null(), ptr::null_mut(), err)
                }),
            ),
            (
                "`batch_id` is NULL",
                Box::new(|out, err| unsafe {
                    batches_get(emulator.client, ptr::null(), ptr::null(), out, err)
                }),
            ),
            (
                "`batch_json` is NULL",
                Box::new(|_, err| unsafe {
                    batches_get(
                        emulator.client,
                        id.as_ptr(),
                        ptr::null(),
                        ptr::null_mut(),
                        err,
                    )
                }),
            ),
            (
                "`request_json` is NULL",
                Box::new(|out, err| unsafe {
                    batches_create(emulator.client, ptr::null(), out, err)
                }),
            ),
            (
                "the client `c` is NULL",
                Box::new(|out, err| unsafe { batches_cancel(ptr::null(), id.as_ptr(), out, err) }),
            ),
            (
                "`batch_id` is NULL",
                Box::new(|out, err| unsafe {
                    batches_wait(emulator.client, ptr::null(), ptr::null(), out, err)
                }),
            ),
        ];
        for (expected, run) in cases {
            assert_eq!(run(&mut out, &mut err), BATCHES_INVALID_ARGUMENT);
            assert!(out.is_null());
            assert_eq!(
                outcome(BATCHES_INVALID_ARGUMENT, out, err).unwrap_err().1,
                expected
            );
            err = ptr::null_mut();
            // Without an error slot the status alone reports the failure.
            assert_eq!(
                run(&mut out, &mut ptr::null_mut()),
                BATCHES_INVALID_ARGUMENT
            );
        }
    }

    #[test]
    fn one_client_serves_several_threads_at_once() {
        struct Shared(*const batches_client);
        // SAFETY: the client is Sync (checked at compile time in lib.rs).
        unsafe impl Sync for Shared {}
        let emulator = Emulator::start(30, 200);
        let shared = Shared(emulator.client);
        let ids: Vec<String> = list(&emulator, Some(r#"{"page_size": 30}"#)).unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_owned())
            .collect();
        std::thread::scope(|scope| {
            for worker in 0..8 {
                let (shared, ids) = (&shared, &ids);
                scope.spawn(move || {
                    for id in ids.iter().skip(worker).step_by(8) {
                        let id = c(id);
                        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
                        let status = unsafe {
                            batches_get(shared.0, id.as_ptr(), ptr::null(), &mut batch, &mut err)
                        };
                        let batch = outcome(status, batch, err).unwrap();
                        assert_eq!(batch["id"].as_str(), id.to_str().ok());
                        let (mut page, mut err) = (ptr::null_mut(), ptr::null_mut());
                        let status =
                            unsafe { batches_list(shared.0, ptr::null(), &mut page, &mut err) };
                        outcome(status, page, err).unwrap();
                    }
                });
            }
        });
    }
}

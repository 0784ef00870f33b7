//! The batch operations: list one page, get, create, cancel, wait.

use std::ffi::c_char;
use std::ptr;

use batches_ffi::batches_status::{BATCHES_API_ERROR, BATCHES_INVALID_ARGUMENT, BATCHES_TIMEOUT};
use batches_ffi::{
    batches_cancel, batches_client, batches_create, batches_error, batches_get, batches_list,
    batches_status, batches_wait,
};

use crate::support::{Emulator, c, create_request, outcome};

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
    let status = unsafe { batches_create(emulator.client, request.as_ptr(), &mut batch, &mut err) };
    outcome(status, batch, err)
}

fn cancel(emulator: &Emulator, id: &str) -> Result<serde_json::Value, (batches_status, String)> {
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
        assert_eq!(batches_ffi::batches_error_code(err), BATCHES_API_ERROR);
        assert_eq!(batches_ffi::batches_error_http_status(err), 404);
        let message = crate::support::message(err);
        assert!(
            message.starts_with("get batch failed: HTTP 404 Not Found"),
            "{message}"
        );
        let request_id = batches_ffi::batches_error_request_id(err);
        if !request_id.is_null() {
            assert!(message.contains(std::ffi::CStr::from_ptr(request_id).to_str().unwrap()));
        }
        batches_ffi::batches_error_free(err);
    }

    let (status, message) = create(&emulator, r#"{"source_directory_id": "dir-1"}"#).unwrap_err();
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
    type Export<'a> = Box<dyn Fn(&mut *mut c_char, &mut *mut batches_error) -> batches_status + 'a>;
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
            Box::new(|out, err| unsafe { batches_create(emulator.client, ptr::null(), out, err) }),
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

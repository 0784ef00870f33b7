//! Iterating over every batch of a listing, across pages.

use std::ptr;

use batches_ffi::batches_status::{BATCHES_INVALID_ARGUMENT, BATCHES_OK, BATCHES_TRANSPORT_ERROR};
use batches_ffi::{
    batches_client, batches_client_free, batches_list_iter, batches_list_iter_free,
    batches_list_iter_new, batches_list_iter_next, batches_status,
};
use batches_server::{BackgroundServer, ServerConfig};

use crate::support::{Emulator, c, client_of, create_request, message, take_string};

fn iter_new(client: *const batches_client, params: &str) -> *mut batches_list_iter {
    let params = c(params);
    let (mut it, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe { batches_list_iter_new(client, params.as_ptr(), &mut it, &mut err) };
    assert_eq!(status, BATCHES_OK);
    it
}

/// Every batch the iterator yields, until it is exhausted or fails.
fn drain(it: *mut batches_list_iter) -> (Vec<serde_json::Value>, Option<(batches_status, String)>) {
    let mut batches = Vec::new();
    loop {
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { batches_list_iter_next(it, &mut batch, &mut err) };
        if status != BATCHES_OK {
            let text = message(err);
            unsafe { batches_ffi::batches_error_free(err) };
            return (batches, Some((status, text)));
        }
        if batch.is_null() {
            return (batches, None);
        }
        batches.push(serde_json::from_str(&take_string(batch)).unwrap());
    }
}

#[test]
fn iterates_across_pages_and_outlives_its_client() {
    let emulator = Emulator::start(23, 200);
    let it = iter_new(emulator.client, r#"{"page_size": 5}"#);
    let (batches, error) = drain(it);
    assert!(error.is_none());
    assert_eq!(batches.len(), 23);
    let ids: std::collections::HashSet<_> = batches
        .iter()
        .map(|batch| batch["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 23);
    // Exhausted stays exhausted.
    assert_eq!(drain(it).0.len(), 0);
    unsafe { batches_list_iter_free(it) };

    let server = BackgroundServer::start(ServerConfig::default()).unwrap();
    let client = client_of(&server.base_url());
    let it = iter_new(client, r#"{"page_size": 2}"#);
    drop(server);
    unsafe { batches_client_free(client) };
    // The server is gone, so the first (lazy) request fails, but the iterator itself
    // stays valid after its client was freed.
    let (batches, error) = drain(it);
    assert!(batches.is_empty());
    assert_eq!(error.unwrap().0, BATCHES_TRANSPORT_ERROR);
    assert_eq!(drain(it), (Vec::new(), None));
    unsafe { batches_list_iter_free(it) };
}

#[test]
fn nothing_is_requested_before_the_first_next() {
    let emulator = Emulator::start(2, 200);
    let it = iter_new(emulator.client, "{}");
    let directory = emulator.directory(1);
    // A batch created after the iterator but before its first step is listed.
    let request = c(&create_request(&directory));
    let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        batches_ffi::batches_create(emulator.client, request.as_ptr(), &mut batch, &mut err)
    };
    assert_eq!(status, BATCHES_OK);
    take_string(batch);
    assert_eq!(drain(it).0.len(), 3);
    unsafe { batches_list_iter_free(it) };
}

#[test]
fn bad_arguments_are_refused() {
    let emulator = Emulator::start(0, 200);
    let params = c(r#"{"status": "running"}"#);
    let (mut it, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status =
        unsafe { batches_list_iter_new(emulator.client, params.as_ptr(), &mut it, &mut err) };
    assert_eq!(status, BATCHES_INVALID_ARGUMENT);
    assert!(it.is_null());
    assert!(message(err).contains("`status` `running` is not a batch status"));
    unsafe { batches_ffi::batches_error_free(err) };

    let mut batch = ptr::null_mut();
    let status = unsafe { batches_list_iter_next(ptr::null_mut(), &mut batch, ptr::null_mut()) };
    assert_eq!(status, BATCHES_INVALID_ARGUMENT);
    let it = iter_new(emulator.client, "{}");
    let mut err = ptr::null_mut();
    let status = unsafe { batches_list_iter_next(it, ptr::null_mut(), &mut err) };
    assert_eq!(status, BATCHES_INVALID_ARGUMENT);
    assert_eq!(message(err), "`batch_json` is NULL");
    unsafe {
        batches_ffi::batches_error_free(err);
        batches_list_iter_free(it);
        batches_list_iter_free(ptr::null_mut());
    }
}

#[test]
fn parallel_iterates_the_same_batches_in_the_same_order() {
    let emulator = Emulator::start(300, 200);
    let it = iter_new(emulator.client, r#"{"page_size": 7}"#);
    let (sequential, error) = drain(it);
    assert!(error.is_none());
    unsafe { batches_list_iter_free(it) };
    assert_eq!(sequential.len(), 300);
    for requests in [2, 8] {
        let it = iter_new(
            emulator.client,
            &format!(r#"{{"page_size": 7, "parallel": {requests}}}"#),
        );
        let (parallel, error) = drain(it);
        assert!(error.is_none(), "{error:?}");
        assert!(parallel == sequential, "{requests} requests in flight");
        unsafe { batches_list_iter_free(it) };
    }
    let it = iter_new(emulator.client, r#"{"status": "FAILED", "parallel": null}"#);
    let (failed, _) = drain(it);
    assert!(failed.iter().all(|batch| batch["status"] == "FAILED"));
    unsafe { batches_list_iter_free(it) };
}

#[test]
fn parallel_takes_two_to_sixty_four_requests() {
    let emulator = Emulator::start(0, 200);
    for (params, expected) in [
        (
            r#"{"parallel": 1}"#,
            "`params_json`: `parallel` must be 2 to 64 requests in flight; got 1 (leave it out \
             to list one page at a time)",
        ),
        (r#"{"parallel": 65}"#, "got 65"),
        (
            r#"{"parallel": "8"}"#,
            "`params_json`: field `parallel`: invalid type",
        ),
        (
            r#"{"paralel": 8}"#,
            "accepted fields: created_at_on_or_after",
        ),
        (r#"{"paralel": 8}"#, "status, parallel"),
    ] {
        let params = c(params);
        let (mut it, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status =
            unsafe { batches_list_iter_new(emulator.client, params.as_ptr(), &mut it, &mut err) };
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert!(it.is_null());
        let text = message(err);
        assert!(text.contains(expected), "{text}");
        unsafe { batches_ffi::batches_error_free(err) };
    }
}

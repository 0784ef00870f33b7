//! The client handle, its configuration, and the library-wide functions.

use std::ffi::CStr;
use std::ptr;

use batches_ffi::batches_status::{BATCHES_CONFIG_ERROR, BATCHES_INVALID_ARGUMENT, BATCHES_OK};
use batches_ffi::{
    batches_client, batches_client_free, batches_client_new, batches_status, batches_string_free,
    batches_version,
};

use crate::support::{c, message};

fn new_client(config: &str) -> Result<*mut batches_client, (batches_status, String)> {
    let config = c(config);
    let (mut client, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe { batches_client_new(config.as_ptr(), &mut client, &mut err) };
    if status == BATCHES_OK {
        assert!(err.is_null() && !client.is_null());
        Ok(client)
    } else {
        assert!(client.is_null());
        let text = message(err);
        unsafe { batches_ffi::batches_error_free(err) };
        Err((status, text))
    }
}

#[test]
fn version_is_the_crate_version() {
    let version = unsafe { CStr::from_ptr(batches_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn a_configured_client_is_made_and_freed() {
    let client = new_client(
        r#"{"api_key": "llx-test", "region": "EU", "max_retries": 5, "timeout_ms": 1500}"#,
    )
    .unwrap();
    unsafe { batches_client_free(client) };
    let client =
        new_client(r#"{"api_key": "llx-test", "base_url": "http://127.0.0.1:9"}"#).unwrap();
    unsafe { batches_client_free(client) };
}

#[test]
fn bad_configurations_say_what_is_wrong() {
    let cases = [
        (
            r#"{"api_key": "llx-test", "region": "us"}"#,
            BATCHES_CONFIG_ERROR,
            "configuration error: unknown region `us`; accepted values: na, eu",
        ),
        (
            r#"{"api_key": "llx-test", "base_url": "api.cloud.eu.llamaindex.ai"}"#,
            BATCHES_CONFIG_ERROR,
            "configuration error: base URL `api.cloud.eu.llamaindex.ai` has no scheme; \
             use `https://api.cloud.eu.llamaindex.ai`",
        ),
        (
            r#"{"api_key": "llx-test", "base_url": "https://x.example", "region": "eu"}"#,
            BATCHES_CONFIG_ERROR,
            "`config_json` sets both `base_url` and `region`; give one of them",
        ),
        (
            r#"{"api_key": "llx-test", "timeout_ms": 0}"#,
            BATCHES_CONFIG_ERROR,
            "`config_json`: `timeout_ms` must be at least 1",
        ),
        (
            r#"{"apikey": "llx-test"}"#,
            BATCHES_INVALID_ARGUMENT,
            "`config_json`: unknown field `apikey`; accepted fields: api_key, base_url, \
             region, max_retries, timeout_ms, ca_bundle, proxy, no_proxy",
        ),
        (
            r#"{"api_key": "llx-test", "max_retries": -1}"#,
            BATCHES_INVALID_ARGUMENT,
            "`config_json`: field `max_retries`: invalid value: integer `-1`, expected u32 \
             at line 1 column 41",
        ),
        (
            r#"{"api_key": "llx-test""#,
            BATCHES_INVALID_ARGUMENT,
            "`config_json` is not valid JSON: EOF while parsing an object at line 1 \
             column 22",
        ),
        (
            r#"{"api_key": "", "base_url": "http://127.0.0.1:9"}"#,
            BATCHES_CONFIG_ERROR,
            "configuration error: the API key (explicit) is empty; give the key (llx-…), or \
             leave the setting out",
        ),
    ];
    for (config, status, text) in cases {
        assert_eq!(
            new_client(config).unwrap_err(),
            (status, text.to_owned()),
            "{config}"
        );
    }
}

#[test]
fn the_key_never_shows_in_messages() {
    let (_, text) =
        new_client(r#"{"api_key": "llx-sec\nret", "base_url": "http://127.0.0.1:9"}"#).unwrap_err();
    assert!(!text.contains("llx-secret"), "{text}");
}

#[test]
fn null_arguments_and_frees() {
    let mut err = ptr::null_mut();
    let status = unsafe { batches_client_new(ptr::null(), ptr::null_mut(), &mut err) };
    assert_eq!(status, BATCHES_INVALID_ARGUMENT);
    assert_eq!(message(err), "`out` is NULL");
    unsafe { batches_ffi::batches_error_free(err) };
    unsafe {
        batches_client_free(ptr::null_mut());
        batches_string_free(ptr::null_mut());
    }
}

//! Shared pieces of these tests: an emulator with a client, and readers of what the
//! exports hand back.

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use batches_server::{BackgroundServer, DEFAULT_API_KEY, ServerConfig};

use batches_ffi::batches_status::BATCHES_OK;
use batches_ffi::{
    batches_client, batches_client_free, batches_client_new, batches_error, batches_error_free,
    batches_error_message, batches_status, batches_string_free,
};

/// The message of an error the library handed out (which stays the caller's to free).
pub(crate) fn message(err: *const batches_error) -> String {
    assert!(!err.is_null(), "no error was stored");
    let text = unsafe { batches_error_message(err) };
    unsafe { CStr::from_ptr(text) }.to_str().unwrap().to_owned()
}

/// A string the library returned, copied and freed.
pub(crate) fn take_string(text: *mut c_char) -> String {
    assert!(!text.is_null(), "no string was returned");
    let copy = unsafe { CStr::from_ptr(text) }.to_str().unwrap().to_owned();
    unsafe { batches_string_free(text) };
    copy
}

/// The result of a fallible export: its JSON output, or its status and message.
pub(crate) fn outcome(
    status: batches_status,
    output: *mut c_char,
    err: *mut batches_error,
) -> Result<serde_json::Value, (batches_status, String)> {
    if status == BATCHES_OK {
        assert!(err.is_null(), "an error was stored on success");
        Ok(serde_json::from_str(&take_string(output)).unwrap())
    } else {
        assert!(output.is_null(), "an output was written on failure");
        let text = message(err);
        unsafe { batches_error_free(err) };
        Err((status, text))
    }
}

/// A C string for an argument.
pub(crate) fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// A client of the emulator at `base_url`, with its default key and no retries.
pub(crate) fn client_of(base_url: &str) -> *mut batches_client {
    let config = c(&format!(
        r#"{{"api_key": "{}", "base_url": "{base_url}", "max_retries": 0}}"#,
        DEFAULT_API_KEY.0
    ));
    let (mut client, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe { batches_client_new(config.as_ptr(), &mut client, &mut err) };
    assert_eq!(
        status,
        BATCHES_OK,
        "{}",
        if err.is_null() {
            String::new()
        } else {
            message(err)
        }
    );
    client
}

/// The body of a request creating a parse batch over `directory`.
pub(crate) fn create_request(directory: &str) -> String {
    format!(
        r#"{{"source_directory_id": "{directory}", "config": {{"job": {{"configuration_id": "cfg-PARSE_AGENTIC", "type": "parse_v2"}}}}}}"#
    )
}

/// An emulator with one client of it.
pub(crate) struct Emulator {
    pub(crate) server: BackgroundServer,
    pub(crate) client: *mut batches_client,
}

impl Emulator {
    /// An emulator holding `seed` generated batches, processing each file step in
    /// `processing_ms`.
    pub(crate) fn start(seed: u64, processing_ms: u64) -> Emulator {
        let server = BackgroundServer::start(ServerConfig {
            seed,
            processing_ms,
            ..ServerConfig::default()
        })
        .unwrap();
        let client = client_of(&server.base_url());
        Emulator { server, client }
    }

    /// A source directory with `files` files, in the key's project.
    pub(crate) fn directory(&self, files: usize) -> String {
        self.server
            .fixtures()
            .create_directory_with_files(DEFAULT_API_KEY.1, "docs", files)
            .unwrap()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        unsafe { batches_client_free(self.client) };
    }
}

//! A C ABI for the LlamaCloud Batches API, over the blocking client of `batches-client`,
//! and [`batches_webhook_verify`] for programs that receive webhook deliveries.
//!
//! The header is `include/batches.h`. Models cross the boundary as UTF-8 JSON text (the
//! bytes the server sent, wherever the client keeps them); handles are opaque.
//!
//! # Conventions
//!
//! - Every fallible function returns a [`batches_status`]; `BATCHES_OK` is 0.
//! - Results go to out-parameters, written only on success. On failure, `*err` receives a
//!   [`batches_error`] (unless `err` is NULL) with the status, a readable message, and
//!   the HTTP status and request id of the server's answer when there was one.
//! - Strings the library returns through out-parameters are the caller's, released with
//!   [`batches_string_free`]; handles have a `_free` function; every `_free` accepts NULL.
//! - Every argument is checked: NULL where a value is needed, text that is not UTF-8, and
//!   JSON that is malformed (the message says where it broke), names an unknown field
//!   (the message lists the accepted ones) or holds a bad value (the message names the
//!   field) all fail with `BATCHES_INVALID_ARGUMENT` before any request is sent.
//! - A Rust panic never crosses into C and never aborts the process: it becomes
//!   `BATCHES_PANIC`.
//!
//! The conventions as seen from Rust (a C caller writes the same calls):
//!
//! ```
//! use std::ffi::CStr;
//! use std::ptr;
//!
//! use batches_ffi::{batches_client_new, batches_error_free, batches_error_message, batches_status};
//!
//! let (mut client, mut err) = (ptr::null_mut(), ptr::null_mut());
//! let status = unsafe { batches_client_new(c"{\"region\": \"us\"}".as_ptr(), &mut client, &mut err) };
//! assert_eq!(status, batches_status::BATCHES_CONFIG_ERROR);
//! assert!(client.is_null()); // outputs are written only on success
//! let message = unsafe { CStr::from_ptr(batches_error_message(err)) };
//! assert_eq!(
//!     message.to_str()?,
//!     "configuration error: unknown region `us`; accepted values: na, eu"
//! );
//! unsafe { batches_error_free(err) };
//! # Ok::<(), std::str::Utf8Error>(())
//! ```
//!
//! # Threads
//!
//! A [`batches_client`] owns its runtime and connection pool and may be used from several
//! threads at once: every function that takes `const batches_client *` is safe to call
//! concurrently on the same client. A [`batches_list_iter`] may move between threads but
//! must not be advanced by two at the same time. Errors and strings belong to the caller
//! and can be freed on any thread.
#![warn(missing_docs)]

mod batches;
mod boundary;
mod client;
mod directories;
mod error;
mod error_exports;
mod input;
mod jobs;
mod list_iter;
mod run;
mod webhooks;

pub use batches::{batches_cancel, batches_create, batches_get, batches_list, batches_wait};
pub use client::{
    batches_client, batches_client_free, batches_client_new, batches_string_free, batches_version,
};
pub use directories::{
    batches_directory_create, batches_directory_file_upload, batches_directory_get,
    batches_directory_list,
};
pub use error::{batches_error, batches_status};
pub use error_exports::{
    batches_error_code, batches_error_free, batches_error_http_status, batches_error_message,
    batches_error_request_id,
};
pub use jobs::{batches_extract_get, batches_parse_get};
pub use list_iter::{
    batches_list_iter, batches_list_iter_free, batches_list_iter_new, batches_list_iter_next,
};
pub use run::{batches_event_fn, batches_run};
pub use webhooks::batches_webhook_verify;

// The threading promises above, checked by the compiler.
const _: () = {
    const fn shared_across_threads<T: Send + Sync>() {}
    const fn movable_across_threads<T: Send>() {}
    shared_across_threads::<batches_client>();
    shared_across_threads::<batches_error>();
    movable_across_threads::<batches_list_iter>();
};

//! Status codes and the error object handed to C callers.

use std::ffi::{CString, c_char, c_int};
use std::ptr;

use crate::boundary::catch;

/// The outcome of a call. Every fallible function returns one; `BATCHES_OK` is 0.
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum batches_status {
    /// The call succeeded and wrote its outputs.
    BATCHES_OK = 0,
    /// An argument is NULL, not UTF-8, not valid JSON, or holds a value the call does not
    /// accept; nothing was sent.
    BATCHES_INVALID_ARGUMENT = 1,
    /// The server answered with a status other than 2xx; see
    /// `batches_error_http_status`.
    BATCHES_API_ERROR = 2,
    /// The request could not be sent or the response could not be read.
    BATCHES_TRANSPORT_ERROR = 3,
    /// A time limit passed: a request's, the operation's deadline, or the wait's own
    /// timeout.
    BATCHES_TIMEOUT = 4,
    /// The server's answer is not what the API documents.
    BATCHES_DECODE_ERROR = 5,
    /// The client configuration is unusable, e.g. no API key.
    BATCHES_CONFIG_ERROR = 6,
    /// The library hit an internal error (a Rust panic), caught before it reached the
    /// caller. The client stays usable.
    BATCHES_PANIC = 7,
}

pub(crate) use batches_status::*;

/// Why a call failed: a status, a readable message, and the HTTP status and request id of
/// the server's answer when there was one. Created by the library, released with
/// `batches_error_free`.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct batches_error {
    code: batches_status,
    http_status: u16,
    message: CString,
    request_id: Option<CString>,
}

impl batches_error {
    /// An error with a message and no server answer.
    pub(crate) fn new(code: batches_status, message: impl Into<String>) -> Self {
        batches_error {
            code,
            http_status: 0,
            message: c_string(message.into()),
            request_id: None,
        }
    }

    /// `BATCHES_INVALID_ARGUMENT` with a message naming the argument.
    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        batches_error::new(BATCHES_INVALID_ARGUMENT, message)
    }

    /// The status of this error.
    pub(crate) fn code(&self) -> batches_status {
        self.code
    }
}

#[cfg(test)]
impl batches_error {
    /// The message, for unit tests that look at an error without going through C.
    pub(crate) fn message_text(&self) -> &str {
        self.message
            .to_str()
            .expect("messages are built from Rust strings")
    }
}

impl From<::batches_client::Error> for batches_error {
    fn from(error: ::batches_client::Error) -> Self {
        use ::batches_client::Error as E;
        let code = match &error {
            E::Api { .. } => BATCHES_API_ERROR,
            E::Transport { .. } => BATCHES_TRANSPORT_ERROR,
            E::Timeout { .. } | E::WaitTimeout { .. } => BATCHES_TIMEOUT,
            // A repeated page token is a server answer the API does not allow.
            E::Decode { .. } | E::PaginationLoop { .. } => BATCHES_DECODE_ERROR,
            E::InvalidRequest(_) | E::BlockingInAsyncContext => BATCHES_INVALID_ARGUMENT,
            E::Config(_) => BATCHES_CONFIG_ERROR,
            // A kind this version does not know yet: its message still says what happened.
            _ => BATCHES_TRANSPORT_ERROR,
        };
        let http_status = match &error {
            E::Api { status, .. } => *status,
            _ => 0,
        };
        batches_error {
            code,
            http_status,
            request_id: error.request_id().map(|id| c_string(id.to_owned())),
            message: c_string(error.to_string()),
        }
    }
}

/// A C string of `text`. A NUL inside (possible only in text quoted from a server) would
/// cut the string short in C, so it is shown as U+FFFD instead.
fn c_string(text: String) -> CString {
    CString::new(text).unwrap_or_else(|error| {
        let text = String::from_utf8(error.into_vec()).expect("came from a String");
        CString::new(text.replace('\0', "\u{FFFD}")).expect("NULs were replaced")
    })
}

/// The status of an error; `BATCHES_INVALID_ARGUMENT` when `e` is NULL.
///
/// # Safety
/// `e` is NULL or an error returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_error_code(e: *const batches_error) -> batches_status {
    // SAFETY: the caller passes NULL or a live error.
    catch(BATCHES_PANIC, || match unsafe { e.as_ref() } {
        Some(e) => e.code,
        None => BATCHES_INVALID_ARGUMENT,
    })
}

/// The HTTP status of the server's answer for `BATCHES_API_ERROR`; 0 for every other
/// error and when `e` is NULL.
///
/// # Safety
/// `e` is NULL or an error returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_error_http_status(e: *const batches_error) -> c_int {
    // SAFETY: the caller passes NULL or a live error.
    catch(0, || {
        unsafe { e.as_ref() }.map_or(0, |e| c_int::from(e.http_status))
    })
}

/// The readable message: what was attempted and what went wrong, with the server's own
/// message and request id when there was an answer. It never contains the API key. The
/// string is owned by `e` and valid until `batches_error_free(e)`; NULL when `e` is NULL.
///
/// # Safety
/// `e` is NULL or an error returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_error_message(e: *const batches_error) -> *const c_char {
    // SAFETY: the caller passes NULL or a live error.
    catch(ptr::null(), || {
        unsafe { e.as_ref() }.map_or(ptr::null(), |e| e.message.as_ptr())
    })
}

/// The server's request id (`x-request-id`) of the answer the error is about, to quote
/// when reporting a problem; NULL when there is none or `e` is NULL. Owned by `e`.
///
/// # Safety
/// `e` is NULL or an error returned by this library and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_error_request_id(e: *const batches_error) -> *const c_char {
    // SAFETY: the caller passes NULL or a live error.
    catch(ptr::null(), || {
        unsafe { e.as_ref() }
            .and_then(|e| e.request_id.as_ref())
            .map_or(ptr::null(), |id| id.as_ptr())
    })
}

/// Releases an error and the strings it owns. NULL is a no-op.
///
/// # Safety
/// `e` is NULL or an error returned by this library, freed at most once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_error_free(e: *mut batches_error) {
    // SAFETY: the caller hands back ownership of an error the library boxed.
    catch((), || {
        if !e.is_null() {
            drop(unsafe { Box::from_raw(e) });
        }
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use ::batches_client::Error as ClientError;

    use super::*;

    fn text(ptr: *const c_char) -> Option<String> {
        (!ptr.is_null()).then(|| unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned())
    }

    #[test]
    fn client_errors_map_to_statuses() {
        let cases = [
            (
                ClientError::Config("no API key".into()),
                BATCHES_CONFIG_ERROR,
            ),
            (
                ClientError::InvalidRequest("empty id".into()),
                BATCHES_INVALID_ARGUMENT,
            ),
            (
                ClientError::BlockingInAsyncContext,
                BATCHES_INVALID_ARGUMENT,
            ),
        ];
        for (error, code) in cases {
            let message = error.to_string();
            let error = Box::into_raw(Box::new(batches_error::from(error)));
            unsafe {
                assert_eq!(batches_error_code(error), code);
                assert_eq!(batches_error_http_status(error), 0);
                assert_eq!(text(batches_error_message(error)), Some(message));
                assert_eq!(text(batches_error_request_id(error)), None);
                batches_error_free(error);
            }
        }
    }

    #[test]
    fn accessors_accept_null() {
        unsafe {
            assert_eq!(batches_error_code(ptr::null()), BATCHES_INVALID_ARGUMENT);
            assert_eq!(batches_error_http_status(ptr::null()), 0);
            assert!(batches_error_message(ptr::null()).is_null());
            assert!(batches_error_request_id(ptr::null()).is_null());
            batches_error_free(ptr::null_mut());
        }
    }

    #[test]
    fn a_nul_in_a_message_does_not_cut_it_short() {
        let error = Box::into_raw(Box::new(batches_error::new(
            BATCHES_API_ERROR,
            "server said: a\0b",
        )));
        unsafe {
            assert_eq!(
                text(batches_error_message(error)).unwrap(),
                "server said: a\u{FFFD}b"
            );
            batches_error_free(error);
        }
    }
}

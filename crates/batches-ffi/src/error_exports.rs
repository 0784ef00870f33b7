//! The exports that read and release an error: what a C caller does with the
//! `batches_error` a failed call handed out.

use std::ffi::{c_char, c_int};
use std::ptr;

use crate::boundary::catch;
use crate::error::{BATCHES_INVALID_ARGUMENT, BATCHES_PANIC, batches_error, batches_status};

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
    use crate::error::{BATCHES_API_ERROR, BATCHES_CONFIG_ERROR};

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

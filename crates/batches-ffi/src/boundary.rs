//! The panic boundary every export goes through, and how results leave the library.
//!
//! A Rust panic unwinding into C is undefined behaviour, and aborting would take the
//! caller's whole process down; so each export runs its body inside [`catch`] (functions
//! that return a value) or [`call`] (functions that return a status), which turn a panic
//! into `BATCHES_PANIC` or a harmless default.

use std::any::Any;
use std::ffi::{CString, c_char};
use std::panic::{self, AssertUnwindSafe};

use crate::error::{BATCHES_OK, BATCHES_PANIC, batches_error, batches_status};

/// Runs `body`, returning `on_panic` if it panics.
pub(crate) fn catch<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    guarded(body).unwrap_or(on_panic)
}

/// Runs the body of a fallible export: `BATCHES_OK` when it succeeds; otherwise its error's
/// status, with the error stored in `*err` unless `err` is NULL. A panic becomes
/// `BATCHES_PANIC` with the panic message.
pub(crate) fn call(
    err: *mut *mut batches_error,
    body: impl FnOnce() -> Result<(), batches_error>,
) -> batches_status {
    let outcome = guarded(body).unwrap_or_else(|payload| {
        Err(batches_error::new(
            BATCHES_PANIC,
            format!(
                "internal error in the batches library (please report it): {}",
                panic_message(payload.as_ref())
            ),
        ))
    });
    match outcome {
        Ok(()) => BATCHES_OK,
        Err(error) => {
            let code = error.code();
            if !err.is_null() {
                // SAFETY: a non-NULL `err` points to writable storage for one pointer, as
                // every export documents.
                unsafe { *err = Box::into_raw(Box::new(error)) };
            }
            code
        }
    }
}

fn guarded<T>(body: impl FnOnce() -> T) -> Result<T, Box<dyn Any + Send>> {
    // Unwind safety: the state a panicking body could leave half-updated is the caller's
    // output slots, which are written last, and the client, whose shared state is behind
    // its own synchronisation.
    panic::catch_unwind(AssertUnwindSafe(|| {
        #[cfg(test)]
        injected_panic::fire();
        body()
    }))
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "a panic without a message"
    }
}

/// Checks an out-parameter before any work is done, so a NULL one fails fast with a
/// message naming it; the caller writes through it only once everything succeeded.
pub(crate) fn out_param<'a, T>(out: *mut T, name: &str) -> Result<&'a mut T, batches_error> {
    // SAFETY: a non-NULL out-parameter points to writable storage, as every export
    // documents.
    unsafe { out.as_mut() }
        .ok_or_else(|| batches_error::invalid_argument(format!("`{name}` is NULL")))
}

/// A JSON text as a string the caller owns (released with `batches_string_free`).
pub(crate) fn json_string(json: impl Into<Vec<u8>>) -> Result<*mut c_char, batches_error> {
    // Valid JSON never holds a raw NUL, and the client decoded the text before handing
    // it over, so this fails only for a server answer that is not JSON at all.
    CString::new(json).map(CString::into_raw).map_err(|_| {
        batches_error::new(
            crate::error::BATCHES_DECODE_ERROR,
            "the server's answer contains a NUL byte and cannot be passed on as a C string",
        )
    })
}

/// Lets tests make the next guarded body on this thread panic, to prove that every export
/// goes through the boundary.
#[cfg(test)]
pub(crate) mod injected_panic {
    use std::cell::Cell;

    thread_local! {
        static ARMED: Cell<bool> = const { Cell::new(false) };
    }

    /// The next export called on this thread panics inside its boundary.
    pub(crate) fn arm() {
        ARMED.set(true);
    }

    pub(super) fn fire() {
        if ARMED.replace(false) {
            panic!("injected panic");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ptr;

    use super::*;
    use crate::error::BATCHES_INVALID_ARGUMENT;
    use crate::error_exports::batches_error_free;

    /// The message of an error the boundary stored (which stays the caller's to free).
    pub(super) fn message(err: *const batches_error) -> String {
        assert!(!err.is_null(), "no error was stored");
        unsafe { &*err }.message_text().to_owned()
    }

    #[test]
    fn a_panic_becomes_a_status_and_an_error() {
        let mut err = ptr::null_mut();
        let status = call(&mut err, || panic!("boom {}", 42));
        assert_eq!(status, BATCHES_PANIC);
        assert_eq!(
            message(err),
            "internal error in the batches library (please report it): boom 42"
        );
        unsafe { batches_error_free(err) };

        let status = call(&mut err, || std::panic::panic_any(7_u8));
        assert_eq!(status, BATCHES_PANIC);
        assert!(message(err).ends_with("a panic without a message"));
        unsafe { batches_error_free(err) };
    }

    #[test]
    fn a_panic_with_no_error_slot_still_returns_a_status() {
        assert_eq!(call(ptr::null_mut(), || panic!("boom")), BATCHES_PANIC);
        assert_eq!(catch(-1, || panic!("boom")), -1);
        assert_eq!(catch(-1, || 5), 5);
    }

    #[test]
    fn errors_are_stored_and_success_leaves_the_slot_alone() {
        let mut err = ptr::null_mut();
        assert_eq!(call(&mut err, || Ok(())), BATCHES_OK);
        assert!(err.is_null());
        let status = call(&mut err, || {
            Err(batches_error::invalid_argument("`x` is NULL"))
        });
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert_eq!(message(err), "`x` is NULL");
        unsafe { batches_error_free(err) };
    }

    #[test]
    fn null_out_params_are_named() {
        let error = out_param::<u8>(ptr::null_mut(), "page_json").unwrap_err();
        assert_eq!(error.code(), BATCHES_INVALID_ARGUMENT);
        let mut err = ptr::null_mut();
        call(&mut err, || Err(error));
        assert_eq!(message(err), "`page_json` is NULL");
        unsafe { batches_error_free(err) };
    }

    #[test]
    fn json_strings_reject_nul() {
        let text = json_string(b"{\"a\":1}".to_vec()).unwrap();
        unsafe { crate::client::batches_string_free(text) };
        let error = json_string(b"{\0}".to_vec()).unwrap_err();
        assert_eq!(error.code(), crate::error::BATCHES_DECODE_ERROR);
    }
}

/// Each export, made to panic inside: proof that none of them lets a panic out.
#[cfg(test)]
mod every_export {
    use std::ptr;

    use super::injected_panic::arm;
    use super::tests::message;
    use crate::*;

    /// A client that is never contacted: each call made with it either panics inside the
    /// boundary before sending anything or, like `batches_list_iter_new`, sends nothing.
    fn idle_client() -> *mut batches_client {
        let config = cr#"{"api_key": "llx-test", "base_url": "http://127.0.0.1:9"}"#;
        let mut client = ptr::null_mut();
        let status = unsafe { batches_client_new(config.as_ptr(), &mut client, ptr::null_mut()) };
        assert_eq!(status, batches_status::BATCHES_OK);
        client
    }

    #[test]
    fn fallible_exports_report_a_panic() {
        let owned_client = idle_client();
        let client = owned_client.cast_const();
        let (id, json) = (c"bat-1", c"{}");
        let mut it = ptr::null_mut();
        let status =
            unsafe { batches_list_iter_new(client, ptr::null(), &mut it, ptr::null_mut()) };
        assert_eq!(status, batches_status::BATCHES_OK);

        let (mut new_client_slot, mut text_slot, mut new_it_slot) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        let (new_client, text, new_it) = (
            &raw mut new_client_slot,
            &raw mut text_slot,
            &raw mut new_it_slot,
        );
        type Export<'a> = Box<dyn FnMut(*mut *mut batches_error) -> batches_status + 'a>;
        let exports: Vec<(&str, Export)> = vec![
            (
                "batches_client_new",
                Box::new(|err| unsafe { batches_client_new(json.as_ptr(), new_client, err) }),
            ),
            (
                "batches_list",
                Box::new(|err| unsafe { batches_list(client, ptr::null(), text, err) }),
            ),
            (
                "batches_list_iter_new",
                Box::new(|err| unsafe { batches_list_iter_new(client, ptr::null(), new_it, err) }),
            ),
            (
                "batches_list_iter_next",
                Box::new(|err| unsafe { batches_list_iter_next(it, text, err) }),
            ),
            (
                "batches_get",
                Box::new(|err| unsafe { batches_get(client, id.as_ptr(), ptr::null(), text, err) }),
            ),
            (
                "batches_create",
                Box::new(|err| unsafe { batches_create(client, json.as_ptr(), text, err) }),
            ),
            (
                "batches_cancel",
                Box::new(|err| unsafe { batches_cancel(client, id.as_ptr(), text, err) }),
            ),
            (
                "batches_wait",
                Box::new(|err| unsafe {
                    batches_wait(client, id.as_ptr(), ptr::null(), text, err)
                }),
            ),
            (
                "batches_run",
                Box::new(|err| unsafe {
                    batches_run(client, json.as_ptr(), None, ptr::null_mut(), text, err)
                }),
            ),
            (
                "batches_directory_create",
                Box::new(|err| unsafe {
                    batches_directory_create(client, json.as_ptr(), ptr::null(), text, err)
                }),
            ),
            (
                "batches_directory_get",
                Box::new(|err| unsafe {
                    batches_directory_get(client, id.as_ptr(), ptr::null(), text, err)
                }),
            ),
            (
                "batches_directory_list",
                Box::new(|err| unsafe { batches_directory_list(client, ptr::null(), text, err) }),
            ),
            (
                "batches_directory_file_upload",
                Box::new(|err| unsafe {
                    batches_directory_file_upload(
                        client,
                        id.as_ptr(),
                        id.as_ptr(),
                        ptr::null(),
                        text,
                        err,
                    )
                }),
            ),
            (
                "batches_webhook_verify",
                Box::new(|err| unsafe {
                    batches_webhook_verify(ptr::null(), 0, ptr::null(), id.as_ptr(), text, err)
                }),
            ),
        ];
        for (name, mut export) in exports {
            let mut err = ptr::null_mut();
            arm();
            assert_eq!(export(&mut err), batches_status::BATCHES_PANIC, "{name}");
            assert!(message(err).ends_with("injected panic"), "{name}");
            unsafe {
                assert_eq!(batches_error_code(err), batches_status::BATCHES_PANIC);
                batches_error_free(err);
            }
        }
        assert!(new_client_slot.is_null() && text_slot.is_null() && new_it_slot.is_null());
        unsafe {
            batches_list_iter_free(it);
            batches_client_free(owned_client);
        }
    }

    #[test]
    fn other_exports_return_a_default() {
        let error = Box::into_raw(Box::new(batches_error::invalid_argument("x")));
        let text = super::json_string("{}").unwrap();
        unsafe {
            arm();
            assert!(batches_version().is_null());
            arm();
            assert_eq!(batches_error_code(error), batches_status::BATCHES_PANIC);
            arm();
            assert_eq!(batches_error_http_status(error), 0);
            arm();
            assert!(batches_error_message(error).is_null());
            arm();
            assert!(batches_error_request_id(error).is_null());
            // A free whose body panics leaves the object alive, so it can be freed again.
            arm();
            batches_error_free(error);
            batches_error_free(error);
            arm();
            batches_string_free(text);
            batches_string_free(text);
            let client = idle_client();
            let mut it = ptr::null_mut();
            batches_list_iter_new(client, ptr::null(), &mut it, ptr::null_mut());
            arm();
            batches_list_iter_free(it);
            batches_list_iter_free(it);
            arm();
            batches_client_free(client);
            batches_client_free(client);
        }
    }
}

//! Receiving webhook deliveries: the signature check of `batches_client::webhooks`.

use std::ffi::c_char;

use ::batches_client::webhooks::{WebhookError, verify};

use crate::boundary::{call, json_string, out_param};
use crate::error::{
    BATCHES_DECODE_ERROR, BATCHES_INVALID_ARGUMENT, BATCHES_SIGNATURE_ERROR, batches_error,
    batches_status,
};
use crate::input::{optional_str, required_str};

/// Checks a webhook delivery: that `signature` (the `LC-Signature` header, `sha256=` and
/// the hex HMAC-SHA256 of the body) is that of the raw `body` under `secret`, compared in
/// constant time; then that the body is a webhook event.
///
/// `body` points to the `body_len` bytes of the request body exactly as received (not
/// NUL-terminated; NULL only with `body_len` 0). `signature` is the header's value, or
/// NULL when the delivery has none. `secret` is the configuration's
/// `webhook_signing_secret`.
///
/// On success `*event_json` receives the event, the verified body as a NUL-terminated
/// string: `{"event_type": "batch.success", "created_at": …, "data": <the batch>}`
/// (unknown event names and fields are kept). Release it with `batches_string_free`.
///
/// Fails with `BATCHES_SIGNATURE_ERROR` when the signature is missing, malformed, or not
/// the body's under this secret (the message says which; answer such a delivery 401), with
/// `BATCHES_DECODE_ERROR` when the body is authentic but not an event, and with
/// `BATCHES_INVALID_ARGUMENT` for a NULL or empty secret. No message quotes the secret.
///
/// # Safety
/// `body` is NULL or points to `body_len` readable bytes; `signature` is NULL or a
/// NUL-terminated string; `secret` is a NUL-terminated string; `event_json` points to
/// writable storage for a pointer; `err` is NULL or points to writable storage for a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_webhook_verify(
    body: *const c_char,
    body_len: usize,
    signature: *const c_char,
    secret: *const c_char,
    event_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let out = out_param(event_json, "event_json")?;
        let body: &[u8] = match (body.is_null(), body_len) {
            (true, 0) => &[],
            (true, _) => {
                return Err(batches_error::invalid_argument(format!(
                    "`body` is NULL but `body_len` is {body_len}"
                )));
            }
            // SAFETY: a non-NULL `body` points to `body_len` readable bytes, as documented.
            (false, _) => unsafe { std::slice::from_raw_parts(body.cast::<u8>(), body_len) },
        };
        let signature = optional_str(signature, "signature")?;
        let secret = required_str(secret, "secret")?;
        verify(body, signature, secret).map_err(refused)?;
        *out = json_string(body.to_vec())?;
        Ok(())
    })
}

/// The status and message of a refused delivery.
fn refused(error: WebhookError) -> batches_error {
    let code = match &error {
        WebhookError::InvalidEvent { .. } => BATCHES_DECODE_ERROR,
        WebhookError::EmptySecret => BATCHES_INVALID_ARGUMENT,
        _ => BATCHES_SIGNATURE_ERROR,
    };
    batches_error::new(code, error.to_string())
}

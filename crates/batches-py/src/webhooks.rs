//! `verify_webhook`: a webhook delivery's signature checked by the client's
//! `webhooks::verify`, the event returned as a model (`event_type`, `created_at`, `data`).

use batches_client::webhooks::{WebhookError, verify};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};
use serde_json::{Map, Value};

use crate::errors::EXCEPTIONS;
use crate::model::Model;

/// The schema's name of a delivery's body.
const WEBHOOK_EVENT: &str = "WebhookEvent";

/// Checks that `signature` (the `LC-Signature` header, `None` when absent) is the
/// HMAC-SHA256 of the raw `body` under `secret` and returns the event; raises
/// `WebhookVerificationError` (with its `reason`) otherwise.
#[pyfunction]
#[pyo3(signature = (body, signature, secret))]
pub fn verify_webhook(
    body: &Bound<'_, PyAny>,
    signature: Option<&str>,
    secret: &str,
) -> PyResult<Model> {
    let py = body.py();
    let bytes: Vec<u8> = if let Ok(bytes) = body.cast::<PyBytes>() {
        bytes.as_bytes().to_vec()
    } else if let Ok(bytes) = body.cast::<PyByteArray>() {
        bytes.to_vec()
    } else if let Ok(text) = body.cast::<PyString>() {
        text.to_cow()?.as_bytes().to_vec()
    } else {
        return Err(PyTypeError::new_err(format!(
            "body must be the raw request body as bytes (or str), not {}",
            body.get_type().name()?
        )));
    };
    verify(&bytes, signature, secret).map_err(|error| refused(py, &error))?;
    // The body decoded as an event above, so it is a JSON object.
    let fields: Map<String, Value> = serde_json::from_slice(&bytes).unwrap_or_default();
    Ok(Model::new(WEBHOOK_EVENT, fields))
}

/// `WebhookVerificationError` with the message and `reason` of `error`.
fn refused(py: Python<'_>, error: &WebhookError) -> PyErr {
    let reason = match error {
        WebhookError::MissingSignature => "missing_signature",
        WebhookError::MalformedSignature { .. } => "malformed_signature",
        WebhookError::SignatureMismatch => "signature_mismatch",
        WebhookError::EmptySecret => "empty_secret",
        WebhookError::InvalidEvent { .. } => "invalid_event",
        _ => "unknown",
    };
    let made = (|| {
        let kwargs = PyDict::new(py);
        kwargs.set_item("reason", reason)?;
        let class = py.import(EXCEPTIONS)?.getattr("WebhookVerificationError")?;
        Ok::<_, PyErr>(PyErr::from_value(
            class.call((error.to_string(),), Some(&kwargs))?,
        ))
    })();
    made.unwrap_or_else(|failure| failure)
}

//! The client's errors as the exceptions of `llamacloud_batches._exceptions`, named and
//! arranged as the official SDK's: an `APIStatusError` subclass per HTTP status, with
//! `status_code`, `request_id` and `body` (the body decoded from JSON when it is JSON).

use batches_client::Error;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert;

/// The module that defines the exception classes.
pub const EXCEPTIONS: &str = "llamacloud_batches._exceptions";

/// The exception for `error`.
pub fn to_py(py: Python<'_>, error: Error) -> PyErr {
    let message = error.to_string();
    with_message(py, error, message)
}

/// The exception for `error`, with `message` (the error's, with more said) as its message.
pub fn with_message(py: Python<'_>, error: Error, message: String) -> PyErr {
    exception(py, &error, message).unwrap_or_else(|failure| failure)
}

/// The exception class of an HTTP status, as the official SDK chooses it.
pub fn status_class(status: u16) -> &'static str {
    match status {
        400 => "BadRequestError",
        401 => "AuthenticationError",
        403 => "PermissionDeniedError",
        404 => "NotFoundError",
        409 => "ConflictError",
        422 => "UnprocessableEntityError",
        429 => "RateLimitError",
        500.. => "InternalServerError",
        _ => "APIStatusError",
    }
}

fn exception(py: Python<'_>, error: &Error, message: String) -> PyResult<PyErr> {
    let kwargs = PyDict::new(py);
    let class = match error {
        Error::Api {
            status,
            request_id,
            body,
            ..
        } => {
            kwargs.set_item("status_code", status)?;
            kwargs.set_item("request_id", request_id)?;
            let body = match serde_json::from_slice(body) {
                Ok(value) => convert::to_python(py, &value)?,
                Err(_) => String::from_utf8_lossy(body)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind(),
            };
            kwargs.set_item("body", body)?;
            status_class(*status)
        }
        Error::Decode {
            status, request_id, ..
        } => {
            kwargs.set_item("status_code", status)?;
            kwargs.set_item("request_id", request_id)?;
            "APIResponseValidationError"
        }
        Error::Timeout { .. } => "APITimeoutError",
        Error::Transport { .. } | Error::Tls { .. } => "APIConnectionError",
        Error::PaginationLoop { .. } => "APIError",
        Error::WaitTimeout {
            batch_id,
            last_status,
            ..
        } => {
            kwargs.set_item("batch_id", batch_id)?;
            kwargs.set_item("status", last_status.as_str())?;
            "WaitTimeoutError"
        }
        _ => "LlamaCloudError",
    };
    let class = py.import(EXCEPTIONS)?.getattr(class)?;
    let instance = if kwargs.is_empty() {
        class.call1((message,))?
    } else {
        class.call((message,), Some(&kwargs))?
    };
    Ok(PyErr::from_value(instance))
}

/// A `LlamaCloudError`, the package's base class, with `message`: a failure that is none
/// of the client's.
pub fn llamacloud_error(py: Python<'_>, message: String) -> PyErr {
    py.import(EXCEPTIONS)
        .and_then(|module| module.getattr("LlamaCloudError"))
        .and_then(|class| class.call1((message,)))
        .map(PyErr::from_value)
        .unwrap_or_else(|failure| failure)
}

//! Status codes and the error object handed to C callers.

use std::ffi::CString;

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
    /// The request could not be sent or the response could not be read; a TLS failure
    /// (an untrusted certificate) included.
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
    /// The caller cancelled the call (a run's event callback returned non-zero); the
    /// message says what finishes the work.
    BATCHES_CANCELLED = 8,
    /// A webhook delivery's signature is missing, malformed, or not that of its body under
    /// the secret: the delivery is not authentic.
    BATCHES_SIGNATURE_ERROR = 9,
}

pub(crate) use batches_status::*;

/// Why a call failed: a status, a readable message, and the HTTP status and request id of
/// the server's answer when there was one. Created by the library, released with
/// `batches_error_free`.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct batches_error {
    pub(crate) code: batches_status,
    pub(crate) http_status: u16,
    pub(crate) message: CString,
    pub(crate) request_id: Option<CString>,
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

    /// Adds `text` to the end of the message.
    pub(crate) fn append(&mut self, text: &str) {
        if !text.is_empty() {
            let message = format!("{}{text}", self.message.to_string_lossy());
            self.message = c_string(message);
        }
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
            E::Transport { .. } | E::Tls { .. } => BATCHES_TRANSPORT_ERROR,
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

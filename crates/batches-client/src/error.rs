//! The one error type of the crate.

use std::fmt;
use std::time::Duration;

use batches_types::{BatchStatus, ErrorBody, JobStatus};
use bytes::Bytes;

use crate::proxy::ProxyUrl;
use crate::source::{Source, Sourced};

use crate::operation::LIST_BATCHES;

/// Everything that can go wrong. Its `Display` is a complete sentence on its own: what
/// was attempted, what happened, and the server's message and request id when there
/// was a response. It never contains the API key.
///
/// ```no_run
/// use batches_client::Error;
///
/// # async fn run(client: batches_client::Client) {
/// match client.batches().get("bat-123", &Default::default()).await {
///     Ok(batch) => println!("{}", batch.value.status),
///     Err(Error::Api { status: 404, .. }) => println!("no such batch"),
///     Err(error) => eprintln!("{error} (request id {:?})", error.request_id()),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status other than 2xx.
    #[error("{}", api_message(operation, *status, detail, request_id.as_deref(), *retry_after))]
    #[non_exhaustive]
    Api {
        /// What was attempted, e.g. `get batch`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The server's `detail`, readable: a message as is, 422 entries as
        /// `field: message` joined by `"; "`; the start of the body when it is not a
        /// FastAPI error body.
        detail: String,
        /// The `x-request-id` response header.
        request_id: Option<String>,
        /// The exact response body.
        body: Bytes,
        /// How long the server asked to wait before a retry (`retry-after-ms` or
        /// `retry-after`).
        retry_after: Option<Duration>,
    },
    /// The request could not be sent or the response could not be read.
    #[error("{operation} failed: {phase}{}: {message}", through(proxy.as_deref()))]
    #[non_exhaustive]
    Transport {
        /// What was attempted.
        operation: &'static str,
        /// How far the exchange got.
        phase: TransportPhase,
        /// The underlying error and its causes.
        message: String,
        /// The proxy the request was sent through, and where it was set; `None` without
        /// a proxy (or with a client given to
        /// [`http_client`](crate::ClientBuilder::http_client)). With a proxy,
        /// [`TransportPhase::Connect`] means the proxy could not be reached or refused to
        /// open the connection to the API (a `CONNECT` tunnel): the API was never tried.
        /// (Boxed: it is rare, and would make every `Result` of the crate larger.)
        proxy: Option<Box<Sourced<ProxyUrl>>>,
    },
    /// The TLS handshake failed, with the server or with an `https://` proxy: most often
    /// its certificate is not trusted, as when a proxy or gateway re-signs TLS with a CA
    /// of its own. Not retried: the next attempt would fail the same way.
    #[error(
        "{operation} failed: {kind} ({reason}); if a proxy or gateway re-signs TLS, pass its \
         CA as ca_bundle or in SSL_CERT_FILE"
    )]
    #[non_exhaustive]
    Tls {
        /// What was attempted.
        operation: &'static str,
        /// What went wrong.
        kind: TlsFailure,
        /// The TLS library's account, e.g. `invalid peer certificate: UnknownIssuer`.
        reason: String,
    },
    /// A time limit passed.
    #[error("{operation} timed out: {kind} after {}", seconds(*elapsed))]
    #[non_exhaustive]
    Timeout {
        /// What was attempted.
        operation: &'static str,
        /// Which limit passed.
        kind: TimeoutKind,
        /// Time spent before giving up (the attempt's, or the operation's for a deadline).
        elapsed: Duration,
    },
    /// A 2xx response whose body is not what the API documents.
    #[error(
        "{operation}: could not decode the response (status {status}{}): {message}; body starts: {excerpt}",
        request_id.as_deref().map(|id| format!(", request id {id}")).unwrap_or_default()
    )]
    #[non_exhaustive]
    Decode {
        /// What was attempted.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The `x-request-id` response header.
        request_id: Option<String>,
        /// What the decoder found wrong, with line and column.
        message: String,
        /// The start of the body (at most 300 characters).
        excerpt: String,
    },
    /// The request cannot be sent as given, e.g. an empty batch id.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A local file to upload could not be read (missing, unreadable, not a regular file).
    /// Never retried: reading it again would fail the same way.
    #[error("{operation}: cannot read {}: {message}", path.display())]
    #[non_exhaustive]
    File {
        /// What was attempted.
        operation: &'static str,
        /// The file, as given.
        path: std::path::PathBuf,
        /// What went wrong, as the operating system said it.
        message: String,
    },
    /// A file cannot be uploaded under its name (see [`FileNameProblem`]). Checked before
    /// anything is sent, and never retried: the name would be refused again. Rename the
    /// file.
    #[error("{operation}: cannot upload {}: {problem}", escape_controls(path))]
    #[non_exhaustive]
    FileName {
        /// What was attempted.
        operation: &'static str,
        /// The file, as given.
        path: std::path::PathBuf,
        /// What is wrong with its name.
        problem: FileNameProblem,
    },
    /// A local file could not be written: the file a download goes to (no space left,
    /// an unwritable folder). Never retried.
    #[error("{operation}: cannot write {}: {message}", escape_controls(path))]
    #[non_exhaustive]
    Output {
        /// What was attempted.
        operation: &'static str,
        /// The file, as given.
        path: std::path::PathBuf,
        /// What went wrong, as the operating system said it.
        message: String,
    },
    /// A job has no result to give: it has not COMPLETED (it is still running, or it
    /// failed, or was cancelled), or the server sent neither the result nor a presigned
    /// URL of it.
    #[error("{operation}: job {job_id} {reason}")]
    #[non_exhaustive]
    NoResult {
        /// What was attempted.
        operation: &'static str,
        /// The job.
        job_id: String,
        /// Its status when asked.
        status: JobStatus,
        /// Why there is no result, e.g. `is FAILED: cannot read the PDF`.
        reason: String,
    },
    /// The client configuration is unusable, e.g. no API key or a base URL without a
    /// scheme.
    #[error("configuration error: {0}")]
    Config(String),
    /// A base URL and a region were given with the same precedence (both explicitly, say,
    /// or both in one profile), so neither can override the other.
    #[error(
        "configuration error: both a base URL ({base_url}) and a region ({region}) are set; \
         give only one"
    )]
    #[non_exhaustive]
    EndpointConflict {
        /// Where the base URL came from.
        base_url: Source,
        /// Where the region came from.
        region: Source,
    },
    /// The server handed out a page token it had handed out before; following it would
    /// repeat pages forever.
    #[error(
        "{operation}: the server returned page token `{token}` a second time; stopped to \
         avoid listing the same pages again"
    )]
    #[non_exhaustive]
    PaginationLoop {
        /// What was listed, e.g. `list batches`.
        operation: &'static str,
        /// The repeated token.
        token: String,
    },
    /// A parallel listing could not place a batch in its creation-time windows (the batch
    /// has no `created_at`, or the server does not list newest first or ignores the
    /// creation-time filters), so it stopped rather than risk a batch listed twice or
    /// not at all.
    #[error("{LIST_BATCHES}: cannot list in parallel: {reason}; list without parallel requests")]
    #[non_exhaustive]
    Partition {
        /// What was found.
        reason: String,
    },
    /// [`Batches::wait`](crate::Batches::wait) gave up: the batch did not reach a terminal
    /// status within the wait's own timeout. Distinct from [`Error::Timeout`], which is
    /// about one request.
    #[error(
        "batch {batch_id} is still {last_status} after waiting {}",
        seconds(*waited)
    )]
    #[non_exhaustive]
    WaitTimeout {
        /// The batch waited for.
        batch_id: String,
        /// Its status at the last poll.
        last_status: BatchStatus,
        /// How long the wait lasted.
        waited: Duration,
    },
    /// A [`blocking`](crate::blocking) call was made from inside an async runtime, where
    /// blocking the thread would stall other tasks.
    #[error(
        "the blocking client was called from inside an async runtime; use the async \
         batches_client::Client there"
    )]
    BlockingInAsyncContext,
}

impl Error {
    /// The HTTP status of the response this error is about, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the server asked the caller to wait (`retry-after-ms`, else
    /// `retry-after`), when it answered with an error that said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The server's request id (`x-request-id`) of the response this error is about.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    pub(crate) fn api(
        operation: &'static str,
        status: u16,
        request_id: Option<String>,
        body: Bytes,
        retry_after: Option<Duration>,
    ) -> Error {
        let detail = match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(error_body) => error_body.detail.to_string(),
            Err(_) => excerpt(&body, MESSAGE_EXCERPT),
        };
        Error::Api {
            operation,
            status,
            detail,
            request_id,
            body,
            retry_after,
        }
    }

    pub(crate) fn decode(
        operation: &'static str,
        status: u16,
        request_id: Option<String>,
        error: &serde_json::Error,
        body: &[u8],
    ) -> Error {
        Error::Decode {
            operation,
            status,
            request_id,
            message: error.to_string(),
            excerpt: excerpt(body, MESSAGE_EXCERPT),
        }
    }
}

/// How far an exchange got before a [`Error::Transport`] failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportPhase {
    /// No connection could be made; the request was never sent.
    Connect,
    /// The connection failed while the request was sent or the response awaited.
    Send,
    /// The response started but its body was cut off.
    Body,
}

impl fmt::Display for TransportPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportPhase::Connect => "could not connect",
            TransportPhase::Send => "connection failed before a response arrived",
            TransportPhase::Body => "connection failed while reading the response body",
        })
    }
}

/// Why a file cannot be uploaded under its name ([`Error::FileName`]); see
/// [`upload_file_name`](crate::upload_file_name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileNameProblem {
    /// The path ends in no file name (`/`, `..`).
    Missing,
    /// The name is not UTF-8.
    NotUtf8,
    /// The name holds this control character (U+0000 to U+001F, U+007F to U+009F: a line
    /// feed, a carriage return, a tab, an escape…). The name travels in the part's
    /// `Content-Disposition` header, which cannot carry one: a line break there ends the
    /// header, and the server refuses the body. RFC 7578 rules out the `filename*`
    /// encoding that could carry it, and the percent-encoding browsers use would be
    /// stored as it is (`a%0Ab.pdf`), so the name is refused rather than changed.
    ControlCharacter(char),
}

impl fmt::Display for FileNameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileNameProblem::Missing => f.write_str("the path names no file"),
            FileNameProblem::NotUtf8 => f.write_str("its name is not UTF-8; rename the file"),
            FileNameProblem::ControlCharacter(character) => {
                let name = match character {
                    '\n' => "a line feed, ",
                    '\r' => "a carriage return, ",
                    '\t' => "a tab, ",
                    _ => "",
                };
                write!(
                    f,
                    "its name holds a control character ({name}U+{:04X}), which the upload's \
                     multipart header cannot carry; rename the file",
                    u32::from(*character)
                )
            }
        }
    }
}

/// What an [`Error::Tls`] failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFailure {
    /// The peer's certificate was refused: issued by a CA that is not trusted, expired,
    /// or not for this host name.
    Certificate,
    /// Another failure of the handshake: no protocol in common, an alert from the peer,
    /// or a peer that does not speak TLS (an `https://` URL to a plain-HTTP server).
    Handshake,
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsFailure::Certificate => "certificate not trusted",
            TlsFailure::Handshake => "TLS handshake failed",
        })
    }
}

/// Which time limit an [`Error::Timeout`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// Establishing the connection ([`ClientBuilder::connect_timeout`](crate::ClientBuilder::connect_timeout)).
    Connect,
    /// One attempt ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
    Attempt,
    /// The whole operation ([`ClientBuilder::deadline`](crate::ClientBuilder::deadline)).
    Deadline,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "no connection (connect timeout)",
            TimeoutKind::Attempt => "no complete response (per-attempt timeout)",
            TimeoutKind::Deadline => "operation deadline reached",
        })
    }
}

fn api_message(
    operation: &str,
    status: u16,
    detail: &str,
    request_id: Option<&str>,
    retry_after: Option<Duration>,
) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("");
    let mut message = format!("{operation} failed: HTTP {status} {reason}");
    if !detail.is_empty() {
        message.push_str(": ");
        message.push_str(detail);
    }
    message.push_str(&request_id_suffix(request_id));
    if status == 401 {
        message.push_str(
            "; API keys belong to one project and one region: check that the key is \
             current and matches the base URL (EU keys need https://api.cloud.eu.llamaindex.ai)",
        );
    }
    if let Some(delay) = retry_after {
        message.push_str(&format!(
            "; the server asked to wait {} before retrying",
            seconds(delay)
        ));
    }
    message
}

/// A path as a message shows it: a control character in it written as an escape (`\n`,
/// `\u{1b}`), so that it cannot break or rewrite the line it is printed on.
fn escape_controls(path: &std::path::Path) -> String {
    path.to_string_lossy()
        .chars()
        .map(|character| match character.is_control() {
            true => character.escape_debug().to_string(),
            false => character.to_string(),
        })
        .collect()
}

/// The proxy a request went through, as a failure names it (never with its credentials).
fn through(proxy: Option<&Sourced<ProxyUrl>>) -> String {
    proxy
        .map(|proxy| format!(" through the proxy {} ({})", proxy.value, proxy.source))
        .unwrap_or_default()
}

fn request_id_suffix(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

/// A duration as seconds with at most three decimals: `0.25 s`, `60 s`.
pub(crate) fn seconds(duration: Duration) -> String {
    let text = format!("{:.3}", duration.as_secs_f64());
    format!("{} s", text.trim_end_matches('0').trim_end_matches('.'))
}

/// How much of a body an error message quotes, in characters.
const MESSAGE_EXCERPT: usize = 300;

/// The first `limit` characters of a body as text, `…` marking a cut.
pub(crate) fn excerpt(body: &[u8], limit: usize) -> String {
    // A character is at most 4 bytes: this many bytes always hold `limit` characters.
    let text = String::from_utf8_lossy(&body[..body.len().min(limit * 4)]);
    let text = text.trim();
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_renders_validation_entries() {
        let body = Bytes::from_static(
            br#"{"detail":[{"loc":["query","page_size"],"msg":"must be at least 1","type":"x"},{"loc":["body","config","job"],"msg":"field required","type":"y"}]}"#,
        );
        let error = Error::api("list batches", 422, Some("req-1".into()), body, None);
        assert_eq!(
            error.to_string(),
            "list batches failed: HTTP 422 Unprocessable Entity: page_size: must be at least 1; \
             config.job: field required (request id req-1)"
        );
        assert_eq!(error.status(), Some(422));
        assert_eq!(error.request_id(), Some("req-1"));
    }

    #[test]
    fn api_error_without_json_body_shows_the_body_start() {
        let error = Error::api(
            "get batch",
            502,
            None,
            Bytes::from_static(b"<html>bad gateway</html>"),
            None,
        );
        assert_eq!(
            error.to_string(),
            "get batch failed: HTTP 502 Bad Gateway: <html>bad gateway</html>"
        );
        let error = Error::api(
            "get batch",
            503,
            None,
            Bytes::new(),
            Some(Duration::from_secs(90)),
        );
        assert_eq!(
            error.to_string(),
            "get batch failed: HTTP 503 Service Unavailable; the server asked to wait 90 s before retrying"
        );
    }

    #[test]
    fn unauthorized_mentions_regions() {
        let body = Bytes::from_static(br#"{"detail":"Invalid authentication token"}"#);
        let message = Error::api("list batches", 401, None, body, None).to_string();
        assert!(message.starts_with(
            "list batches failed: HTTP 401 Unauthorized: Invalid authentication token; API keys belong to one project and one region"
        ));
    }

    #[test]
    fn seconds_are_short() {
        assert_eq!(seconds(Duration::from_millis(250)), "0.25 s");
        assert_eq!(seconds(Duration::from_secs(60)), "60 s");
        assert_eq!(seconds(Duration::ZERO), "0 s");
    }

    #[test]
    fn excerpt_is_bounded_and_char_safe() {
        let body = "é".repeat(1000);
        let text = excerpt(body.as_bytes(), MESSAGE_EXCERPT);
        assert_eq!(text.chars().count(), 301);
        assert!(text.ends_with('…'));
    }
}

//! The transport: one call's attempts, retries, time limits and tracing; [`Response`].

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT,
};
use http::{Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::error::{Error, TimeoutKind, TlsFailure, TransportPhase};
use crate::multipart::UploadBody;
use crate::proxy::{ProxyUrl, scrub};
use crate::redact;
use crate::response::Exchange;
pub(crate) use crate::response::Response;
use crate::retry::{self, RetryPolicy};
use crate::sink::{self, Target};
use crate::source::Sourced;
use crate::tls;

/// The response header carrying the server's request id.
const REQUEST_ID: &str = "x-request-id";
/// The request header that lets a server recognise a repeated create.
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// How much of a body a trace shows.
const TRACED_BODY_CHARS: usize = 2000;

/// The transport shared by a client's clones: one connection pool and the settings every
/// request is sent with.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) authorization: HeaderValue,
    pub(crate) headers: HeaderMap,
    pub(crate) max_retries: u32,
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    /// The proxy requests go through and where it was set, named in transport errors.
    pub(crate) proxy: Option<Sourced<ProxyUrl>>,
    /// The proxy's credentials, kept out of every error message.
    pub(crate) secrets: Vec<String>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &"<redacted>")
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl Transport {
    /// The URL of an endpoint: path segments below the base URL, and a query string.
    pub(crate) fn endpoint(&self, segments: &[&str], query: &str) -> Url {
        let mut url = self.base_url.clone();
        url.path_segments_mut()
            .expect("the base URL is an http(s) URL, which has path segments")
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.set_query(Some(query));
        }
        url
    }

    /// Runs a call: attempts it, retries what the policy allows, and returns the first
    /// 2xx exchange or the last failure.
    pub(crate) async fn execute(&self, call: Call) -> Result<Exchange, Error> {
        self.execute_tracked(call)
            .await
            .map_err(|failed| failed.error)
    }

    /// [`execute`](Self::execute), telling with a failure whether an earlier attempt may
    /// have been acted on by the server (its outcome is unknown): a conflict on a retry
    /// then may be the first attempt's own doing.
    pub(crate) async fn execute_tracked(&self, call: Call) -> Result<Exchange, Failed> {
        let started = Instant::now();
        let deadline = self.deadline.map(|limit| started + limit);
        let mut retries = 0;
        let mut earlier_may_have_acted = false;
        loop {
            let span = tracing::info_span!(
                "request",
                operation = call.operation,
                method = %call.method,
                path = call.url.path(),
                attempt = retries + 1,
                status = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            );
            let failure = match self.attempt(&call, started).instrument(span).await {
                Ok(exchange) => return Ok(exchange),
                Err(failure) => failure,
            };
            let retryable = failure.is_retryable(call.policy)
                && (call.retry_rate_limited || !failure.is_rate_limited());
            let server_delay = failure.server_delay();
            let may_have_acted = failure.may_have_acted();
            let failed = Failed {
                error: failure.into_error(call.operation, self.proxy.as_ref()),
                earlier_attempt_may_have_acted: earlier_may_have_acted,
            };
            if !retryable || retries >= self.max_retries {
                return Err(failed);
            }
            let delay = match server_delay {
                // Waiting longer than the cap would hide an outage behind a hang; the
                // error says how long the server asked for.
                Some(delay) if delay > retry::MAX_SERVER_DELAY => return Err(failed),
                Some(delay) => delay,
                None => retry::backoff(retries),
            };
            if deadline.is_some_and(|deadline| Instant::now() + delay >= deadline) {
                return Err(failed);
            }
            let error = failed.error;
            earlier_may_have_acted |= may_have_acted;
            tracing::info!(
                operation = call.operation,
                retry = retries + 1,
                delay_ms = delay.as_millis() as u64,
                %error,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }

    /// One attempt: sends the request and reads the whole body, within the per-attempt
    /// timeout and what is left of the deadline of the operation started at
    /// `operation_started`.
    async fn attempt(&self, call: &Call, operation_started: Instant) -> Result<Exchange, Failure> {
        let started = Instant::now();
        let remaining = self
            .deadline
            .map(|deadline| deadline.saturating_sub(started - operation_started));
        // A download to a file may take longer than one attempt's limit: that limit then
        // bounds each wait for the server (the headers, every chunk), and only the
        // deadline bounds the whole.
        let whole_attempt = match &call.presigned {
            Some(Target::File(_)) => None,
            _ => self.timeout,
        };
        let (limit, kind) = match (whole_attempt, remaining) {
            (Some(timeout), Some(remaining)) if remaining < timeout => {
                (Some(remaining), TimeoutKind::Deadline)
            }
            (Some(timeout), _) => (Some(timeout), TimeoutKind::Attempt),
            (None, remaining) => (remaining, TimeoutKind::Deadline),
        };

        let mut request = self.http.request(call.method.clone(), call.url.clone());
        request = match &call.presigned {
            // A presigned URL carries its own authorisation: neither the key nor the
            // custom headers are sent to it, whatever host it names.
            Some(_) => request.header(USER_AGENT, self.headers[USER_AGENT].clone()),
            None => request
                .headers(self.headers.clone())
                .header(AUTHORIZATION, self.authorization.clone()),
        };
        if let Some(key) = &call.idempotency_key {
            request = request.header(IDEMPOTENCY_KEY, key.clone());
        }
        match &call.body {
            Body::Json(body) => {
                request = request
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(body.clone());
            }
            Body::Upload(upload) => {
                let form = upload.form().map_err(|message| Failure::File {
                    path: upload.path.clone(),
                    message,
                })?;
                request = request.multipart(form);
            }
            // Proxies may refuse a POST without a length (411); hyper leaves it out for
            // an empty body unless asked.
            Body::Empty if call.method == Method::POST => {
                request = request.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
            }
            Body::Empty => {}
        }
        let request = request
            .build()
            .expect("URL and headers are typed values checked when the client was built");
        tracing::trace!(
            url = %request.url(),
            headers = %redact::headers(request.headers()),
            body = %redact::body(
                request.body().and_then(reqwest::Body::as_bytes).unwrap_or_default(),
                TRACED_BODY_CHARS
            ),
            "sending request"
        );
        let exchange = async {
            let sent = self.http.execute(request);
            let response = match (&call.presigned, self.timeout) {
                (Some(Target::File(_)), Some(idle)) => tokio::time::timeout(idle, sent)
                    .await
                    .map_err(|_| Failure::Timeout {
                        kind: TimeoutKind::Attempt,
                        elapsed: started.elapsed(),
                    })?,
                _ => sent.await,
            }
            .map_err(|error| self.failure(&error, TransportPhase::Send, started))?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = match &call.presigned {
                Some(Target::File(path)) if status.is_success() => {
                    sink::to_file(response, path, self.timeout)
                        .await
                        .map_err(|failure| match failure {
                            sink::Failure::Read(error) => {
                                self.failure(&error, TransportPhase::Body, started)
                            }
                            sink::Failure::Idle => Failure::Timeout {
                                kind: TimeoutKind::Attempt,
                                elapsed: started.elapsed(),
                            },
                            sink::Failure::Write(error) => Failure::Output {
                                path: path.clone(),
                                message: error.to_string(),
                            },
                        })?
                }
                _ => response
                    .bytes()
                    .await
                    .map_err(|error| self.failure(&error, TransportPhase::Body, started))?,
            };
            Ok((status, headers, body))
        };
        let result = match limit {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or_else(|_| {
                    Err(Failure::Timeout {
                        kind,
                        elapsed: match kind {
                            TimeoutKind::Deadline => operation_started.elapsed(),
                            _ => started.elapsed(),
                        },
                    })
                }),
            None => exchange.await,
        };

        let span = tracing::Span::current();
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        let (status, headers, body) = match result {
            Ok(parts) => parts,
            Err(failure) => {
                tracing::debug!(failure = %failure, "attempt failed");
                return Err(failure);
            }
        };
        span.record("status", status.as_u16());
        tracing::debug!(bytes = body.len(), "response received");
        tracing::trace!(
            headers = %redact::headers(&headers),
            body = %redact::body(&body, TRACED_BODY_CHARS),
            "response"
        );
        if status.is_success() {
            Ok(Exchange {
                status: status.as_u16(),
                request_id: request_id(&headers),
                body,
            })
        } else {
            Err(Failure::Status {
                status,
                request_id: request_id(&headers),
                should_retry: retry::should_retry_header(&headers),
                retry_after: retry::server_delay(&headers),
                body,
            })
        }
    }
}

/// One API call as the transport sees it.
pub(crate) struct Call {
    /// What is attempted, in the API's words (`list batches`); used in errors and logs.
    pub(crate) operation: &'static str,
    method: Method,
    url: Url,
    body: Body,
    idempotency_key: Option<HeaderValue>,
    policy: RetryPolicy,
    /// Whether a 429 is retried (when the policy retries it).
    retry_rate_limited: bool,
    /// Set for a presigned URL: sent without credentials, its body written to the target.
    presigned: Option<Target>,
}

/// What a call sends.
enum Body {
    Empty,
    /// JSON, sent with `Content-Type: application/json`.
    Json(Bytes),
    /// A file and its fields as `multipart/form-data`, read from disk anew for each attempt.
    Upload(UploadBody),
}

impl Call {
    /// A call without a body, retried under the rules of an idempotent request.
    pub(crate) fn new(operation: &'static str, method: Method, url: Url) -> Call {
        Call {
            operation,
            method,
            url,
            body: Body::Empty,
            idempotency_key: None,
            policy: RetryPolicy::Idempotent,
            retry_rate_limited: true,
            presigned: None,
        }
    }

    /// A GET of a presigned URL: no API key, no custom header, and the body written to
    /// `target` (a file is written anew by each attempt).
    pub(crate) fn presigned(operation: &'static str, url: Url, target: Target) -> Call {
        Call {
            presigned: Some(target),
            ..Call::new(operation, Method::GET, url)
        }
    }

    /// Sends `body` as JSON.
    pub(crate) fn json(self, body: Bytes) -> Call {
        Call {
            body: Body::Json(body),
            ..self
        }
    }

    /// Sends a file and its fields as a multipart body.
    pub(crate) fn upload(self, body: UploadBody) -> Call {
        Call {
            body: Body::Upload(body),
            ..self
        }
    }

    /// Returns a 429 at once when `retry` is false (see `UploadOptions::return_rate_limited`).
    pub(crate) fn retry_rate_limited(self, retry: bool) -> Call {
        Call {
            retry_rate_limited: retry,
            ..self
        }
    }

    /// Retries under `policy` instead of the idempotent rules.
    pub(crate) fn policy(self, policy: RetryPolicy) -> Call {
        Call { policy, ..self }
    }

    /// Sends an `Idempotency-Key` and retries under `policy`, which depends on who chose
    /// the key.
    pub(crate) fn idempotency_key(self, key: HeaderValue, policy: RetryPolicy) -> Call {
        Call {
            idempotency_key: Some(key),
            policy,
            ..self
        }
    }
}

/// A call that did not succeed: its error, and whether an attempt before the last may have
/// been acted on by the server.
pub(crate) struct Failed {
    pub(crate) error: Error,
    pub(crate) earlier_attempt_may_have_acted: bool,
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Why an attempt did not produce a 2xx exchange.
#[derive(Debug)]
pub(crate) enum Failure {
    Status {
        status: StatusCode,
        request_id: Option<String>,
        /// The server's explicit decision (`x-should-retry`), which overrides the rules.
        should_retry: Option<bool>,
        retry_after: Option<Duration>,
        body: Bytes,
    },
    Transport {
        phase: TransportPhase,
        message: String,
    },
    Timeout {
        kind: TimeoutKind,
        elapsed: Duration,
    },
    Tls {
        kind: TlsFailure,
        reason: String,
    },
    /// The file to upload could not be read; nothing was sent.
    File {
        path: std::path::PathBuf,
        message: String,
    },
    /// The file a download goes to could not be written.
    Output {
        path: std::path::PathBuf,
        message: String,
    },
}

impl Transport {
    /// What a failed exchange means; messages never hold the proxy's credentials.
    fn failure(&self, error: &reqwest::Error, phase: TransportPhase, started: Instant) -> Failure {
        if let Some((kind, reason)) = tls::failure(error) {
            return Failure::Tls {
                kind,
                reason: scrub(reason, &self.secrets),
            };
        }
        // reqwest reports a refused or unreachable host as a connect error: the request
        // was never sent, which is what makes a create safe to retry.
        let phase = if error.is_connect() {
            TransportPhase::Connect
        } else {
            phase
        };
        if error.is_timeout() {
            return Failure::Timeout {
                kind: if phase == TransportPhase::Connect {
                    TimeoutKind::Connect
                } else {
                    TimeoutKind::Attempt
                },
                elapsed: started.elapsed(),
            };
        }
        Failure::Transport {
            phase,
            message: scrub(error_chain(error), &self.secrets),
        }
    }
}

impl Failure {
    /// Whether the server refused the request with a 429.
    fn is_rate_limited(&self) -> bool {
        matches!(self, Failure::Status { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS)
    }

    fn is_retryable(&self, policy: RetryPolicy) -> bool {
        match self {
            Failure::Status {
                status,
                should_retry,
                ..
            } => should_retry.unwrap_or_else(|| policy.retries_status(*status)),
            Failure::Transport { phase, .. } => {
                policy == RetryPolicy::Idempotent || *phase == TransportPhase::Connect
            }
            Failure::Timeout { kind, .. } => match kind {
                TimeoutKind::Deadline => false,
                TimeoutKind::Connect => true,
                TimeoutKind::Attempt => policy == RetryPolicy::Idempotent,
            },
            Failure::Tls { .. } | Failure::File { .. } | Failure::Output { .. } => false,
        }
    }

    /// Whether the server may have acted on the request: it was sent and no answer says
    /// it was refused untouched (a connect failure, a 429 and a 4xx say that; a 5xx, a
    /// 408, a cut connection and a timeout do not).
    fn may_have_acted(&self) -> bool {
        match self {
            Failure::Status { status, .. } => {
                status.is_server_error() || *status == StatusCode::REQUEST_TIMEOUT
            }
            Failure::Transport { phase, .. } => *phase != TransportPhase::Connect,
            Failure::Timeout { kind, .. } => *kind != TimeoutKind::Connect,
            Failure::Tls { .. } | Failure::File { .. } | Failure::Output { .. } => false,
        }
    }

    fn server_delay(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    fn into_error(self, operation: &'static str, proxy: Option<&Sourced<ProxyUrl>>) -> Error {
        match self {
            Failure::Status {
                status,
                request_id,
                retry_after,
                body,
                ..
            } => Error::api(operation, status.as_u16(), request_id, body, retry_after),
            Failure::Transport { phase, message } => Error::Transport {
                operation,
                phase,
                message,
                proxy: proxy.cloned().map(Box::new),
            },
            Failure::Timeout { kind, elapsed } => Error::Timeout {
                operation,
                kind,
                elapsed,
            },
            Failure::Tls { kind, reason } => Error::Tls {
                operation,
                kind,
                reason,
            },
            Failure::File { path, message } => Error::File {
                operation,
                path,
                message,
            },
            Failure::Output { path, message } => Error::Output {
                operation,
                path,
                message,
            },
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status { status, .. } => write!(f, "HTTP {status}"),
            Failure::Transport { phase, message } => write!(f, "{phase}: {message}"),
            Failure::Timeout { kind, elapsed } => {
                write!(f, "{kind} after {}", crate::error::seconds(*elapsed))
            }
            Failure::Tls { kind, reason } => write!(f, "{kind}: {reason}"),
            Failure::File { path, message } | Failure::Output { path, message } => {
                write!(f, "{}: {message}", path.display())
            }
        }
    }
}

/// An error and its causes on one line, without repeating a cause that its parent
/// already quoted.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

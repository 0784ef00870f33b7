//! Deterministic fault injection and added latency, applied around every request.
//!
//! Request number `n` (counted from 0 in arrival order) gets a fault when a hash of
//! (`fault_seed`, `n`) falls under `fault_rate`; a second hash picks the kind. The same seed
//! and the same sequence of requests give the same faults.

use std::{
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    http::{HeaderValue, Request, StatusCode, header},
    response::{IntoResponse, Response},
};
use batches_types::Utc;
use futures_util::StreamExt;
use hyper::body::Incoming;
use tower::{Service, ServiceExt};

use crate::{
    config::{FaultKind, ServerConfig},
    console,
    counts::Counts,
    error::ApiError,
    recent::{CONSOLE_HEADER, Caller, RecentRequest, RecentRequests},
};

/// The error a service returns to make hyper drop the connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("connection reset on purpose (injected fault)")]
pub struct InjectedReset;

/// The fault plan of one server.
pub struct Faults {
    rate: f64,
    kinds: Vec<FaultKind>,
    seed: u64,
    /// Numbers the requests; shared with what the server reports it served.
    counts: Arc<Counts>,
    latency: Duration,
    slow: Duration,
    /// What the recent requests view shows.
    recent: Arc<RecentRequests>,
}

/// SplitMix64: a fast, well-mixed 64-bit hash, so nearby request numbers look independent.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Splits a socket into the stream hyper serves and a second handle on the same socket,
/// through which a reset fault sets a zero linger (so closing sends RST, not FIN).
pub fn split_socket(
    stream: tokio::net::TcpStream,
) -> std::io::Result<(tokio::net::TcpStream, Arc<std::net::TcpStream>)> {
    let stream = stream.into_std()?;
    let handle = stream.try_clone()?;
    Ok((tokio::net::TcpStream::from_std(stream)?, Arc::new(handle)))
}

impl Faults {
    /// The plan the configuration describes, numbering requests in `counts` and
    /// remembering them in `recent`.
    pub fn new(config: &ServerConfig, counts: Arc<Counts>, recent: Arc<RecentRequests>) -> Self {
        let kinds = if config.fault_kinds.is_empty() {
            FaultKind::ALL.to_vec()
        } else {
            config.fault_kinds.clone()
        };
        Faults {
            rate: config.fault_rate,
            kinds,
            seed: config.fault_seed,
            counts,
            latency: Duration::from_millis(config.latency_ms),
            slow: Duration::from_millis(config.slow_fault_ms),
            recent,
        }
    }

    /// The fault for the next request, with its request number.
    fn next(&self) -> (u64, Option<FaultKind>) {
        let n = self.counts.requests.fetch_add(1, Ordering::SeqCst);
        if self.rate <= 0.0 {
            return (n, None);
        }
        let draw = mix(self.seed ^ mix(n));
        let uniform = (draw >> 11) as f64 / (1u64 << 53) as f64;
        let kind = (uniform < self.rate)
            .then(|| self.kinds[(mix(draw) % self.kinds.len() as u64) as usize]);
        (n, kind)
    }

    /// The service for one connection: latency, then the request's fault, around `router`.
    /// The console's page and files skip all three (and are not numbered): opening the
    /// console neither fails by chance nor changes which later requests get faults.
    pub fn service(
        self: &Arc<Self>,
        router: Router,
        socket: Arc<std::net::TcpStream>,
    ) -> impl Service<
        Request<Incoming>,
        Response = Response,
        Error = InjectedReset,
        Future = impl Send,
    > + Clone
    + Send
    + 'static {
        let faults = self.clone();
        tower::service_fn(move |request: Request<Incoming>| {
            let faults = faults.clone();
            let router = router.clone();
            let socket = socket.clone();
            async move {
                let request = request.map(Body::new);
                let (method, path) = (request.method().clone(), request.uri().path().to_owned());
                if console::is_asset(&path) {
                    return Ok(call(router, request).await);
                }
                let started = (Utc::now(), std::time::Instant::now());
                let from_console = request.headers().contains_key(CONSOLE_HEADER);
                if !faults.latency.is_zero() {
                    tokio::time::sleep(faults.latency).await;
                }
                let (n, fault) = faults.next();
                let response = match fault {
                    None => Ok(call(router, request).await),
                    Some(kind) => {
                        tracing::info!(request = n, fault = %kind, %method, %path, "injecting fault");
                        faults.inject(kind, n, router, request, &socket).await
                    }
                };
                let status = response.as_ref().ok().map(|r| r.status().as_u16());
                faults.recent.record(RecentRequest {
                    number: n,
                    at: started.0,
                    method: method.to_string(),
                    path: path.clone(),
                    status,
                    fault: fault.map(|kind| kind.as_str()),
                    duration_ms: u64::try_from(started.1.elapsed().as_millis()).unwrap_or(u64::MAX),
                    console: from_console,
                    project: response
                        .as_ref()
                        .ok()
                        .and_then(|r| r.extensions().get::<Caller>())
                        .map(|Caller(project)| project.clone()),
                });
                tracing::debug!(%method, %path, ?status, "request");
                response
            }
        })
    }

    async fn inject(
        &self,
        kind: FaultKind,
        n: u64,
        router: Router,
        request: Request<Body>,
        socket: &std::net::TcpStream,
    ) -> Result<Response, InjectedReset> {
        Ok(match kind {
            FaultKind::InternalServerError => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error (injected fault)",
            )
            .into_response(),
            FaultKind::ServiceUnavailable => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable (injected fault)",
            )
            .into_response(),
            FaultKind::TooManyRequests => {
                let mut response = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too Many Requests (injected fault)",
                )
                .into_response();
                let (name, value) = if n.is_multiple_of(2) {
                    ("retry-after-ms", "200")
                } else {
                    ("retry-after", "1")
                };
                response
                    .headers_mut()
                    .insert(name, HeaderValue::from_static(value));
                response
            }
            FaultKind::Reset => {
                if let Err(error) = socket2::SockRef::from(socket).set_linger(Some(Duration::ZERO))
                {
                    tracing::warn!(%error, "cannot arm the reset; the connection will just close");
                }
                return Err(InjectedReset);
            }
            FaultKind::Truncate => truncate(call(router, request).await).await,
            FaultKind::Slow => {
                tokio::time::sleep(self.slow).await;
                call(router, request).await
            }
        })
    }
}

async fn call(router: Router, request: Request<Body>) -> Response {
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    }
}

/// The response with its full `Content-Length` but only the first half of its body, after
/// which the body fails, which makes hyper abort the connection.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    // The pause lets hyper flush the headers and the first half before the failure
    // aborts the connection; without it both could be dropped unsent, which is a reset.
    let chunks = futures_util::stream::once(async move { Ok::<_, std::io::Error>(half) }).chain(
        futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::other("response cut short (injected fault)"))
        }),
    );
    Response::from_parts(parts, Body::from_stream(chunks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_faults_at_about_the_rate() {
        let config = ServerConfig {
            fault_rate: 0.3,
            fault_seed: 7,
            ..ServerConfig::default()
        };
        let draw = |faults: &Faults| (0..1000).map(|_| faults.next().1).collect::<Vec<_>>();
        let faults = |config: &ServerConfig| Faults::new(config, Arc::default(), Arc::default());
        let first = draw(&faults(&config));
        assert_eq!(first, draw(&faults(&config)));
        let hits = first.iter().filter(|fault| fault.is_some()).count();
        assert!(
            (250..350).contains(&hits),
            "{hits} faults in 1000 at rate 0.3"
        );
        for kind in FaultKind::ALL {
            assert!(first.contains(&Some(*kind)), "{kind} never drawn");
        }
        let other = draw(&faults(&ServerConfig {
            fault_seed: 8,
            ..config
        }));
        assert_ne!(first, other);
    }
}

//! Which failures are retried, and how long to wait before the next attempt.

use std::time::{Duration, SystemTime};

use http::StatusCode;
use http::header::HeaderMap;

/// The longest server-requested delay that is obeyed.
pub(crate) const MAX_SERVER_DELAY: Duration = Duration::from_secs(60);
const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// Which failures a call may be retried after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryPolicy {
    /// Repeating the request cannot change the outcome (list, get, cancel; a create
    /// whose caller chose the idempotency key): retried after connection failures,
    /// timeouts, cut bodies, 408, 429 and 5xx.
    Idempotent,
    /// A repeat might act twice (a create with a generated key): retried only when the
    /// request was never sent or the server refused it outright (429).
    UnsentOnly,
}

impl RetryPolicy {
    /// Whether a status is retried when the server gave no `x-should-retry`.
    pub(crate) fn retries_status(self, status: StatusCode) -> bool {
        match self {
            RetryPolicy::Idempotent => {
                status == StatusCode::REQUEST_TIMEOUT
                    || status == StatusCode::TOO_MANY_REQUESTS
                    || status.is_server_error()
            }
            RetryPolicy::UnsentOnly => status == StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

/// The server's explicit decision (`x-should-retry: true|false`), which overrides the
/// status rules.
pub(crate) fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry")?.to_str().ok()?.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The delay the server asked for: `retry-after-ms` (milliseconds), else `retry-after`
/// (seconds, or an HTTP date).
pub(crate) fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    let header = |name| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(millis) = header("retry-after-ms").and_then(|value| value.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(millis / 1000.0).ok();
    }
    let value = header("retry-after")?;
    match value.parse::<f64>() {
        Ok(seconds) => Duration::try_from_secs_f64(seconds).ok(),
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            // A date in the past means "now".
            Some(at.duration_since(SystemTime::now()).unwrap_or_default())
        }
    }
}

/// Exponential backoff before retry `retries + 1`: `min(0.5 s * 2^retries, 8 s)`, scaled by
/// a random factor in [0.75, 1] so that clients failing together do not retry together.
pub(crate) fn backoff(retries: u32) -> Duration {
    let base = INITIAL_BACKOFF
        .saturating_mul(2u32.saturating_pow(retries))
        .min(MAX_BACKOFF);
    base.mul_f64(rand::random_range(0.75..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    http::HeaderName::from_static(name),
                    HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn backoff_doubles_up_to_eight_seconds_with_jitter() {
        for (retries, base) in [
            (0, 0.5),
            (1, 1.0),
            (2, 2.0),
            (3, 4.0),
            (4, 8.0),
            (10, 8.0),
            (40, 8.0),
        ] {
            for _ in 0..50 {
                let delay = backoff(retries).as_secs_f64();
                assert!(
                    (base * 0.75..=base).contains(&delay),
                    "retry {retries}: {delay} outside [{}, {base}]",
                    base * 0.75
                );
            }
        }
    }

    #[test]
    fn server_delay_headers_in_order() {
        let both = headers(&[("retry-after-ms", "1500"), ("retry-after", "9")]);
        assert_eq!(server_delay(&both), Some(Duration::from_millis(1500)));
        let seconds = headers(&[("retry-after", "2.5")]);
        assert_eq!(server_delay(&seconds), Some(Duration::from_millis(2500)));
        let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let date = headers(&[("retry-after", &future)]);
        let delay = server_delay(&date).unwrap();
        assert!(
            delay > Duration::from_secs(28) && delay <= Duration::from_secs(30),
            "{delay:?}"
        );
        let past = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
        assert_eq!(server_delay(&past), Some(Duration::ZERO));
        for junk in ["soon", "-3"] {
            assert_eq!(
                server_delay(&headers(&[("retry-after", junk)])),
                None,
                "{junk}"
            );
        }
        assert_eq!(server_delay(&HeaderMap::new()), None);
    }

    #[test]
    fn status_rules() {
        use RetryPolicy::*;
        for (status, idempotent, unsent_only) in [
            (408, true, false),
            (409, false, false),
            (429, true, true),
            (400, false, false),
            (404, false, false),
            (500, true, false),
            (503, true, false),
        ] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(Idempotent.retries_status(status), idempotent, "{status}");
            assert_eq!(UnsentOnly.retries_status(status), unsent_only, "{status}");
        }
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "true")])),
            Some(true)
        );
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "false")])),
            Some(false)
        );
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "maybe")])),
            None
        );
    }
}

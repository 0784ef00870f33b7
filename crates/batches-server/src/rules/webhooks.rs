//! The webhook rules: which event a status announces and who wants it, where deliveries may
//! go and which headers a configuration may set, how a delivery is signed and labelled, and
//! when a failed one is tried again.

use std::{collections::BTreeMap, fmt::Write, net::IpAddr, time::Duration};

use batches_types::{BatchStatus, WebhookEventType, WebhookOutputFormat};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::{Host, Url};

/// Attempts of one delivery before it is given up: the first and four retries.
pub const MAX_ATTEMPTS: u32 = 5;

/// The header carrying the signature, as the API documents it.
pub const SIGNATURE_HEADER: &str = "lc-signature";

/// The emulator's own header naming a delivery: the same on every attempt and on a
/// duplicate, so a receiver can tell a repeat from a new event. Not an API header.
pub const DELIVERY_ID_HEADER: &str = "x-emulator-delivery-id";

/// Headers a configuration may not set: the emulator sets them (the body's framing and
/// type, the signature, the delivery id) or they belong to the connection.
const RESERVED_HEADERS: [&str; 7] = [
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    SIGNATURE_HEADER,
    DELIVERY_ID_HEADER,
];

/// The event a batch entering `status` announces; `THROTTLED` (still waiting to run) and
/// statuses this version does not know announce none.
pub fn event_for(status: &BatchStatus) -> Option<WebhookEventType> {
    match status {
        BatchStatus::Pending => Some(WebhookEventType::BatchPending),
        BatchStatus::Running => Some(WebhookEventType::BatchRunning),
        BatchStatus::Completed => Some(WebhookEventType::BatchSuccess),
        BatchStatus::Failed => Some(WebhookEventType::BatchError),
        BatchStatus::Cancelled => Some(WebhookEventType::BatchCancelled),
        _ => None,
    }
}

/// Whether the event is a batch's last.
pub fn ends_batch(event: &WebhookEventType) -> bool {
    matches!(
        event,
        WebhookEventType::BatchSuccess
            | WebhookEventType::BatchError
            | WebhookEventType::BatchCancelled
    )
}

/// Whether a configuration subscribed to `events` wants `event`; no list means all.
pub fn wants(events: Option<&[WebhookEventType]>, event: &WebhookEventType) -> bool {
    events.is_none_or(|events| events.contains(event))
}

/// The `LC-Signature` value of `body`: `sha256=` and the hex HMAC-SHA256 keyed with
/// `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(body);
    let mut text = String::from("sha256=");
    for byte in mac.finalize().into_bytes() {
        write!(text, "{byte:02x}").expect("writing to a String cannot fail");
    }
    text
}

/// The `content-type` of a delivery: the output format labels the same bytes.
pub fn content_type(format: Option<&WebhookOutputFormat>) -> &'static str {
    match format {
        Some(WebhookOutputFormat::Json) => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

/// How long to wait before the next attempt after `attempts` failed ones, or `None` when
/// the delivery has had all of its attempts: `base`, then twice as long each time.
pub fn retry_delay(attempts: u32, base: Duration) -> Option<Duration> {
    (attempts < MAX_ATTEMPTS).then(|| base.saturating_mul(1 << attempts.saturating_sub(1).min(16)))
}

/// Refuses a URL the emulator will not deliver to: not `http(s)://`, with credentials,
/// or on a host that is neither loopback nor allowed (`--webhook-allow-host`).
pub fn check_url(url: &str, allow_hosts: &[String]) -> Result<(), String> {
    let parsed = Url::parse(url).map_err(|error| {
        format!("{url:?} is not a URL ({error}); expected http://HOST[:PORT]/PATH or https://…")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "{url:?} must start with http:// or https://, not {}://",
            parsed.scheme()
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("a webhook URL may not carry credentials; send them in webhook_headers".into());
    }
    let loopback = match parsed.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    let host = parsed.host_str().unwrap_or_default();
    let bare = |host: &str| {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase()
    };
    if loopback
        || allow_hosts
            .iter()
            .any(|allowed| bare(allowed) == bare(host))
    {
        return Ok(());
    }
    Err(format!(
        "the emulator delivers only to loopback addresses (127.0.0.1, [::1], localhost), \
         not to {host}; start it with --webhook-allow-host {host} to deliver there"
    ))
}

/// Refuses headers that cannot be sent (an invalid name or value) or that the emulator
/// sets itself.
pub fn check_headers(headers: &BTreeMap<String, String>) -> Result<(), String> {
    for (name, value) in headers {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!("{name:?} is not a valid header name"));
        }
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "{name} is set by the emulator on every delivery and cannot be replaced; \
                 reserved: {}",
                RESERVED_HEADERS.join(", ")
            ));
        }
        // The value is a secret as often as not: it is never quoted.
        if http::HeaderValue::from_str(value).is_err() {
            return Err(format!(
                "the value of header {name} is not valid (visible ASCII, spaces and tabs only)"
            ));
        }
    }
    Ok(())
}

/// An order of `n` items drawn with `draw` (which returns a number below its argument),
/// never the given order when there are two items or more.
pub fn shuffled_order(n: usize, mut draw: impl FnMut(usize) -> usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, draw(i + 1));
    }
    if n > 1 && order.iter().enumerate().all(|(i, at)| i == *at) {
        order.rotate_left(1);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_but_throttled_announces_its_event() {
        use WebhookEventType::*;
        let events: Vec<Option<WebhookEventType>> =
            BatchStatus::KNOWN.iter().map(event_for).collect();
        assert_eq!(
            events,
            [
                Some(BatchPending),
                None,
                Some(BatchRunning),
                Some(BatchSuccess),
                Some(BatchError),
                Some(BatchCancelled)
            ]
        );
        assert_eq!(event_for(&BatchStatus::from("PAUSED")), None);
        let last: Vec<bool> = WebhookEventType::KNOWN.iter().map(ends_batch).collect();
        assert_eq!(last, [false, false, true, true, true]);
    }

    #[test]
    fn no_list_wants_every_event_and_a_list_only_its_own() {
        let success = WebhookEventType::BatchSuccess;
        assert!(wants(None, &success));
        assert!(wants(Some(&[WebhookEventType::BatchSuccess]), &success));
        assert!(!wants(Some(&[WebhookEventType::BatchError]), &success));
    }

    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retries_double_from_the_base_and_stop_after_the_last_attempt() {
        let base = Duration::from_millis(1000);
        let delays: Vec<Option<Duration>> = (1..=5).map(|n| retry_delay(n, base)).collect();
        assert_eq!(
            delays,
            [1, 2, 4, 8]
                .map(|s| Some(Duration::from_secs(s)))
                .into_iter()
                .chain([None])
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn only_loopback_and_allowed_hosts_are_delivered_to() {
        for url in [
            "http://127.0.0.1:9/hook",
            "http://127.8.0.1/",
            "https://[::1]:8443/a?b=c",
            "http://LOCALHOST:1/",
        ] {
            assert_eq!(check_url(url, &[]), Ok(()), "{url}");
        }
        let refused = check_url("https://hooks.example.com/batches", &[]).unwrap_err();
        assert!(
            refused.contains("--webhook-allow-host hooks.example.com"),
            "{refused}"
        );
        let allowed = ["Hooks.Example.com".to_owned(), "2001:db8::1".to_owned()];
        assert_eq!(check_url("https://hooks.example.com/b", &allowed), Ok(()));
        assert_eq!(check_url("http://[2001:db8::1]/b", &allowed), Ok(()));
        assert!(check_url("https://other.example.com/b", &allowed).is_err());
        assert!(check_url("http://192.0.2.1/b", &allowed).is_err());
        assert!(
            check_url("ftp://127.0.0.1/", &[])
                .unwrap_err()
                .contains("http://")
        );
        assert!(
            check_url("not a url", &[])
                .unwrap_err()
                .contains("not a URL")
        );
        let credentials = check_url("http://user:pw@127.0.0.1/", &[]).unwrap_err();
        assert!(!credentials.contains("pw"), "{credentials}");
    }

    #[test]
    fn headers_must_be_sendable_and_not_the_emulators_own() {
        let headers = |name: &str, value: &str| BTreeMap::from([(name.into(), value.into())]);
        assert_eq!(check_headers(&headers("Authorization", "Bearer x")), Ok(()));
        assert!(check_headers(&headers("LC-Signature", "sha256=00")).is_err());
        assert!(check_headers(&headers("Content-Type", "text/html")).is_err());
        assert!(check_headers(&headers("bad name", "x")).is_err());
        let bad_value = check_headers(&headers("X-Token", "secret\nvalue")).unwrap_err();
        assert!(!bad_value.contains("secret"), "{bad_value}");
    }

    #[test]
    fn a_shuffled_order_is_a_permutation_and_never_the_given_one() {
        assert_eq!(shuffled_order(0, |_| 0), Vec::<usize>::new());
        assert_eq!(shuffled_order(1, |_| 0), [0]);
        // Draws that would leave everything in place still move the items.
        assert_eq!(shuffled_order(3, |bound| bound - 1), [1, 2, 0]);
        let mut state = 7usize;
        for n in 2..9 {
            let order = shuffled_order(n, |bound| {
                state = state.wrapping_mul(31).wrapping_add(11);
                state % bound
            });
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            assert_ne!(order, sorted);
        }
    }
}

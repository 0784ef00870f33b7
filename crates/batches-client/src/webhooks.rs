//! Receiving webhook deliveries: [`verify`] checks a delivery's `LC-Signature` against
//! the raw body and the signing secret, and decodes the event.
//!
//! A delivery is a `POST` whose body is a [`WebhookEvent`] and whose `LC-Signature` header
//! is `sha256=` followed by the hex HMAC-SHA256 of the raw body, keyed with the
//! configuration's `webhook_signing_secret`. Verify the bytes exactly as received, before
//! any parsing or re-encoding: a single changed byte changes the signature.
//!
//! ```
//! use batches_client::webhooks::{self, WebhookError};
//!
//! # let body = br#"{"event_type":"batch.success","created_at":"2026-11-02T09:17:42Z","data":{"id":"bat-1","config":{"job":{"configuration_id":"cfg-1","type":"parse_v2"}},"project_id":"prj-1","source_directory_id":"dir-1","status":"COMPLETED"}}"#;
//! # let signature = Some("sha256=cd1e9effb1fb0f1abe6697c00b5f4b2a88e0d15a8aab860979c6fe27871a3df6");
//! // In a handler: the raw body, the `LC-Signature` header if any, the secret.
//! match webhooks::verify(body, signature, "whsec-example") {
//!     Ok(event) => println!("{} {} is {}", event.event_type, event.data.id, event.data.status),
//!     Err(error) => println!("answer 401: {error}"),
//! }
//! # let event = webhooks::verify(body, signature, "whsec-example")?;
//! # assert_eq!(event.data.status, batches_client::BatchStatus::Completed);
//! # assert_eq!(webhooks::verify(body, signature, "whsec-other"), Err(WebhookError::SignatureMismatch));
//! # Ok::<(), WebhookError>(())
//! ```
//!
//! Deliveries come at least once and in no guaranteed order: key the handling on the
//! batch's `status` (`event.data.status`), and on the delivery's id when repeats matter.

use batches_types::WebhookEvent;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "LC-Signature";

/// The algorithm prefix of the signature.
const PREFIX: &str = "sha256=";

/// Why a delivery was not accepted. The messages say what was expected and never quote
/// the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The delivery carries no `LC-Signature` header.
    #[error(
        "the delivery has no LC-Signature header: it was not signed (the webhook configuration \
         has no webhook_signing_secret) or did not come from LlamaCloud"
    )]
    MissingSignature,
    /// The header is not `sha256=` and 64 hex digits.
    #[error("the LC-Signature header is malformed ({reason}); expected sha256= and 64 hex digits")]
    MalformedSignature {
        /// What is wrong with it.
        reason: String,
    },
    /// The signature is well-formed but not the body's under this secret: another secret
    /// signed it, or the body changed on the way.
    #[error(
        "the LC-Signature does not match the body: it was signed with another secret, or the \
         body was changed after signing"
    )]
    SignatureMismatch,
    /// The secret to check with is empty.
    #[error("the signing secret is empty; pass the webhook_signing_secret of the configuration")]
    EmptySecret,
    /// The body is authentic but not a webhook event.
    #[error("the signed body is not a webhook event: {reason}")]
    InvalidEvent {
        /// Why it could not be decoded.
        reason: String,
    },
}

/// Checks that `signature` (the `LC-Signature` header, `None` when absent) is the
/// HMAC-SHA256 of `body` keyed with `secret`, comparing in constant time, and returns the
/// decoded event. Unknown event names and fields are kept, as in every model.
pub fn verify(
    body: &[u8],
    signature: Option<&str>,
    secret: &str,
) -> Result<WebhookEvent, WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::EmptySecret);
    }
    let signature = signature.ok_or(WebhookError::MissingSignature)?;
    let expected = decode(signature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::SignatureMismatch)?;
    serde_json::from_slice(body).map_err(|error| WebhookError::InvalidEvent {
        reason: error.to_string(),
    })
}

/// The 32 bytes of `sha256=<64 hex digits>`.
fn decode(signature: &str) -> Result<Vec<u8>, WebhookError> {
    let malformed = |reason: &str| WebhookError::MalformedSignature {
        reason: reason.to_owned(),
    };
    let signature = signature.trim();
    let hex = match signature.get(..PREFIX.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(PREFIX) => &signature[PREFIX.len()..],
        _ if signature.is_empty() => return Err(malformed("it is empty")),
        _ => return Err(malformed("it does not start with sha256=")),
    };
    if hex.len() != 64 {
        return Err(malformed(&format!(
            "{} characters after sha256= instead of 64",
            hex.len()
        )));
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digit = |byte: u8| (byte as char).to_digit(16);
            match (digit(pair[0]), digit(pair[1])) {
                (Some(high), Some(low)) => Ok((high * 16 + low) as u8),
                _ => Err(malformed("it holds a character that is not a hex digit")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use batches_types::{BatchStatus, WebhookEventType};

    use super::*;

    const SECRET: &str = "whsec-unit";
    const BODY: &[u8] = br#"{"event_type":"batch.success","created_at":"2026-11-02T09:17:42Z","data":{"id":"bat-1","config":{"job":{"configuration_id":"cfg-1","type":"parse_v2"}},"project_id":"prj-1","source_directory_id":"dir-1","status":"COMPLETED"}}"#;

    fn sign(body: &[u8], secret: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("sha256={hex}")
    }

    #[test]
    fn the_right_signature_gives_the_event() {
        let event = verify(BODY, Some(&sign(BODY, SECRET)), SECRET).unwrap();
        assert_eq!(event.event_type, WebhookEventType::BatchSuccess);
        assert_eq!(event.data.status, BatchStatus::Completed);
        // Upper-case hex and surrounding spaces are the same signature.
        let upper = format!(" sha256={} ", sign(BODY, SECRET)[7..].to_ascii_uppercase());
        assert!(verify(BODY, Some(&upper), SECRET).is_ok());
    }

    #[test]
    fn another_secret_or_a_changed_body_is_a_mismatch() {
        let signature = sign(BODY, SECRET);
        assert_eq!(
            verify(BODY, Some(&signature), "whsec-other"),
            Err(WebhookError::SignatureMismatch)
        );
        let mut changed = BODY.to_vec();
        changed[20] ^= 1;
        assert_eq!(
            verify(&changed, Some(&signature), SECRET),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn a_missing_or_malformed_header_says_what_is_expected() {
        assert_eq!(
            verify(BODY, None, SECRET),
            Err(WebhookError::MissingSignature)
        );
        let good = sign(BODY, SECRET);
        for (header, reason) in [
            ("", "it is empty"),
            (&good[7..], "it does not start with sha256="),
            ("sha1=abc", "it does not start with sha256="),
            (
                &good[..good.len() - 2],
                "62 characters after sha256= instead of 64",
            ),
            (
                &format!("{}zz", &good[..good.len() - 2]),
                "it holds a character that is not a hex digit",
            ),
        ] {
            let error = verify(BODY, Some(header), SECRET).unwrap_err();
            assert_eq!(
                error,
                WebhookError::MalformedSignature {
                    reason: reason.to_owned()
                },
                "{header:?}"
            );
            assert!(
                error
                    .to_string()
                    .contains("expected sha256= and 64 hex digits")
            );
        }
        assert_eq!(
            verify(BODY, Some(&good), ""),
            Err(WebhookError::EmptySecret)
        );
    }

    #[test]
    fn an_authentic_body_that_is_not_an_event_says_so() {
        let body = br#"{"hello":"world"}"#;
        let error = verify(body, Some(&sign(body, SECRET)), SECRET).unwrap_err();
        assert!(
            matches!(&error, WebhookError::InvalidEvent { reason } if reason.contains("event_type")),
            "{error}"
        );
    }

    #[test]
    fn unknown_event_names_and_fields_are_kept() {
        let body = br#"{"event_type":"batch.paused","created_at":"2026-11-02T09:17:42Z","attempt":2,"data":{"id":"bat-1","config":{"job":{"configuration_id":"cfg-1","type":"parse_v2"}},"project_id":"prj-1","source_directory_id":"dir-1","status":"PAUSED"}}"#;
        let event = verify(body, Some(&sign(body, SECRET)), SECRET).unwrap();
        assert!(matches!(event.event_type, WebhookEventType::Unknown(_)));
        assert_eq!(event.event_type.as_str(), "batch.paused");
        assert_eq!(event.extra["attempt"], 2);
        assert_eq!(event.data.status.as_str(), "PAUSED");
    }
}

//! What traces (and so the command line's `--debug`) may show of an exchange: header
//! values on a short allow-list, and bodies with every secret-bearing field replaced.
//!
//! Headers are redacted unless known to be harmless, because a custom header
//! (`LLAMA_CLOUD_CUSTOM_HEADERS`, a gateway's token) can carry any credential. Body fields
//! are redacted by name: `webhook_signing_secret` and any field whose name says it holds a
//! secret (`secret`, `password`, `credential`, `api_key`, `authorization`, `access_token`,
//! `refresh_token`), and every value of a map of headers (`webhook_headers`, which carries
//! credentials for the webhook's receiver).

use http::HeaderMap;
use serde_json::Value;

/// What a redacted value is shown as.
pub(crate) const REDACTED: &str = "[redacted]";

/// Headers whose values are shown: they describe the exchange and carry no credential.
/// `idempotency-key` is shown because it is what tells two attempts of a create apart.
const SHOWN_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "content-encoding",
    "content-length",
    "content-type",
    "date",
    "idempotency-key",
    "retry-after",
    "retry-after-ms",
    "server",
    "transfer-encoding",
    "user-agent",
    "x-request-id",
    "x-should-retry",
];

/// Parts of a field name that mark its value as a secret.
const SECRET_NAMES: &[&str] = &[
    "secret",
    "password",
    "credential",
    "api_key",
    "apikey",
    "authorization",
    "access_token",
    "refresh_token",
];

/// Headers as `name: value` pairs, every value not on the allow-list redacted.
pub(crate) fn headers(headers: &HeaderMap) -> String {
    let pairs: Vec<String> = headers
        .iter()
        .map(|(name, value)| {
            let shown = SHOWN_HEADERS.contains(&name.as_str()) && !value.is_sensitive();
            let value = if shown {
                String::from_utf8_lossy(value.as_bytes())
            } else {
                REDACTED.into()
            };
            format!("{name}: {value}")
        })
        .collect();
    pairs.join(", ")
}

/// The start of a body (the first `limit` characters), secret-bearing fields redacted.
/// A body that is not JSON (an error page of a proxy) is shown as it is: the client only
/// sends JSON, so it came from a server.
pub(crate) fn body(body: &[u8], limit: usize) -> String {
    if let Ok(mut value) = serde_json::from_slice::<Value>(body)
        && redact(&mut value)
    {
        return crate::error::excerpt(value.to_string().as_bytes(), limit);
    }
    crate::error::excerpt(body, limit)
}

/// Replaces the secrets in `value`; says whether there were any.
fn redact(value: &mut Value) -> bool {
    match value {
        Value::Object(fields) => {
            let mut found = false;
            for (name, field) in fields.iter_mut() {
                let name = name.to_ascii_lowercase();
                if name.ends_with("headers") && field.is_object() {
                    for header in field
                        .as_object_mut()
                        .into_iter()
                        .flat_map(|map| map.values_mut())
                    {
                        *header = Value::String(REDACTED.to_owned());
                        found = true;
                    }
                } else if SECRET_NAMES.iter().any(|secret| name.contains(secret)) {
                    if !field.is_null() {
                        *field = Value::String(REDACTED.to_owned());
                        found = true;
                    }
                } else {
                    found |= redact(field);
                }
            }
            found
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, item| redact(item) | found),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn only_allowed_header_values_are_shown() {
        let mut map = HeaderMap::new();
        map.insert("content-type", HeaderValue::from_static("application/json"));
        map.insert("x-token", HeaderValue::from_static("MARKER"));
        map.insert(
            "proxy-authorization",
            HeaderValue::from_static("Basic MARKER"),
        );
        let mut key = HeaderValue::from_static("llx-MARKER");
        key.set_sensitive(true);
        map.insert("authorization", key);
        assert_eq!(
            headers(&map),
            "content-type: application/json, x-token: [redacted], proxy-authorization: \
             [redacted], authorization: [redacted]"
        );
    }

    #[test]
    fn secret_fields_are_redacted_at_any_depth() {
        let sent = br#"{"source_directory_id":"dir-1","webhook_configurations":[{"webhook_url":"https://x","webhook_signing_secret":"MARKER","webhook_headers":{"X-Auth":"MARKER","y":"MARKER"}},{"webhook_signing_secret":null}],"extra":{"client_secret":"MARKER","Password":"MARKER"}}"#;
        assert_eq!(
            body(sent, 2000),
            r#"{"source_directory_id":"dir-1","webhook_configurations":[{"webhook_url":"https://x","webhook_signing_secret":"[redacted]","webhook_headers":{"X-Auth":"[redacted]","y":"[redacted]"}},{"webhook_signing_secret":null}],"extra":{"client_secret":"[redacted]","Password":"[redacted]"}}"#
        );
        // Without secrets the body is shown as sent, byte for byte.
        let plain = br#"{ "items": [], "next_page_token": "abc" }"#;
        assert_eq!(
            body(plain, 2000),
            r#"{ "items": [], "next_page_token": "abc" }"#
        );
        assert_eq!(
            body(b"<html>bad gateway</html>", 2000),
            "<html>bad gateway</html>"
        );
        assert_eq!(body(b"", 2000), "");
    }
}

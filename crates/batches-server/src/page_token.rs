//! Opaque keyset page tokens, bound to the listing they were issued for.
//!
//! A token carries the sort key (`created_at`, `id`) of the last row of its page, so the
//! next page starts strictly after that row whatever was created in between: rows added
//! later sort before the cursor (newest-first listings) or are simply reached in order
//! (oldest-first ones), and none is skipped or repeated. It also carries a fingerprint of
//! the project and filters; reusing it with other filters is refused instead of silently
//! returning a page of a different listing.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

const VERSION: &str = "v1";

/// Where a page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// `created_at` of the last row, in microseconds.
    pub created_at: i64,
    /// `id` of the last row.
    pub id: String,
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token this server issued.
    Malformed,
    /// Issued for another listing (other filters, project or resource).
    OtherListing,
}

impl TokenError {
    /// The message for the 400 response.
    pub fn detail(&self) -> &'static str {
        match self {
            TokenError::Malformed => {
                "page_token is not valid: pass the next_page_token of a previous page unchanged"
            }
            TokenError::OtherListing => {
                "page_token was issued for a listing with different filters: repeat every \
                 filter of the first request (only page_size may change), or start again \
                 without page_token"
            }
        }
    }
}

/// The fingerprint of what a listing is (resource, project, filters), written `|`-separated:
/// [`batches_types::fingerprint`], so tokens stay valid across versions.
pub fn fingerprint(listing: &str) -> u64 {
    batches_types::fingerprint(listing)
}

/// The token for the page after `cursor` in the listing with this fingerprint.
pub fn encode(listing: u64, cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{VERSION}|{listing:016x}|{}|{}",
        cursor.created_at, cursor.id
    ))
}

/// The cursor in `token`, if it was issued for the listing with this fingerprint.
pub fn decode(token: &str, listing: u64) -> Result<Cursor, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed)?;
    let text = String::from_utf8(bytes).map_err(|_| TokenError::Malformed)?;
    let mut parts = text.splitn(4, '|');
    let (Some(VERSION), Some(issued_for), Some(created_at), Some(id)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let issued_for = u64::from_str_radix(issued_for, 16).map_err(|_| TokenError::Malformed)?;
    let created_at = created_at.parse().map_err(|_| TokenError::Malformed)?;
    if id.is_empty() {
        return Err(TokenError::Malformed);
    }
    if issued_for != listing {
        return Err(TokenError::OtherListing);
    }
    Ok(Cursor {
        created_at,
        id: id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_bound_to_its_listing() {
        let cursor = Cursor {
            created_at: 1_700_000_000_123_456,
            id: "bat-1|x".into(),
        };
        let listing = fingerprint("batches|prj-1|status=RUNNING");
        let token = encode(listing, &cursor);
        assert_eq!(decode(&token, listing), Ok(cursor));
        assert_eq!(
            decode(&token, fingerprint("batches|prj-1|")),
            Err(TokenError::OtherListing)
        );
        assert_eq!(decode("not a token", listing), Err(TokenError::Malformed));
        // Tokens already handed out stay valid: the listing fingerprint is fixed.
        assert_eq!(
            token,
            "djF8NjI1YTQ1YmE4ODdjYjE3N3wxNzAwMDAwMDAwMTIzNDU2fGJhdC0xfHg"
        );
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode("v1|zz|1|a"), listing),
            Err(TokenError::Malformed)
        );
    }
}

//! Signed keyset page tokens, bound to the listing they were issued for.
//!
//! A token carries the sort key (`created_at`, `id`) of the last row of its page, so the
//! next page starts strictly after that row whatever was created in between: rows added
//! later sort before the cursor (newest-first listings) or are simply reached in order
//! (oldest-first ones), and none is skipped or repeated. It also carries a fingerprint of
//! the project and filters; reusing it with other filters is refused instead of silently
//! returning a page of a different listing.
//!
//! Every token is signed (HMAC-SHA256, truncated to 128 bits) with a key kept in the
//! database, so a token that was changed, or made up, is refused, while the tokens of one
//! database stay valid across restarts on the same `--db`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION: &str = "v2";
/// Bytes of the signature kept at the end of a token.
const TAG_LEN: usize = 16;
/// Bytes of a signing key.
pub const KEY_LEN: usize = 32;

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
    /// Not a token this server issued (or one changed since).
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

/// Issues and checks the tokens of one database.
#[derive(Clone)]
pub struct PageTokens {
    key: [u8; KEY_LEN],
}

impl PageTokens {
    /// Tokens signed with `key`.
    pub fn new(key: [u8; KEY_LEN]) -> PageTokens {
        PageTokens { key }
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(payload);
        mac
    }

    /// The token for the page after `cursor` in the listing with this fingerprint.
    pub fn encode(&self, listing: u64, cursor: &Cursor) -> String {
        let mut token = format!(
            "{VERSION}|{listing:016x}|{}|{}",
            cursor.created_at, cursor.id
        )
        .into_bytes();
        let tag = self.mac(&token).finalize().into_bytes();
        token.extend_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(token)
    }

    /// The cursor in `token`, if this server signed it for the listing with this
    /// fingerprint.
    pub fn decode(&self, token: &str, listing: u64) -> Result<Cursor, TokenError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim_end_matches('='))
            .map_err(|_| TokenError::Malformed)?;
        let Some(split) = bytes.len().checked_sub(TAG_LEN) else {
            return Err(TokenError::Malformed);
        };
        let (payload, tag) = bytes.split_at(split);
        // Checked before anything of the payload is read, in constant time.
        self.mac(payload)
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::Malformed)?;
        let text = std::str::from_utf8(payload).map_err(|_| TokenError::Malformed)?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> PageTokens {
        PageTokens::new([7; KEY_LEN])
    }

    fn cursor() -> Cursor {
        Cursor {
            created_at: 1_700_000_000_123_456,
            id: "bat-1|x".into(),
        }
    }

    #[test]
    fn round_trips_and_is_bound_to_its_listing() {
        let listing = fingerprint("batches|prj-1|status=RUNNING");
        let token = tokens().encode(listing, &cursor());
        assert_eq!(tokens().decode(&token, listing), Ok(cursor()));
        assert_eq!(
            tokens().decode(&token, fingerprint("batches|prj-1|")),
            Err(TokenError::OtherListing)
        );
        assert_eq!(
            tokens().decode("not a token", listing),
            Err(TokenError::Malformed)
        );
        // HMAC-SHA256 of the payload under the key, its first 16 bytes appended (checked
        // with an independent implementation): the same key gives the same token, so
        // tokens survive a restart on the same file.
        assert_eq!(
            token,
            "djJ8NjI1YTQ1YmE4ODdjYjE3N3wxNzAwMDAwMDAwMTIzNDU2fGJhdC0xfHgfM823Xat3Dk90lJmioXyA"
        );
    }

    #[test]
    fn unsigned_changed_and_foreign_tokens_are_refused() {
        let listing = fingerprint("batches|prj-1|");
        let token = tokens().encode(listing, &cursor());
        // Signed by another database.
        assert_eq!(
            PageTokens::new([8; KEY_LEN]).decode(&token, listing),
            Err(TokenError::Malformed)
        );
        // The unsigned form of earlier versions, with a real fingerprint.
        let unsigned = URL_SAFE_NO_PAD.encode(format!("v1|{listing:016x}|1|bat-1"));
        assert_eq!(
            tokens().decode(&unsigned, listing),
            Err(TokenError::Malformed)
        );
        // The cursor changed, the signature kept.
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        let at = bytes.iter().position(|b| *b == b'1').unwrap();
        bytes[at] = b'2';
        assert_eq!(
            tokens().decode(&URL_SAFE_NO_PAD.encode(&bytes), listing),
            Err(TokenError::Malformed)
        );
        // A field added.
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes.insert(0, b'x');
        assert_eq!(
            tokens().decode(&URL_SAFE_NO_PAD.encode(&bytes), listing),
            Err(TokenError::Malformed)
        );
        // Shorter than a signature.
        assert_eq!(tokens().decode("AAAA", listing), Err(TokenError::Malformed));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn every_token_round_trips_for_its_listing_only(
                key in any::<[u8; KEY_LEN]>(),
                listing in any::<u64>(),
                other in any::<u64>(),
                created_at in any::<i64>(),
                id in ".+",
            ) {
                let tokens = PageTokens::new(key);
                let cursor = Cursor { created_at, id };
                let token = tokens.encode(listing, &cursor);
                prop_assert_eq!(tokens.decode(&token, listing), Ok(cursor));
                if other != listing {
                    prop_assert_eq!(tokens.decode(&token, other), Err(TokenError::OtherListing));
                }
            }

            #[test]
            fn any_change_to_a_token_is_a_forgery(
                key in any::<[u8; KEY_LEN]>(),
                listing in any::<u64>(),
                created_at in any::<i64>(),
                id in ".+",
                position in any::<prop::sample::Index>(),
                flip in 1u8..=255,
                cut in any::<prop::sample::Index>(),
            ) {
                let tokens = PageTokens::new(key);
                let token = tokens.encode(listing, &Cursor { created_at, id });
                let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
                let mut changed = bytes.clone();
                changed[position.index(bytes.len())] ^= flip;
                prop_assert_eq!(
                    tokens.decode(&URL_SAFE_NO_PAD.encode(&changed), listing),
                    Err(TokenError::Malformed)
                );
                let shorter = &bytes[..cut.index(bytes.len())];
                prop_assert_eq!(
                    tokens.decode(&URL_SAFE_NO_PAD.encode(shorter), listing),
                    Err(TokenError::Malformed)
                );
            }

            #[test]
            fn made_up_tokens_are_refused(key in any::<[u8; KEY_LEN]>(), text in ".*") {
                prop_assert!(PageTokens::new(key).decode(&text, 0).is_err());
            }
        }
    }
}

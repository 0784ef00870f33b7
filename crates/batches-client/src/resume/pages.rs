//! The starting token of a listing walked page by page (directories, a directory's
//! files): the page token of the page the position is on, how many items of that page
//! were printed and the id of the last one, so a resumed listing continues right after
//! it, also when items were created in between.

use serde::{Deserialize, Serialize};

use super::{Instant, Pinned, Resumable, TokenError, decode, encode, not_a_token};

/// A position in a listing walked page by page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartingToken {
    /// The page token of the page the position is on (`None`: the first page).
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
    /// Items of that page already printed.
    #[serde(rename = "n")]
    pub printed: u64,
    /// The id of the last item printed, when on that page.
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub last_id: Option<String>,
    /// The listing.
    #[serde(flatten)]
    listing: Pinned,
}

impl StartingToken {
    /// The position after `printed` items of the page requested with `page_token`.
    pub fn new(
        params: &impl Resumable,
        page_token: Option<String>,
        printed: u64,
        last_id: Option<String>,
    ) -> StartingToken {
        StartingToken {
            page_token,
            printed,
            last_id,
            listing: Pinned::of(params),
        }
    }

    /// The text printed for the user.
    pub fn encode(&self) -> String {
        encode(self)
    }

    /// Reads a token printed by [`encode`](Self::encode).
    pub fn decode(text: &str) -> Result<StartingToken, TokenError> {
        serde_json::from_slice(&decode(text)).map_err(|_| not_a_token(text))
    }

    /// Checks that the token belongs to a listing with these filters and sets `params`
    /// up to resume it: the dates of the listing that made the token, and its page token.
    pub fn resume(
        &self,
        params: &mut impl Resumable,
        after: Option<Instant>,
        before: Option<Instant>,
    ) -> Result<(), TokenError> {
        self.listing.check(params, after, before)?;
        params.resume_at(self.listing.bounds(), self.page_token.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use batches_types::{ListBatchesParams, ListDirectoriesParams};

    use super::*;

    fn params() -> ListDirectoriesParams {
        ListDirectoriesParams {
            name: Some("reports".into()),
            page_size: Some(10),
            ..Default::default()
        }
    }

    #[test]
    fn round_trips() {
        let token = StartingToken::new(&params(), Some("abc".into()), 3, Some("dir-3".into()));
        let text = token.encode();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(StartingToken::decode(&text).unwrap(), token);
        assert!(StartingToken::decode("nonsense!").is_err());
    }

    #[test]
    fn resumes_only_the_same_listing_at_its_page() {
        let token = StartingToken::new(&params(), Some("abc".into()), 3, None);
        let mut resumed = ListDirectoriesParams {
            page_size: Some(500),
            ..params()
        };
        token.resume(&mut resumed, None, None).unwrap();
        assert_eq!(resumed.page_token.as_deref(), Some("abc"));
        assert_eq!(resumed.page_size, Some(500));
        let mut other_name = ListDirectoriesParams {
            name: Some("invoices".into()),
            ..params()
        };
        assert!(token.resume(&mut other_name, None, None).is_err());
    }

    /// A token of one listing does not resume a listing of another resource.
    #[test]
    fn tokens_are_bound_to_their_resource() {
        let token = StartingToken::new(&ListBatchesParams::default(), Some("p".into()), 1, None);
        let mut directories = ListDirectoriesParams::default();
        assert!(token.resume(&mut directories, None, None).is_err());
        let token = StartingToken::new(&directories, Some("p".into()), 1, None);
        token.resume(&mut directories, None, None).unwrap();
        assert_eq!(directories.page_token.as_deref(), Some("p"));
        assert!(
            token
                .resume(&mut ListBatchesParams::default(), None, None)
                .is_err()
        );
    }
}

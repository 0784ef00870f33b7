//! The starting token of a batch listing.
//!
//! A listing is ordered newest first, so the position right after a batch is its creation
//! time, with the number of batches printed that were created at that very instant (the
//! last one included). A resumed listing asks for the batches created at or before that
//! time, and passes over that many, checking that the last of them is the batch printed
//! last. This works whatever walked the listing, page by page or in parallel windows, and
//! however many batches were created in between (they are newer).
//!
//! Tokens of earlier versions named a server page token instead; they are refused with a
//! message saying so (a starting token is meant to be used right after it is printed).

use std::borrow::Cow;

use batches_types::{DateTime, ListBatchesParams, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Instant, Pinned, TokenError, decode, encode, not_a_token};

/// A position in a batch listing: right after the batch printed last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartingToken {
    /// The batches printed last that share one creation time.
    #[serde(flatten)]
    tie: Tie,
    /// The listing.
    #[serde(flatten)]
    listing: Pinned,
}

/// A tie: the batches at the end of what was printed that were created at the same
/// instant as the last one. The listing is ordered by creation time, so they are tied on
/// it; a resumed listing asks for that instant again and passes over this many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tie {
    /// Their creation time.
    #[serde(rename = "c")]
    pub created_at: DateTime<Utc>,
    /// The id of the last one.
    #[serde(rename = "l")]
    pub last_id: String,
    /// How many.
    #[serde(rename = "k")]
    pub count: u64,
}

/// The fields of a token of an earlier version, which named a server page token.
#[derive(Deserialize)]
struct EarlierToken {
    #[serde(rename = "n")]
    _printed: u64,
}

impl StartingToken {
    /// The position after `tie` in the listing `params` (with its dates as resolved).
    pub fn new(params: &ListBatchesParams, tie: Tie) -> StartingToken {
        StartingToken {
            tie,
            listing: Pinned::of(params),
        }
    }

    /// The text printed for the user.
    pub fn encode(&self) -> String {
        encode(self)
    }

    /// Reads a token printed by [`encode`](Self::encode).
    pub fn decode(text: &str) -> Result<StartingToken, TokenError> {
        let bytes = decode(text);
        if let Ok(token) = serde_json::from_slice(&bytes) {
            return Ok(token);
        }
        if serde_json::from_slice::<EarlierToken>(&bytes).is_ok() {
            return Err(TokenError::EarlierVersion);
        }
        Err(not_a_token(text))
    }

    /// The batches the resumed listing starts with that were printed already: passed
    /// over, not printed again.
    pub fn tie(&self) -> &Tie {
        &self.tie
    }

    /// Checks that the token belongs to a listing with these filters and pins in `params`
    /// the dates as the listing that printed it resolved them; returns the query of the
    /// resumed listing: the batches created at or before the last one printed.
    pub fn resume(
        &self,
        params: &mut ListBatchesParams,
        after: Option<Instant>,
        before: Option<Instant>,
    ) -> Result<ListBatchesParams, TokenError> {
        self.listing.check(params, after, before)?;
        (
            params.created_at_on_or_after,
            params.created_at_on_or_before,
        ) = self.listing.bounds();
        Ok(ListBatchesParams {
            created_at_on_or_before: Some(self.tie.created_at),
            page_token: None,
            ..params.clone()
        })
    }
}

/// The creation time and id of a batch as the server sent it.
fn key(item: &RawValue) -> Option<(DateTime<Utc>, Cow<'_, str>)> {
    #[derive(Deserialize)]
    struct Key<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(borrow, default)]
        created_at: Option<Cow<'a, str>>,
    }
    let key: Key<'_> = serde_json::from_str(item.get()).ok()?;
    let at = DateTime::parse_from_rfc3339(&key.created_at?).ok()?;
    Some((at.to_utc(), key.id))
}
impl Tie {
    /// The tie at the end of `items`, continuing `before` (the tie at the end of what
    /// came before them) when all of them share its creation time. `None` when the last
    /// batch has no creation time or id: no position can be named after it.
    pub fn after(items: &[Box<RawValue>], before: Option<&Tie>) -> Option<Tie> {
        let Some(last) = items.last() else {
            return before.cloned();
        };
        let (created_at, last_id) = key(last)?;
        let same = items
            .iter()
            .rev()
            .take_while(|item| key(item).is_some_and(|(at, _)| at == created_at))
            .count() as u64;
        let earlier = before
            .filter(|tie| same == items.len() as u64 && tie.created_at == created_at)
            .map_or(0, |tie| tie.count);
        Some(Tie {
            created_at,
            last_id: last_id.into_owned(),
            count: same + earlier,
        })
    }

    /// Checks that `item`, the `index`-th batch (from 0) of the resumed listing and one
    /// of those printed already, is where the token says.
    pub fn check(&self, index: u64, item: &RawValue) -> Result<(), TokenError> {
        let fits = key(item).is_some_and(|(at, id)| {
            at == self.created_at && (index + 1 < self.count || id == self.last_id)
        });
        if fits {
            return Ok(());
        }
        Err(TokenError::Moved {
            last_id: self.last_id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use batches_types::BatchStatus;

    use super::*;

    fn params() -> ListBatchesParams {
        ListBatchesParams {
            status: Some(BatchStatus::Running),
            page_size: Some(10),
            created_at_on_or_after: Some("2026-11-01T00:00:00Z".parse().unwrap()),
            ..Default::default()
        }
    }

    fn tie(count: u64) -> Tie {
        Tie {
            created_at: "2026-11-20T10:00:00.5Z".parse().unwrap(),
            last_id: "bat-3".into(),
            count,
        }
    }

    fn item(id: &str, created_at: &str) -> Box<RawValue> {
        RawValue::from_string(format!(
            r#"{{"id":"{id}","created_at":"{created_at}","x":[1]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn round_trips() {
        let token = StartingToken::new(&params(), tie(2));
        let text = token.encode();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(StartingToken::decode(&text).unwrap(), token);
        assert!(StartingToken::decode("nonsense!").is_err());
    }

    #[test]
    fn tokens_of_earlier_versions_are_refused_with_the_reason() {
        let earlier = encode(&serde_json::json!({"t": "abc", "n": 3, "l": "bat-3", "f": "x"}));
        let error = StartingToken::decode(&earlier).unwrap_err();
        assert_eq!(error, TokenError::EarlierVersion);
        assert!(error.to_string().contains("earlier version"), "{error}");
    }

    /// Tokens keep resuming across versions: the filters' fingerprint is fixed.
    #[test]
    fn the_filters_fingerprint_is_pinned() {
        let token = StartingToken::new(&params(), tie(1));
        assert_eq!(token.listing.filters, "3a4a8a81754feea5");
    }

    #[test]
    fn resumes_only_the_same_listing_and_from_the_last_batch_printed() {
        let token = StartingToken::new(&params(), tie(1));
        let pinned: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let age = Instant {
            at: Utc::now(),
            relative: true,
        };
        let exact = Instant {
            at: pinned,
            relative: false,
        };

        let mut resumed = ListBatchesParams {
            page_size: Some(500),
            page_token: Some("ignored".into()),
            ..params()
        };
        let query = token.resume(&mut resumed, Some(age), None).unwrap();
        assert_eq!(resumed.created_at_on_or_after, Some(pinned));
        assert_eq!(resumed.created_at_on_or_before, None);
        assert_eq!(query.created_at_on_or_after, Some(pinned));
        assert_eq!(query.created_at_on_or_before, Some(tie(1).created_at));
        assert_eq!(query.page_token, None);
        assert_eq!(query.page_size, Some(500));
        token.resume(&mut params(), Some(exact), None).unwrap();

        let other_status = ListBatchesParams {
            status: Some(BatchStatus::Failed),
            ..params()
        };
        assert!(
            token
                .resume(&mut other_status.clone(), Some(exact), None)
                .is_err()
        );
        assert!(token.resume(&mut params(), None, None).is_err());
        let other_day = Instant {
            at: Utc::now(),
            relative: false,
        };
        assert!(token.resume(&mut params(), Some(other_day), None).is_err());
    }

    #[test]
    fn a_tie_counts_the_last_batches_created_at_one_instant() {
        let t = "2026-11-20T10:00:00.5Z";
        let items = [
            item("bat-9", "2026-11-20T11:00:00Z"),
            item("bat-2", t),
            item("bat-3", "2026-11-20T10:00:00.500+00:00"),
        ];
        assert_eq!(Tie::after(&items, None), Some(tie(2)));
        assert_eq!(Tie::after(&items[..1], None).unwrap().count, 1);
        // A chunk all at the instant of the tie before it continues that tie.
        let more = [item("bat-4", t), item("bat-3", t)];
        assert_eq!(Tie::after(&more, Some(&tie(2))), Some(tie(4)));
        assert_eq!(Tie::after(&more, Some(&tie(2))).unwrap().last_id, "bat-3");
        let earlier = Tie {
            created_at: "2026-11-20T11:00:00Z".parse().unwrap(),
            ..tie(5)
        };
        assert_eq!(Tie::after(&more, Some(&earlier)), Some(tie(2)));
        assert_eq!(Tie::after(&[], Some(&tie(3))), Some(tie(3)));
        let untimed = [RawValue::from_string(r#"{"id":"bat-1"}"#.into()).unwrap()];
        assert_eq!(Tie::after(&untimed, None), None);
    }

    #[test]
    fn the_batches_passed_over_must_be_where_the_token_says() {
        let t = "2026-11-20T10:00:00.5Z";
        let tie = tie(2);
        tie.check(0, &item("bat-1", t)).unwrap();
        tie.check(1, &item("bat-3", t)).unwrap();
        assert!(tie.check(1, &item("bat-4", t)).is_err());
        assert!(
            tie.check(0, &item("bat-1", "2026-11-20T10:00:00Z"))
                .is_err()
        );
    }

    mod properties {
        use chrono::TimeZone;
        use proptest::prelude::*;

        use super::*;
        use crate::resume::fingerprint;

        prop_compose! {
            fn any_params()(
                status in proptest::option::of("[A-Z_]{1,10}"),
                directory in proptest::option::of(".*"),
                project in proptest::option::of(".*"),
                after in proptest::option::of(0i64..4_000_000_000),
                page_size in proptest::option::of(1i64..1000),
            ) -> ListBatchesParams {
                ListBatchesParams {
                    status: status.map(|status| BatchStatus::from(status.as_str())),
                    source_directory_id: directory,
                    project_id: project,
                    created_at_on_or_after: after.map(|s| Utc.timestamp_opt(s, 0).unwrap()),
                    page_size,
                    ..Default::default()
                }
            }
        }

        prop_compose! {
            fn any_tie()(
                seconds in 0i64..4_000_000_000,
                nanos in 0u32..1_000_000_000,
                last_id in ".*",
                count in 1u64..,
            ) -> Tie {
                Tie {
                    created_at: Utc.timestamp_opt(seconds, nanos).unwrap(),
                    last_id,
                    count,
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_token_round_trips_and_resumes_after_its_last_batch(
                params in any_params(),
                tie in any_tie(),
            ) {
                let token = StartingToken::new(&params, tie.clone());
                let decoded = StartingToken::decode(&token.encode()).unwrap();
                prop_assert_eq!(&decoded, &token);
                let given = |at: Option<DateTime<Utc>>| at.map(|at| Instant { at, relative: false });
                let mut resumed = params.clone();
                let query = decoded
                    .resume(&mut resumed, given(params.created_at_on_or_after), None)
                    .unwrap();
                prop_assert_eq!(query.created_at_on_or_before, Some(tie.created_at));
                prop_assert_eq!(query.created_at_on_or_after, params.created_at_on_or_after);
                prop_assert_eq!(query.page_token, None);
                prop_assert_eq!(decoded.tie(), &tie);
            }

            #[test]
            fn other_filters_are_refused(
                params in any_params(),
                other in any_params(),
                tie in any_tie(),
            ) {
                let token = StartingToken::new(&params, tie);
                let same = fingerprint(&params) == fingerprint(&other)
                    && params.created_at_on_or_after == other.created_at_on_or_after;
                let given = other.created_at_on_or_after.map(|at| Instant { at, relative: false });
                let mut target = other.clone();
                prop_assert_eq!(token.resume(&mut target, given, None).is_ok(), same);
            }

            #[test]
            fn any_text_is_decoded_or_refused_without_panic(text in ".*") {
                let _ = StartingToken::decode(&text);
            }
        }
    }
}

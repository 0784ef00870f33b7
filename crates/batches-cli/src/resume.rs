//! `--starting-token`: where a listing stopped, precise to the batch.
//!
//! A server page token only marks the start of a page, while a listing can stop in the
//! middle of one (`--max-items`, an error, Ctrl-C). The starting token adds how many
//! items of that page were printed and the id of the last one, so a resumed listing
//! continues right after it, also when batches were created in between. It also pins the
//! listing it belongs to: the filters, and dates given as ages (`7d`) resolved as in the
//! first run.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use batches_client::{ListBatchesParams, ListDirectoriesParams};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::values::Instant;

/// A listing's date bounds: on or after, on or before.
pub type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The query parameters of a listing that a starting token can resume.
pub trait Resumable {
    /// What a token pins exactly: the resource and every filter but the date bounds (ages
    /// resolve differently on each run) and the page (the page size may change).
    fn filters(&self) -> String;
    /// The date bounds, which a token pins on their own.
    fn bounds(&self) -> Bounds;
    /// Sets the bounds and the page of a resumed listing.
    fn resume_at(&mut self, bounds: Bounds, page_token: Option<String>);
}

impl Resumable for ListBatchesParams {
    /// The query of the filters alone: the text tokens printed by earlier versions were
    /// made from, so they keep resuming.
    fn filters(&self) -> String {
        ListBatchesParams {
            created_at_on_or_after: None,
            created_at_on_or_before: None,
            page_size: None,
            page_token: None,
            ..self.clone()
        }
        .to_query_string()
    }

    fn bounds(&self) -> Bounds {
        (self.created_at_on_or_after, self.created_at_on_or_before)
    }

    fn resume_at(&mut self, (after, before): Bounds, page_token: Option<String>) {
        self.created_at_on_or_after = after;
        self.created_at_on_or_before = before;
        self.page_token = page_token;
    }
}

impl Resumable for ListDirectoriesParams {
    fn filters(&self) -> String {
        let filters = ListDirectoriesParams {
            page_size: None,
            page_token: None,
            ..self.clone()
        };
        format!("directories|{}", filters.to_query_string())
    }

    fn bounds(&self) -> Bounds {
        (None, None)
    }

    fn resume_at(&mut self, _: Bounds, page_token: Option<String>) {
        self.page_token = page_token;
    }
}

/// A position in a listing.
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
    /// Fingerprint of the filters other than the dates.
    #[serde(rename = "f")]
    filters: String,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    created_at_on_or_after: Option<DateTime<Utc>>,
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    created_at_on_or_before: Option<DateTime<Utc>>,
}

impl StartingToken {
    /// The position after `printed` items of the page requested with `page_token`.
    pub fn new(
        params: &impl Resumable,
        page_token: Option<String>,
        printed: u64,
        last_id: Option<String>,
    ) -> StartingToken {
        let (after, before) = params.bounds();
        StartingToken {
            page_token,
            printed,
            last_id,
            filters: fingerprint(params),
            created_at_on_or_after: after,
            created_at_on_or_before: before,
        }
    }

    /// The text printed for the user.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a token encodes"))
    }

    /// Reads a token printed by [`encode`](Self::encode).
    pub fn decode(text: &str) -> Result<StartingToken, Failure> {
        URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| Failure::Usage {
                message: format!("`{text}` is not a starting token"),
                hint: Some(
                    "pass the token a stopped listing printed; for a server page token use \
                     --page-token"
                        .to_owned(),
                ),
            })
    }

    /// Checks that the token belongs to a listing with these filters and sets `params`
    /// up to resume it: the dates of the first run and the page token.
    pub fn resume(
        &self,
        params: &mut impl Resumable,
        after: Option<Instant>,
        before: Option<Instant>,
    ) -> Result<(), Failure> {
        let same_date =
            |given: Option<Instant>, pinned: Option<DateTime<Utc>>| match (given, pinned) {
                (None, None) => true,
                (Some(given), Some(pinned)) => given.relative || given.at == pinned,
                _ => false,
            };
        if fingerprint(params) != self.filters
            || !same_date(after, self.created_at_on_or_after)
            || !same_date(before, self.created_at_on_or_before)
        {
            return Err(Failure::Usage {
                message: "the starting token belongs to a listing with other filters".to_owned(),
                hint: Some("repeat the filters of the listing that printed the token".to_owned()),
            });
        }
        params.resume_at(
            (self.created_at_on_or_after, self.created_at_on_or_before),
            self.page_token.clone(),
        );
        Ok(())
    }
}

/// The fingerprint of the filters a starting token must match (see
/// [`Resumable::filters`]).
fn fingerprint(params: &impl Resumable) -> String {
    format!("{:016x}", batches_types::fingerprint(params.filters()))
}

#[cfg(test)]
mod tests {
    use batches_client::BatchStatus;

    use super::*;

    fn params() -> ListBatchesParams {
        ListBatchesParams {
            status: Some(BatchStatus::Running),
            page_size: Some(10),
            created_at_on_or_after: Some("2026-11-01T00:00:00Z".parse().unwrap()),
            ..Default::default()
        }
    }

    #[test]
    fn round_trips() {
        let token = StartingToken::new(&params(), Some("abc".into()), 3, Some("bat-3".into()));
        let text = token.encode();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(StartingToken::decode(&text).unwrap(), token);
        assert!(StartingToken::decode("nonsense!").is_err());
    }

    /// Tokens printed by earlier versions keep resuming: the filters' fingerprint is fixed.
    #[test]
    fn the_filters_fingerprint_is_pinned() {
        let token = StartingToken::new(&params(), None, 0, None);
        assert_eq!(token.filters, "3a4a8a81754feea5");
    }

    #[test]
    fn resumes_only_the_same_listing() {
        let token = StartingToken::new(&params(), Some("abc".into()), 3, None);
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
            ..params()
        };
        token.resume(&mut resumed, Some(age), None).unwrap();
        assert_eq!(resumed.created_at_on_or_after, Some(pinned));
        assert_eq!(resumed.page_token.as_deref(), Some("abc"));
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

    mod properties {
        use chrono::TimeZone;
        use proptest::prelude::*;

        use super::*;

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

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_token_round_trips_and_resumes_its_own_listing(
                params in any_params(),
                page_token in proptest::option::of(".*"),
                printed in any::<u64>(),
                last_id in proptest::option::of(".*"),
            ) {
                let token = StartingToken::new(&params, page_token.clone(), printed, last_id);
                let text = token.encode();
                let decoded = StartingToken::decode(&text).unwrap();
                prop_assert_eq!(&decoded, &token);
                let given = |at: Option<DateTime<Utc>>| at.map(|at| Instant { at, relative: false });
                let mut resumed = ListBatchesParams { page_token: None, ..params.clone() };
                decoded
                    .resume(&mut resumed, given(params.created_at_on_or_after), None)
                    .unwrap();
                prop_assert_eq!(resumed.page_token, page_token);
            }

            #[test]
            fn other_filters_are_refused(params in any_params(), other in any_params()) {
                let token = StartingToken::new(&params, None, 0, None);
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

#[cfg(test)]
mod listing_tests {
    use batches_client::ListDirectoriesParams;

    use super::*;

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

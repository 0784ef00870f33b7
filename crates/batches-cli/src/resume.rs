//! `--starting-token`: where a listing stopped, precise to the batch.
//!
//! A listing is ordered newest first, so the position right after a batch is its creation
//! time, with the number of batches printed that were created at that very instant (the
//! last one included). A resumed listing asks for the batches created at or before that
//! time, and passes over that many, checking that the last of them is the batch printed
//! last. This works whatever walked the listing, page by page or in parallel windows, and
//! however many batches were created in between (they are newer). The token also pins the
//! listing it belongs to: the filters, and dates given as ages (`7d`) resolved as in the
//! first run.
//!
//! Tokens of earlier versions named a server page token instead; they are refused with a
//! message saying so (a starting token is meant to be used right after it is printed).

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use batches_client::{ListBatchesParams, RawValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::values::Instant;

/// A position in a listing: right after the batch printed last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartingToken {
    /// The batches printed last that share one creation time.
    #[serde(flatten)]
    run: Run,
    /// Fingerprint of the filters other than the dates.
    #[serde(rename = "f")]
    filters: String,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    created_at_on_or_after: Option<DateTime<Utc>>,
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    created_at_on_or_before: Option<DateTime<Utc>>,
}

/// The batches at the end of what was printed that were created at the same instant as
/// the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
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
    /// The position after `run` in the listing `params` (with its dates as resolved).
    pub fn new(params: &ListBatchesParams, run: Run) -> StartingToken {
        StartingToken {
            run,
            filters: fingerprint(params),
            created_at_on_or_after: params.created_at_on_or_after,
            created_at_on_or_before: params.created_at_on_or_before,
        }
    }

    /// The text printed for the user.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a token encodes"))
    }

    /// Reads a token printed by [`encode`](Self::encode).
    pub fn decode(text: &str) -> Result<StartingToken, Failure> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).unwrap_or_default();
        if let Ok(token) = serde_json::from_slice(&bytes) {
            return Ok(token);
        }
        if serde_json::from_slice::<EarlierToken>(&bytes).is_ok() {
            return Err(Failure::Usage {
                message: "this starting token was printed by an earlier version of llamacloud, \
                          whose tokens this version cannot resume"
                    .to_owned(),
                hint: Some("list again without --starting-token".to_owned()),
            });
        }
        Err(Failure::Usage {
            message: format!("`{text}` is not a starting token"),
            hint: Some(
                "pass the token a stopped `llamacloud batches list` printed; for a server page \
                 token use --page-token"
                    .to_owned(),
            ),
        })
    }

    /// The batches the resumed listing starts with that were printed already: passed
    /// over, not printed again.
    pub fn run(&self) -> &Run {
        &self.run
    }

    /// Checks that the token belongs to a listing with these filters and pins the dates of
    /// the first run in `params`; returns the query of the resumed listing: the batches
    /// created at or before the last one printed.
    pub fn resume(
        &self,
        params: &mut ListBatchesParams,
        after: Option<Instant>,
        before: Option<Instant>,
    ) -> Result<ListBatchesParams, Failure> {
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
        params.created_at_on_or_after = self.created_at_on_or_after;
        params.created_at_on_or_before = self.created_at_on_or_before;
        Ok(ListBatchesParams {
            created_at_on_or_before: Some(self.run.created_at),
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

impl Run {
    /// The run at the end of `items`, continuing `before` (the run at the end of what
    /// came before them) when all of them share its creation time. `None` when the last
    /// batch has no creation time or id: no position can be named after it.
    pub fn after(items: &[Box<RawValue>], before: Option<&Run>) -> Option<Run> {
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
            .filter(|run| same == items.len() as u64 && run.created_at == created_at)
            .map_or(0, |run| run.count);
        Some(Run {
            created_at,
            last_id: last_id.into_owned(),
            count: same + earlier,
        })
    }

    /// Checks that `item`, the `index`-th batch (from 0) of the resumed listing and one
    /// of those printed already, is where the token says.
    pub fn check(&self, index: u64, item: &RawValue) -> Result<(), Failure> {
        let fits = key(item).is_some_and(|(at, id)| {
            at == self.created_at && (index + 1 < self.count || id == self.last_id)
        });
        if fits {
            return Ok(());
        }
        Err(Failure::Usage {
            message: format!(
                "the starting token no longer matches the listing: batch {} is not where it was",
                self.last_id
            ),
            hint: Some("list again without --starting-token".to_owned()),
        })
    }
}

/// The fingerprint of the query of the filters that a starting token must match: the dates
/// are compared on their own (ages resolve differently on each run), and the page size may
/// change.
fn fingerprint(params: &ListBatchesParams) -> String {
    let filters = ListBatchesParams {
        created_at_on_or_after: None,
        created_at_on_or_before: None,
        page_size: None,
        page_token: None,
        ..params.clone()
    };
    format!(
        "{:016x}",
        batches_types::fingerprint(filters.to_query_string())
    )
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

    fn run(count: u64) -> Run {
        Run {
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
        let token = StartingToken::new(&params(), run(2));
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
        let earlier = URL_SAFE_NO_PAD.encode(r#"{"t":"abc","n":3,"l":"bat-3","f":"x"}"#);
        let Failure::Usage { message, hint } = StartingToken::decode(&earlier).unwrap_err() else {
            panic!("a usage failure");
        };
        assert!(message.contains("earlier version"), "{message}");
        assert_eq!(hint.as_deref(), Some("list again without --starting-token"));
    }

    /// Tokens keep resuming across versions: the filters' fingerprint is fixed.
    #[test]
    fn the_filters_fingerprint_is_pinned() {
        let token = StartingToken::new(&params(), run(1));
        assert_eq!(token.filters, "3a4a8a81754feea5");
    }

    #[test]
    fn resumes_only_the_same_listing_and_from_the_last_batch_printed() {
        let token = StartingToken::new(&params(), run(1));
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
        assert_eq!(query.created_at_on_or_before, Some(run(1).created_at));
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
    fn a_run_counts_the_last_batches_created_at_one_instant() {
        let t = "2026-11-20T10:00:00.5Z";
        let items = [
            item("bat-9", "2026-11-20T11:00:00Z"),
            item("bat-2", t),
            item("bat-3", "2026-11-20T10:00:00.500+00:00"),
        ];
        assert_eq!(Run::after(&items, None), Some(run(2)));
        assert_eq!(Run::after(&items[..1], None).unwrap().count, 1);
        // A chunk all at the instant of the run before it continues that run.
        let more = [item("bat-4", t), item("bat-3", t)];
        assert_eq!(Run::after(&more, Some(&run(2))), Some(run(4)));
        assert_eq!(Run::after(&more, Some(&run(2))).unwrap().last_id, "bat-3");
        let earlier = Run {
            created_at: "2026-11-20T11:00:00Z".parse().unwrap(),
            ..run(5)
        };
        assert_eq!(Run::after(&more, Some(&earlier)), Some(run(2)));
        assert_eq!(Run::after(&[], Some(&run(3))), Some(run(3)));
        let untimed = [RawValue::from_string(r#"{"id":"bat-1"}"#.into()).unwrap()];
        assert_eq!(Run::after(&untimed, None), None);
    }

    #[test]
    fn the_batches_passed_over_must_be_where_the_token_says() {
        let t = "2026-11-20T10:00:00.5Z";
        let run = run(2);
        run.check(0, &item("bat-1", t)).unwrap();
        run.check(1, &item("bat-3", t)).unwrap();
        assert!(run.check(1, &item("bat-4", t)).is_err());
        assert!(
            run.check(0, &item("bat-1", "2026-11-20T10:00:00Z"))
                .is_err()
        );
    }
}

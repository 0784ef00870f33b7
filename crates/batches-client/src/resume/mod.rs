//! Starting tokens: where a listing stopped, precise to the item, for front-ends that let
//! a listing be resumed (the CLI's `--starting-token`, the Python iterator's
//! `starting_token`).
//!
//! A server page token only marks the start of a page, while a listing can stop in the
//! middle of one (a limit, an error, Ctrl-C). A starting token names the position right
//! after the item handed out last, and pins the listing it belongs to: the resource, the
//! filters, and dates given as ages (`7d`) resolved as when the token was made.
//!
//! Two kinds, after what the listing can be asked for:
//! - batches ([`batches`]): the listing is ordered newest first and filters on creation
//!   time, so the position is a creation time and the batches printed at that very
//!   instant; it holds whatever walked the listing, page by page or in parallel windows;
//! - directories and a directory's files ([`pages`]): the position is a server page token
//!   and the items of that page printed already, with the id of the last one.

pub mod batches;
pub mod pages;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt;

use batches_types::{DateTime, ListBatchesParams, ListDirectoriesParams, Utc};
use serde::{Deserialize, Serialize};

/// A date bound as the user gave it: an absolute instant, or an age resolved against the
/// current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    /// The resolved instant.
    pub at: DateTime<Utc>,
    /// Whether it was given as an age (`7d`), which resolves differently each time it is read.
    pub relative: bool,
}

/// Why a starting token cannot resume a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// The text is no starting token.
    NotAToken(String),
    /// A token of an earlier version, or of a listing of another resource.
    EarlierVersion,
    /// The listing has other filters than the one that made the token.
    OtherFilters,
    /// The batch handed out last is not where the token says any more.
    Moved {
        /// Its id.
        last_id: String,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::NotAToken(text) => write!(f, "`{text}` is not a starting token"),
            TokenError::EarlierVersion => f.write_str(
                "this starting token was printed by an earlier version of llamacloud, or by a \
                 listing of another resource, and cannot resume a batch listing",
            ),
            TokenError::OtherFilters => {
                f.write_str("the starting token belongs to a listing with other filters")
            }
            TokenError::Moved { last_id } => write!(
                f,
                "the starting token no longer matches the listing: batch {last_id} is not where \
                 it was"
            ),
        }
    }
}

impl std::error::Error for TokenError {}

/// A listing's date bounds: on or after, on or before.
pub type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The query parameters of a listing that a starting token can resume.
pub trait Resumable {
    /// What a token pins exactly: the resource and every filter but the date bounds (ages
    /// resolve differently each time they are read) and the page (the page size may change).
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

/// What a token pins of the listing it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pinned {
    /// Fingerprint of the filters other than the dates.
    #[serde(rename = "f")]
    filters: String,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    created_at_on_or_after: Option<DateTime<Utc>>,
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    created_at_on_or_before: Option<DateTime<Utc>>,
}

impl Pinned {
    /// The listing `params` describes, its dates as resolved.
    fn of(params: &impl Resumable) -> Pinned {
        let (after, before) = params.bounds();
        Pinned {
            filters: fingerprint(params),
            created_at_on_or_after: after,
            created_at_on_or_before: before,
        }
    }

    /// The pinned dates.
    fn bounds(&self) -> Bounds {
        (self.created_at_on_or_after, self.created_at_on_or_before)
    }

    /// Checks that `params`, with the dates as given now, describe the pinned
    /// listing: the same filters, and each date either the same instant or an age (which
    /// the pinned instant replaces).
    fn check(
        &self,
        params: &impl Resumable,
        after: Option<Instant>,
        before: Option<Instant>,
    ) -> Result<(), TokenError> {
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
            return Err(TokenError::OtherFilters);
        }
        Ok(())
    }
}

/// The text of a token printed for the user: URL-safe base64 of its JSON.
fn encode(token: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(token).expect("a token encodes"))
}

/// The JSON bytes of a token's text (empty when it is not base64).
fn decode(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text.trim()).unwrap_or_default()
}

/// The error for text that is no starting token.
fn not_a_token(text: &str) -> TokenError {
    TokenError::NotAToken(text.to_owned())
}

/// The fingerprint of the filters a starting token must match (see
/// [`Resumable::filters`]).
fn fingerprint(params: &impl Resumable) -> String {
    format!("{:016x}", batches_types::fingerprint(params.filters()))
}

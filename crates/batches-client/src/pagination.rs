//! Pages of a listing and the stream that walks them: [`Page`], [`Pages`].
//!
//! The walk knows nothing of what is listed: it is given a function that fetches the page
//! a token names, and applies the stop rules.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, Stream, StreamExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use crate::background::Background;
use crate::error::Error;
use crate::operation::LIST_BATCHES;
use crate::response::Exchange;

/// One page of a listing, with what is needed to print it exactly as sent.
///
/// `T` is the listed model ([`Batch`](crate::Batch), [`Directory`](batches_types::Directory),
/// [`DirectoryFile`](batches_types::DirectoryFile)) for decoded pages, or `Box<`[`RawValue`](serde_json::value::RawValue)`>`
/// for pages whose items are kept as the JSON text the server sent, never parsed into
/// values.
///
/// ```no_run
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let page = client.batches().list(&Default::default()).await?;
/// println!("HTTP {} (request id {:?}), {} batches", page.http_status, page.request_id, page.items.len());
/// if let Some(token) = page.next_token() {
///     println!("more after {token}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The token of the next page as sent (absent, `null` and `""` all end the listing;
    /// see [`next_token`](Self::next_token)).
    pub next_page_token: Option<String>,
    /// The server's estimate of the total count, for display only (often 0 or absent).
    pub total_size: Option<i64>,
    /// The token this page was requested with (`None` for the first page).
    pub page_token: Option<String>,
    /// The HTTP status (2xx).
    pub http_status: u16,
    /// The `x-request-id` response header.
    pub request_id: Option<String>,
    /// The exact response body, unknown fields included.
    pub raw: Bytes,
}

/// The fields of a list response the client reads; everything else stays in `raw`.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Envelope<T> {
    items: Vec<T>,
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    total_size: Option<i64>,
}

impl<T> Page<T> {
    /// The token to request the next page with, or `None` when this is the last page
    /// (the token is absent, `null` or empty).
    pub fn next_token(&self) -> Option<&str> {
        self.next_page_token
            .as_deref()
            .filter(|token| !token.is_empty())
    }
}

impl<T: DeserializeOwned> Page<T> {
    /// Decodes a list response body (`{"items": [...], "next_page_token": ..., ...}`),
    /// keeping `raw` as given. `http_status` is 200; `page_token` and `request_id` are unset
    /// (the client fills them from the exchange).
    ///
    /// ```
    /// use batches_client::{Page, RawValue};
    ///
    /// let body = br#"{"items":[{"id":"bat-1","anything":[1,2]}],"next_page_token":""}"#;
    /// let page = Page::<Box<RawValue>>::decode(body.to_vec().into())?;
    /// assert_eq!(page.items[0].get(), r#"{"id":"bat-1","anything":[1,2]}"#);
    /// assert_eq!(page.next_token(), None);
    /// # Ok::<(), batches_client::Error>(())
    /// ```
    pub fn decode(raw: Bytes) -> Result<Page<T>, Error> {
        let exchange = Exchange {
            status: 200,
            request_id: None,
            body: raw,
        };
        Page::from_exchange(exchange, LIST_BATCHES, None)
    }

    /// Decodes the response to `operation`, a request for the page `page_token` names.
    pub(crate) fn from_exchange(
        exchange: Exchange,
        operation: &'static str,
        page_token: Option<String>,
    ) -> Result<Page<T>, Error> {
        match serde_json::from_slice::<Envelope<T>>(&exchange.body) {
            Ok(envelope) => Ok(Page {
                items: envelope.items,
                next_page_token: envelope.next_page_token,
                total_size: envelope.total_size,
                page_token,
                http_status: exchange.status,
                request_id: exchange.request_id,
                raw: exchange.body,
            }),
            Err(error) => Err(Error::decode(
                operation,
                exchange.status,
                exchange.request_id,
                &error,
                &exchange.body,
            )),
        }
    }
}

/// Fetches the page a token names (`None`: the first page).
type FetchPage<T> =
    Box<dyn FnMut(Option<String>) -> BoxFuture<'static, Result<Page<T>, Error>> + Send>;

/// A lazy stream of the pages of a listing.
///
/// - Every request repeats every filter of the first, with `page_token` replaced.
/// - The listing ends at a page whose `next_page_token` is absent, `null` or empty. An
///   empty page that carries a token does not end it (the official clients stop there
///   and can lose batches).
/// - A token seen before ends the stream with [`Error::PaginationLoop`].
/// - An error ends the stream after being yielded.
/// - Page k+1 is fetched while the caller still holds page k, and never further ahead:
///   memory stays at two pages, however long the listing.
///
/// Nothing is requested until the stream is first polled, from inside a Tokio runtime;
/// the fetching runs as a task that is cancelled when the stream is dropped.
///
/// ```no_run
/// use futures_util::TryStreamExt;
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// // Print every page exactly as the server sent it, at most 10,000 batches.
/// let mut pages = client.batches().raw_pages(Default::default()).max_items(10_000);
/// while let Some(page) = pages.try_next().await? {
///     println!("{}", String::from_utf8_lossy(&page.raw));
/// }
/// # Ok(()) }
/// ```
pub struct Pages<T> {
    walk: Background<Page<T>>,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("state", &self.walk.state_name())
            .finish()
    }
}

impl<T: Send + 'static> Pages<T> {
    /// A walk of the listing `operation` (`list batches`) that starts at the page
    /// `first_token` names and fetches each page with `fetch`.
    pub(crate) fn new<F, Fut>(
        operation: &'static str,
        first_token: Option<String>,
        mut fetch: F,
    ) -> Self
    where
        F: FnMut(Option<String>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        let fetch: FetchPage<T> = Box::new(move |token| fetch(token).boxed());
        Pages {
            walk: Background::new(move |max_items, sender| {
                walk(operation, first_token, fetch, max_items, sender)
            }),
        }
    }

    /// A walk that yields `error` and ends, for a listing that cannot be requested.
    pub(crate) fn failed(operation: &'static str, error: Error) -> Self {
        let mut error = Some(error);
        Pages::new(operation, None, move |_| {
            std::future::ready(Err(error.take().expect("a walk stops at its first error")))
        })
    }

    /// Stops requesting pages once the pages yielded hold at least `max_items` items.
    /// Pages are never cut (their `raw` stays exact); [`Items::max_items`](crate::Items::max_items)
    /// yields an exact count. Has an effect only before the stream is first polled.
    pub fn max_items(mut self, max_items: u64) -> Self {
        self.limit(max_items);
        self
    }

    /// See [`Background::limit`].
    pub(crate) fn limit(&mut self, max_items: u64) -> bool {
        self.walk.limit(max_items)
    }
}

impl<T: Send + 'static> Stream for Pages<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Capacity 1 plus reserving a slot before each fetch (in `walk`) is what bounds the
        // lookahead to one page: the next fetch starts only once the caller has taken the
        // previous page out of the channel.
        self.walk.poll_next_unpin(cx)
    }
}

/// Fetches page after page into `sender` until a stop rule applies.
async fn walk<T>(
    operation: &'static str,
    mut token: Option<String>,
    mut fetch: FetchPage<T>,
    max_items: Option<u64>,
    sender: mpsc::Sender<Result<Page<T>, Error>>,
) {
    let mut seen: HashSet<String> = token.iter().cloned().collect();
    let mut yielded: u64 = 0;
    loop {
        let Ok(slot) = sender.reserve().await else {
            return;
        };
        let page = match fetch(token.clone()).await {
            Ok(page) => page,
            Err(error) => {
                slot.send(Err(error));
                return;
            }
        };
        yielded += page.items.len() as u64;
        let next = page.next_token().map(str::to_owned);
        slot.send(Ok(page));
        let Some(next) = next else {
            return;
        };
        if max_items.is_some_and(|max| yielded >= max) {
            return;
        }
        if !seen.insert(next.clone()) {
            if let Ok(slot) = sender.reserve().await {
                slot.send(Err(Error::PaginationLoop {
                    operation,
                    token: next,
                }));
            }
            return;
        }
        token = Some(next);
    }
}

//! The batches of a listing one at a time ([`Items`]) or in the groups they arrive in
//! ([`Chunks`]), from either walk: page by page ([`Pages`]) or in parallel.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use batches_types::Batch;
use futures_util::{Stream, StreamExt};

use crate::error::Error;
use crate::pagination::Pages;
use crate::parallel::Parallel;

/// Where the batches come from.
enum Source<T> {
    Pages(Pages<T>),
    Parallel(Parallel<T>),
}

/// The batches of a listing in the groups they arrived in, in listing order: one group
/// per page, or, for a parallel listing, per part of a page that lies in its window. The
/// first group is always the listing's first page that holds batches. No group is empty.
///
/// For front-ends that write out what they have whenever a group arrives; made by
/// [`Items::chunks`].
///
/// ```no_run
/// use futures_util::TryStreamExt;
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let mut chunks = client.batches().raw_stream_parallel(Default::default(), 8).chunks();
/// while let Some(chunk) = chunks.try_next().await? {
///     for item in &chunk {
///         println!("{}", item.get());
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Chunks<T> {
    source: Source<T>,
    /// Taken from an [`Items`] before the rest: what it had not yielded yet.
    leftover: Vec<T>,
    remaining: Option<u64>,
}

impl<T> std::fmt::Debug for Chunks<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (walk, state) = match &self.source {
            Source::Pages(pages) => ("pages", format!("{pages:?}")),
            Source::Parallel(parallel) => ("parallel", parallel.state_name().to_owned()),
        };
        f.debug_struct("Chunks")
            .field("walk", &walk)
            .field("state", &state)
            .field("remaining", &self.remaining)
            .finish()
    }
}

impl<T: Send + 'static> Chunks<T> {
    fn new(source: Source<T>) -> Self {
        Chunks {
            source,
            leftover: Vec::new(),
            remaining: None,
        }
    }

    /// Yields at most `max_items` batches in all (the last group cut to fit) and stops
    /// requesting pages once they are here. Has an effect only before the stream is
    /// first polled.
    pub fn max_items(mut self, max_items: u64) -> Self {
        let unstarted = match &mut self.source {
            Source::Pages(pages) => pages.limit(max_items),
            Source::Parallel(parallel) => parallel.limit(max_items),
        };
        if unstarted {
            self.remaining = Some(max_items);
        }
        self
    }
}

impl<T: Send + Unpin + 'static> Stream for Chunks<T> {
    type Item = Result<Vec<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.remaining == Some(0) {
                return Poll::Ready(None);
            }
            let next = if this.leftover.is_empty() {
                match &mut this.source {
                    Source::Pages(pages) => {
                        ready!(pages.poll_next_unpin(cx)).map(|page| page.map(|page| page.items))
                    }
                    Source::Parallel(parallel) => ready!(parallel.poll_next_unpin(cx)),
                }
            } else {
                Some(Ok(std::mem::take(&mut this.leftover)))
            };
            match next {
                Some(Ok(chunk)) if chunk.is_empty() => continue,
                Some(Ok(mut chunk)) => {
                    if let Some(remaining) = &mut this.remaining {
                        chunk.truncate(usize::try_from(*remaining).unwrap_or(usize::MAX));
                        *remaining -= chunk.len() as u64;
                    }
                    return Poll::Ready(Some(Ok(chunk)));
                }
                other => return Poll::Ready(other),
            }
        }
    }
}

/// A lazy stream of every item of a listing (the batches, by default), one at a time, in
/// listing order; made by [`Batches::stream`](crate::Batches::stream) (page by page, with
/// the stop rules and lookahead of [`Pages`]) and
/// [`Batches::stream_parallel`](crate::Batches::stream_parallel).
///
/// ```no_run
/// use batches_client::{BatchStatus, ListBatchesParams};
/// use futures_util::TryStreamExt;
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let failed = ListBatchesParams { status: Some(BatchStatus::Failed), ..Default::default() };
/// let ids: Vec<String> = client
///     .batches()
///     .stream(failed)
///     .max_items(100)
///     .map_ok(|batch| batch.id)
///     .try_collect()
///     .await?;
/// # drop(ids); Ok(()) }
/// ```
pub struct Items<T = Batch> {
    chunks: Chunks<T>,
    current: std::vec::IntoIter<T>,
}

impl<T> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("chunks", &self.chunks)
            .field("buffered", &self.current.len())
            .finish()
    }
}

impl<T: Send + 'static> Items<T> {
    /// The items of `pages`.
    pub(crate) fn pages(pages: Pages<T>) -> Self {
        Items::new(Source::Pages(pages))
    }

    /// The items of a parallel listing.
    pub(crate) fn parallel(parallel: Parallel<T>) -> Self {
        Items::new(Source::Parallel(parallel))
    }

    fn new(source: Source<T>) -> Self {
        Items {
            chunks: Chunks::new(source),
            current: Vec::new().into_iter(),
        }
    }

    /// Yields at most `max_items` items and requests no page beyond what they need (a
    /// parallel listing also finishes the requests already in flight). Has an effect only
    /// before the stream is first polled.
    pub fn max_items(mut self, max_items: u64) -> Self {
        self.chunks = self.chunks.max_items(max_items);
        self
    }

    /// The rest of the listing in the groups it arrives in (see [`Chunks`]); the items
    /// already taken from the current group are not repeated.
    pub fn chunks(self) -> Chunks<T> {
        let mut chunks = self.chunks;
        chunks.leftover = self.current.collect();
        chunks
    }
}

impl<T: Send + Unpin + 'static> Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(this.chunks.poll_next_unpin(cx)) {
                Some(Ok(chunk)) => this.current = chunk.into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

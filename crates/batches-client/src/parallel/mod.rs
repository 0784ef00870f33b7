//! Partitioned parallel listing: the creation-time range of a listing split into disjoint
//! windows, walked concurrently, and handed out in exactly the order of the sequential
//! listing.
//!
//! `plan` decides (which request next, what an answer changes, what can be handed out);
//! this module only makes the requests it asks for and passes the batches on. See
//! [`Batches::stream_parallel`](crate::Batches::stream_parallel) for what the caller is
//! promised.

mod discovery;
mod key;
mod plan;
mod time;
mod window;

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use batches_types::{ListBatchesParams, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, Stream, StreamExt};
use tokio::sync::mpsc;

pub(crate) use key::Listed;

use crate::background::Background;
use crate::error::Error;
use crate::pagination::Page;
use plan::Plan;

/// Lists the page a query names.
pub(crate) type ListPage<T> =
    Arc<dyn Fn(ListBatchesParams) -> BoxFuture<'static, Result<Page<T>, Error>> + Send + Sync>;

/// The batches of a parallel listing, in listing order, in the groups they came in: the
/// part of a page that lies in its window.
pub(crate) struct Parallel<T> {
    chunks: Background<Vec<T>>,
}

impl<T: Listed + Send + 'static> Parallel<T> {
    /// The listing `listing` with at most `requests` in flight, each page fetched by `list`.
    pub(crate) fn new(listing: ListBatchesParams, requests: usize, list: ListPage<T>) -> Self {
        Parallel {
            chunks: Background::new(move |max_items, sender| {
                drive(listing, requests, max_items, list, sender)
            }),
        }
    }
}

impl<T: Send + 'static> Parallel<T> {
    /// See [`Background::limit`].
    pub(crate) fn limit(&mut self, max_items: u64) -> bool {
        self.chunks.limit(max_items)
    }
}

impl<T> Parallel<T> {
    /// A name for the state, for `Debug` output.
    pub(crate) fn state_name(&self) -> &'static str {
        self.chunks.state_name()
    }
}

impl<T: Send + 'static> Stream for Parallel<T> {
    type Item = Result<Vec<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.poll_next_unpin(cx)
    }
}

/// Makes the requests the plan asks for, hands it the answers, and sends on what it can
/// hand out. On a failure, sends every batch that precedes it in listing order and is
/// already here, then the error.
async fn drive<T: Listed + Send + 'static>(
    listing: ListBatchesParams,
    requests: usize,
    max_items: Option<u64>,
    list: ListPage<T>,
    sender: mpsc::Sender<Result<Vec<T>, Error>>,
) {
    if requests < 2 {
        let _ = sender
            .send(Err(Error::InvalidRequest(format!(
                "a parallel listing needs at least 2 requests in flight; got {requests} (list \
                 one page at a time instead)"
            ))))
            .await;
        return;
    }
    let mut plan = Plan::new(listing, requests, max_items, Utc::now());
    let mut in_flight = FuturesUnordered::new();
    loop {
        while let Some((job, params)) = plan.next_request() {
            in_flight.push(list(params).map(move |result| (job, result)));
        }
        if plan.finished() {
            return;
        }
        let ready = plan.has_chunk();
        tokio::select! {
            // Handing out first keeps what is held ahead small.
            biased;
            permit = sender.reserve(), if ready => {
                let Ok(permit) = permit else {
                    return;
                };
                permit.send(Ok(plan.take_chunk().expect("a chunk is ready")));
            }
            Some((job, result)) = in_flight.next() => {
                if let Err(error) = result.and_then(|page| plan.receive(job, page)) {
                    while let Some(chunk) = plan.take_chunk() {
                        if sender.send(Ok(chunk)).await.is_err() {
                            return;
                        }
                    }
                    let _ = sender.send(Err(error)).await;
                    return;
                }
            }
            else => {
                let _ = sender
                    .send(Err(Error::Partition {
                        reason: "the listing has nothing left to wait for, yet is not over \
                                 (please report this)"
                            .to_owned(),
                    }))
                    .await;
                return;
            }
        }
    }
}

//! `BatchIterator`: the iterator `client.batches.list(...)` returns.
//!
//! It walks the listing with `batches-client` (every filter repeated on every page, past
//! empty pages that carry a token; page by page, or over parallel creation-time windows),
//! a few groups ahead of Python ([`AHEAD`]), and hands out each item as a [`Batch`] over
//! its JSON text. `starting_token` names the position right after the batch handed out last, in
//! the format of the command line's `--starting-token` (`batches_client::resume`).

use std::sync::Mutex;

use batches_client::resume::TokenError;
use batches_client::resume::batches::{StartingToken, Tie};
use batches_client::{Chunks, Error, ListBatchesParams, RawValue};
use futures_util::StreamExt;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use tokio::sync::mpsc;

use crate::errors;
use crate::model::Batch;
use crate::runtime::wait;

/// The most requests a parallel listing may have in flight, as on the command line.
const MAX_PARALLEL: usize = 64;

/// How many groups of batches (pages, or parts of pages) are fetched ahead of the one
/// handed out: enough that Python working through one group and the fetching of the next
/// overlap, also when one page comes slower than the others.
const AHEAD: usize = 4;

/// An iterator over the batches of a listing.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct BatchIterator {
    state: Mutex<Listing>,
}

/// How a listing was asked for, beyond its filters.
pub struct Walk {
    /// Hand out at most this many batches.
    pub max_items: Option<u64>,
    /// Requests in flight over creation-time windows; `None` walks page by page.
    pub parallel: Option<usize>,
    /// Where an earlier listing with the same filters stopped.
    pub starting_token: Option<String>,
}

/// Where the listing is.
struct Listing {
    /// The groups of batches still to come; `None` once the listing ended.
    chunks: Option<Ahead>,
    /// The group being handed out, and the index of its next batch.
    chunk: Vec<Box<RawValue>>,
    next: usize,
    /// The position after the groups before `chunk`.
    tie_before: Option<Tie>,
    /// The listing's filters, with the dates a resumed token pinned.
    params: ListBatchesParams,
    /// The token this listing resumes, and how many of its batches were passed over.
    resumed: Option<StartingToken>,
    passed: u64,
    /// How many more batches may be handed out (`max_items`).
    remaining: Option<u64>,
}

impl BatchIterator {
    /// The listing of `params`, walked as `walk` says.
    pub fn new(
        client: &batches_client::Client,
        mut params: ListBatchesParams,
        walk: Walk,
    ) -> PyResult<Self> {
        let resumed = walk
            .starting_token
            .as_deref()
            .map(|text| StartingToken::decode(text).map_err(token_error))
            .transpose()?;
        let query = match &resumed {
            Some(_) if params.page_token.is_some() => {
                return Err(PyValueError::new_err(
                    "give page_token or starting_token, not both",
                ));
            }
            Some(token) => {
                // Dates come in exactly as given: none is an age to stand for the pinned one.
                let given = |at: Option<_>| {
                    at.map(|at| batches_client::resume::Instant {
                        at,
                        relative: false,
                    })
                };
                let (after, before) = (
                    given(params.created_at_on_or_after),
                    given(params.created_at_on_or_before),
                );
                token
                    .resume(&mut params, after, before)
                    .map_err(token_error)?
            }
            None => params.clone(),
        };
        if let Some(requests) = walk.parallel
            && !(2..=MAX_PARALLEL).contains(&requests)
        {
            return Err(PyValueError::new_err(format!(
                "parallel must be from 2 to {MAX_PARALLEL} requests in flight, got {requests}; \
                     leave it unset to list page by page"
            )));
        }
        let batches = client.batches();
        let mut stream = match walk.parallel {
            Some(requests) => batches.raw_stream_parallel(query, requests),
            None => batches.raw_stream(query),
        };
        let skip = resumed.as_ref().map_or(0, |token| token.tie().count);
        if let Some(max) = walk.max_items {
            stream = stream.max_items(skip.saturating_add(max));
        }
        Ok(BatchIterator {
            state: Mutex::new(Listing {
                chunks: Some(Ahead::new(stream.chunks())),
                chunk: Vec::new(),
                next: 0,
                tie_before: None,
                params,
                resumed,
                passed: 0,
                remaining: walk.max_items,
            }),
        })
    }

    fn listing(&self) -> PyResult<std::sync::MutexGuard<'_, Listing>> {
        // Waiting for a page gives up the GIL, so a second thread blocking here on the lock
        // while holding the GIL would stall the first: refuse it instead.
        self.state
            .try_lock()
            .map_err(|_| PyRuntimeError::new_err("this listing is being read by another thread"))
    }
}

#[pymethods]
impl BatchIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Batch>> {
        let mut listing = self.listing()?;
        let listing = &mut *listing;
        loop {
            if listing.remaining == Some(0) {
                listing.chunks = None;
                return Ok(None);
            }
            if let Some(item) = listing.chunk.get(listing.next) {
                listing.next += 1;
                if let Some(token) = listing.resumed.as_ref()
                    && listing.passed < token.tie().count
                {
                    // Handed out by the listing that made the token: checked, passed over.
                    token
                        .tie()
                        .check(listing.passed, item)
                        .map_err(token_error)?;
                    listing.passed += 1;
                    continue;
                }
                listing.passed += 1;
                if let Some(remaining) = &mut listing.remaining {
                    *remaining -= 1;
                }
                return Ok(Some(Batch::from_raw(String::from(item.get()))));
            }
            let Some(chunks) = listing.chunks.as_mut() else {
                return Ok(None);
            };
            match wait(py, chunks.next())? {
                Some(Ok(chunk)) => {
                    listing.tie_before = Tie::after(&listing.chunk, listing.tie_before.as_ref());
                    listing.chunk = chunk;
                    listing.next = 0;
                }
                Some(Err(error)) => {
                    listing.chunks = None;
                    return Err(errors::to_py(py, error));
                }
                None => listing.chunks = None,
            }
        }
    }

    /// A token that resumes this listing right after the batch handed out last (pass it
    /// as `starting_token` with the same filters); `None` before the first batch.
    #[getter]
    fn starting_token(&self) -> PyResult<Option<String>> {
        let listing = self.listing()?;
        let tie = Tie::after(&listing.chunk[..listing.next], listing.tie_before.as_ref());
        Ok(match tie {
            Some(tie) => Some(StartingToken::new(&listing.params, tie).encode()),
            None => listing.resumed.as_ref().map(StartingToken::encode),
        })
    }
}

/// A starting token that cannot be used, as the `ValueError` it is.
fn token_error(error: TokenError) -> PyErr {
    PyValueError::new_err(error.to_string())
}

/// One group of batches as the client's stream yields it.
type Group = Result<Vec<Box<RawValue>>, Error>;

/// A listing's groups of batches, fetched by a task of their own up to [`AHEAD`] groups
/// ahead, from the first `next` on.
struct Ahead {
    /// The groups, before anything was requested.
    chunks: Option<Chunks<Box<RawValue>>>,
    /// Where the task sends them once started; it stops when the receiver goes.
    fetched: Option<(mpsc::Receiver<Group>, AbortOnDrop)>,
}

/// Stops the fetching task when the listing goes away.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Ahead {
    fn new(chunks: Chunks<Box<RawValue>>) -> Self {
        Ahead {
            chunks: Some(chunks),
            fetched: None,
        }
    }

    /// The next group; `None` at the end of the listing. Starts the task at the first call
    /// (inside the runtime).
    async fn next(&mut self) -> Option<Group> {
        if let Some(mut chunks) = self.chunks.take() {
            let (sender, receiver) = mpsc::channel(AHEAD);
            let task = tokio::spawn(async move {
                while let Some(chunk) = chunks.next().await {
                    let failed = chunk.is_err();
                    if sender.send(chunk).await.is_err() || failed {
                        break;
                    }
                }
            });
            self.fetched = Some((receiver, AbortOnDrop(task)));
        }
        let (receiver, _task) = self.fetched.as_mut()?;
        receiver.recv().await
    }
}

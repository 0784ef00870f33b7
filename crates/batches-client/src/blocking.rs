//! A blocking client with the same operations, for code without an async runtime (the C
//! ABI, scripts, tests).
//!
//! [`Client`] owns a small Tokio runtime (one worker thread) that runs the async client,
//! so the iterators keep their one page of lookahead while the caller works. Calling it
//! from inside an async runtime returns [`Error::BlockingInAsyncContext`] instead of
//! stalling or panicking.
//!
//! ```no_run
//! use batches_client::{ClientBuilder, ListBatchesParams, blocking};
//!
//! let client = blocking::Client::new(ClientBuilder::from_env())?;
//! for batch in client.batches().iter(ListBatchesParams::default()).max_items(1000) {
//!     let batch = batch?;
//!     println!("{} {}", batch.id, batch.status);
//! }
//! # Ok::<(), batches_client::Error>(())
//! ```

mod directories;
mod jobs;
mod webhook_configs;

use std::future::Future;
use std::sync::Arc;

use batches_types::{
    Batch, CancelBatchParams, CreateBatchRequest, GetBatchParams, ListBatchesParams,
};
use futures_util::StreamExt;
use serde_json::value::RawValue;

use crate::{ClientBuilder, CreateOptions, Error, Page, Response, WaitOptions};

pub use directories::{Directories, DirectoryFiles};
pub use jobs::{ExtractJobs, ParseJobs};
pub use webhook_configs::WebhookConfigs;

/// A blocking client of the Batches API. Cheap to clone; clones share the runtime and
/// the connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    client: crate::Client,
    runtime: Arc<Runtime>,
}

/// The owned runtime. Dropping the last client joins its threads, except inside another
/// runtime, where blocking is not allowed and the threads wind down on their own.
#[derive(Debug)]
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsyncContext);
        }
        Ok(self
            .0
            .as_ref()
            .expect("the runtime is only taken out on drop")
            .block_on(future))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                // Blocking is not allowed inside another runtime: let the threads wind down.
                runtime.shutdown_background();
            } else {
                // Wait for the worker and blocking threads, so nothing of the client runs
                // after its last handle is gone (a C host may unload the library next).
                runtime.shutdown_timeout(std::time::Duration::from_secs(10));
            }
        }
    }
}

impl Client {
    /// Builds the client from a builder (see [`ClientBuilder::build`] for the errors).
    ///
    /// ```
    /// use batches_client::{Client, blocking};
    ///
    /// let client = blocking::Client::new(Client::builder().api_key("llx-example"))?;
    /// # drop(client);
    /// # Ok::<(), batches_client::Error>(())
    /// ```
    pub fn new(builder: ClientBuilder) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("batches-client")
            .enable_all()
            .build()
            .map_err(|error| Error::Config(format!("could not start the runtime: {error}")))?;
        Ok(Client {
            client: builder.build()?,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Client, Error> {
        Client::new(ClientBuilder::from_env())
    }

    /// Runs the future `work` makes from the async client on this client's runtime,
    /// blocking the calling thread until it ends: how crates built on the async client
    /// (the run engine) offer blocking calls. Fails with
    /// [`Error::BlockingInAsyncContext`] inside an async runtime.
    pub fn block_on<F: Future>(
        &self,
        work: impl FnOnce(crate::Client) -> F,
    ) -> Result<F::Output, Error> {
        self.runtime.block_on(work(self.client.clone()))
    }

    /// The batch operations.
    pub fn batches(&self) -> Batches<'_> {
        Batches { client: self }
    }

    /// Runs an operation of the async client to its end.
    fn run<T>(&self, future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        self.runtime.block_on(future)?
    }

    /// A blocking iterator over `stream`'s pages.
    fn pages_of<T>(&self, stream: crate::Pages<T>) -> Pages<T> {
        Pages {
            stream,
            runtime: self.runtime.clone(),
            finished: false,
        }
    }

    /// A blocking iterator over `stream`'s items.
    fn items_of<T: Send + 'static>(&self, stream: crate::Items<T>) -> Iter<T> {
        Iter {
            chunks: stream.chunks(),
            current: Vec::new().into_iter(),
            runtime: self.runtime.clone(),
            finished: false,
        }
    }
}

/// The batch operations of the blocking [`Client`]; each mirrors the async
/// [`crate::Batches`] method of the same name.
#[derive(Debug, Clone, Copy)]
pub struct Batches<'a> {
    client: &'a Client,
}

impl Batches<'_> {
    fn run<T>(&self, future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        self.client.run(future)
    }

    /// Lists one page of batches.
    pub fn list(&self, params: &ListBatchesParams) -> Result<Page<Batch>, Error> {
        self.run(self.client.client.batches().list(params))
    }

    /// Lists one page, items undecoded.
    pub fn list_raw(&self, params: &ListBatchesParams) -> Result<Page<Box<RawValue>>, Error> {
        self.run(self.client.client.batches().list_raw(params))
    }

    /// Every page of the listing, with one page of lookahead.
    pub fn pages(&self, params: ListBatchesParams) -> Pages<Batch> {
        self.pages_of(self.client.client.batches().pages(params))
    }

    /// Every page of the listing, items undecoded.
    pub fn raw_pages(&self, params: ListBatchesParams) -> Pages<Box<RawValue>> {
        self.pages_of(self.client.client.batches().raw_pages(params))
    }

    fn pages_of<T>(&self, stream: crate::Pages<T>) -> Pages<T> {
        self.client.pages_of(stream)
    }

    /// Every batch of the listing, across pages.
    ///
    /// ```no_run
    /// # fn run(client: batches_client::blocking::Client) -> Result<(), batches_client::Error> {
    /// let ids: Vec<String> = client
    ///     .batches()
    ///     .iter(Default::default())
    ///     .map(|batch| batch.map(|batch| batch.id))
    ///     .collect::<Result<_, _>>()?;
    /// # drop(ids); Ok(()) }
    /// ```
    pub fn iter(&self, params: ListBatchesParams) -> Iter {
        self.client
            .items_of(self.client.client.batches().stream(params))
    }

    /// Every batch of the listing, items undecoded.
    pub fn raw_iter(&self, params: ListBatchesParams) -> Iter<Box<RawValue>> {
        self.client
            .items_of(self.client.client.batches().raw_stream(params))
    }

    /// Every batch of the listing, fetched by up to `requests` concurrent requests over
    /// creation-time windows, in the order of [`iter`](Self::iter) (see
    /// [`crate::Batches::stream_parallel`]).
    ///
    /// ```no_run
    /// # fn run(client: batches_client::blocking::Client) -> Result<(), batches_client::Error> {
    /// for batch in client.batches().iter_parallel(Default::default(), 8) {
    ///     println!("{}", batch?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn iter_parallel(&self, params: ListBatchesParams, requests: usize) -> Iter {
        self.client.items_of(
            self.client
                .client
                .batches()
                .stream_parallel(params, requests),
        )
    }

    /// [`iter_parallel`](Self::iter_parallel) with the items undecoded.
    pub fn raw_iter_parallel(
        &self,
        params: ListBatchesParams,
        requests: usize,
    ) -> Iter<Box<RawValue>> {
        self.client.items_of(
            self.client
                .client
                .batches()
                .raw_stream_parallel(params, requests),
        )
    }

    /// Gets one batch.
    pub fn get(&self, batch_id: &str, params: &GetBatchParams) -> Result<Response<Batch>, Error> {
        self.run(self.client.client.batches().get(batch_id, params))
    }

    /// Creates a batch (same retry rules as the async client).
    pub fn create(
        &self,
        request: &CreateBatchRequest,
        options: &CreateOptions,
    ) -> Result<Response<Batch>, Error> {
        self.run(self.client.client.batches().create(request, options))
    }

    /// Asks the server to cancel a batch.
    pub fn cancel(
        &self,
        batch_id: &str,
        params: &CancelBatchParams,
    ) -> Result<Response<Batch>, Error> {
        self.run(self.client.client.batches().cancel(batch_id, params))
    }

    /// Polls a batch until its status is terminal; the last poll's response.
    pub fn wait(&self, batch_id: &str, options: WaitOptions) -> Result<Response<Batch>, Error> {
        self.run(self.client.client.batches().wait(batch_id, options))
    }
}

/// A blocking iterator over the pages of a listing ([`crate::Pages`]). Ends after the
/// first error.
#[derive(Debug)]
pub struct Pages<T> {
    stream: crate::Pages<T>,
    runtime: Arc<Runtime>,
    finished: bool,
}

impl<T: Send + 'static> Pages<T> {
    /// See [`crate::Pages::max_items`].
    pub fn max_items(mut self, max_items: u64) -> Self {
        self.stream = self.stream.max_items(max_items);
        self
    }
}

impl<T: Send + 'static> Iterator for Pages<T> {
    type Item = Result<Page<T>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        next_blocking(&self.runtime, &mut self.stream, &mut self.finished)
    }
}

/// A blocking iterator over every item of a listing ([`crate::Items`]; batches unless
/// said otherwise). Ends after the first error.
///
/// It waits on the runtime once per page (per [`crate::Chunks`] group), not once per
/// item: the items of a page are handed out from memory.
#[derive(Debug)]
pub struct Iter<T = Batch> {
    chunks: crate::Chunks<T>,
    current: std::vec::IntoIter<T>,
    runtime: Arc<Runtime>,
    finished: bool,
}

impl<T: Send + 'static> Iter<T> {
    /// See [`crate::Items::max_items`].
    pub fn max_items(mut self, max_items: u64) -> Self {
        self.chunks = self.chunks.max_items(max_items);
        self
    }
}

impl<T: Send + Unpin + 'static> Iterator for Iter<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            match next_blocking(&self.runtime, &mut self.chunks, &mut self.finished)? {
                Ok(chunk) => self.current = chunk.into_iter(),
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

fn next_blocking<S, T>(
    runtime: &Runtime,
    stream: &mut S,
    finished: &mut bool,
) -> Option<Result<T, Error>>
where
    S: futures_util::Stream<Item = Result<T, Error>> + Unpin,
{
    if *finished {
        return None;
    }
    let next = runtime
        .block_on(stream.next())
        .unwrap_or_else(|error| Some(Err(error)));
    if !matches!(next, Some(Ok(_))) {
        *finished = true;
    }
    next
}

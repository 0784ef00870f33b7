//! The batch operations: [`Batches`], where every request of the resource is made.

use std::sync::Arc;

use batches_types::{
    Batch, CancelBatchParams, CreateBatchParams, CreateBatchRequest, GetBatchParams,
    ListBatchesParams,
};
use bytes::Bytes;
use futures_util::FutureExt;
use http::Method;
use http::header::HeaderValue;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::items::Items;
use crate::operation::{CANCEL_BATCH, CREATE_BATCH, GET_BATCH, LIST_BATCHES};
use crate::pagination::{Page, Pages};
use crate::parallel::{ListPage, Listed, Parallel};
use crate::requests::{Requests, id_segment};
use crate::retry::RetryPolicy;
use crate::transport::{Response, Transport};
use crate::wait::WaitOptions;

/// The path segments of the batches collection.
const COLLECTION: [&str; 3] = ["api", "v2", "batches"];

/// The operations on batches, borrowed from a [`Client`](crate::Client) by
/// [`Client::batches`](crate::Client::batches).
///
/// ```no_run
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let batches = client.batches();
/// let batch = batches.get("bat-123", &Default::default()).await?;
/// if !batch.value.status.is_terminal() {
///     batches.cancel(&batch.value.id, &Default::default()).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Batches<'a> {
    requests: Requests<'a>,
}

/// Options of [`Batches::create`].
///
/// ```
/// use batches_client::CreateOptions;
///
/// let options = CreateOptions {
///     idempotency_key: Some("nightly-2026-11-29".into()),
///     ..CreateOptions::default()
/// };
/// # drop(options);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateOptions {
    /// The `Idempotency-Key` header. Unset, a random one is generated. Setting it tells
    /// the client that the server can recognise a repeat, so failures after the request
    /// was sent are retried too (see the crate docs).
    pub idempotency_key: Option<String>,
    /// Query parameters (`organization_id`, `project_id`).
    pub params: CreateBatchParams,
}

impl<'a> Batches<'a> {
    pub(crate) fn new(transport: &'a Arc<Transport>) -> Self {
        Batches {
            requests: Requests::new(transport),
        }
    }

    /// Lists one page of batches (`GET /api/v2/batches`).
    ///
    /// ```no_run
    /// use batches_client::{BatchStatus, Client, ListBatchesParams};
    ///
    /// # async fn run(client: Client) -> Result<(), batches_client::Error> {
    /// let params = ListBatchesParams {
    ///     status: Some(BatchStatus::Running),
    ///     page_size: Some(100),
    ///     ..Default::default()
    /// };
    /// let page = client.batches().list(&params).await?;
    /// println!("{} batches, next page: {:?}", page.items.len(), page.next_page_token);
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, params: &ListBatchesParams) -> Result<Page<Batch>, Error> {
        self.requests
            .list_page(LIST_BATCHES, &COLLECTION, params)
            .await
    }

    /// Lists one page without decoding its items: each item is the exact JSON text the
    /// server sent, for front-ends that pass batches through unchanged.
    ///
    /// ```no_run
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let page = client.batches().list_raw(&Default::default()).await?;
    /// for item in &page.items {
    ///     println!("{}", item.get());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_raw(&self, params: &ListBatchesParams) -> Result<Page<Box<RawValue>>, Error> {
        self.requests
            .list_page(LIST_BATCHES, &COLLECTION, params)
            .await
    }

    /// Every page of the listing, fetched lazily with one page of lookahead. See
    /// [`Pages`] for the stop rules.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let mut pages = client.batches().pages(Default::default());
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} batches", page.items.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, params: ListBatchesParams) -> Pages<Batch> {
        self.walk(params)
    }

    /// Every page of the listing, items undecoded (see [`list_raw`](Self::list_raw)).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// // One JSON line per batch, exactly as sent, unknown fields included.
    /// let mut pages = client.batches().raw_pages(Default::default());
    /// while let Some(page) = pages.try_next().await? {
    ///     for item in &page.items {
    ///         println!("{}", item.get());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn raw_pages(&self, params: ListBatchesParams) -> Pages<Box<RawValue>> {
        self.walk(params)
    }

    /// Every batch of the listing, one at a time, across pages.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let mut batches = client.batches().stream(Default::default()).max_items(500);
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{} {}", batch.id, batch.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(&self, params: ListBatchesParams) -> Items {
        Items::pages(self.pages(params))
    }

    /// Every batch of the listing, one at a time, items undecoded (see
    /// [`list_raw`](Self::list_raw)).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let mut batches = client.batches().raw_stream(Default::default());
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{}", batch.get());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn raw_stream(&self, params: ListBatchesParams) -> Items<Box<RawValue>> {
        Items::pages(self.raw_pages(params))
    }

    /// Every batch of the listing, in exactly the order of [`stream`](Self::stream), fetched
    /// by up to `requests` concurrent requests (at least 2) over disjoint creation-time
    /// windows: over a network where each request waits, several times faster.
    ///
    /// - **Windows.** The listing's creation-time range is split into windows that share
    ///   their boundary instants; the API's bounds are inclusive, so a batch created
    ///   exactly on a boundary is kept by the older window only, and batches created at
    ///   the same instant always fall in one window. Each window is walked page by page
    ///   with the listing's filters, and every rule of [`Pages`] holds in each (retries,
    ///   empty pages that carry a token, a repeated token fails).
    /// - **Range.** Without `created_at_on_or_after`, the first page gives the newest
    ///   batch while probes of one batch each (`page_size=1`, up to `requests - 1` at a
    ///   time, at most three rounds) find about how far back the listing goes. With it,
    ///   the range is used as given.
    /// - **Balance.** Windows are cut as pages show how batches are spread in time, so
    ///   bursts and quiet weeks do not leave one window with most of the work: a running
    ///   window with more than about 12 pages left hands all but 6 to a new window, and a
    ///   request with nothing else to do halves the window with the most left.
    /// - **Memory.** At most `6 × requests` pages are held or in flight ahead of the batch
    ///   being yielded, nearest first (a window far ahead gives its pages up for a nearer
    ///   one, and fetches them again later); beyond that, windows wait. With the first
    ///   window's request, the page handed over and the one the caller holds, at most
    ///   `6 × requests + 3` pages are in memory.
    /// - **Order.** Batches come out newest first, exactly as the sequential listing
    ///   lists them; every batch must have a `created_at`, and the server must list newest
    ///   first and apply its creation-time filters, or the stream fails with
    ///   [`Error::Partition`] rather than yield a batch twice or lose one.
    /// - **Limits and failures.** With [`Items::max_items`], windows whose batches cannot
    ///   be among those wanted request nothing, and nothing is requested once they are
    ///   yielded. On a failure, every batch that comes before it in listing order and
    ///   is already fetched is yielded, then the error.
    ///
    /// ```no_run
    /// use batches_client::ListBatchesParams;
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let mut batches = client.batches().stream_parallel(ListBatchesParams::default(), 8);
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{} {}", batch.id, batch.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream_parallel(&self, params: ListBatchesParams, requests: usize) -> Items {
        Items::parallel(self.parallel(params, requests))
    }

    /// [`stream_parallel`](Self::stream_parallel) with the items undecoded (see
    /// [`list_raw`](Self::list_raw)).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let mut batches = client.batches().raw_stream_parallel(Default::default(), 8);
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{}", batch.get());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn raw_stream_parallel(
        &self,
        params: ListBatchesParams,
        requests: usize,
    ) -> Items<Box<RawValue>> {
        Items::parallel(self.parallel(params, requests))
    }

    /// Gets one batch (`GET /api/v2/batches/{batch_id}`); `expand: ["results"]` includes
    /// the per-file results.
    ///
    /// ```no_run
    /// use batches_client::GetBatchParams;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let params = GetBatchParams { expand: Some(vec!["results".into()]), ..Default::default() };
    /// let batch = client.batches().get("bat-123", &params).await?;
    /// for result in batch.results.iter().flatten() {
    ///     println!("{} {:?}", result.source_directory_file_id, result.error_message);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(
        &self,
        batch_id: &str,
        params: &GetBatchParams,
    ) -> Result<Response<Batch>, Error> {
        let call = self.requests.call(
            GET_BATCH,
            Method::GET,
            &batch_path(batch_id)?,
            &params.to_query_string(),
        );
        self.requests.send(call).await
    }

    /// Creates a batch (`POST /api/v2/batches`). Processing starts asynchronously.
    ///
    /// Sends an `Idempotency-Key`; retries only where no duplicate batch can result
    /// unless the caller chose the key (see the crate docs).
    ///
    /// ```no_run
    /// use batches_client::{BatchConfig, CreateBatchRequest, CreateOptions, JobConfig, JobType};
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let request = CreateBatchRequest::new(
    ///     "dir-123",
    ///     BatchConfig::new(JobConfig::new("cfg-PARSE_AGENTIC", JobType::ParseV2)),
    /// );
    /// let batch = client.batches().create(&request, &CreateOptions::default()).await?;
    /// println!("created {}", batch.id);
    /// # Ok(()) }
    /// ```
    pub async fn create(
        &self,
        request: &CreateBatchRequest,
        options: &CreateOptions,
    ) -> Result<Response<Batch>, Error> {
        let (key, policy) = match &options.idempotency_key {
            Some(key) => {
                let value = HeaderValue::try_from(key.as_str())
                    .ok()
                    .filter(|_| !key.trim().is_empty())
                    .ok_or_else(|| {
                        Error::InvalidRequest(format!(
                            "idempotency key `{key}` must be non-empty visible ASCII"
                        ))
                    })?;
                (value, RetryPolicy::Idempotent)
            }
            None => (
                HeaderValue::try_from(uuid::Uuid::new_v4().to_string())
                    .expect("a UUID is a valid header value"),
                RetryPolicy::UnsentOnly,
            ),
        };
        let body = serde_json::to_vec(request).map_err(|error| {
            Error::InvalidRequest(format!("could not encode the create request: {error}"))
        })?;
        let call = self
            .requests
            .call(
                CREATE_BATCH,
                Method::POST,
                &COLLECTION,
                &options.params.to_query_string(),
            )
            .json(Bytes::from(body))
            .idempotency_key(key, policy);
        self.requests.send(call).await
    }

    /// Asks the server to cancel a batch (`POST /api/v2/batches/{batch_id}/cancel`).
    /// Returns at once; the batch reaches `CANCELLED` when processing stops.
    ///
    /// ```no_run
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let batch = client.batches().cancel("bat-123", &Default::default()).await?;
    /// println!("{} is {}", batch.id, batch.status);
    /// # Ok(()) }
    /// ```
    pub async fn cancel(
        &self,
        batch_id: &str,
        params: &CancelBatchParams,
    ) -> Result<Response<Batch>, Error> {
        let mut segments = batch_path(batch_id)?;
        segments.push("cancel");
        let call = self.requests.call(
            CANCEL_BATCH,
            Method::POST,
            &segments,
            &params.to_query_string(),
        );
        self.requests.send(call).await
    }

    /// Polls a batch until its status is terminal (`COMPLETED`, `FAILED`, `CANCELLED`)
    /// and returns the last poll's response: the batch, and the exact body it came in. See
    /// [`WaitOptions`] for the polling interval, the overall timeout
    /// ([`Error::WaitTimeout`]) and the status-change callback.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use batches_client::WaitOptions;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let options = WaitOptions::new()
    ///     .timeout(Duration::from_secs(600))
    ///     .on_change(|batch| eprintln!("{} is now {}", batch.id, batch.status));
    /// let batch = client.batches().wait("bat-123", options).await?;
    /// println!("finished: {}", batch.status);
    /// # Ok(()) }
    /// ```
    pub async fn wait(
        &self,
        batch_id: &str,
        options: WaitOptions,
    ) -> Result<Response<Batch>, Error> {
        let params = options.poll_params().clone();
        options.run(batch_id, || self.get(batch_id, &params)).await
    }

    /// The walk over every page of a listing.
    fn walk<T: DeserializeOwned + Send + 'static>(&self, params: ListBatchesParams) -> Pages<T> {
        let segments = COLLECTION.map(str::to_owned).to_vec();
        self.requests.walk(LIST_BATCHES, segments, params)
    }

    /// The parallel walk over a listing, each page fetched as the page-by-page walk does.
    fn parallel<T: DeserializeOwned + Listed + Send + 'static>(
        &self,
        params: ListBatchesParams,
        requests: usize,
    ) -> Parallel<T> {
        // The windows are walked by tasks of their own, so they hold the transport rather
        // than a borrow.
        let transport = Arc::clone(self.requests.transport());
        let list: ListPage<T> = Arc::new(move |params| {
            let transport = Arc::clone(&transport);
            async move {
                Requests::new(&transport)
                    .list_page(LIST_BATCHES, &COLLECTION, &params)
                    .await
            }
            .boxed()
        });
        Parallel::new(params, requests, list)
    }
}

fn batch_path(batch_id: &str) -> Result<Vec<&str>, Error> {
    let mut segments = COLLECTION.to_vec();
    segments.push(id_segment(batch_id, "batch", "bat-…")?);
    Ok(segments)
}

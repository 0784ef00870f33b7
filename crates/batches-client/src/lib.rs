//! Async and blocking client for the LlamaCloud Batches API (`/api/v2/batches`).
//!
//! ```no_run
//! use batches_client::{BatchStatus, Client, ListBatchesParams};
//! use futures_util::TryStreamExt;
//!
//! # async fn run() -> Result<(), batches_client::Error> {
//! let client = Client::from_env()?;
//! let running = ListBatchesParams { status: Some(BatchStatus::Running), ..Default::default() };
//! let mut batches = client.batches().stream(running);
//! while let Some(batch) = batches.try_next().await? {
//!     println!("{} {}", batch.id, batch.source_directory_id);
//! }
//! # Ok(()) }
//! ```
//!
//! Three layers: a [`ClientBuilder`] (key, base URL, limits), a [`Client`] that owns the
//! transport, and the borrowed [`Batches`] handle with the operations: [`list`],
//! [`list_raw`], [`pages`], [`raw_pages`], [`stream`], [`get`], [`create`], [`cancel`] and
//! [`wait`]. The [`blocking`] module has the same operations without async.
//!
//! [`list`]: Batches::list
//! [`list_raw`]: Batches::list_raw
//! [`pages`]: Batches::pages
//! [`raw_pages`]: Batches::raw_pages
//! [`stream`]: Batches::stream
//! [`get`]: Batches::get
//! [`create`]: Batches::create
//! [`cancel`]: Batches::cancel
//! [`wait`]: Batches::wait
//!
//! # Configuration
//!
//! [`ClientBuilder::from_env`] reads the variables of the official clients:
//!
//! | variable | meaning |
//! |---|---|
//! | `LLAMA_CLOUD_API_KEY` (fallback `LLAMA_PARSE_API_KEY`) | the API key |
//! | `LLAMA_CLOUD_BASE_URL` | the base URL, with its scheme |
//! | `LLAMA_CLOUD_CUSTOM_HEADERS` | extra headers, one `Name: value` per line |
//!
//! Defaults: [`Region::Na`], 2 retries, 5 s to connect, 60 s per attempt, no deadline
//! for the whole operation. API keys belong to one region; [`Region::Eu`] selects
//! `https://api.cloud.eu.llamaindex.ai`.
//!
//! Every setting is resolved in one place, by the builder: an explicit value (a builder
//! method, or a [`Layer`] added as [`Source::Explicit`], such as a command line's options)
//! beats the environment, which beats a [`Layer`] added as a [`Source::Profile`], which
//! beats the default. A base URL and a region given with the same precedence are refused
//! ([`Error::EndpointConflict`]). [`ClientBuilder::settings`] returns the [`Settings`] in
//! effect, each value with the [`Source`] it came from.
//!
//! ```
//! use batches_client::{ClientBuilder, Layer, Source};
//!
//! // A front-end's options over the environment, over a profile of its configuration file.
//! let options = Layer { max_retries: Some(0), ..Layer::default() };
//! let profile = Layer { api_key: Some("llx-from-profile".into()), ..Layer::default() };
//! let builder = ClientBuilder::from_env()
//!     .layer(Source::Explicit, options)
//!     .layer(Source::Profile("default".into()), profile);
//! let settings = builder.settings()?;
//! assert_eq!(settings.max_retries.source, Source::Explicit);
//! println!("requests go to {} ({})", settings.endpoint.value, settings.endpoint.source);
//! # Ok::<(), batches_client::Error>(())
//! ```
//!
//! The key is a secret: it is sent only as `Authorization: Bearer …` (marked sensitive),
//! and never shows in `Debug` output, logs or errors. [`ClientBuilder::build`] refuses a
//! plain `http://` base URL unless its host is loopback or
//! [`ClientBuilder::allow_insecure_http`] is set. Responses are requested gzip-compressed
//! and connections are reused.
//!
//! # Retries
//!
//! Up to [`ClientBuilder::max_retries`] retries, with exponential backoff
//! `min(0.5 s × 2ⁿ, 8 s)` scaled by a random factor in [0.75, 1]. A delay the server asks
//! for in `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date) is
//! used instead, up to 60 s; a longer demand ends the operation with an [`Error::Api`]
//! that says how long the server asked to wait. A retry that could not start before the
//! [deadline](ClientBuilder::deadline) is not attempted.
//!
//! **list, get, cancel** are retried after a connection error, a timeout, a body cut off
//! mid-read, 408, 429 and 5xx; not after 409 or another 4xx. A response header
//! `x-should-retry: true|false` overrides the status rules.
//!
//! **create** sends an `Idempotency-Key` header (a random UUID unless
//! [`CreateOptions::idempotency_key`] is set) and is retried only where a duplicate batch
//! cannot result:
//!
//! - the connection could not be made, so the request was never sent;
//! - 429 (the server refused the request without acting on it);
//! - the server said `x-should-retry: true`;
//! - or any failure the list/get rules retry, when the caller set the idempotency key
//!   (choosing a key is the caller's statement that the server deduplicates it).
//!
//! *This deviates from the official SDKs*, which retry a create like any other request
//! (after timeouts, 409 and 5xx included) without sending an idempotency key, so a
//! response lost after the server acted on the request creates a second batch that runs
//! the same job over the same files, and is billed twice. Here such a failure is
//! returned to the caller, who can check with [`Batches::list`] (filtered by
//! `source_directory_id`) before trying again. The generated key is still sent so that a
//! server which honours it is protected against duplicates from layers below the client.
//!
//! # Time limits
//!
//! [`ClientBuilder::connect_timeout`] bounds connecting, [`ClientBuilder::timeout`] one
//! attempt (request sent and the whole body read), [`ClientBuilder::deadline`] the whole
//! operation including retries and pauses. [`WaitOptions::timeout`] bounds a
//! [`Batches::wait`] and fails with its own error, [`Error::WaitTimeout`].
//!
//! # Errors
//!
//! [`Error`] is one non-generic enum; its `Display` reads well on its own (operation,
//! status, the server's `detail` with 422 entries as `field: message`, request id), and
//! [`Error::status`] and [`Error::request_id`] give the parts.
//!
//! # Pagination
//!
//! [`Pages`] and [`Items`] repeat every filter on every page, continue past an empty page
//! that still carries a token, end on an absent, `null` or empty token, fail with
//! [`Error::PaginationLoop`] when a token repeats, honour `max_items`, and fetch page k+1
//! while the caller works on page k, never further ahead. [`Page`] keeps the status, the
//! request id and the exact body next to the items. With `Box<`[`RawValue`]`>` items
//! ([`Batches::list_raw`], [`Batches::raw_pages`]) the items are kept as the server's JSON
//! text and never parsed into values.
//!
//! # Tracing
//!
//! Every attempt runs in a `request` span with `operation`, `method`, `path`, `attempt`,
//! `status` and `elapsed_ms`; retries are logged at `info` with the reason and the delay.
//! No header value is ever logged.
#![warn(missing_docs)]

// The modules form layers, each using only those before it: source, operation → error →
// retry → endpoint → settings → env → transport → background → pagination → parallel →
// items → wait → batches → client → blocking.
mod background;
mod batches;
pub mod blocking;
mod client;
mod endpoint;
mod env;
mod error;
mod items;
mod operation;
mod pagination;
mod parallel;
mod retry;
mod settings;
mod source;
mod transport;
mod wait;

pub use batches::{Batches, CreateOptions};
pub use client::{Client, ClientBuilder};
pub use endpoint::{Endpoint, Region};
pub use env::{API_KEY_ENV, API_KEY_FALLBACK_ENV, BASE_URL_ENV, CUSTOM_HEADERS_ENV};
pub use error::{Error, TimeoutKind, TransportPhase};
pub use items::{Chunks, Items};
pub use pagination::{Page, Pages};
pub use settings::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, Layer,
    Settings,
};
pub use source::{Source, Sourced};
pub use transport::Response;
pub use wait::WaitOptions;

pub use batches_types::{
    Batch, BatchConfig, BatchResult, BatchStatus, CancelBatchParams, CreateBatchParams,
    CreateBatchRequest, GetBatchParams, JobConfig, JobReference, JobType, ListBatchesParams,
    WebhookConfiguration,
};
pub use batches_types::{DateTime, Utc};
pub use serde_json::value::RawValue;

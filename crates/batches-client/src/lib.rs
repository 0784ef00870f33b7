//! Async and blocking client for the LlamaCloud Batches API (`/api/v2/batches`), the
//! source directories batches run over (`/api/v1/beta/directories`) and the webhooks told
//! of batch events (`/api/v1/beta/webhook-configs`, and [`webhooks::verify`] for receivers).
//!
//! ```
//! use batches_client::{Client, ListBatchesParams};
//! use futures_util::TryStreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = batches_server::spawn(batches_server::ServerConfig {
//! #     seed: 25,
//! #     ..Default::default()
//! # })
//! # .await?;
//! // `Client::from_env()` reads the key and base URL from the environment instead.
//! let client = Client::builder()
//!     .api_key("llx-local-dev")
//! #   .base_url(emulator.base_url())
//!     .build()?;
//! let params = ListBatchesParams { page_size: Some(10), ..Default::default() };
//! let mut batches = client.batches().stream(params); // every page, one page of lookahead
//! let mut listed = 0;
//! while let Some(batch) = batches.try_next().await? {
//!     println!("{} {} {}", batch.id, batch.status, batch.source_directory_id);
//!     listed += 1;
//! }
//! assert_eq!(listed, 25); // three pages
//! # emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Three layers: a [`ClientBuilder`] (key, base URL, limits), a [`Client`] that owns the
//! transport, and borrowed handles with the operations: [`Batches`] ([`list`],
//! [`list_raw`], [`pages`], [`raw_pages`], [`stream`], [`get`], [`create`], [`cancel`] and
//! [`wait`]), [`Directories`] (`create`, `get` and the same five listing operations) and,
//! from [`Directories::files`], [`DirectoryFiles`] (the listing operations,
//! [`upload`](DirectoryFiles::upload), streamed from disk, and
//! [`add`](DirectoryFiles::add)), [`ParseJobs`] ([`get`](ParseJobs::get),
//! [`get_following`](ParseJobs::get_following) and [`save`](ParseJobs::save)) and
//! [`ExtractJobs`] (`get`): the jobs a batch produces, and [`WebhookConfigs`] (the saved
//! webhook configurations: `create`, `list`, `get`, `update`, `delete`).
//! [`Client::download`] streams a presigned URL to a file. The [`blocking`] module has the
//! same operations without async. [`webhooks::verify`] checks a webhook delivery's
//! signature and decodes its event.
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
//! Every client, [`ClientBuilder::new`]'s too, also honours the network's variables (see
//! [Networks](#networks)): `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` (either
//! case), `SSL_CERT_FILE` and `SSL_CERT_DIR`.
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
//! # Networks
//!
//! **TLS roots.** The client trusts the operating system's roots, read with
//! `rustls-native-certs`: on Linux the distribution's bundle (`/etc/ssl/certs/…`), on
//! macOS the keychains, on Windows the system store; a gateway's CA installed there is
//! trusted. `SSL_CERT_FILE` (a PEM file) and `SSL_CERT_DIR` (directories of PEM files)
//! replace that store, as they do for OpenSSL; naming nothing usable is an
//! [`Error::Config`]. [`ClientBuilder::ca_bundle`] (a PEM file) and
//! [`ClientBuilder::add_root_certificate`] (PEM text) add CAs to whichever store is in
//! use. A system without any store falls back to the Mozilla roots bundled with the
//! client. The store is read only when a connection uses TLS.
//!
//! **Proxies.** A proxy is one more setting: an explicit one ([`ClientBuilder::proxy`],
//! a front-end's option) beats the environment, which beats a profile. From the
//! environment, `HTTPS_PROXY` serves `https://` base URLs and `HTTP_PROXY` `http://`
//! ones, with `ALL_PROXY` for both (upper case before lower case; `HTTP_PROXY` is ignored
//! in a CGI program). `NO_PROXY` ([`ClientBuilder::no_proxy`]) exempts hosts from
//! whichever proxy is in effect, the explicit one included, as in curl: host names
//! matching themselves and their subdomains, IP addresses, CIDR blocks, `*`. Loopback is
//! not exempt unless listed. Plain-HTTP requests are forwarded by the proxy, `https://`
//! ones go through a `CONNECT` tunnel; the proxy URL's credentials are sent as
//! `Proxy-Authorization: Basic`. [`Settings::proxy`] tells the proxy in effect for the
//! endpoint and where it comes from.
//!
//! Proxy credentials are secrets like the key: a [`ProxyUrl`] displays as
//! `http://***@host:port`, and they appear in no `Debug` output, log or error.
//!
//! **TLS failures** are [`Error::Tls`], never retried: an untrusted certificate says
//! `certificate not trusted` and how to fix it (the gateway's CA as `ca_bundle` or in
//! `SSL_CERT_FILE`).
//!
//! ```no_run
//! use batches_client::ClientBuilder;
//!
//! let client = ClientBuilder::from_env()
//!     .ca_bundle("/etc/pki/corp-gateway-ca.pem")
//!     .proxy("http://user:password@proxy.corp:3128")
//!     .no_proxy("localhost,127.0.0.1,.corp")
//!     .build()?;
//! # drop(client);
//! # Ok::<(), batches_client::Error>(())
//! ```
//!
//! # Presigned URLs
//!
//! A result too large to be sent inline is served through a presigned URL
//! (`result_content_metadata`), which carries its own authorisation. The client never sends
//! the API key, a custom header or a proxy credential to it, whatever host it names (the
//! API's own included): such a request carries only `User-Agent`. It goes through the same
//! connection pool, proxy and TLS settings as the API calls; a proxy's credentials still go
//! to the proxy itself, as `Proxy-Authorization`. [`ParseJobs::save`] and
//! [`ParseJobs::get_following`] follow a presigned URL whenever the inline field is absent.
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
//! **upload, add** (directory files) are retried like list and get: the server keeps at
//! most one file per `unique_id` in a directory and answers 409 to a second, so a repeat
//! cannot leave a duplicate. An upload always sends a `unique_id` (the caller's, else the
//! server's own default: `external_file_id`, else the display name, else the file name).
//! A 409 on a retry after an attempt whose outcome is unknown (sent, then a cut
//! connection, a timeout, a 5xx or a 408) means that attempt landed: the file is looked up
//! (by `unique_id`; an add without one, by `file_id`) and returned. A 409 to a first
//! attempt, or after refusals that cannot have landed (429, no connection), is an error.
//! See [`DirectoryFiles`].
//!
//! **create directory** is retried only where the request cannot have been acted on (no
//! connection, 429, `x-should-retry: true`): the server does not recognise a repeat.
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
// retry → endpoint, proxy → settings → env → tls → multipart, sink, response → transport → background
// → pagination → parallel → items → wait → requests → presigned → batches, files, parse,
// extract, webhook_configs → directories → client → blocking. `webhooks` (verifying
// deliveries) uses only the models.
mod background;
mod batches;
pub mod blocking;
mod client;
mod directories;
mod endpoint;
mod env;
mod error;
mod extract;
mod files;
mod items;
mod multipart;
mod operation;
mod pagination;
mod parallel;
mod parse;
mod presigned;
mod proxy;
mod redact;
mod requests;
mod response;
pub mod resume;
mod retry;
mod settings;
mod sink;
mod source;
mod tls;
mod transport;
mod wait;
mod webhook_configs;
pub mod webhooks;

pub use batches::{Batches, CreateOptions};
pub use client::{Client, ClientBuilder};
pub use directories::Directories;
pub use endpoint::{Endpoint, Region};
pub use env::{API_KEY_ENV, API_KEY_FALLBACK_ENV, BASE_URL_ENV, CUSTOM_HEADERS_ENV};
pub use error::{Error, FileNameProblem, TimeoutKind, TlsFailure, TransportPhase};
pub use extract::ExtractJobs;
pub use files::{DirectoryFiles, UploadOptions, upload_file_name};
pub use items::{Chunks, Items};
pub use pagination::{Page, Pages};
pub use parse::{ParseJobs, ParseOutput, SavedResult};
pub use proxy::ProxyUrl;
pub use response::Response;
pub use settings::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT, Layer, Settings,
};
pub use source::{Source, Sourced};
pub use wait::WaitOptions;
pub use webhook_configs::WebhookConfigs;

pub use batches_types::{
    AddDirectoryFileParams, AddDirectoryFileRequest, Batch, BatchConfig, BatchResult, BatchStatus,
    CancelBatchParams, CreateBatchParams, CreateBatchRequest, CreateDirectoryParams,
    CreateDirectoryRequest, CreateDirectoryType, Directory, DirectoryFile, DirectoryType,
    GetBatchParams, GetDirectoryParams, JobConfig, JobReference, JobType, ListBatchesParams,
    ListDirectoriesParams, ListDirectoryFilesParams, UploadDirectoryFileFields,
    UploadDirectoryFileParams, WebhookConfiguration,
};
pub use batches_types::{
    CreateWebhookConfigRequest, UpdateWebhookConfigRequest, WebhookConfig, WebhookConfigParams,
    WebhookEvent, WebhookEventType, WebhookOutputFormat,
};
pub use batches_types::{DateTime, Utc};
pub use batches_types::{
    ExtractJob, ExtractJobExpand, ExtractJobUsage, ExtractMetadata, GetExtractJobParams,
    GetParseJobParams, JobStatus, ParseItemsResult, ParseJob, ParseJobExpand, ParseJobResult,
    ParseMarkdownResult, ParseTextResult, ResultContentMetadata,
};
pub use serde_json::value::RawValue;

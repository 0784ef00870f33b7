//! A local emulator of the LlamaCloud batches API.
//!
//! It serves the four batch endpoints (`/api/v2/batches`), the part of the source
//! directories API (`/api/v1/beta/directories`) that the getting-started flow needs and the
//! saved webhook configurations (`/api/v1/beta/webhook-configs`), backed by SQLite (a WAL
//! file with [`ServerConfig::db`], in memory otherwise). Batches move through their
//! lifecycle in a background task, another delivers their events to webhooks (on loopback
//! unless [`WebhookSettings::allow_hosts`] says otherwise), and a deterministic fault layer
//! can make a share of the requests fail the way a real network and service do.
//!
//! Start it in-process for a test (on a free port of 127.0.0.1 by default):
//!
//! ```
//! use batches_server::{DEFAULT_API_KEY, ServerConfig, spawn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! let server = spawn(ServerConfig { seed: 20, ..ServerConfig::default() }).await?;
//! let page: serde_json::Value = reqwest::Client::new()
//!     .get(format!("{}/api/v2/batches?page_size=5", server.base_url()))
//!     .bearer_auth(DEFAULT_API_KEY.0)
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(page["items"].as_array().map(Vec::len), Some(5));
//! assert!(page["next_page_token"].is_string());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod config;
mod console;
mod counts;
mod deliveries;
mod documents;
mod error;
mod faults;
mod forward_proxy;
mod http;
mod page_token;
mod presign;
mod processing;
mod rate_limit;
mod recent;
mod rules;
mod scheduler;
mod seed;
mod store;
mod tls;

use std::{
    net::SocketAddr,
    sync::Arc,
    thread,
    time::{Duration, Instant},
};

use anyhow::Context;
use batches_types::{DateTime, Utc};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

pub use config::{DEFAULT_API_KEY, FaultKind, RateLimit, ServerConfig, Tls, WebhookSettings};
pub use counts::RequestCounts;
pub use forward_proxy::{ForwardProxy, ProxiedRequest};
pub use store::{DeliveryStatus, WebhookDelivery};
pub use tls::CA_FILE;

/// A handle on data the emulator holds, for tests that prepare state without HTTP.
#[derive(Clone)]
pub struct Fixtures {
    store: Arc<store::Store>,
}

impl Fixtures {
    /// Creates a directory named `name` in `project_id` holding `files` text files named
    /// `file-0001.txt`, … and returns its id (`dir-…`).
    pub fn create_directory_with_files(
        &self,
        project_id: &str,
        name: &str,
        files: usize,
    ) -> anyhow::Result<String> {
        self.store
            .create_directory_with_files(project_id, name, files)
    }

    /// Creates one `COMPLETED` batch in `project_id` for each creation time given, in
    /// that order, and returns their ids: listings over equal and boundary times, made
    /// exactly. The batches do not move through the lifecycle.
    pub fn create_batches_at(
        &self,
        project_id: &str,
        created_at: &[DateTime<Utc>],
    ) -> anyhow::Result<Vec<String>> {
        Ok(self.store.create_batches_at(project_id, created_at)?)
    }
}

/// Where a running emulator listens, and its data; both [`RunningServer`] and
/// [`BackgroundServer`] dereference to it.
#[derive(Clone)]
pub struct ServerHandle {
    addr: SocketAddr,
    https: bool,
    fixtures: Fixtures,
    counts: Arc<counts::Counts>,
}

impl ServerHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`, or `https://HOST:PORT` when serving HTTPS: the base URL to
    /// give a client.
    pub fn base_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Direct access to its data, for test set-up.
    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    /// How many requests (and uploads) it has served so far, for tests that must show
    /// what a client sent.
    pub fn counts(&self) -> RequestCounts {
        self.counts.snapshot()
    }

    /// Every webhook delivery so far (of one batch when `batch_id` is given), oldest
    /// first, with its attempts and last answer: what `GET /emulator/webhook-deliveries`
    /// shows a project.
    pub fn webhook_deliveries(
        &self,
        batch_id: Option<&str>,
    ) -> anyhow::Result<Vec<WebhookDelivery>> {
        Ok(self.fixtures.store.webhook_deliveries(None, batch_id)?)
    }
}

/// An emulator running on the caller's tokio runtime.
pub struct RunningServer {
    handle: ServerHandle,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::ops::Deref for RunningServer {
    type Target = ServerHandle;

    fn deref(&self) -> &ServerHandle {
        &self.handle
    }
}

impl RunningServer {
    /// Stops accepting connections, lets requests in flight finish (for at most a few
    /// seconds) and stops the lifecycle task. Everything committed stays in the database.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Starts the emulator on the current tokio runtime: opens the database, seeds it, binds
/// the listener and starts serving. Returns once the address is bound.
pub async fn spawn(config: ServerConfig) -> anyhow::Result<RunningServer> {
    config.validate()?;
    let store =
        Arc::new(store::Store::open(config.db.as_deref()).context("cannot open the database")?);
    if config.seed > 0 {
        let started = Instant::now();
        let span = seed::Span {
            count: config.seed,
            days: config.seed_days,
        };
        let pace = seed::Pace {
            step_micros: config.step_micros(),
            concurrency_limit: config.concurrency_limit,
        };
        seed::seed(&store, &config.api_keys[0].1, span, pace, config.seed_rng)
            .context("cannot seed the database")?;
        tracing::info!(batches = config.seed, elapsed = ?started.elapsed(), "seeded");
    }
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let config = Arc::new(config);
    let scheduler = scheduler::Scheduler::new(store.clone(), config.clone());
    let tokens = page_token::PageTokens::new(
        store
            .signing_key(store::PAGE_TOKEN_KEY)
            .context("cannot read the page token key")?,
    );
    let result_urls = presign::ResultUrls::new(
        store
            .signing_key(store::RESULT_URL_KEY)
            .context("cannot read the result URL key")?,
    );
    let counts = Arc::new(counts::Counts::default());
    let app = http::App::new(
        store.clone(),
        config.clone(),
        scheduler.clone(),
        tokens,
        counts.clone(),
        result_urls,
    );
    let dispatcher = deliveries::Dispatcher::new(store.clone(), &config)
        .context("cannot start delivering webhooks")?;
    let tasks = vec![
        tokio::spawn(scheduler.run(stopped.clone())),
        tokio::spawn(dispatcher.run(stopped.clone())),
        tokio::spawn(http::serve(listener, app, tls.clone(), stopped)),
    ];
    Ok(RunningServer {
        handle: ServerHandle {
            addr,
            https: tls.is_some(),
            fixtures: Fixtures { store },
            counts,
        },
        stop,
        tasks,
    })
}

/// An emulator on its own thread and tokio runtime, for synchronous tests. It stops when
/// dropped.
pub struct BackgroundServer {
    handle: ServerHandle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl BackgroundServer {
    /// Starts the emulator and returns once it listens.
    pub fn start(config: ServerConfig) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let thread = thread::Builder::new()
            .name("batches-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match spawn(config).await {
                        Ok(server) => {
                            let _ = started_tx.send(Ok(server.handle.clone()));
                            let _ = stop_rx.await;
                            server.shutdown().await;
                        }
                        Err(error) => {
                            let _ = started_tx.send(Err(error));
                        }
                    }
                });
            })?;
        let handle = started_rx
            .recv_timeout(Duration::from_secs(300))
            .context("the server thread did not start")??;
        Ok(BackgroundServer {
            handle,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

impl std::ops::Deref for BackgroundServer {
    type Target = ServerHandle;

    fn deref(&self) -> &ServerHandle {
        &self.handle
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

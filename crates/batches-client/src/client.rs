//! [`Client`], and the [`ClientBuilder`] that makes one from the settings in effect.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use url::Url;

use crate::batches::Batches;
use crate::directories::Directories;
use crate::endpoint::{Region, is_loopback};
use crate::env::{self, API_KEY_ENV, API_KEY_FALLBACK_ENV};
use crate::error::Error;
use crate::extract::ExtractJobs;
use crate::parse::ParseJobs;
use crate::presigned;
use crate::settings::{DEFAULT_POOL_IDLE_TIMEOUT, Layer, Settings};
use crate::source::{Source, Sourced};
use crate::tls::{self, Pem};
use crate::transport::Transport;
use crate::webhook_configs::WebhookConfigs;

/// An asynchronous client of the LlamaCloud Batches API.
///
/// Cheap to clone (clones share one connection pool) and `Send + Sync`. Needs a Tokio
/// runtime. See the [crate docs](crate) for retries, time limits and errors.
///
/// ```no_run
/// use batches_client::{Client, ListBatchesParams};
///
/// # async fn run() -> Result<(), batches_client::Error> {
/// let client = Client::from_env()?;
/// let page = client.batches().list(&ListBatchesParams::default()).await?;
/// for batch in &page.items {
///     println!("{} {}", batch.id, batch.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    transport: Arc<Transport>,
}

impl Client {
    /// A [`ClientBuilder`] with the defaults; reads no environment variable.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment, as
    /// [`ClientBuilder::from_env`]`().build()`.
    ///
    /// ```no_run
    /// let client = batches_client::Client::from_env()?;
    /// # drop(client);
    /// # Ok::<(), batches_client::Error>(())
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env().build()
    }

    /// The batch operations.
    pub fn batches(&self) -> Batches<'_> {
        Batches::new(&self.transport)
    }

    /// The source directory operations, and through
    /// [`Directories::files`] those on a directory's files.
    pub fn directories(&self) -> Directories<'_> {
        Directories::new(&self.transport)
    }

    /// The parse job operations (`/api/v2/parse`): a batch's `parse_v2` results.
    pub fn parse(&self) -> ParseJobs<'_> {
        ParseJobs::new(&self.transport)
    }

    /// The extract job operations (`/api/v2/extract`): a batch's `extract_v2` results.
    pub fn extract(&self) -> ExtractJobs<'_> {
        ExtractJobs::new(&self.transport)
    }

    /// Streams the document at a presigned URL (a `result_content_metadata` entry's, say)
    /// into the file at `path` (created, or truncated), chunk by chunk, and returns its
    /// size in bytes. The URL carries its own authorisation: the request has no API key
    /// and no custom header, whatever host it names; it goes through the client's proxy
    /// and TLS settings. Retried like a get, each attempt writing the file anew;
    /// [`ClientBuilder::timeout`] bounds each wait for data rather than the whole
    /// download. A file that cannot be written is an [`Error::Output`].
    pub async fn download(
        &self,
        url: &str,
        path: impl AsRef<std::path::Path>,
    ) -> Result<u64, Error> {
        presigned::to_file(&self.transport, url, path.as_ref()).await
    }

    /// The document at a presigned URL, read whole into memory; sent as
    /// [`download`](Self::download) sends it.
    pub async fn download_bytes(&self, url: &str) -> Result<bytes::Bytes, Error> {
        presigned::to_memory(&self.transport, url).await
    }

    /// The saved webhook configuration operations.
    pub fn webhook_configs(&self) -> WebhookConfigs<'_> {
        WebhookConfigs::new(&self.transport)
    }

    /// The base URL requests go to, always ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.transport.base_url
    }
}

/// Configures and builds a [`Client`].
///
/// Each setting comes from the first source that gives it, in this order:
///
/// 1. explicit: the builder's methods, then the layers added with [`Source::Explicit`]
///    (a command line's options, the C ABI's configuration);
/// 2. the environment: what [`ClientBuilder::from_env`] read;
/// 3. profiles: layers added with [`Source::Profile`];
/// 4. the built-in defaults: North America, 2 retries, 5 s to connect, 60 s per attempt,
///    no deadline.
///
/// A base URL and a region exclude each other: the one from the higher source wins, and
/// both from sources of the same precedence fail with [`Error::EndpointConflict`]. Headers
/// add up across sources, a higher one replacing a header of the same name.
/// [`settings`](Self::settings) tells what is in effect and where each value comes from.
/// Problems (a missing key, a base URL without a scheme, a malformed header) are reported
/// by [`build`](Self::build).
///
/// ```
/// use std::time::Duration;
/// use batches_client::{Client, Region};
///
/// let client = Client::builder()
///     .api_key("llx-example")
///     .region(Region::Eu)
///     .max_retries(4)
///     .timeout(Duration::from_secs(30))
///     .deadline(Duration::from_secs(120))
///     .header("x-team", "data")
///     .build()?;
/// # drop(client);
/// # Ok::<(), batches_client::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    /// What the builder's own methods set: explicit, and first among explicit layers.
    explicit: Layer,
    /// The layers added and those read from the environment, in the order given.
    layers: Vec<(Source, Layer)>,
    http_client: Option<reqwest::Client>,
    /// PEM texts given to `add_root_certificate`.
    root_certificates: Vec<Vec<u8>>,
    /// A problem found while reading the environment, reported by `settings` and `build`.
    env_error: Option<String>,
    /// How long an idle connection is kept; `None` for the default.
    pool_idle_timeout: Option<Duration>,
}

impl ClientBuilder {
    /// A builder with the defaults: North America, 2 retries, 5 s to connect, 60 s per
    /// attempt, no deadline. Reads no environment variable.
    pub fn new() -> Self {
        ClientBuilder::default()
    }

    /// A builder that also reads the environment: the key from `LLAMA_CLOUD_API_KEY`
    /// (or `LLAMA_PARSE_API_KEY`), the base URL from `LLAMA_CLOUD_BASE_URL`, and headers
    /// from `LLAMA_CLOUD_CUSTOM_HEADERS` (`Name: value` lines). Empty variables count as
    /// unset, except an empty `LLAMA_CLOUD_BASE_URL`, which [`build`](Self::build) refuses
    /// rather than fall back to the default host. The builder's methods override what was
    /// read.
    ///
    /// ```no_run
    /// use batches_client::ClientBuilder;
    ///
    /// let client = ClientBuilder::from_env().max_retries(5).build()?;
    /// # drop(client);
    /// # Ok::<(), batches_client::Error>(())
    /// ```
    pub fn from_env() -> Self {
        match env::layers() {
            Ok(layers) => ClientBuilder {
                layers,
                ..ClientBuilder::default()
            },
            Err(message) => ClientBuilder {
                env_error: Some(message),
                ..ClientBuilder::default()
            },
        }
    }

    /// Adds the settings one source gives; `source` decides their precedence (see the
    /// [type docs](Self)). Among layers of equal precedence the one added first wins.
    ///
    /// ```
    /// use batches_client::{ClientBuilder, Layer, Region, Source};
    ///
    /// let profile = Layer { region: Some(Region::Eu), max_retries: Some(5), ..Layer::default() };
    /// let builder = ClientBuilder::new()
    ///     .layer(Source::Profile("eu".into()), profile)
    ///     .max_retries(1);
    /// let settings = builder.settings()?;
    /// assert_eq!(settings.endpoint.source, Source::Profile("eu".into()));
    /// assert_eq!((settings.max_retries.value, settings.max_retries.source), (1, Source::Explicit));
    /// # Ok::<(), batches_client::Error>(())
    /// ```
    pub fn layer(mut self, source: Source, layer: Layer) -> Self {
        self.layers.push((source, layer));
        self
    }

    /// The API key (`llx-…`), sent as `Authorization: Bearer <key>`. It never appears in
    /// `Debug` output, logs or error messages. An empty key is refused by
    /// [`build`](Self::build), not replaced by the environment's.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.explicit.api_key = Some(key.into());
        self
    }

    /// The base URL, e.g. `https://api.cloud.eu.llamaindex.ai` or
    /// `http://127.0.0.1:8080`; it must include the scheme. Overrides an earlier
    /// [`region`](Self::region).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.explicit.base_url = Some(url.into());
        self.explicit.region = None;
        self
    }

    /// Sends requests to the region's host. Overrides an earlier
    /// [`base_url`](Self::base_url).
    pub fn region(mut self, region: Region) -> Self {
        self.explicit.region = Some(region);
        self.explicit.base_url = None;
        self
    }

    /// How many times a failed request is retried (default 2). See the crate docs for
    /// which failures are retried.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.explicit.max_retries = Some(retries);
        self
    }

    /// Time allowed to establish a connection (default 5 s); `None` waits as long as the
    /// operating system does. Not applied to a client given to
    /// [`http_client`](Self::http_client), which keeps its own setting.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.explicit.connect_timeout = Some(timeout.into());
        self
    }

    /// Time allowed for one attempt, from sending the request to the last byte of the
    /// response (default 60 s); `None` for no limit. An attempt that times out is retried
    /// like a connection error.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.explicit.timeout = Some(timeout.into());
        self
    }

    /// Total time allowed for one operation, all attempts and the waits between them
    /// included (default: none). A retry that could not start before the deadline is not
    /// attempted; the last failure is returned instead.
    pub fn deadline(mut self, deadline: impl Into<Option<Duration>>) -> Self {
        self.explicit.deadline = Some(deadline.into());
        self
    }

    /// Adds a header sent with every request (replacing one of the same name read from
    /// `LLAMA_CLOUD_CUSTOM_HEADERS`). `Authorization` is always the API key's.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.explicit
            .headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(&name));
        self.explicit.headers.push((name, value.into()));
        self
    }

    /// The `User-Agent` header (default `batches-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.explicit.user_agent = Some(user_agent.into());
        self
    }

    /// Trusts the CA certificates of this PEM file besides the system's roots: the CA of a
    /// proxy or gateway that re-signs TLS, say. A file that cannot be read or holds no
    /// certificate is reported by [`build`](Self::build).
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.explicit.ca_bundle = Some(path.into());
        self
    }

    /// Trusts these CA certificates (PEM, one or more) besides the system's roots and any
    /// [`ca_bundle`](Self::ca_bundle). Calls add up. Malformed PEM is reported by
    /// [`build`](Self::build).
    ///
    /// ```
    /// # let gateway_ca_pem = String::new();
    /// let builder = batches_client::Client::builder().add_root_certificate(gateway_ca_pem);
    /// # drop(builder);
    /// ```
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Sends every request through this proxy, `http://[user:password@]host:port` (or
    /// `https://…` for TLS to the proxy); it overrides `HTTPS_PROXY`, `HTTP_PROXY` and
    /// `ALL_PROXY`, while hosts listed in `NO_PROXY` are still reached directly. The
    /// credentials never show in `Debug` output, logs or errors.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.explicit.proxy = Some(url.into());
        self
    }

    /// The hosts reached without a proxy, overriding `NO_PROXY`: comma-separated host
    /// names (each also matching its subdomains), IP addresses, CIDR blocks, or `*` for
    /// every host (no proxy at all).
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.explicit.no_proxy = Some(hosts.into());
        self
    }

    /// How long an idle connection is kept for the next request (default
    /// [`DEFAULT_POOL_IDLE_TIMEOUT`](crate::DEFAULT_POOL_IDLE_TIMEOUT), 20 s). Keep it
    /// below the idle timeout of the server and of every proxy or load balancer on the
    /// way: a request sent on a connection as they close it fails, and a create with a
    /// generated idempotency key is not retried then (see the crate docs). Not applied to
    /// a client given to [`http_client`](Self::http_client).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = Some(timeout);
        self
    }

    /// Sends requests through this `reqwest::Client` instead of one built from the
    /// builder's settings (its connect timeout, proxy and TLS settings then apply, and the
    /// builder's are ignored).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Allows sending the API key over plain `http://` to a host other than loopback
    /// (default `false`: such a base URL is refused by [`build`](Self::build)).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.explicit.allow_insecure_http = Some(allow);
        self
    }

    /// The settings in effect, each with its [`Source`], as [`build`](Self::build) will
    /// use them; for showing a configuration. Fails when the environment could not be
    /// read or a base URL and a region have the same precedence
    /// ([`Error::EndpointConflict`]); the values themselves are checked by `build`.
    pub fn settings(&self) -> Result<Settings, Error> {
        if let Some(message) = &self.env_error {
            return Err(Error::Config(message.clone()));
        }
        let network = env::network_layers().map_err(Error::Config)?;
        let layers = self.layers.iter().chain(&network);
        let layers = layers.map(|(source, layer)| (source, layer));
        Settings::resolve(std::iter::once((&Source::Explicit, &self.explicit)).chain(layers))
    }

    /// Checks the configuration and builds the client.
    ///
    /// Fails with [`Error::Config`] when the key is missing or cannot be sent in a header,
    /// the base URL is malformed or lacks a scheme, it is plain `http://` to a remote host
    /// without [`allow_insecure_http`](Self::allow_insecure_http), a header is malformed,
    /// or an environment variable could not be read; with [`Error::EndpointConflict`] when
    /// a base URL and a region have the same precedence.
    pub fn build(self) -> Result<Client, Error> {
        let settings = self.settings()?;
        // Surrounding whitespace (a key pasted with its newline) is never part of a key.
        let api_key = settings
            .api_key
            .as_ref()
            .map(|key| key.value.trim())
            .filter(|key| !key.is_empty())
            .ok_or_else(|| {
                Error::Config(format!(
                    "no API key: set {API_KEY_ENV} (or {API_KEY_FALLBACK_ENV}) or pass one to \
                     ClientBuilder::api_key"
                ))
            })?;
        let mut authorization =
            HeaderValue::try_from(format!("Bearer {api_key}")).map_err(|_| {
                Error::Config(
                    "the API key contains characters that cannot be sent in an HTTP header"
                        .to_owned(),
                )
            })?;
        authorization.set_sensitive(true);

        let base_url = settings.endpoint.value.url()?;
        if base_url.scheme() == "http"
            && !is_loopback(&base_url)
            && !settings.allow_insecure_http.value
        {
            return Err(Error::Config(format!(
                "refusing to send the API key over plain http to {}: use an https base URL \
                 (plain http is accepted only for this machine: localhost, 127.0.0.0/8, [::1])",
                base_url.host_str().unwrap_or_default()
            )));
        }

        let user_agent = &settings.user_agent.value;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::try_from(user_agent.as_str()).map_err(|_| {
                Error::Config(format!(
                    "user agent `{user_agent}` contains characters not allowed in a header"
                ))
            })?,
        );
        for header in &settings.headers {
            let (name, value) = &header.value;
            let header_name = HeaderName::try_from(name.as_str())
                .map_err(|_| Error::Config(format!("`{name}` is not a valid HTTP header name")))?;
            if header_name == AUTHORIZATION {
                return Err(Error::Config(format!(
                    "the Authorization header is set from the API key; pass the key with \
                     ClientBuilder::api_key or {API_KEY_ENV}"
                )));
            }
            let header_value = HeaderValue::try_from(value.as_str()).map_err(|_| {
                Error::Config(format!(
                    "the value of header `{name}` contains characters not allowed in a header"
                ))
            })?;
            headers.insert(header_name, header_value);
        }

        let proxy = &settings.proxy.value;
        let secrets = proxy
            .as_ref()
            .map(|proxy| proxy.secrets())
            .unwrap_or_default();
        // A client given ready-made has its own proxy, unknown here.
        let proxy_used = match (&self.http_client, proxy) {
            (None, Some(url)) => Some(Sourced::new(url.clone(), settings.proxy.source.clone())),
            _ => None,
        };
        let http = match self.http_client {
            Some(client) => client,
            None => {
                let uses_tls = base_url.scheme() == "https"
                    || proxy.as_ref().is_some_and(|proxy| proxy.is_https());
                let certificates: Vec<Pem<'_>> = self
                    .root_certificates
                    .iter()
                    .enumerate()
                    .map(|(index, text)| Pem {
                        text,
                        origin: format!(
                            "certificate text {} given to ClientBuilder::add_root_certificate",
                            index + 1
                        ),
                    })
                    .collect();
                let tls = tls::client_config(uses_tls, settings.ca_bundle.as_ref(), &certificates)?;
                let mut builder = reqwest::Client::builder()
                    .gzip(true)
                    .pool_idle_timeout(self.pool_idle_timeout.unwrap_or(DEFAULT_POOL_IDLE_TIMEOUT))
                    .use_preconfigured_tls(tls);
                builder = match proxy {
                    Some(proxy) => {
                        builder.proxy(reqwest::Proxy::all(proxy.expose()).map_err(|_| {
                            Error::Config(format!("the proxy {proxy} cannot be used"))
                        })?)
                    }
                    // Proxies are resolved with the other settings; reqwest must not
                    // read the environment a second time.
                    None => builder.no_proxy(),
                };
                if let Some(timeout) = settings.connect_timeout.value {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(|error| {
                    Error::Config(format!("could not set up the HTTP client: {error}"))
                })?
            }
        };

        Ok(Client {
            transport: Arc::new(Transport {
                http,
                base_url,
                authorization,
                headers,
                max_retries: settings.max_retries.value,
                timeout: settings.timeout.value,
                deadline: settings.deadline.value,
                proxy: proxy_used,
                secrets,
            }),
        })
    }
}

//! Client configuration: [`ClientBuilder`], [`Region`] and the environment variables.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use url::{Host, Url};

use crate::client::{Client, Inner};
use crate::error::Error;

/// Environment variable holding the API key.
pub const API_KEY_ENV: &str = "LLAMA_CLOUD_API_KEY";
/// Environment variable read for the API key when [`API_KEY_ENV`] is unset.
pub const API_KEY_FALLBACK_ENV: &str = "LLAMA_PARSE_API_KEY";
/// Environment variable holding the base URL.
pub const BASE_URL_ENV: &str = "LLAMA_CLOUD_BASE_URL";
/// Environment variable holding extra headers, one `Name: value` per line.
pub const CUSTOM_HEADERS_ENV: &str = "LLAMA_CLOUD_CUSTOM_HEADERS";

/// Retries after the first attempt unless configured otherwise.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Time allowed to establish a connection unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for one attempt (request sent, whole response read) unless configured
/// otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The `User-Agent` sent unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("batches-client/", env!("CARGO_PKG_VERSION"));

/// A LlamaCloud region. API keys belong to one region: a key used against the other
/// region's host is answered with 401.
///
/// ```
/// use batches_client::Region;
///
/// let region: Region = "EU".parse()?;
/// assert_eq!(region.base_url(), "https://api.cloud.eu.llamaindex.ai");
/// assert!("us".parse::<Region>().unwrap_err().to_string().contains("na, eu"));
/// # Ok::<(), batches_client::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// North America, the default: `https://api.cloud.llamaindex.ai`.
    #[default]
    Na,
    /// Europe: `https://api.cloud.eu.llamaindex.ai`.
    Eu,
}

impl Region {
    /// Every region, in the order of their names in messages.
    pub const ALL: [Region; 2] = [Region::Na, Region::Eu];

    /// The region's short name: `na` or `eu`.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Na => "na",
            Region::Eu => "eu",
        }
    }

    /// The base URL of the region's API host.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Na => "https://api.cloud.llamaindex.ai",
            Region::Eu => "https://api.cloud.eu.llamaindex.ai",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = Error;

    /// Parses `na` or `eu`, ignoring case.
    fn from_str(text: &str) -> Result<Self, Error> {
        Region::ALL
            .into_iter()
            .find(|region| region.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Error::Config(format!(
                    "unknown region `{text}`; accepted values: {}",
                    Region::ALL.map(Region::as_str).join(", ")
                ))
            })
    }
}

/// Where requests go: a region's host or an explicit URL. The last one set wins.
#[derive(Debug, Clone)]
enum Endpoint {
    Region(Region),
    Url(String),
}

/// Configures and builds a [`Client`].
///
/// [`ClientBuilder::new`] starts from the defaults and reads nothing from the
/// environment; [`ClientBuilder::from_env`] starts from the environment variables the
/// official clients read. Problems (a missing key, a base URL without a scheme, a
/// malformed header) are reported by [`build`](ClientBuilder::build).
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
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    endpoint: Endpoint,
    max_retries: u32,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    headers: Vec<(String, String)>,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    allow_insecure_http: bool,
    /// A problem found while reading the environment, reported by `build`.
    env_error: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            endpoint: Endpoint::Region(Region::Na),
            max_retries: DEFAULT_MAX_RETRIES,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            deadline: None,
            headers: Vec::new(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http_client: None,
            allow_insecure_http: false,
            env_error: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("endpoint", &self.endpoint)
            .field("max_retries", &self.max_retries)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            // Header values can be credentials too: only their names are shown.
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: North America, 2 retries, 5 s to connect, 60 s per
    /// attempt, no deadline. Reads no environment variable.
    pub fn new() -> Self {
        ClientBuilder::default()
    }

    /// A builder pre-filled from the environment: the key from `LLAMA_CLOUD_API_KEY`
    /// (or `LLAMA_PARSE_API_KEY`), the base URL from `LLAMA_CLOUD_BASE_URL`, and headers
    /// from `LLAMA_CLOUD_CUSTOM_HEADERS` (`Name: value` lines). Empty variables count as
    /// unset. Later builder calls override what was read.
    ///
    /// ```no_run
    /// use batches_client::ClientBuilder;
    ///
    /// let client = ClientBuilder::from_env().max_retries(5).build()?;
    /// # drop(client);
    /// # Ok::<(), batches_client::Error>(())
    /// ```
    pub fn from_env() -> Self {
        let mut builder = ClientBuilder::default();
        let mut read = |name: &str| match std::env::var(name) {
            Ok(value) if !value.trim().is_empty() => Some(value),
            Ok(_) | Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                builder
                    .env_error
                    .get_or_insert_with(|| format!("{name} is not valid UTF-8"));
                None
            }
        };
        let api_key = read(API_KEY_ENV).or_else(|| read(API_KEY_FALLBACK_ENV));
        let base_url = read(BASE_URL_ENV);
        let custom_headers = read(CUSTOM_HEADERS_ENV);
        builder.api_key = api_key;
        if let Some(url) = base_url {
            builder.endpoint = Endpoint::Url(url.trim().to_owned());
        }
        if let Some(text) = custom_headers {
            match parse_header_lines(&text) {
                Ok(headers) => builder.headers = headers,
                Err(message) => {
                    builder.env_error.get_or_insert(message);
                }
            }
        }
        builder
    }

    /// The API key (`llx-…`), sent as `Authorization: Bearer <key>`. It never appears in
    /// `Debug` output, logs or error messages.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL, e.g. `https://api.cloud.eu.llamaindex.ai` or
    /// `http://127.0.0.1:8080`; it must include the scheme. Overrides an earlier
    /// [`region`](Self::region).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Endpoint::Url(url.into());
        self
    }

    /// Sends requests to the region's host. Overrides an earlier
    /// [`base_url`](Self::base_url).
    pub fn region(mut self, region: Region) -> Self {
        self.endpoint = Endpoint::Region(region);
        self
    }

    /// How many times a failed request is retried (default 2). See the crate docs for
    /// which failures are retried.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Time allowed to establish a connection (default 5 s); `None` waits as long as the
    /// operating system does. Not applied to a client given to
    /// [`http_client`](Self::http_client), which keeps its own setting.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Time allowed for one attempt, from sending the request to the last byte of the
    /// response (default 60 s); `None` for no limit. An attempt that times out is retried
    /// like a connection error.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Total time allowed for one operation, all attempts and the waits between them
    /// included (default: none). A retry that could not start before the deadline is not
    /// attempted; the last failure is returned instead.
    pub fn deadline(mut self, deadline: impl Into<Option<Duration>>) -> Self {
        self.deadline = deadline.into();
        self
    }

    /// Adds a header sent with every request (replacing one of the same name read from
    /// `LLAMA_CLOUD_CUSTOM_HEADERS`). `Authorization` is always the API key's.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// The `User-Agent` header (default `batches-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests through this `reqwest::Client` instead of one built from the
    /// builder's settings (its connect timeout, proxy and TLS settings then apply).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Allows sending the API key over plain `http://` to a host other than loopback
    /// (default `false`: such a base URL is refused by [`build`](Self::build)).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Fails with [`Error::Config`] when the key is missing or cannot be sent in a header,
    /// the base URL is malformed or lacks a scheme, it is plain `http://` to a remote host
    /// without [`allow_insecure_http`](Self::allow_insecure_http), a header is malformed,
    /// or an environment variable could not be read.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(message) = self.env_error {
            return Err(Error::Config(message));
        }
        // Surrounding whitespace (a key pasted with its newline) is never part of a key.
        let api_key = self
            .api_key
            .as_deref()
            .map(str::trim)
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

        let base_url = match self.endpoint {
            Endpoint::Region(region) => parse_base_url(region.base_url())?,
            Endpoint::Url(url) => parse_base_url(&url)?,
        };
        if base_url.scheme() == "http" && !is_loopback(&base_url) && !self.allow_insecure_http {
            return Err(Error::Config(format!(
                "refusing to send the API key over plain http to {}; use https, or allow \
                 insecure http explicitly",
                base_url.host_str().unwrap_or_default()
            )));
        }

        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            USER_AGENT,
            HeaderValue::try_from(self.user_agent.as_str()).map_err(|_| {
                Error::Config(format!(
                    "user agent `{}` contains characters not allowed in a header",
                    self.user_agent
                ))
            })?,
        );
        for (name, value) in &self.headers {
            let header_name = HeaderName::try_from(name.as_str())
                .map_err(|_| Error::Config(format!("`{name}` is not a valid HTTP header name")))?;
            if header_name == AUTHORIZATION {
                return Err(Error::Config(
                    "the Authorization header is set from the API key; pass the key with \
                     ClientBuilder::api_key or LLAMA_CLOUD_API_KEY"
                        .to_owned(),
                ));
            }
            let header_value = HeaderValue::try_from(value.as_str()).map_err(|_| {
                Error::Config(format!(
                    "the value of header `{name}` contains characters not allowed in a header"
                ))
            })?;
            headers.insert(header_name, header_value);
        }

        let http = match self.http_client {
            Some(client) => client,
            None => {
                let mut builder = reqwest::Client::builder().gzip(true);
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(|error| {
                    Error::Config(format!("could not set up the HTTP client: {error}"))
                })?
            }
        };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                authorization,
                headers,
                max_retries: self.max_retries,
                timeout: self.timeout,
                deadline: self.deadline,
            }),
        })
    }
}

/// Parses a base URL, with a message that shows the fixed form for the common mistakes.
fn parse_base_url(text: &str) -> Result<Url, Error> {
    let text = text.trim();
    if !text.contains("://") {
        return Err(Error::Config(format!(
            "base URL `{text}` has no scheme; use `https://{text}`"
        )));
    }
    let mut url = Url::parse(text)
        .map_err(|error| Error::Config(format!("base URL `{text}` is not a valid URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "base URL `{text}` has scheme `{}`; accepted schemes: https, http",
            url.scheme()
        )));
    }
    if url.host().is_none() {
        return Err(Error::Config(format!("base URL `{text}` has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL `{text}` must not have a query or fragment"
        )));
    }
    // A path prefix (a proxy mount point) is kept: endpoints are joined below it.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Parses `LLAMA_CLOUD_CUSTOM_HEADERS`: one `Name: value` per line, blank lines ignored.
/// Messages name the line, never its value (it may be a credential).
fn parse_header_lines(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| {
            format!(
                "{CUSTOM_HEADERS_ENV} line {} has no `:`; expected `Name: value` lines",
                index + 1
            )
        })?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_without_scheme_shows_the_fix() {
        let error = parse_base_url("api.cloud.eu.llamaindex.ai").unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration error: base URL `api.cloud.eu.llamaindex.ai` has no scheme; use \
             `https://api.cloud.eu.llamaindex.ai`"
        );
        let error = parse_base_url("localhost:8080").unwrap_err();
        assert!(error.to_string().contains("use `https://localhost:8080`"));
    }

    #[test]
    fn base_url_keeps_a_path_prefix() {
        let url = parse_base_url("https://proxy.example/llama").unwrap();
        assert_eq!(
            url.join("api/v2/batches").unwrap().as_str(),
            "https://proxy.example/llama/api/v2/batches"
        );
        assert!(parse_base_url("ftp://example.com").is_err());
        assert!(parse_base_url("https://example.com/?a=b").is_err());
    }

    #[test]
    fn loopback_hosts() {
        for url in ["http://localhost:1", "http://127.0.0.2", "http://[::1]:8"] {
            assert!(is_loopback(&Url::parse(url).unwrap()), "{url}");
        }
        assert!(!is_loopback(&Url::parse("http://10.0.0.1").unwrap()));
        assert!(!is_loopback(
            &Url::parse("http://localhost.example").unwrap()
        ));
    }

    #[test]
    fn header_lines() {
        assert_eq!(
            parse_header_lines("X-A: 1\n\n x-b :two words \n").unwrap(),
            vec![
                ("X-A".to_owned(), "1".to_owned()),
                ("x-b".to_owned(), "two words".to_owned())
            ]
        );
        let error = parse_header_lines("X-A: 1\nsecret-value").unwrap_err();
        assert!(error.contains("line 2"));
        assert!(!error.contains("secret-value"));
    }
}

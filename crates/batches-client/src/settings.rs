//! The one place where configuration is resolved: [`Layer`]s of optional values from
//! each source, merged into the [`Settings`] in effect, each value with its [`Source`].

use std::cmp::Reverse;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::endpoint::{Endpoint, Region};
use crate::error::Error;
use crate::proxy::{self, ProxyUrl};
use crate::source::{Source, Sourced};

/// Retries after the first attempt unless configured otherwise.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Time allowed to establish a connection unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for one attempt (request sent, whole response read) unless configured
/// otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an idle pooled connection is kept for reuse unless configured otherwise.
///
/// Servers and load balancers close connections that stay idle: many after 60 s (the
/// default of common cloud load balancers), the emulator after 30 s. A request sent on a
/// connection at the moment its server closes it fails after it was written (`connection
/// closed before message completed`); the request may have been read, so a create with a
/// generated idempotency key cannot be retried then. Retiring connections well before
/// those timeouts keeps requests off connections about to close, while one kept for 20 s
/// still serves every poll of a wait (at most 10 s apart) and every page of a listing.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// The `User-Agent` sent unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("batches-client/", env!("CARGO_PKG_VERSION"));

/// The settings one source gives, each optional: what a layer leaves out comes from the
/// sources below it (see [`ClientBuilder::layer`](crate::ClientBuilder::layer)).
///
/// A time limit is `Some(Some(limit))`, or `Some(None)` to lift the limit.
///
/// ```
/// use std::time::Duration;
/// use batches_client::{Layer, Region};
///
/// // What a configuration file's profile might say.
/// let profile = Layer {
///     region: Some(Region::Eu),
///     timeout: Some(Some(Duration::from_secs(30))),
///     ..Layer::default()
/// };
/// # drop(profile);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Layer {
    /// The API key (`llx-…`).
    pub api_key: Option<String>,
    /// The base URL, with its scheme. Excludes [`region`](Self::region) in the same layer.
    pub base_url: Option<String>,
    /// The region whose host requests go to.
    pub region: Option<Region>,
    /// Retries after a failed attempt.
    pub max_retries: Option<u32>,
    /// Time allowed to establish a connection.
    pub connect_timeout: Option<Option<Duration>>,
    /// Time allowed for one attempt.
    pub timeout: Option<Option<Duration>>,
    /// Time allowed for a whole operation, retries included.
    pub deadline: Option<Option<Duration>>,
    /// Headers sent with every request, as `(name, value)`. Unlike the other settings they
    /// add up across layers: a header replaces only one of the same name from below.
    pub headers: Vec<(String, String)>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Whether the key may be sent over plain `http://` to a host other than loopback.
    pub allow_insecure_http: Option<bool>,
    /// A PEM file of CA certificates trusted besides the system's roots (the CA of a
    /// gateway that re-signs TLS, say).
    pub ca_bundle: Option<PathBuf>,
    /// The proxy requests go through: `http://[user:password@]host:port` or `https://…`
    /// (a URL without a scheme is `http://`). From the environment, only a variable that
    /// serves the endpoint's scheme counts (`HTTPS_PROXY` for `https://`, and so on).
    pub proxy: Option<String>,
    /// The hosts reached without the proxy, in `NO_PROXY`'s syntax: comma-separated host
    /// names (each also matching its subdomains), IP addresses, CIDR blocks, or `*`.
    pub no_proxy: Option<String>,
}

impl Layer {
    /// The built-in defaults: every setting but the key and the base URL.
    fn built_in() -> Layer {
        Layer {
            api_key: None,
            base_url: None,
            region: Some(Region::Na),
            max_retries: Some(DEFAULT_MAX_RETRIES),
            connect_timeout: Some(Some(DEFAULT_CONNECT_TIMEOUT)),
            timeout: Some(Some(DEFAULT_TIMEOUT)),
            deadline: Some(None),
            headers: Vec::new(),
            user_agent: Some(DEFAULT_USER_AGENT.to_owned()),
            allow_insecure_http: Some(false),
            ca_bundle: None,
            proxy: None,
            no_proxy: None,
        }
    }
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("region", &self.region)
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
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("ca_bundle", &self.ca_bundle)
            .field(
                "proxy",
                &self.proxy.as_deref().map(|text| {
                    ProxyUrl::parse(text)
                        .map_or_else(|_| "<not a URL>".to_owned(), |url| url.to_string())
                }),
            )
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// The settings in effect, each with the source it came from: what
/// [`ClientBuilder::settings`](crate::ClientBuilder::settings) resolves and
/// [`ClientBuilder::build`](crate::ClientBuilder::build) uses.
#[derive(Clone)]
#[non_exhaustive]
pub struct Settings {
    /// The API key, if any source gave one.
    pub api_key: Option<Sourced<String>>,
    /// Where requests go.
    pub endpoint: Sourced<Endpoint>,
    /// Retries after a failed attempt.
    pub max_retries: Sourced<u32>,
    /// Time allowed to establish a connection (`None`: no limit).
    pub connect_timeout: Sourced<Option<Duration>>,
    /// Time allowed for one attempt (`None`: no limit).
    pub timeout: Sourced<Option<Duration>>,
    /// Time allowed for a whole operation (`None`: no limit).
    pub deadline: Sourced<Option<Duration>>,
    /// Headers sent with every request, as `(name, value)`, one per name.
    pub headers: Vec<Sourced<(String, String)>>,
    /// The `User-Agent` header.
    pub user_agent: Sourced<String>,
    /// Whether the key may be sent over plain `http://` to a host other than loopback.
    pub allow_insecure_http: Sourced<bool>,
    /// A PEM file of CA certificates trusted besides the system's roots.
    pub ca_bundle: Option<Sourced<PathBuf>>,
    /// The proxy requests to the endpoint go through, if any. Its source is where the
    /// proxy was set; or, when [`no_proxy`](Self::no_proxy) exempts the endpoint's host,
    /// where that list was set (the value is then `None`).
    pub proxy: Sourced<Option<ProxyUrl>>,
    /// The hosts reached without a proxy.
    pub no_proxy: Option<Sourced<String>>,
}

impl Settings {
    /// Merges layers: for each setting the value of the highest-precedence source that
    /// gives one (among equals, the first given), else the built-in default.
    pub(crate) fn resolve<'a>(
        layers: impl IntoIterator<Item = (&'a Source, &'a Layer)>,
    ) -> Result<Settings, Error> {
        let built_in = (Source::Default, Layer::built_in());
        let mut layers: Vec<(&Source, &Layer)> = layers.into_iter().collect();
        layers.push((&built_in.0, &built_in.1));
        // A stable sort: layers of equal precedence keep the order they were given in.
        layers.sort_by_key(|(source, _)| Reverse(source.precedence()));

        // An empty base URL or key is a mistake (a script passing an unset variable), never
        // a request for the default: falling back would send the key to another host, or
        // another key (of another project, say) from a lower source.
        refuse_empty(
            &layers,
            |layer| layer.base_url.as_deref(),
            |source| {
                format!(
                    "the base URL ({source}) is empty; give one with its scheme, such as \
                 https://api.cloud.llamaindex.ai, or leave it unset for the region's host"
                )
            },
        )?;
        refuse_empty(
            &layers,
            |layer| layer.api_key.as_deref(),
            |source| {
                format!(
                    "the API key ({source}) is empty; give the key (llx-…), or leave the \
                 setting out"
                )
            },
        )?;
        let region = setting(&layers, |layer| layer.region.as_ref());
        let endpoint = match first(&layers, |layer| layer.base_url.as_ref()) {
            Some(url) if url.source.precedence() == region.source.precedence() => {
                return Err(Error::EndpointConflict {
                    base_url: url.source,
                    region: region.source,
                });
            }
            Some(url) if url.source.precedence() > region.source.precedence() => {
                url.map(Endpoint::Url)
            }
            _ => region.map(Endpoint::Region),
        };
        let mut headers: Vec<Sourced<(String, String)>> = Vec::new();
        for (source, layer) in layers.iter().rev() {
            for (name, value) in &layer.headers {
                headers.retain(|header| !header.value.0.eq_ignore_ascii_case(name));
                headers.push(Sourced::new(
                    (name.clone(), value.clone()),
                    (*source).clone(),
                ));
            }
        }
        let no_proxy = first(&layers, |layer| layer.no_proxy.as_ref());
        let proxy = proxy_for(&layers, &endpoint.value, no_proxy.as_ref())?;
        Ok(Settings {
            api_key: first(&layers, |layer| layer.api_key.as_ref()),
            endpoint,
            max_retries: setting(&layers, |layer| layer.max_retries.as_ref()),
            connect_timeout: setting(&layers, |layer| layer.connect_timeout.as_ref()),
            timeout: setting(&layers, |layer| layer.timeout.as_ref()),
            deadline: setting(&layers, |layer| layer.deadline.as_ref()),
            headers,
            user_agent: setting(&layers, |layer| layer.user_agent.as_ref()),
            allow_insecure_http: setting(&layers, |layer| layer.allow_insecure_http.as_ref()),
            ca_bundle: first(&layers, |layer| layer.ca_bundle.as_ref()),
            proxy,
            no_proxy,
        })
    }
}

/// The proxy for requests to `endpoint`: the first one set among the layers that serve
/// its scheme, unless `no_proxy` exempts its host.
fn proxy_for(
    layers: &[(&Source, &Layer)],
    endpoint: &Endpoint,
    no_proxy: Option<&Sourced<String>>,
) -> Result<Sourced<Option<ProxyUrl>>, Error> {
    let base_url = endpoint.url().ok();
    let given = layers.iter().find_map(|(source, layer)| {
        let text = layer.proxy.as_ref()?;
        let serves = match (source, &base_url) {
            (Source::Env(name), Some(url)) => proxy::serves(name, url.scheme()),
            _ => true,
        };
        serves.then_some((*source, text))
    });
    let Some((source, text)) = given else {
        return Ok(Sourced::new(None, Source::Default));
    };
    let url = ProxyUrl::parse(text)
        .map_err(|message| Error::Config(format!("the proxy ({source}): {message}")))?;
    match (no_proxy, &base_url) {
        (Some(list), Some(base_url)) if url.bypassed_for(&list.value, base_url) => {
            Ok(Sourced::new(None, list.source.clone()))
        }
        _ => Ok(Sourced::new(Some(url), source.clone())),
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("api_key", &self.api_key.as_ref().map(|key| &key.source))
            .field("endpoint", &self.endpoint)
            .field("max_retries", &self.max_retries)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|header| (&header.value.0, &header.source))
                    .collect::<Vec<_>>(),
            )
            .field("user_agent", &self.user_agent)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("ca_bundle", &self.ca_bundle)
            .field("proxy", &self.proxy)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Fails with `message(source)` when a layer gives a blank value for the setting.
fn refuse_empty(
    layers: &[(&Source, &Layer)],
    field: impl Fn(&Layer) -> Option<&str>,
    message: impl Fn(&Source) -> String,
) -> Result<(), Error> {
    match layers
        .iter()
        .find(|(_, layer)| field(layer).is_some_and(|value| value.trim().is_empty()))
    {
        Some((source, _)) => Err(Error::Config(message(source))),
        None => Ok(()),
    }
}

/// The first value of a setting among layers in order of precedence.
fn first<T: Clone>(
    layers: &[(&Source, &Layer)],
    field: impl Fn(&Layer) -> Option<&T>,
) -> Option<Sourced<T>> {
    layers.iter().find_map(|(source, layer)| {
        field(layer).map(|value| Sourced::new(value.clone(), (*source).clone()))
    })
}

/// A setting that has a built-in default.
fn setting<T: Clone>(
    layers: &[(&Source, &Layer)],
    field: impl Fn(&Layer) -> Option<&T>,
) -> Sourced<T> {
    first(layers, field).expect("the built-in layer sets every setting but the key and URL")
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;

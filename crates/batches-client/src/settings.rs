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

        // An empty base URL is a mistake (a script passing an unset variable), never a
        // request for the default host: falling back would send the key elsewhere.
        if let Some((source, _)) = layers.iter().find(|(_, layer)| {
            layer
                .base_url
                .as_deref()
                .is_some_and(|url| url.trim().is_empty())
        }) {
            return Err(Error::Config(format!(
                "the base URL ({source}) is empty; give one with its scheme, such as \
                 https://api.cloud.llamaindex.ai, or leave it unset for the region's host"
            )));
        }
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
mod tests {
    use super::*;

    fn profile() -> Source {
        Source::Profile("local".to_owned())
    }

    #[test]
    fn each_setting_comes_from_the_highest_source_that_gives_it() {
        let explicit = Layer {
            max_retries: Some(5),
            ..Layer::default()
        };
        let env = Layer {
            api_key: Some("llx-env".to_owned()),
            max_retries: Some(4),
            ..Layer::default()
        };
        let profile_layer = Layer {
            api_key: Some("llx-profile".to_owned()),
            timeout: Some(Some(Duration::from_secs(9))),
            ..Layer::default()
        };
        let env_source = Source::Env("LLAMA_CLOUD_API_KEY");
        // Given in any order: precedence comes from the source.
        let settings = Settings::resolve([
            (&profile(), &profile_layer),
            (&env_source, &env),
            (&Source::Explicit, &explicit),
        ])
        .unwrap();
        assert_eq!(
            settings.api_key,
            Some(Sourced::new("llx-env".to_owned(), env_source))
        );
        assert_eq!(settings.max_retries, Sourced::new(5, Source::Explicit));
        assert_eq!(
            settings.timeout,
            Sourced::new(Some(Duration::from_secs(9)), profile())
        );
        assert_eq!(
            settings.deadline,
            Sourced::new(None, Source::Default),
            "no deadline unless one is set"
        );
        assert_eq!(
            settings.endpoint,
            Sourced::new(Endpoint::Region(Region::Na), Source::Default)
        );
    }

    #[test]
    fn a_base_url_and_a_region_of_equal_precedence_conflict() {
        let both = Layer {
            base_url: Some("https://proxy.example".to_owned()),
            region: Some(Region::Eu),
            ..Layer::default()
        };
        let Err(Error::EndpointConflict { base_url, region }) =
            Settings::resolve([(&profile(), &both)])
        else {
            panic!("no conflict")
        };
        assert_eq!((base_url, region), (profile(), profile()));
        let error = Settings::resolve([(&Source::Explicit, &both)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration error: both a base URL (explicit) and a region (explicit) are set; \
             give only one"
        );

        // A higher source's choice wins, whichever kind it is.
        let region = Layer {
            region: Some(Region::Eu),
            ..Layer::default()
        };
        let settings = Settings::resolve([(&Source::Explicit, &region), (&profile(), &both)]);
        assert_eq!(
            settings.unwrap().endpoint,
            Sourced::new(Endpoint::Region(Region::Eu), Source::Explicit)
        );
        let url = Layer {
            base_url: Some("http://127.0.0.1:9".to_owned()),
            ..Layer::default()
        };
        let url_source = Source::Env("LLAMA_CLOUD_BASE_URL");
        let settings = Settings::resolve([(&url_source, &url), (&profile(), &region)]).unwrap();
        assert_eq!(
            settings.endpoint,
            Sourced::new(Endpoint::Url("http://127.0.0.1:9".to_owned()), url_source)
        );
    }

    #[test]
    fn an_empty_base_url_from_any_source_is_refused() {
        for source in [
            Source::Explicit,
            Source::Env("LLAMA_CLOUD_BASE_URL"),
            profile(),
        ] {
            let empty = Layer {
                base_url: Some(" ".to_owned()),
                ..Layer::default()
            };
            let lower = Layer {
                base_url: Some("https://proxy.example".to_owned()),
                ..Layer::default()
            };
            let error = Settings::resolve([(&source, &empty), (&Source::Default, &lower)])
                .unwrap_err()
                .to_string();
            assert_eq!(
                error,
                format!(
                    "configuration error: the base URL ({source}) is empty; give one with its \
                     scheme, such as https://api.cloud.llamaindex.ai, or leave it unset for the \
                     region's host"
                )
            );
        }
    }

    #[test]
    fn headers_add_up_and_replace_by_name() {
        let header = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        let env = Layer {
            headers: vec![header("x-team", "env"), header("x-trace", "1")],
            ..Layer::default()
        };
        let explicit = Layer {
            headers: vec![header("X-Team", "explicit")],
            ..Layer::default()
        };
        let env_source = Source::Env("LLAMA_CLOUD_CUSTOM_HEADERS");
        let settings =
            Settings::resolve([(&Source::Explicit, &explicit), (&env_source, &env)]).unwrap();
        assert_eq!(
            settings.headers,
            vec![
                Sourced::new(header("x-trace", "1"), env_source),
                Sourced::new(header("X-Team", "explicit"), Source::Explicit),
            ]
        );
    }

    #[test]
    fn debug_output_hides_the_key_and_header_values() {
        let layer = Layer {
            api_key: Some("llx-SECRET".to_owned()),
            headers: vec![("x-token".to_owned(), "SECRET-TOO".to_owned())],
            ..Layer::default()
        };
        let settings = Settings::resolve([(&Source::Explicit, &layer)]).unwrap();
        for text in [format!("{layer:?}"), format!("{settings:?}")] {
            assert!(!text.contains("SECRET"), "{text}");
            assert!(text.contains("x-token"), "{text}");
        }
    }

    #[test]
    fn a_proxy_variable_counts_only_for_the_scheme_it_serves() {
        let proxy = |url: &str| Layer {
            proxy: Some(url.to_owned()),
            ..Layer::default()
        };
        let env = [
            (Source::Env("HTTPS_PROXY"), proxy("http://for-https:1")),
            (Source::Env("HTTP_PROXY"), proxy("http://for-http:2")),
            (Source::Env("ALL_PROXY"), proxy("http://for-all:3")),
        ];
        let chosen = |base_url: &str, env: &[(Source, Layer)]| {
            let url = Layer {
                base_url: Some(base_url.to_owned()),
                ..Layer::default()
            };
            let layers = std::iter::once((&Source::Explicit, &url))
                .chain(env.iter().map(|(source, layer)| (source, layer)));
            let proxy = Settings::resolve(layers).unwrap().proxy;
            (proxy.value.map(|url| url.to_string()), proxy.source)
        };
        assert_eq!(
            chosen("https://api.example", &env),
            (
                Some("http://for-https:1".to_owned()),
                Source::Env("HTTPS_PROXY")
            )
        );
        assert_eq!(
            chosen("http://api.example", &env),
            (
                Some("http://for-http:2".to_owned()),
                Source::Env("HTTP_PROXY")
            )
        );
        assert_eq!(
            chosen("http://api.example", &env[..1]),
            (None, Source::Default),
            "HTTPS_PROXY does not serve http://"
        );
        assert_eq!(
            chosen("https://api.example", &env[2..]),
            (
                Some("http://for-all:3".to_owned()),
                Source::Env("ALL_PROXY")
            )
        );
    }

    #[test]
    fn an_explicit_proxy_beats_the_environment_and_no_proxy_still_exempts_hosts() {
        let explicit = Layer {
            proxy: Some("http://user:SECRET@explicit:1".to_owned()),
            ..Layer::default()
        };
        let env = Layer {
            proxy: Some("http://env:2".to_owned()),
            ..Layer::default()
        };
        let profile_layer = Layer {
            proxy: Some("http://profile:3".to_owned()),
            ..Layer::default()
        };
        let https_proxy = Source::Env("HTTPS_PROXY");
        let settings = Settings::resolve([
            (&profile(), &profile_layer),
            (&https_proxy, &env),
            (&Source::Explicit, &explicit),
        ])
        .unwrap();
        assert_eq!(settings.proxy.source, Source::Explicit);
        assert_eq!(
            settings.proxy.value.unwrap().to_string(),
            "http://***@explicit:1"
        );
        let settings =
            Settings::resolve([(&profile(), &profile_layer), (&https_proxy, &env)]).unwrap();
        assert_eq!(
            settings.proxy.source, https_proxy,
            "the environment beats a profile"
        );

        let no_proxy = Layer {
            no_proxy: Some("llamaindex.ai".to_owned()),
            ..Layer::default()
        };
        let no_proxy_source = Source::Env("NO_PROXY");
        let settings = Settings::resolve([
            (&Source::Explicit, &explicit),
            (&no_proxy_source, &no_proxy),
        ])
        .unwrap();
        assert_eq!(settings.proxy, Sourced::new(None, no_proxy_source.clone()));
        assert_eq!(
            settings.no_proxy,
            Some(Sourced::new("llamaindex.ai".to_owned(), no_proxy_source))
        );
        for text in [format!("{explicit:?}"), format!("{settings:?}")] {
            assert!(!text.contains("SECRET"), "{text}");
        }
    }

    #[test]
    fn a_proxy_that_is_not_a_url_is_refused_naming_its_source_not_its_value() {
        let env = Layer {
            proxy: Some("socks5://user:SECRET@proxy:1080".to_owned()),
            ..Layer::default()
        };
        let Err(error) = Settings::resolve([(&Source::Env("ALL_PROXY"), &env)]) else {
            panic!("accepted")
        };
        assert_eq!(
            error.to_string(),
            "configuration error: the proxy (env ALL_PROXY): proxy scheme `socks5` is not \
             supported; accepted: http, https"
        );
    }
}

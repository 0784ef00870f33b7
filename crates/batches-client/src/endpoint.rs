//! Where requests go: a [`Region`]'s host or an explicit base URL ([`Endpoint`]).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use url::{Host, Url};

use crate::error::Error;

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

    /// The region's name in words: `North America` or `Europe`.
    pub fn name(self) -> &'static str {
        match self {
            Region::Na => "North America",
            Region::Eu => "Europe",
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

/// Where requests go: a region's host or an explicit base URL.
///
/// ```
/// use batches_client::{Endpoint, Region};
///
/// assert_eq!(
///     Endpoint::Region(Region::Eu).to_string(),
///     "https://api.cloud.eu.llamaindex.ai (region eu)"
/// );
/// assert_eq!(Endpoint::Url("http://127.0.0.1:8787".into()).to_string(), "http://127.0.0.1:8787");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// The host of a region.
    Region(Region),
    /// A base URL as given (checked when the client is built).
    Url(String),
}

impl Endpoint {
    /// The base URL, checked, ending in `/`.
    pub(crate) fn url(&self) -> Result<Url, Error> {
        match self {
            Endpoint::Region(region) => parse_base_url(region.base_url()),
            Endpoint::Url(url) => parse_base_url(url),
        }
    }
}

impl fmt::Display for Endpoint {
    /// The host, or the URL as given with any `user:password@` hidden.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Region(region) => write!(f, "{} (region {region})", region.base_url()),
            Endpoint::Url(url) => f.write_str(&without_userinfo(url)),
        }
    }
}

/// A URL as typed, with what stands before an `@` in its authority (a user name and
/// password) replaced by `…`, so that messages can quote it.
fn without_userinfo(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => text.to_owned(),
    }
}

/// Parses a base URL, with a message that shows the fixed form for the common mistakes.
/// A message never quotes a user name or password given in the URL.
fn parse_base_url(given: &str) -> Result<Url, Error> {
    let given = given.trim();
    let text = without_userinfo(given);
    let text = text.as_str();
    if !text.contains("://") {
        return Err(Error::Config(format!(
            "base URL `{text}` has no scheme; use `https://{text}`"
        )));
    }
    let mut url = Url::parse(given)
        .map_err(|error| Error::Config(format!("base URL `{text}` is not a valid URL: {error}")))?;
    // The key goes in `Authorization`; credentials in the URL would be sent as a second
    // one (Basic), and printed wherever the URL is.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "base URL `{text}` must not contain a user name or password (`user:password@`); \
             the API key is sent as a bearer token: give it as the API key instead"
        )));
    }
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

/// Whether a URL's host is this machine, where plain http exposes the key to no network.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
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
    fn userinfo_is_refused_and_never_quoted() {
        for url in [
            "http://user:MARKER@127.0.0.1:8787",
            "https://MARKER@api.cloud.llamaindex.ai/",
            "https://user:MARKER@proxy.example/llama?x=1",
            "https://:MARKER@proxy.example",
            "https://user:MARKER@",
        ] {
            let error = parse_base_url(url).unwrap_err().to_string();
            assert!(!error.contains("MARKER"), "{error}");
            assert!(error.contains("…@"), "{error}");
        }
        let error = parse_base_url("http://user:MARKER@127.0.0.1:8787").unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration error: base URL `http://…@127.0.0.1:8787` must not contain a user \
             name or password (`user:password@`); the API key is sent as a bearer token: give \
             it as the API key instead"
        );
        assert_eq!(
            Endpoint::Url("https://u:MARKER@h.example/p@q".into()).to_string(),
            "https://…@h.example/p@q"
        );
        // An `@` in the path is not userinfo.
        assert!(parse_base_url("https://proxy.example/a@b").is_ok());
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
}

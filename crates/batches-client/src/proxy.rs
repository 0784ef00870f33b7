//! Proxies: [`ProxyUrl`], which never shows its credentials; the environment variables
//! that name a proxy and which requests each one serves; and the `NO_PROXY` rule.

use std::fmt;

use hyper_util::client::proxy::matcher::Matcher;
use percent_encoding::percent_decode_str;
use url::Url;

/// The variables naming a proxy, in the order they are read: among those that serve a
/// request's scheme the first one set wins (the upper-case name before the lower-case
/// one, the scheme's own before `ALL_PROXY`).
pub(crate) const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The variables listing the hosts reached without a proxy, in the order they are read.
pub(crate) const NO_PROXY_VARIABLES: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// Whether the proxy the variable `name` names serves requests to URLs of `scheme`.
pub(crate) fn serves(name: &str, scheme: &str) -> bool {
    if name.eq_ignore_ascii_case("HTTPS_PROXY") {
        scheme == "https"
    } else if name.eq_ignore_ascii_case("HTTP_PROXY") {
        scheme == "http"
    } else {
        true
    }
}

/// A proxy's URL: `http://[user:password@]host[:port]` or `https://…`.
///
/// The credentials in it are secrets: `Display` and `Debug` show `***` in their place,
/// and the client never puts them in logs or errors.
///
/// ```
/// use batches_client::ProxyUrl;
///
/// let proxy = ProxyUrl::parse("http://alice:s3cret@proxy.corp:3128")?;
/// assert_eq!(proxy.to_string(), "http://***@proxy.corp:3128");
/// // Without a scheme a proxy is plain HTTP, as in curl.
/// assert_eq!(ProxyUrl::parse("proxy.corp:3128")?.to_string(), "http://proxy.corp:3128");
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl(Url);

impl ProxyUrl {
    /// Parses a proxy URL. A URL without a scheme is `http://`. The message of an error
    /// never quotes the text, which may hold a password.
    pub fn parse(text: &str) -> Result<ProxyUrl, String> {
        let text = text.trim();
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let url = Url::parse(&with_scheme).map_err(|error| {
            format!("not a URL ({error}); expected http://[user:password@]host:port")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "proxy scheme `{}` is not supported; accepted: http, https",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the proxy URL has no host; expected http://host:port".to_owned());
        }
        Ok(ProxyUrl(url))
    }

    /// Whether the connection to the proxy itself is TLS.
    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// The URL as given, credentials included: for the HTTP client only.
    pub(crate) fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// The URL without its credentials, path or query.
    fn origin(&self) -> String {
        let host = self.0.host_str().unwrap_or_default();
        match self.0.port() {
            Some(port) => format!("{}://{host}:{port}", self.0.scheme()),
            None => format!("{}://{host}", self.0.scheme()),
        }
    }

    /// The parts of the URL that must never show: the password as written and decoded,
    /// and the user name when it is the only credential (a token).
    pub(crate) fn secrets(&self) -> Vec<String> {
        let decode = |text: &str| percent_decode_str(text).decode_utf8_lossy().into_owned();
        let mut secrets = Vec::new();
        match self.0.password() {
            Some(password) => {
                secrets.push(password.to_owned());
                secrets.push(decode(password));
            }
            None if !self.0.username().is_empty() => {
                secrets.push(self.0.username().to_owned());
                secrets.push(decode(self.0.username()));
            }
            None => {}
        }
        secrets.retain(|secret| !secret.is_empty());
        secrets.dedup();
        secrets
    }

    /// Whether `no_proxy` (curl's rules: `*` for every host, a host name that matches
    /// itself and its subdomains, an IP address, a CIDR block; separated by commas) lets
    /// requests to `base_url` bypass this proxy.
    pub(crate) fn bypassed_for(&self, no_proxy: &str, base_url: &Url) -> bool {
        // curl's `*` matches every host; the matcher below applies it to host names only,
        // so an IP address (`https://127.0.0.1`, `https://[::1]`) would still be proxied.
        if no_proxy.split(',').any(|entry| entry.trim() == "*") {
            return true;
        }
        let Ok(destination) = base_url.as_str().parse::<http::Uri>() else {
            return false;
        };
        // The matcher reqwest itself uses; given the proxy without credentials, as only
        // its verdict is wanted.
        let matcher = Matcher::builder()
            .all(self.origin())
            .no(no_proxy.to_owned())
            .build();
        matcher.intercept(&destination).is_none()
    }
}

/// `text` with every secret replaced by `***`.
pub(crate) fn scrub(text: String, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text, |text, secret| text.replace(secret.as_str(), "***"))
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = self.origin();
        if self.0.username().is_empty() && self.0.password().is_none() {
            return f.write_str(&origin);
        }
        let (scheme, rest) = origin.split_once("://").unwrap_or(("http", &origin));
        write!(f, "{scheme}://***@{rest}")
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        let proxy = ProxyUrl::parse(" https://alice:p%40ss-word@proxy.corp:8443/ignored ").unwrap();
        assert_eq!(proxy.to_string(), "https://***@proxy.corp:8443");
        assert_eq!(
            format!("{proxy:?}"),
            "ProxyUrl(https://***@proxy.corp:8443)"
        );
        assert!(proxy.is_https());
        assert_eq!(proxy.secrets(), ["p%40ss-word", "p@ss-word"]);
        assert_eq!(
            scrub(
                "auth p@ss-word and p%40ss-word".to_owned(),
                &proxy.secrets()
            ),
            "auth *** and ***"
        );
        // A user name alone is a token: it is the secret then.
        let token = ProxyUrl::parse("http://tok3n@proxy:3128").unwrap();
        assert_eq!(token.to_string(), "http://***@proxy:3128");
        assert_eq!(token.secrets(), ["tok3n"]);
        assert!(
            ProxyUrl::parse("http://proxy:3128")
                .unwrap()
                .secrets()
                .is_empty()
        );
    }

    #[test]
    fn bad_proxy_urls_are_refused_without_quoting_them() {
        let error = ProxyUrl::parse("socks5://bob:hunter2@proxy:1080").unwrap_err();
        assert_eq!(
            error,
            "proxy scheme `socks5` is not supported; accepted: http, https"
        );
        let error = ProxyUrl::parse("http://bob:hunter2@:3128").unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("expected http://"), "{error}");
        assert_eq!(
            ProxyUrl::parse("proxy.corp").unwrap().to_string(),
            "http://proxy.corp"
        );
    }

    #[test]
    fn each_variable_serves_its_scheme() {
        for (name, https, http) in [
            ("HTTPS_PROXY", true, false),
            ("https_proxy", true, false),
            ("HTTP_PROXY", false, true),
            ("http_proxy", false, true),
            ("ALL_PROXY", true, true),
            ("all_proxy", true, true),
        ] {
            assert_eq!(serves(name, "https"), https, "{name}");
            assert_eq!(serves(name, "http"), http, "{name}");
        }
    }

    #[test]
    fn no_proxy_follows_curl() {
        let proxy = ProxyUrl::parse("http://user:pw@proxy:3128").unwrap();
        let bypassed = |list: &str, url: &str| proxy.bypassed_for(list, &Url::parse(url).unwrap());
        assert!(bypassed("*", "https://api.cloud.llamaindex.ai"));
        // `*` is every host, IP addresses included.
        assert!(bypassed("*", "https://127.0.0.1:8443"));
        assert!(bypassed(" * ", "https://[::1]:8443"));
        assert!(bypassed("example.com, *", "http://10.1.2.3:8787"));
        assert!(bypassed("llamaindex.ai", "https://api.cloud.llamaindex.ai"));
        assert!(bypassed(
            ".llamaindex.ai",
            "https://api.cloud.llamaindex.ai"
        ));
        assert!(bypassed(
            "example.com, API.CLOUD.LLAMAINDEX.AI",
            "https://api.cloud.llamaindex.ai"
        ));
        assert!(!bypassed(
            "cloud.llamaindex",
            "https://api.cloud.llamaindex.ai"
        ));
        assert!(!bypassed("i.ai", "https://api.cloud.llamaindex.ai"));
        assert!(!bypassed("", "https://api.cloud.llamaindex.ai"));
        assert!(bypassed("127.0.0.1", "http://127.0.0.1:8787"));
        assert!(bypassed("10.0.0.0/8", "http://10.1.2.3:8787"));
        assert!(!bypassed("10.0.0.0/8", "http://11.1.2.3:8787"));
        assert!(bypassed("::1", "http://[::1]:8787"));
        assert!(bypassed("localhost", "https://localhost:8443"));
    }
}

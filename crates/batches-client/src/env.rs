//! The environment variables of the official clients, and the network's (proxies), read
//! as layers of settings.

use crate::proxy::{NO_PROXY_VARIABLES, PROXY_VARIABLES};
use crate::settings::Layer;
use crate::source::Source;

/// Environment variable holding the API key.
pub const API_KEY_ENV: &str = "LLAMA_CLOUD_API_KEY";
/// Environment variable read for the API key when [`API_KEY_ENV`] is unset.
pub const API_KEY_FALLBACK_ENV: &str = "LLAMA_PARSE_API_KEY";
/// Environment variable holding the base URL.
pub const BASE_URL_ENV: &str = "LLAMA_CLOUD_BASE_URL";
/// Environment variable holding extra headers, one `Name: value` per line.
pub const CUSTOM_HEADERS_ENV: &str = "LLAMA_CLOUD_CUSTOM_HEADERS";

/// What the environment sets: one layer per variable read, so that each value names its
/// variable. Empty variables count as unset, except the base URL's (refused by the
/// resolver: an empty URL is a mistake, not a wish for the default host). Fails with a message for a variable that is
/// not UTF-8 or headers that are not `Name: value` lines; the message never quotes a
/// value.
pub(crate) fn layers() -> Result<Vec<(Source, Layer)>, String> {
    let mut layers = Vec::new();
    let api_key = match read(API_KEY_ENV)? {
        Some(key) => Some((API_KEY_ENV, key)),
        None => read(API_KEY_FALLBACK_ENV)?.map(|key| (API_KEY_FALLBACK_ENV, key)),
    };
    if let Some((name, key)) = api_key {
        let layer = Layer {
            // A key pasted with its newline: the newline is never part of the key.
            api_key: Some(key.trim().to_owned()),
            ..Layer::default()
        };
        layers.push((Source::Env(name), layer));
    }
    // Set but empty is kept: the resolver refuses it rather than using the default host.
    if let Some(url) = read_set(BASE_URL_ENV)? {
        let layer = Layer {
            base_url: Some(url.trim().to_owned()),
            ..Layer::default()
        };
        layers.push((Source::Env(BASE_URL_ENV), layer));
    }
    if let Some(text) = read(CUSTOM_HEADERS_ENV)? {
        let layer = Layer {
            headers: parse_header_lines(&text)?,
            ..Layer::default()
        };
        layers.push((Source::Env(CUSTOM_HEADERS_ENV), layer));
    }
    Ok(layers)
}

/// What the environment says about the network, which every client honours: a layer for
/// each proxy variable set (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, either case; the
/// resolver picks among them by the endpoint's scheme), and one for `NO_PROXY` (either
/// case). `HTTP_PROXY` is ignored in a CGI program (`REQUEST_METHOD` set), where a
/// request's `Proxy` header would set it. Messages never quote a value.
pub(crate) fn network_layers() -> Result<Vec<(Source, Layer)>, String> {
    let cgi = std::env::var_os("REQUEST_METHOD").is_some();
    let mut layers = Vec::new();
    for name in PROXY_VARIABLES {
        if cgi && name == "HTTP_PROXY" {
            continue;
        }
        if let Some(url) = read(name)? {
            let layer = Layer {
                proxy: Some(url.trim().to_owned()),
                ..Layer::default()
            };
            layers.push((Source::Env(name), layer));
        }
    }
    for name in NO_PROXY_VARIABLES {
        if let Some(hosts) = read(name)? {
            let layer = Layer {
                no_proxy: Some(hosts.trim().to_owned()),
                ..Layer::default()
            };
            layers.push((Source::Env(name), layer));
            break;
        }
    }
    Ok(layers)
}

/// A variable's value; `None` when it is unset or blank.
fn read(name: &str) -> Result<Option<String>, String> {
    Ok(read_set(name)?.filter(|value| !value.trim().is_empty()))
}

/// A variable's value, blank or not; `None` when it is unset.
fn read_set(name: &str) -> Result<Option<String>, String> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not valid UTF-8")),
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

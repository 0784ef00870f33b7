//! The settings in effect: the client's, which `batches_client` resolves from the options
//! over the environment over the profile, and the output format; and the client built
//! from them.

use std::path::PathBuf;

use batches_client::{
    API_KEY_ENV, Client, ClientBuilder, Error, Layer, ProxyUrl, Region, Source, Sourced,
};
use clap::ValueEnum;

use crate::cli::{ConfigKey, Format, GlobalArgs};
use crate::failure::Failure;
use crate::profile::Profile;
use crate::values;

/// The `User-Agent` of the command line.
const USER_AGENT: &str = concat!("llamacloud/", env!("CARGO_PKG_VERSION"));

/// Every setting in effect.
#[derive(Debug)]
pub struct Settings {
    /// The client's settings, each with its source.
    pub client: batches_client::Settings,
    /// The output format.
    pub format: Sourced<Format>,
    /// The layers the client's settings come from, to build the client with.
    builder: ClientBuilder,
}

impl Settings {
    /// Resolves every setting. The options are the explicit layer of the client's
    /// settings and the profile the lowest; the output format is the option's, else the
    /// profile's.
    pub fn resolve(args: &GlobalArgs, profile: &Profile) -> Result<Settings, Failure> {
        let proxy = given(args.proxy.as_deref());
        if let Some(proxy) = &proxy {
            // Checked here so the message names the option; it never quotes the value.
            ProxyUrl::parse(proxy)
                .map_err(|message| Failure::usage(format!("--proxy: {message}")))?;
        }
        let options = Layer {
            // Both kept even when empty: the resolver refuses an empty key or URL instead
            // of falling back to the environment's key or the default host.
            api_key: args.api_key.clone(),
            base_url: args.base_url.clone(),
            region: args.region,
            max_retries: args.max_retries,
            timeout: args.timeout.map(Some),
            ca_bundle: args.ca_bundle.clone(),
            proxy,
            ..Layer::default()
        };
        let builder = ClientBuilder::from_env()
            .layer(Source::Explicit, options)
            .layer(profile_source(profile), profile_layer(profile)?)
            .user_agent(USER_AGENT);
        let client = builder.settings().map_err(|error| match error {
            // Nothing was sent: a usage error, with the sources named as `config show` does.
            Error::EndpointConflict {
                base_url, region, ..
            } => Failure::usage(format!(
                "both a base URL ({}) and a region ({}) are set; give only one",
                origin(&base_url),
                origin(&region)
            )),
            error => Failure::from(error),
        })?;
        let format = match args.format {
            Some(format) => Sourced::new(format, Source::Explicit),
            None => profile_value(profile, ConfigKey::Format, parse_format)?
                .map(|format| Sourced::new(format, profile_source(profile)))
                .unwrap_or_else(|| Sourced::new(Format::Auto, Source::Default)),
        };
        Ok(Settings {
            client,
            format,
            builder,
        })
    }

    /// Builds the client.
    pub fn client(self) -> Result<Client, Failure> {
        if self.client.api_key.is_none() {
            return Err(Failure::Usage {
                message: format!("no API key: pass --api-key or set {API_KEY_ENV}"),
                hint: Some("or store one with `llamacloud config set api-key`".to_owned()),
            });
        }
        Ok(self.builder.build()?)
    }
}

/// A source as `config show` and `--debug` name it: here an explicit value is an option.
pub fn origin(source: &Source) -> String {
    match source {
        Source::Explicit => "option".to_owned(),
        source => source.to_string(),
    }
}

/// An API key as it may be shown: its prefix and last four characters.
pub fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "…".to_owned();
    }
    let prefix: String = chars[..4].iter().collect();
    let suffix: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{suffix}")
}

/// An option's text, trimmed; a blank one counts as not given.
fn given(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

fn profile_source(profile: &Profile) -> Source {
    Source::Profile(profile.name.clone())
}

/// The client's settings in the profile.
fn profile_layer(profile: &Profile) -> Result<Layer, Failure> {
    Ok(Layer {
        api_key: profile.get(ConfigKey::ApiKey),
        base_url: profile.get(ConfigKey::BaseUrl),
        region: profile_value(profile, ConfigKey::Region, parse_region)?,
        max_retries: profile_value(profile, ConfigKey::MaxRetries, parse_retries)?,
        timeout: profile_value(profile, ConfigKey::Timeout, values::parse_duration)?.map(Some),
        ca_bundle: profile.get(ConfigKey::CaBundle).map(PathBuf::from),
        proxy: profile_value(profile, ConfigKey::Proxy, |text| {
            ProxyUrl::parse(text).map(|_| text.to_owned())
        })?,
        ..Layer::default()
    })
}

/// A setting of the profile, parsed, with a message naming the setting and the profile.
fn profile_value<T>(
    profile: &Profile,
    key: ConfigKey,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, Failure> {
    profile
        .get(key)
        .map(|text| {
            parse(&text).map_err(|message| {
                Failure::usage(format!(
                    "setting `{}` of {}: {message}",
                    key.file_key(),
                    profile_source(profile)
                ))
            })
        })
        .transpose()
}

/// Parses a region name, naming the accepted ones.
pub fn parse_region(text: &str) -> Result<Region, String> {
    text.parse::<Region>().map_err(|_| {
        format!(
            "unknown region `{text}`; accepted: {}",
            Region::ALL.map(Region::as_str).join(", ")
        )
    })
}

/// Parses a number of retries.
pub fn parse_retries(text: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .map_err(|_| format!("`{text}` is not a whole number of retries"))
}

/// Parses a format name, naming the accepted ones.
pub fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_str(text, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|format| format.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        format!("unknown format `{text}`; accepted: {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_redacted() {
        assert_eq!(redact("llx-abcdefghijklmnop"), "llx-…mnop");
        assert_eq!(redact("short-key"), "…");
    }

    #[test]
    fn bad_names_list_the_accepted_ones() {
        assert_eq!(
            parse_region("us").unwrap_err(),
            "unknown region `us`; accepted: na, eu"
        );
        assert_eq!(parse_region("EU").unwrap(), Region::Eu);
        assert_eq!(
            parse_format("xml").unwrap_err(),
            "unknown format `xml`; accepted: auto, json, jsonl, yaml, table, raw"
        );
    }

    #[test]
    fn sources_are_named_as_on_the_command_line() {
        assert_eq!(origin(&Source::Explicit), "option");
        assert_eq!(
            origin(&Source::Env("LLAMA_CLOUD_API_KEY")),
            "env LLAMA_CLOUD_API_KEY"
        );
        assert_eq!(
            origin(&Source::Profile("local".to_owned())),
            "profile local"
        );
        assert_eq!(origin(&Source::Default), "default");
    }
}

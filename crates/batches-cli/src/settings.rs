//! The settings in effect: each from a flag, else the environment, else the profile, else
//! the default; and the client built from them.

use std::fmt;
use std::time::Duration;

use batches_client::{
    API_KEY_ENV, API_KEY_FALLBACK_ENV, BASE_URL_ENV, Client, ClientBuilder, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT, Region,
};
use clap::ValueEnum;
use clap::parser::ValueSource;

use crate::cli::{ConfigKey, Format, GlobalArgs, RegionArg};
use crate::failure::Failure;
use crate::profile::Profile;
use crate::values;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line option.
    Flag,
    /// An environment variable.
    Env(&'static str),
    /// The profile of the configuration file.
    Profile(String),
    /// Built in.
    Default,
}

impl Source {
    /// Flag beats environment beats profile beats default.
    fn rank(&self) -> u8 {
        match self {
            Source::Flag => 3,
            Source::Env(_) => 2,
            Source::Profile(_) => 1,
            Source::Default => 0,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("option"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::Profile(name) => write!(f, "profile {name}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    pub source: Source,
}

impl<T> Sourced<T> {
    /// A value no option, variable or profile set.
    fn built_in(value: T) -> Sourced<T> {
        Sourced {
            value,
            source: Source::Default,
        }
    }
}

/// Where requests go.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// An explicit base URL.
    Url(String),
    /// A region's host.
    Region(Region),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Url(url) => f.write_str(url),
            Endpoint::Region(region) => write!(f, "{} (region {region})", region.base_url()),
        }
    }
}

/// Every setting in effect.
#[derive(Debug)]
pub struct Settings {
    /// The API key.
    pub api_key: Option<Sourced<String>>,
    /// Where requests go.
    pub endpoint: Sourced<Endpoint>,
    /// Retries of a failed request.
    pub max_retries: Sourced<u32>,
    /// Time allowed for each request.
    pub timeout: Sourced<Duration>,
    /// The output format.
    pub format: Sourced<Format>,
}

impl Settings {
    /// Resolves every setting. `matches` tells an option from its environment variable.
    pub fn resolve(
        args: &GlobalArgs,
        matches: &clap::ArgMatches,
        profile: &Profile,
    ) -> Result<Settings, Failure> {
        let origin = |id: &str, env: &'static str| match matches.value_source(id) {
            Some(ValueSource::EnvVariable) => Source::Env(env),
            _ => Source::Flag,
        };
        let from_args = |value: Option<&String>, id: &str, env: &'static str| {
            value
                .filter(|text| !text.trim().is_empty())
                .map(|text| Sourced {
                    value: text.trim().to_owned(),
                    source: origin(id, env),
                })
        };
        let from_profile = |key: ConfigKey| profile_setting(profile, key);

        let api_key = from_args(args.api_key.as_ref(), "api_key", API_KEY_ENV)
            .or_else(|| {
                std::env::var(API_KEY_FALLBACK_ENV)
                    .ok()
                    .filter(|key| !key.trim().is_empty())
                    .map(|key| Sourced {
                        value: key.trim().to_owned(),
                        source: Source::Env(API_KEY_FALLBACK_ENV),
                    })
            })
            .or_else(|| from_profile(ConfigKey::ApiKey));

        let base_url = from_args(args.base_url.as_ref(), "base_url", BASE_URL_ENV)
            .or_else(|| from_profile(ConfigKey::BaseUrl));
        let region = flag_or_profile(args.region, profile, ConfigKey::Region, parse_region)?;
        let endpoint = match (base_url, region) {
            (Some(url), Some(region)) if url.source.rank() == region.source.rank() => {
                return Err(Failure::usage(format!(
                    "both a base URL ({}) and a region ({}) are set; give only one",
                    url.source, region.source
                )));
            }
            (Some(url), Some(region)) if region.source.rank() > url.source.rank() => {
                region_endpoint(region)
            }
            (Some(url), _) => Sourced {
                value: Endpoint::Url(url.value),
                source: url.source,
            },
            (None, Some(region)) => region_endpoint(region),
            (None, None) => Sourced::built_in(Endpoint::Region(Region::Na)),
        };

        let max_retries =
            flag_or_profile(args.max_retries, profile, ConfigKey::MaxRetries, |text| {
                text.parse::<u32>()
                    .map_err(|_| format!("`{text}` is not a whole number of retries"))
            })?
            .unwrap_or_else(|| Sourced::built_in(DEFAULT_MAX_RETRIES));
        let timeout = flag_or_profile(
            args.timeout,
            profile,
            ConfigKey::Timeout,
            values::parse_duration,
        )?
        .unwrap_or_else(|| Sourced::built_in(DEFAULT_TIMEOUT));
        let format = flag_or_profile(args.format, profile, ConfigKey::Format, parse_format)?
            .unwrap_or_else(|| Sourced::built_in(Format::Auto));
        Ok(Settings {
            api_key,
            endpoint,
            max_retries,
            timeout,
            format,
        })
    }

    /// Builds the client.
    pub fn client(&self) -> Result<Client, Failure> {
        let Some(api_key) = &self.api_key else {
            return Err(Failure::Usage {
                message: format!("no API key: pass --api-key or set {API_KEY_ENV}"),
                hint: Some("or store one with `llamacloud config set api-key`".to_owned()),
            });
        };
        // Custom headers and their checks come from the environment, as in the official
        // clients; everything else was resolved above.
        let builder = ClientBuilder::from_env()
            .api_key(api_key.value.clone())
            .max_retries(self.max_retries.value)
            .timeout(self.timeout.value)
            .user_agent(concat!("llamacloud/", env!("CARGO_PKG_VERSION")));
        let builder = match &self.endpoint.value {
            Endpoint::Url(url) => builder.base_url(url.clone()),
            Endpoint::Region(region) => builder.region(*region),
        };
        Ok(builder.build()?)
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

fn region_endpoint(region: Sourced<RegionArg>) -> Sourced<Endpoint> {
    Sourced {
        value: Endpoint::Region(match region.value {
            RegionArg::Na => Region::Na,
            RegionArg::Eu => Region::Eu,
        }),
        source: region.source,
    }
}

/// Parses a profile value, with a message naming the file, the profile and the key.
/// A setting of the profile, as text.
fn profile_setting(profile: &Profile, key: ConfigKey) -> Option<Sourced<String>> {
    profile.get(key).map(|value| Sourced {
        value,
        source: Source::Profile(profile.name.clone()),
    })
}

/// A setting given by its flag, else by the profile (parsed), else none.
fn flag_or_profile<T>(
    flag: Option<T>,
    profile: &Profile,
    key: ConfigKey,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<Sourced<T>>, Failure> {
    if let Some(value) = flag {
        return Ok(Some(Sourced {
            value,
            source: Source::Flag,
        }));
    }
    profile_setting(profile, key)
        .map(|sourced| parse_setting(key, sourced, parse))
        .transpose()
}

fn parse_setting<T>(
    key: ConfigKey,
    sourced: Sourced<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Sourced<T>, Failure> {
    match parse(&sourced.value) {
        Ok(value) => Ok(Sourced {
            value,
            source: sourced.source,
        }),
        Err(message) => Err(Failure::usage(format!(
            "setting `{}` of {}: {message}",
            key.file_key(),
            sourced.source
        ))),
    }
}

/// Parses a region name, naming the accepted ones.
pub fn parse_region(text: &str) -> Result<RegionArg, String> {
    RegionArg::from_str(text, true)
        .map_err(|_| format!("unknown region `{text}`; accepted: na, eu"))
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
        assert_eq!(parse_region("EU").unwrap(), RegionArg::Eu);
        assert_eq!(
            parse_format("xml").unwrap_err(),
            "unknown format `xml`; accepted: auto, json, jsonl, yaml, table, raw"
        );
    }
}

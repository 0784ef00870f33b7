//! `config`: show the settings in effect, change a profile.

use std::io::{IsTerminal, Read, Write};

use batches_client::{ClientBuilder, ProxyUrl, Source};
use clap::ValueEnum;
use serde_json::json;

use super::context::setup;
use crate::cli::{ConfigCommand, ConfigKey, GlobalArgs};
use crate::console::Console;
use crate::failure::Failure;
use crate::output::write_stdout;
use crate::profile::{self, DEFAULT_PROFILE};
use crate::settings::{origin, parse_format, parse_region, parse_retries, redact};
use crate::values::{format_duration, parse_duration};

/// Runs a `config` command.
pub fn run(command: ConfigCommand, global: &GlobalArgs, console: &Console) -> Result<(), Failure> {
    match command {
        ConfigCommand::Show => show(global, console),
        ConfigCommand::Set { key, value } => {
            let value = match value {
                Some(value) => value,
                None => read_value(key)?,
            };
            let stored = checked_value(key, value.trim())?;
            let name = global.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
            let path = profile::store(name, key, Some(stored))?;
            console.note(&format!(
                "set {} in profile {name} ({})",
                key.file_key(),
                path.display()
            ));
            Ok(())
        }
        ConfigCommand::Unset { key } => {
            let name = global.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
            let path = profile::store(name, key, None)?;
            console.note(&format!(
                "removed {} from profile {name} ({})",
                key.file_key(),
                path.display()
            ));
            Ok(())
        }
        ConfigCommand::Path => {
            let path = profile::path()?;
            write_stdout(format!("{}\n", path.display()).as_bytes())
        }
    }
}

fn show(global: &GlobalArgs, console: &Console) -> Result<(), Failure> {
    let (profile, settings, mut printer) = setup(global, console)?;
    if printer.is_raw() {
        return Err(Failure::usage(
            "config show has no raw response; use table, json, jsonl or yaml",
        ));
    }
    let format_name = settings
        .format
        .value
        .to_possible_value()
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default();
    let client = &settings.client;
    let mut rows: Vec<(&str, String, &Source)> = vec![
        match &client.api_key {
            Some(key) => ("api_key", redact(&key.value), &key.source),
            None => ("api_key", "(none)".to_owned(), &Source::Default),
        },
        (
            "endpoint",
            client.endpoint.value.to_string(),
            &client.endpoint.source,
        ),
        (
            "max_retries",
            client.max_retries.value.to_string(),
            &client.max_retries.source,
        ),
        (
            "timeout",
            client
                .timeout
                .value
                .map_or_else(|| "none".to_owned(), format_duration),
            &client.timeout.source,
        ),
        ("format", format_name, &settings.format.source),
        match &client.ca_bundle {
            Some(bundle) => (
                "ca_bundle",
                bundle.value.display().to_string(),
                &bundle.source,
            ),
            None => ("ca_bundle", "(none)".to_owned(), &Source::Default),
        },
        (
            "proxy",
            // Displayed without its credentials.
            client
                .proxy
                .value
                .as_ref()
                .map_or_else(|| "none".to_owned(), ToString::to_string),
            &client.proxy.source,
        ),
    ];
    if let Some(no_proxy) = &client.no_proxy {
        rows.push(("no_proxy", no_proxy.value.clone(), &no_proxy.source));
    }
    if printer.is_table() {
        let mut text = format!(
            "profile      {} ({})\n",
            profile.name,
            profile.path.display()
        );
        for (name, value, source) in &rows {
            text.push_str(&format!("{name:<12} {value}  ({})\n", origin(source)));
        }
        return write_stdout(text.as_bytes());
    }
    let mut document = json!({"profile": profile.name, "path": profile.path.display().to_string()});
    for (name, value, source) in rows {
        document[name] = json!({"value": value, "source": origin(source)});
    }
    printer.single(&serde_json::to_vec(&document).expect("settings encode"))
}

/// Reads a value from stdin (so that a key stays out of the shell history).
fn read_value(key: ConfigKey) -> Result<String, Failure> {
    if std::io::stdin().is_terminal() {
        // A closed stderr only loses the prompt.
        let _ = write!(std::io::stderr(), "{}: ", key.file_key());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| Failure::usage(format!("cannot read the value from stdin: {error}")))?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

/// Checks a value the way it will be used, and gives the TOML value to store.
fn checked_value(key: ConfigKey, value: &str) -> Result<toml::Value, Failure> {
    let invalid = |message: String| Failure::usage(format!("{}: {message}", key.file_key()));
    if value.is_empty() {
        return Err(invalid("the value is empty".to_owned()));
    }
    Ok(match key {
        ConfigKey::ApiKey => toml::Value::String(value.to_owned()),
        ConfigKey::BaseUrl => {
            ClientBuilder::new()
                .api_key("check")
                .base_url(value)
                .build()
                .map_err(|error| invalid(error.to_string()))?;
            toml::Value::String(value.to_owned())
        }
        ConfigKey::Region => {
            parse_region(value).map_err(invalid)?;
            toml::Value::String(value.to_ascii_lowercase())
        }
        ConfigKey::MaxRetries => {
            toml::Value::Integer(parse_retries(value).map_err(invalid)?.into())
        }
        ConfigKey::Timeout => {
            parse_duration(value).map_err(invalid)?;
            toml::Value::String(value.to_owned())
        }
        ConfigKey::Format => {
            parse_format(value).map_err(invalid)?;
            toml::Value::String(value.to_ascii_lowercase())
        }
        ConfigKey::CaBundle => {
            // Stored absolute, so the profile means the same file from any directory.
            let path = std::fs::canonicalize(value)
                .map_err(|error| invalid(format!("cannot read {value}: {error}")))?;
            ClientBuilder::new()
                .api_key("check")
                .base_url("http://127.0.0.1")
                .ca_bundle(&path)
                .build()
                .map_err(|error| invalid(error.to_string()))?;
            toml::Value::String(path.display().to_string())
        }
        ConfigKey::Proxy => {
            ProxyUrl::parse(value).map_err(invalid)?;
            toml::Value::String(value.to_owned())
        }
    })
}

//! `webhooks listen`, `webhook-configs …`, and the webhook options of the commands that
//! create batches.

use batches_client::{WebhookConfiguration, WebhookEventType, WebhookOutputFormat};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};

use super::ScopeArgs;
use crate::failure::Failure;

/// The variable `webhooks listen` reads the signing secret from unless told another.
pub const DEFAULT_SECRET_ENV: &str = "LLAMACLOUD_WEBHOOK_SECRET";

/// The webhooks a command that creates batches tells of their events. The secret is read
/// from the environment, never from the command line.
#[derive(Debug, Clone, Default, Args)]
pub struct WebhookArgs {
    /// Send the batch's events to this URL (repeatable)
    #[arg(long, value_name = "URL")]
    pub webhook_url: Vec<String>,
    /// Sign the deliveries to --webhook-url with the secret in this environment variable
    #[arg(long, value_name = "VAR", requires = "webhook_url")]
    pub webhook_secret_env: Option<String>,
    /// Send only this event to --webhook-url (repeatable) [default: every event]
    #[arg(long, value_name = "EVENT", requires = "webhook_url", value_parser = event_parser())]
    pub webhook_event: Vec<WebhookEventType>,
}

impl WebhookArgs {
    /// One configuration per `--webhook-url`, each with the events asked for and the
    /// secret read from `--webhook-secret-env`.
    pub fn configurations(&self) -> Result<Vec<WebhookConfiguration>, Failure> {
        let secret = self
            .webhook_secret_env
            .as_deref()
            .map(|name| secret_from_env(name, "--webhook-secret-env"))
            .transpose()?;
        let events = (!self.webhook_event.is_empty()).then(|| self.webhook_event.clone());
        Ok(self
            .webhook_url
            .iter()
            .map(|url| WebhookConfiguration {
                webhook_url: Some(url.clone()),
                webhook_events: events.clone(),
                webhook_signing_secret: secret.clone(),
                ..WebhookConfiguration::default()
            })
            .collect())
    }
}

/// The value of the environment variable `name`, which holds a signing secret; refused
/// when unset or empty. The message names the variable and `option`, never the value.
pub fn secret_from_env(name: &str, option: &str) -> Result<String, Failure> {
    match std::env::var(name) {
        Ok(secret) if !secret.is_empty() => Ok(secret),
        Ok(_) => Err(Failure::usage(format!(
            "the environment variable {name} ({option}) is empty; set it to the webhook's \
             signing secret"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Failure::usage(format!(
            "the environment variable {name} ({option}) is not set; set it to the webhook's \
             signing secret"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::usage(format!(
            "the environment variable {name} ({option}) is not UTF-8 text"
        ))),
    }
}

/// `llamacloud webhooks …`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Receive webhook deliveries on 127.0.0.1: verify each one's signature, print its
    /// event, and pass it on to your application with --forward-to
    #[command(long_about = LISTEN_HELP)]
    Listen(ListenArgs),
}

const LISTEN_HELP: &str = "Receive webhook deliveries on 127.0.0.1, on any path: each one's \
    LC-Signature is checked against the signing secret; a verified delivery is answered 2xx \
    and its event printed on stdout, one line each (the batch id included, in any --format); \
    any other is answered 401, with a line on stderr. With --forward-to, a verified delivery \
    is passed on unchanged (body and headers) to your application, whose answer is printed \
    on stderr and sent back. Needs no API key and sends nothing to the API. Point a webhook \
    at the URL it prints, e.g. `llamacloud batches create … --webhook-url URL \
    --webhook-secret-env LLAMACLOUD_WEBHOOK_SECRET`. Stops with Ctrl-C.";

/// `webhooks listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one, printed on stderr
    #[arg(long, value_name = "P", default_value_t = 0)]
    pub port: u16,
    /// Environment variable holding the signing secret the deliveries are checked with
    #[arg(long, value_name = "VAR", default_value = DEFAULT_SECRET_ENV)]
    pub secret_env: String,
    /// Pass each verified delivery on to this URL (your application), and its answer back
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
}

/// `llamacloud webhook-configs …`
#[derive(Debug, Subcommand)]
pub enum WebhookConfigsCommand {
    /// Save a webhook configuration, for `batches create --webhook-configuration-id`
    #[command(
        after_help = "Other fields (webhook_headers, …) can be given as a JSON body on \
        stdin; options override its fields. The secret is never printed."
    )]
    Create(Box<WebhookConfigArgs>),
    /// List the saved webhook configurations, newest first
    List {
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Show one saved webhook configuration
    Get {
        /// The configuration id (whc-…)
        id: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Change a saved webhook configuration: only the fields given change
    #[command(
        after_help = "Other fields (webhook_headers, …) can be given as a JSON body on \
        stdin; options override its fields. --secret-env rotates the secret."
    )]
    Update {
        /// The configuration id (whc-…)
        id: String,
        #[command(flatten)]
        config: Box<WebhookConfigArgs>,
    },
    /// Delete a saved webhook configuration
    Delete {
        /// The configuration id (whc-…)
        id: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
}

/// The fields of a saved configuration that options give.
#[derive(Debug, Clone, Args)]
pub struct WebhookConfigArgs {
    /// The URL the deliveries go to
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// An event to deliver (repeatable) [default: every event]
    #[arg(long, value_name = "EVENT", value_parser = event_parser())]
    pub event: Vec<WebhookEventType>,
    /// The delivery body's content type: string (text/plain) or json (application/json)
    #[arg(long, value_name = "FORMAT", value_parser = format_parser())]
    pub output_format: Option<WebhookOutputFormat>,
    /// Environment variable holding the signing secret (the secret is never printed)
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// The known batch events.
fn event_parser() -> impl TypedValueParser<Value = WebhookEventType> {
    PossibleValuesParser::new(
        WebhookEventType::KNOWN
            .iter()
            .map(|event| PossibleValue::new(event.as_str())),
    )
    .map(WebhookEventType::from)
}

/// The known output formats.
fn format_parser() -> impl TypedValueParser<Value = WebhookOutputFormat> {
    PossibleValuesParser::new(
        WebhookOutputFormat::KNOWN
            .iter()
            .map(|format| PossibleValue::new(format.as_str())),
    )
    .map(WebhookOutputFormat::from)
}

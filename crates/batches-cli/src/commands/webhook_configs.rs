//! `webhook-configs create|list|get|update|delete`: the saved webhook configurations.
//!
//! What the server sends is printed as sent, except that every `webhook_headers` value is
//! replaced by `[redacted]` (also with `--format raw`): those headers carry the
//! receiver's credentials, and no secret is printed. The signing secret itself is never in
//! an answer.

use std::io::IsTerminal;

use batches_client::{
    CreateWebhookConfigRequest, RawValue, UpdateWebhookConfigRequest, WebhookConfigParams,
};
use serde_json::{Map, Value, json};

use super::Context;
use super::batch::read_stdin_body;
use crate::cli::{ScopeArgs, WebhookConfigArgs, WebhookConfigsCommand, secret_from_env};
use crate::failure::Failure;
use crate::output::Rows;

/// What a header value is printed as.
const REDACTED: &str = "[redacted]";

/// Runs a `webhook-configs` command.
pub async fn run(context: &mut Context, command: WebhookConfigsCommand) -> Result<(), Failure> {
    context.printer.show(Rows::WebhookConfigs);
    let configs = context.client.webhook_configs();
    match command {
        WebhookConfigsCommand::Create(args) => {
            let body = fields(&args)?;
            if !body.contains_key("webhook_url") {
                return Err(Failure::usage(
                    "no URL: pass --url URL (or webhook_url in a JSON body on stdin)",
                ));
            }
            let request: CreateWebhookConfigRequest = decode(body)?;
            let response = context
                .interrupt
                .race(configs.create(&request, &params(&args.scope)))
                .await??;
            print_one(context, &response.raw)
        }
        WebhookConfigsCommand::List { scope } => {
            let response = context
                .interrupt
                .race(configs.list(&params(&scope)))
                .await??;
            let items: Vec<Box<RawValue>> =
                serde_json::from_slice(&response.raw).map_err(|error| {
                    Failure::Unreadable(format!("the listing is not an array: {error}"))
                })?;
            for item in items {
                context.printer.list_item(&redacted(item.get())?)?;
            }
            context.printer.end_list()?;
            Ok(())
        }
        WebhookConfigsCommand::Get { id, scope } => {
            let response = context
                .interrupt
                .race(configs.get(&id, &params(&scope)))
                .await??;
            print_one(context, &response.raw)
        }
        WebhookConfigsCommand::Update { id, config } => {
            let body = fields(&config)?;
            if body.is_empty() {
                return Err(Failure::usage(
                    "nothing to change: pass --url, --event, --output-format or --secret-env \
                     (or a JSON body on stdin)",
                ));
            }
            let request: UpdateWebhookConfigRequest = decode(body)?;
            let response = context
                .interrupt
                .race(configs.update(&id, &request, &params(&config.scope)))
                .await??;
            print_one(context, &response.raw)
        }
        WebhookConfigsCommand::Delete { id, scope } => {
            context
                .interrupt
                .race(configs.delete(&id, &params(&scope)))
                .await??;
            context
                .console
                .note(&format!("deleted webhook configuration {id}"));
            Ok(())
        }
    }
}

fn params(scope: &ScopeArgs) -> WebhookConfigParams {
    let (organization_id, project_id) = scope.ids();
    WebhookConfigParams {
        organization_id,
        project_id,
    }
}

/// The request's fields: a JSON body on stdin (when it is not a terminal), with the
/// options over it; the secret read from the variable `--secret-env` names.
fn fields(args: &WebhookConfigArgs) -> Result<Map<String, Value>, Failure> {
    let mut body = if std::io::stdin().is_terminal() {
        Map::new()
    } else {
        read_stdin_body()?
    };
    if let Some(url) = &args.url {
        body.insert("webhook_url".into(), json!(url));
    }
    if !args.event.is_empty() {
        let events: Vec<&str> = args.event.iter().map(|event| event.as_str()).collect();
        body.insert("webhook_events".into(), json!(events));
    }
    if let Some(format) = &args.output_format {
        body.insert("webhook_output_format".into(), json!(format.as_str()));
    }
    if let Some(name) = &args.secret_env {
        let secret = secret_from_env(name, "--secret-env")?;
        body.insert("webhook_signing_secret".into(), json!(secret));
    }
    Ok(body)
}

fn decode<T: serde::de::DeserializeOwned>(body: Map<String, Value>) -> Result<T, Failure> {
    serde_json::from_value(Value::Object(body))
        .map_err(|error| Failure::usage(format!("the webhook configuration is not valid: {error}")))
}

fn print_one(context: &mut Context, raw: &[u8]) -> Result<(), Failure> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| Failure::Unreadable("the configuration is not UTF-8 text".into()))?;
    context.printer.single(redacted(text)?.as_bytes())
}

/// The configuration's JSON with each header value replaced; the exact text when it has
/// no headers.
fn redacted(json: &str) -> Result<String, Failure> {
    let mut value: Value = serde_json::from_str(json)
        .map_err(|error| Failure::Unreadable(format!("the configuration is not JSON: {error}")))?;
    let Some(Value::Object(headers)) = value.get_mut("webhook_headers") else {
        return Ok(json.to_owned());
    };
    if headers.is_empty() {
        return Ok(json.to_owned());
    }
    for header in headers.values_mut() {
        *header = json!(REDACTED);
    }
    Ok(value.to_string())
}

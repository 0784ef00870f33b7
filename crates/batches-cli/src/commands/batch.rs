//! The single-batch commands: `get`, `create`, `cancel`, `wait`.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use batches_client::{
    BatchStatus, CancelBatchParams, CreateBatchParams, CreateBatchRequest, CreateOptions,
    GetBatchParams, WaitOptions,
};
use serde_json::{Map, Value, json};

use super::Context;
use crate::cli::{CreateArgs, ScopeArgs};
use crate::console::wait_status;
use crate::failure::Failure;

/// The longest pause between two status checks of a wait.
const MAX_INTERVAL: Duration = Duration::from_secs(10);

/// `batches get`.
pub async fn get(
    context: &mut Context,
    id: &str,
    expand: Vec<String>,
    scope: ScopeArgs,
) -> Result<(), Failure> {
    let (organization_id, project_id) = scope.ids();
    let params = GetBatchParams {
        expand: (!expand.is_empty()).then_some(expand),
        organization_id,
        project_id,
    };
    let response = context
        .interrupt
        .race(context.client.batches().get(id, &params))
        .await??;
    context.printer.single(&response.raw)
}

/// `batches cancel`.
pub async fn cancel(context: &mut Context, id: &str, scope: ScopeArgs) -> Result<(), Failure> {
    let (organization_id, project_id) = scope.ids();
    let params = CancelBatchParams {
        organization_id,
        project_id,
    };
    let response = context
        .interrupt
        .race(context.client.batches().cancel(id, &params))
        .await??;
    context.printer.single(&response.raw)
}

/// `batches create`, and with `--wait` the wait that follows.
pub async fn create(context: &mut Context, args: CreateArgs) -> Result<(), Failure> {
    let request = create_request(&args)?;
    let (organization_id, project_id) = args.scope.ids();
    let options = CreateOptions {
        idempotency_key: args.idempotency_key.clone(),
        params: CreateBatchParams {
            organization_id,
            project_id,
        },
    };
    let response = context
        .interrupt
        .race(context.client.batches().create(&request, &options))
        .await??;
    if !args.wait {
        return context.printer.single(&response.raw);
    }
    context
        .console
        .note(&format!("created batch {}", response.value.id));
    wait(context, &response.value.id, None, args.interval, args.scope).await
}

/// `batches wait`: polls until the batch finishes, then prints it with its results.
pub async fn wait(
    context: &mut Context,
    id: &str,
    timeout: Option<Duration>,
    interval: Duration,
    scope: ScopeArgs,
) -> Result<(), Failure> {
    if interval.is_zero() {
        return Err(Failure::usage(
            "--interval must be more than zero, e.g. 500ms or 2s",
        ));
    }
    let (organization_id, project_id) = scope.ids();
    let params = GetBatchParams {
        expand: Some(vec!["results".to_owned()]),
        organization_id,
        project_id,
    };
    let progress = context.console.wait_progress(id);
    let shown = progress.clone();
    let options = WaitOptions::new()
        .interval(interval)
        .max_interval(interval.max(MAX_INTERVAL))
        .timeout(timeout)
        .params(params.clone())
        .on_poll(move |batch| shown.set_message(wait_status(batch)));
    let waited = context
        .interrupt
        .race(context.client.batches().wait(id, options))
        .await;
    progress.finish_and_clear();
    let response = waited??;
    context.printer.single(&response.raw)?;
    match &response.value.status {
        BatchStatus::Failed | BatchStatus::Cancelled => Err(Failure::BatchEnded {
            batch_id: id.to_owned(),
            status: response.value.status.to_string(),
        }),
        _ => Ok(()),
    }
}

/// The create request from the options, on top of a JSON body from stdin when neither
/// `--config` nor `--job-type` is given.
fn create_request(args: &CreateArgs) -> Result<CreateBatchRequest, Failure> {
    let mut body = match (&args.config, &args.job_type) {
        (None, None) if !std::io::stdin().is_terminal() => read_stdin_body()?,
        _ => Map::new(),
    };
    if let Some(id) = &args.source_directory_id {
        body.insert("source_directory_id".to_owned(), json!(id));
    }
    if let Some(config) = &args.config {
        body.insert("config".to_owned(), parse_config(config)?);
    }
    if let (Some(job_type), Some(configuration_id)) = (&args.job_type, &args.configuration_id) {
        body.insert(
            "config".to_owned(),
            json!({"job": {"type": job_type.as_str(), "configuration_id": configuration_id}}),
        );
    }
    append(
        &mut body,
        "webhook_configuration_ids",
        args.webhook_configuration_id.iter().map(|id| json!(id)),
    )?;
    let hooks = args.webhooks.configurations()?;
    append(
        &mut body,
        "webhook_configurations",
        hooks
            .iter()
            .map(|hook| serde_json::to_value(hook).expect("a configuration always serializes")),
    )?;

    if !body.contains_key("source_directory_id") {
        return Err(Failure::usage(
            "no source directory: pass --source-directory-id ID (or source_directory_id in a \
             JSON body on stdin)",
        ));
    }
    if !body.contains_key("config") {
        return Err(Failure::usage(
            "no batch configuration: pass --job-type (parse_v2, extract_v2) with \
             --configuration-id, or --config JSON|@FILE, or a JSON body on stdin",
        ));
    }
    serde_json::from_value(Value::Object(body))
        .map_err(|error| Failure::usage(format!("the create request is not valid: {error}")))
}

/// A JSON object read from stdin; an empty stdin is an empty object.
pub(super) fn read_stdin_body() -> Result<Map<String, Value>, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| {
            Failure::usage(format!("cannot read the request body from stdin: {error}"))
        })?;
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str(&text) {
        Ok(Value::Object(body)) => Ok(body),
        Ok(_) => Err(Failure::usage(
            "the request body on stdin must be a JSON object",
        )),
        Err(error) => Err(Failure::usage(format!(
            "the request body on stdin is not JSON: {error}"
        ))),
    }
}

/// `--config`: JSON, or `@FILE` holding it.
fn parse_config(config: &str) -> Result<Value, Failure> {
    let (text, origin) = match config.strip_prefix('@') {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|error| {
                Failure::usage(format!("cannot read --config file {path}: {error}"))
            })?,
            path,
        ),
        None => (config.to_owned(), "--config"),
    };
    match serde_json::from_str(&text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(Failure::usage(format!(
            "{origin} must be a JSON object such as {{\"job\": {{\"type\": \"parse_v2\", \"configuration_id\": \"cfg-PARSE_AGENTIC\"}}}}"
        ))),
        Err(error) => Err(Failure::usage(format!("{origin} is not JSON: {error}"))),
    }
}

/// Adds values to an array field of the body, creating it when absent.
fn append(
    body: &mut Map<String, Value>,
    field: &str,
    values: impl Iterator<Item = Value>,
) -> Result<(), Failure> {
    let mut values = values.peekable();
    if values.peek().is_none() {
        return Ok(());
    }
    let entry = body
        .entry(field.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if entry.is_null() {
        *entry = Value::Array(Vec::new());
    }
    match entry {
        Value::Array(items) => {
            items.extend(values);
            Ok(())
        }
        _ => Err(Failure::usage(format!(
            "`{field}` in the request body must be an array"
        ))),
    }
}

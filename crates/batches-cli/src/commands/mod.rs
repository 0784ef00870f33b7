//! What each command does. This module dispatches, and for the commands that talk to the
//! API builds the client, the runtime and (with `--debug`) the tracing; what they share is in
//! `context`.

mod batch;
mod config;
mod context;
mod directories;
mod engine;
mod jobs;
mod list;
mod listen;
mod listing;
mod report;
mod resume_command;
mod run;
mod stats;
mod webhook_configs;

use clap::CommandFactory;

use context::{Context, Interrupt, setup};

use crate::cli::{
    BatchesCommand, Cli, Command, DirectoriesCommand, ExtractCommand, GlobalArgs, ParseCommand,
    WebhookConfigsCommand, WebhooksCommand,
};
use crate::console::Console;
use crate::failure::Failure;
use crate::output::write_stdout;
use crate::profile::Profile;
use crate::settings::{Settings, origin, redact};

/// Runs a parsed command line.
pub fn run(cli: Cli, console: &Console) -> Result<(), Failure> {
    match cli.command {
        Command::Completion { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "llamacloud", &mut script);
            write_stdout(&script)
        }
        Command::Config(command) => config::run(command, &cli.global, console),
        // Local: reads and writes an export folder, no API key.
        Command::Batches(BatchesCommand::Report { dir }) => report::run(&dir),
        Command::Batches(command) => api(Api::Batches(command), &cli.global, console),
        Command::Directories(command) => api(Api::Directories(command), &cli.global, console),
        Command::Parse(command) => api(Api::Parse(command), &cli.global, console),
        Command::Extract(command) => api(Api::Extract(command), &cli.global, console),
        // A local receiver: no API key, no request to the API.
        Command::Webhooks(WebhooksCommand::Listen(args)) => listen::run(args, &cli.global, console),
        Command::WebhookConfigs(command) => api(Api::WebhookConfigs(command), &cli.global, console),
    }
}

/// The commands that talk to the API.
enum Api {
    Batches(BatchesCommand),
    Directories(DirectoriesCommand),
    Parse(ParseCommand),
    Extract(ExtractCommand),
    WebhookConfigs(WebhookConfigsCommand),
}

fn api(command: Api, global: &GlobalArgs, console: &Console) -> Result<(), Failure> {
    // Under `wait` and `run`, --timeout is the wait's own limit (clap shares the option's
    // name and value with the global one), not each request's.
    let request_args = match command {
        Api::Batches(BatchesCommand::Wait { .. } | BatchesCommand::Run(_)) => GlobalArgs {
            timeout: None,
            ..global.clone()
        },
        _ => global.clone(),
    };
    let (profile, settings, printer) = setup(&request_args, console)?;
    if global.debug {
        debug_settings(console, &settings, &profile);
    }
    let client = settings.client()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        // One worker fetches the next page while the main thread prints this one.
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|error| Failure::usage(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(async move {
        let mut context = Context {
            client,
            printer,
            console: *console,
            interrupt: Interrupt::install(),
        };
        let command = match command {
            Api::Batches(command) => command,
            Api::Directories(command) => return directories::run(&mut context, command).await,
            Api::Parse(ParseCommand::Get { id, expand, scope }) => {
                return jobs::get_parse(&mut context, &id, expand, scope).await;
            }
            Api::Extract(ExtractCommand::Get { id, expand, scope }) => {
                return jobs::get_extract(&mut context, &id, expand, scope).await;
            }
            Api::WebhookConfigs(command) => {
                return webhook_configs::run(&mut context, command).await;
            }
        };
        match command {
            BatchesCommand::List(args) => list::run(&mut context, *args).await,
            BatchesCommand::Get { id, expand, scope } => {
                batch::get(&mut context, &id, expand, scope).await
            }
            BatchesCommand::Create(args) => batch::create(&mut context, *args).await,
            BatchesCommand::Cancel { id, scope } => batch::cancel(&mut context, &id, scope).await,
            BatchesCommand::Wait { id, wait, scope } => {
                batch::wait(&mut context, &id, wait.timeout, wait.interval, scope).await
            }
            BatchesCommand::Stats { filters, by } => stats::run(&mut context, filters, by).await,
            BatchesCommand::Run(args) => run::run(&mut context, *args).await,
            BatchesCommand::Report { .. } => unreachable!("a local command, run above"),
            BatchesCommand::Results(args) => run::results(&mut context, *args).await,
        }
    })
}

fn debug_settings(console: &Console, settings: &Settings, profile: &Profile) {
    console.trace_requests();
    let client = &settings.client;
    let key = client.api_key.as_ref().map_or_else(
        || "none".to_owned(),
        |key| format!("{} ({})", redact(&key.value), origin(&key.source)),
    );
    let timeout = client
        .timeout
        .value
        .map_or_else(|| "none".to_owned(), |timeout| format!("{timeout:?}"));
    let proxy = match &client.proxy.value {
        Some(proxy) => format!("{proxy} ({})", origin(&client.proxy.source)),
        None => format!("none ({})", origin(&client.proxy.source)),
    };
    let ca_bundle = client.ca_bundle.as_ref().map_or_else(
        || "none".to_owned(),
        |bundle| format!("{} ({})", bundle.value.display(), origin(&bundle.source)),
    );
    console.debug(&format!(
        "profile {} ({}); endpoint {} ({}); API key {key}; max retries {}; timeout {timeout}; \
         proxy {proxy}; CA bundle {ca_bundle}",
        profile.name,
        profile.path.display(),
        client.endpoint.value,
        origin(&client.endpoint.source),
        client.max_retries.value,
    ));
}

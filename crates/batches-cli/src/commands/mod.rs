//! What each command does.

mod batch;
mod config;
mod list;
mod stats;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use batches_client::{Client, ListBatchesParams};
use clap::ArgMatches;
use tokio::sync::Notify;

use crate::cli::{BatchesCommand, Cli, Command, GlobalArgs, ListFilters, ScopeArgs};
use crate::console::Console;
use crate::failure::Failure;
use crate::output::{Printer, write_stdout};
use crate::profile;
use crate::settings::{Settings, redact};
use crate::transform::Transform;

/// What a batches command works with.
pub struct Context {
    /// The API client.
    pub client: Client,
    /// stdout.
    pub printer: Printer,
    /// stderr.
    pub console: Console,
    /// Set by Ctrl-C.
    pub interrupt: Interrupt,
}

/// Runs a parsed command line.
pub fn run(cli: Cli, matches: &ArgMatches, console: &Console) -> Result<(), Failure> {
    match cli.command {
        Command::Completion { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut crate::command(), "llamacloud", &mut script);
            write_stdout(&script)
        }
        Command::Config(command) => config::run(command, &cli.global, matches, console),
        Command::Batches(command) => batches(command, &cli.global, matches, console),
    }
}

fn batches(
    command: BatchesCommand,
    global: &GlobalArgs,
    matches: &ArgMatches,
    console: &Console,
) -> Result<(), Failure> {
    // Under `wait`, --timeout is the wait's own limit (clap shares the option's name and
    // value with the global one), not each request's.
    let request_args = match command {
        BatchesCommand::Wait { .. } => GlobalArgs {
            timeout: None,
            ..global.clone()
        },
        _ => global.clone(),
    };
    let (profile, settings, printer) = setup(&request_args, matches, console)?;
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
            BatchesCommand::Stats { filters } => stats::run(&mut context, filters).await,
        }
    })
}

/// What a command that prints results needs: the profile (its warning shown), the
/// settings in effect and the printer. A `--transform` that does not compile stops
/// everything here, before a request is sent.
fn setup(
    global: &GlobalArgs,
    matches: &ArgMatches,
    console: &Console,
) -> Result<(profile::Profile, Settings, Printer), Failure> {
    let transform = global
        .transform
        .as_deref()
        .map(Transform::compile)
        .transpose()
        .map_err(|message| Failure::usage(format!("--transform: {message}")))?;
    let profile = profile::load(global.profile.as_deref())?;
    if let Some(warning) = &profile.warning {
        console.warn(warning);
    }
    let settings = Settings::resolve(global, matches, &profile)?;
    let printer = Printer::new(
        settings.format.value,
        transform,
        global.raw_output,
        console.color(),
    )?;
    Ok((profile, settings, printer))
}

fn debug_settings(console: &Console, settings: &Settings, profile: &profile::Profile) {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(console.color())
        .with_target(false)
        .with_span_events(
            tracing_subscriber::fmt::format::FmtSpan::NEW
                | tracing_subscriber::fmt::format::FmtSpan::CLOSE,
        )
        .with_env_filter(tracing_subscriber::EnvFilter::new("batches_client=trace"))
        .init();
    let key = settings.api_key.as_ref().map_or_else(
        || "none".to_owned(),
        |key| format!("{} ({})", redact(&key.value), key.source),
    );
    console.debug(&format!(
        "profile {} ({}); endpoint {} ({}); API key {key}; max retries {}; timeout {:?}",
        profile.name,
        profile.path.display(),
        settings.endpoint.value,
        settings.endpoint.source,
        settings.max_retries.value,
        settings.timeout.value,
    ));
}

impl ListFilters {
    /// The query parameters of the listing.
    pub fn params(&self) -> ListBatchesParams {
        ListBatchesParams {
            created_at_on_or_after: self.created_at_on_or_after.map(|instant| instant.at),
            created_at_on_or_before: self.created_at_on_or_before.map(|instant| instant.at),
            organization_id: self.scope.organization_id.clone(),
            page_size: self.page_size,
            page_token: None,
            project_id: self.scope.project_id.clone(),
            source_directory_id: self.source_directory_id.clone(),
            status: self.status.clone(),
        }
    }
}

/// Ctrl-C, caught once for the whole run so that a command can stop cleanly: close its
/// output, say how to resume, exit 130.
#[derive(Clone)]
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Interrupt {
    fn install() -> Interrupt {
        let interrupt = Interrupt {
            flag: Arc::new(AtomicBool::new(false)),
            notify: Arc::new(Notify::new()),
        };
        let set = interrupt.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                set.flag.store(true, Ordering::SeqCst);
                set.notify.notify_waiters();
            }
        });
        interrupt
    }

    /// Whether Ctrl-C was pressed.
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }

    /// Runs `future` unless Ctrl-C comes first.
    pub async fn race<T>(&self, future: impl Future<Output = T>) -> Result<T, Failure> {
        tokio::select! {
            biased;
            () = self.wait() => Err(Failure::Interrupted),
            value = future => Ok(value),
        }
    }
}

impl ScopeArgs {
    /// `(organization_id, project_id)`.
    fn ids(&self) -> (Option<String>, Option<String>) {
        (self.organization_id.clone(), self.project_id.clone())
    }
}

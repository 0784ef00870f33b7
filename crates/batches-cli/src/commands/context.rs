//! What a command works with: the settings in effect, the client, the printer, stderr
//! and Ctrl-C; and the query parameters the command line's options make.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use batches_client::{Client, ListBatchesParams};
use tokio::sync::Notify;

use crate::cli::{GlobalArgs, ListFilters, ScopeArgs};
use crate::console::Console;
use crate::failure::Failure;
use crate::output::Printer;
use crate::profile::{self, Profile};
use crate::settings::Settings;
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

/// What a command that prints results needs: the profile (its warning shown), the
/// settings in effect and the printer. A `--transform` that does not compile stops
/// everything here, before a request is sent.
pub fn setup(
    global: &GlobalArgs,
    console: &Console,
) -> Result<(Profile, Settings, Printer), Failure> {
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
    let settings = Settings::resolve(global, &profile)?;
    let printer = Printer::new(
        settings.format.value,
        transform,
        global.raw_output,
        console.color(),
    )?;
    Ok((profile, settings, printer))
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

impl ScopeArgs {
    /// `(organization_id, project_id)`.
    pub fn ids(&self) -> (Option<String>, Option<String>) {
        (self.organization_id.clone(), self.project_id.clone())
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
    /// Starts catching Ctrl-C; needs the Tokio runtime.
    pub fn install() -> Interrupt {
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

    /// Waits for Ctrl-C.
    pub async fn interrupted(&self) {
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
            () = self.interrupted() => Err(Failure::Interrupted),
            value = future => Ok(value),
        }
    }
}

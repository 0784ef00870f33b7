//! Runs for code without an async runtime (the C ABI, scripts): the same run, driven on
//! the runtime of a [`batches_client::blocking::Client`], its events handed to a callback
//! on the calling thread.

use std::ops::ControlFlow;

use batches_client::blocking::Client;

use crate::error::{Error, Resume};
use crate::event::Event;
use crate::plan::Plan;
use crate::report::Report;
use crate::run::Run;

/// Runs `plan`, calling `on_event` on the calling thread with each event as it happens;
/// `on_event` returning [`ControlFlow::Break`] cancels the run, which then ends with
/// [`Error::Cancelled`]. Called from inside an async runtime, it fails with the client's
/// `BlockingInAsyncContext` error instead of stalling.
///
/// ```no_run
/// use std::ops::ControlFlow;
/// use batches_client::{ClientBuilder, blocking};
/// use batches_run::{JobType, Options, Plan};
///
/// let client = blocking::Client::new(ClientBuilder::from_env())?;
/// let plan = Plan::new(Options::new(["docs"], JobType::ParseV2, "cfg-PARSE_AGENTIC"))?;
/// let report = batches_run::blocking::run(&client, plan, |event| {
///     println!("{}", serde_json::to_string(event).unwrap());
///     ControlFlow::Continue(())
/// })?;
/// println!("{} files", report.files.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(
    client: &Client,
    plan: Plan,
    on_event: impl FnMut(&Event) -> ControlFlow<()>,
) -> Result<Report, Error> {
    client
        // Started inside the future, so that the run's task is spawned on the runtime.
        .block_on(|client| async move { Run::start(client, plan).drive(on_event).await })
        .unwrap_or_else(|source| {
            Err(Error::Client {
                source: Box::new(source),
                resume: Resume::default(),
            })
        })
}

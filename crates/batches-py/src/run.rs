//! `client.batches.run`: the run engine of `batches-run`, in this process.
//!
//! The run works in tasks of the shared runtime while the calling thread waits for its
//! events without the GIL, in slices (`runtime::slice`); as each event arrives, the
//! thread takes the GIL back, hands it to `on_event` and runs Python's signal handlers.
//! Any exception there (Ctrl-C's `KeyboardInterrupt`, a `SystemExit` from a SIGTERM
//! handler, one raised by `on_event`) cancels the run, which stops its requests at once,
//! and leaves `run` carrying what the resume needs (`outcome::stopped`).

mod arguments;
mod outcome;

use batches_client::Client;
use batches_run::{Error, Event, Plan, Report, Resume, Run};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use arguments::Arguments;
pub use arguments::Given;

use crate::event::RunEvent;
use crate::runtime;

/// Runs `given` with `client`: a `RunResult`, or the exception of the cause.
pub fn run(
    py: Python<'_>,
    client: &Client,
    given: Given<'_, '_>,
    on_event: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let arguments = Arguments::read(py, given)?;
    let on_event = on_event.filter(|on_event| !on_event.is_none());
    if let Some(on_event) = on_event.filter(|on_event| !on_event.is_callable()) {
        return Err(PyTypeError::new_err(format!(
            "on_event: expected a callable taking a RunEvent, got {}",
            on_event.get_type().name()?
        )));
    }
    // The walk reads the disk: off the GIL, and in a task, so Ctrl-C stops the wait for a
    // large tree (the walk itself ends in the background).
    let options = arguments.options.clone();
    let planned = runtime::wait(py, async move {
        tokio::task::spawn_blocking(move || Plan::new(options)).await
    })
    .map_err(|exception| outcome::stopped(py, exception, &Resume::default(), &arguments))?;
    let plan = match planned {
        Ok(plan) => plan.map_err(outcome::plan_error)?,
        Err(failure) => std::panic::resume_unwind(failure.into_panic()),
    };
    let run = {
        let _runtime = runtime::enter();
        Run::start(client.clone(), plan)
    };
    match follow(py, run, on_event) {
        Ok(Ok(report)) => outcome::result(py, &report, &arguments),
        Ok(Err(error)) => Err(outcome::error(py, error, &arguments)),
        Err((exception, resume)) => Err(outcome::stopped(py, exception, &resume, &arguments)),
    }
}

/// Hands the events of `run` to `on_event` until it ends, and returns how it ended. A
/// Python exception meanwhile cancels it and comes back with what the resume needs.
fn follow(
    py: Python<'_>,
    mut run: Run,
    on_event: Option<&Bound<'_, PyAny>>,
) -> Result<Result<Report, Error>, (PyErr, Resume)> {
    let raised = loop {
        let next = runtime::slice(py, std::pin::pin!(run.next_event()));
        let delivered = match next {
            // Every event was read: the run has ended.
            Some(None) => break None,
            Some(Some(event)) => deliver(&mut run, event, on_event),
            None => Ok(()),
        };
        if let Err(exception) = delivered.and_then(|()| py.check_signals()) {
            break Some(exception);
        }
    };
    let Some(exception) = raised else {
        return Ok(runtime::finish(py, run.finish()));
    };
    run.cancel();
    let resume = match runtime::finish(py, run.finish()) {
        // It ended before the cancel: its directories finish it (the rerun follows its
        // batches).
        Ok(report) => Resume {
            directory_ids: report.directory_ids(),
        },
        Err(ended) => ended.resume().cloned().unwrap_or_default(),
    };
    Err((exception, resume))
}

/// Hands `first`, and every event already waiting after it, to `on_event`.
fn deliver(run: &mut Run, first: Event, on_event: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let mut next = Some(first);
    while let Some(event) = next {
        if let Some(on_event) = on_event {
            on_event.call1((RunEvent::new(&event),))?;
        }
        next = run.try_next_event();
    }
    Ok(())
}

//! `client.batches.run` and `client.batches.results`: the run engine of `batches-run`,
//! in this process.
//!
//! A run (or an export) works in tasks of the shared runtime while the calling thread
//! waits for its events without the GIL, in slices (`runtime::slice`); as each event
//! arrives, the thread takes the GIL back, hands it to `on_event` and runs Python's signal
//! handlers. Any exception there (Ctrl-C's `KeyboardInterrupt`, a `SystemExit` from a
//! SIGTERM handler, one raised by `on_event`) cancels the work, which stops its requests at
//! once, and leaves the call carrying what the resume needs (`outcome::stopped`).

mod arguments;
mod outcome;
mod planned;
mod webhooks;

use batches_client::Client;
use batches_run::{Error, Event, ExportOptions, Plan, Preview, Report, Resume, Run};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use arguments::Arguments;
pub use arguments::Given;
use outcome::Call;

use crate::event::RunEvent;
use crate::{params, runtime};

/// Runs `given` with `client`: a `RunResult` (a `RunPlan` for a dry run), or the exception
/// of the cause.
pub fn run(
    py: Python<'_>,
    client: &Client,
    given: Given<'_, '_>,
    on_event: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let arguments = Arguments::read(py, given)?;
    let call = Call::Run(&arguments);
    let on_event = callback(on_event)?;
    // The walk reads the disk, and so does a dry run's preview of an output folder (every
    // file hashed): off the GIL, and in a task, so Ctrl-C stops the wait for a large tree
    // (the walk itself ends in the background).
    let options = arguments.options.clone();
    let planned = runtime::wait(py, async move {
        tokio::task::spawn_blocking(move || plan(options)).await
    })
    .map_err(|exception| outcome::stopped(py, exception, &Resume::default(), &call))?;
    let (plan, preview) = match planned {
        Ok(planned) => planned.map_err(|error| outcome::error(py, error, &call))?,
        Err(failure) => std::panic::resume_unwind(failure.into_panic()),
    };
    if plan.options().dry_run {
        return planned::result(py, &plan, preview.as_ref());
    }
    let run = {
        let _runtime = runtime::enter();
        Run::start(client.clone(), plan)
    };
    end(py, follow(py, run, on_event), &call)
}

/// What `batches results` does, in this process: the batch's results written into `out`.
pub struct Export<'a, 'py> {
    /// The batch (`bat-…`).
    pub batch_id: String,
    /// The output folder (`str` or `os.PathLike`).
    pub out: &'a Bound<'py, PyAny>,
    /// `markdown`, `text`, `json` or `items`; `None`: the job's default.
    pub output_form: Option<&'a str>,
    /// Write every output again.
    pub reprocess: bool,
    /// Jobs followed at once; `None`: the engine's default.
    pub export_concurrency: Option<i64>,
}

/// Exports `export` with `client`: a `RunResult`, or the exception of the cause.
pub fn results(
    py: Python<'_>,
    client: &Client,
    export: Export<'_, '_>,
    on_event: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (out, _) = params::folder(py, export.out, "out")?;
    let mut options = ExportOptions::new(export.batch_id, out);
    options.output_form = params::output_form(export.output_form, "output_form")?;
    options.reprocess = export.reprocess;
    if let Some(jobs) = export.export_concurrency {
        options.export_concurrency = params::at_once(jobs, "export_concurrency", "jobs followed")?;
    }
    let on_event = callback(on_event)?;
    let export = {
        let _runtime = runtime::enter();
        batches_run::export_results(client.clone(), options)
    };
    end(py, follow(py, export, on_event), &Call::Results)
}

/// The plan of `options`, and with `dry_run` and `out` what the run would do with each
/// file.
fn plan(options: batches_run::Options) -> Result<(Plan, Option<Preview>), Error> {
    let plan = Plan::new(options)?;
    let preview = if plan.options().dry_run && plan.options().out.is_some() {
        Some(batches_run::preview(&plan)?)
    } else {
        None
    };
    Ok((plan, preview))
}

/// `on_event` when it is given (not `None`): a callable, or a `TypeError`.
fn callback<'a, 'py>(
    on_event: Option<&'a Bound<'py, PyAny>>,
) -> PyResult<Option<&'a Bound<'py, PyAny>>> {
    let on_event = on_event.filter(|on_event| !on_event.is_none());
    if let Some(on_event) = on_event.filter(|on_event| !on_event.is_callable()) {
        return Err(PyTypeError::new_err(format!(
            "on_event: expected a callable taking a RunEvent, got {}",
            on_event.get_type().name()?
        )));
    }
    Ok(on_event)
}

/// The call's value or exception, from how its work ended.
fn end(
    py: Python<'_>,
    followed: Result<Result<Report, Error>, (PyErr, Resume)>,
    call: &Call<'_>,
) -> PyResult<Py<PyAny>> {
    match followed {
        Ok(Ok(report)) => outcome::result(py, &report, call),
        Ok(Err(error)) => Err(outcome::error(py, error, call)),
        Err((exception, resume)) => {
            // An export reads a batch's directory but made none: the same call finishes
            // it, with no directory to pass.
            let resume = match call {
                Call::Run(_) => resume,
                Call::Results => Resume::default(),
            };
            Err(outcome::stopped(py, exception, &resume, call))
        }
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

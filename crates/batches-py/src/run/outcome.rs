//! How a run or an export ended, in Python's terms: a `RunResult` (every file's result by
//! its path, the command line's exit status 0, 4 or 5, the messages the command line would
//! print, and with an output folder its summary), or an exception of the class its cause
//! has, carrying what a rerun needs once the run made or used a directory:
//! `resume_directory_ids`, and the call that finishes the run.

use batches_run::{Error, Outcome, PlanError, Report, Resume};
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value;

use super::arguments::Arguments;
use crate::{convert, errors};

/// The module that defines `RunResult`, `RunFileResult`, `RunSummary` and `RunPlan`.
pub const RESULTS: &str = "llamacloud_batches._results";

/// The attribute of an exception that holds the directories a rerun finishes the run in.
const RESUME_ATTRIBUTE: &str = "resume_directory_ids";

/// What was called: what finishes it, when it stops, depends on it.
pub enum Call<'a> {
    /// `client.batches.run`, with its arguments.
    Run(&'a Arguments),
    /// `client.batches.results`: the same call again writes what is missing.
    Results,
}

/// An instance of `class` (a dataclass of `llamacloud_batches._results`) with the fields
/// of `value`'s JSON form that it declares (a newer engine may report more).
pub fn record<'py>(
    module: &Bound<'py, PyModule>,
    class: &str,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let Value::Object(fields) = serde_json::to_value(value).expect("a report encodes") else {
        unreachable!("a record encodes as an object");
    };
    let fields = convert::object_to_python(module.py(), &fields)?;
    module
        .getattr("_record")?
        .call1((module.getattr(class)?, fields))
}

/// The `RunResult` of `report`.
pub fn result(py: Python<'_>, report: &Report, call: &Call<'_>) -> PyResult<Py<PyAny>> {
    let module = py.import(RESULTS)?;
    let results = PyDict::new(py);
    for file in &report.files {
        results.set_item(&file.path, record(&module, "RunFileResult", file)?)?;
    }
    let (exit_code, verdict, hint) = match &report.outcome {
        Outcome::Completed => (0, None, None),
        Outcome::TimedOut(error) => (5, Some(error.to_string()), None),
        Outcome::FilesFailed { failed, total } => (
            4,
            Some(format!(
                "{failed} of {total} files {} an error",
                if *failed == 1 { "has" } else { "have" }
            )),
            None,
        ),
        Outcome::BatchEnded { batch_id, status } => (
            4,
            Some(format!("batch {batch_id} ended {status}")),
            Some(format!(
                "see the per-file results with client.batches.get({}, expand=['results'])",
                PyString::new(py, batch_id).repr()?
            )),
        ),
        other => {
            return Err(errors::llamacloud_error(
                py,
                format!("the run ended as {other:?}"),
            ));
        }
    };
    let mut messages = Vec::new();
    messages.extend(verdict.map(|verdict| format!("error: {verdict}")));
    messages.extend(hint.map(|hint| format!("hint: {hint}")));
    if let Some(resume) = report.resume() {
        messages.push(resume_text(py, &resume, call)?);
    }
    let fields = PyDict::new(py);
    fields.set_item("results", results)?;
    fields.set_item("exit_code", exit_code)?;
    fields.set_item("stderr", messages.join("\n"))?;
    if let Some(summary) = &report.summary {
        fields.set_item("summary", record(&module, "RunSummary", summary)?)?;
    }
    Ok(module
        .getattr("RunResult")?
        .call((), Some(&fields))?
        .unbind())
}

/// A plan that cannot be carried out (nothing was sent): a `ValueError` in Python's words.
fn plan_error(error: PlanError) -> PyErr {
    let message = match &error {
        PlanError::TooManyFiles { batches, .. } => format!(
            "{error}: pass split=True to run {batches} batches of at most 1,000 files, one \
             directory each"
        ),
        PlanError::Paths(_) => {
            format!("{error}\nfix or remove them, or leave them out with exclude=[GLOB, ...]")
        }
        _ => error.to_string(),
    };
    PyValueError::new_err(message)
}

/// The exception for a run that stopped with `error`.
pub fn error(py: Python<'_>, error: Error, call: &Call<'_>) -> PyErr {
    match error {
        Error::Plan(error) => plan_error(error),
        Error::OtherFiles {
            ref examples,
            count,
            ..
        } => PyValueError::new_err(format!(
            "{error} ({}{}); pass allow_other_files=True to process them as well, or leave \
             out directory_id to upload into a new directory",
            examples.join(", "),
            if count > examples.len() { ", …" } else { "" }
        )),
        Error::Client { source, resume } => {
            let message = with_resume(py, source.to_string(), &resume, call);
            keep_resume(py, errors::with_message(py, *source, message), &resume)
        }
        other => {
            let resume = other.resume().cloned().unwrap_or_default();
            let message = with_resume(py, other.to_string(), &resume, call);
            keep_resume(py, errors::llamacloud_error(py, message), &resume)
        }
    }
}

/// `message`, followed by the call that resumes the run when it made or used directories.
fn with_resume(py: Python<'_>, message: String, resume: &Resume, call: &Call<'_>) -> String {
    if resume.directory_ids.is_empty() {
        return message;
    }
    match resume_text(py, resume, call) {
        Ok(text) => format!("{message}\n{text}"),
        Err(_) => message,
    }
}

/// `exception`, raised in Python while the run worked (by `on_event`, or by a signal
/// handler: Ctrl-C's `KeyboardInterrupt`, a `SystemExit`), after the run was cancelled,
/// with what the resume needs: `resume_directory_ids`, and the call that finishes the run
/// as the message of a bare `KeyboardInterrupt` or else as a note (PEP 678, which
/// tracebacks show after the message), so that the exception's own message stays.
pub fn stopped(py: Python<'_>, exception: PyErr, resume: &Resume, call: &Call<'_>) -> PyErr {
    let told = resume_text(py, resume, call).and_then(|text| {
        let value = exception.value(py);
        let bare_interrupt =
            value.is_instance_of::<PyKeyboardInterrupt>() && value.getattr("args")?.len()? == 0;
        if bare_interrupt {
            let what = match call {
                Call::Run(_) => "the run",
                Call::Results => "the export",
            };
            value.setattr("args", (format!("{what} was interrupted; {text}"),))
        } else {
            add_note(value, text)
        }
    });
    match told {
        Ok(()) => keep_resume(py, exception, resume),
        // The exception that stopped the run matters more than the note.
        Err(_) => exception,
    }
}

/// `exception` with `resume_directory_ids` set (an exception that refuses new attributes
/// stays as it is).
fn keep_resume(py: Python<'_>, exception: PyErr, resume: &Resume) -> PyErr {
    let _ = PyList::new(py, &resume.directory_ids)
        .and_then(|ids| exception.value(py).setattr(RESUME_ATTRIBUTE, ids));
    exception
}

/// What a rerun needs, as a sentence: the call that finishes the run.
fn resume_text(py: Python<'_>, resume: &Resume, call: &Call<'_>) -> PyResult<String> {
    let Call::Run(arguments) = call else {
        return Ok(
            "the same call again writes only the outputs still missing (the manifest keeps \
             those written)"
                .to_owned(),
        );
    };
    if resume.directory_ids.is_empty() {
        return Ok("nothing was uploaded yet: the same call starts the run again".to_owned());
    }
    Ok(format!(
        "to resume, run: {}",
        arguments.resume_call(py, &resume.directory_ids)?
    ))
}

/// Adds `text` to the notes of exception `value` (`add_note` from Python 3.11; before it,
/// the same `__notes__` list, which tracebacks do not show yet).
fn add_note(value: &Bound<'_, pyo3::exceptions::PyBaseException>, text: String) -> PyResult<()> {
    if value.hasattr("add_note")? {
        value.call_method1("add_note", (text,))?;
        return Ok(());
    }
    let notes = match value.getattr("__notes__") {
        Ok(notes) => notes,
        Err(_) => {
            let notes = PyList::empty(value.py());
            value.setattr("__notes__", &notes)?;
            notes.into_any()
        }
    };
    notes.call_method1("append", (text,))?;
    Ok(())
}

//! The arguments of `client.batches.run`, read into the engine's [`Options`] with errors
//! that name the argument, and the same call again with the directories of a run: the
//! call that resumes it.

use std::path::PathBuf;

use batches_run::{JobType, Options, UploadRate};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyList, PyString};

use super::webhooks;
use crate::params::{self, type_name};

/// The arguments as Python passed them.
pub struct Given<'a, 'py> {
    /// A path or a sequence of paths (`str` or `os.PathLike`).
    pub paths: &'a Bound<'py, PyAny>,
    /// `parse_v2` or `extract_v2`, in any case.
    pub job_type: &'a str,
    /// A saved configuration id or a preset.
    pub configuration_id: String,
    /// A directory id or a sequence of them.
    pub directory_id: Option<&'a Bound<'py, PyAny>>,
    /// Allow more than 1,000 files.
    pub split: bool,
    /// A glob or a sequence of globs.
    pub include: Option<&'a Bound<'py, PyAny>>,
    /// A glob or a sequence of globs.
    pub exclude: Option<&'a Bound<'py, PyAny>>,
    /// Uploads in flight at once.
    pub upload_concurrency: Option<i64>,
    /// `"50/5s"`, `"8/s"`, or a number per second.
    pub upload_rate: Option<&'a Bound<'py, PyAny>>,
    /// Follow the batches to their end.
    pub wait: bool,
    /// Seconds to wait for the batches.
    pub timeout: Option<f64>,
    /// A folder to write each file's result into (`str` or `os.PathLike`).
    pub out: Option<&'a Bound<'py, PyAny>>,
    /// `markdown`, `text`, `json` or `items`.
    pub output_form: Option<&'a str>,
    /// With `out`: process every file again.
    pub reprocess: bool,
    /// With `out`: process again the files whose job failed.
    pub retry_failed: bool,
    /// With `out`: jobs followed at once.
    pub export_concurrency: Option<i64>,
    /// Follow symbolic links out of the folders given.
    pub follow_links: bool,
    /// Run over a `directory_id` that holds other files too.
    pub allow_other_files: bool,
    /// Plan and send nothing.
    pub dry_run: bool,
    /// A list of dicts with the API's keys (`webhook_url`, …).
    pub webhook_configurations: Option<&'a Bound<'py, PyAny>>,
    /// A saved webhook configuration id or a sequence of them.
    pub webhook_configuration_ids: Option<&'a Bound<'py, PyAny>>,
}

/// The arguments read: the engine's options, and the call that repeats them.
pub struct Arguments {
    /// What the engine is asked to do.
    pub options: Options,
    /// The call's arguments but `directory_id`, as Python source.
    call: String,
}

impl Arguments {
    /// Reads `given`; a value of the wrong type is a `TypeError`, one out of range a
    /// `ValueError`, both naming the argument.
    pub fn read<'py>(py: Python<'py>, given: Given<'_, 'py>) -> PyResult<Arguments> {
        let (paths, mut call) = paths(py, given.paths)?;
        let job_type = job_type(given.job_type)?;
        let mut argument = |name: &str, value: Bound<'py, PyAny>| -> PyResult<()> {
            call.push_str(&format!(", {name}={}", value.repr()?));
            Ok(())
        };
        argument("job_type", PyString::new(py, job_type.as_str()).into_any())?;
        argument(
            "configuration_id",
            PyString::new(py, &given.configuration_id).into_any(),
        )?;
        let mut options = Options::new(paths, job_type, given.configuration_id);
        options.directory_ids = texts(given.directory_id, "directory_id")?;
        if given.split {
            options.split = true;
            argument("split", PyBool::new(py, true).to_owned().into_any())?;
        }
        options.include = texts(given.include, "include")?;
        if !options.include.is_empty() {
            argument("include", PyList::new(py, &options.include)?.into_any())?;
        }
        options.exclude = texts(given.exclude, "exclude")?;
        if !options.exclude.is_empty() {
            argument("exclude", PyList::new(py, &options.exclude)?.into_any())?;
        }
        if let Some(uploads) = given.upload_concurrency {
            options.upload_concurrency = params::at_once(uploads, "upload_concurrency", "uploads")?;
            argument("upload_concurrency", uploads.into_pyobject(py)?.into_any())?;
        }
        if let Some(rate) = given.upload_rate.filter(|rate| !rate.is_none()) {
            options.upload_rate = upload_rate(rate)?;
            argument("upload_rate", rate.clone())?;
        }
        if !given.wait {
            options.wait = false;
            argument("wait", PyBool::new(py, false).to_owned().into_any())?;
        }
        if let Some(out) = given.out.filter(|out| !out.is_none()) {
            let (out, text) = params::folder(py, out, "out")?;
            options.out = Some(out);
            argument("out", PyString::new(py, &text).into_any())?;
        }
        options.output_form = params::output_form(given.output_form, "output_form")?;
        if let Some(form) = given.output_form {
            argument("output_form", PyString::new(py, form).into_any())?;
        }
        if let Some(jobs) = given.export_concurrency {
            options.export_concurrency =
                params::at_once(jobs, "export_concurrency", "jobs followed")?;
            argument("export_concurrency", jobs.into_pyobject(py)?.into_any())?;
        }
        options.webhook_configurations = webhooks::read(given.webhook_configurations)?;
        if !options.webhook_configurations.is_empty() {
            let shown = webhooks::shown(py, &options.webhook_configurations)?;
            argument("webhook_configurations", shown.into_any())?;
        }
        options.webhook_configuration_ids =
            texts(given.webhook_configuration_ids, "webhook_configuration_ids")?;
        if !options.webhook_configuration_ids.is_empty() {
            let ids = PyList::new(py, &options.webhook_configuration_ids)?;
            argument("webhook_configuration_ids", ids.into_any())?;
        }
        // `dry_run` sends nothing, so no call ever resumes one: it is not repeated.
        options.dry_run = given.dry_run;
        for (name, flag, set) in [
            ("reprocess", given.reprocess, &mut options.reprocess),
            (
                "retry_failed",
                given.retry_failed,
                &mut options.retry_failed,
            ),
            (
                "follow_links",
                given.follow_links,
                &mut options.follow_links,
            ),
            (
                "allow_other_files",
                given.allow_other_files,
                &mut options.allow_other_files,
            ),
        ] {
            if flag {
                *set = true;
                argument(name, PyBool::new(py, true).to_owned().into_any())?;
            }
        }
        options.timeout = params::seconds(given.timeout, "timeout")?;
        if let Some(seconds) = given.timeout {
            argument("timeout", PyFloat::new(py, seconds).into_any())?;
        }
        Ok(Arguments { options, call })
    }

    /// The call that finishes the run in `directory_ids`: this one, with them as
    /// `directory_id`.
    pub fn resume_call(&self, py: Python<'_>, directory_ids: &[String]) -> PyResult<String> {
        Ok(format!(
            "client.batches.run({}, directory_id={})",
            self.call,
            PyList::new(py, directory_ids)?.repr()?
        ))
    }
}

/// The paths, and their list as Python source: a path or a sequence of them, each read
/// with `os.fspath`.
fn paths(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<(Vec<PathBuf>, String)> {
    let single = value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyBytes>()
        || value.hasattr("__fspath__")?;
    let items: Vec<Bound<'_, PyAny>> = if single {
        vec![value.clone()]
    } else {
        value
            .try_iter()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "paths: expected a path or a sequence of paths (str or os.PathLike), got {}",
                    type_name(value)
                ))
            })?
            .collect::<PyResult<_>>()?
    };
    let fspath = py.import("os")?.getattr("fspath")?;
    let mut paths = Vec::with_capacity(items.len());
    let mut texts = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let text = fspath.call1((item,)).map_err(|_| {
            PyTypeError::new_err(format!(
                "paths[{index}]: expected str or os.PathLike, got {}",
                type_name(item)
            ))
        })?;
        paths.push(text.extract::<PathBuf>()?);
        texts.push(text);
    }
    let listed = PyList::new(py, texts)?.repr()?.to_string();
    Ok((paths, listed))
}

/// A known job type, named in any case.
fn job_type(given: &str) -> PyResult<JobType> {
    crate::params::one_of(
        given,
        JobType::KNOWN,
        JobType::as_str,
        true,
        "job_type",
        "a job type",
    )
}

/// One text or a sequence of texts (`None`: none).
fn texts(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Vec<String>> {
    let Some(value) = value.filter(|value| !value.is_none()) else {
        return Ok(Vec::new());
    };
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(vec![text.to_cow()?.into_owned()]);
    }
    let items = value.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name}: expected str or a sequence of str, got {}",
            type_name(value)
        ))
    })?;
    items
        .map(|item| {
            let item = item?;
            match item.cast::<PyString>() {
                Ok(text) => Ok(text.to_cow()?.into_owned()),
                Err(_) => Err(PyTypeError::new_err(format!(
                    "{name}: expected str, got {}",
                    type_name(&item)
                ))),
            }
        })
        .collect()
}

/// `"50/5s"` and the other forms of [`UploadRate`], or a number of uploads per second.
fn upload_rate(value: &Bound<'_, PyAny>) -> PyResult<UploadRate> {
    let text = if value.is_instance_of::<PyBool>() {
        None
    } else if let Ok(text) = value.cast::<PyString>() {
        Some(text.to_cow()?.into_owned())
    } else if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        Some(format!("{}/s", value.str()?))
    } else {
        None
    };
    let Some(text) = text else {
        return Err(PyTypeError::new_err(format!(
            "upload_rate: expected str, int or float, got {}",
            type_name(value)
        )));
    };
    text.parse()
        .map_err(|error| PyValueError::new_err(format!("upload_rate: {error}")))
}

//! Python arguments read into the client's parameter types, with errors that name the
//! argument and what it accepts.

use std::path::PathBuf;
use std::time::Duration;

use batches_client::{DateTime, Utc};
use batches_run::OutputForm;
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// A date-time argument: an aware `datetime`, a naive one (read as UTC, as the API reads a
/// time without offset), a `date` (its midnight UTC), or the same as text: RFC 3339, with
/// or without offset, or a bare date.
pub fn instant(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<DateTime<Utc>>> {
    let Some(value) = value.filter(|value| !value.is_none()) else {
        return Ok(None);
    };
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow()?;
        let text = text.as_ref();
        return DateTime::<FixedOffset>::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&Utc))
            .or_else(|_| text.parse::<NaiveDateTime>().map(|at| at.and_utc()))
            .or_else(|_| text.parse::<NaiveDate>().map(midnight))
            .map(Some)
            .map_err(|_| {
                PyValueError::new_err(format!(
                    "{name}: `{text}` is not a date-time; give a datetime or an RFC 3339 string \
                     such as 2026-11-01T00:00:00Z or a date such as 2026-11-01"
                ))
            });
    }
    if let Ok(at) = value.extract::<DateTime<FixedOffset>>() {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    if let Ok(at) = value.extract::<NaiveDateTime>() {
        return Ok(Some(at.and_utc()));
    }
    // After the datetimes: in Python a datetime is also a date.
    if let Ok(day) = value.extract::<NaiveDate>() {
        return Ok(Some(midnight(day)));
    }
    Err(PyTypeError::new_err(format!(
        "{name}: expected a datetime, a date or an RFC 3339 string, got {}",
        value.get_type().name()?
    )))
}

/// A duration in seconds (`int` or `float`), more than zero; `None` stays `None`.
pub fn seconds(value: Option<f64>, name: &str) -> PyResult<Option<Duration>> {
    value
        .map(|seconds| {
            Duration::try_from_secs_f64(seconds)
                .ok()
                .filter(|duration| !duration.is_zero())
                .ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "{name}: {seconds} is not a duration; give a number of seconds above 0"
                    ))
                })
        })
        .transpose()
}

/// A folder given as `str` or `os.PathLike`, and its text.
pub fn folder(py: Python<'_>, value: &Bound<'_, PyAny>, name: &str) -> PyResult<(PathBuf, String)> {
    let text: String = py
        .import("os")?
        .getattr("fspath")?
        .call1((value,))
        .and_then(|fspath| fspath.extract())
        .map_err(|_| {
            PyTypeError::new_err(format!("{name}: give a folder as str or os.PathLike"))
        })?;
    Ok((PathBuf::from(&text), text))
}

/// An output form (`markdown`, `text`, `json`, `items`), read as the command line reads
/// `--as`, its refusal in the same words; `None` is the job's default.
pub fn output_form(value: Option<&str>, name: &str) -> PyResult<Option<OutputForm>> {
    value
        .map(|text| {
            text.parse()
                .map_err(|error: String| PyValueError::new_err(format!("{name}: {error}")))
        })
        .transpose()
}

/// A number of `what` at once (`upload_concurrency`, `export_concurrency`): one below
/// zero is refused here, one above the engine's range by the engine, both naming `name`.
pub fn at_once(value: i64, name: &str, what: &str) -> PyResult<usize> {
    usize::try_from(value).map_err(|_| {
        PyValueError::new_err(format!(
            "{name}: {value} is out of range; give a number of {what} at once above 0"
        ))
    })
}

/// The one of `known` written `given` (in any ASCII case when `any_case`), or a
/// `ValueError` naming `field` and listing every accepted value.
pub fn one_of<T: Clone>(
    given: &str,
    known: &[T],
    as_str: fn(&T) -> &str,
    any_case: bool,
    field: &str,
    what: &str,
) -> PyResult<T> {
    known
        .iter()
        .find(|value| match any_case {
            true => as_str(value).eq_ignore_ascii_case(given),
            false => as_str(value) == given,
        })
        .cloned()
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "{field}: `{given}` is not {what}; accepted: {}",
                names(known, as_str)
            ))
        })
}

/// The names of `values`, for messages.
pub fn names<T>(values: &[T], as_str: fn(&T) -> &str) -> String {
    values.iter().map(as_str).collect::<Vec<_>>().join(", ")
}

/// The name of `value`'s type, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "an object".to_owned())
}

/// The first instant of `day`, in UTC.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

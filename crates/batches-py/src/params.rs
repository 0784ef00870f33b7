//! Python arguments read into the client's parameter types, with errors that name the
//! argument and what it accepts.

use std::time::Duration;

use batches_client::{DateTime, Utc};
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

/// The first instant of `day`, in UTC.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

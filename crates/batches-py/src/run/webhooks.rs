//! `webhook_configurations` of `client.batches.run`: a list of dicts with the API's keys
//! (those of `WebhookConfiguration`), checked here so that a mistake is named before
//! anything is sent, and shown in the call that resumes a run without its secrets.
//!
//! A signing secret and the values of `webhook_headers` (a receiver's credentials) never
//! reach a message: errors name the key and the type found, never the value.

use batches_client::{WebhookConfiguration, WebhookEventType, WebhookOutputFormat};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::params::{names, one_of, type_name};

/// The argument's name.
const NAME: &str = "webhook_configurations";

/// The keys of a configuration, as the API names them.
const KEYS: &str =
    "webhook_url, webhook_events, webhook_headers, webhook_signing_secret, webhook_output_format";

/// The configurations given (`None`: none).
pub fn read(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<WebhookConfiguration>> {
    let Some(value) = value.filter(|value| !value.is_none()) else {
        return Ok(Vec::new());
    };
    if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
        return Err(PyTypeError::new_err(format!(
            "{NAME}: expected a list of dicts with the keys {KEYS}, got {}",
            type_name(value)
        )));
    }
    value
        .try_iter()?
        .enumerate()
        .map(|(index, item)| configuration(&item?, &format!("{NAME}[{index}]")))
        .collect()
}

/// One configuration, `at` naming it in messages.
fn configuration(item: &Bound<'_, PyAny>, at: &str) -> PyResult<WebhookConfiguration> {
    let dict = item.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{at}: expected a dict with the keys {KEYS}, got {}",
            type_name(item)
        ))
    })?;
    let mut hook = WebhookConfiguration::default();
    for (key, value) in dict.iter() {
        let key = key
            .cast::<PyString>()
            .map_err(|_| {
                PyTypeError::new_err(format!("{at}: keys must be str, got {}", type_name(&key)))
            })?
            .to_cow()?
            .into_owned();
        // None leaves a key out, as the API reads null.
        if value.is_none() {
            continue;
        }
        let field = format!("{at}.{key}");
        match key.as_str() {
            "webhook_url" => hook.webhook_url = Some(text(&value, &field)?),
            "webhook_signing_secret" => {
                let secret = text(&value, &field)?;
                if secret.is_empty() {
                    return Err(PyValueError::new_err(format!(
                        "{field}: empty; give the secret the deliveries are signed with, or \
                         leave the key out"
                    )));
                }
                hook.webhook_signing_secret = Some(secret);
            }
            "webhook_events" => hook.webhook_events = Some(events(&value, &field)?),
            "webhook_headers" => hook.webhook_headers = Some(headers(&value, &field)?),
            "webhook_output_format" => {
                let format = text(&value, &field)?;
                hook.webhook_output_format = Some(one_of(
                    &format,
                    WebhookOutputFormat::KNOWN,
                    WebhookOutputFormat::as_str,
                    false,
                    &field,
                    "an output format",
                )?);
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "{at}: unknown key `{other}`; accepted: {KEYS}"
                )));
            }
        }
    }
    if hook
        .webhook_url
        .as_deref()
        .is_none_or(|url| url.trim().is_empty())
    {
        return Err(PyValueError::new_err(format!(
            "{at}.webhook_url: required: the URL that receives the deliveries"
        )));
    }
    Ok(hook)
}

/// A `str`; the message names the type found, never the value (it may be a secret).
fn text(value: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(text) => Ok(text.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{field}: expected str, got {}",
            type_name(value)
        ))),
    }
}

/// `webhook_events`: a non-empty list of known event names.
fn events(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<WebhookEventType>> {
    let accepted = names(WebhookEventType::KNOWN, WebhookEventType::as_str);
    if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
        return Err(PyTypeError::new_err(format!(
            "{field}: expected a list of event names ({accepted}), got {}",
            type_name(value)
        )));
    }
    let events = value
        .try_iter()?
        .enumerate()
        .map(|(index, event)| {
            let at = format!("{field}[{index}]");
            let name = text(&event?, &at)?;
            one_of(
                &name,
                WebhookEventType::KNOWN,
                WebhookEventType::as_str,
                false,
                &at,
                "a webhook event",
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    if events.is_empty() {
        return Err(PyValueError::new_err(format!(
            "{field}: empty, which subscribes to nothing; leave the key out for every event, \
             or name some: {accepted}"
        )));
    }
    Ok(events)
}

/// `webhook_headers`: header names to values, both `str`.
fn headers(
    value: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<std::collections::BTreeMap<String, String>> {
    let dict = value.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{field}: expected a dict of header names to values (str), got {}",
            type_name(value)
        ))
    })?;
    dict.iter()
        .map(|(name, value)| {
            let name = text(&name, &format!("{field} (a header name)"))?;
            let value = text(&value, &format!("{field}[{name:?}]"))?;
            Ok((name, value))
        })
        .collect()
}

/// `hooks` as Python values, for the call that resumes a run: each signing secret and
/// header value replaced by `Ellipsis` (`...`), so that a call pasted without putting the
/// secrets back fails by name instead of signing with a placeholder.
pub fn shown<'py>(py: Python<'py>, hooks: &[WebhookConfiguration]) -> PyResult<Bound<'py, PyList>> {
    let hidden = py.Ellipsis();
    let hooks = hooks
        .iter()
        .map(|hook| {
            let dict = PyDict::new(py);
            if let Some(url) = &hook.webhook_url {
                dict.set_item("webhook_url", url)?;
            }
            if let Some(events) = &hook.webhook_events {
                let events: Vec<&str> = events.iter().map(WebhookEventType::as_str).collect();
                dict.set_item("webhook_events", events)?;
            }
            if let Some(headers) = &hook.webhook_headers {
                let shown = PyDict::new(py);
                for name in headers.keys() {
                    shown.set_item(name, &hidden)?;
                }
                dict.set_item("webhook_headers", shown)?;
            }
            if hook.webhook_signing_secret.is_some() {
                dict.set_item("webhook_signing_secret", &hidden)?;
            }
            if let Some(format) = &hook.webhook_output_format {
                dict.set_item("webhook_output_format", format.as_str())?;
            }
            Ok(dict)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, hooks)
}

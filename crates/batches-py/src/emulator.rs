//! `Emulator`: the emulator of `batches-server`, started in this process on a free port of
//! 127.0.0.1, on a thread and runtime of its own.
//!
//! In-process rather than the bundled `batches-server` binary: it starts in milliseconds,
//! needs no binary to be found on `PATH`, cannot outlive the test process, and gives direct
//! access to its data (`create_directory_with_files`) without HTTP.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use batches_server::{BackgroundServer, DEFAULT_API_KEY, FaultKind, ServerConfig, WebhookSettings};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::convert;

/// A running emulator; a context manager that stops it on exit.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct Emulator {
    server: Mutex<Option<BackgroundServer>>,
    base_url: String,
    api_keys: Vec<(String, String)>,
}

#[pymethods]
impl Emulator {
    #[new]
    #[pyo3(signature = (
        *,
        seed = 0,
        seed_rng = 0,
        processing_ms = 200,
        fault_rate = 0.0,
        fault_kinds = None,
        fault_seed = 0,
        latency_ms = 0,
        api_keys = None,
        db = None,
        concurrency_limit = 4,
        presign_above = 1024 * 1024,
        webhook_allow_hosts = None,
        webhook_retry_ms = 1000,
        webhook_timeout_ms = 10_000,
        webhook_shuffle = false,
        webhook_duplicate_rate = 0.0,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        seed: u64,
        seed_rng: u64,
        processing_ms: u64,
        fault_rate: f64,
        fault_kinds: Option<Vec<String>>,
        fault_seed: u64,
        latency_ms: u64,
        api_keys: Option<&Bound<'_, PyAny>>,
        db: Option<PathBuf>,
        concurrency_limit: u32,
        presign_above: u64,
        webhook_allow_hosts: Option<Vec<String>>,
        webhook_retry_ms: u64,
        webhook_timeout_ms: u64,
        webhook_shuffle: bool,
        webhook_duplicate_rate: f64,
    ) -> PyResult<Emulator> {
        let fault_kinds = fault_kinds
            .unwrap_or_default()
            .iter()
            .map(|name| name.parse::<FaultKind>().map_err(PyValueError::new_err))
            .collect::<PyResult<Vec<_>>>()?;
        let api_keys = match api_keys {
            Some(keys) => api_keys_of(keys)?,
            None => vec![(DEFAULT_API_KEY.0.to_owned(), DEFAULT_API_KEY.1.to_owned())],
        };
        let config = ServerConfig {
            db,
            api_keys: api_keys.clone(),
            seed,
            seed_rng,
            processing_ms,
            fault_rate,
            fault_kinds,
            fault_seed,
            latency_ms,
            concurrency_limit,
            presign_above,
            webhooks: WebhookSettings {
                allow_hosts: webhook_allow_hosts.unwrap_or_default(),
                retry_base: Duration::from_millis(webhook_retry_ms),
                timeout: Duration::from_millis(webhook_timeout_ms),
                shuffle: webhook_shuffle,
                duplicate_rate: webhook_duplicate_rate,
            },
            ..ServerConfig::default()
        };
        // Seeding a large database takes seconds: other threads run meanwhile.
        let server = py
            .detach(|| BackgroundServer::start(config))
            .map_err(|error| {
                PyValueError::new_err(format!("the emulator did not start: {error:#}"))
            })?;
        Ok(Emulator {
            base_url: server.base_url(),
            server: Mutex::new(Some(server)),
            api_keys,
        })
    }

    /// `http://127.0.0.1:PORT`.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The first accepted API key.
    #[getter]
    fn api_key(&self) -> &str {
        &self.api_keys[0].0
    }

    /// The project of the first key: the one seeded batches belong to.
    #[getter]
    fn project_id(&self) -> &str {
        &self.api_keys[0].1
    }

    /// Whether it still serves (it stops on `stop()` or on leaving its `with` block).
    #[getter]
    fn running(&self) -> bool {
        self.server.lock().is_ok_and(|server| server.is_some())
    }

    /// Makes a directory named `name` holding `files` text files (`file-0001.txt`, …, 1 KiB
    /// each) directly in the database, without HTTP, and returns its id (`dir-…`).
    #[pyo3(signature = (name = "docs", files = 3, *, project_id = None))]
    fn create_directory_with_files(
        &self,
        name: &str,
        files: usize,
        project_id: Option<&str>,
    ) -> PyResult<String> {
        let server = self.server.lock().map_err(|_| stopped())?;
        let server = server.as_ref().ok_or_else(stopped)?;
        server
            .fixtures()
            .create_directory_with_files(project_id.unwrap_or(self.project_id()), name, files)
            .map_err(|error| PyValueError::new_err(format!("{error:#}")))
    }

    /// Every webhook delivery so far (of one batch when `batch_id` is given), oldest first,
    /// as dicts: `delivery_id`, `batch_id`, `event_type`, `webhook_url`, `duplicate`,
    /// `status` (`held`, `pending`, `sending`, `delivered`, `failed`), `attempts`,
    /// `next_attempt_at`, and the last answer: `last_status_code`, `last_error`,
    /// `last_body`. No secret or header value is shown.
    #[pyo3(signature = (batch_id = None))]
    fn webhook_deliveries(&self, py: Python<'_>, batch_id: Option<&str>) -> PyResult<Py<PyAny>> {
        let server = self.server.lock().map_err(|_| stopped())?;
        let server = server.as_ref().ok_or_else(stopped)?;
        let deliveries = server
            .webhook_deliveries(batch_id)
            .map_err(|error| PyValueError::new_err(format!("{error:#}")))?;
        let value = serde_json::to_value(deliveries)
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        convert::to_python(py, &value)
    }

    /// Stops serving: no new connections, requests in flight finish. Calling it again does
    /// nothing.
    fn stop(&self, py: Python<'_>) {
        let server = self.server.lock().ok().and_then(|mut server| server.take());
        // Dropping the server joins its thread, which may take a moment.
        py.detach(move || drop(server));
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _kind: &Bound<'_, PyAny>,
        _value: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> bool {
        self.stop(py);
        false
    }

    fn __repr__(&self) -> String {
        let state = if self.running() { "running" } else { "stopped" };
        format!("Emulator(base_url={:?}, {state})", self.base_url)
    }
}

fn stopped() -> PyErr {
    PyRuntimeError::new_err("the emulator was stopped")
}

/// `api_keys` as given: a mapping of key to project, or a sequence of `KEY` or
/// `KEY=PROJECT` (a key without a project belongs to the default one).
fn api_keys_of(keys: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let pairs = if let Ok(mapping) = keys.cast::<PyDict>() {
        mapping
            .iter()
            .map(|(key, project)| Ok((key.extract()?, project.extract()?)))
            .collect::<PyResult<Vec<(String, String)>>>()?
    } else if keys.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "api_keys takes a list of keys (`KEY` or `KEY=PROJECT`) or a dict of key to project, not one string",
        ));
    } else {
        keys.try_iter()?
            .map(|key| {
                let key: String = key?.extract()?;
                Ok(match key.split_once('=') {
                    Some((key, project)) => (key.to_owned(), project.to_owned()),
                    None => (key, DEFAULT_API_KEY.1.to_owned()),
                })
            })
            .collect::<PyResult<Vec<_>>>()?
    };
    if pairs.is_empty()
        || pairs
            .iter()
            .any(|(key, project)| key.trim().is_empty() || project.trim().is_empty())
    {
        return Err(PyValueError::new_err(
            "api_keys needs at least one key, and every key and project must be non-empty",
        ));
    }
    Ok(pairs)
}

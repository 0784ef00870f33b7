//! `Client` and its `batches` resource: the operations of `batches-client`, configured
//! through its one resolver (the arguments are the explicit layer, over the environment).

use batches_client::{
    BatchConfig, CancelBatchParams, ClientBuilder, CreateBatchParams, CreateBatchRequest,
    CreateOptions, GetBatchParams, Layer, ListBatchesParams, Region, Response, Source, WaitOptions,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::Value;

use crate::jobs::{ExtractJobs, ParseJobs};
use crate::listing::{BatchIterator, Walk};
use crate::model::Batch;
use crate::runtime::wait;
use crate::{convert, errors, params, run};

/// The `User-Agent` of the module's requests.
const USER_AGENT: &str = concat!("llamacloud-batches-python/", env!("CARGO_PKG_VERSION"));

/// A client of the Batches API.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct Client {
    batches: Py<Batches>,
    parse: Py<ParseJobs>,
    extract: Py<ExtractJobs>,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        *,
        api_key = None,
        base_url = None,
        region = None,
        max_retries = None,
        timeout = None,
        ca_bundle = None,
        proxy = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        region: Option<&str>,
        max_retries: Option<u32>,
        timeout: Option<f64>,
        ca_bundle: Option<std::path::PathBuf>,
        proxy: Option<String>,
    ) -> PyResult<Client> {
        let region = region
            .map(str::parse::<Region>)
            .transpose()
            .map_err(|error| errors::to_py(py, error))?;
        let explicit = Layer {
            api_key,
            base_url,
            region,
            max_retries,
            timeout: params::seconds(timeout, "timeout")?.map(Some),
            ca_bundle,
            proxy,
            user_agent: Some(USER_AGENT.to_owned()),
            ..Layer::default()
        };
        let client = ClientBuilder::from_env()
            .layer(Source::Explicit, explicit)
            .build()
            .map_err(|error| errors::to_py(py, error))?;
        Ok(Client {
            parse: Py::new(
                py,
                ParseJobs {
                    client: client.clone(),
                },
            )?,
            extract: Py::new(
                py,
                ExtractJobs {
                    client: client.clone(),
                },
            )?,
            batches: Py::new(py, Batches { client })?,
        })
    }

    /// The batch operations.
    #[getter]
    fn batches(&self, py: Python<'_>) -> Py<Batches> {
        self.batches.clone_ref(py)
    }

    /// The parse job operations.
    #[getter]
    fn parse(&self, py: Python<'_>) -> Py<ParseJobs> {
        self.parse.clone_ref(py)
    }

    /// The extract job operations.
    #[getter]
    fn extract(&self, py: Python<'_>) -> Py<ExtractJobs> {
        self.extract.clone_ref(py)
    }
}

/// The batch operations: `client.batches`.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct Batches {
    client: batches_client::Client,
}

#[pymethods]
impl Batches {
    /// Every batch matching the filters, newest first, across pages.
    #[pyo3(signature = (
        *,
        status = None,
        source_directory_id = None,
        created_at_on_or_after = None,
        created_at_on_or_before = None,
        page_size = None,
        page_token = None,
        project_id = None,
        organization_id = None,
        max_items = None,
        parallel = None,
        starting_token = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn list(
        &self,
        status: Option<&str>,
        source_directory_id: Option<String>,
        created_at_on_or_after: Option<&Bound<'_, PyAny>>,
        created_at_on_or_before: Option<&Bound<'_, PyAny>>,
        page_size: Option<i64>,
        page_token: Option<String>,
        project_id: Option<String>,
        organization_id: Option<String>,
        max_items: Option<u64>,
        parallel: Option<usize>,
        starting_token: Option<String>,
    ) -> PyResult<BatchIterator> {
        let params = ListBatchesParams {
            status: status.map(Into::into),
            source_directory_id,
            created_at_on_or_after: params::instant(
                created_at_on_or_after,
                "created_at_on_or_after",
            )?,
            created_at_on_or_before: params::instant(
                created_at_on_or_before,
                "created_at_on_or_before",
            )?,
            page_size,
            page_token,
            project_id,
            organization_id,
        };
        let walk = Walk {
            max_items,
            parallel,
            starting_token,
        };
        BatchIterator::new(&self.client, params, walk)
    }

    /// One batch; `expand=["results"]` includes the per-file results.
    #[pyo3(signature = (batch_id, *, expand = None, project_id = None, organization_id = None))]
    fn get(
        &self,
        py: Python<'_>,
        batch_id: &str,
        expand: Option<Vec<String>>,
        project_id: Option<String>,
        organization_id: Option<String>,
    ) -> PyResult<Batch> {
        let params = GetBatchParams {
            expand,
            project_id,
            organization_id,
        };
        let batches = self.client.batches();
        finish(py, wait(py, batches.get(batch_id, &params))?)
    }

    /// Creates a batch over a source directory; `config` is `{"job": {"type": …,
    /// "configuration_id": …}}`.
    #[pyo3(signature = (
        *,
        source_directory_id,
        config,
        webhook_configuration_ids = None,
        webhook_configurations = None,
        project_id = None,
        organization_id = None,
        idempotency_key = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        py: Python<'_>,
        source_directory_id: String,
        config: &Bound<'_, PyAny>,
        webhook_configuration_ids: Option<Vec<String>>,
        webhook_configurations: Option<&Bound<'_, PyAny>>,
        project_id: Option<String>,
        organization_id: Option<String>,
        idempotency_key: Option<String>,
    ) -> PyResult<Batch> {
        let config: BatchConfig = decode(convert::from_python(config, "config")?, "config")?;
        let mut request = CreateBatchRequest::new(source_directory_id, config);
        request.webhook_configuration_ids = webhook_configuration_ids;
        if let Some(configurations) = webhook_configurations.filter(|value| !value.is_none()) {
            let configurations = convert::from_python(configurations, "webhook_configurations")?;
            request.webhook_configurations =
                Some(decode(configurations, "webhook_configurations")?);
        }
        let options = CreateOptions {
            idempotency_key,
            params: CreateBatchParams {
                project_id,
                organization_id,
            },
        };
        let batches = self.client.batches();
        finish(py, wait(py, batches.create(&request, &options))?)
    }

    /// Asks the server to cancel a batch; returns it as the server answered.
    #[pyo3(signature = (batch_id, *, project_id = None, organization_id = None))]
    fn cancel(
        &self,
        py: Python<'_>,
        batch_id: &str,
        project_id: Option<String>,
        organization_id: Option<String>,
    ) -> PyResult<Batch> {
        let params = CancelBatchParams {
            project_id,
            organization_id,
        };
        let batches = self.client.batches();
        finish(py, wait(py, batches.cancel(batch_id, &params))?)
    }

    /// Polls a batch until it is `COMPLETED`, `FAILED` or `CANCELLED` and returns it; fails
    /// with `WaitTimeoutError` after `timeout` seconds.
    #[pyo3(signature = (batch_id, *, timeout = None, interval = 1.0, max_interval = 10.0, expand = None))]
    fn wait(
        &self,
        py: Python<'_>,
        batch_id: &str,
        timeout: Option<f64>,
        interval: f64,
        max_interval: f64,
        expand: Option<Vec<String>>,
    ) -> PyResult<Batch> {
        let interval = params::seconds(Some(interval), "interval")?.unwrap_or_default();
        let max_interval = params::seconds(Some(max_interval), "max_interval")?.unwrap_or_default();
        if max_interval < interval {
            return Err(PyValueError::new_err(
                "max_interval must be at least interval",
            ));
        }
        let options = WaitOptions::new()
            .interval(interval)
            .max_interval(max_interval)
            .timeout(params::seconds(timeout, "timeout")?)
            .params(GetBatchParams {
                expand,
                ..GetBatchParams::default()
            });
        let batches = self.client.batches();
        finish(py, wait(py, batches.wait(batch_id, options))?)
    }

    /// `llamacloud batches run` over `paths`, in this process: the run engine's
    /// `RunResult` (with `dry_run`, its `RunPlan`), each event handed to `on_event` on this
    /// thread as it happens.
    #[pyo3(signature = (
        paths,
        *,
        job_type,
        configuration_id,
        directory_id = None,
        split = false,
        include = None,
        exclude = None,
        upload_concurrency = None,
        upload_rate = None,
        wait = true,
        timeout = None,
        on_event = None,
        out = None,
        output_form = None,
        reprocess = false,
        retry_failed = false,
        export_concurrency = None,
        follow_links = false,
        allow_other_files = false,
        dry_run = false,
        webhook_configurations = None,
        webhook_configuration_ids = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        paths: &Bound<'_, PyAny>,
        job_type: &str,
        configuration_id: String,
        directory_id: Option<&Bound<'_, PyAny>>,
        split: bool,
        include: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
        upload_concurrency: Option<i64>,
        upload_rate: Option<&Bound<'_, PyAny>>,
        wait: bool,
        timeout: Option<f64>,
        on_event: Option<&Bound<'_, PyAny>>,
        out: Option<&Bound<'_, PyAny>>,
        output_form: Option<&str>,
        reprocess: bool,
        retry_failed: bool,
        export_concurrency: Option<i64>,
        follow_links: bool,
        allow_other_files: bool,
        dry_run: bool,
        webhook_configurations: Option<&Bound<'_, PyAny>>,
        webhook_configuration_ids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let given = run::Given {
            paths,
            job_type,
            configuration_id,
            directory_id,
            split,
            include,
            exclude,
            upload_concurrency,
            upload_rate,
            wait,
            timeout,
            out,
            output_form,
            reprocess,
            retry_failed,
            export_concurrency,
            follow_links,
            allow_other_files,
            dry_run,
            webhook_configurations,
            webhook_configuration_ids,
        };
        run::run(py, &self.client, given, on_event)
    }

    /// `llamacloud batches results BATCH_ID --out DIR`, in this process: the batch waited
    /// for, each file's output written into `out` (named from its directory file), and the
    /// `RunResult`, each event handed to `on_event` on this thread as it happens.
    #[pyo3(signature = (
        batch_id,
        *,
        out,
        output_form = None,
        reprocess = false,
        export_concurrency = None,
        on_event = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn results(
        &self,
        py: Python<'_>,
        batch_id: String,
        out: &Bound<'_, PyAny>,
        output_form: Option<&str>,
        reprocess: bool,
        export_concurrency: Option<i64>,
        on_event: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let export = run::Export {
            batch_id,
            out,
            output_form,
            reprocess,
            export_concurrency,
        };
        run::results(py, &self.client, export, on_event)
    }
}

/// The batch of a response, or the exception for its error.
fn finish(
    py: Python<'_>,
    result: Result<Response<batches_client::Batch>, batches_client::Error>,
) -> PyResult<Batch> {
    let response = result.map_err(|error| errors::to_py(py, error))?;
    Ok(Batch::from_raw(
        String::from_utf8_lossy(&response.raw).into_owned(),
    ))
}

/// An argument decoded as the model the API expects, or a `ValueError` saying why not.
fn decode<T: serde::de::DeserializeOwned>(value: Value, name: &str) -> PyResult<T> {
    serde_json::from_value(value).map_err(|error| PyValueError::new_err(format!("{name}: {error}")))
}

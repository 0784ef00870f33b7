//! `client.parse` and `client.extract`: the jobs a batch produces, as models shaped by the
//! schema (`ParseJobResult`, `ExtractJob`).

use std::future::Future;

use batches_client::{GetExtractJobParams, GetParseJobParams, Response};
use pyo3::prelude::*;

use crate::errors;
use crate::model::Model;
use crate::runtime::wait;

/// The parse job operations: `client.parse`.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct ParseJobs {
    pub(crate) client: batches_client::Client,
}

#[pymethods]
impl ParseJobs {
    /// One parse job with what `expand` asks for (`markdown_full`, `text`, `items`,
    /// `usage`…); a document too large to be sent inline is fetched from its presigned URL
    /// (without the key) and given as `markdown_full`, `text_full` or `items`.
    #[pyo3(signature = (job_id, *, expand = None, project_id = None, organization_id = None))]
    fn get(
        &self,
        py: Python<'_>,
        job_id: &str,
        expand: Option<Vec<String>>,
        project_id: Option<String>,
        organization_id: Option<String>,
    ) -> PyResult<Model> {
        let params = GetParseJobParams {
            expand: expanded(expand),
            project_id,
            organization_id,
        };
        let parse = self.client.parse();
        job(py, "ParseJobResult", parse.get_following(job_id, &params))
    }
}

/// The extract job operations: `client.extract`.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct ExtractJobs {
    pub(crate) client: batches_client::Client,
}

#[pymethods]
impl ExtractJobs {
    /// One extract job and its `extract_result`, with what `expand` asks for
    /// (`configuration`, `extract_metadata`, `usage`).
    #[pyo3(signature = (job_id, *, expand = None, project_id = None, organization_id = None))]
    fn get(
        &self,
        py: Python<'_>,
        job_id: &str,
        expand: Option<Vec<String>>,
        project_id: Option<String>,
        organization_id: Option<String>,
    ) -> PyResult<Model> {
        let params = GetExtractJobParams {
            expand: expanded(expand),
            project_id,
            organization_id,
        };
        let extract = self.client.extract();
        job(py, "ExtractJob", extract.get(job_id, &params))
    }
}

/// The names given as `expand`, as the job type's open enum of them.
fn expanded<E: From<String>>(names: Option<Vec<String>>) -> Option<Vec<E>> {
    names.map(|names| names.into_iter().map(E::from).collect())
}

/// The job that `request` answers with, as schema model `model`, or the exception for
/// its error.
fn job<T: Send>(
    py: Python<'_>,
    model: &str,
    request: impl Future<Output = Result<Response<T>, batches_client::Error>> + Send,
) -> PyResult<Model> {
    let response = wait(py, request)?.map_err(|error| errors::to_py(py, error))?;
    Model::from_json(model, &response.raw)
}

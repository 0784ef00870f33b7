//! The extract job operations: [`ExtractJobs`].

use std::sync::Arc;

use batches_types::{ExtractJob, GetExtractJobParams};
use http::Method;

use crate::error::Error;
use crate::operation::GET_EXTRACT_JOB;
use crate::requests::{Requests, id_segment};
use crate::response::Response;
use crate::transport::Transport;

/// The operations on extract jobs (`/api/v2/extract`), borrowed from a
/// [`Client`](crate::Client) by [`Client::extract`](crate::Client::extract). A batch's
/// `extract_v2` results name these jobs (`ejb-…`).
///
/// ```no_run
/// use batches_client::{ExtractJobExpand, GetExtractJobParams};
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let params = GetExtractJobParams {
///     expand: Some(vec![ExtractJobExpand::Usage]),
///     ..Default::default()
/// };
/// let job = client.extract().get("ejb-123", &params).await?;
/// println!("{} {:?}", job.status, job.extract_result);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ExtractJobs<'a> {
    requests: Requests<'a>,
}

impl<'a> ExtractJobs<'a> {
    pub(crate) fn new(transport: &'a Arc<Transport>) -> Self {
        ExtractJobs {
            requests: Requests::new(transport),
        }
    }

    /// Gets one extract job (`GET /api/v2/extract/{job_id}`) with its `extract_result`
    /// (null until it has COMPLETED) and what `expand` asks for. Retried like a batch get.
    pub async fn get(
        &self,
        job_id: &str,
        params: &GetExtractJobParams,
    ) -> Result<Response<ExtractJob>, Error> {
        let segments = ["api", "v2", "extract", id_segment(job_id, "job", "ejb-…")?];
        let call = self.requests.call(
            GET_EXTRACT_JOB,
            Method::GET,
            &segments,
            &params.to_query_string(),
        );
        self.requests.send(call).await
    }
}

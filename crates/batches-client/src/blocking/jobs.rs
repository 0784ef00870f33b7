//! The job operations of the blocking client: [`ParseJobs`] and [`ExtractJobs`].

use std::path::Path;

use batches_types::{ExtractJob, GetExtractJobParams, GetParseJobParams, ParseJobResult};

use super::Client;
use crate::{Error, ParseOutput, Response, SavedResult};

/// The parse job operations of the blocking [`Client`]; each mirrors the async
/// [`crate::ParseJobs`] method of the same name.
#[derive(Debug, Clone, Copy)]
pub struct ParseJobs<'a> {
    client: &'a Client,
}

impl<'a> ParseJobs<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        ParseJobs { client }
    }

    /// Gets one parse job, exactly as the server sent it.
    pub fn get(
        &self,
        job_id: &str,
        params: &GetParseJobParams,
    ) -> Result<Response<ParseJobResult>, Error> {
        self.client
            .run(self.client.client.parse().get(job_id, params))
    }

    /// Gets one parse job, documents left out inline fetched from their presigned URLs.
    pub fn get_following(
        &self,
        job_id: &str,
        params: &GetParseJobParams,
    ) -> Result<Response<ParseJobResult>, Error> {
        self.client
            .run(self.client.client.parse().get_following(job_id, params))
    }

    /// Writes one document of a completed job to a file, from its presigned URL when it is
    /// not inline.
    pub fn save(
        &self,
        job_id: &str,
        output: ParseOutput,
        path: impl AsRef<Path>,
        params: &GetParseJobParams,
    ) -> Result<SavedResult, Error> {
        self.client.run(
            self.client
                .client
                .parse()
                .save(job_id, output, path, params),
        )
    }
}

/// The extract job operations of the blocking [`Client`]; each mirrors the async
/// [`crate::ExtractJobs`] method of the same name.
#[derive(Debug, Clone, Copy)]
pub struct ExtractJobs<'a> {
    client: &'a Client,
}

impl<'a> ExtractJobs<'a> {
    pub(super) fn new(client: &'a Client) -> Self {
        ExtractJobs { client }
    }

    /// Gets one extract job and its result.
    pub fn get(
        &self,
        job_id: &str,
        params: &GetExtractJobParams,
    ) -> Result<Response<ExtractJob>, Error> {
        self.client
            .run(self.client.client.extract().get(job_id, params))
    }
}

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

// Defined here rather than beside `Client`'s other methods so that `blocking` only declares
// and re-exports this module: the job operations use the client, not the reverse.
impl Client {
    /// The parse job operations.
    pub fn parse(&self) -> ParseJobs<'_> {
        ParseJobs { client: self }
    }

    /// The extract job operations.
    pub fn extract(&self) -> ExtractJobs<'_> {
        ExtractJobs { client: self }
    }

    /// Streams the document at a presigned URL into a file (see
    /// [`crate::Client::download`]: no API key or custom header is sent).
    pub fn download(&self, url: &str, path: impl AsRef<Path>) -> Result<u64, Error> {
        self.run(self.client.download(url, path))
    }

    /// The document at a presigned URL, read whole (see [`crate::Client::download_bytes`]).
    pub fn download_bytes(&self, url: &str) -> Result<bytes::Bytes, Error> {
        self.run(self.client.download_bytes(url))
    }
}

impl ParseJobs<'_> {
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

impl ExtractJobs<'_> {
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

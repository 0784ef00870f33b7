//! The source directory operations: [`Directories`]. The operations on a directory's files
//! are on the handle [`Directories::files`] returns.

use std::sync::Arc;

use batches_types::{
    CreateDirectoryParams, CreateDirectoryRequest, Directory, GetDirectoryParams,
    ListDirectoriesParams,
};
use bytes::Bytes;
use http::Method;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::files::DirectoryFiles;
use crate::items::Items;
use crate::operation::{CREATE_DIRECTORY, GET_DIRECTORY, LIST_DIRECTORIES};
use crate::pagination::{Page, Pages};
use crate::requests::{Requests, id_segment};
use crate::retry::RetryPolicy;
use crate::transport::{Response, Transport};

/// The path segments of the directories collection.
const COLLECTION: [&str; 4] = ["api", "v1", "beta", "directories"];

/// The operations on source directories (`/api/v1/beta/directories`), borrowed from a
/// [`Client`](crate::Client) by [`Client::directories`](crate::Client::directories).
///
/// ```no_run
/// use batches_client::{CreateDirectoryRequest, CreateDirectoryType};
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let request = CreateDirectoryRequest {
///     type_: Some(CreateDirectoryType::Ephemeral),
///     ..CreateDirectoryRequest::new("invoices")
/// };
/// let directory = client.directories().create(&request, &Default::default()).await?;
/// let file = client
///     .directories()
///     .files(&directory.id)
///     .upload("scans/invoice-001.pdf", &Default::default())
///     .await?;
/// println!("{} holds {} ({})", directory.id, file.display_name, file.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Directories<'a> {
    requests: Requests<'a>,
}

impl<'a> Directories<'a> {
    pub(crate) fn new(transport: &'a Arc<Transport>) -> Self {
        Directories {
            requests: Requests::new(transport),
        }
    }

    /// Creates a source directory (`POST /api/v1/beta/directories`).
    ///
    /// The server does not recognise a repeated create, so it is retried only where it
    /// cannot have been acted on: the connection could not be made, or the server answered
    /// 429 (or `x-should-retry: true`). Any other failure is returned as is; check with
    /// [`list`](Self::list) (filtered by `name`) before creating again.
    pub async fn create(
        &self,
        request: &CreateDirectoryRequest,
        params: &CreateDirectoryParams,
    ) -> Result<Response<Directory>, Error> {
        let body = serde_json::to_vec(request).map_err(|error| {
            Error::InvalidRequest(format!("could not encode the directory: {error}"))
        })?;
        let call = self
            .requests
            .call(
                CREATE_DIRECTORY,
                Method::POST,
                &COLLECTION,
                &params.to_query_string(),
            )
            .json(Bytes::from(body))
            .policy(RetryPolicy::UnsentOnly);
        self.requests.send(call).await
    }

    /// Gets one directory (`GET /api/v1/beta/directories/{directory_id}`).
    pub async fn get(
        &self,
        directory_id: &str,
        params: &GetDirectoryParams,
    ) -> Result<Response<Directory>, Error> {
        let mut segments = COLLECTION.to_vec();
        segments.push(id_segment(directory_id, "directory", "dir-…")?);
        let call = self.requests.call(
            GET_DIRECTORY,
            Method::GET,
            &segments,
            &params.to_query_string(),
        );
        self.requests.send(call).await
    }

    /// Lists one page of directories (`GET /api/v1/beta/directories`), oldest first.
    pub async fn list(&self, params: &ListDirectoriesParams) -> Result<Page<Directory>, Error> {
        self.requests
            .list_page(LIST_DIRECTORIES, &COLLECTION, params)
            .await
    }

    /// Lists one page, items kept as the JSON text the server sent.
    pub async fn list_raw(
        &self,
        params: &ListDirectoriesParams,
    ) -> Result<Page<Box<RawValue>>, Error> {
        self.requests
            .list_page(LIST_DIRECTORIES, &COLLECTION, params)
            .await
    }

    /// Every page of the listing, with one page of lookahead (the rules of [`Pages`]).
    pub fn pages(&self, params: ListDirectoriesParams) -> Pages<Directory> {
        self.walk(params)
    }

    /// Every page of the listing, items undecoded.
    pub fn raw_pages(&self, params: ListDirectoriesParams) -> Pages<Box<RawValue>> {
        self.walk(params)
    }

    /// Every directory of the listing, one at a time, across pages.
    ///
    /// ```no_run
    /// use batches_client::{DirectoryType, ListDirectoriesParams};
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
    /// let ephemeral = ListDirectoriesParams {
    ///     type_: Some(DirectoryType::Ephemeral),
    ///     ..Default::default()
    /// };
    /// let mut directories = client.directories().stream(ephemeral);
    /// while let Some(directory) = directories.try_next().await? {
    ///     println!("{} {}", directory.id, directory.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(&self, params: ListDirectoriesParams) -> Items<Directory> {
        Items::pages(self.pages(params))
    }

    /// The operations on the files of directory `directory_id`.
    pub fn files(&self, directory_id: &str) -> DirectoryFiles<'a> {
        let mut directory = COLLECTION.map(str::to_owned).to_vec();
        directory.push(directory_id.to_owned());
        DirectoryFiles::new(self.requests, directory)
    }

    fn walk<T: DeserializeOwned + Send + 'static>(
        &self,
        params: ListDirectoriesParams,
    ) -> Pages<T> {
        let segments = COLLECTION.map(str::to_owned).to_vec();
        self.requests.walk(LIST_DIRECTORIES, segments, params)
    }
}

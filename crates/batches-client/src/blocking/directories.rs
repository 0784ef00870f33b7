//! The source directory operations of the blocking [`Client`](super::Client).

use std::path::Path;

use batches_types::{
    AddDirectoryFileParams, AddDirectoryFileRequest, CreateDirectoryParams, CreateDirectoryRequest,
    Directory, DirectoryFile, GetDirectoryParams, ListDirectoriesParams, ListDirectoryFilesParams,
};
use serde_json::value::RawValue;

use super::{Client, Iter, Pages};
use crate::{Error, Page, Response, UploadOptions};

/// The source directory operations of the blocking [`Client`]; each mirrors the async
/// [`crate::Directories`] method of the same name.
///
/// ```no_run
/// use batches_client::{CreateDirectoryRequest, blocking};
///
/// let client = blocking::Client::from_env()?;
/// let directory = client
///     .directories()
///     .create(&CreateDirectoryRequest::new("scans"), &Default::default())?;
/// let files = client.directories().files(&directory.id);
/// files.upload("scans/a.pdf", &Default::default())?;
/// for file in files.iter(Default::default()) {
///     println!("{}", file?.display_name);
/// }
/// # Ok::<(), batches_client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Directories<'a> {
    client: &'a Client,
}

// Defined here rather than beside `Client`'s other methods so that `blocking` only declares
// and re-exports this module: the directory operations use the client, not the reverse.
impl Client {
    /// The source directory operations.
    pub fn directories(&self) -> Directories<'_> {
        Directories { client: self }
    }
}

impl<'a> Directories<'a> {
    /// Creates a source directory (same retry rule as the async client).
    pub fn create(
        &self,
        request: &CreateDirectoryRequest,
        params: &CreateDirectoryParams,
    ) -> Result<Response<Directory>, Error> {
        self.client
            .run(self.client.client.directories().create(request, params))
    }

    /// Gets one directory.
    pub fn get(
        &self,
        directory_id: &str,
        params: &GetDirectoryParams,
    ) -> Result<Response<Directory>, Error> {
        self.client
            .run(self.client.client.directories().get(directory_id, params))
    }

    /// Lists one page of directories.
    pub fn list(&self, params: &ListDirectoriesParams) -> Result<Page<Directory>, Error> {
        self.client
            .run(self.client.client.directories().list(params))
    }

    /// Lists one page, items undecoded.
    pub fn list_raw(&self, params: &ListDirectoriesParams) -> Result<Page<Box<RawValue>>, Error> {
        self.client
            .run(self.client.client.directories().list_raw(params))
    }

    /// Every page of the listing, with one page of lookahead.
    pub fn pages(&self, params: ListDirectoriesParams) -> Pages<Directory> {
        self.client
            .pages_of(self.client.client.directories().pages(params))
    }

    /// Every page of the listing, items undecoded.
    pub fn raw_pages(&self, params: ListDirectoriesParams) -> Pages<Box<RawValue>> {
        self.client
            .pages_of(self.client.client.directories().raw_pages(params))
    }

    /// Every directory of the listing, across pages.
    pub fn iter(&self, params: ListDirectoriesParams) -> Iter<Directory> {
        self.client
            .items_of(self.client.client.directories().stream(params))
    }

    /// The operations on the files of directory `directory_id`.
    pub fn files(&self, directory_id: &str) -> DirectoryFiles<'a> {
        DirectoryFiles {
            client: self.client,
            directory_id: directory_id.to_owned(),
        }
    }
}

/// The operations on the files of one directory, for the blocking [`Client`]; each mirrors
/// the async [`crate::DirectoryFiles`] method of the same name (retry rules included).
#[derive(Debug, Clone)]
pub struct DirectoryFiles<'a> {
    client: &'a Client,
    directory_id: String,
}

impl DirectoryFiles<'_> {
    fn files(&self) -> crate::DirectoryFiles<'_> {
        self.client.client.directories().files(&self.directory_id)
    }

    /// Lists one page of the directory's files.
    pub fn list(&self, params: &ListDirectoryFilesParams) -> Result<Page<DirectoryFile>, Error> {
        self.client.run(self.files().list(params))
    }

    /// Lists one page, items undecoded.
    pub fn list_raw(
        &self,
        params: &ListDirectoryFilesParams,
    ) -> Result<Page<Box<RawValue>>, Error> {
        self.client.run(self.files().list_raw(params))
    }

    /// Every page of the listing, with one page of lookahead.
    pub fn pages(&self, params: ListDirectoryFilesParams) -> Pages<DirectoryFile> {
        self.client.pages_of(self.files().pages(params))
    }

    /// Every page of the listing, items undecoded.
    pub fn raw_pages(&self, params: ListDirectoryFilesParams) -> Pages<Box<RawValue>> {
        self.client.pages_of(self.files().raw_pages(params))
    }

    /// Every file of the listing, across pages.
    pub fn iter(&self, params: ListDirectoryFilesParams) -> Iter<DirectoryFile> {
        self.client.items_of(self.files().stream(params))
    }

    /// Uploads a file from disk, streamed.
    pub fn upload(
        &self,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<Response<DirectoryFile>, Error> {
        self.client.run(self.files().upload(path, options))
    }

    /// Adds a file already stored in the project, by its `file_id`.
    pub fn add(
        &self,
        request: &AddDirectoryFileRequest,
        params: &AddDirectoryFileParams,
    ) -> Result<Response<DirectoryFile>, Error> {
        self.client.run(self.files().add(request, params))
    }
}

//! The operations on the files of one source directory: [`DirectoryFiles`], and the rule
//! that makes retrying an upload safe.

use std::path::Path;

use batches_types::{
    AddDirectoryFileParams, AddDirectoryFileRequest, DirectoryFile, ListDirectoryFilesParams,
    UploadDirectoryFileFields, UploadDirectoryFileParams,
};
use bytes::Bytes;
use http::Method;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{Error, FileNameProblem};
use crate::items::Items;
use crate::multipart::UploadBody;
use crate::operation::{ADD_DIRECTORY_FILE, LIST_DIRECTORY_FILES, UPLOAD_DIRECTORY_FILE};
use crate::pagination::{Page, Pages};
use crate::requests::{Requests, id_segment};
use crate::transport::{Call, Failed, Response};

/// The status of a conflict: here, a file with the same `unique_id` is in the directory.
const CONFLICT: u16 = 409;

/// The name a file is uploaded under (its file name), or why it cannot be: the path names
/// no file, the name is not UTF-8, or it holds a control character, which the multipart
/// header carrying it cannot hold (see [`FileNameProblem`]). [`DirectoryFiles::upload`]
/// checks it before sending anything; front-ends can check a whole folder first.
///
/// ```
/// use std::path::Path;
/// use batches_client::{FileNameProblem, upload_file_name};
///
/// assert_eq!(upload_file_name(Path::new("scans/invoice 1.pdf")), Ok("invoice 1.pdf"));
/// assert_eq!(
///     upload_file_name(Path::new("scans/invoice\n1.pdf")),
///     Err(FileNameProblem::ControlCharacter('\n'))
/// );
/// ```
pub fn upload_file_name(path: &Path) -> Result<&str, FileNameProblem> {
    let name = path.file_name().ok_or(FileNameProblem::Missing)?;
    let name = name.to_str().ok_or(FileNameProblem::NotUtf8)?;
    match name.chars().find(|character| character.is_control()) {
        Some(character) => Err(FileNameProblem::ControlCharacter(character)),
        None => Ok(name),
    }
}

/// The operations on the files of one source directory, from
/// [`Directories::files`](crate::Directories::files).
///
/// **Retries.** The server keeps at most one file per `unique_id` in a directory and answers
/// 409 to a second, so repeating an upload (or an add) cannot leave a duplicate file. They
/// are therefore retried like `get` (connection errors, timeouts, cut bodies, 408, 429,
/// 5xx), and [`upload`](Self::upload) always sends a `unique_id` (the caller's, else the
/// one the server would pick: `external_file_id`, else the display name, else the file
/// name). A 409 on a retry, after an attempt whose outcome is unknown (sent, then a cut
/// connection, a timeout, a 5xx or a 408), means that attempt landed: the file is looked up
/// by its `unique_id` (for an add without one, by its `file_id`) and returned as if the
/// attempt had answered. A 409 to a first attempt, or after attempts the server refused
/// untouched (429, no connection), is returned as an error: another file already has that
/// `unique_id`.
///
/// ```no_run
/// use batches_client::{UploadDirectoryFileFields, UploadOptions};
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let options = UploadOptions {
///     fields: UploadDirectoryFileFields {
///         unique_id: Some("scans/2026/invoice-001.pdf".into()),
///         metadata: Some(r#"{"team": "finance"}"#.into()),
///         ..Default::default()
///     },
///     ..Default::default()
/// };
/// let files = client.directories().files("dir-123");
/// let file = files.upload("scans/2026/invoice-001.pdf", &options).await?;
/// println!("uploaded as {}", file.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct DirectoryFiles<'a> {
    requests: Requests<'a>,
    /// The directory's path segments, its id last.
    directory: Vec<String>,
}

/// Options of [`DirectoryFiles::upload`].
///
/// ```
/// use batches_client::{UploadDirectoryFileFields, UploadOptions};
///
/// let options = UploadOptions {
///     fields: UploadDirectoryFileFields {
///         display_name: Some("Invoice 1".into()),
///         external_file_id: Some("crm-17".into()),
///         ..Default::default()
///     },
///     ..UploadOptions::default()
/// };
/// # drop(options);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadOptions {
    /// The text fields sent with the file.
    pub fields: UploadDirectoryFileFields,
    /// Query parameters (`organization_id`, `project_id`).
    pub params: UploadDirectoryFileParams,
    /// Returns a 429 at once ([`Error::Api`] with status 429 and the server's
    /// `retry_after`) instead of waiting and retrying it: for a caller that paces its
    /// uploads itself, where one 429 should slow every upload, not only this one (the
    /// run engine does). Other failures are retried as usual.
    pub return_rate_limited: bool,
}

impl<'a> DirectoryFiles<'a> {
    pub(crate) fn new(requests: Requests<'a>, directory: Vec<String>) -> Self {
        DirectoryFiles {
            requests,
            directory,
        }
    }

    /// Lists one page of the directory's files
    /// (`GET /api/v1/beta/directories/{directory_id}/files`), oldest first.
    pub async fn list(
        &self,
        params: &ListDirectoryFilesParams,
    ) -> Result<Page<DirectoryFile>, Error> {
        self.list_page(params).await
    }

    /// Lists one page, items kept as the JSON text the server sent.
    pub async fn list_raw(
        &self,
        params: &ListDirectoryFilesParams,
    ) -> Result<Page<Box<RawValue>>, Error> {
        self.list_page(params).await
    }

    /// Every page of the listing, with one page of lookahead (the rules of [`Pages`]).
    pub fn pages(&self, params: ListDirectoryFilesParams) -> Pages<DirectoryFile> {
        self.walk(params)
    }

    /// Every page of the listing, items undecoded.
    pub fn raw_pages(&self, params: ListDirectoryFilesParams) -> Pages<Box<RawValue>> {
        self.walk(params)
    }

    /// Every file of the listing, one at a time, across pages.
    pub fn stream(&self, params: ListDirectoryFilesParams) -> Items<DirectoryFile> {
        Items::pages(self.pages(params))
    }

    /// Uploads a file from disk into the directory
    /// (`POST /api/v1/beta/directories/{directory_id}/files/upload`), streamed as
    /// `multipart/form-data` under its file name: memory stays at one chunk whatever its
    /// size, and each attempt reads the file anew. See the [type docs](Self) for the
    /// `unique_id` always sent and the retry rule.
    ///
    /// Fails with [`Error::File`] when the file cannot be read, and with
    /// [`Error::FileName`] when it cannot be sent under its name (see
    /// [`upload_file_name`]); nothing is sent then.
    pub async fn upload(
        &self,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<Response<DirectoryFile>, Error> {
        let path = path.as_ref();
        let file_name = upload_file_name(path).map_err(|problem| Error::FileName {
            operation: UPLOAD_DIRECTORY_FILE,
            path: path.to_owned(),
            problem,
        })?;
        let mut fields = options.fields.clone();
        // An empty field is no value: the server skips it too.
        let unique_id = [
            &fields.unique_id,
            &fields.external_file_id,
            &fields.display_name,
        ]
        .into_iter()
        .flatten()
        .find(|value| !value.is_empty())
        .cloned()
        .unwrap_or_else(|| file_name.to_owned());
        fields.unique_id = Some(unique_id.clone());
        let body = UploadBody {
            path: path.to_owned(),
            file_name: file_name.to_owned(),
            fields: fields.to_form_fields(),
        };
        let call = self
            .call(
                UPLOAD_DIRECTORY_FILE,
                Method::POST,
                &["files", "upload"],
                &options.params.to_query_string(),
            )?
            .upload(body)
            .retry_rate_limited(!options.return_rate_limited);
        let lookup = ListDirectoryFilesParams {
            unique_id: Some(unique_id),
            organization_id: options.params.organization_id.clone(),
            project_id: options.params.project_id.clone(),
            ..Default::default()
        };
        self.send_once(call, lookup).await
    }

    /// Adds a file already stored in the project, by its `file_id`
    /// (`POST /api/v1/beta/directories/{directory_id}/files`). Retried as an upload is
    /// (see the [type docs](Self)).
    pub async fn add(
        &self,
        request: &AddDirectoryFileRequest,
        params: &AddDirectoryFileParams,
    ) -> Result<Response<DirectoryFile>, Error> {
        let body = serde_json::to_vec(request).map_err(|error| {
            Error::InvalidRequest(format!("could not encode the file to add: {error}"))
        })?;
        let call = self
            .call(
                ADD_DIRECTORY_FILE,
                Method::POST,
                &["files"],
                &params.to_query_string(),
            )?
            .json(Bytes::from(body));
        let lookup = ListDirectoryFilesParams {
            file_id: Some(request.file_id.clone()),
            unique_id: request.unique_id.clone(),
            organization_id: params.organization_id.clone(),
            project_id: params.project_id.clone(),
            ..Default::default()
        };
        self.send_once(call, lookup).await
    }

    /// Makes a call that adds a file, reading a conflict after an attempt of unknown outcome
    /// as that attempt's success: the file `lookup` finds is returned.
    async fn send_once(
        &self,
        call: Call,
        lookup: ListDirectoryFilesParams,
    ) -> Result<Response<DirectoryFile>, Error> {
        let operation = call.operation;
        let error = match self.requests.transport().execute_tracked(call).await {
            Ok(exchange) => return exchange.decode(operation),
            Err(Failed {
                error,
                earlier_attempt_may_have_acted: true,
            }) if error.status() == Some(CONFLICT) => error,
            Err(failed) => return Err(failed.error),
        };
        tracing::info!(
            operation,
            "conflict after an attempt of unknown outcome; looking the file up"
        );
        let params = ListDirectoryFilesParams {
            page_size: Some(1),
            ..lookup
        };
        let page = self.list_raw(&params).await?;
        let Some(item) = page.items.first() else {
            return Err(error);
        };
        let file = serde_json::from_str(item.get()).map_err(|decode| {
            Error::decode(
                LIST_DIRECTORY_FILES,
                page.http_status,
                page.request_id.clone(),
                &decode,
                item.get().as_bytes(),
            )
        })?;
        Ok(Response {
            value: file,
            http_status: page.http_status,
            request_id: page.request_id,
            raw: Bytes::copy_from_slice(item.get().as_bytes()),
        })
    }

    /// A call to `tail` below the directory, refused when the directory id is empty.
    fn call(
        &self,
        operation: &'static str,
        method: Method,
        tail: &[&str],
        query: &str,
    ) -> Result<Call, Error> {
        let segments = self.segments(tail)?;
        Ok(self.requests.call(operation, method, &segments, query))
    }

    fn segments<'s>(&'s self, tail: &[&'s str]) -> Result<Vec<&'s str>, Error> {
        let (id, collection) = self
            .directory
            .split_last()
            .expect("a directory path ends in its id");
        let mut segments: Vec<&str> = collection.iter().map(String::as_str).collect();
        segments.push(id_segment(id, "directory", "dir-…")?);
        segments.extend_from_slice(tail);
        Ok(segments)
    }

    async fn list_page<T: DeserializeOwned>(
        &self,
        params: &ListDirectoryFilesParams,
    ) -> Result<Page<T>, Error> {
        let segments = self.segments(&["files"])?;
        self.requests
            .list_page(LIST_DIRECTORY_FILES, &segments, params)
            .await
    }

    fn walk<T: DeserializeOwned + Send + 'static>(
        &self,
        params: ListDirectoryFilesParams,
    ) -> Pages<T> {
        match self.segments(&["files"]) {
            Ok(segments) => {
                let segments = segments.into_iter().map(str::to_owned).collect();
                self.requests.walk(LIST_DIRECTORY_FILES, segments, params)
            }
            Err(error) => Pages::failed(LIST_DIRECTORY_FILES, error),
        }
    }
}

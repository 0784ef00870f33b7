//! Uploading local files into a directory: leave out those already there (a rerun
//! finishes what an interrupted one started), upload the rest concurrently at the pace of
//! the [`Pacer`], wait out the server's 429s, and make sure what was sent is the file as it
//! is.

use std::collections::HashMap;
use std::fs;
use std::sync::Arc;
use std::time::SystemTime;

use batches_client::{
    Client, DirectoryFile, Error as ClientError, ListDirectoryFilesParams,
    UploadDirectoryFileFields, UploadOptions,
};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::event::Event;
use crate::events::Events;
use crate::pacing::Pacer;
use crate::walk::LocalFile;

/// How many times one file waits out a 429 (beyond the client's own retries) before its
/// upload counts as failed.
const RATE_LIMITED_ROUNDS: u32 = 10;

/// The metadata key under which an upload records the size it sent, so that a rerun can
/// tell a file already in the directory from another version of it.
const METADATA_KEY: &str = "llamacloud_local_file";

/// A file in a directory, as the server sent it.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// The directory file.
    pub file: DirectoryFile,
    /// Its JSON, exactly as sent.
    pub raw: String,
}

impl StoredFile {
    fn from_raw(raw: &str) -> Result<StoredFile, serde_json::Error> {
        Ok(StoredFile {
            file: serde_json::from_str(raw)?,
            raw: raw.to_owned(),
        })
    }

    /// The size an upload of this tooling recorded, if one did.
    fn recorded_bytes(&self) -> Option<u64> {
        self.file
            .metadata
            .as_ref()?
            .get(METADATA_KEY)?
            .get("bytes")?
            .as_u64()
    }
}

/// Why a file is not in its directory (or not as it is here).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The upload failed (after the client's retries and the rate limit's rounds).
    #[error("{}", upload_message(.0))]
    Client(#[from] ClientError),
    /// The file changed while it was being sent: the directory holds what was read.
    #[error(
        "the file changed while it was uploaded ({before} bytes when it started, {after} \
         bytes now); the directory holds the version read then, so use a new directory \
         (leave out the directory id) to send it again"
    )]
    Changed {
        /// Its size when the upload started.
        before: u64,
        /// Its size after.
        after: u64,
    },
    /// The directory holds another version of the file, under its path.
    #[error(
        "the directory holds another version of this file ({there} bytes, {here} bytes \
         here) under the same path; use a new directory (leave out the directory id)"
    )]
    OtherVersion {
        /// The size recorded when it was uploaded.
        there: u64,
        /// Its size here.
        here: u64,
    },
}

/// A client failure for a file's result: the client's message without the operation's
/// name, which every one would repeat.
fn upload_message(error: &ClientError) -> String {
    let message = error.to_string();
    match message.strip_prefix("upload directory file") {
        Some(rest) => format!("upload{rest}"),
        None => message,
    }
}

/// What became of one local file: the directory file it is, or why not.
pub type Outcome = Result<StoredFile, UploadError>;

/// Uploads files into directories under one pace and one concurrency.
pub struct Uploader {
    client: Client,
    pacer: Arc<Pacer>,
    concurrency: usize,
    events: Events,
}

impl Uploader {
    /// An uploader that starts uploads through `pacer`, `concurrency` at a time.
    pub fn new(client: Client, pacer: Arc<Pacer>, concurrency: usize, events: Events) -> Self {
        Uploader {
            client,
            pacer,
            concurrency,
            events,
        }
    }

    /// The 429s met so far.
    pub fn rate_limited(&self) -> u64 {
        self.pacer.rate_limited_count()
    }

    /// The files already in the directory, by unique id.
    pub async fn existing(
        &self,
        directory_id: &str,
    ) -> Result<HashMap<String, StoredFile>, ClientError> {
        let params = ListDirectoryFilesParams {
            page_size: Some(1000),
            ..Default::default()
        };
        let mut pages = self
            .client
            .directories()
            .files(directory_id)
            .raw_pages(params);
        let mut existing = HashMap::new();
        while let Some(page) = pages.try_next().await? {
            for raw in &page.items {
                let stored = StoredFile::from_raw(raw.get()).map_err(|error| {
                    ClientError::InvalidRequest(format!(
                        "the server listed a file of {directory_id} that cannot be read: \
                         {error}"
                    ))
                })?;
                existing.insert(stored.file.unique_id.clone(), stored);
            }
        }
        Ok(existing)
    }

    /// Uploads each of `files` into the directory, unless `existing` already holds it,
    /// and returns what became of each, in the order given.
    pub async fn upload(
        &self,
        directory_id: &str,
        files: &[LocalFile],
        existing: &HashMap<String, StoredFile>,
    ) -> Vec<Outcome> {
        // The futures made first, by a named method: a closure returning an async block
        // would not be general enough over lifetimes for a spawned task.
        let uploads: Vec<_> = files
            .iter()
            .map(|file| self.outcome(directory_id, file, existing.get(&file.shown)))
            .collect();
        futures_util::stream::iter(uploads)
            .buffered(self.concurrency)
            .collect()
            .await
    }

    /// `file` as `stored` in the directory already, or uploaded now.
    async fn outcome(
        &self,
        directory_id: &str,
        file: &LocalFile,
        stored: Option<&StoredFile>,
    ) -> Outcome {
        match stored {
            Some(stored) => same_version(stored.clone(), file),
            None => self.upload_one(directory_id, file).await,
        }
    }

    /// Uploads one file under its path as unique id, waiting out the server's rate limit.
    async fn upload_one(&self, directory_id: &str, file: &LocalFile) -> Outcome {
        let metadata = json!({ METADATA_KEY: { "bytes": file.bytes } });
        let options = UploadOptions {
            fields: UploadDirectoryFileFields {
                unique_id: Some(file.shown.clone()),
                metadata: Some(metadata.to_string()),
                ..Default::default()
            },
            // A 429 comes back at once, so that it slows every upload through the pacer
            // (and is counted), not only this one inside the client's retries.
            return_rate_limited: true,
            ..Default::default()
        };
        let files = self.client.directories().files(directory_id);
        let failed = |attempt, error: &dyn std::fmt::Display, rate_limited, retrying| {
            self.events.send(Event::UploadFailed {
                path: file.shown.clone(),
                directory_id: directory_id.to_owned(),
                attempt,
                error: error.to_string(),
                rate_limited,
                retrying,
            });
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pacer.start().await;
            self.events.send(Event::UploadStarted {
                path: file.shown.clone(),
                directory_id: directory_id.to_owned(),
                attempt,
            });
            let before = stamp(file);
            let sent = files.upload(&file.path, &options).await;
            let outcome = match sent {
                Ok(response) => Ok(StoredFile {
                    raw: String::from_utf8_lossy(&response.raw).into_owned(),
                    file: response.value,
                }),
                Err(error @ ClientError::Api { status: 429, .. }) => {
                    self.pacer.rate_limited(error.retry_after());
                    if attempt <= RATE_LIMITED_ROUNDS {
                        failed(attempt, &"rate limited (429)", true, true);
                        continue;
                    }
                    Err(error.into())
                }
                // Another run uploading the same path into the same directory got there
                // first: the file is there already.
                Err(error @ ClientError::Api { status: 409, .. }) => {
                    match self.landed(directory_id, file).await {
                        Some(stored) => same_version(stored, file),
                        None => Err(error.into()),
                    }
                }
                Err(error) => Err(error.into()),
            };
            let outcome = outcome.and_then(|stored| match (before, stamp(file)) {
                (Some(before), Some(after)) if before != after => Err(UploadError::Changed {
                    before: before.0,
                    after: after.0,
                }),
                _ => Ok(stored),
            });
            match &outcome {
                Ok(stored) => self.events.send(Event::UploadFinished {
                    path: file.shown.clone(),
                    directory_id: directory_id.to_owned(),
                    directory_file_id: stored.file.id.clone(),
                    bytes: file.bytes,
                }),
                Err(error) => failed(attempt, error, rate_limited(error), false),
            }
            return outcome;
        }
    }

    /// The file of `directory_id` whose unique id is `file`'s path, if there is one.
    async fn landed(&self, directory_id: &str, file: &LocalFile) -> Option<StoredFile> {
        let params = ListDirectoryFilesParams {
            unique_id: Some(file.shown.clone()),
            ..Default::default()
        };
        let page = self
            .client
            .directories()
            .files(directory_id)
            .list_raw(&params)
            .await
            .ok()?;
        let raw = page.items.first()?;
        StoredFile::from_raw(raw.get()).ok()
    }
}

/// Whether `error` is the server's 429.
fn rate_limited(error: &UploadError) -> bool {
    matches!(
        error,
        UploadError::Client(ClientError::Api { status: 429, .. })
    )
}

/// `stored`, unless an upload recorded another size for it than `file` has.
fn same_version(stored: StoredFile, file: &LocalFile) -> Outcome {
    match stored.recorded_bytes() {
        Some(there) if there != file.bytes => Err(UploadError::OtherVersion {
            there,
            here: file.bytes,
        }),
        _ => Ok(stored),
    }
}

/// A file's size and modification time, to tell whether it changed during its upload.
fn stamp(file: &LocalFile) -> Option<(u64, Option<SystemTime>)> {
    let metadata = fs::metadata(&file.path).ok()?;
    Some((metadata.len(), metadata.modified().ok()))
}

//! Uploading local files into a directory, shared by `directories files upload` and
//! `batches run`: find them, leave out those already there (a rerun finishes what an
//! interrupted one started), upload the rest concurrently under the client-side rate limit,
//! waiting out the server's 429s.

mod throttle;
mod walk;

use std::collections::HashMap;
use std::time::Duration;

use batches_client::{Client, DirectoryFile, Error, UploadDirectoryFileFields, UploadOptions};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

pub use throttle::Throttle;
pub use walk::{Filter, LocalFile, find};

use super::Context;
use crate::cli::UploadArgs;
use crate::console::UploadProgress;
use crate::failure::Failure;
use crate::output::Rows;

/// How many times one file waits out a 429 (beyond the client's own retries) before its
/// upload counts as failed.
const RATE_LIMITED_ROUNDS: u32 = 10;

/// The wait after a 429 that did not say how long.
const RATE_LIMITED_PAUSE: Duration = Duration::from_secs(1);

/// A file in a directory, as the server sent it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The directory file.
    pub file: DirectoryFile,
    /// Its JSON, exactly as sent.
    pub raw: String,
}

/// What became of one local file: the directory file it is, or why not.
pub type Outcome = Result<Stored, Error>;

/// The files the command line names, checked (see [`find`]).
pub fn local_files(
    paths: &[std::path::PathBuf],
    args: &UploadArgs,
) -> Result<Vec<LocalFile>, Failure> {
    let filter = Filter::new(&args.include, &args.exclude)?;
    let files = find(paths, &filter)?;
    if files.is_empty() {
        return Err(Failure::Usage {
            message: "no files to upload: the paths given hold none that are not hidden, \
                      ignored (.gitignore, .ignore) or filtered out (--include, --exclude)"
                .to_owned(),
            hint: None,
        });
    }
    Ok(files)
}

/// Uploads files into directories with a shared rate limit and concurrency.
pub struct Uploader {
    client: Client,
    throttle: Throttle,
    concurrency: usize,
}

impl Uploader {
    /// An uploader with the limits of `args`.
    pub fn new(client: Client, args: &UploadArgs) -> Self {
        Uploader {
            client,
            throttle: Throttle::new(args.upload_rate.interval()),
            concurrency: usize::from(args.upload_concurrency),
        }
    }

    /// The files already in the directory, by unique id.
    pub async fn existing(&self, directory_id: &str) -> Result<HashMap<String, Stored>, Failure> {
        let params = batches_client::ListDirectoryFilesParams {
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
                let file: DirectoryFile = serde_json::from_str(raw.get()).map_err(|error| {
                    Failure::Unreadable(format!(
                        "the server listed a file of {directory_id} that cannot be read: {error}"
                    ))
                })?;
                let stored = Stored {
                    raw: raw.get().to_owned(),
                    file,
                };
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
        existing: &HashMap<String, Stored>,
        progress: &UploadProgress,
    ) -> Vec<Outcome> {
        futures_util::stream::iter(files)
            .map(|file| async move {
                if let Some(stored) = existing.get(&file.shown) {
                    return Ok(stored.clone());
                }
                let outcome = self.upload_one(directory_id, file).await;
                progress.uploaded(file.size, outcome.is_ok());
                outcome
            })
            .buffered(self.concurrency)
            .collect()
            .await
    }

    /// Uploads one file under its path as unique id, waiting out the server's rate limit.
    async fn upload_one(&self, directory_id: &str, file: &LocalFile) -> Outcome {
        let options = UploadOptions {
            fields: UploadDirectoryFileFields {
                unique_id: Some(file.shown.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        let files = self.client.directories().files(directory_id);
        let mut rounds = 0;
        loop {
            self.throttle.wait().await;
            match files.upload(&file.path, &options).await {
                Ok(response) => {
                    return Ok(Stored {
                        raw: String::from_utf8_lossy(&response.raw).into_owned(),
                        file: response.value,
                    });
                }
                Err(Error::Api {
                    status: 429,
                    retry_after,
                    ..
                }) if rounds < RATE_LIMITED_ROUNDS => {
                    rounds += 1;
                    self.throttle
                        .pause(retry_after.unwrap_or(RATE_LIMITED_PAUSE));
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// `--dry-run`: prints each file that would be uploaded, its size and the directory it
/// would go to (`directory(index)`), and sends nothing.
pub fn print_plan(
    context: &mut Context,
    files: &[LocalFile],
    directory: impl Fn(usize) -> String,
) -> Result<(), Failure> {
    context.printer.show(Rows::Planned);
    for (index, file) in files.iter().enumerate() {
        let planned = json!({
            "path": file.shown,
            "size": file.size,
            "directory": directory(index),
        });
        context.printer.list_item(&planned.to_string())?;
    }
    context.printer.end_list()?;
    let bytes: u64 = files.iter().map(|file| file.size).sum();
    context.console.note(&format!(
        "{} files, {bytes} bytes; nothing was sent (--dry-run)",
        files.len()
    ));
    Ok(())
}

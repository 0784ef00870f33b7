//! A run's per-file results, keyed by local path: one record per file, failures last, and
//! the exit status they make.

use batches_client::{BatchResult, BatchStatus, Error, JobReference, Response};
use batches_types::Batch;
use serde::Serialize;

use super::Context;
use crate::commands::upload::{LocalFile, Outcome};
use crate::failure::Failure;
use crate::output::Rows;

/// One directory's part of a run.
pub struct Group<'a> {
    /// The directory.
    pub directory_id: String,
    /// Its local files, sorted by path.
    pub files: &'a [LocalFile],
    /// What became of each file's upload.
    pub outcomes: Vec<Outcome>,
    /// Its batch, as last seen; `None` when some upload failed.
    pub batch: Option<Response<Batch>>,
}

/// What became of one local file.
#[derive(Debug, Serialize)]
pub struct FileResult {
    /// The path as given on the command line (or found below a folder given).
    pub path: String,
    /// `ok` (a job was created), `error`, or `pending` (no result yet).
    pub status: &'static str,
    /// The directory it was uploaded into.
    pub directory_id: String,
    /// Its directory file (`dfl-…`), the key of its batch result.
    pub directory_file_id: Option<String>,
    /// The batch over its directory.
    pub batch_id: Option<String>,
    /// The job made for it.
    pub job_reference: Option<JobReference>,
    /// Why it has no job.
    pub error: Option<String>,
}

/// The result of one file of `group`, from its upload's outcome and its batch.
fn file_result(group: &Group<'_>, index: usize) -> FileResult {
    let file = &group.files[index];
    let mut result = FileResult {
        path: file.shown.clone(),
        status: "pending",
        directory_id: group.directory_id.clone(),
        directory_file_id: None,
        batch_id: None,
        job_reference: None,
        error: None,
    };
    let stored = match &group.outcomes[index] {
        Ok(stored) => stored,
        Err(error) => {
            result.status = "error";
            result.error = Some(upload_error(error));
            return result;
        }
    };
    result.directory_file_id = Some(stored.file.id.clone());
    let Some(batch) = &group.batch else {
        return result;
    };
    result.batch_id = Some(batch.id.clone());
    match mapped(batch, &stored.file.id) {
        Some(BatchResult {
            job_reference: Some(job),
            ..
        }) => {
            result.status = "ok";
            result.job_reference = Some(job.clone());
        }
        Some(BatchResult { error_message, .. }) => {
            result.status = "error";
            result.error =
                Some(error_message.clone().unwrap_or_else(|| {
                    "the batch gave this file neither a job nor an error".into()
                }));
        }
        None => {
            let unmapped = match &batch.status {
                BatchStatus::Failed => Some(format!(
                    "batch {} ended FAILED: it has no per-file results",
                    batch.id
                )),
                BatchStatus::Cancelled => Some(format!(
                    "batch {} was cancelled before this file was processed",
                    batch.id
                )),
                BatchStatus::Completed => {
                    Some(format!("batch {} has no result for this file", batch.id))
                }
                _ => None,
            };
            if let Some(message) = unmapped {
                result.status = "error";
                result.error = Some(message);
            }
        }
    }
    result
}

/// The batch's result for directory file `file_id`.
fn mapped<'b>(batch: &'b Batch, file_id: &str) -> Option<&'b BatchResult> {
    batch
        .results
        .iter()
        .flatten()
        .find(|result| result.source_directory_file_id == file_id)
}

/// An upload failure for the results: the client's message without the operation's name,
/// which every one would repeat.
fn upload_error(error: &Error) -> String {
    let message = error.to_string();
    match message.strip_prefix("upload directory file") {
        Some(rest) => format!("upload{rest}"),
        None => message,
    }
}

/// Prints every file's result, failures last, and tells the exit status: a timeout (5),
/// any file with an error or any batch that ended FAILED or CANCELLED (4), else success.
pub fn report(
    context: &mut Context,
    groups: &[Group<'_>],
    timed_out: Option<Error>,
) -> Result<(), Failure> {
    let mut results: Vec<FileResult> = groups
        .iter()
        .flat_map(|group| (0..group.files.len()).map(move |index| file_result(group, index)))
        .collect();
    // Stable: each part keeps the order of the paths.
    results.sort_by_key(|result| result.status == "error");
    context.printer.show(Rows::RunResults);
    for result in &results {
        let json = serde_json::to_string(result).expect("a result encodes");
        context.printer.list_item(&json)?;
    }
    context.printer.end_list()?;

    if let Some(error) = timed_out {
        return Err(Failure::Client(error));
    }
    let failed = results
        .iter()
        .filter(|result| result.status == "error")
        .count();
    let uploads_failed = groups.iter().any(|group| group.batch.is_none());
    if failed > 0 {
        let failure = Failure::FilesFailed {
            failed,
            total: results.len(),
        };
        // Files that were not uploaded are not a verdict: a rerun finishes them.
        return Err(if uploads_failed {
            Failure::Stopped {
                cause: Box::new(failure),
                resume_command: super::with_directory_ids(
                    &groups
                        .iter()
                        .map(|group| group.directory_id.clone())
                        .collect::<Vec<_>>(),
                ),
            }
        } else {
            failure
        });
    }
    let ended = groups
        .iter()
        .filter_map(|group| group.batch.as_ref())
        .find(|batch| matches!(batch.status, BatchStatus::Failed | BatchStatus::Cancelled));
    if let Some(batch) = ended {
        return Err(Failure::BatchEnded {
            batch_id: batch.id.clone(),
            status: batch.status.to_string(),
        });
    }
    Ok(())
}

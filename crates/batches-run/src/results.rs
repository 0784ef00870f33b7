//! Each local file's result, from its upload's outcome and its batch, and the outcome of
//! the whole run.

use batches_client::{BatchResult, BatchStatus, Error as ClientError};
use batches_types::Batch;

use crate::plan::Plan;
use crate::report::{BatchReport, FileReport, FileStatus, Outcome, Report};
use crate::upload::Outcome as Upload;
use crate::walk::LocalFile;

/// The result of a file the batch mapped: its job, or the batch's error for it.
pub fn mapped(path: &str, directory_id: &str, batch_id: &str, result: &BatchResult) -> FileReport {
    let mut report = FileReport {
        path: path.to_owned(),
        status: FileStatus::Ok,
        directory_id: directory_id.to_owned(),
        directory_file_id: Some(result.source_directory_file_id.clone()),
        batch_id: Some(batch_id.to_owned()),
        job_reference: result.job_reference.clone(),
        error: None,
        export: None,
    };
    if report.job_reference.is_none() {
        report.status = FileStatus::Error;
        report.error =
            Some(result.error_message.clone().unwrap_or_else(|| {
                "the batch gave this file neither a job nor an error".to_owned()
            }));
    }
    report
}

/// One group as it ended: its directory, files, uploads and batch.
pub struct Group<'a> {
    /// The directory.
    pub directory_id: String,
    /// Its local files, sorted by path.
    pub files: &'a [LocalFile],
    /// What became of each file's upload.
    pub uploads: Vec<Upload>,
    /// Its batch as last seen; `None` when some upload failed.
    pub batch: Option<Batch>,
    /// Whether an earlier run created the batch.
    pub found: bool,
    /// Files of its directory that are not the run's.
    pub other_files: usize,
}

/// The result of file `index` of `group`.
fn file_result(group: &Group<'_>, index: usize) -> FileReport {
    let file = &group.files[index];
    let mut report = FileReport {
        path: file.shown.clone(),
        status: FileStatus::Pending,
        directory_id: group.directory_id.clone(),
        directory_file_id: None,
        batch_id: None,
        job_reference: None,
        error: None,
        export: None,
    };
    let stored = match &group.uploads[index] {
        Ok(stored) => stored,
        Err(error) => {
            report.status = FileStatus::Error;
            report.error = Some(error.to_string());
            return report;
        }
    };
    report.directory_file_id = Some(stored.file.id.clone());
    let Some(batch) = &group.batch else {
        return report;
    };
    report.batch_id = Some(batch.id.clone());
    let result = batch
        .results
        .iter()
        .flatten()
        .find(|result| result.source_directory_file_id == stored.file.id);
    if let Some(result) = result {
        return mapped(&file.shown, &group.directory_id, &batch.id, result);
    }
    let unmapped = match &batch.status {
        BatchStatus::Failed => Some(format!(
            "batch {} ended FAILED: it has no per-file results",
            batch.id
        )),
        BatchStatus::Cancelled => Some(format!(
            "batch {} was cancelled before this file was processed",
            batch.id
        )),
        BatchStatus::Completed => Some(format!("batch {} has no result for this file", batch.id)),
        _ => None,
    };
    if let Some(message) = unmapped {
        report.status = FileStatus::Error;
        report.error = Some(message);
    }
    report
}

/// The report of a run whose groups ended as `groups`; `timed_out` is a wait that gave up.
pub fn report(groups: &[Group<'_>], timed_out: Option<ClientError>, rate_limited: u64) -> Report {
    let mut files: Vec<FileReport> = groups
        .iter()
        .flat_map(|group| (0..group.files.len()).map(move |index| file_result(group, index)))
        .collect();
    // Stable: each part keeps the order of the paths.
    files.sort_by_key(|file| file.status == FileStatus::Error);
    let batches: Vec<BatchReport> = groups
        .iter()
        .map(|group| BatchReport {
            directory_id: group.directory_id.clone(),
            batch_id: group.batch.as_ref().map(|batch| batch.id.clone()),
            status: group.batch.as_ref().map(|batch| batch.status.clone()),
            files: group.files.len(),
            other_files: group.other_files,
            found: group.found,
        })
        .collect();
    let failed = files
        .iter()
        .filter(|file| file.status == FileStatus::Error)
        .count();
    let ended = groups
        .iter()
        .filter_map(|group| group.batch.as_ref())
        .find(|batch| matches!(batch.status, BatchStatus::Failed | BatchStatus::Cancelled));
    let outcome = match (timed_out, ended) {
        (Some(error), _) => Outcome::TimedOut(error),
        (None, _) if failed > 0 => Outcome::FilesFailed {
            failed,
            total: files.len(),
        },
        (None, Some(batch)) => Outcome::BatchEnded {
            batch_id: batch.id.clone(),
            status: batch.status.clone(),
        },
        (None, None) => Outcome::Completed,
    };
    Report {
        files,
        batches,
        outcome,
        rate_limited,
        summary: None,
    }
}

/// The report of a dry run: nothing was sent, so every file is pending, under the
/// directory the plan names for it (the id given, or `new directory K of N`).
pub fn planned(plan: &Plan) -> Report {
    let files = plan
        .groups()
        .iter()
        .flat_map(|group| {
            let directory_id = plan.directory_label(group);
            plan.files_of(group).iter().map(move |file| FileReport {
                path: file.shown.clone(),
                status: FileStatus::Pending,
                directory_id: directory_id.clone(),
                directory_file_id: None,
                batch_id: None,
                job_reference: None,
                error: None,
                export: None,
            })
        })
        .collect();
    Report {
        files,
        batches: Vec::new(),
        outcome: Outcome::Completed,
        rate_limited: 0,
        summary: None,
    }
}

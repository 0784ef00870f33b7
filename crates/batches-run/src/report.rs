//! What a run ends with: every file's result keyed by its local path, every batch's final
//! state, and the outcome front-ends map to their own conventions.

use batches_client::{BatchStatus, Error as ClientError, JobReference};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::error::Resume;

/// What became of one local file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// A job was made for it.
    Ok,
    /// It has no job: its upload failed, or its batch gave it an error.
    Error,
    /// No result yet (the run did not wait, or stopped waiting).
    Pending,
}

impl FileStatus {
    /// `ok`, `error` or `pending`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Error => "error",
            FileStatus::Pending => "pending",
        }
    }
}

/// One local file's result: the record `batches run --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// The path as given (or found below a folder given).
    pub path: String,
    /// Whether it has a job.
    pub status: FileStatus,
    /// The directory it was uploaded into.
    pub directory_id: String,
    /// Its directory file (`dfl-…`), the key of its batch result.
    pub directory_file_id: Option<String>,
    /// The batch over its directory.
    pub batch_id: Option<String>,
    /// The job made for it.
    pub job_reference: Option<JobReference>,
    /// Why it has no job (or, with `out`, why it has no output).
    pub error: Option<String>,
    /// With `out`: its output and what its job used; absent otherwise.
    #[serde(flatten)]
    pub export: Option<FileExport>,
}

/// What became of one file's output, in a run with `out` (flattened into its
/// [`FileReport`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileExport {
    /// The output, relative to the output folder; `None` when the job did not complete.
    pub output: Option<String>,
    /// The SHA-256 of the file's bytes, lowercase hex (`None` for `results`).
    pub sha256: Option<String>,
    /// How its job ended (`COMPLETED`, `FAILED`, `CANCELLED`).
    pub job_status: Option<String>,
    /// The pages its job read (its parse job's `page_count`, an extract job's too).
    pub pages: Option<u64>,
    /// Its job's `usage.credits`.
    pub credits: Option<f64>,
    /// Skipped: an earlier run with the same output folder finished it.
    pub already_done: bool,
    /// Not sent: another path of the run has the same bytes, and its job serves both.
    pub same_bytes_as: Option<String>,
}

/// What a run with `out` did, as `summary.json` holds it (rewritten after each file).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Where the outputs are.
    pub out: String,
    /// The job type.
    pub job_type: String,
    /// The configuration id.
    pub configuration_id: String,
    /// The output form.
    pub output_form: crate::output_form::OutputForm,
    /// The files of the run.
    pub files: usize,
    /// Files whose output was written by this run.
    pub done: usize,
    /// Files without an output: their job failed, or they have an error (skipped files
    /// that failed before are counted here too).
    pub failed: usize,
    /// Files skipped: an earlier run finished them (completed or failed).
    pub skipped: usize,
    /// Pages read by the jobs this run made.
    pub pages: u64,
    /// The `usage.credits` of the jobs this run made.
    pub credits: f64,
    /// Seconds since the run started.
    pub seconds: f64,
    /// When it started (RFC 3339, UTC).
    pub started_at: String,
    /// When it ended; `None` while it runs.
    pub finished_at: Option<String>,
}

/// One group's batch, as last seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchReport {
    /// The directory it runs over.
    pub directory_id: String,
    /// The batch; `None` when some upload of the group failed, so none was created.
    pub batch_id: Option<String>,
    /// Its status at the end of the run.
    pub status: Option<BatchStatus>,
    /// The run's files in its directory.
    pub files: usize,
    /// Other files of its directory that it processes too (see `allow_other_files`).
    pub other_files: usize,
    /// Whether an earlier run created it.
    pub found: bool,
}

/// How a run ended, in the order front-ends weigh it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Every batch completed and every file has a job (or, without waiting, every batch
    /// was created).
    Completed,
    /// A batch was still running when the timeout passed.
    TimedOut(ClientError),
    /// Some files have an error (their upload failed, or their batch gave them none).
    FilesFailed {
        /// Files with an error.
        failed: usize,
        /// Files in all.
        total: usize,
    },
    /// A batch ended FAILED or CANCELLED.
    BatchEnded {
        /// The batch.
        batch_id: String,
        /// Its status.
        status: BatchStatus,
    },
}

/// Everything a run ends with.
#[derive(Debug)]
pub struct Report {
    /// Every file's result, in path order, failures last.
    pub files: Vec<FileReport>,
    /// Every group's batch, in group order.
    pub batches: Vec<BatchReport>,
    /// How it ended.
    pub outcome: Outcome,
    /// The 429s the uploads met (each waited out, or counted in a file's error).
    pub rate_limited: u64,
    /// With `out`: the counts of `summary.json`.
    pub summary: Option<Summary>,
}

impl Report {
    /// The directories of the run, in order.
    pub fn directory_ids(&self) -> Vec<String> {
        self.batches
            .iter()
            .map(|batch| batch.directory_id.clone())
            .collect()
    }

    /// What a rerun needs, when the run is unfinished: a group has no batch (its uploads
    /// failed) or the wait timed out. A verdict (files or batches that failed) is final.
    pub fn resume(&self) -> Option<Resume> {
        let unfinished = matches!(self.outcome, Outcome::TimedOut(_))
            || self.batches.iter().any(|batch| batch.batch_id.is_none());
        unfinished.then(|| Resume {
            directory_ids: self.directory_ids(),
        })
    }

    /// Files with an error.
    pub fn failed(&self) -> usize {
        self.count(FileStatus::Error)
    }

    /// Files with `status`.
    pub fn count(&self, status: FileStatus) -> usize {
        self.files
            .iter()
            .filter(|file| file.status == status)
            .count()
    }
}

impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Outcome", 3)?;
        match self {
            Outcome::Completed => state.serialize_field("kind", "completed")?,
            Outcome::TimedOut(error) => {
                state.serialize_field("kind", "timed_out")?;
                state.serialize_field("message", &error.to_string())?;
            }
            Outcome::FilesFailed { failed, total } => {
                state.serialize_field("kind", "files_failed")?;
                state.serialize_field("failed", failed)?;
                state.serialize_field("total", total)?;
            }
            Outcome::BatchEnded { batch_id, status } => {
                state.serialize_field("kind", "batch_ended")?;
                state.serialize_field("batch_id", batch_id)?;
                state.serialize_field("status", status)?;
            }
        }
        state.end()
    }
}

impl Serialize for Report {
    /// `{"files": [...], "batches": [...], "outcome": {"kind": ...}, "rate_limited": N,
    /// "resume": {"directory_ids": [...]} or null}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Report", 6)?;
        state.serialize_field("files", &self.files)?;
        state.serialize_field("batches", &self.batches)?;
        state.serialize_field("outcome", &self.outcome)?;
        state.serialize_field("rate_limited", &self.rate_limited)?;
        state.serialize_field("resume", &self.resume())?;
        if let Some(summary) = &self.summary {
            state.serialize_field("summary", summary)?;
        }
        state.end()
    }
}

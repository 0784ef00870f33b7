//! What a run tells as it goes: one typed [`Event`] per thing that happened, for a
//! front-end to render (a progress bar, live lines, a Python callback, a C callback).

use batches_client::BatchStatus;
use serde::Serialize;

use crate::report::FileReport;
use crate::walk::SkipReason;

/// Something that happened during a run. As JSON (`serde_json::to_string(&event)`), an
/// object whose `kind` is the variant's name in snake case (`upload_finished`), with the
/// variant's fields beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
// A file's result is the largest event and the most frequent one: boxing it would only
// add an allocation per file.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// A file the run uploads (or finds uploaded already).
    FileFound {
        /// Its path.
        path: String,
        /// Its size.
        bytes: u64,
        /// Its group.
        group: usize,
    },
    /// A file found and left out.
    FileSkipped {
        /// Its path.
        path: String,
        /// Why.
        #[serde(flatten)]
        reason: SkipReason,
    },
    /// A new ephemeral directory was made for a group.
    DirectoryCreated {
        /// The group.
        group: usize,
        /// The directory.
        directory_id: String,
    },
    /// A directory given is used for a group.
    DirectoryReused {
        /// The group.
        group: usize,
        /// The directory.
        directory_id: String,
        /// The run's files it holds already (they are not sent again).
        present: usize,
        /// Files it holds that are not the run's (processed too: `allow_other_files`).
        other_files: usize,
    },
    /// The uploads still to do, for a progress bar's total.
    UploadsPlanned {
        /// Files to send.
        files: usize,
        /// Their bytes.
        bytes: u64,
    },
    /// An upload attempt started.
    UploadStarted {
        /// The file.
        path: String,
        /// Its directory.
        directory_id: String,
        /// 1 for the first attempt.
        attempt: u32,
    },
    /// A file was uploaded.
    UploadFinished {
        /// The file.
        path: String,
        /// Its directory.
        directory_id: String,
        /// Its directory file.
        directory_file_id: String,
        /// The bytes sent.
        bytes: u64,
    },
    /// An upload attempt failed.
    UploadFailed {
        /// The file.
        path: String,
        /// Its directory.
        directory_id: String,
        /// The attempt that failed, from 1.
        attempt: u32,
        /// Why.
        error: String,
        /// Whether the server was rate limiting (429).
        rate_limited: bool,
        /// Whether another attempt follows; if not, the file has an error.
        retrying: bool,
    },
    /// A batch was created over a group's directory.
    BatchCreated {
        /// The group.
        group: usize,
        /// The directory.
        directory_id: String,
        /// The batch.
        batch_id: String,
        /// The run's files it covers.
        files: usize,
    },
    /// An earlier run's batch over exactly these files is followed instead of a new one.
    BatchFound {
        /// The group.
        group: usize,
        /// The directory.
        directory_id: String,
        /// The batch.
        batch_id: String,
    },
    /// No batch is created over a group some of whose uploads failed (a rerun finishes it).
    BatchNotCreated {
        /// The group.
        group: usize,
        /// The directory.
        directory_id: String,
        /// Files whose upload failed.
        failed: usize,
    },
    /// A batch's status, or the count of its files with a result, changed.
    BatchStatusChanged {
        /// The batch.
        batch_id: String,
        /// Its status.
        status: BatchStatus,
        /// Files with a result (a job or an error).
        mapped: usize,
        /// Files with an error among them.
        failed: usize,
    },
    /// A file's result is known: a job, or an error.
    FileResult(FileReport),
    /// With `out`: a file is skipped because an earlier run with the same output folder
    /// finished it (same bytes, same job settings); nothing is sent for it.
    AlreadyDone {
        /// The file.
        path: String,
        /// Its output, when its job completed.
        output: Option<String>,
        /// How its job ended (`COMPLETED` or `FAILED`).
        job_status: String,
    },
    /// With `out`: a file has the bytes of another path of the run; it is not sent, and
    /// gets that path's output.
    SameBytes {
        /// The file.
        path: String,
        /// The path that is sent.
        first: String,
    },
    /// With `out`: a file's output was written (whole: written aside, synced, renamed).
    OutputWritten {
        /// The file.
        path: String,
        /// The output, relative to the output folder.
        output: String,
        /// Its job.
        job_id: String,
        /// The pages its job read (its parse job's `page_count`, an extract job's too).
        pages: Option<u64>,
        /// Its job's `usage.credits`.
        credits: Option<f64>,
    },
    /// With `out`: a file's job ended without a result (FAILED or CANCELLED).
    JobFailed {
        /// The file.
        path: String,
        /// Its job.
        job_id: String,
        /// How it ended.
        job_status: String,
        /// Why.
        error: String,
    },
    /// The run ended; its report follows.
    RunFinished {
        /// Files in all.
        files: usize,
        /// Files with a job.
        ok: usize,
        /// Files with an error.
        failed: usize,
        /// Files with no result yet.
        pending: usize,
    },
}

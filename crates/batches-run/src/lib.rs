#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod batch;
mod directory_upload;
mod error;
mod event;
mod events;
mod export;
mod handle;
mod limits;
mod options;
mod output_form;
mod pacing;
mod plan;
mod report;
mod results;
mod run;
mod upload;
mod walk;

pub use batches_client::JobType;
pub use directory_upload::{Upload, UploadReport};
pub use error::{Error, PathProblem, PlanError, Resume};
pub use event::Event;
pub use export::{Action, ExportOptions, Preview, PreviewFile, export_results, preview};
pub use handle::{Canceller, Handle};
pub use limits::{DEFAULT_MAX_FILE_BYTES, MAX_BATCH_FILES};
pub use options::{InvalidRate, Options, UploadRate};
pub use output_form::OutputForm;
pub use plan::{Group, Plan};
pub use report::{BatchReport, FileExport, FileReport, FileStatus, Outcome, Report, Summary};
pub use run::Run;
pub use upload::{Outcome as UploadOutcome, StoredFile, UploadError};
pub use walk::{Found, LocalFile, Selection, SkipReason, Skipped, shown};

pub mod blocking;
pub mod report_html;

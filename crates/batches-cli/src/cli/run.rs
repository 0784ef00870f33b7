//! `batches run` and the upload options it shares with `directories files upload`.

use std::path::PathBuf;
use std::time::Duration;

use batches_client::JobType;
use batches_run::UploadRate;
use clap::Args;

use super::parsers::job_type_parser;
use super::webhooks::WebhookArgs;
use crate::values;

/// Which local files to upload, and how fast.
#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// Only files matching GLOB (repeatable); without `/` it matches file names at any
    /// depth (*.pdf), with `/` the path below the PATH given (reports/**/*.csv)
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out files matching GLOB (repeatable; same form as --include)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Print what would be uploaded and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Uploads in flight at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub upload_concurrency: u16,
    /// Uploads started at most per second, minute or N seconds (8/s, 120/m, 50/5s), in
    /// any such window; the default is the documented limit of 50 uploads per 5 s per
    /// project, and a 429 slows uploads down until the server stops refusing
    #[arg(long, value_name = "RATE", default_value = "50/5s", value_parser = parse_upload_rate)]
    pub upload_rate: UploadRate,
    /// Follow symbolic links that lead out of the folders given (links inside them are
    /// always followed)
    #[arg(long)]
    pub follow_links: bool,
}

fn parse_upload_rate(text: &str) -> Result<UploadRate, String> {
    text.parse()
        .map_err(|error: batches_run::InvalidRate| error.to_string())
}

/// `batches run`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 every batch COMPLETED and every file has a job; 4 a \
    batch ended FAILED or CANCELLED, or a file has an error; 5 still running when --timeout \
    passed; 1, 2, 3 and 130 as for the other commands. An interrupted or failed run prints \
    the command that resumes it: files already uploaded are not sent again, and the batch \
    is created once."
)]
pub struct RunArgs {
    /// Files and folders to upload; folders are walked, skipping hidden files and what
    /// .gitignore or .ignore leave out
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The job to run on each file
    #[arg(long, value_name = "TYPE", ignore_case = true, value_parser = job_type_parser())]
    pub job_type: JobType,
    /// A saved configuration id or a preset such as cfg-PARSE_AGENTIC, matching the job type
    #[arg(long, value_name = "ID")]
    pub configuration_id: String,
    #[command(flatten)]
    pub upload: UploadArgs,
    /// Upload into this existing directory instead of a new ephemeral one (with --split,
    /// repeat it: the k-th is used for the k-th thousand files)
    #[arg(long, value_name = "ID")]
    pub directory_id: Vec<String>,
    /// Allow more than 1,000 files: one directory and one batch per 1,000
    #[arg(long)]
    pub split: bool,
    /// Run over a --directory-id that holds files other than the paths given (its batch
    /// processes every file of the directory)
    #[arg(long)]
    pub allow_other_files: bool,
    /// Create the batches and stop, without waiting for their results
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting (exit 5) when a batch is still running after this long
    /// [default: no limit]
    #[arg(long, value_name = "DURATION", value_parser = values::parse_duration)]
    pub timeout: Option<Duration>,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    /// Send each batch's events to this saved webhook configuration (repeatable)
    #[arg(long, value_name = "ID")]
    pub webhook_configuration_id: Vec<String>,
}

//! `batches run` and the upload options it shares with `directories files upload`.

use std::path::PathBuf;
use std::time::Duration;

use batches_client::JobType;
use batches_run::{OutputForm, UploadRate};
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
    passed; 6 the --out folder could not be written (full, read-only); 1, 2, 3 and 130 as \
    for the other commands. An interrupted or failed run prints the command that resumes \
    it: files already uploaded are not sent again, and the batch is created once. With \
    --out, the same command again resumes it."
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
    #[command(flatten)]
    pub out: OutArgs,
}

/// Where and how results are written (`run --out`, `results --out`).
#[derive(Debug, Clone, Args)]
pub struct OutArgs {
    /// Write each file's result into DIR as the run goes (DIR/PATH.md…), with
    /// DIR/manifest.jsonl and DIR/summary.json; a rerun into DIR skips what is done
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// What each parse output holds: markdown (.md), text (.txt), json (.json, the whole
    /// parse result) or items (.items.json); extract results are always JSON
    #[arg(long = "as", value_name = "FORM", requires = "out", value_parser = parse_output_form)]
    pub output_form: Option<OutputForm>,
    /// Process every file again, even those DIR/manifest.jsonl has as done
    #[arg(long, requires = "out")]
    pub reprocess: bool,
    /// Process again the files whose job failed (the others done stay skipped)
    #[arg(long, requires = "out", conflicts_with = "reprocess")]
    pub retry_failed: bool,
}

fn parse_output_form(text: &str) -> Result<OutputForm, String> {
    text.parse()
}

/// `batches results`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 every file has its output; 4 a file's job failed or it has \
    no job (its error is in DIR/manifest.jsonl); 6 DIR could not be written (full, \
    read-only); 1, 2, 3 and 130 as for the other commands."
)]
pub struct ResultsArgs {
    /// The batch id (bat-…); a batch still running is waited for
    pub id: String,
    /// Write each file's result into DIR, named from its directory file's name, with
    /// DIR/manifest.jsonl and DIR/summary.json; a rerun writes only what is missing
    #[arg(long, value_name = "DIR", required = true)]
    pub out: PathBuf,
    /// What each parse output holds: markdown, text, json or items (see run --as)
    #[arg(long = "as", value_name = "FORM", value_parser = parse_output_form)]
    pub output_form: Option<OutputForm>,
    /// Write every output again
    #[arg(long)]
    pub reprocess: bool,
}

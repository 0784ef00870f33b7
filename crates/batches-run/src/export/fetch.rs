//! One file's job followed to its end, and its output written: a batch maps a file to a
//! job that lives on (PENDING, RUNNING, then COMPLETED or FAILED), so the job is asked for
//! until it is terminal, its document saved to a temporary name and renamed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use batches_client::{
    Client, Error as ClientError, ExtractJobExpand, GetExtractJobParams, GetParseJobParams,
    JobReference, JobStatus, JobType, ParseJobExpand, ParseOutput,
};
use batches_types::ParseJobResult;

use super::writer::{WriteError, Writer};
use crate::output_form::OutputForm;

/// How a job ended, and whether its output was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// `COMPLETED`, `FAILED` or `CANCELLED`.
    pub job_status: String,
    /// The job's error message, when it did not complete.
    pub error: Option<String>,
    /// The parse job's page count.
    pub pages: Option<u64>,
    /// The job's `usage.credits`.
    pub credits: Option<f64>,
    /// Whether the output was written (the job COMPLETED).
    pub written: bool,
}

/// Why a job's output could not be had.
#[derive(Debug)]
pub enum FetchError {
    /// The API failed (after the client's retries).
    Client(ClientError),
    /// The output folder could not be written.
    Output(WriteError),
}

impl From<ClientError> for FetchError {
    fn from(error: ClientError) -> FetchError {
        FetchError::Client(error)
    }
}

impl From<WriteError> for FetchError {
    fn from(error: WriteError) -> FetchError {
        FetchError::Output(error)
    }
}

/// The pauses between two asks of a job that is not finished: the first, doubling up to
/// the longest.
#[derive(Debug, Clone, Copy)]
pub struct Poll {
    /// The first pause.
    pub first: Duration,
    /// The longest.
    pub longest: Duration,
}

fn terminal(status: &JobStatus) -> bool {
    matches!(
        status,
        JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
    )
}

/// Follows `job` to its end and writes its output as `relative` in `writer`'s folder
/// when it completes.
pub async fn fetch(
    client: &Client,
    job: &JobReference,
    form: OutputForm,
    writer: &Arc<Writer>,
    relative: &Path,
    poll: Poll,
) -> Result<Finished, FetchError> {
    let mut pause = poll.first;
    loop {
        let ended = match (&job.type_, form) {
            (JobType::ExtractV2, _) => extract(client, &job.id, writer, relative).await?,
            (_, OutputForm::Json) => parse_json(client, &job.id, writer, relative).await?,
            (_, form) => parse_document(client, &job.id, form, writer, relative).await?,
        };
        if let Some(finished) = ended {
            return Ok(finished);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(poll.longest);
    }
}

/// Writes `bytes` as `relative`, off the async threads.
async fn write(writer: &Arc<Writer>, relative: &Path, bytes: Vec<u8>) -> Result<(), WriteError> {
    let (writer, relative) = (Arc::clone(writer), relative.to_owned());
    tokio::task::spawn_blocking(move || writer.write(&relative, &bytes))
        .await
        .expect("a write does not panic")
}

/// Makes the temporary file `temporary` the output `relative`, off the async threads.
async fn commit(
    writer: &Arc<Writer>,
    temporary: PathBuf,
    relative: &Path,
) -> Result<(), WriteError> {
    let (writer, relative) = (Arc::clone(writer), relative.to_owned());
    tokio::task::spawn_blocking(move || writer.commit(&temporary, &relative))
        .await
        .expect("a commit does not panic")
}

fn parse_params(expand: &[ParseJobExpand]) -> GetParseJobParams {
    GetParseJobParams {
        expand: Some(expand.to_vec()),
        ..Default::default()
    }
}

/// The page count of a parse result: `job_metadata.page_count`, else its pages.
fn pages(result: &ParseJobResult) -> Option<u64> {
    result
        .job_metadata
        .as_ref()
        .and_then(|metadata| metadata.get("page_count"))
        .and_then(serde_json::Value::as_u64)
        .or_else(|| {
            result
                .metadata
                .as_ref()
                .map(|metadata| metadata.pages.len() as u64)
        })
}

/// How a parse job ended, from its result (asked with `usage` and `job_metadata`).
fn parse_finished(result: &ParseJobResult, written: bool) -> Finished {
    Finished {
        job_status: result.job.status.as_str().to_owned(),
        error: if written {
            None
        } else {
            Some(
                result
                    .job
                    .error_message
                    .clone()
                    .unwrap_or_else(|| format!("the job ended {}", result.job.status)),
            )
        },
        pages: pages(result),
        credits: result.job.usage.as_ref().and_then(|usage| usage.credits),
        written,
    }
}

/// Markdown, text or items, streamed to disk by the client.
async fn parse_document(
    client: &Client,
    job_id: &str,
    form: OutputForm,
    writer: &Arc<Writer>,
    relative: &Path,
) -> Result<Option<Finished>, FetchError> {
    let output = match form {
        OutputForm::Text => ParseOutput::Text,
        OutputForm::Items => ParseOutput::Items,
        _ => ParseOutput::Markdown,
    };
    let params = parse_params(&[ParseJobExpand::Usage, ParseJobExpand::JobMetadata]);
    let temporary = writer.temporary(relative)?;
    match client
        .parse()
        .save(job_id, output, &temporary, &params)
        .await
    {
        Ok(saved) => {
            commit(writer, temporary, relative).await?;
            Ok(Some(parse_finished(&saved.job, true)))
        }
        Err(ClientError::NoResult { status, .. }) if !terminal(&status) => Ok(None),
        Err(ClientError::NoResult { .. }) => {
            let job = client.parse().get(job_id, &params).await?;
            Ok(Some(parse_finished(&job, false)))
        }
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(match error {
                ClientError::Output { path, message, .. } => FetchError::Output(WriteError {
                    path,
                    source: std::io::Error::other(message),
                }),
                other => FetchError::Client(other),
            })
        }
    }
}

/// The whole parse result as JSON, every document filled in.
async fn parse_json(
    client: &Client,
    job_id: &str,
    writer: &Arc<Writer>,
    relative: &Path,
) -> Result<Option<Finished>, FetchError> {
    let params = parse_params(&[
        ParseJobExpand::MarkdownFull,
        ParseJobExpand::TextFull,
        ParseJobExpand::Items,
        ParseJobExpand::Metadata,
        ParseJobExpand::JobMetadata,
        ParseJobExpand::Usage,
    ]);
    let job = client.parse().get_following(job_id, &params).await?;
    if !terminal(&job.job.status) {
        return Ok(None);
    }
    let completed = job.job.status == JobStatus::Completed;
    if completed {
        write(writer, relative, job.raw.to_vec()).await?;
    }
    Ok(Some(parse_finished(&job, completed)))
}

/// The page count of an extract job's parse job (`job_metadata.page_count`): one request,
/// made once the extract job has ended. A page count is not worth failing a file for, so
/// a parse job that is not found (404), or any other failure of this request, leaves it
/// unknown.
async fn parse_job_pages(client: &Client, parse_job_id: &str) -> Option<u64> {
    let params = parse_params(&[ParseJobExpand::JobMetadata]);
    let job = client.parse().get(parse_job_id, &params).await.ok()?;
    pages(&job)
}

/// An extract job's `extract_result`, as indented JSON, and the pages its parse job read
/// (named by `extract_metadata.parse_job_id`; unknown when the API names none).
async fn extract(
    client: &Client,
    job_id: &str,
    writer: &Arc<Writer>,
    relative: &Path,
) -> Result<Option<Finished>, FetchError> {
    let params = GetExtractJobParams {
        expand: Some(vec![
            ExtractJobExpand::Usage,
            ExtractJobExpand::ExtractMetadata,
        ]),
        ..Default::default()
    };
    let job = client.extract().get(job_id, &params).await?;
    if !terminal(&job.status) {
        return Ok(None);
    }
    let completed = job.status == JobStatus::Completed;
    if completed {
        let result = job.extract_result.clone().unwrap_or_default();
        let mut bytes = serde_json::to_vec_pretty(&result).expect("JSON encodes");
        bytes.push(b'\n');
        write(writer, relative, bytes).await?;
    }
    let parse_job_id = job
        .extract_metadata
        .as_ref()
        .and_then(|metadata| metadata.parse_job_id.as_deref());
    let pages = match parse_job_id {
        Some(parse_job_id) => parse_job_pages(client, parse_job_id).await,
        None => None,
    };
    Ok(Some(Finished {
        job_status: job.status.as_str().to_owned(),
        error: (!completed).then(|| {
            job.error_message
                .clone()
                .unwrap_or_else(|| format!("the job ended {}", job.status))
        }),
        pages,
        credits: job.usage.as_ref().and_then(|usage| usage.credits),
        written: completed,
    }))
}

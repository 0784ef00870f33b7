//! The export of an existing batch ([`export_results`]): every file it mapped, named from
//! its directory file, its job followed and its output written as a run with `out` does.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use batches_client::{Client, GetBatchParams, WaitOptions};
use futures_util::stream::TryStreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::fetch::{self, FetchError, Poll};
use super::{Exporter, Line, Settings, check_form, ended_with, output_error};
use crate::error::{Error, Resume};
use crate::handle::Handle;
use crate::output_form::OutputForm;
use crate::report::{BatchReport, FileReport, FileStatus, Outcome, Report};

/// What [`export_results`] does; JSON keys as named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportOptions {
    /// The batch (`bat-…`).
    pub batch_id: String,
    /// The output folder.
    pub out: PathBuf,
    /// The output form; default `markdown` for parse, `json` for extract.
    #[serde(default)]
    pub output_form: Option<OutputForm>,
    /// Write every output again, even those the manifest has as done.
    #[serde(default)]
    pub reprocess: bool,
    /// Jobs followed at once, 1 to 64.
    #[serde(default = "default_concurrency")]
    pub export_concurrency: usize,
    /// The first pause between two asks of a batch or job still running (seconds in
    /// JSON); it doubles up to 10 s.
    #[serde(default = "default_poll", with = "crate::options::seconds")]
    pub poll_interval: Duration,
}

fn default_concurrency() -> usize {
    16
}

fn default_poll() -> Duration {
    Duration::from_millis(500)
}

impl ExportOptions {
    /// The export of `batch_id` into `out`, everything else at its default.
    pub fn new(batch_id: impl Into<String>, out: impl Into<PathBuf>) -> ExportOptions {
        ExportOptions {
            batch_id: batch_id.into(),
            out: out.into(),
            output_form: None,
            reprocess: false,
            export_concurrency: default_concurrency(),
            poll_interval: default_poll(),
        }
    }
}

/// Exports the batch of `options` into its output folder, in a task of its own: waits
/// for the batch to end, names each output from its directory file's `display_name`
/// (made safe; see the crate's "Documents out"), follows each job to its end and writes
/// its output, with `manifest.jsonl` and `summary.json`. A rerun into the same folder
/// writes only the outputs missing (`reprocess` writes them all). Its events and
/// [`Report`] are a run's; each file's `path` is its display name.
pub fn export_results(client: Client, options: ExportOptions) -> Handle<Report> {
    Handle::spawn(
        move |events| async move { export(client, options, events).await },
        Resume::default,
    )
}

async fn export(
    client: Client,
    options: ExportOptions,
    events: crate::events::Events,
) -> Result<Report, Error> {
    let client_error = |source| Error::Client {
        source: Box::new(source),
        resume: Resume::default(),
    };
    let invalid =
        |option, message: String| Error::Plan(crate::PlanError::InvalidOption { option, message });
    if !(1..=64).contains(&options.export_concurrency) {
        return Err(invalid(
            "export_concurrency",
            format!(
                "{} is out of range; accepted: 1 to 64",
                options.export_concurrency
            ),
        ));
    }
    let params = GetBatchParams {
        expand: Some(vec!["results".to_owned()]),
        ..Default::default()
    };
    let wait = WaitOptions::new()
        .interval(options.poll_interval)
        .max_interval(Duration::from_secs(10).max(options.poll_interval))
        .params(params);
    let batch = client
        .batches()
        .wait(&options.batch_id, wait)
        .await
        .map_err(client_error)?;
    let job_type = batch.config.job.type_.clone();
    let form = options
        .output_form
        .unwrap_or_else(|| OutputForm::default_for(&job_type));
    check_form(&job_type, form)?;
    let names: HashMap<String, String> = client
        .directories()
        .files(&batch.source_directory_id)
        .stream(Default::default())
        .map_ok(|file| (file.id, file.display_name))
        .try_collect()
        .await
        .map_err(client_error)?;
    let settings = Settings {
        job_type: job_type.as_str().to_owned(),
        configuration_id: batch.config.job.configuration_id.clone(),
        form,
    };
    let root = options.out.clone();
    let opened = {
        let (events, settings) = (events.clone(), settings.clone());
        tokio::task::spawn_blocking(move || Exporter::open(&root, settings, events))
            .await
            .expect("opening does not panic")
    };
    let (mut exporter, lines) = opened.map_err(|error| output_error(error, Resume::default()))?;
    let results = batch.results.clone().unwrap_or_default();
    exporter.summary.files = results.len();
    let mut reports = Vec::new();
    let mut todo = Vec::new();
    for result in &results {
        let name = names
            .get(&result.source_directory_file_id)
            .cloned()
            .unwrap_or_else(|| result.source_directory_file_id.clone());
        let job_id = result.job_reference.as_ref().map(|job| job.id.clone());
        let earlier = lines.iter().rev().find(|line| {
            line.job_id == job_id && job_id.is_some() && settings.matches(line) && line.finished()
        });
        let output = match earlier.and_then(|line| line.output.clone()) {
            Some(output) if exporter.names.claim(&output) => PathBuf::from(output),
            _ => exporter.names.give(&name, form.suffix()),
        };
        let mut report = FileReport {
            path: name,
            status: FileStatus::Ok,
            directory_id: batch.source_directory_id.clone(),
            directory_file_id: Some(result.source_directory_file_id.clone()),
            batch_id: Some(batch.id.clone()),
            job_reference: result.job_reference.clone(),
            error: result.error_message.clone(),
            export: None,
        };
        let done = earlier.filter(|line| {
            !options.reprocess
                && (!line.completed()
                    || line
                        .output
                        .as_deref()
                        .is_some_and(|out| exporter.writer.path(out.as_ref()).is_file()))
        });
        if let Some(line) = done {
            exporter.skipped(&report.path, line);
            if !line.completed() {
                report.status = FileStatus::Error;
                report.error = line.error.clone();
            }
            report.export = Some(crate::report::FileExport {
                output: line.output.clone(),
                sha256: None,
                job_status: line.job_status.clone(),
                pages: line.pages,
                credits: line.credits,
                already_done: true,
                same_bytes_as: None,
            });
        } else if report.job_reference.is_some() {
            todo.push((reports.len(), output));
        } else {
            report.status = FileStatus::Error;
            let line = line_of(&report);
            let export = exporter
                .record(&line, None, None, report.error.clone(), false)
                .map_err(|error| output_error(error, Resume::default()))?;
            report.export = Some(export);
        }
        reports.push(report);
    }
    let limit = Arc::new(Semaphore::new(options.export_concurrency));
    let poll = Poll {
        first: options.poll_interval,
        longest: Duration::from_secs(10).max(options.poll_interval),
    };
    // Tasks of their own, so that the fetches go on while a group's lines are synced
    // (the set aborts them if the export stops).
    let mut following = JoinSet::new();
    for (index, output) in todo {
        let job = reports[index].job_reference.clone().expect("a job");
        let (client, writer, limit) = (
            client.clone(),
            Arc::clone(&exporter.writer),
            Arc::clone(&limit),
        );
        following.spawn(async move {
            let _permit = limit.acquire().await.expect("the limit stays open");
            let ended = fetch::fetch(&client, &job, form, &writer, &output, poll).await;
            (index, output, ended)
        });
    }
    while let Some(first) = following.join_next().await {
        for (index, output, ended) in ended_with(first, &mut following) {
            let finished = ended.map_err(|error| match error {
                FetchError::Output(error) => output_error(error, Resume::default()),
                FetchError::Client(source) => client_error(source),
            })?;
            let report = &mut reports[index];
            let export = exporter
                .record(&line_of(report), Some(&output), Some(&finished), None, true)
                .map_err(|error| output_error(error, Resume::default()))?;
            if export.output.is_none() {
                report.status = FileStatus::Error;
                report.error = export.job_status.clone().map(|status| {
                    finished
                        .error
                        .clone()
                        .unwrap_or_else(|| format!("the job ended {status}"))
                });
            }
            report.export = Some(export);
        }
        exporter
            .settle()
            .await
            .map_err(|error| output_error(error, Resume::default()))?;
    }
    let summary = exporter
        .finish()
        .await
        .map_err(|error| output_error(error, Resume::default()))?;
    reports.sort_by(|a, b| {
        (a.status == FileStatus::Error, &a.path).cmp(&(b.status == FileStatus::Error, &b.path))
    });
    let failed = reports
        .iter()
        .filter(|r| r.status == FileStatus::Error)
        .count();
    let outcome = if failed > 0 {
        Outcome::FilesFailed {
            failed,
            total: reports.len(),
        }
    } else {
        Outcome::Completed
    };
    Ok(Report {
        batches: vec![BatchReport {
            directory_id: batch.source_directory_id.clone(),
            batch_id: Some(batch.id.clone()),
            status: Some(batch.status.clone()),
            files: reports.len(),
            other_files: 0,
            found: true,
        }],
        files: reports,
        outcome,
        rate_limited: 0,
        summary: Some(summary),
    })
}

/// The manifest line of a batch's file: no local bytes.
fn line_of(report: &FileReport) -> Line<'_> {
    Line {
        path: &report.path,
        sha256: None,
        bytes: None,
        directory_file_id: report.directory_file_id.as_deref(),
        batch_id: report.batch_id.as_deref(),
        job: report.job_reference.as_ref(),
    }
}

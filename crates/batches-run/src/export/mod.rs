//! Documents out: each file's result written into an output folder as the run goes, with
//! `manifest.jsonl` (one line per file) and `summary.json`, so that a rerun into the same
//! folder skips what is done.
//!
//! - `names`: safe output names (nothing outside the folder, portable, distinct).
//! - `writer`: whole files only (temporary name, sync, rename); stale temporaries removed.
//! - `manifest`: the lines, appended as files end; the lines that end together share a sync.
//! - `fetch`: a job followed to its end and its output written.
//! - `state`: the directories a run made, for the same command after a crash.
//! - `decide`: what a run with `out` does with each local file (hash, skip, dedupe).
//! - `files`: the run with `out` itself.
//! - `batch`: the export of an existing batch ([`export_results`]).

mod batch;
mod decide;
mod fetch;
mod files;
mod manifest;
mod names;
pub(crate) mod state;
pub(crate) mod writer;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use batches_client::JobReference;

pub use batch::{ExportOptions, export_results};
pub use decide::{Action, Preview, PreviewFile, preview};
pub(crate) use files::run;

use self::manifest::Manifest;
use self::names::Names;
use self::writer::{WriteError, Writer};
use crate::error::{Error, PlanError, Resume};
use crate::event::Event;
use crate::events::Events;
use crate::options::Options;
use crate::output_form::OutputForm;
use crate::report::{FileExport, Summary};
use crate::report_html::{MANIFEST, ManifestLine, REPORT, SUMMARY};

/// The names in the output folder that are not outputs.
const RESERVED: [&str; 4] = [MANIFEST, SUMMARY, REPORT, state::STATE];

/// Checks the options that only `out` uses.
pub(crate) fn check_options(options: &Options) -> Result<(), PlanError> {
    let invalid = |option, message: String| Err(PlanError::InvalidOption { option, message });
    if !options.wait {
        return invalid(
            "out",
            "writes each file's result, so it waits for the batches; leave out no-wait".to_owned(),
        );
    }
    if !(1..=64).contains(&options.export_concurrency) {
        return invalid(
            "export_concurrency",
            format!(
                "{} is out of range; accepted: 1 to 64",
                options.export_concurrency
            ),
        );
    }
    check_form(&options.job_type, options.form())
}

/// Extract results are JSON only.
fn check_form(job_type: &batches_client::JobType, form: OutputForm) -> Result<(), PlanError> {
    if *job_type == batches_client::JobType::ExtractV2 && form != OutputForm::Json {
        return Err(PlanError::InvalidOption {
            option: "output_form",
            message: format!(
                "extract_v2 results are JSON (the extract_result); `{}` is for parse_v2; \
                 accepted for extract_v2: json",
                form.as_str()
            ),
        });
    }
    Ok(())
}

/// The job settings an output depends on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    job_type: String,
    configuration_id: String,
    form: OutputForm,
}

impl Settings {
    fn matches(&self, line: &ManifestLine) -> bool {
        line.job_type == self.job_type
            && line.configuration_id == self.configuration_id
            && line.output_form == Some(self.form)
    }
}

/// One output folder being written: its writer, manifest, names and summary.
pub(crate) struct Exporter {
    writer: Arc<Writer>,
    manifest: Manifest,
    names: Names,
    settings: Settings,
    summary: Summary,
    started: Instant,
    events: Events,
    /// When `report.html` was last written.
    reported: Option<Instant>,
}

/// How often `report.html` is rewritten while the run goes on: each rewrite reads the
/// whole manifest and the previews, so once per file would make a long run quadratic.
const REPORT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// What the manifest line of one file says besides the job's end.
pub(crate) struct Line<'a> {
    pub path: &'a str,
    pub sha256: Option<&'a str>,
    pub bytes: Option<u64>,
    pub directory_file_id: Option<&'a str>,
    pub batch_id: Option<&'a str>,
    pub job: Option<&'a JobReference>,
}

impl Exporter {
    /// Opens `root` (made if missing; stale temporary files removed) for outputs of
    /// `settings`; returns the manifest's lines so far too.
    fn open(
        root: &Path,
        settings: Settings,
        events: Events,
    ) -> Result<(Exporter, Vec<ManifestLine>), WriteError> {
        let writer = Writer::new(root)?;
        writer.remove_stale()?;
        let (manifest, lines) = Manifest::open(root)?;
        let summary = Summary {
            out: root.display().to_string(),
            job_type: settings.job_type.clone(),
            configuration_id: settings.configuration_id.clone(),
            output_form: settings.form,
            files: 0,
            done: 0,
            failed: 0,
            skipped: 0,
            pages: 0,
            credits: 0.0,
            seconds: 0.0,
            started_at: now(),
            finished_at: None,
        };
        let exporter = Exporter {
            writer: Arc::new(writer),
            manifest,
            names: Names::reserving(&RESERVED),
            settings,
            summary,
            started: Instant::now(),
            events,
            reported: None,
        };
        Ok((exporter, lines))
    }

    /// Records a file skipped as done before (in the summary the next
    /// [`settle`](Self::settle) writes).
    fn skipped(&mut self, path: &str, line: &ManifestLine) {
        self.summary.skipped += 1;
        if !line.completed() {
            self.summary.failed += 1;
        }
        self.events.send(Event::AlreadyDone {
            path: path.to_owned(),
            output: line.output.clone(),
            job_status: line.job_status.clone().unwrap_or_default(),
        });
    }

    /// Appends the manifest line of a file and tells it; the next [`settle`](Self::settle)
    /// syncs the line and rewrites the summary. `billed` is false when the job was counted
    /// already (a second path with the same bytes, an output fetched again).
    fn record(
        &mut self,
        line: &Line<'_>,
        output: Option<&Path>,
        finished: Option<&fetch::Finished>,
        error: Option<String>,
        billed: bool,
    ) -> Result<FileExport, WriteError> {
        let output = output
            .filter(|_| finished.is_some_and(|finished| finished.written))
            .map(|path| path.to_string_lossy().replace('\\', "/"));
        let error = error.or_else(|| finished.and_then(|finished| finished.error.clone()));
        let entry = ManifestLine {
            path: line.path.to_owned(),
            sha256: line.sha256.map(str::to_owned),
            bytes: line.bytes,
            directory_file_id: line.directory_file_id.map(str::to_owned),
            batch_id: line.batch_id.map(str::to_owned),
            job_id: line.job.map(|job| job.id.clone()),
            job_status: finished.map(|finished| finished.job_status.clone()),
            error: error.clone(),
            pages: finished.and_then(|finished| finished.pages),
            credits: finished.and_then(|finished| finished.credits),
            output: output.clone(),
            finished_at: Some(now()),
            job_type: self.settings.job_type.clone(),
            configuration_id: self.settings.configuration_id.clone(),
            output_form: Some(self.settings.form),
        };
        self.manifest.append(&entry)?;
        match (&entry.output, line.job) {
            (Some(output), Some(job)) => {
                self.summary.done += 1;
                self.events.send(Event::OutputWritten {
                    path: entry.path.clone(),
                    output: output.clone(),
                    job_id: job.id.clone(),
                    pages: entry.pages,
                    credits: entry.credits,
                });
            }
            _ => {
                self.summary.failed += 1;
                if let (Some(job), Some(status)) = (line.job, &entry.job_status) {
                    self.events.send(Event::JobFailed {
                        path: entry.path.clone(),
                        job_id: job.id.clone(),
                        job_status: status.clone(),
                        error: error.clone().unwrap_or_default(),
                    });
                }
            }
        }
        if billed {
            self.summary.pages += entry.pages.unwrap_or(0);
            self.summary.credits += entry.credits.unwrap_or(0.0);
        }
        Ok(FileExport {
            output,
            sha256: entry.sha256,
            job_status: entry.job_status,
            pages: entry.pages,
            credits: entry.credits,
            already_done: false,
            same_bytes_as: None,
        })
    }

    /// Syncs the manifest lines appended since the last call and rewrites `summary.json`
    /// (renamed into place, so a reader never sees a part of it) and, at most once every
    /// [`REPORT_EVERY`], `report.html`, off the async threads. A run calls it after each
    /// group of files that ended together: one sync for all their lines, however many,
    /// so that the files being fetched meanwhile are not kept waiting one sync each.
    async fn settle(&mut self) -> Result<(), WriteError> {
        let report = self
            .reported
            .is_none_or(|reported| reported.elapsed() >= REPORT_EVERY);
        self.write(false, report).await
    }

    /// The final summary, written and synced, with the report.
    async fn finish(mut self) -> Result<Summary, WriteError> {
        self.summary.finished_at = Some(now());
        self.write(true, true).await?;
        Ok(self.summary)
    }

    /// Syncs the manifest, writes the summary (synced when `last`) and the report when
    /// `report`.
    async fn write(&mut self, last: bool, report: bool) -> Result<(), WriteError> {
        self.summary.seconds = self.started.elapsed().as_secs_f64();
        let summary = serde_json::to_vec_pretty(&self.summary).expect("the summary encodes");
        let sync = self.manifest.sync();
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            if let Some(sync) = sync {
                sync()?;
            }
            let name = Path::new(SUMMARY);
            if last {
                writer.write_durable(name, &summary)?;
            } else {
                writer.replace(name, &summary)?;
            }
            if report {
                let root = writer.root();
                crate::report_html::write_report(root).map_err(|source| WriteError {
                    path: root.join(REPORT),
                    source,
                })?;
            }
            Ok(())
        })
        .await
        .expect("writing the summary does not panic")?;
        if report {
            self.reported = Some(Instant::now());
        }
        Ok(())
    }
}

/// `first`, the task of `set` that ended, with every other that has ended too: the group
/// whose lines share one [`Exporter::settle`]. A task's panic is carried on.
fn ended_with<T: 'static>(
    first: Result<T, tokio::task::JoinError>,
    set: &mut tokio::task::JoinSet<T>,
) -> Vec<T> {
    std::iter::once(first)
        .chain(std::iter::from_fn(|| set.try_join_next()))
        .map(|result| match result {
            Ok(value) => value,
            Err(error) => match error.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(error) => unreachable!("the run's tasks are aborted only with it: {error}"),
            },
        })
        .collect()
}

/// Now, as RFC 3339 in UTC.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A failed write as the run's error.
fn output_error(error: WriteError, resume: Resume) -> Error {
    Error::Output {
        path: error.path,
        source: error.source,
        resume,
    }
}

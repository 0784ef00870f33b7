//! A run with `out`: the files to send (see `decide`) run as any run, into the
//! directories an earlier run into the same folder made when they hold them, and each
//! job's output written as the batch maps it, a bounded number of jobs followed at once.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use batches_client::{Client, JobReference, ListBatchesParams};
use futures_util::stream::TryStreamExt;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::decide::{Action, Item, decide, settings_of};
use super::fetch::{self, FetchError, Finished, Poll};
use super::state::State;
use super::writer::{WriteError, at};
use super::{Exporter, Line, ended_with, output_error};
use crate::error::{Error, Resume};
use crate::event::Event;
use crate::events::Events;
use crate::plan::Plan;
use crate::report::{FileExport, FileReport, FileStatus, Outcome, Report};
use crate::report_html::ManifestLine;
use crate::run::{Execution, lock};
use crate::walk::LocalFile;

/// The directories earlier runs into this folder made, with the run's files each holds
/// unprocessed (a directory file with a finished manifest line was processed: the file is
/// sent again because it changed, or to process it again, so into a new directory);
/// files in none go to the last one when it has no batch yet (its uploads were cut
/// short), else to a new directory.
async fn regroup(
    client: &Client,
    state: &State,
    files: Vec<LocalFile>,
    processed: &HashSet<String>,
) -> Result<(Vec<(Option<String>, Vec<LocalFile>)>, bool), batches_client::Error> {
    let earlier = state.directories();
    let mut parts: Vec<(Option<String>, Vec<LocalFile>)> = Vec::new();
    let mut rest = files;
    for directory_id in &earlier {
        if rest.is_empty() {
            break;
        }
        let there: HashSet<String> = client
            .directories()
            .files(directory_id)
            .stream(Default::default())
            .try_filter(|file| std::future::ready(!processed.contains(&file.id)))
            .map_ok(|file| file.unique_id)
            .try_collect()
            .await?;
        let (inside, outside): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|file| there.contains(&file.shown));
        rest = outside;
        if !inside.is_empty() {
            parts.push((Some(directory_id.clone()), inside));
        }
    }
    let mut reused = !parts.is_empty();
    if let Some(last) = earlier.last()
        && !rest.is_empty()
    {
        let params = ListBatchesParams {
            source_directory_id: Some(last.clone()),
            page_size: Some(1),
            ..Default::default()
        };
        let batches = client.batches().list(&params).await?;
        if batches.items.is_empty() {
            match parts.iter_mut().find(|(id, _)| id.as_ref() == Some(last)) {
                Some((_, files)) => files.append(&mut rest),
                None => parts.push((Some(last.clone()), std::mem::take(&mut rest))),
            }
            reused = true;
        }
    }
    if !rest.is_empty() {
        parts.push((None, rest));
    }
    Ok((parts, reused))
}

/// Runs `plan` (whose options have `out`): see the module docs.
pub(crate) async fn run(
    client: Client,
    plan: Plan,
    events: Events,
    directories: Arc<Mutex<Vec<String>>>,
) -> Result<Report, Error> {
    let options = plan.options().clone();
    let root = options.out.clone().expect("a run with out");
    let resume = {
        let directories = Arc::clone(&directories);
        move || Resume {
            directory_ids: lock(&directories).clone(),
        }
    };
    let settings = settings_of(&plan);
    let prepared = {
        let (plan, events, root) = (plan.clone(), events.clone(), root.clone());
        tokio::task::spawn_blocking(move || -> Result<_, WriteError> {
            let (mut exporter, lines) = Exporter::open(&root, settings, events)?;
            let folder = exporter.writer.root().to_owned();
            let items = decide(&plan, &mut exporter.names, &folder, &lines);
            let state = State::read(
                &root,
                plan.options().job_type.as_str(),
                &plan.options().configuration_id,
            )?;
            let processed: HashSet<String> = lines
                .iter()
                .filter(|line| line.finished())
                .filter_map(|line| line.directory_file_id.clone())
                .collect();
            Ok((exporter, items, state, processed))
        })
        .await
        .expect("preparing does not panic")
    };
    let (mut exporter, items, state, processed) =
        prepared.map_err(|error| output_error(error, resume()))?;
    exporter.summary.files = items.len();
    for item in &items {
        match (&item.action, &item.earlier) {
            (Ok(Action::AlreadyDone { .. }), Some(line)) => {
                exporter.skipped(&item.file.shown, line)
            }
            (Ok(Action::SameBytes { first }), _) => events.send(Event::SameBytes {
                path: item.file.shown.clone(),
                first: first.clone(),
            }),
            _ => {}
        }
    }
    let state = Arc::new(state);
    let sent: Vec<LocalFile> = items
        .iter()
        .filter(|item| item.action == Ok(Action::Send))
        .map(|item| item.file.clone())
        .collect();
    let mut options = options;
    let reduced = sent.len() < items.len();
    let (parts, reused) = if options.directory_ids.is_empty() && !sent.is_empty() {
        regroup(&client, &state, sent, &processed)
            .await
            .map_err(|source| Error::Client {
                source: Box::new(source),
                resume: resume(),
            })?
    } else {
        let given = plan
            .groups()
            .iter()
            .map(|group| {
                let files = plan
                    .files_of(group)
                    .iter()
                    .filter(|file| sent.iter().any(|sent| sent.shown == file.shown))
                    .cloned()
                    .collect();
                (group.directory_id.clone(), files)
            })
            .filter(|(_, files): &(_, Vec<_>)| !files.is_empty())
            .collect();
        (given, reduced)
    };
    // The directories reused hold the files done before too: they are the run's.
    options.allow_other_files |= reused;
    let reduced_plan = Plan::regrouped(options.clone(), parts, plan.skipped().to_vec());

    let writer = Arc::clone(&exporter.writer);
    let form = options.form();
    let poll = Poll {
        first: options.poll_interval,
        longest: options.max_poll_interval,
    };
    let limit = Arc::new(Semaphore::new(options.export_concurrency));
    let follow = |index: usize, job: JobReference, output: PathBuf| {
        let (client, writer, limit) = (client.clone(), Arc::clone(&writer), Arc::clone(&limit));
        async move {
            let _permit = limit.acquire().await.expect("the limit stays open");
            (
                index,
                fetch::fetch(&client, &job, form, &writer, &output, poll).await,
            )
        }
    };
    // Tasks of their own, so that the fetches go on while a group's lines are synced
    // (the set aborts them if the run stops).
    let mut following = JoinSet::new();
    let index_of: HashMap<String, usize> = items
        .iter()
        .enumerate()
        .map(|(index, item)| (item.file.shown.clone(), index))
        .collect();
    let mut reports: Vec<Option<FileReport>> = vec![None; items.len()];
    let mut exports: Vec<Option<FileExport>> = vec![None; items.len()];
    for (index, item) in items.iter().enumerate() {
        if let (Ok(Action::FetchOutput { job_id }), Some(line)) = (&item.action, &item.earlier) {
            let job = JobReference::new(job_id.clone(), options.job_type.clone());
            reports[index] = Some(earlier_report(item, line, job.clone()));
            following.spawn(follow(index, job, item.output.clone()));
        }
    }

    let (sender, mut inner) = tokio::sync::mpsc::unbounded_channel();
    let execution = Execution {
        client: client.clone(),
        plan: reduced_plan,
        events: Events::new(sender),
        directories: Arc::clone(&directories),
        record: Some((Arc::clone(&state), Arc::clone(&writer))),
    };
    let nothing_to_send = execution.plan.files().is_empty();
    let running = execution.execute();
    tokio::pin!(running);
    let mut ran: Option<Report> = None;
    let mut open = true;
    if nothing_to_send {
        drop(inner);
        inner = tokio::sync::mpsc::unbounded_channel().1;
        open = false;
    }
    let fail = |error: FetchError| match error {
        FetchError::Output(error) => output_error(error, resume()),
        FetchError::Client(source) => Error::Client {
            source: Box::new(source),
            resume: resume(),
        },
    };
    loop {
        if (ran.is_some() || nothing_to_send) && !open && following.is_empty() {
            break;
        }
        tokio::select! {
            ended = &mut running, if ran.is_none() && !nothing_to_send => {
                ran = Some(ended?);
            }
            event = inner.recv(), if open => match event {
                None => open = false,
                Some(Event::RunFinished { .. }) => {}
                Some(Event::FileResult(file)) => {
                    if let Some(&index) = index_of.get(&file.path) {
                        match &file.job_reference {
                            Some(job) => {
                                following.spawn(follow(index, job.clone(), items[index].output.clone()));
                            }
                            None if file.status == FileStatus::Error => {
                                let error = file.error.clone();
                                record_all(&mut exporter, &items, &mut exports, index, &file, None, error)
                                    .map_err(|error| output_error(error, resume()))?;
                                exporter.settle().await.map_err(|error| output_error(error, resume()))?;
                            }
                            None => {}
                        }
                        reports[index] = Some(file.clone());
                    }
                    events.send(Event::FileResult(file));
                }
                Some(other) => events.send(other),
            },
            Some(first) = following.join_next(), if !following.is_empty() => {
                for (index, followed) in ended_with(first, &mut following) {
                    let finished = followed.map_err(fail)?;
                    let report = reports[index].clone().expect("a followed file has a result");
                    record_all(&mut exporter, &items, &mut exports, index, &report, Some(&finished), None)
                        .map_err(|error| output_error(error, resume()))?;
                }
                exporter.settle().await.map_err(|error| output_error(error, resume()))?;
            }
        }
    }
    let summary = exporter
        .finish()
        .await
        .map_err(|error| output_error(error, resume()))?;
    let report = assemble(items, reports, exports, ran, summary);
    events.send(Event::RunFinished {
        files: report.files.len(),
        ok: report.count(FileStatus::Ok),
        failed: report.count(FileStatus::Error),
        pending: report.count(FileStatus::Pending),
    });
    Ok(report)
}

/// The result of a file an earlier run finished, from its manifest line.
fn earlier_report(item: &Item, line: &ManifestLine, job: JobReference) -> FileReport {
    FileReport {
        path: item.file.shown.clone(),
        status: FileStatus::Ok,
        directory_id: String::new(),
        directory_file_id: line.directory_file_id.clone(),
        batch_id: line.batch_id.clone(),
        job_reference: Some(job),
        error: None,
        export: None,
    }
}

/// Records the end of item `index` (sent, or fetched again) and of every item with its
/// bytes: their manifest lines, their outputs copied from its own.
fn record_all(
    exporter: &mut Exporter,
    items: &[Item],
    exports: &mut [Option<FileExport>],
    index: usize,
    report: &FileReport,
    finished: Option<&Finished>,
    error: Option<String>,
) -> Result<(), WriteError> {
    let item = &items[index];
    let sent = item.action == Ok(Action::Send);
    fn line<'a>(item: &'a Item, report: &'a FileReport) -> Line<'a> {
        Line {
            path: &item.file.shown,
            sha256: item.sha256.as_deref(),
            bytes: Some(item.file.bytes),
            directory_file_id: report.directory_file_id.as_deref(),
            batch_id: report.batch_id.as_deref(),
            job: report.job_reference.as_ref(),
        }
    }
    let first = exporter.record(
        &line(item, report),
        Some(&item.output),
        finished,
        error.clone(),
        sent,
    )?;
    exports[index] = Some(first);
    if !sent {
        return Ok(());
    }
    let written = finished.is_some_and(|finished| finished.written);
    let bytes = if written {
        let path = exporter.writer.path(&item.output);
        Some(at(&path, std::fs::read(&path))?)
    } else {
        None
    };
    for (other, same) in items.iter().enumerate() {
        if same.action
            != Ok(Action::SameBytes {
                first: item.file.shown.clone(),
            })
        {
            continue;
        }
        if let Some(bytes) = &bytes {
            exporter.writer.write(&same.output, bytes)?;
        }
        let mut export = exporter.record(
            &line(same, report),
            Some(&same.output),
            finished,
            error.clone(),
            false,
        )?;
        export.same_bytes_as = Some(item.file.shown.clone());
        exports[other] = Some(export);
    }
    Ok(())
}

/// The report of the whole run: every file of the plan, failures last.
fn assemble(
    items: Vec<Item>,
    reports: Vec<Option<FileReport>>,
    exports: Vec<Option<FileExport>>,
    ran: Option<Report>,
    summary: crate::report::Summary,
) -> Report {
    let primary: HashMap<String, FileReport> = reports
        .iter()
        .flatten()
        .map(|report| (report.path.clone(), report.clone()))
        .collect();
    let mut files = Vec::new();
    for ((item, report), export) in items.into_iter().zip(reports).zip(exports) {
        let mut report = match (&item.action, report) {
            (_, Some(report)) => report,
            (Ok(Action::SameBytes { first }), None) => FileReport {
                path: item.file.shown.clone(),
                ..primary
                    .get(first)
                    .cloned()
                    .unwrap_or_else(|| pending(&item))
            },
            (Ok(Action::AlreadyDone { .. }), None) => {
                let line = item.earlier.as_ref().expect("a skipped file has its line");
                let job = JobReference::new(
                    line.job_id.clone().unwrap_or_default(),
                    batches_client::JobType::from(line.job_type.as_str()),
                );
                let mut report = earlier_report(&item, line, job);
                if !line.completed() {
                    report.status = FileStatus::Error;
                }
                report.error = line.error.clone();
                report.export = Some(FileExport {
                    output: line.output.clone(),
                    sha256: item.sha256.clone(),
                    job_status: line.job_status.clone(),
                    pages: line.pages,
                    credits: line.credits,
                    already_done: true,
                    same_bytes_as: None,
                });
                report
            }
            (Err(error), None) => FileReport {
                status: FileStatus::Error,
                error: Some(error.clone()),
                ..pending(&item)
            },
            (_, None) => pending(&item),
        };
        if let Some(export) = export {
            report.export = Some(export);
        }
        let exported = report.export.clone();
        if let Some(export) = exported
            && report.status == FileStatus::Ok
            && export.output.is_none()
        {
            report.status = FileStatus::Error;
            if report.error.is_none() {
                report.error = Some(format!(
                    "the job ended {}",
                    export.job_status.as_deref().unwrap_or("without a result")
                ));
            }
        }
        files.push(report);
    }
    files.sort_by_key(|file| file.status == FileStatus::Error);
    let failed = files
        .iter()
        .filter(|f| f.status == FileStatus::Error)
        .count();
    let (batches, outcome, rate_limited) = match ran {
        Some(report) => (report.batches, report.outcome, report.rate_limited),
        None => (Vec::new(), Outcome::Completed, 0),
    };
    let outcome = match outcome {
        Outcome::TimedOut(error) => Outcome::TimedOut(error),
        _ if failed > 0 => Outcome::FilesFailed {
            failed,
            total: files.len(),
        },
        other => other,
    };
    Report {
        files,
        batches,
        outcome,
        rate_limited,
        summary: Some(summary),
    }
}

/// A file without a result yet.
fn pending(item: &Item) -> FileReport {
    FileReport {
        path: item.file.shown.clone(),
        status: FileStatus::Pending,
        directory_id: String::new(),
        directory_file_id: None,
        batch_id: None,
        job_reference: None,
        error: None,
        export: None,
    }
}

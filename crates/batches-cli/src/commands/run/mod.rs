//! `batches run`: the run engine's plan printed (`--dry-run`) or started, its events
//! rendered, every file's result printed under its local path, and how it ended as an
//! exit status, with the command that resumes a run that stopped.

mod out;

use batches_run::{
    Error, ExportOptions, Options, Outcome, Plan, Report, Resume, Run, export_results,
};

use super::Context;
use super::engine::{self, plan_failure};
use super::resume_command::with_directory_ids;
use crate::cli::{ResultsArgs, RunArgs};
use crate::failure::Failure;
use crate::output::Rows;

/// Runs `batches run`.
pub async fn run(context: &mut Context, args: RunArgs) -> Result<(), Failure> {
    if context.printer.is_raw() {
        return Err(Failure::usage(
            "--format raw prints one response as received; batches run prints results of its \
             own: use json, jsonl, yaml or table",
        ));
    }
    let plan = Plan::new(options(&args)?).map_err(plan_failure)?;
    if args.upload.dry_run && args.out.out.is_some() {
        return out::preview(context, &plan);
    }
    if args.upload.dry_run {
        let files = plan.groups().iter().flat_map(|group| {
            let directory = plan.directory_label(group);
            plan.files_of(group)
                .iter()
                .map(move |file| (file.shown.clone(), file.bytes, directory.clone()))
        });
        return engine::print_plan(context, files, plan.skipped());
    }
    let run = Run::start(context.client.clone(), plan);
    match engine::follow(context, run).await {
        Ok(report) => print_report(context, report),
        Err(error) => Err(failure(error)),
    }
}

/// Runs `batches results`.
pub async fn results(context: &mut Context, args: ResultsArgs) -> Result<(), Failure> {
    if context.printer.is_raw() {
        return Err(Failure::usage(
            "--format raw prints one response as received; batches results prints results \
             of its own: use json, jsonl, yaml or table",
        ));
    }
    let options = ExportOptions {
        output_form: args.output_form,
        reprocess: args.reprocess,
        ..ExportOptions::new(args.id, args.out)
    };
    let export = export_results(context.client.clone(), options);
    match engine::follow(context, export).await {
        Ok(report) => print_report(context, report),
        Err(error) => Err(failure(error)),
    }
}

/// The engine's options from the command line's; the webhooks' secret read from the
/// environment.
fn options(args: &RunArgs) -> Result<Options, Failure> {
    Ok(Options {
        include: args.upload.include.clone(),
        exclude: args.upload.exclude.clone(),
        directory_ids: args.directory_id.clone(),
        split: args.split,
        upload_concurrency: usize::from(args.upload.upload_concurrency),
        upload_rate: args.upload.upload_rate,
        wait: !args.no_wait,
        timeout: args.timeout,
        follow_links: args.upload.follow_links,
        allow_other_files: args.allow_other_files,
        webhook_configurations: args.webhooks.configurations()?,
        webhook_configuration_ids: args.webhook_configuration_id.clone(),
        dry_run: args.upload.dry_run,
        out: args.out.out.clone(),
        output_form: args.out.output_form,
        reprocess: args.out.reprocess,
        retry_failed: args.out.retry_failed,
        ..Options::new(
            args.paths.iter().cloned(),
            args.job_type.clone(),
            args.configuration_id.clone(),
        )
    })
}

/// Prints every file's result, failures last, and tells the exit status: a timeout (5),
/// any file with an error or any batch that ended FAILED or CANCELLED (4), else success.
/// With `--out`, the summary goes to stderr.
fn print_report(context: &mut Context, report: Report) -> Result<(), Failure> {
    context.printer.show(Rows::RunResults);
    for file in &report.files {
        let json = serde_json::to_string(file).expect("a result encodes");
        context.printer.list_item(&json)?;
    }
    context.printer.end_list()?;
    engine::rate_limited_note(&context.console, report.rate_limited);
    if let Some(summary) = &report.summary {
        out::summary_note(&context.console, summary);
    }
    // Files that were not uploaded, and batches still running, are not a verdict: a rerun
    // finishes them.
    let resume = report.resume();
    let failure = match report.outcome {
        Outcome::Completed => return Ok(()),
        Outcome::TimedOut(error) => Failure::Client(error),
        Outcome::FilesFailed { failed, total } => Failure::FilesFailed { failed, total },
        Outcome::BatchEnded { batch_id, status } => Failure::BatchEnded {
            batch_id,
            status: status.to_string(),
        },
        other => Failure::Unreadable(format!("the run ended as {other:?}")),
    };
    Err(match resume {
        Some(resume) => stopped(failure, &resume),
        None => failure,
    })
}

/// A run that stopped, as a failure: what a rerun needs, as the command that does it.
fn failure(error: Error) -> Failure {
    match error {
        Error::Plan(error) => plan_failure(error),
        Error::OtherFiles {
            directory_id,
            count,
            examples,
            ..
        } => Failure::Usage {
            message: format!(
                "directory {directory_id} holds {count} file{} that the paths given do not \
                 ({}{}); its batch would process them too",
                if count == 1 { "" } else { "s" },
                examples.join(", "),
                if count > examples.len() { ", …" } else { "" }
            ),
            hint: Some(
                "pass --allow-other-files to process them as well, or leave out \
                 --directory-id to upload into a new directory"
                    .to_owned(),
            ),
        },
        Error::Client { source, resume } => stopped(Failure::Client(*source), &resume),
        Error::Cancelled { resume } => stopped(Failure::Interrupted, &resume),
        Error::Output {
            path,
            source,
            resume,
        } => stopped(out::output_failure(&path, source), &resume),
        other => Failure::Unreadable(other.to_string()),
    }
}

/// `cause`, with the command that resumes the run when it made or used directories.
fn stopped(cause: Failure, resume: &Resume) -> Failure {
    if resume.directory_ids.is_empty() {
        return cause;
    }
    Failure::Stopped {
        cause: Box::new(cause),
        resume_command: with_directory_ids(&resume.directory_ids),
    }
}

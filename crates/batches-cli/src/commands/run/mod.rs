//! `batches run`: from local files to per-file results in one command. The files are found
//! and checked, split into groups of at most 1,000 (one directory and one batch each),
//! uploaded into ephemeral directories (or those given with `--directory-id`, skipping
//! files already there), each group's batch created once, the batches followed together,
//! and every file's result printed under its local path.
//!
//! Everything a rerun needs is on the server: the files of a directory (their unique id is
//! the local path), and its batch (found by directory and job, and created with an
//! idempotency key derived from the directory, the job and the file set). So a run that
//! stopped is finished by the same command with the directories pinned, which is printed.

mod batch;
mod results;

use batches_client::{CreateDirectoryRequest, CreateDirectoryType};

use self::results::Group;
use super::Context;
use super::resume_command::with_directory_ids;
use super::upload::{self, LocalFile, Uploader};
use crate::cli::RunArgs;
use crate::failure::Failure;

/// Most files one batch covers.
const MAX_BATCH_FILES: usize = 1000;

/// Runs `batches run`.
pub async fn run(context: &mut Context, args: RunArgs) -> Result<(), Failure> {
    if context.printer.is_raw() {
        return Err(Failure::usage(
            "--format raw prints one response as received; batches run prints results of its \
             own: use json, jsonl, yaml or table",
        ));
    }
    let files = upload::local_files(&args.paths, &args.upload)?;
    let groups: Vec<&[LocalFile]> = files.chunks(MAX_BATCH_FILES).collect();
    if groups.len() > 1 && !args.split {
        return Err(Failure::Usage {
            message: format!(
                "{} files found; a batch covers at most 1,000 files",
                files.len()
            ),
            hint: Some(format!(
                "pass --split to run {} batches of at most 1,000 files, one directory each",
                groups.len()
            )),
        });
    }
    if args.directory_id.len() > groups.len() {
        return Err(Failure::usage(format!(
            "{} --directory-id given, but the {} files make {} director{}",
            args.directory_id.len(),
            files.len(),
            groups.len(),
            if groups.len() == 1 { "y" } else { "ies" }
        )));
    }
    if args.upload.dry_run {
        let total = groups.len();
        return upload::print_plan(context, &files, |index| {
            let group = index / MAX_BATCH_FILES;
            args.directory_id
                .get(group)
                .cloned()
                .unwrap_or_else(|| format!("new directory {} of {total}", group + 1))
        });
    }

    let mut directories = args.directory_id.clone();
    let outcome = run_groups(context, &args, &groups, &mut directories).await;
    // Whatever stopped the run, the same command with the directories made so far
    // finishes it.
    outcome.map_err(|cause| match cause {
        Failure::Usage { .. }
        | Failure::BrokenPipe
        | Failure::FilesFailed { .. }
        | Failure::BatchEnded { .. }
        | Failure::Stopped { .. } => cause,
        cause if directories.is_empty() => cause,
        cause => Failure::Stopped {
            cause: Box::new(cause),
            resume_command: with_directory_ids(&directories),
        },
    })
}

/// Uploads, creates and follows every group; `directories` collects the directories as
/// they are made.
async fn run_groups(
    context: &mut Context,
    args: &RunArgs,
    groups: &[&[LocalFile]],
    directories: &mut Vec<String>,
) -> Result<(), Failure> {
    let uploader = Uploader::new(context.client.clone(), &args.upload);
    let mut existing = Vec::new();
    for directory_id in &args.directory_id {
        existing.push(
            context
                .interrupt
                .race(uploader.existing(directory_id))
                .await??,
        );
    }
    let missing: Vec<&LocalFile> = groups
        .iter()
        .enumerate()
        .flat_map(|(k, files)| {
            let there = existing.get(k);
            files
                .iter()
                .filter(move |file| there.is_none_or(|there| !there.contains_key(&file.shown)))
        })
        .collect();
    let progress = context
        .console
        .upload_progress(missing.len(), missing.iter().map(|file| file.size).sum());
    let mut existing = existing.into_iter();
    let mut done = Vec::new();
    for (k, files) in groups.iter().enumerate() {
        let directory_id = match directories.get(k) {
            Some(id) => id.clone(),
            None => {
                let id = create_directory(context, k, groups.len()).await?;
                directories.push(id.clone());
                id
            }
        };
        // The directories given come first, in order; those made now are empty.
        let there = existing.next().unwrap_or_default();
        let outcomes = context
            .interrupt
            .race(uploader.upload(&directory_id, files, &there, &progress))
            .await?;
        let uploaded_now = files.iter().any(|file| !there.contains_key(&file.shown));
        let batch = if outcomes.iter().all(Result::is_ok) {
            let look_first = !uploaded_now;
            Some(batch::find_or_create(context, args, &directory_id, files, look_first).await?)
        } else {
            context.console.warn(&format!(
                "no batch was created over {directory_id}: some of its uploads failed"
            ));
            None
        };
        done.push(Group {
            directory_id,
            files,
            outcomes,
            batch,
        });
    }
    progress.finish();
    let timed_out = if args.no_wait {
        None
    } else {
        batch::wait_all(context, args.timeout, &mut done).await?
    };
    results::report(context, &done, timed_out)
}

/// Creates the ephemeral directory of group `k` of `groups`.
async fn create_directory(
    context: &mut Context,
    k: usize,
    groups: usize,
) -> Result<String, Failure> {
    let mut name = format!(
        "llamacloud batches run {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
    );
    if groups > 1 {
        name.push_str(&format!(" ({} of {groups})", k + 1));
    }
    let request = CreateDirectoryRequest {
        type_: Some(CreateDirectoryType::Ephemeral),
        ..CreateDirectoryRequest::new(name)
    };
    let directory = context
        .interrupt
        .race(
            context
                .client
                .directories()
                .create(&request, &Default::default()),
        )
        .await??;
    context
        .console
        .note(&format!("created directory {}", directory.id));
    Ok(directory.value.id)
}

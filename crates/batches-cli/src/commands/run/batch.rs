//! A run's batches: each created once (or found, on a rerun), then followed together.

use std::time::Duration;

use batches_client::{
    BatchConfig, CreateBatchRequest, CreateOptions, Error, GetBatchParams, JobConfig,
    ListBatchesParams, Response, WaitOptions,
};
use batches_types::Batch;
use futures_util::TryStreamExt;

use super::{Context, Group, LocalFile};
use crate::cli::RunArgs;
use crate::console::wait_status;
use crate::failure::Failure;

/// The first pause between two status checks; it doubles up to [`MAX_INTERVAL`].
const INTERVAL: Duration = Duration::from_millis(500);
/// The longest pause between two status checks.
const MAX_INTERVAL: Duration = Duration::from_secs(10);

/// The idempotency key of the batch over `directory_id` running the job of `args` on
/// `files`: the same directory, job and file set always give the same key, so a repeated
/// create returns the first batch.
pub fn idempotency_key(directory_id: &str, args: &RunArgs, files: &[LocalFile]) -> String {
    // NUL cannot occur in an id or a path, so different parts never join to the same text.
    let mut parts = vec![
        directory_id,
        args.job_type.as_str(),
        args.configuration_id.as_str(),
    ];
    let mut paths: Vec<&str> = files.iter().map(|file| file.shown.as_str()).collect();
    paths.sort_unstable();
    parts.extend(paths);
    format!(
        "llamacloud-run-{:016x}",
        batches_types::fingerprint(parts.join("\0"))
    )
}

/// The batch of the group over `directory_id`: with `look_first` (nothing was uploaded
/// now, so an earlier run may have created it), the newest batch over the directory that
/// runs this job; else, or when there is none, a new one.
pub async fn find_or_create(
    context: &mut Context,
    args: &RunArgs,
    directory_id: &str,
    files: &[LocalFile],
    look_first: bool,
) -> Result<Response<Batch>, Failure> {
    let config = BatchConfig::new(JobConfig::new(
        args.configuration_id.clone(),
        args.job_type.clone(),
    ));
    if look_first {
        let params = ListBatchesParams {
            source_directory_id: Some(directory_id.to_owned()),
            ..Default::default()
        };
        let same_job = |batch: &Batch| {
            batch.config.job.type_ == config.job.type_
                && batch.config.job.configuration_id == config.job.configuration_id
        };
        let found = context
            .interrupt
            .race(
                context
                    .client
                    .batches()
                    .stream(params)
                    .try_filter(|batch| std::future::ready(same_job(batch)))
                    .try_next(),
            )
            .await??;
        if let Some(batch) = found {
            context.console.note(&format!(
                "following batch {} over {directory_id}, created by an earlier run",
                batch.id
            ));
            let response = context
                .interrupt
                .race(context.client.batches().get(&batch.id, &Default::default()))
                .await??;
            return Ok(response);
        }
    }
    let request = CreateBatchRequest::new(directory_id, config);
    let options = CreateOptions {
        idempotency_key: Some(idempotency_key(directory_id, args, files)),
        ..Default::default()
    };
    let created = context
        .interrupt
        .race(context.client.batches().create(&request, &options))
        .await??;
    context.console.note(&format!(
        "created batch {} over {directory_id} ({} files)",
        created.id,
        files.len()
    ));
    Ok(created)
}

/// Follows every group's batch to its end (or `timeout`), with one live line each, and
/// keeps each as last seen, results included. Returns the first wait that timed out.
pub async fn wait_all(
    context: &mut Context,
    timeout: Option<Duration>,
    groups: &mut [Group<'_>],
) -> Result<Option<Error>, Failure> {
    let lines = context.console.batch_lines();
    let client = &context.client;
    let params = GetBatchParams {
        expand: Some(vec!["results".to_owned()]),
        ..Default::default()
    };
    let waits = groups
        .iter()
        .filter_map(|group| group.batch.as_ref())
        .map(|batch| {
            let line = lines.line(&batch.id);
            let shown = line.clone();
            let options = WaitOptions::new()
                .interval(INTERVAL)
                .max_interval(MAX_INTERVAL)
                .timeout(timeout)
                .params(params.clone())
                .on_poll(move |batch| shown.set_message(wait_status(batch)));
            let id = batch.id.clone();
            let params = params.clone();
            async move {
                let waited = client.batches().wait(&id, options).await;
                line.finish_and_clear();
                match waited {
                    Ok(batch) => Ok((batch, None)),
                    // The results so far, to show which files are done.
                    Err(error @ Error::WaitTimeout { .. }) => {
                        let batch = client.batches().get(&id, &params).await?;
                        Ok((batch, Some(error)))
                    }
                    Err(error) => Err(error),
                }
            }
        });
    let waited = context
        .interrupt
        .race(futures_util::future::try_join_all(waits))
        .await??;
    let mut timed_out = None;
    let with_batches = groups.iter_mut().filter(|group| group.batch.is_some());
    for (group, (batch, timeout)) in with_batches.zip(waited) {
        group.batch = Some(batch);
        timed_out = timed_out.or(timeout);
    }
    Ok(timed_out)
}

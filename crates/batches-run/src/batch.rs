//! A run's batches: each created once (or an earlier run's over exactly the same files
//! followed), then followed together, every file's result told as soon as it is known.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use batches_client::{
    BatchConfig, Client, CreateBatchRequest, CreateOptions, Error as ClientError, GetBatchParams,
    JobConfig, ListBatchesParams, Response, WaitOptions,
};
use batches_types::Batch;
use futures_util::TryStreamExt;

use crate::event::Event;
use crate::events::Events;
use crate::options::Options;
use crate::results;
use crate::upload::StoredFile;
use crate::walk::LocalFile;

/// The idempotency key of the batch over `directory_id` running the job of `options` on
/// `files`: the same directory, job and file set always give the same key, so a repeated
/// create returns the first batch.
pub fn idempotency_key(directory_id: &str, options: &Options, files: &[LocalFile]) -> String {
    // NUL cannot occur in an id or a path, so different parts never join to the same text.
    let mut parts = vec![
        directory_id,
        options.job_type.as_str(),
        options.configuration_id.as_str(),
    ];
    let mut paths: Vec<&str> = files.iter().map(|file| file.shown.as_str()).collect();
    paths.sort_unstable();
    parts.extend(paths);
    format!(
        "llamacloud-run-{:016x}",
        batches_types::fingerprint(parts.join("\0"))
    )
}

/// A list the create request carries only when it holds something.
fn non_empty<T: Clone>(items: &[T]) -> Option<Vec<T>> {
    (!items.is_empty()).then(|| items.to_vec())
}

/// The batch of a group whose files are all in `directory_id` (`stored`, in the order of
/// `files`), and whether an earlier run made it. With `look_first` (nothing was uploaded
/// now, so an earlier run may have created it), the newest batch over the directory that
/// runs this job is followed if it covers exactly these files; otherwise a new one is
/// created, under the idempotency key of this file set.
pub async fn find_or_create(
    client: &Client,
    options: &Options,
    directory_id: &str,
    files: &[LocalFile],
    stored: &[StoredFile],
    look_first: bool,
) -> Result<(Response<Batch>, bool), ClientError> {
    let config = BatchConfig::new(JobConfig::new(
        options.configuration_id.clone(),
        options.job_type.clone(),
    ));
    if look_first && let Some(found) = covering(client, &config, directory_id, stored).await? {
        return Ok((found, true));
    }
    let mut request = CreateBatchRequest::new(directory_id, config);
    request.webhook_configurations = non_empty(&options.webhook_configurations);
    request.webhook_configuration_ids = non_empty(&options.webhook_configuration_ids);
    let create = CreateOptions {
        idempotency_key: Some(idempotency_key(directory_id, options, files)),
        ..Default::default()
    };
    let created = client.batches().create(&request, &create).await?;
    Ok((created, false))
}

/// The newest batch over `directory_id` running the job of `config`, if it covers exactly
/// the files `stored`: once it has its results, every one of them is among them; before,
/// it was created after the last of them was uploaded (a batch runs over the files its
/// directory holds when it is created, and the server's clock orders both).
async fn covering(
    client: &Client,
    config: &BatchConfig,
    directory_id: &str,
    stored: &[StoredFile],
) -> Result<Option<Response<Batch>>, ClientError> {
    let params = ListBatchesParams {
        source_directory_id: Some(directory_id.to_owned()),
        ..Default::default()
    };
    let same_job = |batch: &Batch| {
        batch.config.job.type_ == config.job.type_
            && batch.config.job.configuration_id == config.job.configuration_id
    };
    let newest = client
        .batches()
        .stream(params)
        .try_filter(|batch| std::future::ready(same_job(batch)))
        .try_next()
        .await?;
    let Some(newest) = newest else {
        return Ok(None);
    };
    let expand = GetBatchParams {
        expand: Some(vec!["results".to_owned()]),
        ..Default::default()
    };
    let batch = client.batches().get(&newest.id, &expand).await?;
    let covers = if batch.status.is_terminal() {
        let mapped: HashSet<&str> = batch
            .results
            .iter()
            .flatten()
            .map(|result| result.source_directory_file_id.as_str())
            .collect();
        stored
            .iter()
            .all(|file| mapped.contains(file.file.id.as_str()))
    } else {
        let last_upload = stored.iter().filter_map(|file| file.file.created_at).max();
        match (batch.created_at, last_upload) {
            (Some(created), Some(last)) => created > last,
            _ => false,
        }
    };
    Ok(covers.then_some(batch))
}

/// A batch to follow, and which local file each of its directory files is.
pub struct Followed {
    /// The batch, as created or found.
    pub batch: Response<Batch>,
    /// Local path and directory of each of the run's directory files, by directory file id.
    pub files: Arc<HashMap<String, (String, String)>>,
}

/// The results of following batches: each as last seen, and the first wait that timed out.
pub struct Waited {
    /// The batches, in the order given.
    pub batches: Vec<Response<Batch>>,
    /// A wait that gave up.
    pub timed_out: Option<ClientError>,
}

/// Follows every batch to its end (or `options.timeout`), telling each change of status
/// or counts and each file's result as it appears; keeps each batch as last seen, results
/// included. `told` collects the paths whose result was told.
pub async fn wait_all(
    client: &Client,
    options: &Options,
    followed: &[Followed],
    events: &Events,
    told: &Arc<Mutex<HashSet<String>>>,
) -> Result<Waited, ClientError> {
    let params = GetBatchParams {
        expand: Some(vec!["results".to_owned()]),
        ..Default::default()
    };
    let waits = followed.iter().map(|followed| {
        let mut watch = Watch {
            events: events.clone(),
            files: Arc::clone(&followed.files),
            told: Arc::clone(told),
            last: None,
        };
        let wait = WaitOptions::new()
            .interval(options.poll_interval)
            .max_interval(options.max_poll_interval)
            .timeout(options.timeout)
            .params(params.clone())
            .on_poll(move |batch| watch.polled(batch));
        let id = followed.batch.id.clone();
        let params = params.clone();
        async move {
            match client.batches().wait(&id, wait).await {
                Ok(batch) => Ok((batch, None)),
                // The results so far, to show which files are done.
                Err(error @ ClientError::WaitTimeout { .. }) => {
                    let batch = client.batches().get(&id, &params).await?;
                    Ok((batch, Some(error)))
                }
                Err(error) => Err(error),
            }
        }
    });
    let waited = futures_util::future::try_join_all(waits).await?;
    let mut timed_out = None;
    let mut batches = Vec::new();
    for (batch, timeout) in waited {
        batches.push(batch);
        timed_out = timed_out.or(timeout);
    }
    Ok(Waited { batches, timed_out })
}

/// What one wait has told so far.
struct Watch {
    events: Events,
    files: Arc<HashMap<String, (String, String)>>,
    told: Arc<Mutex<HashSet<String>>>,
    /// The status and counts last told.
    last: Option<(String, usize, usize)>,
}

impl Watch {
    fn polled(&mut self, batch: &Batch) {
        let results = batch.results.as_deref().unwrap_or_default();
        let failed = results.iter().filter(|r| r.error_message.is_some()).count();
        let now = (batch.status.to_string(), results.len(), failed);
        if self.last.as_ref() != Some(&now) {
            self.events.send(Event::BatchStatusChanged {
                batch_id: batch.id.clone(),
                status: batch.status.clone(),
                mapped: results.len(),
                failed,
            });
            self.last = Some(now);
        }
        let mut told = self
            .told
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        for result in results {
            let Some((path, directory_id)) = self.files.get(&result.source_directory_file_id)
            else {
                continue;
            };
            if told.insert(path.clone()) {
                self.events.send(Event::FileResult(results::mapped(
                    path,
                    directory_id,
                    &batch.id,
                    result,
                )));
            }
        }
    }
}

//! A run: the plan's groups uploaded into their directories (made, or given), each
//! group's batch created once, the batches followed together, and every file's result
//! under its local path.
//!
//! Everything a rerun needs is on the server: the files of a directory (their unique id is
//! the local path), and its batch (created with an idempotency key derived from the
//! directory, the job and the file set, or found as an earlier run's over exactly these
//! files). So a run that stopped is finished by the same run with its directories given.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use batches_client::{Client, CreateDirectoryRequest, CreateDirectoryType, Error as ClientError};

use crate::batch::{self, Followed};
use crate::error::{Error, Resume};
use crate::event::Event;
use crate::events::Events;
use crate::export;
use crate::export::state::State;
use crate::export::writer::{WriteError, Writer};
use crate::handle::Handle;
use crate::pacing::Pacer;
use crate::plan::Plan;
use crate::report::{FileStatus, Report};
use crate::results::{self, Group};
use crate::upload::{StoredFile, Uploader};

/// A started run: its events, cancellation and [`Report`] (see [`Handle`]).
///
/// ```no_run
/// use batches_run::{Event, JobType, Options, Plan, Run};
///
/// # async fn example(client: batches_client::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let plan = Plan::new(Options::new(["invoices"], JobType::ExtractV2, "cfg-EXTRACT_INVOICE"))?;
/// let mut run = Run::start(client, plan);
/// while let Some(event) = run.next_event().await {
///     if let Event::BatchCreated { batch_id, .. } = event {
///         println!("created {batch_id}");
///     }
/// }
/// let report = run.finish().await?;
/// for file in &report.files {
///     println!("{} {}", file.path, file.status.as_str());
/// }
/// # Ok(()) }
/// ```
pub type Run = Handle<Report>;

impl Handle<Report> {
    /// Starts `plan` with `client`, in a task on the current Tokio runtime (it panics
    /// outside one). The plan's files are told first (`file_found`, `file_skipped`).
    pub fn start(client: Client, plan: Plan) -> Run {
        let directories = Arc::new(Mutex::new(Vec::new()));
        let made = Arc::clone(&directories);
        Handle::spawn(
            move |events| async move {
                if plan.options().out.is_some() && !plan.options().dry_run {
                    return export::run(client, plan, events, directories).await;
                }
                let run = Execution {
                    client,
                    plan,
                    events,
                    directories,
                    record: None,
                };
                run.execute().await
            },
            move || Resume {
                directory_ids: lock(&made).clone(),
            },
        )
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A run in progress.
pub(crate) struct Execution {
    pub client: Client,
    pub plan: Plan,
    pub events: Events,
    /// The directories of the groups so far, in group order.
    pub directories: Arc<Mutex<Vec<String>>>,
    /// With `out`: where each directory made is recorded before anything is uploaded
    /// into it.
    pub record: Option<(Arc<State>, Arc<Writer>)>,
}

/// Why the steps of a run stopped.
enum Stop {
    Client(ClientError),
    Output(WriteError),
    OtherFiles {
        directory_id: String,
        examples: Vec<String>,
        count: usize,
    },
}

impl From<ClientError> for Stop {
    fn from(error: ClientError) -> Stop {
        Stop::Client(error)
    }
}

impl Execution {
    pub async fn execute(self) -> Result<Report, Error> {
        self.tell_plan();
        let outcome = if self.plan.options().dry_run {
            Ok(results::planned(&self.plan))
        } else {
            self.steps().await
        };
        let resume = || Resume {
            directory_ids: lock(&self.directories).clone(),
        };
        match outcome {
            Ok(report) => {
                self.events.send(Event::RunFinished {
                    files: report.files.len(),
                    ok: report.count(FileStatus::Ok),
                    failed: report.count(FileStatus::Error),
                    pending: report.count(FileStatus::Pending),
                });
                Ok(report)
            }
            Err(Stop::Client(source)) => Err(Error::Client {
                source: Box::new(source),
                resume: resume(),
            }),
            Err(Stop::Output(error)) => Err(Error::Output {
                path: error.path,
                source: error.source,
                resume: resume(),
            }),
            Err(Stop::OtherFiles {
                directory_id,
                examples,
                count,
            }) => Err(Error::OtherFiles {
                directory_id,
                count,
                examples,
                resume: resume(),
            }),
        }
    }

    fn tell_plan(&self) {
        for group in self.plan.groups() {
            for file in self.plan.files_of(group) {
                self.events.send(Event::FileFound {
                    path: file.shown.clone(),
                    bytes: file.bytes,
                    group: group.index,
                });
            }
        }
        for skipped in self.plan.skipped() {
            self.events.send(Event::FileSkipped {
                path: skipped.path.clone(),
                reason: skipped.reason.clone(),
            });
        }
    }

    async fn steps(&self) -> Result<Report, Stop> {
        let options = self.plan.options();
        let uploader = Uploader::new(
            self.client.clone(),
            Arc::new(Pacer::new(options.upload_rate)),
            options.upload_concurrency,
            self.events.clone(),
        );
        // The directories given come first, in order; those made now are empty.
        let mut existing = Vec::new();
        for group in self.plan.groups() {
            let Some(directory_id) = &group.directory_id else {
                break;
            };
            let there = uploader.existing(directory_id).await?;
            let ours: HashSet<&str> = self
                .plan
                .files_of(group)
                .iter()
                .map(|file| file.shown.as_str())
                .collect();
            let mut others: Vec<String> = there
                .keys()
                .filter(|unique_id| !ours.contains(unique_id.as_str()))
                .cloned()
                .collect();
            if !others.is_empty() && !options.allow_other_files {
                others.sort();
                let count = others.len();
                others.truncate(3);
                return Err(Stop::OtherFiles {
                    directory_id: directory_id.clone(),
                    examples: others,
                    count,
                });
            }
            self.events.send(Event::DirectoryReused {
                group: group.index,
                directory_id: directory_id.clone(),
                present: there.len() - others.len(),
                other_files: others.len(),
            });
            lock(&self.directories).push(directory_id.clone());
            existing.push((there, others.len()));
        }
        let missing: Vec<_> =
            self.plan
                .groups()
                .iter()
                .flat_map(|group| {
                    let there = existing.get(group.index).map(|(there, _)| there);
                    self.plan.files_of(group).iter().filter(move |file| {
                        there.is_none_or(|there| !there.contains_key(&file.shown))
                    })
                })
                .collect();
        self.events.send(Event::UploadsPlanned {
            files: missing.len(),
            bytes: missing.iter().map(|file| file.bytes).sum(),
        });

        let mut existing = existing.into_iter();
        let mut groups = Vec::new();
        let mut followed = Vec::new();
        for group in self.plan.groups() {
            let files = self.plan.files_of(group);
            let (there, other_files) = existing.next().unwrap_or_default();
            let directory_id = match &group.directory_id {
                Some(id) => id.clone(),
                None => self.create_directory(group.index).await?,
            };
            let uploads = uploader.upload(&directory_id, files, &there).await;
            let uploaded_now = files.iter().any(|file| !there.contains_key(&file.shown));
            let stored: Vec<StoredFile> = uploads
                .iter()
                .filter_map(|u| u.as_ref().ok().cloned())
                .collect();
            let mut found = false;
            let batch = if stored.len() == files.len() {
                let (batch, was_found) = batch::find_or_create(
                    &self.client,
                    options,
                    &directory_id,
                    files,
                    &stored,
                    !uploaded_now,
                )
                .await?;
                found = was_found;
                self.events.send(if found {
                    Event::BatchFound {
                        group: group.index,
                        directory_id: directory_id.clone(),
                        batch_id: batch.id.clone(),
                    }
                } else {
                    Event::BatchCreated {
                        group: group.index,
                        directory_id: directory_id.clone(),
                        batch_id: batch.id.clone(),
                        files: files.len(),
                    }
                });
                let paths = files
                    .iter()
                    .zip(&stored)
                    .map(|(file, stored)| {
                        (
                            stored.file.id.clone(),
                            (file.shown.clone(), directory_id.clone()),
                        )
                    })
                    .collect::<HashMap<_, _>>();
                followed.push(Followed {
                    batch: batch.clone(),
                    files: Arc::new(paths),
                });
                Some(batch.value)
            } else {
                self.events.send(Event::BatchNotCreated {
                    group: group.index,
                    directory_id: directory_id.clone(),
                    failed: files.len() - stored.len(),
                });
                None
            };
            groups.push(Group {
                directory_id,
                files,
                uploads,
                batch,
                found,
                other_files,
            });
        }

        let told = Arc::new(Mutex::new(HashSet::new()));
        let mut timed_out = None;
        if options.wait && !followed.is_empty() {
            let waited =
                batch::wait_all(&self.client, options, &followed, &self.events, &told).await?;
            let mut last = waited.batches.into_iter();
            for group in groups.iter_mut().filter(|group| group.batch.is_some()) {
                group.batch = last.next().map(|batch| batch.value);
            }
            timed_out = waited.timed_out;
        }
        let report = results::report(&groups, timed_out, uploader.rate_limited());
        let told = lock(&told);
        for file in report
            .files
            .iter()
            .filter(|file| !told.contains(&file.path))
        {
            self.events.send(Event::FileResult(file.clone()));
        }
        Ok(report)
    }

    /// Makes the ephemeral directory of group `index`.
    async fn create_directory(&self, index: usize) -> Result<String, Stop> {
        let mut name = format!(
            "llamacloud batches run {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
        );
        let total = self.plan.groups().len();
        if total > 1 {
            name.push_str(&format!(" ({} of {total})", index + 1));
        }
        let request = CreateDirectoryRequest {
            type_: Some(CreateDirectoryType::Ephemeral),
            ..CreateDirectoryRequest::new(name)
        };
        let directory = self
            .client
            .directories()
            .create(&request, &Default::default())
            .await?;
        if let Some((state, writer)) = &self.record {
            state.add(writer, &directory.id).map_err(Stop::Output)?;
        }
        lock(&self.directories).push(directory.id.clone());
        self.events.send(Event::DirectoryCreated {
            group: index,
            directory_id: directory.id.clone(),
        });
        Ok(directory.value.id)
    }
}

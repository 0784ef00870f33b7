//! An upload of local files into one directory, on its own (not a run): the same pace,
//! concurrency, checks and events as a run's uploads.

use std::sync::Arc;

use batches_client::Client;

use crate::error::{Error, Resume};
use crate::event::Event;
use crate::handle::Handle;
use crate::options::UploadRate;
use crate::pacing::Pacer;
use crate::upload::{Outcome, Uploader};
use crate::walk::LocalFile;

/// A started upload into one directory: its events, cancellation and [`UploadReport`]
/// (see [`Handle`]). Files already in the directory under their path are not sent again,
/// so the same upload finishes one that stopped.
pub type Upload = Handle<UploadReport>;

/// What became of each file of an upload.
#[derive(Debug)]
pub struct UploadReport {
    /// The directory.
    pub directory_id: String,
    /// Each file, in the order given, and the directory file it is or why not.
    pub files: Vec<(LocalFile, Outcome)>,
    /// The 429s the uploads met.
    pub rate_limited: u64,
}

impl UploadReport {
    /// Files whose upload failed.
    pub fn failed(&self) -> usize {
        self.files
            .iter()
            .filter(|(_, outcome)| outcome.is_err())
            .count()
    }
}

impl Handle<UploadReport> {
    /// Starts uploading `files` into `directory_id`, `concurrency` at a time (1 to 64) at
    /// `rate`, in a task on the current Tokio runtime (it panics outside one).
    pub fn start(
        client: Client,
        directory_id: impl Into<String>,
        files: Vec<LocalFile>,
        concurrency: usize,
        rate: UploadRate,
    ) -> Upload {
        let directory_id = directory_id.into();
        let resume = Resume {
            directory_ids: vec![directory_id.clone()],
        };
        let on_cancel = resume.clone();
        Handle::spawn(
            move |events| async move {
                let uploader = Uploader::new(
                    client,
                    Arc::new(Pacer::new(rate)),
                    concurrency.clamp(1, 64),
                    events.clone(),
                );
                let existing =
                    uploader
                        .existing(&directory_id)
                        .await
                        .map_err(|source| Error::Client {
                            source: Box::new(source),
                            resume: resume.clone(),
                        })?;
                let missing: Vec<_> = files
                    .iter()
                    .filter(|file| !existing.contains_key(&file.shown))
                    .collect();
                events.send(Event::UploadsPlanned {
                    files: missing.len(),
                    bytes: missing.iter().map(|file| file.bytes).sum(),
                });
                let outcomes = uploader.upload(&directory_id, &files, &existing).await;
                Ok(UploadReport {
                    directory_id,
                    files: files.into_iter().zip(outcomes).collect(),
                    rate_limited: uploader.rate_limited(),
                })
            },
            move || on_cancel,
        )
    }
}

//! The directories a run with `out` uploads into, recorded in the output folder before
//! anything is uploaded into them, so that the same command after a crash finds the
//! files it sent there rather than sending them again.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::writer::{WriteError, Writer, at};

/// The state file's name: hidden, beside the manifest.
pub const STATE: &str = ".llamacloud-run.json";

/// One directory a run made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Made {
    /// The directory.
    pub directory_id: String,
    /// The job type of its run.
    pub job_type: String,
    /// The configuration id of its run.
    pub configuration_id: String,
}

/// The directories made by runs into one output folder.
#[derive(Debug)]
pub struct State {
    path: PathBuf,
    job: (String, String),
    made: Mutex<Vec<Made>>,
}

impl State {
    /// The state of `root`, for runs of `job_type` with `configuration_id`.
    pub fn read(root: &Path, job_type: &str, configuration_id: &str) -> Result<State, WriteError> {
        let path = root.join(STATE);
        let made = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return at(&path, Err(error)),
        };
        Ok(State {
            path,
            job: (job_type.to_owned(), configuration_id.to_owned()),
            made: Mutex::new(made),
        })
    }

    /// The directories earlier runs of the same job made, oldest first.
    pub fn directories(&self) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|made| made.job_type == self.job.0 && made.configuration_id == self.job.1)
            .map(|made| made.directory_id.clone())
            .collect()
    }

    /// Records `directory_id` (written whole and synced before it returns).
    pub fn add(&self, writer: &Writer, directory_id: &str) -> Result<(), WriteError> {
        let mut made = self.lock();
        made.push(Made {
            directory_id: directory_id.to_owned(),
            job_type: self.job.0.clone(),
            configuration_id: self.job.1.clone(),
        });
        let bytes = serde_json::to_vec_pretty(&*made).expect("the state encodes");
        let relative = self
            .path
            .strip_prefix(writer.root())
            .unwrap_or(Path::new(STATE));
        writer.write_durable(relative, &bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Made>> {
        self.made
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

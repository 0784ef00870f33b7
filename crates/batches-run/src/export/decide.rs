//! What a run with `out` does with each local file, decided before anything is sent: its
//! bytes hashed, matched against the manifest (skipped when done, its output fetched again
//! when only that is missing), and sent once per distinct content.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::manifest;
use super::names::Names;
use super::{RESERVED, Settings};
use crate::error::{Error, Resume};
use crate::plan::Plan;
use crate::report_html::ManifestLine;
use crate::walk::LocalFile;

/// What a run with `out` does with one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Uploaded and processed.
    Send,
    /// Not sent: `first` has the same bytes, and its output is copied.
    SameBytes {
        /// The path sent.
        first: String,
    },
    /// Skipped: an earlier run finished it (`job_status` COMPLETED or FAILED).
    AlreadyDone {
        /// How its job ended.
        job_status: String,
    },
    /// Not sent: an earlier run's job completed, and only its output is fetched again.
    FetchOutput {
        /// The job.
        job_id: String,
    },
}

/// One file of a [`Preview`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewFile {
    /// The local path.
    pub path: String,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// Its output, relative to the output folder.
    pub output: String,
    /// What the run does with it.
    #[serde(flatten)]
    pub action: Action,
}

/// What a run with `out` would do with each file, from the local files and the output
/// folder's manifest alone (nothing is sent or written): `--dry-run` with `--out`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    /// Every file of the plan, in path order.
    pub files: Vec<PreviewFile>,
}

impl Preview {
    /// Files with `action` of the kind of `matches`.
    pub fn count(&self, matches: impl Fn(&Action) -> bool) -> usize {
        self.files
            .iter()
            .filter(|file| matches(&file.action))
            .count()
    }
}

/// One local file and what is done with it.
pub(super) struct Item {
    pub file: LocalFile,
    pub sha256: Option<String>,
    pub output: PathBuf,
    pub action: Result<Action, String>,
    /// The manifest line an earlier run wrote for it, when skipped or fetched again.
    pub earlier: Option<ManifestLine>,
}

/// The SHA-256 of the file at `path`, lowercase hex.
fn sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// The name below the path given: the path relative to the folder given, or a file's
/// own name when it was given directly.
fn source_name(plan: &Plan, file: &LocalFile) -> String {
    for root in &plan.options().paths {
        if file.path == *root {
            return file
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.shown.clone());
        }
        if let Ok(below) = file.path.strip_prefix(root) {
            return below.to_string_lossy().into_owned();
        }
    }
    file.shown.clone()
}

/// Decides what happens to each file of `plan`, given the manifest `lines`.
pub(super) fn decide(
    plan: &Plan,
    names: &mut Names,
    root: &Path,
    lines: &[ManifestLine],
) -> Vec<Item> {
    let options = plan.options();
    let settings = settings_of(plan);
    let mut items: Vec<Item> = plan
        .files()
        .iter()
        .map(|file| {
            let (sha256, action) = match sha256(&file.path) {
                Ok(sha) => (Some(sha), Ok(Action::Send)),
                Err(error) => (None, Err(format!("cannot read {}: {error}", file.shown))),
            };
            Item {
                file: file.clone(),
                sha256,
                output: PathBuf::new(),
                action,
                earlier: None,
            }
        })
        .collect();
    // Outputs an earlier run wrote keep their names; the others get new ones after.
    let own = |item: &Item| {
        lines.iter().rev().find(|line| {
            line.path == item.file.shown
                && line.sha256 == item.sha256
                && settings.matches(line)
                && line.output.is_some()
        })
    };
    let mut named = vec![false; items.len()];
    for (index, item) in items.iter_mut().enumerate() {
        if let Some(output) = own(item).and_then(|line| line.output.clone())
            && names.claim(&output)
        {
            item.output = PathBuf::from(output);
            named[index] = true;
        }
    }
    for (index, item) in items.iter_mut().enumerate() {
        if !named[index] {
            item.output = names.give(&source_name(plan, &item.file), settings.form.suffix());
        }
    }
    let mut first_of: HashMap<String, String> = HashMap::new();
    for item in &mut items {
        let Some(sha) = item.sha256.clone() else {
            continue;
        };
        let finished = lines.iter().rev().find(|line| {
            line.sha256.as_deref() == Some(sha.as_str())
                && settings.matches(line)
                && line.finished()
        });
        let action = match finished {
            Some(line) if !options.reprocess => if !line.completed() {
                (!options.retry_failed).then(|| Action::AlreadyDone {
                    job_status: line.job_status.clone().unwrap_or_default(),
                })
            } else if own(item).is_some_and(|own| {
                own.completed()
                    && own
                        .output
                        .as_deref()
                        .is_some_and(|out| root.join(out).is_file())
            }) {
                Some(Action::AlreadyDone {
                    job_status: "COMPLETED".to_owned(),
                })
            } else {
                line.job_id
                    .clone()
                    .map(|job_id| Action::FetchOutput { job_id })
            }
            .inspect(|_| item.earlier = Some(line.clone())),
            _ => None,
        };
        item.action = Ok(match action {
            Some(action) => action,
            None => match first_of.get(&sha) {
                Some(first) => Action::SameBytes {
                    first: first.clone(),
                },
                None => {
                    first_of.insert(sha, item.file.shown.clone());
                    Action::Send
                }
            },
        });
    }
    items
}

/// What a run with `out` over `plan` would do (see [`Preview`]).
pub fn preview(plan: &Plan) -> Result<Preview, Error> {
    let options = plan.options();
    let Some(root) = &options.out else {
        return Ok(Preview { files: Vec::new() });
    };
    let lines = manifest::read(root).map_err(|source| Error::Output {
        path: root.join(crate::report_html::MANIFEST),
        source,
        resume: Resume::default(),
    })?;
    let items = decide(plan, &mut Names::reserving(&RESERVED), root, &lines);
    Ok(Preview {
        files: items
            .into_iter()
            .filter_map(|item| {
                Some(PreviewFile {
                    path: item.file.shown,
                    sha256: item.sha256?,
                    output: item.output.to_string_lossy().into_owned(),
                    action: item.action.ok()?,
                })
            })
            .collect(),
    })
}

pub(super) fn settings_of(plan: &Plan) -> Settings {
    let options = plan.options();
    Settings {
        job_type: options.job_type.as_str().to_owned(),
        configuration_id: options.configuration_id.clone(),
        form: options.form(),
    }
}

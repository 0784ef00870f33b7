//! Reading an export folder's `manifest.jsonl` and `summary.json`, tolerantly: the manifest
//! is appended to while a run goes on and may end in a torn line (a run killed mid-write),
//! and either file may come from a newer or older version of the tool.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::output_form::OutputForm;

/// The manifest's file name in an export folder.
pub const MANIFEST: &str = "manifest.jsonl";
/// The summary's file name in an export folder.
pub const SUMMARY: &str = "summary.json";

/// One line of `manifest.jsonl`: one file and what became of it, as an export writes it
/// and as a rerun and the report read it back. Reading is tolerant: keys this version
/// does not know are ignored, and every key but `path` may be missing or `null` (a line
/// without its job settings is never taken for a file done with the same settings).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManifestLine {
    /// The local path (a run), or the directory file's name (the export of a batch): the
    /// key of the line, a later line for the same path superseding an earlier one.
    pub path: String,
    /// The SHA-256 of its bytes, lowercase hex; null for the export of a batch (the bytes
    /// are not read).
    pub sha256: Option<String>,
    /// Its size.
    pub bytes: Option<u64>,
    /// Its directory file (`dfl-…`).
    pub directory_file_id: Option<String>,
    /// The batch that ran over it.
    pub batch_id: Option<String>,
    /// The job made for it.
    pub job_id: Option<String>,
    /// The job's status at its end (`COMPLETED`, `FAILED`, `CANCELLED`); null when it
    /// has no job.
    pub job_status: Option<String>,
    /// Why it has no output.
    pub error: Option<String>,
    /// The pages the job read: the `page_count` of the parse job (an extract job's own
    /// parse job, named by its `extract_metadata.parse_job_id`); null when the API does
    /// not say.
    pub pages: Option<u64>,
    /// The job's `usage.credits`.
    pub credits: Option<f64>,
    /// The output, relative to the output folder; null when there is none.
    pub output: Option<String>,
    /// When the line was written (RFC 3339, UTC).
    pub finished_at: Option<String>,
    /// The job type (`parse_v2`, `extract_v2`).
    pub job_type: String,
    /// The configuration id.
    pub configuration_id: String,
    /// The output form (`markdown`, `text`, `json`, `items`).
    pub output_form: Option<OutputForm>,
}

impl ManifestLine {
    /// Whether its job ended COMPLETED or FAILED (what a rerun with the same settings
    /// skips).
    pub fn finished(&self) -> bool {
        matches!(self.job_status.as_deref(), Some("COMPLETED" | "FAILED"))
    }

    /// Whether its job COMPLETED.
    pub fn completed(&self) -> bool {
        self.job_status.as_deref() == Some("COMPLETED")
    }
}

/// The files of a manifest, each path once (its last line), in the order paths first
/// appeared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    /// One entry per path.
    pub entries: Vec<ManifestLine>,
    /// The 1-based numbers of lines before the last that could not be read (the last line
    /// is expected to be torn after a kill and is dropped without a count).
    pub unreadable_lines: Vec<usize>,
}

impl Manifest {
    /// Reads manifest text: blank lines skipped, a torn last line dropped, later lines
    /// superseding earlier ones for the same path.
    pub fn parse(text: &str) -> Manifest {
        let mut manifest = Manifest::default();
        let mut positions: HashMap<String, usize> = HashMap::new();
        let lines: Vec<&str> = text.split('\n').collect();
        let last = lines.iter().rposition(|line| !line.trim().is_empty());
        for (index, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let entry = match serde_json::from_str::<ManifestLine>(line) {
                Ok(entry) if !entry.path.is_empty() => entry,
                _ => {
                    if Some(index) != last {
                        manifest.unreadable_lines.push(index + 1);
                    }
                    continue;
                }
            };
            match positions.get(&entry.path) {
                Some(&position) => manifest.entries[position] = entry,
                None => {
                    positions.insert(entry.path.clone(), manifest.entries.len());
                    manifest.entries.push(entry);
                }
            }
        }
        manifest
    }

    /// Reads `DIR/manifest.jsonl`; an error names the file.
    pub fn read(dir: &Path) -> io::Result<Manifest> {
        let path = dir.join(MANIFEST);
        let bytes = fs::read(&path).map_err(|error| named(&path, error))?;
        // A torn line may end inside a multi-byte character: read what is valid.
        Ok(Manifest::parse(&String::from_utf8_lossy(&bytes)))
    }
}

/// `summary.json`: the run's totals as the run counted them, under the export's keys
/// (`done`, `failed`, `skipped`, `pages`, `credits`, `seconds`). Every figure is
/// optional; a missing one is computed from the manifest where it can be.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Files with a completed job.
    pub files_done: Option<u64>,
    /// Files that failed (their job failed, or they got none).
    pub files_failed: Option<u64>,
    /// Files left alone because an earlier run had done them.
    pub files_skipped: Option<u64>,
    /// Pages processed.
    pub pages: Option<u64>,
    /// Credits charged.
    pub credits: Option<f64>,
    /// The run's wall time in seconds.
    pub seconds: Option<f64>,
}

impl Summary {
    /// Reads summary JSON; anything but an object reads as an empty summary, and a figure
    /// of the wrong type as missing.
    pub fn parse(text: &str) -> Summary {
        let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
            return Summary::default();
        };
        let count = |key: &str| object.get(key).and_then(Value::as_u64);
        let number = |key: &str| object.get(key).and_then(Value::as_f64);
        Summary {
            files_done: count("done"),
            files_failed: count("failed"),
            files_skipped: count("skipped"),
            pages: count("pages"),
            credits: number("credits"),
            seconds: number("seconds"),
        }
    }

    /// Reads `DIR/summary.json`, empty when there is none.
    pub fn read(dir: &Path) -> io::Result<Summary> {
        let path = dir.join(SUMMARY);
        match fs::read(&path) {
            Ok(bytes) => Ok(Summary::parse(&String::from_utf8_lossy(&bytes))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Summary::default()),
            Err(error) => Err(named(&path, error)),
        }
    }

    /// The summary with each missing figure computed from the manifest's entries (the time
    /// and the skipped files cannot be, and stay missing).
    pub fn completed_from(&self, entries: &[ManifestLine]) -> Summary {
        let done = entries.iter().filter(|entry| is_done(entry)).count();
        let failed = entries.iter().filter(|entry| is_failed(entry)).count();
        let pages = entries.iter().filter_map(|entry| entry.pages).sum();
        let credits = entries.iter().filter_map(|entry| entry.credits).sum();
        Summary {
            files_done: self.files_done.or(Some(done as u64)),
            files_failed: self.files_failed.or(Some(failed as u64)),
            files_skipped: self.files_skipped,
            pages: self.pages.or(Some(pages)),
            credits: self.credits.or(Some(credits)),
            seconds: self.seconds,
        }
    }
}

/// Whether a file's job completed.
fn is_done(entry: &ManifestLine) -> bool {
    entry.job_status.as_deref() == Some("COMPLETED") && entry.error.is_none()
}

/// Whether a file failed: an error, or a job that ended without completing.
fn is_failed(entry: &ManifestLine) -> bool {
    entry.error.is_some() || matches!(entry.job_status.as_deref(), Some("FAILED" | "CANCELLED"))
}

/// An I/O error that names the file it is about.
pub(super) fn named(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

//! Reading an export folder's `manifest.jsonl` and `summary.json`, tolerantly: the manifest
//! is appended to while a run goes on and may end in a torn line (a run killed mid-write),
//! and either file may come from a newer or older version of the tool.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// The manifest's file name in an export folder.
pub const MANIFEST: &str = "manifest.jsonl";
/// The summary's file name in an export folder.
pub const SUMMARY: &str = "summary.json";

/// One line of `manifest.jsonl`: one local file and what became of it. Keys this version
/// does not know are ignored; every key but `path` may be missing or `null`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ManifestEntry {
    /// The local path of the file, the key of the line: a later line for the same path
    /// supersedes an earlier one.
    pub path: String,
    /// The SHA-256 of the file's bytes, in hex.
    pub sha256: Option<String>,
    /// The file's size.
    pub bytes: Option<u64>,
    /// Its directory file (`dfl-…`).
    pub directory_file_id: Option<String>,
    /// The batch that ran over it.
    pub batch_id: Option<String>,
    /// The job made for it.
    pub job_id: Option<String>,
    /// The job's final status (`COMPLETED`, `FAILED`, …), `None` when it has no job.
    pub job_status: Option<String>,
    /// Why it has no result.
    pub error: Option<String>,
    /// Pages processed.
    pub pages: Option<u64>,
    /// Credits charged.
    pub credits: Option<f64>,
    /// The document written for it, relative to the export folder.
    pub output: Option<String>,
    /// When its result was recorded (RFC 3339).
    pub finished_at: Option<String>,
}

/// The files of a manifest, each path once (its last line), in the order paths first
/// appeared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    /// One entry per path.
    pub entries: Vec<ManifestEntry>,
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
            let entry = match serde_json::from_str::<ManifestEntry>(line) {
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
    pub fn completed_from(&self, entries: &[ManifestEntry]) -> Summary {
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
fn is_done(entry: &ManifestEntry) -> bool {
    entry.job_status.as_deref() == Some("COMPLETED") && entry.error.is_none()
}

/// Whether a file failed: an error, or a job that ended without completing.
fn is_failed(entry: &ManifestEntry) -> bool {
    entry.error.is_some() || matches!(entry.job_status.as_deref(), Some("FAILED" | "CANCELLED"))
}

/// An I/O error that names the file it is about.
pub(super) fn named(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

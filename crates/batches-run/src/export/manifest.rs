//! `manifest.jsonl`: one line per file exported, appended as each file ends and synced
//! before the run goes on to tell of more (the lines that end together share one sync),
//! read back by a rerun to skip what is done.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::writer::{WriteError, at, sync_folder};
use crate::output_form::OutputForm;
use crate::report_html::MANIFEST;

/// One file's line of the manifest. A rerun skips a file whose `sha256` and job settings
/// (`job_type`, `configuration_id`, `output_form`) match a line whose job finished
/// (`job_status` COMPLETED or FAILED).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestLine {
    /// The local path (`run`), or the directory file's name (`results`).
    pub path: String,
    /// The SHA-256 of its bytes, lowercase hex; null for `results` (the bytes are not
    /// read).
    pub sha256: Option<String>,
    /// Its size.
    pub bytes: Option<u64>,
    /// Its directory file.
    pub directory_file_id: Option<String>,
    /// Its batch.
    pub batch_id: Option<String>,
    /// Its job.
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
    pub finished_at: String,
    /// The job type (`parse_v2`, `extract_v2`).
    pub job_type: String,
    /// The configuration id.
    pub configuration_id: String,
    /// The output form (`markdown`, `text`, `json`, `items`).
    pub output_form: OutputForm,
}

impl ManifestLine {
    /// Whether its job ended COMPLETED or FAILED (what a rerun skips).
    pub fn finished(&self) -> bool {
        matches!(self.job_status.as_deref(), Some("COMPLETED" | "FAILED"))
    }

    /// Whether its job COMPLETED.
    pub fn completed(&self) -> bool {
        self.job_status.as_deref() == Some("COMPLETED")
    }
}

/// The manifest of an output folder, open for appending.
#[derive(Debug)]
pub struct Manifest {
    file: Arc<File>,
    path: std::path::PathBuf,
    /// Whether lines were appended since the last sync.
    unsynced: bool,
}

impl Manifest {
    /// Opens (or makes) the manifest of `root` and reads its lines. A last line cut short
    /// (a run killed while writing it) is dropped from the file, so that the next line
    /// starts on a line of its own; a line that is not a manifest line is left out.
    pub fn open(root: &Path) -> Result<(Manifest, Vec<ManifestLine>), WriteError> {
        let path = root.join(MANIFEST);
        let mut file = at(
            &path,
            OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(&path),
        )?;
        let mut lines = Vec::new();
        let mut whole = 0u64;
        let mut reader = BufReader::new(&file);
        let mut line = String::new();
        loop {
            line.clear();
            let read = at(&path, reader.read_line(&mut line))?;
            if read == 0 || !line.ends_with('\n') {
                break;
            }
            whole += read as u64;
            if let Ok(parsed) = serde_json::from_str(&line) {
                lines.push(parsed);
            }
        }
        drop(reader);
        if at(&path, file.seek(SeekFrom::End(0)))? != whole {
            at(&path, file.set_len(whole))?;
            at(&path, file.sync_all())?;
        }
        sync_folder(&path)?;
        let manifest = Manifest {
            file: Arc::new(file),
            path,
            unsynced: false,
        };
        Ok((manifest, lines))
    }

    /// Appends `line` whole, in one write: a process killed after it returns keeps it (it
    /// is the system's to write); [`sync`](Self::sync) makes it survive a crash of the
    /// system too.
    pub fn append(&mut self, line: &ManifestLine) -> Result<(), WriteError> {
        let mut text = serde_json::to_string(line).expect("a manifest line encodes");
        text.push('\n');
        at(&self.path, (&*self.file).write_all(text.as_bytes()))?;
        self.unsynced = true;
        Ok(())
    }

    /// What makes the lines appended so far durable, to be run off the async threads;
    /// `None` when there is nothing to sync. One sync covers every line appended before
    /// it, so the lines of the files that end while a sync runs share the next one.
    pub fn sync(&mut self) -> Option<impl FnOnce() -> Result<(), WriteError> + Send + 'static> {
        if !std::mem::take(&mut self.unsynced) {
            return None;
        }
        let (file, path) = (Arc::clone(&self.file), self.path.clone());
        Some(move || at(&path, file.sync_data()))
    }
}

/// Reads the manifest of `root` without changing it (empty when there is none).
pub fn read(root: &Path) -> io::Result<Vec<ManifestLine>> {
    let text = match fs::read_to_string(root.join(MANIFEST)) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    Ok(text
        .split_inclusive('\n')
        .filter(|line| line.ends_with('\n'))
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(path: &str) -> ManifestLine {
        ManifestLine {
            path: path.to_owned(),
            sha256: Some("ab".repeat(32)),
            bytes: Some(3),
            directory_file_id: Some("dfl-1".to_owned()),
            batch_id: Some("bat-1".to_owned()),
            job_id: Some("pjb-1".to_owned()),
            job_status: Some("COMPLETED".to_owned()),
            error: None,
            pages: Some(1),
            credits: Some(10.0),
            output: Some(format!("{path}.md")),
            finished_at: "2026-12-07T00:00:00Z".to_owned(),
            job_type: "parse_v2".to_owned(),
            configuration_id: "cfg-PARSE_AGENTIC".to_owned(),
            output_form: OutputForm::Markdown,
        }
    }

    #[test]
    fn a_line_cut_short_is_dropped_and_the_next_starts_on_its_own_line() {
        let folder = tempfile::tempdir().unwrap();
        let (mut manifest, lines) = Manifest::open(folder.path()).unwrap();
        assert!(lines.is_empty());
        manifest.append(&line("a")).unwrap();
        manifest.sync().expect("a line to sync")().unwrap();
        assert!(manifest.sync().is_none(), "nothing appended since");
        drop(manifest);
        let path = folder.path().join(MANIFEST);
        let mut text = fs::read_to_string(&path).unwrap();
        text.push_str(r#"{"path": "b", "sha2"#);
        fs::write(&path, text).unwrap();
        let (mut manifest, lines) = Manifest::open(folder.path()).unwrap();
        assert_eq!(lines, vec![line("a")]);
        manifest.append(&line("c")).unwrap();
        assert_eq!(read(folder.path()).unwrap(), vec![line("a"), line("c")]);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
    }

    #[test]
    fn reading_a_folder_without_a_manifest_gives_no_line_and_an_unreadable_one_an_error() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(read(folder.path()).unwrap(), Vec::new());
        fs::create_dir(folder.path().join(MANIFEST)).unwrap();
        assert!(read(folder.path()).is_err());
    }

    #[test]
    fn finished_means_completed_or_failed() {
        let mut failed = line("a");
        failed.job_status = Some("FAILED".to_owned());
        assert!(failed.finished() && !failed.completed());
        assert!(line("a").finished() && line("a").completed());
        failed.job_status = None;
        assert!(!failed.finished());
        failed.job_status = Some("CANCELLED".to_owned());
        assert!(!failed.finished());
    }
}

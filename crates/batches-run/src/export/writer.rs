//! Writing into the output folder so that no final name ever holds a part of a file: each
//! output goes to a hidden temporary name beside it (`.NAME.tmp-…`), is synced, then
//! renamed, and the folder synced; a rerun removes the temporary files a killed run left.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What marks a temporary name, after the name it stands for.
const TEMPORARY: &str = ".tmp-";

/// Writes into one output folder.
#[derive(Debug)]
pub struct Writer {
    root: PathBuf,
    next: AtomicU64,
}

/// A write that failed: the path and why.
#[derive(Debug)]
pub struct WriteError {
    /// The path it was writing.
    pub path: PathBuf,
    /// Why.
    pub source: io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.source)
    }
}

/// `result`, its error naming `path`.
pub fn at<T>(path: &Path, result: io::Result<T>) -> Result<T, WriteError> {
    result.map_err(|source| WriteError {
        path: path.to_owned(),
        source,
    })
}

impl Writer {
    /// Writes into `root`, made if missing.
    pub fn new(root: &Path) -> Result<Writer, WriteError> {
        at(root, fs::create_dir_all(root))?;
        Ok(Writer {
            root: root.to_owned(),
            next: AtomicU64::new(0),
        })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the output `relative` goes.
    pub fn path(&self, relative: &Path) -> PathBuf {
        self.root.join(relative)
    }

    /// A new temporary name beside the output `relative` (its folder made): hidden, and
    /// unique to this process and call.
    pub fn temporary(&self, relative: &Path) -> Result<PathBuf, WriteError> {
        let path = self.path(relative);
        let parent = path.parent().unwrap_or(&self.root);
        at(parent, fs::create_dir_all(parent))?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let unique = format!(
            "{:x}{:x}",
            std::process::id(),
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        Ok(parent.join(format!(".{name}{TEMPORARY}{unique}")))
    }

    /// Makes the written temporary file `temporary` the output `relative`: synced, then
    /// renamed, so the name never holds a part of it, even after a power loss. The folder
    /// is not synced: a rename a crash loses leaves the output missing, and a rerun fetches
    /// the outputs missing (it checks the folder, not only the manifest). On failure the
    /// temporary file is removed.
    pub fn commit(&self, temporary: &Path, relative: &Path) -> Result<(), WriteError> {
        let path = self.path(relative);
        let done = at(
            temporary,
            File::open(temporary).and_then(|file| file.sync_all()),
        )
        .and_then(|()| at(&path, fs::rename(temporary, &path)));
        if done.is_err() {
            let _ = fs::remove_file(temporary);
        }
        done
    }

    /// Replaces the file `relative` with `bytes` by a rename, so that a reader sees the
    /// old or the new file whole, without syncing: for a file rewritten after every
    /// output (`summary.json`), whose durable record is the manifest.
    pub fn replace(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let temporary = self.temporary(relative)?;
        let path = self.path(relative);
        let replaced = at(&temporary, fs::write(&temporary, bytes))
            .and_then(|()| at(&path, fs::rename(&temporary, &path)));
        if replaced.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        replaced
    }

    /// Writes `bytes` as the output `relative`, whole or not at all.
    pub fn write(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let temporary = self.temporary(relative)?;
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
            .and_then(|mut file| file.write_all(bytes));
        if let Err(source) = written {
            let _ = fs::remove_file(&temporary);
            return Err(WriteError {
                path: temporary,
                source,
            });
        }
        self.commit(&temporary, relative)
    }

    /// [`write`](Self::write), the folder synced too: for what must survive a crash
    /// before the run goes on (the directories a run made).
    pub fn write_durable(&self, relative: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        self.write(relative, bytes)?;
        sync_folder(&self.path(relative))
    }

    /// Removes the temporary files a stopped run left anywhere in the folder; returns
    /// how many.
    pub fn remove_stale(&self) -> Result<usize, WriteError> {
        let mut removed = 0;
        let mut folders = vec![self.root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in at(&folder, fs::read_dir(&folder))? {
                let entry = at(&folder, entry)?;
                let kind = at(&entry.path(), entry.file_type())?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if kind.is_dir() {
                    folders.push(entry.path());
                } else if kind.is_file() && name.starts_with('.') && name.contains(TEMPORARY) {
                    at(&entry.path(), fs::remove_file(entry.path()))?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// Syncs the folder holding `path`, so that a rename into it survives a crash.
pub fn sync_folder(path: &Path) -> Result<(), WriteError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    // Folders cannot be opened for syncing everywhere (Windows); there a rename is
    // as durable as the file system makes it.
    if cfg!(unix) {
        at(
            parent,
            File::open(parent).and_then(|folder| folder.sync_all()),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_is_whole_and_stale_temporary_files_are_removed() {
        let folder = tempfile::tempdir().unwrap();
        let writer = Writer::new(folder.path()).unwrap();
        writer.write(Path::new("a/b.md"), b"# B").unwrap();
        assert_eq!(fs::read(folder.path().join("a/b.md")).unwrap(), b"# B");
        let stale = writer.temporary(Path::new("a/c.md")).unwrap();
        fs::write(&stale, b"half").unwrap();
        fs::write(folder.path().join("a/.keep"), b"not ours").unwrap();
        assert!(
            stale
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".c.md.tmp-")
        );
        assert_eq!(writer.remove_stale().unwrap(), 1);
        assert!(!stale.exists());
        assert!(folder.path().join("a/.keep").exists());
        let names: Vec<_> = fs::read_dir(folder.path().join("a"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_failed_write_leaves_nothing_under_the_final_name() {
        let folder = tempfile::tempdir().unwrap();
        let writer = Writer::new(folder.path()).unwrap();
        // A folder where the output's folder should be: the temporary file cannot be made.
        fs::write(folder.path().join("blocked"), b"a file").unwrap();
        let error = writer.write(Path::new("blocked/x.md"), b"x").unwrap_err();
        assert!(error.to_string().contains("blocked"), "{error}");
        assert!(!folder.path().join("blocked/x.md").exists());
    }
}

//! Finding the files to upload: the paths given, folders walked (hidden files and what
//! `.gitignore` or `.ignore` leave out skipped), narrowed by `include` and `exclude`, each
//! real file once, and every one checked without opening anything that is not a regular
//! file, so that a problem stops the run while nothing exists that a rerun would have to
//! finish.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;
use serde::Serialize;

use crate::error::{PathProblem, PlanError};

/// A local file to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalFile {
    /// Its path, as found from a path given.
    #[serde(skip)]
    pub path: PathBuf,
    /// The same path as text (bytes that are not UTF-8 never get here): how results name
    /// it, and its unique id in its directory (so two files with the same bytes at
    /// different paths are both kept).
    #[serde(rename = "path")]
    pub shown: String,
    /// Its size in bytes when it was found.
    pub bytes: u64,
}

/// A file found and left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The path, as found.
    pub path: String,
    /// Why it is left out.
    pub reason: SkipReason,
}

/// Why a file found is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// `include` does not match it, or `exclude` does.
    Filtered,
    /// It is the same file as one found before (the same folder given twice, or a link).
    SameFileAs {
        /// The path it was found at first.
        first: String,
    },
    /// A symbolic link that leads out of the folder given (`follow_links` follows it).
    LinkOutOfFolder {
        /// Where it leads.
        target: String,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Filtered => f.write_str("left out by include or exclude"),
            SkipReason::SameFileAs { first } => write!(f, "the same file as {first}"),
            SkipReason::LinkOutOfFolder { target } => write!(
                f,
                "a symbolic link out of the folder given (to {target}), not followed"
            ),
        }
    }
}

/// What a walk found: the files kept, sorted by path, and those left out.
#[derive(Debug, Default)]
pub struct Found {
    /// The files to upload.
    pub files: Vec<LocalFile>,
    /// The files left out.
    pub skipped: Vec<Skipped>,
}

/// `include` and `exclude`, compiled.
#[derive(Clone)]
struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Filter {
    /// Compiles the globs; a bad one is an error naming it.
    fn new(include: &[String], exclude: &[String]) -> Result<Filter, PlanError> {
        let set = |globs: &[String], option: &'static str| -> Result<GlobSet, PlanError> {
            let bad = |glob: &str, error: globset::Error| PlanError::BadGlob {
                option,
                glob: glob.to_owned(),
                reason: error.kind().to_string(),
            };
            let mut set = GlobSetBuilder::new();
            for glob in globs {
                set.add(compile(glob).map_err(|error| bad(glob, error))?);
            }
            set.build().map_err(|error| bad("", error))
        };
        Ok(Filter {
            include: (!include.is_empty())
                .then(|| set(include, "include"))
                .transpose()?,
            exclude: set(exclude, "exclude")?,
        })
    }

    /// Whether a folder at `relative` is walked: not when `exclude` names it, so that what
    /// is below it (a symlink loop, unreadable folders) is no problem either.
    fn enters(&self, relative: &Path) -> bool {
        !self.exclude.is_match(relative)
    }

    /// Whether a file at `relative` (below the path given) is kept.
    fn keeps(&self, relative: &Path) -> bool {
        let included = self
            .include
            .as_ref()
            .is_none_or(|include| include.is_match(relative));
        included && !self.exclude.is_match(relative)
    }
}

/// A glob as `.gitignore` reads one: without `/` it matches a file name at any depth; with
/// one, the path from the root (`*` stays within a folder, `**` crosses folders).
fn compile(glob: &str) -> Result<Glob, globset::Error> {
    let anchored = glob.trim_start_matches("./").trim_start_matches('/');
    let pattern = if anchored.contains('/') {
        anchored.to_owned()
    } else {
        format!("**/{anchored}")
    };
    GlobBuilder::new(&pattern).literal_separator(true).build()
}

/// Which local files to upload: the part of [`Options`](crate::Options) that finds them,
/// on its own for uploads that are not runs.
///
/// ```
/// use batches_run::Selection;
///
/// let folder = tempfile::tempdir()?;
/// std::fs::write(folder.path().join("a.md"), "# A")?;
/// std::fs::write(folder.path().join("b.csv"), "x,y")?;
/// let mut selection = Selection::new([folder.path()]);
/// selection.include.push("*.md".into());
/// let found = selection.find()?;
/// assert_eq!(found.files.len(), 1);
/// assert_eq!(found.skipped.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Only files matching one of these globs.
    pub include: Vec<String>,
    /// Leave out files and folders matching one of these globs.
    pub exclude: Vec<String>,
    /// Follow symbolic links that lead out of the folder given.
    pub follow_links: bool,
    /// Files larger than this are refused.
    pub max_file_bytes: u64,
}

impl Selection {
    /// `paths`, nothing filtered, links out of the folders not followed, the default size
    /// limit.
    pub fn new<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Selection {
        Selection {
            paths: paths.into_iter().map(Into::into).collect(),
            include: Vec::new(),
            exclude: Vec::new(),
            follow_links: false,
            max_file_bytes: crate::limits::DEFAULT_MAX_FILE_BYTES,
        }
    }

    /// The files selected, each real file once (the first path it is found at), sorted by
    /// path, and those left out. Every problem found is collected, and any makes this an
    /// error listing them all; no file at all is an error too.
    pub fn find(&self) -> Result<Found, PlanError> {
        let filter = Filter::new(&self.include, &self.exclude)?;
        let found = find(&self.paths, &filter, self)?;
        if found.files.is_empty() {
            return Err(PlanError::NoFiles);
        }
        Ok(found)
    }
}

fn find(paths: &[PathBuf], filter: &Filter, rules: &Selection) -> Result<Found, PlanError> {
    let mut kept: HashMap<PathBuf, LocalFile> = HashMap::new();
    let mut found = Found::default();
    let mut problems = Vec::new();
    let mut candidates = Vec::new();
    for root in paths {
        let real_root = fs::canonicalize(root).ok();
        let links_out = Arc::new(Mutex::new(Vec::new()));
        let mut walk = WalkBuilder::new(root);
        walk.hidden(true)
            .ignore(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .parents(true)
            .require_git(false)
            .follow_links(true);
        let (folders, below, follow, skipped) = (
            filter.clone(),
            root.clone(),
            rules.follow_links,
            Arc::clone(&links_out),
        );
        walk.filter_entry(move |entry| {
            if entry.path_is_symlink()
                && !follow
                && let Some(target) = link_out_of(real_root.as_deref(), entry.path())
            {
                let mut skipped = skipped.lock().unwrap_or_else(|poison| poison.into_inner());
                skipped.push(Skipped {
                    path: shown(entry.path()),
                    reason: SkipReason::LinkOutOfFolder {
                        target: shown(&target),
                    },
                });
                return false;
            }
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            !is_dir || folders.enters(relative(&below, entry.path()))
        });
        for entry in walk.build() {
            let entry = match entry {
                Ok(entry) => entry,
                // A problem with a path `exclude` leaves out is none.
                Err(error)
                    if error_path(&error)
                        .is_some_and(|path| !filter.enters(relative(root, path))) =>
                {
                    continue;
                }
                Err(error) => {
                    problems.push(problem(&error));
                    continue;
                }
            };
            if entry.file_type().is_some_and(|kind| kind.is_dir()) {
                continue;
            }
            let path = entry.path();
            if !filter.keeps(relative(root, path)) {
                found.skipped.push(Skipped {
                    path: shown(path),
                    reason: SkipReason::Filtered,
                });
                continue;
            }
            match check(path, rules.max_file_bytes) {
                Ok(checked) => candidates.push(checked),
                Err(reason) => problems.push(PathProblem {
                    path: shown(path),
                    reason,
                }),
            }
        }
        // Within a root in path order, and the roots in the order given, so the path kept
        // for a file found twice does not depend on the order of the walk.
        candidates.sort_by(|(a, _), (b, _)| a.shown.cmp(&b.shown));
        for (file, real) in candidates.drain(..) {
            match kept.get(&real) {
                Some(first) if first.shown != file.shown => found.skipped.push(Skipped {
                    path: file.shown,
                    reason: SkipReason::SameFileAs {
                        first: first.shown.clone(),
                    },
                }),
                Some(_) => {}
                None => {
                    kept.insert(real, file);
                }
            }
        }
        let mut links_out = links_out
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        found.skipped.append(&mut links_out);
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.reason.cmp(&b.reason)));
        problems.dedup();
        return Err(PlanError::Paths(problems));
    }
    found.files = kept.into_values().collect();
    found.files.sort_by(|a, b| a.shown.cmp(&b.shown));
    found.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Where a symbolic link leads, when that is outside `root` (a link that leads nowhere is
/// left to the walk, which names it).
fn link_out_of(root: Option<&Path>, link: &Path) -> Option<PathBuf> {
    let root = root?;
    let target = fs::canonicalize(link).ok()?;
    (!target.starts_with(root)).then_some(target)
}

/// A path found under `root`, relative to it; a root that is itself a file is its name.
fn relative<'p>(root: &Path, path: &'p Path) -> &'p Path {
    match path.strip_prefix(root) {
        Ok(below) if !below.as_os_str().is_empty() => below,
        _ => Path::new(path.file_name().unwrap_or(path.as_os_str())),
    }
}

/// A file found, checked: a regular file (checked before it is opened, since opening a
/// FIFO blocks), no larger than `max_bytes`, with a UTF-8 name free of control characters
/// (a multipart header cannot carry them), that can be opened for reading. Returns it and
/// its real location.
fn check(path: &Path, max_bytes: u64) -> Result<(LocalFile, PathBuf), String> {
    let Some(text) = path.to_str() else {
        return Err("the path is not valid UTF-8".to_owned());
    };
    let metadata = fs::metadata(path).map_err(|error| format!("cannot read it: {error}"))?;
    if !metadata.is_file() {
        return Err(format!(
            "not a regular file (a {}); only regular files can be uploaded",
            kind(&metadata.file_type())
        ));
    }
    if let Some(control) = text.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the path holds a control character (U+{:04X}), which an upload cannot name; \
             rename the file",
            u32::from(control)
        ));
    }
    if metadata.len() > max_bytes {
        return Err(format!(
            "{} bytes, over the {} an upload may hold",
            metadata.len(),
            size(max_bytes)
        ));
    }
    fs::File::open(path).map_err(|error| format!("cannot read it: {error}"))?;
    let real = fs::canonicalize(path).map_err(|error| format!("cannot read it: {error}"))?;
    let file = LocalFile {
        path: path.to_owned(),
        shown: text.to_owned(),
        bytes: metadata.len(),
    };
    Ok((file, real))
}

/// A byte count as people read a limit: `64 MiB`.
pub fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file that is not a regular file is.
fn kind(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "device";
        }
    }
    if file_type.is_dir() {
        "folder"
    } else {
        "special file"
    }
}

/// The path a walk error is about.
fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// A walk error as a problem with a path.
fn problem(error: &ignore::Error) -> PathProblem {
    match error {
        ignore::Error::WithPath { path, err } => PathProblem {
            path: shown(path),
            reason: cause(err),
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            problem(err)
        }
        ignore::Error::Loop { ancestor, child } => PathProblem {
            path: shown(child),
            reason: format!("a symlink loop (it leads back to {})", shown(ancestor)),
        },
        other => PathProblem {
            path: String::new(),
            reason: other.to_string(),
        },
    }
}

/// What went wrong, without the path a `WithPath` already gave.
fn cause(error: &ignore::Error) -> String {
    match error {
        ignore::Error::Io(error) if error.kind() == std::io::ErrorKind::NotFound => {
            "no such file or directory (it may have been removed)".to_owned()
        }
        ignore::Error::Io(error) => format!("cannot read it: {error}"),
        other => {
            let inner = problem(other);
            if inner.path.is_empty() {
                inner.reason
            } else {
                format!("{}: {}", inner.path, inner.reason)
            }
        }
    }
}

/// A path as text, bytes that are not UTF-8 written `\xNN`, so an error names the path
/// exactly.
pub fn shown(path: &Path) -> String {
    let mut text = String::new();
    for chunk in path.as_os_str().as_encoded_bytes().utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02X}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_without_a_slash_match_names_at_any_depth() {
        let filter = Filter::new(&["*.pdf".into()], &["drafts/**".into()]).unwrap();
        assert!(filter.keeps(Path::new("a.pdf")));
        assert!(filter.keeps(Path::new("2024/q1/a.pdf")));
        assert!(!filter.keeps(Path::new("a.md")));
        assert!(!filter.keeps(Path::new("drafts/a.pdf")));
        assert!(
            filter.keeps(Path::new("final/drafts/a.pdf")),
            "anchored at the root"
        );
        let filter = Filter::new(&["reports/*.csv".into()], &[]).unwrap();
        assert!(filter.keeps(Path::new("reports/q1.csv")));
        assert!(
            !filter.keeps(Path::new("reports/2024/q1.csv")),
            "* stays in a folder"
        );
        let error = Filter::new(&[], &["a[".into()]).err().unwrap();
        assert!(
            error.to_string().starts_with("exclude `a[`: not a glob"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn paths_that_are_not_utf8_are_shown_exactly() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"docs/caf\xe9.pdf"));
        assert_eq!(shown(path), "docs/caf\\xE9.pdf");
    }

    #[test]
    fn sizes_read_as_a_limit() {
        assert_eq!(size(64 * 1024 * 1024), "64 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}

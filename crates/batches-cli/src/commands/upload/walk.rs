//! Finding the files to upload: the paths given, folders walked (hidden files and what
//! `.gitignore` or `.ignore` leave out skipped), narrowed by `--include` and `--exclude`,
//! and checked before anything is sent, so that a problem stops the command while nothing
//! exists that a rerun would have to finish.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::failure::Failure;

/// A local file to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Its path, as found from a path given on the command line.
    pub path: PathBuf,
    /// The same path as text: how results name it, and the file's unique id in its
    /// directory (so two files with the same bytes at different paths are both kept).
    pub shown: String,
    /// Its file name, which tells the server its type.
    pub name: String,
    /// Its size in bytes when it was found.
    pub size: u64,
}

/// `--include` and `--exclude`.
#[derive(Clone)]
pub struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Filter {
    /// Compiles the globs; a bad one is a usage error naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, Failure> {
        let set = |globs: &[String], flag: &str| -> Result<GlobSet, Failure> {
            let mut set = GlobSetBuilder::new();
            for glob in globs {
                set.add(compile(glob).map_err(|error| {
                    Failure::usage(format!("{flag} {glob}: not a glob ({error})"))
                })?);
            }
            set.build()
                .map_err(|error| Failure::usage(format!("{flag}: {error}")))
        };
        Ok(Filter {
            include: (!include.is_empty())
                .then(|| set(include, "--include"))
                .transpose()?,
            exclude: set(exclude, "--exclude")?,
        })
    }

    /// Whether a folder at `relative` is walked: not when `--exclude` names it, so that
    /// what is below it (a symlink loop, unreadable folders) is no problem either.
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

/// The files under `paths` that `filter` keeps, each once, sorted by path. Every file is
/// opened to check it can be read; every problem found (a path that does not exist, a file
/// that cannot be read, a symlink loop, a path that is not UTF-8, something that is not a
/// regular file) is collected, and any makes this a usage error listing them all.
pub fn find(paths: &[PathBuf], filter: &Filter) -> Result<Vec<LocalFile>, Failure> {
    let mut found = BTreeMap::new();
    let mut problems = Vec::new();
    for root in paths {
        let mut walk = WalkBuilder::new(root);
        walk.hidden(true)
            .ignore(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .parents(true)
            .require_git(false)
            .follow_links(true);
        let (folders, below) = (filter.clone(), root.clone());
        walk.filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            !is_dir || folders.enters(relative(&below, entry.path()))
        });
        for entry in walk.build() {
            let entry = match entry {
                Ok(entry) => entry,
                // A problem with a path `--exclude` leaves out is none.
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
                continue;
            }
            match check(path) {
                Ok(file) => {
                    found.insert(file.shown.clone(), file);
                }
                Err(message) => problems.push(format!("{}: {message}", shown(path))),
            }
        }
    }
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Err(Failure::Usage {
            message: format!(
                "{} cannot be uploaded; nothing was sent:\n  {}",
                match problems.len() {
                    1 => "a path".to_owned(),
                    n => format!("{n} paths"),
                },
                problems.join("\n  ")
            ),
            hint: Some("fix or remove them, or leave them out with --exclude GLOB".to_owned()),
        });
    }
    Ok(found.into_values().collect())
}

/// A path found under `root`, relative to it; a root that is itself a file is its name.
fn relative<'p>(root: &Path, path: &'p Path) -> &'p Path {
    match path.strip_prefix(root) {
        Ok(below) if !below.as_os_str().is_empty() => below,
        _ => Path::new(path.file_name().unwrap_or(path.as_os_str())),
    }
}

/// A file found, checked: a regular file with a UTF-8 path that can be opened for reading.
fn check(path: &Path) -> Result<LocalFile, String> {
    let Some(text) = path.to_str() else {
        return Err("the path is not valid UTF-8".to_owned());
    };
    let file = File::open(path).map_err(|error| format!("cannot read it: {error}"))?;
    let metadata = file
        .metadata()
        .map_err(|error| format!("cannot read it: {error}"))?;
    if !metadata.is_file() {
        return Err("not a regular file".to_owned());
    }
    Ok(LocalFile {
        path: path.to_owned(),
        shown: text.to_owned(),
        name: path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or(text)
            .to_owned(),
        size: metadata.len(),
    })
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

/// A walk error as `path: problem`.
fn problem(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { path, err } => format!("{}: {}", shown(path), cause(err)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            problem(err)
        }
        ignore::Error::Loop { ancestor, child } => format!(
            "{}: a symlink loop (it leads back to {})",
            shown(child),
            shown(ancestor)
        ),
        other => other.to_string(),
    }
}

/// What went wrong, without the path a `WithPath` already gave.
fn cause(error: &ignore::Error) -> String {
    match error {
        ignore::Error::Io(error) if error.kind() == std::io::ErrorKind::NotFound => {
            "no such file or directory (it may have been removed)".to_owned()
        }
        ignore::Error::Io(error) => format!("cannot read it: {error}"),
        other => problem(other),
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
            matches!(error, Failure::Usage { message, .. } if message.starts_with("--exclude a[: not a glob"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn paths_that_are_not_utf8_are_shown_exactly() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"docs/caf\xe9.pdf"));
        assert_eq!(shown(path), "docs/caf\\xE9.pdf");
    }
}

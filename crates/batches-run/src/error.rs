//! Why a run did not start ([`PlanError`]) or did not finish ([`Error`]), and what a
//! rerun needs ([`Resume`]).

use serde::Serialize;

use crate::limits::MAX_BATCH_FILES;

/// A problem with one local path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathProblem {
    /// The path, as found (bytes that are not UTF-8 written `\xNN`).
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Why a run cannot start; found before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// An option has a value outside what it accepts.
    #[error("{option}: {message}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// What is wrong, naming the accepted values.
        message: String,
    },
    /// An `include` or `exclude` glob does not compile.
    #[error("{option} `{glob}`: not a glob ({reason})")]
    BadGlob {
        /// `include` or `exclude`.
        option: &'static str,
        /// The glob.
        glob: String,
        /// Why not.
        reason: String,
    },
    /// The paths hold no file to upload.
    #[error(
        "no files to upload: the paths given hold none that are not hidden, ignored \
         (.gitignore, .ignore) or filtered out (include, exclude)"
    )]
    NoFiles,
    /// More files than one batch covers, and `split` was not asked for.
    #[error("{count} files found; a batch covers at most 1,000 files")]
    TooManyFiles {
        /// The files found.
        count: usize,
        /// The batches `split` would make.
        batches: usize,
    },
    /// More directories given than the files make groups.
    #[error(
        "{given} directory ids given, but the {files} files make {groups} director{}",
        if *groups == 1 { "y" } else { "ies" }
    )]
    TooManyDirectoryIds {
        /// Directory ids given.
        given: usize,
        /// Files found.
        files: usize,
        /// Groups of at most 1,000 they make.
        groups: usize,
    },
    /// Paths that cannot be uploaded, all of them.
    #[error(
        "{} cannot be uploaded; nothing was sent:\n  {}",
        match .0.len() { 1 => "a path".to_owned(), n => format!("{n} paths") },
        .0.iter().map(|p| format!("{}: {}", p.path, p.reason)).collect::<Vec<_>>().join("\n  ")
    )]
    Paths(Vec<PathProblem>),
}

impl PlanError {
    /// The groups `count` files make.
    pub(crate) fn groups(count: usize) -> usize {
        count.div_ceil(MAX_BATCH_FILES)
    }
}

/// What a rerun needs to finish a run that stopped: the directories it uploaded into, in
/// order. Run again with them as `directory_ids` (the CLI's `--directory-id`): files
/// already uploaded are not sent again, and each batch is created once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resume {
    /// The directories of the run so far; empty when nothing was made yet (then the same
    /// run, as it was, starts over).
    pub directory_ids: Vec<String>,
}

/// Why a run stopped before its report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The run could not start (nothing was sent).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A directory given holds files that are not among the paths given: a batch runs
    /// over every file of its directory, so they would be processed (and billed) too.
    #[error(
        "directory {directory_id} holds {count} file{} that {} not among the paths given; a \
         batch runs over every file of its directory, so {} would be processed too",
        if *count == 1 { "" } else { "s" },
        if *count == 1 { "is" } else { "are" },
        if *count == 1 { "it" } else { "they" }
    )]
    OtherFiles {
        /// The directory.
        directory_id: String,
        /// Files in it that the run does not have.
        count: usize,
        /// Some of their unique ids, for the message.
        examples: Vec<String>,
        /// What a rerun needs.
        resume: Resume,
    },
    /// A request failed (after the client's retries).
    #[error("{source}")]
    Client {
        /// The failure (boxed: the client's error is large, and this one travels far).
        source: Box<batches_client::Error>,
        /// What a rerun needs.
        resume: Resume,
    },
    /// The output folder (`out`) could not be written: full, read-only, or not a
    /// folder. Nothing is left half-written under an output's name.
    #[error("cannot write {}: {source}", path.display())]
    Output {
        /// What could not be written.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
        /// What a rerun needs.
        resume: Resume,
    },
    /// The run was cancelled; nothing half-sent is counted as done.
    #[error("the run was cancelled")]
    Cancelled {
        /// What a rerun needs.
        resume: Resume,
    },
}

impl Error {
    /// What a rerun needs, when the run got as far as making or using a directory.
    pub fn resume(&self) -> Option<&Resume> {
        match self {
            Error::Plan(_) => None,
            Error::OtherFiles { resume, .. }
            | Error::Client { resume, .. }
            | Error::Output { resume, .. }
            | Error::Cancelled { resume } => Some(resume),
        }
    }
}

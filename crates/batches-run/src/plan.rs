//! The plan of a run, made before anything is sent: the files found, left out and refused,
//! and the groups of at most 1,000 they make (one directory and one batch each).

use std::ops::Range;

use serde::Serialize;

use crate::error::PlanError;
use crate::limits::MAX_BATCH_FILES;
use crate::options::Options;
use crate::walk::{LocalFile, Skipped};

/// Uploads in flight at most.
const MAX_CONCURRENCY: usize = 64;

/// What a run will do, found from the local files alone (no request is sent). Inspect it,
/// print it (`--dry-run`), then [`Run::start`](crate::Run::start) it.
///
/// ```
/// use batches_run::{JobType, Options, Plan};
///
/// let folder = tempfile::tempdir()?;
/// std::fs::write(folder.path().join("a.md"), "# A")?;
/// std::fs::write(folder.path().join(".hidden.md"), "skipped")?;
/// let plan = Plan::new(Options::new([folder.path()], JobType::ParseV2, "cfg-PARSE_FAST"))?;
/// assert_eq!(plan.files().len(), 1);
/// assert_eq!(plan.groups().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Plan {
    options: Options,
    files: Vec<LocalFile>,
    skipped: Vec<Skipped>,
    groups: Vec<Group>,
}

/// One group of a plan: at most 1,000 files, one directory, one batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Its place among the groups, from 0.
    pub index: usize,
    /// The directory given for it, if any (else a new ephemeral one is made).
    pub directory_id: Option<String>,
    /// Its files: a range of [`Plan::files`].
    #[serde(skip)]
    pub files: Range<usize>,
}

impl Plan {
    /// Finds and checks the files of `options`. Fails, before anything is sent, on an
    /// option out of range, a glob that does not compile, paths that cannot be uploaded
    /// (all named), no file at all, more than 1,000 files without `split`, or more
    /// directories given than groups.
    pub fn new(options: Options) -> Result<Plan, PlanError> {
        check_options(&options)?;
        let found = options.selection().find()?;
        let count = found.files.len();
        let groups = PlanError::groups(count);
        if groups > 1 && !options.split {
            return Err(PlanError::TooManyFiles {
                count,
                batches: groups,
            });
        }
        if options.directory_ids.len() > groups {
            return Err(PlanError::TooManyDirectoryIds {
                given: options.directory_ids.len(),
                files: count,
                groups,
            });
        }
        let groups = (0..groups)
            .map(|index| Group {
                index,
                directory_id: options.directory_ids.get(index).cloned(),
                files: index * MAX_BATCH_FILES..count.min((index + 1) * MAX_BATCH_FILES),
            })
            .collect();
        Ok(Plan {
            options,
            files: found.files,
            skipped: found.skipped,
            groups,
        })
    }

    /// A plan of the files of `parts` (each with the directory it goes to, or none for a
    /// new one), cut in groups of at most 1,000; the parts with a directory come first,
    /// as a run expects. The options' `directory_ids` become those directories.
    pub(crate) fn regrouped(
        mut options: Options,
        parts: Vec<(Option<String>, Vec<LocalFile>)>,
        skipped: Vec<Skipped>,
    ) -> Plan {
        let (mut given, new): (Vec<_>, Vec<_>) = parts
            .into_iter()
            .partition(|(directory, _)| directory.is_some());
        given.extend(new);
        let mut files = Vec::new();
        let mut groups = Vec::new();
        options.directory_ids.clear();
        for (directory_id, mut part) in given {
            part.sort_by(|a, b| a.shown.cmp(&b.shown));
            for chunk in part.chunks(MAX_BATCH_FILES) {
                if let Some(id) = &directory_id {
                    options.directory_ids.push(id.clone());
                }
                groups.push(Group {
                    index: groups.len(),
                    directory_id: directory_id.clone(),
                    files: files.len()..files.len() + chunk.len(),
                });
                files.extend_from_slice(chunk);
            }
        }
        Plan {
            options,
            files,
            skipped,
            groups,
        }
    }

    /// The options it was made with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The files to upload, sorted by path, each real file once.
    pub fn files(&self) -> &[LocalFile] {
        &self.files
    }

    /// The files found and left out, and why.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The groups, in order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The files of `group`.
    pub fn files_of(&self, group: &Group) -> &[LocalFile] {
        &self.files[group.files.clone()]
    }

    /// The bytes of every file to upload.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|file| file.bytes).sum()
    }

    /// The plan as JSON: each file with its size and the directory it goes to (the id
    /// given, or `new directory K of N`), and the files left out.
    pub fn to_json(&self) -> serde_json::Value {
        let files: Vec<_> = self
            .groups
            .iter()
            .flat_map(|group| {
                let directory = self.directory_label(group);
                self.files_of(group).iter().map(move |file| {
                    serde_json::json!({
                        "path": file.shown,
                        "size": file.bytes,
                        "directory": directory,
                    })
                })
            })
            .collect();
        serde_json::json!({ "files": files, "skipped": self.skipped })
    }

    /// How a plan names the directory of `group`.
    pub fn directory_label(&self, group: &Group) -> String {
        group.directory_id.clone().unwrap_or_else(|| {
            format!("new directory {} of {}", group.index + 1, self.groups.len())
        })
    }
}

fn check_options(options: &Options) -> Result<(), PlanError> {
    let invalid = |option, message: String| Err(PlanError::InvalidOption { option, message });
    if options.paths.is_empty() {
        return invalid("paths", "give at least one file or folder".to_owned());
    }
    if !(1..=MAX_CONCURRENCY).contains(&options.upload_concurrency) {
        return invalid(
            "upload_concurrency",
            format!(
                "{} is out of range; accepted: 1 to {MAX_CONCURRENCY}",
                options.upload_concurrency
            ),
        );
    }
    if options.configuration_id.trim().is_empty() {
        return invalid(
            "configuration_id",
            "empty; give a saved configuration id or a preset such as cfg-PARSE_AGENTIC".to_owned(),
        );
    }
    if options.upload_rate.uploads == 0 || options.upload_rate.per.is_zero() {
        return invalid(
            "upload_rate",
            format!(
                "no upload could ever start; accepted: {}",
                crate::UploadRate::FORMS
            ),
        );
    }
    if options.poll_interval.is_zero() || options.max_poll_interval < options.poll_interval {
        return invalid(
            "poll_interval",
            "must be above zero and at most max_poll_interval".to_owned(),
        );
    }
    if options.out.is_some() {
        crate::export::check_options(options)?;
    }
    if let Some(empty) = options.directory_ids.iter().find(|id| id.trim().is_empty()) {
        return invalid(
            "directory_ids",
            format!("{empty:?} is not a directory id (dir-…)"),
        );
    }
    Ok(())
}

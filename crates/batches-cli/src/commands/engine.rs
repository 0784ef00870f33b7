//! What `batches run` and `directories files upload` share on top of the run engine: the
//! options read as the engine's, its plan printed (`--dry-run`), its events rendered on
//! stderr, Ctrl-C turned into its cancellation, and its errors as the command line's
//! failures.

use std::collections::HashMap;

use batches_run::{Event, Handle, PlanError, Selection, SkipReason};
use indicatif::ProgressBar;
use serde_json::json;

use super::Context;
use crate::cli::UploadArgs;
use crate::console::{BatchLines, Console, UploadProgress, batch_status_line};
use crate::failure::Failure;
use crate::output::{Rows, terminal_safe};

/// The files `paths` and the upload options select.
pub fn selection(paths: &[std::path::PathBuf], args: &UploadArgs) -> Selection {
    Selection {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        follow_links: args.follow_links,
        ..Selection::new(paths.iter().cloned())
    }
}

/// A plan that cannot be carried out, as a usage failure in the command line's words.
pub fn plan_failure(error: PlanError) -> Failure {
    let (message, hint) = match error {
        PlanError::BadGlob {
            option,
            glob,
            reason,
        } => (format!("--{option} {glob}: not a glob ({reason})"), None),
        PlanError::NoFiles => (
            "no files to upload: the paths given hold none that are not hidden, ignored \
             (.gitignore, .ignore) or filtered out (--include, --exclude)"
                .to_owned(),
            None,
        ),
        PlanError::TooManyFiles { count, batches } => (
            format!("{count} files found; a batch covers at most 1,000 files"),
            Some(format!(
                "pass --split to run {batches} batches of at most 1,000 files, one directory each"
            )),
        ),
        PlanError::TooManyDirectoryIds {
            given,
            files,
            groups,
        } => (
            format!(
                "{given} --directory-id given, but the {files} files make {groups} director{}",
                if groups == 1 { "y" } else { "ies" }
            ),
            None,
        ),
        PlanError::InvalidOption { option, message } => {
            (format!("--{}: {message}", option.replace('_', "-")), None)
        }
        PlanError::Paths(problems) => (
            // One problem per line, each path escaped here: a line break in a name must
            // not break the list.
            format!(
                "{} cannot be uploaded; nothing was sent:\n  {}",
                match problems.len() {
                    1 => "a path".to_owned(),
                    n => format!("{n} paths"),
                },
                problems
                    .iter()
                    .map(|problem| format!(
                        "{}: {}",
                        terminal_safe(&problem.path),
                        terminal_safe(&problem.reason)
                    ))
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ),
            Some("fix or remove them, or leave them out with --exclude GLOB".to_owned()),
        ),
        other => (other.to_string(), None),
    };
    Failure::Usage { message, hint }
}

/// `--dry-run`: prints each file that would be uploaded, its size and the directory it
/// would go to, says what is left out, and sends nothing.
pub fn print_plan(
    context: &mut Context,
    files: impl Iterator<Item = (String, u64, String)>,
    skipped: &[batches_run::Skipped],
) -> Result<(), Failure> {
    context.printer.show(Rows::Planned);
    let (mut count, mut bytes) = (0, 0);
    for (path, size, directory) in files {
        let planned = json!({ "path": path, "size": size, "directory": directory });
        context.printer.list_item(&planned.to_string())?;
        count += 1;
        bytes += size;
    }
    context.printer.end_list()?;
    for skipped in skipped {
        skip_note(&context.console, &skipped.path, &skipped.reason);
    }
    context.console.note(&format!(
        "{count} files, {bytes} bytes; nothing was sent (--dry-run)"
    ));
    Ok(())
}

/// Says how many uploads the server refused for its rate limit (each waited out and sent
/// again, or counted in its file's error), when any was.
pub fn rate_limited_note(console: &Console, refused: u64) {
    if refused > 0 {
        console.note(&format!(
            "{refused} uploads were refused with 429 (rate limited) and waited out"
        ));
    }
}

/// Says why a file is left out, unless the user asked for it (`--include`, `--exclude`).
pub fn skip_note(console: &Console, path: &str, reason: &SkipReason) {
    match reason {
        SkipReason::Filtered => {}
        SkipReason::LinkOutOfFolder { target } => console.note(&format!(
            "skipped {path}: a symbolic link out of the folder given (to {target}); \
             --follow-links follows it"
        )),
        other => console.note(&format!("skipped {path}: {other}")),
    }
}

/// Reads the events of `handle` until it ends, rendering them on stderr; Ctrl-C cancels
/// it (and the handle then ends with `Cancelled`). Returns how it ended.
pub async fn follow<T: Send + 'static>(
    context: &Context,
    mut handle: Handle<T>,
) -> Result<T, batches_run::Error> {
    let mut view = View::new(context.console);
    let mut cancelled = false;
    loop {
        tokio::select! {
            biased;
            () = context.interrupt.interrupted(), if !cancelled => {
                handle.cancel();
                cancelled = true;
            }
            event = handle.next_event() => match event {
                Some(event) => view.show(&event),
                None => break,
            },
        }
    }
    view.finish();
    handle.finish().await
}

/// The live rendering of a run's events: notes, one progress bar for the uploads, one
/// live line per batch.
struct View {
    console: Console,
    sizes: HashMap<String, u64>,
    progress: Option<UploadProgress>,
    lines: Option<BatchLines>,
    batches: HashMap<String, ProgressBar>,
}

impl View {
    fn new(console: Console) -> View {
        View {
            console,
            sizes: HashMap::new(),
            progress: None,
            lines: None,
            batches: HashMap::new(),
        }
    }

    fn show(&mut self, event: &Event) {
        let console = self.console;
        match event {
            Event::FileFound { path, bytes, .. } => {
                self.sizes.insert(path.clone(), *bytes);
            }
            Event::FileSkipped { path, reason } => skip_note(&console, path, reason),
            Event::DirectoryCreated { directory_id, .. } => {
                console.note(&format!("created directory {directory_id}"));
            }
            Event::DirectoryReused {
                directory_id,
                other_files,
                ..
            } if *other_files > 0 => console.warn(&format!(
                "directory {directory_id} holds {other_files} other file{}, which its batch \
                 processes too (--allow-other-files)",
                if *other_files == 1 { "" } else { "s" }
            )),
            Event::UploadsPlanned { files, bytes } => {
                self.progress = Some(console.upload_progress(*files, *bytes));
            }
            Event::UploadFinished { bytes, .. } => {
                if let Some(progress) = &self.progress {
                    progress.uploaded(*bytes, true);
                }
            }
            Event::UploadFailed {
                path,
                retrying: false,
                ..
            } => {
                if let Some(progress) = &self.progress {
                    progress.uploaded(self.sizes.get(path).copied().unwrap_or(0), false);
                }
            }
            Event::BatchNotCreated { directory_id, .. } => console.warn(&format!(
                "no batch was created over {directory_id}: some of its uploads failed"
            )),
            Event::BatchCreated {
                batch_id,
                directory_id,
                files,
                ..
            } => console.note(&format!(
                "created batch {batch_id} over {directory_id} ({files} files)"
            )),
            Event::BatchFound {
                batch_id,
                directory_id,
                ..
            } => console.note(&format!(
                "following batch {batch_id} over {directory_id}, created by an earlier run"
            )),
            Event::BatchStatusChanged {
                batch_id,
                status,
                mapped,
                failed,
            } => {
                if let Some(progress) = self.progress.take() {
                    progress.finish();
                }
                let lines = self.lines.get_or_insert_with(|| console.batch_lines());
                let line = self
                    .batches
                    .entry(batch_id.clone())
                    .or_insert_with(|| lines.line(batch_id));
                line.set_message(batch_status_line(status, Some(*mapped), *failed));
                if status.is_terminal() {
                    line.finish_and_clear();
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self) {
        if let Some(progress) = self.progress.take() {
            progress.finish();
        }
        for line in self.batches.values() {
            line.finish_and_clear();
        }
    }
}

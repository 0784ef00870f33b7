//! What `run --out` and `results --out` show beyond a run: the summary on stderr, `--dry-run` saying what a rerun skips, a folder that cannot be
//! written as exit 6.

use std::path::Path;

use batches_run::{Action, Error, Plan, Summary, preview as preview_of};
use serde_json::json;

use crate::commands::Context;
use crate::console::Console;
use crate::failure::Failure;
use crate::output::Rows;

/// `--dry-run --out`: each file with what the run would do with it (send, skip as done,
/// fetch its output again, copy another path's), and the counts.
pub fn preview(context: &mut Context, plan: &Plan) -> Result<(), Failure> {
    let preview = preview_of(plan).map_err(|error| match error {
        Error::Output { path, source, .. } => output_failure(&path, source),
        other => Failure::Unreadable(other.to_string()),
    })?;
    context.printer.show(Rows::Planned);
    for file in &preview.files {
        let entry = json!({
            "path": file.path,
            "size": plan.files().iter().find(|f| f.shown == file.path).map(|f| f.bytes),
            "directory": serde_json::to_value(&file.action).expect("an action encodes")["action"],
            "output": file.output,
        });
        context.printer.list_item(&entry.to_string())?;
    }
    context.printer.end_list()?;
    let skipped = preview.count(|action| matches!(action, Action::AlreadyDone { .. }));
    let fetched = preview.count(|action| matches!(action, Action::FetchOutput { .. }));
    let same = preview.count(|action| matches!(action, Action::SameBytes { .. }));
    let sent = preview.count(|action| matches!(action, Action::Send));
    context.console.note(&format!(
        "{sent} files would be sent, {skipped} skipped as done before, {fetched} outputs \
         fetched again without a new job, {same} copied from a file with the same bytes; \
         nothing was sent (--dry-run)"
    ));
    Ok(())
}

/// The summary line of a run with `--out`.
pub fn summary_note(console: &Console, summary: &Summary) {
    console.note(&format!(
        "{} files: {} done, {} failed, {} skipped (done before); {} pages, {} credits; \
         {:.1} s; outputs in {}",
        summary.files,
        summary.done,
        summary.failed,
        summary.skipped,
        summary.pages,
        summary.credits,
        summary.seconds,
        summary.out
    ));
}

/// A folder that cannot be written, as exit 6.
pub fn output_failure(path: &Path, source: std::io::Error) -> Failure {
    Failure::Output(std::io::Error::new(
        source.kind(),
        format!("{}: {source}", path.display()),
    ))
}

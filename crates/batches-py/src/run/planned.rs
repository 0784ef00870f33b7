//! `run(..., dry_run=True)`: the plan as a `RunPlan`, holding what `llamacloud batches run
//! --dry-run` prints: each file with its size and directory (with `out`, what the run would
//! do with it), the files left out, and the notes of its stderr.

use std::collections::HashMap;

use batches_run::{Action, Plan, Preview, PreviewFile, SkipReason};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Value, json};

use super::outcome::{RESULTS, record};

/// The `RunPlan` of `plan`; `preview` is what a run with `out` would do with each file.
pub fn result(py: Python<'_>, plan: &Plan, preview: Option<&Preview>) -> PyResult<Py<PyAny>> {
    let module = py.import(RESULTS)?;
    let previewed: HashMap<&str, &PreviewFile> = preview
        .map(|preview| {
            preview
                .files
                .iter()
                .map(|file| (file.path.as_str(), file))
                .collect()
        })
        .unwrap_or_default();
    let files = PyDict::new(py);
    let (mut count, mut bytes) = (0, 0);
    for group in plan.groups() {
        let directory = plan.directory_label(group);
        for file in plan.files_of(group) {
            let mut fields =
                json!({ "path": file.shown, "bytes": file.bytes, "directory": directory });
            if let Some(previewed) = previewed.get(file.shown.as_str()) {
                merge(&mut fields, previewed);
            }
            files.set_item(&file.shown, record(&module, "PlannedFile", &fields)?)?;
            count += 1;
            bytes += file.bytes;
        }
    }
    let skipped = PyDict::new(py);
    let mut notes = Vec::new();
    for left_out in plan.skipped() {
        let mut fields = serde_json::to_value(&left_out.reason).expect("a reason encodes");
        fields["path"] = json!(left_out.path);
        skipped.set_item(&left_out.path, record(&module, "SkippedFile", &fields)?)?;
        let path = &left_out.path;
        match &left_out.reason {
            // Asked for: not worth a note.
            SkipReason::Filtered => {}
            SkipReason::LinkOutOfFolder { target } => notes.push(format!(
                "skipped {path}: a symbolic link out of the folder given (to {target}); \
                 follow_links=True follows it"
            )),
            other => notes.push(format!("skipped {path}: {other}")),
        }
    }
    notes.push(match preview {
        None => format!("{count} files, {bytes} bytes; nothing was sent (dry_run)"),
        Some(preview) => {
            let sent = preview.count(|action| matches!(action, Action::Send));
            let done = preview.count(|action| matches!(action, Action::AlreadyDone { .. }));
            let fetched = preview.count(|action| matches!(action, Action::FetchOutput { .. }));
            let same = preview.count(|action| matches!(action, Action::SameBytes { .. }));
            format!(
                "{sent} files would be sent, {done} skipped as done before, {fetched} outputs \
                 fetched again without a new job, {same} copied from a file with the same \
                 bytes; nothing was sent (dry_run)"
            )
        }
    });
    let fields = PyDict::new(py);
    fields.set_item("files", files)?;
    fields.set_item("skipped", skipped)?;
    fields.set_item("stderr", notes.join("\n"))?;
    Ok(module.getattr("RunPlan")?.call((), Some(&fields))?.unbind())
}

/// Adds what a run with `out` would do with a file to its fields: `action` and its own
/// fields, `output` and `sha256`; the path sent instead of a file with the same bytes is
/// `same_bytes_as`, as in a `RunFileResult`.
fn merge(fields: &mut Value, previewed: &PreviewFile) {
    let Value::Object(mut more) = serde_json::to_value(previewed).expect("a preview encodes")
    else {
        unreachable!("a previewed file encodes as an object");
    };
    more.remove("path");
    if let Some(first) = more.remove("first") {
        more.insert("same_bytes_as".to_owned(), first);
    }
    if let Value::Object(fields) = fields {
        fields.extend(more);
    }
}

//! `batches_run`: local files to per-file results through the run engine, its events
//! handed to a C callback on the calling thread.

use std::ffi::{CString, c_char, c_int, c_void};
use std::ops::ControlFlow;

use batches_run::{Error as RunError, Options, Plan};

use crate::boundary::{call, json_string, out_param};
use crate::client::{batches_client, client_ref};
use crate::error::{BATCHES_CANCELLED, BATCHES_INVALID_ARGUMENT, batches_error, batches_status};
use crate::input::{parse, required_str};

/// A run's event callback: `event_json` is one event as a JSON object whose `"kind"`
/// names it (`file_found`, `upload_finished`, `batch_created`, `file_result`,
/// `run_finished`, …), valid only during the call; `user_data` is the pointer given to
/// `batches_run`. Return 0 to go on; any other value cancels the run.
#[allow(non_camel_case_types)]
pub type batches_event_fn =
    Option<unsafe extern "C" fn(event_json: *const c_char, user_data: *mut c_void) -> c_int>;

/// Runs local files through a batch job: finds them, uploads them into directories (one
/// per 1,000 files), creates each batch once, follows the batches to their end and maps
/// every result back to its local path, blocking the calling thread.
///
/// `options_json` is a JSON object with the run engine's option names: `paths` (an array
/// of files and folders), `job_type` (`parse_v2` or `extract_v2`) and `configuration_id`
/// are required; optional are `include`, `exclude` (arrays of globs), `directory_ids`
/// (directories to upload into), `split` (allow more than 1,000 files), `upload_concurrency`
/// (1 to 64, default 4), `upload_rate` (`"50/5s"`, the default, `"8/s"`, or a number per
/// second), `wait` (default true), `poll_interval`, `max_poll_interval`, `timeout`
/// (seconds), `follow_links`, `allow_other_files`, `dry_run`, `max_file_bytes`,
/// `webhook_configurations` and `webhook_configuration_ids`. An
/// unknown name or a bad value fails with `BATCHES_INVALID_ARGUMENT`, and so does a plan
/// that cannot be carried out (paths that cannot be uploaded, more than 1,000 files
/// without `split`): nothing is sent then.
///
/// `on_event` (may be NULL) is called with each event, on the calling thread, in order;
/// a non-zero return cancels the run: requests in flight are abandoned and it fails with
/// `BATCHES_CANCELLED`, whose message names the directories to pass as `directory_ids`
/// to finish it (a rerun sends only the files not uploaded and creates each batch once).
///
/// On success `*report_json` receives the report: `{"files": [...], "batches": [...],
/// "outcome": {"kind": ...}, "rate_limited": N, "resume": ...}`, each file with `path`,
/// `status` (`ok`, `error` or `pending`), `directory_id`, `directory_file_id`,
/// `batch_id`, `job_reference` and `error`. The run succeeded as a run even when files
/// failed: `outcome.kind` is `completed`, `files_failed`, `batch_ended` or `timed_out`,
/// and `resume` (when not null) names the directories that finish an unfinished run.
/// Release it with `batches_string_free`.
///
/// # Safety
/// `c` is a live client; `options_json` is a NUL-terminated string; `on_event` is NULL or
/// a function safe to call with the arguments above; `report_json` points to writable
/// storage for a pointer; `err` is NULL or points to writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_run(
    c: *const batches_client,
    options_json: *const c_char,
    on_event: batches_event_fn,
    user_data: *mut c_void,
    report_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let options_json = required_str(options_json, "options_json")?;
        let out = out_param(report_json, "report_json")?;
        let options: Options = parse(options_json, "options_json")?;
        let plan = Plan::new(options)
            .map_err(|error| batches_error::invalid_argument(format!("`options_json`: {error}")))?;
        let report = batches_run::blocking::run(client, plan, |event| {
            let Some(callback) = on_event else {
                return ControlFlow::Continue(());
            };
            let json = serde_json::to_string(event).expect("an event encodes");
            let text = CString::new(json).expect("JSON text holds no NUL");
            // SAFETY: the caller gave a function safe to call with a string valid for the
            // call and its own `user_data`.
            match unsafe { callback(text.as_ptr(), user_data) } {
                0 => ControlFlow::Continue(()),
                _ => ControlFlow::Break(()),
            }
        })
        .map_err(run_error)?;
        let json = serde_json::to_vec(&report).expect("a report encodes");
        *out = json_string(json)?;
        Ok(())
    })
}

/// A run that stopped, as the C error: its client failure as any call's, a cancellation
/// and a refusal with the directories that finish it.
fn run_error(error: RunError) -> batches_error {
    let directories = |resume: Option<&batches_run::Resume>| match resume {
        Some(resume) if !resume.directory_ids.is_empty() => format!(
            "; to finish it, run again with \"directory_ids\": [{}]",
            resume
                .directory_ids
                .iter()
                .map(|id| format!("\"{id}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    };
    let suffix = directories(error.resume());
    match error {
        RunError::Client { source, .. } => {
            let mut error = batches_error::from(*source);
            error.append(&suffix);
            error
        }
        RunError::Cancelled { .. } => {
            batches_error::new(BATCHES_CANCELLED, format!("the run was cancelled{suffix}"))
        }
        other => batches_error::new(BATCHES_INVALID_ARGUMENT, format!("{other}{suffix}")),
    }
}

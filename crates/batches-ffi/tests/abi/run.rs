//! `batches_run` and the directory calls, as a C caller makes them: a folder run with an
//! event callback, a run cancelled from its callback and then finished, refusals before
//! anything is sent, and a batch made by hand through the directory calls.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::path::Path;
use std::ptr;

use batches_ffi::batches_status::{BATCHES_CANCELLED, BATCHES_INVALID_ARGUMENT};
use batches_ffi::{
    batches_client, batches_directory_create, batches_directory_file_upload, batches_directory_get,
    batches_directory_list, batches_event_fn, batches_run, batches_status,
};
use serde_json::Value;

use crate::support::{Emulator, c, outcome};

/// What the callback saw, and when it cancels.
#[derive(Default)]
struct Seen {
    events: Vec<Value>,
    /// Cancel at the first event of this kind.
    cancel_at: Option<&'static str>,
}

unsafe extern "C" fn record(event_json: *const c_char, user_data: *mut c_void) -> c_int {
    let seen = unsafe { &mut *user_data.cast::<Seen>() };
    let text = unsafe { CStr::from_ptr(event_json) }.to_str().unwrap();
    let event: Value = serde_json::from_str(text).unwrap();
    let cancel = seen.cancel_at == event["kind"].as_str();
    seen.events.push(event);
    c_int::from(cancel)
}

/// `batches_run` with `options`, the callback recording into `seen`.
fn run(
    client: *const batches_client,
    options: &Value,
    seen: Option<&mut Seen>,
) -> Result<Value, (batches_status, String)> {
    let options = c(&options.to_string());
    let (callback, user_data): (batches_event_fn, *mut c_void) = match seen {
        Some(seen) => (Some(record), ptr::from_mut(seen).cast()),
        None => (None, ptr::null_mut()),
    };
    let (mut report, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        batches_run(
            client,
            options.as_ptr(),
            callback,
            user_data,
            &mut report,
            &mut err,
        )
    };
    outcome(status, report, err)
}

fn folder(files: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for k in 0..files {
        std::fs::write(dir.path().join(format!("note-{k:02}.md")), format!("# {k}")).unwrap();
    }
    dir
}

fn options(folder: &Path) -> Value {
    serde_json::json!({
        "paths": [folder],
        "job_type": "parse_v2",
        "configuration_id": "cfg-PARSE_AGENTIC",
        "upload_rate": "1000/s",
        "poll_interval": 0.02,
    })
}

fn kinds(seen: &Seen) -> Vec<&str> {
    seen.events
        .iter()
        .map(|event| event["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn a_folder_runs_with_every_event_on_the_callback_and_a_report_per_file() {
    let emulator = Emulator::start(0, 5);
    let dir = folder(3);
    let mut seen = Seen::default();
    let report = run(emulator.client, &options(dir.path()), Some(&mut seen)).unwrap();

    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for file in files {
        assert_eq!(file["status"], "ok", "{file}");
        assert!(file["path"].as_str().unwrap().ends_with(".md"));
        for field in [
            "directory_id",
            "directory_file_id",
            "batch_id",
            "job_reference",
        ] {
            assert!(!file[field].is_null(), "{field}: {file}");
        }
        assert!(file["error"].is_null());
    }
    assert_eq!(report["outcome"]["kind"], "completed");
    assert!(report["resume"].is_null());

    let kinds = kinds(&seen);
    let first = |kind| kinds.iter().position(|k| *k == kind).unwrap();
    assert_eq!(kinds.iter().filter(|k| **k == "file_found").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "upload_finished").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "file_result").count(), 3);
    assert!(first("file_found") < first("directory_created"));
    assert!(first("directory_created") < first("upload_started"));
    assert!(first("upload_finished") < first("batch_created"));
    assert!(first("batch_created") < first("batch_status_changed"));
    assert_eq!(kinds.last(), Some(&"run_finished"));
    let created = &seen.events[first("batch_created")];
    assert_eq!(created["batch_id"], files[0]["batch_id"]);
    assert_eq!(created["files"], 3);
}

#[test]
fn a_callback_that_returns_nonzero_cancels_and_the_message_says_how_to_finish() {
    let emulator = Emulator::start(0, 5);
    let dir = folder(6);
    let mut options = options(dir.path());
    options["upload_concurrency"] = 1.into();
    options["upload_rate"] = "20/s".into();
    let mut seen = Seen {
        cancel_at: Some("upload_finished"),
        ..Seen::default()
    };
    let (status, message) = run(emulator.client, &options, Some(&mut seen)).unwrap_err();
    assert_eq!(status, BATCHES_CANCELLED, "{message}");
    assert!(message.starts_with("the run was cancelled"), "{message}");
    // The callback is not called again once it asked to stop.
    assert_eq!(kinds(&seen).last(), Some(&"upload_finished"));
    assert!(!kinds(&seen).contains(&"batch_created"));
    let directory = seen.events.iter().find_map(|event| {
        (event["kind"] == "directory_created").then(|| event["directory_id"].clone())
    });
    let directory = directory.unwrap();
    assert!(
        message.contains(&format!("\"directory_ids\": [{directory}]")),
        "{message}"
    );
    let uploads_before = emulator.server.counts().uploads;
    assert!(uploads_before < 6, "{uploads_before} uploads");

    // The same run with the directory given finishes it: the file uploaded before the
    // cancel is not sent again. (The upload in flight at the cancel was abandoned; if the
    // server had read it whole it landed, so the rerun sends four or five files, never
    // six; the server's own count would also include an abandoned attempt arriving late.)
    options["directory_ids"] = serde_json::json!([directory]);
    let mut rerun = Seen::default();
    let report = run(emulator.client, &options, Some(&mut rerun)).unwrap();
    assert_eq!(report["outcome"]["kind"], "completed");
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 6);
    assert!(files.iter().all(|file| file["status"] == "ok"));
    let sent = kinds(&rerun)
        .iter()
        .filter(|kind| **kind == "upload_started")
        .count();
    assert!(
        (4..=5).contains(&sent),
        "{sent} uploads to finish a run that had one file up"
    );
}

#[test]
fn bad_options_and_plans_are_refused_before_anything_is_sent() {
    let emulator = Emulator::start(0, 5);
    let dir = folder(1);
    let cases = [
        (
            serde_json::json!({"paths": [dir.path()], "job_type": "parse_v2"}),
            "missing field `configuration_id`",
        ),
        (
            serde_json::json!({"paths": [dir.path()], "job_type": "parse_v2", "configuration_id": "c", "splt": true}),
            "unknown field `splt`",
        ),
        (
            serde_json::json!({"paths": [dir.path().join("missing")], "job_type": "parse_v2", "configuration_id": "c"}),
            "a path cannot be uploaded; nothing was sent",
        ),
        (
            serde_json::json!({"paths": [dir.path()], "job_type": "parse_v2", "configuration_id": "c", "upload_rate": "fast"}),
            "not a rate above zero",
        ),
    ];
    for (options, expected) in cases {
        let (status, message) = run(emulator.client, &options, None).unwrap_err();
        assert_eq!(status, BATCHES_INVALID_ARGUMENT, "{message}");
        assert!(message.contains(expected), "{expected}: {message}");
    }
    assert_eq!(emulator.server.counts().requests, 0);
}

#[test]
fn a_batch_by_hand_through_the_directory_calls() {
    let emulator = Emulator::start(0, 5);
    let client = emulator.client;
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let request = c(r#"{"name": "by hand", "type": "ephemeral"}"#);
    let status = unsafe {
        batches_directory_create(client, request.as_ptr(), ptr::null(), &mut out, &mut err)
    };
    let directory = outcome(status, out, err).unwrap();
    let id = directory["id"].as_str().unwrap().to_owned();
    assert_eq!(directory["name"], "by hand");

    let dir = folder(1);
    let path = c(dir.path().join("note-00.md").to_str().unwrap());
    let upload_options = c(r#"{"unique_id": "notes/first.md", "display_name": "First"}"#);
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        batches_directory_file_upload(
            client,
            c(&id).as_ptr(),
            path.as_ptr(),
            upload_options.as_ptr(),
            &mut out,
            &mut err,
        )
    };
    let file = outcome(status, out, err).unwrap();
    assert_eq!(file["unique_id"], "notes/first.md");
    assert_eq!(file["directory_id"], id.as_str());

    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status =
        unsafe { batches_directory_get(client, c(&id).as_ptr(), ptr::null(), &mut out, &mut err) };
    assert_eq!(outcome(status, out, err).unwrap()["id"], id.as_str());

    let params = c(r#"{"name": "by hand"}"#);
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe { batches_directory_list(client, params.as_ptr(), &mut out, &mut err) };
    let page = outcome(status, out, err).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);

    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        batches_directory_get(
            client,
            c("dir-missing").as_ptr(),
            ptr::null(),
            &mut out,
            &mut err,
        )
    };
    let (status, message) = outcome(status, out, err).unwrap_err();
    assert_eq!(status, batches_status::BATCHES_API_ERROR, "{message}");
    let bad = c(r#"{"unique": "x"}"#);
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        batches_directory_file_upload(
            client,
            c(&id).as_ptr(),
            path.as_ptr(),
            bad.as_ptr(),
            &mut out,
            &mut err,
        )
    };
    let (status, message) = outcome(status, out, err).unwrap_err();
    assert_eq!(status, BATCHES_INVALID_ARGUMENT);
    assert!(message.contains("unknown field `unique`"), "{message}");
}

#[test]
fn a_run_with_out_writes_each_files_markdown_and_the_manifest() {
    let emulator = Emulator::start(0, 5);
    let dir = folder(2);
    let out = tempfile::tempdir().unwrap();
    let mut options = options(dir.path());
    options["out"] = out.path().to_str().unwrap().into();
    let mut seen = Seen::default();
    let report = run(emulator.client, &options, Some(&mut seen)).unwrap();
    assert_eq!(report["outcome"]["kind"], "completed");
    for k in 0..2 {
        let markdown =
            std::fs::read_to_string(out.path().join(format!("note-{k:02}.md.md"))).unwrap();
        assert_eq!(markdown, format!("# {k}"));
    }
    let files = report["files"].as_array().unwrap();
    assert_eq!(files[0]["output"], "note-00.md.md");
    assert_eq!(report["summary"]["done"], 2);
    let manifest = std::fs::read_to_string(out.path().join("manifest.jsonl")).unwrap();
    assert_eq!(manifest.lines().count(), 2);
    assert_eq!(
        kinds(&seen)
            .iter()
            .filter(|k| **k == "output_written")
            .count(),
        2
    );
}

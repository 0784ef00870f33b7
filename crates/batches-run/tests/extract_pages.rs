//! The pages of an extract job, when its parse job cannot tell them: an API that names no
//! parse job, or one that does not find it (404). Served by a local server scripted for
//! answers the emulator never gives; the export goes on and the page count stays null.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use batches_client::Client;
use batches_run::{ExportOptions, Outcome, export_results};
use serde_json::{Value, json};

/// A server on a free port answering each request with `answer(target)`, one request per
/// connection; returns its base URL and every request target, in arrival order.
fn scripted(
    answer: impl Fn(&str) -> (u16, Value) + Send + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&targets);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if head.is_empty() {
                    head = line;
                }
            }
            let _ = reader.read_exact(&mut vec![0; length]);
            let target = head.split(' ').nth(1).unwrap_or_default().to_owned();
            seen.lock().unwrap().push(target.clone());
            let (status, body) = answer(&target);
            let body = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, targets)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parse_job_not_found_or_not_named_leaves_the_pages_null_and_the_files_done() {
    let extract_asks = Arc::new(AtomicUsize::new(0));
    let asks = Arc::clone(&extract_asks);
    let (base_url, targets) = scripted(move |target| {
        let path = target.split('?').next().unwrap();
        let file = |id: &str, name: &str| {
            json!({"id": id, "directory_id": "dir-1", "display_name": name,
                   "project_id": "prj-1", "unique_id": name, "file_id": id})
        };
        let result = |file: &str, job: &str| {
            json!({"source_directory_file_id": file, "error_message": null,
                   "job_reference": {"id": job, "type": "extract_v2"}})
        };
        match path {
            "/api/v2/batches/bat-1" => (
                200,
                json!({"id": "bat-1", "project_id": "prj-1", "source_directory_id": "dir-1",
                       "status": "COMPLETED",
                       "config": {"job": {"type": "extract_v2",
                                          "configuration_id": "cfg-EXTRACT_INVOICE"}},
                       "results": [result("dfl-1", "ejb-1"), result("dfl-2", "ejb-2")]}),
            ),
            "/api/v1/beta/directories/dir-1/files" => (
                200,
                json!({"items": [file("dfl-1", "gone.pdf"), file("dfl-2", "unnamed.pdf")]}),
            ),
            // Running at the first two asks, then done, naming a parse job that is gone.
            "/api/v2/extract/ejb-1" if asks.fetch_add(1, Ordering::SeqCst) < 2 => (
                200,
                json!({"id": "ejb-1", "project_id": "prj-1", "status": "RUNNING"}),
            ),
            "/api/v2/extract/ejb-1" => (
                200,
                json!({"id": "ejb-1", "project_id": "prj-1", "status": "COMPLETED",
                       "extract_result": {"total": 1},
                       "extract_metadata": {"parse_job_id": "pjb-gone",
                                            "parse_tier": "cost_effective"},
                       "usage": {"credits": 18.0}}),
            ),
            // Done, naming no parse job.
            "/api/v2/extract/ejb-2" => (
                200,
                json!({"id": "ejb-2", "project_id": "prj-1", "status": "COMPLETED",
                       "extract_result": {"total": 2}, "extract_metadata": {},
                       "usage": {"credits": 18.0}}),
            ),
            "/api/v2/parse/pjb-gone" => (404, json!({"detail": "Job pjb-gone not found"})),
            _ => (404, json!({"detail": "Not Found"})),
        }
    });
    let client = Client::builder()
        .base_url(base_url)
        .api_key("llx-test")
        .build()
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut options = ExportOptions::new("bat-1", out.path());
    options.poll_interval = Duration::from_millis(10);
    let report = export_results(client, options).finish().await.unwrap();

    assert!(
        matches!(report.outcome, Outcome::Completed),
        "{:?}",
        report.outcome
    );
    let lines: Vec<Value> = std::fs::read_to_string(out.path().join("manifest.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in &lines {
        assert_eq!(line["job_status"], "COMPLETED", "{line}");
        assert_eq!(line["pages"], Value::Null, "{line}");
        assert_eq!(line["credits"], 18.0, "{line}");
        let output = out.path().join(line["output"].as_str().unwrap());
        assert!(output.is_file(), "{line}");
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["pages"], 0, "{summary}");
    assert_eq!(summary["credits"], 36.0, "{summary}");

    // One ask of the parse job, after the extract job's last: none while it ran, none for
    // the job that names no parse job.
    let targets = targets.lock().unwrap().clone();
    let parse: Vec<usize> = (0..targets.len())
        .filter(|&index| targets[index].starts_with("/api/v2/parse/"))
        .collect();
    assert_eq!(parse.len(), 1, "{targets:#?}");
    assert!(targets[parse[0]].starts_with("/api/v2/parse/pjb-gone?"));
    let last_extract = targets
        .iter()
        .rposition(|target| target.starts_with("/api/v2/extract/ejb-1"))
        .unwrap();
    assert!(last_extract < parse[0], "{targets:#?}");
    assert_eq!(extract_asks.load(Ordering::SeqCst), 3, "{targets:#?}");
}

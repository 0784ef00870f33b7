//! Uploads answered in ways the emulator cannot be made to answer on cue, from a mock
//! server: a 409 because another run stored the same path between this one's listing and
//! its upload, and a 429 to every attempt.

mod common;

use std::time::Duration;

use batches_client::Client;
use batches_run::{Event, Selection, Upload, UploadRate};
use common::write;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FILES: &str = "/api/v1/beta/directories/dir-1/files";
const UPLOAD: &str = "/api/v1/beta/directories/dir-1/files/upload";

/// A client of `server` with the default retries: the engine asks it to give 429s back.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key("llx-test")
        .build()
        .unwrap()
}

/// A page of directory files.
fn page(items: &[Value]) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"items": items, "next_page_token": null}))
}

/// Directory file `id` stored under `unique_id`, recorded by an upload of `bytes` bytes.
fn stored(id: &str, unique_id: &str, bytes: u64) -> Value {
    json!({
        "id": id, "directory_id": "dir-1", "display_name": "a.md", "project_id": "prj-1",
        "unique_id": unique_id, "created_at": "2026-11-29T10:00:00.117Z",
        "metadata": {"llamacloud_local_file": {"bytes": bytes}},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_answered_409_is_the_file_stored_under_its_path() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md"]);
    let files = Selection::new([dir.path()]).find().unwrap().files;
    let (shown, bytes) = (files[0].shown.clone(), files[0].bytes);

    // Listed before the other run's upload landed: empty. Asked for by its path after the
    // 409: there. Listed whole after it: another file comes first.
    Mock::given(method("GET"))
        .and(path(FILES))
        .and(query_param_is_missing("unique_id"))
        .respond_with(page(&[]))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(FILES))
        .and(query_param("unique_id", shown.as_str()))
        .respond_with(page(&[stored("dfl-a", &shown, bytes)]))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(FILES))
        .respond_with(page(&[
            stored("dfl-other", "/elsewhere/a.md", bytes),
            stored("dfl-a", &shown, bytes),
        ]))
        .with_priority(10)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(UPLOAD))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "detail": "a file with this unique_id already exists in the directory"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let upload = Upload::start(client(&server), "dir-1", files, 1, UploadRate::default());
    let report = upload.finish().await.unwrap();
    let stored = report.files[0].1.as_ref().expect("the file is there");
    assert_eq!(stored.file.id, "dfl-a", "another file taken for {shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_refused_429_every_time_fails_after_ten_rounds() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &["a.md"]);
    let files = Selection::new([dir.path()]).find().unwrap().files;
    Mock::given(method("GET"))
        .and(path(FILES))
        .respond_with(page(&[]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(UPLOAD))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after-ms", "1")
                .set_body_json(json!({"detail": "Too many uploads"})),
        )
        .mount(&server)
        .await;

    // A short window, so that the narrowed pace after each 429 costs milliseconds.
    let rate = UploadRate {
        uploads: 50,
        per: Duration::from_millis(10),
    };
    let mut upload = Upload::start(client(&server), "dir-1", files, 1, rate);
    let mut failures = Vec::new();
    while let Some(event) = upload.next_event().await {
        if let Event::UploadFailed {
            attempt,
            retrying,
            rate_limited,
            ..
        } = event
        {
            assert!(rate_limited, "attempt {attempt} was refused 429");
            // Checked as they come: a file retried for ever would not end this loop.
            assert_eq!(
                attempt as usize,
                failures.len() + 1,
                "attempts count from 1"
            );
            assert_eq!(retrying, attempt <= 10, "attempt {attempt}");
            failures.push(attempt);
        }
    }
    let report = upload.finish().await.unwrap();
    assert_eq!(failures.len(), 11, "ten rounds waited out, then the error");
    assert_eq!(
        report.rate_limited, 11,
        "every 429 counted, the last one too"
    );
    let error = report.files[0].1.as_ref().unwrap_err().to_string();
    assert!(
        error.starts_with("upload") && error.contains("429"),
        "{error}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1 + 11);
}

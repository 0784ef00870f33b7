//! Uploads and adds against a local server: the multipart body, the file read anew for
//! each attempt, and the rule that a retry never leaves a duplicate file.

#[path = "../common/mod.rs"]
mod common;
mod conflicts;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use batches_client::{
    AddDirectoryFileRequest, CreateDirectoryRequest, Error, UploadDirectoryFileFields,
    UploadOptions,
};
use common::{client, request_count};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const UPLOAD: &str = "/api/v1/beta/directories/dir-1/files/upload";
const FILES: &str = "/api/v1/beta/directories/dir-1/files";

fn directory_file(id: &str, unique_id: &str) -> Value {
    json!({
        "id": id,
        "directory_id": "dir-1",
        "display_name": "report.pdf",
        "project_id": "prj-1",
        "unique_id": unique_id,
        "file_id": "f-1",
        "future_field": [1, 2],
    })
}

/// A failure the client retries at once (the server asks for a 1 ms pause).
fn failure(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("retry-after-ms", "1")
        .set_body_json(json!({"detail": "try again"}))
}

fn conflict() -> ResponseTemplate {
    ResponseTemplate::new(409)
        .insert_header("x-should-retry", "false")
        .set_body_json(
            json!({"detail": "A file with unique_id \"docs/report.pdf\" already exists"}),
        )
}

/// A temporary directory holding `report.pdf` with `contents`.
fn report(contents: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, contents).unwrap();
    (dir, file)
}

/// Mounts `first` for the first `times` POSTs to `to` (an upload, an add), then `then`
/// for the rest.
async fn posts_answer(
    server: &MockServer,
    to: &str,
    first: ResponseTemplate,
    times: u64,
    then: ResponseTemplate,
) {
    Mock::given(method("POST"))
        .and(path(to))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(to))
        .respond_with(then)
        .mount(server)
        .await;
}

/// Mounts the listing that finds the file with `unique_id`.
async fn lookup_finds(server: &MockServer, unique_id: &str) {
    Mock::given(method("GET"))
        .and(path(FILES))
        .and(query_param("unique_id", unique_id))
        .and(query_param("page_size", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [directory_file("dfl-landed", unique_id)],
        })))
        .mount(server)
        .await;
}

fn with_unique_id(unique_id: &str) -> UploadOptions {
    UploadOptions {
        fields: UploadDirectoryFileFields {
            unique_id: Some(unique_id.into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn requests_to(server: &MockServer, method_name: &str, to: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| request.method.as_str() == method_name && request.url.path() == to)
        .collect()
}

/// The text of a multipart body, for looking at its parts.
fn body_text(request: &Request) -> String {
    String::from_utf8(request.body.clone()).unwrap()
}

/// A text field as it appears in a multipart body.
fn field(name: &str, value: &str) -> String {
    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
}

#[tokio::test]
async fn an_upload_is_multipart_with_the_file_and_every_field() {
    let server = MockServer::start().await;
    posts_answer(
        &server,
        UPLOAD,
        ResponseTemplate::new(200).set_body_json(directory_file("dfl-1", "crm-17")),
        1,
        failure(500),
    )
    .await;
    let (_dir, file) = report("%PDF-1.7 the report");
    let options = UploadOptions {
        fields: UploadDirectoryFileFields {
            display_name: Some("Q4 report".into()),
            external_file_id: Some("crm-17".into()),
            metadata: Some(r#"{"team": "finance"}"#.into()),
            unique_id: None,
        },
        params: batches_client::UploadDirectoryFileParams {
            project_id: Some("prj-1".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let uploaded = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &options)
        .await
        .unwrap();
    assert_eq!(uploaded.id, "dfl-1");
    assert_eq!(uploaded.extra["future_field"], json!([1, 2]));
    assert!(String::from_utf8_lossy(&uploaded.raw).contains("future_field"));

    let [request] = &requests_to(&server, "POST", UPLOAD).await[..] else {
        panic!("one upload")
    };
    assert_eq!(request.url.query(), Some("project_id=prj-1"));
    let content_type = request.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let body = body_text(request);
    assert!(body.contains(&field("display_name", "Q4 report")), "{body}");
    assert!(
        body.contains(&field("external_file_id", "crm-17")),
        "{body}"
    );
    assert!(
        body.contains(&field("metadata", r#"{"team": "finance"}"#)),
        "{body}"
    );
    // The server's own default, sent explicitly so that a retry is recognised.
    assert!(body.contains(&field("unique_id", "crm-17")), "{body}");
    assert!(
        body.contains(
            "Content-Disposition: form-data; name=\"upload_file\"; filename=\"report.pdf\"\r\n"
        ),
        "{body}"
    );
    assert!(body.contains("\r\n\r\n%PDF-1.7 the report\r\n"), "{body}");
    assert!(
        body.find("name=\"unique_id\"") < body.find("name=\"upload_file\""),
        "fields come before the file"
    );
}

#[tokio::test]
async fn the_unique_id_defaults_as_the_server_would_pick_it() {
    let (_dir, file) = report("x");
    for (fields, expected) in [
        (UploadDirectoryFileFields::default(), "report.pdf"),
        (
            UploadDirectoryFileFields {
                display_name: Some("Shown".into()),
                ..Default::default()
            },
            "Shown",
        ),
        (
            UploadDirectoryFileFields {
                display_name: Some("Shown".into()),
                external_file_id: Some("ext-9".into()),
                ..Default::default()
            },
            "ext-9",
        ),
        (
            UploadDirectoryFileFields {
                external_file_id: Some("ext-9".into()),
                unique_id: Some("mine".into()),
                ..Default::default()
            },
            "mine",
        ),
    ] {
        let server = MockServer::start().await;
        posts_answer(
            &server,
            UPLOAD,
            ResponseTemplate::new(200).set_body_json(directory_file("dfl-1", expected)),
            1,
            failure(500),
        )
        .await;
        let options = UploadOptions {
            fields,
            ..Default::default()
        };
        client(&server)
            .directories()
            .files("dir-1")
            .upload(&file, &options)
            .await
            .unwrap();
        let requests = requests_to(&server, "POST", UPLOAD).await;
        let body = body_text(&requests[0]);
        assert!(
            body.contains(&field("unique_id", expected)),
            "{expected}: {body}"
        );
    }
}

/// Answers 500 to the first upload after rewriting the file, then 200 only when the second
/// attempt carries the new contents.
struct RewriteThenCheck {
    file: PathBuf,
    calls: AtomicUsize,
}

impl Respond for RewriteThenCheck {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match self.calls.fetch_add(1, Ordering::SeqCst) {
            0 => {
                std::fs::write(&self.file, "second version, longer than the first").unwrap();
                failure(500)
            }
            _ if body_text(request)
                .contains("\r\n\r\nsecond version, longer than the first\r\n") =>
            {
                ResponseTemplate::new(200).set_body_json(directory_file("dfl-1", "report.pdf"))
            }
            _ => ResponseTemplate::new(400).set_body_json(json!({"detail": "stale bytes"})),
        }
    }
}

#[tokio::test]
async fn each_attempt_reads_the_file_anew() {
    let server = MockServer::start().await;
    let (_dir, file) = report("first");
    Mock::given(method("POST"))
        .and(path(UPLOAD))
        .respond_with(RewriteThenCheck {
            file: file.clone(),
            calls: AtomicUsize::new(0),
        })
        .mount(&server)
        .await;
    let uploaded = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &Default::default())
        .await
        .unwrap();
    assert_eq!(uploaded.id, "dfl-1");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn uploads_retry_like_get_and_stop_at_max_retries() {
    let server = MockServer::start().await;
    posts_answer(
        &server,
        UPLOAD,
        failure(503),
        2,
        ResponseTemplate::new(200).set_body_json(directory_file("dfl-1", "report.pdf")),
    )
    .await;
    let (_dir, file) = report("x");
    let uploaded = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &Default::default())
        .await
        .unwrap();
    assert_eq!(uploaded.id, "dfl-1");
    assert_eq!(request_count(&server).await, 3);

    let server = MockServer::start().await;
    posts_answer(&server, UPLOAD, failure(503), 10, failure(503)).await;
    let error = common::builder(&server.uri())
        .max_retries(1)
        .build()
        .unwrap()
        .directories()
        .files("dir-1")
        .upload(&file, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn return_rate_limited_gives_a_429_back_at_once_and_retries_the_rest() {
    let (_dir, file) = report("x");
    let options = UploadOptions {
        return_rate_limited: true,
        ..Default::default()
    };
    let server = MockServer::start().await;
    posts_answer(&server, UPLOAD, failure(429), 1, failure(429)).await;
    let error = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &options)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(
        error.retry_after(),
        Some(std::time::Duration::from_millis(1))
    );
    assert_eq!(request_count(&server).await, 1, "not retried");

    // Other failures are retried as ever.
    let server = MockServer::start().await;
    posts_answer(
        &server,
        UPLOAD,
        failure(503),
        2,
        ResponseTemplate::new(200).set_body_json(directory_file("dfl-1", "report.pdf")),
    )
    .await;
    let uploaded = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &options)
        .await
        .unwrap();
    assert_eq!(uploaded.id, "dfl-1");
    assert_eq!(request_count(&server).await, 3);

    // Without it, a 429 is retried like any other.
    let server = MockServer::start().await;
    posts_answer(
        &server,
        UPLOAD,
        failure(429),
        2,
        ResponseTemplate::new(200).set_body_json(directory_file("dfl-1", "report.pdf")),
    )
    .await;
    let uploaded = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &Default::default())
        .await
        .unwrap();
    assert_eq!(uploaded.id, "dfl-1");
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn a_file_that_cannot_be_read_is_an_error_naming_it_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server);
    let files = client.directories().files("dir-1");
    let missing = dir.path().join("gone.pdf");
    let error = files
        .upload(&missing, &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::File { path, .. } if path == &missing),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "upload directory file: cannot read {}: ",
            missing.display()
        )),
        "{message}"
    );
    let error = files
        .upload(dir.path(), &Default::default())
        .await
        .unwrap_err();
    assert!(error.to_string().ends_with("not a regular file"), "{error}");
    assert_eq!(request_count(&server).await, 0);

    let error = files
        .upload(Path::new("/"), &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::FileName {
                problem: batches_client::FileNameProblem::Missing,
                ..
            }
        ),
        "{error:?}"
    );
    let error = client
        .directories()
        .files(" ")
        .upload(&missing, &Default::default())
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("directory id is empty"),
        "{error}"
    );
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn a_directory_create_is_retried_only_where_it_cannot_have_been_acted_on() {
    let created = json!({"id": "dir-1", "name": "docs", "project_id": "prj-1"});
    for (status, attempts) in [(500, 1), (503, 1), (429, 2)] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/v1/beta/directories"))
            .respond_with(failure(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/v1/beta/directories"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&created))
            .mount(&server)
            .await;
        let result = client(&server)
            .directories()
            .create(&CreateDirectoryRequest::new("docs"), &Default::default())
            .await;
        assert_eq!(request_count(&server).await, attempts, "status {status}");
        assert_eq!(result.is_ok(), attempts == 2, "status {status}");
    }
}

#[tokio::test]
async fn a_repeated_page_token_names_the_listing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(FILES))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [directory_file("dfl-1", "a")],
            "next_page_token": "same",
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut pages = client
        .directories()
        .files("dir-1")
        .pages(Default::default());
    let mut seen = 0;
    let error = loop {
        match futures_util::StreamExt::next(&mut pages).await.unwrap() {
            Ok(_) => seen += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(seen, 2);
    assert!(
        error.to_string().starts_with(
            "list directory files: the server returned page token `same` a second time"
        ),
        "{error}"
    );
    let error = futures_util::StreamExt::next(
        &mut client.directories().files("").stream(Default::default()),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert!(
        error.to_string().contains("directory id is empty"),
        "{error}"
    );
}

//! The rule that a retried upload or add never leaves a duplicate file: a conflict after an
//! attempt of unknown outcome is read as that attempt having landed.

use super::*;

#[tokio::test]
async fn a_conflict_after_an_attempt_of_unknown_outcome_returns_the_landed_file() {
    for first in [500, 502, 503, 408] {
        let server = MockServer::start().await;
        posts_answer(&server, UPLOAD, failure(first), 1, conflict()).await;
        lookup_finds(&server, "docs/report.pdf").await;
        let (_dir, file) = report("x");
        let uploaded = client(&server)
            .directories()
            .files("dir-1")
            .upload(&file, &with_unique_id("docs/report.pdf"))
            .await
            .unwrap_or_else(|error| panic!("after {first}: {error}"));
        assert_eq!(uploaded.id, "dfl-landed");
        assert_eq!(uploaded.unique_id, "docs/report.pdf");
        assert_eq!(uploaded.http_status, 200);
        // The body is the file's own JSON, not the listing around it.
        let raw: Value = serde_json::from_slice(&uploaded.raw).unwrap();
        assert_eq!(raw, directory_file("dfl-landed", "docs/report.pdf"));
        assert_eq!(requests_to(&server, "POST", UPLOAD).await.len(), 2);
        assert_eq!(requests_to(&server, "GET", FILES).await.len(), 1);
    }
}

/// The lookup after a conflict asks the same project and organization as the upload.
#[tokio::test]
async fn the_lookup_is_scoped_like_the_upload_and_the_add() {
    let server = MockServer::start().await;
    posts_answer(&server, UPLOAD, failure(500), 1, conflict()).await;
    posts_answer(&server, FILES, failure(500), 1, conflict()).await;
    Mock::given(method("GET"))
        .and(path(FILES))
        .and(query_param("unique_id", "docs/report.pdf"))
        .and(query_param("organization_id", "org-1"))
        .and(query_param("project_id", "prj-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [directory_file("dfl-scoped", "docs/report.pdf")],
        })))
        .mount(&server)
        .await;
    let (_dir, file) = report("x");
    let options = UploadOptions {
        params: batches_client::UploadDirectoryFileParams {
            organization_id: Some("org-1".into()),
            project_id: Some("prj-1".into()),
        },
        ..with_unique_id("docs/report.pdf")
    };
    let client = client(&server);
    let files = client.directories().files("dir-1");
    let uploaded = files.upload(&file, &options).await.unwrap();
    assert_eq!(uploaded.id, "dfl-scoped");

    let request = AddDirectoryFileRequest {
        unique_id: Some("docs/report.pdf".into()),
        ..AddDirectoryFileRequest::new("f-1")
    };
    let params = batches_client::AddDirectoryFileParams {
        organization_id: Some("org-1".into()),
        project_id: Some("prj-1".into()),
    };
    let added = files.add(&request, &params).await.unwrap();
    assert_eq!(added.id, "dfl-scoped");
    let lookups = requests_to(&server, "GET", FILES).await;
    assert_eq!(lookups.len(), 2);
    assert!(
        lookups[1].url.query().unwrap().contains("file_id=f-1"),
        "{:?}",
        lookups[1].url.query()
    );
}

#[tokio::test]
async fn a_conflict_after_a_timed_out_attempt_returns_the_landed_file() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200)
        .set_body_json(directory_file("dfl-late", "docs/report.pdf"))
        .set_delay(std::time::Duration::from_secs(5));
    posts_answer(&server, UPLOAD, slow, 1, conflict()).await;
    lookup_finds(&server, "docs/report.pdf").await;
    let (_dir, file) = report("x");
    let uploaded = common::builder(&server.uri())
        .timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap()
        .directories()
        .files("dir-1")
        .upload(&file, &with_unique_id("docs/report.pdf"))
        .await
        .unwrap();
    assert_eq!(uploaded.id, "dfl-landed");
    assert_eq!(requests_to(&server, "POST", UPLOAD).await.len(), 2);
}

#[tokio::test]
async fn a_conflict_is_an_error_when_no_attempt_can_have_landed() {
    // First attempt: another file already has the unique id.
    let server = MockServer::start().await;
    posts_answer(&server, UPLOAD, conflict(), 1, failure(500)).await;
    lookup_finds(&server, "docs/report.pdf").await;
    let (_dir, file) = report("x");
    let error = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &with_unique_id("docs/report.pdf"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(409), "{error}");
    assert!(error.to_string().contains("already exists"), "{error}");
    assert_eq!(requests_to(&server, "GET", FILES).await.len(), 0);

    // A 429 is a refusal without action: the conflict after it is not the upload's own.
    let server = MockServer::start().await;
    posts_answer(&server, UPLOAD, failure(429), 1, conflict()).await;
    lookup_finds(&server, "docs/report.pdf").await;
    let error = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &with_unique_id("docs/report.pdf"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(409), "{error}");
    assert_eq!(requests_to(&server, "POST", UPLOAD).await.len(), 2);
    assert_eq!(requests_to(&server, "GET", FILES).await.len(), 0);
}

#[tokio::test]
async fn a_conflict_whose_file_is_not_found_stays_an_error() {
    let server = MockServer::start().await;
    posts_answer(&server, UPLOAD, failure(503), 1, conflict()).await;
    Mock::given(method("GET"))
        .and(path(FILES))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&server)
        .await;
    let (_dir, file) = report("x");
    let error = client(&server)
        .directories()
        .files("dir-1")
        .upload(&file, &with_unique_id("docs/report.pdf"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(409), "{error}");
    assert_eq!(requests_to(&server, "GET", FILES).await.len(), 1);
}

#[tokio::test]
async fn add_looks_the_file_up_by_its_file_id_after_an_unknown_outcome() {
    let server = MockServer::start().await;
    posts_answer(&server, FILES, failure(502), 1, conflict()).await;
    Mock::given(method("GET"))
        .and(path(FILES))
        .and(query_param("file_id", "f-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [directory_file("dfl-added", "report.pdf")],
        })))
        .mount(&server)
        .await;
    let added = client(&server)
        .directories()
        .files("dir-1")
        .add(&AddDirectoryFileRequest::new("f-1"), &Default::default())
        .await
        .unwrap();
    assert_eq!(added.id, "dfl-added");
    let posts = requests_to(&server, "POST", FILES).await;
    assert_eq!(posts.len(), 2);
    assert_eq!(
        serde_json::from_slice::<Value>(&posts[0].body).unwrap(),
        json!({"file_id": "f-1"})
    );
}

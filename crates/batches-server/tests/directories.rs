//! The source-directory subset: create, get, list, upload, add by id, list files.

mod common;

use std::{collections::HashSet, time::Duration};

use batches_server::RateLimit;
use common::{PROJECT, fast, locs, start};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn directories_are_created_fetched_and_listed() {
    let (server, api) = start(fast()).await;
    let (status, created) = api
        .post(
            "/api/v1/beta/directories",
            json!({"name": "inbox", "description": "scans", "type": "ephemeral"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("dir-") && uuid::Uuid::parse_str(&id[4..]).is_ok());
    assert_eq!(created["name"], "inbox");
    assert_eq!(created["description"], "scans");
    assert_eq!(created["type"], "ephemeral");
    assert_eq!(created["project_id"], PROJECT);
    assert_eq!(
        api.ok(&format!("/api/v1/beta/directories/{id}")).await,
        created
    );
    let (status, body) = api.get("/api/v1/beta/directories/dir-nope").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "Directory dir-nope not found"})
        )
    );

    for n in 0..7 {
        api.post("/api/v1/beta/directories", json!({"name": format!("d{n}")}))
            .await;
    }
    let (all, pages) = api.list_all("/api/v1/beta/directories?page_size=3").await;
    assert_eq!((all.len(), pages), (8, 3));
    assert_eq!(all[0], created, "oldest first");
    assert!(
        all[1..].iter().all(|d| d["type"] == "user"),
        "type defaults to user"
    );
    let (ephemeral, _) = api
        .list_all("/api/v1/beta/directories?type=ephemeral")
        .await;
    assert_eq!(ephemeral, vec![created.clone()]);
    let (both, _) = api
        .list_all("/api/v1/beta/directories?types=ephemeral&types=user")
        .await;
    assert_eq!(both.len(), 8);
    let (named, _) = api.list_all("/api/v1/beta/directories?name=d3").await;
    assert_eq!(named.len(), 1);

    let (status, body) = api
        .post(
            "/api/v1/beta/directories",
            json!({"type": "index", "system_metadata": 3}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        locs(&body),
        ["body.name", "body.type", "body.system_metadata"]
    );
    let (status, body) = api
        .get("/api/v1/beta/directories?types=bogus&include_deleted=maybe")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(locs(&body), ["query.types", "query.include_deleted"]);
    server.shutdown().await;
}

#[tokio::test]
async fn uploads_keep_name_size_and_optional_fields() {
    let (server, api) = start(fast()).await;
    let directory = api.create_directory("docs").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "upload_file",
            reqwest::multipart::Part::bytes(vec![7u8; 5000]).file_name("scan.pdf"),
        )
        .text("display_name", "Scan 1")
        .text("external_file_id", "ext-1")
        .text("metadata", r#"{"team": "finance", "pages": 3}"#);
    let (status, file) = api
        .send(
            api.request(
                Method::POST,
                &format!("/api/v1/beta/directories/{directory}/files/upload"),
            )
            .multipart(form),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert!(file["id"].as_str().unwrap().starts_with("dfl-"));
    assert_eq!(file["directory_id"], directory.as_str());
    assert_eq!(file["display_name"], "Scan 1");
    assert_eq!(
        file["unique_id"], "ext-1",
        "unique_id falls back to external_file_id"
    );
    assert_eq!(file["project_id"], PROJECT);
    assert_eq!(file["metadata"], json!({"team": "finance", "pages": 3}));

    let (status, plain) = api.upload(&directory, "notes.txt", b"hello").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(plain["display_name"], "notes.txt");
    assert_eq!(plain["unique_id"], "notes.txt");
    let (status, body) = api.upload(&directory, "notes.txt", b"again").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("unique_id"));

    // Add the uploaded file to a second directory by its file id.
    let other = api.create_directory("other").await;
    let (status, added) = api
        .post(
            &format!("/api/v1/beta/directories/{other}/files"),
            json!({"file_id": file["file_id"], "unique_id": "copy"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["file_id"], file["file_id"]);
    assert_eq!(
        added["display_name"], "scan.pdf",
        "the file's own name by default"
    );
    assert_eq!(added["directory_id"], other.as_str());
    let (status, _) = api
        .post(
            &format!("/api/v1/beta/directories/{other}/files"),
            json!({"file_id": "nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = api
        .post(
            &format!("/api/v1/beta/directories/{other}/files"),
            json!({"metadata": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(locs(&body), ["body.file_id", "body.metadata"]);

    let form = reqwest::multipart::Form::new().text("metadata", "[1]");
    let (status, body) = api
        .send(
            api.request(
                Method::POST,
                &format!("/api/v1/beta/directories/{directory}/files/upload"),
            )
            .multipart(form),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(locs(&body), ["body.upload_file", "body.metadata"]);
    let (status, body) = api
        .send(
            api.request(
                Method::POST,
                &format!("/api/v1/beta/directories/{directory}/files/upload"),
            )
            .json(&json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, _) = api.upload("dir-nope", "a.pdf", b"x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.shutdown().await;
}

#[tokio::test]
async fn oversized_uploads_are_refused_with_a_json_413() {
    let (server, api) = start(batches_server::ServerConfig {
        max_upload_body: 4096,
        ..fast()
    })
    .await;
    let directory = api.create_directory("docs").await;
    let (status, body) = api.upload(&directory, "big.pdf", &[b'x'; 10_000]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("4096"), "{body}");
    let files = api
        .ok(&format!("/api/v1/beta/directories/{directory}/files"))
        .await;
    assert_eq!(files["items"], json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn directory_files_are_cursor_paginated_and_filtered() {
    let (server, api) = start(fast()).await;
    let directory = server
        .fixtures()
        .create_directory_with_files(PROJECT, "many", 25)
        .unwrap();
    let path = format!("/api/v1/beta/directories/{directory}/files");
    let (files, pages) = api.list_all(&format!("{path}?page_size=10")).await;
    assert_eq!((files.len(), pages), (25, 3));
    let names: Vec<&str> = files
        .iter()
        .map(|f| f["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "file-0001.txt");
    assert_eq!(names[24], "file-0025.txt");
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), 25);
    let (some, _) = api
        .list_all(&format!("{path}?display_name_contains=-001"))
        .await;
    assert_eq!(some.len(), 10, "file-0010 to file-0019");
    let (one, _) = api
        .list_all(&format!("{path}?unique_id=file-0003.txt"))
        .await;
    assert_eq!(one, vec![files[2].clone()]);

    let first = api.ok(&format!("{path}?page_size=10")).await;
    let token = first["next_page_token"].as_str().unwrap();
    let (status, body) = api
        .get(&format!(
            "{path}?page_size=10&display_name=x&page_token={token}"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let elsewhere = server
        .fixtures()
        .create_directory_with_files(PROJECT, "few", 2)
        .unwrap();
    let (status, _) = api
        .get(&format!(
            "/api/v1/beta/directories/{elsewhere}/files?page_token={token}"
        ))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a token belongs to its directory"
    );
    let (status, body) = api.get(&format!("{path}?page_size=-1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "page_size"]));
    let (status, _) = api.get("/api/v1/beta/directories/dir-nope/files").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.shutdown().await;
}

#[tokio::test]
async fn uploads_over_the_rate_limit_get_a_429_with_retry_after() {
    let (server, api) = start(batches_server::ServerConfig {
        api_keys: vec![
            (common::KEY.into(), PROJECT.into()),
            ("llx-other".into(), "prj-other".into()),
        ],
        upload_rate_limit: Some(RateLimit {
            requests: 3,
            window: Duration::from_secs(30),
        }),
        ..fast()
    })
    .await;
    let directory = api.create_directory("docs").await;
    for n in 0..3 {
        let (status, body) = api.upload(&directory, &format!("{n}.pdf"), b"%PDF").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let response = api
        .request(
            Method::POST,
            &format!("/api/v1/beta/directories/{directory}/files/upload"),
        )
        .multipart(reqwest::multipart::Form::new().part(
            "upload_file",
            reqwest::multipart::Part::bytes(vec![b'x'; 200_000]).file_name("3.pdf"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let header =
        |name: &str| -> u64 { response.headers()[name].to_str().unwrap().parse().unwrap() };
    let (seconds, millis) = (header("retry-after"), header("retry-after-ms"));
    assert!((1..=30).contains(&seconds), "{seconds}");
    assert!(
        (1..=30_000).contains(&millis) && seconds * 1000 >= millis,
        "{millis}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Too many uploads: a project may upload 3 files per 30 s"),
        "{body}"
    );
    let files = api
        .ok(&format!("/api/v1/beta/directories/{directory}/files"))
        .await;
    assert_eq!(
        files["items"].as_array().unwrap().len(),
        3,
        "the refused one is not kept"
    );
    let counts = server.counts();
    assert_eq!((counts.uploads, counts.rate_limited), (4, 1));

    // Other projects have a window of their own.
    let other = api.with_key("llx-other");
    let directory = other.create_directory("theirs").await;
    let (status, _) = other.upload(&directory, "a.pdf", b"%PDF").await;
    assert_eq!(status, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_rate_limit_uploads_are_never_refused() {
    let (server, api) = start(batches_server::ServerConfig {
        upload_rate_limit: None,
        ..fast()
    })
    .await;
    let directory = api.create_directory("docs").await;
    for n in 0..60 {
        let (status, body) = api.upload(&directory, &format!("{n}.pdf"), b"%PDF").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let counts = server.counts();
    assert_eq!((counts.uploads, counts.rate_limited), (60, 0));
    assert!(counts.requests >= 61, "{counts:?}");
    server.shutdown().await;
}

/// The binary enforces the documented 50 uploads per 5 s by default; `--no-rate-limits`
/// lifts it.
#[test]
fn the_binary_limits_uploads_unless_told_not_to() {
    let upload_many = |args: &[&str]| -> Vec<u16> {
        let process = common::launch(args);
        let http = reqwest::blocking::Client::new();
        let directory: serde_json::Value = http
            .post(format!("{}/api/v1/beta/directories", process.base_url))
            .bearer_auth(common::KEY)
            .json(&json!({"name": "docs"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        (0..51)
            .map(|n| {
                let form = reqwest::blocking::multipart::Form::new().part(
                    "upload_file",
                    reqwest::blocking::multipart::Part::bytes(b"%PDF".to_vec())
                        .file_name(format!("{n}.pdf")),
                );
                http.post(format!(
                    "{}/api/v1/beta/directories/{}/files/upload",
                    process.base_url,
                    directory["id"].as_str().unwrap()
                ))
                .bearer_auth(common::KEY)
                .multipart(form)
                .send()
                .unwrap()
                .status()
                .as_u16()
            })
            .collect()
    };
    let limited = upload_many(&[]);
    assert_eq!(limited[..50], [200; 50]);
    assert_eq!(limited[50], 429, "the 51st within 5 s");
    assert_eq!(upload_many(&["--no-rate-limits"]), [200; 51]);
}

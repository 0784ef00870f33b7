//! The batch endpoints over HTTP: auth, routes, create validation and idempotency. The
//! lifecycle is in `lifecycle.rs`, listings in `listing.rs`.

mod common;

use batches_server::ServerConfig;
use common::{KEY, PROJECT, fast, locs, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn every_route_needs_a_known_key_and_projects_are_isolated() {
    let (server, api) = start(ServerConfig {
        api_keys: vec![
            (KEY.into(), PROJECT.into()),
            ("llx-other".into(), "prj-other".into()),
        ],
        ..fast()
    })
    .await;
    for (method, path) in [
        (Method::GET, "/api/v2/batches"),
        (Method::POST, "/api/v2/batches"),
        (Method::GET, "/api/v2/batches/bat-x"),
        (Method::POST, "/api/v2/batches/bat-x/cancel"),
        (Method::GET, "/api/v1/beta/directories"),
        (Method::POST, "/api/v1/beta/directories/dir-x/files/upload"),
    ] {
        for key in [None, Some("llx-wrong"), Some("")] {
            let mut request = api
                .http
                .request(method.clone(), format!("{}{path}", api.base));
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let (status, body) = api.send(request).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(body, json!({"detail": "Invalid authentication token"}));
        }
    }
    let (status, body) = api.get("/api/v2/batches?project_id=prj-other").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["detail"].as_str().unwrap().contains("prj-other"),
        "{body}"
    );
    api.ok("/api/v2/batches?project_id=prj-local&organization_id=org-1")
        .await;

    let directory = api.directory_with(&["a.pdf"]).await;
    let batch = api
        .create_batch(&directory, "parse_v2", "cfg-PARSE_AGENTIC")
        .await;
    assert_eq!(batch["project_id"], PROJECT);
    let other = api.with_key("llx-other");
    let id = batch["id"].as_str().unwrap();
    assert_eq!(
        other.get(&format!("/api/v2/batches/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .post(&format!("/api/v2/batches/{id}/cancel"), json!({}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.ok("/api/v2/batches").await["items"], json!([]));
    let (status, _) = other
        .post("/api/v2/batches", json!({"source_directory_id": directory, "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-1"}}}))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another project's directory is invisible"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let (server, api) = start(fast()).await;
    let (status, body) = api.get("/api/v2/nothing").await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, json!({"detail": "Not Found"}))
    );
    let (status, body) = api
        .send(api.request(Method::DELETE, "/api/v2/batches"))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body, json!({"detail": "Method Not Allowed"}));
    let (status, body) = api.get("/api/v2/batches/bat-missing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "Batch bat-missing not found"}));
    let (status, body) = api.get("/api/v2/batches/%FF%FE").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].is_string(), "{body}");
    let (status, body) = api.get("/api/v2/batches?status=%FF&page_size=%00").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(locs(&body), ["query.status", "query.page_size"]);
    server.shutdown().await;
}

#[tokio::test]
async fn create_validates_its_body_like_fastapi() {
    let (server, api) = start(fast()).await;
    let (status, body) = api.post("/api/v2/batches", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(locs(&body), ["body.source_directory_id", "body.config"]);
    assert_eq!(body["detail"][0]["type"], "missing");
    assert_eq!(body["detail"][0]["msg"], "Field required");

    let (status, body) = api
        .post(
            "/api/v2/batches",
            json!({"source_directory_id": 7, "config": {"job": {"type": "ocr_v9", "configuration_id": ""}},
                   "webhook_configuration_ids": ["ok", 3], "webhook_configurations": [{"webhook_url": 1}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        locs(&body),
        [
            "body.source_directory_id",
            "body.config.job.configuration_id",
            "body.config.job.type",
            "body.webhook_configuration_ids.1",
            "body.webhook_configurations.0.webhook_url"
        ]
    );
    let job_type = &body["detail"][2];
    assert_eq!(job_type["type"], "literal_error");
    assert_eq!(
        job_type["msg"],
        "Input should be 'parse_v2' or 'extract_v2'"
    );
    assert_eq!(job_type["input"], "ocr_v9");

    let (status, body) = api.post("/api/v2/batches", json!([1, 2])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "model_attributes_type");

    let (status, body) = api
        .send(
            api.request(Method::POST, "/api/v2/batches")
                .header("content-type", "application/json")
                .body("{\"source_directory_id\": "),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "json_invalid");
    assert_eq!(body["detail"][0]["loc"], json!(["body", 23]));

    let (status, body) = api
        .send(
            api.request(Method::POST, "/api/v2/batches")
                .header("content-type", "text/plain")
                .body("{}"),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{body}"
    );

    let huge = format!(
        "{{\"source_directory_id\": \"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let (status, body) = api
        .send(
            api.request(Method::POST, "/api/v2/batches")
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].as_str().unwrap().contains("limit"), "{body}");

    let job = json!({"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_AGENTIC"}});
    let (status, body) = api
        .post(
            "/api/v2/batches",
            json!({"source_directory_id": "dir-nope", "config": job}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"detail": "Directory dir-nope not found"})
        )
    );

    let empty = api.create_directory("empty").await;
    let (status, body) = api
        .post(
            "/api/v2/batches",
            json!({"source_directory_id": empty, "config": job}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(locs(&body), ["body.source_directory_id"]);
    assert!(
        body["detail"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("no files"),
        "{body}"
    );

    let big = server
        .fixtures()
        .create_directory_with_files(PROJECT, "big", 1001)
        .unwrap();
    let (status, body) = api
        .post(
            "/api/v2/batches",
            json!({"source_directory_id": big, "config": job}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["detail"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("more than 1000"),
        "{body}"
    );
    let full = server
        .fixtures()
        .create_directory_with_files(PROJECT, "full", 1000)
        .unwrap();
    api.create_batch(&full, "extract_v2", "cfg-EXTRACT_INVOICE")
        .await;
    server.shutdown().await;
}

#[tokio::test]
async fn idempotency_key_returns_the_first_batch_or_conflicts() {
    let (server, api) = start(fast()).await;
    let directory = api.directory_with(&["a.pdf", "b.pdf"]).await;
    let body = json!({"source_directory_id": directory, "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-1"}}});
    let reordered = json!({"config": {"job": {"configuration_id": "cfg-1", "type": "parse_v2"}}, "source_directory_id": directory});
    let create = |body: &Value, key: &str| {
        api.send(
            api.request(Method::POST, "/api/v2/batches")
                .header("Idempotency-Key", key)
                .json(body),
        )
    };
    let (status, first) = create(&body, "k-1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = create(&reordered, "k-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], first["id"]);
    let (_, other) = create(&body, "k-2").await;
    assert_ne!(other["id"], first["id"]);

    let changed = json!({"source_directory_id": directory, "config": {"job": {"type": "extract_v2", "configuration_id": "cfg-1"}}});
    let response = api
        .request(Method::POST, "/api/v2/batches")
        .header("Idempotency-Key", "k-1")
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(response.headers()["x-should-retry"], "false");
    let body: Value = response.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("Idempotency-Key"),
        "{body}"
    );

    let (items, _) = api.list_all("/api/v2/batches").await;
    assert_eq!(items.len(), 2, "the replay created nothing");
    server.shutdown().await;
}

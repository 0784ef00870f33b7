//! The batch endpoints over HTTP: auth, validation, idempotency, lifecycle, listing.

mod common;

use std::collections::HashSet;

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

#[tokio::test]
async fn batches_run_to_completion_with_per_file_results() {
    let (server, api) = start(ServerConfig {
        processing_ms: 50,
        ..fast()
    })
    .await;
    let directory = api.directory_with(&["a.pdf", "b.docx", "c.exe"]).await;
    let (status, body) = api.upload(&directory, "empty.pdf", b"").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = api
        .create_batch(&directory, "parse_v2", "cfg-PARSE_AGENTIC")
        .await;
    assert_eq!(created["status"], "PENDING");
    assert!(created["id"].as_str().unwrap().starts_with("bat-"));
    assert_eq!(created["source_directory_id"], directory.as_str());
    assert_eq!(
        created["config"],
        json!({"job": {"configuration_id": "cfg-PARSE_AGENTIC", "type": "parse_v2"}})
    );
    assert!(created.get("results").is_none());
    let id = created["id"].as_str().unwrap();
    let (seen, done) = api.wait_terminal(id).await;
    assert_eq!(seen.first().map(String::as_str), Some("PENDING"));
    assert!(seen.contains(&"RUNNING".to_owned()), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("COMPLETED"));
    assert!(done["updated_at"].as_str().unwrap() > created["updated_at"].as_str().unwrap());

    let results = done["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let files = api
        .ok(&format!("/api/v1/beta/directories/{directory}/files"))
        .await;
    let file_ids: Vec<&Value> = files["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| &file["id"])
        .collect();
    let result_ids: Vec<&Value> = results
        .iter()
        .map(|result| &result["source_directory_file_id"])
        .collect();
    assert_eq!(file_ids, result_ids);
    for (result, ok) in results.iter().zip([true, true, false, false]) {
        if ok {
            let reference = &result["job_reference"];
            assert!(
                reference["id"].as_str().unwrap().starts_with("pjb-"),
                "{result}"
            );
            assert_eq!(reference["type"], "parse_v2");
            assert!(result.get("error_message").is_none());
        } else {
            assert!(result["error_message"].is_string(), "{result}");
            assert!(result.get("job_reference").is_none());
        }
    }
    let plain = api.ok(&format!("/api/v2/batches/{id}")).await;
    assert!(
        plain.get("results").is_none(),
        "results only with expand=results"
    );

    let extract = api
        .create_batch(&directory, "extract_v2", "cfg-custom")
        .await;
    let (_, done) = api.wait_terminal(extract["id"].as_str().unwrap()).await;
    assert!(
        done["results"][0]["job_reference"]["id"]
            .as_str()
            .unwrap()
            .starts_with("ejb-")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_preset_of_the_other_product_fails_the_batch() {
    let (server, api) = start(fast()).await;
    let directory = api.directory_with(&["a.pdf"]).await;
    let batch = api
        .create_batch(&directory, "parse_v2", "cfg-EXTRACT_INVOICE")
        .await;
    let (_, done) = api.wait_terminal(batch["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "FAILED");
    assert!(
        done.get("results").is_none(),
        "FAILED has no reliable results: {done}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn batches_beyond_the_concurrency_limit_wait_throttled() {
    let (server, api) = start(ServerConfig {
        processing_ms: 100,
        concurrency_limit: 1,
        ..fast()
    })
    .await;
    let directory = api.directory_with(&["a.pdf", "b.pdf", "c.pdf"]).await;
    let first = api.create_batch(&directory, "parse_v2", "cfg-1").await;
    let second = api.create_batch(&directory, "parse_v2", "cfg-1").await;
    let (seen_second, _) = api.wait_terminal(second["id"].as_str().unwrap()).await;
    let (seen_first, _) = api.wait_terminal(first["id"].as_str().unwrap()).await;
    assert_eq!(
        seen_first,
        ["COMPLETED"],
        "the first one finished while the second waited"
    );
    assert_eq!(
        seen_second,
        ["PENDING", "THROTTLED", "RUNNING", "COMPLETED"]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn cancel_stops_a_running_batch_and_refuses_a_terminal_one() {
    let (server, api) = start(ServerConfig {
        processing_ms: 40,
        ..fast()
    })
    .await;
    let directory = api
        .directory_with(&["a.pdf", "b.pdf", "c.pdf", "d.pdf", "e.pdf"])
        .await;
    let batch = api.create_batch(&directory, "parse_v2", "cfg-1").await;
    let id = batch["id"].as_str().unwrap();
    loop {
        let now = api
            .ok(&format!("/api/v2/batches/{id}?expand=results"))
            .await;
        if now["results"]
            .as_array()
            .is_some_and(|results| !results.is_empty())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (status, cancelled) = api
        .post(&format!("/api/v2/batches/{id}/cancel"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "CANCELLED");
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let after = api
        .ok(&format!("/api/v2/batches/{id}?expand=results"))
        .await;
    assert_eq!(after["status"], "CANCELLED", "no step runs after a cancel");
    let kept = after["results"].as_array().unwrap().len();
    assert!(
        (1..5).contains(&kept),
        "finished files keep their results: {after}"
    );

    let response = api
        .request(Method::POST, &format!("/api/v2/batches/{id}/cancel"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(response.headers()["x-should-retry"], "false");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["detail"],
        format!("Batch {id} is already CANCELLED and cannot be cancelled")
    );
    assert_eq!(
        api.post("/api/v2/batches/bat-nope/cancel", json!(null))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    server.shutdown().await;
}

#[tokio::test]
async fn list_validates_its_query() {
    let (server, api) = start(fast()).await;
    let (status, body) = api
        .get("/api/v2/batches?page_size=0&status=DONE&created_at_on_or_after=soon&page_size=x")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        locs(&body),
        [
            "query.created_at_on_or_after",
            "query.status",
            "query.page_size"
        ]
    );
    assert_eq!(
        body["detail"][1]["msg"],
        "Input should be 'PENDING', 'THROTTLED', 'RUNNING', 'COMPLETED', 'FAILED' or 'CANCELLED'"
    );
    assert_eq!(body["detail"][2]["type"], "int_parsing");
    let (status, body) = api.get("/api/v2/batches?page_size=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "greater_than_equal");
    assert_eq!(
        body["detail"][0]["msg"],
        "Input should be greater than or equal to 1"
    );
    let (status, body) = api.get("/api/v2/batches?page_token=garbage").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["detail"].as_str().unwrap().contains("page_token"),
        "{body}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn list_is_newest_first_filtered_and_paged() {
    let (server, api) = start(ServerConfig {
        seed: 1300,
        seed_rng: 3,
        ..fast()
    })
    .await;
    let (all, pages) = api.list_all("/api/v2/batches?page_size=100").await;
    assert_eq!((all.len(), pages), (1300, 13));
    let ids: HashSet<&str> = all.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "no duplicates");
    // RFC 3339 strings of one format sort like instants only with equal precision, so
    // compare parsed instants.
    let instants: Vec<_> = all
        .iter()
        .map(|b| {
            b["created_at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        })
        .collect();
    assert!(instants.windows(2).all(|w| w[0] >= w[1]), "newest first");

    assert_eq!(
        api.ok("/api/v2/batches").await["items"]
            .as_array()
            .unwrap()
            .len(),
        50,
        "default page size"
    );
    assert_eq!(
        api.ok("/api/v2/batches?page_size=5000").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1000,
        "coerced to 1000"
    );

    for status in [
        "PENDING",
        "THROTTLED",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
    ] {
        let (items, _) = api
            .list_all(&format!("/api/v2/batches?status={status}&page_size=40"))
            .await;
        let expected = all.iter().filter(|b| b["status"] == status).count();
        assert!(expected > 0, "seeded data has every status");
        assert_eq!(items.len(), expected, "{status}");
    }
    let directory = all[0]["source_directory_id"].as_str().unwrap();
    let (items, _) = api
        .list_all(&format!(
            "/api/v2/batches?source_directory_id={directory}&status=COMPLETED"
        ))
        .await;
    let expected = all
        .iter()
        .filter(|b| b["source_directory_id"] == directory && b["status"] == "COMPLETED")
        .count();
    assert_eq!(items.len(), expected);

    // Inclusive bounds: the batches at exactly the bounds are in.
    let upper = all[100]["created_at"].as_str().unwrap();
    let lower = all[299]["created_at"].as_str().unwrap();
    let query = batches_types::ListBatchesParams {
        created_at_on_or_after: Some(lower.parse().unwrap()),
        created_at_on_or_before: Some(upper.parse().unwrap()),
        page_size: Some(33),
        ..Default::default()
    };
    let (items, _) = api
        .list_all(&format!("/api/v2/batches?{}", query.to_query_string()))
        .await;
    assert_eq!(items, all[100..300].to_vec());
    // A time without offset is UTC.
    let naive = upper.trim_end_matches('Z');
    let body = api
        .ok(&format!(
            "/api/v2/batches?created_at_on_or_before={naive}&page_size=1"
        ))
        .await;
    assert_eq!(body["items"][0], all[100]);

    // A token only works with the filters it was issued for (page_size may change).
    let first = api
        .ok("/api/v2/batches?status=COMPLETED&page_size=10")
        .await;
    let token = first["next_page_token"].as_str().unwrap();
    api.ok(&format!(
        "/api/v2/batches?status=COMPLETED&page_size=20&page_token={token}"
    ))
    .await;
    for other in [
        "status=FAILED",
        "",
        &format!("status=COMPLETED&source_directory_id={directory}"),
    ] {
        let (status, body) = api
            .get(&format!("/api/v2/batches?{other}&page_token={token}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{other}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("different filters"),
            "{body}"
        );
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_created_during_a_listing_cause_no_duplicate_or_skip() {
    let (server, api) = start(ServerConfig {
        seed: 600,
        processing_ms: 100_000,
        ..fast()
    })
    .await;
    let (before, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    let directory = api.directory_with(&["a.pdf"]).await;
    let writer = {
        let api = api.clone();
        let directory = directory.clone();
        tokio::spawn(async move {
            for _ in 0..150 {
                api.create_batch(&directory, "parse_v2", "cfg-1").await;
            }
        })
    };
    let (during, pages) = api.list_all("/api/v2/batches?page_size=7").await;
    writer.await.unwrap();
    assert!(pages > 80);
    let ids: Vec<&str> = during.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "no duplicate"
    );
    let during_ids: HashSet<&str> = ids.into_iter().collect();
    for batch in &before {
        assert!(
            during_ids.contains(batch["id"].as_str().unwrap()),
            "skipped {}",
            batch["id"]
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn seeded_data_looks_real() {
    let (server, api) = start(ServerConfig {
        seed: 400,
        seed_rng: 9,
        ..fast()
    })
    .await;
    let (all, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    assert_eq!(all.len(), 400);
    let now = chrono::Utc::now();
    let mut job_types = HashSet::new();
    let mut with_errors = 0;
    for batch in &all {
        let id = batch["id"].as_str().unwrap();
        assert!(
            id.starts_with("bat-") && uuid::Uuid::parse_str(&id[4..]).is_ok(),
            "{id}"
        );
        assert!(
            batch["source_directory_id"]
                .as_str()
                .unwrap()
                .starts_with("dir-")
        );
        let created: chrono::DateTime<chrono::Utc> =
            batch["created_at"].as_str().unwrap().parse().unwrap();
        assert!(created <= now && created > now - chrono::Duration::days(30));
        job_types.insert(batch["config"]["job"]["type"].as_str().unwrap().to_owned());
        if batch["status"] == "COMPLETED" {
            let full = api
                .ok(&format!("/api/v2/batches/{id}?expand=results"))
                .await;
            for result in full["results"].as_array().unwrap() {
                assert!(
                    result["source_directory_file_id"]
                        .as_str()
                        .unwrap()
                        .starts_with("dfl-")
                );
                match result.get("job_reference") {
                    Some(reference) => {
                        let prefix = if reference["type"] == "parse_v2" {
                            "pjb-"
                        } else {
                            "ejb-"
                        };
                        assert!(
                            reference["id"].as_str().unwrap().starts_with(prefix),
                            "{result}"
                        );
                    }
                    None => with_errors += usize::from(result["error_message"].is_string()),
                }
            }
        }
    }
    assert_eq!(job_types.len(), 2);
    assert!(with_errors > 0, "some seeded results carry per-file errors");
    let directories = api.ok("/api/v1/beta/directories").await;
    assert!(directories["items"].as_array().unwrap().len() >= 3);

    let again = start(ServerConfig {
        seed: 400,
        seed_rng: 9,
        ..fast()
    })
    .await;
    let (same, _) = again.1.list_all("/api/v2/batches?page_size=1000").await;
    let ids = |items: &[Value]| {
        items
            .iter()
            .map(|b| b["id"].clone())
            .collect::<HashSet<_>>()
    };
    assert_eq!(
        ids(&all),
        ids(&same),
        "the same --seed-rng gives the same batches"
    );
    again.0.shutdown().await;
    server.shutdown().await;
}

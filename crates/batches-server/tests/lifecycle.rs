//! Batches over HTTP through their lifecycle: per-file results, failure, throttling, cancel.

mod common;

use batches_server::ServerConfig;
use common::{fast, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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

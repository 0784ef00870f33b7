//! `--seed N` makes history, not a snapshot: batches older than their processing time have
//! ended with the results a batch run by the emulator has, and recent ones go on through
//! the lifecycle like batches created through the API, so waiting on any of them ends.

mod common;

use std::collections::HashMap;

use batches_server::ServerConfig;
use common::{Api, fast, start};
use serde_json::Value;

const LIVE: &[&str] = &["PENDING", "THROTTLED", "RUNNING"];

/// The ids of a directory's files, in its order (the order a batch maps them in).
async fn file_ids(api: &Api, directory: &str) -> Vec<Value> {
    let (files, _) = api
        .list_all(&format!(
            "/api/v1/beta/directories/{directory}/files?page_size=100"
        ))
        .await;
    files.iter().map(|file| file["id"].clone()).collect()
}

/// Checks that `batch` (fetched with its results) shows what its status promises, and
/// returns its status.
async fn check_results(
    api: &Api,
    directories: &mut HashMap<String, Vec<Value>>,
    batch: &Value,
) -> String {
    let status = batch["status"].as_str().unwrap().to_owned();
    let directory = batch["source_directory_id"].as_str().unwrap().to_owned();
    if !directories.contains_key(&directory) {
        let ids = file_ids(api, &directory).await;
        directories.insert(directory.clone(), ids);
    }
    let files = &directories[&directory];
    let results: Vec<Value> = batch["results"].as_array().cloned().unwrap_or_default();
    let mapped: Vec<Value> = results
        .iter()
        .map(|result| result["source_directory_file_id"].clone())
        .collect();
    let what = format!("{} {status}: {batch}", batch["id"]);
    assert!(
        files.starts_with(&mapped),
        "results in directory order: {what}"
    );
    for result in &results {
        assert!(
            result["job_reference"]["id"].is_string() != result["error_message"].is_string(),
            "a job or an error per file: {what}"
        );
    }
    match status.as_str() {
        "COMPLETED" => assert_eq!(mapped.len(), files.len(), "a result per file: {what}"),
        "FAILED" => {
            assert!(batch["results"].is_null(), "{what}");
            let job = &batch["config"]["job"];
            let configuration = job["configuration_id"].as_str().unwrap();
            let other_product = if job["type"] == "parse_v2" {
                "cfg-EXTRACT_"
            } else {
                "cfg-PARSE_"
            };
            assert!(
                configuration.starts_with(other_product),
                "fails as the lifecycle fails a batch: a preset of the other product: {what}"
            );
        }
        "PENDING" | "THROTTLED" => assert!(batch["results"].is_null(), "{what}"),
        "CANCELLED" | "RUNNING" => {
            assert!(mapped.len() < files.len(), "{what}")
        }
        other => panic!("unexpected status {other}: {what}"),
    }
    let created: chrono::DateTime<chrono::Utc> =
        batch["created_at"].as_str().unwrap().parse().unwrap();
    let updated: chrono::DateTime<chrono::Utc> =
        batch["updated_at"].as_str().unwrap().parse().unwrap();
    assert!(
        created <= updated && updated <= chrono::Utc::now(),
        "{what}"
    );
    status
}

/// Every batch, each fetched with its results.
async fn every_batch(api: &Api) -> Vec<Value> {
    let (listed, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    let mut batches = Vec::new();
    for batch in listed {
        let id = batch["id"].as_str().unwrap();
        batches.push(
            api.ok(&format!("/api/v2/batches/{id}?expand=results"))
                .await,
        );
    }
    batches
}

#[tokio::test]
async fn seeded_batches_older_than_their_processing_time_have_ended_with_their_results() {
    let (server, api) = start(ServerConfig {
        seed: 300,
        seed_rng: 5,
        ..fast()
    })
    .await;
    let mut directories = HashMap::new();
    let mut statuses = HashMap::new();
    for batch in every_batch(&api).await {
        let status = check_results(&api, &mut directories, &batch).await;
        *statuses.entry(status).or_insert(0) += 1;
    }
    // Spread over 30 days, every batch is far older than the 5 ms steps of its files.
    for status in ["COMPLETED", "FAILED", "CANCELLED"] {
        assert!(statuses.get(status) > Some(&0), "{status}: {statuses:?}");
    }
    assert_eq!(statuses.values().sum::<i32>(), 300, "{statuses:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn recent_seeded_batches_go_on_through_the_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("batches.sqlite");
    // Steps of an hour over two days: the recent batches are still going, four at most
    // running, the others waiting their turn.
    let (server, api) = start(ServerConfig {
        db: Some(db.clone()),
        seed: 80,
        seed_rng: 2,
        seed_days: 2,
        processing_ms: 3_600_000,
        ..fast()
    })
    .await;
    let mut directories = HashMap::new();
    let mut live = Vec::new();
    let mut statuses: HashMap<String, usize> = HashMap::new();
    for batch in every_batch(&api).await {
        let status = check_results(&api, &mut directories, &batch).await;
        if LIVE.contains(&status.as_str()) {
            live.push(batch["id"].as_str().unwrap().to_owned());
        }
        *statuses.entry(status).or_default() += 1;
    }
    for status in LIVE.iter().skip(1).chain(&["COMPLETED"]) {
        assert!(statuses.get(*status) > Some(&0), "{status}: {statuses:?}");
    }
    assert!(
        statuses["RUNNING"] <= 4,
        "no more running than a project may: {statuses:?}"
    );
    server.shutdown().await;

    // The same database at a quick pace: every batch that was going ends.
    let (server, api) = start(ServerConfig {
        db: Some(db),
        ..fast()
    })
    .await;
    for id in &live {
        let (_, batch) = api.wait_terminal(id).await;
        check_results(&api, &mut directories, &batch).await;
    }
    server.shutdown().await;
}

//! Idempotency under concurrency: creates racing with one key make one batch.

mod common;

use std::collections::HashSet;

use common::{fast, start};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_creates_with_one_key_make_one_batch() {
    let (server, api) = start(fast()).await;
    let directory = api.directory_with(&["a.pdf"]).await;
    let body = json!({"source_directory_id": directory, "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-1"}}});
    let creates = (0..20).map(|_| {
        let api = api.clone();
        let body = body.clone();
        tokio::spawn(async move {
            api.send(
                api.request(Method::POST, "/api/v2/batches")
                    .header("Idempotency-Key", "race-1")
                    .json(&body),
            )
            .await
        })
    });
    let mut ids = HashSet::new();
    for create in creates.collect::<Vec<_>>() {
        let (status, batch) = create.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{batch}");
        ids.insert(batch["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "every racer got the same batch: {ids:?}");
    let (items, _) = api.list_all("/api/v2/batches").await;
    assert_eq!(items.len(), 1, "one batch was made");

    // The key with another body is refused, however many race.
    let other = json!({"source_directory_id": directory, "config": {"job": {"type": "extract_v2", "configuration_id": "cfg-1"}}});
    let (status, detail) = api
        .send(
            api.request(Method::POST, "/api/v2/batches")
                .header("Idempotency-Key", "race-1")
                .json(&other),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{detail}");
    let (items, _) = api.list_all("/api/v2/batches").await;
    assert_eq!(items.len(), 1);
    server.shutdown().await;
}

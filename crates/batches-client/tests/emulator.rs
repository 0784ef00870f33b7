//! End to end against the project's emulator: the whole getting-started flow, a listing
//! under injected faults, and a key the server does not know.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use batches_client::{
    BatchConfig, BatchStatus, Client, CreateBatchRequest, CreateOptions, GetBatchParams, JobConfig,
    JobType, ListBatchesParams, WaitOptions,
};
use batches_server::{DEFAULT_API_KEY, FaultKind, ServerConfig, spawn};
use common::emulator_builder;
use futures_util::TryStreamExt;

fn client(base_url: &str) -> Client {
    emulator_builder(base_url).build().unwrap()
}

#[tokio::test]
async fn create_wait_get_results_and_cancel() {
    let server = spawn(ServerConfig {
        processing_ms: 5,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let directory = server
        .fixtures()
        .create_directory_with_files(DEFAULT_API_KEY.1, "invoices", 3)
        .unwrap();
    let client = client(&server.base_url());
    let batches = client.batches();

    let request = CreateBatchRequest::new(
        directory.clone(),
        BatchConfig::new(JobConfig::new("cfg-PARSE_AGENTIC", JobType::ParseV2)),
    );
    let created = batches
        .create(&request, &CreateOptions::default())
        .await
        .unwrap();
    assert_eq!(created.source_directory_id, directory);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = seen.clone();
    let options = WaitOptions::new()
        .interval(Duration::from_millis(10))
        .max_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(30))
        .on_change(move |batch| recorder.lock().unwrap().push(batch.status.clone()));
    let finished = batches.wait(&created.id, options).await.unwrap();
    assert_eq!(finished.value.status, BatchStatus::Completed);
    assert_eq!(seen.lock().unwrap().last(), Some(&BatchStatus::Completed));

    let params = GetBatchParams {
        expand: Some(vec!["results".into()]),
        ..Default::default()
    };
    let expanded = batches.get(&created.id, &params).await.unwrap();
    assert_eq!(expanded.value.results.as_ref().map(Vec::len), Some(3));

    let error = batches
        .cancel(&created.id, &Default::default())
        .await
        .unwrap_err();
    assert!(
        error
            .status()
            .is_some_and(|status| (400..500).contains(&status)),
        "{error}"
    );

    let listed = batches
        .list(&ListBatchesParams {
            source_directory_id: Some(directory),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn a_listing_survives_injected_faults() {
    let server = spawn(ServerConfig {
        seed: 250,
        fault_rate: 0.4,
        fault_kinds: vec![
            FaultKind::InternalServerError,
            FaultKind::ServiceUnavailable,
            FaultKind::Reset,
            FaultKind::Truncate,
        ],
        fault_seed: 7,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let client = emulator_builder(&server.base_url())
        .max_retries(10)
        .build()
        .unwrap();
    let params = ListBatchesParams {
        page_size: Some(40),
        ..Default::default()
    };
    let ids: Vec<String> = client
        .batches()
        .stream(params)
        .map_ok(|batch| batch.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 250);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 250);
    server.shutdown().await;
}

#[tokio::test]
async fn an_unknown_key_is_a_401_that_mentions_regions() {
    let server = spawn(ServerConfig::default()).await.unwrap();
    let client = Client::builder()
        .api_key("llx-other-region")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let error = client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert!(error.to_string().contains("one region"), "{error}");
    server.shutdown().await;
}

//! The blocking client: the same operations as the async one, and an error rather than a
//! panic inside an async runtime.

mod common;

use std::time::Duration;

use batches_client::{
    BatchConfig, BatchStatus, CreateBatchRequest, CreateOptions, Error, JobConfig, JobType,
    WaitOptions, blocking,
};
use common::{batch, builder, page};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A mock server with the four endpoints; the runtime hosting it must outlive the test.
fn server() -> (tokio::runtime::Runtime, MockServer) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        let mocks = [
            Mock::given(method("GET"))
                .and(path("/api/v2/batches"))
                .and(query_param_is_missing("page_token"))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(page(&["bat-1", "bat-2"], Some("t2"))),
                ),
            Mock::given(method("GET"))
                .and(path("/api/v2/batches"))
                .and(query_param("page_token", "t2"))
                .respond_with(ResponseTemplate::new(200).set_body_json(page(&["bat-3"], None))),
            Mock::given(method("GET"))
                .and(path("/api/v2/batches/bat-1"))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(batch("bat-1", "COMPLETED")),
                ),
            Mock::given(method("POST"))
                .and(path("/api/v2/batches"))
                .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat-9", "PENDING"))),
            Mock::given(method("POST"))
                .and(path("/api/v2/batches/bat-1/cancel"))
                .respond_with(
                    ResponseTemplate::new(409)
                        .set_body_json(serde_json::json!({"detail": "Batch is already completed"})),
                ),
        ];
        for mock in mocks {
            mock.mount(&server).await;
        }
        server
    });
    (runtime, server)
}

#[test]
fn every_operation_matches_the_async_client() {
    let (_runtime, server) = server();
    let client = blocking::Client::new(builder(&server.uri())).unwrap();
    let batches = client.batches();

    let page = batches.list(&Default::default()).unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_token(), Some("t2"));
    let raw = batches.list_raw(&Default::default()).unwrap();
    assert_eq!(raw.raw, page.raw);
    assert!(raw.items[0].get().contains(r#""id":"bat-1""#));

    let ids: Vec<String> = batches
        .iter(Default::default())
        .map(|batch| batch.map(|batch| batch.id))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, ["bat-1", "bat-2", "bat-3"]);
    assert_eq!(batches.iter(Default::default()).max_items(1).count(), 1);
    let pages: Vec<_> = batches
        .pages(Default::default())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(
        batches.raw_pages(Default::default()).max_items(2).count(),
        1
    );

    assert_eq!(
        batches
            .get("bat-1", &Default::default())
            .unwrap()
            .value
            .status,
        BatchStatus::Completed
    );
    let request = CreateBatchRequest::new(
        "dir-1",
        BatchConfig::new(JobConfig::new("cfg-1", JobType::ExtractV2)),
    );
    assert_eq!(
        batches
            .create(&request, &CreateOptions::default())
            .unwrap()
            .id,
        "bat-9"
    );
    let error = batches.cancel("bat-1", &Default::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cancel batch failed: HTTP 409 Conflict: Batch is already completed"
    );
    let waited = batches
        .wait(
            "bat-1",
            WaitOptions::new().interval(Duration::from_millis(10)),
        )
        .unwrap();
    assert_eq!(waited.value.status, BatchStatus::Completed);
}

#[test]
fn an_error_ends_the_iterator() {
    let (_runtime, server) = server();
    let client = blocking::Client::new(builder(&format!("{}/missing", server.uri()))).unwrap();
    let mut iter = client.batches().iter(Default::default());
    assert_eq!(iter.next().unwrap().unwrap_err().status(), Some(404));
    assert!(iter.next().is_none());
}

#[tokio::test]
async fn inside_an_async_runtime_it_errs_instead_of_panicking() {
    let client = blocking::Client::new(builder("http://127.0.0.1:9")).unwrap();
    let error = client.batches().list(&Default::default()).unwrap_err();
    assert!(matches!(error, Error::BlockingInAsyncContext), "{error:?}");
    let mut iter = client.batches().iter(Default::default());
    assert!(matches!(
        iter.next(),
        Some(Err(Error::BlockingInAsyncContext))
    ));
    assert!(iter.next().is_none());
    // Dropping the client (and its runtime) here must not panic either.
    drop(iter);
    drop(client);
}

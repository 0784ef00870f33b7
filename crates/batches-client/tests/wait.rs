//! `wait`: polling with backoff, the status-change callback and the wait's own timeout,
//! on paused time.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use batches_client::{BatchStatus, Error, GetBatchParams, WaitOptions};
use common::{batch, paused_builder, request_count};
use tokio::time::Instant;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Answers the polls of `bat-1` with each status in turn, `times` polls each.
async fn statuses(server: &MockServer, sequence: &[(&str, u64)]) {
    for (status, times) in sequence {
        Mock::given(method("GET"))
            .and(path("/api/v2/batches/bat-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat-1", status)))
            .up_to_n_times(*times)
            .mount(server)
            .await;
    }
}

#[tokio::test(start_paused = true)]
async fn polls_with_backoff_until_terminal_and_reports_each_change() {
    let server = MockServer::start().await;
    statuses(&server, &[("PENDING", 2), ("RUNNING", 4), ("COMPLETED", 1)]).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = seen.clone();
    let polls = Arc::new(Mutex::new(0));
    let counter = polls.clone();
    let options = WaitOptions::new()
        .interval(Duration::from_secs(1))
        .max_interval(Duration::from_secs(5))
        .on_change(move |batch| recorder.lock().unwrap().push(batch.status.clone()))
        .on_poll(move |_| *counter.lock().unwrap() += 1);
    let started = Instant::now();
    let batch = client.batches().wait("bat-1", options).await.unwrap();
    assert_eq!(batch.value.status, BatchStatus::Completed);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            BatchStatus::Pending,
            BatchStatus::Running,
            BatchStatus::Completed
        ]
    );
    assert_eq!(request_count(&server).await, 7);
    assert_eq!(*polls.lock().unwrap(), 7);
    // Pauses between the 7 polls: 1, 2, 4, 5, 5, 5 seconds.
    assert_eq!(started.elapsed(), Duration::from_secs(22));
}

#[tokio::test(start_paused = true)]
async fn gives_up_at_its_own_timeout_with_the_last_status() {
    let server = MockServer::start().await;
    statuses(&server, &[("RUNNING", 100)]).await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let options = WaitOptions::new()
        .interval(Duration::from_secs(4))
        .timeout(Duration::from_secs(10));
    let started = Instant::now();
    let error = client.batches().wait("bat-1", options).await.unwrap_err();
    let Error::WaitTimeout {
        batch_id,
        last_status,
        waited,
        ..
    } = &error
    else {
        panic!("expected a wait timeout, got {error:?}");
    };
    assert_eq!(batch_id, "bat-1");
    assert_eq!(*last_status, BatchStatus::Running);
    assert_eq!(*waited, Duration::from_secs(10));
    assert_eq!(
        error.to_string(),
        "batch bat-1 is still RUNNING after waiting 10 s"
    );
    // Polls at 0 s, 4 s and (pause capped by the timeout) 10 s.
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(started.elapsed(), Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn an_unknown_status_keeps_polling_and_params_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("expand", "results"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat-1", "PAUSED")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("expand", "results"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat-1", "CANCELLED")))
        .mount(&server)
        .await;
    let client = paused_builder(&server.uri()).build().unwrap();
    let params = GetBatchParams {
        expand: Some(vec!["results".into()]),
        ..Default::default()
    };
    let batch = client
        .batches()
        .wait("bat-1", WaitOptions::new().params(params))
        .await
        .unwrap();
    assert_eq!(batch.value.status, BatchStatus::Cancelled);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn errors_end_the_wait_and_bad_intervals_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let client = common::client(&server);
    let error = client
        .batches()
        .wait("bat-1", WaitOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));

    let options = WaitOptions::new()
        .interval(Duration::from_secs(5))
        .max_interval(Duration::from_secs(1));
    let error = client.batches().wait("bat-1", options).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(request_count(&server).await, 1);
}

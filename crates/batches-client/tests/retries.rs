//! Every retry rule, against a local server. Delays run on paused Tokio time, so the
//! exact waits are checked without the suite waiting for them.

mod common;

use std::time::Duration;

use batches_client::{
    BatchConfig, Client, CreateBatchRequest, CreateOptions, Error, JobConfig, JobType,
    TransportPhase,
};
use common::{batch, page, paused_builder, request_count};
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn paused_client(server: &MockServer) -> Client {
    paused_builder(&server.uri()).build().unwrap()
}

/// Mounts `first` for the first `times` list requests, then a good page.
async fn list_fails_then_succeeds(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(&["bat-1"], None)))
        .mount(server)
        .await;
}

fn create_request() -> CreateBatchRequest {
    CreateBatchRequest::new(
        "dir-1",
        BatchConfig::new(JobConfig::new("cfg-PARSE_AGENTIC", JobType::ParseV2)),
    )
}

/// Mounts `first` for the first `times` creates, then a created batch.
async fn create_fails_then_succeeds(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/v2/batches"))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/batches"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat-1", "PENDING")))
        .mount(server)
        .await;
}

#[tokio::test(start_paused = true)]
async fn idempotent_requests_retry_408_429_and_5xx_with_backoff() {
    for status in [408, 429, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        list_fails_then_succeeds(&server, ResponseTemplate::new(status), 2).await;
        let started = Instant::now();
        let page = paused_client(&server)
            .batches()
            .list(&Default::default())
            .await;
        assert_eq!(page.unwrap().items.len(), 1, "status {status}");
        assert_eq!(request_count(&server).await, 3, "status {status}");
        assert_two_backoffs(started.elapsed());
    }
}

#[tokio::test(start_paused = true)]
async fn conflicts_and_other_client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let server = MockServer::start().await;
        list_fails_then_succeeds(&server, ResponseTemplate::new(status), 1).await;
        let error = paused_client(&server)
            .batches()
            .list(&Default::default())
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(request_count(&server).await, 1, "status {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn x_should_retry_overrides_the_status() {
    let server = MockServer::start().await;
    let refuse = ResponseTemplate::new(503).insert_header("x-should-retry", "false");
    list_fails_then_succeeds(&server, refuse, 1).await;
    let error = paused_client(&server)
        .batches()
        .list(&Default::default())
        .await;
    assert_eq!(error.unwrap_err().status(), Some(503));
    assert_eq!(request_count(&server).await, 1);

    let server = MockServer::start().await;
    let insist = ResponseTemplate::new(409).insert_header("x-should-retry", "true");
    list_fails_then_succeeds(&server, insist, 1).await;
    paused_client(&server)
        .batches()
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_after_max_retries_with_the_last_error() {
    let server = MockServer::start().await;
    list_fails_then_succeeds(&server, ResponseTemplate::new(503), 10).await;
    let client = paused_builder(&server.uri())
        .max_retries(4)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(request_count(&server).await, 5);
    // 0.5 + 1 + 2 + 4 = 7.5 s of backoff at most, 5.625 s at least.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(5625) && waited <= Duration::from_millis(7500),
        "{waited:?}"
    );

    let server = MockServer::start().await;
    list_fails_then_succeeds(&server, ResponseTemplate::new(503), 10).await;
    let client = paused_builder(&server.uri())
        .max_retries(0)
        .build()
        .unwrap();
    client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn server_delay_headers_are_obeyed_exactly() {
    let cases = [
        ResponseTemplate::new(429).insert_header("retry-after-ms", "1500"),
        ResponseTemplate::new(429)
            .insert_header("retry-after-ms", "1500")
            .insert_header("retry-after", "30"),
        ResponseTemplate::new(503).insert_header("retry-after", "1.5"),
    ];
    for response in cases {
        let server = MockServer::start().await;
        list_fails_then_succeeds(&server, response, 1).await;
        let started = Instant::now();
        paused_client(&server)
            .batches()
            .list(&Default::default())
            .await
            .unwrap();
        assert_eq!(started.elapsed().as_millis(), 1500);
    }

    let server = MockServer::start().await;
    list_fails_then_succeeds(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "60"),
        1,
    )
    .await;
    let started = Instant::now();
    paused_client(&server)
        .batches()
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(started.elapsed().as_secs(), 60);
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date() {
    let server = MockServer::start().await;
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(20));
    list_fails_then_succeeds(
        &server,
        ResponseTemplate::new(503).insert_header("retry-after", at),
        1,
    )
    .await;
    let started = Instant::now();
    paused_client(&server)
        .batches()
        .list(&Default::default())
        .await
        .unwrap();
    // HTTP dates have whole seconds: the wait is between 19 and 20 s.
    let waited = started.elapsed();
    assert!(
        waited > Duration::from_secs(18) && waited <= Duration::from_secs(20),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_server_demand_over_the_cap_ends_with_an_error_saying_so() {
    let server = MockServer::start().await;
    let demand = ResponseTemplate::new(429).insert_header("retry-after", "120");
    list_fails_then_succeeds(&server, demand, 1).await;
    let error = paused_client(&server)
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert_eq!(request_count(&server).await, 1);
    let Error::Api { retry_after, .. } = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(*retry_after, Some(Duration::from_secs(120)));
    assert_eq!(
        error.to_string(),
        "list batches failed: HTTP 429 Too Many Requests; the server asked to wait 120 s before \
         retrying"
    );
}

#[tokio::test(start_paused = true)]
async fn create_with_a_generated_key_is_retried_only_where_no_duplicate_can_result() {
    let client_for = |server: &MockServer| paused_client(server);

    // Refused outright, or the server says so: retried, with the same key.
    for first in [
        ResponseTemplate::new(429),
        ResponseTemplate::new(500).insert_header("x-should-retry", "true"),
    ] {
        let server = MockServer::start().await;
        create_fails_then_succeeds(&server, first, 1).await;
        let created = client_for(&server)
            .batches()
            .create(&create_request(), &CreateOptions::default())
            .await
            .unwrap();
        assert_eq!(created.id, "bat-1");
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 2);
        assert_eq!(
            received[0].headers["idempotency-key"],
            received[1].headers["idempotency-key"]
        );
    }

    // The server may have acted: not retried.
    for first in [
        ResponseTemplate::new(500),
        ResponseTemplate::new(503),
        ResponseTemplate::new(408),
        ResponseTemplate::new(409),
        ResponseTemplate::new(429).insert_header("x-should-retry", "false"),
    ] {
        let server = MockServer::start().await;
        create_fails_then_succeeds(&server, first, 1).await;
        let error = client_for(&server)
            .batches()
            .create(&create_request(), &CreateOptions::default())
            .await
            .unwrap_err();
        assert!(error.status().is_some(), "{error:?}");
        assert_eq!(request_count(&server).await, 1, "{error}");
    }
}

#[tokio::test(start_paused = true)]
async fn create_with_the_callers_key_is_retried_like_a_get() {
    let server = MockServer::start().await;
    create_fails_then_succeeds(&server, ResponseTemplate::new(502), 2).await;
    let options = CreateOptions {
        idempotency_key: Some("nightly-2026-11-29".into()),
        ..Default::default()
    };
    paused_client(&server)
        .batches()
        .create(&create_request(), &options)
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    for request in received {
        assert_eq!(request.headers["idempotency-key"], "nightly-2026-11-29");
    }

    let server = MockServer::start().await;
    let bad_key = CreateOptions {
        idempotency_key: Some("two\nlines".into()),
        ..Default::default()
    };
    let error = paused_client(&server)
        .batches()
        .create(&create_request(), &bad_key)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(request_count(&server).await, 0);
}

/// A port nothing listens on.
async fn refused_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

#[tokio::test(start_paused = true)]
async fn connection_refused_is_retried_even_for_create() {
    let uri = refused_port().await;
    let client = paused_builder(&uri).build().unwrap();

    let started = Instant::now();
    let error = client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                phase: TransportPhase::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("list batches failed: could not connect: "),
        "{error}"
    );
    assert_two_backoffs(started.elapsed());

    let started = Instant::now();
    let error = client
        .batches()
        .create(&create_request(), &CreateOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                phase: TransportPhase::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert_two_backoffs(started.elapsed());
}

/// Two retries waited 0.5 s and 1 s, each scaled by a factor in [0.75, 1].
fn assert_two_backoffs(waited: Duration) {
    assert!(
        waited >= Duration::from_millis(1125) && waited <= Duration::from_millis(1500),
        "waited {waited:?}"
    );
}

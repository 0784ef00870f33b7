//! The API key never shows in logs, errors or `Debug` output. The only test of its binary:
//! log capture is per thread, and a test on another thread could register the log
//! call sites first, without the capturing subscriber.

mod common;

use batches_client::{BatchConfig, CreateBatchRequest, CreateOptions, JobConfig, JobType};
use common::{KEY, Logs, builder};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_key_is_in_no_log_line_error_or_debug_output() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"detail": "Invalid authentication token"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after-ms", "1"))
        .mount(&server)
        .await;
    let (logs, _guard) = Logs::capture();
    let client_builder = builder(&server.uri()).header("x-team", "data");
    let client = client_builder.clone().build().unwrap();

    let unauthorized = client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    let request = CreateBatchRequest::new(
        "dir-1",
        BatchConfig::new(JobConfig::new("cfg-1", JobType::ParseV2)),
    );
    let options = CreateOptions {
        idempotency_key: Some("key-1".into()),
        ..Default::default()
    };
    let unavailable = client
        .batches()
        .create(&request, &options)
        .await
        .unwrap_err();

    let logs = logs.text();
    // The logs are there: one span per attempt with its fields, and the retries.
    assert!(
        logs.contains(
            "request{operation=\"list batches\" method=GET path=\"/api/v2/batches\" attempt=1"
        ),
        "{logs}"
    );
    assert!(logs.contains("status=401"), "{logs}");
    assert!(logs.contains("elapsed_ms="), "{logs}");
    assert!(logs.contains("attempt=3"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    // At trace level, each exchange is dumped with the key redacted.
    assert!(logs.contains("authorization: [redacted]"), "{logs}");
    // Custom header values may be credentials: only their names are shown.
    assert!(logs.contains("x-team: [redacted]"), "{logs}");
    assert!(logs.contains("idempotency-key: key-1"), "{logs}");
    assert!(
        logs.contains(r#"body={"detail":"Invalid authentication token"}"#),
        "{logs}"
    );
    assert!(
        logs.contains(r#"body={"source_directory_id":"dir-1""#),
        "{logs}"
    );

    let outputs = [
        logs,
        unauthorized.to_string(),
        format!("{unauthorized:?}"),
        unavailable.to_string(),
        format!("{unavailable:?}"),
        format!("{client:?}"),
        format!("{client_builder:?}"),
        format!(
            "{:?}",
            batches_client::blocking::Client::new(client_builder).unwrap()
        ),
    ];
    for output in outputs {
        assert!(!output.contains(KEY), "the key leaked into: {output}");
        assert!(
            !output.contains("SECRET"),
            "part of the key leaked into: {output}"
        );
    }
    assert!(
        unauthorized
            .to_string()
            .contains("keys belong to one project and one region")
    );
}

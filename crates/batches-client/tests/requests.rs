//! What goes on the wire for each operation, as snapshots, and how responses are read.

mod common;

use batches_client::{
    BatchConfig, BatchStatus, CancelBatchParams, Client, CreateBatchParams, CreateBatchRequest,
    CreateOptions, DateTime, Error, GetBatchParams, JobConfig, JobType, ListBatchesParams, Region,
    Utc, WebhookConfiguration,
};
use common::{batch, builder, client, rendered_requests};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[tokio::test]
async fn list_sends_every_filter_and_reads_the_page() {
    let server = MockServer::start().await;
    let body = r#"{"items":[{"id":"bat-1","config":{"job":{"configuration_id":"cfg-1","type":"parse_v2"}},"project_id":"prj-1","source_directory_id":"dir-1","status":"RUNNING"}],"next_page_token":"t2","total_size":7,"cursor_version":2}"#;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-list")
                .set_body_raw(body, "application/json"),
        )
        .mount(&server)
        .await;

    let params = ListBatchesParams {
        created_at_on_or_after: Some(instant("2026-11-01T00:00:00+01:00")),
        created_at_on_or_before: Some(instant("2026-11-29T23:59:59.5Z")),
        organization_id: Some("org-1".into()),
        page_size: Some(100),
        page_token: Some("t1".into()),
        project_id: Some("prj-1".into()),
        source_directory_id: Some("dir-1".into()),
        status: Some(BatchStatus::Running),
    };
    let page = client(&server).batches().list(&params).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, "bat-1");
    assert_eq!(page.next_page_token.as_deref(), Some("t2"));
    assert_eq!(page.total_size, Some(7));
    assert_eq!(page.page_token.as_deref(), Some("t1"));
    assert_eq!(page.http_status, 200);
    assert_eq!(page.request_id.as_deref(), Some("req-list"));
    assert_eq!(page.raw, body.as_bytes());
    insta::assert_snapshot!(rendered_requests(&server).await);
}

#[tokio::test]
async fn get_sends_expand_repeated_and_keeps_unknown_fields() {
    let server = MockServer::start().await;
    let mut body = batch("bat-1", "COMPLETED");
    body["results"] = json!([{
        "source_directory_file_id": "dfl-1",
        "error_message": null,
        "job_reference": {"id": "pjb-1", "type": "parse_v2"},
        "pages": 3,
    }]);
    body["priority"] = json!("high");
    Mock::given(method("GET"))
        .and(path("/api/v2/batches/bat-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .mount(&server)
        .await;

    let params = GetBatchParams {
        expand: Some(vec!["results".into(), "jobs".into()]),
        project_id: Some("prj-1".into()),
        ..Default::default()
    };
    let response = client(&server)
        .batches()
        .get("bat-1", &params)
        .await
        .unwrap();
    assert_eq!(response.http_status, 200);
    assert_eq!(response.value.status, BatchStatus::Completed);
    let results = response.results.as_ref().unwrap();
    assert_eq!(results[0].extra["pages"], 3);
    assert_eq!(response.extra["priority"], "high");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&response.raw).unwrap(),
        body
    );
    insta::assert_snapshot!(rendered_requests(&server).await);
}

#[tokio::test]
async fn create_sends_the_body_and_an_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/batches"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat-new", "PENDING")))
        .mount(&server)
        .await;

    let mut request = CreateBatchRequest::new(
        "dir-1",
        BatchConfig::new(JobConfig::new("cfg-PARSE_AGENTIC", JobType::ParseV2)),
    );
    request.webhook_configurations = Some(vec![WebhookConfiguration {
        webhook_url: Some("https://hooks.example/batches".into()),
        webhook_events: Some(vec!["batch.success".into()]),
        ..Default::default()
    }]);
    let options = CreateOptions {
        idempotency_key: None,
        params: CreateBatchParams {
            project_id: Some("prj-1".into()),
            ..Default::default()
        },
    };
    let created = client(&server)
        .batches()
        .create(&request, &options)
        .await
        .unwrap();
    assert_eq!(created.id, "bat-new");

    let received = server.received_requests().await.unwrap();
    let key = received[0].headers["idempotency-key"].to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(key).is_ok(),
        "generated key {key} is a UUID"
    );
    insta::assert_snapshot!(rendered_requests(&server).await);
}

#[tokio::test]
async fn cancel_posts_without_a_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/batches/bat-1/cancel"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat-1", "RUNNING")))
        .mount(&server)
        .await;
    let params = CancelBatchParams {
        organization_id: Some("org-1".into()),
        ..Default::default()
    };
    let batch = client(&server)
        .batches()
        .cancel("bat-1", &params)
        .await
        .unwrap();
    assert_eq!(batch.value.status, BatchStatus::Running);
    insta::assert_snapshot!(rendered_requests(&server).await);
}

#[tokio::test]
async fn custom_headers_user_agent_and_path_prefix() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/proxy/api/v2/batches/bat%2F1%3F"))
        .respond_with(ResponseTemplate::new(200).set_body_json(batch("bat/1?", "RUNNING")))
        .mount(&server)
        .await;
    let client = builder(&format!("{}/proxy", server.uri()))
        .header("x-team", "data")
        .user_agent("batches-cli/9.9")
        .build()
        .unwrap();
    client
        .batches()
        .get("bat/1?", &Default::default())
        .await
        .unwrap();
    insta::assert_snapshot!(rendered_requests(&server).await);
}

#[tokio::test]
async fn api_errors_read_the_detail_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches/bat-missing"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-request-id", "req-404")
                .set_body_json(json!({"detail": "Batch not found"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"detail": [
            {"loc": ["query", "page_size"], "msg": "Input should be less than or equal to 1000", "type": "less_than_equal"}
        ]})))
        .mount(&server)
        .await;
    let client = client(&server);

    let error = client
        .batches()
        .get("bat-missing", &Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "get batch failed: HTTP 404 Not Found: Batch not found (request id req-404)"
    );
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.request_id(), Some("req-404"));
    let Error::Api { body, .. } = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(body.as_ref(), br#"{"detail":"Batch not found"}"#);

    let params = ListBatchesParams {
        page_size: Some(5000),
        ..Default::default()
    };
    let error = client.batches().list(&params).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "list batches failed: HTTP 422 Unprocessable Entity: page_size: Input should be less \
         than or equal to 1000"
    );
}

#[tokio::test]
async fn malformed_success_body_is_a_decode_error_with_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-bad")
                .set_body_raw(r#"{"items": [{"id": 5}]}"#, "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    let Error::Decode { excerpt, .. } = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(excerpt, r#"{"items": [{"id": 5}]}"#);
    assert_eq!(error.request_id(), Some("req-bad"));
    let message = error.to_string();
    assert!(
        message.starts_with("list batches: could not decode the response (status 200, request id req-bad): invalid type: integer `5`"),
        "{message}"
    );
}

#[tokio::test]
async fn empty_batch_id_is_refused_before_sending() {
    let server = MockServer::start().await;
    let error = client(&server)
        .batches()
        .get(" ", &Default::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(common::request_count(&server).await, 0);
}

#[test]
fn configuration_errors_are_clear() {
    let error = Client::builder().build().unwrap_err();
    assert_eq!(
        error.to_string(),
        "configuration error: no API key: set LLAMA_CLOUD_API_KEY (or LLAMA_PARSE_API_KEY) or \
         pass one to ClientBuilder::api_key"
    );
    let error = builder("api.cloud.eu.llamaindex.ai").build().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("use `https://api.cloud.eu.llamaindex.ai`"),
        "{error}"
    );
    let error = builder("http://batches.example.com").build().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("refusing to send the API key over plain http"),
        "{error}"
    );
    builder("http://batches.example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    builder("http://127.0.0.1:9").build().unwrap();
    let error = builder("https://x.example")
        .header("bad header", "1")
        .build()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`bad header` is not a valid HTTP header name"),
        "{error}"
    );
    let client = Client::builder()
        .api_key(common::KEY)
        .region(Region::Eu)
        .build()
        .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://api.cloud.eu.llamaindex.ai/"
    );
}

#[tokio::test]
async fn the_key_is_sent_only_in_the_authorization_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(common::page(&[], None)))
        .mount(&server)
        .await;
    common::client(&server)
        .batches()
        .list(&Default::default())
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    let carrying_key: Vec<_> = request
        .headers
        .iter()
        .filter(|(_, value)| value.to_str().unwrap().contains(common::KEY))
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(carrying_key, ["authorization"]);
    assert!(!request.url.as_str().contains(common::KEY));
}

#[test]
fn clients_streams_and_errors_cross_threads() {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    fn movable<T: Send + 'static>() {}
    shared::<Client>();
    shared::<batches_client::blocking::Client>();
    movable::<batches_client::Pages<batches_client::Batch>>();
    movable::<batches_client::Pages<Box<batches_client::RawValue>>>();
    movable::<batches_client::Items>();
    movable::<batches_client::WaitOptions>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<Error>();
}

#[tokio::test]
async fn gzip_responses_are_decompressed_and_raw_holds_the_json() {
    use std::io::Write;

    let body = serde_json::to_vec(&common::page(&["bat-1", "bat-2"], None)).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&body).unwrap();
    let compressed = encoder.finish().unwrap();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("accept-encoding", "gzip"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(compressed, "application/json"),
        )
        .mount(&server)
        .await;
    let page = client(&server)
        .batches()
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.raw, body);
}

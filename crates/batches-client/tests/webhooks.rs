//! Webhooks end to end: the saved configurations against the emulator (the secret never
//! comes back), the emulator's deliveries verified as a receiver verifies them, and
//! `delete`'s reading of a 404 to a retry.

mod common;

use std::time::Duration;

use batches_client::{
    BatchConfig, BatchStatus, Client, CreateBatchRequest, CreateWebhookConfigRequest, JobConfig,
    JobType, UpdateWebhookConfigRequest, WebhookConfiguration, WebhookEventType,
    WebhookOutputFormat, blocking,
    webhooks::{SIGNATURE_HEADER, WebhookError, verify},
};
use batches_server::{ServerConfig, spawn};
use common::{client, emulator_builder};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "whsec-client-test-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_configurations_round_trip_without_their_secret() {
    let server = spawn(ServerConfig::default()).await.unwrap();
    let client = emulator_builder(&server.base_url()).build().unwrap();
    let configs = client.webhook_configs();
    let request = CreateWebhookConfigRequest {
        webhook_events: Some(vec![WebhookEventType::BatchSuccess]),
        webhook_output_format: Some(WebhookOutputFormat::Json),
        webhook_signing_secret: Some(SECRET.into()),
        ..CreateWebhookConfigRequest::new("http://127.0.0.1:9/hooks")
    };
    let created = configs.create(&request, &Default::default()).await.unwrap();
    assert!(created.has_secret && created.id.starts_with("whc-"));
    assert_eq!(created.webhook_events, request.webhook_events);
    let change = UpdateWebhookConfigRequest {
        webhook_url: Some("http://localhost:9/v2".into()),
        webhook_signing_secret: Some("whsec-rotated-client-test".into()),
        ..Default::default()
    };
    let updated = configs
        .update(&created.id, &change, &Default::default())
        .await
        .unwrap();
    assert_eq!(updated.webhook_url, "http://localhost:9/v2");
    assert_eq!(updated.webhook_events, created.webhook_events);
    let listed = configs.list(&Default::default()).await.unwrap();
    assert_eq!(listed.value, vec![updated.value.clone()]);
    let fetched = configs.get(&created.id, &Default::default()).await.unwrap();
    for raw in [&created.raw, &updated.raw, &listed.raw, &fetched.raw] {
        let text = String::from_utf8_lossy(raw);
        assert!(!text.contains("whsec-"), "{text}");
    }
    let deleted = configs
        .delete(&created.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(deleted.http_status, 204);
    let again = configs
        .delete(&created.id, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(404));
    assert!(
        again.to_string().contains("delete webhook config"),
        "{again}"
    );
    let empty = configs.get(" ", &Default::default()).await.unwrap_err();
    assert!(empty.to_string().contains("whc-"), "{empty}");

    // The blocking facade, from a thread outside the runtime (which keeps serving).
    let base_url = server.base_url();
    let listed = tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || {
            let client = blocking::Client::new(emulator_builder(&base_url)).unwrap();
            client.webhook_configs().list(&Default::default()).unwrap()
        })
        .join()
        .unwrap()
    })
    .await
    .unwrap();
    assert!(listed.value.is_empty());
}

#[tokio::test]
async fn deliveries_of_the_emulator_verify_and_forgeries_do_not() {
    let server = spawn(ServerConfig {
        processing_ms: 5,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let client = emulator_builder(&server.base_url()).build().unwrap();
    let directory = server
        .fixtures()
        .create_directory_with_files("prj-local", "docs", 2)
        .unwrap();
    let mut request = CreateBatchRequest::new(
        directory,
        BatchConfig::new(JobConfig::new("cfg-PARSE_FAST", JobType::ParseV2)),
    );
    request.webhook_configurations = Some(vec![WebhookConfiguration {
        webhook_url: Some(format!("{}/hooks", receiver.uri())),
        webhook_signing_secret: Some(SECRET.into()),
        ..Default::default()
    }]);
    let batch = client
        .batches()
        .create(&request, &Default::default())
        .await
        .unwrap();
    let received = delivered(&receiver, 3).await;
    let mut statuses = Vec::new();
    for delivery in &received {
        let signature = delivery
            .headers
            .get(SIGNATURE_HEADER)
            .and_then(|value| value.to_str().ok());
        let event = verify(&delivery.body, signature, SECRET).unwrap();
        assert_eq!(event.data.id, batch.id);
        statuses.push(event.data.status.clone());
        assert_eq!(
            verify(&delivery.body, signature, "whsec-wrong"),
            Err(WebhookError::SignatureMismatch)
        );
        let mut altered = delivery.body.clone();
        let at = altered.len() / 2;
        altered[at] = altered[at].wrapping_add(1);
        assert_eq!(
            verify(&altered, signature, SECRET),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(
            verify(&delivery.body, None, SECRET),
            Err(WebhookError::MissingSignature)
        );
        assert!(matches!(
            verify(&delivery.body, Some("sha256=not-hex"), SECRET),
            Err(WebhookError::MalformedSignature { .. })
        ));
    }
    statuses.sort_by_key(|status| status.to_string());
    assert_eq!(
        statuses,
        [
            BatchStatus::Completed,
            BatchStatus::Pending,
            BatchStatus::Running
        ]
    );
}

/// The first `count` requests the receiver got (waiting at most a minute).
async fn delivered(receiver: &MockServer, count: usize) -> Vec<wiremock::Request> {
    for _ in 0..3000 {
        let received = receiver.received_requests().await.unwrap();
        if received.len() >= count {
            return received;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{count} deliveries never arrived");
}

#[tokio::test]
async fn a_404_to_a_retried_delete_is_the_first_attempt_having_deleted() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/beta/webhook-configs/whc-1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/beta/webhook-configs/whc-1"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(serde_json::json!({"detail": "gone"})),
        )
        .mount(&server)
        .await;
    let client: Client = client(&server);
    let deleted = client
        .webhook_configs()
        .delete("whc-1", &Default::default())
        .await
        .unwrap();
    assert_eq!(deleted.http_status, 204);
    // A 404 to the first attempt is a real one.
    let error = client
        .webhook_configs()
        .delete("whc-1", &Default::default())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
}

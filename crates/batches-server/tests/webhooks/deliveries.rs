//! What a batch delivers: its events, to each configuration that wants them, signed and
//! labelled as configured.

use std::collections::BTreeSet;

use batches_server::{DeliveryStatus, ServerConfig};
use serde_json::json;

use crate::{
    batch_with_hooks,
    common::start,
    expected_signature, finished_deliveries, quick,
    receiver::{Received, Receiver},
};

fn event_types(received: &[Received]) -> BTreeSet<String> {
    received.iter().map(Received::event_type).collect()
}

#[tokio::test]
async fn a_completed_batch_delivers_its_events_signed_with_its_headers() {
    let (server, api) = start(quick()).await;
    let receiver = Receiver::ok().await;
    let hooks = json!([{
        "webhook_url": receiver.url(),
        "webhook_signing_secret": "whsec-test-1",
        "webhook_headers": {"Authorization": "Bearer hook-token-1"},
        "webhook_output_format": "json",
    }]);
    let batch = batch_with_hooks(&api, 2, "cfg-PARSE_AGENTIC", hooks).await;
    let (_, _) = api.wait_terminal(&batch).await;
    let deliveries = finished_deliveries(&server, &batch, 3).await;
    let received = receiver.wait_for(3).await;
    assert_eq!(received.len(), 3);
    assert_eq!(
        event_types(&received),
        BTreeSet::from(["batch.pending", "batch.running", "batch.success"].map(String::from))
    );
    for delivery in &received {
        let event = delivery.json();
        assert_eq!(
            delivery.header("lc-signature"),
            Some(expected_signature("whsec-test-1", &delivery.body).as_str())
        );
        assert_eq!(delivery.header("content-type"), Some("application/json"));
        assert_eq!(
            delivery.header("authorization"),
            Some("Bearer hook-token-1")
        );
        let status = match event["event_type"].as_str().unwrap() {
            "batch.pending" => "PENDING",
            "batch.running" => "RUNNING",
            _ => "COMPLETED",
        };
        assert_eq!(event["data"]["id"], batch.as_str(), "{event}");
        assert_eq!(event["data"]["status"], status, "{event}");
        assert_eq!(event["created_at"], event["data"]["updated_at"], "{event}");
        assert!(event["data"].get("results").is_none(), "{event}");
    }
    // The last event carries the batch exactly as `get` returns it.
    let success = received
        .iter()
        .find(|delivery| delivery.event_type() == "batch.success")
        .unwrap();
    assert_eq!(
        success.json()["data"],
        api.ok(&format!("/api/v2/batches/{batch}")).await
    );
    // Each delivery has an id of its own, and the emulator's view shows each one done.
    let ids: BTreeSet<&str> = received
        .iter()
        .map(|delivery| delivery.header("x-emulator-delivery-id").unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(deliveries.len(), 3);
    for delivery in &deliveries {
        assert_eq!(delivery.status, DeliveryStatus::Delivered, "{delivery:?}");
        assert_eq!(
            (delivery.attempts, delivery.last_status_code),
            (1, Some(200))
        );
        assert_eq!(delivery.webhook_url, receiver.url());
        assert!(ids.contains(delivery.delivery_id.as_str()));
    }
    let view = api
        .ok(&format!("/emulator/webhook-deliveries?batch_id={batch}"))
        .await;
    assert_eq!(view["items"].as_array().unwrap().len(), 3, "{view}");
    assert_eq!(view["items"][0]["status"], "delivered");
    let text = view.to_string();
    assert!(
        !text.contains("whsec-test-1") && !text.contains("hook-token-1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_failed_batch_delivers_its_error_as_text_unsigned_without_a_secret() {
    let (server, api) = start(quick()).await;
    let receiver = Receiver::ok().await;
    // A parse job with an extract preset cannot run: the batch fails.
    let batch = batch_with_hooks(
        &api,
        1,
        "cfg-EXTRACT_INVOICE",
        json!([{"webhook_url": receiver.url()}]),
    )
    .await;
    let (seen, _) = api.wait_terminal(&batch).await;
    assert_eq!(seen.last().unwrap(), "FAILED");
    finished_deliveries(&server, &batch, 3).await;
    let received = receiver.wait_for(3).await;
    assert_eq!(
        event_types(&received),
        BTreeSet::from(["batch.pending", "batch.running", "batch.error"].map(String::from))
    );
    for delivery in &received {
        assert_eq!(
            delivery.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(delivery.header("lc-signature"), None);
    }
    let error = received
        .iter()
        .find(|delivery| delivery.event_type() == "batch.error")
        .unwrap();
    assert_eq!(error.json()["data"]["status"], "FAILED");
}

#[tokio::test]
async fn a_cancelled_batch_delivers_its_cancellation() {
    // No step is taken before the cancel.
    let (server, api) = start(ServerConfig {
        processing_ms: 600_000,
        ..quick()
    })
    .await;
    let receiver = Receiver::ok().await;
    let batch = batch_with_hooks(
        &api,
        3,
        "cfg-PARSE_FAST",
        json!([{"webhook_url": receiver.url(), "webhook_signing_secret": "s"}]),
    )
    .await;
    let (status, body) = api
        .post(&format!("/api/v2/batches/{batch}/cancel"), json!(null))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    finished_deliveries(&server, &batch, 2).await;
    let received = receiver.wait_for(2).await;
    assert_eq!(
        event_types(&received),
        BTreeSet::from(["batch.pending", "batch.cancelled"].map(String::from))
    );
    let cancelled = received
        .iter()
        .find(|delivery| delivery.event_type() == "batch.cancelled")
        .unwrap();
    assert_eq!(cancelled.json()["data"]["status"], "CANCELLED");
    assert_eq!(
        cancelled.header("lc-signature"),
        Some(expected_signature("s", &cancelled.body).as_str())
    );
}

#[tokio::test]
async fn each_configuration_gets_only_the_events_it_asked_for() {
    let (server, api) = start(quick()).await;
    let (success_only, everything) = (Receiver::ok().await, Receiver::ok().await);
    let batch = batch_with_hooks(
        &api,
        2,
        "cfg-PARSE_AGENTIC",
        json!([
            {"webhook_url": success_only.url(), "webhook_events": ["batch.success"]},
            {"webhook_url": everything.url()},
        ]),
    )
    .await;
    api.wait_terminal(&batch).await;
    // Every delivery is recorded before it is sent: four in all, then none more.
    let deliveries = finished_deliveries(&server, &batch, 4).await;
    assert_eq!(deliveries.len(), 4, "{deliveries:#?}");
    let to_success_only: Vec<&str> = deliveries
        .iter()
        .filter(|delivery| delivery.webhook_url == success_only.url())
        .map(|delivery| delivery.event_type.as_str())
        .collect();
    assert_eq!(to_success_only, ["batch.success"]);
    assert_eq!(event_types(&success_only.wait_for(1).await).len(), 1);
    assert_eq!(everything.wait_for(3).await.len(), 3);
    assert_eq!(success_only.received().len(), 1);
}

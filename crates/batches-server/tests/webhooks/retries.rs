//! Deliveries are at least once: refused, reset and unanswered attempts are retried with
//! backoff until a receiver answers 2xx or the attempts run out, and a receiver that never
//! answers holds up only its own deliveries.

use std::time::Duration;

use batches_server::{DeliveryStatus, ServerConfig};
use serde_json::json;

use crate::{
    batch_with_hooks,
    common::start,
    expected_signature, finished_deliveries, quick,
    receiver::{Answer, Receiver},
};

#[tokio::test]
async fn refused_reset_and_unanswered_attempts_are_retried_until_one_succeeds() {
    let mut config = quick();
    config.webhooks.timeout = Duration::from_secs(1);
    let (server, api) = start(config).await;
    let script = vec![
        Answer::Status(500),
        Answer::Status(503),
        Answer::Reset,
        Answer::Hang,
    ];
    let receiver = Receiver::start(script, Answer::Status(200)).await;
    let batch = batch_with_hooks(
        &api,
        1,
        "cfg-PARSE_FAST",
        json!([{"webhook_url": receiver.url(), "webhook_signing_secret": "retry-secret"}]),
    )
    .await;
    api.wait_terminal(&batch).await;
    let deliveries = finished_deliveries(&server, &batch, 3).await;
    let first = &deliveries[0];
    assert_eq!(first.event_type, "batch.pending");
    assert_eq!(first.status, DeliveryStatus::Delivered, "{first:?}");
    assert_eq!((first.attempts, first.last_status_code), (5, Some(200)));
    for later in &deliveries[1..] {
        assert_eq!(
            (later.status, later.attempts),
            (DeliveryStatus::Delivered, 1)
        );
    }
    // Five attempts of the first event, the same bytes and delivery id each time, then one
    // of each later event (deliveries to a receiver go one at a time, in order).
    let received = receiver.wait_for(7).await;
    let attempts = &received[..5];
    for attempt in attempts {
        assert_eq!(attempt.body, attempts[0].body);
        assert_eq!(
            attempt.header("x-emulator-delivery-id"),
            Some(first.delivery_id.as_str())
        );
        assert_eq!(
            attempt.header("lc-signature"),
            Some(expected_signature("retry-secret", &attempt.body).as_str())
        );
    }
    assert_eq!(received.len(), 7);
}

#[tokio::test]
async fn a_delivery_is_given_up_after_its_last_attempt_and_the_next_ones_go_on() {
    let (server, api) = start(quick()).await;
    let receiver = Receiver::start(vec![Answer::Status(500); 5], Answer::Status(204)).await;
    let batch = batch_with_hooks(
        &api,
        1,
        "cfg-PARSE_FAST",
        json!([{"webhook_url": receiver.url()}]),
    )
    .await;
    api.wait_terminal(&batch).await;
    let deliveries = finished_deliveries(&server, &batch, 3).await;
    let first = &deliveries[0];
    assert_eq!(first.status, DeliveryStatus::Failed, "{first:?}");
    assert_eq!((first.attempts, first.last_status_code), (5, Some(500)));
    assert_eq!(first.last_body.as_deref(), Some("answer"));
    for later in &deliveries[1..] {
        assert_eq!(later.status, DeliveryStatus::Delivered, "{later:?}");
        assert_eq!(later.last_status_code, Some(204));
    }
}

#[tokio::test]
async fn a_receiver_that_never_answers_slows_neither_the_api_nor_other_receivers() {
    let mut config = quick();
    config.webhooks.timeout = Duration::from_secs(600);
    let (server, api) = start(ServerConfig {
        processing_ms: 20,
        ..config
    })
    .await;
    let silent = Receiver::start(Vec::new(), Answer::Hang).await;
    let answering = Receiver::ok().await;
    let batch = batch_with_hooks(
        &api,
        3,
        "cfg-PARSE_AGENTIC",
        json!([{"webhook_url": silent.url()}, {"webhook_url": answering.url()}]),
    )
    .await;
    silent.wait_for(1).await;
    // While the first delivery to the silent receiver waits for its answer, the batch
    // runs to the end, the API answers, and the other receiver gets every event.
    let (seen, _) = api.wait_terminal(&batch).await;
    assert_eq!(seen.last().unwrap(), "COMPLETED");
    for _ in 0..20 {
        api.ok("/api/v2/batches?page_size=5").await;
    }
    let other = batch_with_hooks(&api, 1, "cfg-PARSE_FAST", json!([])).await;
    api.wait_terminal(&other).await;
    assert_eq!(answering.wait_for(3).await.len(), 3);
    let deliveries = server.webhook_deliveries(Some(&batch)).unwrap();
    let to_silent: Vec<_> = deliveries
        .iter()
        .filter(|delivery| delivery.webhook_url == silent.url())
        .collect();
    assert_eq!(
        to_silent[0].status,
        DeliveryStatus::Sending,
        "{to_silent:?}"
    );
    assert_eq!(to_silent[0].attempts, 0);
    assert!(
        to_silent[1..]
            .iter()
            .all(|delivery| delivery.status == DeliveryStatus::Pending)
    );
    assert_eq!(silent.received().len(), 1);
}

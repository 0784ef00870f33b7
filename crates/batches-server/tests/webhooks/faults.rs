//! Faults for testing receivers, drawn from the fault seed: deliveries out of order, and
//! deliveries sent twice.

use std::collections::BTreeMap;

use batches_server::ServerConfig;
use serde_json::json;

use crate::{
    batch_with_hooks,
    common::start,
    finished_deliveries, quick,
    receiver::{Received, Receiver},
};

/// The order a batch's events reach a receiver from an emulator with `config`.
async fn arrival_order(config: ServerConfig) -> Vec<String> {
    let (server, api) = start(config).await;
    let receiver = Receiver::ok().await;
    let batch = batch_with_hooks(
        &api,
        2,
        "cfg-PARSE_AGENTIC",
        json!([{"webhook_url": receiver.url()}]),
    )
    .await;
    api.wait_terminal(&batch).await;
    finished_deliveries(&server, &batch, 3).await;
    receiver
        .wait_for(3)
        .await
        .iter()
        .map(Received::event_type)
        .collect()
}

#[tokio::test]
async fn shuffled_deliveries_arrive_out_of_order_the_same_way_for_the_same_seed() {
    let shuffled = || {
        let mut config = quick();
        config.fault_seed = 11;
        config.webhooks.shuffle = true;
        config
    };
    let order = arrival_order(shuffled()).await;
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, ["batch.pending", "batch.running", "batch.success"]);
    assert_ne!(order, ["batch.pending", "batch.running", "batch.success"]);
    assert_eq!(arrival_order(shuffled()).await, order);
    // Unshuffled, one receiver gets a batch's events in the order they happened.
    assert_eq!(
        arrival_order(quick()).await,
        ["batch.pending", "batch.running", "batch.success"]
    );
}

#[tokio::test]
async fn duplicated_deliveries_repeat_the_same_bytes_and_delivery_id() {
    let mut config = quick();
    config.webhooks.duplicate_rate = 1.0;
    let (server, api) = start(config).await;
    let receiver = Receiver::ok().await;
    let batch = batch_with_hooks(
        &api,
        1,
        "cfg-PARSE_FAST",
        json!([{"webhook_url": receiver.url(), "webhook_signing_secret": "dup"}]),
    )
    .await;
    api.wait_terminal(&batch).await;
    let deliveries = finished_deliveries(&server, &batch, 6).await;
    assert_eq!(deliveries.iter().filter(|d| d.duplicate).count(), 3);
    let mut copies: BTreeMap<String, Vec<Received>> = BTreeMap::new();
    for delivery in receiver.wait_for(6).await {
        let id = delivery
            .header("x-emulator-delivery-id")
            .unwrap()
            .to_owned();
        copies.entry(id).or_default().push(delivery);
    }
    assert_eq!(copies.len(), 3);
    for pair in copies.values() {
        assert_eq!(pair.len(), 2);
        assert_eq!(pair[0].body, pair[1].body);
        assert_eq!(
            pair[0].header("lc-signature"),
            pair[1].header("lc-signature")
        );
    }
}

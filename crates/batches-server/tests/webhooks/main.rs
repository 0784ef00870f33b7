//! Webhooks end to end: batches deliver their events to local receivers, signed, with
//! retries, at the pace of each receiver; the delivery rules and the saved configurations.

#[path = "../common/mod.rs"]
mod common;
mod configs;
mod deliveries;
mod faults;
mod receiver;
mod retries;

use std::time::Duration;

use batches_server::{DeliveryStatus, RunningServer, ServerConfig, WebhookDelivery};
use common::{Api, fast};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

/// An emulator whose batches finish in milliseconds and whose retries come quickly.
fn quick() -> ServerConfig {
    let mut config = fast();
    config.webhooks.retry_base = Duration::from_millis(20);
    config
}

/// Creates a batch over a new directory of `files` readable files, notifying `hooks`.
async fn batch_with_hooks(api: &Api, files: usize, configuration_id: &str, hooks: Value) -> String {
    let names: Vec<String> = (0..files).map(|i| format!("doc-{i}.pdf")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let directory = api.directory_with(&names).await;
    let (status, body) = api
        .post(
            "/api/v2/batches",
            json!({
                "source_directory_id": directory,
                "config": {"job": {"type": "parse_v2", "configuration_id": configuration_id}},
                "webhook_configurations": hooks,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// The deliveries of a batch once `count` of them have finished (delivered or given up).
async fn finished_deliveries(
    server: &RunningServer,
    batch_id: &str,
    count: usize,
) -> Vec<WebhookDelivery> {
    for _ in 0..3000 {
        let deliveries = server.webhook_deliveries(Some(batch_id)).unwrap();
        let finished = deliveries
            .iter()
            .filter(|d| matches!(d.status, DeliveryStatus::Delivered | DeliveryStatus::Failed))
            .count();
        if finished >= count {
            return deliveries;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "{count} deliveries of {batch_id} never finished: {:#?}",
        server.webhook_deliveries(Some(batch_id))
    );
}

/// `sha256=<hex HMAC-SHA256>` of `body` keyed with `secret`, computed here independently
/// of the emulator.
fn expected_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("sha256={hex}")
}

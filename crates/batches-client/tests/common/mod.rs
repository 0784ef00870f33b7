//! Helpers shared by the integration tests: fixtures, clients pointed at a local server,
//! request rendering for snapshots, and log capture.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use batches_client::{Client, ClientBuilder};
use serde_json::{Value, json};
use wiremock::MockServer;

/// A key that must never show up in output.
pub const KEY: &str = "llx-test-SECRET-0123456789";

/// A batch as the server sends it.
pub fn batch(id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "config": {"job": {"configuration_id": "cfg-PARSE_AGENTIC", "type": "parse_v2"}},
        "project_id": "prj-1",
        "source_directory_id": "dir-1",
        "status": status,
        "created_at": "2026-11-29T10:00:00.117Z",
        "updated_at": null,
    })
}

/// A list response with batches `ids`.
pub fn page(ids: &[&str], next_page_token: Option<&str>) -> Value {
    json!({
        "items": ids.iter().map(|id| batch(id, "RUNNING")).collect::<Vec<_>>(),
        "next_page_token": next_page_token,
    })
}

/// A builder for the server at `uri` with the test key.
pub fn builder(uri: &str) -> ClientBuilder {
    Client::builder().api_key(KEY).base_url(uri)
}

/// A builder for the emulator at `base_url` with its default key.
pub fn emulator_builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .api_key(batches_server::DEFAULT_API_KEY.0)
        .base_url(base_url)
}

/// A client for the mock server with the default settings.
pub fn client(server: &MockServer) -> Client {
    builder(&server.uri()).build().unwrap()
}

/// A client for tests on paused Tokio time: no client-side timer may run while a request
/// is in flight (the paused clock jumps to the next timer whenever the runtime waits for
/// the server), so there is no connect or attempt timeout and no idle-connection reaper.
pub fn paused_builder(uri: &str) -> ClientBuilder {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    builder(uri).timeout(None).http_client(http)
}

/// The requests the server received, rendered for a snapshot: method, path and query,
/// the headers (sorted, host left out as its port varies, key and idempotency key
/// redacted) and the body as sent.
pub async fn rendered_requests(server: &MockServer) -> String {
    let mut out = String::new();
    for request in server.received_requests().await.unwrap() {
        out.push_str(&format!("{} {}", request.method, request.url.path()));
        if let Some(query) = request.url.query() {
            out.push_str(&format!("?{query}"));
        }
        out.push('\n');
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(name, _)| name.as_str() != "host")
            .map(|(name, value)| {
                let value = value.to_str().unwrap();
                let value = match name.as_str() {
                    "authorization" => value.replace(KEY, "[key]"),
                    "idempotency-key" => "[idempotency key]".to_owned(),
                    _ => value.to_owned(),
                };
                (name.to_string(), value)
            })
            .collect();
        headers.sort();
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\n"));
        }
        if !request.body.is_empty() {
            out.push('\n');
            out.push_str(std::str::from_utf8(&request.body).unwrap());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// How many requests the server received.
pub async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// Log output captured from every level, for the current thread.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Captures everything logged on this thread until the guard is dropped.
    pub fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

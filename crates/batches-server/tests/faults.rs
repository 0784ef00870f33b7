//! Fault injection and added latency.

mod common;

use std::time::Duration;

use batches_server::{FaultKind, ServerConfig};
use common::{Api, fast, start};
use reqwest::StatusCode;
use serde_json::Value;

fn faulty(kinds: &[FaultKind], rate: f64, seed: u64) -> ServerConfig {
    ServerConfig {
        fault_rate: rate,
        fault_kinds: kinds.to_vec(),
        fault_seed: seed,
        slow_fault_ms: 300,
        ..fast()
    }
}

/// What a client sees for one request: the status, or how the exchange broke.
async fn outcome(api: &Api) -> String {
    // A fresh client per request, so a reset or a cut body never spoils the next one.
    let client = reqwest::Client::new();
    let response = match client
        .get(format!("{}/api/v2/batches", api.base))
        .bearer_auth(&api.key)
        .send()
        .await
    {
        Ok(response) => response,
        Err(_) => return "reset".into(),
    };
    let status = response.status().as_u16();
    match response.bytes().await {
        Ok(body) => {
            let body: Value = serde_json::from_slice(&body).expect("a complete body is JSON");
            assert!(status == 200 || body["detail"].is_string(), "{body}");
            status.to_string()
        }
        Err(_) => "truncated".into(),
    }
}

/// Asserts that a client waiting at most `patience` for a listing times out: the server
/// holds the response longer than that. A timeout proves the hold without timing anything.
async fn gives_up(api: &Api, patience: Duration) {
    let client = reqwest::Client::builder()
        .timeout(patience)
        .build()
        .unwrap();
    let error = client
        .get(format!("{}/api/v2/batches", api.base))
        .bearer_auth(&api.key)
        .send()
        .await
        .expect_err("the response was held");
    assert!(error.is_timeout(), "{error}");
}

#[tokio::test]
async fn each_fault_kind_does_what_it_says() {
    for (kind, expected) in [
        (FaultKind::InternalServerError, "500"),
        (FaultKind::ServiceUnavailable, "503"),
        (FaultKind::TooManyRequests, "429"),
        (FaultKind::Reset, "reset"),
        (FaultKind::Truncate, "truncated"),
        (FaultKind::Slow, "200"),
    ] {
        let (server, api) = start(faulty(&[kind], 1.0, 1)).await;
        assert_eq!(outcome(&api).await, expected, "{kind}");
        if kind == FaultKind::Slow {
            // Held for 300 ms: a client that waits 50 ms gets nothing.
            gives_up(&api, Duration::from_millis(50)).await;
        }
        server.shutdown().await;
    }
}

#[tokio::test]
async fn rate_limit_faults_say_when_to_retry() {
    let (server, api) = start(faulty(&[FaultKind::TooManyRequests], 1.0, 1)).await;
    let first = api
        .request(reqwest::Method::GET, "/api/v2/batches")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()["retry-after-ms"], "200");
    let second = api
        .request(reqwest::Method::GET, "/api/v2/batches")
        .send()
        .await
        .unwrap();
    assert_eq!(second.headers()["retry-after"], "1");
    server.shutdown().await;
}

#[tokio::test]
async fn faults_hit_a_share_of_requests_deterministically_under_a_seed() {
    let kinds = [
        FaultKind::InternalServerError,
        FaultKind::ServiceUnavailable,
        FaultKind::TooManyRequests,
        FaultKind::Reset,
        FaultKind::Truncate,
    ];
    let mut runs = Vec::new();
    for seed in [42, 42, 43] {
        let (server, api) = start(faulty(&kinds, 0.4, seed)).await;
        let mut outcomes = Vec::new();
        for _ in 0..60 {
            outcomes.push(outcome(&api).await);
        }
        server.shutdown().await;
        runs.push(outcomes);
    }
    assert_eq!(runs[0], runs[1], "same seed, same faults");
    assert_ne!(runs[0], runs[2], "another seed, other faults");
    let ok = runs[0].iter().filter(|o| *o == "200").count();
    assert!((20..55).contains(&ok), "about 60% succeed: {:?}", runs[0]);
    for expected in ["500", "503", "429", "reset", "truncated"] {
        assert!(
            runs[0].iter().any(|o| o == expected),
            "{expected} in {:?}",
            runs[0]
        );
    }
}

#[tokio::test]
async fn latency_is_added_to_every_response() {
    let (server, api) = start(ServerConfig {
        latency_ms: 150,
        ..fast()
    })
    .await;
    // Held for 150 ms before anything else: a client that waits 50 ms gets nothing, and
    // one that waits longer gets the answer.
    gives_up(&api, Duration::from_millis(50)).await;
    api.ok("/api/v2/batches").await;
    server.shutdown().await;
}

#[tokio::test]
async fn latency_holds_concurrent_requests_together_not_one_after_another() {
    const REQUESTS: usize = 8;
    let (server, api) = start(ServerConfig {
        seed: 50,
        latency_ms: 1_500,
        ..fast()
    })
    .await;
    // Each request on its own connection, all at once, each client giving up after 6 s:
    // were the holds served one after another, the fifth would wait 7.5 s and give up.
    let requests = (0..REQUESTS).map(|_| {
        let api = api.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(6))
                .build()
                .unwrap();
            client
                .get(format!("{}/api/v2/batches?page_size=20", api.base))
                .bearer_auth(&api.key)
                .send()
                .await
                .and_then(|response| response.error_for_status())
                .map(|_| ())
        })
    });
    for outcome in futures_util::future::join_all(requests).await {
        outcome
            .unwrap()
            .expect("answered while the others were held too");
    }
    server.shutdown().await;
}

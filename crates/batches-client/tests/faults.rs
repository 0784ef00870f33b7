//! Broken connections and slow servers: a body cut mid-read, per-attempt timeouts and the
//! operation deadline. Real time here, kept short: a timeout needs a clock that runs.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use batches_client::{
    BatchConfig, CreateBatchRequest, CreateOptions, Error, JobConfig, JobType, TimeoutKind,
    TransportPhase,
};
use common::{builder, page, request_count};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server whose first `cut` connections announce a 1,000-byte body, send part of it and
/// close; later connections get `good_body` whole. Returns its URL and a connection count.
async fn cutting_server(cut: usize, good_body: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let index = counter.fetch_add(1, Ordering::SeqCst);
            let good_body = good_body.clone();
            tokio::spawn(async move {
                // Read the request head; the tests send no body longer than one read.
                let mut buffer = vec![0; 16 * 1024];
                let _ = socket.read(&mut buffer).await;
                let response = if index < cut {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"items\": [".to_owned()
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{good_body}",
                        good_body.len()
                    )
                };
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, connections)
}

#[tokio::test]
async fn a_body_cut_mid_read_is_retried_for_idempotent_requests() {
    let (url, connections) = cutting_server(2, page(&["bat-1"], None).to_string()).await;
    let client = builder(&url).build().unwrap();
    let page = client.batches().list(&Default::default()).await.unwrap();
    assert_eq!(page.items[0].id, "bat-1");
    assert_eq!(connections.load(Ordering::SeqCst), 3);

    let (url, connections) = cutting_server(5, String::new()).await;
    let client = builder(&url).max_retries(1).build().unwrap();
    let error = client
        .batches()
        .get("bat-1", &Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                phase: TransportPhase::Body,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("get batch failed: connection failed while reading the response body: "),
        "{error}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_body_cut_mid_read_is_not_retried_for_create() {
    let (url, connections) = cutting_server(1, common::batch("bat-1", "PENDING").to_string()).await;
    let client = builder(&url).build().unwrap();
    let request = CreateBatchRequest::new(
        "dir-1",
        BatchConfig::new(JobConfig::new("cfg-1", JobType::ParseV2)),
    );
    let error = client
        .batches()
        .create(&request, &CreateOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                phase: TransportPhase::Body,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

/// A server whose every list page takes five seconds to arrive.
async fn slow_list_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(&[], None))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_slow_attempt_times_out_and_is_retried() {
    let server = slow_list_server().await;
    let client = builder(&server.uri())
        .timeout(Duration::from_millis(200))
        .max_retries(1)
        .build()
        .unwrap();
    let error = client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    let Error::Timeout { kind, elapsed, .. } = &error else {
        panic!("expected a timeout, got {error:?}");
    };
    assert_eq!(*kind, TimeoutKind::Attempt);
    assert!(*elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(
        error.to_string().starts_with(
            "list batches timed out: no complete response (per-attempt timeout) after 0.2"
        ),
        "{error}"
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_operation() {
    let server = slow_list_server().await;
    let client = builder(&server.uri())
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout { kind: TimeoutKind::Deadline, elapsed, .. }
                if elapsed >= Duration::from_millis(300)
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("list batches timed out: operation deadline reached after 0.3"),
        "{error}"
    );
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_retry_that_would_pass_the_deadline_is_not_attempted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .deadline(Duration::from_secs(5))
        .build()
        .unwrap();
    let error = client
        .batches()
        .list(&Default::default())
        .await
        .unwrap_err();
    // The server's answer, not a deadline timeout: the client gave up at once instead of
    // sleeping towards a retry that could never start.
    assert!(!matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(error.status(), Some(503));
    assert_eq!(request_count(&server).await, 1);
}

/// How long the keep-alive server below keeps an idle connection open.
const SERVER_IDLE: Duration = Duration::from_millis(300);

/// Reads one request (head and `content-length` body); `false` when the connection ends
/// first.
async fn read_request(socket: &mut tokio::net::TcpStream) -> bool {
    let mut received = Vec::new();
    let mut buffer = [0; 8 * 1024];
    loop {
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |value| value.trim().parse().unwrap());
            if received.len() >= end + 4 + length {
                return true;
            }
        }
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

/// A server that keeps connections alive and closes one that stays idle for
/// [`SERVER_IDLE`], as servers and load balancers do; it answers every request with
/// `body`. Returns its URL and a count of the connections it accepted.
async fn keep_alive_server(body: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \
                     {}\r\n\r\n{body}",
                    body.len()
                );
                let mut idle = Duration::MAX;
                while let Ok(true) = tokio::time::timeout(idle, read_request(&mut socket)).await {
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                    idle = SERVER_IDLE;
                }
            });
        }
    });
    (url, connections)
}

#[tokio::test]
async fn a_connection_kept_past_the_servers_idle_timeout_is_never_used_for_a_create() {
    // Creates (generated key: not retried once sent) spaced about the server's idle
    // timeout apart: each would otherwise be sent just as the server closes the pooled
    // connection, and fail with `connection closed before message completed`. The pool
    // retires a connection well before the server does, so each create opens its own.
    let (url, connections) = keep_alive_server(common::batch("bat-1", "PENDING").to_string()).await;
    let client = builder(&url)
        .pool_idle_timeout(SERVER_IDLE / 2)
        .build()
        .unwrap();
    let request = CreateBatchRequest::new(
        "dir-1",
        BatchConfig::new(JobConfig::new("cfg-1", JobType::ParseV2)),
    );
    for attempt in 0..12u32 {
        let created = client
            .batches()
            .create(&request, &CreateOptions::default())
            .await;
        assert!(created.is_ok(), "create {attempt}: {:?}", created.err());
        let jitter = Duration::from_millis(u64::from(attempt % 5) * 3);
        tokio::time::sleep(SERVER_IDLE - Duration::from_millis(6) + jitter).await;
    }
    assert_eq!(connections.load(Ordering::SeqCst), 12);
}

//! Bad input never gets a 500 or a hang: mangled bodies, odd queries, broken requests.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use common::{PROJECT, fast, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Sends the request and checks the answer is a 4xx with a JSON `detail`.
async fn assert_refused(request: reqwest::RequestBuilder, what: &str) {
    let response = request
        .send()
        .await
        .unwrap_or_else(|error| panic!("{what}: {error}"));
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(status.is_client_error(), "{what}: {status} {body}");
    let body: Value =
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{what}: not JSON: {body}"));
    assert!(body.get("detail").is_some(), "{what}: {body}");
}

#[tokio::test]
async fn every_truncation_and_corruption_of_a_body_is_a_4xx() {
    let (server, api) = start(fast()).await;
    let directory = server
        .fixtures()
        .create_directory_with_files(PROJECT, "d", 2)
        .unwrap();
    let valid = json!({
        "source_directory_id": directory,
        "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-1"}},
        "webhook_configurations": [{"webhook_url": "http://127.0.0.1:9/hook", "webhook_headers": {"a": "b"}}]
    })
    .to_string();
    let mut bodies: Vec<Vec<u8>> = (0..valid.len())
        .map(|end| valid.as_bytes()[..end].to_vec())
        .collect();
    for (i, replacement) in [(b'"', b'\''), (b':', b','), (b'{', b'['), (b'}', b'\0')]
        .iter()
        .enumerate()
    {
        let mangled: Vec<u8> = valid
            .bytes()
            .map(|b| if b == replacement.0 { replacement.1 } else { b })
            .collect();
        bodies.push(mangled);
        bodies.push(valid.as_bytes().iter().skip(i + 1).copied().collect());
    }
    bodies.push(vec![0xff, 0xfe, 0x00, 0x80]);
    bodies.push(format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes());
    bodies.push(b"{\"source_directory_id\": 1e999999, \"config\": null}".to_vec());
    bodies.push(b"\"just a string\"".to_vec());
    for (i, body) in bodies.into_iter().enumerate() {
        for path in [
            "/api/v2/batches",
            "/api/v1/beta/directories",
            &format!("/api/v1/beta/directories/{directory}/files"),
        ] {
            let request = api
                .request(Method::POST, path)
                .header("content-type", "application/json")
                .body(body.clone());
            assert_refused(request, &format!("body #{i} to {path}")).await;
        }
    }
    // The server is still fine.
    api.ok("/api/v2/batches").await;
    server.shutdown().await;
}

#[tokio::test]
async fn odd_queries_are_4xx_or_ignored() {
    let (server, api) = start(fast()).await;
    for query in [
        "page_size=1.5",
        "page_size=0",
        "page_size=-99999999999999999999999",
        "page_size=-0",
        "created_at_on_or_after=2024-13-45T99:99:99Z",
        "created_at_on_or_before=%00",
        "status=pending",
        "page_token=%FF%FF",
        "page_token=djF8enp8MXxh",
    ] {
        let (status, body) = api.get(&format!("/api/v2/batches?{query}")).await;
        assert!(status.is_client_error(), "{query}: {status} {body}");
    }
    for query in [
        "",
        "unknown=1",
        "expand=results",
        "page_size=5000",
        // As the schema says: any integer of at least 1, the large ones read as 1000.
        "page_size=99999999999999999999999",
        "page_token=",
        "status=COMPLETED&status=FAILED",
    ] {
        let (status, body) = api.get(&format!("/api/v2/batches?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
    }
    server.shutdown().await;
}

// Blocking sockets below: the server needs a worker of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_shorter_than_its_length_and_garbage_requests_do_not_hang() {
    let (server, _api) = start(fast()).await;
    let exchange = |request: &[u8]| {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = Vec::new();
        // A closed connection or a response both end the read; only a hang fails it.
        match stream.read_to_end(&mut answer) {
            Ok(_) => String::from_utf8_lossy(&answer).into_owned(),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => String::new(),
            Err(error) => panic!("no answer: {error}"),
        }
    };
    let short = exchange(
        b"POST /api/v2/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer llx-local-dev\r\n\
          Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":",
    );
    assert!(short.starts_with("HTTP/1.1 400"), "{short}");
    assert!(short.contains("Cannot read the request body"), "{short}");
    let garbage = exchange(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n");
    assert!(!garbage.starts_with("HTTP/1.1 5"), "{garbage}");
    let bad_header = exchange(
        b"GET /api/v2/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
    );
    assert!(bad_header.starts_with("HTTP/1.1 401"), "{bad_header}");
    server.shutdown().await;
}

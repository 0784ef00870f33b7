//! Hostile requests: forged page tokens, odd dates, injections, oversized and deep bodies,
//! invalid UTF-8 and stalled connections. Each is refused with a 4xx and a JSON `detail`
//! (or, where hyper answers before the application, its own 4xx), and the server still
//! answers a normal request afterwards.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batches_server::ServerConfig;
use common::{Api, PROJECT, fast, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The answer to `request`: a 4xx with a JSON `detail`; returns the detail.
async fn refused(request: reqwest::RequestBuilder, what: &str) -> (StatusCode, Value) {
    let response = request
        .send()
        .await
        .unwrap_or_else(|error| panic!("{what}: {error}"));
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_client_error(), "{what}: {status} {text}");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: not JSON: {text}"));
    assert!(body.get("detail").is_some(), "{what}: {body}");
    (status, body["detail"].clone())
}

/// The server still lists batches.
async fn alive(api: &Api) {
    api.ok("/api/v2/batches?page_size=1").await;
}

/// A real token of a listing of `page_size` 1 over at least two batches.
async fn real_token(api: &Api, query: &str) -> String {
    let page = api.ok(&format!("/api/v2/batches?page_size=1{query}")).await;
    page["next_page_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn forged_page_tokens_are_refused() {
    let (server, api) = start(ServerConfig { seed: 5, ..fast() }).await;
    let token = real_token(&api, "").await;
    let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
    // The signed payload is `v2|fingerprint|micros|id`, then 16 bytes of signature.
    let (payload, tag) = bytes.split_at(bytes.len() - 16);
    let text = std::str::from_utf8(payload).unwrap();
    let fields: Vec<&str> = text.splitn(4, '|').collect();
    let sign_kept = |payload: String| {
        let mut forged = payload.into_bytes();
        forged.extend_from_slice(tag);
        URL_SAFE_NO_PAD.encode(forged)
    };
    let forgeries = [
        // The fingerprint kept, the cursor moved to the far future: would list everything.
        sign_kept(format!("v2|{}|9999999999999999|{}", fields[1], fields[3])),
        // A field added.
        sign_kept(format!("{text}|extra")),
        // The unsigned form of the earlier version, with the real fingerprint.
        URL_SAFE_NO_PAD.encode(format!("v1|{}|{}|{}", fields[1], fields[2], fields[3])),
        // The signature cut, or flipped.
        URL_SAFE_NO_PAD.encode(payload),
        {
            let mut flipped = bytes.clone();
            *flipped.last_mut().unwrap() ^= 1;
            URL_SAFE_NO_PAD.encode(flipped)
        },
        // Long, and not base64 at all.
        "A".repeat(20_000),
        "%00%FF<script>".to_owned(),
    ];
    for (i, forged) in forgeries.iter().enumerate() {
        let (status, detail) = refused(
            api.request(Method::GET, "/api/v2/batches")
                .query(&[("page_size", "1"), ("page_token", forged)]),
            &format!("forgery {i}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "forgery {i}");
        assert!(
            detail
                .as_str()
                .unwrap()
                .starts_with("page_token is not valid"),
            "forgery {i}: {detail}"
        );
    }
    // A token of another server (another key) is refused too, even for the same listing.
    let (other, other_api) = start(ServerConfig { seed: 5, ..fast() }).await;
    let foreign = real_token(&other_api, "").await;
    let (status, _) = refused(
        api.request(Method::GET, "/api/v2/batches")
            .query(&[("page_size", "1"), ("page_token", &foreign)]),
        "a token of another server",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The real token still works, and only with its own filters.
    api.ok(&format!("/api/v2/batches?page_size=1&page_token={token}"))
        .await;
    refused(
        api.request(Method::GET, "/api/v2/batches")
            .query(&[("status", "RUNNING"), ("page_token", &token)]),
        "another listing",
    )
    .await;
    alive(&api).await;
    other.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn hostile_dates_and_injections_are_refused_or_harmless() {
    let (server, api) = start(ServerConfig { seed: 3, ..fast() }).await;
    for date in [
        "9999999-01-01T00:00:00Z",
        "+275760-09-13T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-01-01T25:00:00Z",
        "2024-01-01T00:00:00+99:00",
        "1e309",
        "0x7fffffff",
        "\u{0}",
        "２０２４-01-01",
        "2024-01-01T00:00:00Z'; DROP TABLE batches; --",
    ] {
        for name in ["created_at_on_or_after", "created_at_on_or_before"] {
            let (status, detail) = refused(
                api.request(Method::GET, "/api/v2/batches")
                    .query(&[(name, date)]),
                &format!("{name}={date:?}"),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{date:?}");
            assert_eq!(detail[0]["loc"], json!(["query", name]), "{date:?}");
        }
    }
    // Filters are bound parameters: SQL in them matches nothing and changes nothing.
    for injection in [
        "' OR '1'='1",
        "x\" OR 1=1 --",
        "%' OR created_at > 0 --",
        "\\'; --",
    ] {
        let page = api
            .send(
                api.request(Method::GET, "/api/v2/batches")
                    .query(&[("source_directory_id", injection)]),
            )
            .await;
        assert_eq!(page.0, StatusCode::OK, "{injection}");
        assert_eq!(page.1["items"], json!([]), "{injection}");
        let (status, _) = refused(
            api.request(
                Method::GET,
                &format!("/api/v2/batches/{}", urlencode(injection)),
            ),
            &format!("batch id {injection}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        refused(
            api.request(Method::GET, "/api/v2/batches")
                .query(&[("status", injection)]),
            &format!("status {injection}"),
        )
        .await;
    }
    for path in [
        "/api/v2/batches/..%2F..%2Fetc%2Fpasswd",
        "/api/v2/batches/%FF%FE",
        "/api/v2/batches/bat-1%2Fcancel",
    ] {
        let (status, body) = api.get(path).await;
        assert!(status.is_client_error(), "{path}: {status} {body}");
        assert!(body.get("detail").is_some(), "{path}: {body}");
    }
    let (items, _) = api.list_all("/api/v2/batches").await;
    assert_eq!(items.len(), 3, "nothing was changed");
    server.shutdown().await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn oversized_deep_and_invalid_bodies_are_refused() {
    let (server, api) = start(fast()).await;
    let directory = server
        .fixtures()
        .create_directory_with_files(PROJECT, "d", 1)
        .unwrap();
    let post = |body: Vec<u8>| {
        api.request(Method::POST, "/api/v2/batches")
            .header("content-type", "application/json")
            .body(body)
    };
    let huge_name = "x".repeat(2 * 1024 * 1024);
    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "a 2 MiB body",
            json!({"source_directory_id": huge_name, "config": {}})
                .to_string()
                .into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "objects nested 100,000 deep",
            format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)).into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "arrays nested 100,000 deep in a field",
            format!(
                "{{\"source_directory_id\": {}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "invalid UTF-8 in a string",
            [&b"{\"source_directory_id\": \"dir-\xff\xfe\", \"config\": {}}"[..]].concat(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a lone surrogate escape",
            br#"{"source_directory_id": "\ud800", "config": {"job": {"type": "parse_v2", "configuration_id": "c"}}}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "an empty source_directory_id",
            json!({"source_directory_id": "", "config": {"job": {"type": "parse_v2", "configuration_id": "c"}}})
                .to_string()
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a whitespace configuration_id",
            json!({"source_directory_id": directory, "config": {"job": {"type": "parse_v2", "configuration_id": " \t"}}})
                .to_string()
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "100,000 webhook configurations of the wrong type",
            json!({"source_directory_id": directory, "config": {"job": {"type": "parse_v2", "configuration_id": "c"}},
                   "webhook_configurations": vec![1; 100_000]})
                .to_string()
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (what, body, expected) in cases {
        let (status, _) = refused(post(body), what).await;
        assert_eq!(status, expected, "{what}");
        alive(&api).await;
    }
    // A header larger than hyper accepts is hyper's own 431, before the application.
    let response = api
        .request(Method::GET, "/api/v2/batches")
        .header("x-big", "x".repeat(1024 * 1024))
        .send()
        .await;
    match response {
        Ok(response) => assert_eq!(
            response.status(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        ),
        // hyper may close the connection while the client is still sending.
        Err(error) => assert!(error.is_request() || error.is_body(), "{error}"),
    }
    alive(&api).await;
    server.shutdown().await;
}

// Blocking sockets below: the server needs a worker of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_do_not_stop_the_server() {
    let (server, api) = start(fast()).await;
    let mut stalled = Vec::new();
    for partial in [
        &b""[..],
        b"GET /api/v2/batches HTTP/1.1\r\nHost: x\r\n",
        b"POST /api/v2/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer llx-local-dev\r\n\
          Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"source",
        b"POST /api/v2/batches HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\
          Authorization: Bearer llx-local-dev\r\n\r\n5\r\n{\"sou",
    ] {
        // Sixteen of each, left open without the rest of their request.
        for _ in 0..16 {
            let mut stream = TcpStream::connect(server.addr()).unwrap();
            stream.write_all(partial).unwrap();
            stalled.push(stream);
        }
    }
    // Others are served meanwhile, many times over.
    for _ in 0..20 {
        alive(&api).await;
    }
    // A request sent byte by byte is still read.
    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for byte in b"GET /api/v2/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer llx-local-dev\r\nConnection: close\r\n\r\n" {
        slow.write_all(&[*byte]).unwrap();
    }
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(stalled);
    alive(&api).await;
    server.shutdown().await;
}

/// Sends `request` and returns the whole response (its head and its `Content-Length` body)
/// as text, or panics when none comes within 10 s: the stalled body stays unfinished, so
/// only the server's own timeout can produce the answer.
fn answer_to_a_stalled_body(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&answer).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) => return text,
            Ok(read) => answer.extend_from_slice(&buffer[..read]),
            Err(error) => panic!("no answer to a stalled body: {error}; got {text:?}"),
        }
    }
}

// Blocking sockets below: the server needs a worker of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_bodies_get_a_408_uploads_included() {
    let (server, api) = start(ServerConfig {
        body_timeout: Duration::from_millis(300),
        ..fast()
    })
    .await;
    let directory = api.create_directory("docs").await;
    let head = |path: &str, content_type: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer llx-local-dev\r\n\
             Content-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n"
        )
    };
    let upload = format!(
        "{}--b\r\nContent-Disposition: form-data; name=\"upload_file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7",
        head(
            &format!("/api/v1/beta/directories/{directory}/files/upload"),
            "multipart/form-data; boundary=b"
        )
    );
    let upload_before_the_file = format!(
        "{}--b\r\nContent-Disposition: form-data; name=\"unique_id\"\r\n\r\nid-",
        head(
            &format!("/api/v1/beta/directories/{directory}/files/upload"),
            "multipart/form-data; boundary=b"
        )
    );
    let create = format!(
        "{}{{\"source_directory_id\": \"{directory}\"",
        head("/api/v2/batches", "application/json")
    );
    let add = format!(
        "{}{{\"file_id\": ",
        head(
            &format!("/api/v1/beta/directories/{directory}/files"),
            "application/json"
        )
    );
    for (what, request) in [
        ("an upload stalled in its file", upload),
        ("an upload stalled in a text field", upload_before_the_file),
        ("a create", create),
        ("an add", add),
    ] {
        let answer = answer_to_a_stalled_body(server.addr(), request.as_bytes());
        assert!(answer.starts_with("HTTP/1.1 408"), "{what}: {answer}");
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        let body: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: {body}"));
        assert_eq!(
            body["detail"], "The request body did not arrive in time",
            "{what}"
        );
    }
    // Nothing was stored, and the server goes on.
    let files = api
        .ok(&format!("/api/v1/beta/directories/{directory}/files"))
        .await;
    assert_eq!(files["items"], json!([]));
    alive(&api).await;
    server.shutdown().await;
}

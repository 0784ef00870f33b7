//! `ForwardProxy`, the loopback proxy of client tests: it records the requests that
//! arrived, and only those, so a test can require every one to carry the credentials.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use batches_server::ForwardProxy;
use common::{KEY, fast, start};

/// `Proxy-Authorization` for `user:pw`.
const AUTHORIZATION: &str = "Basic dXNlcjpwdw==";

// Blocking sockets below: the server needs a worker of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_closed_before_a_request_are_not_requests() {
    let (server, _) = start(fast()).await;
    let proxy = ForwardProxy::start(server.addr(), Some(AUTHORIZATION.to_owned())).unwrap();
    let proxy_addr = proxy.url().trim_start_matches("http://").to_owned();
    // What a client leaves behind when it drops a request it had connected for: nothing
    // sent, or part of a head.
    for sent in [
        &b""[..],
        b"GET http://x/api/v2/batches HTTP/1.1\r\nHost: x\r\n",
    ] {
        let mut stream = TcpStream::connect(&proxy_addr).unwrap();
        stream.write_all(sent).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // The proxy closes its side without an answer once it has seen the end.
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&answer),
            "",
            "after {:?}",
            String::from_utf8_lossy(sent)
        );
    }
    let client = reqwest::Client::builder()
        .proxy(
            reqwest::Proxy::http(proxy.url())
                .unwrap()
                .basic_auth("user", "pw"),
        )
        .build()
        .unwrap();
    let response = client
        .get(format!("{}/api/v2/batches", server.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].proxy_authorization.as_deref(),
        Some(AUTHORIZATION)
    );
    server.shutdown().await;
}

//! Corporate networks: the emulator over HTTPS trusted through `ca_bundle`, and a
//! forwarding proxy given as `proxy`.

use std::net::TcpListener;
use std::ptr;

use batches_ffi::batches_status::{BATCHES_OK, BATCHES_TRANSPORT_ERROR};
use batches_ffi::{
    batches_client, batches_client_free, batches_client_new, batches_list, batches_status,
};
use batches_server::{BackgroundServer, CA_FILE, DEFAULT_API_KEY, ForwardProxy, ServerConfig, Tls};
use serde_json::json;

use crate::support::{c, outcome};

/// Lists one page of 100 with a client made from `config`.
fn list_with(config: serde_json::Value) -> Result<serde_json::Value, (batches_status, String)> {
    let config = c(&config.to_string());
    let (mut client, mut err) = (ptr::null_mut::<batches_client>(), ptr::null_mut());
    let status = unsafe { batches_client_new(config.as_ptr(), &mut client, &mut err) };
    assert_eq!(status, BATCHES_OK);
    let params = c(r#"{"page_size": 100}"#);
    let (mut page, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe { batches_list(client, params.as_ptr(), &mut page, &mut err) };
    let result = outcome(status, page, err);
    unsafe { batches_client_free(client) };
    result
}

#[test]
fn lists_over_https_with_ca_bundle_directly_and_through_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let server = BackgroundServer::start(ServerConfig {
        seed: 20,
        tls: Some(Tls::SelfSigned {
            dir: dir.path().to_owned(),
        }),
        ..ServerConfig::default()
    })
    .unwrap();
    let ca_bundle = dir.path().join(CA_FILE);
    let config = |base_url: &str| {
        json!({
            "api_key": DEFAULT_API_KEY.0,
            "base_url": base_url,
            "max_retries": 0,
            // The machine's NO_PROXY must not exempt loopback from the proxy below.
            "no_proxy": "",
        })
    };

    let (status, message) = list_with(config(&server.base_url())).unwrap_err();
    assert_eq!(status, BATCHES_TRANSPORT_ERROR);
    assert!(message.contains("certificate not trusted"), "{message}");
    assert!(
        message.contains("ca_bundle or in SSL_CERT_FILE"),
        "{message}"
    );

    let mut trusting = config(&server.base_url());
    trusting["ca_bundle"] = json!(ca_bundle);
    let page = list_with(trusting).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 20);

    // Through the proxy, to an address where nothing listens directly.
    let proxy = ForwardProxy::start(server.addr(), None).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut proxied = config(&format!("https://localhost:{port}"));
    proxied["ca_bundle"] = json!(ca_bundle);
    proxied["proxy"] = json!(proxy.url());
    let page = list_with(proxied).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "CONNECT");
    assert_eq!(requests[0].target, format!("localhost:{port}"));
}

//! `batches_webhook_verify`: a delivery the emulator sent, verified as a C receiver
//! verifies it, and every way a delivery is refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::ptr;
use std::sync::mpsc;
use std::time::Duration;

use batches_ffi::batches_status::{
    BATCHES_DECODE_ERROR, BATCHES_INVALID_ARGUMENT, BATCHES_SIGNATURE_ERROR,
};
use batches_ffi::{batches_create, batches_status, batches_webhook_verify};
use batches_server::{BackgroundServer, ServerConfig};

use crate::support::{c, client_of, outcome};

const SECRET: &str = "whsec-ffi";

/// Verifies `body` with `signature` (`None`: no header) and `secret`.
fn verify(
    body: &[u8],
    signature: Option<&str>,
    secret: Option<&str>,
) -> Result<serde_json::Value, (batches_status, String)> {
    let signature = signature.map(c);
    let secret = secret.map(c);
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        batches_webhook_verify(
            if body.is_empty() {
                ptr::null()
            } else {
                body.as_ptr().cast()
            },
            body.len(),
            signature.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            secret.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            &mut out,
            &mut err,
        )
    };
    outcome(status, out, err)
}

/// A delivery as received: its `LC-Signature` header, if any, and its body.
type Delivery = (Option<String>, Vec<u8>);

/// A receiver on a free port: each delivery, answered 200.
fn receiver() -> (String, mpsc::Receiver<Delivery>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let (sender, received) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut signature) = (0, None);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or_default();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "lc-signature" => signature = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
            let _ = sender.send((signature, body));
        }
    });
    (url, received)
}

#[test]
fn an_emulator_delivery_verifies_and_forgeries_are_refused() {
    let server = BackgroundServer::start(ServerConfig {
        processing_ms: 5,
        ..ServerConfig::default()
    })
    .unwrap();
    let directory = server
        .fixtures()
        .create_directory_with_files("prj-local", "docs", 1)
        .unwrap();
    let (url, received) = receiver();
    let client = client_of(&server.base_url());
    let request = c(&serde_json::json!({
        "source_directory_id": directory,
        "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
        "webhook_configurations": [{
            "webhook_url": url,
            "webhook_signing_secret": SECRET,
            "webhook_events": ["batch.pending"],
        }],
    })
    .to_string());
    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe { batches_create(client, request.as_ptr(), &mut out, &mut err) };
    let batch = outcome(status, out, err).unwrap();
    let (signature, body) = received.recv_timeout(Duration::from_secs(60)).unwrap();
    let signature = signature.expect("a signed delivery");

    let event = verify(&body, Some(&signature), Some(SECRET)).unwrap();
    assert_eq!(event["event_type"], "batch.pending");
    assert_eq!(event["data"]["id"], batch["id"]);

    let refused =
        |result: Result<serde_json::Value, (batches_status, String)>| result.expect_err("refused");
    let (status, message) = refused(verify(&body, Some(&signature), Some("whsec-other")));
    assert_eq!(status, BATCHES_SIGNATURE_ERROR);
    assert!(message.contains("does not match"), "{message}");
    let mut altered = body.clone();
    altered[10] ^= 0x20;
    let (status, _) = refused(verify(&altered, Some(&signature), Some(SECRET)));
    assert_eq!(status, BATCHES_SIGNATURE_ERROR);
    let (status, message) = refused(verify(&body, None, Some(SECRET)));
    assert_eq!(status, BATCHES_SIGNATURE_ERROR);
    assert!(message.contains("no LC-Signature header"), "{message}");
    let (status, message) = refused(verify(&body, Some("md5=abc"), Some(SECRET)));
    assert_eq!(status, BATCHES_SIGNATURE_ERROR);
    assert!(
        message.contains("expected sha256= and 64 hex digits"),
        "{message}"
    );
    let (status, message) = refused(verify(&body, Some(&signature), None));
    assert_eq!(
        (status, message.as_str()),
        (BATCHES_INVALID_ARGUMENT, "`secret` is NULL")
    );
    let (status, _) = refused(verify(&body, Some(&signature), Some("")));
    assert_eq!(status, BATCHES_INVALID_ARGUMENT);
    // Authentic, but not an event.
    let hello = br#"{"hello":"world"}"#;
    let signed = "sha256=9343feef5af63b05d8b85daac0bdf13ccec02e9b9b790415d4f027951d7d9c7e";
    let (status, message) = refused(verify(hello, Some(signed), Some(SECRET)));
    assert_eq!(status, BATCHES_DECODE_ERROR);
    assert!(message.contains("not a webhook event"), "{message}");

    let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
    let secret = c(SECRET);
    let status = unsafe {
        batches_webhook_verify(
            ptr::null(),
            3,
            ptr::null(),
            secret.as_ptr(),
            &mut out,
            &mut err,
        )
    };
    let (status, message) = outcome(status, out, err).unwrap_err();
    assert_eq!(status, BATCHES_INVALID_ARGUMENT);
    assert_eq!(message, "`body` is NULL but `body_len` is 3");
    unsafe { batches_ffi::batches_client_free(client) };
}

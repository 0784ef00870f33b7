//! HTTPS: a generated CA and loopback certificate, or one given as PEM files; faults
//! still break connections the way they do over plain HTTP.

mod common;

use std::{
    fs,
    io::Read,
    process::{Command, Stdio},
};

use batches_server::{CA_FILE, FaultKind, ServerConfig, Tls, spawn};
use common::{Api, BINARY, KEY, fast, launch};

fn self_signed(dir: &std::path::Path) -> ServerConfig {
    ServerConfig {
        tls: Some(Tls::SelfSigned {
            dir: dir.to_owned(),
        }),
        ..fast()
    }
}

/// The whole chain of causes of a client error, on one line.
fn causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn the_generated_ca_is_written_and_trusted_for_127_0_0_1_and_localhost() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("new");
    let server = spawn(self_signed(&ca_dir)).await.unwrap();
    let base = server.base_url();
    assert_eq!(base, format!("https://{}", server.addr()));
    let ca = fs::read(ca_dir.join(CA_FILE)).expect("the directory is created, ca.pem written");

    Api::trusting(&base, KEY, &ca).ok("/api/v2/batches").await;
    let localhost = format!("https://localhost:{}", server.addr().port());
    Api::trusting(&localhost, KEY, &ca)
        .ok("/api/v2/batches")
        .await;

    // Without the CA, the bundled public roots do not vouch for it.
    let error = Api::new(&base, KEY)
        .request(reqwest::Method::GET, "/api/v2/batches")
        .send()
        .await
        .expect_err("an unknown CA is refused");
    assert!(
        causes(&error).contains("UnknownIssuer"),
        "{}",
        causes(&error)
    );
    // Plain HTTP to the HTTPS port gets no answer.
    let plain = format!("http://{}", server.addr());
    Api::new(&plain, KEY)
        .request(reqwest::Method::GET, "/api/v2/batches")
        .send()
        .await
        .expect_err("plain HTTP is not served");
    // Serving goes on after those failed handshakes.
    Api::trusting(&base, KEY, &ca).ok("/api/v2/batches").await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_reset_or_a_truncated_body_reaches_an_https_client() {
    let dir = tempfile::tempdir().unwrap();
    let mut cas = Vec::new();
    for kind in [FaultKind::Reset, FaultKind::Truncate] {
        let server = spawn(ServerConfig {
            fault_rate: 1.0,
            fault_kinds: vec![kind],
            ..self_signed(dir.path())
        })
        .await
        .unwrap();
        let ca = fs::read(dir.path().join(CA_FILE)).unwrap();
        let api = Api::trusting(&server.base_url(), KEY, &ca);
        cas.push(ca);
        let sent = api
            .request(reqwest::Method::GET, "/api/v2/batches")
            .send()
            .await;
        match kind {
            FaultKind::Reset => {
                let error = sent.expect_err("the connection is reset");
                assert!(!error.is_connect(), "the handshake succeeded: {error}");
            }
            _ => {
                let response = sent.expect("the headers arrive");
                assert_eq!(response.status(), 200);
                response.bytes().await.expect_err("the body is cut off");
            }
        }
        server.shutdown().await;
    }
    assert_ne!(cas[0], cas[1], "each start makes a new CA");
}

#[tokio::test]
async fn the_binary_serves_https_from_a_generated_ca_or_from_pem_files() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    let process = launch(&["--tls-self-signed", ca_dir.to_str().unwrap()]);
    let ca = fs::read(ca_dir.join(CA_FILE)).unwrap();
    Api::trusting(&process.base_url, KEY, &ca)
        .ok("/api/v2/batches")
        .await;
    drop(process);

    // A certificate of one's own: here a self-signed one made with rcgen.
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    fs::write(&cert, made.cert.pem()).unwrap();
    fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let process = launch(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    Api::trusting(&process.base_url, KEY, made.cert.pem().as_bytes())
        .ok("/api/v2/batches")
        .await;
}

#[test]
fn tls_flags_that_do_not_fit_together_or_files_that_do_not_hold_pem_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("text.pem");
    fs::write(&text, "not PEM\n").unwrap();
    let text = text.to_str().unwrap();
    for (args, code, expected) in [
        (vec!["--tls-cert", text], 2, "--tls-key"),
        (
            vec![
                "--tls-self-signed",
                text,
                "--tls-cert",
                text,
                "--tls-key",
                text,
            ],
            2,
            "cannot be used with",
        ),
        (
            vec!["--tls-cert", text, "--tls-key", text],
            1,
            "holds no certificate",
        ),
    ] {
        let mut child = Command::new(BINARY)
            .args(["--listen", "127.0.0.1:0"])
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

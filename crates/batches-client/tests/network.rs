//! Corporate networks, all on loopback: the emulator over HTTPS with a CA of its own,
//! trusted through `ca_bundle` or `add_root_certificate`, and a forwarding proxy.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use batches_client::{Client, ClientBuilder, Error, Source, TlsFailure};
use batches_server::{CA_FILE, ForwardProxy, RunningServer, ServerConfig, Tls, spawn};
use futures_util::TryStreamExt;

const KEY: &str = "llx-local-dev";

/// The emulator over HTTPS with 120 batches, its CA written to `dir/ca.pem`.
async fn https_emulator(dir: &Path) -> RunningServer {
    spawn(ServerConfig {
        seed: 120,
        tls: Some(Tls::SelfSigned {
            dir: dir.to_owned(),
        }),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

/// A loopback port nothing listens on: a client sent there reaches nothing directly.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A builder with the key and no retries; the machine's `NO_PROXY` must not exempt
/// loopback from the proxies these tests set.
fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .max_retries(2)
        .no_proxy("")
}

async fn count_all(client: &Client) -> Result<usize, Error> {
    let params = batches_client::ListBatchesParams {
        page_size: Some(50),
        ..Default::default()
    };
    let batches: Vec<_> = client.batches().stream(params).try_collect().await?;
    Ok(batches.len())
}

#[tokio::test]
async fn a_ca_bundle_or_an_added_certificate_makes_the_emulators_ca_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let server = https_emulator(dir.path()).await;
    let ca_path: PathBuf = dir.path().join(CA_FILE);
    let ca = std::fs::read(&ca_path).unwrap();

    let client = builder(&server.base_url())
        .ca_bundle(&ca_path)
        .build()
        .unwrap();
    assert_eq!(count_all(&client).await.unwrap(), 120);
    let localhost = format!("https://localhost:{}", server.addr().port());
    let client = builder(&localhost)
        .add_root_certificate(&ca)
        .build()
        .unwrap();
    assert_eq!(count_all(&client).await.unwrap(), 120);

    // The system's roots alone do not vouch for it.
    let client = builder(&server.base_url()).build().unwrap();
    let error = count_all(&client).await.unwrap_err();
    let Error::Tls { kind, reason, .. } = &error else {
        panic!("not a TLS error: {error}")
    };
    assert_eq!(*kind, TlsFailure::Certificate);
    assert_eq!(reason, "invalid peer certificate: UnknownIssuer");
    assert_eq!(
        error.to_string(),
        "list batches failed: certificate not trusted (invalid peer certificate: \
         UnknownIssuer); if a proxy or gateway re-signs TLS, pass its CA as ca_bundle or in \
         SSL_CERT_FILE"
    );

    // https:// to a server that speaks plain HTTP is a handshake failure.
    let plain = spawn(ServerConfig::default()).await.unwrap();
    let wrong_scheme = format!("https://{}", plain.addr());
    let client = builder(&wrong_scheme).build().unwrap();
    let error = count_all(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Tls {
                kind: TlsFailure::Handshake,
                ..
            }
        ),
        "{error}"
    );
    plain.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn bad_ca_bundles_and_certificates_are_refused_when_building() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let error = builder("https://127.0.0.1:1")
        .ca_bundle(&missing)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(&format!(
            "configuration error: cannot read ca_bundle {} (explicit): ",
            missing.display()
        )),
        "{error}"
    );
    let error = builder("https://127.0.0.1:1")
        .ca_bundle(dir.path())
        .build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("pass a PEM file"), "{error}");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "no certificate here").unwrap();
    let error = builder("https://127.0.0.1:1")
        .ca_bundle(&text)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("notes.txt (explicit) holds no certificate"),
        "{error}"
    );
    let error = builder("https://127.0.0.1:1")
        .add_root_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("certificate text 1 given to ClientBuilder::add_root_certificate"),
        "{error}"
    );
}

#[tokio::test]
async fn requests_reach_a_plain_http_emulator_only_through_the_proxy() {
    let server = spawn(ServerConfig {
        seed: 120,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    // `Basic` of `bob:pw`.
    let authorization = "Basic Ym9iOnB3";
    let proxy = ForwardProxy::start(server.addr(), Some(authorization.to_owned())).unwrap();
    let unreachable = format!("http://127.0.0.1:{}", closed_port());
    let with_credentials = proxy.url().replace("http://", "http://bob:pw@");
    let client = builder(&unreachable)
        .proxy(with_credentials)
        .build()
        .unwrap();
    assert_eq!(count_all(&client).await.unwrap(), 120);
    let requests = proxy.requests();
    assert_eq!(requests.len(), 3, "one per page: {requests:?}");
    for request in &requests {
        assert_eq!(request.method, "GET");
        assert!(
            request
                .target
                .starts_with(&format!("{unreachable}/api/v2/batches?page_size=50")),
            "{request:?}"
        );
        assert_eq!(request.proxy_authorization.as_deref(), Some(authorization));
    }

    // NO_PROXY's rules exempt the host: the proxy sees nothing.
    let direct = builder(&server.base_url())
        .proxy(proxy.url())
        .no_proxy("example.com, 127.0.0.0/8");
    let settings = direct.settings().unwrap();
    assert_eq!(settings.proxy.value, None);
    assert_eq!(settings.proxy.source, Source::Explicit);
    assert_eq!(count_all(&direct.build().unwrap()).await.unwrap(), 120);
    assert_eq!(proxy.requests().len(), 3);

    // `*` is every host, IP addresses included (as in curl).
    let everywhere = builder(&server.base_url()).proxy(proxy.url()).no_proxy("*");
    assert_eq!(everywhere.settings().unwrap().proxy.value, None);
    assert_eq!(count_all(&everywhere.build().unwrap()).await.unwrap(), 120);
    assert_eq!(proxy.requests().len(), 3, "the proxy saw nothing more");
    let ipv6 = builder("http://[::1]:8080")
        .proxy(proxy.url())
        .no_proxy("*");
    assert_eq!(ipv6.settings().unwrap().proxy.value, None);
    server.shutdown().await;
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_the_proxys_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let server = https_emulator(dir.path()).await;
    let ca = std::fs::read(dir.path().join(CA_FILE)).unwrap();
    // `Basic` of `alice:s3cret pw`, whose space is written %20 in the URL.
    let authorization = "Basic YWxpY2U6czNjcmV0IHB3";
    let proxy = ForwardProxy::start(server.addr(), Some(authorization.to_owned())).unwrap();
    let port = closed_port();
    let unreachable = format!("https://localhost:{port}");
    let with_credentials = proxy.url().replace("http://", "http://alice:s3cret%20pw@");

    let builder = builder(&unreachable)
        .add_root_certificate(&ca)
        .proxy(&with_credentials);
    let shown = format!("{builder:?} {:?}", builder.settings().unwrap());
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("http://***@127.0.0.1:"), "{shown}");
    assert_eq!(count_all(&builder.build().unwrap()).await.unwrap(), 120);
    let requests = proxy.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        assert_eq!(request.method, "CONNECT");
        assert_eq!(request.target, format!("localhost:{port}"));
        assert_eq!(request.proxy_authorization.as_deref(), Some(authorization));
    }

    // Refused credentials: the error says so without them.
    let wrong = proxy.url().replace("http://", "http://alice:wr0ng-secret@");
    let client = self::builder(&unreachable)
        .add_root_certificate(&ca)
        .proxy(&wrong)
        .build()
        .unwrap();
    let error = count_all(&client).await.unwrap_err().to_string();
    assert!(!error.contains("wr0ng"), "{error}");
    assert!(error.starts_with("list batches failed"), "{error}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_refused_certificate_is_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server = https_emulator(dir.path()).await;
    // The proxy counts the connections the client opens.
    let proxy = ForwardProxy::start(server.addr(), None).unwrap();
    let client = builder(&format!("https://localhost:{}", closed_port()))
        .proxy(proxy.url())
        .build()
        .unwrap();
    let error = count_all(&client).await.unwrap_err();
    assert!(matches!(error, Error::Tls { .. }), "{error}");
    assert_eq!(
        proxy.requests().len(),
        1,
        "one attempt despite max_retries(2)"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_proxy_is_named_in_the_error_without_its_password() {
    // The API is up; only the proxy is not there.
    let server = spawn(ServerConfig::default()).await.unwrap();
    let dead_proxy = format!("http://ops:s3cr3t-pw@127.0.0.1:{}", closed_port());
    let client = builder(&server.base_url())
        .proxy(&dead_proxy)
        .max_retries(0)
        .build()
        .unwrap();
    let error = count_all(&client).await.unwrap_err();
    let Error::Transport {
        phase,
        proxy: Some(proxy),
        ..
    } = &error
    else {
        panic!("not a transport error naming the proxy: {error:?}")
    };
    assert_eq!(*phase, batches_client::TransportPhase::Connect);
    assert_eq!(proxy.source, Source::Explicit);
    let shown_as = dead_proxy.replace("ops:s3cr3t-pw", "***");
    assert_eq!(proxy.value.to_string(), shown_as);
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "list batches failed: could not connect through the proxy {shown_as} \
             (explicit): "
        )),
        "{message}"
    );
    assert!(
        !format!("{message} {error:?}").contains("s3cr3t"),
        "{message}"
    );

    // Without a proxy, a transport error names none.
    let client = builder(&format!("http://127.0.0.1:{}", closed_port()))
        .max_retries(0)
        .build()
        .unwrap();
    let error = count_all(&client).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { proxy: None, .. }),
        "{error:?}"
    );
    server.shutdown().await;
}

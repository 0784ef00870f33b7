//! Configuration from the environment variables of the official clients and of the
//! network. One test: the process environment is shared by every thread of this binary.

use batches_client::{Client, ClientBuilder, Endpoint, Layer, Region, Source};
use batches_server::{CA_FILE, ForwardProxy, ServerConfig, Tls, spawn};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const VARIABLES: [&str; 15] = [
    "LLAMA_CLOUD_API_KEY",
    "LLAMA_PARSE_API_KEY",
    "LLAMA_CLOUD_BASE_URL",
    "LLAMA_CLOUD_CUSTOM_HEADERS",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUEST_METHOD",
];

fn set(pairs: &[(&str, &str)]) {
    // SAFETY: this binary has this single test, so no other thread reads the environment.
    unsafe {
        for name in VARIABLES {
            std::env::remove_var(name);
        }
        for (name, value) in pairs {
            std::env::set_var(name, value);
        }
    }
}

#[tokio::test]
async fn environment_variables_configure_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer llx-from-fallback"))
        .and(header("x-team", "data"))
        .and(header("x-trace", "a: b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": []})))
        .expect(1)
        .mount(&server)
        .await;

    set(&[
        ("LLAMA_PARSE_API_KEY", " llx-from-fallback\n"),
        ("LLAMA_CLOUD_BASE_URL", &server.uri()),
        (
            "LLAMA_CLOUD_CUSTOM_HEADERS",
            "x-team: data\n\nx-trace: a: b\n",
        ),
    ]);
    let client = ClientBuilder::from_env().build().unwrap();
    client.batches().list(&Default::default()).await.unwrap();

    // Each value names the variable it came from; the environment beats a profile.
    let profile = Layer {
        api_key: Some("llx-from-profile".to_owned()),
        region: Some(Region::Eu),
        max_retries: Some(7),
        ..Layer::default()
    };
    let settings = ClientBuilder::from_env()
        .layer(Source::Profile("default".to_owned()), profile)
        .settings()
        .unwrap();
    let key = settings.api_key.unwrap();
    assert_eq!(key.value, "llx-from-fallback");
    assert_eq!(key.source, Source::Env("LLAMA_PARSE_API_KEY"));
    assert_eq!(settings.endpoint.value, Endpoint::Url(server.uri()));
    assert_eq!(
        settings.endpoint.source,
        Source::Env("LLAMA_CLOUD_BASE_URL")
    );
    assert_eq!(settings.max_retries.value, 7);
    assert_eq!(
        settings.max_retries.source,
        Source::Profile("default".to_owned())
    );
    assert_eq!(settings.headers.len(), 2);
    assert!(
        settings
            .headers
            .iter()
            .all(|header| header.source == Source::Env("LLAMA_CLOUD_CUSTOM_HEADERS"))
    );

    // The primary variable wins over the fallback; an explicit region overrides the URL.
    set(&[
        ("LLAMA_CLOUD_API_KEY", "llx-primary"),
        ("LLAMA_PARSE_API_KEY", "llx-fallback"),
        ("LLAMA_CLOUD_BASE_URL", "https://api.cloud.llamaindex.ai"),
    ]);
    let client = ClientBuilder::from_env()
        .region(Region::Eu)
        .build()
        .unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "https://api.cloud.eu.llamaindex.ai/"
    );

    set(&[]);
    let error = ClientBuilder::from_env().build().unwrap_err();
    assert!(
        error.to_string().contains("set LLAMA_CLOUD_API_KEY"),
        "{error}"
    );

    set(&[
        ("LLAMA_CLOUD_API_KEY", "llx-1"),
        ("LLAMA_CLOUD_BASE_URL", "api.cloud.eu.llamaindex.ai"),
    ]);
    let error = ClientBuilder::from_env().build().unwrap_err();
    assert_eq!(
        error.to_string(),
        "configuration error: base URL `api.cloud.eu.llamaindex.ai` has no scheme; use \
         `https://api.cloud.eu.llamaindex.ai`"
    );

    set(&[
        ("LLAMA_CLOUD_API_KEY", "llx-1"),
        ("LLAMA_CLOUD_CUSTOM_HEADERS", "x-ok: 1\nBearer secret"),
    ]);
    let error = ClientBuilder::from_env().build().unwrap_err();
    assert_eq!(
        error.to_string(),
        "configuration error: LLAMA_CLOUD_CUSTOM_HEADERS line 2 has no `:`; expected `Name: \
         value` lines"
    );
    // The network's variables apply to every client, `Client::builder()`'s included.
    let dir = tempfile::tempdir().unwrap();
    let https = spawn(ServerConfig {
        seed: 3,
        tls: Some(Tls::SelfSigned {
            dir: dir.path().to_owned(),
        }),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let ca = dir.path().join(CA_FILE);
    let ca = ca.to_str().unwrap();
    let proxy = ForwardProxy::start(https.addr(), None).unwrap();
    let closed = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let nowhere = format!("https://localhost:{}", closed());
    let dead_proxy = format!("http://127.0.0.1:{}", closed());
    let list = |base_url: &str| {
        let client = Client::builder()
            .api_key("llx-local-dev")
            .base_url(base_url)
            .max_retries(0)
            .build();
        async move {
            let page = client?.batches().list(&Default::default()).await?;
            Ok::<usize, batches_client::Error>(page.items.len())
        }
    };

    // SSL_CERT_FILE replaces the system's roots; HTTPS_PROXY carries https:// requests.
    set(&[("SSL_CERT_FILE", ca), ("HTTPS_PROXY", &proxy.url())]);
    assert_eq!(list(&nowhere).await.unwrap(), 3);
    assert_eq!(proxy.requests().len(), 1);
    assert_eq!(proxy.requests()[0].method, "CONNECT");
    // NO_PROXY exempts the host; HTTP_PROXY does not serve https://.
    set(&[
        ("SSL_CERT_DIR", dir.path().to_str().unwrap()),
        ("https_proxy", &dead_proxy),
        ("no_proxy", "localhost, 127.0.0.1"),
    ]);
    assert_eq!(list(&https.base_url()).await.unwrap(), 3);
    let settings = Client::builder()
        .base_url(https.base_url())
        .settings()
        .unwrap();
    assert_eq!(settings.proxy.value, None);
    assert_eq!(settings.proxy.source, Source::Env("no_proxy"));
    set(&[("SSL_CERT_FILE", ca), ("HTTP_PROXY", &dead_proxy)]);
    assert_eq!(list(&https.base_url()).await.unwrap(), 3);
    assert_eq!(proxy.requests().len(), 1, "the proxy saw nothing more");
    // Without them, the emulator's CA is not trusted.
    set(&[]);
    let error = list(&https.base_url()).await.unwrap_err();
    assert!(
        matches!(error, batches_client::Error::Tls { .. }),
        "{error}"
    );
    set(&[("SSL_CERT_FILE", "/nonexistent/ca.pem")]);
    let error = list(&https.base_url()).await.unwrap_err().to_string();
    assert!(
        error.starts_with("configuration error: SSL_CERT_FILE names /nonexistent/ca.pem ("),
        "{error}"
    );
    // A missing location is named even when the other variable gives roots (of another
    // CA here), rather than skipped and then met as an untrusted certificate.
    let other = tempfile::tempdir().unwrap();
    spawn(ServerConfig {
        tls: Some(Tls::SelfSigned {
            dir: other.path().to_owned(),
        }),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
    .shutdown()
    .await;
    let missing_dir = dir.path().join("missing");
    let other_dir = other.path().to_str().unwrap();
    for (variables, named) in [
        (
            [
                ("SSL_CERT_FILE", "/nonexistent/ca.pem"),
                ("SSL_CERT_DIR", other_dir),
            ],
            "SSL_CERT_FILE names /nonexistent/ca.pem (",
        ),
        (
            [
                ("SSL_CERT_FILE", ca),
                ("SSL_CERT_DIR", missing_dir.to_str().unwrap()),
            ],
            &*format!("SSL_CERT_DIR names {} (", missing_dir.display()),
        ),
    ] {
        set(&variables);
        let error = list(&https.base_url()).await.unwrap_err();
        assert!(
            matches!(&error, batches_client::Error::Config(message) if message.starts_with(named)),
            "{variables:?}: {error}"
        );
    }
    https.shutdown().await;
    set(&[]);
}

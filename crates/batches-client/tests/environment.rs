//! Configuration from the environment variables of the official clients. One test: the
//! process environment is shared by every thread of this binary.

use batches_client::{ClientBuilder, Endpoint, Layer, Region, Source};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const VARIABLES: [&str; 4] = [
    "LLAMA_CLOUD_API_KEY",
    "LLAMA_PARSE_API_KEY",
    "LLAMA_CLOUD_BASE_URL",
    "LLAMA_CLOUD_CUSTOM_HEADERS",
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
    set(&[]);
}

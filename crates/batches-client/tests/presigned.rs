//! Presigned URLs carry their own authorisation: the client sends them no API key, no
//! custom header and no proxy credential (beyond `Proxy-Authorization` to the proxy
//! itself), whatever host they name; recording servers prove what was sent.

mod common;

use batches_client::{Error, GetParseJobParams, ParseJobExpand, ParseOutput};
use batches_server::ForwardProxy;
use common::{KEY, builder};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A completed parse job whose Markdown is only at `url`.
fn presigned_job(url: &str) -> serde_json::Value {
    json!({
        "job": {"id": "pjb-1", "project_id": "prj-1", "status": "COMPLETED"},
        "result_content_metadata": {
            "markdown": {"size_bytes": 11, "exists": true, "presigned_url": url}
        }
    })
}

/// Answers the job get (only with the key) and the document at `/storage/doc.md`.
async fn mount(server: &MockServer, job: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/api/v2/parse/pjb-1"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(job))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/storage/doc.md"))
        .respond_with(ResponseTemplate::new(200).set_body_string("# Invoice\n"))
        .mount(server)
        .await;
}

/// The requests `server` received for `at`.
async fn received(server: &MockServer, at: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| request.url.path() == at)
        .collect()
}

fn assert_no_credentials(requests: &[Request]) {
    assert!(!requests.is_empty(), "the document was not fetched");
    for request in requests {
        for name in ["authorization", "x-team", "proxy-authorization"] {
            assert!(
                !request.headers.contains_key(name),
                "{name} was sent to the presigned URL: {:?}",
                request.headers
            );
        }
        let sent = format!("{:?} {}", request.headers, request.url);
        assert!(!sent.contains(KEY), "the key was sent: {sent}");
    }
}

#[tokio::test]
async fn a_presigned_url_on_the_apis_own_host_gets_no_key_and_no_custom_header() {
    let server = MockServer::start().await;
    mount(
        &server,
        presigned_job(&format!("{}/storage/doc.md", server.uri())),
    )
    .await;
    let client = builder(&server.uri())
        .header("x-team", "data")
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("doc.md");

    let saved = client
        .parse()
        .save(
            "pjb-1",
            ParseOutput::Markdown,
            &out,
            &GetParseJobParams::default(),
        )
        .await
        .unwrap();
    assert!(saved.presigned);
    assert_eq!(saved.bytes, 10);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# Invoice\n");

    // The API call itself carried both, so their absence below is the client's doing.
    let api = received(&server, "/api/v2/parse/pjb-1").await;
    assert!(api[0].headers.contains_key("authorization"));
    assert_eq!(api[0].headers["x-team"], "data");
    let query = api[0].url.query().unwrap();
    assert!(
        query.contains("expand=markdown_full")
            && query.contains("expand=markdown_content_metadata"),
        "{query}"
    );
    assert_no_credentials(&received(&server, "/storage/doc.md").await);
}

#[tokio::test]
async fn a_presigned_url_on_another_host_gets_no_key_and_no_custom_header() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    mount(&storage, json!({})).await;
    // `localhost` rather than `127.0.0.1`: another host name, and another port.
    let url = storage.uri().replace("127.0.0.1", "localhost") + "/storage/doc.md";
    mount(&api, presigned_job(&url)).await;
    let client = builder(&api.uri())
        .header("x-team", "data")
        .build()
        .unwrap();

    let params = GetParseJobParams {
        expand: Some(vec![ParseJobExpand::MarkdownFull]),
        ..Default::default()
    };
    let job = client
        .parse()
        .get_following("pjb-1", &params)
        .await
        .unwrap();
    assert_eq!(job.markdown_full.as_deref(), Some("# Invoice\n"));
    let raw: serde_json::Value = serde_json::from_slice(&job.raw).unwrap();
    assert_eq!(raw["markdown_full"], "# Invoice\n");
    assert_eq!(raw["job"]["id"], "pjb-1");

    let dir = tempfile::tempdir().unwrap();
    let written = client
        .download(&url, dir.path().join("again.md"))
        .await
        .unwrap();
    assert_eq!(written, 10);
    let requests = received(&storage, "/storage/doc.md").await;
    assert_eq!(requests.len(), 2);
    assert_no_credentials(&requests);
}

#[tokio::test]
async fn through_a_proxy_only_the_proxy_gets_its_credentials() {
    let upstream = MockServer::start().await;
    // Whatever host the URL names, the proxy forwards to the recording server.
    mount(
        &upstream,
        presigned_job("http://storage.example:9000/storage/doc.md"),
    )
    .await;
    // `Basic` of `bob:pw`.
    let authorization = "Basic Ym9iOnB3";
    let proxy = ForwardProxy::start(*upstream.address(), Some(authorization.to_owned())).unwrap();
    // The API named by a loopback address nothing listens on: only the proxy reaches it.
    let client = builder("http://127.0.0.1:9")
        .header("x-team", "data")
        .proxy(proxy.url().replace("http://", "http://bob:pw@"))
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let saved = client
        .parse()
        .save(
            "pjb-1",
            ParseOutput::Markdown,
            dir.path().join("doc.md"),
            &GetParseJobParams::default(),
        )
        .await
        .unwrap();
    assert!(saved.presigned);

    let proxied = proxy.requests();
    let storage: Vec<_> = proxied
        .iter()
        .filter(|request| request.target.starts_with("http://storage.example:9000/"))
        .collect();
    assert_eq!(storage.len(), 1, "{proxied:?}");
    assert_eq!(
        storage[0].proxy_authorization.as_deref(),
        Some(authorization)
    );
    assert_no_credentials(&received(&upstream, "/storage/doc.md").await);
}

#[tokio::test]
async fn a_job_that_has_not_completed_has_no_result_and_an_unwritable_file_is_an_output_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/parse/pjb-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "job": {"id": "pjb-2", "project_id": "prj-1", "status": "FAILED",
                    "error_message": "scan.pdf is not a PDF that can be read"}
        })))
        .mount(&server)
        .await;
    mount(
        &server,
        presigned_job(&format!("{}/storage/doc.md", server.uri())),
    )
    .await;
    let client = builder(&server.uri()).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let params = GetParseJobParams::default();

    let error = client
        .parse()
        .save(
            "pjb-2",
            ParseOutput::Text,
            dir.path().join("a.txt"),
            &params,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NoResult { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "save parse result: job pjb-2 is FAILED: scan.pdf is not a PDF that can be read"
    );
    assert!(!dir.path().join("a.txt").exists());

    let missing = dir.path().join("no-such-folder").join("doc.md");
    let error = client
        .parse()
        .save("pjb-1", ParseOutput::Markdown, &missing, &params)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Output { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("download result: cannot write"),
        "{error}"
    );
}

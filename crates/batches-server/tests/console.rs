//! The console: its page and files (content types, security headers, no key, nothing
//! from elsewhere), and the emulator's own views it reads (the key they need, what the
//! recent requests keep).

mod common;

use batches_server::{DEFAULT_API_KEY, ServerConfig};
use common::{KEY, PROJECT, fast, start};
use reqwest::{StatusCode, header, redirect};
use serde_json::Value;

const SCRIPT: &str = "/console/console.js";
const STYLE: &str = "/console/console.css";

/// A client that sends no key and follows no redirect.
fn anonymous() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// GETs `path` without a key; returns the status, the content type, the two security
/// headers and the body.
async fn fetch(base: &str, path: &str) -> (StatusCode, String, String, String, String) {
    let response = anonymous()
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    let header = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, policy, nosniff) = (
        header(header::CONTENT_TYPE),
        header(header::CONTENT_SECURITY_POLICY),
        header(header::X_CONTENT_TYPE_OPTIONS),
    );
    (
        response.status(),
        content_type,
        policy,
        nosniff,
        response.text().await.unwrap(),
    )
}

#[tokio::test]
async fn the_page_is_served_at_the_root_with_its_policy_and_no_key() {
    let secret = "llx-console-secret-7f3a";
    let (server, _) = start(ServerConfig {
        api_keys: vec![
            (secret.into(), PROJECT.into()),
            (DEFAULT_API_KEY.0.into(), "prj-other".into()),
        ],
        ..fast()
    })
    .await;
    let (status, content_type, policy, nosniff, page) = fetch(&server.base_url(), "/").await;
    assert_eq!(status, StatusCode::OK, "no redirect, no key needed");
    assert_eq!(content_type, "text/html; charset=utf-8");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} missing: {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(nosniff, "nosniff");
    assert!(
        page.contains("<title>batches-server console</title>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("<script src=\"{SCRIPT}\"")),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"{STYLE}\"")), "{page}");
    // The page works under its own policy: no inline script or style.
    assert!(!page.contains("<script>") && !page.contains("<style") && !page.contains("style="));
    for path in ["/", SCRIPT, STYLE] {
        let body = fetch(&server.base_url(), path).await.4;
        for key in [secret, DEFAULT_API_KEY.0] {
            assert!(!body.contains(key), "{path} holds an API key");
        }
        for scheme in ["http://", "https://", "//fonts", "cdn"] {
            assert!(!body.contains(scheme), "{path} refers to {scheme}…");
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_script_and_style_are_served_with_their_types_and_headers() {
    let (server, _) = start(fast()).await;
    for (path, wanted, marker) in [
        (SCRIPT, "text/javascript; charset=utf-8", "'use strict';"),
        (
            STYLE,
            "text/css; charset=utf-8",
            "@media (max-width: 640px)",
        ),
    ] {
        let (status, content_type, policy, nosniff, body) = fetch(&server.base_url(), path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(content_type, wanted, "{path}");
        assert!(policy.starts_with("default-src 'self'"), "{path}: {policy}");
        assert_eq!(nosniff, "nosniff", "{path}");
        assert!(body.contains(marker), "{path}");
    }
    // Only these: other paths under /console/ are the API's JSON 404.
    let (status, content_type, ..) = fetch(&server.base_url(), "/console/other.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_console_opens_whatever_the_fault_rate_and_is_not_counted() {
    let (server, api) = start(ServerConfig {
        fault_rate: 1.0,
        ..fast()
    })
    .await;
    for _ in 0..10 {
        for path in ["/", SCRIPT, STYLE] {
            assert_eq!(fetch(&api.base, path).await.0, StatusCode::OK, "{path}");
        }
    }
    assert_eq!(
        server.counts().requests,
        0,
        "the console's files are not numbered"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_emulators_own_views_need_the_key() {
    let (server, api) = start(ServerConfig {
        fault_seed: 42,
        latency_ms: 1,
        ..fast()
    })
    .await;
    for path in ["/emulator/faults", "/emulator/requests"] {
        let (status, _) = api.with_key("llx-wrong").get(path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with a wrong key");
        let response = anonymous()
            .get(format!("{}{path}", api.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{path} without a key"
        );
    }
    let faults = api.ok("/emulator/faults").await;
    assert_eq!(faults["fault_rate"], 0.0);
    assert_eq!(faults["fault_seed"], 42);
    assert_eq!(faults["latency_ms"], 1);
    assert_eq!(faults["processing_ms"], 5);
    assert_eq!(faults["fault_kinds"].as_array().unwrap().len(), 6);
    assert_eq!(faults["upload_rate_limit"]["requests"], 50);
    assert_eq!(faults["webhooks"]["retry_base_ms"], 1000);
    server.shutdown().await;
}

#[tokio::test]
async fn recent_requests_keep_no_key_no_query_and_only_the_callers_project() {
    let other_key = "llx-other-project-key";
    let (server, api) = start(ServerConfig {
        api_keys: vec![
            (KEY.into(), PROJECT.into()),
            (other_key.into(), "prj-other".into()),
        ],
        ..fast()
    })
    .await;
    let secret = "s3cr3t-in-a-query";
    let (status, _) = api
        .get(&format!("/api/v2/batches?page_size=2&api_key={secret}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.with_key(secret).get("/api/v2/batches").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let signed = anonymous()
        .get(format!(
            "{}/results/pjb-x/markdown?expires=1&signature={secret}",
            api.base
        ))
        .send()
        .await
        .unwrap();
    assert!(signed.status().is_client_error());
    let (status, _) = api
        .with_key(other_key)
        .get("/api/v1/beta/directories?name=other-project")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .send(
            api.request(reqwest::Method::GET, "/api/v1/beta/webhook-configs")
                .header("X-Emulator-Console", "1"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let response = api
        .request(reqwest::Method::GET, "/emulator/requests")
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    for hidden in [secret, KEY, other_key, "page_size", "?", "other-project"] {
        assert!(!text.contains(hidden), "{hidden} shown: {text}");
    }
    let body: Value = serde_json::from_str(&text).unwrap();
    let seen: Vec<(String, String, Value, bool)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_owned(),
                r["path"].as_str().unwrap().to_owned(),
                r["status"].clone(),
                r["console"].as_bool().unwrap(),
            )
        })
        .collect();
    let get = |path: &str, status: u16, console: bool| {
        (
            "GET".to_owned(),
            path.to_owned(),
            Value::from(status),
            console,
        )
    };
    // Newest first; the other project's listing is not shown.
    assert_eq!(
        seen,
        vec![
            get("/api/v1/beta/webhook-configs", 200, true),
            get("/results/pjb-x/markdown", signed.status().as_u16(), false),
            get("/api/v2/batches", 401, false),
            get("/api/v2/batches", 200, false),
        ]
    );
    let first = &body["items"][3];
    assert!(first["at"].as_str().unwrap().ends_with('Z'), "{first}");
    assert!(first["number"].as_u64().is_some() && first["fault"].is_null());
    server.shutdown().await;
}

#[tokio::test]
async fn recent_requests_name_the_fault_injected() {
    let (server, api) = start(ServerConfig {
        fault_rate: 0.5,
        fault_kinds: vec![batches_server::FaultKind::ServiceUnavailable],
        fault_seed: 3,
        ..fast()
    })
    .await;
    for _ in 0..10 {
        api.get("/api/v2/batches").await;
    }
    // The view itself may get a fault: asked again until it answers.
    let mut body = Value::Null;
    for _ in 0..50 {
        let (status, answer) = api.get("/emulator/requests").await;
        if status == StatusCode::OK {
            body = answer;
            break;
        }
    }
    let items = body["items"].as_array().expect("the view answered");
    let faulted = items.iter().filter(|r| r["fault"] == "503").count();
    assert!(faulted > 0, "{body}");
    for request in items {
        let wanted = if request["fault"] == "503" { 503 } else { 200 };
        assert_eq!(request["status"], wanted, "{request}");
    }
    server.shutdown().await;
}

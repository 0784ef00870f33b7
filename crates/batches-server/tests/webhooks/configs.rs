//! The delivery rules at create (loopback only unless allowed, no header the emulator sets
//! itself, known event names) and the saved configurations, whose secret is never returned.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    batch_with_hooks,
    common::{Api, locs, start},
    expected_signature, finished_deliveries, quick,
    receiver::Receiver,
};

async fn create_batch(api: &Api, directory: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({
        "source_directory_id": directory,
        "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    api.post("/api/v2/batches", body).await
}

#[tokio::test]
async fn urls_off_loopback_and_reserved_headers_are_refused_at_create() {
    let (_server, api) = start(quick()).await;
    let directory = api.directory_with(&["a.pdf"]).await;
    let refused = [
        (
            json!({"webhook_configurations": [{"webhook_url": "https://hooks.example.com/b"}]}),
            "webhook_configurations[0].webhook_url: the emulator delivers only to loopback",
        ),
        (
            json!({"webhook_configurations": [
                {"webhook_url": "http://127.0.0.1:9/ok"},
                {"webhook_url": "http://192.0.2.1:9/hook"},
            ]}),
            "--webhook-allow-host 192.0.2.1",
        ),
        (
            json!({"webhook_configurations": [{"webhook_events": ["batch.success"]}]}),
            "webhook_configurations[0].webhook_url: a webhook needs a URL",
        ),
        (
            json!({"webhook_configurations": [{
                "webhook_url": "http://localhost:9/",
                "webhook_headers": {"LC-Signature": "sha256=forged"},
            }]}),
            "webhook_configurations[0].webhook_headers: LC-Signature is set by the emulator",
        ),
    ];
    for (extra, expected) in refused {
        let (status, body) = create_batch(&api, &directory, extra.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{extra}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(expected), "{extra}: {detail}");
    }
    let (status, body) = api
        .post(
            "/api/v1/beta/webhook-configs",
            json!({"webhook_url": "https://hooks.example.com/b"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("webhook_url: "),
        "{body}"
    );
    // Nothing was created by a refused request.
    let listed = api.ok("/api/v2/batches").await;
    assert_eq!(listed["items"], json!([]));
    assert_eq!(api.ok("/api/v1/beta/webhook-configs").await, json!([]));

    let (status, body) = create_batch(
        &api,
        &directory,
        json!({"webhook_configurations": [{
            "webhook_url": "http://127.0.0.1:9/",
            "webhook_events": ["batch.finished", "batch.success"],
            "webhook_output_format": "xml",
        }, {"webhook_url": "http://127.0.0.1:9/", "webhook_events": []}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        locs(&body),
        [
            "body.webhook_configurations.0.webhook_output_format",
            "body.webhook_configurations.0.webhook_events.0",
            "body.webhook_configurations.1.webhook_events",
        ]
    );
    assert!(
        body["detail"][1]["msg"].as_str().unwrap().contains(
            "'batch.pending', 'batch.running', 'batch.success', 'batch.error' or 'batch.cancelled'"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn an_allowed_host_is_accepted() {
    let mut config = quick();
    config.webhooks.allow_hosts = vec!["hooks.example.com".into()];
    let (_server, api) = start(config).await;
    let directory = api.directory_with(&["a.pdf"]).await;
    let (status, body) = create_batch(
        &api,
        &directory,
        json!({"webhook_configurations": [{"webhook_url": "https://HOOKS.example.com/b"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api
        .post(
            "/api/v1/beta/webhook-configs",
            json!({"webhook_url": "https://hooks.example.com/saved"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn saved_configurations_never_return_their_secret() {
    const SECRET: &str = "whsec-saved-never-returned";
    const ROTATED: &str = "whsec-rotated-never-returned";
    let (server, api) = start(quick()).await;
    let receiver = Receiver::ok().await;
    let (status, created) = api
        .post(
            "/api/v1/beta/webhook-configs",
            json!({
                "webhook_url": receiver.url(),
                "webhook_signing_secret": SECRET,
                "webhook_headers": {"X-Team": "finance"},
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("whc-"), "{created}");
    assert_eq!(created["has_secret"], true);
    assert_eq!(created["tenant_type"], "project");
    assert_eq!(created["tenant_id"], "prj-local");
    assert_eq!(created["webhook_url"], receiver.url());

    let path = format!("/api/v1/beta/webhook-configs/{id}");
    let (status, updated) = api
        .send(api.request(Method::PUT, &path).json(&json!({
            "webhook_events": ["batch.success"],
            "webhook_signing_secret": ROTATED,
        })))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["has_secret"], true);
    assert_eq!(updated["webhook_events"], json!(["batch.success"]));
    assert_eq!(updated["webhook_headers"], json!({"X-Team": "finance"}));
    let listed = api.ok("/api/v1/beta/webhook-configs").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let fetched = api.ok(&path).await;
    assert_eq!(fetched, updated);

    // A batch naming it delivers what it asks for, signed with the rotated secret.
    let directory = api.directory_with(&["a.pdf"]).await;
    let (status, batch) =
        create_batch(&api, &directory, json!({"webhook_configuration_ids": [id]})).await;
    assert_eq!(status, StatusCode::OK, "{batch}");
    let batch = batch["id"].as_str().unwrap().to_owned();
    api.wait_terminal(&batch).await;
    finished_deliveries(&server, &batch, 1).await;
    let received = receiver.wait_for(1).await;
    assert_eq!(received[0].event_type(), "batch.success");
    assert_eq!(received[0].header("x-team"), Some("finance"));
    assert_eq!(
        received[0].header("lc-signature"),
        Some(expected_signature(ROTATED, &received[0].body).as_str())
    );

    let view = api.ok("/emulator/webhook-deliveries").await;
    for answer in [&created, &updated, &listed, &fetched, &view] {
        let text = answer.to_string();
        assert!(!text.contains(SECRET) && !text.contains(ROTATED), "{text}");
    }

    let deleted = api.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, _) = api.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) =
        create_batch(&api, &directory, json!({"webhook_configuration_ids": [id]})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        body["detail"],
        format!("Webhook configuration {id} not found")
    );
    let (status, body) = api
        .post(
            "/api/v1/beta/webhook-configs",
            json!({"webhook_events": null}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(locs(&body), ["body.webhook_url"]);
    // A batch without webhooks records no delivery.
    let quiet = batch_with_hooks(&api, 1, "cfg-PARSE_FAST", json!(null)).await;
    assert!(server.webhook_deliveries(Some(&quiet)).unwrap().is_empty());
}

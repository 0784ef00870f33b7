//! Every pagination rule: filters repeated, stop rules, loops, `max_items`, lookahead and
//! the raw passthrough.

mod common;

use std::time::Duration;

use batches_client::{BatchStatus, Error, ListBatchesParams};
use common::{client, page, request_count};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Serves `body` for the list request carrying `token` (`None`: the first page).
async fn serve_page(server: &MockServer, token: Option<&str>, body: serde_json::Value) {
    let mock = Mock::given(method("GET")).and(path("/api/v2/batches"));
    let mock = match token {
        Some(token) => mock.and(query_param("page_token", token)),
        None => mock.and(query_param_is_missing("page_token")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn ids(server: &MockServer, params: ListBatchesParams) -> Result<Vec<String>, Error> {
    client(server)
        .batches()
        .stream(params)
        .map_ok(|batch| batch.id)
        .try_collect()
        .await
}

#[tokio::test]
async fn every_filter_is_repeated_on_every_page() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1", "bat-2"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&["bat-3"], Some("t3"))).await;
    serve_page(&server, Some("t3"), page(&["bat-4"], None)).await;
    let params = ListBatchesParams {
        status: Some(BatchStatus::Running),
        project_id: Some("prj-1".into()),
        source_directory_id: Some("dir-1".into()),
        page_size: Some(2),
        ..Default::default()
    };
    assert_eq!(
        ids(&server, params).await.unwrap(),
        ["bat-1", "bat-2", "bat-3", "bat-4"]
    );
    let queries: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| request.url.query().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        queries,
        [
            "page_size=2&project_id=prj-1&source_directory_id=dir-1&status=RUNNING",
            "page_size=2&page_token=t2&project_id=prj-1&source_directory_id=dir-1&status=RUNNING",
            "page_size=2&page_token=t3&project_id=prj-1&source_directory_id=dir-1&status=RUNNING",
        ]
    );
}

#[tokio::test]
async fn an_empty_page_with_a_token_does_not_end_the_listing() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&[], Some("t3"))).await;
    serve_page(&server, Some("t3"), page(&["bat-2"], None)).await;
    assert_eq!(
        ids(&server, Default::default()).await.unwrap(),
        ["bat-1", "bat-2"]
    );
}

#[tokio::test]
async fn chunks_come_page_by_page_and_none_is_empty() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1", "bat-2"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&[], Some("t3"))).await;
    serve_page(&server, Some("t3"), page(&["bat-3"], None)).await;
    let mut items = client(&server).batches().stream(Default::default());
    let first = items.try_next().await.unwrap().unwrap();
    // The rest of the first page comes first, then each page with batches.
    let chunks: Vec<Vec<String>> = items
        .chunks()
        .map_ok(|chunk| chunk.into_iter().map(|batch| batch.id).collect())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.id, "bat-1");
    assert_eq!(chunks, [vec!["bat-2"], vec!["bat-3"]]);
}

#[tokio::test]
async fn an_absent_null_or_empty_token_ends_the_listing() {
    for last in [
        json!({"items": [common::batch("bat-2", "RUNNING")]}),
        json!({"items": [common::batch("bat-2", "RUNNING")], "next_page_token": null}),
        json!({"items": [common::batch("bat-2", "RUNNING")], "next_page_token": ""}),
    ] {
        let server = MockServer::start().await;
        serve_page(&server, None, page(&["bat-1"], Some("t2"))).await;
        serve_page(&server, Some("t2"), last.clone()).await;
        assert_eq!(
            ids(&server, Default::default()).await.unwrap(),
            ["bat-1", "bat-2"],
            "{last}"
        );
        assert_eq!(request_count(&server).await, 2, "{last}");
    }
}

#[tokio::test]
async fn a_repeated_token_fails_clearly() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&["bat-2"], Some("t3"))).await;
    serve_page(&server, Some("t3"), page(&["bat-3"], Some("t2"))).await;
    let results: Vec<_> = client(&server)
        .batches()
        .stream(Default::default())
        .collect()
        .await;
    let ids: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|b| &b.id)
        .collect();
    assert_eq!(ids, ["bat-1", "bat-2", "bat-3"]);
    let error = results.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(error, Error::PaginationLoop { token, .. } if token == "t2"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "list batches: the server returned page token `t2` a second time; stopped to avoid \
         listing the same pages again"
    );
    assert_eq!(request_count(&server).await, 3);

    // A page pointing at the token it was requested with is a loop too.
    let server = MockServer::start().await;
    serve_page(&server, Some("t1"), page(&["bat-1"], Some("t1"))).await;
    let params = ListBatchesParams {
        page_token: Some("t1".into()),
        ..Default::default()
    };
    let error = ids_error(&server, params).await;
    assert!(matches!(error, Error::PaginationLoop { .. }), "{error:?}");
}

async fn ids_error(server: &MockServer, params: ListBatchesParams) -> Error {
    ids(server, params).await.unwrap_err()
}

#[tokio::test]
async fn an_error_mid_listing_is_yielded_then_the_stream_ends() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1"], Some("t2"))).await;
    Mock::given(method("GET"))
        .and(query_param("page_token", "t2"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "token expired"})))
        .mount(&server)
        .await;
    let mut pages = client(&server).batches().pages(Default::default());
    assert_eq!(pages.next().await.unwrap().unwrap().items.len(), 1);
    let error = pages.next().await.unwrap().unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert!(pages.next().await.is_none());
    assert!(pages.next().await.is_none());
}

#[tokio::test]
async fn max_items_is_exact_and_fetches_no_further_page() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1", "bat-2"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&["bat-3", "bat-4"], Some("t3"))).await;
    serve_page(&server, Some("t3"), page(&["bat-5", "bat-6"], None)).await;
    let client = client(&server);
    let batches = client.batches();

    let ids: Vec<String> = batches
        .stream(Default::default())
        .max_items(3)
        .map_ok(|batch| batch.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["bat-1", "bat-2", "bat-3"]);
    assert_eq!(request_count(&server).await, 2);

    server.reset().await;
    serve_page(&server, None, page(&["bat-1", "bat-2"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&["bat-3", "bat-4"], Some("t3"))).await;
    let pages: Vec<_> = batches
        .pages(Default::default())
        .max_items(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(request_count(&server).await, 1);

    let none: Vec<_> = batches
        .stream(Default::default())
        .max_items(0)
        .collect()
        .await;
    assert!(none.is_empty());
}

/// Waits until the server has seen `count` requests (bounded: fails after 5 s).
async fn until_requests(server: &MockServer, count: usize) {
    for _ in 0..500 {
        if request_count(server).await >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server never saw {count} requests");
}

#[tokio::test]
async fn the_next_page_is_fetched_while_the_caller_works_and_never_further() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&["bat-2"], Some("t3"))).await;
    serve_page(&server, Some("t3"), page(&["bat-3"], None)).await;
    let mut pages = client(&server).batches().pages(Default::default());
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing is fetched before the first poll"
    );

    let first = pages.next().await.unwrap().unwrap();
    // While the caller holds page 1, page 2 arrives...
    until_requests(&server, 2).await;
    // ...but page 3 is not requested until page 2 has been taken.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(request_count(&server).await, 2);

    let second = pages.next().await.unwrap().unwrap();
    until_requests(&server, 3).await;
    let third = pages.next().await.unwrap().unwrap();
    assert!(pages.next().await.is_none());
    let ids: Vec<_> = [first, second, third]
        .map(|page| page.items[0].id.clone())
        .into();
    assert_eq!(ids, ["bat-1", "bat-2", "bat-3"]);
}

#[tokio::test]
async fn raw_pages_keep_the_exact_text_of_every_item() {
    let server = MockServer::start().await;
    let first = r#"{"items": [ {"id":"bat-1", "status":"PAUSED", "new_field": {"a": [1, 2.50]}} ,{"id":"bat-2"}], "next_page_token": "t2", "total_size": 3}"#;
    let second =
        r#"{"items":[{"id":"bat-3","weird":"\u00e9"}],"next_page_token":null,"extra":true}"#;
    for (token, body) in [(None, first), (Some("t2"), second)] {
        let mock = Mock::given(method("GET"));
        let mock = match token {
            Some(token) => mock.and(query_param("page_token", token)),
            None => mock.and(query_param_is_missing("page_token")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    let pages: Vec<_> = client(&server)
        .batches()
        .raw_pages(Default::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    let items: Vec<&str> = pages
        .iter()
        .flat_map(|page| &page.items)
        .map(|item| item.get())
        .collect();
    assert_eq!(
        items,
        [
            r#"{"id":"bat-1", "status":"PAUSED", "new_field": {"a": [1, 2.50]}}"#,
            r#"{"id":"bat-2"}"#,
            r#"{"id":"bat-3","weird":"\u00e9"}"#,
        ]
    );
    assert_eq!(pages[0].raw, first.as_bytes());
    assert_eq!(pages[0].total_size, Some(3));
    assert_eq!(pages[1].raw, second.as_bytes());
    assert_eq!(pages[1].page_token.as_deref(), Some("t2"));
}

#[test]
fn polled_outside_a_runtime_the_stream_errs_instead_of_panicking() {
    use futures_util::FutureExt;

    let client = common::builder("http://127.0.0.1:9").build().unwrap();
    let mut pages = client.batches().pages(Default::default());
    let first = pages.next().now_or_never().expect("answers at once");
    let error = first.unwrap().unwrap_err();
    assert!(
        error.to_string().contains("inside a Tokio runtime"),
        "{error}"
    );
    assert!(pages.next().now_or_never().unwrap().is_none());
}

#[tokio::test]
async fn debug_output_shows_the_walk_and_its_state() {
    let server = MockServer::start().await;
    serve_page(&server, None, page(&["bat-1", "bat-2"], Some("t2"))).await;
    serve_page(&server, Some("t2"), page(&["bat-3"], None)).await;
    let batches = client(&server);
    let mut items = batches.batches().stream(Default::default()).max_items(3);
    let before = format!("{items:?}");
    assert!(before.contains(r#"walk: "pages""#), "{before}");
    assert!(before.contains("not started"), "{before}");
    assert!(before.contains("remaining: Some(3)"), "{before}");
    items.next().await.unwrap().unwrap();
    let after = format!("{items:?}");
    assert!(
        after.contains("running") && after.contains("buffered: 1"),
        "{after}"
    );
    let parallel = batches.batches().stream_parallel(Default::default(), 2);
    let text = format!("{parallel:?}");
    assert!(
        text.contains(r#"walk: "parallel""#) && text.contains("not started"),
        "{text}"
    );
}

//! The parallel listing over HTTP: the same batches in the same order as the sequential
//! one, byte for byte, through ties and boundaries, retries, empty pages and unknown
//! fields; its failures; and against the emulator, async and blocking.

#[path = "../common/mod.rs"]
mod common;
mod listing;

use batches_client::{
    BatchStatus, Client, DateTime, Error, ListBatchesParams, RawValue, Utc, blocking,
};
use batches_server::{DEFAULT_API_KEY, ServerConfig, spawn};
use common::{builder, client};
use futures_util::TryStreamExt;
use listing::{Listing, Quirks, SlowListing, serve, sparse, ties};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Asserts two listings are the same, naming the first difference rather than printing
/// both.
fn assert_same(got: &[String], expected: &[String], what: &str) {
    let first = got.iter().zip(expected).position(|(a, b)| a != b);
    assert!(
        first.is_none() && got.len() == expected.len(),
        "{what}: {} batches against {}, first difference at {first:?}",
        got.len(),
        expected.len()
    );
}

/// The undecoded batches of a listing, sequential or with `requests` in flight.
async fn raw(client: &Client, params: ListBatchesParams, requests: Option<usize>) -> Vec<String> {
    let batches = client.batches();
    let stream = match requests {
        None => batches.raw_stream(params),
        Some(requests) => batches.raw_stream_parallel(params, requests),
    };
    stream
        .map_ok(|item: Box<RawValue>| item.get().to_owned())
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn ties_and_boundaries_give_the_sequential_listing_byte_for_byte() {
    let server = serve(ties(), Quirks::default()).await;
    let client = client(&server);
    for page_size in [7, 50] {
        let params = ListBatchesParams {
            page_size: Some(page_size),
            ..Default::default()
        };
        let sequential = raw(&client, params.clone(), None).await;
        assert_eq!(sequential.len(), 600);
        assert!(sequential[0].contains(r#""priority":{"lane":3,"weights":[1.5,0.002]}"#));
        for requests in [2, 3, 8] {
            let parallel = raw(&client, params.clone(), Some(requests)).await;
            assert_eq!(
                parallel, sequential,
                "pages of {page_size}, {requests} requests"
            );
        }
    }
    // Some window boundary fell exactly on the creation time of batches.
    let times: Vec<String> = ties()
        .iter()
        .map(|item| item["created_at"].as_str().unwrap().to_owned())
        .collect();
    let received = server.received_requests().await.unwrap();
    let on_a_batch = received.iter().any(|request| {
        request.url.query_pairs().any(|(key, value)| {
            key == "created_at_on_or_before" && times.contains(&value.to_string())
        })
    });
    assert!(on_a_batch, "no boundary fell on a batch");
}

#[tokio::test]
async fn a_server_that_keeps_its_bounds_to_the_second_splits_the_same() {
    let quirks = Quirks {
        whole_second_bounds: true,
        ..Quirks::default()
    };
    let server = serve(sparse(), quirks).await;
    let client = client(&server);
    let params = ListBatchesParams {
        page_size: Some(10),
        ..Default::default()
    };
    let sequential = raw(&client, params.clone(), None).await;
    assert_eq!(sequential.len(), 600);
    for requests in [3, 8] {
        let parallel = raw(&client, params.clone(), Some(requests)).await;
        assert_same(&parallel, &sequential, &format!("{requests} requests"));
    }
}

#[tokio::test]
async fn typed_batches_keep_unknown_statuses_and_fields() {
    let server = serve(ties(), Quirks::default()).await;
    let client = client(&server);
    let sequential: Vec<_> = client
        .batches()
        .stream(Default::default())
        .try_collect()
        .await
        .unwrap();
    let parallel: Vec<_> = client
        .batches()
        .stream_parallel(Default::default(), 4)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(parallel, sequential);
    assert!(
        parallel
            .iter()
            .any(|batch| batch.status.as_str() == "ARCHIVED")
    );
    assert!(parallel[0].extra.contains_key("priority"));
}

#[tokio::test]
async fn retries_and_empty_pages_that_carry_a_token_hold_in_every_window() {
    let plain = serve(ties(), Quirks::default()).await;
    let expected = raw(&client(&plain), Default::default(), None).await;
    let quirks = Quirks {
        throttle_every: Some(5),
        empty_every: Some(7),
        ..Quirks::default()
    };
    let server = serve(ties(), quirks).await;
    let params = ListBatchesParams {
        page_size: Some(9),
        ..Default::default()
    };
    // Concurrent requests share the server's count, so one request can meet several
    // 429s in a row.
    let patient = builder(&server.uri()).max_retries(10).build().unwrap();
    let parallel = raw(&patient, params, Some(6)).await;
    assert_same(&parallel, &expected, "with retries and empty pages");
    let received = server.received_requests().await.unwrap();
    assert!(received.len() > 100, "the quirks were met many times");
}

#[tokio::test]
async fn a_repeated_token_in_a_window_fails_clearly() {
    let quirks = Quirks {
        repeat_token: true,
        ..Quirks::default()
    };
    let server = serve(ties(), quirks).await;
    let error = client(&server)
        .batches()
        .raw_stream_parallel(Default::default(), 4)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::PaginationLoop { .. }), "{error}");
}

#[tokio::test]
async fn a_batch_without_a_creation_time_fails_clearly() {
    let mut items = ties();
    items[1]["created_at"] = Value::Null;
    // Sorted apart, it is served on the first page.
    let server = MockServer::start().await;
    let first: Vec<Value> = items
        .iter()
        .skip(550)
        .rev()
        .cloned()
        .chain([items[1].clone()])
        .collect();
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": first, "next_page_token": "more"})),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .batches()
        .stream_parallel(Default::default(), 4)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Partition { .. }), "{error}");
    let message = error.to_string();
    let id = items[1]["id"].as_str().unwrap();
    assert!(
        message.contains(&format!("batch {id} has no created_at")),
        "{message}"
    );
    assert!(
        message.contains("list without parallel requests"),
        "{message}"
    );
}

#[tokio::test]
async fn fewer_than_two_requests_are_refused() {
    let server = serve(ties(), Quirks::default()).await;
    let error = client(&server)
        .batches()
        .stream_parallel(Default::default(), 1)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("at least 2 requests in flight; got 1"),
        "{error}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn max_items_is_exact_and_stops_every_window() {
    let server = serve(ties(), Quirks::default()).await;
    let client = client(&server);
    let params = ListBatchesParams {
        page_size: Some(10),
        ..Default::default()
    };
    let sequential = raw(&client, params.clone(), None).await;
    let window_requests = || async {
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|request| {
                !request
                    .url
                    .query_pairs()
                    .any(|(key, value)| key == "page_size" && value == "1")
            })
            .count()
    };
    for max in [5, 10, 11, 333, 600, 700] {
        let before = window_requests().await;
        let ids: Vec<String> = client
            .batches()
            .raw_stream_parallel(params.clone(), 4)
            .max_items(max)
            .map_ok(|item| item.get().to_owned())
            .try_collect()
            .await
            .unwrap();
        assert_same(
            &ids,
            &sequential[..(max as usize).min(600)],
            &format!("max {max}"),
        );
        let made = window_requests().await - before;
        if max <= 10 {
            assert_eq!(made, 1, "max {max}: the first page holds them all");
        }
        // Once they are yielded, nothing more is requested: at most the 4 requests in
        // flight still reach the server.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let late = window_requests().await - before - made;
        assert!(late <= 4, "max {max}: {late} requests after the end");
    }
}

#[tokio::test]
async fn a_failure_yields_the_batches_before_it_then_the_error() {
    let server = MockServer::start().await;
    // Every request restricted to a window (a lower creation-time bound) fails for good.
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .and(wiremock::matchers::query_param_contains(
            "created_at_on_or_after",
            "2026",
        ))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"detail": "nope"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(Listing::new(ties(), Quirks::default()))
        .mount(&server)
        .await;
    let expected = raw(&client(&server), Default::default(), None).await;
    let mut stream = client(&server)
        .batches()
        .raw_stream_parallel(Default::default(), 4);
    let mut got = Vec::new();
    let error = loop {
        match stream.try_next().await {
            Ok(Some(item)) => got.push(item.get().to_owned()),
            Ok(None) => panic!("the listing ended without the failure"),
            Err(error) => break error,
        }
    };
    assert_eq!(error.status(), Some(400), "{error}");
    assert!(!got.is_empty());
    assert_eq!(
        got,
        expected[..got.len()],
        "a prefix of the listing, in order"
    );
}

#[tokio::test]
async fn the_emulator_lists_the_same_with_and_without_a_range() {
    let server = spawn(ServerConfig {
        seed: 1_500,
        seed_rng: 4,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let client = builder(&server.base_url())
        .api_key(DEFAULT_API_KEY.0)
        .build()
        .unwrap();
    let month_ago = chrono_now_minus_days(31);
    for params in [
        ListBatchesParams::default(),
        ListBatchesParams {
            page_size: Some(20),
            created_at_on_or_after: Some(month_ago),
            ..Default::default()
        },
        ListBatchesParams {
            status: Some(BatchStatus::Cancelled),
            page_size: Some(7),
            ..Default::default()
        },
    ] {
        let sequential = raw(&client, params.clone(), None).await;
        assert!(sequential.len() > 100);
        let parallel = raw(&client, params.clone(), Some(5)).await;
        assert_same(&parallel, &sequential, &format!("{params:?}"));
    }
    server.shutdown().await;
}

fn chrono_now_minus_days(days: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp() - days * 86_400, 0).unwrap()
}

#[test]
fn the_blocking_client_lists_in_parallel_too() {
    let server = batches_server::BackgroundServer::start(ServerConfig {
        seed: 400,
        ..ServerConfig::default()
    })
    .unwrap();
    let client =
        blocking::Client::new(builder(&server.base_url()).api_key(DEFAULT_API_KEY.0)).unwrap();
    let params = ListBatchesParams {
        page_size: Some(15),
        ..Default::default()
    };
    let ids = |batches: Vec<batches_client::Batch>| -> Vec<String> {
        batches.into_iter().map(|batch| batch.id).collect()
    };
    let sequential = ids(client
        .batches()
        .iter(params.clone())
        .collect::<Result<_, _>>()
        .unwrap());
    let parallel = ids(client
        .batches()
        .iter_parallel(params.clone(), 4)
        .collect::<Result<_, _>>()
        .unwrap());
    assert_eq!(parallel, sequential);
    let raw: Vec<String> = client
        .batches()
        .raw_iter_parallel(params, 3)
        .max_items(17)
        .map(|item| item.map(|item| item.get().to_owned()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(raw.len(), 17);
    assert!(raw[0].contains(&sequential[0]));
}

#[tokio::test]
async fn dropping_the_stream_stops_every_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(SlowListing(Listing::new(ties(), Quirks::default())))
        .mount(&server)
        .await;
    let params = ListBatchesParams {
        page_size: Some(5),
        ..Default::default()
    };
    let mut stream = client(&server).batches().raw_stream_parallel(params, 8);
    stream.try_next().await.unwrap().expect("a first batch");
    drop(stream);
    let count = || async { server.received_requests().await.unwrap().len() };
    let at_drop = count().await;
    // The requests in flight are cancelled, and no other starts, while their answers
    // would have come in several times over (each takes 100 ms: 8 workers would send about
    // 48 more). A request already on its way when the stream was dropped may still be
    // counted after: at most one per request in flight.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let after = count().await;
    assert!(
        after <= at_drop + 8,
        "{} requests after the drop",
        after - at_drop
    );
}

#[tokio::test]
async fn max_items_set_after_the_first_batch_changes_nothing() {
    let server = serve(ties(), Quirks::default()).await;
    let client = client(&server);
    let sequential = raw(&client, Default::default(), None).await;
    let mut stream = client.batches().raw_stream_parallel(Default::default(), 4);
    let first = stream.try_next().await.unwrap().unwrap();
    let rest: Vec<String> = stream
        .max_items(5)
        .map_ok(|item| item.get().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.get(), sequential[0]);
    assert_same(&rest, &sequential[1..], "after the first batch");
}

//! Batch listings over HTTP: query validation, order, filters, pages and seeded data.

mod common;

use std::collections::HashSet;

use batches_server::ServerConfig;
use common::{PROJECT, fast, locs, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn list_validates_its_query() {
    let (server, api) = start(fast()).await;
    let (status, body) = api
        .get("/api/v2/batches?page_size=0&status=DONE&created_at_on_or_after=soon&page_size=x")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        locs(&body),
        [
            "query.created_at_on_or_after",
            "query.status",
            "query.page_size"
        ]
    );
    assert_eq!(
        body["detail"][1]["msg"],
        "Input should be 'PENDING', 'THROTTLED', 'RUNNING', 'COMPLETED', 'FAILED' or 'CANCELLED'"
    );
    assert_eq!(body["detail"][2]["type"], "int_parsing");
    let (status, body) = api.get("/api/v2/batches?page_size=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "greater_than_equal");
    assert_eq!(
        body["detail"][0]["msg"],
        "Input should be greater than or equal to 1"
    );
    let (status, body) = api.get("/api/v2/batches?page_token=garbage").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["detail"].as_str().unwrap().contains("page_token"),
        "{body}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn list_is_newest_first_filtered_and_paged() {
    let (server, api) = start(ServerConfig {
        seed: 1300,
        seed_rng: 3,
        ..fast()
    })
    .await;
    let (all, pages) = api.list_all("/api/v2/batches?page_size=100").await;
    assert_eq!((all.len(), pages), (1300, 13));
    let ids: HashSet<&str> = all.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "no duplicates");
    // RFC 3339 strings of one format sort like instants only with equal precision, so
    // compare parsed instants.
    let instants: Vec<_> = all
        .iter()
        .map(|b| {
            b["created_at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        })
        .collect();
    assert!(instants.windows(2).all(|w| w[0] >= w[1]), "newest first");

    assert_eq!(
        api.ok("/api/v2/batches").await["items"]
            .as_array()
            .unwrap()
            .len(),
        50,
        "default page size"
    );
    assert_eq!(
        api.ok("/api/v2/batches?page_size=5000").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1000,
        "coerced to 1000"
    );

    for status in [
        "PENDING",
        "THROTTLED",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
    ] {
        let (items, _) = api
            .list_all(&format!("/api/v2/batches?status={status}&page_size=40"))
            .await;
        let expected = all.iter().filter(|b| b["status"] == status).count();
        // Seeded history at 5 ms a step has ended: batches still going are seeded only
        // at a slower pace (tests/seeded_history.rs).
        let ended = ["COMPLETED", "FAILED", "CANCELLED"].contains(&status);
        assert_eq!(expected > 0, ended, "seeded history: {status}");
        assert_eq!(items.len(), expected, "{status}");
    }
    let directory = all[0]["source_directory_id"].as_str().unwrap();
    let (items, _) = api
        .list_all(&format!(
            "/api/v2/batches?source_directory_id={directory}&status=COMPLETED"
        ))
        .await;
    let expected = all
        .iter()
        .filter(|b| b["source_directory_id"] == directory && b["status"] == "COMPLETED")
        .count();
    assert_eq!(items.len(), expected);

    // Inclusive bounds: the batches at exactly the bounds are in.
    let upper = all[100]["created_at"].as_str().unwrap();
    let lower = all[299]["created_at"].as_str().unwrap();
    let query = batches_types::ListBatchesParams {
        created_at_on_or_after: Some(lower.parse().unwrap()),
        created_at_on_or_before: Some(upper.parse().unwrap()),
        page_size: Some(33),
        ..Default::default()
    };
    let (items, _) = api
        .list_all(&format!("/api/v2/batches?{}", query.to_query_string()))
        .await;
    assert_eq!(items, all[100..300].to_vec());
    // A time without offset is UTC.
    let naive = upper.trim_end_matches('Z');
    let body = api
        .ok(&format!(
            "/api/v2/batches?created_at_on_or_before={naive}&page_size=1"
        ))
        .await;
    assert_eq!(body["items"][0], all[100]);

    // A token only works with the filters it was issued for (page_size may change).
    let first = api
        .ok("/api/v2/batches?status=COMPLETED&page_size=10")
        .await;
    let token = first["next_page_token"].as_str().unwrap();
    api.ok(&format!(
        "/api/v2/batches?status=COMPLETED&page_size=20&page_token={token}"
    ))
    .await;
    for other in [
        "status=FAILED",
        "",
        &format!("status=COMPLETED&source_directory_id={directory}"),
    ] {
        let (status, body) = api
            .get(&format!("/api/v2/batches?{other}&page_token={token}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{other}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("different filters"),
            "{body}"
        );
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_created_during_a_listing_cause_no_duplicate_or_skip() {
    let (server, api) = start(ServerConfig {
        seed: 600,
        processing_ms: 100_000,
        ..fast()
    })
    .await;
    let (before, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    let directory = api.directory_with(&["a.pdf"]).await;
    let writer = {
        let api = api.clone();
        let directory = directory.clone();
        tokio::spawn(async move {
            for _ in 0..150 {
                api.create_batch(&directory, "parse_v2", "cfg-1").await;
            }
        })
    };
    let (during, pages) = api.list_all("/api/v2/batches?page_size=7").await;
    writer.await.unwrap();
    assert!(pages > 80);
    let ids: Vec<&str> = during.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "no duplicate"
    );
    let during_ids: HashSet<&str> = ids.into_iter().collect();
    for batch in &before {
        assert!(
            during_ids.contains(batch["id"].as_str().unwrap()),
            "skipped {}",
            batch["id"]
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn seeded_data_looks_real() {
    let (server, api) = start(ServerConfig {
        seed: 400,
        seed_rng: 9,
        ..fast()
    })
    .await;
    let (all, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    assert_eq!(all.len(), 400);
    let now = chrono::Utc::now();
    let mut job_types = HashSet::new();
    let mut with_errors = 0;
    for batch in &all {
        let id = batch["id"].as_str().unwrap();
        assert!(
            id.starts_with("bat-") && uuid::Uuid::parse_str(&id[4..]).is_ok(),
            "{id}"
        );
        assert!(
            batch["source_directory_id"]
                .as_str()
                .unwrap()
                .starts_with("dir-")
        );
        let created: chrono::DateTime<chrono::Utc> =
            batch["created_at"].as_str().unwrap().parse().unwrap();
        assert!(created <= now && created > now - chrono::Duration::days(30));
        job_types.insert(batch["config"]["job"]["type"].as_str().unwrap().to_owned());
        if batch["status"] == "COMPLETED" {
            let full = api
                .ok(&format!("/api/v2/batches/{id}?expand=results"))
                .await;
            for result in full["results"].as_array().unwrap() {
                assert!(
                    result["source_directory_file_id"]
                        .as_str()
                        .unwrap()
                        .starts_with("dfl-")
                );
                match result.get("job_reference") {
                    Some(reference) => {
                        let prefix = if reference["type"] == "parse_v2" {
                            "pjb-"
                        } else {
                            "ejb-"
                        };
                        assert!(
                            reference["id"].as_str().unwrap().starts_with(prefix),
                            "{result}"
                        );
                    }
                    None => with_errors += usize::from(result["error_message"].is_string()),
                }
            }
        }
    }
    assert_eq!(job_types.len(), 2);
    assert!(with_errors > 0, "some seeded results carry per-file errors");
    let directories = api.ok("/api/v1/beta/directories").await;
    assert!(directories["items"].as_array().unwrap().len() >= 3);

    let again = start(ServerConfig {
        seed: 400,
        seed_rng: 9,
        ..fast()
    })
    .await;
    let (same, _) = again.1.list_all("/api/v2/batches?page_size=1000").await;
    let ids = |items: &[Value]| {
        items
            .iter()
            .map(|b| b["id"].clone())
            .collect::<HashSet<_>>()
    };
    assert_eq!(
        ids(&all),
        ids(&same),
        "the same --seed-rng gives the same batches"
    );
    again.0.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn seeded_batches_spread_over_the_days_asked_for() {
    let (server, api) = start(ServerConfig {
        seed: 300,
        seed_days: 90,
        ..fast()
    })
    .await;
    let (all, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    assert_eq!(all.len(), 300);
    let now = chrono::Utc::now();
    let ages: Vec<i64> = all
        .iter()
        .map(|batch| {
            let created: chrono::DateTime<chrono::Utc> =
                batch["created_at"].as_str().unwrap().parse().unwrap();
            (now - created).num_days()
        })
        .collect();
    assert!(ages.iter().all(|age| (0..90).contains(age)), "{ages:?}");
    assert!(
        ages.iter().any(|age| *age >= 60),
        "some older than the default 30 days"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn batches_made_at_given_times_list_by_them_with_inclusive_bounds() {
    let (server, api) = start(fast()).await;
    let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let times = [
        at("2026-11-01T10:00:00Z"),
        at("2026-11-01T10:00:01Z"),
        at("2026-11-01T10:00:01Z"),
        at("2026-11-01T10:00:02.5Z"),
    ];
    let ids = server
        .fixtures()
        .create_batches_at(PROJECT, &times)
        .unwrap();
    let listed = |query: &str| {
        let api = api.clone();
        let path = format!("/api/v2/batches?{query}");
        async move {
            let (items, _) = api.list_all(&path).await;
            items
                .iter()
                .map(|b| {
                    (
                        b["id"].as_str().unwrap().to_owned(),
                        b["created_at"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let all = listed("").await;
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], (ids[3].clone(), json!("2026-11-01T10:00:02.500Z")));
    assert_eq!(all[3], (ids[0].clone(), json!("2026-11-01T10:00:00Z")));
    // Both bounds take in the batches exactly on them.
    let on_the_second = listed(
        "created_at_on_or_after=2026-11-01T10:00:01Z&created_at_on_or_before=2026-11-01T10:00:01Z",
    )
    .await;
    let mut tied: Vec<String> = on_the_second.into_iter().map(|(id, _)| id).collect();
    tied.sort();
    let mut expected = vec![ids[1].clone(), ids[2].clone()];
    expected.sort();
    assert_eq!(tied, expected);
    server.shutdown().await;
}

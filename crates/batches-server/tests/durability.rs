//! Durability: the emulator on a `--db` file killed with SIGKILL while creates are in
//! flight, then restarted on the same file, has every create it acknowledged, and every
//! idempotency key still names its batch.

mod common;

use std::{
    collections::{BTreeMap, HashSet},
    sync::{Arc, Mutex},
};

use common::{Api, launch};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Creates in flight at once.
const WRITERS: usize = 8;
/// Acknowledged creates to wait for before the kill.
const ACKNOWLEDGED_BEFORE_KILL: usize = 150;

fn body(directory: &str, n: usize) -> Value {
    json!({"source_directory_id": directory,
           "config": {"job": {"type": "parse_v2", "configuration_id": format!("cfg-{n}")}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_creates_and_their_keys_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("batches.sqlite");
    let db = db.to_str().unwrap();
    let mut first = launch(&["--db", db, "--processing-ms", "100000"]);
    let api = Api::new(&first.base_url, "llx-local-dev");
    let directory = api.directory_with(&["a.pdf"]).await;

    // key → the batch id of its 200, for every acknowledged create; every key tried.
    let acknowledged: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    let attempted: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
    let (enough, mut enough_rx) = tokio::sync::mpsc::channel::<()>(1);
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (api, directory) = (api.clone(), directory.clone());
            let (acknowledged, attempted, enough) =
                (acknowledged.clone(), attempted.clone(), enough.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let key = format!("w{writer}-{n}");
                    attempted.lock().unwrap().push((key.clone(), n));
                    let sent = api
                        .request(Method::POST, "/api/v2/batches")
                        .header("Idempotency-Key", &key)
                        .json(&body(&directory, n))
                        .send()
                        .await;
                    // After the kill every request fails: the writer is done.
                    let Ok(response) = sent else { return };
                    if response.status() != StatusCode::OK {
                        return;
                    }
                    let Ok(batch) = response.json::<Value>().await else {
                        return;
                    };
                    let id = batch["id"].as_str().unwrap().to_owned();
                    let count = {
                        let mut acknowledged = acknowledged.lock().unwrap();
                        acknowledged.insert(key, id);
                        acknowledged.len()
                    };
                    if count >= ACKNOWLEDGED_BEFORE_KILL {
                        let _ = enough.try_send(());
                    }
                }
            })
        })
        .collect();
    enough_rx.recv().await.unwrap();
    // Killed while the writers are still sending.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let attempted = attempted.lock().unwrap().clone();
    assert!(acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL);

    let second = launch(&["--db", db, "--processing-ms", "100000"]);
    let api = Api::new(&second.base_url, "llx-local-dev");
    let (listed, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    let listed: HashSet<&str> = listed.iter().map(|b| b["id"].as_str().unwrap()).collect();
    for (key, id) in &acknowledged {
        assert!(listed.contains(id.as_str()), "{key}: batch {id} was lost");
    }
    // Every key tried, acknowledged or cut off by the kill, now names exactly one batch:
    // replaying it returns the acknowledged batch, or makes the one the kill prevented.
    let mut replayed = HashSet::new();
    for (key, n) in &attempted {
        let (status, batch) = api
            .send(
                api.request(Method::POST, "/api/v2/batches")
                    .header("Idempotency-Key", key)
                    .json(&body(&directory, *n)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{key}: {batch}");
        let id = batch["id"].as_str().unwrap().to_owned();
        if let Some(first_id) = acknowledged.get(key) {
            assert_eq!(&id, first_id, "{key}: the key survived the restart");
        }
        assert!(replayed.insert(id), "{key}: two keys named one batch");
    }
    let (after, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    assert_eq!(
        after.len(),
        attempted.len(),
        "one batch per key: nothing lost, nothing doubled"
    );
    println!(
        "durability: {} creates acknowledged before SIGKILL, {} attempted, {} batches after \
         the restart and the replays",
        acknowledged.len(),
        attempted.len(),
        after.len()
    );
}

#[tokio::test]
async fn page_tokens_stay_valid_after_a_restart_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("batches.sqlite");
    let db = db.to_str().unwrap();
    let mut first = launch(&["--db", db, "--seed", "5"]);
    let api = Api::new(&first.base_url, "llx-local-dev");
    let page = api.ok("/api/v2/batches?page_size=2").await;
    let token = page["next_page_token"].as_str().unwrap().to_owned();
    let next = api
        .ok(&format!("/api/v2/batches?page_size=2&page_token={token}"))
        .await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let second = launch(&["--db", db]);
    let api = Api::new(&second.base_url, "llx-local-dev");
    let again = api
        .ok(&format!("/api/v2/batches?page_size=2&page_token={token}"))
        .await;
    assert_eq!(again, next, "the same page from the token of the first run");
    // An in-memory emulator makes a new key at each start: the token means nothing there.
    let fresh = launch(&["--seed", "5"]);
    let (status, _) = Api::new(&fresh.base_url, "llx-local-dev")
        .get(&format!("/api/v2/batches?page_size=2&page_token={token}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

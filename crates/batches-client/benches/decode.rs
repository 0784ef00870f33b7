//! Decoding a 100-item list page: into typed batches, and the raw passthrough path that
//! keeps each item as the server's JSON text without parsing it into values.
//!
//! `cargo bench -p batches-client` prints the time per page and the throughput.

use batches_client::{Batch, Page, RawValue};
use bytes::Bytes;
use divan::counter::{BytesCount, ItemsCount};
use serde_json::json;

fn main() {
    divan::main();
}

/// A list response shaped like the API's: 100 batches with every documented field a list
/// returns (no `results`: only `get` expands them), and one field the schema does not know.
fn page_body() -> Bytes {
    let items: Vec<_> = (0..100)
        .map(|i| {
            let status = ["PENDING", "RUNNING", "COMPLETED", "FAILED"][i % 4];
            json!({
                "id": format!("bat-{i:08x}-bbbb-cccc-dddd-eeeeeeeeeeee"),
                "config": {"job": {
                    "configuration_id": "cfg-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                    "type": if i % 3 == 0 { "extract_v2" } else { "parse_v2" },
                }},
                "project_id": "prj-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                "source_directory_id": format!("dir-{i:08x}-bbbb-cccc-dddd-eeeeeeeeeeee"),
                "status": status,
                "created_at": "2026-11-29T18:11:19.117Z",
                "updated_at": "2026-11-29T18:12:02.5Z",
                "results": null,
                "priority": i % 5,
            })
        })
        .collect();
    let body =
        json!({"items": items, "next_page_token": "eyJvZmZzZXQiOjEwMH0", "total_size": 100000});
    Bytes::from(serde_json::to_vec(&body).unwrap())
}

#[divan::bench]
fn typed(bencher: divan::Bencher) {
    let body = page_body();
    bencher
        .counter(BytesCount::of_slice(&body))
        .counter(ItemsCount::new(100usize))
        .bench(|| Page::<Batch>::decode(divan::black_box(body.clone())).unwrap());
}

#[divan::bench]
fn raw_passthrough(bencher: divan::Bencher) {
    let body = page_body();
    bencher
        .counter(BytesCount::of_slice(&body))
        .counter(ItemsCount::new(100usize))
        .bench(|| Page::<Box<RawValue>>::decode(divan::black_box(body.clone())).unwrap());
}

//! Property test of listing while batches are created: whatever the page size, the number
//! of batches already there and how many are created between pages, a listing repeats no
//! batch and lists every batch that existed when it started.

mod common;

use std::collections::HashSet;

use batches_server::BackgroundServer;
use proptest::prelude::*;
use reqwest::blocking::Client;
use serde_json::{Value, json};

struct Emulator {
    server: BackgroundServer,
    http: Client,
    directory: String,
}

impl Emulator {
    fn start() -> Emulator {
        let server = BackgroundServer::start(common::fast()).unwrap();
        let directory = server
            .fixtures()
            .create_directory_with_files(common::PROJECT, "d", 1)
            .unwrap();
        Emulator {
            server,
            http: Client::new(),
            directory,
        }
    }

    fn create(&self) -> String {
        let batch: Value = self
            .http
            .post(format!("{}/api/v2/batches", self.server.base_url()))
            .bearer_auth(common::KEY)
            .json(&json!({"source_directory_id": self.directory,
                          "config": {"job": {"type": "parse_v2", "configuration_id": "c"}}}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        batch["id"].as_str().unwrap().to_owned()
    }

    fn page(&self, page_size: usize, token: Option<&str>) -> Value {
        let mut query = vec![("page_size", page_size.to_string())];
        query.extend(token.map(|token| ("page_token", token.to_owned())));
        let response = self
            .http
            .get(format!("{}/api/v2/batches", self.server.base_url()))
            .bearer_auth(common::KEY)
            .query(&query)
            .send()
            .unwrap();
        assert!(response.status().is_success());
        response.json().unwrap()
    }
}

proptest! {
    // Each case starts an emulator: few cases, each a different shape of listing.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn concurrent_creates_cause_no_duplicate_and_no_skip(
        existing in 0usize..40,
        page_size in 1usize..12,
        created_between_pages in prop::collection::vec(0usize..4, 1..16),
    ) {
        let emulator = Emulator::start();
        let before: HashSet<String> = (0..existing).map(|_| emulator.create()).collect();
        let mut listed = Vec::new();
        let mut token: Option<String> = None;
        for page_number in 0.. {
            let page = emulator.page(page_size, token.as_deref());
            listed.extend(
                page["items"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap().to_owned()),
            );
            // Batches created while the listing runs.
            for _ in 0..created_between_pages[page_number % created_between_pages.len()] {
                emulator.create();
            }
            match page.get("next_page_token").and_then(Value::as_str) {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        let unique: HashSet<&String> = listed.iter().collect();
        prop_assert_eq!(unique.len(), listed.len(), "a batch was listed twice");
        for id in &before {
            prop_assert!(unique.contains(id), "{} existed before the listing and was skipped", id);
        }
    }
}

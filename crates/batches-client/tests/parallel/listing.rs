//! A listing server for the parallel tests: keyset pages over batches kept in memory,
//! with the quirks of real servers on demand, and the data sets the tests list.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use batches_client::{DateTime, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// What the listing server does besides answering.
#[derive(Default, Clone, Copy)]
pub struct Quirks {
    /// Every n-th request first gets a 429 asking for a retry after 1 ms.
    pub throttle_every: Option<usize>,
    /// Every n-th request gets an empty page whose token names the same page again.
    pub empty_every: Option<usize>,
    /// The second page of every window names itself as the next page.
    pub repeat_token: bool,
    /// Creation-time bounds are kept to the whole second, the fraction dropped.
    pub whole_second_bounds: bool,
}

/// A listing server: newest first (then by id, descending), keyset page tokens, inclusive
/// creation-time bounds, a default page size of 50; every item and page carries fields
/// the schema does not know.
pub struct Listing {
    items: Vec<Value>,
    quirks: Quirks,
    requests: AtomicUsize,
    /// The creation-time bounds of every request but the probes (`page_size=1`).
    bounds: Mutex<Vec<(Option<String>, Option<String>)>>,
}

fn created(item: &Value) -> DateTime<Utc> {
    item["created_at"].as_str().unwrap().parse().unwrap()
}

impl Listing {
    pub fn new(mut items: Vec<Value>, quirks: Quirks) -> Listing {
        items.sort_by(|a, b| (created(b), b["id"].as_str()).cmp(&(created(a), a["id"].as_str())));
        Listing {
            items,
            quirks,
            requests: AtomicUsize::new(0),
            bounds: Mutex::new(Vec::new()),
        }
    }

    fn every(n: Option<usize>, count: usize) -> bool {
        n.is_some_and(|n| count.is_multiple_of(n))
    }
}

impl Respond for Listing {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let count = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if Listing::every(self.quirks.throttle_every, count) {
            return ResponseTemplate::new(429)
                .insert_header("retry-after-ms", "1")
                .set_body_json(json!({"detail": "slow down"}));
        }
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        let after = query("created_at_on_or_after");
        let before = query("created_at_on_or_before");
        let size: usize = query("page_size").map_or(50, |size| size.parse().unwrap());
        if size != 1 {
            self.bounds
                .lock()
                .unwrap()
                .push((after.clone(), before.clone()));
        }
        let mut token = query("page_token");
        // `again:N:TOKEN` names the page TOKEN names (the first page when empty).
        if let Some((_, same)) = token
            .as_deref()
            .and_then(|t| t.strip_prefix("again:"))
            .and_then(|t| t.split_once(':'))
        {
            token = (!same.is_empty()).then(|| same.to_owned());
        }
        if Listing::every(self.quirks.empty_every, count) {
            let again = format!("again:{count}:{}", token.clone().unwrap_or_default());
            return ResponseTemplate::new(200)
                .set_body_json(json!({"items": [], "next_page_token": again}));
        }
        let bound = |text: &Option<String>| {
            text.as_deref().map(|t| {
                let at: DateTime<Utc> = t.parse().unwrap();
                match self.quirks.whole_second_bounds {
                    true => DateTime::from_timestamp(at.timestamp(), 0).unwrap(),
                    false => at,
                }
            })
        };
        let (after, before): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
            (bound(&after), bound(&before));
        let cursor = token.as_deref().map(|token| {
            let (at, id) = token.split_once('|').unwrap();
            (at.parse::<DateTime<Utc>>().unwrap(), id.to_owned())
        });
        let mut matching = self.items.iter().filter(|item| {
            let at = created(item);
            after.is_none_or(|after| at >= after)
                && before.is_none_or(|before| at <= before)
                && cursor.as_ref().is_none_or(|(c_at, c_id)| {
                    (at, item["id"].as_str().unwrap()) < (*c_at, c_id.as_str())
                })
        });
        let page: Vec<&Value> = matching.by_ref().take(size).collect();
        let mut next = match (matching.next(), page.last()) {
            (Some(_), Some(last)) => Some(format!(
                "{}|{}",
                last["created_at"].as_str().unwrap(),
                last["id"].as_str().unwrap()
            )),
            _ => None,
        };
        if self.quirks.repeat_token && token.is_some() {
            next = token.clone();
        }
        let body = json!({"items": page, "next_page_token": next, "total_size": 0, "cursor_kind": "keyset"});
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// A batch created at `created_at`, with fields no schema knows.
pub fn batch(id: &str, created_at: &str) -> Value {
    json!({
        "id": id,
        "config": {"job": {"configuration_id": "cfg-PARSE_FAST", "type": "parse_v2"}},
        "project_id": "prj-1",
        "source_directory_id": "dir-1",
        "status": if id.ends_with('7') { "ARCHIVED" } else { "COMPLETED" },
        "created_at": created_at,
        "updated_at": null,
        "priority": {"lane": 3, "weights": [1.5, 2e-3]},
    })
}

/// 600 batches on whole seconds, ten to a second: boundaries fall on batches, and every
/// group of equal times straddles page ends.
pub fn ties() -> Vec<Value> {
    let start: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().unwrap();
    (0..600)
        .map(|n: i64| {
            let at = DateTime::from_timestamp(start.timestamp() + n / 10, 0).unwrap();
            // Whole seconds, written as some servers write them.
            let at = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            batch(&format!("bat-{:04}", (n * 7_919) % 600), &at)
        })
        .collect()
}

pub async fn serve(items: Vec<Value>, quirks: Quirks) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/batches"))
        .respond_with(Listing::new(items, quirks))
        .mount(&server)
        .await;
    server
}

/// 600 batches at random microseconds over ten minutes: about one a second.
pub fn sparse() -> Vec<Value> {
    let start = "2026-11-20T00:00:00Z"
        .parse::<DateTime<Utc>>()
        .unwrap()
        .timestamp_micros();
    let mut state: u64 = 7;
    (0..600)
        .map(|n| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let offset = (state >> 20) % 600_000_000;
            let at = DateTime::from_timestamp_micros(start + offset as i64).unwrap();
            batch(
                &format!("bat-{n:04}"),
                &at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            )
        })
        .collect()
}

/// A listing whose every answer takes 100 ms.
pub struct SlowListing(pub Listing);

impl Respond for SlowListing {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0
            .respond(request)
            .set_delay(std::time::Duration::from_millis(100))
    }
}

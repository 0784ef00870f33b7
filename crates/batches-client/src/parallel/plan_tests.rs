//! The plan against a simulated server: every batch once, in order, at any split; the
//! bounds on requests and memory; and the number of round trips, which is what latency
//! multiplies.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

use batches_types::{DateTime, ListBatchesParams, Utc};

use super::*;
use crate::pagination::Page;

/// A batch as the plan sees it.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    id: String,
    at: Option<DateTime<Utc>>,
}

impl Listed for Item {
    fn created_at(&self) -> Option<DateTime<Utc>> {
        self.at
    }

    fn id(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

const NOW: &str = "2026-11-29T00:00:00Z";

const DAY: i64 = 86_400_000_000;

/// `micros` microseconds after `base` (before, when negative).
fn shift(base: DateTime<Utc>, micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(base.timestamp_micros() + micros).unwrap()
}

/// A server holding `items`, listing them newest first (then by id, descending) with
/// keyset page tokens, inclusive creation-time bounds and a default page size of 50.
struct Server {
    items: Vec<Item>,
    requests: Vec<ListBatchesParams>,
    /// Tokens that name the same page as another token (`None`: the first page).
    aliases: HashMap<String, Option<String>>,
}

impl Server {
    fn new(mut items: Vec<Item>) -> Server {
        items.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
        Server {
            items,
            requests: Vec::new(),
            aliases: HashMap::new(),
        }
    }

    fn alias(&mut self, token: String, same_as: Option<String>) {
        self.aliases.insert(token, same_as);
    }

    fn ids(&self) -> Vec<String> {
        self.items.iter().map(|item| item.id.clone()).collect()
    }

    fn serve(&mut self, params: &ListBatchesParams) -> Page<Item> {
        self.requests.push(params.clone());
        let mut token = params.page_token.clone();
        while let Some(same_as) = token.as_ref().and_then(|token| self.aliases.get(token)) {
            token = same_as.clone();
        }
        let cursor = token.as_deref().map(|token| {
            let (at, id) = token.split_once('|').unwrap();
            (Some(at.parse::<DateTime<Utc>>().unwrap()), id.to_owned())
        });
        let size = params.page_size.unwrap_or(50) as usize;
        let mut matching = self.items.iter().filter(|item| {
            params
                .created_at_on_or_after
                .is_none_or(|a| item.at >= Some(a))
                && params
                    .created_at_on_or_before
                    .is_none_or(|b| item.at <= Some(b))
                && cursor
                    .as_ref()
                    .is_none_or(|(c_at, c_id)| (item.at, &item.id) < (*c_at, c_id))
        });
        let items: Vec<Item> = matching.by_ref().take(size).cloned().collect();
        let next_page_token = match (matching.next(), items.last()) {
            (Some(_), Some(last)) => Some(format!("{}|{}", last.at.unwrap().to_rfc3339(), last.id)),
            _ => None,
        };
        Page {
            items,
            next_page_token,
            total_size: None,
            page_token: params.page_token.clone(),
            http_status: 200,
            request_id: None,
            raw: Default::default(),
        }
    }
}

/// What a run of the plan did.
struct Run {
    ids: Vec<String>,
    /// Round trips: every request in flight is answered together, as with equal latency.
    rounds: usize,
    most_in_flight: usize,
    most_ahead: usize,
}

/// Runs a listing to its end, the caller taking every chunk as soon as it is ready.
fn run(server: &mut Server, listing: ListBatchesParams, requests: usize, max: Option<u64>) -> Run {
    run_plan(server, Plan::new(listing, requests, max, at(NOW)))
}

fn run_plan(server: &mut Server, mut plan: Plan<Item>) -> Run {
    let mut ids = Vec::new();
    let mut in_flight: VecDeque<(Job, ListBatchesParams)> = VecDeque::new();
    let (mut rounds, mut most_in_flight, mut most_ahead) = (0, 0, 0);
    loop {
        while let Some(request) = plan.next_request() {
            in_flight.push_back(request);
        }
        while let Some(chunk) = plan.take_chunk() {
            ids.extend(chunk.into_iter().map(|item| item.id));
        }
        most_in_flight = most_in_flight.max(in_flight.len());
        most_ahead = most_ahead.max(plan.ahead());
        if plan.finished() {
            break;
        }
        assert!(!in_flight.is_empty(), "the plan stalled");
        rounds += 1;
        // Answer this round's requests; what they lead to goes out in the next round.
        for _ in 0..in_flight.len() {
            let (job, params) = in_flight.pop_front().unwrap();
            let page = server.serve(&params);
            plan.receive(job, page).unwrap();
            while let Some(request) = plan.next_request() {
                in_flight.push_back(request);
            }
            while let Some(chunk) = plan.take_chunk() {
                ids.extend(chunk.into_iter().map(|item| item.id));
            }
            most_ahead = most_ahead.max(plan.ahead());
        }
    }
    if let Some(max) = plan.max_items {
        ids.truncate(max as usize);
    }
    Run {
        ids,
        rounds,
        most_in_flight,
        most_ahead,
    }
}

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        self.0 >> 33
    }
}

/// `count` batches created within `days` days before now, uniformly at microsecond
/// precision.
fn uniform(count: usize, days: u64, seed: u64) -> Vec<Item> {
    let mut rng = Lcg(seed);
    let span = days * DAY as u64;
    (0..count)
        .map(|n| Item {
            id: format!("bat-{n:07}"),
            at: Some(shift(
                at(NOW),
                -(((rng.next() << 31 | rng.next()) % span) as i64) - 1,
            )),
        })
        .collect()
}

fn sequential_rounds(count: usize, page_size: usize) -> usize {
    count.div_ceil(page_size)
}

#[test]
fn every_batch_once_in_order_and_six_times_fewer_round_trips() {
    for with_range in [false, true] {
        let mut server = Server::new(uniform(20_000, 60, 1));
        let listing = ListBatchesParams {
            created_at_on_or_after: with_range.then(|| shift(at(NOW), -60 * DAY)),
            ..Default::default()
        };
        let run = run(&mut server, listing, 8, None);
        assert_eq!(run.ids, server.ids(), "range given: {with_range}");
        let sequential = sequential_rounds(20_000, 50);
        assert!(
            run.rounds * 6 <= sequential,
            "range given: {with_range}: {} round trips against {sequential}",
            run.rounds
        );
        assert!(run.most_in_flight <= 8);
        assert!(run.most_ahead <= PAGES_AHEAD_PER_REQUEST * 8);
    }
}

#[test]
fn bursts_and_quiet_weeks_stay_balanced() {
    // 60 days; nine tenths of the batches in two bursts of a few hours.
    let mut items = uniform(2_000, 60, 2);
    for (n, item) in uniform(9_000, 1, 3).into_iter().enumerate() {
        let days = if n % 2 == 0 { 5 } else { 40 };
        items.push(Item {
            id: format!("bat-burst-{n:05}"),
            at: item.at.map(|at| shift(at, -days * DAY)),
        });
    }
    let mut server = Server::new(items);
    let run = run(&mut server, Default::default(), 8, None);
    assert_eq!(run.ids, server.ids());
    let sequential = sequential_rounds(11_000, 50);
    assert!(
        run.rounds * 4 <= sequential,
        "{} round trips against {sequential}",
        run.rounds
    );
}

#[test]
fn a_burst_in_one_day_is_shared_out_among_the_workers() {
    // 60 days with 1,000 batches, and 8,000 more within one day: at the oldest end, or in
    // the middle. The window holding the burst gives half its pages to each worker that
    // runs out of work, so the listing takes little more than an eighth of the sequential
    // round trips instead of waiting on the burst's window walked alone.
    for days_ago in [59, 30] {
        let mut items = uniform(1_000, 60, 2);
        for (n, item) in uniform(8_000, 1, 3).into_iter().enumerate() {
            items.push(Item {
                id: format!("bat-burst-{n:05}"),
                at: item.at.map(|at| shift(at, -days_ago * DAY)),
            });
        }
        let mut server = Server::new(items);
        let run = run(&mut server, Default::default(), 8, None);
        assert_eq!(run.ids, server.ids());
        let fair_share = sequential_rounds(9_000, 50).div_ceil(8);
        assert!(
            run.rounds * 2 <= fair_share * 3,
            "burst {days_ago} days ago: {} round trips against a fair share of {fair_share}",
            run.rounds
        );
    }
}

/// Batches on whole seconds, ten to a second: many boundaries fall exactly on batches,
/// and every group of equal times straddles page ends.
fn ties() -> Vec<Item> {
    (0..3_000)
        .map(|n| Item {
            id: format!("bat-{:05}", (n * 7_919) % 3_000),
            at: Some(shift(at("2026-11-28T00:00:00Z"), n / 10 * 1_000_000)),
        })
        .collect()
}

#[test]
fn batches_on_a_boundary_and_equal_times_are_each_listed_once() {
    for requests in [2, 3, 8] {
        for page_size in [3, 7, 50] {
            let mut server = Server::new(ties());
            let listing = ListBatchesParams {
                page_size: Some(page_size),
                ..Default::default()
            };
            let run = run(&mut server, listing, requests, None);
            assert_eq!(
                run.ids,
                server.ids(),
                "{requests} requests, pages of {page_size}"
            );
            let times: Vec<_> = server.items.iter().map(|item| item.at).collect();
            let on_a_batch = server
                .requests
                .iter()
                .filter(|request| request.page_size != Some(1))
                .filter_map(|request| request.created_at_on_or_before)
                .filter(|bound| times.contains(&Some(*bound)))
                .count();
            assert!(on_a_batch > 0, "no boundary fell on a batch");
        }
    }
}

#[test]
fn max_items_stops_every_window() {
    let mut server = Server::new(uniform(5_000, 30, 4));
    let full = server.ids();
    for max in [1, 50, 51, 777, 4_999, 5_000, 6_000] {
        server.requests.clear();
        let run = run(&mut server, Default::default(), 8, Some(max));
        let expected = &full[..(max as usize).min(full.len())];
        assert_eq!(run.ids, expected, "max {max}");
        let pages = server
            .requests
            .iter()
            .filter(|request| request.page_size != Some(1))
            .count();
        // Enough pages for the batches, and at most what the requests in flight and the
        // pages held ahead allow beyond them.
        let needed = (max as usize).min(5_000).div_ceil(50);
        assert!(
            pages <= needed + 8 * (PAGES_AHEAD_PER_REQUEST + 1),
            "max {max}: {pages} pages for {needed}"
        );
    }
    // A first page that holds them all: nothing more is asked for.
    server.requests.clear();
    let run = run(&mut server, Default::default(), 8, Some(10));
    assert_eq!(run.ids.len(), 10);
    assert_eq!(
        server
            .requests
            .iter()
            .filter(|r| r.page_size != Some(1))
            .count(),
        1
    );
}

#[test]
fn the_listings_own_filters_page_token_and_bounds_are_kept() {
    let mut server = Server::new(uniform(3_000, 10, 5));
    let first = server.serve(&Default::default());
    let token = first.next_page_token.clone();
    let before = shift(at(NOW), -2 * DAY);
    let listing = ListBatchesParams {
        page_token: token.clone(),
        created_at_on_or_before: Some(before),
        project_id: Some("prj-1".into()),
        ..Default::default()
    };
    // The expected listing: sequential, from the same token.
    let mut sequential = Vec::new();
    let mut params = listing.clone();
    loop {
        let page = server.serve(&params);
        sequential.extend(page.items.iter().map(|item| item.id.clone()));
        match page.next_page_token {
            Some(next) => params.page_token = Some(next),
            None => break,
        }
    }
    server.requests.clear();
    let run = run(&mut server, listing, 4, None);
    assert_eq!(run.ids, sequential);
    assert_eq!(
        server.requests[0].page_token, token,
        "the walk starts at the token"
    );
    for request in &server.requests {
        assert_eq!(request.project_id.as_deref(), Some("prj-1"));
        assert!(request.created_at_on_or_before.is_some_and(|b| b <= before));
    }
}

#[test]
fn a_listing_of_one_page_needs_no_more() {
    let mut server = Server::new(uniform(30, 3, 6));
    let run = run(&mut server, Default::default(), 8, None);
    assert_eq!(run.ids, server.ids());
    assert_eq!(
        run.rounds, 1,
        "the first page and the first probes, together"
    );
    let mut empty = Server::new(Vec::new());
    assert!(
        run_plan(&mut empty, Plan::new(Default::default(), 2, None, at(NOW)))
            .ids
            .is_empty()
    );
}

/// Answers the plan's first requests (the first page and the probes) from `server`,
/// then hands `page` to the first window request that follows.
fn receive_page(mut plan: Plan<Item>, server: &mut Server, page: Page<Item>) -> Result<(), Error> {
    let mut pending: VecDeque<(Job, ListBatchesParams)> = VecDeque::new();
    let mut page = Some(page);
    loop {
        while let Some(request) = plan.next_request() {
            pending.push_back(request);
        }
        let (job, params) = pending.pop_front().expect("a request");
        if matches!(job, Job::Window(_)) && server.requests.iter().any(|r| r.page_size != Some(1)) {
            return plan.receive(job, page.take().unwrap());
        }
        let answer = server.serve(&params);
        plan.receive(job, answer)?;
        while plan.take_chunk().is_some() {}
    }
}

#[test]
fn a_batch_without_a_time_or_out_of_order_fails_clearly() {
    let good = || Server::new(uniform(500, 2, 7));
    let plan = || Plan::<Item>::new(Default::default(), 4, None, at(NOW));
    let mut server = good();
    let page_token = server.serve(&Default::default()).next_page_token;
    let mut page = server.serve(&ListBatchesParams {
        page_token,
        ..Default::default()
    });
    server.requests.clear();
    page.items[3].at = None;
    let error = receive_page(plan(), &mut server, page.clone()).unwrap_err();
    assert!(error.to_string().contains("has no created_at"), "{error}");

    page.items[3].at = Some(at(NOW));
    server.requests.clear();
    let error = receive_page(plan(), &mut server, page).unwrap_err();
    assert!(
        error.to_string().contains("does not list newest first"),
        "{error}"
    );
}

#[test]
fn a_repeated_token_in_a_window_fails_clearly() {
    let mut server = Server::new(uniform(500, 2, 8));
    let first = server.serve(&Default::default());
    // The second page claims to be followed by the first page's token again.
    let mut second = server.serve(&ListBatchesParams {
        page_token: first.next_page_token.clone(),
        ..Default::default()
    });
    second.next_page_token = first.next_page_token.clone();
    server.requests.clear();
    let plan = Plan::<Item>::new(Default::default(), 4, None, at(NOW));
    let error = receive_page(plan, &mut server, second).unwrap_err();
    assert!(matches!(error, Error::PaginationLoop { .. }), "{error}");
}

#[test]
fn an_empty_page_with_a_token_does_not_end_a_window() {
    let mut server = Server::new(uniform(200, 1, 9));
    let expected = server.ids();
    let mut plan = Plan::<Item>::new(
        ListBatchesParams {
            page_size: Some(20),
            ..Default::default()
        },
        3,
        None,
        at(NOW),
    );
    let mut ids = Vec::new();
    let mut pending: VecDeque<(Job, ListBatchesParams)> = VecDeque::new();
    let mut emptied = 0;
    while !plan.finished() {
        while let Some(request) = plan.next_request() {
            pending.push_back(request);
        }
        let (job, params) = pending.pop_front().expect("a request");
        let mut page = server.serve(&params);
        // Every third page of a window comes back empty, with a token for the same page.
        if matches!(job, Job::Window(_)) && server.requests.len().is_multiple_of(3) {
            emptied += 1;
            page.items.clear();
            page.next_page_token = Some(format!("again-{}", server.requests.len()));
            server.alias(
                page.next_page_token.clone().unwrap(),
                params.page_token.clone(),
            );
        }
        plan.receive(job, page).unwrap();
        while let Some(chunk) = plan.take_chunk() {
            ids.extend(chunk.into_iter().map(|item| item.id));
        }
    }
    assert!(emptied > 0);
    assert_eq!(ids, expected);
}

#[test]
fn a_far_window_gives_its_pages_up_for_a_burst_found_nearer_and_walks_again() {
    // One batch a minute for two days, and 500 within a second just below the newest ten.
    // Pages of ten: the head keeps about seven pages of minutes and hands the rest out.
    let mut items: Vec<Item> = (0..2_880)
        .map(|n| Item {
            id: format!("bat-{n:05}"),
            at: Some(shift(at(NOW), -(n * 60_000_000 + 30_000_000))),
        })
        .collect();
    let burst = shift(at(NOW), -10 * 60_000_000 - 45_000_000);
    items.extend((0..500).map(|n| Item {
        id: format!("bat-burst-{n:03}"),
        at: Some(shift(burst, -n * 2_000)),
    }));
    let mut server = Server::new(items);
    let listing = ListBatchesParams {
        page_size: Some(10),
        created_at_on_or_after: Some(shift(at(NOW), -2 * DAY)),
        ..Default::default()
    };
    let requests = 2;
    let mut plan = Plan::<Item>::new(listing, requests, None, at(NOW));
    // The head's second page (the burst) is held back while the windows after it walk
    // until the room ahead is full; then every answer comes in order.
    let (mut ids, mut most_ahead) = (Vec::new(), 0);
    let mut in_flight: Vec<(Job, ListBatchesParams)> = Vec::new();
    let (mut head_pages, mut holding) = (0, true);
    loop {
        while let Some(request) = plan.next_request() {
            in_flight.push(request);
        }
        while let Some(chunk) = plan.take_chunk() {
            ids.extend(chunk.into_iter().map(|item| item.id));
        }
        most_ahead = most_ahead.max(plan.ahead());
        if plan.finished() {
            break;
        }
        let held = |job: &Job| holding && *job == Job::Window(0) && head_pages == 1;
        let Some(next) = in_flight.iter().position(|(job, _)| !held(job)) else {
            assert!(!in_flight.is_empty(), "the plan stalled");
            holding = false;
            continue;
        };
        let (job, params) = in_flight.remove(next);
        head_pages += usize::from(job == Job::Window(0));
        plan.receive(job, server.serve(&params)).unwrap();
    }
    assert!(
        !holding,
        "the head was released once nothing else could go on"
    );
    // Every batch once, in order: the pages given up were not handed out.
    assert_eq!(ids, server.ids());
    // The windows that gave their pages up walked their spans again from the first page.
    let first_pages: Vec<_> = server
        .requests
        .iter()
        .filter(|request| request.page_token.is_none())
        .map(|request| {
            (
                request.created_at_on_or_after,
                request.created_at_on_or_before,
            )
        })
        .collect();
    let walked_again = first_pages
        .iter()
        .enumerate()
        .filter(|(index, span)| first_pages[..*index].contains(span))
        .count();
    assert!(walked_again > 0, "no window walked again: {first_pages:?}");
    assert!(
        most_ahead <= PAGES_AHEAD_PER_REQUEST * requests + 1,
        "{most_ahead}"
    );
}

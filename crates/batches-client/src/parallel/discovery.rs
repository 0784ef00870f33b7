//! How far back a listing without a lower bound goes: probes that ask for the newest
//! batch created at or before an instant (`page_size=1`), at ages spread on a logarithmic
//! scale, the whole round at once, narrowed round after round.
//!
//! A probe that finds a batch proves the oldest batch is at least as old as the one found;
//! one that finds nothing proves every batch is younger than the probe. The first round
//! spans a second to a century, so the answer is found at any scale; each later round
//! spreads its probes inside the span left.

use batches_types::{DateTime, Utc};

use super::time::{instant, seconds};

/// Rounds at most: with 7 probes a round, the oldest batch's age is then known to about 5 %.
const ROUNDS: u32 = 3;
/// The ages (seconds) the first round spans: a second to a century.
const FIRST_SPAN: (f64, f64) = (1.0, 100.0 * 365.25 * 86_400.0);
/// Close enough to stop early: the age known to within 10 %.
const CLOSE_ENOUGH: f64 = 1.1;
/// The youngest age a later round probes.
const YOUNGEST: f64 = 1e-3;

/// The search for the oldest batch's creation time.
pub(super) struct Discovery {
    /// The instant ages count back from (seconds): the listing's upper bound, or now.
    origin: f64,
    /// Probes per round.
    probes: usize,
    round: u32,
    /// Ages of this round not probed yet.
    pending: Vec<f64>,
    in_flight: usize,
    /// The oldest batch is at least this old (seconds before the origin)…
    at_least: f64,
    /// …and younger than this.
    younger_than: Option<f64>,
}

impl Discovery {
    /// A search counting back from `origin`, with `probes` requests a round (at least 1).
    pub(super) fn new(origin: DateTime<Utc>, probes: usize) -> Discovery {
        let probes = probes.max(1);
        Discovery {
            origin: seconds(origin),
            probes,
            round: 1,
            pending: spread(FIRST_SPAN.0, FIRST_SPAN.1, probes, true),
            in_flight: 0,
            at_least: 0.0,
            younger_than: None,
        }
    }

    /// The next probe of this round: its age, and the instant to send as
    /// `created_at_on_or_before`.
    pub(super) fn next_probe(&mut self) -> Option<(f64, DateTime<Utc>)> {
        while let Some(age) = self.pending.pop() {
            if let Some(at) = instant(self.origin - age) {
                self.in_flight += 1;
                return Some((age, at));
            }
        }
        None
    }

    /// A batch exists, created at `at`.
    pub(super) fn seen(&mut self, at: DateTime<Utc>) {
        self.at_least = self.at_least.max(self.origin - seconds(at));
    }

    /// The probe at `age` found the batch created at `found`, or nothing.
    pub(super) fn probed(&mut self, age: f64, found: Option<DateTime<Utc>>) {
        self.in_flight -= 1;
        match found {
            Some(at) => self.seen(at),
            None => self.younger_than = Some(self.younger_than.map_or(age, |y| y.min(age))),
        }
        if self.in_flight > 0 || !self.pending.is_empty() || self.finished() {
            return;
        }
        self.round += 1;
        let from = self.at_least.max(YOUNGEST);
        let to = self.younger_than.unwrap_or(FIRST_SPAN.1);
        self.pending = spread(from, to, self.probes, false);
    }

    /// Whether the search is over: the last round is back, or the span is narrow enough.
    fn finished(&self) -> bool {
        if self.in_flight > 0 || !self.pending.is_empty() {
            return false;
        }
        let younger_than = self.younger_than.unwrap_or(FIRST_SPAN.1);
        self.round >= ROUNDS
            || younger_than <= YOUNGEST
            // Also when every probe found a batch a century old.
            || younger_than / self.at_least.max(YOUNGEST) <= CLOSE_ENOUGH
    }

    /// Once the search is over, the earliest the oldest batch can have been created: the
    /// oldest probe that found nothing, or the oldest batch found when every probe found
    /// one. The early end, because a window estimated too long costs a request that
    /// finds nothing, while one estimated too short is walked alone, page after page.
    pub(super) fn estimate(&self) -> Option<DateTime<Utc>> {
        if !self.finished() {
            return None;
        }
        let age = self.younger_than.unwrap_or(0.0).max(self.at_least);
        instant(self.origin - age)
    }
}

/// `count` ages from `from` to `to` in equal ratios: both ends included when `ends` (and
/// there are two probes or more), else strictly between them.
fn spread(from: f64, to: f64, count: usize, ends: bool) -> Vec<f64> {
    let ratio = to / from;
    let (first, steps) = if ends && count > 1 {
        (0, count - 1)
    } else {
        (1, count + 1)
    };
    (first..first + count)
        .map(|k| from * ratio.powf(k as f64 / steps as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: f64 = 86_400.0;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// Runs the search against batches created from `oldest_age` to the origin, answering
    /// each probe as a server would.
    fn search(probes: usize, oldest_age: f64) -> (DateTime<Utc>, u32) {
        let origin = at("2026-11-29T00:00:00Z");
        let mut discovery = Discovery::new(origin, probes);
        let mut rounds = 0;
        while discovery.estimate().is_none() {
            rounds += 1;
            let mut sent = Vec::new();
            while let Some(probe) = discovery.next_probe() {
                sent.push(probe);
            }
            assert!(!sent.is_empty(), "a round that is not over probes");
            for (age, before) in sent {
                // The newest batch at or before the probe: the probe itself when batches
                // are dense enough, nothing when it is older than the oldest.
                let found = (age <= oldest_age).then_some(before);
                discovery.probed(age, found);
            }
        }
        (discovery.estimate().unwrap(), rounds)
    }

    #[test]
    fn the_first_round_spans_a_second_to_a_century() {
        let ages = spread(FIRST_SPAN.0, FIRST_SPAN.1, 7, true);
        assert_eq!(ages.len(), 7);
        assert!((ages[0] - 1.0).abs() < 1e-9);
        assert!((ages[6] / FIRST_SPAN.1 - 1.0).abs() < 1e-9);
        let inside = spread(2.0, 8.0, 1, false);
        assert!((inside[0] - 4.0).abs() < 1e-9);
    }

    #[test]
    fn sixty_days_are_found_to_within_a_few_percent_in_three_rounds() {
        let (estimate, rounds) = search(7, 60.0 * DAY);
        assert_eq!(rounds, 3);
        let age = seconds(at("2026-11-29T00:00:00Z")) - seconds(estimate);
        assert!((60.0 * DAY..63.0 * DAY).contains(&age), "{}", age / DAY);
    }

    #[test]
    fn any_scale_is_found_and_one_probe_a_round_still_ends() {
        for oldest in [0.5, 90.0, 3.0 * 3600.0, 400.0 * DAY] {
            for probes in [1, 3, 7] {
                let (estimate, rounds) = search(probes, oldest);
                assert!(rounds <= ROUNDS);
                let age = seconds(at("2026-11-29T00:00:00Z")) - seconds(estimate);
                assert!(age >= oldest.min(FIRST_SPAN.1), "{oldest} {probes}: {age}");
                assert!(age < 2.0 * FIRST_SPAN.1, "{oldest} {probes}: {age}");
            }
        }
    }

    #[test]
    fn batches_older_than_a_century_end_the_search_at_the_oldest_seen() {
        let origin = at("2026-11-29T00:00:00Z");
        let mut discovery = Discovery::new(origin, 2);
        let old = at("1900-01-01T00:00:00Z");
        while let Some((age, _)) = discovery.next_probe() {
            discovery.probed(age, Some(old));
        }
        assert_eq!(discovery.estimate(), Some(old));
    }

    #[test]
    fn batches_seen_by_the_listing_count_as_found() {
        let origin = at("2026-11-29T00:00:00Z");
        let mut discovery = Discovery::new(origin, 1);
        discovery.seen(at("2026-11-28T00:00:00Z"));
        // One probe a round goes to the middle of the first span (about 15 hours) and
        // finds nothing; the batch a day old still counts.
        let (age, _) = discovery.next_probe().unwrap();
        assert!(age > 3600.0 && age < DAY, "{age}");
        discovery.probed(age, None);
        assert_eq!(discovery.estimate(), Some(at("2026-11-28T00:00:00Z")));
    }
}

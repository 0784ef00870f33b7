//! The plan of a parallel listing: which request to make next, what each answer changes,
//! and which batches can be handed out. No I/O: the driver makes the requests the plan
//! asks for and hands the answers back, so every rule is tested without a server.
//!
//! The windows are kept in listing order, newest first; the first one, the head, is the
//! one being printed. The rules, in order of priority:
//!
//! 1. The head fetches whenever its last page was handed out (one page of lookahead, as
//!    a sequential listing has): it is never held back, so the listing always advances.
//! 2. Without a lower bound, the oldest batch is searched for first ([`Discovery`]); until
//!    then only the head walks.
//! 3. Other windows fetch while fewer than [`PAGES_AHEAD_PER_REQUEST`] × N pages are held,
//!    or in flight for windows after the head, nearest to the head first, and only the N nearest
//!    windows still walking: what is printed next is fetched first, and pages far ahead
//!    do not use up the room the near ones need.
//! 4. Balance: a running window whose estimated remainder passes 2 × [`PAGES_PER_WINDOW`]
//!    pages keeps about [`PAGES_PER_WINDOW`] and hands the rest to a new window after it;
//!    a window that has not started takes about [`PAGES_PER_WINDOW`] pages off its top.
//!    Estimates come from the density of batches in time that pages have shown (the
//!    window's own, the one above it, or the whole listing's), so bursts and quiet weeks
//!    are followed as they appear.
//! 5. With a request free and nothing else to fetch, the window with the most work left
//!    is halved, so that the last windows are not walked alone.

use batches_types::{DateTime, ListBatchesParams, Utc};

use super::discovery::Discovery;
use super::key::Listed;
use super::time::{boundary, seconds};
use super::window::{Walk, Window};
use crate::error::Error;
use crate::pagination::Page;

/// The pages a window is given at a time.
const PAGES_PER_WINDOW: f64 = 6.0;
/// Pages held or in flight ahead of the head, per request allowed in flight.
pub(super) const PAGES_AHEAD_PER_REQUEST: usize = 6;

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Job {
    /// The next page of the window with this id.
    Window(u64),
    /// A probe of discovery, at this age.
    Probe(f64),
}

/// The state of a parallel listing.
pub(super) struct Plan<T> {
    /// The caller's query.
    listing: ListBatchesParams,
    /// Requests allowed in flight.
    requests: usize,
    windows: Vec<Window<T>>,
    next_id: u64,
    in_flight: usize,
    discovery: Option<Discovery>,
    /// Where the listing is thought to end: its lower bound, or what discovery found.
    /// `None` while discovery runs.
    oldest: Option<DateTime<Utc>>,
    max_items: Option<u64>,
    /// Batches handed out.
    emitted: u64,
    /// The largest page seen: the page size in effect.
    page_items: u64,
    /// Batches kept and creation seconds covered, over every window.
    kept: u64,
    covered: f64,
}

impl<T: Listed> Plan<T> {
    /// The plan of `listing` with at most `requests` in flight, at most `max_items`
    /// batches, starting at `now`.
    pub(super) fn new(
        listing: ListBatchesParams,
        requests: usize,
        max_items: Option<u64>,
        now: DateTime<Utc>,
    ) -> Plan<T> {
        let (discovery, oldest) = match listing.created_at_on_or_after {
            Some(after) => (None, Some(after)),
            None => {
                let origin = listing.created_at_on_or_before.unwrap_or(now);
                (Some(Discovery::new(origin, requests - 1)), None)
            }
        };
        Plan {
            windows: vec![Window::top(0, &listing)],
            listing,
            requests,
            next_id: 1,
            in_flight: 0,
            discovery,
            oldest,
            max_items,
            emitted: 0,
            page_items: 0,
            kept: 0,
            covered: 0.0,
        }
    }

    /// Whether every batch wanted was handed out.
    pub(super) fn finished(&self) -> bool {
        self.max_items.is_some_and(|max| self.emitted >= max)
            || self
                .windows
                .iter()
                .all(|window| window.walk == Walk::Done && window.ready.is_empty())
    }

    /// The next request to make, if one should start now.
    pub(super) fn next_request(&mut self) -> Option<(Job, ListBatchesParams)> {
        self.drop_finished_head();
        if self.finished() || self.in_flight >= self.requests {
            return None;
        }
        if let Some(request) = self.fetch_head() {
            return Some(request);
        }
        if let Some(request) = self.probe() {
            return Some(request);
        }
        self.oldest?;
        let mut walking = 0;
        let mut index = 0;
        while index < self.windows.len() {
            self.cut(index);
            let walk = &self.windows[index].walk;
            walking += usize::from(*walk != Walk::Done);
            if index > 0 {
                if walking > self.requests || !self.wanted(index) {
                    return None;
                }
                if matches!(walk, Walk::Idle { .. } | Walk::Unstarted) {
                    if !self.room_for(index) {
                        return None;
                    }
                    return Some(match self.windows[index].walk {
                        Walk::Unstarted => self.start(index),
                        _ => self.fetch(index),
                    });
                }
            }
            index += 1;
        }
        self.halve_largest()
    }

    /// Rule 5: with a request free and nothing else to fetch, the window with the most
    /// pages left gives half of them to a new window, which starts at once: the last
    /// windows of a listing are not walked alone.
    fn halve_largest(&mut self) -> Option<(Job, ListBatchesParams)> {
        if self.ahead() >= PAGES_AHEAD_PER_REQUEST * self.requests {
            return None;
        }
        let (index, pages_left) = (0..self.windows.len())
            .filter_map(|index| Some((index, self.pages_left(index)?)))
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        if pages_left < 2.0 || !self.wanted(index + 1) {
            return None;
        }
        let window = &self.windows[index];
        let cursor = window.cursor?;
        let in_flight = f64::from(u8::from(window.walk == Walk::Fetching));
        self.split(
            index,
            cursor,
            window.density(),
            in_flight + pages_left / 2.0,
        )?;
        Some(self.start(index + 1))
    }

    /// Whether window `index` may fetch a page: fewer than [`PAGES_AHEAD_PER_REQUEST`] × N
    /// pages are held or in flight ahead of the head, or the farthest window holding some
    /// lies beyond it and gives them up. Its pages are fetched again once it is near:
    /// pages held far ahead must not stall the windows printed sooner (a burst found
    /// after quiet windows further on were walked).
    fn room_for(&mut self, index: usize) -> bool {
        if self.ahead() < PAGES_AHEAD_PER_REQUEST * self.requests {
            return true;
        }
        let Some(farthest) = self
            .windows
            .iter()
            .rposition(|window| !window.ready.is_empty())
        else {
            return false;
        };
        if farthest <= index {
            return false;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.windows[farthest].restart(id);
        self.ahead() < PAGES_AHEAD_PER_REQUEST * self.requests
    }

    /// Takes in the answer to a request.
    pub(super) fn receive(&mut self, job: Job, page: Page<T>) -> Result<(), Error> {
        self.in_flight -= 1;
        match job {
            Job::Probe(age) => {
                if let Some(discovery) = &mut self.discovery {
                    discovery.probed(age, page.items.first().and_then(T::created_at));
                    if let Some(oldest) = discovery.estimate() {
                        self.oldest = Some(oldest);
                        self.discovery = None;
                    }
                }
            }
            Job::Window(id) => {
                // A window dropped since (its batches were not wanted) has no use for it.
                let Some(window) = self.windows.iter_mut().find(|window| window.id == id) else {
                    return Ok(());
                };
                self.page_items = self.page_items.max(page.items.len() as u64);
                let learnt = window.receive(page)?;
                self.kept += learnt.kept;
                self.covered += learnt.covered;
                if let (Some(discovery), Some(cursor)) = (&mut self.discovery, window.cursor) {
                    discovery.seen(cursor);
                }
            }
        }
        Ok(())
    }

    /// Whether batches are ready to be handed out.
    pub(super) fn has_chunk(&self) -> bool {
        self.ready_windows().next().is_some()
    }

    /// The next batches in listing order, as they came in one page.
    pub(super) fn take_chunk(&mut self) -> Option<Vec<T>> {
        self.drop_finished_head();
        let head = self.windows.first_mut()?;
        let chunk = head.ready.pop_front()?;
        head.ready_items -= chunk.len() as u64;
        self.emitted += chunk.len() as u64;
        Some(chunk)
    }

    /// The windows with batches to hand out before the first one still walking.
    fn ready_windows(&self) -> impl Iterator<Item = &Window<T>> {
        let mut open = true;
        self.windows
            .iter()
            .take_while(move |window| {
                let take = open;
                open = window.walk == Walk::Done && window.ready.is_empty();
                take
            })
            .filter(|window| !window.ready.is_empty())
    }

    /// Removes head windows that are walked and handed out.
    fn drop_finished_head(&mut self) {
        while self.windows.len() > 1
            && self.windows[0].walk == Walk::Done
            && self.windows[0].ready.is_empty()
        {
            self.windows.remove(0);
        }
    }

    /// Rule 1: the head's next page once its last one was handed out.
    fn fetch_head(&mut self) -> Option<(Job, ListBatchesParams)> {
        let head = self.windows.first()?;
        if !head.ready.is_empty() || !self.wanted(0) {
            return None;
        }
        match head.walk {
            Walk::Idle { .. } => Some(self.fetch(0)),
            Walk::Unstarted => Some(self.start(0)),
            Walk::Fetching | Walk::Done => None,
        }
    }

    /// Rule 2: the next probe of discovery, while the listing goes on.
    fn probe(&mut self) -> Option<(Job, ListBatchesParams)> {
        if !self.wanted(1) {
            return None;
        }
        let (age, before) = self.discovery.as_mut()?.next_probe()?;
        self.in_flight += 1;
        let params = ListBatchesParams {
            created_at_on_or_before: Some(before),
            page_size: Some(1),
            page_token: None,
            ..self.listing.clone()
        };
        Some((Job::Probe(age), params))
    }

    /// Pages held (by every window, the head's included) or in flight for windows after
    /// the head: what the room ahead is measured in. The head's own request is not
    /// counted, so the head is never held back.
    fn ahead(&self) -> usize {
        let held: usize = self.windows.iter().map(|window| window.ready.len()).sum();
        let fetching = self
            .windows
            .iter()
            .skip(1)
            .filter(|window| window.walk == Walk::Fetching)
            .count();
        held + fetching
    }

    /// Whether the batches of window `index` (its next page) can still be among those
    /// wanted: unless every window before it is walked, and the batches they and it hold
    /// already reach `max_items`.
    fn wanted(&self, index: usize) -> bool {
        let Some(max) = self.max_items else {
            return true;
        };
        let before = &self.windows[..index.min(self.windows.len())];
        let held: u64 = self
            .windows
            .iter()
            .take(index + 1)
            .map(|window| window.ready_items)
            .sum();
        before.iter().any(|window| window.walk != Walk::Done) || held < max - self.emitted
    }

    fn fetch(&mut self, index: usize) -> (Job, ListBatchesParams) {
        self.in_flight += 1;
        let window = &mut self.windows[index];
        (Job::Window(window.id), window.fetch())
    }

    /// Starts window `index` on the top of its span (rule 4) and fetches its first page.
    fn start(&mut self, index: usize) -> (Job, ListBatchesParams) {
        let window = &self.windows[index];
        if let Some(ceiling) = window.ceiling {
            let above = index.checked_sub(1).and_then(|i| self.windows[i].density());
            let pages = self
                .page_span(above)
                .map(|span| (seconds(ceiling) - self.lower(window)) / span);
            if pages.is_some_and(|pages| pages > 2.0 * PAGES_PER_WINDOW) {
                self.split(index, ceiling, above, PAGES_PER_WINDOW);
            }
        }
        self.windows[index].start(&self.listing);
        self.fetch(index)
    }

    /// Rule 4 for a running window: hands what lies beyond its next few pages to a new
    /// window after it.
    fn cut(&mut self, index: usize) {
        if self
            .pages_left(index)
            .is_some_and(|left| left > 2.0 * PAGES_PER_WINDOW)
        {
            let window = &self.windows[index];
            if let Some(cursor) = window.cursor {
                let in_flight = f64::from(u8::from(window.walk == Walk::Fetching));
                self.split(
                    index,
                    cursor,
                    window.density(),
                    in_flight + PAGES_PER_WINDOW,
                );
            }
        }
    }

    /// The pages a running window is estimated to have left beyond the one in flight.
    fn pages_left(&self, index: usize) -> Option<f64> {
        let window = &self.windows[index];
        if !matches!(window.walk, Walk::Idle { .. } | Walk::Fetching) {
            return None;
        }
        let page_span = self.page_span(window.density())?;
        let in_flight = f64::from(u8::from(window.walk == Walk::Fetching));
        Some((seconds(window.cursor?) - self.lower(window)) / page_span - in_flight)
    }

    /// Splits window `index` about `keep` pages below `top` (its ceiling or its last
    /// batch), at `density` (the best local estimate); the rest goes to a new window after
    /// it. Returns `None`, changing nothing, when no instant fits.
    fn split(
        &mut self,
        index: usize,
        top: DateTime<Utc>,
        density: Option<f64>,
        keep: f64,
    ) -> Option<()> {
        let page_span = self.page_span(density)?;
        let window = &self.windows[index];
        let target = seconds(top) - keep * page_span;
        let at = boundary(target, page_span / 2.0, window.floor, top)?;
        let floor = window.floor;
        self.windows[index].floor = Some(at);
        let id = self.next_id;
        self.next_id += 1;
        self.windows
            .insert(index + 1, Window::new(id, Some(at), floor));
        Some(())
    }

    /// Seconds of creation time one page covers at `density` (or the listing's, when the
    /// local one is unknown); `None` when nothing is known yet, or where batches were
    /// found to be absent: a quiet stretch is not cut into windows that find nothing.
    fn page_span(&self, density: Option<f64>) -> Option<f64> {
        let overall = || (self.covered > 0.0).then(|| self.kept as f64 / self.covered);
        let density = density.or_else(overall)?;
        (density > 0.0 && self.page_items > 0).then(|| self.page_items as f64 / density)
    }

    /// Where window's span is thought to end (seconds): its floor; for the bottom window
    /// the oldest batch's estimated time, or, once its walk went past that, as much again
    /// as it walked.
    fn lower(&self, window: &Window<T>) -> f64 {
        if let Some(floor) = window.floor {
            return seconds(floor);
        }
        let position = window.position().map_or(f64::MIN, seconds);
        match self.oldest.map(seconds) {
            Some(oldest) if oldest < position => oldest,
            _ => position - window.covered,
        }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;

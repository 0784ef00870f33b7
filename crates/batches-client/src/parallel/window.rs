//! One window of a parallel listing: a span of creation times walked page by page, newest
//! first, and the batches it received that are not printed yet.
//!
//! The server's bounds are inclusive, so neighbouring windows share their boundary
//! instant. A batch created exactly at a boundary belongs to the older window, whose
//! `created_at_on_or_before` is that instant: the newer window drops it, and every batch
//! after it, since they all belong to older windows. Batches created at the same instant
//! therefore always land in one window, in the order the server lists them.

use std::collections::{HashSet, VecDeque};

use batches_types::{DateTime, ListBatchesParams, Utc};

use super::key::Listed;
use super::time::seconds;
use crate::error::Error;
use crate::operation::LIST_BATCHES;
use crate::pagination::Page;

/// Where a window's walk is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Walk {
    /// No request made yet: its span can still be changed.
    Unstarted,
    /// Waiting for its next request, which asks for the page `token` names.
    Idle { token: Option<String> },
    /// A request is in flight.
    Fetching,
    /// Every page received.
    Done,
}

/// What a page taught about the time axis, for the listing's estimates.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Learnt {
    /// Batches kept.
    pub(super) kept: u64,
    /// Seconds of creation time newly covered.
    pub(super) covered: f64,
}

/// A span of creation times `(floor, ceiling]` and its walk.
pub(super) struct Window<T> {
    /// Names the window in the requests made for it.
    pub(super) id: u64,
    /// The newest creation time it holds; `None` for the top window, which is the
    /// listing's own walk and holds everything newer than its floor.
    pub(super) ceiling: Option<DateTime<Utc>>,
    /// Batches created at or before this belong to older windows; `None` for the bottom
    /// window, bounded only by the listing's own filters.
    pub(super) floor: Option<DateTime<Utc>>,
    pub(super) walk: Walk,
    /// The query of every request, fixed by the first (a page token is bound to it).
    params: Option<ListBatchesParams>,
    /// Tokens received, to refuse a repeated one.
    seen: HashSet<String>,
    /// The creation time of the last batch received.
    pub(super) cursor: Option<DateTime<Utc>>,
    /// Creation seconds covered so far.
    pub(super) covered: f64,
    /// Batches per second of creation time in its latest page that showed any: where the
    /// walk is now, which may differ from where it started (a burst).
    recent: Option<f64>,
    /// Batches received and not printed yet, page by page, in order.
    pub(super) ready: VecDeque<Vec<T>>,
    pub(super) ready_items: u64,
}

impl<T: Listed> Window<T> {
    /// The top window: the listing's own walk, from the page its `page_token` names.
    pub(super) fn top(id: u64, params: &ListBatchesParams) -> Window<T> {
        let mut window = Window::new(id, None, None);
        window.seen.extend(params.page_token.clone());
        window.walk = Walk::Idle {
            token: params.page_token.clone(),
        };
        // The page token of every request is the walk's (see `fetch`).
        window.params = Some(params.clone());
        window
    }

    /// A window over `(floor, ceiling]` that has not started.
    pub(super) fn new(
        id: u64,
        ceiling: Option<DateTime<Utc>>,
        floor: Option<DateTime<Utc>>,
    ) -> Window<T> {
        Window {
            id,
            ceiling,
            floor,
            walk: Walk::Unstarted,
            params: None,
            seen: HashSet::new(),
            cursor: None,
            covered: 0.0,
            recent: None,
            ready: VecDeque::new(),
            ready_items: 0,
        }
    }

    /// Forgets everything it fetched, to walk its span again later under the new `id`
    /// (an answer to a request made under the old one is then not taken in).
    pub(super) fn restart(&mut self, id: u64) {
        *self = Window::new(id, self.ceiling, self.floor);
    }

    /// Fixes its query: the listing's filters, narrowed to its span. Its floor is sent
    /// as `created_at_on_or_after` (inclusive, so batches on the floor come back and are
    /// dropped); the bottom window keeps the listing's own lower bound.
    pub(super) fn start(&mut self, listing: &ListBatchesParams) {
        self.params = Some(ListBatchesParams {
            created_at_on_or_after: self.floor.or(listing.created_at_on_or_after),
            created_at_on_or_before: self.ceiling.or(listing.created_at_on_or_before),
            ..listing.clone()
        });
        self.walk = Walk::Idle { token: None };
    }

    /// The query of its next request; the window is then fetching.
    pub(super) fn fetch(&mut self) -> ListBatchesParams {
        let Walk::Idle { token } = std::mem::replace(&mut self.walk, Walk::Fetching) else {
            unreachable!("only a window waiting for its next page is fetched");
        };
        ListBatchesParams {
            page_token: token,
            ..self.params.clone().expect("a started window has its query")
        }
    }

    /// The newest creation time of what is left to walk: the last batch received, or the
    /// ceiling before any.
    pub(super) fn position(&self) -> Option<DateTime<Utc>> {
        self.cursor.or(self.ceiling)
    }

    /// Batches per second of creation time where its walk is, once a page showed it.
    pub(super) fn density(&self) -> Option<f64> {
        self.recent
    }

    /// Takes in the page answering its request: keeps the batches inside its span, checks
    /// they come newest first, and moves on to the next page or ends.
    pub(super) fn receive(&mut self, page: Page<T>) -> Result<Learnt, Error> {
        let before = self
            .position()
            .or(page.items.first().and_then(T::created_at));
        let mut items = page.items;
        let mut ended = false;
        for (index, item) in items.iter().enumerate() {
            let Some(at) = item.created_at() else {
                return Err(Error::Partition {
                    reason: format!("batch {} has no created_at", item.id()),
                });
            };
            if let Some(limit) = self.cursor.or(self.ceiling)
                && at > limit
            {
                return Err(Error::Partition {
                    reason: format!(
                        "batch {} (created {}) came after one created {limit}: the server \
                         does not list newest first, or ignored created_at_on_or_before",
                        item.id(),
                        at.to_rfc3339()
                    ),
                });
            }
            if self.floor.is_some_and(|floor| at <= floor) {
                items.truncate(index);
                ended = true;
                break;
            }
            self.cursor = Some(at);
        }
        if !ended {
            match page.next_page_token.filter(|token| !token.is_empty()) {
                None => ended = true,
                Some(token) if !self.seen.insert(token.clone()) => {
                    return Err(Error::PaginationLoop {
                        operation: LIST_BATCHES,
                        token,
                    });
                }
                Some(token) => self.walk = Walk::Idle { token: Some(token) },
            }
        }
        let mut learnt = Learnt {
            kept: items.len() as u64,
            covered: 0.0,
        };
        // Walked to its end: the whole span down to the floor is known.
        let reached = if ended {
            self.walk = Walk::Done;
            self.floor.or(self.cursor)
        } else {
            self.cursor
        };
        if let (Some(from), Some(to)) = (before, reached) {
            learnt.covered = (seconds(from) - seconds(to)).max(0.0);
        }
        self.covered += learnt.covered;
        if learnt.covered > 0.0 {
            self.recent = Some(learnt.kept as f64 / learnt.covered);
        }
        if !items.is_empty() {
            self.ready_items += items.len() as u64;
            self.ready.push_back(items);
        }
        Ok(learnt)
    }
}

//! What the emulator has served, counted for tests that must prove what a client sent
//! (how many uploads a resumed run made, that a dry run sent nothing).

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by the connection loop and the handlers.
#[derive(Debug, Default)]
pub struct Counts {
    /// Every request, in arrival order (its number picks its fault).
    pub requests: AtomicU64,
    /// Requests to the upload endpoint that passed authentication, refused ones included.
    pub uploads: AtomicU64,
    /// Uploads refused by the rate limit.
    pub rate_limited: AtomicU64,
}

impl Counts {
    /// The counts now.
    pub fn snapshot(&self) -> RequestCounts {
        RequestCounts {
            requests: self.requests.load(Ordering::SeqCst),
            uploads: self.uploads.load(Ordering::SeqCst),
            rate_limited: self.rate_limited.load(Ordering::SeqCst),
        }
    }
}

/// How many requests an emulator has served since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestCounts {
    /// Every request, to any path, with any outcome.
    pub requests: u64,
    /// Requests to `POST /api/v1/beta/directories/{id}/files/upload` that passed
    /// authentication (whatever their answer, the rate limit's 429 included).
    pub uploads: u64,
    /// Uploads answered 429 by the rate limit.
    pub rate_limited: u64,
}

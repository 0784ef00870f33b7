//! The emulator's memory of its latest requests, for the console's "recent requests" view
//! (`GET /emulator/requests`): method, path, status, time and the fault injected, nothing
//! else. Never a query string (a presigned URL's signature, a key someone put there) and
//! never a header: what is not kept cannot be shown.

use std::{collections::VecDeque, sync::Mutex};

use batches_types::{DateTime, Utc};
use serde::Serialize;

/// How many requests are kept; older ones are forgotten.
pub const KEPT: usize = 200;

/// The request header the console sets on its own calls, so that the view can leave out
/// the console's polling. Not a secret: it only labels the request.
pub const CONSOLE_HEADER: &str = "x-emulator-console";

/// The project a request was authenticated for, which the key check puts on the response
/// so that the view shows each project only its own requests.
#[derive(Debug, Clone)]
pub struct Caller(pub String);

/// One request, as the view shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecentRequest {
    /// Its number in arrival order (the one that picks its fault).
    pub number: u64,
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query string.
    pub path: String,
    /// The status answered; `None` when the connection was reset instead.
    pub status: Option<u16>,
    /// The fault injected into it (`500`, `reset`, …), if any.
    pub fault: Option<&'static str>,
    /// How long it took, in milliseconds, added latency included.
    pub duration_ms: u64,
    /// Whether the console made it.
    pub console: bool,
    /// The project its key belongs to; `None` when it had no valid key (or needed none).
    #[serde(skip)]
    pub project: Option<String>,
}

/// The latest [`KEPT`] requests, newest last.
#[derive(Debug, Default)]
pub struct RecentRequests {
    requests: Mutex<VecDeque<RecentRequest>>,
}

impl RecentRequests {
    /// Remembers `request`, forgetting the oldest when full.
    pub fn record(&self, request: RecentRequest) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        if requests.len() == KEPT {
            requests.pop_front();
        }
        requests.push_back(request);
    }

    /// What `project` may see, newest first: its own requests and those that carried no
    /// valid key (a 401 is what someone debugging a client needs to see).
    pub fn visible_to(&self, project: &str) -> Vec<RecentRequest> {
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        requests
            .iter()
            .rev()
            .filter(|request| request.project.as_deref().is_none_or(|own| own == project))
            .cloned()
            .collect()
    }
}

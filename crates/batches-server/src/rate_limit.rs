//! The per-project rate limit of uploads: a sliding window of the requests admitted.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::config::RateLimit;

/// Admits at most `limit.requests` requests per project in any `limit.window`.
#[derive(Debug)]
pub struct RateLimiter {
    limit: Option<RateLimit>,
    /// When each project's requests in the current window were admitted, oldest first.
    admitted: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter with this limit; `None` admits everything.
    pub fn new(limit: Option<RateLimit>) -> Self {
        RateLimiter {
            limit,
            admitted: Mutex::new(HashMap::new()),
        }
    }

    /// Admits a request of `project` at `now`, or says how long until one would be.
    pub fn admit(&self, project: &str, now: Instant) -> Result<(), Duration> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let mut admitted = self
            .admitted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let window = admitted.entry(project.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= limit.window)
        {
            window.pop_front();
        }
        match window.front() {
            Some(oldest) if window.len() >= limit.requests as usize => {
                Err(limit.window - now.saturating_duration_since(*oldest))
            }
            _ => {
                window.push_back(now);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: RateLimit = RateLimit {
        requests: 3,
        window: Duration::from_secs(5),
    };

    #[test]
    fn admits_the_limit_per_window_and_says_how_long_to_wait() {
        let limiter = RateLimiter::new(Some(LIMIT));
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        for ms in [0, 1000, 2000] {
            assert_eq!(limiter.admit("prj-1", at(ms)), Ok(()), "{ms}");
        }
        assert_eq!(
            limiter.admit("prj-1", at(3000)),
            Err(Duration::from_millis(2000))
        );
        // A refused request takes no place in the window.
        assert_eq!(
            limiter.admit("prj-1", at(4999)),
            Err(Duration::from_millis(1))
        );
        assert_eq!(limiter.admit("prj-1", at(5000)), Ok(()), "the first left");
        assert_eq!(
            limiter.admit("prj-1", at(5000)),
            Err(Duration::from_millis(1000))
        );
        // Every project has its own window.
        assert_eq!(limiter.admit("prj-2", at(5000)), Ok(()));
    }

    #[test]
    fn no_limit_admits_everything() {
        let limiter = RateLimiter::new(None);
        let now = Instant::now();
        for _ in 0..1000 {
            assert_eq!(limiter.admit("prj-1", now), Ok(()));
        }
    }
}

//! The client-side limit on how fast uploads start: evenly spaced starts, and a pause for
//! everyone when the server says it is rate limiting.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Hands out start times at most one per interval.
#[derive(Debug)]
pub struct Throttle {
    interval: Duration,
    /// The earliest time the next start may have.
    next: Mutex<Instant>,
}

impl Throttle {
    /// Starts at most once per `interval`.
    pub fn new(interval: Duration) -> Throttle {
        Throttle {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for the next start.
    pub async fn wait(&self) {
        let at = self.slot(Instant::now());
        tokio::time::sleep_until(at).await;
    }

    /// Takes the next start at or after `now`.
    fn slot(&self, now: Instant) -> Instant {
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let at = (*next).max(now);
        *next = at + self.interval;
        at
    }

    /// Holds every start until `delay` from now (a 429 tells how long).
    pub fn pause(&self, delay: Duration) {
        let until = Instant::now() + delay;
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *next = (*next).max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_spaced_by_the_interval_and_a_pause_holds_them() {
        let throttle = Throttle::new(Duration::from_millis(125));
        let now = Instant::now();
        let starts: Vec<Duration> = (0..4)
            .map(|_| throttle.slot(now).saturating_duration_since(now))
            .collect();
        assert_eq!(starts[0], Duration::ZERO);
        assert_eq!(starts[3] - starts[0], Duration::from_millis(375));
        // A late caller starts at once, not in a burst to catch up.
        let later = now + Duration::from_secs(10);
        assert_eq!(throttle.slot(later), later);
        assert_eq!(throttle.slot(later), later + Duration::from_millis(125));
        throttle.pause(Duration::from_secs(60));
        assert!(throttle.slot(later) >= now + Duration::from_secs(60));
    }
}

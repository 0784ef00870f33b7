//! How fast uploads start: a sliding window of starts that never holds more than the
//! [`UploadRate`] allows, paused for everyone when the server says it is rate limiting,
//! narrowed after such an answer and widened again while none comes.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::options::UploadRate;

/// The window is kept this much longer than the one asked for (in 1/1000ths): the server
/// counts an upload when it arrives, and the network delays some starts more than others.
const MARGIN_PER_MILLE: u32 = 50;

/// The wait after a 429 that did not say how long.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

/// Hands out upload starts.
#[derive(Debug)]
pub struct Pacer {
    window: Duration,
    uploads: u32,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The starts within the last window, oldest first.
    starts: VecDeque<Instant>,
    /// Starts allowed per window now: `uploads`, less after a 429.
    allowed: u32,
    /// No start before this (a 429 said how long to wait).
    paused_until: Instant,
    /// When `allowed` last changed, to widen it once per quiet window.
    changed_at: Instant,
    /// 429s met.
    rate_limited: u64,
}

impl Pacer {
    /// Starts at most `rate.uploads` in any window of `rate.per` (plus the margin).
    pub fn new(rate: UploadRate) -> Pacer {
        let now = Instant::now();
        Pacer {
            window: rate.per + rate.per * MARGIN_PER_MILLE / 1000,
            uploads: rate.uploads.max(1),
            state: Mutex::new(State {
                starts: VecDeque::new(),
                allowed: rate.uploads.max(1),
                paused_until: now,
                changed_at: now,
                rate_limited: 0,
            }),
        }
    }

    /// Waits until an upload may start, and counts it as started.
    pub async fn start(&self) {
        loop {
            match self.try_start(Instant::now()) {
                Ok(()) => return,
                Err(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// Counts a start at `now` if one is allowed, else says when to ask again.
    fn try_start(&self, now: Instant) -> Result<(), Instant> {
        let mut state = self.lock();
        if now < state.paused_until {
            return Err(state.paused_until);
        }
        while state
            .starts
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= self.window)
        {
            state.starts.pop_front();
        }
        if state.allowed < self.uploads
            && now.saturating_duration_since(state.changed_at) >= self.window
        {
            state.allowed += 1;
            state.changed_at = now;
        }
        let allowed = state.allowed as usize;
        if state.starts.len() < allowed {
            state.starts.push_back(now);
            return Ok(());
        }
        // Enough of the oldest starts must leave the window for one more to fit.
        Err(state.starts[state.starts.len() - allowed] + self.window)
    }

    /// The server answered 429: no upload starts for `retry_after` (or a second), and a
    /// quarter fewer start per window until a window passes without another.
    pub fn rate_limited(&self, retry_after: Option<Duration>) {
        let now = Instant::now();
        let mut state = self.lock();
        state.rate_limited += 1;
        let until = now + retry_after.unwrap_or(DEFAULT_PAUSE);
        state.paused_until = state.paused_until.max(until);
        state.allowed = (state.allowed * 3 / 4).max(1);
        // The quiet window that widens it again starts when the pause ends.
        state.changed_at = state.paused_until;
    }

    /// The 429s met so far.
    pub fn rate_limited_count(&self) -> u64 {
        self.lock().rate_limited
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pacer(uploads: u32, per_ms: u64) -> Pacer {
        Pacer::new(UploadRate {
            uploads,
            per: Duration::from_millis(per_ms),
        })
    }

    /// The starts `pacer` allows at `at` (ms from `zero`) until one is refused (counted up
    /// to 1,000, so that a pacer refusing none fails rather than hangs).
    fn burst(pacer: &Pacer, zero: Instant, at: u64) -> usize {
        let now = zero + Duration::from_millis(at);
        std::iter::from_fn(|| pacer.try_start(now).ok())
            .take(1000)
            .count()
    }

    #[test]
    fn no_window_ever_holds_more_starts_than_the_rate() {
        let pacer = pacer(50, 5000);
        let zero = Instant::now();
        assert_eq!(burst(&pacer, zero, 0), 50);
        // The window is 5 % longer than asked: 5,250 ms.
        let again = pacer
            .try_start(zero + Duration::from_millis(10))
            .unwrap_err();
        assert_eq!(again, zero + Duration::from_millis(5250));
        assert_eq!(burst(&pacer, zero, 5249), 0);
        assert_eq!(burst(&pacer, zero, 5250), 50);
    }

    #[test]
    fn spread_starts_leave_the_window_one_by_one() {
        let pacer = pacer(2, 1000);
        let zero = Instant::now();
        let at = |ms| zero + Duration::from_millis(ms);
        assert_eq!(pacer.try_start(at(0)), Ok(()));
        assert_eq!(pacer.try_start(at(500)), Ok(()));
        assert_eq!(pacer.try_start(at(600)), Err(at(1050)));
        assert_eq!(pacer.try_start(at(1050)), Ok(()));
        assert_eq!(pacer.try_start(at(1100)), Err(at(1550)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_everyone_narrows_the_window_and_a_quiet_window_widens_it() {
        let pacer = pacer(8, 1000);
        let zero = Instant::now();
        pacer.rate_limited(Some(Duration::from_secs(3)));
        assert_eq!(pacer.rate_limited_count(), 1);
        assert_eq!(
            pacer.try_start(zero + Duration::from_secs(1)),
            Err(zero + Duration::from_secs(3))
        );
        // 8 less a quarter: 6 per window, then one more per quiet window of 1,050 ms.
        assert_eq!(burst(&pacer, zero, 3000), 6);
        assert_eq!(burst(&pacer, zero, 4050), 7);
        assert_eq!(burst(&pacer, zero, 5100), 8);
        assert_eq!(burst(&pacer, zero, 6150), 8, "back to the rate, not above");
        // Each 429 narrows it again, never below one; without a delay asked, 1 s.
        let pacer = super::tests::pacer(8, 1000);
        for _ in 0..20 {
            pacer.rate_limited(None);
        }
        assert_eq!(burst(&pacer, zero, 999), 0);
        assert_eq!(burst(&pacer, zero, 1000), 1);
    }
}

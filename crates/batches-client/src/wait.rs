//! Polling a batch until it finishes: [`WaitOptions`] and the polling loop, which is
//! given the function that fetches the batch.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use batches_types::{Batch, BatchStatus, GetBatchParams};
use tokio::time::Instant;

use crate::error::Error;
use crate::transport::Response;

/// How [`Batches::wait`](crate::Batches::wait) polls.
///
/// The first poll is immediate; the pause between polls starts at
/// [`interval`](Self::interval) (default 1 s) and doubles up to
/// [`max_interval`](Self::max_interval) (default 10 s, the pace the API docs use). Each
/// poll is a [`Batches::get`](crate::Batches::get) with its own retries.
///
/// ```
/// use std::time::Duration;
/// use batches_client::{GetBatchParams, WaitOptions};
///
/// let options = WaitOptions::new()
///     .interval(Duration::from_secs(2))
///     .max_interval(Duration::from_secs(30))
///     .timeout(Duration::from_secs(3600))
///     .params(GetBatchParams { expand: Some(vec!["results".into()]), ..Default::default() })
///     .on_change(|batch| println!("{}: {}", batch.id, batch.status));
/// # drop(options);
/// ```
pub struct WaitOptions {
    interval: Duration,
    max_interval: Duration,
    timeout: Option<Duration>,
    params: GetBatchParams,
    on_change: Option<Callback>,
    on_poll: Option<Callback>,
}

/// A callback given the batch as polled.
type Callback = Box<dyn FnMut(&Batch) + Send>;

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            timeout: None,
            params: GetBatchParams::default(),
            on_change: None,
            on_poll: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("interval", &self.interval)
            .field("max_interval", &self.max_interval)
            .field("timeout", &self.timeout)
            .field("params", &self.params)
            .field("on_change", &self.on_change.is_some())
            .field("on_poll", &self.on_poll.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// The defaults: 1 s first pause, 10 s longest pause, no timeout, no callbacks.
    pub fn new() -> Self {
        WaitOptions::default()
    }

    /// The first pause between polls (must be more than zero).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest pause between polls (at least [`interval`](Self::interval)).
    pub fn max_interval(mut self, max_interval: Duration) -> Self {
        self.max_interval = max_interval;
        self
    }

    /// Gives up with [`Error::WaitTimeout`] when the batch is not terminal this long after
    /// the wait started (default: wait as long as it takes).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The parameters of every poll: `organization_id`, `project_id`, and `expand` (whose
    /// effect shows in the returned batch).
    pub fn params(mut self, params: GetBatchParams) -> Self {
        self.params = params;
        self
    }

    /// Called with the batch at the first poll and whenever its status differs from the
    /// previous poll's, e.g. to show progress.
    pub fn on_change(mut self, on_change: impl FnMut(&Batch) + Send + 'static) -> Self {
        self.on_change = Some(Box::new(on_change));
        self
    }

    /// Called with the batch after every poll (after [`on_change`](Self::on_change) when
    /// both apply), e.g. to refresh counts that change while the status does not.
    pub fn on_poll(mut self, on_poll: impl FnMut(&Batch) + Send + 'static) -> Self {
        self.on_poll = Some(Box::new(on_poll));
        self
    }

    /// The parameters every poll is sent with.
    pub(crate) fn poll_params(&self) -> &GetBatchParams {
        &self.params
    }

    /// Polls batch `batch_id` with `poll` until it is terminal, pausing and calling back as
    /// configured.
    pub(crate) async fn run<Poll, Polled>(
        mut self,
        batch_id: &str,
        mut poll: Poll,
    ) -> Result<Response<Batch>, Error>
    where
        Poll: FnMut() -> Polled,
        Polled: Future<Output = Result<Response<Batch>, Error>>,
    {
        if self.interval.is_zero() || self.max_interval < self.interval {
            return Err(Error::InvalidRequest(format!(
                "wait interval must be more than zero and at most the maximum interval \
                 (got {:?} and {:?})",
                self.interval, self.max_interval
            )));
        }
        let started = Instant::now();
        let mut pause = self.interval;
        let mut last_status: Option<BatchStatus> = None;
        loop {
            let response = poll().await?;
            let batch = &response.value;
            if last_status.as_ref() != Some(&batch.status) {
                tracing::debug!(batch_id, status = %batch.status, "batch status changed");
                if let Some(on_change) = &mut self.on_change {
                    on_change(batch);
                }
                last_status = Some(batch.status.clone());
            }
            if let Some(on_poll) = &mut self.on_poll {
                on_poll(batch);
            }
            if batch.status.is_terminal() {
                return Ok(response);
            }
            let waited = started.elapsed();
            let sleep = match self.timeout {
                Some(timeout) if waited >= timeout => {
                    return Err(Error::WaitTimeout {
                        batch_id: batch_id.to_owned(),
                        last_status: batch.status.clone(),
                        waited,
                    });
                }
                // The last poll happens right at the timeout rather than a pause later.
                Some(timeout) => pause.min(timeout - waited),
                None => pause,
            };
            tokio::time::sleep(sleep).await;
            pause = (pause * 2).min(self.max_interval);
        }
    }
}

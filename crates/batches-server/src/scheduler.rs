//! The background task that moves batches, and the jobs they make, through their lifecycle.
//!
//! Every live batch has a `next_step_at` in the database; the task sleeps until the earliest
//! one (or until a new batch is created), takes every step that is due, and repeats. Because
//! the schedule lives in the database, batches left running by a stopped server go on when
//! it is started again on the same file.

use std::{sync::Arc, time::Duration};

use tokio::sync::{Notify, watch};

use crate::{
    config::ServerConfig,
    processing,
    store::{Store, now_micros},
};

/// Longest sleep between two looks at the schedule, as a guard against a missed wake-up.
const MAX_IDLE: Duration = Duration::from_secs(1);

/// Handle on the lifecycle task.
#[derive(Clone)]
pub struct Scheduler {
    store: Arc<Store>,
    config: Arc<ServerConfig>,
    wake: Arc<Notify>,
}

impl Scheduler {
    /// A scheduler over this store.
    pub fn new(store: Arc<Store>, config: Arc<ServerConfig>) -> Self {
        Scheduler {
            store,
            config,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Tells the task that a batch was created, so it looks at the schedule now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        // Batches left live by an earlier run go on at this run's pace.
        if let Err(error) = self
            .store
            .reschedule_within(now_micros() + self.config.step_micros())
        {
            tracing::error!(%error, "cannot resume the batches of an earlier run");
        }
        loop {
            if let Err(error) = self
                .store
                .advance(self.config.step_micros(), self.config.concurrency_limit)
            {
                tracing::error!(%error, "lifecycle step failed");
            }
            if let Err(error) = processing::run_due(&self.store, self.config.step_micros()).await {
                tracing::error!(%error, "job step failed");
            }
            let idle = match self.store.next_step_at() {
                Ok(Some(at)) => {
                    Duration::from_micros(u64::try_from(at - now_micros()).unwrap_or(0))
                        .min(MAX_IDLE)
                }
                Ok(None) => MAX_IDLE,
                Err(error) => {
                    tracing::error!(%error, "cannot read the schedule");
                    MAX_IDLE
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = self.wake.notified() => {}
                _ = stop.changed() => return,
            }
        }
    }
}

//! Where the lifecycle would have brought a batch created in the past: seeded history is
//! replayed through [`step`](super::step), at the lifecycle's pace, so an old batch has
//! ended as a batch run by the emulator ends (COMPLETED, FAILED, or CANCELLED when a user
//! stopped it), and a recent one is exactly where it would be now, with its next step due,
//! for the lifecycle to carry on.
//!
//! The project's room to run is a queue: batches take the first of `concurrency_limit`
//! slots to come free, in creation order, and wait THROTTLED until then, as the
//! lifecycle's oldest-first steps make them.

use std::{cmp::Reverse, collections::BinaryHeap, convert::Infallible};

use batches_types::BatchStatus;

use super::lifecycle::{DueBatch, step};

/// One batch of the past, before its replay.
#[derive(Debug, Clone, PartialEq)]
pub struct PastBatch {
    /// Creation time (microseconds).
    pub created_at: i64,
    /// Files the batch covers.
    pub file_count: i64,
    /// Whether it cannot run (see [`preset_mismatch`](super::preset_mismatch)).
    pub fails: bool,
    /// When its user cancels it, as a share (0 to 1) of the time from its creation to the
    /// end it would otherwise reach; `None` for a batch nobody cancels.
    pub cancelled_at_share: Option<f64>,
}

/// Where the replay leaves a batch at the present.
#[derive(Debug, Clone, PartialEq)]
pub struct Present {
    /// Its status now.
    pub status: BatchStatus,
    /// Files mapped so far.
    pub files_done: i64,
    /// Time of its last change (microseconds).
    pub updated_at: i64,
    /// When its next lifecycle step is due; `None` once it has ended.
    pub next_step_at: Option<i64>,
}

/// The replay of one project's batches, given in creation order.
pub struct History {
    step_micros: i64,
    concurrency_limit: u32,
    now: i64,
    /// When each of the project's running slots comes free.
    slots: BinaryHeap<Reverse<i64>>,
}

impl History {
    /// A project whose batches step every `step_micros`, `concurrency_limit` at a time,
    /// replayed up to `now`.
    pub fn new(step_micros: i64, concurrency_limit: u32, now: i64) -> History {
        History {
            step_micros: step_micros.max(1),
            concurrency_limit,
            now,
            slots: (0..concurrency_limit.max(1))
                .map(|_| Reverse(i64::MIN))
                .collect(),
        }
    }

    /// Replays `batch`, created no earlier than the batches replayed before it.
    pub fn replay(&mut self, batch: &PastBatch) -> Present {
        let step_micros = self.step_micros;
        let first_step = batch.created_at.saturating_add(step_micros);
        let Reverse(free_at) = self.slots.pop().expect("at least one slot");
        // It starts at the first of its steps that finds a slot free.
        let start = if free_at <= first_step {
            first_step
        } else {
            // Both positive here, so this is the ceiling of the quotient.
            let waited = (free_at - first_step + step_micros - 1) / step_micros;
            first_step.saturating_add(waited.saturating_mul(step_micros))
        };
        let running_steps = if batch.fails {
            1
        } else {
            batch.file_count.max(1)
        };
        let natural_end = start.saturating_add(running_steps.saturating_mul(step_micros));
        let cancelled_at = batch.cancelled_at_share.map(|share| {
            let life = natural_end.saturating_sub(batch.created_at) as f64;
            batch.created_at + (share.clamp(0.0, 1.0) * life) as i64
        });
        let (present, slot_free_at) = self.walk(batch, start, natural_end, cancelled_at);
        self.slots.push(Reverse(slot_free_at.unwrap_or(free_at)));
        present
    }

    /// The batch's steps from its creation to the present: waiting until `start`, then
    /// running until `natural_end` unless cancelled first. Also returns when its slot comes
    /// free (`None`: it never takes one); a batch still live keeps its slot until its
    /// natural end, as far as the batches replayed after it can tell.
    fn walk(
        &self,
        batch: &PastBatch,
        start: i64,
        natural_end: i64,
        cancelled_at: Option<i64>,
    ) -> (Present, Option<i64>) {
        let (now, step_micros) = (self.now, self.step_micros);
        // A cancel counts once it has happened, before the step at `at`; one still to come
        // is not history.
        let cancelled_before =
            |at: i64| cancelled_at.filter(|cancel| *cancel < at && *cancel <= now);
        let first_step = batch.created_at.saturating_add(step_micros);
        let mut due = DueBatch {
            status: BatchStatus::Pending,
            files_done: 0,
            file_count: batch.file_count,
            fails: batch.fails,
        };
        if let Some(cancel) = cancelled_before(start) {
            return (ended(&due, BatchStatus::Cancelled, cancel), None);
        }
        if now < first_step {
            return (live(&due, batch.created_at, first_step), Some(natural_end));
        }
        let mut updated_at = batch.created_at;
        if first_step < start {
            // Every step before `start` finds the project full.
            let full = i64::from(self.concurrency_limit);
            due.status = step(due.clone(), self.concurrency_limit, || {
                Ok::<_, Infallible>(full)
            })
            .unwrap_or_else(|never| match never {})
            .status;
            updated_at = first_step;
            if now < start {
                let next = first_step + ((now - first_step) / step_micros + 1) * step_micros;
                return (live(&due, updated_at, next), Some(natural_end));
            }
        }
        let mut at = start;
        loop {
            if at > now {
                return (live(&due, updated_at, at), Some(natural_end));
            }
            // The queue gave it a free slot at `start`.
            let next = step(due.clone(), self.concurrency_limit, || {
                Ok::<_, Infallible>(0)
            })
            .unwrap_or_else(|never| match never {});
            if (&next.status, next.files_done) != (&due.status, due.files_done) {
                updated_at = at;
            }
            due.status = next.status;
            due.files_done = next.files_done;
            if !next.continues {
                return (ended(&due, due.status.clone(), at), Some(at));
            }
            at = at.saturating_add(step_micros);
            if let Some(cancel) = cancelled_before(at) {
                return (ended(&due, BatchStatus::Cancelled, cancel), Some(cancel));
            }
        }
    }
}

/// A batch that has ended at `at`, in `status`, with the files `due` had mapped.
fn ended(due: &DueBatch, status: BatchStatus, at: i64) -> Present {
    Present {
        status,
        files_done: due.files_done,
        updated_at: at,
        next_step_at: None,
    }
}

/// A batch still live, last changed at `updated_at`, next stepped at `next_step_at`.
fn live(due: &DueBatch, updated_at: i64, next_step_at: i64) -> Present {
    Present {
        status: due.status.clone(),
        files_done: due.files_done,
        updated_at,
        next_step_at: Some(next_step_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BatchStatus::*;

    const STEP: i64 = 10;

    fn past(created_at: i64, file_count: i64) -> PastBatch {
        PastBatch {
            created_at,
            file_count,
            fails: false,
            cancelled_at_share: None,
        }
    }

    fn present(
        status: BatchStatus,
        files_done: i64,
        updated_at: i64,
        next: Option<i64>,
    ) -> Present {
        Present {
            status,
            files_done,
            updated_at,
            next_step_at: next,
        }
    }

    /// One batch replayed alone in a project with room for four, up to `now`.
    fn alone(batch: &PastBatch, now: i64) -> Present {
        History::new(STEP, 4, now).replay(batch)
    }

    #[test]
    fn an_old_batch_has_ended_as_the_lifecycle_ends_it() {
        // PENDING at 0, RUNNING at 10, one file mapped per step, COMPLETED at 40.
        assert_eq!(alone(&past(0, 3), 1_000), present(Completed, 3, 40, None));
        let failing = PastBatch {
            fails: true,
            ..past(0, 3)
        };
        assert_eq!(alone(&failing, 1_000), present(Failed, 0, 20, None));
    }

    #[test]
    fn a_recent_batch_is_where_the_lifecycle_would_be_with_its_next_step_due() {
        assert_eq!(alone(&past(0, 3), 5), present(Pending, 0, 0, Some(10)));
        assert_eq!(alone(&past(0, 3), 10), present(Running, 0, 10, Some(20)));
        assert_eq!(alone(&past(0, 3), 25), present(Running, 1, 20, Some(30)));
        assert_eq!(alone(&past(0, 3), 39), present(Running, 2, 30, Some(40)));
        assert_eq!(alone(&past(0, 3), 40), present(Completed, 3, 40, None));
    }

    #[test]
    fn a_cancel_that_happened_ends_the_batch_with_the_files_mapped_by_then() {
        // Its natural life is 0 to 40: a cancel at 25 keeps one file, at 5 none.
        let at = |share| PastBatch {
            cancelled_at_share: Some(share),
            ..past(0, 3)
        };
        assert_eq!(
            alone(&at(25.0 / 40.0), 1_000),
            present(Cancelled, 1, 25, None)
        );
        assert_eq!(
            alone(&at(5.0 / 40.0), 1_000),
            present(Cancelled, 0, 5, None)
        );
        // One still to come is not history: the batch goes on.
        assert_eq!(
            alone(&at(25.0 / 40.0), 15),
            present(Running, 0, 10, Some(20))
        );
    }

    #[test]
    fn batches_wait_throttled_for_a_free_slot_in_creation_order() {
        let replay = |now| {
            let mut history = History::new(STEP, 1, now);
            [past(0, 2), past(1, 1), past(2, 1)]
                .iter()
                .map(|batch| history.replay(batch))
                .collect::<Vec<_>>()
        };
        // The first runs 10 to 30; the second waits from 11 and runs 31 to 41; the third
        // waits from 12 and runs 42 to 52.
        assert_eq!(
            replay(35),
            [
                present(Completed, 2, 30, None),
                present(Running, 0, 31, Some(41)),
                present(Throttled, 0, 12, Some(42)),
            ]
        );
        assert_eq!(
            replay(1_000),
            [
                present(Completed, 2, 30, None),
                present(Completed, 1, 41, None),
                present(Completed, 1, 52, None),
            ]
        );
        // A batch cancelled while it waits never takes the slot.
        let mut history = History::new(STEP, 1, 1_000);
        history.replay(&past(0, 2));
        let cancelled = history.replay(&PastBatch {
            cancelled_at_share: Some(0.1),
            ..past(1, 1)
        });
        assert_eq!(cancelled.status, Cancelled);
        assert_eq!(history.replay(&past(2, 1)), present(Completed, 1, 42, None));
    }
}

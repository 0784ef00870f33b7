//! How a batch moves through its lifecycle: PENDING, then RUNNING (or THROTTLED while its
//! project runs as many batches as it may), one file mapped per step, then COMPLETED, or
//! FAILED for a batch that cannot run; CANCELLED on request while it has not finished.

use batches_types::BatchStatus;

use super::refusal::Refusal;

/// A batch whose next lifecycle step is due, as the step sees it.
#[derive(Debug, Clone)]
pub struct DueBatch {
    /// Its status now.
    pub status: BatchStatus,
    /// Files mapped so far.
    pub files_done: i64,
    /// Files the batch covers.
    pub file_count: i64,
    /// Whether the batch cannot run (see [`preset_mismatch`](super::preset_mismatch)).
    pub fails: bool,
}

/// Where one step leaves a batch.
#[derive(Debug, PartialEq)]
pub struct Step {
    /// Its status after the step.
    pub status: BatchStatus,
    /// Files mapped after the step.
    pub files_done: i64,
    /// Whether another step follows; a batch without one stays as it is.
    pub continues: bool,
}

/// Takes one step of `batch`. A PENDING or THROTTLED batch starts RUNNING unless its
/// project already runs `concurrency_limit` batches, in which case it waits THROTTLED; a
/// RUNNING batch maps one more file, and ends COMPLETED after the last one, or FAILED at
/// its first step when it cannot run. `running` counts the project's running batches; it
/// is asked only for a batch waiting to start, so a step of a running batch costs no count.
pub fn step<E>(
    batch: DueBatch,
    concurrency_limit: u32,
    running: impl FnOnce() -> Result<i64, E>,
) -> Result<Step, E> {
    let DueBatch {
        status,
        files_done,
        file_count,
        fails,
    } = batch;
    let (status, files_done, continues) = match status {
        BatchStatus::Pending | BatchStatus::Throttled => {
            if running()? >= i64::from(concurrency_limit) {
                (BatchStatus::Throttled, files_done, true)
            } else {
                (BatchStatus::Running, files_done, true)
            }
        }
        BatchStatus::Running if fails => (BatchStatus::Failed, 0, false),
        BatchStatus::Running if files_done + 1 >= file_count => {
            (BatchStatus::Completed, file_count, false)
        }
        BatchStatus::Running => (BatchStatus::Running, files_done + 1, true),
        // A terminal or unknown status has no further step.
        other => (other, files_done, false),
    };
    Ok(Step {
        status,
        files_done,
        continues,
    })
}

/// The status a cancel gives a batch: CANCELLED at once while it has not finished (it
/// keeps the results of the files mapped so far). A finished batch cannot be cancelled.
pub fn cancel(id: &str, status: &BatchStatus) -> Result<BatchStatus, Refusal> {
    if status.is_terminal() {
        return Err(Refusal::Conflict(format!(
            "Batch {id} is already {status} and cannot be cancelled"
        )));
    }
    Ok(BatchStatus::Cancelled)
}

/// How many of its planned results a batch shows when asked for them: one per file mapped
/// so far. Before the first file is mapped there are no mappings yet, and a FAILED batch
/// has no reliable per-file result set; both show none (`null`).
pub fn results_shown(status: &BatchStatus, files_done: i64) -> Option<usize> {
    (files_done > 0 && *status != BatchStatus::Failed).then_some(files_done as usize)
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    fn due(status: BatchStatus, files_done: i64, file_count: i64, fails: bool) -> DueBatch {
        DueBatch {
            status,
            files_done,
            file_count,
            fails,
        }
    }

    /// One step with `running` batches in the project and room for two.
    fn step_with(batch: DueBatch, running: i64) -> Step {
        step(batch, 2, || Ok::<_, Infallible>(running)).unwrap()
    }

    /// Every status a batch passes through from PENDING until it has no further step.
    fn walk(mut batch: DueBatch) -> Vec<(BatchStatus, i64)> {
        let mut seen = vec![(batch.status.clone(), batch.files_done)];
        loop {
            let next = step_with(batch.clone(), 0);
            seen.push((next.status.clone(), next.files_done));
            if !next.continues {
                return seen;
            }
            batch.status = next.status;
            batch.files_done = next.files_done;
        }
    }

    #[test]
    fn a_batch_maps_one_file_per_step_then_completes() {
        use BatchStatus::*;
        assert_eq!(
            walk(due(Pending, 0, 3, false)),
            [
                (Pending, 0),
                (Running, 0),
                (Running, 1),
                (Running, 2),
                (Completed, 3)
            ]
        );
        assert_eq!(
            walk(due(Pending, 0, 1, false)),
            [(Pending, 0), (Running, 0), (Completed, 1)]
        );
    }

    #[test]
    fn a_batch_that_cannot_run_starts_then_fails_with_nothing_mapped() {
        use BatchStatus::*;
        assert_eq!(
            walk(due(Pending, 0, 3, true)),
            [(Pending, 0), (Running, 0), (Failed, 0)]
        );
    }

    #[test]
    fn a_waiting_batch_starts_only_while_its_project_has_room() {
        for status in [BatchStatus::Pending, BatchStatus::Throttled] {
            let full = step_with(due(status.clone(), 0, 3, false), 2);
            assert_eq!(
                full,
                Step {
                    status: BatchStatus::Throttled,
                    files_done: 0,
                    continues: true
                },
                "{status} with a full project"
            );
            let room = step_with(due(status.clone(), 0, 3, false), 1);
            assert_eq!(room.status, BatchStatus::Running, "{status} with room");
            assert!(room.continues);
        }
    }

    #[test]
    fn only_a_waiting_batch_asks_how_many_run() {
        let asked = |status| {
            let mut asked = false;
            step(due(status, 1, 3, false), 2, || {
                asked = true;
                Ok::<_, Infallible>(0)
            })
            .unwrap();
            asked
        };
        assert!(asked(BatchStatus::Pending));
        assert!(asked(BatchStatus::Throttled));
        assert!(!asked(BatchStatus::Running));
        assert!(!asked(BatchStatus::Completed));
        let failed = step(due(BatchStatus::Pending, 0, 3, false), 2, || Err("locked"));
        assert_eq!(failed, Err("locked"));
    }

    #[test]
    fn finished_and_unknown_batches_have_no_further_step() {
        for status in [
            BatchStatus::Completed,
            BatchStatus::Failed,
            BatchStatus::Cancelled,
            BatchStatus::from("PAUSED".to_owned()),
        ] {
            assert_eq!(
                step_with(due(status.clone(), 2, 3, false), 0),
                Step {
                    status,
                    files_done: 2,
                    continues: false
                }
            );
        }
    }

    #[test]
    fn only_an_unfinished_batch_can_be_cancelled() {
        for status in [
            BatchStatus::Pending,
            BatchStatus::Throttled,
            BatchStatus::Running,
            BatchStatus::from("PAUSED".to_owned()),
        ] {
            assert_eq!(cancel("bat-1", &status), Ok(BatchStatus::Cancelled));
        }
        for status in [
            BatchStatus::Completed,
            BatchStatus::Failed,
            BatchStatus::Cancelled,
        ] {
            assert_eq!(
                cancel("bat-1", &status),
                Err(Refusal::Conflict(format!(
                    "Batch bat-1 is already {status} and cannot be cancelled"
                )))
            );
        }
    }

    #[test]
    fn results_show_the_files_mapped_so_far_except_for_a_failed_batch() {
        assert_eq!(results_shown(&BatchStatus::Running, 0), None);
        assert_eq!(results_shown(&BatchStatus::Running, 2), Some(2));
        assert_eq!(results_shown(&BatchStatus::Cancelled, 1), Some(1));
        assert_eq!(results_shown(&BatchStatus::Completed, 3), Some(3));
        assert_eq!(results_shown(&BatchStatus::Failed, 3), None);
    }
}

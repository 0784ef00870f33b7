//! The lifecycle schedule: every live batch has a `next_step_at`; a step applies
//! [`rules::step`] to each batch that is due.

use batches_types::BatchStatus;
use rusqlite::params;

use super::{batches::refresh_body, clock::now_micros, connection::Store, error::StoreError, jobs};
use crate::rules::{self, DueBatch};

impl Store {
    /// When the next lifecycle step is due, if any batch is live.
    pub fn next_step_at(&self) -> Result<Option<i64>, StoreError> {
        self.with_connection(|conn| {
            Ok(conn.query_row(
                "SELECT MIN(at) FROM (
                 SELECT MIN(next_step_at) AS at FROM batches WHERE next_step_at IS NOT NULL
                 UNION ALL SELECT MIN(next_step_at) FROM jobs WHERE next_step_at IS NOT NULL)",
                [],
                |row| row.get(0),
            )?)
        })
    }

    /// Brings every scheduled step forward to `at` at the latest.
    pub fn reschedule_within(&self, at: i64) -> Result<(), StoreError> {
        self.with_connection(|conn| {
            for table in ["batches", "jobs"] {
                conn.execute(
                    &format!("UPDATE {table} SET next_step_at = ? WHERE next_step_at > ?"),
                    [at, at],
                )?;
            }
            Ok(())
        })
    }

    /// Takes every step that is due, one per batch, and schedules the next one
    /// `step_micros` later for each batch that goes on.
    pub fn advance(&self, step_micros: i64, concurrency_limit: u32) -> Result<(), StoreError> {
        self.transaction(|tx, clock| {
            let now = now_micros();
            let due: Vec<(String, String, DueBatch)> = tx
                .prepare_cached(
                    "SELECT id, project_id, status, files_done, file_count, fails FROM batches
                     WHERE next_step_at IS NOT NULL AND next_step_at <= ?
                     ORDER BY next_step_at, created_at, id LIMIT 1000",
                )?
                .query_map([now], |row| {
                    let batch = DueBatch {
                        status: BatchStatus::from(row.get::<_, String>(2)?),
                        files_done: row.get(3)?,
                        file_count: row.get(4)?,
                        fails: row.get(5)?,
                    };
                    Ok((row.get(0)?, row.get(1)?, batch))
                })?
                .collect::<rusqlite::Result<_>>()?;
            for (id, project_id, batch) in due {
                let at = clock.tick();
                let mapped_before = batch.files_done;
                let step = rules::step(batch, concurrency_limit, || {
                    tx.prepare_cached(
                        "SELECT COUNT(*) FROM batches WHERE project_id = ?
                         AND status = 'RUNNING' AND next_step_at IS NOT NULL",
                    )?
                    .query_row([&project_id], |row| row.get::<_, i64>(0))
                })?;
                let next_step_at = step.continues.then_some(at + step_micros);
                tx.prepare_cached(
                    "UPDATE batches SET status = ?, files_done = ?, next_step_at = ?,
                     updated_at = CASE WHEN status = ? AND files_done = ? THEN updated_at ELSE ? END
                     WHERE id = ?",
                )?
                .execute(params![
                    step.status.as_str(),
                    step.files_done,
                    next_step_at,
                    step.status.as_str(),
                    step.files_done,
                    at,
                    id
                ])?;
                refresh_body(tx, &id)?;
                jobs::create_mapped(
                    tx,
                    &id,
                    mapped_before,
                    step.files_done,
                    at,
                    at + step_micros,
                )?;
                self.record_webhook_event(tx, &id)?;
            }
            Ok(())
        })
    }
}

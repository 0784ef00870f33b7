//! Batches: their rows, the wire JSON stored beside them, create, get, list and cancel.
//!
//! Each row keeps its wire form (`body`, without results) ready to serve, so a listing
//! page is copied rather than decoded and re-encoded; every change renders it again.

use batches_types::{
    Batch, BatchConfig, BatchResult, BatchStatus, DateTime, JobConfig, JobType, Utc,
    WebhookConfiguration,
};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::value::RawValue;

use super::{
    clock::to_datetime,
    connection::Store,
    directories::require_directory,
    error::StoreError,
    files::first_files,
    idempotency,
    keyset::{KeysetQuery, Listed, Order},
    webhooks,
};
use crate::{
    page_token::Cursor,
    rules::{self, MAX_BATCH_FILES, Refusal},
};

const BATCH_COLUMNS: &str =
    "id, project_id, source_directory_id, status, config, created_at, updated_at";

/// Filters of a batch listing, already validated.
pub struct BatchFilter {
    /// Only batches over this directory.
    pub source_directory_id: Option<String>,
    /// Only batches in this status.
    pub status: Option<BatchStatus>,
    /// Only batches created at or after this time (microseconds).
    pub created_at_on_or_after: Option<i64>,
    /// Only batches created at or before this time (microseconds).
    pub created_at_on_or_before: Option<i64>,
}

/// What `create_batch` needs besides the directory's files.
pub struct CreateBatch<'a> {
    /// The caller's project.
    pub project_id: &'a str,
    /// The directory whose files the batch covers.
    pub source_directory_id: &'a str,
    /// The job to run on each file.
    pub config: &'a BatchConfig,
    /// `Idempotency-Key` and the canonical request it was first used with.
    pub idempotency: Option<(&'a str, &'a str)>,
    /// Delay before the first lifecycle step.
    pub first_step_in_micros: i64,
    /// Webhooks given inline, told of the batch's events.
    pub webhook_configurations: &'a [WebhookConfiguration],
    /// Saved webhook configurations told of the batch's events.
    pub webhook_configuration_ids: &'a [String],
}

/// A batch to insert, with its whole planned result set.
pub struct NewBatch<'a> {
    /// `bat-…`
    pub id: String,
    /// The project it belongs to.
    pub project_id: &'a str,
    /// The directory it covers.
    pub source_directory_id: &'a str,
    /// Its status.
    pub status: BatchStatus,
    /// Its configuration.
    pub config: &'a BatchConfig,
    /// Creation time (microseconds).
    pub created_at: i64,
    /// Time of the last change (microseconds).
    pub updated_at: i64,
    /// One result per file, shown as the files are mapped.
    pub plan: &'a [BatchResult],
    /// Files mapped so far.
    pub files_done: i64,
    /// Whether it fails at its first step.
    pub fails: bool,
    /// When its next lifecycle step is due; `None` for a batch that does not move.
    pub next_step_at: Option<i64>,
}

/// The refusal for a batch that does not exist in the caller's project.
pub fn batch_not_found(id: &str) -> Refusal {
    Refusal::NotFound(format!("Batch {id} not found"))
}

impl Store {
    /// Creates a batch over the directory's current files, or returns the batch an earlier
    /// request with the same idempotency key and body created.
    pub fn create_batch(&self, request: CreateBatch<'_>) -> Result<Batch, StoreError> {
        self.transaction(|tx, clock| {
            if let Some((key, canonical)) = request.idempotency
                && let Some(batch_id) =
                    idempotency::earlier_batch(tx, request.project_id, key, canonical)?
            {
                return Ok(load_batch(tx, request.project_id, &batch_id, false)?
                    .expect("an idempotency key points at an existing batch"));
            }
            require_directory(tx, request.project_id, request.source_directory_id)?;
            // One more than a batch may cover, to tell "too many" from "just enough".
            let files = first_files(tx, request.source_directory_id, MAX_BATCH_FILES + 1)?;
            rules::check_file_count(request.source_directory_id, files.len())?;
            let plan: Vec<BatchResult> = files
                .into_iter()
                .map(|(id, name, size)| {
                    rules::plan_file(id, &name, size, &request.config.job.type_)
                })
                .collect();
            let now = clock.tick();
            let batch = NewBatch {
                id: rules::new_id("bat"),
                project_id: request.project_id,
                source_directory_id: request.source_directory_id,
                status: BatchStatus::Pending,
                config: request.config,
                created_at: now,
                updated_at: now,
                plan: &plan,
                files_done: 0,
                fails: rules::preset_mismatch(request.config),
                next_step_at: Some(now + request.first_step_in_micros),
            };
            insert_batch(tx, &batch)?;
            webhooks::attach(
                tx,
                request.project_id,
                &batch.id,
                request.webhook_configurations,
                request.webhook_configuration_ids,
            )?;
            self.record_webhook_event(tx, &batch.id)?;
            if let Some((key, canonical)) = request.idempotency {
                idempotency::remember(tx, request.project_id, key, canonical, &batch.id)?;
            }
            Ok(load_batch(tx, request.project_id, &batch.id, false)?
                .expect("the batch was just inserted"))
        })
    }

    /// The batch, with its results when `expand_results` is set.
    pub fn get_batch(
        &self,
        project_id: &str,
        id: &str,
        expand_results: bool,
    ) -> Result<Option<Batch>, StoreError> {
        self.with_connection(|conn| Ok(load_batch(conn, project_id, id, expand_results)?))
    }

    /// One page of the project's batches, newest first (`created_at`, then `id`), in their
    /// stored wire form, so that a page is read without decoding and re-encoding a row.
    pub fn list_batches(
        &self,
        project_id: &str,
        filter: &BatchFilter,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<Listed<Box<RawValue>>>, StoreError> {
        let mut query =
            KeysetQuery::new("id, body, created_at", "batches", "project_id", project_id);
        if let Some(directory) = &filter.source_directory_id {
            query.filter("source_directory_id = ?", directory.clone());
        }
        if let Some(status) = &filter.status {
            query.filter("status = ?", status.as_str().to_owned());
        }
        if let Some(bound) = filter.created_at_on_or_after {
            query.filter("created_at >= ?", bound);
        }
        if let Some(bound) = filter.created_at_on_or_before {
            query.filter("created_at <= ?", bound);
        }
        self.with_connection(|conn| {
            Ok(query.run(conn, Order::NewestFirst, after, limit, 2, |row| {
                RawValue::from_string(row.get(1)?).map_err(|error| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        error.into(),
                    )
                })
            })?)
        })
    }

    /// Inserts one `COMPLETED` batch with no files for each creation time, for test
    /// set-up, and returns their ids in the same order.
    pub fn create_batches_at(
        &self,
        project_id: &str,
        created_at: &[DateTime<Utc>],
    ) -> Result<Vec<String>, StoreError> {
        let config = BatchConfig::new(JobConfig::new("cfg-PARSE_FAST", JobType::ParseV2));
        self.transaction(|tx, _| {
            let mut ids = Vec::with_capacity(created_at.len());
            for at in created_at {
                let micros = at.timestamp_micros();
                let batch = NewBatch {
                    id: rules::new_id("bat"),
                    project_id,
                    source_directory_id: "dir-fixture",
                    status: BatchStatus::Completed,
                    config: &config,
                    created_at: micros,
                    updated_at: micros,
                    plan: &[],
                    files_done: 0,
                    fails: false,
                    next_step_at: None,
                };
                insert_batch(tx, &batch)?;
                ids.push(batch.id);
            }
            Ok(ids)
        })
    }

    /// Cancels a batch that has not finished: it becomes `CANCELLED` at once and keeps the
    /// results of the files mapped so far.
    pub fn cancel_batch(&self, project_id: &str, id: &str) -> Result<Batch, StoreError> {
        self.transaction(|tx, clock| {
            let Some(batch) = load_batch(tx, project_id, id, false)? else {
                return Err(batch_not_found(id).into());
            };
            let status = rules::cancel(id, &batch.status)?;
            tx.prepare_cached(
                "UPDATE batches SET status = ?, updated_at = ?, next_step_at = NULL
                 WHERE id = ?",
            )?
            .execute(params![status.as_str(), clock.tick(), id])?;
            refresh_body(tx, id)?;
            self.record_webhook_event(tx, id)?;
            Ok(load_batch(tx, project_id, id, false)?.expect("the batch exists"))
        })
    }
}

fn batch_from_row(row: &Row<'_>) -> rusqlite::Result<Batch> {
    let config: String = row.get(4)?;
    let config: BatchConfig = serde_json::from_str(&config).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, error.into())
    })?;
    let mut batch = Batch::new(
        row.get::<_, String>(0)?,
        config,
        row.get::<_, String>(1)?,
        row.get::<_, String>(2)?,
        BatchStatus::from(row.get::<_, String>(3)?),
    );
    batch.created_at = Some(to_datetime(row.get(5)?));
    batch.updated_at = Some(to_datetime(row.get(6)?));
    Ok(batch)
}

fn load_batch(
    conn: &Connection,
    project_id: &str,
    id: &str,
    expand_results: bool,
) -> rusqlite::Result<Option<Batch>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS}, plan, files_done FROM batches WHERE id = ? AND project_id = ?"
        ))?
        .query_row([id, project_id], |row| {
            let batch = batch_from_row(row)?;
            let plan: String = row.get(7)?;
            let files_done: i64 = row.get(8)?;
            Ok((batch, plan, files_done))
        })
        .optional()?;
    Ok(found.map(|(mut batch, plan, files_done)| {
        if expand_results && let Some(shown) = rules::results_shown(&batch.status, files_done) {
            let mut results: Vec<BatchResult> = serde_json::from_str(&plan).unwrap_or_default();
            results.truncate(shown);
            batch.results = Some(results);
        }
        batch
    }))
}

/// Inserts a batch with its wire form.
pub fn insert_batch(conn: &Connection, batch: &NewBatch<'_>) -> rusqlite::Result<()> {
    let mut wire = Batch::new(
        batch.id.as_str(),
        batch.config.clone(),
        batch.project_id,
        batch.source_directory_id,
        batch.status.clone(),
    );
    wire.created_at = Some(to_datetime(batch.created_at));
    wire.updated_at = Some(to_datetime(batch.updated_at));
    conn.prepare_cached(
        "INSERT INTO batches (id, project_id, source_directory_id, status, config, created_at,
         updated_at, plan, file_count, files_done, fails, next_step_at, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        batch.id,
        batch.project_id,
        batch.source_directory_id,
        batch.status.as_str(),
        serde_json::to_string(batch.config).expect("a config always serializes"),
        batch.created_at,
        batch.updated_at,
        serde_json::to_string(batch.plan).expect("results always serialize"),
        batch.plan.len() as i64,
        batch.files_done,
        batch.fails,
        batch.next_step_at,
        render(&wire),
    ])?;
    Ok(())
}

/// The wire form of a batch without results, as a listing returns it.
fn render(batch: &Batch) -> String {
    serde_json::to_string(batch).expect("a batch always serializes")
}

/// Renders the stored wire form again after the batch's columns changed.
pub fn refresh_body(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    let batch = conn
        .prepare_cached(&format!("SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?"))?
        .query_row([id], batch_from_row)?;
    conn.prepare_cached("UPDATE batches SET body = ? WHERE id = ?")?
        .execute([render(&batch).as_str(), id])?;
    Ok(())
}

//! Jobs and the bytes they read: a file's uploaded content, and the parse or extract job a
//! batch makes for each file it maps, which then lives its own lifecycle (PENDING, RUNNING,
//! then COMPLETED or FAILED, one step each). An extract job parses its document first, in
//! a parse job of its own: a `parse_v2` row made with it, unscheduled, whose status is
//! written in the same statements as the extract job's (so whoever sees the extract job
//! ended sees its parse job ended too).

use batches_types::{BatchConfig, BatchResult, JobStatus, JobType};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{clock::now_micros, connection::Store, error::StoreError};
use crate::rules::new_id;

/// A job as stored.
#[derive(Debug, Clone)]
pub struct JobRow {
    /// `pjb-…` or `ejb-…`.
    pub id: String,
    /// The project it belongs to.
    pub project_id: String,
    /// The configuration it runs with.
    pub configuration_id: String,
    /// The directory file it reads (`dfl-…`).
    pub directory_file_id: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// The uploaded file's size in bytes.
    pub size: i64,
    /// Its status.
    pub status: JobStatus,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Pages read, once finished.
    pub pages: Option<i64>,
    /// An extract job's parse job (`pjb-…`); none for a parse job, and for extract jobs
    /// made before the emulator gave them one.
    pub parse_job_id: Option<String>,
    /// What it produced (JSON), once COMPLETED; loaded only when asked for.
    pub result: Option<String>,
    /// Creation time (microseconds).
    pub created_at: i64,
    /// Time of the last change (microseconds).
    pub updated_at: i64,
}

/// A running job whose result is due: what computing it needs.
#[derive(Debug, Clone)]
pub struct DueJob {
    /// The job.
    pub id: String,
    /// Its type.
    pub job_type: JobType,
    /// Its configuration.
    pub configuration_id: String,
    /// The uploaded file's name, which tells how to read it.
    pub file_name: String,
    /// The project, and the id of the stored file its bytes are kept under.
    pub file: (String, String),
}

/// How a job ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// COMPLETED over this many pages.
    Completed {
        /// Pages read.
        pages: i64,
        /// The document read (JSON): a parse job's result, and that of an extract job's
        /// parse job.
        document: String,
        /// What an extract job found in the document (JSON), its result; none for a
        /// parse job.
        extraction: Option<String>,
    },
    /// FAILED, for this reason.
    Failed(String),
}

const JOB_COLUMNS: &str = "id, project_id, configuration_id, directory_file_id, file_name, size, \
     status, error_message, pages, created_at, updated_at, parse_job_id";

fn job_row(row: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: row.get(0)?,
        project_id: row.get(1)?,
        configuration_id: row.get(2)?,
        directory_file_id: row.get(3)?,
        file_name: row.get(4)?,
        size: row.get(5)?,
        status: JobStatus::from(row.get::<_, String>(6)?),
        error_message: row.get(7)?,
        pages: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        parse_job_id: row.get(11)?,
        result: None,
    })
}

/// Keeps the bytes of an uploaded file, by the project and its `file_id`.
pub fn insert_content(
    conn: &Connection,
    project_id: &str,
    file_id: &str,
    bytes: &[u8],
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO file_contents (project_id, file_id, bytes) VALUES (?, ?, ?)",
    )?
    .execute(params![project_id, file_id, bytes])?;
    Ok(())
}

/// Creates the jobs of the results `from..to` of a batch's plan, the files it has just
/// mapped: PENDING, their first step due at `first_step_at`; and for each extract job its
/// parse job, PENDING too and never due on its own (it moves with its extract job). The
/// parse job is no result of the batch: the plan, not this table, makes the results.
pub fn create_mapped(
    conn: &Connection,
    batch_id: &str,
    from: i64,
    to: i64,
    at: i64,
    first_step_at: i64,
) -> rusqlite::Result<()> {
    if to <= from {
        return Ok(());
    }
    let (project_id, config, plan): (String, String, String) = conn
        .prepare_cached("SELECT project_id, config, plan FROM batches WHERE id = ?")?
        .query_row([batch_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
    let config: BatchConfig = serde_json::from_str(&config).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, error.into())
    })?;
    let plan: Vec<BatchResult> = serde_json::from_str(&plan).unwrap_or_default();
    let mapped = plan
        .iter()
        .skip(usize::try_from(from).unwrap_or(0))
        .take(usize::try_from(to - from).unwrap_or(0));
    let insert = |id: &str,
                  job_type: &JobType,
                  next_step_at: Option<i64>,
                  parse_job_id: Option<&str>,
                  directory_file_id: &str|
     -> rusqlite::Result<usize> {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO jobs (id, project_id, batch_id, type, configuration_id,
             directory_file_id, file_id, file_name, size, status, created_at, updated_at,
             next_step_at, parse_job_id)
             SELECT ?, ?, ?, ?, ?, id, file_id, file_name, size, 'PENDING', ?, ?, ?, ?
             FROM directory_files WHERE id = ?",
        )?
        .execute(params![
            id,
            project_id,
            batch_id,
            job_type.as_str(),
            config.job.configuration_id,
            at,
            at,
            next_step_at,
            parse_job_id,
            directory_file_id
        ])
    };
    for result in mapped {
        let Some(job) = &result.job_reference else {
            continue;
        };
        let file = &result.source_directory_file_id;
        let parse_job_id = (job.type_ == JobType::ExtractV2).then(|| new_id("pjb"));
        let inserted = insert(
            &job.id,
            &job.type_,
            Some(first_step_at),
            parse_job_id.as_deref(),
            file,
        )?;
        // The extract job's configuration also prices its parse job: an extract
        // configuration parses at the tier `parse_pricing` gives it.
        if let (1, Some(parse_job_id)) = (inserted, &parse_job_id) {
            insert(parse_job_id, &JobType::ParseV2, None, None, file)?;
        }
    }
    Ok(())
}

impl Store {
    /// The job `id` of the project and `job_type`, with its result when `with_result`.
    pub fn get_job(
        &self,
        project_id: &str,
        id: &str,
        job_type: &JobType,
        with_result: bool,
    ) -> Result<Option<JobRow>, StoreError> {
        self.with_connection(|conn| {
            let found = conn
                .prepare_cached(&format!(
                    "SELECT {JOB_COLUMNS}, CASE WHEN ? THEN result END FROM jobs
                     WHERE id = ? AND project_id = ? AND type = ?"
                ))?
                .query_row(
                    params![with_result, id, project_id, job_type.as_str()],
                    |row| {
                        let mut job = job_row(row)?;
                        job.result = row.get(12)?;
                        Ok(job)
                    },
                )
                .optional()?;
            Ok(found)
        })
    }

    /// Starts every PENDING job that is due (RUNNING, its end due `step_micros` later) and
    /// returns the RUNNING jobs whose end is due.
    pub fn due_jobs(&self, step_micros: i64) -> Result<Vec<DueJob>, StoreError> {
        self.transaction(|tx, clock| {
            let now = now_micros();
            let at = clock.tick();
            // The parse jobs of the extract jobs about to start, first: the extract jobs
            // are still PENDING here.
            tx.prepare_cached(
                "UPDATE jobs SET status = 'RUNNING', updated_at = ?1
                 WHERE status = 'PENDING' AND id IN (SELECT parse_job_id FROM jobs
                 WHERE status = 'PENDING' AND next_step_at IS NOT NULL AND next_step_at <= ?2)",
            )?
            .execute(params![at, now])?;
            tx.prepare_cached(
                "UPDATE jobs SET status = 'RUNNING', updated_at = ?, next_step_at = ?
                 WHERE status = 'PENDING' AND next_step_at IS NOT NULL AND next_step_at <= ?",
            )?
            .execute(params![at, at + step_micros, now])?;
            let due = tx
                .prepare_cached(
                    "SELECT id, type, configuration_id, file_name, project_id, file_id FROM jobs
                     WHERE status = 'RUNNING' AND next_step_at IS NOT NULL AND next_step_at <= ?
                     ORDER BY next_step_at, id LIMIT 100",
                )?
                .query_map([now], |row| {
                    Ok(DueJob {
                        id: row.get(0)?,
                        job_type: JobType::from(row.get::<_, String>(1)?),
                        configuration_id: row.get(2)?,
                        file_name: row.get(3)?,
                        file: (row.get(4)?, row.get(5)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(due)
        })
    }

    /// The bytes kept for a stored file; none for files uploaded before the emulator kept
    /// bytes, and for the generated fixtures.
    pub fn file_content(
        &self,
        project_id: &str,
        file_id: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.with_connection(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT bytes FROM file_contents WHERE project_id = ? AND file_id = ?",
                )?
                .query_row([project_id, file_id], |row| row.get(0))
                .optional()?)
        })
    }

    /// The result of the COMPLETED parse job `id`, whatever its project: for a presigned
    /// URL, whose signature is its authorisation.
    pub fn parse_result(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.with_connection(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT result FROM jobs WHERE id = ? AND type = 'parse_v2'
                     AND status = 'COMPLETED'",
                )?
                .query_row([id], |row| row.get(0))
                .optional()?)
        })
    }

    /// Ends a running job, and with an extract job its parse job: COMPLETED with the
    /// document it read, or FAILED for the same reason.
    pub fn finish_job(&self, id: &str, outcome: Outcome) -> Result<(), StoreError> {
        self.transaction(|tx, clock| {
            let (status, pages, result, document, error) = match outcome {
                Outcome::Completed {
                    pages,
                    document,
                    extraction: Some(extraction),
                } => (
                    "COMPLETED",
                    Some(pages),
                    Some(extraction),
                    Some(document),
                    None,
                ),
                Outcome::Completed {
                    pages, document, ..
                } => ("COMPLETED", Some(pages), Some(document), None, None),
                Outcome::Failed(reason) => ("FAILED", None, None, None, Some(reason)),
            };
            let at = clock.tick();
            let end = "UPDATE jobs SET status = ?1, pages = ?2, result = ?3, error_message = ?4,
                 updated_at = ?5, next_step_at = NULL WHERE status = 'RUNNING' AND id = ";
            tx.prepare_cached(&format!(
                "{end} (SELECT parse_job_id FROM jobs WHERE id = ?6 AND status = 'RUNNING')"
            ))?
            .execute(params![status, pages, document, error, at, id])?;
            tx.prepare_cached(&format!("{end} ?6"))?
                .execute(params![status, pages, result, error, at, id])?;
            Ok(())
        })
    }
}

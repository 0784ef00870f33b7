//! The SQLite store: batches, directories, their files and idempotency keys.
//!
//! One connection behind a mutex serves every request. Statements are short and cached,
//! so the lock is held for tens of microseconds; the single writer also makes every
//! multi-statement change (create with its idempotency key, one lifecycle step) atomic
//! without retry loops.

use std::{
    path::Path,
    sync::{Mutex, MutexGuard},
};

use anyhow::Context;
use batches_types::{Batch, BatchConfig, BatchResult, BatchStatus, DateTime, JobType, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter, types::Value};
use serde_json::{Map, Value as Json, json, value::RawValue};

use crate::page_token::Cursor;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS directories (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    type TEXT NOT NULL,
    system_metadata TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS directories_by_project ON directories (project_id, created_at, id);
CREATE TABLE IF NOT EXISTS directory_files (
    id TEXT PRIMARY KEY,
    directory_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    file_name TEXT NOT NULL,
    unique_id TEXT NOT NULL,
    external_file_id TEXT,
    size INTEGER NOT NULL,
    metadata TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (directory_id, unique_id)
);
CREATE INDEX IF NOT EXISTS directory_files_by_directory ON directory_files (directory_id, created_at, id);
CREATE INDEX IF NOT EXISTS directory_files_by_file ON directory_files (project_id, file_id);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    source_directory_id TEXT NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    plan TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    files_done INTEGER NOT NULL,
    fails INTEGER NOT NULL,
    next_step_at INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_by_project ON batches (project_id, created_at, id);
CREATE INDEX IF NOT EXISTS batches_by_status ON batches (project_id, status, created_at, id);
CREATE INDEX IF NOT EXISTS batches_by_directory ON batches (project_id, source_directory_id, created_at, id);
CREATE INDEX IF NOT EXISTS batches_due ON batches (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS batches_live_running ON batches (project_id)
    WHERE status = 'RUNNING' AND next_step_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS idempotency_keys (
    project_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    PRIMARY KEY (project_id, key)
);
";

/// Most files a batch may cover.
pub const MAX_BATCH_FILES: i64 = 1000;

const BATCH_COLUMNS: &str =
    "id, project_id, source_directory_id, status, config, created_at, updated_at";

/// Why a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing named does not exist in the caller's project.
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but cannot be carried out (a 422).
    #[error("{message}")]
    Unprocessable {
        /// Where in the request the problem is.
        loc: Vec<&'static str>,
        /// What is wrong.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Database(#[from] rusqlite::Error),
}

/// A file to add to a directory.
pub struct NewFile {
    /// Name of the uploaded file, which tells its type.
    pub file_name: String,
    pub display_name: String,
    pub unique_id: Option<String>,
    pub external_file_id: Option<String>,
    pub file_id: Option<String>,
    pub size: i64,
    pub metadata: Option<Json>,
}

/// Filters of a batch listing, already validated.
pub struct BatchFilter {
    pub source_directory_id: Option<String>,
    pub status: Option<BatchStatus>,
    pub created_at_on_or_after: Option<i64>,
    pub created_at_on_or_before: Option<i64>,
}

/// Filters of a directory listing.
pub struct DirectoryFilter {
    pub name: Option<String>,
    pub types: Vec<String>,
}

/// Filters of a directory file listing.
pub struct FileFilter {
    pub display_name: Option<String>,
    pub display_name_contains: Option<String>,
    pub file_id: Option<String>,
    pub unique_id: Option<String>,
    pub updated_at_on_or_after: Option<i64>,
    pub updated_at_on_or_before: Option<i64>,
}

/// Which way a listing runs, and so which side of the cursor the next page lies on.
#[derive(Clone, Copy)]
enum Order {
    NewestFirst,
    OldestFirst,
}

struct Inner {
    conn: Connection,
    /// Last timestamp handed out, so creation times are strictly increasing and a new row
    /// always sorts before (newest first) every row that existed when a listing began.
    last_micros: i64,
}

/// The database.
pub struct Store {
    inner: Mutex<Inner>,
}

/// Microseconds since the epoch.
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// The instant a stored timestamp stands for.
pub fn to_datetime(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// A fresh id with the API's prefix and a UUID body.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

impl Store {
    /// Opens (and creates) the database: a WAL file at `path`, or a private in-memory one.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Store> {
        let conn = match path {
            Some(path) => {
                let conn = Connection::open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                // WAL with synchronous=NORMAL: a commit is in the OS once the call returns,
                // so killing the process loses nothing committed.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch(SCHEMA)?;
        conn.set_prepared_statement_cache_capacity(64);
        let last_micros: i64 = conn.query_row(
            "SELECT MAX(m) FROM (SELECT MAX(created_at) AS m FROM batches
             UNION ALL SELECT MAX(created_at) FROM directory_files
             UNION ALL SELECT MAX(created_at) FROM directories)",
            [],
            |row| Ok(row.get::<_, Option<i64>>(0)?.unwrap_or(0)),
        )?;
        Ok(Store {
            inner: Mutex::new(Inner { conn, last_micros }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are
        // atomic), so a poisoned lock is still safe to use.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the connection inside one transaction.
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &mut i64) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut inner = self.lock();
        let Inner { conn, last_micros } = &mut *inner;
        let tx = conn.transaction()?;
        let value = f(&tx, last_micros)?;
        tx.commit()?;
        Ok(value)
    }
}

/// The next timestamp: now, or just after the last one handed out.
pub fn tick(last_micros: &mut i64) -> i64 {
    *last_micros = now_micros().max(*last_micros + 1);
    *last_micros
}

// ---------------------------------------------------------------------------------------
// Directories and files.

fn directory_json(row: &Row<'_>) -> rusqlite::Result<Json> {
    let mut object = Map::new();
    object.insert("id".into(), Json::String(row.get(0)?));
    object.insert("name".into(), Json::String(row.get(2)?));
    object.insert("project_id".into(), Json::String(row.get(1)?));
    if let Some(description) = row.get::<_, Option<String>>(3)? {
        object.insert("description".into(), Json::String(description));
    }
    object.insert("type".into(), Json::String(row.get(4)?));
    if let Some(metadata) = row.get::<_, Option<String>>(5)? {
        object.insert(
            "system_metadata".into(),
            serde_json::from_str(&metadata).unwrap_or(Json::Null),
        );
    }
    object.insert("created_at".into(), json!(to_datetime(row.get(6)?)));
    object.insert("updated_at".into(), json!(to_datetime(row.get(7)?)));
    Ok(Json::Object(object))
}

const DIRECTORY_COLUMNS: &str =
    "id, project_id, name, description, type, system_metadata, created_at, updated_at";

fn file_json(row: &Row<'_>) -> rusqlite::Result<Json> {
    let mut object = Map::new();
    object.insert("id".into(), Json::String(row.get(0)?));
    object.insert("directory_id".into(), Json::String(row.get(1)?));
    object.insert("display_name".into(), Json::String(row.get(4)?));
    object.insert("project_id".into(), Json::String(row.get(2)?));
    object.insert("unique_id".into(), Json::String(row.get(5)?));
    object.insert("file_id".into(), Json::String(row.get(3)?));
    if let Some(metadata) = row.get::<_, Option<String>>(6)? {
        object.insert(
            "metadata".into(),
            serde_json::from_str(&metadata).unwrap_or(Json::Null),
        );
    }
    object.insert("created_at".into(), json!(to_datetime(row.get(7)?)));
    object.insert("updated_at".into(), json!(to_datetime(row.get(8)?)));
    Ok(Json::Object(object))
}

const FILE_COLUMNS: &str = "id, directory_id, project_id, file_id, display_name, unique_id, metadata, created_at, updated_at";

/// A listed row with its keyset cursor.
pub type Listed<T> = (T, Cursor);

impl Store {
    /// Creates a directory and returns it.
    pub fn create_directory(
        &self,
        project_id: &str,
        name: &str,
        description: Option<&str>,
        type_: &str,
        system_metadata: Option<&Json>,
    ) -> Result<Json, StoreError> {
        self.transaction(|tx, clock| {
            let id = new_id("dir");
            insert_directory(
                tx,
                &id,
                project_id,
                name,
                description,
                type_,
                system_metadata,
                tick(clock),
            )?;
            Ok(load_directory(tx, project_id, &id)?.expect("the directory was just inserted"))
        })
    }

    /// The directory, if it exists in the project.
    pub fn get_directory(&self, project_id: &str, id: &str) -> Result<Option<Json>, StoreError> {
        let inner = self.lock();
        Ok(load_directory(&inner.conn, project_id, id)?)
    }

    /// One page of the project's directories, oldest first, `limit` rows at most.
    pub fn list_directories(
        &self,
        project_id: &str,
        filter: &DirectoryFilter,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<Listed<Json>>, StoreError> {
        let mut query =
            KeysetQuery::new(DIRECTORY_COLUMNS, "directories", "project_id", project_id);
        if let Some(name) = &filter.name {
            query.filter("name = ?", name.clone());
        }
        if !filter.types.is_empty() {
            let marks = vec!["?"; filter.types.len()].join(", ");
            query.sql.push_str(&format!(" AND type IN ({marks})"));
            query
                .args
                .extend(filter.types.iter().cloned().map(Value::Text));
        }
        let inner = self.lock();
        Ok(query.run(
            &inner.conn,
            Order::OldestFirst,
            after,
            limit,
            6,
            directory_json,
        )?)
    }

    /// Adds a file to a directory of the project and returns the directory file.
    pub fn add_file(
        &self,
        project_id: &str,
        directory_id: &str,
        file: NewFile,
    ) -> Result<Json, StoreError> {
        self.transaction(|tx, clock| {
            if load_directory(tx, project_id, directory_id)?.is_none() {
                return Err(directory_not_found(directory_id));
            }
            let id = insert_file(
                tx,
                new_id("dfl"),
                project_id,
                directory_id,
                file,
                tick(clock),
            )?;
            Ok(tx.query_row(
                &format!("SELECT {FILE_COLUMNS} FROM directory_files WHERE id = ?"),
                [&id],
                file_json,
            )?)
        })
    }

    /// File name and size of a file of the project (by its `file_id`), if it was ever
    /// uploaded.
    pub fn find_file(
        &self,
        project_id: &str,
        file_id: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .conn
            .prepare_cached(
                "SELECT file_name, size FROM directory_files
                 WHERE project_id = ? AND file_id = ? LIMIT 1",
            )?
            .query_row([project_id, file_id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?)
    }

    /// One page of a directory's files, oldest first.
    pub fn list_files(
        &self,
        project_id: &str,
        directory_id: &str,
        filter: &FileFilter,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<Listed<Json>>, StoreError> {
        let inner = self.lock();
        if load_directory(&inner.conn, project_id, directory_id)?.is_none() {
            return Err(directory_not_found(directory_id));
        }
        let mut query = KeysetQuery::new(
            FILE_COLUMNS,
            "directory_files",
            "directory_id",
            directory_id,
        );
        if let Some(name) = &filter.display_name {
            query.filter("display_name = ?", name.clone());
        }
        if let Some(part) = &filter.display_name_contains {
            query.filter("instr(lower(display_name), lower(?)) > 0", part.clone());
        }
        if let Some(file_id) = &filter.file_id {
            query.filter("file_id = ?", file_id.clone());
        }
        if let Some(unique_id) = &filter.unique_id {
            query.filter("unique_id = ?", unique_id.clone());
        }
        if let Some(bound) = filter.updated_at_on_or_after {
            query.filter("updated_at >= ?", bound);
        }
        if let Some(bound) = filter.updated_at_on_or_before {
            query.filter("updated_at <= ?", bound);
        }
        Ok(query.run(&inner.conn, Order::OldestFirst, after, limit, 7, file_json)?)
    }

    /// Creates a directory with `files` small text files, for test set-up.
    pub fn create_directory_with_files(
        &self,
        project_id: &str,
        name: &str,
        files: usize,
    ) -> anyhow::Result<String> {
        Ok(self.transaction(|tx, clock| {
            let id = new_id("dir");
            insert_directory(tx, &id, project_id, name, None, "user", None, tick(clock))?;
            for n in 1..=files {
                let name = format!("file-{n:04}.txt");
                let file = NewFile {
                    file_name: name.clone(),
                    display_name: name,
                    unique_id: None,
                    external_file_id: None,
                    file_id: None,
                    size: 1024,
                    metadata: None,
                };
                insert_file(tx, new_id("dfl"), project_id, &id, file, tick(clock))?;
            }
            Ok(id)
        })?)
    }
}

fn directory_not_found(id: &str) -> StoreError {
    StoreError::NotFound(format!("Directory {id} not found"))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_directory(
    conn: &Connection,
    id: &str,
    project_id: &str,
    name: &str,
    description: Option<&str>,
    type_: &str,
    system_metadata: Option<&Json>,
    at: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO directories (id, project_id, name, description, type, system_metadata,
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        project_id,
        name,
        description,
        type_,
        system_metadata.map(Json::to_string),
        at,
        at
    ])?;
    Ok(())
}

/// Inserts a directory file with this id (`dfl-…`) and returns the id.
pub(crate) fn insert_file(
    conn: &Connection,
    id: String,
    project_id: &str,
    directory_id: &str,
    file: NewFile,
    at: i64,
) -> Result<String, StoreError> {
    let unique_id = file
        .unique_id
        .or_else(|| file.external_file_id.clone())
        .unwrap_or_else(|| file.display_name.clone());
    let exists: bool = conn
        .prepare_cached("SELECT 1 FROM directory_files WHERE directory_id = ? AND unique_id = ?")?
        .exists([directory_id, &unique_id])?;
    if exists {
        return Err(StoreError::Conflict(format!(
            "A file with unique_id {unique_id:?} already exists in directory {directory_id}; \
             give the file another unique_id"
        )));
    }
    let file_id = file
        .file_id
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    conn.prepare_cached(
        "INSERT INTO directory_files (id, directory_id, project_id, file_id, display_name,
         file_name, unique_id, external_file_id, size, metadata, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        directory_id,
        project_id,
        file_id,
        file.display_name,
        file.file_name,
        unique_id,
        file.external_file_id,
        file.size,
        file.metadata.as_ref().map(Json::to_string),
        at,
        at
    ])?;
    Ok(id)
}

fn load_directory(conn: &Connection, project_id: &str, id: &str) -> rusqlite::Result<Option<Json>> {
    conn.prepare_cached(&format!(
        "SELECT {DIRECTORY_COLUMNS} FROM directories WHERE id = ? AND project_id = ?"
    ))?
    .query_row([id, project_id], directory_json)
    .optional()
}

/// A keyset-paginated `SELECT` built from the filters that are set, so that SQLite picks
/// the index matching them (a `? IS NULL OR …` form would make it scan).
struct KeysetQuery {
    sql: String,
    args: Vec<Value>,
}

impl KeysetQuery {
    fn new(columns: &str, table: &str, scope_column: &str, scope: &str) -> Self {
        KeysetQuery {
            sql: format!("SELECT {columns} FROM {table} WHERE {scope_column} = ?"),
            args: vec![Value::Text(scope.to_owned())],
        }
    }

    fn filter(&mut self, condition: &str, value: impl Into<Value>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self.args.push(value.into());
    }

    /// Runs the query for the page after `after` (`limit` rows at most); `created_column`
    /// is the index of `created_at` among the selected columns (`id` is always first).
    fn run<T>(
        mut self,
        conn: &Connection,
        order: Order,
        after: Option<&Cursor>,
        limit: i64,
        created_column: usize,
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<Listed<T>>> {
        let (comparison, direction) = match order {
            Order::NewestFirst => ("<", "DESC"),
            Order::OldestFirst => (">", "ASC"),
        };
        if let Some(cursor) = after {
            self.sql
                .push_str(&format!(" AND (created_at, id) {comparison} (?, ?)"));
            self.args.push(Value::Integer(cursor.created_at));
            self.args.push(Value::Text(cursor.id.clone()));
        }
        self.sql.push_str(&format!(
            " ORDER BY created_at {direction}, id {direction} LIMIT ?"
        ));
        self.args.push(Value::Integer(limit));
        let mut statement = conn.prepare_cached(&self.sql)?;
        let rows = statement.query_map(params_from_iter(self.args), |row| {
            let cursor = Cursor {
                created_at: row.get(created_column)?,
                id: row.get(0)?,
            };
            Ok((map(row)?, cursor))
        })?;
        rows.collect()
    }
}

// ---------------------------------------------------------------------------------------
// Batches.

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

/// A batch to insert, with its whole planned result set.
pub struct NewBatch<'a> {
    pub id: String,
    pub project_id: &'a str,
    pub source_directory_id: &'a str,
    pub status: BatchStatus,
    pub config: &'a BatchConfig,
    pub created_at: i64,
    pub updated_at: i64,
    pub plan: &'a [BatchResult],
    pub files_done: i64,
    pub fails: bool,
    pub next_step_at: Option<i64>,
}

pub(crate) fn insert_batch(conn: &Connection, batch: &NewBatch<'_>) -> rusqlite::Result<()> {
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
fn refresh_body(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    let batch = conn
        .prepare_cached(&format!("SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?"))?
        .query_row([id], batch_from_row)?;
    conn.prepare_cached("UPDATE batches SET body = ? WHERE id = ?")?
        .execute([render(&batch).as_str(), id])?;
    Ok(())
}

/// What `create_batch` needs besides the directory's files.
pub struct CreateBatch<'a> {
    pub project_id: &'a str,
    pub source_directory_id: &'a str,
    pub config: &'a BatchConfig,
    /// `Idempotency-Key` and the canonical request it was first used with.
    pub idempotency: Option<(&'a str, &'a str)>,
    /// Delay before the first lifecycle step.
    pub first_step_in_micros: i64,
}

/// Whether this configuration cannot run with this job type: a built-in preset names its
/// product (`cfg-PARSE_…`, `cfg-EXTRACT_…`), so a mismatch makes the orchestration fail.
pub fn preset_mismatch(config: &BatchConfig) -> bool {
    let id = config.job.configuration_id.to_ascii_uppercase();
    match config.job.type_ {
        JobType::ParseV2 => id.starts_with("CFG-EXTRACT_"),
        JobType::ExtractV2 => id.starts_with("CFG-PARSE_"),
        _ => true,
    }
}

/// The per-file outcome, decided by what the file is: empty files and types neither product
/// reads get an error message instead of a job.
pub fn plan_file(file_id: String, file_name: &str, size: i64, job_type: &JobType) -> BatchResult {
    let mut result = BatchResult::new(file_id);
    let extension = Path::new(file_name)
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    const READABLE: &[&str] = &[
        "pdf", "docx", "doc", "pptx", "ppt", "xlsx", "xls", "csv", "txt", "md", "html", "htm",
        "rtf", "odt", "epub", "png", "jpg", "jpeg", "gif", "bmp", "tiff", "webp", "json", "xml",
    ];
    if size == 0 {
        result.error_message = Some(format!("{file_name} is empty; there is nothing to process"));
    } else if !extension.as_deref().is_some_and(|e| READABLE.contains(&e)) {
        result.error_message = Some(format!(
            "{file_name}: unsupported file type {:?}",
            extension.unwrap_or_default()
        ));
    } else {
        let prefix = match job_type {
            JobType::ExtractV2 => "ejb",
            _ => "pjb",
        };
        result.job_reference = Some(batches_types::JobReference::new(
            new_id(prefix),
            job_type.clone(),
        ));
    }
    result
}

impl Store {
    /// Creates a batch over the directory's current files, or returns the batch an earlier
    /// request with the same idempotency key and body created.
    pub fn create_batch(&self, request: CreateBatch<'_>) -> Result<Batch, StoreError> {
        self.transaction(|tx, clock| {
            if let Some((key, canonical)) = request.idempotency {
                let earlier: Option<(String, String)> = tx
                    .prepare_cached(
                        "SELECT request, batch_id FROM idempotency_keys
                         WHERE project_id = ? AND key = ?",
                    )?
                    .query_row([request.project_id, key], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()?;
                if let Some((earlier_request, batch_id)) = earlier {
                    if earlier_request != canonical {
                        return Err(StoreError::Conflict(format!(
                            "Idempotency-Key {key:?} was already used with a different request \
                             body; use a new key for a different batch"
                        )));
                    }
                    return Ok(load_batch(tx, request.project_id, &batch_id, false)?
                        .expect("an idempotency key points at an existing batch"));
                }
            }
            if load_directory(tx, request.project_id, request.source_directory_id)?.is_none() {
                return Err(directory_not_found(request.source_directory_id));
            }
            let files: Vec<(String, String, i64)> = tx
                .prepare_cached(
                    "SELECT id, file_name, size FROM directory_files WHERE directory_id = ?
                     ORDER BY created_at, id LIMIT ?",
                )?
                .query_map(
                    params![request.source_directory_id, MAX_BATCH_FILES + 1],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )?
                .collect::<rusqlite::Result<_>>()?;
            if files.is_empty() || files.len() as i64 > MAX_BATCH_FILES {
                let count = if files.is_empty() {
                    "no files".to_owned()
                } else {
                    format!("more than {MAX_BATCH_FILES} files")
                };
                return Err(StoreError::Unprocessable {
                    loc: vec!["body", "source_directory_id"],
                    message: format!(
                        "Directory {} has {count}; a batch needs 1 to {MAX_BATCH_FILES} files",
                        request.source_directory_id
                    ),
                });
            }
            let plan: Vec<BatchResult> = files
                .into_iter()
                .map(|(id, name, size)| plan_file(id, &name, size, &request.config.job.type_))
                .collect();
            let now = tick(clock);
            let batch = NewBatch {
                id: new_id("bat"),
                project_id: request.project_id,
                source_directory_id: request.source_directory_id,
                status: BatchStatus::Pending,
                config: request.config,
                created_at: now,
                updated_at: now,
                plan: &plan,
                files_done: 0,
                fails: preset_mismatch(request.config),
                next_step_at: Some(now + request.first_step_in_micros),
            };
            insert_batch(tx, &batch)?;
            if let Some((key, canonical)) = request.idempotency {
                tx.prepare_cached(
                    "INSERT INTO idempotency_keys (project_id, key, request, batch_id)
                     VALUES (?, ?, ?, ?)",
                )?
                .execute([request.project_id, key, canonical, &batch.id])?;
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
        let inner = self.lock();
        Ok(load_batch(&inner.conn, project_id, id, expand_results)?)
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
        let inner = self.lock();
        Ok(
            query.run(&inner.conn, Order::NewestFirst, after, limit, 2, |row| {
                RawValue::from_string(row.get(1)?).map_err(|error| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        error.into(),
                    )
                })
            })?,
        )
    }

    /// Cancels a batch that has not finished: it becomes `CANCELLED` at once and keeps the
    /// results of the files mapped so far.
    pub fn cancel_batch(&self, project_id: &str, id: &str) -> Result<Batch, StoreError> {
        self.transaction(|tx, clock| {
            let Some(batch) = load_batch(tx, project_id, id, false)? else {
                return Err(batch_not_found(id));
            };
            if batch.status.is_terminal() {
                return Err(StoreError::Conflict(format!(
                    "Batch {id} is already {} and cannot be cancelled",
                    batch.status
                )));
            }
            tx.prepare_cached(
                "UPDATE batches SET status = 'CANCELLED', updated_at = ?, next_step_at = NULL
                 WHERE id = ?",
            )?
            .execute(params![tick(clock), id])?;
            refresh_body(tx, id)?;
            Ok(load_batch(tx, project_id, id, false)?.expect("the batch exists"))
        })
    }
}

pub fn batch_not_found(id: &str) -> StoreError {
    StoreError::NotFound(format!("Batch {id} not found"))
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
        // FAILED means no reliable per-file result set; before the first file is mapped
        // there are no mappings yet. Both stay null.
        if expand_results && files_done > 0 && batch.status != BatchStatus::Failed {
            let mut results: Vec<BatchResult> = serde_json::from_str(&plan).unwrap_or_default();
            results.truncate(files_done as usize);
            batch.results = Some(results);
        }
        batch
    }))
}

// ---------------------------------------------------------------------------------------
// Lifecycle steps.

impl Store {
    /// When the next lifecycle step is due, if any batch is live.
    pub fn next_step_at(&self) -> Result<Option<i64>, StoreError> {
        let inner = self.lock();
        Ok(inner.conn.query_row(
            "SELECT MIN(next_step_at) FROM batches WHERE next_step_at IS NOT NULL",
            [],
            |row| row.get(0),
        )?)
    }

    /// Brings every scheduled step forward to `at` at the latest.
    pub fn reschedule_within(&self, at: i64) -> Result<(), StoreError> {
        let inner = self.lock();
        inner.conn.execute(
            "UPDATE batches SET next_step_at = ? WHERE next_step_at > ?",
            [at, at],
        )?;
        Ok(())
    }

    /// Takes every step that is due: PENDING becomes RUNNING (or THROTTLED while the
    /// project runs `concurrency_limit` batches), THROTTLED is retried, RUNNING maps one
    /// file per step and then ends COMPLETED, or FAILED for a batch that cannot run.
    pub fn advance(&self, step_micros: i64, concurrency_limit: u32) -> Result<(), StoreError> {
        self.transaction(|tx, clock| {
            let now = now_micros();
            let due: Vec<(String, String, String, i64, i64, bool)> = tx
                .prepare_cached(
                    "SELECT id, project_id, status, files_done, file_count, fails FROM batches
                     WHERE next_step_at IS NOT NULL AND next_step_at <= ?
                     ORDER BY next_step_at, created_at, id LIMIT 1000",
                )?
                .query_map([now], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            for (id, project_id, status, files_done, file_count, fails) in due {
                let at = tick(clock);
                let next = at + step_micros;
                let (status, files_done, next_step_at) = match BatchStatus::from(status) {
                    BatchStatus::Pending | BatchStatus::Throttled => {
                        let running: i64 = tx
                            .prepare_cached(
                                "SELECT COUNT(*) FROM batches WHERE project_id = ?
                                 AND status = 'RUNNING' AND next_step_at IS NOT NULL",
                            )?
                            .query_row([&project_id], |row| row.get(0))?;
                        if running >= i64::from(concurrency_limit) {
                            (BatchStatus::Throttled, files_done, Some(next))
                        } else {
                            (BatchStatus::Running, files_done, Some(next))
                        }
                    }
                    BatchStatus::Running if fails => (BatchStatus::Failed, 0, None),
                    BatchStatus::Running if files_done + 1 >= file_count => {
                        (BatchStatus::Completed, file_count, None)
                    }
                    BatchStatus::Running => (BatchStatus::Running, files_done + 1, Some(next)),
                    // A terminal or unknown status has no further step.
                    other => (other, files_done, None),
                };
                tx.prepare_cached(
                    "UPDATE batches SET status = ?, files_done = ?, next_step_at = ?,
                     updated_at = CASE WHEN status = ? AND files_done = ? THEN updated_at ELSE ? END
                     WHERE id = ?",
                )?
                .execute(params![
                    status.as_str(),
                    files_done,
                    next_step_at,
                    status.as_str(),
                    files_done,
                    at,
                    id
                ])?;
                refresh_body(tx, &id)?;
            }
            Ok(())
        })
    }
}

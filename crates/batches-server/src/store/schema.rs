//! The tables and indexes. Every statement is idempotent (`IF NOT EXISTS`) and runs at
//! every open, which creates a new file and leaves an existing one as it is; a change to an
//! existing table needs a migration, and it belongs here, next to the schema it changes.

use rusqlite::Connection;

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
CREATE TABLE IF NOT EXISTS file_contents (
    project_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (project_id, file_id)
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    type TEXT NOT NULL,
    configuration_id TEXT NOT NULL,
    directory_file_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_message TEXT,
    pages INTEGER,
    result TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_step_at INTEGER,
    parse_job_id TEXT
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS signing_keys (
    name TEXT PRIMARY KEY,
    key BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_configs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    configuration TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_configs_by_project ON webhook_configs (project_id, created_at, id);
CREATE TABLE IF NOT EXISTS batch_webhooks (
    batch_id TEXT PRIMARY KEY,
    configurations TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    expanded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS webhook_events_by_batch ON webhook_events (batch_id, seq);
CREATE INDEX IF NOT EXISTS webhook_events_new ON webhook_events (seq) WHERE expanded = 0;
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    hook INTEGER NOT NULL,
    webhook_url TEXT NOT NULL,
    lane_seq INTEGER NOT NULL,
    duplicate INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_status_code INTEGER,
    last_error TEXT,
    last_body TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_lane ON webhook_deliveries (batch_id, hook, lane_seq);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_project ON webhook_deliveries (project_id, batch_id);
";

/// Columns added to a table after files holding it were written: `(table, column,
/// declaration)`. Each is also in its table's `CREATE TABLE` above, for new files; a file
/// that lacks one gets it here (SQLite has no `ADD COLUMN IF NOT EXISTS`).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    // The parse job of an extract job (`extract_metadata.parse_job_id`); null for jobs
    // made before extract jobs had one.
    ("jobs", "parse_job_id", "TEXT"),
];

/// Creates whatever of the schema `conn` does not have yet.
pub fn apply(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    for (table, column, declaration) in ADDED_COLUMNS {
        let present: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
            [table, column],
            |row| row.get(0),
        )?;
        if !present {
            conn.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {declaration}"
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_before_a_column_was_added_gets_it_and_keeps_its_rows() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE jobs (id TEXT PRIMARY KEY, project_id TEXT NOT NULL,
             batch_id TEXT NOT NULL, type TEXT NOT NULL, configuration_id TEXT NOT NULL,
             directory_file_id TEXT NOT NULL, file_id TEXT NOT NULL, file_name TEXT NOT NULL,
             size INTEGER NOT NULL, status TEXT NOT NULL, error_message TEXT, pages INTEGER,
             result TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
             next_step_at INTEGER);
             INSERT INTO jobs VALUES ('ejb-1', 'prj', 'bat', 'extract_v2', 'cfg', 'dfl', 'f',
             'a.md', 1, 'COMPLETED', NULL, 1, '{}', 1, 2, NULL);",
        )
        .unwrap();
        apply(&conn).unwrap();
        // A second open finds the column there and changes nothing.
        apply(&conn).unwrap();
        let (id, parse_job_id): (String, Option<String>) = conn
            .query_row("SELECT id, parse_job_id FROM jobs", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!((id.as_str(), parse_job_id), ("ejb-1", None));
    }
}

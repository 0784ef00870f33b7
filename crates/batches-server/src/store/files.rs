//! Directory files: their rows, wire JSON, listing, and the files a new batch covers.

use batches_types::DirectoryFile;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Map, Value as Json};

use super::{
    clock::to_datetime,
    connection::Store,
    directories::{insert_directory, require_directory, stored_object},
    error::StoreError,
    jobs::insert_content,
    keyset::{KeysetQuery, Listed, Order},
};
use crate::{
    page_token::Cursor,
    rules::{Refusal, new_id},
};

const FILE_COLUMNS: &str = "id, directory_id, project_id, file_id, display_name, unique_id, metadata, created_at, updated_at";

/// A file to add to a directory.
pub struct NewFile {
    /// Name of the uploaded file, which tells its type.
    pub file_name: String,
    /// Name shown in listings.
    pub display_name: String,
    /// Key that is unique within the directory; the external id or the display name when
    /// not given.
    pub unique_id: Option<String>,
    /// Id of the file in the system it came from.
    pub external_file_id: Option<String>,
    /// Id of the uploaded file; a fresh one when not given.
    pub file_id: Option<String>,
    /// Size in bytes.
    pub size: i64,
    /// Free-form metadata object.
    pub metadata: Option<Map<String, Json>>,
}

/// Filters of a directory file listing.
pub struct FileFilter {
    /// Only files with this display name.
    pub display_name: Option<String>,
    /// Only files whose display name contains this, in any case.
    pub display_name_contains: Option<String>,
    /// Only files with this `file_id`.
    pub file_id: Option<String>,
    /// Only the file with this `unique_id`.
    pub unique_id: Option<String>,
    /// Only files updated at or after this time (microseconds).
    pub updated_at_on_or_after: Option<i64>,
    /// Only files updated at or before this time (microseconds).
    pub updated_at_on_or_before: Option<i64>,
}

/// A file a batch covers: its id, name and size.
pub type PlannedFile = (String, String, i64);

fn directory_file(row: &Row<'_>) -> rusqlite::Result<DirectoryFile> {
    let mut file = DirectoryFile::new(
        row.get::<_, String>(0)?,
        row.get::<_, String>(1)?,
        row.get::<_, String>(4)?,
        row.get::<_, String>(2)?,
        row.get::<_, String>(5)?,
    );
    file.file_id = Some(row.get(3)?);
    file.metadata = stored_object(row.get(6)?);
    file.created_at = Some(to_datetime(row.get(7)?));
    file.updated_at = Some(to_datetime(row.get(8)?));
    Ok(file)
}

impl Store {
    /// Adds a file to a directory of the project and returns the directory file.
    pub fn add_file(
        &self,
        project_id: &str,
        directory_id: &str,
        file: NewFile,
    ) -> Result<DirectoryFile, StoreError> {
        self.add_file_with_content(project_id, directory_id, file, None)
    }

    /// [`add_file`](Self::add_file), keeping the uploaded bytes for the jobs that read
    /// the file.
    pub fn add_file_with_content(
        &self,
        project_id: &str,
        directory_id: &str,
        file: NewFile,
        content: Option<&[u8]>,
    ) -> Result<DirectoryFile, StoreError> {
        self.transaction(|tx, clock| {
            require_directory(tx, project_id, directory_id)?;
            let id = insert_file(
                tx,
                new_id("dfl"),
                project_id,
                directory_id,
                file,
                clock.tick(),
            )?;
            let file = tx.query_row(
                &format!("SELECT {FILE_COLUMNS} FROM directory_files WHERE id = ?"),
                [&id],
                directory_file,
            )?;
            if let (Some(content), Some(file_id)) = (content, &file.file_id) {
                insert_content(tx, project_id, file_id, content)?;
            }
            Ok(file)
        })
    }

    /// File name and size of a file of the project (by its `file_id`), if it was ever
    /// uploaded.
    pub fn find_file(
        &self,
        project_id: &str,
        file_id: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        self.with_connection(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT file_name, size FROM directory_files
                     WHERE project_id = ? AND file_id = ? LIMIT 1",
                )?
                .query_row([project_id, file_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        })
    }

    /// One page of a directory's files, oldest first.
    pub fn list_files(
        &self,
        project_id: &str,
        directory_id: &str,
        filter: &FileFilter,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<Listed<DirectoryFile>>, StoreError> {
        self.with_connection(|conn| {
            require_directory(conn, project_id, directory_id)?;
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
            Ok(query.run(conn, Order::OldestFirst, after, limit, 7, directory_file)?)
        })
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
            insert_directory(tx, &id, project_id, name, None, "user", None, clock.tick())?;
            for n in 1..=files {
                let name = format!("file-{n:04}.txt");
                let content: Vec<u8> = format!("{name}: a generated text file.\n")
                    .into_bytes()
                    .into_iter()
                    .cycle()
                    .take(1024)
                    .collect();
                let file_id = uuid::Uuid::new_v4().to_string();
                let file = NewFile {
                    file_name: name.clone(),
                    display_name: name,
                    unique_id: None,
                    external_file_id: None,
                    file_id: Some(file_id.clone()),
                    size: content.len() as i64,
                    metadata: None,
                };
                insert_file(tx, new_id("dfl"), project_id, &id, file, clock.tick())?;
                insert_content(tx, project_id, &file_id, &content)?;
            }
            Ok(id)
        })?)
    }
}

/// Inserts a directory file with this id (`dfl-…`) and returns the id.
pub fn insert_file(
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
        return Err(Refusal::Conflict(format!(
            "A file with unique_id {unique_id:?} already exists in directory {directory_id}; \
             give the file another unique_id"
        ))
        .into());
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
        file.metadata
            .map(|metadata| Json::Object(metadata).to_string()),
        at,
        at
    ])?;
    Ok(id)
}

/// The first `limit` files of a directory, in the order they were added.
pub fn first_files(
    conn: &Connection,
    directory_id: &str,
    limit: i64,
) -> rusqlite::Result<Vec<PlannedFile>> {
    conn.prepare_cached(
        "SELECT id, file_name, size FROM directory_files WHERE directory_id = ?
         ORDER BY created_at, id LIMIT ?",
    )?
    .query_map(params![directory_id, limit], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })?
    .collect()
}

//! Directories: their rows, wire JSON and listing.

use batches_types::{Directory, DirectoryType};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Map, Value as Json};

use super::{
    clock::to_datetime,
    connection::Store,
    error::StoreError,
    keyset::{KeysetQuery, Listed, Order},
};
use crate::{
    page_token::Cursor,
    rules::{Refusal, new_id},
};

const DIRECTORY_COLUMNS: &str =
    "id, project_id, name, description, type, system_metadata, created_at, updated_at";

/// Filters of a directory listing.
pub struct DirectoryFilter {
    /// Only the directory with this name.
    pub name: Option<String>,
    /// Only directories of these types; empty means every type.
    pub types: Vec<String>,
}

/// The refusal for a directory that does not exist in the caller's project.
pub fn directory_not_found(id: &str) -> Refusal {
    Refusal::NotFound(format!("Directory {id} not found"))
}

/// A stored JSON object (metadata), which only the store writes.
pub fn stored_object(text: Option<String>) -> Option<Map<String, Json>> {
    text.and_then(|text| serde_json::from_str(&text).ok())
}

fn directory(row: &Row<'_>) -> rusqlite::Result<Directory> {
    let mut directory = Directory::new(
        row.get::<_, String>(0)?,
        row.get::<_, String>(2)?,
        row.get::<_, String>(1)?,
    );
    directory.description = row.get(3)?;
    directory.type_ = Some(DirectoryType::from(row.get::<_, String>(4)?));
    directory.system_metadata = stored_object(row.get(5)?);
    directory.created_at = Some(to_datetime(row.get(6)?));
    directory.updated_at = Some(to_datetime(row.get(7)?));
    Ok(directory)
}

impl Store {
    /// Creates a directory and returns it.
    pub fn create_directory(
        &self,
        project_id: &str,
        name: &str,
        description: Option<&str>,
        type_: &str,
        system_metadata: Option<&Map<String, Json>>,
    ) -> Result<Directory, StoreError> {
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
                clock.tick(),
            )?;
            Ok(load_directory(tx, project_id, &id)?.expect("the directory was just inserted"))
        })
    }

    /// The directory, if it exists in the project.
    pub fn get_directory(
        &self,
        project_id: &str,
        id: &str,
    ) -> Result<Option<Directory>, StoreError> {
        self.with_connection(|conn| Ok(load_directory(conn, project_id, id)?))
    }

    /// One page of the project's directories, oldest first, `limit` rows at most.
    pub fn list_directories(
        &self,
        project_id: &str,
        filter: &DirectoryFilter,
        after: Option<&Cursor>,
        limit: i64,
    ) -> Result<Vec<Listed<Directory>>, StoreError> {
        let mut query =
            KeysetQuery::new(DIRECTORY_COLUMNS, "directories", "project_id", project_id);
        if let Some(name) = &filter.name {
            query.filter("name = ?", name.clone());
        }
        if !filter.types.is_empty() {
            query.filter_in("type", &filter.types);
        }
        self.with_connection(|conn| {
            Ok(query.run(conn, Order::OldestFirst, after, limit, 6, directory)?)
        })
    }
}

/// Inserts a directory with this id (`dir-…`).
#[allow(clippy::too_many_arguments)]
pub fn insert_directory(
    conn: &Connection,
    id: &str,
    project_id: &str,
    name: &str,
    description: Option<&str>,
    type_: &str,
    system_metadata: Option<&Map<String, Json>>,
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
        system_metadata.map(|metadata| Json::Object(metadata.clone()).to_string()),
        at,
        at
    ])?;
    Ok(())
}

/// The directory in its wire form, if it exists in the project.
pub fn load_directory(
    conn: &Connection,
    project_id: &str,
    id: &str,
) -> rusqlite::Result<Option<Directory>> {
    conn.prepare_cached(&format!(
        "SELECT {DIRECTORY_COLUMNS} FROM directories WHERE id = ? AND project_id = ?"
    ))?
    .query_row([id, project_id], directory)
    .optional()
}

/// Refuses when the directory does not exist in the project.
pub fn require_directory(conn: &Connection, project_id: &str, id: &str) -> Result<(), StoreError> {
    match load_directory(conn, project_id, id)? {
        Some(_) => Ok(()),
        None => Err(directory_not_found(id).into()),
    }
}

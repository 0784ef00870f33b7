//! Keyset pagination: a `SELECT` ordered by (`created_at`, `id`) that starts strictly after
//! the cursor of the previous page.

use rusqlite::{Connection, Row, params_from_iter, types::Value};

use crate::page_token::Cursor;

/// A listed row with its keyset cursor.
pub type Listed<T> = (T, Cursor);

/// Which way a listing runs, and so which side of the cursor the next page lies on.
#[derive(Clone, Copy)]
pub enum Order {
    /// Batches: the latest first.
    NewestFirst,
    /// Directories and their files: in the order they were made.
    OldestFirst,
}

/// A keyset-paginated `SELECT` built from the filters that are set, so that SQLite picks
/// the index matching them (a `? IS NULL OR …` form would make it scan).
pub struct KeysetQuery {
    sql: String,
    args: Vec<Value>,
}

impl KeysetQuery {
    /// The rows of `table` whose `scope_column` is `scope` (the project, or the directory).
    pub fn new(columns: &str, table: &str, scope_column: &str, scope: &str) -> Self {
        KeysetQuery {
            sql: format!("SELECT {columns} FROM {table} WHERE {scope_column} = ?"),
            args: vec![Value::Text(scope.to_owned())],
        }
    }

    /// Adds a condition with one `?`, bound to `value`.
    pub fn filter(&mut self, condition: &str, value: impl Into<Value>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self.args.push(value.into());
    }

    /// Keeps the rows whose `column` is one of `values` (which must not be empty).
    pub fn filter_in(&mut self, column: &str, values: &[String]) {
        let marks = vec!["?"; values.len()].join(", ");
        self.sql.push_str(&format!(" AND {column} IN ({marks})"));
        self.args.extend(values.iter().cloned().map(Value::Text));
    }

    /// Runs the query for the page after `after` (`limit` rows at most); `created_column`
    /// is the index of `created_at` among the selected columns (`id` is always first).
    pub fn run<T>(
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

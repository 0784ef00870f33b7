//! The one connection and the lock around it.

use std::{
    path::Path,
    sync::{Mutex, MutexGuard},
};

use anyhow::Context;
use rusqlite::{Connection, Transaction};

use super::{clock::Clock, error::StoreError, schema};

struct Inner {
    conn: Connection,
    clock: Clock,
}

/// The database.
pub struct Store {
    inner: Mutex<Inner>,
    /// Told when a webhook event is recorded or a delivery attempt ends.
    webhook_wake: tokio::sync::Notify,
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
        schema::apply(&conn)?;
        conn.set_prepared_statement_cache_capacity(64);
        let clock = Clock::resume(&conn)?;
        Ok(Store {
            inner: Mutex::new(Inner { conn, clock }),
            webhook_wake: tokio::sync::Notify::new(),
        })
    }

    /// Notified when a webhook event is recorded or a delivery attempt ends: what the
    /// webhook dispatcher waits for besides its timer.
    pub fn webhook_wake(&self) -> &tokio::sync::Notify {
        &self.webhook_wake
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are
        // atomic), so a poisoned lock is still safe to use.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the connection inside one transaction, with the clock that times its
    /// changes.
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &mut Clock) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut inner = self.lock();
        let Inner { conn, clock } = &mut *inner;
        let tx = conn.transaction()?;
        let value = f(&tx, clock)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` on the connection outside a transaction: for a single statement, or reads
    /// that need no snapshot beyond holding the lock.
    pub fn with_connection<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        f(&self.lock().conn)
    }
}

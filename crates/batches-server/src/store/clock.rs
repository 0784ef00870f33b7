//! Stored time: microseconds since the epoch, handed out strictly increasing.

use batches_types::{DateTime, Utc};
use rusqlite::Connection;

/// Microseconds since the epoch.
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

/// The instant a stored timestamp stands for.
pub fn to_datetime(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// Hands out the times of changes: now, or just after the last one handed out, so creation
/// times are strictly increasing and a new row always sorts before (newest first) every row
/// that existed when a listing began.
pub struct Clock {
    last_micros: i64,
}

impl Clock {
    /// A clock that starts after every creation time already stored.
    pub fn resume(conn: &Connection) -> rusqlite::Result<Clock> {
        let last_micros = conn.query_row(
            "SELECT MAX(m) FROM (SELECT MAX(created_at) AS m FROM batches
             UNION ALL SELECT MAX(created_at) FROM directory_files
             UNION ALL SELECT MAX(created_at) FROM directories)",
            [],
            |row| Ok(row.get::<_, Option<i64>>(0)?.unwrap_or(0)),
        )?;
        Ok(Clock { last_micros })
    }

    /// The next timestamp: now, or just after the last one handed out.
    pub fn tick(&mut self) -> i64 {
        self.last_micros = now_micros().max(self.last_micros + 1);
        self.last_micros
    }
}

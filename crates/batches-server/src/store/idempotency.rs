//! Idempotency keys: a create repeated with the same `Idempotency-Key` and the same body
//! returns the batch the first one created.

use rusqlite::{Connection, OptionalExtension};

use super::error::StoreError;
use crate::rules::Refusal;

/// The batch an earlier create with this key made, if any; refused when that create sent
/// another body. `canonical` is the request body with its object keys sorted.
pub fn earlier_batch(
    conn: &Connection,
    project_id: &str,
    key: &str,
    canonical: &str,
) -> Result<Option<String>, StoreError> {
    let earlier: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT request, batch_id FROM idempotency_keys
             WHERE project_id = ? AND key = ?",
        )?
        .query_row([project_id, key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match earlier {
        Some((earlier_request, _)) if earlier_request != canonical => {
            Err(Refusal::Conflict(format!(
                "Idempotency-Key {key:?} was already used with a different request \
                 body; use a new key for a different batch"
            ))
            .into())
        }
        Some((_, batch_id)) => Ok(Some(batch_id)),
        None => Ok(None),
    }
}

/// Records that the create with this key and body made `batch_id`.
pub fn remember(
    conn: &Connection,
    project_id: &str,
    key: &str,
    canonical: &str,
    batch_id: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO idempotency_keys (project_id, key, request, batch_id)
         VALUES (?, ?, ?, ?)",
    )?
    .execute([project_id, key, canonical, batch_id])?;
    Ok(())
}

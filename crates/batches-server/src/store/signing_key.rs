//! Signing keys, made once per database and kept in it, so that what they signed (page
//! tokens) stays valid across restarts on the same file.

use rusqlite::OptionalExtension;

use super::{connection::Store, error::StoreError};
use crate::page_token::KEY_LEN;

/// The name of the key that signs page tokens.
pub const PAGE_TOKEN_KEY: &str = "page_token";

/// The name of the key that signs presigned result URLs.
pub const RESULT_URL_KEY: &str = "result_url";

impl Store {
    /// The key called `name`, made from the operating system's randomness the first time
    /// it is asked for.
    pub fn signing_key(&self, name: &str) -> Result<[u8; KEY_LEN], StoreError> {
        self.transaction(|tx, _| {
            let stored: Option<Vec<u8>> = tx
                .query_row(
                    "SELECT key FROM signing_keys WHERE name = ?",
                    [name],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(key) = stored.and_then(|key| <[u8; KEY_LEN]>::try_from(key).ok()) {
                return Ok(key);
            }
            let key: [u8; KEY_LEN] = rand::random();
            tx.execute(
                "INSERT OR REPLACE INTO signing_keys (name, key) VALUES (?, ?)",
                rusqlite::params![name, key.as_slice()],
            )?;
            Ok(key)
        })
    }
}

//! Why a store operation did not happen. The HTTP layer decides which response each
//! reason is (in `error.rs`).

use crate::rules::Refusal;

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A rule refused it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] rusqlite::Error),
}

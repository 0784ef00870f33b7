//! Why a store operation did not happen, and the API error each reason is.

use axum::http::StatusCode;

use crate::{error::ApiError, rules::Refusal};

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

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(refusal) => refusal.into(),
            StoreError::Database(error) => {
                tracing::error!(%error, "database error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal database error")
            }
        }
    }
}

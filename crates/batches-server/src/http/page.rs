//! The pages of every listing and their tokens.

use axum::http::StatusCode;

use crate::{
    error::ApiError,
    page_token::{Cursor, PageTokens},
    store::Listed,
};

/// The cursor in a page token, or a 400 saying why the token does not fit this listing.
pub fn decode_token(
    tokens: &PageTokens,
    token: Option<String>,
    listing: u64,
) -> Result<Option<Cursor>, ApiError> {
    token
        .map(|token| tokens.decode(&token, listing))
        .transpose()
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.detail()))
}

/// The envelope of every listing: `{items, next_page_token?}`, the shape of
/// `BatchQueryResponse` (`total_size` is never sent).
#[derive(serde::Serialize)]
pub struct Page<T> {
    items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
}

/// Splits `page_size + 1` listed rows into the page and the token of the next one.
pub fn page<T>(
    tokens: &PageTokens,
    mut rows: Vec<Listed<T>>,
    page_size: i64,
    listing: u64,
) -> Page<T> {
    let more = rows.len() as i64 > page_size;
    rows.truncate(page_size as usize);
    let next_page_token = more
        .then(|| {
            rows.last()
                .map(|(_, cursor)| tokens.encode(listing, cursor))
        })
        .flatten();
    Page {
        items: rows.into_iter().map(|(item, _)| item).collect(),
        next_page_token,
    }
}

#[cfg(test)]
mod tests {
    use batches_types::{Batch, BatchConfig, BatchQueryResponse, JobConfig, JobType};

    use super::*;

    #[test]
    fn a_page_of_stored_batches_is_a_batch_query_response() {
        let batch = Batch::new(
            "bat-1",
            BatchConfig::new(JobConfig::new("cfg-1", JobType::ParseV2)),
            "prj-1",
            "dir-1",
            "RUNNING",
        );
        let stored = serde_json::value::to_raw_value(&batch).unwrap();
        let cursor = Cursor {
            created_at: 1,
            id: "bat-1".into(),
        };
        let rows = vec![(stored.clone(), cursor.clone()), (stored, cursor)];
        let page = page(&PageTokens::new([0; 32]), rows, 1, 7);
        let decoded: BatchQueryResponse =
            serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        assert_eq!(decoded.items, vec![batch]);
        assert!(decoded.next_page_token.is_some());
        assert!(decoded.extra.is_empty(), "no field beyond the schema's");
    }
}

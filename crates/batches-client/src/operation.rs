//! The operations' names, in the API's words: what errors and logs say was attempted.

pub(crate) const LIST_BATCHES: &str = "list batches";
pub(crate) const GET_BATCH: &str = "get batch";
pub(crate) const CREATE_BATCH: &str = "create batch";
pub(crate) const CANCEL_BATCH: &str = "cancel batch";

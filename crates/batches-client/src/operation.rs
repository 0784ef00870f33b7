//! The operations' names, in the API's words: what errors and logs say was attempted.

pub(crate) const LIST_BATCHES: &str = "list batches";
pub(crate) const GET_BATCH: &str = "get batch";
pub(crate) const CREATE_BATCH: &str = "create batch";
pub(crate) const CANCEL_BATCH: &str = "cancel batch";
pub(crate) const LIST_DIRECTORIES: &str = "list directories";
pub(crate) const GET_DIRECTORY: &str = "get directory";
pub(crate) const CREATE_DIRECTORY: &str = "create directory";
pub(crate) const LIST_DIRECTORY_FILES: &str = "list directory files";
pub(crate) const UPLOAD_DIRECTORY_FILE: &str = "upload directory file";
pub(crate) const ADD_DIRECTORY_FILE: &str = "add directory file";
pub(crate) const GET_PARSE_JOB: &str = "get parse job";
pub(crate) const GET_EXTRACT_JOB: &str = "get extract job";
pub(crate) const DOWNLOAD_RESULT: &str = "download result";
pub(crate) const SAVE_PARSE_RESULT: &str = "save parse result";
pub(crate) const CREATE_WEBHOOK_CONFIG: &str = "create webhook config";
pub(crate) const LIST_WEBHOOK_CONFIGS: &str = "list webhook configs";
pub(crate) const GET_WEBHOOK_CONFIG: &str = "get webhook config";
pub(crate) const UPDATE_WEBHOOK_CONFIG: &str = "update webhook config";
pub(crate) const DELETE_WEBHOOK_CONFIG: &str = "delete webhook config";

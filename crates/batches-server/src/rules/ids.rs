//! Ids in the API's form.

/// A fresh id with the API's prefix (`bat`, `dir`, `dfl`, `pjb`, `ejb`) and a UUID body.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

//! The product's rules, as plain functions over plain values: what a batch plans for each
//! file, which configurations cannot run, how a batch moves through its lifecycle (and
//! where it would have brought a batch of the past), why a request is refused, and how
//! batch events reach webhooks. Nothing here does I/O; the store applies these rules
//! inside its transactions.

mod history;
mod ids;
mod lifecycle;
mod plan;
mod refusal;
pub mod webhooks;

pub use history::{History, PastBatch};
pub use ids::new_id;
pub use lifecycle::{DueBatch, cancel, results_shown, step};
pub use plan::{MAX_BATCH_FILES, check_file_count, plan_file, preset_mismatch};
pub use refusal::Refusal;

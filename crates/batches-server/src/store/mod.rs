//! The SQLite store: batches, directories, their files, idempotency keys, and webhooks
//! (saved configurations, each batch's events and their deliveries).
//!
//! One connection behind a mutex serves every request ([`connection`]). Statements are
//! short and cached, so the lock is held for tens of microseconds; the single writer also
//! makes every multi-statement change (create with its idempotency key, one lifecycle
//! step) atomic without retry loops. Each table has its own module; the product rules the
//! store applies come from [`crate::rules`].

mod batches;
mod clock;
mod connection;
mod directories;
mod error;
mod files;
mod idempotency;
mod jobs;
mod keyset;
mod lifecycle;
mod schema;
mod signing_key;
mod webhook_configs;
mod webhooks;

pub use batches::{BatchFilter, CreateBatch, NewBatch, batch_not_found, insert_batch};
pub use clock::{now_micros, to_datetime};
pub use connection::Store;
pub use directories::{DirectoryFilter, directory_not_found, insert_directory};
pub use error::StoreError;
pub use files::{FileFilter, NewFile, insert_file};
pub use jobs::{DueJob, JobRow, Outcome};
pub use keyset::Listed;
pub use signing_key::{PAGE_TOKEN_KEY, RESULT_URL_KEY};
pub use webhooks::{DeliveryOutcome, DeliveryStatus, DueDelivery, Expansion, WebhookDelivery};

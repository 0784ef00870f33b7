//! Serde models of the LlamaCloud Batches API (`/api/v2/batches`), of the source
//! directories batches run over (`/api/v1/beta/directories`) and of the webhooks told of
//! batch events (saved configurations, and [`WebhookEvent`], the body of a delivery).
//!
//! The models are generated at build time from `spec/batches.schema.json` by
//! `batches-codegen`; a reviewable copy is checked in as `generated/models.rs` and kept
//! fresh by `cargo xtask codegen`. Three properties hold for every model:
//!
//! - **Open enums.** [`BatchStatus`], [`JobType`], [`DirectoryType`], [`WebhookEventType`] and
//!   [`WebhookOutputFormat`] keep values this version does not know
//!   in an `Unknown` variant and serialize them back unchanged. A known value always becomes
//!   its own variant, however it arrives, so comparing with a known variant is enough.
//! - **Unknown fields survive.** Every response object has an `extra` map that collects the
//!   fields the schema does not list, so decode → encode loses nothing.
//! - **Typed timestamps.** `created_at` and `updated_at` are [`DateTime<Utc>`] instants.
//!
//! Absent and `null` optional fields both decode to `None`; `None` is left out when
//! encoding. The API gives the two the same meaning.
//!
//! ```
//! use batches_types::{Batch, BatchStatus, JobType};
//!
//! let batch: Batch = serde_json::from_str(r#"{
//!     "id": "bat-1", "project_id": "prj-1", "source_directory_id": "dir-1",
//!     "status": "PAUSED", "config": {"job": {"configuration_id": "cfg-1", "type": "parse_v2"}},
//!     "priority": 3
//! }"#)?;
//! assert!(matches!(batch.status, BatchStatus::Unknown(_)));
//! assert_eq!(batch.status.as_str(), "PAUSED");
//! assert_eq!(batch.status, BatchStatus::from("PAUSED"));
//! assert!(!batch.status.is_terminal());
//! assert_eq!(batch.config.job.type_, JobType::ParseV2);
//! assert_eq!(batch.extra["priority"], 3);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! `Unknown` holds an opaque value ([`UnknownBatchStatus`], [`UnknownJobType`]) that only
//! parsing makes, and only from a value outside `KNOWN`; code outside this crate cannot
//! build one, so there is no `Unknown` that means `RUNNING`:
//!
//! ```compile_fail,E0423
//! use batches_types::{BatchStatus, UnknownBatchStatus};
//!
//! let running = BatchStatus::Unknown(UnknownBatchStatus("RUNNING".to_owned()));
//! ```
//!
//! Nor can the unknown value of one enum move into another:
//!
//! ```compile_fail,E0308
//! use batches_types::{BatchStatus, JobType};
//!
//! if let JobType::Unknown(value) = JobType::from("RUNNING") {
//!     let running = BatchStatus::Unknown(value);
//! }
//! ```
#![warn(missing_docs)]

// The README's examples run as doctests, so what it shows keeps working.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod fingerprint;
pub mod query;

pub use fingerprint::fingerprint;

pub use chrono::{DateTime, Utc};

/// The JSON Schema the models are generated from: the copy this package carries, which
/// `cargo xtask codegen --check` keeps identical to the repository's `spec/`. For
/// front-ends that shape values by it (the Python module's attribute access).
pub const SCHEMA: &str = include_str!("../spec/batches.schema.json");

include!(concat!(env!("OUT_DIR"), "/models.rs"));

impl BatchStatus {
    /// Whether the batch has stopped for good: `COMPLETED`, `FAILED` or `CANCELLED`.
    ///
    /// An unknown status is not terminal: a client polling it keeps polling rather than
    /// reporting an end the server never announced.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            BatchStatus::Completed | BatchStatus::Failed | BatchStatus::Cancelled
        )
    }
}

impl JobStatus {
    /// Whether the job has stopped for good: `COMPLETED`, `FAILED` or `CANCELLED`.
    ///
    /// An unknown status is not terminal, as for [`BatchStatus::is_terminal`].
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// Query encoding shared by the client and the emulator.
macro_rules! query_string {
    ($($params:ty),*) => {$(
        impl $params {
            /// The percent-encoded query string (without `?`) for these parameters; empty
            /// when none is set.
            pub fn to_query_string(&self) -> String {
                query::encode(&self.to_query_pairs())
            }
        }
    )*};
}
query_string!(
    ListBatchesParams,
    GetBatchParams,
    CreateBatchParams,
    CancelBatchParams,
    CreateDirectoryParams,
    GetDirectoryParams,
    ListDirectoriesParams,
    ListDirectoryFilesParams,
    AddDirectoryFileParams,
    UploadDirectoryFileParams,
    GetParseJobParams,
    GetExtractJobParams,
    WebhookConfigParams
);

impl std::fmt::Display for ErrorDetail {
    /// A readable rendering: a message as is; 422 entries as `field: message`, joined by
    /// `"; "`; an object as compact JSON.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorDetail::Message(message) => f.write_str(message),
            ErrorDetail::Validation(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{entry}")?;
                }
                Ok(())
            }
            ErrorDetail::Object(object) => {
                write!(f, "{}", serde_json::Value::Object(object.clone()))
            }
        }
    }
}

impl std::fmt::Display for ValidationError {
    /// `field: message`, where the field is the location without the part of the request it
    /// was found in (`query`, `body`, `path`, `header`), joined with dots.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let skip = match self.loc.first() {
            Some(LocItem::Name(part))
                if self.loc.len() > 1
                    && matches!(part.as_str(), "query" | "body" | "path" | "header") =>
            {
                1
            }
            _ => 0,
        };
        let field: Vec<String> = self.loc[skip..]
            .iter()
            .map(|item| match item {
                LocItem::Name(name) => name.clone(),
                LocItem::Index(index) => index.to_string(),
            })
            .collect();
        if field.is_empty() {
            f.write_str(&self.msg)
        } else {
            write!(f, "{}: {}", field.join("."), self.msg)
        }
    }
}

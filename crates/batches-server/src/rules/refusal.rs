//! Why a request was refused, in the API's terms. The HTTP layer decides which response
//! each reason is (in `error.rs`).

/// Why a request was refused: what it names does not exist, it conflicts with the current
/// state, or it is well-formed but cannot be carried out.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// The thing named does not exist in the caller's project (a 404).
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with the current state (a 409).
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but cannot be carried out (a 422).
    #[error("{message}")]
    Unprocessable {
        /// Where in the request the problem is.
        loc: Vec<&'static str>,
        /// What is wrong.
        message: String,
    },
}

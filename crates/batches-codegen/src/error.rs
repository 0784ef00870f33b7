//! What can go wrong when generating the models.

/// Why the schema could not be turned into Rust.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The schema text is not valid JSON.
    #[error("the schema is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The schema uses a construct the generator does not support.
    #[error("{at}: {problem}")]
    Unsupported {
        /// JSON pointer-like path of the offending schema node.
        at: String,
        /// What is wrong and what is accepted instead.
        problem: String,
    },
    /// The generated tokens are not valid Rust (a bug in the generator).
    #[error("the generated code does not parse: {0}")]
    Syntax(#[from] syn::Error),
}

/// An [`Error::Unsupported`] at the schema path `at`.
pub fn unsupported(at: &str, problem: impl Into<String>) -> Error {
    Error::Unsupported {
        at: at.to_owned(),
        problem: problem.into(),
    }
}

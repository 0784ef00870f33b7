//! Where a setting's value came from: [`Source`] and [`Sourced`].

use std::fmt;

/// Where a setting came from, in order of precedence: an explicit value beats the
/// environment, which beats a profile, which beats the built-in default.
///
/// ```
/// use batches_client::Source;
///
/// assert_eq!(Source::Env("LLAMA_CLOUD_API_KEY").to_string(), "env LLAMA_CLOUD_API_KEY");
/// assert_eq!(Source::Profile("local".into()).to_string(), "profile local");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// Given explicitly: a [`ClientBuilder`](crate::ClientBuilder) method, a command-line
    /// option, the configuration of the C ABI.
    Explicit,
    /// The environment variable of this name.
    Env(&'static str),
    /// The profile of this name in a configuration file.
    Profile(String),
    /// Built in.
    Default,
}

impl Source {
    /// Higher wins; two values of equal precedence are both meant, which matters where
    /// they exclude each other (a base URL and a region).
    pub(crate) fn precedence(&self) -> u8 {
        match self {
            Source::Explicit => 3,
            Source::Env(_) => 2,
            Source::Profile(_) => 1,
            Source::Default => 0,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Explicit => f.write_str("explicit"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::Profile(name) => write!(f, "profile {name}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Sourced<T> {
    /// A value from `source`.
    pub fn new(value: T, source: Source) -> Sourced<T> {
        Sourced { value, source }
    }

    /// The same source with the value converted.
    pub fn map<U>(self, convert: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced::new(convert(self.value), self.source)
    }
}

//! How parameter values become query pairs, exactly as the official clients send them.
//!
//! Dates are RFC 3339 in UTC with a `Z` offset (`2019-12-27T18:11:19.117Z`), the form the
//! TypeScript and Go clients send; fractions of a second appear only when present. Arrays
//! repeat their key (`expand=results&expand=x`), booleans are `true` or `false`. Unset values
//! are left out. The text fields of a multipart body are encoded the same way.

use chrono::{DateTime, SecondsFormat, Utc};

/// A value that can stand in a query string.
pub trait QueryValue {
    /// Appends the pairs for this value under `key` (none for an unset value, one per
    /// element for an array).
    fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>);
}

impl QueryValue for String {
    fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>) {
        pairs.push((key, self.clone()));
    }
}

impl QueryValue for bool {
    fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>) {
        pairs.push((key, self.to_string()));
    }
}

impl QueryValue for i64 {
    fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>) {
        pairs.push((key, self.to_string()));
    }
}

impl QueryValue for DateTime<Utc> {
    fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>) {
        pairs.push((key, format_timestamp(self)));
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(value) = self {
            value.push_pairs(key, pairs);
        }
    }
}

impl<T: QueryValue> QueryValue for Vec<T> {
    fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>) {
        for value in self {
            value.push_pairs(key, pairs);
        }
    }
}

/// Formats an instant the way it is sent in a query: RFC 3339, UTC, `Z`.
///
/// ```
/// use batches_types::{query::format_timestamp, DateTime};
///
/// let t = DateTime::parse_from_rfc3339("2019-12-27T19:11:19.117+01:00").unwrap();
/// assert_eq!(format_timestamp(&t.to_utc()), "2019-12-27T18:11:19.117Z");
/// ```
pub fn format_timestamp(instant: &DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Percent-encodes query pairs (`application/x-www-form-urlencoded`, as `reqwest` and the
/// official clients do); `+` in an offset becomes `%2B`, so it is never read as a space.
pub fn encode(pairs: &[(&'static str, String)]) -> String {
    serde_urlencoded::to_string(pairs).expect("string pairs always encode")
}

//! Query-string parsing with FastAPI's validation behaviour: every problem is collected and
//! reported together as one 422; unknown parameters are ignored; a repeated scalar
//! parameter takes its last value.

use batches_types::{DateTime, Utc, ValidationError};
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Value, json};

use crate::error::{ApiError, entry};

/// Default `page_size` of every listing.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// Larger page sizes are coerced down to this.
pub const MAX_PAGE_SIZE: i64 = 1000;

/// The query parameters of one request, consumed field by field.
pub struct Query {
    pairs: Vec<(String, String)>,
    errors: Vec<ValidationError>,
}

impl Query {
    /// Parses `application/x-www-form-urlencoded` pairs.
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        Query {
            pairs,
            errors: Vec::new(),
        }
    }

    /// Every value given for `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// The last value given for `name`.
    pub fn string(&self, name: &str) -> Option<String> {
        self.pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    /// Records a 422 entry for parameter `name`.
    pub fn reject(
        &mut self,
        name: &str,
        msg: impl Into<String>,
        type_: &str,
        input: &str,
        ctx: Option<Value>,
    ) {
        self.errors
            .push(entry(&["query", name], msg, type_, Some(json!(input)), ctx));
    }

    /// An integer parameter.
    pub fn int(&mut self, name: &str) -> Option<i64> {
        let raw = self.string(name)?;
        match raw.trim().parse() {
            Ok(value) => Some(value),
            Err(_) => {
                self.reject(
                    name,
                    "Input should be a valid integer, unable to parse string as an integer",
                    "int_parsing",
                    &raw,
                    None,
                );
                None
            }
        }
    }

    /// `page_size`: default 50, at least 1, anything above 1000 read as 1000, also a
    /// number too large for 64 bits (as FastAPI, whose integers have no bound, does).
    pub fn page_size(&mut self) -> i64 {
        let too_large = self.string("page_size").is_some_and(|raw| {
            let digits = raw.trim().trim_start_matches('+');
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && digits.parse::<i64>().is_err()
        });
        if too_large {
            return MAX_PAGE_SIZE;
        }
        match self.int("page_size") {
            Some(size) if size < 1 => {
                let raw = self.string("page_size").unwrap_or_default();
                self.reject(
                    "page_size",
                    "Input should be greater than or equal to 1",
                    "greater_than_equal",
                    &raw,
                    Some(json!({"ge": 1})),
                );
                DEFAULT_PAGE_SIZE
            }
            Some(size) => size.min(MAX_PAGE_SIZE),
            None => DEFAULT_PAGE_SIZE,
        }
    }

    /// `page_token`; an empty one means the first page, as clients stop on it anyway.
    pub fn page_token(&self) -> Option<String> {
        self.string("page_token").filter(|token| !token.is_empty())
    }

    /// A boolean parameter, read as pydantic reads one.
    pub fn bool(&mut self, name: &str) -> Option<bool> {
        let raw = self.string(name)?;
        match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
            "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
            _ => {
                self.reject(
                    name,
                    "Input should be a valid boolean, unable to interpret input",
                    "bool_parsing",
                    &raw,
                    None,
                );
                None
            }
        }
    }

    /// An instant: RFC 3339; a time without offset is UTC, a bare date is its midnight UTC.
    pub fn datetime(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let raw = self.string(name)?;
        match parse_datetime(&raw) {
            Some(instant) => Some(instant),
            None => {
                self.reject(
                    name,
                    "Input should be a valid datetime: use RFC 3339, e.g. 2019-12-27T18:11:19.117Z \
                     (a time without offset is read as UTC)",
                    "datetime_parsing",
                    &raw,
                    None,
                );
                None
            }
        }
    }

    /// A value that must be one of `allowed`.
    pub fn one_of(&mut self, name: &str, allowed: &[&str]) -> Option<String> {
        let raw = self.string(name)?;
        if allowed.contains(&raw.as_str()) {
            return Some(raw);
        }
        let expected = expected_list(allowed);
        self.reject(
            name,
            format!("Input should be {expected}"),
            "enum",
            &raw,
            Some(json!({ "expected": expected })),
        );
        None
    }

    /// Every value of a repeated parameter, each of which must be one of `allowed`.
    pub fn all_of(&mut self, name: &str, allowed: &[&str]) -> Vec<String> {
        let values = self.all(name);
        let expected = expected_list(allowed);
        for value in &values {
            if !allowed.contains(&value.as_str()) {
                self.reject(
                    name,
                    format!("Input should be {expected}"),
                    "enum",
                    value,
                    Some(json!({ "expected": expected })),
                );
            }
        }
        values
    }

    /// Ends parsing: a 422 listing every problem found, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}

/// `'a', 'b' or 'c'`, pydantic's way of listing accepted values.
pub fn expected_list(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|value| format!("'{value}'")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Parses an instant the way the listing filters accept it.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    // An unencoded `+` in an offset arrives as a space; read it back as `+`.
    let raw = raw.replace(' ', "+");
    if let Ok(instant) = DateTime::parse_from_rfc3339(&raw) {
        return Some(instant.to_utc());
    }
    let raw = raw.trim_end_matches(['Z', 'z']);
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d+%H:%M:%S%.f",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(naive.and_utc());
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_accept_offsets_naive_times_and_dates() {
        let expected = "2024-05-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        for raw in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T12:00:00+02:00",
            "2024-05-01T12:00:00 02:00",
            "2024-05-01T10:00:00",
            "2024-05-01T10:00:00.000",
        ] {
            assert_eq!(parse_datetime(raw), Some(expected), "{raw}");
        }
        assert_eq!(
            parse_datetime("2024-05-01"),
            Some("2024-05-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(parse_datetime("yesterday"), None);
    }

    #[test]
    fn expected_values_read_like_pydantic() {
        assert_eq!(expected_list(&["a"]), "'a'");
        assert_eq!(expected_list(&["a", "b", "c"]), "'a', 'b' or 'c'");
    }
}

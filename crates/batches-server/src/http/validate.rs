//! Field-by-field validation of JSON bodies, collecting every problem the way FastAPI
//! (pydantic) reports them.

use batches_types::{LocItem, ValidationError};
use serde_json::Value;

use crate::error::entry;

/// A 422 entry inside an array element: `loc` is `path`, the index, then `field`.
pub fn indexed(
    path: &[&str],
    index: usize,
    field: Option<&str>,
    msg: &str,
    type_: &str,
    input: &Value,
) -> ValidationError {
    let mut entry = entry(path, msg, type_, Some(input.clone()), None);
    entry.loc.push(LocItem::Index(index as i64));
    if let Some(field) = field {
        entry.loc.push(LocItem::Name(field.to_owned()));
    }
    entry
}

/// Collects validation problems while walking a JSON body.
#[derive(Default)]
pub struct Checker {
    pub errors: Vec<ValidationError>,
}

impl Checker {
    /// The value as an object; records `missing` or `dict_type` otherwise.
    pub fn object<'a>(
        &mut self,
        value: Option<&'a Value>,
        loc: &[&str],
    ) -> Option<&'a serde_json::Map<String, Value>> {
        match value {
            None => {
                self.errors
                    .push(entry(loc, "Field required", "missing", None, None));
                None
            }
            Some(Value::Object(object)) => Some(object),
            Some(other) => {
                let msg = if loc == ["body"] {
                    "Input should be a valid dictionary or object to extract fields from"
                } else {
                    "Input should be a valid dictionary"
                };
                let type_ = if loc == ["body"] {
                    "model_attributes_type"
                } else {
                    "dict_type"
                };
                self.errors
                    .push(entry(loc, msg, type_, Some(other.clone()), None));
                None
            }
        }
    }

    /// The value as a string; records `missing` (when `required`) or `string_type`. A
    /// `null` optional value is fine.
    pub fn string<'a>(
        &mut self,
        value: Option<&'a Value>,
        loc: &[&str],
        required: bool,
    ) -> Option<&'a str> {
        match value {
            Some(Value::String(text)) => Some(text),
            None | Some(Value::Null) if !required => None,
            None => {
                self.errors
                    .push(entry(loc, "Field required", "missing", None, None));
                None
            }
            Some(other) => {
                self.errors.push(entry(
                    loc,
                    "Input should be a valid string",
                    "string_type",
                    Some(other.clone()),
                    None,
                ));
                None
            }
        }
    }

    pub fn string_at(&mut self, value: Option<&Value>, field: &str, index: usize) {
        if let Some(value) = value.filter(|value| !value.is_string()) {
            self.errors.push(indexed(
                &["body", field],
                index,
                None,
                "Input should be a valid string",
                "string_type",
                value,
            ));
        }
    }

    /// An optional array field (`null` allowed).
    pub fn optional_array<'a>(
        &mut self,
        value: Option<&'a Value>,
        field: &str,
    ) -> Option<&'a Vec<Value>> {
        match value {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(items),
            Some(other) => {
                self.errors.push(entry(
                    &["body", field],
                    "Input should be a valid list",
                    "list_type",
                    Some(other.clone()),
                    None,
                ));
                None
            }
        }
    }
}

//! Reading the caller's arguments: C strings and the JSON they carry, each failure with a
//! message that names the argument and, for JSON, the field and the position.

use std::ffi::{CStr, c_char};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::error::batches_error;

/// A required string argument.
pub(crate) fn required_str<'a>(text: *const c_char, name: &str) -> Result<&'a str, batches_error> {
    optional_str(text, name)?
        .ok_or_else(|| batches_error::invalid_argument(format!("`{name}` is NULL")))
}

/// A string argument for which NULL means "none".
pub(crate) fn optional_str<'a>(
    text: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, batches_error> {
    if text.is_null() {
        return Ok(None);
    }
    // SAFETY: a non-NULL string argument points to a NUL-terminated string that stays
    // valid for the call, as every export documents.
    let bytes = unsafe { CStr::from_ptr(text) };
    bytes.to_str().map(Some).map_err(|error| {
        batches_error::invalid_argument(format!(
            "`{name}` is not valid UTF-8 (invalid byte at offset {})",
            error.valid_up_to()
        ))
    })
}

/// A JSON object of named settings (client configuration, query parameters, wait
/// options); NULL means all defaults. Names the type does not know are refused with the
/// accepted ones, so a misspelt name cannot be silently ignored.
pub(crate) fn settings<T>(json: *const c_char, name: &str) -> Result<T, batches_error>
where
    T: DeserializeOwned + JsonSchema + Default,
{
    let Some(text) = optional_str(json, name)? else {
        return Ok(T::default());
    };
    let value: serde_json::Value = parse(text, name)?;
    let Some(object) = value.as_object() else {
        return Err(batches_error::invalid_argument(format!(
            "`{name}` must be a JSON object (or NULL for none); got {}",
            json_kind(&value)
        )));
    };
    let accepted = field_names::<T>();
    if let Some(unknown) = object.keys().find(|key| !accepted.contains(key)) {
        return Err(batches_error::invalid_argument(format!(
            "`{name}`: unknown field `{unknown}`; accepted fields: {}",
            accepted.join(", ")
        )));
    }
    check_date_times::<T>(object, name)?;
    // Parsed again from the text rather than from `value`, so errors keep their position.
    parse(text, name)
}

/// The form every date-time field takes, for messages.
const DATE_TIME_FORM: &str = "an RFC 3339 date-time with an offset, such as \
                              2026-11-01T09:30:00Z or 2026-11-01T10:30:00+01:00";

/// Refuses a date-time field that does not hold one, naming the field and the form: the
/// decoder's own message ("input contains invalid characters") names neither.
fn check_date_times<T: JsonSchema>(
    object: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<(), batches_error> {
    let schema = schemars::schema_for!(T);
    let properties = schema
        .get("properties")
        .and_then(serde_json::Value::as_object);
    for (field, property) in properties.into_iter().flatten() {
        let is_date_time =
            property.get("format").and_then(serde_json::Value::as_str) == Some("date-time");
        let given = object.get(field).and_then(serde_json::Value::as_str);
        if let Some(given) = given.filter(|_| is_date_time)
            && chrono::DateTime::parse_from_rfc3339(given).is_err()
        {
            return Err(batches_error::invalid_argument(format!(
                "`{name}`: field `{field}`: {given:?} is not {DATE_TIME_FORM}"
            )));
        }
    }
    Ok(())
}

/// A JSON document of type `T`.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, name: &str) -> Result<T, batches_error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let error = error.into_inner();
        match error.classify() {
            Category::Data if path != "." => format!("`{name}`: field `{path}`: {error}"),
            Category::Data => format!("`{name}`: {error}"),
            _ => format!("`{name}` is not valid JSON: {error}"),
        }
    });
    let value = value.map_err(batches_error::invalid_argument)?;
    deserializer.end().map_err(|error| {
        batches_error::invalid_argument(format!("`{name}` is not valid JSON: {error}"))
    })?;
    Ok(value)
}

/// The JSON names of `T`'s fields, in declaration order.
fn field_names<T: JsonSchema>() -> Vec<String> {
    let schema = schemars::schema_for!(T);
    schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;
    use std::ptr;

    use ::batches_client::{BatchStatus, CreateBatchRequest, ListBatchesParams};

    use super::*;
    use crate::error::BATCHES_INVALID_ARGUMENT;

    fn error_text(error: batches_error) -> String {
        error.message_text().to_owned()
    }

    fn list_params(json: &str) -> Result<ListBatchesParams, String> {
        let json = CString::new(json).unwrap();
        settings(json.as_ptr(), "params_json").map_err(error_text)
    }

    #[test]
    fn strings_are_checked_for_null_and_utf8() {
        let err = required_str(ptr::null(), "batch_id").unwrap_err();
        assert_eq!(err.code(), BATCHES_INVALID_ARGUMENT);
        assert_eq!(error_text(err), "`batch_id` is NULL");
        let bad = CString::new(b"bat-\xff1".to_vec()).unwrap();
        assert_eq!(
            error_text(required_str(bad.as_ptr(), "batch_id").unwrap_err()),
            "`batch_id` is not valid UTF-8 (invalid byte at offset 4)"
        );
        let good = CString::new("bat-1").unwrap();
        assert_eq!(required_str(good.as_ptr(), "batch_id").unwrap(), "bat-1");
        assert_eq!(optional_str(ptr::null(), "x").unwrap(), None);
    }

    #[test]
    fn settings_use_the_api_names() {
        let params =
            list_params(r#"{"status": "RUNNING", "page_size": 100, "page_token": null}"#).unwrap();
        assert_eq!(params.status, Some(BatchStatus::Running));
        assert_eq!(params.page_size, Some(100));
        let none: ListBatchesParams = settings(ptr::null(), "params_json").unwrap();
        assert_eq!(none, ListBatchesParams::default());
    }

    #[test]
    fn malformed_json_says_where_it_broke() {
        assert_eq!(
            list_params(r#"{"status": "RUNNING" "page_size": 1}"#).unwrap_err(),
            "`params_json` is not valid JSON: expected `,` or `}` at line 1 column 22"
        );
        assert_eq!(
            list_params("{\"page_size\": 1").unwrap_err(),
            "`params_json` is not valid JSON: EOF while parsing an object at line 1 column 15"
        );
        assert_eq!(
            list_params("{} x").unwrap_err(),
            "`params_json` is not valid JSON: trailing characters at line 1 column 4"
        );
    }

    #[test]
    fn bad_values_name_the_field() {
        assert_eq!(
            list_params(r#"{"page_size": "ten"}"#).unwrap_err(),
            "`params_json`: field `page_size`: invalid type: string \"ten\", expected i64 at \
             line 1 column 19"
        );
        assert_eq!(
            list_params(r#"{"created_at_on_or_after": "junk"}"#).unwrap_err(),
            "`params_json`: field `created_at_on_or_after`: \"junk\" is not an RFC 3339 \
             date-time with an offset, such as 2026-11-01T09:30:00Z or \
             2026-11-01T10:30:00+01:00"
        );
        assert!(
            list_params(r#"{"created_at_on_or_before": "2026-11-01T00:00:00"}"#)
                .unwrap_err()
                .contains(
                    "field `created_at_on_or_before`: \"2026-11-01T00:00:00\" is not an RFC 3339"
                )
        );
        let params =
            list_params(r#"{"created_at_on_or_after": "2026-11-01T10:30:00+01:00"}"#).unwrap();
        assert_eq!(
            params.created_at_on_or_after.unwrap().to_rfc3339(),
            "2026-11-01T09:30:00+00:00"
        );
        assert_eq!(
            list_params("[1]").unwrap_err(),
            "`params_json` must be a JSON object (or NULL for none); got an array"
        );
    }

    #[test]
    fn unknown_fields_list_the_accepted_ones() {
        assert_eq!(
            list_params(r#"{"stauts": "RUNNING"}"#).unwrap_err(),
            "`params_json`: unknown field `stauts`; accepted fields: created_at_on_or_after, \
             created_at_on_or_before, organization_id, page_size, page_token, project_id, \
             source_directory_id, status"
        );
    }

    #[test]
    fn documents_keep_the_path_of_a_bad_value() {
        let error = parse::<CreateBatchRequest>(
            r#"{"source_directory_id": "dir-1", "config": {"job": {"configuration_id": 5}}}"#,
            "request_json",
        )
        .unwrap_err();
        assert_eq!(
            error_text(error),
            "`request_json`: field `config.job.configuration_id`: invalid type: integer `5`, \
             expected a string at line 1 column 73"
        );
    }
}

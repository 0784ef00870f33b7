//! The Rust type of a property or alternative: references, nullable unions, scalars,
//! date-times, arrays and maps.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::error::{Error, unsupported};

/// A property's Rust type, and whether `null` is one of its values.
pub(crate) struct PropertyType {
    pub(crate) ty: TokenStream,
    pub(crate) nullable: bool,
}

pub(crate) fn rust_type(node: &Map<String, Value>, at: &str) -> Result<PropertyType, Error> {
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let name = reference
            .strip_prefix("#/$defs/")
            .ok_or_else(|| unsupported(at, "only local `#/$defs/...` references are supported"))?;
        let ident = format_ident!("{}", name);
        return Ok(PropertyType {
            ty: quote!(#ident),
            nullable: false,
        });
    }
    if let Some(alternatives) = node.get("anyOf").and_then(Value::as_array) {
        // `anyOf: [T, {type: null}]` is how a nullable reference is spelled.
        let (nulls, others): (Vec<&Value>, Vec<&Value>) = alternatives
            .iter()
            .partition(|alt| alt.get("type").and_then(Value::as_str) == Some("null"));
        if nulls.len() == 1 && others.len() == 1 {
            let inner = others[0]
                .as_object()
                .ok_or_else(|| unsupported(at, "an alternative must be an object"))?;
            let ty = rust_type(inner, at)?.ty;
            return Ok(PropertyType { ty, nullable: true });
        }
        return Err(unsupported(
            at,
            "an inline `anyOf` must be `[T, {\"type\": \"null\"}]`; name other unions in `$defs`",
        ));
    }
    let (type_name, nullable) = match node.get("type") {
        Some(Value::String(t)) => (t.as_str(), false),
        Some(Value::Array(types)) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            let non_null: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
            match non_null.as_slice() {
                [one] => (*one, names.len() == 2),
                _ => {
                    return Err(unsupported(
                        at,
                        "a type list must be one type, optionally with \"null\"",
                    ));
                }
            }
        }
        None => {
            return Ok(PropertyType {
                ty: quote!(serde_json::Value),
                nullable: true,
            });
        }
        Some(_) => {
            return Err(unsupported(
                at,
                "`type` must be a string or an array of strings",
            ));
        }
    };
    let ty = match type_name {
        "string" => match node.get("format").and_then(Value::as_str) {
            Some("date-time") => quote!(chrono::DateTime<chrono::Utc>),
            None => quote!(String),
            Some(other) => {
                return Err(unsupported(
                    at,
                    format!("string format `{other}` is not supported; accepted: date-time"),
                ));
            }
        },
        "integer" => quote!(i64),
        "number" => quote!(f64),
        "boolean" => quote!(bool),
        "array" => {
            let items = node
                .get("items")
                .and_then(Value::as_object)
                .ok_or_else(|| unsupported(at, "an array needs an `items` schema"))?;
            let inner = rust_type(items, &format!("{at}/items"))?.ty;
            quote!(Vec<#inner>)
        }
        "object" if node.contains_key("properties") => {
            return Err(unsupported(
                at,
                "inline objects with properties are not supported; define them in `$defs`",
            ));
        }
        "object" => match node.get("additionalProperties") {
            Some(Value::Object(values)) => {
                let inner = rust_type(values, &format!("{at}/additionalProperties"))?.ty;
                quote!(std::collections::BTreeMap<String, #inner>)
            }
            _ => quote!(serde_json::Map<String, serde_json::Value>),
        },
        other => {
            return Err(unsupported(
                at,
                format!(
                    "type `{other}` is not supported; accepted: string, integer, number, boolean, array, object"
                ),
            ));
        }
    };
    Ok(PropertyType { ty, nullable })
}

#[cfg(test)]
mod tests {
    use crate::generate_models;

    #[test]
    fn rejects_unknown_formats_naming_the_accepted_ones() {
        let schema = r#"{"$defs": {"O": {"type": "object", "properties":
            {"u": {"type": "string", "format": "uuid"}}}}}"#;
        let err = generate_models(schema).unwrap_err().to_string();
        assert!(err.contains("#/$defs/O/properties/u"), "{err}");
        assert!(err.contains("accepted: date-time"), "{err}");
    }
}

//! What the models look like, read from the JSON Schema the wire format is generated from:
//! which properties each object model declares, which of them hold another object model
//! (alone, nullable, or in an array), and which are date-times. [`crate::model`] uses it to
//! answer attribute reads the way the official SDK's models do.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// One declared property of an object model.
#[derive(Debug, Clone, Default)]
pub struct Property {
    /// The object model its value (or each item of its array) is, if any.
    pub model: Option<String>,
    /// Whether its value is a date-time string.
    pub datetime: bool,
}

/// The object models, by name, each with its declared properties.
pub fn models() -> &'static HashMap<String, HashMap<String, Property>> {
    static MODELS: OnceLock<HashMap<String, HashMap<String, Property>>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(batches_types::SCHEMA).expect("the packaged schema is JSON");
        let defs = schema["$defs"].as_object().expect("the schema has $defs");
        let is_model = |name: &str| defs[name].get("properties").is_some();
        defs.iter()
            .filter_map(|(name, def)| {
                let properties = def.get("properties")?.as_object()?;
                let properties = properties
                    .iter()
                    .map(|(property, shape)| {
                        let model = referenced(shape).filter(|name| is_model(name));
                        let datetime =
                            shape.get("format").and_then(Value::as_str) == Some("date-time");
                        (property.clone(), Property { model, datetime })
                    })
                    .collect();
                Some((name.clone(), properties))
            })
            .collect()
    })
}

/// The definition a property's shape names: directly, in `anyOf` (nullable), or as its
/// array's items.
fn referenced(shape: &Value) -> Option<String> {
    if let Some(reference) = shape.get("$ref").and_then(Value::as_str) {
        return reference.strip_prefix("#/$defs/").map(str::to_owned);
    }
    if let Some(options) = shape.get("anyOf").and_then(Value::as_array) {
        return options.iter().find_map(referenced);
    }
    shape.get("items").and_then(referenced)
}

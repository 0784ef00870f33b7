//! Object definitions: structs with `Option` for what may be absent, a flattened `extra` map
//! for fields the schema does not know, `new` for the required fields, `to_query_pairs` for
//! parameter sets and `to_form_fields` for the text fields of a multipart body.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::doc::{description, doc_attr};
use crate::error::{Error, unsupported};
use crate::rust_type::{self, PropertyType};

fn field_ident(name: &str) -> Ident {
    match name {
        // Keywords get a trailing underscore; serde renames them back.
        "type" | "match" | "ref" | "move" | "use" | "loop" | "in" | "fn" | "mod" | "self" => {
            format_ident!("{}_", name)
        }
        _ => format_ident!("{}", name),
    }
}

pub(crate) fn object(
    ident: &Ident,
    def: &Map<String, Value>,
    doc: &str,
    at: &str,
) -> Result<TokenStream, Error> {
    let empty = Map::new();
    let properties = match def.get("properties") {
        Some(Value::Object(properties)) => properties,
        Some(_) => return Err(unsupported(at, "`properties` must be an object")),
        None => &empty,
    };
    let required: Vec<&str> = def
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for name in &required {
        if !properties.contains_key(*name) {
            return Err(unsupported(
                at,
                format!("required property `{name}` is not defined"),
            ));
        }
    }
    let keeps_unknown = match def.get("additionalProperties") {
        None | Some(Value::Bool(true)) => true,
        Some(Value::Bool(false)) => false,
        Some(_) => {
            return Err(unsupported(
                at,
                "`additionalProperties` of a model must be true or false",
            ));
        }
    };
    let is_query = def.get("x-query-parameters") == Some(&Value::Bool(true));
    let is_form = def.get("x-form-fields") == Some(&Value::Bool(true));

    let mut fields = Vec::new();
    let mut required_args = Vec::new();
    let mut field_inits = Vec::new();
    let mut pair_pushes = Vec::new();
    for (name, property) in properties {
        let at = format!("{at}/properties/{name}");
        let property = property
            .as_object()
            .ok_or_else(|| unsupported(&at, "a property must be an object"))?;
        let PropertyType { ty, nullable } = rust_type::rust_type(property, &at)?;
        let field = field_ident(name);
        let rename = if field != name.as_str() {
            quote!(#[serde(rename = #name)])
        } else {
            TokenStream::new()
        };
        let field_doc = doc_attr(&description(property));
        let is_required = required.contains(&name.as_str()) && !nullable;
        if is_required {
            fields.push(quote! { #field_doc #rename pub #field: #ty });
            required_args.push(quote! { #field: impl Into<#ty> });
            field_inits.push(quote! { #field: #field.into() });
        } else {
            fields.push(quote! {
                #field_doc
                #rename
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub #field: Option<#ty>
            });
            field_inits.push(quote! { #field: None });
        }
        pair_pushes.push(quote! {
            crate::query::QueryValue::push_pairs(&self.#field, #name, &mut pairs);
        });
    }
    if keeps_unknown {
        fields.push(quote! {
            /// Fields this version of the schema does not know, kept as received so that they
            /// survive a decode and re-encode.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>
        });
        field_inits.push(quote! { extra: serde_json::Map::new() });
    }

    let derive_default = if required_args.is_empty() {
        quote!(Default,)
    } else {
        TokenStream::new()
    };
    let constructor = if required_args.is_empty() {
        TokenStream::new()
    } else {
        let new_doc =
            format!(" A `{ident}` with the required fields set and every optional field empty.");
        quote! {
            impl #ident {
                #[doc = #new_doc]
                pub fn new(#( #required_args ),*) -> Self {
                    #ident { #( #field_inits ),* }
                }
            }
        }
    };
    let query = if is_query {
        quote! {
            impl #ident {
                /// The query pairs the official clients send for these parameters, in schema
                /// order; unset parameters are left out and arrays repeat their key.
                pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
                    let mut pairs = Vec::new();
                    #( #pair_pushes )*
                    pairs
                }
            }
        }
    } else {
        TokenStream::new()
    };
    let form = if is_form {
        quote! {
            impl #ident {
                /// The text fields of the multipart body, in schema order, as `(name, value)`;
                /// unset fields are left out.
                pub fn to_form_fields(&self) -> Vec<(&'static str, String)> {
                    let mut pairs = Vec::new();
                    #( #pair_pushes )*
                    pairs
                }
            }
        }
    } else {
        TokenStream::new()
    };
    let doc = doc_attr(doc);
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #derive_default serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub struct #ident {
            #( #fields, )*
        }
        #constructor
        #query
        #form
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::generate_models;

    /// Adding an optional field to Batch in the real spec adds it to the generated type.
    #[test]
    fn a_new_schema_field_is_a_new_rust_field() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/batches.schema.json"
        );
        let mut schema: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let before = generate_models(&schema.to_string()).unwrap();
        assert!(!before.contains("pub file_count"));
        schema["$defs"]["Batch"]["properties"]["file_count"] =
            serde_json::json!({"description": "Files in the batch.", "type": "integer"});
        let after = generate_models(&schema.to_string()).unwrap();
        assert!(after.contains("/// Files in the batch.\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub file_count: Option<i64>,"), "{after}");
    }

    #[test]
    fn form_fields_are_encoded_like_query_parameters() {
        let schema = r#"{"$defs": {"F": {"type": "object", "x-form-fields": true,
            "properties": {"a": {"type": "string"}}, "additionalProperties": false}}}"#;
        let out = generate_models(schema).unwrap();
        assert!(
            out.contains("pub fn to_form_fields(&self) -> Vec<(&'static str, String)>"),
            "{out}"
        );
        assert!(!out.contains("to_query_pairs"), "{out}");
    }

    #[test]
    fn optional_and_nullable_fields_become_options() {
        let schema = r#"{"$defs": {"O": {"type": "object", "properties": {
            "a": {"type": "string"}, "b": {"type": ["string", "null"]}, "c": {"type": "integer"}},
            "required": ["a", "b"]}}}"#;
        let out = generate_models(schema).unwrap();
        assert!(out.contains("pub a: String"), "{out}");
        assert!(out.contains("pub b: Option<String>"), "{out}");
        assert!(out.contains("pub c: Option<i64>"), "{out}");
        assert!(out.contains("pub extra: serde_json::Map"), "{out}");
    }
}

//! String enums marked `x-open-enum`: the API adds values over time, so a value this
//! version does not know must not fail a whole response.
//!
//! The shape follows the AWS SDK for Rust: the enum is `#[non_exhaustive]`, and its
//! `Unknown` variant holds an opaque value (one type per enum) that only the enum's own
//! parsing creates, and only from a value outside `KNOWN`. So `Unknown` can never hold a
//! known value, and comparing with a known variant is always enough.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::doc::{description, doc_attr};
use crate::error::{Error, unsupported};

pub(crate) fn open_enum(
    ident: &Ident,
    def: &Map<String, Value>,
    doc: &str,
    at: &str,
) -> Result<TokenStream, Error> {
    if def.get("x-open-enum") != Some(&Value::Bool(true)) {
        return Err(unsupported(
            at,
            "string enums must be marked `\"x-open-enum\": true`: the API adds values over time",
        ));
    }
    let values = def
        .get("enum")
        .and_then(Value::as_array)
        .ok_or_else(|| unsupported(at, "`enum` must be an array of strings"))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| unsupported(at, "`enum` values must be strings"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let variants: Vec<Ident> = values.iter().map(|v| variant_ident(v)).collect();
    let variant_docs: Vec<String> = values.iter().map(|v| format!(" `{v}`")).collect();
    let doc = doc_attr(doc);
    let schema_description = description(def);
    let name = ident.to_string();
    let unknown = format_ident!("Unknown{}", ident);
    let unknown_summary =
        format!(" A `{name}` value this version does not know, kept exactly as received.");
    let unknown_origin = format!(
        " Only parsing a `{name}` makes one, and only from a value outside [`{name}::KNOWN`]."
    );
    Ok(quote! {
        #doc
        ///
        /// This enum is open: a value this version does not know is kept in `Unknown` and
        /// serialized back unchanged. A known value always parses to its own variant, never
        /// to `Unknown`; match the known variants and let `_` (or `as_str()`) handle the rest.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ident {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version does not know, kept exactly as received.
            Unknown(#unknown),
        }

        #[doc = #unknown_summary]
        ///
        #[doc = #unknown_origin]
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct #unknown(String);

        impl #unknown {
            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for #unknown {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl std::fmt::Display for #unknown {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl #ident {
            /// Every value this version knows, in the schema's order.
            pub const KNOWN: &'static [#ident] = &[ #( #ident::#variants ),* ];

            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #ident::#variants => #values, )*
                    #ident::Unknown(other) => other.as_str(),
                }
            }

            /// The known variant written `value` on the wire, if there is one: the only place
            /// that decides between a known variant and `Unknown`.
            fn parse_known(value: &str) -> Option<Self> {
                match value {
                    #( #values => Some(#ident::#variants), )*
                    _ => None,
                }
            }
        }

        impl From<&str> for #ident {
            fn from(value: &str) -> Self {
                #ident::parse_known(value)
                    .unwrap_or_else(|| #ident::Unknown(#unknown(value.to_owned())))
            }
        }

        impl From<String> for #ident {
            fn from(value: String) -> Self {
                #ident::parse_known(&value).unwrap_or(#ident::Unknown(#unknown(value)))
            }
        }

        impl std::str::FromStr for #ident {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(#ident::from(value))
            }
        }

        impl std::fmt::Display for #ident {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #ident {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #ident {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(#ident::from)
            }
        }

        impl schemars::JsonSchema for #ident {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #name.into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": #schema_description,
                    "type": "string",
                    "enum": [ #( #values ),* ],
                    "x-open-enum": true,
                })
            }
        }

        impl crate::query::QueryValue for #ident {
            fn push_pairs(&self, key: &'static str, pairs: &mut Vec<(&'static str, String)>) {
                pairs.push((key, self.as_str().to_owned()));
            }
        }
    })
}

fn variant_ident(value: &str) -> Ident {
    let mut name = String::new();
    for part in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    format_ident!("{}", name)
}

#[cfg(test)]
mod tests {
    use crate::generate_models;

    #[test]
    fn rejects_closed_enums_with_the_accepted_form() {
        let err = generate_models(r#"{"$defs": {"E": {"type": "string", "enum": ["a"]}}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("#/$defs/E"), "{err}");
        assert!(err.contains("x-open-enum"), "{err}");
    }

    /// Nothing outside the generated crate can put a value in `Unknown`: the opaque type has
    /// a private field and no public constructor, and each enum has its own.
    #[test]
    fn unknown_holds_an_opaque_value_of_its_own_type() {
        let schema = r#"{"$defs": {"Color": {"type": "string", "enum": ["red", "light-blue"],
            "x-open-enum": true}}}"#;
        let out = generate_models(schema).unwrap();
        assert!(out.contains("#[non_exhaustive]\npub enum Color {"), "{out}");
        assert!(out.contains("    Unknown(UnknownColor),\n"), "{out}");
        assert!(out.contains("pub struct UnknownColor(String);"), "{out}");
        assert!(out.contains("    LightBlue,\n"), "{out}");
        assert!(!out.contains("pub fn new"), "{out}");
    }
}

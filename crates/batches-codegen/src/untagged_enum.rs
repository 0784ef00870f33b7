//! `anyOf` of titled alternatives: an untagged enum, one variant per title, so each shape the
//! API sends for one field decodes to a named case.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::doc::{description, doc_attr};
use crate::error::{Error, unsupported};
use crate::rust_type;

pub(crate) fn untagged_enum(
    ident: &Ident,
    alternatives: &Value,
    doc: &str,
    at: &str,
) -> Result<TokenStream, Error> {
    let alternatives = alternatives
        .as_array()
        .ok_or_else(|| unsupported(at, "`anyOf` must be an array"))?;
    let mut variants = Vec::new();
    for (i, alternative) in alternatives.iter().enumerate() {
        let at = format!("{at}/anyOf/{i}");
        let alternative = alternative
            .as_object()
            .ok_or_else(|| unsupported(&at, "an alternative must be an object"))?;
        let title = alternative
            .get("title")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                unsupported(
                    &at,
                    "each alternative needs a `title`: it names the variant",
                )
            })?;
        let variant = format_ident!("{}", title);
        let ty = rust_type::rust_type(alternative, &at)?.ty;
        let variant_doc = doc_attr(&description(alternative));
        variants.push(quote! { #variant_doc #variant(#ty) });
    }
    let doc = doc_attr(doc);
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(untagged)]
        pub enum #ident {
            #( #variants, )*
        }
    })
}

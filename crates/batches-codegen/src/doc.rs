//! Schema descriptions as the documentation of the generated items.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

/// A schema node's `description`, empty when it has none.
pub fn description(node: &Map<String, Value>) -> String {
    node.get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `doc` as `#[doc]` attributes, one per line; nothing for an empty text.
pub fn doc_attr(doc: &str) -> TokenStream {
    if doc.is_empty() {
        return TokenStream::new();
    }
    // A leading space keeps prettyplease's `///` rendering readable.
    let lines = doc.lines().map(|line| format!(" {line}"));
    quote! { #( #[doc = #lines] )* }
}

//! A document as a parse job reads it: [`Document`] and its [`Page`]s, and the items of a
//! page's Markdown. What the readers of each kind of file (`text`, `pdf`) make, and what
//! `extract` reads.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Page size (points) of a document without pages of its own: US Letter.
pub(super) const LETTER: (f64, f64) = (612.0, 792.0);

/// A document as a parse job reads it: its pages, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// One entry per page.
    pub pages: Vec<Page>,
}

/// One page: read, or failed with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Page {
    /// A page that was read.
    Read {
        /// Its text.
        text: String,
        /// Its Markdown.
        markdown: String,
        /// Its items (`text`, `heading`, `table`), as the API shapes them.
        items: Vec<Value>,
        /// Width in points.
        width: f64,
        /// Height in points.
        height: f64,
    },
    /// A page whose content could not be read.
    Failed {
        /// Why.
        error: String,
    },
}

impl Document {
    /// The whole Markdown: the pages' joined by a blank line (a failed page adds nothing).
    pub fn markdown_full(&self) -> String {
        self.join(|page| match page {
            Page::Read { markdown, .. } => Some(markdown),
            Page::Failed { .. } => None,
        })
    }

    /// The whole text, joined as [`markdown_full`](Self::markdown_full) joins.
    pub fn text_full(&self) -> String {
        self.join(|page| match page {
            Page::Read { text, .. } => Some(text),
            Page::Failed { .. } => None,
        })
    }

    fn join<'a>(&'a self, part: impl Fn(&'a Page) -> Option<&'a String>) -> String {
        let parts: Vec<&str> = self
            .pages
            .iter()
            .filter_map(part)
            .map(String::as_str)
            .collect();
        parts.join("\n\n")
    }
}

/// The items of Markdown text: blocks separated by blank lines, a block starting with `#`
/// a heading, any other a text item.
pub(super) fn items(markdown: &str) -> Vec<Value> {
    markdown
        .split("\n\n")
        .map(str::trim)
        .filter(|block| !block.is_empty())
        .map(|block| {
            let level = block.chars().take_while(|c| *c == '#').count();
            if (1..=6).contains(&level) && block[level..].starts_with(' ') && !block.contains('\n')
            {
                let value = block[level..].trim();
                serde_json::json!({"type": "heading", "level": level, "value": value, "md": block})
            } else {
                serde_json::json!({"type": "text", "value": block, "md": block})
            }
        })
        .collect()
}

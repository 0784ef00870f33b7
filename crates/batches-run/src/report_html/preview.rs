//! The documents shown in the page: each output's text, read from the export folder, cut
//! at a size per file and a size for the page, so a run of 10,000 documents still makes a
//! page a browser opens quickly.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use super::escape::relative_href;

/// The most text embedded for one document.
pub const PREVIEW_BYTES: usize = 64 * 1024;
/// The most text embedded for all documents together; outputs past it are linked only.
pub const PREVIEWS_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// The start of an output's text, as embedded in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The text (at most [`PREVIEW_BYTES`], cut at a character boundary).
    pub text: String,
    /// Whether the document is longer than `text`.
    pub truncated: bool,
}

/// Reads the previews of `outputs` (paths relative to `dir`), in order, within the total
/// cap. An output that is not a regular file under `dir` (missing, a link, a path leaving
/// the folder) or not UTF-8 text has none.
pub fn read_previews<'a>(
    dir: &Path,
    outputs: impl IntoIterator<Item = Option<&'a str>>,
) -> Vec<Option<Preview>> {
    let mut budget = PREVIEWS_TOTAL_BYTES;
    outputs
        .into_iter()
        .map(|output| {
            let preview = read_preview(dir, output?, budget.min(PREVIEW_BYTES))?;
            budget -= preview.text.len();
            Some(preview)
        })
        .collect()
}

/// The first `cap` bytes of `DIR/output` as text, when it is a regular UTF-8 file inside
/// the folder.
fn read_preview(dir: &Path, output: &str, cap: usize) -> Option<Preview> {
    if cap == 0 {
        return None;
    }
    // The same rule as the link: nothing outside the folder is read.
    relative_href(output)?;
    let path = dir.join(output);
    if !fs::symlink_metadata(&path).ok()?.file_type().is_file() {
        return None;
    }
    let mut bytes = Vec::with_capacity(cap.min(8192) + 1);
    File::open(&path)
        .ok()?
        .take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    let truncated = bytes.len() > cap;
    bytes.truncate(cap);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        // Cut inside a character: keep what precedes it. Invalid elsewhere: not text.
        Err(error) if truncated && error.utf8_error().error_len().is_none() => {
            let valid = error.utf8_error().valid_up_to();
            let mut bytes = error.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).ok()?
        }
        Err(_) => return None,
    };
    Some(Preview { text, truncated })
}

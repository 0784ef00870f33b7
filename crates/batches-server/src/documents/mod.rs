//! What a job makes of a file: its pages' text, Markdown and items, read from the uploaded
//! bytes (the same bytes always give the same document), the fields an extract preset
//! finds in it, and what it costs. Plain functions, no I/O.

mod extract;
mod model;
mod pdf;
mod pricing;
mod text;

use std::path::Path;

pub use extract::extract;
pub use model::{Document, Page};
pub use pricing::{extract_pricing, parse_pricing};

use model::LETTER;

/// How a file is read, by the lower-case extension of its name.
enum Kind {
    Text,
    Table(u8),
    Pdf,
    Image,
}

fn kind(file_name: &str) -> Result<Kind, String> {
    let extension = Path::new(file_name)
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    Ok(match extension.as_str() {
        "md" | "markdown" | "txt" | "text" | "html" | "htm" | "json" | "xml" => Kind::Text,
        "csv" => Kind::Table(b','),
        "tsv" => Kind::Table(b'\t'),
        "pdf" => Kind::Pdf,
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "tiff" | "tif" | "webp" => Kind::Image,
        _ => {
            return Err(format!(
                "{file_name}: the emulator reads the text of Markdown, text, HTML, JSON, XML, \
                 CSV, TSV and PDF files and images (as one page without text), not .{extension} files"
            ));
        }
    })
}

/// Reads `bytes`, named `file_name`: text-like files give their text as one page, CSV and
/// TSV a Markdown table, a PDF the text of each page, an image one page without text. A
/// file that cannot be read is an error saying why.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Document, String> {
    let pages = match kind(file_name)? {
        Kind::Text => vec![text::page(&text::decode(bytes))],
        Kind::Table(separator) => vec![text::table(&text::decode(bytes), separator)],
        Kind::Pdf => pdf::pages(bytes)
            .map_err(|reason| format!("{file_name} is not a PDF that can be read: {reason}"))?,
        Kind::Image => vec![Page::Read {
            text: String::new(),
            markdown: String::new(),
            items: Vec::new(),
            width: LETTER.0,
            height: LETTER.1,
        }],
    };
    Ok(Document { pages })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn read_page(name: &str, bytes: &[u8]) -> (String, String, Vec<Value>) {
        let document = read(name, bytes).unwrap();
        assert_eq!(document.pages.len(), 1, "{name}");
        match document.pages.into_iter().next().unwrap() {
            Page::Read {
                text,
                markdown,
                items,
                ..
            } => (text, markdown, items),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn text_like_files_give_their_text_as_one_page() {
        let notes = "# Planning meeting\n\n- Ship it\n- Parse the invoices\n";
        for name in [
            "notes.md",
            "notes.TXT",
            "page.html",
            "data.json",
            "feed.xml",
        ] {
            let (text, markdown, _) = read_page(name, notes.as_bytes());
            assert_eq!(text, notes, "{name}");
            assert_eq!(markdown, notes, "{name}");
        }
        let (_, _, items) = read_page("notes.md", notes.as_bytes());
        assert_eq!(items[0]["type"], "heading");
        assert_eq!(items[0]["level"], 1);
        assert_eq!(items[0]["value"], "Planning meeting");
        assert_eq!(items[1]["type"], "text");
        // A byte-order mark is not text; bytes that are not UTF-8 are replaced, not lost.
        let (text, _, _) = read_page("bom.txt", b"\xEF\xBB\xBFhello \xFF");
        assert_eq!(text, "hello \u{FFFD}");
    }

    #[test]
    fn an_image_is_one_page_without_text_and_other_types_are_refused() {
        let (text, markdown, items) = read_page("scan.PNG", b"\x89PNG\r\n");
        assert_eq!((text.as_str(), markdown.as_str()), ("", ""));
        assert!(items.is_empty());
        let error = read("slides.pptx", b"PK").unwrap_err();
        assert!(
            error.starts_with("slides.pptx: the emulator reads"),
            "{error}"
        );
        assert!(error.ends_with("not .pptx files"), "{error}");
    }

    #[test]
    fn the_full_documents_join_the_read_pages_with_a_blank_line() {
        let page = |text: &str| Page::Read {
            text: text.into(),
            markdown: format!("*{text}*"),
            items: Vec::new(),
            width: 1.0,
            height: 1.0,
        };
        let document = Document {
            pages: vec![
                page("one"),
                Page::Failed {
                    error: "bad".into(),
                },
                page("three"),
            ],
        };
        assert_eq!(document.text_full(), "one\n\nthree");
        assert_eq!(document.markdown_full(), "*one*\n\n*three*");
    }
}

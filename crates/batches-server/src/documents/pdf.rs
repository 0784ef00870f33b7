//! PDFs, read with `pdf-extract` (over `lopdf`): the text of each page, laid out by the
//! glyphs' positions and widths, the fonts' encodings decoded (Type1, TrueType, CFF,
//! ToUnicode maps), ligatures spelled out.
//!
//! Why `pdf-extract`: it decodes what real producers write (pdfTeX's Type1 fonts with
//! custom encodings, office suites' TrueType subsets with WinAnsi) and places line breaks
//! and spaces from the glyphs' positions. `lopdf`'s own text extraction keeps neither
//! (a pdfTeX page comes out as one line, ligatures as `ﬁ`), and `pdf` (pdf-rs) has no
//! text layer. `pdf-extract` does not know the `'` and `"` text operators, which some
//! hand-written PDFs use (the repository's samples among them), so pages using them are
//! rewritten with the equivalent `T*` and `Tj` first.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pdf_extract::content::{Content, Operation};
use pdf_extract::{Document, Object, ObjectId, PlainTextOutput, output_doc_page};

use super::model::{LETTER, Page, items};

/// Every page of the PDF in `bytes`, in order; a page whose content cannot be read is a
/// failed page. A file that is not a PDF that can be opened is an error saying why.
pub(super) fn pages(bytes: &[u8]) -> Result<Vec<Page>, String> {
    let mut pdf = catch_unwind(|| Document::load_mem(bytes))
        .map_err(|_| "its structure could not be read".to_owned())?
        .map_err(|error| error.to_string())?;
    if pdf.is_encrypted() {
        pdf.decrypt("")
            .map_err(|_| "it is encrypted with a password".to_owned())?;
    }
    let numbered: Vec<(u32, ObjectId)> = pdf.get_pages().into_iter().collect();
    if numbered.is_empty() {
        return Err("it has no pages".to_owned());
    }
    for (_, page) in &numbered {
        spell_out_quote_operators(&mut pdf, *page);
    }
    Ok(numbered
        .iter()
        .map(|(number, page)| read_page(&pdf, *number, *page))
        .collect())
}

fn read_page(pdf: &Document, number: u32, page: ObjectId) -> Page {
    let mut text = String::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut output = PlainTextOutput::new(&mut text);
        output_doc_page(pdf, &mut output, number)
    }));
    match outcome {
        Ok(Ok(())) => {
            let text = tidy(&text);
            let (width, height) = media_box(pdf, page).unwrap_or(LETTER);
            Page::Read {
                items: items(&text),
                markdown: text.clone(),
                text,
                width,
                height,
            }
        }
        Ok(Err(error)) => Page::Failed {
            error: format!("page {number} could not be read: {error}"),
        },
        Err(_) => Page::Failed {
            error: format!("page {number} could not be read: its content is malformed"),
        },
    }
}

/// The extracted text without trailing spaces on its lines, runs of blank lines kept to
/// one, and no blank lines at its start or end.
fn tidy(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && lines.last().is_none_or(|last| last.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|line| line.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// Rewrites `'` (next line, show) and `"` (set spacing, next line, show) as the operators
/// they stand for, on a page that uses them.
fn spell_out_quote_operators(pdf: &mut Document, page: ObjectId) {
    let Ok(content) = pdf.get_and_decode_page_content(page) else {
        return;
    };
    if !content
        .operations
        .iter()
        .any(|operation| matches!(operation.operator.as_str(), "'" | "\""))
    {
        return;
    }
    let mut operations = Vec::with_capacity(content.operations.len());
    for operation in content.operations {
        match (operation.operator.as_str(), operation.operands.as_slice()) {
            ("'", [text]) => {
                operations.push(Operation::new("T*", vec![]));
                operations.push(Operation::new("Tj", vec![text.clone()]));
            }
            ("\"", [word_spacing, char_spacing, text]) => {
                operations.push(Operation::new("Tw", vec![word_spacing.clone()]));
                operations.push(Operation::new("Tc", vec![char_spacing.clone()]));
                operations.push(Operation::new("T*", vec![]));
                operations.push(Operation::new("Tj", vec![text.clone()]));
            }
            _ => operations.push(operation),
        }
    }
    if let Ok(encoded) = (Content { operations }).encode() {
        let _ = pdf.change_page_content(page, encoded);
    }
}

/// The page's width and height in points, from its (possibly inherited) `MediaBox`.
fn media_box(pdf: &Document, page: ObjectId) -> Option<(f64, f64)> {
    let mut node = pdf.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(Object::Array(corners)) = node.get(b"MediaBox") {
            let numbers: Vec<f64> = corners
                .iter()
                .filter_map(|corner| match corner {
                    Object::Integer(n) => Some(*n as f64),
                    Object::Real(n) => Some(f64::from(*n)),
                    _ => None,
                })
                .collect();
            if let [x0, y0, x1, y1] = numbers[..] {
                return Some(((x1 - x0).abs(), (y1 - y0).abs()));
            }
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = pdf.get_dictionary(parent).ok()?;
    }
    None
}

//! Text-like files (one page of their text) and CSV or TSV files (one page holding a
//! Markdown table).

use serde_json::{Value, json};

use super::model::{LETTER, Page, items};

/// The bytes as text: a UTF-8 byte-order mark dropped, invalid bytes replaced by U+FFFD.
pub(super) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// One page whose text and Markdown are `text`.
pub(super) fn page(text: &str) -> Page {
    Page::Read {
        text: text.to_owned(),
        markdown: text.to_owned(),
        items: items(text),
        width: LETTER.0,
        height: LETTER.1,
    }
}

/// One page holding the rows of a CSV (or TSV, by `separator`) file as a Markdown table
/// (the first row its header) and as a `table` item. The text is the file's own.
pub(super) fn table(text: &str, separator: u8) -> Page {
    let mut rows = records(text, separator as char);
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut rows {
        row.resize(width, String::new());
    }
    let markdown = markdown_table(&rows);
    let item = json!({
        "type": "table",
        "rows": rows.iter().map(|row| row.iter().map(|cell| cell_value(cell)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "md": markdown,
        "csv": rows.iter().map(|row| row.iter().map(|cell| csv_cell(cell)).collect::<Vec<_>>().join(",")).collect::<Vec<_>>().join("\n"),
        "html": html_table(&rows),
    });
    Page::Read {
        text: text.to_owned(),
        markdown,
        items: if rows.is_empty() {
            Vec::new()
        } else {
            vec![item]
        },
        width: LETTER.0,
        height: LETTER.1,
    }
}

/// The records of delimited text, with RFC 4180 quoting (`"a,b"`, `""` for a quote, line
/// breaks inside quotes). Blank lines are not records.
fn records(text: &str, separator: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cell.is_empty() => quoted = true,
            c if c == separator && !quoted => row.push(std::mem::take(&mut cell)),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                if row.iter().any(|cell| !cell.is_empty()) {
                    rows.push(std::mem::take(&mut row));
                }
                row.clear();
            }
            c => cell.push(c),
        }
    }
    row.push(cell);
    if row.iter().any(|cell| !cell.is_empty()) {
        rows.push(row);
    }
    rows
}

/// A Markdown table; `|` in a cell is escaped, a line break becomes `<br>`.
fn markdown_table(rows: &[Vec<String>]) -> String {
    let Some((header, body)) = rows.split_first() else {
        return String::new();
    };
    let line = |row: &[String]| {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| cell.replace('|', "\\|").replace('\n', "<br>"))
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let mut lines = vec![line(header), format!("|{}", " --- |".repeat(header.len()))];
    lines.extend(body.iter().map(|row| line(row)));
    lines.join("\n") + "\n"
}

fn html_table(rows: &[Vec<String>]) -> String {
    let escape = |cell: &str| {
        cell.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut html = String::from("<table>");
    for (index, row) in rows.iter().enumerate() {
        let tag = if index == 0 { "th" } else { "td" };
        html.push_str("<tr>");
        for cell in row {
            html.push_str(&format!("<{tag}>{}</{tag}>", escape(cell)));
        }
        html.push_str("</tr>");
    }
    html + "</table>"
}

fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// A cell as the items' `rows` hold it: a number when it reads as one, else its text.
fn cell_value(cell: &str) -> Value {
    match cell.trim().parse::<f64>() {
        Ok(number) if number.is_finite() && !cell.trim().is_empty() => json!(number),
        _ => json!(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_file_is_a_markdown_table_with_its_header() {
        let Page::Read {
            text,
            markdown,
            items,
            ..
        } = table(
            "month,revenue_eur,orders\r\n2026-07,81200,412\n\n\"Q3, total\",\"a \"\"b\"\"|c\",\n",
            b',',
        )
        else {
            panic!("a table page")
        };
        assert!(text.starts_with("month,"));
        assert_eq!(
            markdown,
            "| month | revenue_eur | orders |\n| --- | --- | --- |\n\
             | 2026-07 | 81200 | 412 |\n| Q3, total | a \"b\"\\|c |  |\n"
        );
        assert_eq!(items[0]["type"], "table");
        assert_eq!(items[0]["rows"][1], json!(["2026-07", 81200.0, 412.0]));
        assert_eq!(items[0]["rows"][2][0], "Q3, total");
        assert!(
            items[0]["html"]
                .as_str()
                .unwrap()
                .starts_with("<table><tr><th>month</th>")
        );
    }

    #[test]
    fn a_tsv_file_splits_on_tabs_and_pads_short_rows() {
        let Page::Read { markdown, .. } = table("a\tb\tc\n1\t2\n", b'\t') else {
            panic!("a table page")
        };
        assert_eq!(
            markdown,
            "| a | b | c |\n| --- | --- | --- |\n| 1 | 2 |  |\n"
        );
    }
}

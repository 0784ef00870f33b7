//! What a table shows below a job's row: a parse job's document (the whole Markdown, else
//! the whole text, else the pages' Markdown), an extract job's fields one per line.

use serde_json::Value;

use super::table::Rows;

/// Writes what follows the row of the job in `json`, for the jobs' rows; nothing else.
pub fn below(rows: Rows, json: &str, out: &mut Vec<u8>) {
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return;
    };
    let text = match rows {
        Rows::ParseJobs => document(&value),
        Rows::ExtractJobs => fields(&value["extract_result"]),
        _ => None,
    };
    if let Some(text) = text.filter(|text| !text.is_empty()) {
        out.push(b'\n');
        out.extend_from_slice(text.as_bytes());
        if !text.ends_with('\n') {
            out.push(b'\n');
        }
    }
}

fn document(result: &Value) -> Option<String> {
    for field in ["markdown_full", "text_full"] {
        if let Some(text) = result[field].as_str() {
            return Some(text.to_owned());
        }
    }
    for (field, key) in [("markdown", "markdown"), ("text", "text")] {
        if let Some(pages) = result[field]["pages"].as_array() {
            let parts: Vec<&str> = pages.iter().filter_map(|page| page[key].as_str()).collect();
            return Some(parts.join("\n\n"));
        }
    }
    None
}

fn fields(result: &Value) -> Option<String> {
    let lines: Vec<String> = match result {
        Value::Object(fields) => fields
            .iter()
            .map(|(name, value)| format!("{name}: {}", scalar(value)))
            .collect(),
        Value::Array(items) => items.iter().map(Value::to_string).collect(),
        _ => return None,
    };
    Some(lines.join("\n"))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

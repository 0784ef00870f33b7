//! YAML written from the JSON text. The text is read with jaq's reader (already linked for
//! `--transform`), which keeps integers of any size and keeps every other number as
//! written, and keeps the keys in the order sent; so nothing is lost to a decode into
//! floats or a fixed schema.

use jaq_json::Val;

/// Appends `json` as a YAML block at indentation 0.
pub fn document(json: &str, out: &mut Vec<u8>) -> Result<(), String> {
    block(&parse(json)?, 0, false, out);
    Ok(())
}

/// Appends `json` as one entry (`- …`) of a top-level sequence.
pub fn sequence_entry(json: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let value = parse(json)?;
    out.extend_from_slice(b"- ");
    block(&value, 2, true, out);
    Ok(())
}

fn parse(json: &str) -> Result<Val, String> {
    jaq_json::read::parse_single(json.as_bytes())
        .map_err(|error| format!("cannot write YAML: the JSON is malformed at {error}"))
}

/// Writes `value` as a block whose first line is already placed (after `key:` or `- `)
/// when `inline` is set, and at `indent` otherwise.
fn block(value: &Val, indent: usize, inline: bool, out: &mut Vec<u8>) {
    match value {
        Val::Obj(entries) if !entries.is_empty() => {
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 || !inline {
                    pad(out, indent);
                }
                key_text(key, out);
                out.push(b':');
                after_key(value, indent, out);
            }
        }
        Val::Arr(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 || !inline {
                    pad(out, indent);
                }
                out.extend_from_slice(b"- ");
                block(item, indent + 2, true, out);
            }
        }
        scalar => {
            if !inline {
                pad(out, indent);
            }
            inline_value(scalar, out);
            out.push(b'\n');
        }
    }
}

fn after_key(value: &Val, indent: usize, out: &mut Vec<u8>) {
    match value {
        Val::Obj(entries) if !entries.is_empty() => {
            out.push(b'\n');
            block(value, indent + 2, false, out);
        }
        Val::Arr(items) if !items.is_empty() => {
            out.push(b'\n');
            block(value, indent + 2, false, out);
        }
        scalar => {
            out.push(b' ');
            inline_value(scalar, out);
            out.push(b'\n');
        }
    }
}

fn inline_value(value: &Val, out: &mut Vec<u8>) {
    match value {
        Val::Null => out.extend_from_slice(b"null"),
        Val::Bool(true) => out.extend_from_slice(b"true"),
        Val::Bool(false) => out.extend_from_slice(b"false"),
        Val::Num(number) => out.extend_from_slice(number.to_string().as_bytes()),
        Val::TStr(text) | Val::BStr(text) => string(&String::from_utf8_lossy(text), out),
        Val::Obj(_) => out.extend_from_slice(b"{}"),
        Val::Arr(_) => out.extend_from_slice(b"[]"),
    }
}

/// An object key: JSON keys are strings; jaq's reader also takes other values as keys,
/// which are written as the string of their JSON text.
fn key_text(key: &Val, out: &mut Vec<u8>) {
    match key {
        Val::TStr(text) => string(&String::from_utf8_lossy(text), out),
        other => string(&other.to_string(), out),
    }
}

/// A string plain when YAML reads it back as the same string, double-quoted otherwise.
fn string(text: &str, out: &mut Vec<u8>) {
    if is_plain(text) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\r' => out.extend_from_slice(b"\\r"),
            // YAML allows neither C0/C1 controls nor DEL raw, nor a BOM inside a scalar.
            c if c.is_control() || c == '\u{feff}' => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buffer = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Whether `text` can be written unquoted: it starts with a letter or `_`, holds only
/// letters, digits and `_ . - /` (single inner spaces allowed), and is not a word some YAML
/// readers take for a boolean or null.
fn is_plain(text: &str) -> bool {
    const RESERVED: [&str; 10] = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan",
    ];
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | ' '))
        && !RESERVED.iter().any(|word| word.eq_ignore_ascii_case(text))
}

fn pad(out: &mut Vec<u8>, indent: usize) {
    out.resize(out.len() + indent, b' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(json: &str) -> String {
        let mut out = Vec::new();
        document(json, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn nested_values() {
        let json = r#"{"id":"bat-1","status":"RUNNING","created_at":"2026-11-01T09:30:00Z",
            "config":{"job":{"type":"parse_v2"}},"results":[{"f":"dfl-1","e":null},{"f":"dfl-2","e":"bad: \"x\"\n"}],
            "empty":{},"none":[],"n":1.50e+3,"nested":[[1,2],[]],"word":"yes","tab":"a\tb\u0001"}"#;
        assert_eq!(
            yaml(json),
            "id: bat-1\nstatus: RUNNING\ncreated_at: \"2026-11-01T09:30:00Z\"\nconfig:\n  job:\n    type: parse_v2\n\
             results:\n  - f: dfl-1\n    e: null\n  - f: dfl-2\n    e: \"bad: \\\"x\\\"\\n\"\nempty: {}\nnone: []\n\
             \"n\": 1.50e+3\nnested:\n  - - 1\n    - 2\n  - []\nword: \"yes\"\ntab: \"a\\tb\\u0001\"\n"
        );
    }

    #[test]
    fn numbers_are_kept_as_written() {
        let json = r#"{"big":123456789012345678901234567890,"neg":-9223372036854775809,
            "dec":0.1000000000000000055511151231257827,"exp":1E-7,"int":42}"#;
        assert_eq!(
            yaml(json),
            "big: 123456789012345678901234567890\nneg: -9223372036854775809\n\
             dec: 0.1000000000000000055511151231257827\nexp: 1E-7\nint: 42\n"
        );
    }

    #[test]
    fn sequence_entries_and_scalars() {
        let mut out = Vec::new();
        sequence_entry(r#"{"a":1,"b":{"c":true}}"#, &mut out).unwrap();
        sequence_entry(r#""plain text""#, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "- a: 1\n  b:\n    c: true\n- plain text\n"
        );
        assert_eq!(yaml("42"), "42\n");
        assert!(document("{\"a\":", &mut Vec::new()).is_err());
    }
}

//! YAML written straight from JSON text. Numbers are copied as written and strings keep
//! their exact contents, so nothing is lost to a decode into floats or a fixed schema.

use super::json::{skip_whitespace, string_end};

/// A JSON value, borrowed from its text.
enum Node<'a> {
    /// `null`, `true`, `false` or a number, as written.
    Scalar(&'a str),
    /// A string literal, quotes included.
    Str(&'a str),
    Seq(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

/// Appends `json` as a YAML block at indentation 0.
pub fn document(json: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let node = parse(json)?;
    block(&node, 0, false, out);
    Ok(())
}

/// Appends `json` as one entry (`- …`) of a top-level sequence.
pub fn sequence_entry(json: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let node = parse(json)?;
    out.extend_from_slice(b"- ");
    block(&node, 2, true, out);
    Ok(())
}

fn parse(json: &str) -> Result<Node<'_>, String> {
    let mut parser = Parser { text: json, pos: 0 };
    let node = parser.value()?;
    if skip_whitespace(json.as_bytes(), parser.pos) != json.len() {
        return Err("trailing characters after the JSON value".to_owned());
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&mut self) -> Option<u8> {
        self.pos = skip_whitespace(self.text.as_bytes(), self.pos);
        self.text.as_bytes().get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at byte {}", byte as char, self.pos))
        }
    }

    fn string(&mut self) -> Result<&'a str, String> {
        let start = self.pos;
        let end = string_end(self.text.as_bytes(), start);
        if end <= start + 1 || self.text.as_bytes()[end - 1] != b'"' {
            return Err(format!("unterminated string at byte {start}"));
        }
        self.pos = end;
        Ok(&self.text[start..end])
    }

    fn value(&mut self) -> Result<Node<'a>, String> {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Node::Map(entries));
                }
                loop {
                    if self.peek() != Some(b'"') {
                        return Err(format!("expected a key at byte {}", self.pos));
                    }
                    let key = self.string()?;
                    self.expect(b':')?;
                    entries.push((key, self.value()?));
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        _ => break,
                    }
                }
                self.expect(b'}')?;
                Ok(Node::Map(entries))
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Node::Seq(items));
                }
                loop {
                    items.push(self.value()?);
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        _ => break,
                    }
                }
                self.expect(b']')?;
                Ok(Node::Seq(items))
            }
            Some(b'"') => self.string().map(Node::Str),
            Some(_) => {
                let start = self.pos;
                let bytes = self.text.as_bytes();
                while self.pos < bytes.len()
                    && !matches!(bytes[self.pos], b',' | b']' | b'}')
                    && !bytes[self.pos].is_ascii_whitespace()
                {
                    self.pos += 1;
                }
                Ok(Node::Scalar(&self.text[start..self.pos]))
            }
            None => Err("unexpected end of JSON".to_owned()),
        }
    }
}

/// Writes `node` as a block whose first line is already placed (after `key:` or `- `)
/// when `inline` is set, and at `indent` otherwise.
fn block(node: &Node<'_>, indent: usize, inline: bool, out: &mut Vec<u8>) {
    match node {
        Node::Map(entries) if !entries.is_empty() => {
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 || !inline {
                    pad(out, indent);
                }
                string(key, out);
                out.push(b':');
                after_key(value, indent, out);
            }
        }
        Node::Seq(items) if !items.is_empty() => {
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

fn after_key(value: &Node<'_>, indent: usize, out: &mut Vec<u8>) {
    match value {
        Node::Map(entries) if !entries.is_empty() => {
            out.push(b'\n');
            block(value, indent + 2, false, out);
        }
        Node::Seq(items) if !items.is_empty() => {
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

fn inline_value(node: &Node<'_>, out: &mut Vec<u8>) {
    match node {
        Node::Scalar(text) => out.extend_from_slice(text.as_bytes()),
        Node::Str(literal) => string(literal, out),
        Node::Map(_) => out.extend_from_slice(b"{}"),
        Node::Seq(_) => out.extend_from_slice(b"[]"),
    }
}

/// A string plain when YAML reads it back as the same string, double-quoted otherwise.
fn string(literal: &str, out: &mut Vec<u8>) {
    let Ok(text) = serde_json::from_str::<String>(literal) else {
        // Not decodable (e.g. a lone surrogate escape): the JSON literal is also a valid
        // YAML double-quoted scalar.
        out.extend_from_slice(literal.as_bytes());
        return;
    };
    if is_plain(&text) {
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

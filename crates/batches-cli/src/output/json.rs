//! JSON text re-laid out without being decoded: only whitespace between tokens changes,
//! so numbers, escapes, key order and unknown fields stay exactly as the server sent them.

/// Appends `json` with insignificant whitespace removed.
pub fn compact(json: &str, out: &mut Vec<u8>) {
    let bytes = json.as_bytes();
    // Servers usually send compact JSON: with no byte at or below the space (JSON
    // whitespace, or a space inside a string), the text is copied as is. The check runs
    // in 64-byte blocks so that it vectorises.
    let has_space = bytes.chunks(64).any(|block| {
        block
            .iter()
            .fold(false, |found, &byte| found | (byte <= b' '))
    });
    if !has_space {
        out.extend_from_slice(bytes);
        return;
    }
    let mut run_start = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if in_string {
            match byte {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if byte == b'"' {
            in_string = true;
        } else if byte.is_ascii_whitespace() {
            out.extend_from_slice(&bytes[run_start..i]);
            run_start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[run_start..]);
}

/// Appends `json` indented by two spaces per level, starting at `level` (the first line
/// is not indented: the caller places it).
pub fn pretty(json: &str, level: usize, out: &mut Vec<u8>) {
    let bytes = json.as_bytes();
    let mut depth = level;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b'"' => {
                let end = string_end(bytes, i);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
                continue;
            }
            b'{' | b'[' => {
                let close = if byte == b'{' { b'}' } else { b']' };
                let next = skip_whitespace(bytes, i + 1);
                if bytes.get(next) == Some(&close) {
                    out.extend_from_slice(&[byte, close]);
                    i = next + 1;
                    continue;
                }
                depth += 1;
                out.push(byte);
                newline(out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(out, depth);
                out.push(byte);
            }
            b',' => {
                out.push(b',');
                newline(out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            byte if byte.is_ascii_whitespace() => {}
            byte => out.push(byte),
        }
        i += 1;
    }
}

/// The index just past the string literal that starts at `start` (a `"`).
pub fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index of the first non-whitespace byte at or after `from`.
pub fn skip_whitespace(bytes: &[u8], from: usize) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .map_or(bytes.len(), |offset| from + offset)
}

fn newline(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.resize(out.len() + 2 * depth, b' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#" { "id" : "bat-1", "n": 1.50e+3, "big": 123456789012345678901234567890,
        "s": "a \" , { [ \\", "e": {}, "a": [ ], "l": [1, {"k": [true, null]}] } "#;

    #[test]
    fn compact_changes_only_whitespace() {
        let mut out = Vec::new();
        compact(SAMPLE, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"id":"bat-1","n":1.50e+3,"big":123456789012345678901234567890,"s":"a \" , { [ \\","e":{},"a":[],"l":[1,{"k":[true,null]}]}"#
        );
    }

    #[test]
    fn pretty_indents_and_keeps_tokens() {
        let mut out = Vec::new();
        pretty(SAMPLE.trim(), 0, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "{\n  \"id\": \"bat-1\",\n  \"n\": 1.50e+3,\n  \"big\": 123456789012345678901234567890,\n  \"s\": \"a \\\" , { [ \\\\\",\n  \"e\": {},\n  \"a\": [],\n  \"l\": [\n    1,\n    {\n      \"k\": [\n        true,\n        null\n      ]\n    }\n  ]\n}"
        );
        let reparsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let original: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        assert_eq!(reparsed, original);
    }
}

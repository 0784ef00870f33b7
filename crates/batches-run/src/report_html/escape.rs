//! Text from file names, errors and documents made safe for the page: as HTML text or a
//! double-quoted attribute, as JSON inside a `<script>` block, and as a relative link.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Bytes kept as they are in a path segment: RFC 3986's unreserved characters. Everything
/// else, `:` and `%` included, is percent-encoded, so no segment can read as a scheme
/// (`javascript:`) or as an escape the file name did not hold.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` as HTML text or as the value of a double-quoted attribute.
pub fn html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// `json` made safe inside `<script type="application/json">`: `<`, `>` and `&` (so
/// neither `</script>` nor `<!--` can end or change the block) and U+2028/U+2029 (line
/// ends to older JavaScript parsers) as `\uXXXX` escapes. Outside strings JSON holds none
/// of these characters, so the result is the same JSON value.
pub fn script_json(json: &str) -> String {
    let mut escaped = String::with_capacity(json.len());
    for character in json.chars() {
        match character {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(escaped, "\\u{:04x}", u32::from(character));
            }
            _ => escaped.push(character),
        }
    }
    escaped
}

/// The link to an output written at `output` (relative to the export folder, `/`
/// separated): `./` and each segment percent-encoded. `None` for a path that would leave
/// the folder or is not relative (absolute, a drive, `..`, `.`, empty segments,
/// backslashes), so nothing but a file under the folder is ever linked.
pub fn relative_href(output: &str) -> Option<String> {
    let segments: Vec<&str> = output.split('/').collect();
    let acceptable = |segment: &&str| {
        !segment.is_empty() && *segment != "." && *segment != ".." && !segment.contains('\\')
    };
    if !segments.iter().all(acceptable) {
        return None;
    }
    let encoded: Vec<String> = segments
        .iter()
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect();
    Some(format!("./{}", encoded.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_both_quotes() {
        assert_eq!(
            html(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn script_json_hides_the_end_of_a_script_and_line_separators() {
        let json = serde_json::to_string("</script><!-- \u{2028}\u{2029} & >").unwrap();
        let escaped = script_json(&json);
        assert!(!escaped.contains('<') && !escaped.contains('>') && !escaped.contains('&'));
        assert!(!escaped.contains('\u{2028}') && !escaped.contains('\u{2029}'));
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "</script><!-- \u{2028}\u{2029} & >");
    }

    #[test]
    fn relative_href_encodes_segments_and_refuses_to_leave_the_folder() {
        assert_eq!(
            relative_href("outputs/a b/javascript:x?#%.md").as_deref(),
            Some("./outputs/a%20b/javascript%3Ax%3F%23%25.md")
        );
        assert_eq!(
            relative_href("outputs/été.md").as_deref(),
            Some("./outputs/%C3%A9t%C3%A9.md")
        );
        for refused in [
            "/etc/passwd",
            "../up.md",
            "a/../../b.md",
            "a//b.md",
            "./a.md",
            "",
            "c:\\x.md",
            "a\\..\\b",
        ] {
            assert_eq!(relative_href(refused), None, "{refused}");
        }
    }
}

//! Text from outside (the server's values, local file names, the user's arguments) made
//! safe to show on a terminal, where a control character is an instruction: ESC starts
//! sequences that set the window title, clear the screen or move the cursor, CR and LF
//! break rows, BEL rings, and the C1 characters (U+0080 to U+009F, CSI among them) act
//! like ESC sequences on some terminals. The bidirectional formatting characters
//! (U+202A to U+202E, U+2066 to U+2069, LRM, RLM and ALM) are escaped too: they print
//! nothing themselves but reorder what follows on the line, so a name holding one can
//! show another name, or push the rest of a table row out of place.

use std::borrow::Cow;
use std::fmt::Write;

/// The bidirectional formatting characters of Unicode's UAX #9: the embeddings and
/// overrides (LRE, RLE, PDF, LRO, RLO), the isolates (LRI, RLI, FSI, PDI) and the marks
/// (LRM, RLM, ALM).
const BIDI: [char; 12] = [
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}',
];

/// Whether `c` is shown escaped on a terminal: a control character (C0, DEL and C1:
/// Unicode's `Cc` category) or a bidirectional formatting character.
pub fn escaped(c: char) -> bool {
    c.is_control() || BIDI.contains(&c)
}

/// `text` with every character [`escaped`] says (controls and bidirectional formatting
/// characters) written as a visible escape, for every rendering meant for a terminal: table cells, chart
/// labels, messages, warnings, errors, hints and live lines.
///
/// The forms are Rust's and the shell's: `\n`, `\r` and `\t`; `\x1b` for any other C0
/// character or DEL (two lowercase hex digits); `\u{9b}` for a C1 character and
/// `\u{202e}` for a bidirectional one. Other text,
/// backslashes included, is left as it is, so ordinary text is never changed (and
/// borrowed); a name that holds the four characters `\x1b` therefore looks like one that
/// holds ESC, and `--format json` tells them apart. Colours the command adds itself are
/// painted around the escaped text, never passed through here.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => safe.push_str("\\n"),
            '\r' => safe.push_str("\\r"),
            '\t' => safe.push_str("\\t"),
            '\0'..='\x1f' | '\x7f' => {
                let _ = write!(safe, "\\x{:02x}", u32::from(c));
            }
            c if escaped(c) => {
                let _ = write!(safe, "\\u{{{:x}}}", u32::from(c));
            }
            c => safe.push(c),
        }
    }
    Cow::Owned(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_other_text_is_kept() {
        assert!(matches!(
            terminal_safe("plain: naïve ✓ \\x1b"),
            Cow::Borrowed("plain: naïve ✓ \\x1b")
        ));
        assert_eq!(
            terminal_safe("\x1b]0;pwned\x07a\r\nb\tc\0\x7f\u{9b}31m\u{85}\u{a0}"),
            "\\x1b]0;pwned\\x07a\\r\\nb\\tc\\x00\\x7f\\u{9b}31m\\u{85}\u{a0}"
        );
    }

    #[test]
    fn exactly_the_control_and_bidirectional_characters_are_escaped() {
        let mut count = 0;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = c.to_string();
            let safe = terminal_safe(&text);
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}');
            if c.is_control() || bidi {
                count += 1;
                assert!(
                    safe.starts_with('\\') && safe.is_ascii(),
                    "{c:?} gave {safe}"
                );
            } else {
                assert_eq!(safe, text);
            }
        }
        assert_eq!(count, 65 + 12);
    }

    #[test]
    fn a_right_to_left_override_is_shown_and_does_not_reorder_the_line() {
        assert_eq!(
            terminal_safe("invoice\u{202e}fdp.exe"),
            "invoice\\u{202e}fdp.exe"
        );
    }
}

//! Text from outside (the server's values, local file names, the user's arguments) made
//! safe to show on a terminal, where a control character is an instruction: ESC starts
//! sequences that set the window title, clear the screen or move the cursor, CR and LF
//! break rows, BEL rings, and the C1 characters (U+0080 to U+009F, CSI among them) act
//! like ESC sequences on some terminals.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (C0, DEL and C1: Unicode's `Cc` category) written
/// as a visible escape, for every rendering meant for a terminal: table cells, chart
/// labels, messages, warnings, errors, hints and live lines.
///
/// The forms are Rust's and the shell's: `\n`, `\r` and `\t`; `\x1b` for any other C0
/// character or DEL (two lowercase hex digits); `\u{9b}` for a C1 character. Other text,
/// backslashes included, is left as it is, so ordinary text is never changed (and
/// borrowed); a name that holds the four characters `\x1b` therefore looks like one that
/// holds ESC, and `--format json` tells them apart. Colours the command adds itself are
/// painted around the escaped text, never passed through here.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
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
            c if c.is_control() => {
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
    fn exactly_the_control_characters_are_escaped() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = c.to_string();
            let safe = terminal_safe(&text);
            if c.is_control() {
                assert!(
                    safe.starts_with('\\') && safe.is_ascii(),
                    "{c:?} gave {safe}"
                );
            } else {
                assert_eq!(safe, text);
            }
        }
    }
}

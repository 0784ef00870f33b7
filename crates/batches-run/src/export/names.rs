//! Safe output names: whatever a source name holds, the name written is a relative path
//! inside the output folder, portable (Windows' rules too), at most 255 bytes per part,
//! and distinct from every other output even where the folder ignores case.

use std::collections::HashSet;
use std::path::PathBuf;

/// The longest output file name, in bytes: 255 (what common file systems take) less what
/// its temporary name adds (`.` before, `.tmp-` and 8 hex digits after).
pub const MAX_NAME_BYTES: usize = 240;

/// The longest folder name, in bytes.
const MAX_FOLDER_BYTES: usize = 255;

/// Names Windows reserves whatever their extension (`CON`, `con.txt`).
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// One part of a path made safe: no separator, NUL, control character or character
/// Windows refuses (`<>:"|?*`, each `_`), not `.` or `..`, not hidden (a leading `.` gets
/// a `_` before it, so that no output looks like a temporary file), no trailing dot or
/// space, not a reserved device name (`CON` becomes `_CON`), never empty.
pub fn safe_part(raw: &str) -> String {
    let mut part: String = raw
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    // Windows drops trailing dots and spaces, which would merge `a.` with `a`.
    let kept = part.trim_end_matches(['.', ' ']).len();
    let dropped = part.len() - kept;
    part.truncate(kept);
    part.push_str(&"_".repeat(dropped));
    if part.is_empty() {
        return "_".to_owned();
    }
    let stem = part.split('.').next().unwrap_or_default();
    if part.starts_with('.')
        || RESERVED
            .iter()
            .any(|name| name.eq_ignore_ascii_case(stem.trim()))
    {
        part.insert(0, '_');
    }
    part
}

/// The parts of a source name taken as a relative path: split at separators of either
/// kind, without empty parts, `.` and `..` (so nothing leads out of the folder), each
/// part made safe.
pub fn safe_parts(raw: &str) -> Vec<String> {
    raw.split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != "." && *part != "..")
        .map(safe_part)
        .collect()
}

/// `name` cut to at most `limit` bytes (at a character boundary) when longer, with a
/// short hash of the whole name so that two long names sharing a start stay distinct;
/// `suffix` is kept after it.
pub fn shortened(name: &str, suffix: &str, limit: usize) -> String {
    if name.len() + suffix.len() <= limit {
        return format!("{name}{suffix}");
    }
    let hash = format!("~{:08x}", batches_types::fingerprint(name) as u32);
    let mut keep = limit.saturating_sub(suffix.len() + hash.len());
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}{hash}{suffix}", &name[..keep])
}

/// The names given so far in one output folder, compared as a case-insensitive file
/// system compares them, so that each new one is distinct from all of them.
#[derive(Debug, Default)]
pub struct Names {
    files: HashSet<String>,
    folders: HashSet<String>,
}

impl Names {
    /// Names that `names` never gives (the folder's own files: `manifest.jsonl`…).
    pub fn reserving(reserved: &[&str]) -> Names {
        let mut names = Names::default();
        for name in reserved {
            names.files.insert(name.to_lowercase());
        }
        names
    }

    /// Takes `relative`, an output an earlier run wrote, as it is; false when it is not
    /// a name [`give`](Self::give) could have made, or is taken already.
    pub fn claim(&mut self, relative: &str) -> bool {
        let parts = safe_parts(relative);
        let within = |part: &String| part.len() <= MAX_FOLDER_BYTES;
        if parts.join("/") != relative || !parts.iter().all(within) {
            return false;
        }
        let key = relative.to_lowercase();
        if self.files.contains(&key) || self.folders.contains(&key) {
            return false;
        }
        let mut prefix = String::new();
        for folder in &parts[..parts.len() - 1] {
            prefix.push_str(&folder.to_lowercase());
            self.folders.insert(prefix.clone());
            prefix.push('/');
        }
        self.files.insert(key);
        true
    }

    /// A new output name for the source name `raw` (a relative path; any separator),
    /// ending in `suffix` (`.md`, `.json`…): safe, within the length limits, and distinct
    /// from every name given so far, ignoring case (a `~2`, `~3`… before the suffix).
    pub fn give(&mut self, raw: &str, suffix: &str) -> PathBuf {
        let mut parts = safe_parts(raw);
        let file = parts.pop().unwrap_or_else(|| "_".to_owned());
        let folders: Vec<String> = parts
            .iter()
            .map(|part| shortened(part, "", MAX_FOLDER_BYTES))
            .collect();
        let folder_key = folders.join("/").to_lowercase();
        let mut counter = 1;
        loop {
            let tail = if counter == 1 {
                suffix.to_owned()
            } else {
                format!("~{counter}{suffix}")
            };
            let name = shortened(&file, &tail, MAX_NAME_BYTES);
            let key = if folder_key.is_empty() {
                name.to_lowercase()
            } else {
                format!("{folder_key}/{}", name.to_lowercase())
            };
            if !self.files.contains(&key) && !self.folders.contains(&key) {
                self.files.insert(key);
                let mut prefix = String::new();
                for folder in &folders {
                    prefix.push_str(&folder.to_lowercase());
                    self.folders.insert(prefix.clone());
                    prefix.push('/');
                }
                let mut path: PathBuf = folders.iter().collect();
                path.push(name);
                return path;
            }
            counter += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn give(raw: &str) -> String {
        Names::default()
            .give(raw, ".md")
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn nothing_leads_out_of_the_folder() {
        assert_eq!(give("../x"), "x.md");
        assert_eq!(give("../../etc/passwd"), "etc/passwd.md");
        assert_eq!(give("/etc/passwd"), "etc/passwd.md");
        assert_eq!(give("a\\b"), "a/b.md");
        assert_eq!(give("..\\..\\x"), "x.md");
        assert_eq!(give("C:\\Windows\\x"), "C_/Windows/x.md");
        assert_eq!(give(".."), "_.md");
        assert_eq!(give(""), "_.md");
        assert_eq!(give("a/./b"), "a/b.md");
    }

    #[test]
    fn control_characters_and_characters_windows_refuses_are_replaced() {
        assert_eq!(give("a\0b"), "a_b.md");
        assert_eq!(give("a\nb\tc\u{7f}"), "a_b_c_.md");
        assert_eq!(give("what?<*>|\":"), "what_______.md");
        assert_eq!(give("trailing. "), "trailing__.md");
        assert_eq!(give("dots..."), "dots___.md");
    }

    #[test]
    fn reserved_device_names_and_hidden_names_get_a_prefix() {
        for name in [
            "CON", "con", "NUL", "nul.txt", "COM1", "lpt9.pdf", "AUX", "PRN",
        ] {
            assert_eq!(give(name), format!("_{name}.md"), "{name}");
        }
        assert_eq!(give("CONTRACT.pdf"), "CONTRACT.pdf.md");
        assert_eq!(give("COM10"), "COM10.md");
        assert_eq!(give(".hidden"), "_.hidden.md");
        assert_eq!(give("a/.x.tmp-1"), "a/_.x.tmp-1.md");
    }

    #[test]
    fn names_differing_only_by_case_are_made_distinct() {
        let mut names = Names::default();
        assert_eq!(names.give("A.md", ".md"), PathBuf::from("A.md.md"));
        assert_eq!(names.give("a.md", ".md"), PathBuf::from("a.md~2.md"));
        assert_eq!(names.give("a.MD", ".md"), PathBuf::from("a.MD~3.md"));
        assert_eq!(names.give("Docs/x", ".md"), PathBuf::from("Docs/x.md"));
        assert_eq!(names.give("docs/X", ".md"), PathBuf::from("docs/X~2.md"));
        assert_eq!(names.give("docs/y", ".md"), PathBuf::from("docs/y.md"));
        // The same name after making it safe.
        assert_eq!(names.give("../x", ".md"), PathBuf::from("x.md"));
        assert_eq!(names.give("x", ".md"), PathBuf::from("x~2.md"));
    }

    #[test]
    fn a_file_never_takes_the_name_of_a_folder_or_a_reserved_name() {
        let mut names = Names::reserving(&["manifest.jsonl", "summary.json"]);
        assert_eq!(
            names.give("summary", ".json"),
            PathBuf::from("summary~2.json")
        );
        assert_eq!(
            names.give("SUMMARY", ".json"),
            PathBuf::from("SUMMARY~3.json")
        );
        assert_eq!(names.give("a.md/b", ".md"), PathBuf::from("a.md/b.md"));
        assert_eq!(names.give("A", ".md"), PathBuf::from("A~2.md"));
    }

    #[test]
    fn an_earlier_name_is_claimed_once_and_only_when_safe() {
        let mut names = Names::default();
        assert!(names.claim("a/b.md"));
        assert!(!names.claim("A/B.md"));
        assert!(!names.claim("../x.md"));
        assert!(!names.claim("/etc/x.md"));
        assert!(!names.claim("a"));
        assert_eq!(names.give("a/b", ".md"), PathBuf::from("a/b~2.md"));
    }

    #[test]
    fn long_names_are_shortened_keeping_the_suffix_and_staying_distinct() {
        let long = "é".repeat(150); // 300 bytes
        let mut names = Names::default();
        let first = names.give(&long, ".pdf.md").to_string_lossy().into_owned();
        assert!(first.len() <= MAX_NAME_BYTES, "{}", first.len());
        assert!(first.ends_with(".pdf.md"), "{first}");
        assert!(first.starts_with("éé"), "{first}");
        let other = format!("{}x", "é".repeat(150));
        let second = names.give(&other, ".pdf.md").to_string_lossy().into_owned();
        assert!(second.len() <= MAX_NAME_BYTES);
        assert_ne!(first, second);
        let folder = format!("{}/f", "a".repeat(300));
        let path = names.give(&folder, ".md");
        let parts: Vec<_> = path.iter().map(|p| p.len()).collect();
        assert!(parts.iter().all(|len| *len <= 255), "{parts:?}");
        assert_eq!(shortened("short", ".md", MAX_NAME_BYTES), "short.md");
        // A cut that falls inside a character moves back to its start.
        let euros = names
            .give(&"€".repeat(100), ".pdf.md")
            .to_string_lossy()
            .into_owned();
        assert!(euros.len() <= MAX_NAME_BYTES, "{}", euros.len());
        assert!(
            euros.starts_with(&"€".repeat(74)) && euros.ends_with(".pdf.md"),
            "{euros}"
        );
    }
}

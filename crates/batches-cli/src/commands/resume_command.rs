//! The exact command that resumes an upload or a run: the command line as typed, with the
//! directories it made pinned by `--directory-id`, quoted for a POSIX shell, and without
//! a secret: `--api-key`, and a `--proxy` with credentials, are left out, and a note
//! says where they come from instead.

/// The option that names the directories to upload into.
const DIRECTORY_ID: &str = "--directory-id";

pub use crate::failure::ResumeCommand;

use crate::output::terminal;

/// The command line as typed, quoted, without secrets.
pub fn same_command() -> ResumeCommand {
    resume(
        std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()),
        None,
    )
}

/// The command line as typed, without secrets, its `--directory-id` options replaced by
/// `directory_ids`.
pub fn with_directory_ids(directory_ids: &[String]) -> ResumeCommand {
    resume(
        std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()),
        Some(directory_ids),
    )
}

fn resume(args: impl Iterator<Item = String>, directory_ids: Option<&[String]>) -> ResumeCommand {
    let (args, left_out) = without_secrets(args);
    let args = match directory_ids {
        Some(ids) => replace_directory_ids(args.into_iter(), ids),
        None => args,
    };
    let note = (!left_out.is_empty()).then(|| {
        let mut note = format!(
            "{} left out of it, to keep {} off the screen: ",
            left_out.join(" and "),
            if left_out.len() == 1 {
                "a secret"
            } else {
                "secrets"
            }
        );
        let ways: Vec<&str> = left_out
            .iter()
            .map(|option| match *option {
                "--api-key" => "give the key through LLAMA_CLOUD_API_KEY or a profile's api_key",
                _ => "give the proxy through HTTPS_PROXY or a profile's proxy",
            })
            .collect();
        note.push_str(&ways.join(", and "));
        note
    });
    ResumeCommand {
        command: quoted(args),
        note,
    }
}

/// The arguments without `--api-key` and without a `--proxy` that holds credentials (in
/// either form, `--option value` or `--option=value`), and which of the two were left
/// out. Everything after `--` is a path and kept as it is.
fn without_secrets(args: impl Iterator<Item = String>) -> (Vec<String>, Vec<&'static str>) {
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--" {
            kept.push(arg);
            kept.extend(args.by_ref());
            break;
        }
        let (option, inline) = match arg.split_once('=') {
            Some((option, value)) if option.starts_with("--") => (option, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let secret = match option {
            "--api-key" => Some("--api-key"),
            "--proxy" => Some("--proxy"),
            _ => None,
        };
        let Some(secret) = secret else {
            kept.push(arg);
            continue;
        };
        let value = match inline {
            Some(value) => value,
            None => args.next().unwrap_or_default(),
        };
        if secret == "--proxy" && !has_credentials(&value) {
            kept.extend([secret.to_owned(), value]);
        } else if !left_out.contains(&secret) {
            left_out.push(secret);
        }
    }
    (kept, left_out)
}

/// Whether a proxy URL carries a user name or a password (or cannot be read, so might).
fn has_credentials(proxy: &str) -> bool {
    match url::Url::parse(proxy) {
        Ok(url) => !url.username().is_empty() || url.password().is_some(),
        Err(_) => proxy.contains('@'),
    }
}

fn replace_directory_ids(
    args: impl Iterator<Item = String>,
    directory_ids: &[String],
) -> Vec<String> {
    let mut kept = Vec::new();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--" {
            // Everything after it is a path, even one named like an option.
            kept.push(arg);
            kept.extend(args.by_ref());
            break;
        }
        if arg == DIRECTORY_ID {
            args.next();
        } else if !arg.starts_with(&format!("{DIRECTORY_ID}=")) {
            kept.push(arg);
        }
    }
    // Options go before a `--`, where clap still reads them.
    let at = kept
        .iter()
        .position(|arg| arg == "--")
        .unwrap_or(kept.len());
    let pinned = directory_ids
        .iter()
        .flat_map(|id| [DIRECTORY_ID.to_owned(), id.clone()]);
    kept.splice(at..at, pinned);
    kept
}

/// Arguments joined for a POSIX shell: single-quoted unless made only of characters the
/// shell leaves alone; one holding a control character as `$'…'` with `\xNN` escapes (the
/// ANSI-C quoting of bash, zsh, ksh and POSIX.1-2024), so
/// that the command shows no raw control character and still pastes back exactly.
fn quoted(args: impl IntoIterator<Item = String>) -> String {
    args.into_iter()
        .map(|arg| {
            let plain = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
            if plain {
                arg
            } else if arg.chars().any(terminal::escaped) {
                let mut quoted = String::from("$'");
                for c in arg.chars() {
                    match c {
                        '\\' | '\'' => {
                            quoted.push('\\');
                            quoted.push(c);
                        }
                        c if terminal::escaped(c) => {
                            let mut bytes = [0; 4];
                            for byte in c.encode_utf8(&mut bytes).bytes() {
                                quoted.push_str(&format!("\\x{byte:02x}"));
                            }
                        }
                        c => quoted.push(c),
                    }
                }
                quoted.push('\'');
                quoted
            } else {
                format!("'{}'", arg.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &[&str]) -> impl Iterator<Item = String> {
        line.iter()
            .map(|arg| (*arg).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn directory_ids_are_replaced_wherever_and_however_given() {
        let line = [
            "llamacloud",
            "batches",
            "run",
            "--directory-id",
            "dir-old",
            "docs",
            "--directory-id=dir-older",
            "--split",
        ];
        let ids = ["dir-1".to_owned(), "dir-2".to_owned()];
        assert_eq!(
            replace_directory_ids(args(&line), &ids),
            [
                "llamacloud",
                "batches",
                "run",
                "docs",
                "--split",
                "--directory-id",
                "dir-1",
                "--directory-id",
                "dir-2"
            ]
        );
        let line = ["llamacloud", "batches", "run", "--", "--directory-id"];
        assert_eq!(
            replace_directory_ids(args(&line), &ids[..1]),
            [
                "llamacloud",
                "batches",
                "run",
                "--directory-id",
                "dir-1",
                "--",
                "--directory-id"
            ]
        );
    }

    #[test]
    fn arguments_are_quoted_for_the_shell() {
        let line = ["llamacloud", "my docs", "it's", "a/b.pdf", "", "*.md"];
        assert_eq!(
            quoted(args(&line)),
            r"llamacloud 'my docs' 'it'\''s' a/b.pdf '' '*.md'"
        );
        // Control characters: ANSI-C quoting, which a shell reads back to the same bytes.
        // Bidirectional formatting characters too, which would reorder the line shown.
        let hostile = "cfg-\u{1b}[31m'red'\\\n\u{9b}\u{202e}";
        let line = quoted(args(&["x", hostile]));
        assert_eq!(line, r"x $'cfg-\x1b[31m\'red\'\\\x0a\xc2\x9b\xe2\x80\xae'");
        let output = std::process::Command::new("bash")
            .args(["-c", &format!("printf %s {}", &line[2..])])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(output.stdout).unwrap(), hostile);
    }

    #[test]
    fn secrets_are_left_out_and_the_note_says_how_to_give_them() {
        let line = [
            "llamacloud",
            "--api-key",
            "llx-secret-1",
            "batches",
            "run",
            "--api-key=llx-secret-2",
            "--proxy",
            "http://user:pw@proxy:3128",
            "docs",
            "--",
            "--api-key",
        ];
        let resumed = resume(args(&line), Some(&["dir-1".to_owned()]));
        assert_eq!(
            resumed.command,
            "llamacloud batches run docs --directory-id dir-1 -- --api-key"
        );
        assert!(!resumed.command.contains("secret") && !resumed.command.contains("pw"));
        let note = resumed.note.unwrap();
        assert!(note.starts_with("--api-key and --proxy left out"), "{note}");
        assert!(
            note.contains("LLAMA_CLOUD_API_KEY") && note.contains("HTTPS_PROXY"),
            "{note}"
        );
        // A proxy without credentials is no secret: it stays.
        let line = [
            "llamacloud",
            "--proxy=http://proxy:3128",
            "batches",
            "run",
            "docs",
        ];
        let resumed = resume(args(&line), None);
        assert_eq!(
            resumed.command,
            "llamacloud --proxy http://proxy:3128 batches run docs"
        );
        assert_eq!(resumed.note, None);
        let line = ["llamacloud", "--proxy", "http://:pw@proxy:3128", "x"];
        assert_eq!(resume(args(&line), None).command, "llamacloud x");
    }
}

//! The exact command that resumes an upload or a run: the command line as typed, with the
//! directories it made pinned by `--directory-id`, quoted for a POSIX shell.

/// The option that names the directories to upload into.
const DIRECTORY_ID: &str = "--directory-id";

/// The command line as typed, quoted.
pub fn same_command() -> String {
    quoted(std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()))
}

/// The command line as typed, its `--directory-id` options replaced by `directory_ids`.
pub fn with_directory_ids(directory_ids: &[String]) -> String {
    let args = std::env::args_os().map(|arg| arg.to_string_lossy().into_owned());
    quoted(replace_directory_ids(args, directory_ids))
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
/// shell leaves alone.
fn quoted(args: impl IntoIterator<Item = String>) -> String {
    args.into_iter()
        .map(|arg| {
            let plain = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
            if plain {
                arg
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
    }
}

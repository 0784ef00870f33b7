//! What a hostile or careless user gives `batches run` and `directories files upload`:
//! special files, names a header cannot carry, files too large to upload, one folder named
//! three ways, links out of the folder, a directory that holds other files, a rerun after
//! new files were added, and two runs at once.

use std::time::Duration;

use crate::common::{Env, code, stderr};
use crate::folders::{
    batches_over, directory_files, docs, paths, records, run_cmd, unlimited, write,
};

/// A FIFO in the folder: refused by its type, before anything opens it (opening it would
/// block for good), for a run, a dry run and an upload.
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let env = Env::with(unlimited());
    let dir = docs(2);
    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("docs/pipe.txt"))
        .status()
        .unwrap();
    assert!(status.success());
    let directory = env.directory(0);
    let upload = ["directories", "files", "upload", directory.as_str(), "docs"];
    for args in [&["docs"][..], &["docs", "--dry-run"], &upload] {
        let cmd = if args.len() > 2 {
            let mut cmd = env.std_cmd();
            cmd.current_dir(dir.path()).args(args);
            cmd
        } else {
            run_cmd(&env, dir.path(), args)
        };
        let output = assert_cmd::Command::from_std(cmd)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let message = stderr(&output);
        assert_eq!(code(&output), 2, "{args:?}: {message}");
        assert!(
            message.contains("docs/pipe.txt: not a regular file (a FIFO)"),
            "{message}"
        );
    }
    assert_eq!(env.server.counts().uploads, 0);
}

/// Control characters in a name, and a file over the upload limit: exit 2 naming them,
/// before anything is sent.
#[test]
fn names_with_control_characters_and_huge_files_are_refused_up_front() {
    let env = Env::with(unlimited());
    let dir = docs(2);
    write(dir.path(), "docs/line\nbreak.md", "x");
    write(dir.path(), "docs/carriage\rreturn.md", "x");
    // Sparse: 65 MiB on paper, nothing on disk.
    let huge = std::fs::File::create(dir.path().join("docs/huge.pdf")).unwrap();
    huge.set_len(65 * 1024 * 1024).unwrap();
    let output = run_cmd(&env, dir.path(), &["docs"]).output().unwrap();
    let message = stderr(&output);
    assert_eq!(code(&output), 2, "{message}");
    assert!(
        message.contains("3 paths cannot be uploaded; nothing was sent"),
        "{message}"
    );
    assert!(message.contains("control character (U+000A)"), "{message}");
    assert!(message.contains("control character (U+000D)"), "{message}");
    assert!(
        message.contains("docs/huge.pdf: 68157440 bytes, over the 64 MiB an upload may hold"),
        "{message}"
    );
    assert_eq!(env.server.counts().requests, 0, "nothing was sent");
}

/// `batches run t3 ./t3 t3/../t3`: every file once.
#[test]
fn one_folder_named_three_ways_is_uploaded_once() {
    let env = Env::with(unlimited());
    let dir = docs(5);
    let output = run_cmd(&env, dir.path(), &["docs", "./docs", "docs/../docs"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let results = records(&output);
    assert_eq!(results.len(), 5);
    assert_eq!(paths(&results).len(), 5);
    assert_eq!(env.server.counts().uploads, 5);
    assert!(
        stderr(&output).contains(
            "skipped ./docs/part-0/note-0000.md: the same file as docs/part-0/note-0000.md"
        )
    );
}

/// A link out of the folder is not followed unless asked; one inside it is.
#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_followed_only_when_asked() {
    let env = Env::with(unlimited());
    let dir = docs(2);
    write(dir.path(), "private/keys.txt", "secret");
    std::os::unix::fs::symlink(
        dir.path().join("private/keys.txt"),
        dir.path().join("docs/keys.txt"),
    )
    .unwrap();
    let output = run_cmd(&env, dir.path(), &["docs"]).output().unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(records(&output).len(), 2);
    assert!(
        stderr(&output).contains("skipped docs/keys.txt: a symbolic link out of the folder given"),
        "{}",
        stderr(&output)
    );
    let output = run_cmd(&env, dir.path(), &["docs", "--follow-links"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(records(&output).len(), 3);
}

/// A directory given that holds other files: refused with the count and what to do;
/// with --allow-other-files, run with a warning.
#[test]
fn a_directory_with_other_files_is_refused_without_the_flag() {
    let env = Env::with(unlimited());
    let directory = env.directory(3);
    let dir = docs(2);
    let output = run_cmd(&env, dir.path(), &["docs", "--directory-id", &directory])
        .output()
        .unwrap();
    let message = stderr(&output);
    assert_eq!(code(&output), 2, "{message}");
    assert!(
        message.contains(&format!(
            "directory {directory} holds 3 files that the paths given do not"
        )),
        "{message}"
    );
    assert!(message.contains("--allow-other-files"), "{message}");
    assert_eq!(env.server.counts().uploads, 0);
    assert!(batches_over(&env, &directory).is_empty());

    let output = run_cmd(
        &env,
        dir.path(),
        &["docs", "--directory-id", &directory, "--allow-other-files"],
    )
    .output()
    .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stderr(&output).contains("holds 3 other files, which its batch processes too"));
    assert_eq!(records(&output).len(), 2);
}

/// Run a folder into a directory, add two files, upload them, run again: the new files
/// are processed (a new batch), not reported as missing from the old one.
#[test]
fn a_rerun_after_new_files_were_uploaded_processes_them() {
    let env = Env::with(unlimited());
    let dir = docs(3);
    let directory = env.directory(0);
    let run = || {
        run_cmd(&env, dir.path(), &["docs", "--directory-id", &directory])
            .output()
            .unwrap()
    };
    assert_eq!(code(&run()), 0);
    write(dir.path(), "docs/new-1.md", "one");
    write(dir.path(), "docs/new-2.md", "two");
    let upload = env
        .cmd()
        .current_dir(dir.path())
        .args(["directories", "files", "upload", &directory, "docs"])
        .output()
        .unwrap();
    assert_eq!(code(&upload), 0, "{}", stderr(&upload));
    let output = run();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let results = records(&output);
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(|r| r["status"] == "ok"), "{results:?}");
    assert_eq!(batches_over(&env, &directory).len(), 2);
}

/// Two runs of one folder into one directory at the same time: both succeed, each file
/// is stored once and there is one batch.
#[test]
fn two_runs_at_once_into_one_directory_both_succeed() {
    let env = Env::with(unlimited());
    let dir = docs(30);
    let directory = env.directory(0);
    let start = || {
        run_cmd(
            &env,
            dir.path(),
            &[
                "docs",
                "--directory-id",
                &directory,
                "--upload-concurrency",
                "4",
            ],
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (one, two) = (start(), start());
    for child in [one, two] {
        let output = child.wait_with_output().unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    assert_eq!(directory_files(&env, &directory).len(), 30);
    assert_eq!(batches_over(&env, &directory).len(), 1);
}

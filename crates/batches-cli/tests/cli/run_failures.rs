//! `batches run` over files that cannot be uploaded: an unreadable file, a symlink loop and
//! a path that is not UTF-8 stop the run before anything is sent, naming the path; a file
//! that vanishes during the uploads fails alone, and the printed command finishes the run.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{Env, KEY, code, stderr};
use crate::folders::{
    batches_over, directory_files, docs, records, resume_command, run_cmd, unlimited, write,
};

/// Runs the command as an unprivileged user when the tests run as root, for whom no file is
/// unreadable.
fn as_unprivileged(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    // SAFETY: runs in the child between fork and exec, calling only async-signal-safe
    // functions.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

fn open_to_everyone(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_unreadable_file_stops_the_run_before_anything_is_sent() {
    let env = Env::with(unlimited());
    let dir = docs(3);
    write(dir.path(), "docs/secret.pdf", "%PDF");
    let secret = dir.path().join("docs/secret.pdf");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    for folder in ["", "docs", "docs/part-0", "docs/part-1", "docs/part-2"] {
        open_to_everyone(&dir.path().join(folder));
    }
    open_to_everyone(env.config.path());
    let mut cmd = run_cmd(&env, dir.path(), &["docs"]);
    as_unprivileged(&mut cmd);
    let output = cmd.output().unwrap();
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("a path cannot be uploaded; nothing was sent:\n  docs/secret.pdf: cannot read it: Permission denied"),
        "{message}"
    );
    assert!(message.contains("--exclude GLOB"), "{message}");
    assert_eq!(env.server.counts().requests, 0);
}

#[test]
fn a_symlink_loop_and_a_path_that_is_not_utf8_are_named() {
    use std::os::unix::ffi::OsStrExt;

    let env = Env::with(unlimited());
    let dir = docs(2);
    std::os::unix::fs::symlink("..", dir.path().join("docs/part-0/up")).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.pdf");
    std::fs::write(dir.path().join("docs").join(name), "%PDF").unwrap();
    let output = run_cmd(&env, dir.path(), &["docs"]).output().unwrap();
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("2 paths cannot be uploaded; nothing was sent"),
        "{message}"
    );
    assert!(
        message.contains("  docs/caf\\xE9.pdf: the path is not valid UTF-8"),
        "{message}"
    );
    assert!(
        message.contains("  docs/part-0/up: a symlink loop (it leads back to docs)"),
        "{message}"
    );
    assert_eq!(env.server.counts().requests, 0);

    // Left out, they are no obstacle.
    let output = run_cmd(
        &env,
        dir.path(),
        &["docs", "--exclude", "up", "--exclude", "caf*"],
    )
    .output()
    .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(records(&output).len(), 2);
}

#[test]
fn a_file_that_vanishes_during_the_uploads_fails_alone_and_a_rerun_finishes() {
    let env = Env::with(unlimited());
    let dir = docs(10);
    let last = dir.path().join("docs/part-6/note-0006.md");
    let child = run_cmd(
        &env,
        dir.path(),
        &["docs", "--upload-rate", "5/s", "--upload-concurrency", "1"],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // The paths sort by folder, so part-6 comes last; at five starts a second it is
    // reached well after the first upload.
    let deadline = Instant::now() + Duration::from_secs(120);
    while env.server.counts().uploads < 1 {
        assert!(Instant::now() < deadline, "the uploads never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::fs::remove_file(&last).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let results = records(&output);
    let failed = results.last().unwrap();
    assert_eq!(failed["path"], "docs/part-6/note-0006.md");
    assert_eq!(failed["status"], "error");
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains("cannot read docs/part-6/note-0006.md: No such file"),
        "{error}"
    );
    let message = stderr(&output);
    assert!(
        message.contains("no batch was created over dir-"),
        "{message}"
    );
    assert!(
        results[..9]
            .iter()
            .all(|r| r["status"] == "pending" && r["batch_id"].is_null()),
        "uploaded, not yet batched"
    );
    let command = resume_command(&message);
    let directory = command.rsplit(' ').next().unwrap().to_owned();
    assert_eq!(directory_files(&env, &directory).len(), 9);
    assert!(batches_over(&env, &directory).is_empty());

    // The file is gone for good: the rerun covers the files there are.
    let uploads = env.server.counts().uploads;
    let output = std::process::Command::new("sh")
        .args(["-c", &command])
        .current_dir(dir.path())
        .env("LLAMA_CLOUD_API_KEY", KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .env("XDG_CONFIG_HOME", env.config.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(env.server.counts().uploads, uploads, "nothing sent again");
    let results = records(&output);
    assert_eq!(results.len(), 9);
    assert!(results.iter().all(|r| r["status"] == "ok"));
    assert_eq!(batches_over(&env, &directory).len(), 1);
}

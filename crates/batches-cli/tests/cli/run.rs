//! `batches run`: walking, filtering, the dry run, the 1,000-file limit and `--split`,
//! results keyed by local path, the exit status of each outcome, resuming after Ctrl-C and
//! the emulator's upload rate limit.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use batches_server::{RateLimit, ServerConfig};

use crate::common::{Env, code, json, stderr};
use crate::folders::{
    batches_over, directory_files, distinct, docs, paths, records, resume_command, run_cmd,
    unlimited, write,
};

#[test]
fn hidden_and_ignored_files_are_skipped_and_every_file_is_keyed_by_its_path() {
    let env = Env::with(unlimited());
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "docs/report.pdf", "%PDF-1.7 report");
    // The same bytes at another path are another file.
    write(root, "docs/2024/report.pdf", "%PDF-1.7 report");
    write(root, "docs/notes.md", "# notes");
    write(root, "docs/archive.zip", "PK");
    write(root, "docs/.draft.md", "hidden");
    write(root, "docs/.cache/x.md", "hidden folder");
    write(root, "docs/.gitignore", "build/\n*.log\n");
    write(root, "docs/build/out.md", "ignored folder");
    write(root, "docs/run.log", "ignored by pattern");
    write(root, "docs/.ignore", "scratch.md\n");
    write(root, "docs/scratch.md", "ignored by .ignore");
    let extra = "extra.md";
    write(root, extra, "# named on the command line");

    let output = run_cmd(&env, root, &["docs", extra]).output().unwrap();
    assert_eq!(code(&output), 4, "the zip has no job: {}", stderr(&output));
    let results = records(&output);
    assert_eq!(
        results
            .iter()
            .map(|r| r["path"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "docs/2024/report.pdf",
            "docs/notes.md",
            "docs/report.pdf",
            "extra.md",
            "docs/archive.zip"
        ],
        "paths as given, failures last"
    );
    for result in &results[..4] {
        assert_eq!(result["status"], "ok", "{result}");
        assert!(
            result["job_reference"]["id"]
                .as_str()
                .unwrap()
                .starts_with("pjb-")
        );
        assert_eq!(result["job_reference"]["type"], "parse_v2");
        assert!(
            result["directory_file_id"]
                .as_str()
                .unwrap()
                .starts_with("dfl-")
        );
        assert_eq!(result["error"], serde_json::Value::Null);
    }
    let zip = &results[4];
    assert_eq!(zip["status"], "error");
    assert_eq!(zip["job_reference"], serde_json::Value::Null);
    assert!(
        zip["error"]
            .as_str()
            .unwrap()
            .contains("unsupported file type"),
        "{zip}"
    );
    assert_eq!(distinct(&results, "batch_id").len(), 1);
    assert_eq!(distinct(&results, "directory_file_id").len(), 5);
    let message = stderr(&output);
    assert!(message.contains("1 of 5 files has an error"), "{message}");
    assert!(
        !message.contains("uploading"),
        "no progress bar off a terminal: {message}"
    );

    // The directory holds exactly these files, each under its path as unique id.
    let directory = results[0]["directory_id"].as_str().unwrap();
    let files = directory_files(&env, directory);
    let unique: BTreeSet<&str> = files
        .iter()
        .map(|f| f["unique_id"].as_str().unwrap())
        .collect();
    assert_eq!(unique, paths(&results).iter().map(String::as_str).collect());
    assert_eq!(batches_over(&env, directory).len(), 1);
}

#[test]
fn include_and_exclude_narrow_what_is_found() {
    let env = Env::with(unlimited());
    let dir = tempfile::tempdir().unwrap();
    for path in [
        "docs/a.pdf",
        "docs/b.md",
        "docs/2024/c.pdf",
        "docs/drafts/d.pdf",
        "docs/reports/e.csv",
        "docs/reports/2024/f.csv",
    ] {
        write(dir.path(), path, "x");
    }
    let planned = |filters: &[&str]| -> BTreeSet<String> {
        let mut args = vec!["docs", "--dry-run"];
        args.extend(filters);
        let output = run_cmd(&env, dir.path(), &args).output().unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        paths(&records(&output))
    };
    let set = |items: &[&str]| {
        items
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        planned(&["--include", "*.pdf"]),
        set(&["docs/a.pdf", "docs/2024/c.pdf", "docs/drafts/d.pdf"])
    );
    assert_eq!(
        planned(&["--include", "*.pdf", "--exclude", "drafts/**"]),
        set(&["docs/a.pdf", "docs/2024/c.pdf"])
    );
    assert_eq!(
        planned(&["--include", "reports/*.csv", "--include", "b.md"]),
        set(&["docs/b.md", "docs/reports/e.csv"])
    );
    assert_eq!(
        planned(&["--exclude", "*.pdf", "--exclude", "*.csv"]),
        set(&["docs/b.md"])
    );
    let output = run_cmd(&env, dir.path(), &["docs", "--include", "*.txt"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no files to upload"),
        "{}",
        stderr(&output)
    );
    assert_eq!(env.server.counts().requests, 0);
}

#[test]
fn a_dry_run_prints_the_plan_and_sends_nothing() {
    let env = Env::with(unlimited());
    let dir = docs(3);
    let output = run_cmd(&env, dir.path(), &["docs", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let planned = records(&output);
    assert_eq!(planned.len(), 3);
    assert_eq!(planned[0]["size"], 3);
    assert_eq!(planned[0]["directory"], "new directory 1 of 1");
    assert!(stderr(&output).contains("nothing was sent (--dry-run)"));
    let output = run_cmd(
        &env,
        dir.path(),
        &["docs", "--dry-run", "--directory-id", "dir-x"],
    )
    .output()
    .unwrap();
    assert_eq!(records(&output)[2]["directory"], "dir-x");
    let output = run_cmd(&env, dir.path(), &["docs", "--dry-run", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(stderr(&output), "", "no notes with --quiet");
    assert_eq!(env.server.counts().requests, 0, "not a single request");
}

#[test]
fn more_than_1000_files_without_split_are_refused_before_anything_is_sent() {
    let env = Env::with(unlimited());
    let dir = docs(1001);
    let output = run_cmd(&env, dir.path(), &["docs"]).output().unwrap();
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(message.contains("1001 files found"), "{message}");
    assert!(message.contains("--split to run 2 batches"), "{message}");
    assert!(output.stdout.is_empty());
    assert_eq!(env.server.counts().requests, 0);

    let output = run_cmd(&env, dir.path(), &["docs", "--split"])
        .args([
            "--directory-id",
            "dir-1",
            "--directory-id",
            "dir-2",
            "--directory-id",
            "dir-3",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("3 --directory-id given, but the 1001 files make 2 directories")
    );
    assert_eq!(env.server.counts().requests, 0);
}

#[test]
fn split_runs_2500_files_as_three_batches_each_file_once() {
    let env = Env::with(unlimited());
    let dir = docs(2500);
    let output = run_cmd(
        &env,
        dir.path(),
        &["docs", "--split", "--upload-concurrency", "8"],
    )
    .output()
    .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let results = records(&output);
    assert_eq!(results.len(), 2500);
    assert_eq!(paths(&results).len(), 2500, "every path once");
    assert!(results.iter().all(|r| r["status"] == "ok"));
    let batches = distinct(&results, "batch_id");
    let directories = distinct(&results, "directory_id");
    assert_eq!((batches.len(), directories.len()), (3, 3));
    let per_batch: Vec<usize> = batches
        .iter()
        .map(|id| {
            results
                .iter()
                .filter(|r| r["batch_id"] == id.as_str())
                .count()
        })
        .collect();
    let mut sizes = per_batch.clone();
    sizes.sort();
    assert_eq!(sizes, [500, 1000, 1000]);
    assert_eq!(env.server.counts().uploads, 2500);
}

#[test]
fn ctrl_c_mid_upload_prints_the_command_that_uploads_only_what_is_missing() {
    use std::io::Read;
    use std::process::Stdio;

    let env = Env::with(unlimited());
    let dir = docs(200);
    let mut first = run_cmd(
        &env,
        dir.path(),
        &["docs", "--upload-rate", "40/s", "--upload-concurrency", "2"],
    );
    let mut child = first
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while env.server.counts().uploads < 30 {
        assert!(Instant::now() < deadline, "the uploads never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to our own child, which has not been waited for yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let mut errors = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut errors)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{errors}");
    assert!(errors.contains("interrupted"), "{errors}");
    let command = resume_command(&errors);
    assert!(command.contains(" --directory-id dir-"), "{command}");
    let directory = command.rsplit(' ').next().unwrap().to_owned();

    let landed = directory_files(&env, &directory).len();
    assert!(
        (30..200).contains(&landed),
        "{landed} files landed before Ctrl-C"
    );
    let uploads_before = env.server.counts().uploads;
    let output = run_printed(&env, dir.path(), &command);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let uploaded = env.server.counts().uploads - uploads_before;
    assert_eq!(
        uploaded,
        (200 - landed) as u64,
        "only the missing files are sent"
    );
    let results = records(&output);
    assert_eq!(results.len(), 200);
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "ok" && r["directory_id"] == directory.as_str())
    );
    assert_eq!(directory_files(&env, &directory).len(), 200);
    assert_eq!(batches_over(&env, &directory).len(), 1, "one batch");

    // Once more: everything is there and the batch exists, so it is followed, not made.
    let uploads_before = env.server.counts().uploads;
    let output = run_printed(&env, dir.path(), &command);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("created by an earlier run"),
        "{}",
        stderr(&output)
    );
    assert_eq!(env.server.counts().uploads, uploads_before);
    assert_eq!(batches_over(&env, &directory).len(), 1);
}

#[test]
fn with_the_rate_limit_on_300_uploads_finish_without_failure_or_duplicate() {
    // The documented 50 uploads per window, with a window short enough for a test, and a
    // client told to go faster than that: the 429s must be waited out.
    let env = Env::with(ServerConfig {
        upload_rate_limit: Some(RateLimit {
            requests: 50,
            window: Duration::from_millis(500),
        }),
        ..unlimited()
    });
    let dir = docs(300);
    let output = run_cmd(
        &env,
        dir.path(),
        &[
            "docs",
            "--upload-rate",
            "400/s",
            "--upload-concurrency",
            "8",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let results = records(&output);
    assert_eq!(results.len(), 300);
    assert!(results.iter().all(|r| r["status"] == "ok"));
    let counts = env.server.counts();
    assert!(counts.rate_limited > 0, "the limit was reached: {counts:?}");
    assert_eq!(
        counts.uploads - counts.rate_limited,
        300,
        "each file stored once"
    );
    let directory = results[0]["directory_id"].as_str().unwrap();
    let files = directory_files(&env, directory);
    assert_eq!(files.len(), 300);
    assert_eq!(distinct(&files, "unique_id").len(), 300);
}

#[test]
fn the_default_rate_stays_inside_the_documented_limit() {
    let env = Env::with(ServerConfig {
        upload_rate_limit: Some(RateLimit::UPLOADS),
        ..unlimited()
    });
    let dir = docs(60);
    let mut cmd = env.cmd();
    let output = cmd
        .current_dir(dir.path())
        .args(["batches", "run", "docs", "--job-type", "parse_v2"])
        .args([
            "--configuration-id",
            "cfg-PARSE_AGENTIC",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(records(&output).len(), 60);
    assert_eq!(env.server.counts().rate_limited, 0, "never refused");
}

#[test]
fn no_wait_creates_the_batch_and_leaves_the_files_pending() {
    let env = Env::with(ServerConfig {
        processing_ms: 60_000,
        ..unlimited()
    });
    let dir = docs(3);
    let output = run_cmd(&env, dir.path(), &["docs", "--no-wait"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let results = records(&output);
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "pending" && r["batch_id"].is_string())
    );
    let batch = results[0]["batch_id"].as_str().unwrap();
    let output = env.cmd().args(["batches", "get", batch]).output().unwrap();
    assert_eq!(json(&output)["status"], "PENDING");
}

#[test]
fn exit_status_of_a_timeout_and_of_a_failed_batch() {
    let env = Env::with(ServerConfig {
        processing_ms: 60_000,
        ..unlimited()
    });
    let dir = docs(2);
    let output = run_cmd(&env, dir.path(), &["docs", "--timeout", "300ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 5, "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("still PENDING"), "{message}");
    assert!(message.contains("to resume, run: "), "{message}");
    assert!(records(&output).iter().all(|r| r["status"] == "pending"));

    // A preset of the other product fails the batch: every file has an error.
    let env = Env::with(unlimited());
    let output = env
        .cmd()
        .current_dir(dir.path())
        .args(["batches", "run", "docs", "--job-type", "parse_v2"])
        .args([
            "--configuration-id",
            "cfg-EXTRACT_INVOICE",
            "--format",
            "json",
        ])
        .args(["--upload-rate", "1000/s"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let results = json(&output);
    for result in results.as_array().unwrap() {
        assert_eq!(result["status"], "error");
        assert!(
            result["error"].as_str().unwrap().contains("ended FAILED"),
            "{result}"
        );
    }
}

#[test]
fn results_in_table_and_yaml() {
    let env = Env::with(unlimited());
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/a.md", "# a");
    write(dir.path(), "docs/b.zip", "PK");
    let output = run_cmd(&env, dir.path(), &["docs", "--format", "table"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 4);
    let table = crate::common::stdout(&output);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("PATH") && lines[0].contains("STATUS") && lines[0].ends_with("ERROR"),
        "{table}"
    );
    assert!(
        lines[1].starts_with("docs/a.md ")
            && lines[1].contains(" ok ")
            && lines[1].contains("pjb-"),
        "{table}"
    );
    assert!(
        lines[2].starts_with("docs/b.zip") && lines[2].contains("unsupported file type"),
        "{table}"
    );
    let output = run_cmd(&env, dir.path(), &["docs", "--format", "yaml"])
        .output()
        .unwrap();
    let yaml = crate::common::stdout(&output);
    assert!(
        yaml.starts_with("- path: docs/a.md\n  status: ok\n"),
        "{yaml}"
    );
    let output = run_cmd(&env, dir.path(), &["docs", "--format", "raw"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    let output = run_cmd(&env, dir.path(), &["docs", "--transform", ".path", "-r"])
        .output()
        .unwrap();
    assert_eq!(crate::common::stdout(&output), "docs/a.md\ndocs/b.zip\n");
}

/// The README's main job: the sample documents the repository ships.
#[test]
fn the_sample_documents_give_one_error_and_five_jobs() {
    let env = Env::with(unlimited());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = run_cmd(&env, &root, &["examples/documents"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let results = records(&output);
    let ok: Vec<&str> = results
        .iter()
        .filter(|r| r["status"] == "ok")
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        ok,
        [
            "examples/documents/invoice-2026-001.pdf",
            "examples/documents/meeting-notes.md",
            "examples/documents/q3-figures.csv",
            "examples/documents/quarterly-report.pdf",
            "examples/documents/service-agreement.pdf"
        ]
    );
    let last = results.last().unwrap();
    assert_eq!(last["path"], "examples/documents/archive.zip");
    assert_eq!(last["status"], "error");
}

/// Runs `command`, a command line the CLI printed, with a shell as a user would, from `dir`.
fn run_printed(env: &Env, dir: &std::path::Path, command: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("LLAMA_CLOUD_API_KEY", crate::common::KEY)
        .env("LLAMA_CLOUD_BASE_URL", env.server.base_url())
        .env("XDG_CONFIG_HOME", env.config.path())
        .output()
        .unwrap()
}

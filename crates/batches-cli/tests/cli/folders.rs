//! Local folders to upload, and reading what `batches run` and `files upload` print.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use batches_server::ServerConfig;
use serde_json::Value;

use crate::common::{Env, fast, stdout};

/// A server whose batches finish fast and whose uploads are not rate limited (the tests
/// about the limit set their own).
pub fn unlimited() -> ServerConfig {
    ServerConfig {
        processing_ms: 1,
        upload_rate_limit: None,
        ..fast()
    }
}

/// Writes `contents` at `relative` below `root`, making folders as needed.
pub fn write(root: &Path, relative: &str, contents: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// A folder `docs` in a fresh temporary directory with `count` Markdown files spread over
/// a few subfolders; returns the temporary directory (the commands run in it).
pub fn docs(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in 0..count {
        write(
            dir.path(),
            &format!("docs/part-{}/note-{n:04}.md", n % 7),
            &format!("# {n}"),
        );
    }
    dir
}

/// The JSON-lines records a command printed.
pub fn records(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// The `path` of each record.
pub fn paths(records: &[Value]) -> BTreeSet<String> {
    records
        .iter()
        .map(|record| record["path"].as_str().unwrap().to_owned())
        .collect()
}

/// The distinct values of `field` over the records.
pub fn distinct(records: &[Value], field: &str) -> BTreeSet<String> {
    records
        .iter()
        .map(|record| record[field].as_str().unwrap_or("null").to_owned())
        .collect()
}

/// `batches run ARGS... --job-type parse_v2 --configuration-id cfg-PARSE_AGENTIC` in
/// `dir`; unless `args` say otherwise, as JSON lines and without a client-side rate limit.
pub fn run_cmd(env: &Env, dir: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = env.std_cmd();
    cmd.current_dir(dir)
        .args(["batches", "run"])
        .args(args)
        .args([
            "--job-type",
            "parse_v2",
            "--configuration-id",
            "cfg-PARSE_AGENTIC",
        ]);
    if !args.iter().any(|arg| arg.starts_with("--format")) {
        cmd.args(["--format", "jsonl"]);
    }
    if !args.contains(&"--upload-rate") {
        cmd.args(["--upload-rate", "100000/s"]);
    }
    cmd
}

/// The files of a directory, as the emulator lists them.
pub fn directory_files(env: &Env, directory_id: &str) -> Vec<Value> {
    let output = env
        .cmd()
        .args([
            "directories",
            "files",
            "list",
            directory_id,
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    records(&output)
}

/// The batches over a directory.
pub fn batches_over(env: &Env, directory_id: &str) -> Vec<Value> {
    let output = env
        .cmd()
        .args([
            "batches",
            "list",
            "--source-directory-id",
            directory_id,
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    records(&output)
}

/// The line of stderr that tells how to resume, as the command alone.
pub fn resume_command(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("to resume, run: "))
        .unwrap_or_else(|| panic!("no resume command in: {stderr}"))
        .to_owned()
}

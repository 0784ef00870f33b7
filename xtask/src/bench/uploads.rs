//! The upload figures of `cargo xtask bench`: throughput of 1,000 files of 1 KiB into the
//! emulator without its rate limit, the wall time of a whole `batches run` over them, and
//! the CLI's peak memory while it uploads one 60 MiB file (streamed, so it stays small).

use std::{
    fs,
    path::Path,
    process::{Command, Stdio},
};

use anyhow::{Context, Result, bail};
use batches_server::DEFAULT_API_KEY;

use super::timing::time_once;
use crate::emulator::Emulator;

/// Small files uploaded for the throughput figures.
const FILES: usize = 1000;
/// The large file of the memory figure.
const LARGE: usize = 60 * 1024 * 1024;
/// A client-side rate far above what the emulator serves, so the figure is the pipeline's.
const NO_CLIENT_LIMIT: &str = "1000000/s";

/// Prints every upload figure, from the release binaries `server` and `llamacloud`.
pub fn uploads(server: &Path, llamacloud: &Path) -> Result<()> {
    let emulator = Emulator::start(server, &["--no-rate-limits", "--processing-ms", "1"])?;
    let work = std::env::temp_dir().join("llamacloud-bench-uploads");
    let _ = fs::remove_dir_all(&work);
    let small = work.join("small");
    fs::create_dir_all(&small)?;
    for n in 0..FILES {
        fs::write(small.join(format!("file-{n:04}.md")), [b'x'; 1024])?;
    }
    let cli = |args: &[&str]| {
        let mut command = emulator.llamacloud(llamacloud, &work);
        command.args(args);
        command
    };

    println!("\n## Uploads: {FILES} files of 1 KiB into the emulator (--no-rate-limits)");
    for concurrency in ["4", "8"] {
        let directory = create_directory(llamacloud, &emulator, &work)?;
        let mut upload = cli(&["directories", "files", "upload", &directory, "small"]);
        upload.args([
            "--upload-rate",
            NO_CLIENT_LIMIT,
            "--upload-concurrency",
            concurrency,
        ]);
        let elapsed = time_once(upload)?.as_secs_f64();
        println!(
            "--upload-concurrency {concurrency}: {:.2} s, {:.0} files/s (target >= 300)",
            elapsed,
            FILES as f64 / elapsed
        );
    }

    println!("\n## `batches run` over the same {FILES} files (upload, create, wait, results)");
    let mut run = cli(&["batches", "run", "small", "--job-type", "parse_v2"]);
    run.args([
        "--configuration-id",
        "cfg-PARSE_AGENTIC",
        "--format",
        "jsonl",
    ])
    .args(["--upload-rate", NO_CLIENT_LIMIT]);
    println!(
        "wall time {:.2} s (the emulator maps one file per 1 ms step)",
        time_once(run)?.as_secs_f64()
    );

    pace(server, llamacloud, &work)?;

    println!("\n## Memory: the CLI uploading one 60 MiB file");
    fs::write(work.join("large.bin"), vec![b'x'; LARGE])?;
    let directory = create_directory(llamacloud, &emulator, &work)?;
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(llamacloud)
        .args([
            "--base-url",
            emulator.base_url(),
            "--api-key",
            DEFAULT_API_KEY.0,
        ])
        .args(["directories", "files", "upload", &directory, "large.bin"])
        .current_dir(&work)
        .stdout(Stdio::null())
        .output()
        .context("running /usr/bin/time (apt-get install time)")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("the upload of the large file failed: {stderr}");
    }
    let peak_kib: u64 = stderr
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .with_context(|| format!("no peak memory in {stderr:?}"))?;
    println!(
        "peak memory (max RSS): {:.1} MB (target < 30 MB)",
        peak_kib as f64 / 1024.0
    );
    fs::remove_dir_all(&work)?;
    Ok(())
}

/// The pace at the documented limit: `batches run` over the same files, with its default
/// `--upload-rate`, against an emulator that enforces 50 uploads per 5 s per project. The
/// floor is the limit itself: 1,000 uploads need at least 100 s (19 full windows after the
/// first burst, plus the tail).
fn pace(server: &Path, llamacloud: &Path, work: &Path) -> Result<()> {
    println!(
        "\n## Pace: `batches run --no-wait` over the same {FILES} files, default --upload-rate, \
         against the emulator's limit of 50 uploads per 5 s"
    );
    let emulator = Emulator::start(server, &["--processing-ms", "1"])?;
    let started = std::time::Instant::now();
    let output = emulator
        .llamacloud(llamacloud, work)
        .args([
            "batches",
            "run",
            "small",
            "--job-type",
            "parse_v2",
            "--no-wait",
        ])
        .args([
            "--configuration-id",
            "cfg-PARSE_AGENTIC",
            "--format",
            "jsonl",
        ])
        .stdout(Stdio::null())
        .output()
        .context("running llamacloud batches run")?;
    let elapsed = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("the paced run failed: {stderr}");
    }
    // The run says how many uploads the server refused with 429, when any was.
    let refused: u64 = stderr
        .lines()
        .find_map(|line| line.split_once(" uploads were refused with 429"))
        .and_then(|(count, _)| count.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0);
    let floor = (FILES as f64 / 50.0 - 1.0) * 5.0;
    println!(
        "{elapsed:.1} s for {FILES} files, {:.3}x the {floor:.0} s floor (target <= 1.1x); \
         429s met: {refused}",
        elapsed / floor
    );
    Ok(())
}

/// A new directory's id.
fn create_directory(llamacloud: &Path, emulator: &Emulator, dir: &Path) -> Result<String> {
    let output = emulator
        .llamacloud(llamacloud, dir)
        .args(["directories", "create", "bench", "--format", "json"])
        .output()
        .context("running llamacloud directories create")?;
    if !output.status.success() {
        bail!(
            "llamacloud directories create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let directory: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    directory["id"]
        .as_str()
        .map(str::to_owned)
        .context("the directory has no id")
}

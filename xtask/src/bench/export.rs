//! The export figure of `cargo xtask bench`: `batches results BATCH --out DIR` over 1,000
//! finished parse results from an emulator that adds 20 ms to every response, so the
//! figure shows requests overlapping (one at a time would be at most 50 files/s).

use std::{fs, path::Path, time::Duration};

use anyhow::{Context, Result, bail};

use super::timing::time_once;
use crate::emulator::Emulator;

/// The parse results exported.
const FILES: usize = 1000;

/// Prints the export figure, from the release binaries `server` and `llamacloud`.
pub fn export(server: &Path, llamacloud: &Path) -> Result<()> {
    println!(
        "\n## Export: `batches results --out` of {FILES} finished parse results (--latency 20)"
    );
    let emulator = Emulator::start(
        server,
        &[
            "--no-rate-limits",
            "--processing-ms",
            "5",
            "--latency",
            "20",
        ],
    )?;
    let work = std::env::temp_dir().join("llamacloud-bench-export");
    let _ = fs::remove_dir_all(&work);
    let docs = work.join("docs");
    fs::create_dir_all(&docs)?;
    for n in 0..FILES {
        fs::write(
            docs.join(format!("note-{n:04}.md")),
            format!("# Note {n}\n\n{}", "text ".repeat(100)),
        )?;
    }
    let cli = |args: &[&str]| {
        let mut command = emulator.llamacloud(llamacloud, &work);
        command.args(args);
        command
    };
    let output = cli(&[
        "batches",
        "run",
        "docs",
        "--job-type",
        "parse_v2",
        "--configuration-id",
        "cfg-PARSE_FAST",
        "--upload-rate",
        "1000000/s",
        "--upload-concurrency",
        "32",
        "--format",
        "jsonl",
        "--quiet",
    ])
    .output()
    .context("running llamacloud batches run")?;
    if !output.status.success() {
        bail!(
            "batches run failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let first = String::from_utf8_lossy(&output.stdout);
    let record: serde_json::Value = serde_json::from_str(first.lines().next().unwrap_or("{}"))?;
    let batch_id = record["batch_id"]
        .as_str()
        .context("no batch id in the run's output")?
        .to_owned();
    // The jobs end a few processing steps after the batch.
    std::thread::sleep(Duration::from_millis(500));
    let elapsed = time_once(cli(&[
        "batches", "results", &batch_id, "--out", "out", "--quiet", "--format", "jsonl",
    ]))?;
    let written = fs::read_to_string(work.join("out/manifest.jsonl"))?
        .lines()
        .count();
    if written != FILES {
        bail!("{written} manifest lines, {FILES} expected");
    }
    println!(
        "{FILES} outputs in {:.2} s: {:.0} files/s (target >= 200)",
        elapsed.as_secs_f64(),
        FILES as f64 / elapsed.as_secs_f64()
    );
    fs::remove_dir_all(&work)?;
    Ok(())
}

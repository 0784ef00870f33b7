//! `cargo xtask demo`: the main job on a fresh machine. Builds the emulator and the CLI,
//! starts the emulator on a free port with seeded batches, and runs the CLI against it:
//! `batches run` over the sample documents the repository ships (uploaded, one batch,
//! followed to the end, one result per file), then the batch table and the stats chart.

use std::path::Path;
use std::process::{Command, ExitStatus};

use anyhow::{Context, Result, bail};
use batches_server::DEFAULT_API_KEY;

use crate::{cargo, emulator::Emulator, project_root};

/// The sample documents, relative to the workspace root: three PDFs, a Markdown file, a
/// spreadsheet (CSV) and `archive.zip`, a type neither product reads.
pub const DOCUMENTS: &str = "examples/documents";

/// The exit status of `batches run` when a file has an error: `archive.zip` has one.
const A_FILE_HAS_AN_ERROR: i32 = 4;

/// Runs the demo.
pub fn run() -> Result<()> {
    let root = project_root();
    let binaries = cargo::build(
        cargo::command(&root),
        &["-p", "batches-server", "-p", "batches-cli"],
    )?;
    let emulator = Emulator::start(
        binaries.get("batches-server")?,
        &["--seed", "40", "--seed-rng", "1", "--processing-ms", "300"],
    )?;
    println!("emulator listening on {}\n", emulator.base_url());
    let llamacloud = binaries.get("llamacloud")?;
    let config_home = std::env::temp_dir().join("llamacloud-demo-config");
    let cli = |args: &[&str]| run_cli(llamacloud, emulator.base_url(), &config_home, &root, args);

    let status = cli(&[
        "batches",
        "run",
        DOCUMENTS,
        "--job-type",
        "parse_v2",
        "--configuration-id",
        "cfg-PARSE_AGENTIC",
        "--format",
        "table",
    ])?;
    match status.code() {
        Some(A_FILE_HAS_AN_ERROR) => println!(
            "batches run exited {A_FILE_HAS_AN_ERROR}, as expected: archive.zip is a type no \
             product reads, so it got an error instead of a job\n"
        ),
        _ => bail!("batches run ended with {status}; expected exit status {A_FILE_HAS_AN_ERROR}"),
    }
    for args in [
        &["batches", "list", "--format", "table", "--max-items", "15"][..],
        &["batches", "stats", "--format", "table"],
    ] {
        let status = cli(args)?;
        if !status.success() {
            bail!("llamacloud {} failed with {status}", args.join(" "));
        }
    }
    drop(emulator);
    println!("emulator stopped");
    Ok(())
}

/// Runs `llamacloud` in `dir` with the emulator's address and key, showing the command
/// first, and returns how it ended.
fn run_cli(
    llamacloud: &Path,
    base_url: &str,
    config_home: &Path,
    dir: &Path,
    args: &[&str],
) -> Result<ExitStatus> {
    println!("$ llamacloud {}", args.join(" "));
    let status = Command::new(llamacloud)
        .args(args)
        .current_dir(dir)
        .env("LLAMA_CLOUD_BASE_URL", base_url)
        .env("LLAMA_CLOUD_API_KEY", DEFAULT_API_KEY.0)
        // A private, empty configuration so that the user's profiles play no part.
        .env("XDG_CONFIG_HOME", config_home)
        .status()
        .context("running llamacloud")?;
    println!();
    Ok(status)
}

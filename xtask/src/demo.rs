//! `cargo xtask demo`: the main job on a fresh machine. Builds the emulator and the CLI,
//! starts the emulator on a free port with seeded batches, and runs the CLI against it:
//! `batches run --out` over the sample documents the repository ships (uploaded, one
//! batch, followed to the end, each document's Markdown written to disk), the same command
//! again (which skips every document done), then the batch table and the stats chart.

use std::fs;
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

/// The Markdown each readable sample gives, relative to the output folder.
const MARKDOWN: [&str; 5] = [
    "invoice-2026-001.pdf.md",
    "meeting-notes.md.md",
    "q3-figures.csv.md",
    "quarterly-report.pdf.md",
    "service-agreement.pdf.md",
];

/// The output shown in full, as an example.
const SHOWN: &str = "quarterly-report.pdf.md";

/// The lines of [`SHOWN`] printed.
const SHOWN_LINES: usize = 12;

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
    // In cargo's target folder, emptied first: each demo starts from nothing.
    let out = cargo::Workspace::read(cargo::command(&root))?
        .target_directory
        .join("demo-documents");
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("emptying {}", out.display()))?;
    }
    let out_arg = out.to_str().context("cargo's target folder is not UTF-8")?;
    let run = [
        "batches",
        "run",
        DOCUMENTS,
        "--job-type",
        "parse_v2",
        "--configuration-id",
        "cfg-PARSE_AGENTIC",
        "--out",
        out_arg,
        "--format",
        "table",
    ];

    expect_one_error(cli(&run)?)?;
    show_documents(&out)?;
    println!("The same command again: every document done is skipped, nothing is sent twice.\n");
    expect_one_error(cli(&run)?)?;
    let summary: serde_json::Value = serde_json::from_slice(
        &fs::read(out.join("summary.json")).context("reading the run's summary.json")?,
    )?;
    if summary["skipped"] != MARKDOWN.len() {
        bail!(
            "the second run skipped {} documents, not {}",
            summary["skipped"],
            MARKDOWN.len()
        );
    }
    println!(
        "The second run skipped the {} documents done (summary.json: \"skipped\": {}).\n",
        MARKDOWN.len(),
        summary["skipped"]
    );
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

/// Checks that `batches run` ended with one file failed: `archive.zip`.
fn expect_one_error(status: ExitStatus) -> Result<()> {
    match status.code() {
        Some(A_FILE_HAS_AN_ERROR) => {
            println!(
                "batches run exited {A_FILE_HAS_AN_ERROR}, as expected: archive.zip is a type no \
                 product reads, so it got an error instead of a job\n"
            );
            Ok(())
        }
        _ => bail!("batches run ended with {status}; expected exit status {A_FILE_HAS_AN_ERROR}"),
    }
}

/// Lists the documents written into `out` and prints the first lines of one; fails if
/// a sample's Markdown is missing or empty.
fn show_documents(out: &Path) -> Result<()> {
    println!("The documents, in {}:", out.display());
    for name in MARKDOWN {
        let bytes = fs::read(out.join(name)).with_context(|| format!("no {name} in the output"))?;
        if bytes.is_empty() {
            bail!("{name} is empty");
        }
        println!("  {name:<28} {:>7} bytes", bytes.len());
    }
    for name in ["manifest.jsonl", "summary.json", "report.html"] {
        if !out.join(name).is_file() {
            bail!("no {name} in the output");
        }
        println!("  {name}");
    }
    let shown = fs::read_to_string(out.join(SHOWN))?;
    println!("\n{SHOWN}, its first lines:\n");
    for line in shown.lines().take(SHOWN_LINES) {
        println!("  | {line}");
    }
    println!(
        "\nOpen {} in a browser for the run's report.\n",
        out.join("report.html").display()
    );
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

//! `cargo xtask demo`: the main job on a fresh machine. Builds the emulator and the CLI,
//! starts the emulator on a free port with seeded batches, and runs the CLI against it:
//! the batch table, the stats chart, and a batch created over a new source directory and
//! followed to completion with its per-file results.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use batches_server::DEFAULT_API_KEY;

use crate::{cargo, emulator::Emulator, project_root};

/// The files uploaded into the demo's source directory: one kind neither product reads,
/// to show a per-file error next to the jobs.
const FILES: [(&str, &[u8]); 4] = [
    ("annual-report.pdf", b"%PDF-1.7 annual report"),
    ("meeting-notes.md", b"# Notes\n\nShip the batches CLI."),
    ("q3-figures.xlsx", b"PK spreadsheet"),
    ("photos.zip", b"PK archive"),
];

/// Runs the demo.
pub fn run() -> Result<()> {
    let binaries = cargo::build(
        cargo::command(&project_root()),
        &["-p", "batches-server", "-p", "batches-cli"],
    )?;
    let emulator = Emulator::start(
        binaries.get("batches-server")?,
        &["--seed", "40", "--seed-rng", "1", "--processing-ms", "300"],
    )?;
    println!("emulator listening on {}\n", emulator.base_url());
    let llamacloud = binaries.get("llamacloud")?;
    let config_home = std::env::temp_dir().join("llamacloud-demo-config");
    let cli = |args: &[&str]| run_cli(llamacloud, emulator.base_url(), &config_home, args);

    cli(&["batches", "list", "--format", "table", "--max-items", "15"])?;
    cli(&["batches", "stats", "--format", "table"])?;

    let directory = create_directory(&emulator)?;
    cli(&[
        "batches",
        "create",
        "--source-directory-id",
        &directory,
        "--job-type",
        "parse_v2",
        "--configuration-id",
        "cfg-PARSE_AGENTIC",
        "--wait",
        "--interval",
        "250ms",
        "--format",
        "table",
    ])?;
    drop(emulator);
    println!("emulator stopped");
    Ok(())
}

/// Runs `llamacloud` with the emulator's address and key, showing the command first.
fn run_cli(llamacloud: &Path, base_url: &str, config_home: &Path, args: &[&str]) -> Result<()> {
    println!("$ llamacloud {}", args.join(" "));
    let status = Command::new(llamacloud)
        .args(args)
        .env("LLAMA_CLOUD_BASE_URL", base_url)
        .env("LLAMA_CLOUD_API_KEY", DEFAULT_API_KEY.0)
        // A private, empty configuration so that the user's profiles play no part.
        .env("XDG_CONFIG_HOME", config_home)
        .status()
        .context("running llamacloud")?;
    println!();
    if !status.success() {
        bail!("llamacloud {} failed with {status}", args.join(" "));
    }
    Ok(())
}

/// Creates a source directory through the emulator's directory endpoints and uploads
/// [`FILES`] into it, as the official getting-started flow does. Returns its id.
fn create_directory(emulator: &Emulator) -> Result<String> {
    let directory = emulator.curl_json(
        "/api/v1/beta/directories",
        &[
            "--header",
            "Content-Type: application/json",
            "--data",
            r#"{"name": "demo documents", "type": "ephemeral"}"#,
        ],
    )?;
    let id = directory["id"]
        .as_str()
        .context("the directory has no id")?
        .to_owned();
    println!("created source directory {id}");
    let staging = std::env::temp_dir().join("llamacloud-demo-files");
    std::fs::create_dir_all(&staging)?;
    for (name, contents) in FILES {
        let path = staging.join(name);
        std::fs::write(&path, contents)?;
        let file = emulator.curl_json(
            &format!("/api/v1/beta/directories/{id}/files/upload"),
            &["--form", &format!("upload_file=@{}", path.display())],
        )?;
        println!(
            "  uploaded {name} as {}",
            file["id"].as_str().unwrap_or("?")
        );
    }
    println!();
    Ok(id)
}

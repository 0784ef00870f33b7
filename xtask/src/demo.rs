//! `cargo xtask demo`: the main job on a fresh machine. Builds the emulator and the CLI,
//! starts the emulator on a free port with seeded batches, and runs the CLI against it:
//! the batch table, the stats chart, and a batch created over a new source directory and
//! followed to completion with its per-file results.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::emulator::Emulator;
use crate::project_root;

/// The emulator's default key.
const API_KEY: &str = "llx-local-dev";

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
    let root = project_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "-p", "batches-server", "-p", "batches-cli"])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build failed");
    }
    let bin = root.join("target/debug");

    let emulator = Emulator::start(
        &bin.join("batches-server"),
        &["--seed", "40", "--seed-rng", "1", "--processing-ms", "300"],
    )?;
    println!("emulator listening on {}\n", emulator.base_url());
    let llamacloud = bin.join("llamacloud");
    let config_home = std::env::temp_dir().join("llamacloud-demo-config");
    let cli = |args: &[&str]| run_cli(&llamacloud, emulator.base_url(), &config_home, args);

    cli(&["batches", "list", "--format", "table", "--max-items", "15"])?;
    cli(&["batches", "stats", "--format", "table"])?;

    let directory = create_directory(emulator.base_url())?;
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
        .env("LLAMA_CLOUD_API_KEY", API_KEY)
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
fn create_directory(base_url: &str) -> Result<String> {
    let directory = post(
        base_url,
        "/api/v1/beta/directories",
        "application/json",
        br#"{"name": "demo documents", "type": "ephemeral"}"#,
    )?;
    let id = directory["id"]
        .as_str()
        .context("the directory has no id")?
        .to_owned();
    println!("created source directory {id}");
    const BOUNDARY: &str = "llamacloud-demo-boundary";
    for (name, contents) in FILES {
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload_file\"; \
             filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(contents);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let file = post(
            base_url,
            &format!("/api/v1/beta/directories/{id}/files/upload"),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            &body,
        )?;
        println!(
            "  uploaded {name} as {}",
            file["id"].as_str().unwrap_or("?")
        );
    }
    println!();
    Ok(id)
}

/// One HTTP/1.1 POST to the loopback emulator, answered with JSON.
fn post(base_url: &str, path: &str, content_type: &str, body: &[u8]) -> Result<serde_json::Value> {
    let address = base_url
        .strip_prefix("http://")
        .context("the emulator's URL is plain http")?;
    let mut stream =
        TcpStream::connect(address).with_context(|| format!("connecting to {address}"))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {API_KEY}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let (head, payload) = response
        .split_once("\r\n\r\n")
        .context("the response has no header end")?;
    let status_line = head.lines().next().unwrap_or_default();
    if !status_line.contains(" 200 ") && !status_line.contains(" 201 ") {
        bail!("POST {path}: {status_line}: {payload}");
    }
    serde_json::from_str(payload)
        .with_context(|| format!("POST {path}: the body is not JSON: {payload}"))
}

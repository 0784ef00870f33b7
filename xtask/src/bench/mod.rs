//! `cargo xtask bench`: every performance figure the project promises, measured in one run
//! and printed. Figures, not assertions: the machine is shared and noisy, so read them
//! against the targets in BENCHMARKS.md.

mod client_listing;
mod download;
mod export;
pub mod peers;
mod timing;
mod uploads;

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use batches_client::{ClientBuilder, ListBatchesParams, blocking};
use batches_server::DEFAULT_API_KEY;

pub use client_listing::client_listing;
pub use download::presigned_download;
pub use export::export;

use self::timing::time_once;
use crate::{cargo, emulator::Emulator, project_root};

/// Batches seeded for the listing benchmarks.
const SEEDED: &str = "100000";

/// Runs every benchmark, printing figures as they come.
pub fn run() -> Result<()> {
    let root = project_root();
    // xtask itself too: the client's listing is measured in a release build of it.
    let binaries = cargo::build(
        cargo::command(&root),
        &[
            "--release",
            "-p",
            "batches-server",
            "-p",
            "batches-cli",
            "-p",
            "xtask",
        ],
    )?;
    let server = binaries.get("batches-server")?;
    let llamacloud = binaries.get("llamacloud")?;

    println!("\n## Client: decoding a 100-item page (typed vs raw passthrough)");
    cargo::run(cargo::command(&root), &["bench", "-p", "batches-client"])?;

    println!("\n## Client: memory while listing {SEEDED} batches (one page of lookahead)");
    let status = Command::new(binaries.get("xtask")?)
        .arg("bench")
        .arg("client-listing")
        .arg(server)
        .arg(SEEDED)
        .status()
        .context("running the release build of xtask")?;
    if !status.success() {
        bail!("the client listing benchmark failed ({status})");
    }

    println!("\n## Emulator: seeding {SEEDED} batches");
    let started = Instant::now();
    let emulator = Emulator::start(
        server,
        &["--seed", SEEDED, "--seed-rng", "1", "--processing-ms", "50"],
    )?;
    println!("ready after {:.1} s", started.elapsed().as_secs_f64());

    println!(
        "\n## Emulator: a 100-item list page from {SEEDED} batches (wrk, 1 thread, 4 connections, 10 s)"
    );
    emulator_load(&emulator)?;

    println!(
        "\n## CLI: `batches list --format jsonl` over {SEEDED} batches vs one curl fetching the same pages"
    );
    cli_listing(&emulator, llamacloud)?;

    println!("\n## CLI: start-up (`llamacloud --version`)");
    startup(llamacloud)?;
    drop(emulator);

    uploads::uploads(server, llamacloud)?;
    export::export(server, llamacloud)?;

    println!("\n## Client: memory while saving a 50 MiB result through its presigned URL");
    let status = Command::new(binaries.get("xtask")?)
        .args(["bench", "presigned-download"])
        .arg(server)
        .status()
        .context("running the release build of xtask")?;
    if !status.success() {
        bail!("the presigned download benchmark failed ({status})");
    }
    Ok(())
}

fn emulator_load(emulator: &Emulator) -> Result<()> {
    let url = format!("{}/api/v2/batches?page_size=100", emulator.base_url());
    let output = Command::new("wrk")
        .args(["-t1", "-c4", "-d10s", "--latency", "-H"])
        .arg(format!("Authorization: Bearer {}", DEFAULT_API_KEY.0))
        .arg(&url)
        .output()
        .context("running wrk (install it: apt-get install wrk)")?;
    let report = String::from_utf8_lossy(&output.stdout);
    print!("{report}");
    if !output.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// Every page URL of the full listing, walked once with the given page size by the
/// workspace's own client.
fn page_urls(emulator: &Emulator, page_size: u32) -> Result<Vec<String>> {
    let client = blocking::Client::new(
        ClientBuilder::new()
            .api_key(DEFAULT_API_KEY.0)
            .base_url(emulator.base_url()),
    )?;
    let params = ListBatchesParams {
        page_size: Some(i64::from(page_size)),
        ..Default::default()
    };
    client
        .batches()
        .raw_pages(params.clone())
        .map(|page| {
            let page = page?;
            let query = ListBatchesParams {
                page_token: page.page_token,
                ..params.clone()
            }
            .to_query_string();
            Ok(format!("{}/api/v2/batches?{query}", emulator.base_url()))
        })
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn cli_listing(emulator: &Emulator, llamacloud: &Path) -> Result<()> {
    const PAGE_SIZE: u32 = 1000;
    let urls = page_urls(emulator, PAGE_SIZE)?;
    let config: PathBuf = std::env::temp_dir().join("llamacloud-bench-curl.cfg");
    let mut text = format!(
        "header = \"Authorization: Bearer {}\"\nsilent\nfail\n",
        DEFAULT_API_KEY.0
    );
    for url in &urls {
        writeln!(text, "url = \"{url}\"\noutput = \"/dev/null\"")?;
    }
    fs::write(&config, text)?;
    let list_args = [
        "--base-url",
        emulator.base_url(),
        "--api-key",
        DEFAULT_API_KEY.0,
        "batches",
        "list",
        "--format",
        "jsonl",
        "--page-size",
        "1000",
    ];
    // Interleaved runs, so that a burst of load elsewhere on the machine hits both sides.
    const RUNS: usize = 15;
    let (mut curl_times, mut cli_times) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let mut curl = Command::new("curl");
        curl.arg("-K").arg(&config);
        curl_times.push(time_once(curl)?);
        let mut cli = Command::new(llamacloud);
        cli.args(list_args);
        cli_times.push(time_once(cli)?);
    }
    let (curl, cli) = (median(curl_times), median(cli_times));
    println!(
        "{} pages of {PAGE_SIZE}, median of {RUNS} interleaved runs: curl {:.0} ms, llamacloud {:.0} ms, ratio {:.2} (target <= 1.5)",
        urls.len(),
        curl.as_secs_f64() * 1e3,
        cli.as_secs_f64() * 1e3,
        cli.as_secs_f64() / curl.as_secs_f64()
    );
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(llamacloud)
        .args(list_args)
        .stdout(Stdio::null())
        .output()
        .context("running /usr/bin/time (apt-get install time)")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak_kib: u64 = stderr
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .with_context(|| format!("no peak memory in {stderr:?}"))?;
    println!(
        "peak memory (max RSS): {:.1} MB (target < 20 MB)",
        peak_kib as f64 / 1024.0
    );
    Ok(())
}

fn startup(llamacloud: &Path) -> Result<()> {
    const RUNS: u32 = 200;
    let started = Instant::now();
    for _ in 0..RUNS {
        let status = Command::new(llamacloud)
            .arg("--version")
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("llamacloud --version failed");
        }
    }
    println!(
        "mean of {RUNS} runs: {:.2} ms (target < 5 ms)",
        started.elapsed().as_secs_f64() * 1e3 / f64::from(RUNS)
    );
    Ok(())
}

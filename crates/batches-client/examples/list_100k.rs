//! Lists every batch of an emulator seeded with 100,000 of them and prints the client's
//! memory as it goes: with one page of lookahead it stays flat, whatever the count.
//!
//! ```text
//! cargo run --release -p batches-client --example list_100k [-- COUNT [PAGE_SIZE]]
//! ```
//!
//! The emulator runs in a child process (this program started with `--serve`), so the
//! resident memory printed is the client's alone.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Instant;

use batches_client::{ClientBuilder, ListBatchesParams, blocking};
use batches_server::{BackgroundServer, DEFAULT_API_KEY, ServerConfig};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--serve") => serve(parse(args.get(1), 100_000)?),
        _ => measure(parse(args.first(), 100_000)?, parse(args.get(1), 100)?),
    }
}

fn parse(arg: Option<&String>, default: u64) -> Result<u64> {
    arg.map_or(Ok(default), |text| {
        text.parse()
            .map_err(|_| format!("expected a count, got `{text}`").into())
    })
}

/// Runs the seeded emulator until the measuring process closes our standard input.
fn serve(count: u64) -> Result<()> {
    let server = BackgroundServer::start(ServerConfig {
        seed: count,
        seed_rng: 1,
        ..ServerConfig::default()
    })
    .map_err(|error| error.to_string())?;
    println!("{}", server.base_url());
    std::io::stdin().read_to_end(&mut Vec::new())?;
    Ok(())
}

fn measure(count: u64, page_size: u64) -> Result<()> {
    let mut emulator = Command::new(std::env::current_exe()?)
        .args(["--serve", &count.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut base_url = String::new();
    BufReader::new(emulator.stdout.take().ok_or("no emulator output")?).read_line(&mut base_url)?;
    println!("emulator with {count} batches at {}", base_url.trim());

    let client = blocking::Client::new(
        ClientBuilder::new()
            .api_key(DEFAULT_API_KEY.0)
            .base_url(base_url.trim()),
    )?;
    let params = ListBatchesParams {
        page_size: Some(page_size as i64),
        ..Default::default()
    };
    let before = memory_kib("VmRSS")?;
    let started = Instant::now();
    let mut listed = 0u64;
    let mut bytes = 0usize;
    for page in client.batches().pages(params) {
        let page = page?;
        listed += page.items.len() as u64;
        bytes += page.raw.len();
        if listed % (count / 10).max(1) < page.items.len() as u64 {
            println!(
                "{listed:>8} batches listed   RSS {:>7} KiB",
                memory_kib("VmRSS")?
            );
        }
    }
    let elapsed = started.elapsed();
    let peak = memory_kib("VmHWM")?;
    println!(
        "listed {listed} batches ({:.1} MiB of JSON, pages of {page_size}) in {:.2} s",
        bytes as f64 / (1024.0 * 1024.0),
        elapsed.as_secs_f64()
    );
    println!(
        "client RSS before listing {before} KiB, peak {peak} KiB (+{} KiB while listing)",
        peak.saturating_sub(before)
    );

    drop(emulator.stdin.take());
    emulator.wait()?;
    if listed != count {
        return Err(format!("expected {count} batches, listed {listed}").into());
    }
    Ok(())
}

/// A memory figure of this process from `/proc/self/status`, in KiB.
fn memory_kib(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/self/status").into())
}

//! `cargo xtask bench client-listing SERVER [COUNT [PAGE_SIZE]]`: lists every batch of an
//! emulator seeded with COUNT of them through the client's typed pages, printing this
//! process's memory as it goes: with one page of lookahead it stays flat, whatever the
//! count.
//!
//! The emulator (the `batches-server` binary SERVER) runs in a child process, so the
//! resident memory printed is the client's alone. `cargo xtask bench` runs this from a
//! release build of xtask, so that the figures are those of optimized code.

use std::{path::Path, time::Instant};

use anyhow::{Context, Result, bail};
use batches_client::{ClientBuilder, ListBatchesParams, blocking};
use batches_server::DEFAULT_API_KEY;

use crate::emulator::Emulator;

/// Lists `count` batches from a fresh emulator started from `server`, `page_size` at a time.
pub fn client_listing(server: &Path, count: u64, page_size: u64) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("note: an unoptimized build; `cargo xtask bench` measures a release build");
    }
    let emulator = Emulator::start(server, &["--seed", &count.to_string(), "--seed-rng", "1"])?;
    println!("emulator with {count} batches at {}", emulator.base_url());

    let client = blocking::Client::new(
        ClientBuilder::new()
            .api_key(DEFAULT_API_KEY.0)
            .base_url(emulator.base_url()),
    )?;
    let params = ListBatchesParams {
        page_size: Some(i64::try_from(page_size).context("the page size is too large")?),
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
        // One line each time another tenth of the batches has been listed.
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
    if listed != count {
        bail!("expected {count} batches, listed {listed}");
    }
    Ok(())
}

/// A memory figure of this process from `/proc/self/status`, in KiB.
pub(super) fn memory_kib(field: &str) -> Result<u64> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in /proc/self/status"))
}

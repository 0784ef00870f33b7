//! `cargo xtask bench presigned-download SERVER [MIB]`: the client's peak memory while it
//! saves a parse result of MIB MiB (default 50) that the emulator serves only through its
//! presigned URL: the document is streamed to disk, so memory stays far below its size.
//!
//! The emulator (the `batches-server` binary SERVER) runs in a child process, so the memory
//! printed is the client's alone: its peak over the whole run (the upload of the source,
//! streamed from disk too, included). `cargo xtask bench` runs this from a release build
//! of xtask.

use std::{fs, io::Write, path::Path, time::Duration, time::Instant};

use anyhow::{Context, Result, bail};
use batches_client::{
    BatchConfig, ClientBuilder, CreateBatchRequest, CreateDirectoryRequest, GetBatchParams,
    GetParseJobParams, JobConfig, JobStatus, JobType, ParseOutput, WaitOptions, blocking,
};
use batches_server::DEFAULT_API_KEY;

use super::client_listing::memory_kib;
use crate::emulator::Emulator;

/// Prepares a parse job of a `mib` MiB Markdown file and saves its Markdown.
pub fn presigned_download(server: &Path, mib: u64) -> Result<()> {
    if cfg!(debug_assertions) {
        eprintln!("note: an unoptimized build; `cargo xtask bench` measures a release build");
    }
    let emulator = Emulator::start(server, &["--no-rate-limits", "--processing-ms", "5"])?;
    let work = std::env::temp_dir().join("llamacloud-bench-download");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work)?;
    let source = work.join("large.md");
    let mut file = fs::File::create(&source)?;
    let line = "A line of a large Markdown document, repeated to fill it up.\n";
    let chunk = line.repeat(1024 * 1024 / line.len());
    let mut written = 0u64;
    while written < mib * 1024 * 1024 {
        let rest = (mib * 1024 * 1024 - written).min(chunk.len() as u64) as usize;
        file.write_all(&chunk.as_bytes()[..rest])?;
        written += rest as u64;
    }
    drop(file);

    let client = blocking::Client::new(
        ClientBuilder::new()
            .api_key(DEFAULT_API_KEY.0)
            .base_url(emulator.base_url())
            .timeout(Duration::from_secs(300)),
    )?;
    let directory = client
        .directories()
        .create(&CreateDirectoryRequest::new("bench"), &Default::default())?;
    client
        .directories()
        .files(&directory.id)
        .upload(&source, &Default::default())?;
    let request = CreateBatchRequest::new(
        directory.id.clone(),
        BatchConfig::new(JobConfig::new("cfg-PARSE_FAST", JobType::ParseV2)),
    );
    let batch = client.batches().create(&request, &Default::default())?;
    let options = WaitOptions::new()
        .interval(Duration::from_millis(50))
        .params(GetBatchParams {
            expand: Some(vec!["results".into()]),
            ..Default::default()
        });
    let batch = client.batches().wait(&batch.id, options)?;
    let job = batch
        .results
        .as_ref()
        .and_then(|results| results.first())
        .and_then(|result| result.job_reference.as_ref())
        .context("the batch made no job")?
        .id
        .clone();
    loop {
        let status = client
            .parse()
            .get(&job, &GetParseJobParams::default())?
            .job
            .status
            .clone();
        if status == JobStatus::Completed {
            break;
        }
        if status.is_terminal() {
            bail!("the parse job ended {status}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    let before = memory_kib("VmHWM")?;
    let started = Instant::now();
    let out = work.join("large.md.md");
    let saved = client.parse().save(
        &job,
        ParseOutput::Markdown,
        &out,
        &GetParseJobParams::default(),
    )?;
    let elapsed = started.elapsed();
    let peak = memory_kib("VmHWM")?;
    if !saved.presigned || saved.bytes != written || fs::metadata(&out)?.len() != written {
        bail!(
            "expected {written} bytes through the presigned URL; got {} (presigned: {})",
            saved.bytes,
            saved.presigned
        );
    }
    println!(
        "saved {:.1} MiB through the presigned URL in {:.2} s; client peak RSS {:.1} MB \
         ({:.1} MB before the download; target < 40 MB)",
        written as f64 / (1024.0 * 1024.0),
        elapsed.as_secs_f64(),
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
    fs::remove_dir_all(&work)?;
    Ok(())
}

//! The wall time of a command, shared by the benchmarks that time whole processes.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

/// Wall time of one run of `command`, its output discarded.
pub fn time_once(mut command: Command) -> Result<Duration> {
    let started = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .status()
        .context("running the timed command")?;
    if !status.success() {
        bail!("the timed command failed: {command:?}");
    }
    Ok(started.elapsed())
}

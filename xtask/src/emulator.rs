//! Starting the `batches-server` binary for chores that need a running emulator.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
};

use anyhow::{Context, Result, bail};
use batches_server::DEFAULT_API_KEY;

/// A `batches-server` process on a free loopback port, killed on drop.
pub struct Emulator {
    child: Child,
    base_url: String,
}

impl Emulator {
    /// Starts `binary` on 127.0.0.1 with a free port and `args`, and waits for its
    /// `listening on http://HOST:PORT` line.
    pub fn start(binary: &Path, args: &[&str]) -> Result<Emulator> {
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading the emulator's first line")?;
        let Some(base_url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("the emulator did not announce its address (first line: {line:?})");
        };
        Ok(Emulator {
            base_url: base_url.to_owned(),
            child,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `llamacloud` binary `llamacloud` pointed at this emulator with its default key,
    /// run in `dir`; the caller adds the command's own arguments.
    pub fn llamacloud(&self, llamacloud: &Path, dir: &Path) -> Command {
        let mut command = Command::new(llamacloud);
        command
            .args(["--base-url", &self.base_url, "--api-key", DEFAULT_API_KEY.0])
            .current_dir(dir);
        command
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

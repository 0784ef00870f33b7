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

    /// Sends one request to `path` (with the query, if any) with curl and the default key,
    /// and decodes the JSON answer; `args` adds curl options (method, body, form fields).
    pub fn curl_json(&self, path: &str, args: &[&str]) -> Result<serde_json::Value> {
        let output = Command::new("curl")
            .args(["--silent", "--show-error", "--fail-with-body", "--header"])
            .arg(format!("Authorization: Bearer {}", DEFAULT_API_KEY.0))
            .args(args)
            .arg(format!("{}{path}", self.base_url))
            .output()
            .context("running curl")?;
        let body = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "{path}: {} {body}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        serde_json::from_str(&body).with_context(|| format!("{path}: the body is not JSON: {body}"))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

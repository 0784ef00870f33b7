//! Timing a listing: each run under `/usr/bin/time` (CPU time and peak memory) and
//! `timeout` (a cap), its wall time taken here; runs of several programs interleaved,
//! A B A B …, so that a burst of load elsewhere on the machine hits them all; medians.

use std::{
    fs,
    io::Read,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

/// A program that lists batches, as one row of the comparison.
#[derive(Debug, Clone)]
pub struct Peer {
    /// What the row says.
    pub label: String,
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// Its working directory.
    pub dir: Option<PathBuf>,
    /// Its environment, besides the inherited one.
    pub env: Vec<(String, String)>,
    /// An official SDK: fewer runs, each capped.
    pub slow: bool,
}

impl Peer {
    /// A peer run as `argv` with the key and base URL of the emulator in its environment.
    pub fn new(label: impl Into<String>, argv: &[&str], base_url: &str, key: &str) -> Peer {
        Peer {
            label: label.into(),
            argv: argv.iter().map(|arg| (*arg).to_owned()).collect(),
            dir: None,
            env: vec![
                ("LLAMA_CLOUD_API_KEY".to_owned(), key.to_owned()),
                ("LLAMA_CLOUD_BASE_URL".to_owned(), base_url.to_owned()),
            ],
            slow: false,
        }
    }

    /// The command running it, behind `wrapper` (a program and its arguments, such as
    /// `/usr/bin/time …`) when given.
    fn command(&self, wrapper: &[&str]) -> Command {
        let argv: Vec<&str> = wrapper
            .iter()
            .copied()
            .chain(self.argv.iter().map(String::as_str))
            .collect();
        let mut command = Command::new(argv[0]);
        command.args(&argv[1..]);
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        // `cargo xtask` runs under `cargo run`, which puts the debug build's folders on
        // LD_LIBRARY_PATH: there it would beat the C program's RUNPATH and load the debug
        // (perhaps stale) libbatches_ffi.so instead of the release one measured.
        for name in [
            "LLAMA_PARSE_API_KEY",
            "LLAMA_CLOUD_CUSTOM_HEADERS",
            "RUST_LOG",
            "LD_LIBRARY_PATH",
        ] {
            command.env_remove(name);
        }
        command.envs(self.env.iter().map(|(name, value)| (name, value)));
        command
    }
}

/// One run: wall and CPU (user + system) seconds, peak resident memory.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: f64,
    pub cpu: f64,
    pub rss_kib: u64,
}

/// What runs of one peer gave.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    pub runs: Vec<Sample>,
    /// Runs stopped at the cap.
    pub capped: usize,
}

impl Samples {
    /// The median of a figure over the runs.
    pub fn median(&self, figure: impl Fn(&Sample) -> f64) -> Option<f64> {
        let mut values: Vec<f64> = self.runs.iter().map(figure).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied()
    }
}

/// Where a run's output goes.
pub enum Output {
    /// Discarded (timed runs).
    Discard,
    /// Counted: the number of lines is returned.
    CountLines,
    /// Kept in this file.
    File(PathBuf),
}

/// Runs `peer` once, for at most `cap`; `None` when it hit the cap. With
/// [`Output::CountLines`] also returns the lines it printed.
pub fn run_once(
    peer: &Peer,
    cap: Duration,
    output: &Output,
    scratch: &Path,
) -> Result<Option<(Sample, u64)>> {
    let figures = scratch.join("time.txt");
    let cap_arg = format!("{}s", cap.as_secs().max(1));
    let mut command = peer.command(&[
        "/usr/bin/time",
        "-f",
        "%U %S %M",
        "-o",
        path_str(&figures)?,
        "timeout",
        "-s",
        "KILL",
        &cap_arg,
    ]);
    command.stderr(Stdio::piped());
    command.stdout(match output {
        Output::Discard => Stdio::null(),
        Output::CountLines => Stdio::piped(),
        Output::File(path) => {
            Stdio::from(fs::File::create(path).with_context(|| path.display().to_string())?)
        }
    });
    let started = Instant::now();
    let mut child = command
        .spawn()
        .context("running /usr/bin/time (apt-get install time)")?;
    let mut lines = 0;
    if let Some(mut stdout) = child.stdout.take() {
        let mut buffer = vec![0; 1 << 16];
        loop {
            let read = stdout.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            lines += buffer[..read].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
    let mut errors = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut errors)?;
    }
    let status = child.wait()?;
    let wall = started.elapsed().as_secs_f64();
    // `timeout -s KILL` ends in 137 when the cap is reached.
    if status.code() == Some(137) {
        return Ok(None);
    }
    if !status.success() {
        bail!(
            "`{}` failed ({status}): {}",
            peer.argv.join(" "),
            errors.trim()
        );
    }
    let text = fs::read_to_string(&figures)?;
    let mut fields = text.split_whitespace();
    let mut number = || -> Result<f64> {
        fields
            .next()
            .and_then(|field| field.parse().ok())
            .with_context(|| format!("no figures from /usr/bin/time in {text:?}"))
    };
    let (user, system, rss) = (number()?, number()?, number()?);
    Ok(Some((
        Sample {
            wall,
            cpu: user + system,
            rss_kib: rss as u64,
        },
        lines,
    )))
}

/// Runs every peer `rounds` times, interleaved (each round runs every peer once; an
/// official SDK only in the first `slow_rounds`), and returns their samples in the order
/// given. Prints each run as it ends.
pub fn interleaved(
    peers: &[Peer],
    rounds: usize,
    slow_rounds: usize,
    caps: (Duration, Duration),
    scratch: &Path,
) -> Result<Vec<Samples>> {
    let mut samples = vec![Samples::default(); peers.len()];
    for round in 0..rounds {
        for (peer, samples) in peers.iter().zip(&mut samples) {
            if peer.slow && round >= slow_rounds {
                continue;
            }
            let cap = if peer.slow { caps.1 } else { caps.0 };
            match run_once(peer, cap, &Output::Discard, scratch)? {
                Some((sample, _)) => {
                    println!(
                        "  round {}: {:<44} {:>8.3} s wall {:>8.3} s CPU {:>7.1} MB",
                        round + 1,
                        peer.label,
                        sample.wall,
                        sample.cpu,
                        sample.rss_kib as f64 / 1024.0
                    );
                    samples.runs.push(sample);
                }
                None => {
                    println!(
                        "  round {}: {:<44} stopped at {} s",
                        round + 1,
                        peer.label,
                        cap.as_secs()
                    );
                    samples.capped += 1;
                }
            }
        }
    }
    Ok(samples)
}

/// The mean wall time of `runs` runs of `peer`, each a start-up (`--version`, an import).
pub fn startup(peer: &Peer, runs: u32) -> Result<f64> {
    let started = Instant::now();
    for _ in 0..runs {
        let status = peer
            .command(&[])
            .stdout(Stdio::null())
            .status()
            .with_context(|| format!("running {}", peer.argv.join(" ")))?;
        if !status.success() {
            bail!("`{}` failed ({status})", peer.argv.join(" "));
        }
    }
    Ok(started.elapsed().as_secs_f64() / f64::from(runs))
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

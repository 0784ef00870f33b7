//! `cargo xtask bench --peers`: every way of listing batches side by side over the
//! emulator, written to BENCHMARKS.md with the machine, the commands and the versions.
//!
//! 1. 100,000 batches as 1,000 pages of 100, at `--latency 0` and `--latency 20`: the
//!    floor (one curl process fetching the same page URLs over one connection), the CLI
//!    (`jsonl`, `json`, `--parallel 8`), the C ABI iterator from a C program (sequential
//!    and `"parallel": 8`), the official Python and TypeScript SDKs, and this project's
//!    Python module (sequential and `parallel=8`). Interleaved runs, medians; the SDKs,
//!    being slow, get fewer runs, each capped.
//! 2. The parallel target: 20,000 batches over 60 days at `--latency 20`, pages of the
//!    default size, with and without a given range; the outputs compared byte for byte.
//! 3. Memory: `--parallel 8` over 1,000,000 batches.
//! 4. Start-up of each program.

mod measure;
mod report;
mod setup;

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, Result, bail, ensure};
use batches_server::DEFAULT_API_KEY;

use self::measure::{Output, Peer, Samples, interleaved, run_once, startup};
use self::report::{Comparison, Report, Row, Target};
use self::setup::Prepared;
use crate::{cargo, emulator::Emulator, project_root};

/// Batches of the side-by-side comparison, and their page size.
const BATCHES: u64 = 100_000;
const PAGE_SIZE: u32 = 100;
/// A cap on one run of this project's programs, and on one of an official SDK.
const CAPS: (Duration, Duration) = (Duration::from_secs(300), Duration::from_secs(600));

/// Runs the whole comparison and writes its section of BENCHMARKS.md.
pub fn run() -> Result<()> {
    setup::check_tools()?;
    let root = project_root();
    let binaries = cargo::build(
        cargo::command(&root),
        &[
            "--release",
            "-p",
            "batches-server",
            "-p",
            "batches-cli",
            "-p",
            "batches-ffi",
        ],
    )?;
    let server = binaries.get("batches-server")?;
    let llamacloud = binaries.get("llamacloud")?;
    let ffi = binaries.library("batches_ffi", std::env::consts::DLL_SUFFIX)?;
    let workspace = cargo::Workspace::read(cargo::command(&root))?;
    let dir = workspace.target_directory.join("bench-peers");
    let wheel = crate::wheel::build(&dir.join("wheel"), Some("release"))?;
    let prepared = setup::prepare(&dir, &root.join("crates/batches-ffi/include"), ffi, &wheel)?;
    let scratch = dir.join("scratch");
    fs::create_dir_all(&scratch)?;
    let bench = Bench {
        server,
        llamacloud,
        prepared: &prepared,
        scratch: &scratch,
    };

    let mut report = Report {
        environment: setup::environment(&prepared, llamacloud),
        comparisons: Vec::new(),
        notes: Vec::new(),
        startup: Vec::new(),
        targets: Vec::new(),
    };
    for (latency, rounds, slow_rounds) in [(0, 7, 3), (20, 3, 2)] {
        println!("\n## {BATCHES} batches, pages of {PAGE_SIZE}, --latency {latency}");
        report
            .comparisons
            .push(bench.side_by_side(latency, rounds, slow_rounds)?);
    }
    println!("\n## --parallel 8 over 20,000 batches in 60 days, --latency 20");
    let (target, identical) = bench.parallel_target()?;
    report.comparisons.push(target);
    report.notes.push(identical);
    println!("\n## memory over 1,000,000 batches");
    report.comparisons.push(bench.million()?);
    println!("\n## start-up");
    report.startup = bench.startups()?;
    report.targets = targets(&report.comparisons);
    report.notes.push(
        "Each comparison runs its programs in rounds, one run of each per round (A B C … A B \
         C …), so that load elsewhere on the machine falls on all of them; medians over the \
         rounds. The official SDKs take tens of seconds a run, so they get 3 runs at \
         `--latency 0` and 2 at `--latency 20`, each stopped after 10 minutes (this \
         project's programs: 7 and 3 runs, 5 minutes). Output goes to `/dev/null`; a first, \
         untimed run of each checks it prints every batch once."
            .to_owned(),
    );
    let text = report.markdown();
    println!("\n{text}");
    report::write(&root.join("BENCHMARKS.md"), &text)?;
    println!("written to BENCHMARKS.md");
    Ok(())
}

/// What every scenario needs.
struct Bench<'a> {
    server: &'a Path,
    llamacloud: &'a Path,
    prepared: &'a Prepared,
    scratch: &'a Path,
}

impl Bench<'_> {
    /// A peer running `llamacloud batches list ARGS`.
    fn cli(&self, label: &str, emulator: &Emulator, args: &[&str]) -> Peer {
        let mut argv = vec![path(self.llamacloud), "batches", "list"];
        argv.extend_from_slice(args);
        Peer::new(label, &argv, emulator.base_url(), DEFAULT_API_KEY.0)
    }

    /// Comparison 1 at `latency`.
    fn side_by_side(&self, latency: u32, rounds: usize, slow_rounds: usize) -> Result<Comparison> {
        let emulator = Emulator::start(
            self.server,
            &[
                "--seed",
                &BATCHES.to_string(),
                "--seed-rng",
                "1",
                "--latency",
                &latency.to_string(),
            ],
        )?;
        let base = emulator.base_url();
        let key = DEFAULT_API_KEY.0;
        let curl_config = self.scratch.join("curl.cfg");
        let mut config = format!("header = \"Authorization: Bearer {key}\"\nsilent\nfail\n");
        for url in super::page_urls(&emulator, PAGE_SIZE)? {
            writeln!(config, "url = \"{url}\"")?;
        }
        fs::write(&curl_config, config)?;
        let size = PAGE_SIZE.to_string();
        let c = path(&self.prepared.c_lister);
        let mut python = Peer::new(
            "official Python SDK",
            &[
                path(&self.prepared.python),
                path(&self.prepared.python_lister),
                &size,
            ],
            base,
            key,
        );
        python.slow = true;
        let mut typescript = Peer::new(
            "official TypeScript SDK",
            &["node", "list_batches.mjs", &size],
            base,
            key,
        );
        typescript.slow = true;
        typescript.dir = Some(self.prepared.node_dir.clone());
        let peers = vec![
            Peer::new(
                "curl (floor)",
                &["curl", "-K", path(&curl_config)],
                base,
                key,
            ),
            self.cli(
                "CLI jsonl",
                &emulator,
                &["--format", "jsonl", "--page-size", &size],
            ),
            self.cli(
                "CLI json",
                &emulator,
                &["--format", "json", "--page-size", &size],
            ),
            self.cli(
                "CLI jsonl --parallel 8",
                &emulator,
                &["--format", "jsonl", "--page-size", &size, "--parallel", "8"],
            ),
            Peer::new("C ABI iterator", &[c, &size], base, key),
            Peer::new("C ABI iterator, parallel 8", &[c, &size, "8"], base, key),
            python,
            typescript,
            Peer::new(
                "Python module",
                &[
                    path(&self.prepared.python),
                    path(&self.prepared.module_lister),
                    &size,
                ],
                base,
                key,
            ),
            Peer::new(
                "Python module, parallel 8",
                &[
                    path(&self.prepared.python),
                    path(&self.prepared.module_lister),
                    &size,
                    "8",
                ],
                base,
                key,
            ),
        ];
        if latency == 0 {
            self.check_counts(&peers, BATCHES)?;
        }
        let samples = interleaved(&peers, rounds, slow_rounds, CAPS, self.scratch)?;
        Ok(Comparison {
            title: format!(
                "{} batches as {} pages of {PAGE_SIZE}, `--latency {latency}`",
                thousands(BATCHES),
                BATCHES / u64::from(PAGE_SIZE)
            ),
            rows: rows(&peers, samples),
            baseline: 0,
        })
    }

    /// An untimed run of each peer but the floor (which prints pages, not batches): each
    /// must print `expected` lines, one per batch (or, for JSON, more).
    fn check_counts(&self, peers: &[Peer], expected: u64) -> Result<()> {
        for peer in peers.iter().skip(1) {
            let cap = if peer.slow { CAPS.1 } else { CAPS.0 };
            let Some((_, lines)) = run_once(peer, cap, &Output::CountLines, self.scratch)? else {
                bail!("{} did not finish within {} s", peer.label, cap.as_secs());
            };
            let pretty = peer.argv.iter().any(|arg| arg == "json");
            ensure!(
                lines == expected || (pretty && lines > expected),
                "{} printed {lines} lines for {expected} batches",
                peer.label
            );
        }
        Ok(())
    }

    /// Comparison 2, and the check that the outputs are the same bytes.
    fn parallel_target(&self) -> Result<(Comparison, String)> {
        let emulator = Emulator::start(
            self.server,
            &[
                "--seed",
                "20000",
                "--seed-days",
                "60",
                "--seed-rng",
                "1",
                "--latency",
                "20",
            ],
        )?;
        let range = ["--created-at-on-or-after", "61d"];
        let peers = vec![
            self.cli("sequential", &emulator, &["--format", "jsonl"]),
            self.cli(
                "--parallel 8",
                &emulator,
                &["--format", "jsonl", "--parallel", "8"],
            ),
            self.cli(
                "sequential, range given",
                &emulator,
                &["--format", "jsonl", range[0], range[1]],
            ),
            self.cli(
                "--parallel 8, range given",
                &emulator,
                &["--format", "jsonl", range[0], range[1], "--parallel", "8"],
            ),
        ];
        let mut outputs = Vec::new();
        for (index, peer) in peers.iter().enumerate() {
            let file = self.scratch.join(format!("target-{index}.jsonl"));
            run_once(peer, CAPS.0, &Output::File(file.clone()), self.scratch)?;
            outputs.push(fs::read(&file).with_context(|| file.display().to_string())?);
        }
        let lines = outputs[0].iter().filter(|&&b| b == b'\n').count();
        ensure!(
            lines == 20_000,
            "the sequential listing printed {lines} batches"
        );
        ensure!(outputs[0] == outputs[1], "--parallel 8 printed other bytes");
        ensure!(
            outputs[2] == outputs[3],
            "--parallel 8 with the range printed other bytes"
        );
        ensure!(
            outputs[0] == outputs[2],
            "the range given changed the listing"
        );
        let identical = format!(
            "The four listings of the parallel target printed the same {} bytes ({} batches), \
             checked before the timed runs.",
            thousands(outputs[0].len() as u64),
            thousands(lines as u64)
        );
        let samples = interleaved(&peers, 5, 0, CAPS, self.scratch)?;
        Ok((
            Comparison {
                title: "`--parallel 8` over 20,000 batches created over 60 days, pages of 50 \
                        (the default), `--latency 20`"
                    .to_owned(),
                rows: rows(&peers, samples),
                baseline: 0,
            },
            identical,
        ))
    }

    /// Comparison 3: peak memory over a million batches, parallel and sequential.
    fn million(&self) -> Result<Comparison> {
        let emulator = Emulator::start(self.server, &["--seed", "1000000", "--seed-rng", "1"])?;
        let peers = vec![
            self.cli("sequential", &emulator, &["--format", "jsonl"]),
            self.cli(
                "--parallel 8",
                &emulator,
                &["--format", "jsonl", "--parallel", "8"],
            ),
        ];
        let mut samples = Vec::new();
        for peer in &peers {
            let Some((sample, lines)) = run_once(peer, CAPS.0, &Output::CountLines, self.scratch)?
            else {
                bail!(
                    "{} did not finish within {} s",
                    peer.label,
                    CAPS.0.as_secs()
                );
            };
            ensure!(lines == 1_000_000, "{} printed {lines} batches", peer.label);
            println!(
                "  {:<44} {:>8.3} s {:>7.1} MB",
                peer.label,
                sample.wall,
                sample.rss_kib as f64 / 1024.0
            );
            samples.push(Samples {
                runs: vec![sample],
                capped: 0,
            });
        }
        Ok(Comparison {
            title: "Memory: 1,000,000 batches, pages of 50, `--latency 0`, one run each".to_owned(),
            rows: rows(&peers, samples),
            baseline: 0,
        })
    }

    /// The start-up of every program: (what, command, mean seconds).
    fn startups(&self) -> Result<Vec<(String, String, f64)>> {
        let node_dir = &self.prepared.node_dir;
        let python = path(&self.prepared.python);
        let cases: Vec<(&str, Vec<&str>, Option<&PathBuf>, u32)> = vec![
            ("CLI", vec![path(self.llamacloud), "--version"], None, 100),
            (
                "C ABI program",
                vec![path(&self.prepared.c_lister), "--version"],
                None,
                100,
            ),
            (
                "Python interpreter alone",
                vec![python, "-c", "pass"],
                None,
                10,
            ),
            (
                "Python SDK import",
                vec![python, "-c", "import llama_cloud"],
                None,
                10,
            ),
            (
                "Python module import",
                vec![python, "-c", "import llamacloud_batches"],
                None,
                10,
            ),
            ("Node.js alone", vec!["node", "-e", "0"], Some(node_dir), 10),
            (
                "TypeScript SDK load",
                vec![
                    "node",
                    "--input-type=module",
                    "-e",
                    "import '@llamaindex/llama-cloud'",
                ],
                Some(node_dir),
                10,
            ),
        ];
        let mut figures = Vec::new();
        for (what, argv, dir, runs) in cases {
            let mut peer = Peer::new(what, &argv, "http://127.0.0.1:9", DEFAULT_API_KEY.0);
            peer.dir = dir.cloned();
            let mean = startup(&peer, runs)?;
            println!("  {what:<28} {:.1} ms (mean of {runs})", mean * 1e3);
            figures.push((what.to_owned(), shown_command(&peer), mean));
        }
        Ok(figures)
    }
}

/// The rows of a comparison, each peer with its samples.
fn rows(peers: &[Peer], samples: Vec<Samples>) -> Vec<Row> {
    peers
        .iter()
        .zip(samples)
        .map(|(peer, samples)| Row {
            label: peer.label.clone(),
            command: shown_command(peer),
            samples,
        })
        .collect()
}

/// A peer's command as the report shows it: programs by name, not by the path of this
/// build.
fn shown_command(peer: &Peer) -> String {
    peer.argv
        .iter()
        .map(|arg| match Path::new(arg).file_name() {
            Some(name) if arg.starts_with('/') => name.to_string_lossy().into_owned(),
            _ => arg.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The targets against the comparisons, in the order `run` made them.
fn targets(comparisons: &[Comparison]) -> Vec<Target> {
    let ratio = |c: &Comparison, a: usize, b: usize| c.ratio(a, b).unwrap_or(f64::NAN);
    let mut targets = Vec::new();
    if let [zero, twenty, parallel, million] = comparisons {
        for (index, what) in [(1, "without a range"), (3, "range given")] {
            let speedup = ratio(parallel, index - 1, index);
            targets.push(Target {
                what: format!(
                    "`--parallel 8` at `--latency 20` over 20,000 batches in 60 days, {what}: \
                     at least 6× sequential, same bytes"
                ),
                measured: format!("{speedup:.1}×, same bytes"),
                met: speedup >= 6.0,
            });
        }
        let floor = ratio(zero, 1, 0);
        targets.push(Target {
            what: "sequential within 1.2× of the curl floor at `--latency 0`".to_owned(),
            measured: format!("{floor:.2}×"),
            met: floor <= 1.2,
        });
        let rss = million.rows[1]
            .samples
            .median(|sample| sample.rss_kib as f64 / 1024.0)
            .unwrap_or(f64::NAN);
        targets.push(Target {
            what: "peak RSS of `--parallel 8` over 1,000,000 batches under 40 MB".to_owned(),
            measured: format!("{rss:.1} MB"),
            met: rss < 40.0,
        });
        for (sdk, row, factor) in [("Python", 6, 50.0), ("TypeScript", 7, 10.0)] {
            let sequential = ratio(zero, row, 1);
            let parallel = ratio(zero, row, 3);
            let at_twenty = (ratio(twenty, row, 1), ratio(twenty, row, 3));
            targets.push(Target {
                what: format!("at least {factor}× faster than the official {sdk} SDK, sequential"),
                measured: format!(
                    "{sequential:.0}× at `--latency 0` ({parallel:.0}× with `--parallel 8`); \
                     {:.1}× at `--latency 20` ({:.1}× with `--parallel 8`)",
                    at_twenty.0, at_twenty.1
                ),
                met: sequential >= factor,
            });
        }
        // The Python module (rows 8 and 9) against the official Python SDK (row 6).
        let rss = |row: usize| {
            zero.rows[row]
                .samples
                .median(|sample| sample.rss_kib as f64 / 1024.0)
                .unwrap_or(f64::NAN)
        };
        let (speedup, parallel) = (ratio(zero, 6, 8), ratio(zero, 6, 9));
        targets.push(Target {
            what: "the Python module at least 20× faster than the official Python SDK, peak RSS \
                   below it"
                .to_owned(),
            measured: format!(
                "{speedup:.0}× at `--latency 0` ({parallel:.0}× with `parallel=8`), {:.1}× at \
                 `--latency 20`; {:.0} MB against {:.0} MB",
                ratio(twenty, 6, 8),
                rss(8),
                rss(6)
            ),
            met: speedup >= 20.0 && rss(8) < rss(6),
        });
    }
    targets
}

fn path(path: &Path) -> &str {
    path.to_str().expect("paths of this build are UTF-8")
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

//! `batches-server`: runs the LlamaCloud batches emulator until SIGINT or SIGTERM.

use std::{io::Write, net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::Context;
use batches_server::{
    CA_FILE, DEFAULT_API_KEY, FaultKind, ServerConfig, Tls, WebhookSettings, spawn,
};
use clap::Parser;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// A local emulator of the LlamaCloud batches API.
///
/// Prints `listening on http://HOST:PORT` (`https://` when serving HTTPS) on stdout once it
/// accepts connections, then logs to stderr (filter with RUST_LOG, default `info`).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// SQLite database file (WAL journal); in memory when left out.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Accepted bearer key, as KEY or KEY=PROJECT (repeatable) [default: llx-local-dev=prj-local].
    #[arg(long = "api-key", value_name = "KEY[=PROJECT]", value_parser = parse_api_key)]
    api_keys: Vec<(String, String)>,
    /// Insert N generated batches at start.
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,
    /// Seed of the generator of seeded data.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed_rng: u64,
    /// Spread seeded batches over the last N days (1 to 36500).
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=36_500))]
    seed_days: u64,
    /// Simulated processing time per file, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    processing_ms: u64,
    /// Share of requests, from 0 to 1, that get a fault.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_rate)]
    fault_rate: f64,
    /// Faults to choose from: comma list of 500,503,429,reset,truncate,slow [default: all].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    fault_kinds: Vec<FaultKind>,
    /// Seed of the fault sequence.
    #[arg(long, value_name = "S", default_value_t = 0)]
    fault_seed: u64,
    /// Latency added to every response, in milliseconds.
    #[arg(long = "latency", value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Lift the documented rate limits (uploads: 50 per 5 s per project, then 429).
    #[arg(long)]
    no_rate_limits: bool,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve HTTPS with a new CA and a certificate for 127.0.0.1, ::1 and localhost; the CA
    /// is written to DIR/ca.pem for clients to trust.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["tls_cert", "tls_key"])]
    tls_self_signed: Option<PathBuf>,
    /// Serve a parse result larger than this many bytes only through its presigned URL.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    presign_above: u64,
    /// Seconds a presigned result URL stays valid (at least 1).
    #[arg(long, value_name = "SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    presign_ttl: u64,
    /// Deliver webhooks to this host too (repeatable); by default only to loopback
    /// (127.0.0.1, [::1], localhost), and a batch create naming another host is a 400.
    #[arg(long = "webhook-allow-host", value_name = "HOST")]
    webhook_allow_hosts: Vec<String>,
    /// Wait before the first retry of a failed webhook delivery, in milliseconds; each
    /// later retry waits twice as long, for 5 attempts in all.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    webhook_retry_ms: u64,
    /// Time allowed for one webhook delivery attempt, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    webhook_timeout_ms: u64,
    /// Hold each batch's webhook deliveries until it ends, then send them in an order drawn
    /// from --fault-seed, never the order the events happened in.
    #[arg(long)]
    webhook_shuffle: bool,
    /// Share of webhook deliveries, from 0 to 1, sent twice (the same delivery id and
    /// bytes), drawn from --fault-seed.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_rate)]
    webhook_duplicate_rate: f64,
}

impl Args {
    /// How to serve HTTPS, if at all.
    fn tls(&self) -> Option<Tls> {
        match (&self.tls_cert, &self.tls_key, &self.tls_self_signed) {
            (Some(cert), Some(key), _) => Some(Tls::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            (_, _, Some(dir)) => Some(Tls::SelfSigned { dir: dir.clone() }),
            _ => None,
        }
    }
}

fn parse_api_key(raw: &str) -> Result<(String, String), String> {
    let (key, project) = raw.split_once('=').unwrap_or((raw, DEFAULT_API_KEY.1));
    if key.is_empty() || project.is_empty() {
        return Err("expected KEY or KEY=PROJECT, both non-empty".into());
    }
    Ok((key.to_owned(), project.to_owned()))
}

fn parse_rate(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("expected a number from 0 to 1, got {raw:?}")),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let tls = args.tls();
    let defaults = ServerConfig::default();
    let config = ServerConfig {
        listen: args.listen,
        db: args.db,
        api_keys: if args.api_keys.is_empty() {
            defaults.api_keys.clone()
        } else {
            args.api_keys
        },
        seed: args.seed,
        seed_rng: args.seed_rng,
        seed_days: args.seed_days,
        processing_ms: args.processing_ms,
        fault_rate: args.fault_rate,
        fault_kinds: args.fault_kinds,
        fault_seed: args.fault_seed,
        latency_ms: args.latency_ms,
        tls,
        upload_rate_limit: if args.no_rate_limits {
            None
        } else {
            defaults.upload_rate_limit
        },
        presign_above: args.presign_above,
        presign_ttl: std::time::Duration::from_secs(args.presign_ttl),
        webhooks: WebhookSettings {
            allow_hosts: args.webhook_allow_hosts,
            retry_base: Duration::from_millis(args.webhook_retry_ms),
            timeout: Duration::from_millis(args.webhook_timeout_ms),
            shuffle: args.webhook_shuffle,
            duplicate_rate: args.webhook_duplicate_rate,
        },
        ..defaults
    };
    // Installed before the `listening on` line, so that a signal sent as soon as the
    // line is read stops the emulator cleanly instead of killing it.
    let shutdown = ShutdownSignals::install()?;
    let ca_file = match &config.tls {
        Some(Tls::SelfSigned { dir }) => Some(dir.join(CA_FILE)),
        _ => None,
    };
    let server = spawn(config).await?;
    if let Some(ca_file) = ca_file {
        tracing::info!(ca = %ca_file.display(), "clients trust the certificate through this CA");
    }
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on {}", server.base_url())
            .and_then(|()| stdout.flush())
            .context("cannot write to stdout")?;
    }
    shutdown.received().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

/// SIGINT and SIGTERM, caught from the moment they are installed.
struct ShutdownSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl ShutdownSignals {
    fn install() -> anyhow::Result<ShutdownSignals> {
        Ok(ShutdownSignals {
            interrupt: signal(SignalKind::interrupt()).context("cannot catch SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot catch SIGTERM")?,
        })
    }

    /// Returns once either signal has arrived (also one that arrived before the call).
    async fn received(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

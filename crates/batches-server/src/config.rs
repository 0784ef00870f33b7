//! What the emulator can be told at start: [`ServerConfig`] and the [`FaultKind`]s it
//! names. Everything else in the crate reads it; it reads nothing of the crate.

use std::{fmt, net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

/// The key accepted when none is configured, and the project it belongs to.
pub const DEFAULT_API_KEY: (&str, &str) = ("llx-local-dev", "prj-local");

/// Everything the emulator can be told at start. [`Default`] matches the command line
/// defaults except [`listen`](Self::listen), which picks a free port.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// SQLite database file (WAL journal); `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Accepted bearer keys, each with the project it belongs to.
    pub api_keys: Vec<(String, String)>,
    /// Number of generated batches to insert at start (in the first key's project).
    pub seed: u64,
    /// Seed of the generator of seeded data, so the same seed gives the same data.
    pub seed_rng: u64,
    /// Days before the start over which seeded batches are created.
    pub seed_days: u64,
    /// Simulated processing time per step of a batch (each file takes one step).
    pub processing_ms: u64,
    /// Share of requests, 0 to 1, that get a fault.
    pub fault_rate: f64,
    /// Faults to choose from; empty means all of them.
    pub fault_kinds: Vec<FaultKind>,
    /// Seed of the fault sequence: the same seed and request order give the same faults.
    pub fault_seed: u64,
    /// Added to every response.
    pub latency_ms: u64,
    /// How long a `slow` fault holds the response.
    pub slow_fault_ms: u64,
    /// Batches a project may run at once; the rest wait as `THROTTLED`.
    pub concurrency_limit: u32,
    /// Largest accepted JSON request body.
    pub max_json_body: usize,
    /// Largest accepted multipart upload body.
    pub max_upload_body: usize,
    /// How long a request body, JSON or upload, may stall (nothing received) before the
    /// request is answered 408.
    pub body_timeout: Duration,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<Tls>,
    /// Uploads a project may make per window before it gets a 429 with `retry-after`
    /// (the documented 50 per 5 s by default); `None` lifts the limit (`--no-rate-limits`).
    pub upload_rate_limit: Option<RateLimit>,
    /// A parse result larger than this many bytes is served only through its presigned
    /// URL (`--presign-above`, 1 MiB by default).
    pub presign_above: u64,
    /// How long a presigned result URL stays valid (`--presign-ttl`, an hour by default).
    pub presign_ttl: Duration,
    /// Where and how batch events are delivered to webhooks.
    pub webhooks: WebhookSettings,
}

/// How the emulator delivers batch events to webhooks.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSettings {
    /// Hosts deliveries may go to besides loopback (`127.0.0.0/8`, `::1`, `localhost`),
    /// as written in a URL (`hooks.example.com`, `192.0.2.7`, `[2001:db8::1]`).
    pub allow_hosts: Vec<String>,
    /// The wait before the first retry of a failed delivery; each later retry waits twice
    /// as long as the one before.
    pub retry_base: Duration,
    /// How long one attempt may take, from connecting to the end of the answer.
    pub timeout: Duration,
    /// Hold a batch's deliveries to each webhook until the batch ends, then send them in
    /// an order drawn from [`ServerConfig::fault_seed`], never the order they happened in.
    pub shuffle: bool,
    /// Share of deliveries, 0 to 1, sent twice (the same delivery id and bytes), drawn
    /// from [`ServerConfig::fault_seed`].
    pub duplicate_rate: f64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_hosts: Vec::new(),
            retry_base: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            shuffle: false,
            duplicate_rate: 0.0,
        }
    }
}

/// Where the certificate the emulator serves HTTPS with comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// A PEM file holding the certificate chain (leaf first) and a PEM file holding its
    /// private key (PKCS#8, PKCS#1 or SEC1).
    Files {
        /// The certificate chain.
        cert: PathBuf,
        /// The private key.
        key: PathBuf,
    },
    /// A new CA and a certificate for `127.0.0.1`, `::1` and `localhost` signed by it,
    /// made at start; the CA is written to `DIR/ca.pem` (the directory is created) for
    /// clients to trust.
    SelfSigned {
        /// Where `ca.pem` goes.
        dir: PathBuf,
    },
}

/// At most `requests` per `window` per project, counted over a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests admitted per window.
    pub requests: u32,
    /// The window.
    pub window: Duration,
}

impl RateLimit {
    /// The documented file upload limit: 50 requests per 5 s per project.
    pub const UPLOADS: RateLimit = RateLimit {
        requests: 50,
        window: Duration::from_secs(5),
    };
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: None,
            api_keys: vec![(DEFAULT_API_KEY.0.into(), DEFAULT_API_KEY.1.into())],
            seed: 0,
            seed_rng: 0,
            seed_days: 30,
            processing_ms: 200,
            fault_rate: 0.0,
            fault_kinds: Vec::new(),
            fault_seed: 0,
            latency_ms: 0,
            slow_fault_ms: 2_000,
            concurrency_limit: 4,
            max_json_body: 1024 * 1024,
            max_upload_body: 64 * 1024 * 1024,
            body_timeout: Duration::from_secs(30),
            tls: None,
            upload_rate_limit: Some(RateLimit::UPLOADS),
            presign_above: 1024 * 1024,
            presign_ttl: Duration::from_secs(3600),
            webhooks: WebhookSettings::default(),
        }
    }
}

impl ServerConfig {
    /// Refuses a configuration the emulator cannot run with, saying what is accepted.
    pub(crate) fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.fault_rate),
            "fault rate must be between 0 and 1, got {}",
            self.fault_rate
        );
        anyhow::ensure!(!self.api_keys.is_empty(), "at least one API key is needed");
        anyhow::ensure!(
            !self.body_timeout.is_zero(),
            "the body timeout must be more than 0 s"
        );
        anyhow::ensure!(
            self.concurrency_limit >= 1,
            "the concurrency limit must be at least 1"
        );
        if let Some(limit) = self.upload_rate_limit {
            anyhow::ensure!(
                limit.requests >= 1 && !limit.window.is_zero(),
                "an upload rate limit needs at least 1 request per window of more than 0 s"
            );
        }
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.webhooks.duplicate_rate),
            "the webhook duplicate rate must be between 0 and 1, got {}",
            self.webhooks.duplicate_rate
        );
        anyhow::ensure!(
            !self.webhooks.timeout.is_zero(),
            "the webhook delivery timeout must be more than 0 s"
        );
        anyhow::ensure!(
            (1..=36_500).contains(&self.seed_days),
            "seeded batches must span 1 to 36500 days, got {}",
            self.seed_days
        );
        Ok(())
    }

    /// Delay between two lifecycle steps of a batch, in microseconds.
    pub(crate) fn step_micros(&self) -> i64 {
        i64::try_from(self.processing_ms)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000)
    }
}

/// A kind of fault the emulator can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// `500` with a detail.
    InternalServerError,
    /// `503` with a detail.
    ServiceUnavailable,
    /// `429` with `retry-after-ms` (even request numbers) or `retry-after` (odd ones).
    TooManyRequests,
    /// The connection is reset before any response byte is sent.
    Reset,
    /// The headers and the first half of the body are sent, then the connection is cut.
    Truncate,
    /// The response is held back for [`ServerConfig::slow_fault_ms`], then sent in full.
    Slow,
}

impl FaultKind {
    /// Every kind, in the order of their command line names.
    pub const ALL: &'static [FaultKind] = &[
        FaultKind::InternalServerError,
        FaultKind::ServiceUnavailable,
        FaultKind::TooManyRequests,
        FaultKind::Reset,
        FaultKind::Truncate,
        FaultKind::Slow,
    ];

    /// The command line name: `500`, `503`, `429`, `reset`, `truncate` or `slow`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FaultKind::InternalServerError => "500",
            FaultKind::ServiceUnavailable => "503",
            FaultKind::TooManyRequests => "429",
            FaultKind::Reset => "reset",
            FaultKind::Truncate => "truncate",
            FaultKind::Slow => "slow",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        FaultKind::ALL
            .iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(name.trim()))
            .copied()
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(FaultKind::as_str).collect();
                format!(
                    "unknown fault kind {name:?}; accepted: {}",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_accepted_ones() {
        for kind in FaultKind::ALL {
            assert_eq!(kind.as_str().parse::<FaultKind>(), Ok(*kind));
        }
        let error = "boom".parse::<FaultKind>().unwrap_err();
        assert!(
            error.contains("500, 503, 429, reset, truncate, slow"),
            "{error}"
        );
    }
}

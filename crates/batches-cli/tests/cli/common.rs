//! What the end-to-end tests share: an emulator per test, the command with a clean
//! environment, a one-response mock server, and the wire fixtures.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use batches_server::{BackgroundServer, ServerConfig};

/// The emulator's default key.
pub const KEY: &str = "llx-local-dev";
/// The project of [`KEY`].
pub const PROJECT: &str = "prj-local";

/// An emulator and a private configuration directory.
pub struct Env {
    /// The emulator.
    pub server: BackgroundServer,
    /// `$XDG_CONFIG_HOME` of the commands.
    pub config: tempfile::TempDir,
}

impl Env {
    /// An emulator with `seed` generated batches (always the same ids) and fast processing.
    pub fn seeded(seed: u64) -> Env {
        Env::with(ServerConfig { seed, ..fast() })
    }

    /// An emulator with this configuration.
    pub fn with(config: ServerConfig) -> Env {
        Env {
            server: BackgroundServer::start(config).expect("the emulator starts"),
            config: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// `llamacloud` with the key and base URL in the environment, nothing else from it.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// [`cmd`](Self::cmd) as a plain process, for tests that signal or watch it.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std_bare_cmd(&self.config);
        cmd.env("LLAMA_CLOUD_API_KEY", KEY)
            .env("LLAMA_CLOUD_BASE_URL", self.server.base_url());
        cmd
    }

    /// A directory holding `files` text files.
    pub fn directory(&self, files: usize) -> String {
        self.server
            .fixtures()
            .create_directory_with_files(PROJECT, "docs", files)
            .expect("a directory")
    }

    /// The path of the configuration file.
    pub fn config_file(&self) -> PathBuf {
        self.config.path().join("llamacloud").join("config.toml")
    }
}

/// A server configuration with deterministic seeding and quick batches.
pub fn fast() -> ServerConfig {
    ServerConfig {
        seed_rng: 7,
        processing_ms: 20,
        ..ServerConfig::default()
    }
}

/// `llamacloud` with no API or network settings at all in its environment: no proxy,
/// and the system's own TLS roots.
pub fn bare_cmd(config: &tempfile::TempDir) -> Command {
    Command::from_std(std_bare_cmd(config))
}

/// [`bare_cmd`] as a plain process, for commands that run until stopped.
pub fn std_bare_cmd(config: &tempfile::TempDir) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_llamacloud"));
    for name in [
        "LLAMA_CLOUD_API_KEY",
        "LLAMA_PARSE_API_KEY",
        "LLAMA_CLOUD_BASE_URL",
        "LLAMA_CLOUD_CUSTOM_HEADERS",
        "LLAMACLOUD_PROFILE",
        "NO_COLOR",
        "RUST_LOG",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUEST_METHOD",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("XDG_CONFIG_HOME", config.path())
        .env("COLUMNS", "100");
    cmd
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// The exit code.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

/// The ids in JSON-lines output.
pub fn ids(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            value["id"].as_str().expect("an id").to_owned()
        })
        .collect()
}

/// The `--starting-token` value printed on stderr.
pub fn starting_token(stderr: &str) -> String {
    let (_, rest) = stderr
        .split_once("--starting-token ")
        .unwrap_or_else(|| panic!("no starting token in: {stderr}"));
    rest.split_whitespace().next().expect("a token").to_owned()
}

/// A server on a free port that answers every request with `status` and `body`, for
/// responses the emulator never sends. Returns its base URL.
pub fn mock_server(status: u16, body: impl Into<String>) -> String {
    let body = body.into();
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut request_body = vec![0; length];
            let _ = reader.read_exact(&mut request_body);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req-mock-1\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// A wire fixture of `spec/examples/`, as its exact text.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec/examples")
        .join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A last list page holding fixture batches as sent: every status kind, an unknown status
/// and job type, unknown fields, null and absent optionals.
pub fn fixture_page() -> String {
    let items: Vec<String> = [
        "batch-status-completed",
        "batch-status-running",
        "batch-status-failed",
        "batch-unknown-status-and-job-type",
        "batch-optional-null",
        "batch-optional-absent",
    ]
    .iter()
    .map(|name| fixture(name).trim().to_owned())
    .collect();
    format!(
        "{{\"items\": [{}], \"next_page_token\": null}}",
        items.join(", ")
    )
}

/// The JSON a command printed on stdout.
pub fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

/// `batches create` over `directory` with a parse job of `configuration`.
pub fn create_args<'a>(directory: &'a str, configuration: &'a str) -> Vec<&'a str> {
    vec![
        "batches",
        "create",
        "--source-directory-id",
        directory,
        "--job-type",
        "parse_v2",
        "--configuration-id",
        configuration,
    ]
}

/// Runs `cmd` with stdout and stderr on a new pseudo-terminal of 100 columns, as a person
/// at a terminal runs it; returns the exit code and everything the terminal received,
/// its line ends (`\r\n`) made `\n`.
#[cfg(unix)]
pub fn on_terminal(mut cmd: std::process::Command) -> (i32, String) {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 50,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: the out-pointers are valid; the name and terminal settings may be null.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(opened, 0, "a pseudo-terminal");
    // SAFETY: openpty returned two open descriptors that nothing else owns.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    cmd.stdin(std::process::Stdio::null())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    let mut child = cmd.spawn().expect("the command starts");
    // The command's copies of the terminal's end must close, so that reading ends with it.
    drop(cmd);
    let reader = std::thread::spawn(move || {
        let mut terminal = std::fs::File::from(master);
        let mut received = Vec::new();
        let mut buffer = [0; 4096];
        // Linux answers EIO once the last writer has gone.
        while let Ok(n @ 1..) = terminal.read(&mut buffer) {
            received.extend_from_slice(&buffer[..n]);
        }
        received
    });
    let status = child.wait().unwrap();
    let received = reader.join().unwrap();
    let text = String::from_utf8(received).expect("the terminal received UTF-8");
    (
        status.code().expect("exited normally"),
        text.replace("\r\n", "\n"),
    )
}

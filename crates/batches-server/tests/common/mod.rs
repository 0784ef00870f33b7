//! Helpers shared by the HTTP tests: a started emulator and a small JSON client for it.
#![allow(dead_code)] // each test binary uses its own subset

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Stdio},
    time::Duration,
};

use batches_server::{RunningServer, ServerConfig, spawn};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

pub const KEY: &str = "llx-local-dev";
pub const PROJECT: &str = "prj-local";

/// A configuration whose batches finish in milliseconds.
pub fn fast() -> ServerConfig {
    ServerConfig {
        processing_ms: 5,
        ..ServerConfig::default()
    }
}

pub async fn start(config: ServerConfig) -> (RunningServer, Api) {
    let server = spawn(config).await.expect("server starts");
    let api = Api::new(&server.base_url(), KEY);
    (server, api)
}

/// A client that sends the bearer key and decodes every body as JSON.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub key: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base: &str, key: &str) -> Self {
        Api {
            base: base.to_owned(),
            key: key.to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    /// A client of an HTTPS server that trusts the CA certificates in `ca_pem`, and only
    /// those.
    pub fn trusting(base: &str, key: &str, ca_pem: &[u8]) -> Self {
        let mut http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .tls_built_in_root_certs(false);
        for certificate in reqwest::Certificate::from_pem_bundle(ca_pem).unwrap() {
            http = http.add_root_certificate(certificate);
        }
        Api {
            base: base.to_owned(),
            key: key.to_owned(),
            http: http.build().unwrap(),
        }
    }

    pub fn with_key(&self, key: &str) -> Self {
        Api {
            key: key.to_owned(),
            ..self.clone()
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
    }

    pub async fn send(&self, request: RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {text:?}"));
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.request(Method::POST, path).json(&body))
            .await
    }

    pub async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    pub async fn create_directory(&self, name: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/beta/directories",
                json!({"name": name, "type": "ephemeral"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    pub async fn upload(
        &self,
        directory_id: &str,
        name: &str,
        bytes: &'static [u8],
    ) -> (StatusCode, Value) {
        let form = reqwest::multipart::Form::new().part(
            "upload_file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
        self.send(
            self.request(
                Method::POST,
                &format!("/api/v1/beta/directories/{directory_id}/files/upload"),
            )
            .multipart(form),
        )
        .await
    }

    /// A directory holding these files (each with some bytes, so none is empty).
    pub async fn directory_with(&self, names: &[&str]) -> String {
        let directory = self.create_directory("docs").await;
        for name in names {
            let (status, body) = self.upload(&directory, name, b"%PDF-1.7 hello").await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        directory
    }

    pub async fn create_batch(
        &self,
        directory_id: &str,
        job_type: &str,
        configuration_id: &str,
    ) -> Value {
        let (status, body) = self
            .post(
                "/api/v2/batches",
                json!({
                    "source_directory_id": directory_id,
                    "config": {"job": {"type": job_type, "configuration_id": configuration_id}}
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Polls the batch until its status is terminal; returns every status seen and the last
    /// body (fetched with `expand=results`).
    pub async fn wait_terminal(&self, id: &str) -> (Vec<String>, Value) {
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..2000 {
            let batch = self
                .ok(&format!("/api/v2/batches/{id}?expand=results"))
                .await;
            let status = batch["status"].as_str().unwrap().to_owned();
            if seen.last() != Some(&status) {
                seen.push(status.clone());
            }
            if ["COMPLETED", "FAILED", "CANCELLED"].contains(&status.as_str()) {
                return (seen, batch);
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        panic!("batch {id} never finished; statuses seen: {seen:?}");
    }

    /// Every item of a listing, following next_page_token; panics on a repeated token.
    pub async fn list_all(&self, path_and_query: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut pages = 0;
        let mut token: Option<String> = None;
        let mut seen_tokens = std::collections::HashSet::new();
        loop {
            let separator = if path_and_query.contains('?') {
                '&'
            } else {
                '?'
            };
            let url = match &token {
                Some(token) => format!("{path_and_query}{separator}page_token={token}"),
                None => path_and_query.to_owned(),
            };
            let page = self.ok(&url).await;
            pages += 1;
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page.get("next_page_token").and_then(Value::as_str) {
                Some(next) => {
                    assert!(
                        seen_tokens.insert(next.to_owned()),
                        "token repeated: {next}"
                    );
                    token = Some(next.to_owned());
                }
                None => return (items, pages),
            }
        }
    }
}

/// The `loc` paths of a 422 body, joined with dots.
pub fn locs(body: &Value) -> Vec<String> {
    body["detail"]
        .as_array()
        .unwrap_or_else(|| panic!("not a validation error: {body}"))
        .iter()
        .map(|entry| {
            assert!(
                entry["msg"].is_string() && entry["type"].is_string(),
                "{entry}"
            );
            entry["loc"]
                .as_array()
                .unwrap()
                .iter()
                .map(|part| match part {
                    Value::String(name) => name.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

pub const BINARY: &str = env!("CARGO_BIN_EXE_batches-server");

pub struct Process {
    pub child: Child,
    pub stdout: BufReader<ChildStdout>,
    pub base_url: String,
}

/// Starts the binary and reads its `listening on` line.
pub fn launch(args: &[&str]) -> Process {
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base_url = line
        .strip_prefix("listening on ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let scheme = if args.iter().any(|arg| arg.starts_with("--tls")) {
        "https"
    } else {
        "http"
    };
    assert!(
        base_url.starts_with(&format!("{scheme}://127.0.0.1:")) && !base_url.ends_with(":0"),
        "{base_url}"
    );
    Process {
        child,
        stdout,
        base_url,
    }
}

impl Drop for Process {
    /// A failed test must not leave its server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The python of a venv under the target directory holding `requirement`, made (once) with
/// `python3 -m venv` and pip from PyPI; `check` is Python code that succeeds when the venv
/// is complete. Fails with what is missing (python3 with venv, PyPI), never silently.
pub fn python_venv(name: &str, requirement: &str, check: &str) -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = venv.join("bin").join("python");
    let installed = python.exists()
        && Command::new(&python)
            .args(["-c", check])
            .status()
            .is_ok_and(|status| status.success());
    if !installed {
        run(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv (python3 with its venv module is required)",
        );
        run(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ]),
            &format!("pip install {requirement} (PyPI must be reachable)"),
        );
    }
    python
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{what}: cannot run it: {error}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

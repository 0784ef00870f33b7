//! Webhooks from the command line: `webhooks listen` receiving the emulator's deliveries
//! (verified, printed, forgeries refused, passed on to an application), the webhook
//! options of `batches create` and `batches run`, and `webhook-configs`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use batches_client::webhooks::verify;
use batches_server::{DeliveryStatus, WebhookDelivery};
use serde_json::Value;

use crate::common::{Env, code, create_args, fast, json, std_bare_cmd, stderr, stdout};
use crate::folders::{docs, records, run_cmd};

/// A running `llamacloud webhooks listen`, stopped (by its own pid) when dropped.
struct Listen {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Listen {
    /// Starts it with no API key nor base URL in its environment, the signing secret in
    /// `LLAMACLOUD_WEBHOOK_SECRET`, and reads the URL it prints.
    fn start(env: &Env, secret: &str, args: &[&str]) -> Listen {
        let mut child = std_bare_cmd(&env.config)
            .args(["webhooks", "listen"])
            .args(args)
            .env("LLAMACLOUD_WEBHOOK_SECRET", secret)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("llamacloud starts");
        let mut errors = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        errors.read_line(&mut first).unwrap();
        let url = first
            .strip_prefix("listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        let stderr = Arc::new(Mutex::new(String::new()));
        let collected = stderr.clone();
        std::thread::spawn(move || {
            for line in errors.lines().map_while(Result::ok) {
                collected.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let (sender, lines) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Listen {
            child,
            url,
            lines,
            stderr,
        }
    }

    /// The next line on stdout (waiting at most a minute).
    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no line on stdout; stderr:\n{}", self.stderr()))
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `body` to `url` with `headers`; returns the status and the body of the answer.
fn post(url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    let mut request = format!(
        "POST /{path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The deliveries of `batch_id` once `count` of them are finished.
fn finished(env: &Env, batch_id: &str, count: usize) -> Vec<WebhookDelivery> {
    for _ in 0..3000 {
        let deliveries = env.server.webhook_deliveries(Some(batch_id)).unwrap();
        let done = deliveries
            .iter()
            .filter(|d| matches!(d.status, DeliveryStatus::Delivered | DeliveryStatus::Failed))
            .count();
        if done >= count {
            return deliveries;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the deliveries of {batch_id} never finished");
}

#[test]
fn listen_prints_each_verified_event_and_refuses_forgeries() {
    let env = Env::with(fast());
    let directory = env.directory(2);
    let jsonl = Listen::start(&env, "whsec-cli-1", &["--format", "jsonl"]);
    let table = Listen::start(&env, "whsec-cli-1", &["--format", "table"]);
    let created = env
        .cmd()
        .args(create_args(&directory, "cfg-PARSE_FAST"))
        .args(["--webhook-url", &format!("{}hooks/batches", jsonl.url)])
        .args(["--webhook-url", &table.url])
        .args(["--webhook-secret-env", "HOOK_SECRET", "--format", "json"])
        .env("HOOK_SECRET", "whsec-cli-1")
        .output()
        .unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let batch = json(&created)["id"].as_str().unwrap().to_owned();

    let mut events: Vec<String> = (0..3)
        .map(|_| {
            let event: Value = serde_json::from_str(&jsonl.next_line()).unwrap();
            assert_eq!(event["data"]["id"], batch.as_str(), "{event}");
            event["event_type"].as_str().unwrap().to_owned()
        })
        .collect();
    events.sort();
    assert_eq!(events, ["batch.pending", "batch.running", "batch.success"]);
    let lines: Vec<String> = (0..3).map(|_| table.next_line()).collect();
    assert!(lines.iter().all(|line| line.contains(&batch)), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|line| line.contains("batch.success") && line.contains("COMPLETED")),
        "{lines:?}"
    );
    let deliveries = finished(&env, &batch, 6);
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered && d.last_status_code == Some(204)),
        "{deliveries:#?}"
    );

    // Forgeries: another secret's signature, and none at all.
    let body = r#"{"event_type":"batch.success","created_at":"2026-11-02T09:17:42Z","data":{}}"#;
    let forged = format!("sha256={}", "0".repeat(64));
    let (status, answer) = post(
        &format!("{}any/path", jsonl.url),
        &[("LC-Signature", &forged)],
        body,
    );
    assert_eq!(status, 401, "{answer}");
    let (status, _) = post(&jsonl.url, &[], body);
    assert_eq!(status, 401);
    for _ in 0..200 {
        if jsonl.stderr().matches("refused a delivery").count() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let errors = jsonl.stderr();
    assert!(
        errors.contains("refused a delivery to /any/path (401): the LC-Signature does not match"),
        "{errors}"
    );
    assert!(errors.contains("no LC-Signature header"), "{errors}");
}

/// A request an application received: its headers (names in lower case) and body.
type Request = (Vec<(String, String)>, Vec<u8>);

/// An application on a free port that records each request and answers 201 with a small
/// JSON body.
fn application() -> (String, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/webhooks/llamacloud",
        listener.local_addr().unwrap()
    );
    let (sender, received) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
                }
            }
            let length = headers
                .iter()
                .find(|(name, _)| name == "content-length")
                .map_or(0, |(_, value)| value.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let answer = r#"{"handled":true}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = sender.send((headers, body));
        }
    });
    (url, received)
}

#[test]
fn listen_passes_verified_deliveries_on_unchanged_and_their_answer_back() {
    let env = Env::with(fast());
    let directory = env.directory(1);
    let (app, received) = application();
    let listen = Listen::start(
        &env,
        "whsec-cli-2",
        &["--format", "raw", "--forward-to", &app],
    );
    let body = serde_json::json!({
        "source_directory_id": directory,
        "config": {"job": {"type": "parse_v2", "configuration_id": "cfg-PARSE_FAST"}},
        "webhook_configurations": [{
            "webhook_url": format!("{}from/emulator", listen.url),
            "webhook_signing_secret": "whsec-cli-2",
            "webhook_headers": {"X-Team": "finance"},
            "webhook_events": ["batch.success"],
        }],
    });
    let created = env
        .cmd()
        .args(["batches", "create", "--format", "json"])
        .write_stdin(body.to_string())
        .output()
        .unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let batch = json(&created)["id"].as_str().unwrap().to_owned();

    let printed = listen.next_line();
    let (headers, forwarded) = received.recv_timeout(Duration::from_secs(60)).unwrap();
    // The same bytes as received (raw prints them exactly), with the sender's headers.
    assert_eq!(String::from_utf8(forwarded.clone()).unwrap(), printed);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let event = verify(&forwarded, header("lc-signature"), "whsec-cli-2").unwrap();
    assert_eq!(event.data.id, batch);
    assert_eq!(header("x-team"), Some("finance"));
    assert!(header("x-emulator-delivery-id").is_some());
    assert_eq!(header("content-type"), Some("text/plain; charset=utf-8"));
    // The application's answer is shown, and is what the emulator got.
    let deliveries = finished(&env, &batch, 1);
    assert_eq!(deliveries[0].last_status_code, Some(201));
    assert_eq!(
        deliveries[0].last_body.as_deref(),
        Some(r#"{"handled":true}"#)
    );
    assert!(
        listen
            .stderr()
            .contains(&format!("{app} answered 201 Created {{\"handled\":true}}")),
        "{}",
        listen.stderr()
    );
}

#[test]
fn run_tells_the_webhooks_of_each_batch_it_creates() {
    let env = Env::with(fast());
    let listen = Listen::start(&env, "whsec-run-1", &["--format", "jsonl"]);
    let folder = docs(3);
    let output = run_cmd(
        &env,
        folder.path(),
        &[
            "docs",
            "--webhook-url",
            &listen.url,
            "--webhook-event",
            "batch.success",
            "--webhook-secret-env",
            "HOOK_SECRET",
        ],
    )
    .env("HOOK_SECRET", "whsec-run-1")
    .output()
    .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!stderr(&output).contains("whsec-run-1"));
    let results = records(&output);
    let batch = results[0]["batch_id"].as_str().unwrap().to_owned();
    assert!(
        results
            .iter()
            .all(|result| result["batch_id"] == batch.as_str())
    );
    // The receiver verified the signature with the same secret, so the run signed with it.
    let event: Value = serde_json::from_str(&listen.next_line()).unwrap();
    assert_eq!(event["event_type"], "batch.success", "{event}");
    assert_eq!(event["data"]["id"], batch.as_str(), "{event}");
    let deliveries = finished(&env, &batch, 1);
    let events: Vec<&str> = deliveries.iter().map(|d| d.event_type.as_str()).collect();
    assert_eq!(events, ["batch.success"], "only the event asked for");
}

#[test]
fn create_reads_the_secret_from_the_environment_and_checks_its_options() {
    let env = Env::with(fast());
    let directory = env.directory(1);
    let create = |extra: &[&str]| {
        env.cmd()
            .args(create_args(&directory, "cfg-PARSE_FAST"))
            .args(extra)
            .env("HOOK_SECRET", "whsec-cli-3")
            .output()
            .unwrap()
    };
    let refused = [
        (vec!["--webhook-event", "batch.success"], "--webhook-url"),
        (
            vec![
                "--webhook-url",
                "http://127.0.0.1:9/",
                "--webhook-secret-env",
                "NO_SUCH_VAR",
            ],
            "the environment variable NO_SUCH_VAR (--webhook-secret-env) is not set",
        ),
        (
            vec![
                "--webhook-url",
                "http://127.0.0.1:9/",
                "--webhook-event",
                "batch.done",
            ],
            "batch.pending, batch.running, batch.success, batch.error, batch.cancelled",
        ),
    ];
    for (args, expected) in refused {
        let output = create(&args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let elsewhere = create(&["--webhook-url", "https://hooks.example.com/b"]);
    assert_eq!(code(&elsewhere), 1);
    assert!(
        stderr(&elsewhere).contains("--webhook-allow-host hooks.example.com"),
        "{}",
        stderr(&elsewhere)
    );
    // The events asked for are the ones delivered: here the last one only. Events become
    // deliveries in the order they happen, so once the last one has its delivery, any
    // earlier one wanted would have had its own.
    let created = create(&[
        "--webhook-url",
        "http://127.0.0.1:9/hook",
        "--webhook-event",
        "batch.success",
        "--webhook-secret-env",
        "HOOK_SECRET",
    ]);
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let batch = json(&created)["id"].as_str().unwrap().to_owned();
    let deliveries = (0..3000)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(20));
            env.server.webhook_deliveries(Some(&batch)).unwrap()
        })
        .find(|deliveries| !deliveries.is_empty())
        .expect("a delivery");
    let events: Vec<&str> = deliveries.iter().map(|d| d.event_type.as_str()).collect();
    assert_eq!(events, ["batch.success"]);

    let no_secret = std_bare_cmd(&env.config)
        .args(["webhooks", "listen"])
        .output()
        .unwrap();
    assert_eq!(code(&no_secret), 2);
    assert!(
        stderr(&no_secret).contains("LLAMACLOUD_WEBHOOK_SECRET (--secret-env) is not set"),
        "{}",
        stderr(&no_secret)
    );
}

#[test]
fn webhook_configs_are_saved_changed_named_and_deleted_without_printing_secrets() {
    let env = Env::with(fast());
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = env.cmd();
        cmd.args(args)
            .env("SAVED_SECRET", "whsec-saved-cli")
            .env("ROTATED_SECRET", "whsec-rotated-cli");
        if let Some(stdin) = stdin {
            cmd.write_stdin(stdin);
        }
        cmd.output().unwrap()
    };
    let created = run(
        &[
            "webhook-configs",
            "create",
            "--url",
            "http://127.0.0.1:9/saved",
            "--event",
            "batch.success",
            "--secret-env",
            "SAVED_SECRET",
            "--format",
            "json",
        ],
        Some(r#"{"webhook_headers": {"Authorization": "Bearer header-token-cli"}}"#),
    );
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let saved = json(&created);
    let id = saved["id"].as_str().unwrap().to_owned();
    assert_eq!(saved["has_secret"], true);
    assert_eq!(
        saved["webhook_events"],
        serde_json::json!(["batch.success"])
    );
    assert_eq!(saved["webhook_headers"]["Authorization"], "[redacted]");

    let updated = run(
        &[
            "webhook-configs",
            "update",
            &id,
            "--event",
            "batch.error",
            "--secret-env",
            "ROTATED_SECRET",
        ],
        None,
    );
    assert_eq!(code(&updated), 0, "{}", stderr(&updated));
    assert_eq!(
        json(&updated)["webhook_events"],
        serde_json::json!(["batch.error"])
    );
    let listed = run(&["webhook-configs", "list", "--format", "jsonl"], None);
    assert_eq!(stdout(&listed).lines().count(), 1);
    let table = run(&["webhook-configs", "list", "--format", "table"], None);
    assert!(stdout(&table).contains(&id) && stdout(&table).contains("batch.error"));
    let fetched = run(&["webhook-configs", "get", &id, "--format", "raw"], None);
    for output in [&created, &updated, &listed, &table, &fetched] {
        let text = format!("{}{}", stdout(output), stderr(output));
        for secret in ["whsec-saved-cli", "whsec-rotated-cli", "header-token-cli"] {
            assert!(!text.contains(secret), "{secret} printed:\n{text}");
        }
    }

    let directory = env.directory(1);
    let named = env
        .cmd()
        .args(create_args(&directory, "cfg-PARSE_FAST"))
        .args(["--webhook-configuration-id", &id])
        .output()
        .unwrap();
    assert_eq!(code(&named), 0, "{}", stderr(&named));

    let nothing = run(&["webhook-configs", "update", &id], None);
    assert_eq!(code(&nothing), 2);
    let deleted = run(&["webhook-configs", "delete", &id], None);
    assert_eq!(code(&deleted), 0, "{}", stderr(&deleted));
    assert!(stderr(&deleted).contains(&format!("deleted webhook configuration {id}")));
    let gone = run(&["webhook-configs", "get", &id], None);
    assert_eq!(code(&gone), 1);
    assert!(stderr(&gone).contains("not found"), "{}", stderr(&gone));
}

//! Schema-driven hostile testing: Schemathesis (pinned, from PyPI into a venv under the
//! target directory) generates requests from `spec/openapi.yaml`, valid and invalid, for
//! every operation, and runs all its checks against the binary: no 5xx, every status and
//! body as the spec says, schema-valid requests accepted and invalid ones refused. The run
//! is bounded (a fixed example count and seed, a time limit) and every failure fails the
//! test except those `tests/schemathesis/hooks.py` lists as intended, each with its reason.

mod common;

use std::{
    io::Read,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::{Api, launch, python_venv};

const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// Examples per operation and phase; with the seed, the same run every time.
const MAX_EXAMPLES: &str = "200";
const SEED: &str = "1";
/// The whole run is stopped (and the test failed) past this: a guard against a hang, far
/// above a run's usual length (under a minute on an idle machine, minutes on a loaded one).
const TIME_LIMIT: Duration = Duration::from_secs(400);

#[tokio::test]
async fn schemathesis_finds_no_failure_beyond_the_intended_ones() {
    let python = python_venv(
        "schemathesis-4.32.5-venv",
        SCHEMATHESIS,
        "import importlib.metadata as m; assert m.version('schemathesis') == '4.32.5'",
    );
    let server = launch(&["--processing-ms", "50"]);
    let api = Api::new(&server.base_url, "llx-local-dev");
    // Real ids for the hooks to hand out, so that cases reach past the 404.
    let directory = api.directory_with(&["a.pdf", "b.pdf"]).await;
    let batch = api.create_batch(&directory, "parse_v2", "cfg-1").await;
    let (_, webhook_config) = api
        .post(
            "/api/v1/beta/webhook-configs",
            serde_json::json!({"webhook_url": "http://127.0.0.1:9/hook"}),
        )
        .await;

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = manifest.join("../../spec/openapi.yaml");
    let report = tempfile::tempdir().unwrap();
    let mut child = Command::new(python.with_file_name("schemathesis"))
        .arg("run")
        .arg(&spec)
        .args(["--url", &server.base_url])
        .args(["--header", "Authorization: Bearer llx-local-dev"])
        .args([
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
        ])
        .args(["--generation-database", "none", "--request-timeout", "10"])
        .args(["--no-color", "--report-dir"])
        .arg(report.path())
        // Schemathesis keeps a cache in its working directory: a temporary one, so the
        // source tree stays clean; the hooks are found through PYTHONPATH.
        .current_dir(report.path())
        .env("PYTHONPATH", manifest.join("tests/schemathesis"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("BATCHES_DIRECTORY_ID", &directory)
        .env("BATCHES_BATCH_ID", batch["id"].as_str().unwrap())
        .env(
            "BATCHES_WEBHOOK_CONFIG_ID",
            webhook_config["id"].as_str().unwrap(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's schemathesis runs");
    // The output is read on threads so that a full pipe cannot stall the run.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    let status = status.unwrap_or_else(|| panic!("schemathesis ran over {TIME_LIMIT:?}:\n{out}"));
    assert!(
        status.success(),
        "schemathesis failed ({status}):\n{out}\n{err}"
    );
    let generated = out
        .lines()
        .find(|line| line.contains(" generated"))
        .unwrap_or_else(|| panic!("no count of test cases in:\n{out}"));
    let intended = out.matches("intended failure:").count();
    println!(
        "schemathesis: {} ({intended} intended failures dropped)",
        generated.trim()
    );
    // The run reached the application: the server is alive and made batches from it. A
    // new client: the first one's pooled connection sat idle past the server's 30 s
    // header timeout while Schemathesis ran, and may be closed.
    let api = Api::new(&server.base_url, "llx-local-dev");
    let (batches, _) = api.list_all("/api/v2/batches?page_size=1000").await;
    assert!(batches.len() > 1, "no generated create succeeded");
}

//! Conformance with the official Python SDK: `llama-cloud` 2.19.0, installed from PyPI into
//! a venv under the target directory, runs the documented getting-started flow against the
//! binary (see `tests/conformance/sdk_flow.py`). Needs `python3` with `venv` and access to
//! PyPI the first time; without them this test fails, it never passes silently.

mod common;

use std::{path::Path, process::Command};

use common::{launch, python_venv};

const SDK: &str = "llama-cloud==2.19.0";

#[test]
fn the_official_sdk_runs_the_getting_started_flow() {
    let python = python_venv(
        "llama-cloud-2.19.0-venv",
        SDK,
        "import llama_cloud; assert llama_cloud.__version__ == '2.19.0'",
    );
    let server = launch(&["--seed", "120", "--seed-rng", "5", "--processing-ms", "100"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/sdk_flow.py");
    let output = Command::new(&python)
        .arg(&script)
        .args([&server.base_url, "llx-local-dev"])
        .env_remove("LLAMA_CLOUD_BASE_URL")
        .env_remove("LLAMA_CLOUD_API_KEY")
        .output()
        .expect("the venv's python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("sdk flow: ok"),
        "the SDK flow failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

//! Conformance with the official Python SDK: `llama-cloud` 2.19.0, installed from PyPI into
//! a venv under the target directory, runs the documented getting-started flow against the
//! binary (see `tests/conformance/sdk_flow.py`). Needs `python3` with `venv` and access to
//! PyPI the first time; without them this test fails, it never passes silently.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use common::launch;

const SDK: &str = "llama-cloud==2.19.0";

/// The venv's python, creating the venv and installing the SDK when needed.
fn sdk_python() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("llama-cloud-2.19.0-venv");
    let python = venv.join("bin").join("python");
    let installed = python.exists()
        && Command::new(&python)
            .args([
                "-c",
                "import llama_cloud; assert llama_cloud.__version__ == '2.19.0'",
            ])
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
                SDK,
            ]),
            &format!("pip install {SDK} (PyPI must be reachable)"),
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

#[test]
fn the_official_sdk_runs_the_getting_started_flow() {
    let python = sdk_python();
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

//! `cargo xtask pytest [ARGS]...`: the Python package's tests (`python/tests`), run by
//! pytest against the wheel `cargo xtask wheel` builds (profile `dev`: a debug build, fast
//! to make), installed into a virtual environment in cargo's target directory with the
//! pinned test requirements (`python/requirements-test.txt`).
//!
//! The environment is made once and kept while the requirements stay the same; the wheel
//! is built and installed again at every run.

use std::fs;
use std::process::Command;

use anyhow::{Result, bail};

use crate::project_root;
use crate::wheel::{self, fresh_dir, succeed};

/// The test requirements, relative to the workspace root.
const REQUIREMENTS: &str = "python/requirements-test.txt";

/// Runs pytest over `python/tests` with `args` added.
pub fn run(args: &[&str]) -> Result<()> {
    let work = wheel::work_dir()?.join("pytest");
    let venv = work.join("venv");
    let python = venv.join("bin/python");
    let requirements = fs::read_to_string(project_root().join(REQUIREMENTS))?;
    let installed = work.join("requirements-installed.txt");
    if !python.is_file() || fs::read_to_string(&installed).ok().as_ref() != Some(&requirements) {
        fresh_dir(&venv)?;
        succeed(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv (install python3 and python3-venv)",
        )?;
        succeed(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "-r"])
                .arg(project_root().join(REQUIREMENTS)),
            "pip install -r python/requirements-test.txt",
        )?;
        fs::write(&installed, &requirements)?;
    }
    let wheel = wheel::build(&fresh_dir(&work.join("dist"))?, Some("dev"))?;
    succeed(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-index",
                "--no-deps",
                "--force-reinstall",
            ])
            .arg(&wheel),
        "pip install the wheel",
    )?;
    // From the workspace root: `python -m` (and every `python -c` a test starts) puts the
    // working directory first on `sys.path`, and in `python/` the source folder
    // `llamacloud_batches/`, without its compiled module, would hide the installed package.
    let status = Command::new(&python)
        .args(["-m", "pytest", "python/tests"])
        .args(args)
        .current_dir(project_root())
        .status()?;
    if !status.success() {
        bail!("pytest failed ({status})");
    }
    Ok(())
}

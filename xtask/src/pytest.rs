//! `cargo xtask pytest [ARGS]...`: the Python package's tests (`python/tests`), run by
//! pytest against the wheel `cargo xtask wheel` builds (profile `dev`: a debug build, fast
//! to make), installed into a virtual environment in cargo's target directory with the
//! pinned test requirements (`python/requirements-test.txt`).
//!
//! The environment is made once and kept while the requirements stay the same; the wheel
//! is built and installed again at every run.

use std::process::Command;

use anyhow::{Result, bail};

use crate::wheel::{self, fresh_dir, succeed};
use crate::{project_root, venv};

/// The test requirements, relative to the workspace root.
const REQUIREMENTS: &str = "python/requirements-test.txt";

/// Runs pytest over `python/tests` with `args` added.
pub fn run(args: &[&str]) -> Result<()> {
    let work = wheel::work_dir()?.join("pytest");
    let python = venv::with_requirements(&work, REQUIREMENTS)?;
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

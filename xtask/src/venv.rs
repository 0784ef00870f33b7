//! The virtual environments the Python test suites run in (`pytest`, `browser`): one per
//! suite under cargo's target directory, made with the requirements file the suite pins
//! and kept while that file stays the same.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::Result;

use crate::project_root;
use crate::wheel::{fresh_dir, succeed};

/// The Python of `work/venv`, with the requirements of `requirements` (a file relative to
/// the workspace root) installed by pip; made again when the file has changed since.
pub fn with_requirements(work: &Path, requirements: &str) -> Result<PathBuf> {
    let venv = work.join("venv");
    let python = venv.join("bin/python");
    let wanted = fs::read_to_string(project_root().join(requirements))?;
    // Written last: an environment whose install was interrupted is made again.
    let installed = work.join("requirements-installed.txt");
    if python.is_file() && fs::read_to_string(&installed).ok().as_ref() == Some(&wanted) {
        return Ok(python);
    }
    fresh_dir(&venv)?;
    succeed(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (install python3 and python3-venv)",
    )?;
    succeed(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(project_root().join(requirements)),
        &format!("pip install -r {requirements}"),
    )?;
    fs::write(&installed, &wanted)?;
    Ok(python)
}

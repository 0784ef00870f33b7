//! `cargo xtask browser [ARGS]...`: the browser tests (`tests/browser`), pytest driving
//! Debian's headless Chromium through Selenium against the `batches-server` and
//! `llamacloud` binaries of a debug build.
//!
//! Nothing is downloaded at run time: Chromium and its driver come from the system
//! (`apt-get install chromium chromium-driver`), Selenium is told where the driver is and
//! never looks for one of its own (`SE_OFFLINE`). Python packages come from the pinned
//! `tests/browser/requirements.txt`, in a virtual environment under cargo's target
//! directory. Screenshots go to `browser-screenshots/` there (emptied at each run), the
//! folder CI keeps.

use std::{path::Path, process::Command};

use anyhow::{Result, bail};

use crate::{cargo, project_root, venv, wheel::fresh_dir};

/// The test requirements, relative to the workspace root.
const REQUIREMENTS: &str = "tests/browser/requirements.txt";

/// Debian's Chromium and its WebDriver, which the tests use.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// See [`CHROMIUM`].
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The folder under cargo's target directory that receives the screenshots.
pub const SCREENSHOTS: &str = "browser-screenshots";

/// Builds the binaries, then runs pytest over `tests/browser` with `args` added.
pub fn run(args: &[&str]) -> Result<()> {
    installed(&[CHROMIUM, CHROMEDRIVER])?;
    let binaries = cargo::build(
        cargo::command(&project_root()),
        &[
            "--locked",
            "-p",
            "batches-server",
            "-p",
            "batches-cli",
            "--bins",
        ],
    )?;
    let target = cargo::Workspace::read(cargo::command(&project_root()))?.target_directory;
    let python = venv::with_requirements(&target.join("browser"), REQUIREMENTS)?;
    let screenshots = fresh_dir(&target.join(SCREENSHOTS))?;
    let status = Command::new(&python)
        .args(["-m", "pytest", "tests/browser"])
        .args(args)
        .current_dir(project_root())
        .env("BATCHES_SERVER_BIN", binaries.get("batches-server")?)
        .env("LLAMACLOUD_BIN", binaries.get("llamacloud")?)
        .env("BROWSER_SCREENSHOTS", &screenshots)
        .env("CHROMIUM", CHROMIUM)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        // Selenium must use the driver it is given, never fetch one.
        .env("SE_OFFLINE", "true")
        // No `__pycache__` left in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .status()?;
    println!("screenshots: {}", screenshots.display());
    if !status.success() {
        bail!("the browser tests failed ({status})");
    }
    Ok(())
}

/// Fails, naming the Debian packages, unless every one of `programs` is there: the tests
/// never fetch a browser of their own.
fn installed(programs: &[&str]) -> Result<()> {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|path| !Path::new(path).is_file())
        .collect();
    if !missing.is_empty() {
        bail!(
            "the browser tests need Debian's Chromium and its driver, and {} {} missing; \
             install them with `apt-get install chromium chromium-driver`",
            missing.join(" and "),
            if missing.len() == 1 { "is" } else { "are" }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_browser_is_named_with_the_packages_to_install() {
        let error = installed(&["/nonexistent/chromium", "/nonexistent/chromedriver"])
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "the browser tests need Debian's Chromium and its driver, and /nonexistent/chromium \
             and /nonexistent/chromedriver are missing; install them with `apt-get install \
             chromium chromium-driver`"
        );
        let here = std::env::current_exe().unwrap();
        installed(&[here.to_str().unwrap()]).unwrap();
    }
}

//! The pinned Python tools the wheel is built and audited with (maturin, zig,
//! auditwheel), and the small helpers every step of `wheel` runs commands through.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use anyhow::{Context, Result, bail};

/// The maturin that builds the wheel; `python/pyproject.toml` requires the same.
pub const MATURIN: &str = "1.16.0";

/// The zig (the `ziglang` package) that compiles the wheel's C code and links it for
/// glibc 2.17.
pub const ZIGLANG: &str = "0.15.2";

/// The auditwheel that `--check` asks which glibc and libraries the wheel needs.
pub const AUDITWHEEL: &str = "6.8.2";

/// The pinned Python tools of the wheel (maturin, zig, auditwheel), in one virtual
/// environment under cargo's target directory named after their versions: a change of pin
/// makes a new one.
#[derive(Debug)]
pub struct Tools {
    venv: PathBuf,
}

impl Tools {
    /// The tools, installed into `work/tools-…` with pip unless already there.
    pub fn install(work: &Path) -> Result<Tools> {
        let tools = Tools {
            venv: work.join(format!(
                "tools-maturin-{MATURIN}-ziglang-{ZIGLANG}-auditwheel-{AUDITWHEEL}"
            )),
        };
        // The marker is written last: a half-made environment from an interrupted run
        // has none, and is made again.
        let installed = tools.venv.join("installed");
        if installed.is_file() {
            return Ok(tools);
        }
        let _ = fs::remove_dir_all(&tools.venv);
        succeed(
            Command::new("python3")
                .args(["-m", "venv"])
                .arg(&tools.venv),
            "python3 -m venv (install python3 and python3-venv)",
        )?;
        succeed(
            Command::new(tools.python())
                .args(["-m", "pip", "install", "--quiet"])
                .arg(format!("maturin=={MATURIN}"))
                .arg(format!("ziglang=={ZIGLANG}"))
                .arg(format!("auditwheel=={AUDITWHEEL}")),
            "pip install maturin ziglang auditwheel",
        )?;
        fs::write(&installed, "").with_context(|| format!("writing {}", installed.display()))?;
        Ok(tools)
    }

    /// maturin.
    pub fn maturin(&self) -> PathBuf {
        self.venv.join("bin/maturin")
    }

    /// The environment's Python, which runs zig (`python -m ziglang`).
    pub fn python(&self) -> PathBuf {
        self.venv.join("bin/python")
    }

    /// auditwheel.
    pub fn auditwheel(&self) -> PathBuf {
        self.venv.join("bin/auditwheel")
    }
}

/// `dir`, emptied (or made).
pub fn fresh_dir(dir: &Path) -> Result<PathBuf> {
    match fs::remove_dir_all(dir) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(error).with_context(|| format!("emptying {}", dir.display()));
        }
        _ => {}
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.to_owned())
}

/// Runs `command`; fails with its output unless it succeeds.
pub fn succeed(command: &mut Command, what: &str) -> Result<Output> {
    let output = command
        .output()
        .with_context(|| format!("{what}: could not start {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

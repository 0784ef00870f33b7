//! `cargo xtask wheel`: the `llamacloud` command line as one Python wheel of the
//! distribution `llamacloud-batches` (`python/pyproject.toml`), built by a pinned maturin
//! that this installs into a virtual environment of its own; and `--check`, which installs
//! that wheel into a fresh environment and runs it against the emulator.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output},
};

use anyhow::{Context, Result, bail};
use batches_server::{BackgroundServer, DEFAULT_API_KEY, ServerConfig};

use crate::{cargo, project_root};

/// The maturin that builds the wheel; `python/pyproject.toml` requires the same.
pub const MATURIN: &str = "1.16.0";

/// What `wheel` accepts.
pub const USAGE: &str = "wheel (--out DIR | --check) [--profile NAME]";

/// Batches the emulator holds for `--check`'s listing.
const SEEDED: usize = 25;

/// What `wheel` was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Task {
    /// Build the wheel into this directory.
    Build(PathBuf),
    /// Build it, install it into a fresh virtual environment and run it.
    Check,
}

/// `wheel`'s options.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    /// What to do.
    pub task: Task,
    /// A cargo profile other than the `dist` of `python/pyproject.toml`.
    pub profile: Option<String>,
}

impl Options {
    /// Reads `args` (the words after `wheel`).
    pub fn parse(args: &[&str]) -> Result<Options> {
        let (mut task, mut profile) = (None, None);
        let mut rest = args.iter();
        while let Some(&flag) = rest.next() {
            let (slot, value) = match flag {
                "--check" => (&mut task, Task::Check),
                "--out" => match rest.next() {
                    Some(dir) => (&mut task, Task::Build(PathBuf::from(dir))),
                    None => bail!("`--out` needs a directory; usage: {USAGE}"),
                },
                "--profile" => match rest.next() {
                    Some(name) => {
                        profile = Some((*name).to_owned());
                        continue;
                    }
                    None => bail!("`--profile` needs a name; usage: {USAGE}"),
                },
                _ => bail!("unknown option `{flag}`; usage: {USAGE}"),
            };
            if slot.replace(value).is_some() {
                bail!("give one of `--out DIR` and `--check`; usage: {USAGE}");
            }
        }
        let task =
            task.with_context(|| format!("`--out DIR` or `--check` is needed; usage: {USAGE}"))?;
        Ok(Options { task, profile })
    }
}

/// Does what `options` asks.
pub fn run(options: &Options) -> Result<()> {
    match &options.task {
        Task::Build(out) => {
            let wheel = build(out, options.profile.as_deref())?;
            println!("built {}", wheel.display());
            Ok(())
        }
        Task::Check => check(options.profile.as_deref()),
    }
}

/// Builds the wheel into `out` and returns its path.
pub fn build(out: &Path, profile: Option<&str>) -> Result<PathBuf> {
    let work = work_dir()?;
    let maturin = maturin(&work)?;
    // maturin writes into a folder of its own first, so that what it made is known for
    // certain: exactly one wheel.
    let staging = fresh_dir(&work.join("staging"))?;
    let mut command = Command::new(maturin);
    command
        .current_dir(project_root().join("python"))
        .args(["build", "--out"])
        .arg(&staging);
    if let Some(profile) = profile {
        command.args(["--profile", profile]);
    }
    // The build takes minutes: its progress goes to the terminal as it comes.
    let status = command.status().context("running maturin build")?;
    if !status.success() {
        bail!("maturin build failed ({status})");
    }
    let wheels = fs::read_dir(&staging)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()?;
    let [wheel] = wheels.as_slice() else {
        bail!("maturin was to build one wheel and made: {wheels:?}");
    };
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let target = out.join(wheel.file_name().context("a wheel has a name")?);
    fs::copy(wheel, &target).with_context(|| format!("writing {}", target.display()))?;
    Ok(target)
}

/// Builds the wheel, installs it into a fresh virtual environment, and runs `llamacloud
/// --version` and a listing against the emulator from there.
pub fn check(profile: Option<&str>) -> Result<()> {
    let work = fresh_dir(&work_dir()?.join("check"))?;
    let wheel = build(&work.join("dist"), profile)?;
    let version = cli_version()?;
    let name = wheel.file_name().unwrap_or_default().to_string_lossy();
    let expected = format!("llamacloud_batches-{version}-py3-none-");
    if !name.starts_with(&expected) {
        bail!("the wheel is {name}; expected a name starting with {expected}");
    }

    let venv = work.join("venv");
    succeed(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (install python3 and python3-venv)",
    )?;
    let bin = venv.join("bin");
    succeed(
        Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet", "--no-index"])
            .arg(&wheel),
        "pip install",
    )?;
    let shown = succeed(
        Command::new(bin.join("python")).args(["-m", "pip", "show", "llamacloud-batches"]),
        "pip show llamacloud-batches",
    )?;
    let shown = String::from_utf8_lossy(&shown.stdout);
    if !shown.contains(&format!("\nVersion: {version}\n")) {
        bail!("pip shows another version of llamacloud-batches than {version}:\n{shown}");
    }

    let llamacloud = bin.join("llamacloud");
    let output = succeed(
        Command::new(&llamacloud).arg("--version"),
        "llamacloud --version",
    )?;
    let printed = String::from_utf8_lossy(&output.stdout);
    if printed != format!("llamacloud {version}\n") {
        bail!("`llamacloud --version` printed {printed:?}; expected \"llamacloud {version}\"");
    }

    let server = BackgroundServer::start(ServerConfig {
        seed: SEEDED as u64,
        ..ServerConfig::default()
    })?;
    let output = succeed(
        Command::new(&llamacloud)
            .args(["batches", "list", "--format", "jsonl", "--page-size", "10"])
            .env("LLAMA_CLOUD_BASE_URL", server.base_url())
            .env("LLAMA_CLOUD_API_KEY", DEFAULT_API_KEY.0)
            .env_remove("LLAMA_PARSE_API_KEY")
            .env_remove("LLAMA_CLOUD_CUSTOM_HEADERS"),
        "llamacloud batches list",
    )?;
    let listed = String::from_utf8_lossy(&output.stdout).lines().count();
    if listed != SEEDED {
        bail!("the installed llamacloud listed {listed} batches; the emulator holds {SEEDED}");
    }
    println!(
        "{}: installs with pip, `llamacloud --version` prints {version}, and it lists all \
         {SEEDED} batches of the emulator",
        wheel.display()
    );
    Ok(())
}

/// `wheel/` in cargo's target directory.
fn work_dir() -> Result<PathBuf> {
    Ok(cargo::Workspace::read(cargo::command(&project_root()))?
        .target_directory
        .join("wheel"))
}

/// The version of `batches-cli`, which the wheel carries.
fn cli_version() -> Result<String> {
    let workspace = cargo::Workspace::read(cargo::command(&project_root()))?;
    Ok(workspace.package("batches-cli")?.version.clone())
}

/// The pinned maturin, installed into `work/maturin-VERSION` with pip unless already
/// there.
fn maturin(work: &Path) -> Result<PathBuf> {
    let venv = work.join(format!("maturin-{MATURIN}"));
    let maturin = venv.join("bin/maturin");
    if maturin.is_file() {
        return Ok(maturin);
    }
    // A half-made environment from an interrupted run is made again.
    let _ = fs::remove_dir_all(&venv);
    succeed(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (install python3 and python3-venv)",
    )?;
    succeed(
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet"])
            .arg(format!("maturin=={MATURIN}")),
        "pip install maturin",
    )?;
    Ok(maturin)
}

/// `dir`, emptied (or made).
fn fresh_dir(dir: &Path) -> Result<PathBuf> {
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
fn succeed(command: &mut Command, what: &str) -> Result<Output> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wheel_is_built_by_the_maturin_pyproject_requires() {
        let pyproject = fs::read_to_string(project_root().join("python/pyproject.toml")).unwrap();
        assert!(
            pyproject.contains(&format!("requires = [\"maturin=={MATURIN}\"]")),
            "python/pyproject.toml must require maturin=={MATURIN}, as `cargo xtask wheel` \
             installs"
        );
    }

    #[test]
    fn options_are_read() {
        assert_eq!(
            Options::parse(&["--out", "dist"]).unwrap(),
            Options {
                task: Task::Build("dist".into()),
                profile: None
            }
        );
        assert_eq!(
            Options::parse(&["--profile", "release", "--check"]).unwrap(),
            Options {
                task: Task::Check,
                profile: Some("release".into())
            }
        );
        let error = |args: &[&str]| Options::parse(args).unwrap_err().to_string();
        assert_eq!(
            error(&[]),
            format!("`--out DIR` or `--check` is needed; usage: {USAGE}")
        );
        assert_eq!(
            error(&["--out"]),
            format!("`--out` needs a directory; usage: {USAGE}")
        );
        assert_eq!(
            error(&["--check", "--out", "x"]),
            format!("give one of `--out DIR` and `--check`; usage: {USAGE}")
        );
        assert_eq!(
            error(&["--release"]),
            format!("unknown option `--release`; usage: {USAGE}")
        );
    }
}

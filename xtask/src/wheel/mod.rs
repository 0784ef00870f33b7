//! `cargo xtask wheel`: the one Python wheel of the distribution `llamacloud-batches`
//! (`python/pyproject.toml`): the module `llamacloud_batches` and the `llamacloud` and
//! `batches-server` binaries, built by a pinned maturin that this installs into a virtual
//! environment of its own ([`Tools`]); and `--check` ([`check`]), which audits that wheel,
//! installs it into a fresh environment and runs all three against the emulator.
//!
//! On x86_64 Linux the wheel is `manylinux_2_17_x86_64`, whatever the machine's glibc:
//! everything in it is linked by zig for glibc 2.17 (`manylinux.rs`). Elsewhere it is built
//! for the host as it is.
//!
//! The binaries travel as the wheel's scripts: cargo builds them with the module's profile
//! and toolchain, they are copied into `python/build/wheel-data/scripts/` (the `data`
//! folder the pyproject names), and pip installs them beside `python`. maturin builds one
//! crate, so a cargo build of the two binaries beside it is the way to ship them from the
//! same sources.

mod check;
mod manylinux;
mod task;
mod tools;

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

pub use check::check;
pub use task::run;
pub use tools::{AUDITWHEEL, MATURIN, Tools, ZIGLANG, fresh_dir, succeed};

use crate::{cargo, project_root};

/// What `wheel` accepts.
pub const USAGE: &str = "wheel (--out DIR | --check) [--profile NAME]";

/// The binaries the wheel carries, and their packages.
pub const BINARIES: [(&str, &str); 2] = [
    ("llamacloud", "batches-cli"),
    ("batches-server", "batches-server"),
];

/// The profile of `python/pyproject.toml`, used when none is given.
const DEFAULT_PROFILE: &str = "dist";

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

/// Builds the wheel into `out` and returns its path.
pub fn build(out: &Path, profile: Option<&str>) -> Result<PathBuf> {
    let work = work_dir()?;
    let tools = Tools::install(&work)?;
    let toolchain = manylinux::Toolchain::for_host(&work.join("zig"), &tools)?;
    let data = project_root().join("python/build/wheel-data");
    let scripts = fresh_dir(&data.join("scripts"))?;
    let mut cargo = cargo::command(&project_root());
    let mut args = vec![
        "--locked",
        "--profile",
        profile.unwrap_or(DEFAULT_PROFILE),
        "-p",
        BINARIES[0].1,
        "-p",
        BINARIES[1].1,
        "--bins",
    ];
    if let Some(toolchain) = &toolchain {
        toolchain.apply(&mut cargo);
        // The same target directory as maturin's `--zig` build of the module, which shares
        // most of the binaries' dependencies.
        args.extend(["--target", manylinux::TARGET]);
    }
    let binaries = cargo::build(cargo, &args)?;
    for (name, _) in BINARIES {
        let target = scripts.join(name);
        fs::copy(binaries.get(name)?, &target)
            .with_context(|| format!("copying {name} to {}", target.display()))?;
    }
    let wheel = build_with(&tools, toolchain.as_ref(), &work, out, profile);
    // The copies served this wheel only: a later `maturin develop` must not install them
    // (it needs the folder itself, empty).
    let _ = fs::remove_dir_all(&scripts);
    wheel
}

/// Runs maturin over `python/` and copies the one wheel it made into `out`.
fn build_with(
    tools: &Tools,
    toolchain: Option<&manylinux::Toolchain>,
    work: &Path,
    out: &Path,
    profile: Option<&str>,
) -> Result<PathBuf> {
    // maturin writes into a folder of its own first, so that what it made is known for
    // certain: exactly one wheel.
    let staging = fresh_dir(&work.join("staging"))?;
    let mut command = Command::new(tools.maturin());
    command
        .current_dir(project_root().join("python"))
        .args(["build", "--out"])
        .arg(&staging);
    if let Some(profile) = profile {
        command.args(["--profile", profile]);
    }
    if let Some(toolchain) = toolchain {
        // Not in the pyproject: a build from the sources without zig (`pip install
        // ./python`) links against its machine's glibc and is tagged for it.
        toolchain
            .apply(&mut command)
            .args(["--zig", "--compatibility", manylinux::POLICY]);
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

/// `wheel/` in cargo's target directory.
pub(crate) fn work_dir() -> Result<PathBuf> {
    Ok(cargo::Workspace::read(cargo::command(&project_root()))?
        .target_directory
        .join("wheel"))
}

/// The version of `batches-cli`, which the wheel carries.
pub(crate) fn cli_version() -> Result<String> {
    let workspace = cargo::Workspace::read(cargo::command(&project_root()))?;
    Ok(workspace.package("batches-cli")?.version.clone())
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

//! What cargo knows about the workspace, asked of cargo itself: where it builds, which
//! packages and targets there are, and where a build put its binaries. Nothing here
//! assumes a `target/` folder, so `CARGO_TARGET_DIR`, `build.target-dir` and
//! `--target` all work.

use std::{
    collections::BTreeMap,
    io::BufRead,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// `cargo` in `dir`: the cargo that runs this program when there is one (it sets `CARGO`),
/// so that the same toolchain builds everything, in the environment of the shell that
/// started it: without the variables `cargo run` set to describe this package.
pub fn command(dir: &Path) -> Command {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(dir);
    // Build scripts may watch these (ring's watches `CARGO_MANIFEST_DIR` and
    // `CARGO_PKG_NAME` with `rerun-if-env-changed`): a build started here would then differ
    // from one started from a shell, and each would rebuild ring and all above it.
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(describes_this_package) {
            cargo.env_remove(name);
        }
    }
    cargo
}

/// Whether `name` is one of the variables `cargo run` and `cargo test` set for the program
/// they start.
fn describes_this_package(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || matches!(
            name,
            "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
        )
}

/// Runs `cargo` with `args` and fails, naming the command, unless it succeeds.
pub fn run(mut cargo: Command, args: &[&str]) -> Result<()> {
    let status = cargo
        .args(args)
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// The workspace as `cargo metadata` describes it.
#[derive(Debug, Deserialize)]
pub struct Workspace {
    /// The folder of the workspace's `Cargo.toml`.
    pub workspace_root: PathBuf,
    /// Where cargo writes build output.
    pub target_directory: PathBuf,
    /// The workspace members.
    pub packages: Vec<Package>,
}

/// One workspace member.
#[derive(Debug, Deserialize)]
pub struct Package {
    /// The package name, as `-p` takes it.
    pub name: String,
    /// Its version, as in its `Cargo.toml`.
    pub version: String,
    /// Its one-line description, if it has one.
    pub description: Option<String>,
    /// Its `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// Its library, binaries, tests, examples, benchmarks and build script.
    pub targets: Vec<Target>,
}

/// One compilation target of a package: a crate of its own.
#[derive(Debug, Deserialize)]
pub struct Target {
    /// `lib`, `bin`, `test`, `example`, `bench`, `custom-build`, …
    pub kind: Vec<String>,
    /// The target name.
    pub name: String,
    /// The crate root file.
    pub src_path: PathBuf,
}

impl Target {
    /// `lib` for the library (whatever its crate types), else the kind and the name, as in
    /// `test cli`.
    pub fn label(&self) -> String {
        let library = self
            .kind
            .iter()
            .any(|kind| kind.ends_with("lib") || kind == "proc-macro");
        if library {
            "lib".to_owned()
        } else {
            format!("{} {}", self.kind.join(","), self.name)
        }
    }
}

impl Package {
    /// The folder holding the package's `Cargo.toml`.
    pub fn dir(&self) -> &Path {
        self.manifest_path
            .parent()
            .expect("a manifest path names a file in a folder")
    }
}

impl Workspace {
    /// The member named `name`; the error lists the members.
    pub fn package(&self, name: &str) -> Result<&Package> {
        match self.packages.iter().find(|package| package.name == name) {
            Some(package) => Ok(package),
            None => bail!(
                "the workspace has no package `{name}`; its packages: {}",
                self.packages
                    .iter()
                    .map(|package| package.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Asks `cargo` (made by [`command`], perhaps with environment of its own) for the
    /// workspace it is run in.
    pub fn read(mut cargo: Command) -> Result<Workspace> {
        let output = cargo
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .stderr(Stdio::inherit())
            .output()
            .context("running cargo metadata")?;
        if !output.status.success() {
            bail!("cargo metadata failed ({})", output.status);
        }
        serde_json::from_slice(&output.stdout).context("reading the output of cargo metadata")
    }
}

/// The binaries a build produced, by name, and the files of its libraries.
#[derive(Debug)]
pub struct Binaries {
    executables: BTreeMap<String, PathBuf>,
    libraries: BTreeMap<String, Vec<PathBuf>>,
}

impl Binaries {
    /// The path of binary `name`; the error lists what the build produced.
    pub fn get(&self, name: &str) -> Result<&Path> {
        match self.executables.get(name) {
            Some(path) => Ok(path),
            None => bail!(
                "the build produced no binary `{name}`; it produced: {}",
                self.executables
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The file of library `name` (the crate name, as `batches_ffi`) whose name ends with
    /// `suffix` (`.so`, `.a`, …): one crate type of it.
    pub fn library(&self, name: &str, suffix: &str) -> Result<&Path> {
        self.libraries
            .get(name)
            .and_then(|files| {
                files
                    .iter()
                    .find(|file| file.to_string_lossy().ends_with(suffix))
            })
            .map(PathBuf::as_path)
            .with_context(|| format!("the build produced no `{suffix}` file of library `{name}`"))
    }
}

/// An artifact message of `cargo build --message-format=json`.
#[derive(Deserialize)]
struct Artifact {
    reason: String,
    target: Option<ArtifactTarget>,
    executable: Option<PathBuf>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct ArtifactTarget {
    name: String,
}

/// Runs `cargo build` with `args` and returns the binaries it built, at the paths cargo
/// reports. Compiler messages still reach the terminal.
pub fn build(mut cargo: Command, args: &[&str]) -> Result<Binaries> {
    let mut child = cargo
        .arg("build")
        .arg("--message-format=json-render-diagnostics")
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .context("running cargo build")?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut binaries = Binaries {
        executables: BTreeMap::new(),
        libraries: BTreeMap::new(),
    };
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.context("reading the output of cargo build")?;
        // Lines that are not artifacts (build script output, the final status) are skipped.
        let Ok(artifact) = serde_json::from_str::<Artifact>(&line) else {
            continue;
        };
        let Some(target) = artifact
            .target
            .filter(|_| artifact.reason == "compiler-artifact")
        else {
            continue;
        };
        match artifact.executable {
            Some(executable) => {
                binaries.executables.insert(target.name, executable);
            }
            None => {
                binaries.libraries.insert(target.name, artifact.filenames);
            }
        }
    }
    let status = child.wait().context("waiting for cargo build")?;
    if !status.success() {
        bail!("cargo build {} failed ({status})", args.join(" "));
    }
    Ok(binaries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-file package in a folder of its own, outside this workspace.
    fn hello_package() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/main.rs"),
            "fn main() { println!(\"hello\"); }\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn binaries_are_found_where_cargo_target_dir_puts_them() {
        let package = hello_package();
        let target = tempfile::tempdir().unwrap();
        let mut cargo = command(package.path());
        cargo.env("CARGO_TARGET_DIR", target.path());
        let binaries = build(cargo, &["--quiet"]).unwrap();
        let hello = binaries.get("hello").unwrap();
        assert!(hello.starts_with(target.path()), "{}", hello.display());
        let output = Command::new(hello).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "hello\n");
        assert!(!package.path().join("target").exists());

        let error = binaries.get("batches-server").unwrap_err().to_string();
        assert_eq!(
            error,
            "the build produced no binary `batches-server`; it produced: hello"
        );
    }

    #[test]
    fn libraries_are_found_by_crate_type() {
        let package = hello_package();
        std::fs::write(
            package.path().join("Cargo.toml"),
            "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"cdylib\", \"staticlib\"]\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::write(package.path().join("src/lib.rs"), "pub fn hello() {}\n").unwrap();
        let target = tempfile::tempdir().unwrap();
        let mut cargo = command(package.path());
        cargo.env("CARGO_TARGET_DIR", target.path());
        let binaries = build(cargo, &["--quiet", "--lib"]).unwrap();
        let shared = binaries
            .library("hello", std::env::consts::DLL_SUFFIX)
            .unwrap();
        assert!(
            shared.starts_with(target.path()) && shared.is_file(),
            "{}",
            shared.display()
        );
        assert!(binaries.library("hello", ".a").unwrap().is_file());
        let error = binaries
            .library("hello", ".dylib-nope")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "the build produced no `.dylib-nope` file of library `hello`"
        );
    }

    /// A build started here and one started from a shell share their artifacts, even when a
    /// build script watches the variables `cargo test` (or `cargo run`) set for this program.
    #[test]
    fn a_build_from_here_is_one_from_a_shell() {
        assert!(
            std::env::var_os("CARGO_MANIFEST_DIR").is_some()
                && std::env::var_os("CARGO_PKG_NAME").is_some()
        );
        let package = hello_package();
        // Counts its runs in a file of the package.
        std::fs::write(
            package.path().join("build.rs"),
            "fn main() {\n\
                 println!(\"cargo:rerun-if-env-changed=CARGO_MANIFEST_DIR\");\n\
                 println!(\"cargo:rerun-if-env-changed=CARGO_PKG_NAME\");\n\
                 let runs = concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/runs\");\n\
                 let before = std::fs::read_to_string(runs).unwrap_or_default();\n\
                 std::fs::write(runs, before + \"run\\n\").unwrap();\n\
             }\n",
        )
        .unwrap();
        let target = tempfile::tempdir().unwrap();
        let mut here = command(package.path());
        here.env("CARGO_TARGET_DIR", target.path());
        build(here, &["--quiet"]).unwrap();
        let mut shell = Command::new(std::env::var_os("CARGO").unwrap());
        shell
            .current_dir(package.path())
            .env("CARGO_TARGET_DIR", target.path())
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("CARGO_PKG_NAME");
        build(shell, &["--quiet"]).unwrap();
        let runs = std::fs::read_to_string(package.path().join("runs")).unwrap();
        assert_eq!(runs, "run\n");
    }

    #[test]
    fn the_workspace_reports_cargo_target_dir() {
        let target = tempfile::tempdir().unwrap();
        let mut cargo = command(&crate::project_root());
        cargo.env("CARGO_TARGET_DIR", target.path());
        let workspace = Workspace::read(cargo).unwrap();
        assert_eq!(workspace.target_directory, target.path());
        assert_eq!(workspace.workspace_root, crate::project_root());
        let xtask = workspace.package("xtask").unwrap();
        assert_eq!(xtask.dir(), crate::project_root().join("xtask"));
        assert_eq!(xtask.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            xtask.description.as_deref(),
            Some(env!("CARGO_PKG_DESCRIPTION"))
        );

        let error = workspace.package("batches").unwrap_err().to_string();
        assert!(
            error.starts_with("the workspace has no package `batches`; its packages: "),
            "{error}"
        );
        assert!(error.contains("batches-ffi"), "{error}");
    }
}

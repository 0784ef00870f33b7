//! `cargo xtask install-c`: the C ABI of `batches-ffi` installed as a system library, in
//! the layout of cargo-c's `cargo cinstall`:
//!
//! ```text
//! PREFIX/include/batches.h
//! PREFIX/lib/libbatches.so.0.1.0             the shared library, soname libbatches.so.0.1
//! PREFIX/lib/libbatches.so.0.1 -> libbatches.so.0.1.0
//! PREFIX/lib/libbatches.so -> libbatches.so.0.1
//! PREFIX/lib/libbatches.a
//! PREFIX/lib/pkgconfig/batches.pc
//! ```
//!
//! `cargo rustc` builds the library with the soname added to its link, in a target
//! directory of its own (`install-c/` in cargo's): the ordinary build's
//! `libbatches_ffi.so` never carries the soname (a program linked against it must not start
//! needing `libbatches.so.0.1`), and neither build invalidates the other's.

mod compile;
mod options;
mod pkg_config;

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};

pub use options::{LibraryType, Options};

use crate::{cargo, project_root};

/// The name the library is installed under: `libbatches.so`, `-lbatches`, `batches.pc`.
pub const LIBRARY: &str = "batches";

/// The version part of the soname, as cargo-c chooses it: below 1.0 a minor release may
/// break the ABI, so `0.m.p` keeps `0.m` (and `0.0.p` all three); from 1.0 on, the major.
pub fn soname_version(version: &str) -> Result<String> {
    let parts: Vec<u64> = version
        .split(['-', '+'])
        .next()
        .unwrap_or_default()
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("`{version}` is not a version of the form MAJOR.MINOR.PATCH"))?;
    Ok(match parts.as_slice() {
        [0, 0, patch] => format!("0.0.{patch}"),
        [0, minor, _] => format!("0.{minor}"),
        [major, _, _] => major.to_string(),
        _ => bail!("`{version}` is not a version of the form MAJOR.MINOR.PATCH"),
    })
}

/// Builds the library with `options.profile` and installs it; returns the files and links
/// written, in the order written.
pub fn run(options: &Options) -> Result<Vec<PathBuf>> {
    if !cfg!(target_os = "linux") {
        bail!(
            "install-c installs an ELF shared library with a soname, as on Linux; on {} use \
             cargo-c (`cargo cinstall -p batches-ffi`), or link the ordinary build's \
             libbatches_ffi library as crates/batches-ffi/README.md shows",
            std::env::consts::OS
        );
    }
    let workspace = cargo::Workspace::read(cargo::command(&project_root()))?;
    let ffi = workspace.package("batches-ffi")?;
    let soname = format!(
        "lib{LIBRARY}.so.{}",
        soname_version(&ffi.version).context("reading the version of batches-ffi")?
    );
    let built = compile::library(
        &options.profile,
        &workspace.target_directory.join("install-c"),
        &soname,
    )?;
    let paths = options.paths()?;
    let pc = pkg_config::PkgConfig {
        name: LIBRARY,
        prefix: &paths.prefix,
        libdir: &paths.libdir,
        includedir: &paths.includedir,
        version: &ffi.version,
        description: ffi
            .description
            .as_deref()
            .unwrap_or("C client of the Batches API"),
        static_libs: &built.static_libs,
    }
    .render()?;

    let libdir = paths.staged(&paths.libdir);
    let includedir = paths.staged(&paths.includedir);
    let mut written = Vec::new();
    if options.installs(LibraryType::Cdylib) {
        let file = format!("lib{LIBRARY}.so.{}", ffi.version);
        written.push(copy(&built.shared, &libdir.join(&file), 0o755)?);
        written.push(symlink(&file, &libdir.join(&soname))?);
        written.push(symlink(&soname, &libdir.join(format!("lib{LIBRARY}.so")))?);
    }
    if options.installs(LibraryType::Staticlib) {
        written.push(copy(
            &built.archive,
            &libdir.join(format!("lib{LIBRARY}.a")),
            0o644,
        )?);
    }
    written.push(copy(
        &ffi.dir().join("include/batches.h"),
        &includedir.join("batches.h"),
        0o644,
    )?);
    written.push(write(
        &libdir.join(format!("pkgconfig/{LIBRARY}.pc")),
        pc.as_bytes(),
    )?);
    Ok(written)
}

/// Writes `to` through a temporary file renamed over it, so a program running the old
/// library keeps its mapping intact (as `install(1)` does).
fn write(to: &Path, contents: &[u8]) -> Result<PathBuf> {
    write_with(to, |temporary| {
        fs::write(temporary, contents).map_err(anyhow::Error::from)
    })
}

fn copy(from: &Path, to: &Path, mode: u32) -> Result<PathBuf> {
    write_with(to, |temporary| {
        fs::copy(from, temporary).with_context(|| format!("copying {}", from.display()))?;
        set_mode(temporary, mode)
    })
}

/// A symbolic link `link` → `target` (a name in the same directory), replacing any file.
fn symlink(target: &str, link: &Path) -> Result<PathBuf> {
    write_with(link, |temporary| {
        std::os::unix::fs::symlink(target, temporary).map_err(anyhow::Error::from)
    })
}

fn write_with(to: &Path, make: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
    let dir = to.parent().context("an installed file has a directory")?;
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = to.file_name().context("an installed file has a name")?;
    let temporary = dir.join(format!(".{}.partial", name.to_string_lossy()));
    // Left over from an interrupted run, if anything.
    let _ = fs::remove_file(&temporary);
    make(&temporary).with_context(|| format!("writing {}", to.display()))?;
    fs::rename(&temporary, to).with_context(|| format!("installing {}", to.display()))?;
    Ok(to.to_owned())
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(anyhow::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soname_keeps_what_semver_may_break() {
        assert_eq!(soname_version("0.1.0").unwrap(), "0.1");
        assert_eq!(soname_version("0.12.7").unwrap(), "0.12");
        assert_eq!(soname_version("0.0.3").unwrap(), "0.0.3");
        assert_eq!(soname_version("1.4.2").unwrap(), "1");
        assert_eq!(soname_version("2.0.0-rc.1").unwrap(), "2");
        let error = soname_version("1.4").unwrap_err().to_string();
        assert_eq!(
            error,
            "`1.4` is not a version of the form MAJOR.MINOR.PATCH"
        );
        assert!(soname_version("one.two.three").is_err());
    }

    #[test]
    fn an_installed_file_replaces_the_old_one_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("lib/libx.so.1.0.0");
        write(&target, b"old").unwrap();
        let old = fs::File::open(&target).unwrap();
        write(&target, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        // The old file lives on for whoever has it open (a running program's mapping).
        assert_eq!(std::io::read_to_string(old).unwrap(), "old");

        symlink("libx.so.1.0.0", &dir.path().join("lib/libx.so")).unwrap();
        symlink("libx.so.1.0.0", &dir.path().join("lib/libx.so")).unwrap();
        assert_eq!(fs::read(dir.path().join("lib/libx.so")).unwrap(), b"new");
        let mut names: Vec<String> = fs::read_dir(dir.path().join("lib"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["libx.so", "libx.so.1.0.0"]);
    }

    #[test]
    fn a_copy_gets_the_mode_asked_for() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        fs::write(&from, b"x").unwrap();
        set_mode(&from, 0o600).unwrap();
        let to = copy(&from, &dir.path().join("to"), 0o755).unwrap();
        let mode = fs::metadata(to).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}

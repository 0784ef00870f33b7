//! The library behind `cargo xtask`, so that tests can run the same checks.
//!
//! Two binaries use it. `xtask`, which `cargo xtask` builds without the `chores` feature,
//! runs the checks (`codegen`, `layout`, `snapshots`) and hands every chore on to
//! `xtask-chores` ([`chores`]); the modules of the chores, and the product crates they
//! build on, exist only with that feature.
#![warn(missing_docs)]

#[cfg(feature = "chores")]
pub mod bench;
#[cfg(feature = "chores")]
pub mod browser;
pub mod cargo;
pub mod chores;
pub mod codegen;
#[cfg(feature = "chores")]
pub mod demo;
#[cfg(feature = "chores")]
pub mod emulator;
// Symbolic links and file modes: a Unix install (it refuses all but Linux at run time).
#[cfg(all(feature = "chores", unix))]
pub mod install_c;
pub mod layout;
#[cfg(feature = "chores")]
pub mod man;
#[cfg(feature = "chores")]
pub mod pytest;
pub mod snapshots;
#[cfg(feature = "chores")]
pub mod venv;
#[cfg(feature = "chores")]
pub mod wheel;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `cargo xtask` accepts.
pub const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  codegen            regenerate every checked-in generated file from spec/
  codegen --check    change nothing; print a diff and fail when a generated file is stale
  layout [-p PACKAGE]...
                     fail when a hand-written Rust file is over 600 lines or the modules of a
                     crate use each other in a cycle (every workspace package by default)
  bench              build in release mode and print every performance figure (needs wrk,
                     curl and /usr/bin/time)
  bench --peers      every way of listing batches side by side over the emulator: one curl
                     process (the floor), the CLI, the C ABI and the official Python and
                     TypeScript SDKs (installed into cargo's target directory), with and
                     without --latency 20; written to BENCHMARKS.md (needs curl, python3,
                     node and npm, cc and /usr/bin/time; takes about 20 minutes)
  bench client-listing SERVER [COUNT [PAGE_SIZE]]
                     the client's memory while it lists COUNT batches (default 100000),
                     PAGE_SIZE at a time (default 100), from the batches-server binary SERVER;
                     `bench` runs it from a release build
  bench presigned-download SERVER [MIB]
                     the client's memory while it saves a parse result of MIB MiB (default
                     50) that the batches-server binary SERVER serves only through its
                     presigned URL; `bench` runs it from a release build
  browser [ARGS]...  the browser tests (tests/browser): build batches-server and llamacloud,
                     run pytest (ARGS passed on) with Selenium driving Debian's headless
                     Chromium (`apt-get install chromium chromium-driver`); screenshots in
                     browser-screenshots/ in cargo's target directory
  bench export SERVER LLAMACLOUD
                     files/s of `batches results --out` over 1,000 finished parse results
                     from the batches-server binary SERVER at --latency 20, with the
                     llamacloud binary LLAMACLOUD; `bench` runs it from release builds
  demo               build, start the emulator with seeded data and run the CLI against it:
                     `batches run` over examples/documents (exits 4: one file type no product
                     reads), the batch table, the stats chart
  install-c --prefix DIR [--libdir DIR] [--includedir DIR] [--destdir DIR]
            [--profile NAME] [--library-type cdylib|staticlib]...
                     build the C library (profile `dist` by default) and install it under DIR:
                     lib/libbatches.so.X.Y.Z with its soname and links, lib/libbatches.a,
                     include/batches.h, lib/pkgconfig/batches.pc; `--destdir` stages the
                     files under another root; both libraries unless `--library-type` says
  man [DIR]          write the man pages of llamacloud into DIR (default: man/ in cargo's
                     target directory)
  wheel --out DIR [--profile NAME]
                     build the Python wheel (distribution llamacloud-batches,
                     python/pyproject.toml: the module llamacloud_batches and the llamacloud
                     and batches-server binaries) into DIR with the pinned maturin, installed
                     into a virtual environment in cargo's target directory; on x86_64 Linux
                     linked for glibc 2.17 (manylinux2014) by the pinned zig; profile `dist`
                     by default
  wheel --check [--profile NAME]
                     build the wheel, have the pinned auditwheel confirm it is manylinux_2_17,
                     pip-install it into a fresh virtual environment, and run `llamacloud
                     --version`, a listing against the emulator, `batches-server` and the
                     module from there
  pytest [ARGS]...   the Python package's tests: pytest over python/tests (ARGS added), with
                     the dev-profile wheel and python/requirements-test.txt installed into a
                     virtual environment in cargo's target directory
  snapshots --reject-unreferenced FILE
                     fail when an insta snapshot is not among those a test run recorded in
                     FILE (the run's INSTA_SNAPSHOT_REFERENCES_FILE)";

/// The workspace root (the parent of `xtask/`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// How a command that ended with `result` exits: 0, or 1 with the error on stderr.
pub fn exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// What an unknown command gets: [`USAGE`] on stderr, exit status 2.
pub fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

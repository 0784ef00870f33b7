//! The library behind `cargo xtask`, so that tests can run the same checks.
#![warn(missing_docs)]

pub mod bench;
pub mod codegen;
pub mod demo;
pub mod emulator;
pub mod man;
pub mod snapshots;

use std::path::{Path, PathBuf};

/// What `cargo xtask` accepts.
pub const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  codegen            regenerate every checked-in generated file from spec/
  codegen --check    change nothing; print a diff and fail when a generated file is stale
  bench              build in release mode and print every performance figure (needs wrk)
  demo               build, start the emulator with seeded data and run the CLI against it:
                     the batch table, the stats chart, a batch created and followed to the end
  man [DIR]          write the man pages of llamacloud into DIR (default target/man)
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

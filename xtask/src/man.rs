//! `cargo xtask man [DIR]`: man pages of `llamacloud` and each of its commands, generated
//! from the same definition as the command line itself.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::{cargo, project_root};

/// `man/` in the folder cargo builds into.
pub fn default_dir() -> Result<PathBuf> {
    let workspace = cargo::Workspace::read(cargo::command(&project_root()))?;
    Ok(workspace.target_directory.join("man"))
}

/// Writes `llamacloud.1`, `llamacloud-batches.1`, `llamacloud-batches-list.1`, … into
/// `dir`, creating it.
pub fn run(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(batches_cli::command(), dir)
        .with_context(|| format!("writing man pages into {}", dir.display()))?;
    println!("man pages written to {}", dir.display());
    Ok(())
}

//! `cargo xtask snapshots --reject-unreferenced FILE`: fails when a checked-in insta
//! snapshot was not asserted by the test run that recorded `FILE`.
//!
//! insta appends the path of every snapshot it asserts to the file named by
//! `INSTA_SNAPSHOT_REFERENCES_FILE`; a snapshot missing from it belongs to a test that was
//! renamed or removed, and would otherwise linger unchecked.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};

use crate::{cargo, project_root};

/// Compares the snapshots on disk with the ones a test run referenced.
pub fn reject_unreferenced(references_file: &Path) -> Result<()> {
    let referenced: BTreeSet<PathBuf> = fs::read_to_string(references_file)
        .with_context(|| format!("reading {}", references_file.display()))?
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| fs::canonicalize(line).unwrap_or_else(|_| PathBuf::from(line)))
        .collect();
    let workspace = cargo::Workspace::read(cargo::command(&project_root()))?;
    let mut on_disk = Vec::new();
    collect_snapshots(
        &workspace.workspace_root,
        &workspace.target_directory,
        &mut on_disk,
    )?;
    let unreferenced: Vec<String> = on_disk
        .iter()
        .filter(|path| !referenced.contains(*path))
        .map(|path| path.display().to_string())
        .collect();
    if !unreferenced.is_empty() {
        bail!(
            "snapshots no test asserts (delete them or restore their tests):\n  {}",
            unreferenced.join("\n  ")
        );
    }
    eprintln!("{} snapshots, all referenced", on_disk.len());
    Ok(())
}

/// Every `.snap` file under `dir`, leaving out the build output and hidden folders.
fn collect_snapshots(dir: &Path, target_dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if entry.file_type()?.is_dir() {
            if !hidden && path != target_dir && entry.file_name() != "node_modules" {
                collect_snapshots(&path, target_dir, out)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "snap") {
            out.push(fs::canonicalize(&path)?);
        }
    }
    Ok(())
}

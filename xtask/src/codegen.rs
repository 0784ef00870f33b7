//! `cargo xtask codegen`: every derived file that is checked in, regenerated from its source.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::project_root;

/// Whether to write the generated files or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Overwrite stale files.
    Write,
    /// Change nothing; fail with a diff when a file is stale.
    Check,
}

/// A checked-in file and the text it should hold.
struct Generated {
    path: &'static str,
    text: String,
}

fn generated_files() -> Result<Vec<Generated>> {
    let root = project_root();
    let schema_path = root.join("spec/batches.schema.json");
    let schema = fs::read_to_string(&schema_path)
        .with_context(|| format!("reading {}", schema_path.display()))?;
    let models = batches_codegen::generate_models(&schema)
        .with_context(|| format!("generating models from {}", schema_path.display()))?;
    Ok(vec![
        Generated {
            path: "crates/batches-types/generated/models.rs",
            text: models,
        },
        // The copy a packaged `batches-types` builds from, since a package holds only its
        // own folder; inside the repository its build script reads spec/ itself.
        Generated {
            path: "crates/batches-types/spec/batches.schema.json",
            text: schema,
        },
        Generated {
            path: "crates/batches-ffi/include/batches.h",
            text: ffi_header(&root.join("crates/batches-ffi"))?,
        },
    ])
}

/// The C header of `batches-ffi`, as the pinned cbindgen writes it from the crate's
/// `cbindgen.toml`.
fn ffi_header(crate_dir: &Path) -> Result<String> {
    // cbindgen reads whatever crate it finds; without this check a missing crate would
    // pass `--check` with its header never compared.
    if !crate_dir.join("Cargo.toml").is_file() {
        bail!(
            "{} is not a crate (no Cargo.toml): the C header \
             crates/batches-ffi/include/batches.h is generated from batches-ffi's sources, \
             so that crate must be present",
            crate_dir.display()
        );
    }
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .map_err(|e| anyhow::anyhow!("reading cbindgen.toml: {e}"))?;
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .context("generating the batches-ffi header")?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    Ok(String::from_utf8(out)?)
}

/// Regenerates (or, in [`Mode::Check`], verifies) every generated file.
pub fn run(mode: Mode) -> Result<()> {
    let root = project_root();
    let mut stale = Vec::new();
    for file in generated_files()? {
        let path = root.join(file.path);
        let current = fs::read_to_string(&path).unwrap_or_default();
        if current == file.text {
            continue;
        }
        match mode {
            Mode::Write => {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir)?;
                }
                fs::write(&path, &file.text)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("updated {}", file.path);
            }
            Mode::Check => {
                let diff = similar::TextDiff::from_lines(&current, &file.text);
                eprintln!(
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header(file.path, &format!("{} (regenerated)", file.path))
                );
                stale.push(file.path);
            }
        }
    }
    if !stale.is_empty() {
        bail!(
            "stale generated files: {}; run `cargo xtask codegen` and commit the result",
            stale.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test` fails when a generated file is out of date with its source.
    #[test]
    fn generated_files_are_fresh() {
        if let Err(e) = run(Mode::Check) {
            panic!("{e:#}");
        }
    }

    /// A packaged `batches-types` builds from its copy of the schema, which must be spec/'s.
    #[test]
    fn the_packaged_schema_is_the_spec() {
        let files = generated_files().unwrap();
        let copy = files
            .iter()
            .find(|file| file.path == "crates/batches-types/spec/batches.schema.json")
            .expect("the schema copy is a generated file");
        let spec = fs::read_to_string(project_root().join("spec/batches.schema.json")).unwrap();
        assert_eq!(copy.text, spec);
    }

    #[test]
    fn a_missing_ffi_crate_fails_naming_it() {
        let missing = project_root().join("crates/batches-ffi/no-such-crate");
        let err = ffi_header(&missing).unwrap_err().to_string();
        assert!(err.contains("no-such-crate is not a crate"), "{err}");
        assert!(err.contains("include/batches.h"), "{err}");
    }
}

//! Generates the models from the schema, so a schema change is a type change.
//!
//! `spec/batches.schema.json` at the repository root is the one source. Inside the
//! repository the build reads it there, so editing it changes the types at the next build.
//! A packaged crate (from a registry, vendored) has no repository around it and reads the
//! copy it carries in its own `spec/`, which `cargo xtask codegen` writes from the
//! repository's and `cargo xtask codegen --check` proves identical.

use std::{
    env, fs,
    path::{Path, PathBuf},
};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let schema_path = schema_path(&manifest_dir);
    println!("cargo::rerun-if-changed={}", schema_path.display());
    let schema = fs::read_to_string(&schema_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", schema_path.display()));
    let models = batches_codegen::generate_models(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("models.rs");
    fs::write(&out, models).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

/// The repository's schema when this crate sits in the repository's `crates/`, else the
/// packaged copy.
fn schema_path(manifest_dir: &Path) -> PathBuf {
    let in_repository = manifest_dir
        .parent()
        .filter(|parent| parent.file_name().is_some_and(|name| name == "crates"))
        .and_then(Path::parent)
        .map(|root| root.join("spec/batches.schema.json"))
        .filter(|schema| schema.is_file());
    in_repository.unwrap_or_else(|| manifest_dir.join("spec/batches.schema.json"))
}

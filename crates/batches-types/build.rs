//! Generates the models from the checked-in schema, so a schema change is a type change.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let schema_path = manifest_dir.join("../../spec/batches.schema.json");
    println!("cargo::rerun-if-changed={}", schema_path.display());
    let schema = fs::read_to_string(&schema_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", schema_path.display()));
    let models = batches_codegen::generate_models(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("models.rs");
    fs::write(&out, models).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

//! The checks on small crates held in memory.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{MAX_LINES, crate_cycles, run, too_long};

/// The module cycles of a crate made of `files` (`(path, text)`), rooted at `src/lib.rs`.
fn cycles_of(files: &[(&str, &str)]) -> Vec<String> {
    let sources: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(path, text)| (PathBuf::from(path), (*text).to_owned()))
        .collect();
    crate_cycles(&PathBuf::from("src/lib.rs"), &sources).unwrap()
}

#[test]
fn two_modules_using_each_other_are_a_cycle() {
    let found = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        (
            "src/a.rs",
            "pub struct A;\npub fn name() -> String { format!(\"{}\", crate::b::NAME) }\n",
        ),
        (
            "src/b.rs",
            "use crate::a::A;\npub const NAME: &str = \"b\";\n",
        ),
    ]);
    assert_eq!(found, ["a -> b -> a"]);
}

#[test]
fn a_re_export_does_not_hide_a_cycle() {
    let found = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\npub use b::B;\n"),
        ("src/a.rs", "use crate::B;\npub struct A(B);\n"),
        (
            "src/b.rs",
            "pub struct B;\nimpl B { fn a(&self) -> super::a::A { todo!() } }\n",
        ),
    ]);
    assert_eq!(found, ["a -> b -> a"]);
}

#[test]
fn a_longer_cycle_through_nested_files_and_inline_modules() {
    let found = cycles_of(&[
        ("src/lib.rs", "pub mod http;\nmod store;\n"),
        (
            "src/http/mod.rs",
            "mod routes;\npub struct State(crate::store::Store);\n",
        ),
        (
            "src/http/routes.rs",
            "use crate::store::Store;\n\
             pub mod inner {\n    pub fn route() -> crate::http::State { todo!() }\n}\n",
        ),
        (
            "src/store.rs",
            "pub struct Store;\nfn f() { crate::http::routes::inner::route(); }\n",
        ),
    ]);
    assert_eq!(found, ["http -> store -> http::routes::inner -> http"]);
}

#[test]
fn parents_children_tests_and_one_way_use_are_no_cycle() {
    let found = cycles_of(&[
        (
            "src/lib.rs",
            "mod a;\nmod b;\npub use a::A;\npub fn run() -> A { b::make() }\n",
        ),
        (
            "src/a.rs",
            "pub struct A;\npub fn helper() {}\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { helper(); let _ = crate::b::make(); }\n}\n",
        ),
        (
            "src/b.rs",
            "use crate::a::{self, A};\npub fn make() -> A { a::helper(); A }\n",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_parent_using_a_child_that_uses_it_back_is_a_cycle() {
    let found = cycles_of(&[
        (
            "src/lib.rs",
            "mod a;\npub struct Config;\npub fn make() -> a::A { a::A(Config) }\n",
        ),
        (
            "src/a.rs",
            "use crate::Config;\npub struct A(pub Config);\n",
        ),
    ]);
    assert_eq!(found, ["crate -> a -> crate"]);
}

#[test]
fn a_parent_using_a_re_exported_grandchild_that_uses_it_back_is_a_cycle() {
    let found = cycles_of(&[
        ("src/lib.rs", "pub mod cli;\n"),
        (
            "src/cli.rs",
            "mod run;\npub use run::RunArgs;\n\
             pub enum Command { Run(RunArgs) }\nfn parser() {}\n",
        ),
        ("src/cli/run.rs", "mod args;\npub use args::RunArgs;\n"),
        (
            "src/cli/run/args.rs",
            "pub struct RunArgs;\nfn f() { super::super::parser() }\n",
        ),
    ]);
    assert_eq!(found, ["cli -> cli::run::args -> cli"]);
}

#[test]
fn a_parent_that_only_declares_and_re_exports_its_children_is_no_cycle() {
    let found = cycles_of(&[
        (
            "src/lib.rs",
            "mod a;\nmod b;\npub use a::A;\npub use b::*;\npub struct Config;\n",
        ),
        (
            "src/a.rs",
            "use crate::Config;\npub struct A(pub Config);\n",
        ),
        (
            "src/b.rs",
            "pub fn config() -> super::Config { super::Config }\n",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

/// The workspace itself keeps the limits, so `cargo test` fails as `cargo xtask layout` does.
#[test]
fn the_workspace_has_no_long_file_and_no_module_cycle() {
    if let Err(e) = run(&[]) {
        panic!("{e:#}");
    }
}

#[test]
fn a_missing_module_file_is_named() {
    let sources: BTreeMap<PathBuf, String> =
        BTreeMap::from([(PathBuf::from("src/lib.rs"), "mod gone;\n".to_owned())]);
    let error = crate_cycles(&PathBuf::from("src/lib.rs"), &sources).unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "src/lib.rs: `mod gone;` has no file (looked for src/gone.rs and src/gone/mod.rs)"
    );
}

#[test]
fn long_hand_written_files_are_reported_and_generated_ones_are_not() {
    let long = "fn f() {}\n".repeat(MAX_LINES + 1);
    assert_eq!(too_long(&long), Some(MAX_LINES + 1));
    assert_eq!(too_long(&"fn f() {}\n".repeat(MAX_LINES)), None);
    let generated = format!("// generated by `cargo xtask codegen` from x, do not edit\n{long}");
    assert_eq!(too_long(&generated), None);
}

//! `cargo xtask`: the repository's chores, in Rust so they need nothing but cargo.
//!
//! This binary runs the checks (`codegen`, `layout`, `snapshots`) and hands the chores to
//! `xtask-chores` (see `xtask::chores`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["layout", rest @ ..] => packages(rest).and_then(|only| xtask::layout::run(&only)),
        ["codegen"] => xtask::codegen::run(xtask::codegen::Mode::Write),
        ["codegen", "--check"] => xtask::codegen::run(xtask::codegen::Mode::Check),
        ["snapshots", "--reject-unreferenced", file] => {
            xtask::snapshots::reject_unreferenced(Path::new(file))
        }
        [command, ..] if xtask::chores::COMMANDS.contains(command) => {
            return xtask::chores::hand_over(&args).unwrap_or_else(|e| xtask::exit(Err(e)));
        }
        _ => return xtask::usage(),
    };
    xtask::exit(result)
}

/// The package names of `-p NAME -p NAME …`.
fn packages(args: &[&str]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match (*arg, rest.next()) {
            ("-p" | "--package", Some(name)) => names.push((*name).to_owned()),
            _ => bail!("layout takes `-p PACKAGE` (any number of times); got `{arg}`"),
        }
    }
    Ok(names)
}

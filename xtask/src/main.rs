//! `cargo xtask`: the repository's chores, in Rust so they need nothing but cargo.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["bench"] => xtask::bench::run(),
        ["demo"] => xtask::demo::run(),
        ["man"] => xtask::man::run(&xtask::project_root().join("target/man")),
        ["man", dir] => xtask::man::run(std::path::Path::new(dir)),
        ["codegen"] => xtask::codegen::run(xtask::codegen::Mode::Write),
        ["codegen", "--check"] => xtask::codegen::run(xtask::codegen::Mode::Check),
        ["snapshots", "--reject-unreferenced", file] => {
            xtask::snapshots::reject_unreferenced(std::path::Path::new(file))
        }
        _ => {
            eprintln!("{}", xtask::USAGE);
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

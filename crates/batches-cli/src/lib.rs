//! `llamacloud`, the command line for LlamaCloud batches.
//!
//! The binary is a thin `main` over [`run`]; [`command`] describes every command and
//! option, for man pages and shell completions. Install the binary with
//! `cargo install batches-cli` (or `cargo install --path crates/batches-cli` from the
//! repository).
//!
//! ```
//! let mut command = batches_cli::command();
//! assert_eq!(command.get_name(), "llamacloud");
//! let mut script = Vec::new();
//! clap_complete::generate(clap_complete::Shell::Bash, &mut command, "llamacloud", &mut script);
//! assert!(String::from_utf8(script)?.contains("llamacloud__subcmd__batches__subcmd__list"));
//! # Ok::<(), std::string::FromUtf8Error>(())
//! ```
#![warn(missing_docs)]

mod cli;
mod commands;
mod console;
mod failure;
mod output;
mod profile;
mod settings;
mod transform;
mod values;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// The `llamacloud` command line: every command, option and help text.
pub fn command() -> clap::Command {
    cli::Cli::command()
}

/// Runs `llamacloud` with the process's arguments and returns its exit code.
pub fn run() -> ExitCode {
    let typed_controls = console::typed_controls();
    let mut command = command();
    if !typed_controls.is_empty() {
        command = command.styles(clap::builder::Styles::plain());
    }
    let matches = match command.try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            // --help and --version are "errors" that go to stdout with exit code 0.
            let code = if error.use_stderr() { 2 } else { 0 };
            console::parse_error(error, &typed_controls);
            return ExitCode::from(code);
        }
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => {
            console::parse_error(error, &typed_controls);
            return ExitCode::from(2);
        }
    };
    let no_color =
        cli.global.no_color || std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let console = console::Console::new(cli.global.quiet, !no_color);
    match commands::run(cli, &console) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            console.failure(&failure);
            failure.exit_code()
        }
    }
}

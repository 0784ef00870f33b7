//! The chores: the commands that build or run the product (`bench`, `browser`, `demo`,
//! `install-c`, `man`, `pytest`, `wheel`). They need the product crates, so they live behind the
//! `chores` feature, in the `xtask-chores` binary; `xtask`, which `cargo xtask` builds
//! without the feature so that the checks compile only what they need, hands them on.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::{cargo, project_root};

/// The first word of each chore.
pub const COMMANDS: [&str; 7] = [
    "bench",
    "browser",
    "demo",
    "install-c",
    "man",
    "pytest",
    "wheel",
];

/// What runs a chore: `cargo run` of `xtask-chores`, which builds it first (with the
/// `chores` feature, in cargo's target directory, as `CARGO_TARGET_DIR` or the
/// configuration says).
const RUN: [&str; 9] = [
    "run",
    "--quiet",
    "--package",
    "xtask",
    "--features",
    "chores",
    "--bin",
    "xtask-chores",
    "--",
];

/// Runs the chore `args` (its first word one of [`COMMANDS`]) with `xtask-chores`, and
/// exits as it did (2 for a usage error, as `xtask` does). A binary of its own, rather
/// than `xtask` rebuilt with the feature, so that building it never replaces the running
/// `xtask` (which Windows refuses) and the two builds never undo each other.
pub fn hand_over(args: &[&str]) -> Result<ExitCode> {
    let status = cargo::command(&project_root())
        .args(RUN)
        .args(args)
        .status()
        .with_context(|| format!("running cargo {}", RUN.join(" ")))?;
    Ok(status
        .code()
        .and_then(|code| u8::try_from(code).ok())
        .map_or(ExitCode::FAILURE, ExitCode::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::USAGE;

    /// The words that start a command in [`USAGE`].
    fn usage_commands() -> Vec<&'static str> {
        USAGE
            .lines()
            .skip_while(|line| *line != "commands:")
            .filter_map(|line| line.strip_prefix("  "))
            // A description's lines are indented further.
            .filter(|rest| !rest.starts_with(' '))
            .filter_map(|rest| rest.split_whitespace().next())
            .collect()
    }

    /// A chore missing from [`COMMANDS`] would get the usage from `cargo xtask`.
    #[test]
    fn every_command_is_a_check_or_a_chore() {
        let checks = ["codegen", "layout", "snapshots"];
        let commands = usage_commands();
        for command in &commands {
            assert!(
                checks.contains(command) || COMMANDS.contains(command),
                "`{command}` is neither a check nor a chore"
            );
        }
        for chore in COMMANDS {
            assert!(commands.contains(&chore), "`{chore}` is not in the usage");
        }
    }
}

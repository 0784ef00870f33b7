//! `wheel`'s options carried out. Beside `check` rather than in the parent module, which
//! `check` uses: the parent builds, `check` builds and tests, this chooses between them.

use anyhow::Result;

use super::check::check;
use super::{Options, Task, build};

/// Does what `options` asks.
pub fn run(options: &Options) -> Result<()> {
    match &options.task {
        Task::Build(out) => {
            let wheel = build(out, options.profile.as_deref())?;
            println!("built {}", wheel.display());
            Ok(())
        }
        Task::Check => check(options.profile.as_deref()),
    }
}

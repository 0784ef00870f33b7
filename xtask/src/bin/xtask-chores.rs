//! The chores of `cargo xtask` that build or run the product (`xtask::chores`), built with
//! the `chores` feature; `cargo xtask` hands them here.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["bench"] => xtask::bench::run(),
        ["bench", "--peers"] => xtask::bench::peers::run(),
        ["bench", "client-listing", server, rest @ ..] if rest.len() <= 2 => {
            client_listing(Path::new(server), rest)
        }
        ["bench", "presigned-download", server, rest @ ..] if rest.len() <= 1 => {
            presigned_download(Path::new(server), rest.first().copied())
        }
        ["browser", rest @ ..] => xtask::browser::run(rest),
        ["bench", "export", server, llamacloud] => {
            xtask::bench::export(Path::new(server), Path::new(llamacloud))
        }
        ["demo"] => xtask::demo::run(),
        #[cfg(unix)]
        ["install-c", rest @ ..] => install_c(rest),
        #[cfg(not(unix))]
        ["install-c", ..] => Err(anyhow::anyhow!(
            "install-c installs an ELF shared library with a soname; on Windows use cargo-c \
             (`cargo cinstall -p batches-ffi`) or the ordinary build's batches_ffi library"
        )),
        ["wheel", rest @ ..] => {
            xtask::wheel::Options::parse(rest).and_then(|options| xtask::wheel::run(&options))
        }
        ["pytest", rest @ ..] => xtask::pytest::run(rest),
        ["man"] => xtask::man::default_dir().and_then(|dir| xtask::man::run(&dir)),
        ["man", dir] => xtask::man::run(Path::new(dir)),
        _ => return xtask::usage(),
    };
    xtask::exit(result)
}

/// `install-c …`: installs, then lists what it wrote.
#[cfg(unix)]
fn install_c(args: &[&str]) -> Result<()> {
    let options = xtask::install_c::Options::parse(args)?;
    for path in xtask::install_c::run(&options)? {
        println!("installed {}", path.display());
    }
    Ok(())
}

/// `bench presigned-download SERVER [MIB]`.
fn presigned_download(server: &Path, mib: Option<&str>) -> Result<()> {
    let mib = match mib {
        None => 50,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|mib| *mib > 0)
            .with_context(|| format!("MIB must be a whole number above 0; got `{text}`"))?,
    };
    xtask::bench::presigned_download(server, mib)
}

/// `bench client-listing SERVER [COUNT [PAGE_SIZE]]`.
fn client_listing(server: &Path, rest: &[&str]) -> Result<()> {
    let number = |index: usize, what: &str, default: u64| -> Result<u64> {
        match rest.get(index) {
            None => Ok(default),
            Some(text) => match text.parse::<u64>() {
                Ok(value) if value > 0 => Ok(value),
                _ => bail!("{what} must be a whole number above 0; got `{text}`"),
            },
        }
    };
    xtask::bench::client_listing(
        server,
        number(0, "COUNT", 100_000)?,
        number(1, "PAGE_SIZE", 100)?,
    )
}

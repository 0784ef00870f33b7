//! The one build of the library that is installed: shared and static at once, the shared
//! one linked with its soname.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::{cargo, project_root};

/// What the build produced.
#[derive(Debug)]
pub struct Library {
    /// `libbatches_ffi.so`, with the soname.
    pub shared: PathBuf,
    /// `libbatches_ffi.a`.
    pub archive: PathBuf,
    /// The system libraries the archive needs, as rustc printed them.
    pub static_libs: String,
}

/// A line of `cargo --message-format json`: an artifact or a compiler message.
#[derive(Deserialize)]
struct Message {
    reason: String,
    target: Option<MessageTarget>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct MessageTarget {
    name: String,
}

#[derive(Deserialize)]
struct Diagnostic {
    message: String,
    rendered: Option<String>,
}

/// rustc's note listing the system libraries a static library needs.
const NATIVE_STATIC_LIBS: &str = "native-static-libs: ";

/// Builds `batches-ffi` with `profile` into `target_dir`, the shared library named
/// `soname`.
pub fn library(profile: &str, target_dir: &Path, soname: &str) -> Result<Library> {
    let mut cargo = cargo::command(&project_root());
    cargo
        .args(["rustc", "--package", "batches-ffi", "--lib", "--locked"])
        .args(["--profile", profile, "--crate-type", "cdylib,staticlib"])
        .args(["--message-format", "json", "--target-dir"])
        .arg(target_dir)
        .arg("--")
        .args(["-C", &format!("link-arg=-Wl,-soname,{soname}")])
        .args(["--print", "native-static-libs"])
        .stdout(Stdio::piped());
    let mut child = cargo.spawn().context("running cargo rustc")?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let (mut shared, mut archive, mut static_libs) = (None, None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading the output of cargo rustc")?;
        let Ok(message) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        match message.reason.as_str() {
            "compiler-artifact"
                if message
                    .target
                    .is_some_and(|target| target.name == "batches_ffi") =>
            {
                for file in message.filenames {
                    match file.extension().and_then(|extension| extension.to_str()) {
                        Some("so") => shared = Some(file),
                        Some("a") => archive = Some(file),
                        _ => {}
                    }
                }
            }
            "compiler-message" => {
                let Some(diagnostic) = message.message else {
                    continue;
                };
                if let Some(libs) = diagnostic.message.strip_prefix(NATIVE_STATIC_LIBS) {
                    static_libs = Some(libs.trim().to_owned());
                } else if !diagnostic
                    .message
                    .starts_with("link against the following native")
                    && let Some(rendered) = diagnostic.rendered
                {
                    // Warnings and errors reach the terminal as cargo would print them;
                    // the two notes about native libraries are what this build is for.
                    eprint!("{rendered}");
                }
            }
            _ => {}
        }
    }
    let status = child.wait().context("waiting for cargo rustc")?;
    if !status.success() {
        bail!("building batches-ffi with profile `{profile}` failed ({status})");
    }
    Ok(Library {
        shared: shared.context("the build produced no shared library (.so)")?,
        archive: archive.context("the build produced no static library (.a)")?,
        static_libs: static_libs
            .context("rustc did not print the native libraries of the static library")?,
    })
}
